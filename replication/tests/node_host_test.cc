// NodeHost: the broker core on top of an engine (here the trivial SoloEngine, so every behaviour
// seen is the host's): produce, committed-only fetch, long-poll, idempotence, offsets, errors.
#include "replication/node/node_host.h"

#include <gtest/gtest.h>

#include "replication/storage/mem_log_store.h"
#include "replication/testing/solo_engine.h"

namespace rb {
namespace {

struct FakeIo : NodeIo {
  std::vector<std::pair<ClientId, client::Response>> replies;
  int sync_requests = 0;
  void send(PeerMessage) override {}
  void reply(ClientId c, client::Response r) override { replies.emplace_back(c, std::move(r)); }
  void request_sync() override { ++sync_requests; }
  template <class T>
  std::vector<T> take() {
    std::vector<T> out;
    for (auto& [c, r] : replies)
      if (auto* v = std::get_if<T>(&r)) out.push_back(*v);
    replies.clear();
    return out;
  }
};

class NodeHostTest : public ::testing::Test {
 protected:
  NodeHostTest() {
    cfg.self = NodeId{0};
    cfg.nodes = {NodeId{0}};
    cfg.partitions = 2;
    cfg.common.replicas = 1;
    cfg.common.min_insync = 1;
    cfg.common.max_message_bytes = 100;
    host = std::make_unique<NodeHost>(cfg, testing::SoloFactory{}, io, [this](PartitionId p) -> LogStore* {
      auto& s = stores[p];
      if (!s) s = std::make_unique<MemLogStore>();
      return s.get();
    });
  }
  void sync_all() {
    for (PartitionId p : host->take_dirty()) {
      auto end = stores[p]->sync();
      host->on_durable(p, *end);
    }
  }
  client::ProduceRequest produce(uint64_t id, int64_t seq, uint32_t partition = 0, size_t bytes = 10) {
    client::ProduceRequest r;
    r.id = RequestId{id};
    r.partition = PartitionId{partition};
    Entry e;
    e.producer = ProducerId{7};
    e.sequence = seq;
    e.payload = make_payload(std::string(bytes, 'v'));
    r.records.push_back(e);
    return r;
  }

  NodeHostConfig cfg;
  FakeIo io;
  std::map<PartitionId, std::unique_ptr<MemLogStore>> stores;
  std::unique_ptr<NodeHost> host;
};

TEST_F(NodeHostTest, ProduceAcknowledgesOnlyAfterDurability) {
  host->on_client_request(1, produce(1, 0));
  EXPECT_TRUE(io.take<client::ProduceResponse>().empty());
  EXPECT_EQ(io.sync_requests, 1);
  sync_all();
  auto acks = io.take<client::ProduceResponse>();
  ASSERT_EQ(acks.size(), 1u);
  EXPECT_EQ(acks[0].code, errc::ok);
  EXPECT_EQ(acks[0].base_offset, Offset{0});
}

TEST_F(NodeHostTest, FetchSeesOnlyCommittedRecords) {
  host->on_client_request(1, produce(1, 0));
  client::FetchRequest f{RequestId{9}, PartitionId{0}, Offset{0}, 1 << 20, 0};
  host->on_client_request(2, f);
  auto before = io.take<client::FetchResponse>();
  ASSERT_EQ(before.size(), 1u);
  EXPECT_TRUE(before[0].records.empty());
  sync_all();
  io.replies.clear();
  host->on_client_request(2, f);
  auto after = io.take<client::FetchResponse>();
  ASSERT_EQ(after.size(), 1u);
  ASSERT_EQ(after[0].records.size(), 1u);
  EXPECT_EQ(after[0].records[0].sequence, 0);
  EXPECT_EQ(after[0].high_watermark, Offset{1});
}

TEST_F(NodeHostTest, LongPollWakesWhenRecordsCommit) {
  client::FetchRequest f{RequestId{9}, PartitionId{0}, Offset{0}, 1 << 20, 500};
  host->on_client_request(2, f);
  EXPECT_TRUE(io.take<client::FetchResponse>().empty());
  host->on_client_request(1, produce(1, 0));
  sync_all();
  auto got = io.take<client::FetchResponse>();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].records.size(), 1u);
}

