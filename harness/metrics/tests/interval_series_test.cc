#include "harness/metrics/interval_series.h"

#include <gtest/gtest.h>

namespace rb::metrics {
namespace {

TEST(IntervalSeries, AccumulatesBySecond) {
  IntervalSeries s;
  s.add_sent(0, 3);
  s.add_acked(0, 1'000'000);
  s.add_acked(0, 3'000'000);
  s.add_failed(1);
  s.add_unknown(1, 2);
  s.add_delivered(1, 5'000'000);
  s.add_sent(-1);  // warm-up second
  ASSERT_EQ(s.size(), 3u);
  const IntervalStats* zero = s.find(0);
  ASSERT_NE(zero, nullptr);
  EXPECT_EQ(zero->sent, 3);
  EXPECT_EQ(zero->acked, 2);
  EXPECT_EQ(zero->publish_latency.max(), 3'000'000);
  const IntervalStats* one = s.find(1);
  ASSERT_NE(one, nullptr);
  EXPECT_EQ(one->failed, 1);
  EXPECT_EQ(one->unknown, 2);
  EXPECT_EQ(one->delivered, 1);
  EXPECT_EQ(s.find(7), nullptr);
}

TEST(IntervalSeries, JsonRowsAreOrderedAndComplete) {
  IntervalSeries s;
  s.add_acked(2, 10'000);
  s.add_acked(0, 20'000);
  s.add_delivered(0, 40'000);
  auto j = s.to_json();
  ASSERT_EQ(j.size(), 2u);
  EXPECT_EQ(j[0]["t_s"], 0);
  EXPECT_EQ(j[1]["t_s"], 2);
  EXPECT_EQ(j[0]["acked"], 1);
  EXPECT_EQ(j[0]["delivered"], 1);
  EXPECT_EQ(j[0]["publish_latency_ns"]["max"], 20'000);
  EXPECT_EQ(j[0]["e2e_latency_ns"]["max"], 40'000);
  EXPECT_EQ(j[1]["e2e_latency_ns"]["count"], 0);
  // p99 of a single sample is that sample to within 1% (2 significant digits).
  EXPECT_NEAR(j[1]["publish_latency_ns"]["p99"].get<double>(), 10'000.0, 100.0);
}

TEST(IntervalSeries, MergeAddsSecondBySecond) {
  IntervalSeries a, b;
  a.add_sent(0, 2);
  b.add_sent(0, 5);
  b.add_acked(3, 100);
  IntervalSeries copy = a;  // the copy must not share the lookup cache
  copy.add_sent(0, 100);
  a.merge(b);
  EXPECT_EQ(a.find(0)->sent, 7);
  EXPECT_EQ(a.find(3)->acked, 1);
  EXPECT_EQ(copy.find(0)->sent, 102);
  IntervalSeries moved = std::move(copy);
  moved.add_sent(0);
  EXPECT_EQ(moved.find(0)->sent, 103);
}

}  // namespace
}  // namespace rb::metrics
