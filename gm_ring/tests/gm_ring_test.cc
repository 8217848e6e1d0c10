// GM ring: the normal path (pub round, ack round, per-publisher order, confirms that wait for
// every member and its durable write), the factory, and confirm latency against ring size.
#include <gtest/gtest.h>

#include "gm_ring/tests/gm_test_util.h"

namespace rb::gm::test {
namespace {

ReplicationConfig common_cfg(uint32_t replicas = 3) {
  ReplicationConfig c;
  c.replicas = replicas;
  c.min_insync = 1;
  return c;
}

ProposeRequest from_producer(uint64_t id, uint64_t producer, int64_t seq) {
  ProposeRequest r = EngineCluster::make_proposal(id, 1);
  r.entries[0].producer = ProducerId{producer};
  r.entries[0].sequence = seq;
  return r;
}

TEST(GmRing, BootstrapViewIsReplicasInOrderWithFirstAsMaster) {
  auto f = factory_with({});
  EngineCluster c(*f, nodes(3), common_cfg());
  EXPECT_EQ(c.leader(), A);
  for (NodeId n : c.nodes()) {
    auto s = c.engine(n).status();
    EXPECT_EQ(s.epoch, Epoch{1});
    EXPECT_EQ(s.members, nodes(3));
    EXPECT_EQ(s.leader, A);
  }
}

TEST(GmRing, MessageOrderPerPublisherIsKeptOnEveryMember) {
  auto f = factory_with({});
  EngineCluster c(*f, nodes(3), common_cfg());
  uint64_t id = 1;
  for (int64_t seq = 0; seq < 10; ++seq) {
    c.propose(A, from_producer(id++, 1, seq));
    c.propose(A, from_producer(id++, 2, seq));
    if (seq % 3 == 0) c.deliver_all();  // interleave deliveries with proposals
  }
  c.deliver_all();
  EXPECT_EQ(count_ok(c, A), 20);
  for (NodeId n : c.nodes()) {
    SCOPED_TRACE("node " + to_string(n));
    auto es = c.store(n).read(Offset{0}, 1 << 20, 100);
    ASSERT_TRUE(es.ok());
    ASSERT_EQ(es->size(), 20u);
    std::map<uint64_t, int64_t> last;
    for (const auto& e : *es) {
      auto it = last.find(e.producer.value());
      if (it != last.end()) EXPECT_EQ(e.sequence, it->second + 1);
      last[e.producer.value()] = e.sequence;
      EXPECT_EQ(e.epoch, Epoch{1});
    }
    EXPECT_EQ(c.commit(n), Offset{20});  // the ack round reached every member
  }
}

TEST(GmRing, ConfirmWaitsUntilThePubRoundPassesEveryMember) {
  auto f = factory_with({});
  EngineCluster c(*f, nodes(3), common_cfg());
  c.propose(A, EngineCluster::make_proposal(1, 3));
  // Hold everything C sends: the pub round cannot close.
  deliver_where(c, [](const PeerMessage& m) { return m.from != C; });
  EXPECT_EQ(count_ok(c, A), 0);
  EXPECT_EQ(c.commit(A), Offset{0});
  EXPECT_EQ(c.store(C).log_end(), Offset{3});  // C has them, but A cannot know yet
  c.deliver_all();
  EXPECT_EQ(count_ok(c, A), 1);
  EXPECT_EQ(c.commit(A), Offset{3});
}

TEST(GmRing, ConfirmWaitsForEveryMembersDurableWrite) {
  auto f = factory_with({});
  EngineCluster c(*f, nodes(3), common_cfg());
  c.auto_persist = false;
  c.propose(A, EngineCluster::make_proposal(1, 2));
  c.persist(A);
  c.deliver_all();
  c.persist(B);
  c.deliver_all();
  // C holds the records but has not reported them durable: no confirm.
  EXPECT_EQ(c.store(C).log_end(), Offset{2});
  EXPECT_EQ(count_ok(c, A), 0);
  c.persist(C);
  c.deliver_all();
  EXPECT_EQ(count_ok(c, A), 1);
  EXPECT_EQ(c.commit(C), Offset{2});
}

TEST(GmRing, AckLevelsNoneAndLeaderDoNotWaitForTheRing) {
  auto f = factory_with({});
  EngineCluster c(*f, nodes(3), common_cfg());
  c.auto_persist = false;
  c.propose(A, EngineCluster::make_proposal(1, 1, 16, AckLevel::none));
  EXPECT_EQ(count_ok(c, A), 1);
  c.propose(A, EngineCluster::make_proposal(2, 1, 16, AckLevel::leader));
  EXPECT_EQ(count_ok(c, A), 1);
  c.persist(A);
  EXPECT_EQ(count_ok(c, A), 2);  // after the master's own durable write only
  EXPECT_EQ(c.commit(A), Offset{0});
}

TEST(GmRing, LingerBatchesPubsAndAcksIntoFewerMessages) {
  auto count_msgs = [](uint32_t linger) {
    auto f = factory_with({{"heartbeat_ticks", "1000"}, {"member_timeout_ticks", "5000"}});
    ReplicationConfig cfg = common_cfg();
    cfg.batching.linger_ticks = linger;
    EngineCluster c(*f, nodes(3), cfg);
    for (uint64_t i = 1; i <= 10; ++i) {
      c.propose(A, EngineCluster::make_proposal(i, 1));
      c.deliver_all();
    }
    c.run_ticks(20);
    EXPECT_EQ(count_ok(c, A), 10);
    return c.messages_delivered();
  };
  EXPECT_LT(count_msgs(5), count_msgs(0));
}

TEST(GmFactory, KnobsRoundTripAndBadValuesAreNamed) {
  auto f = make_factory();
  EXPECT_EQ(f->mode(), "gm");
  EXPECT_TRUE(f->uses_coordinator());
  EXPECT_TRUE(f->set("sync_mode", "automatic").ok());
  EXPECT_TRUE(f->set("promote_on_failure", "when-synced").ok());
  EXPECT_TRUE(f->set("partition_handling", "ignore").ok());
  EXPECT_TRUE(f->set("member_timeout_ticks", "300").ok());
  auto s = f->settings();
  EXPECT_EQ(s[0], (std::pair<std::string, std::string>{"sync_mode", "automatic"}));
  EXPECT_EQ(s[1].second, "when-synced");
  EXPECT_EQ(s[2].second, "ignore");
  EXPECT_EQ(s[3].second, "300");
  auto bad = f->set("sync_mode", "eager");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("sync_mode"), std::string::npos);
  EXPECT_EQ(f->set("nope", "1").code(), errc::invalid_config);
  EXPECT_TRUE(f->set("heartbeat_ticks", "400").ok());
  EXPECT_EQ(f->validate(ReplicationConfig{}).code(), errc::invalid_config);  // timeout <= heartbeat
  ReplicationConfig q;
  q.acks = AckLevel::quorum;
  EXPECT_EQ(f->not_applicable(q).size(), 2u);
}

// Every message is delivered exactly `hop` ticks after it was sent; returns the ticks from the
// proposal to its confirm at the master.
int confirm_latency(int members, int hop) {
  auto f = factory_with({{"member_timeout_ticks", "100000"}});
  EngineCluster c(*f, nodes(members), common_cfg(static_cast<uint32_t>(members)));
  std::vector<std::pair<int, PeerMessage>> queued;
  int now = 0;
  auto pump = [&] {
    while (!c.in_flight().empty()) {
      queued.emplace_back(now + hop, std::move(c.in_flight().front()));
      c.in_flight().pop_front();
    }
  };
  c.run_ticks(5);
  c.propose(A, EngineCluster::make_proposal(1, 1));
  pump();
  const int start = now;
  while (count_ok(c, A) == 0) {
    RB_ASSERT(now < 10000);
    ++now;
    c.tick_all(1);
    pump();
    for (;;) {
      auto it = std::find_if(queued.begin(), queued.end(), [&](const auto& q) { return q.first <= now; });
      if (it == queued.end()) break;
      PeerMessage m = std::move(it->second);
      queued.erase(it);
      c.in_flight().push_front(std::move(m));
      c.deliver_one();
      pump();
    }
  }
  return now - start;
}

TEST(GmRing, ConfirmLatencyGrowsLinearlyWithRingSize) {
  const int hop = 3;
  const int l3 = confirm_latency(3, hop);
  const int l5 = confirm_latency(5, hop);
  const int l7 = confirm_latency(7, hop);
  // The pub round is n hops: master -> ... -> master.
  EXPECT_EQ(l3, 3 * hop);
  EXPECT_EQ(l5, 5 * hop);
  EXPECT_EQ(l7, 7 * hop);
  EXPECT_LT(l3, l5);
  EXPECT_LT(l5, l7);
}

}  // namespace
}  // namespace rb::gm::test
