#include "harness/metrics/histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

#include "replication/core/assert.h"

namespace rb::metrics {

namespace {

// Smallest power-of-two exponent m with 2^m >= 2 * 10^digits.
int sub_bucket_count_magnitude(int digits) {
  int64_t needed = 2;
  for (int i = 0; i < digits; ++i) needed *= 10;
  int m = 0;
  while ((int64_t{1} << m) < needed) ++m;
  return m;
}

int64_t min_highest(int digits) {
  int64_t v = 2;
  for (int i = 0; i < digits; ++i) v *= 10;
  return v;
}

}  // namespace

nlohmann::json LatencySummary::to_json() const {
  return nlohmann::json{{"count", count}, {"min", min},     {"p50", p50}, {"p90", p90},  {"p99", p99},
                        {"p999", p999},   {"p9999", p9999}, {"max", max}, {"mean", mean}};
}

LogLinearHistogram::LogLinearHistogram(HistogramConfig config) : config_(config) {
  RB_ASSERT(config_.significant_digits >= 1);
  RB_ASSERT(config_.significant_digits <= 5);
  RB_ASSERT(config_.highest >= min_highest(config_.significant_digits));
  const int m = sub_bucket_count_magnitude(config_.significant_digits);
  sub_bucket_half_magnitude_ = m - 1;
  sub_bucket_mask_ = (int64_t{1} << m) - 1;
  counts_len_ = index_of(config_.highest) + 1;
}

int LogLinearHistogram::bucket_of(int64_t v) const {
  // Number of significant bits of v, but at least log2(sub_bucket_count); bucket 0 holds every
  // value below sub_bucket_count.
  const int bits = 64 - std::countl_zero(static_cast<uint64_t>(v | sub_bucket_mask_));
  return bits - (sub_bucket_half_magnitude_ + 1);
}

size_t LogLinearHistogram::index_of(int64_t v) const {
  const int b = bucket_of(v);
  const int64_t sub = v >> b;
  const int64_t half = int64_t{1} << sub_bucket_half_magnitude_;
  return static_cast<size_t>(((int64_t{b} + 1) << sub_bucket_half_magnitude_) + (sub - half));
}

int64_t LogLinearHistogram::value_at_index(size_t i) const {
  const int64_t half = int64_t{1} << sub_bucket_half_magnitude_;
  int64_t b = static_cast<int64_t>(i >> sub_bucket_half_magnitude_) - 1;
  int64_t sub = static_cast<int64_t>(i & static_cast<size_t>(half - 1)) + half;
  if (b < 0) {
    sub -= half;
    b = 0;
  }
  return sub << b;
}

int64_t LogLinearHistogram::lowest_equivalent(int64_t v) const {
  const int b = bucket_of(v);
  return (v >> b) << b;
}

int64_t LogLinearHistogram::highest_equivalent(int64_t v) const {
  const int b = bucket_of(v);
  return lowest_equivalent(v) + (int64_t{1} << b) - 1;
}

int64_t LogLinearHistogram::rank_for_percentile(double p, int64_t count) {
  if (count <= 0) return 0;
  p = std::clamp(p, 0.0, 100.0);
  const double x = p / 100.0 * static_cast<double>(count);
  // Guard against 0.57 * 100 = 56.99999999 or 57.00000001: a product within rounding noise of an
  // integer is that integer.
  const double nearest = std::round(x);
  const double r = std::abs(x - nearest) <= 1e-9 * std::max(1.0, x) ? nearest : std::ceil(x);
  return std::clamp<int64_t>(static_cast<int64_t>(r), 1, count);
}

void LogLinearHistogram::record(int64_t value_ns, int64_t count) {
  RB_ASSERT(count >= 0);
  if (count == 0) return;
  if (value_ns < 0) [[unlikely]] {
    underflow_ += count;
    value_ns = 0;
  } else if (value_ns > config_.highest) [[unlikely]] {
    overflow_ += count;
    value_ns = config_.highest;
  }
  const size_t i = index_of(value_ns);
  if (i >= counts_.size()) [[unlikely]]
    counts_.resize(std::min(counts_len_, std::max(i + 1, counts_.size() * 2)), 0);
  counts_[i] += count;
  count_ += count;
  min_ = std::min(min_, value_ns);
  max_ = std::max(max_, value_ns);
  sum_ += static_cast<double>(value_ns) * static_cast<double>(count);
}

void LogLinearHistogram::merge(const LogLinearHistogram& other) {
  if (other.count_ == 0) return;
  if (other.config_ == config_) {
    if (counts_.size() < other.counts_.size()) counts_.resize(other.counts_.size(), 0);
    for (size_t i = 0; i < other.counts_.size(); ++i) counts_[i] += other.counts_[i];
  } else {
    for (size_t i = 0; i < other.counts_.size(); ++i) {
      if (other.counts_[i] == 0) continue;
      int64_t v = std::min(other.highest_equivalent(other.value_at_index(i)), other.max_);
      v = std::min(v, config_.highest);
      const size_t j = index_of(v);
      if (j >= counts_.size()) counts_.resize(j + 1, 0);
      counts_[j] += other.counts_[i];
    }
  }
  count_ += other.count_;
  min_ = std::min(min_, std::min(other.min_, config_.highest));
  max_ = std::max(max_, std::min(other.max_, config_.highest));
  sum_ += other.sum_;
  overflow_ += other.overflow_;
  underflow_ += other.underflow_;
}

void LogLinearHistogram::reset() {
  counts_.clear();
  count_ = 0;
  min_ = INT64_MAX;
  max_ = 0;
  sum_ = 0;
  overflow_ = 0;
  underflow_ = 0;
}

double LogLinearHistogram::mean() const { return count_ ? sum_ / static_cast<double>(count_) : 0.0; }

int64_t LogLinearHistogram::percentile(double p) const {
  if (count_ == 0) return 0;
  const int64_t rank = rank_for_percentile(p, count_);
  int64_t seen = 0;
  for (size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= rank) return std::min(highest_equivalent(value_at_index(i)), max_);
  }
  return max_;  // unreachable while counts_ and count_ agree
}