TEST_F(NodeHostTest, LongPollExpiresEmptyAfterMaxWait) {
  client::FetchRequest f{RequestId{9}, PartitionId{0}, Offset{0}, 1 << 20, 5};
  host->on_client_request(2, f);
  for (int i = 0; i < 4; ++i) host->tick();
  EXPECT_TRUE(io.take<client::FetchResponse>().empty());
  host->tick();
  auto got = io.take<client::FetchResponse>();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_TRUE(got[0].records.empty());
}

TEST_F(NodeHostTest, IdempotentRetryIsAnsweredWithTheOriginalOffset) {
  host->on_client_request(1, produce(1, 0));
  host->on_client_request(1, produce(2, 1));
  sync_all();
  io.replies.clear();
  host->on_client_request(1, produce(3, 0));  // a retry of sequence 0
  auto acks = io.take<client::ProduceResponse>();
  ASSERT_EQ(acks.size(), 1u);
  EXPECT_EQ(acks[0].code, errc::ok);
  EXPECT_EQ(acks[0].base_offset, Offset{0});
  EXPECT_EQ(stores[PartitionId{0}]->log_end(), Offset{2});
  EXPECT_EQ(host->counters().duplicates_answered, 1u);
}

TEST_F(NodeHostTest, RetryOfUncommittedRecordWaitsForItsCommit) {
  host->on_client_request(1, produce(1, 0));
  host->on_client_request(1, produce(2, 0));  // retry before the original is durable
  EXPECT_TRUE(io.take<client::ProduceResponse>().empty());
  sync_all();
  auto acks = io.take<client::ProduceResponse>();
  ASSERT_EQ(acks.size(), 2u);
  EXPECT_EQ(acks[0].base_offset, Offset{0});
  EXPECT_EQ(acks[1].base_offset, Offset{0});
  EXPECT_EQ(stores[PartitionId{0}]->log_end(), Offset{1});
}

TEST_F(NodeHostTest, WithoutIdempotenceRetriesAreStoredTwice) {
  cfg.common.idempotence = false;
  host = std::make_unique<NodeHost>(cfg, testing::SoloFactory{}, io, [this](PartitionId p) -> LogStore* {
    stores[p] = std::make_unique<MemLogStore>();
    return stores[p].get();
  });
  host->on_client_request(1, produce(1, 0));
  host->on_client_request(1, produce(2, 0));
  sync_all();
  EXPECT_EQ(stores[PartitionId{0}]->log_end(), Offset{2});
}

// Under defer_produce_drain (the net runtime) a burst of produce requests is one append and one
// sync request, applied at flush().
class DeferredNodeHostTest : public NodeHostTest {
 protected:
  DeferredNodeHostTest() {
    cfg.defer_produce_drain = true;
    host = std::make_unique<NodeHost>(cfg, testing::SoloFactory{}, io, [this](PartitionId p) -> LogStore* {
      stores[p] = std::make_unique<MemLogStore>();
      return stores[p].get();
    });
  }
  Offset log_end() { return stores[PartitionId{0}]->log_end(); }
};

