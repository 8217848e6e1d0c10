// Claims: each verdict follows from the runs present; suite tags pick the runs; nothing is guessed.
#include "harness/report/claims.h"

#include <gtest/gtest.h>

#include "harness/report/tests/synthetic_result.h"

namespace rb::report {
namespace {

using testing::Synth;

Run run_of(const Synth& s) {
  auto r = make_run("x.json", testing::synthetic_result(s));
  EXPECT_TRUE(r.ok());
  return std::move(r.value());
}

const ClaimResult& claim(const std::vector<ClaimResult>& all, int n) { return all.at(static_cast<size_t>(n - 1)); }

nlohmann::json kill_leader() {
  return nlohmann::json::array({{{"spec", "kill:leader"}, {"kind", "kill"}, {"start_s", 1.0}, {"end_s", 2.0}}});
}

TEST(Claims, AllSevenListedAndNotMeasuredWithoutRelevantRuns) {
  auto c = evaluate_claims({run_of({.mode = "raft"})});
  ASSERT_EQ(c.size(), 7u);
  for (const auto& x : c) {
    EXPECT_FALSE(x.claim.empty());
    EXPECT_FALSE(x.measurement.empty());
  }
  EXPECT_EQ(claim(c, 1).verdict, Verdict::not_measured);
  EXPECT_EQ(claim(c, 3).verdict, Verdict::not_measured);
  EXPECT_FALSE(claim(c, 3).chart.has_value());
}

TEST(Claims, GmLatencyGrowingWithRingSizeHolds) {
  auto c = evaluate_claims({run_of({.mode = "gm", .replicas = 3, .p50_ms = 1}),
                            run_of({.mode = "gm", .replicas = 5, .p50_ms = 1.6}),
                            run_of({.mode = "gm", .replicas = 7, .p50_ms = 2.3})});
  EXPECT_EQ(claim(c, 3).verdict, Verdict::held) << claim(c, 3).explanation;
  ASSERT_TRUE(claim(c, 3).chart.has_value());
  EXPECT_EQ(claim(c, 3).chart->series[0].points.size(), 3u);
  auto flat = evaluate_claims(
      {run_of({.mode = "gm", .replicas = 3, .p50_ms = 2}), run_of({.mode = "gm", .replicas = 5, .p50_ms = 1})});
  EXPECT_EQ(claim(flat, 3).verdict, Verdict::did_not_hold);
}

TEST(Claims, SuiteTagsChooseTheRuns) {
  Synth tagged{.mode = "gm", .replicas = 3, .p50_ms = 1, .suite = {{"suite", "seed-claims"}, {"claim", "3"}}};
  Synth tagged5 = tagged;
  tagged5.replicas = 5;
  tagged5.p50_ms = 2;
  // An untagged run that would break monotonicity must be ignored once tags exist.
  auto c = evaluate_claims({run_of(tagged), run_of(tagged5), run_of({.mode = "gm", .replicas = 7, .p50_ms = 0.1})});
  EXPECT_EQ(claim(c, 3).verdict, Verdict::held) << claim(c, 3).explanation;
  EXPECT_EQ(claim(c, 3).source, "suite cells for this claim");
}

TEST(Claims, SuiteIndexBesideTheResultsTagsRunsWithTheirClaim) {
  auto dir = testing::fresh_dir("suite");
  testing::write_json(dir / "claim3-ring-gm-3.json", testing::synthetic_result({.mode = "gm"}));
  testing::write_json(dir / "other.json", testing::synthetic_result({.mode = "raft"}));
  testing::write_json(dir / "index.json",
                      {{"schema", "replbench-suite-index/1"},
                       {"suite", "seed-claims"},
                       {"cells", {{{"group", "claim3-ring"}, {"result_file", "claim3-ring-gm-3.json"}}}}});
  std::vector<std::string> warnings;
  auto runs = load_runs({dir.string()}, warnings);
  ASSERT_TRUE(runs.ok()) << runs.error().message;
  EXPECT_TRUE(warnings.empty());  // the index is expected, not a stray file
  ASSERT_EQ(runs->size(), 2u);
  for (const auto& r : *runs) {
    if (r.mode == "gm")
      EXPECT_EQ(claims_of(r), std::vector<int>{3});
    else
      EXPECT_TRUE(claims_of(r).empty());
  }
}

TEST(Claims, AckedLossOnlyWhereSettingsPermitIt) {
  Synth raft{.mode = "raft", .faults = kill_leader()};
  Synth isr1{.mode = "isr", .acks = "leader", .expected_loss = 12, .loss_why = "acks=leader", .faults = kill_leader()};
  auto c = evaluate_claims({run_of(raft), run_of(isr1)});
  EXPECT_EQ(claim(c, 6).verdict, Verdict::held) << claim(c, 6).explanation;
  Synth raft_lost = raft;
  raft_lost.lost = 3;
  auto bad = evaluate_claims({run_of(raft_lost), run_of(isr1)});
  EXPECT_EQ(claim(bad, 6).verdict, Verdict::did_not_hold);
}

TEST(Claims, ThroughputAtTheOfferedRateIsInconclusive) {
  auto c = evaluate_claims({run_of({.mode = "raft", .rate = 5000}), run_of({.mode = "gm", .rate = 5000})});
  EXPECT_EQ(claim(c, 4).verdict, Verdict::inconclusive);
  auto max = evaluate_claims(
      {run_of({.mode = "raft", .rate = 90000, .offered = 0}), run_of({.mode = "gm", .rate = 20000, .offered = 0})});
  EXPECT_EQ(claim(max, 4).verdict, Verdict::held) << claim(max, 4).explanation;
  // A fixed-rate run says nothing about the ceiling once max-rate runs exist; 2x is not "several".
  auto twice =
      evaluate_claims({run_of({.mode = "raft", .rate = 40000, .offered = 0}),
                       run_of({.mode = "gm", .rate = 20000, .offered = 0}), run_of({.mode = "isr", .rate = 5000})});
  EXPECT_EQ(claim(twice, 4).verdict, Verdict::partly_held);
  ASSERT_TRUE(claim(twice, 4).chart.has_value());
  EXPECT_EQ(claim(twice, 4).chart->categories.size(), 2u);
}

TEST(Claims, SlowFollowerHurtsIsrMoreThanRaft) {
  nlohmann::json slow = nlohmann::json::array({{{"spec", "slow-link:follower"}, {"kind", "slow_link"}}});
  auto c =
      evaluate_claims({run_of({.mode = "raft", .p50_ms = 1}), run_of({.mode = "raft", .p50_ms = 1.1, .faults = slow}),
                       run_of({.mode = "isr", .p50_ms = 1}), run_of({.mode = "isr", .p50_ms = 9, .faults = slow})});
  EXPECT_EQ(claim(c, 1).verdict, Verdict::held) << claim(c, 1).explanation;
}

TEST(Claims, BatchingTradesLatencyForThroughput) {
  auto c = evaluate_claims({run_of({.mode = "raft", .rate = 10000, .p50_ms = 1, .batch_entries = 1}),
                            run_of({.mode = "raft", .rate = 40000, .p50_ms = 3, .batch_entries = 512, .linger = 2})});
  EXPECT_EQ(claim(c, 7).verdict, Verdict::held) << claim(c, 7).explanation;
}

}  // namespace
}  // namespace rb::report
