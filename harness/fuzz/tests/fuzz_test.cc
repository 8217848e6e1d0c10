// Seeded fuzzing: a seed always draws the same case; the bounded run executes a few seeds of every
// mode built into this binary in the simulator and requires each verification to be valid (a
// configuration that permits loss reports it as expected_loss and stays valid).
#include "harness/fuzz/fuzz.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "harness/cli/modes.h"
#include "harness/nemesis/fault_spec.h"
#include "harness/workload/workload.h"

namespace rb::fuzz {
namespace {

#ifndef RB_FUZZ_SEEDS_PER_MODE
#define RB_FUZZ_SEEDS_PER_MODE 200
#endif

TEST(FuzzCase, SameSeedSameCaseAndEveryCaseIsValid) {
  for (uint64_t seed = 1; seed <= 300; ++seed) {
    SCOPED_TRACE("seed=" + std::to_string(seed));
    FuzzCase a = draw_case("raft", seed), b = draw_case("raft", seed);
    EXPECT_EQ(a.workload, b.workload);
    EXPECT_EQ(a.faults, b.faults);
    auto w = workload::workload_from_json(a.workload);
    ASSERT_TRUE(w.ok()) << w.error().message;
    EXPECT_GE(w->node_count(), w->replicas);
    for (const auto& f : a.faults) {
      auto spec = nemesis::parse_fault_json(f);
      ASSERT_TRUE(spec.ok()) << f.dump() << ": " << spec.error().message;
      EXPECT_LT(spec->start_s, w->test_duration_seconds);  // times count from the measured phase
    }
    auto specs = nemesis::parse_faults(a.faults, {}, {});
    ASSERT_TRUE(specs.ok());
    EXPECT_TRUE(nemesis::check_faults(*specs, w->node_count(), w->partition_count()).ok());
  }
  EXPECT_NE(draw_case("raft", 1).workload, draw_case("raft", 2).workload);
}

TEST(FuzzCase, DrawsEveryFaultKind) {
  std::set<std::string> kinds;
  for (uint64_t seed = 1; seed <= 300; ++seed)
    for (const auto& f : draw_case("gm", seed).faults)
      kinds.insert(f["kind"].get<std::string>() + f.value("shape", ""));
  for (const char* k :
       {"kill", "pause", "partitionhalves", "partitionisolate", "partitionasymmetric", "partitionbridge",
        "partitionmajorities-ring", "slow-link", "loss", "slow-disk", "transfer-leader", "add-node", "remove-node"})
    EXPECT_TRUE(kinds.count(k)) << k;
}

TEST(FuzzRun, FailingSeedNamesTheReplayCommand) {
  FuzzOptions opts;
  opts.out_dir = ::testing::TempDir();
  opts.runner = [](const harness::RunOptions& o) -> Result<nlohmann::json> {
    EXPECT_TRUE(o.workload_inline.has_value());
    EXPECT_FALSE(o.write_history);
    if (o.seed == 3) return nlohmann::json{{"verification", {{"valid", false}, {"lost", 4}, {"duplicated", 0}}}};
    if (o.seed == 4) return make_error(errc::invalid_config, "bad");
    return nlohmann::json{{"verification", {{"valid", true}, {"expected_loss", 2}}}};
  };
  std::vector<std::string> lines;
  FuzzSummary s = run_fuzz(
      "isr", 1, 5, opts, [&](const std::string& l) { lines.push_back(l); }, 5);
  EXPECT_EQ(s.seeds, 5u);
  EXPECT_EQ(s.passed, 3u);
  ASSERT_EQ(s.failures.size(), 2u);
  EXPECT_EQ(s.failures[0].reason, "lost=4");
  EXPECT_EQ(s.failures[0].replay, "replbench fuzz --mode isr --seed 3");
  EXPECT_NE(s.failures[1].reason.find("run error"), std::string::npos);
  bool printed = false;
  for (const auto& l : lines) printed |= l.find("replay: replbench fuzz --mode isr --seed 3") != std::string::npos;
  EXPECT_TRUE(printed);
  EXPECT_NE(lines.back().find("seeds/s"), std::string::npos);
}

// The bounded run, one test per mode (so ctest can run them side by side): RB_FUZZ_SEEDS seeds
// (environment; default RB_FUZZ_SEEDS_PER_MODE) of the mode, in the real simulator. A mode not
// built into this binary is skipped with a message.
class FuzzBounded : public ::testing::TestWithParam<std::string> {};

TEST_P(FuzzBounded, EverySeedVerifies) {
  const std::string mode = GetParam();
  if (!harness::make_mode(mode).ok()) GTEST_SKIP() << "mode " << mode << " is not built in";
  uint64_t seeds = RB_FUZZ_SEEDS_PER_MODE;
  if (const char* env = std::getenv("RB_FUZZ_SEEDS")) seeds = std::strtoull(env, nullptr, 10);
  FuzzOptions opts;
  opts.out_dir = ::testing::TempDir() + "/fuzz_bounded";
  FuzzSummary s = run_fuzz(mode, 1, seeds, opts, nullptr);
  std::printf("fuzz_test: %s %llu seeds, %.2f seeds/s\n", mode.c_str(), static_cast<unsigned long long>(s.seeds),
              s.seeds_per_second);
  for (const auto& f : s.failures)
    ADD_FAILURE() << "seed " << f.fuzz_case.seed << " mode " << mode << ": " << f.reason
                  << "\n  case: " << f.fuzz_case.describe() << "\n  replay: " << f.replay
                  << "\n  result: " << f.result_file;
}

INSTANTIATE_TEST_SUITE_P(Modes, FuzzBounded, ::testing::ValuesIn(harness::all_modes()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace rb::fuzz
