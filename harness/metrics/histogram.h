#pragma once
// LogLinearHistogram: a latency histogram in the HdrHistogram scheme (written from the published
// description, no code copied). Values are nanoseconds (int64 >= 0).
//
// Layout: with d significant digits the sub-bucket count is the next power of two >= 2 * 10^d
// (d = 3 -> 2048). Bucket 0 covers [0, 2048) with unit resolution; bucket k >= 1 covers
// [1024 * 2^k, 2048 * 2^k) with resolution 2^k, i.e. it reuses only the upper half of its
// sub-buckets. Every recorded value is therefore known to within a relative error below 10^-d.
//
// Contracts:
//  - Values above `highest` are recorded as `highest` and counted in overflow(); values below 0
//    are recorded as 0 and counted in underflow(). Nothing is ever dropped.
//  - min() and max() are the exact extreme values recorded (after clamping).
//  - percentile(p) uses the nearest-rank definition: rank = max(1, ceil(p/100 * count)); the
//    answer is the highest value equivalent to the bucket holding the rank-th smallest sample
//    (HdrHistogram semantics), capped at max(). So it is never below the exact sample and at most
//    one bucket width (< 10^-d relative) above it.
//  - merge() is exact when both histograms have the same configuration; otherwise each source
//    bucket is re-recorded at its highest equivalent value.
//  - Counters are stored lazily: the counts array grows to the highest index recorded, so a
//    histogram that only saw microsecond latencies stays small.
// Not thread-safe; use one per thread and merge.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "replication/core/result.h"

namespace rb::metrics {

struct HistogramConfig {
  int significant_digits = 3;           // 1..5
  int64_t highest = 3'600'000'000'000;  // 1 hour in ns; >= 2 * 10^digits
  bool operator==(const HistogramConfig&) const = default;
};

// One point of the cumulative distribution: `percentile` percent of samples are <= `value`.
struct CdfPoint {
  int64_t value = 0;
  double percentile = 0;
};

// The numbers reports print for a latency (all ns except count).
struct LatencySummary {
  int64_t count = 0;
  int64_t min = 0, p50 = 0, p90 = 0, p99 = 0, p999 = 0, p9999 = 0, max = 0;
  double mean = 0;
  nlohmann::json to_json() const;
};

class LogLinearHistogram {
 public:
  explicit LogLinearHistogram(HistogramConfig config = {});

  void record(int64_t value_ns) { record(value_ns, 1); }
  void record(int64_t value_ns, int64_t count);  // count >= 0
  void merge(const LogLinearHistogram& other);
  void reset();

  const HistogramConfig& config() const { return config_; }
  int64_t count() const { return count_; }
  int64_t overflow() const { return overflow_; }
  int64_t underflow() const { return underflow_; }
  bool empty() const { return count_ == 0; }
  int64_t min() const { return count_ ? min_ : 0; }  // 0 when empty
  int64_t max() const { return count_ ? max_ : 0; }  // 0 when empty
  double mean() const;                               // exact (from the running sum); 0 when empty
  int64_t percentile(double p) const;                // p in [0, 100] (clamped); 0 when empty
  LatencySummary summary() const;

  // One point per non-empty bucket, ascending; the last point is (max, 100).
  std::vector<CdfPoint> cdf() const;

  // {"sig_digits":3,"lowest":1,"highest":...,"count":N,"min":..,"max":..,"sum":..,"overflow":..,
  //  "underflow":..,"buckets":[[value,count],...]} where value is the lowest value of the bucket.
  nlohmann::json to_json() const;
  static Result<LogLinearHistogram> from_json(const nlohmann::json& j);

  // Bucket arithmetic, public for tests.
  int64_t lowest_equivalent(int64_t v) const;
  int64_t highest_equivalent(int64_t v) const;
  static int64_t rank_for_percentile(double p, int64_t count);  // 1-based nearest rank

 private:
  size_t index_of(int64_t v) const;
  int64_t value_at_index(size_t i) const;
  int bucket_of(int64_t v) const;

  HistogramConfig config_;
  int sub_bucket_half_magnitude_ = 0;  // log2(sub_bucket_count) - 1
  int64_t sub_bucket_mask_ = 0;        // sub_bucket_count - 1
  size_t counts_len_ = 0;              // full array length for `highest`
  std::vector<int64_t> counts_;        // grown lazily up to counts_len_
  int64_t count_ = 0;
  int64_t min_ = INT64_MAX;
  int64_t max_ = 0;
  double sum_ = 0;
  int64_t overflow_ = 0;
  int64_t underflow_ = 0;
};

}  // namespace rb::metrics
