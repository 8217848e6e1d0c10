// The Nemesis against a FakeCluster: target resolution at fault time, the calls each kind makes,
// link faults that compose and heal exactly, heal_all, records and their JSON.
#include "harness/nemesis/nemesis.h"

#include <gtest/gtest.h>

#include "harness/nemesis/tests/fake_cluster.h"

namespace rb::nemesis {
namespace {

using testing::FakeCluster;
constexpr int64_t kS = 1'000'000'000;

std::vector<FaultSpec> specs(std::initializer_list<const char*> texts) {
  std::vector<FaultSpec> out;
  for (const char* t : texts) {
    auto f = parse_fault_string(t);
    EXPECT_TRUE(f.ok()) << t;
    if (f.ok()) out.push_back(*f);
  }
  return out;
}

TEST(Nemesis, LeaderIsResolvedWhenTheFaultStarts) {
  FakeCluster c(3);
  Nemesis nem(c, specs({"kill:leader@2s-4s"}), 7);
  nem.start(0);
  c.leader = NodeId{2};  // changes after start, before the fault
  c.run_until(2 * kS);
  EXPECT_EQ(c.calls, std::vector<std::string>{"kill 2"});
  EXPECT_FALSE(c.is_up(NodeId{2}));
  EXPECT_EQ(nem.records()[0].status, FaultStatus::active);
  c.run_until(4 * kS);
  EXPECT_EQ(c.calls.back(), "restart 2");
  EXPECT_TRUE(c.is_up(NodeId{2}));
  EXPECT_EQ(nem.records()[0].status, FaultStatus::healed);
  EXPECT_EQ(nem.records()[0].start_ns, 2 * kS);
  EXPECT_EQ(nem.records()[0].end_ns, 4 * kS);
}

TEST(Nemesis, TimesAreRelativeToT0) {
  FakeCluster c(3);
  Nemesis nem(c, specs({"pause:node=1@1s-2s"}), 1);
  nem.start(10 * kS);
  c.run_until(10 * kS);
  EXPECT_TRUE(c.calls.empty());
  c.run_until(11 * kS);
  EXPECT_TRUE(c.paused(NodeId{1}));
  c.run_until(12 * kS);
  EXPECT_FALSE(c.paused(NodeId{1}));
}

TEST(Nemesis, NoLeaderMeansSkippedWithAReason) {
  FakeCluster c(3);
  c.leader.reset();
  Nemesis nem(c, specs({"kill:leader@1s-2s"}), 1);
  nem.start(0);
  c.run_until(3 * kS);
  EXPECT_TRUE(c.calls.empty());
  EXPECT_EQ(nem.records()[0].status, FaultStatus::skipped);
  EXPECT_NE(nem.records()[0].error.find("no leader of partition 0"), std::string::npos);
}

TEST(Nemesis, FollowerMinorityMajorityComeFromTheFocusReplicas) {
  for (uint64_t seed = 1; seed <= 30; ++seed) {
    SCOPED_TRACE("seed=" + std::to_string(seed));
    FakeCluster c(7, 5);  // replicas 0..4 of 7 nodes
    c.leader = NodeId{3};
    Nemesis nem(c, specs({"pause:follower@1s", "kill:minority@1s", "slow-disk:majority:x2@1s"}), seed);
    nem.start(0);
    c.run_until(1 * kS);
    const auto& r = nem.records();
    ASSERT_EQ(r[0].targets.size(), 1u);
    EXPECT_NE(r[0].targets[0], NodeId{3});
    EXPECT_LT(r[0].targets[0].value(), 5u);
    EXPECT_EQ(r[1].targets.size(), 2u);
    EXPECT_EQ(r[2].targets.size(), 3u);
    for (size_t i : {1, 2})
      for (NodeId n : r[i].targets) EXPECT_LT(n.value(), 5u);
    EXPECT_EQ(c.disk.size(), 3u);
  }
}

TEST(Nemesis, SameSeedSameChoicesAcrossRuns) {
  auto targets = [](uint64_t seed) {
    FakeCluster c(5);
    Nemesis nem(c, specs({"kill:minority@1s", "partition:halves@1s"}), seed);
    nem.start(0);
    c.run_until(kS);
    return std::make_pair(nem.records()[0].targets, nem.records()[1].cuts);
  };
  EXPECT_EQ(targets(42), targets(42));
  bool differs = false;
  for (uint64_t s = 1; s < 20 && !differs; ++s) differs = targets(s) != targets(42);
  EXPECT_TRUE(differs);
}

TEST(Nemesis, PartitionCutsAndHealRestoresEveryLink) {
  FakeCluster c(5);
  c.leader = NodeId{1};
  Nemesis nem(c, specs({"isolate:leader@1s-3s", "asymmetric:leader-out@1s-3s", "bridge@1s-3s"}), 9);
  nem.start(0);
  c.run_until(kS);
  EXPECT_EQ(nem.records()[0].cuts, isolate_cuts({NodeId{1}}, c.nodes()));
  EXPECT_EQ(nem.records()[1].cuts.size(), 4u);
  for (const auto& [a, b] : nem.records()[2].cuts) EXPECT_TRUE(c.links.at({a.value(), b.value()}).cut);
  for (const auto& [a, b] : nem.records()[0].cuts) EXPECT_TRUE(c.links.at({a.value(), b.value()}).cut);
  c.run_until(3 * kS);
  EXPECT_TRUE(c.links.empty());
  EXPECT_EQ(std::count(c.calls.begin(), c.calls.end(), "heal_links"), 0) << "heals only its own links";
}

TEST(Nemesis, OverlappingLinkFaultsCompose) {
  FakeCluster c(3);
  c.leader = NodeId{0};
  Nemesis nem(
      c, specs({"slow-link:leader:50ms@1s-4s", "isolate:node=0@2s-3s", "loss:0.5@1s-4s", "loss:node=0:0.5@1s-4s"}), 1);
  nem.start(0);
  c.run_until(kS);
  auto l = c.links.at({0, 1});
  EXPECT_EQ(l.delay_ns, 50'000'000);
  EXPECT_DOUBLE_EQ(l.loss, 0.75);
  EXPECT_FALSE(l.cut);
  EXPECT_DOUBLE_EQ(c.links.at({1, 2}).loss, 0.5);
  EXPECT_EQ(c.links.at({1, 2}).delay_ns, 0);
  c.run_until(2 * kS);
  EXPECT_TRUE(c.links.at({0, 1}).cut);
  c.run_until(3 * kS);  // the isolation heals; the slow link and the loss stay
  EXPECT_FALSE(c.links.at({0, 1}).cut);
  EXPECT_EQ(c.links.at({0, 1}).delay_ns, 50'000'000);
  c.run_until(4 * kS);
  EXPECT_TRUE(c.links.empty());
}

TEST(Nemesis, ClientLinksOnlyWhenAsked) {
  FakeCluster c(3);
  Nemesis nem(c, specs({"isolate:node=1:clients@1s", "slow-link:node=2:10ms@1s"}), 1);
  nem.start(0);
  c.run_until(kS);
  EXPECT_TRUE(c.links.at({1, kClientEndpoint.value()}).cut);
  EXPECT_TRUE(c.links.at({kClientEndpoint.value(), 1}).cut);
  EXPECT_FALSE(c.links.count({2, kClientEndpoint.value()}));
  auto j = nem.to_json();
  bool named = false;
  for (const auto& cut : j[0]["cuts"]) named |= cut[0] == "clients" || cut[1] == "clients";
  EXPECT_TRUE(named);
}

TEST(Nemesis, MembershipUsesAdminOnTheLeaderAndRecordsErrors) {
  FakeCluster c(5, 3);
  c.leader = NodeId{1};
  Nemesis nem(c, specs({"add-node@1s-2s", "transfer-leader:node=2@3s", "remove-node:0@4s"}), 3);
  nem.start(0);
  c.run_until(kS);
  ASSERT_EQ(nem.records()[0].targets.size(), 1u);
  NodeId spare = nem.records()[0].targets[0];
  EXPECT_GE(spare.value(), 3u);
  EXPECT_EQ(c.calls.back(), "admin 1 p0 add_replica " + to_string(spare));
  c.run_until(2 * kS);
  EXPECT_EQ(c.calls.back(), "admin 1 p0 remove_replica " + to_string(spare));
  c.run_until(3 * kS);
  EXPECT_EQ(c.calls.back(), "admin 1 p0 transfer_leader 2");
  EXPECT_EQ(nem.records()[1].status, FaultStatus::done);
  c.admin_result = make_error(errc::unsupported, "no membership change in this mode");
  c.run_until(4 * kS);
  EXPECT_EQ(nem.records()[2].status, FaultStatus::error);
  EXPECT_NE(nem.records()[2].error.find("unsupported"), std::string::npos);
  EXPECT_NE(nem.to_json()[2]["error"].get<std::string>().find("remove_replica 0"), std::string::npos);
}

TEST(Nemesis, HealAllRestoresEverythingAndCancelsTheRest) {
  FakeCluster c(5);
  c.leader = NodeId{0};
  Nemesis nem(c,
              specs({"kill:node=1@1s", "pause:node=2@1s", "slow-disk:node=3:x5@1s", "partition:halves@1s",
                     "kill:node=4@1s-9s", "kill:node=0@8s"}),
              5);
  nem.start(0);
  c.run_until(2 * kS);
  EXPECT_FALSE(c.is_up(NodeId{1}));
  EXPECT_TRUE(c.paused(NodeId{2}));
  EXPECT_FALSE(c.links.empty());
  nem.heal_all();
  for (uint32_t n = 0; n < 5; ++n) {
    EXPECT_TRUE(c.is_up(NodeId{n})) << n;
    EXPECT_FALSE(c.paused(NodeId{n})) << n;
  }
  EXPECT_TRUE(c.links.empty());
  EXPECT_TRUE(c.disk.empty());
  c.run_until(20 * kS);  // the cancelled kill and the scheduled heal do nothing
  EXPECT_TRUE(c.is_up(NodeId{0}));
  const auto& r = nem.records();
  for (size_t i = 0; i < 5; ++i) EXPECT_EQ(r[i].status, FaultStatus::healed_final) << i;
  EXPECT_EQ(r[5].status, FaultStatus::not_started);
  EXPECT_EQ(r[4].end_ns, 2 * kS);
  auto j = nem.to_json();
  ASSERT_EQ(j.size(), 6u);
  EXPECT_EQ(j[0]["spec"], "kill:node=1@1s");
  EXPECT_EQ(j[0]["targets"], nlohmann::json::array({1}));
  EXPECT_EQ(j[5]["status"], "not_started");
  EXPECT_TRUE(j[0]["heal_s"].is_null());
  EXPECT_EQ(j[4]["heal_s"], 9.0);
}

TEST(Nemesis, DestroyedNemesisLeavesQueuedCallbacksHarmless) {
  FakeCluster c(3);
  {
    Nemesis nem(c, specs({"kill:node=1@1s"}), 1);
    nem.start(0);
  }
  c.run_until(2 * kS);
  EXPECT_TRUE(c.calls.empty());
}

TEST(Nemesis, RestartKilledAndPowerLoss) {
  FakeCluster c(3);
  Nemesis nem(c, specs({"kill:majority:power@1s", "restart@2s"}), 2);
  nem.start(0);
  c.run_until(kS);
  EXPECT_EQ(c.calls.size(), 2u);
  EXPECT_NE(c.calls[0].find(" power"), std::string::npos);
  c.run_until(2 * kS);
  EXPECT_EQ(nem.records()[1].targets, nem.records()[0].targets);
  for (NodeId n : c.nodes()) EXPECT_TRUE(c.is_up(n));
  EXPECT_EQ(nem.records()[1].status, FaultStatus::done);
}

TEST(Nemesis, TwoRemovalsOfAFollowerPickTwoNodes) {
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    SCOPED_TRACE("seed=" + std::to_string(seed));
    FakeCluster c(5);
    c.leader = NodeId{0};
    Nemesis nem(c, specs({"remove-node:follower@1s", "remove-node:follower@2s", "add-node@3s", "add-node@3s"}), seed);
    nem.start(0);
    c.run_until(3 * kS);
    ASSERT_EQ(nem.records()[1].targets.size(), 1u);
    EXPECT_NE(nem.records()[0].targets, nem.records()[1].targets);
    EXPECT_NE(nem.records()[0].targets[0], NodeId{0}) << "never the leader";
    EXPECT_EQ(nem.records()[2].status, FaultStatus::skipped) << "5 replicas of 5 nodes: no spare";
  }
}

}  // namespace
}  // namespace rb::nemesis
