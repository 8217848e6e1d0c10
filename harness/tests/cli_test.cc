// `replbench run` refuses bad input before anything runs: one clear error naming the problem.
#include <gtest/gtest.h>

#include "harness/cli/commands.h"
#include "harness/run/run_command.h"

namespace rb::harness {
namespace {

Result<nlohmann::json> run_with(const std::string& mode, std::vector<std::string> sets,
                                std::vector<std::string> faults = {}) {
  RunOptions o;
  o.mode = mode;
  o.sets = std::move(sets);
  o.faults = std::move(faults);
  o.workload_inline = nlohmann::json{{"producerRate", 100}, {"testDurationSeconds", 1}};
  o.out = ::testing::TempDir() + "/cli-test.json";
  o.write_history = false;
  return execute_run(o);
}

TEST(RunFlags, UnknownFlagIsNamed) {
  auto r = parse_run_options({"--mode", "raft", "--turbo"});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("--turbo"), std::string::npos);
}

TEST(RunFlags, MissingModeIsAnError) {
  auto r = parse_run_options({"--seed", "3"});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("--mode"), std::string::npos);
}

TEST(RunFlags, BadSeedAndRuntimeAreRefused) {
  EXPECT_FALSE(parse_run_options({"--mode", "raft", "--seed", "-4"}).ok());
  EXPECT_FALSE(parse_run_options({"--mode", "raft", "--seed", "12x"}).ok());
  EXPECT_FALSE(parse_run_options({"--mode", "raft", "--runtime", "cloud"}).ok());
  EXPECT_FALSE(parse_run_options({"--mode", "raft", "--set", "novalue"}).ok());
}

TEST(RunFlags, UnknownModeListsTheValidOnes) {
  auto r = run_with("paxos", {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.code(), errc::invalid_config);
  EXPECT_NE(r.error().message.find("raft"), std::string::npos);
}

TEST(RunConfig, ZeroReplicasIsImpossible) {
  auto r = run_with("raft", {"replicas=0"});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("replicas"), std::string::npos);
}

TEST(RunConfig, NegativeRateIsImpossible) {
  auto r = run_with("raft", {"producerRate=-5"});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("producerRate"), std::string::npos);
}

TEST(RunConfig, AcksAllWithAnAsyncSlaveIsImpossible) {
  auto r = run_with("masterslave", {"replication=async", "acks=all"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.code(), errc::invalid_config);
  EXPECT_NE(r.error().message.find("async"), std::string::npos);
}

TEST(RunConfig, UnknownSettingSuggestsAWorkloadKey) {
  auto r = run_with("raft", {"replicaz=3"});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("replicaz"), std::string::npos);
  EXPECT_NE(r.error().message.find("replicas"), std::string::npos);
}

TEST(RunConfig, MalformedFaultIsNamed) {
  auto r = run_with("raft", {}, {"explode:leader@1s"});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("explode"), std::string::npos);
}

TEST(RunConfig, EngineKnobReachesTheEngineAndIsPrintedBack) {
  auto r = run_with("raft", {"election_ticks=200"});
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ((*r)["config"]["engine"]["election_ticks"], "200");
}

TEST(Cli, UnknownCommandAndMissingFileExitWithTwo) {
  EXPECT_EQ(commands().count("frobnicate"), 0u);
  EXPECT_EQ(commands().at("check")({"/nonexistent/history.jsonl"}), 2);
  EXPECT_EQ(commands().at("run")({"--mode", "raft", "--workload", "/nonexistent/w.json"}), 2);
}

TEST(Cli, CalibrateRefusesUnknownFlagsAndModesBeforeMeasuring) {
  // Both are refused while parsing, before any disk, network or node is touched.
  EXPECT_EQ(commands().at("calibrate")({"--turbo"}), 2);
  EXPECT_EQ(commands().at("calibrate")({"--modes", "raft,paxos"}), 2);
  EXPECT_EQ(commands().at("calibrate")({"--modes", ""}), 2);
  for (const char* bad : {"0", "-5", "ten", "", "100001", "12x"})
    EXPECT_EQ(commands().at("calibrate")({"--in-flight", bad}), 2) << bad;
}

}  // namespace
}  // namespace rb::harness