LatencySummary LogLinearHistogram::summary() const {
  LatencySummary s;
  s.count = count_;
  s.min = min();
  s.p50 = percentile(50);
  s.p90 = percentile(90);
  s.p99 = percentile(99);
  s.p999 = percentile(99.9);
  s.p9999 = percentile(99.99);
  s.max = max();
  s.mean = mean();
  return s;
}

std::vector<CdfPoint> LogLinearHistogram::cdf() const {
  std::vector<CdfPoint> out;
  int64_t seen = 0;
  for (size_t i = 0; i < counts_.size(); ++i) {
    if (counts_[i] == 0) continue;
    seen += counts_[i];
    out.push_back({std::min(highest_equivalent(value_at_index(i)), max_),
                   100.0 * static_cast<double>(seen) / static_cast<double>(count_)});
  }
  return out;
}

nlohmann::json LogLinearHistogram::to_json() const {
  nlohmann::json buckets = nlohmann::json::array();
  for (size_t i = 0; i < counts_.size(); ++i)
    if (counts_[i] != 0) buckets.push_back({value_at_index(i), counts_[i]});
  return nlohmann::json{{"sig_digits", config_.significant_digits},
                        {"lowest", 1},
                        {"highest", config_.highest},
                        {"count", count_},
                        {"min", min()},
                        {"max", max()},
                        {"sum", sum_},
                        {"overflow", overflow_},
                        {"underflow", underflow_},
                        {"buckets", std::move(buckets)}};
}

Result<LogLinearHistogram> LogLinearHistogram::from_json(const nlohmann::json& j) {
  auto bad = [](const std::string& m) { return make_error(errc::bad_input, "histogram: " + m); };
  if (!j.is_object()) return bad("expected an object");
  auto get_int = [&](const char* key, int64_t dflt, int64_t& out) -> bool {
    if (!j.contains(key)) {
      out = dflt;
      return true;
    }
    if (!j[key].is_number_integer()) return false;
    out = j[key].get<int64_t>();
    return true;
  };
  HistogramConfig cfg;
  int64_t digits = 0, highest = 0, count = 0, mn = 0, mx = 0, ovf = 0, unf = 0;
  if (!get_int("sig_digits", cfg.significant_digits, digits) || digits < 1 || digits > 5)
    return bad("sig_digits must be an integer in 1..5");
  if (!get_int("highest", cfg.highest, highest) || highest < min_highest(static_cast<int>(digits)))
    return bad("highest must be an integer >= 2*10^sig_digits");
  if (!get_int("count", -1, count)) return bad("count must be an integer");
  if (!get_int("overflow", 0, ovf) || !get_int("underflow", 0, unf) || ovf < 0 || unf < 0)
    return bad("overflow/underflow must be non-negative integers");
  if (!j.contains("buckets") || !j["buckets"].is_array()) return bad("missing buckets array");
  cfg.significant_digits = static_cast<int>(digits);
  cfg.highest = highest;
  LogLinearHistogram h(cfg);
  for (const auto& b : j["buckets"]) {
    if (!b.is_array() || b.size() != 2 || !b[0].is_number_integer() || !b[1].is_number_integer())
      return bad("each bucket must be [value, count] integers");
    const int64_t v = b[0].get<int64_t>(), c = b[1].get<int64_t>();
    if (v < 0 || v > highest || c < 0) return bad("bucket value or count out of range");
    if (c == 0) continue;
    const size_t i = h.index_of(v);
    if (i >= h.counts_.size()) h.counts_.resize(i + 1, 0);
    h.counts_[i] += c;
    h.count_ += c;
    h.min_ = std::min(h.min_, h.lowest_equivalent(v));
    h.max_ = std::max(h.max_, std::min(h.highest_equivalent(v), highest));
    h.sum_ += static_cast<double>(h.lowest_equivalent(v)) * static_cast<double>(c);
  }
  if (count >= 0 && count != h.count_) return bad("count does not match the sum of the buckets");
  // Exact extremes and sum when the dump carries them; the bucket bounds otherwise.
  if (h.count_ > 0) {
    if (!get_int("min", h.min_, mn) || !get_int("max", h.max_, mx) || mn > mx || mn < 0 || mx > highest)
      return bad("min/max must be integers with 0 <= min <= max <= highest");
    h.min_ = mn;
    h.max_ = mx;
    if (j.contains("sum")) {
      if (!j["sum"].is_number()) return bad("sum must be a number");
      h.sum_ = j["sum"].get<double>();
    }
  }
  h.overflow_ = ovf;
  h.underflow_ = unf;
  return h;
}

}  // namespace rb::metrics
