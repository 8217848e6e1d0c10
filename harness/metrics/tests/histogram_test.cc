#include "harness/metrics/histogram.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "replication/core/prng.h"

namespace rb::metrics {
namespace {

const std::vector<double> kPercentiles = {0, 0.1, 1, 10, 25, 50, 57, 75, 90, 95, 99, 99.9, 99.99, 99.999, 100};

// Exact nearest-rank percentile of sorted samples.
int64_t exact_percentile(const std::vector<int64_t>& sorted, double p) {
  int64_t rank = LogLinearHistogram::rank_for_percentile(p, static_cast<int64_t>(sorted.size()));
  return sorted[static_cast<size_t>(rank - 1)];
}

void expect_close_to_exact(const LogLinearHistogram& h, std::vector<int64_t> samples) {
  std::sort(samples.begin(), samples.end());
  for (double p : kPercentiles) {
    const int64_t exact = exact_percentile(samples, p);
    const int64_t got = h.percentile(p);
    SCOPED_TRACE("p=" + std::to_string(p) + " exact=" + std::to_string(exact) + " got=" + std::to_string(got));
    EXPECT_GE(got, exact);
    EXPECT_LE(static_cast<double>(got - exact), 0.001 * static_cast<double>(std::max<int64_t>(exact, 1)));
  }
}

TEST(Histogram, RankForPercentileIsNearestRank) {
  EXPECT_EQ(LogLinearHistogram::rank_for_percentile(50, 10), 5);
  EXPECT_EQ(LogLinearHistogram::rank_for_percentile(51, 10), 6);
  EXPECT_EQ(LogLinearHistogram::rank_for_percentile(0, 10), 1);
  EXPECT_EQ(LogLinearHistogram::rank_for_percentile(100, 10), 10);
  EXPECT_EQ(LogLinearHistogram::rank_for_percentile(57, 100), 57);  // 0.57*100 is not exactly 57
  EXPECT_EQ(LogLinearHistogram::rank_for_percentile(99.9, 1000), 999);
  EXPECT_EQ(LogLinearHistogram::rank_for_percentile(150, 10), 10);
  EXPECT_EQ(LogLinearHistogram::rank_for_percentile(-3, 10), 1);
}

TEST(Histogram, SmallValuesAreExact) {
  LogLinearHistogram h;
  for (int64_t v = 0; v < 2048; ++v) h.record(v);
  for (int64_t v = 0; v < 2048; ++v) {
    EXPECT_EQ(h.lowest_equivalent(v), v);
    EXPECT_EQ(h.highest_equivalent(v), v);
  }
  EXPECT_EQ(h.percentile(50), 1023);
  EXPECT_EQ(h.min(), 0);
  EXPECT_EQ(h.max(), 2047);
}

TEST(Histogram, BucketBoundariesDoubleResolution) {
  LogLinearHistogram h;
  EXPECT_EQ(h.lowest_equivalent(2048), 2048);
  EXPECT_EQ(h.highest_equivalent(2048), 2049);
  EXPECT_EQ(h.lowest_equivalent(2049), 2048);
  EXPECT_EQ(h.lowest_equivalent(4095), 4094);
  EXPECT_EQ(h.highest_equivalent(4096), 4099);
  // Relative width stays below 0.1% everywhere in range.
  for (int64_t v = 2048; v < 3'600'000'000'000; v = v * 3 + 7) {
    const int64_t w = h.highest_equivalent(v) - h.lowest_equivalent(v) + 1;
    EXPECT_LE(static_cast<double>(w), 0.001 * static_cast<double>(h.lowest_equivalent(v))) << v;
  }
}

TEST(Histogram, PercentilesWithinPointOnePercentOfExact) {
  for (uint64_t seed : {1u, 2u, 3u, 4u}) {
    SCOPED_TRACE("seed=" + std::to_string(seed));
    Prng rng(seed);
    LogLinearHistogram h;
    std::vector<int64_t> samples;
    for (int i = 0; i < 50'000; ++i) {
      // Log-uniform between 1 ns and ~100 s, so every bucket size is exercised.
      const double e = rng.unit() * 11.0;
      const auto v = static_cast<int64_t>(std::pow(10.0, e));
      samples.push_back(v);
      h.record(v);
    }
    EXPECT_EQ(h.count(), 50'000);
    EXPECT_EQ(h.min(), *std::min_element(samples.begin(), samples.end()));
    EXPECT_EQ(h.max(), *std::max_element(samples.begin(), samples.end()));
    expect_close_to_exact(h, samples);
  }
}

TEST(Histogram, MeanIsExact) {
  LogLinearHistogram h;
  h.record(1'000'001);
  h.record(3'000'003);
  h.record(5, 2);
  EXPECT_DOUBLE_EQ(h.mean(), (1'000'001.0 + 3'000'003.0 + 10.0) / 4.0);
}

TEST(Histogram, RecordWithCountEqualsRepeatedRecord) {
  LogLinearHistogram a, b;
  a.record(123'456, 1000);
  for (int i = 0; i < 1000; ++i) b.record(123'456);
  EXPECT_EQ(a.to_json(), b.to_json());
}

TEST(Histogram, MergeEqualsRecordingAll) {
  Prng rng(7);
  LogLinearHistogram a, b, all;
  std::vector<int64_t> samples;
  for (int i = 0; i < 20'000; ++i) {
    const int64_t v = rng.between(1, 50'000'000);
    (i % 3 == 0 ? a : b).record(v);
    all.record(v);
    samples.push_back(v);
  }
  a.merge(b);
  EXPECT_EQ(a.count(), all.count());
  EXPECT_EQ(a.min(), all.min());
  EXPECT_EQ(a.max(), all.max());
  for (double p : kPercentiles) EXPECT_EQ(a.percentile(p), all.percentile(p)) << p;
  EXPECT_EQ(a.to_json()["buckets"], all.to_json()["buckets"]);
  expect_close_to_exact(a, samples);
}

TEST(Histogram, MergeAcrossConfigsKeepsCountAndBound) {
  LogLinearHistogram coarse({2, 3'600'000'000'000}), fine;
  coarse.record(1'234'567, 10);
  fine.merge(coarse);
  EXPECT_EQ(fine.count(), 10);
  EXPECT_EQ(fine.max(), 1'234'567);
  EXPECT_LE(std::abs(fine.percentile(50) - 1'234'567), 1'234'567 / 100);
}

TEST(Histogram, EmptyHistogram) {
  LogLinearHistogram h;
  EXPECT_TRUE(h.empty());
  EXPECT_EQ(h.count(), 0);
  EXPECT_EQ(h.min(), 0);
  EXPECT_EQ(h.max(), 0);
  EXPECT_EQ(h.mean(), 0.0);
  EXPECT_EQ(h.percentile(99), 0);
  EXPECT_TRUE(h.cdf().empty());
  auto s = h.summary();
  EXPECT_EQ(s.count, 0);
  EXPECT_EQ(s.p99, 0);
  LogLinearHistogram other;
  other.merge(h);
  EXPECT_TRUE(other.empty());
  auto back = LogLinearHistogram::from_json(h.to_json());
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(back->empty());
}

TEST(Histogram, OverflowIsClampedAndCounted) {
  LogLinearHistogram h;
  const int64_t hour = 3'600'000'000'000;
  h.record(hour * 2);
  h.record(-5);
  h.record(10);
  EXPECT_EQ(h.count(), 3);
  EXPECT_EQ(h.overflow(), 1);
  EXPECT_EQ(h.underflow(), 1);
  EXPECT_EQ(h.max(), hour);
  EXPECT_EQ(h.min(), 0);
  EXPECT_EQ(h.percentile(100), hour);
}

TEST(Histogram, PercentileNeverExceedsMax) {
  LogLinearHistogram h;
  h.record(1'000'001);
  EXPECT_EQ(h.percentile(100), 1'000'001);
  EXPECT_EQ(h.percentile(0), 1'000'001);
}

TEST(Histogram, CdfIsMonotoneAndEndsAtMax) {
  LogLinearHistogram h;
  for (int64_t v = 1; v < 1'000'000; v = v * 2 + 1) h.record(v, 3);
  auto cdf = h.cdf();
  ASSERT_FALSE(cdf.empty());
  for (size_t i = 1; i < cdf.size(); ++i) {
    EXPECT_GT(cdf[i].value, cdf[i - 1].value);
    EXPECT_GT(cdf[i].percentile, cdf[i - 1].percentile);
  }
  EXPECT_EQ(cdf.back().value, h.max());
  EXPECT_DOUBLE_EQ(cdf.back().percentile, 100.0);
}

TEST(Histogram, JsonRoundTrip) {
  Prng rng(11);
  LogLinearHistogram h;
  for (int i = 0; i < 5000; ++i) h.record(rng.between(0, 10'000'000'000));
  h.record(4'000'000'000'000);  // overflow
  auto j = h.to_json();
  auto back = LogLinearHistogram::from_json(nlohmann::json::parse(j.dump()));
  ASSERT_TRUE(back.ok()) << back.error().describe();
  EXPECT_EQ(back->to_json(), j);
  EXPECT_EQ(back->overflow(), 1);
  for (double p : kPercentiles) EXPECT_EQ(back->percentile(p), h.percentile(p)) << p;
}

TEST(Histogram, FromJsonRejectsMalformed) {
  EXPECT_FALSE(LogLinearHistogram::from_json(nlohmann::json::array()).ok());
  EXPECT_FALSE(LogLinearHistogram::from_json(nlohmann::json{{"buckets", {{1}}}}).ok());
  EXPECT_FALSE(LogLinearHistogram::from_json(nlohmann::json{{"buckets", {{1, -1}}}}).ok());
  EXPECT_FALSE(
      LogLinearHistogram::from_json(nlohmann::json{{"sig_digits", 9}, {"buckets", nlohmann::json::array()}}).ok());
  auto r = LogLinearHistogram::from_json(nlohmann::json{{"count", 5}, {"buckets", {{100, 2}}}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.code(), errc::bad_input);
  // Without min/max the bucket bounds are used.
  auto ok = LogLinearHistogram::from_json(nlohmann::json{{"buckets", {{100, 2}}}});
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->count(), 2);
  EXPECT_EQ(ok->percentile(50), 100);
}

TEST(Histogram, SummaryMatchesPercentiles) {
  LogLinearHistogram h;
  for (int64_t v = 1; v <= 100'000; ++v) h.record(v * 1000);
  auto s = h.summary();
  EXPECT_EQ(s.count, 100'000);
  EXPECT_EQ(s.p50, h.percentile(50));
  EXPECT_EQ(s.p9999, h.percentile(99.99));
  EXPECT_EQ(s.max, 100'000'000);
  EXPECT_EQ(s.to_json()["p99"], h.percentile(99));
}

}  // namespace
}  // namespace rb::metrics
