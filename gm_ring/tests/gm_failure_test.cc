// GM ring failures: inheritance of a dead member's pubs and acks, joins with catch-up in both
// sync modes, eldest-member promotion under both policies, and both partition-handling modes.
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

AdminCommand compact_to(int64_t o) {
  AdminCommand cmd;
  cmd.kind = AdminCommand::Kind::compact;
  cmd.offset = Offset{o};
  return cmd;
}

TEST(GmFailure, MemberDyingInThePubRoundIsInheritedByItsDownstream) {
  auto f = factory_with({});
  EngineCluster c(*f, nodes(3), common_cfg());
  FakeCoordinator coord(c, nodes(3));
  c.propose(A, EngineCluster::make_proposal(1, 4));
  // A -> B arrives; B's forward to C is still in flight when B dies.
  ASSERT_EQ(deliver_where(c, [](const PeerMessage& m) { return m.from == A && m.to == B; }), 1u);
  c.crash(B);
  EXPECT_EQ(c.store(C).log_end(), Offset{0});
  settle(c, &coord, 40);
  EXPECT_EQ(c.engine(A).status().members, (std::vector<NodeId>{A, C}));
  EXPECT_EQ(count_ok(c, A), 1);
  EXPECT_EQ(c.store(C).log_end(), Offset{4});
  EXPECT_EQ(c.commit(A), Offset{4});
  EXPECT_EQ(c.commit(C), Offset{4});
  EXPECT_GT(counter(c, A, "catchup_records"), 0);
}

TEST(GmFailure, MemberDyingInTheAckRoundIsInheritedByItsDownstream) {
  auto f = factory_with({});
  EngineCluster c(*f, nodes(3), common_cfg());
  FakeCoordinator coord(c, nodes(3));
  c.propose(A, EngineCluster::make_proposal(1, 4));
  // Pub round completes (A -> B -> C -> A), then the ack reaches B but not C.
  deliver_where(c, [](const PeerMessage& m) { return m.to != C || m.from != B || m.entries.size() > 0; });
  ASSERT_EQ(count_ok(c, A), 1);
  ASSERT_EQ(c.commit(B), Offset{4});
  ASSERT_EQ(c.commit(C), Offset{0});
  c.crash(B);
  settle(c, &coord, 40);
  EXPECT_EQ(c.engine(C).status().members, (std::vector<NodeId>{A, C}));
  EXPECT_EQ(c.commit(C), Offset{4});  // the missed ack arrived with A's catch-up
}

TEST(GmFailure, NewMemberJoinsWithCatchUpAndManualSyncLeavesItUnsynced) {
  auto f = factory_with({});
  EngineCluster c(*f, nodes(3), common_cfg());
  FakeCoordinator coord(c, nodes(3));
  c.propose(A, EngineCluster::make_proposal(1, 5));
  c.deliver_all();
  c.add_node(D);
  coord.add_node(D);
  c.restart(D);  // a fresh engine that is not in the initial view: asks to join
  settle(c, &coord, 3);
  EXPECT_EQ(c.engine(A).status().members, (std::vector<NodeId>{A, B, C, D}));
  EXPECT_EQ(c.store(D).log_start(), Offset{5});  // joined empty at the confirmed end
  c.propose(A, EngineCluster::make_proposal(2, 3));
  c.deliver_all();
  EXPECT_EQ(count_ok(c, A), 2);
  EXPECT_EQ(c.store(D).log_end(), Offset{8});
  EXPECT_EQ(c.commit(D), Offset{8});
  EXPECT_EQ(counter(c, D, "synced"), 0);
  auto in_sync = c.engine(A).status().in_sync;
  EXPECT_EQ(std::count(in_sync.begin(), in_sync.end(), D), 0);
  EXPECT_FALSE(has_event(c, A, Event::Kind::blocked));  // manual never blocks
  // "Consuming" the old head (retention past D's start) makes D synced.
  ASSERT_TRUE(c.admin(A, compact_to(6)).ok());
  c.deliver_all();
  EXPECT_EQ(counter(c, D, "synced"), 1);
  in_sync = c.engine(A).status().in_sync;
  EXPECT_EQ(in_sync.size(), 4u);
}

