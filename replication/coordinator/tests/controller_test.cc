// Tests of the active controller's heartbeat and election logic.
#include "replication/coordinator/controller.h"

#include <gtest/gtest.h>

namespace rb::coordinator {
namespace {

const NodeId n0{0}, n1{1};
const PartitionId p0{0};

void apply_all(CoordinatorState& st, const std::vector<Command>& cmds) {
  for (const auto& c : cmds) ASSERT_TRUE(st.apply(c).status.ok()) << describe(c);
}

TEST(Controller, UnfencesOnHeartbeatAndFencesWhenTheSessionExpires) {
  CoordinatorState st;
  ASSERT_TRUE(st.apply(RegisterBroker{n0, 5}).status.ok());
  Controller ctl(ControllerConfig{.session_timeout_ticks = 10, .retry_ticks = 3}, &st);
  EXPECT_TRUE(ctl.on_heartbeat(n0, 4, 0).empty());  // stale incarnation
  auto cmds = ctl.on_heartbeat(n0, 5, 0);
  ASSERT_EQ(cmds.size(), 1u);
  EXPECT_EQ(cmds[0], (Command{UnfenceBroker{n0, 5}}));
  EXPECT_TRUE(ctl.on_heartbeat(n0, 5, 1).empty());  // already proposed, not yet applied
  apply_all(st, cmds);
  std::vector<Command> fence;
  int at = 0;
  for (int t = 0; t < 20 && fence.empty(); ++t) {
    fence = ctl.tick();
    at = static_cast<int>(ctl.now());
  }
  ASSERT_EQ(fence.size(), 1u);
  EXPECT_EQ(fence[0], (Command{FenceBroker{n0}}));
  EXPECT_EQ(at, 12);                // last heartbeat at 1, expired when more than 10 ticks passed
  EXPECT_TRUE(ctl.tick().empty());  // not proposed twice within retry_ticks
}

TEST(Controller, HeartbeatsKeepTheSessionAlive) {
  CoordinatorState st;
  ASSERT_TRUE(st.apply(RegisterBroker{n0, 1}).status.ok());
  ASSERT_TRUE(st.apply(UnfenceBroker{n0, 1}).status.ok());
  Controller ctl(ControllerConfig{.session_timeout_ticks = 10}, &st);
  for (int t = 0; t < 100; ++t) {
    if (t % 5 == 0) {
      EXPECT_TRUE(ctl.on_heartbeat(n0, 1, ctl.now()).empty());
    }
    EXPECT_TRUE(ctl.tick().empty());
  }
}

TEST(Controller, ProposesElectionsForLeaderlessPartitions) {
  CoordinatorState st(CoordinatorConfig{.unclean_leader_election = true});
  apply_all(st, {RegisterBroker{n0, 1}, UnfenceBroker{n0, 1}, RegisterBroker{n1, 1}, CreatePartition{p0, {n0, n1}},
                 FenceBroker{n0}});
  // n1 was fenced at creation, so the ISR is {n0} and nobody leads.
  ASSERT_EQ(st.partition(p0)->leader, kNoNode);
  Controller ctl(ControllerConfig{.election_interval_ticks = 5}, &st);
  std::vector<Command> cmds;
  for (int t = 0; t < 10; ++t) {
    auto c = ctl.tick();
    cmds.insert(cmds.end(), c.begin(), c.end());
  }
  EXPECT_TRUE(cmds.empty());  // no live replica: nothing to elect
  // n1 is back; its unfence elects it uncleanly at once (Kafka handleBrokerUnfenced).
  apply_all(st, ctl.on_heartbeat(n1, 1, ctl.now()));
  EXPECT_EQ(st.partition(p0)->leader, n1);
}

}  // namespace
}  // namespace rb::coordinator
