// Engine tests of the ISR protocol on EngineCluster with an in-test coordinator.
#include <gtest/gtest.h>

#include "isr/factory.h"
#include "isr/messages.h"
#include "isr/tests/coordinator_driver.h"

namespace rb::isr {
namespace {

using rb::testing::EngineCluster;
using testing::CoordinatorDriver;

const NodeId n0{0}, n1{1}, n2{2};

ReplicationConfig common(uint32_t min_insync = 2) {
  ReplicationConfig c;
  c.replicas = 3;
  c.min_insync = min_insync;
  return c;
}

IsrFactory fast_factory() {
  IsrConfig cfg;
  cfg.replica_lag_time_max_ticks = 100;
  cfg.replica_fetch_wait_max_ticks = 20;
  cfg.replica_fetch_backoff_ticks = 10;
  cfg.replica_socket_timeout_ticks = 60;
  cfg.alter_partition_retry_ticks = 50;
  return IsrFactory(cfg);
}

AdminCommand admin_cmd(AdminCommand::Kind kind, NodeId node = kNoNode) {
  AdminCommand a;
  a.kind = kind;
  a.node = node;
  return a;
}

struct Harness {
  explicit Harness(uint32_t min_insync = 2, coordinator::CoordinatorConfig cc = {})
      : factory(fast_factory()), c(factory, {n0, n1, n2}, common(min_insync)), coord(c, [&] {
          cc.min_insync = min_insync;
          return cc;
        }()) {}
  const Completion* completion(NodeId n, uint64_t id) {
    for (const auto& x : c.completions(n))
      if (x.id == RequestId{id}) return &x;
    return nullptr;
  }
  void propose(uint64_t id, int count = 1, AckLevel ack = AckLevel::all) {
    c.propose(c.leader(), EngineCluster::make_proposal(id, count, 16, ack));
    coord.settle();
  }
  IsrFactory factory;
  EngineCluster c;
  CoordinatorDriver coord;
};

TEST(IsrEngine, CoordinatorPicksTheLeaderAndFollowersFetch) {
  Harness h;
  EXPECT_EQ(h.c.leader(), n0);
  EXPECT_EQ(h.c.engine(n1).status().leader, n0);
  EXPECT_EQ(h.c.engine(n0).status().in_sync, (std::vector<NodeId>{n0, n1, n2}));
  // Idle followers keep one fetch parked on the leader; it is answered when it times out, so an
  // idle partition costs about two messages per follower per fetch wait, not one per tick.
  const uint64_t before = h.c.messages_delivered();
  h.coord.run(200);
  const uint64_t idle = h.c.messages_delivered() - before;
  EXPECT_GE(idle, 2u * 2u * 200u / 21u);
  EXPECT_LE(idle, 2u * 2u * (200u / 20u + 1u));
}

TEST(IsrEngine, AcksAllCompletesWhenEveryIsrMemberHasTheRecords) {
  Harness h;
  h.propose(1, 3);
  const Completion* c = h.completion(n0, 1);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->code, errc::ok);
  EXPECT_EQ(c->base_offset, Offset{0});
  EXPECT_EQ(h.c.commit(n0), Offset{3});
  for (NodeId n : {n1, n2}) EXPECT_EQ(h.c.store(n).log_end(), Offset{3});
  // Followers learn the HW one fetch later (the parked fetch answers at the wait timeout).
  EXPECT_LT(h.c.commit(n1), Offset{3});
  h.coord.run(25);
  EXPECT_EQ(h.c.commit(n1), Offset{3});
  EXPECT_EQ(h.c.commit(n2), Offset{3});
  auto e = h.c.store(n1).read(Offset{0}, 1 << 20, 10);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ((*e)[2].epoch, h.coord.meta().leader_epoch);  // records carry the leader epoch
}

TEST(IsrEngine, AcksLeaderDoesNotWaitForFollowersButAcksAllDoes) {
  Harness h;
  h.c.cut(n0, n1);
  h.c.cut(n0, n2);
  h.propose(1, 1, AckLevel::leader);
  h.propose(2, 1, AckLevel::all);
  h.propose(3, 1, AckLevel::none);
  ASSERT_NE(h.completion(n0, 1), nullptr);
  EXPECT_EQ(h.completion(n0, 1)->code, errc::ok);
  EXPECT_EQ(h.completion(n0, 2), nullptr);
  ASSERT_NE(h.completion(n0, 3), nullptr);
  EXPECT_EQ(h.c.commit(n0), Offset{0});
  h.c.heal();
  h.coord.run(70);  // the followers' lost fetches time out and are sent again
  ASSERT_NE(h.completion(n0, 2), nullptr);
  EXPECT_EQ(h.completion(n0, 2)->code, errc::ok);
  EXPECT_EQ(h.c.commit(n0), Offset{3});
}

TEST(IsrEngine, SlowFollowerLeavesTheIsrAndRejoinsWhenCaughtUp) {
  Harness h;
  h.c.isolate(n2);
  for (int i = 0; i < 30; ++i) {
    h.propose(100 + i);
    h.coord.run(10);
  }
  // Out of sync after replica_lag_time_max (100) plus up to half of it for the periodic check.
  EXPECT_EQ(h.coord.meta().isr, (std::vector<NodeId>{n0, n1}));
  EXPECT_EQ(h.c.engine(n0).status().in_sync, (std::vector<NodeId>{n0, n1}));
  EXPECT_EQ(h.c.commit(n0), Offset{30});  // the HW moved on without n2
  h.c.heal();
  h.coord.run(100);
  EXPECT_EQ(h.coord.meta().isr, (std::vector<NodeId>{n0, n1, n2}));
  EXPECT_EQ(h.c.store(n2).log_end(), Offset{30});
}

TEST(IsrEngine, AcksAllFailsBeforeAppendWhenTheIsrIsBelowMinInsync) {
  Harness h(2);
  h.c.isolate(n1);
  h.c.isolate(n2);
  // An idle follower at the leader's end counts as caught up however long it is silent (Kafka:
  // dead brokers are removed by the controller's fencing); a record makes them lag.
  h.propose(6, 1, AckLevel::leader);
  h.coord.run(160);
  ASSERT_EQ(h.coord.meta().isr, (std::vector<NodeId>{n0}));
  const Offset end = h.c.store(n0).log_end();
  h.propose(7);
  const Completion* c = h.completion(n0, 7);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->code, errc::not_enough_replicas);
  EXPECT_NE(c->detail.find("NOT_ENOUGH_REPLICAS:"), std::string::npos) << c->detail;
  EXPECT_EQ(h.c.store(n0).log_end(), end);  // nothing appended
  // acks=1 still appends, but the HW stays put under min ISR (strict min ISR, KIP-966).
  const Offset hw = h.c.commit(n0);
  h.propose(8, 1, AckLevel::leader);
  ASSERT_NE(h.completion(n0, 8), nullptr);
  EXPECT_EQ(h.completion(n0, 8)->code, errc::ok);
  h.coord.run(10);
  EXPECT_EQ(h.c.commit(n0), hw);
}

