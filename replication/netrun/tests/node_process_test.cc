// One NodeProcess on loopback inside the test process, with the solo engine: the runtime's own
// duties (group commit, fsync policies, restart from the data dir, bad input, admin) without a
// replication protocol in the way. Multi-process tests with real engines are in harness/netcluster.
#include "replication/netrun/node_process.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "replication/net/tests/net_test_util.h"
#include "replication/testing/solo_engine.h"
#include "replication/wire/codec.h"

namespace rb::netrun {
namespace {

using net::testing::kCluster;
using net::testing::run_until;
namespace asio = net::asio;

uint16_t free_port() {
  asio::io_context io;
  net::tcp::acceptor a(io, net::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  return a.local_endpoint().port();
}

class NodeProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/rb_netrun_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    cf_.cluster_id = kCluster;
    cf_.mode = "solo";
    cf_.nodes = {ClusterNode{NodeId{0}, "127.0.0.1", free_port()}};
    cf_.common.replicas = 1;
    cf_.common.min_insync = 1;
  }
  void TearDown() override {
    node_.reset();
    std::filesystem::remove_all(dir_);
  }

  void start() {
    NodeProcessOptions o;
    o.cluster = cf_;
    o.self = NodeId{0};
    o.data_dir = dir_ + "/node0";
    o.factory = &factory_;
    node_ = std::make_unique<NodeProcess>(io_, o);
    auto s = node_->start();
    ASSERT_TRUE(s.ok()) << s.error().describe();
    client_ = std::make_unique<net::testing::TestClient>(io_, node_->port());
  }
  void restart() {
    client_.reset();
    node_.reset();
    start();
  }

  client::Response call(client::Request r) {
    const size_t before = client_->frames.size();
    client_->conn->send(wire::make_frame(wire::FrameKind::client_request, kCluster, wire::encode_client_request(r)));
    EXPECT_TRUE(run_until(io_, [&] { return client_->frames.size() > before || client_->closed; }));
    if (client_->frames.size() <= before) return client::MetadataResponse{};
    auto d = wire::decode_client_response(client_->frames.back().second);
    EXPECT_TRUE(d.ok());
    return d.ok() ? *d : client::Response{};
  }
  client::ProduceResponse produce(int n, AckLevel acks = AckLevel::all) {
    client::ProduceRequest p{RequestId{next_id_++}, PartitionId{0}, acks, {}};
    for (int i = 0; i < n; ++i) {
      Entry e;
      e.payload = make_payload("record-" + std::to_string(i));
      p.records.push_back(e);
    }
    auto r = call(p);
    EXPECT_TRUE(std::holds_alternative<client::ProduceResponse>(r));
    return std::holds_alternative<client::ProduceResponse>(r) ? std::get<client::ProduceResponse>(r)
                                                              : client::ProduceResponse{};
  }
  client::FetchResponse fetch(int64_t from) {
    auto r = call(client::FetchRequest{RequestId{next_id_++}, PartitionId{0}, Offset{from}, 1 << 20, 0});
    EXPECT_TRUE(std::holds_alternative<client::FetchResponse>(r));
    return std::holds_alternative<client::FetchResponse>(r) ? std::get<client::FetchResponse>(r)
                                                            : client::FetchResponse{};
  }
  int64_t counter(const std::string& name) {
    auto st = node_->status();
    return st.counters.count(name) ? st.counters.at(name) : -1;
  }