TEST(GmFailure, AutomaticSyncBlocksTheQueueAndReportsTheBlock) {
  auto f = factory_with({{"sync_mode", "automatic"}});
  EngineCluster c(*f, nodes(3), common_cfg());
  FakeCoordinator coord(c, nodes(3));
  c.propose(A, EngineCluster::make_proposal(1, 5));
  c.deliver_all();
  c.add_node(D);
  coord.add_node(D);
  c.restart(D);
  ASSERT_EQ(coord.step(), 1);  // the view with D reaches every member; nothing delivered yet
  EXPECT_TRUE(has_event(c, A, Event::Kind::blocked));
  c.propose(A, EngineCluster::make_proposal(2, 1));
  ASSERT_FALSE(c.completions(A).empty());
  EXPECT_EQ(c.completions(A).back().code, errc::unavailable);
  c.tick_all(3);  // the sync is still in flight
  c.deliver_all();
  EXPECT_TRUE(has_event(c, A, Event::Kind::unblocked));
  EXPECT_GE(counter(c, A, "blocked_ticks"), 3);
  EXPECT_EQ(c.store(D).log_start(), Offset{0});  // the whole queue was copied
  EXPECT_EQ(c.store(D).log_end(), Offset{5});
  EXPECT_EQ(counter(c, D, "synced"), 1);
  c.propose(A, EngineCluster::make_proposal(3, 1));
  c.deliver_all();
  EXPECT_EQ(c.completions(A).back().code, errc::ok);
}

TEST(GmFailure, EldestMemberIsPromotedWhenTheMasterDies) {
  auto f = factory_with({});
  EngineCluster c(*f, nodes(3), common_cfg());
  FakeCoordinator coord(c, nodes(3));
  c.propose(A, EngineCluster::make_proposal(1, 3));
  c.deliver_all();
  c.propose(A, EngineCluster::make_proposal(2, 2));
  deliver_where(c, [](const PeerMessage& m) { return m.from == A; });  // B has 2 unconfirmed records
  c.crash(A);
  settle(c, &coord, 40);
  EXPECT_EQ(c.leader(), B);
  EXPECT_TRUE(has_event(c, B, Event::Kind::failover));
  EXPECT_EQ(c.engine(C).status().leader, B);
  // The in-flight records are re-exposed by the new master (requeue) and counted.
  EXPECT_EQ(c.commit(B), Offset{5});
  EXPECT_EQ(c.commit(C), Offset{5});
  EXPECT_EQ(counter(c, B, "requeued_records"), 2);
  c.propose(B, EngineCluster::make_proposal(3, 1));
  c.deliver_all();
  EXPECT_EQ(c.completions(B).back().code, errc::ok);
  EXPECT_EQ(c.completions(B).back().epoch, c.engine(B).status().epoch);
}

// A restarted member rejoins empty (manual), then the master dies: the eldest survivor is that
// unsynced member.
void make_unsynced_successor(EngineCluster& c, FakeCoordinator& coord) {
  c.propose(A, EngineCluster::make_proposal(1, 5));
  c.deliver_all();
  c.crash(B);
  c.restart(B);
  settle(c, &coord, 3);
  ASSERT_EQ(c.engine(A).status().members, (std::vector<NodeId>{A, B}));
  ASSERT_EQ(c.store(B).log_start(), Offset{5});
  c.propose(A, EngineCluster::make_proposal(2, 2));
  c.deliver_all();
  ASSERT_EQ(counter(c, B, "synced"), 0);
  c.crash(A);
  settle(c, &coord, 40);
}

