// Every built mode runs the small workload end to end in the simulator: it elects, replicates,
// serves consumers, and its result verifies. Also checks the coordinator comes up for the modes
// that use one and that its traffic is counted apart from the data replicas'.
#include <gtest/gtest.h>

#include "harness/cli/modes.h"
#include "harness/run/run_command.h"
#include "replication/sim/sim_cluster.h"

namespace rb::harness {
namespace {

class ModesInSimulator : public ::testing::TestWithParam<std::string> {};

TEST_P(ModesInSimulator, SmallWorkloadIsServedAndVerifies) {
  auto f = make_mode(GetParam());
  if (!f.ok()) GTEST_SKIP() << f.error().message;
  RunOptions o;
  o.mode = GetParam();
  o.workload_inline = nlohmann::json{{"name", "t"},         {"partitionsPerTopic", 2},  {"messageSize", 256},
                                     {"producerRate", 500}, {"testDurationSeconds", 2}, {"warmupSeconds", 1}};
  o.out = ::testing::TempDir() + "/modes-" + GetParam() + ".json";
  o.write_history = false;
  auto r = execute_run(o);
  ASSERT_TRUE(r.ok()) << r.error().describe();
  const auto& s = (*r)["summary"];
  EXPECT_EQ(s["sent"].get<uint64_t>(), 1500u);
  EXPECT_EQ(s["acked"].get<uint64_t>(), 1500u);
  EXPECT_EQ(s["delivered"].get<uint64_t>(), 1500u);
  EXPECT_TRUE((*r)["verification"]["valid"].get<bool>()) << (*r)["verification"].dump();
}

INSTANTIATE_TEST_SUITE_P(AllModes, ModesInSimulator, ::testing::Values("masterslave", "raft", "isr", "gm"));

TEST(Coordinator, QuorumElectsAndElectsPartitionLeadersForIsr) {
  auto f = make_mode("isr");
  if (!f.ok()) GTEST_SKIP() << f.error().message;
  ReplicationConfig common;
  auto coord = coordination_for(**f, common, 3);
  ASSERT_TRUE(coord.ok()) << coord.error().describe();
  sim::SimClusterConfig sc;
  sc.nodes = 3;
  sc.partitions = 3;
  sc.common = common;
  sc.coordination = coord->first;
  sc.coordination.quorum_factory = coord->second.get();
  sim::SimCluster c(sc, **f);
  c.run_until(3'000'000'000);
  int leaders = 0;
  for (uint32_t n = 0; n < 3; ++n)
    if (c.coordinated(NodeId{n})->quorum_leader()) ++leaders;
  EXPECT_EQ(leaders, 1);
  for (uint32_t p = 0; p < 3; ++p) {
    auto l = c.leader_of(PartitionId{p});
    ASSERT_TRUE(l.has_value()) << "partition " << p << " has no leader";
    EXPECT_EQ(*l, c.replicas(PartitionId{p}).front()) << "the preferred replica leads when all are alive";
  }
  auto ctr = c.counters();
  EXPECT_GT(ctr.coordinator_messages, 0u);
}

}  // namespace
}  // namespace rb::harness