  asio::io_context io_;
  ClusterFile cf_;
  std::string dir_;
  testing::SoloFactory factory_;
  std::unique_ptr<NodeProcess> node_;
  std::unique_ptr<net::testing::TestClient> client_;
  uint64_t next_id_ = 1;
};

TEST_F(NodeProcessTest, ProduceIsAnsweredAfterTheGroupCommitAndFetchedBack) {
  start();
  auto p = produce(10);
  EXPECT_EQ(p.code, errc::ok) << p.detail;
  EXPECT_EQ(p.base_offset, Offset{0});
  EXPECT_GE(counter("disk.syncs"), 1);
  EXPECT_GE(counter("disk.group_commits"), 1);
  auto f = fetch(0);
  EXPECT_EQ(f.code, errc::ok);
  ASSERT_EQ(f.records.size(), 10u);
  EXPECT_EQ(std::string(f.records[9].payload->begin(), f.records[9].payload->end()), "record-9");
}

TEST_F(NodeProcessTest, MetadataNamesTheNodesAddresses) {
  start();
  auto r = call(client::MetadataRequest{RequestId{1}});
  ASSERT_TRUE(std::holds_alternative<client::MetadataResponse>(r));
  const auto& m = std::get<client::MetadataResponse>(r);
  ASSERT_EQ(m.nodes.size(), 1u);
  EXPECT_EQ(m.nodes[0].host, "127.0.0.1");
  EXPECT_EQ(m.nodes[0].port, cf_.nodes[0].port);
}

TEST_F(NodeProcessTest, RestartRecoversTheLogFromTheDataDir) {
  start();
  ASSERT_EQ(produce(5).code, errc::ok);
  ASSERT_EQ(produce(3).code, errc::ok);
  EXPECT_EQ(counter("node.broker_epoch"), 1);
  restart();
  EXPECT_EQ(counter("node.broker_epoch"), 2);
  auto f = fetch(0);
  EXPECT_EQ(f.code, errc::ok);
  EXPECT_EQ(f.records.size(), 8u);
  auto p = produce(1);
  EXPECT_EQ(p.code, errc::ok);
  EXPECT_EQ(p.base_offset, Offset{8});
}

TEST_F(NodeProcessTest, FsyncNeverAnswersWithoutSyncing) {
  cf_.common.fsync = FsyncPolicy{FsyncMode::never, 0};
  start();
  EXPECT_EQ(produce(4).code, errc::ok);
  EXPECT_EQ(counter("disk.group_commits"), 0);
  EXPECT_EQ(fetch(0).records.size(), 4u);
}

TEST_F(NodeProcessTest, FsyncIntervalSyncsOnATimer) {
  cf_.common.fsync = FsyncPolicy{FsyncMode::interval, 5};
  start();
  EXPECT_EQ(produce(4).code, errc::ok);
  EXPECT_TRUE(run_until(io_, [&] { return counter("disk.group_commits") >= 1; }));
}

TEST_F(NodeProcessTest, BadInputClosesOnlyThatConnection) {
  start();
  ASSERT_EQ(produce(2).code, errc::ok);
  auto bad = [&](std::string bytes) {
    net::testing::TestClient c(io_, node_->port());
    c.conn->send(std::move(bytes));
    EXPECT_TRUE(run_until(io_, [&] { return c.closed; }));
  };
  bad(std::string(64, 'x'));                                                   // garbage
  bad(wire::make_frame(wire::FrameKind::client_request, kCluster + 1, "zz"));  // wrong cluster id
  std::string oversize = wire::make_frame(wire::FrameKind::client_request, kCluster, "");
  oversize[16] = oversize[17] = oversize[18] = oversize[19] = '\x7f';  // length ~2 GiB
  bad(oversize);
  std::string unknown = wire::make_frame(wire::FrameKind::client_request, kCluster, "");
  unknown[6] = '\x63';  // kind 99
  bad(unknown);
  bad(wire::make_frame(wire::FrameKind::client_request, kCluster, "\xff\xff\xff garbage body"));
  EXPECT_GE(node_->status().counters.at("net.bad_input_closes"), 5);
  // The original client and the stored data are untouched.
  EXPECT_EQ(produce(1).base_offset, Offset{2});
  EXPECT_EQ(fetch(0).records.size(), 3u);
}

TEST_F(NodeProcessTest, StopNodeAdminStopsTheNode) {
  start();
  bool stopped = false;
  node_->set_on_stopped([&](Status s) { stopped = s.ok(); });
  auto r = client_->admin_call(io_, wire::AdminRequest{RequestId{1}, wire::StopNode{}});
  EXPECT_EQ(r.code, errc::ok);
  EXPECT_TRUE(run_until(io_, [&] { return stopped; }));
  EXPECT_FALSE(node_->running());
}

TEST_F(NodeProcessTest, StatusReportsPartitionsAndCounters) {
  start();
  ASSERT_EQ(produce(3).code, errc::ok);
  auto r = client_->admin_call(io_, wire::AdminRequest{RequestId{1}, wire::StatusQuery{}});
  ASSERT_EQ(r.code, errc::ok);
  ASSERT_TRUE(r.status.has_value());
  ASSERT_EQ(r.status->partitions.size(), 1u);
  EXPECT_EQ(r.status->partitions[0].role, Role::leader);
  EXPECT_EQ(r.status->partitions[0].commit, Offset{3});
  EXPECT_GT(r.status->counters.at("disk.bytes_written"), 0);
  EXPECT_GE(r.status->counters.at("cpu.user_us") + r.status->counters.at("cpu.system_us"), 0);
}

}  // namespace
}  // namespace rb::netrun