TEST(IsrEngine, AcksAllFailsAfterAppendWhenTheIsrShrinksWhileWaiting) {
  Harness h(2);
  h.c.isolate(n1);
  h.c.isolate(n2);
  h.propose(9);
  EXPECT_EQ(h.completion(n0, 9), nullptr);
  h.coord.run(160);
  const Completion* c = h.completion(n0, 9);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->code, errc::not_enough_replicas);
  EXPECT_NE(c->detail.find("NOT_ENOUGH_REPLICAS_AFTER_APPEND"), std::string::npos) << c->detail;
}

TEST(IsrEngine, OneAlterPartitionInFlight) {
  Harness h;
  h.c.isolate(n1);
  h.c.isolate(n2);
  // Do not answer the leader's AlterPartition: it must not send another until the retry time.
  h.coord.cut_from_coordinator.insert(n0);
  h.propose(1, 1, AckLevel::leader);
  for (int i = 0; i < 200; ++i) {
    h.c.tick_all(1);
    h.c.deliver_all();
  }
  const auto& reqs = h.c.metadata_requests(n0);
  ASSERT_FALSE(reqs.empty());
  EXPECT_LE(reqs.size(), 200u / 50u + 1u);  // at most one per alter_partition_retry_ticks
  for (const auto& r : reqs) EXPECT_EQ(r.partition_epoch, h.coord.meta().partition_epoch);
}

TEST(IsrEngine, ProposeOnAFollowerIsNotLeaderWithAHint) {
  Harness h;
  h.c.propose(n1, EngineCluster::make_proposal(1, 1));
  ASSERT_FALSE(h.c.completions(n1).empty());
  EXPECT_EQ(h.c.completions(n1)[0].code, errc::not_leader);
  EXPECT_EQ(h.c.completions(n1)[0].leader_hint, n0);
}

TEST(IsrEngine, PreferredLeaderElectionThroughCampaign) {
  Harness h;
  ASSERT_TRUE(h.coord.apply(coordinator::FenceBroker{n0}).status.ok());
  h.coord.settle();
  EXPECT_EQ(h.c.leader(), n1);
  ASSERT_TRUE(h.coord.apply(coordinator::UnfenceBroker{n0, 1}).status.ok());
  h.coord.run(60);  // n0 catches up and rejoins the ISR
  EXPECT_EQ(h.coord.meta().isr.size(), 3u);
  EXPECT_EQ(h.c.admin(n2, admin_cmd(AdminCommand::Kind::transfer_leader, n2)).code(), errc::unsupported);
  ASSERT_TRUE(h.c.admin(n1, admin_cmd(AdminCommand::Kind::campaign)).ok());
  h.coord.settle();
  EXPECT_EQ(h.c.leader(), n0);
}

TEST(IsrFactory, KnobsAndCoordinatorConfig) {
  auto f = make_factory();
  EXPECT_EQ(f->mode(), "isr");
  EXPECT_TRUE(f->uses_coordinator());
  EXPECT_TRUE(f->set("unclean_leader_election", "true").ok());
  EXPECT_TRUE(f->set("eligible_leader_replicas", "1").ok());
  EXPECT_TRUE(f->set("replica_lag_time_max_ticks", "250").ok());
  EXPECT_EQ(f->set("replica_lag_time_max_ticks", "-1").code(), errc::invalid_config);
  EXPECT_EQ(f->set("no_such_knob", "1").code(), errc::invalid_config);
  EXPECT_TRUE(f->set("replica_socket_timeout_ticks", "10").ok());
  EXPECT_EQ(f->validate(common()).code(), errc::invalid_config);  // must exceed the fetch wait
  EXPECT_TRUE(f->set("replica_socket_timeout_ticks", "2000").ok());
  EXPECT_TRUE(f->validate(common()).ok());
  bool seen = false;
  for (const auto& [k, v] : f->settings()) seen = seen || (k == "replica_lag_time_max_ticks" && v == "250");
  EXPECT_TRUE(seen);
  auto cc = coordinator_config_from(*f, common(3));
  ASSERT_TRUE(cc.ok());
  EXPECT_TRUE(cc->unclean_leader_election);
  EXPECT_TRUE(cc->eligible_leader_replicas);
  EXPECT_EQ(cc->min_insync, 3u);
  ReplicationConfig q = common();
  q.acks = AckLevel::quorum;
  EXPECT_FALSE(f->not_applicable(q).empty());
}

}  // namespace
}  // namespace rb::isr