TEST_F(DeferredNodeHostTest, ABurstIsAppliedAtFlushAsOneBatch) {
  for (int i = 0; i < 3; ++i) host->on_client_request(1, produce(1 + i, i));
  EXPECT_TRUE(host->has_deferred());
  EXPECT_EQ(log_end(), Offset{0});
  EXPECT_EQ(io.sync_requests, 0);
  host->flush();
  EXPECT_FALSE(host->has_deferred());
  EXPECT_EQ(log_end(), Offset{3});
  EXPECT_EQ(io.sync_requests, 1);
  sync_all();
  auto acks = io.take<client::ProduceResponse>();
  ASSERT_EQ(acks.size(), 3u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(acks[i].base_offset, Offset{i});
}

TEST_F(DeferredNodeHostTest, ARetryOfADeferredProposalIsNotStoredTwice) {
  host->on_client_request(1, produce(1, 0));
  host->on_client_request(1, produce(2, 1));
  host->on_client_request(1, produce(3, 0));  // a retry of sequence 0 before anything was applied
  host->flush();
  sync_all();
  auto acks = io.take<client::ProduceResponse>();
  ASSERT_EQ(acks.size(), 3u);
  EXPECT_EQ(log_end(), Offset{2});
  EXPECT_EQ(host->counters().duplicates_answered, 1u);
  for (const auto& a : acks) {
    EXPECT_EQ(a.code, errc::ok);
    EXPECT_EQ(a.base_offset, a.id == RequestId{2} ? Offset{1} : Offset{0});
  }
}

TEST_F(DeferredNodeHostTest, AnyLaterEventOnThePartitionAppliesWhatWasDeferred) {
  host->on_client_request(1, produce(1, 0));
  host->tick();
  EXPECT_FALSE(host->has_deferred());
  EXPECT_EQ(log_end(), Offset{1});
  host->flush();  // nothing left: a no-op
  EXPECT_EQ(io.sync_requests, 1);
}

TEST_F(NodeHostTest, CountsProducedRecordsAndTheRecordsPeerMessagesCarry) {
  // calibrate fits the simulator's per-record cost against these two counters.
  host->on_client_request(1, produce(1, 0));
  PeerMessage m;
  m.from = NodeId{0};
  m.partition = PartitionId{1};
  m.entries.resize(3);
  host->on_peer_message(m);
  host->on_peer_message(m);
  EXPECT_EQ(host->counters().produce_records, 1u);
  EXPECT_EQ(host->counters().peer_messages_in, 2u);
  EXPECT_EQ(host->counters().peer_records_in, 6u);
}

TEST_F(NodeHostTest, OversizeRecordIsRefusedWithItsSize) {
  host->on_client_request(1, produce(1, 0, 0, 101));
  auto acks = io.take<client::ProduceResponse>();
  ASSERT_EQ(acks.size(), 1u);
  EXPECT_EQ(acks[0].code, errc::too_large);
  EXPECT_NE(acks[0].detail.find("101"), std::string::npos);
  EXPECT_EQ(stores[PartitionId{0}]->log_end(), Offset{0});
}

TEST_F(NodeHostTest, UnknownPartitionIsNotFound) {
  host->on_client_request(1, produce(1, 0, 42));
  auto acks = io.take<client::ProduceResponse>();
  ASSERT_EQ(acks.size(), 1u);
  EXPECT_EQ(acks[0].code, errc::not_found);
}

TEST_F(NodeHostTest, ConsumerOffsetsAreReplicatedThroughTheLog) {
  host->on_client_request(3, client::OffsetCommitRequest{RequestId{1}, "g1", PartitionId{1}, Offset{42}});
  host->on_client_request(3, client::OffsetFetchRequest{RequestId{2}, "g1", PartitionId{1}});
  auto before = io.take<client::OffsetFetchResponse>();
  ASSERT_EQ(before.size(), 1u);
  EXPECT_EQ(before[0].offset, Offset{-1});  // not committed yet
  sync_all();
  host->on_client_request(3, client::OffsetFetchRequest{RequestId{3}, "g1", PartitionId{1}});
  auto after = io.take<client::OffsetFetchResponse>();
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].offset, Offset{42});
  // The offset record is not a data record: consumers never see it.
  client::FetchRequest f{RequestId{9}, PartitionId{1}, Offset{0}, 1 << 20, 0};
  host->on_client_request(2, f);
  auto got = io.take<client::FetchResponse>();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_TRUE(got[0].records.empty());
}

TEST_F(NodeHostTest, MetadataListsHostedPartitionsAndTheirLeader) {
  host->on_client_request(4, client::MetadataRequest{RequestId{1}});
  auto md = io.take<client::MetadataResponse>();
  ASSERT_EQ(md.size(), 1u);
  ASSERT_EQ(md[0].partitions.size(), 2u);
  EXPECT_EQ(md[0].partitions[0].leader, NodeId{0});
}

}  // namespace
}  // namespace rb