TEST(GmFailure, PromoteAlwaysLosesTheUnsyncedHeadAndReportsIt) {
  auto f = factory_with({{"partition_handling", "ignore"}, {"view_change_timeout_ticks", "1000"}});
  EngineCluster c(*f, nodes(2), common_cfg(2));
  FakeCoordinator coord(c, nodes(2));
  make_unsynced_successor(c, coord);
  EXPECT_EQ(c.leader(), B);
  EXPECT_TRUE(has_event(c, B, Event::Kind::data_loss));
  EXPECT_EQ(counter(c, B, "data_loss_records"), 5);
  c.propose(B, EngineCluster::make_proposal(3, 1));
  EXPECT_EQ(c.completions(B).back().code, errc::ok);
}

TEST(GmFailure, PromoteWhenSyncedStaysUnavailable) {
  auto f = factory_with(
      {{"partition_handling", "ignore"}, {"view_change_timeout_ticks", "1000"}, {"promote_on_failure", "when-synced"}});
  EngineCluster c(*f, nodes(2), common_cfg(2));
  FakeCoordinator coord(c, nodes(2));
  make_unsynced_successor(c, coord);
  EXPECT_FALSE(has_event(c, B, Event::Kind::data_loss));
  EXPECT_TRUE(has_event(c, B, Event::Kind::blocked));
  c.propose(B, EngineCluster::make_proposal(3, 1));
  EXPECT_EQ(c.completions(B).back().code, errc::unavailable);
  settle(c, &coord, 20);
  c.propose(B, EngineCluster::make_proposal(4, 1));
  EXPECT_EQ(c.completions(B).back().code, errc::unavailable);
  EXPECT_GT(counter(c, B, "blocked_ticks"), 0);
}

TEST(GmPartition, PauseMinorityStopsTheMinorityMaster) {
  auto f = factory_with({});
  EngineCluster c(*f, nodes(3), common_cfg());
  FakeCoordinator coord(c, nodes(3));
  c.propose(A, EngineCluster::make_proposal(1, 2));
  c.deliver_all();
  c.isolate(A);
  coord.unreachable.insert(A);
  settle(c, &coord, 40);
  EXPECT_TRUE(has_event(c, A, Event::Kind::blocked));
  c.propose(A, EngineCluster::make_proposal(2, 1));
  EXPECT_EQ(c.completions(A).back().code, errc::unavailable);
  // The majority side got a view without A and serves.
  EXPECT_EQ(c.engine(B).status().members, (std::vector<NodeId>{B, C}));
  c.propose(B, EngineCluster::make_proposal(3, 1));
  c.deliver_all();
  EXPECT_EQ(c.completions(B).back().code, errc::ok);
  EXPECT_EQ(c.commit(C), Offset{3});
}

TEST(GmPartition, IgnoreLetsBothSidesElectAMaster) {
  auto f = factory_with({{"partition_handling", "ignore"}});
  EngineCluster c(*f, nodes(3), common_cfg());
  c.propose(A, EngineCluster::make_proposal(1, 2));
  c.deliver_all();
  c.isolate(A);
  settle(c, nullptr, 60);  // nobody reaches the coordinator: both sides form local views
  auto leaders = c.leaders();
  ASSERT_EQ(leaders.size(), 2u);                                      // split brain
  EXPECT_EQ(c.engine(A).status().epoch, c.engine(B).status().epoch);  // two masters, one view number
  c.propose(A, EngineCluster::make_proposal(2, 1));
  c.propose(B, EngineCluster::make_proposal(3, 1));
  c.deliver_all();
  EXPECT_EQ(c.completions(A).back().code, errc::ok);
  EXPECT_EQ(c.completions(B).back().code, errc::ok);
  // Both accepted offset 2: divergent histories the checker must flag.
  EXPECT_EQ(c.completions(A).back().base_offset, Offset{2});
  EXPECT_EQ(c.completions(B).back().base_offset, Offset{2});
  EXPECT_GT(counter(c, A, "local_views"), 0);
  EXPECT_GT(counter(c, B, "local_views"), 0);
}

}  // namespace
}  // namespace rb::gm::test
