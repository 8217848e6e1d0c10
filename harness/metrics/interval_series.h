#pragma once
// IntervalSeries: per-second counters and latency histograms for the time-series part of a result
// (rate and p99 over time, with fault windows shaded by the report).
//
// The caller decides which second an event belongs to (normally: seconds since the start of the
// measured phase, of the event's completion time; negative seconds are warm-up and are accepted).
// Seconds never touched do not appear in to_json(); the report treats them as all-zero.
//
// Per-second histograms use 2 significant digits by default (1% resolution) to keep a long run
// small; the cumulative histograms that the summary uses are separate and keep 3 digits.
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>

#include "harness/metrics/histogram.h"

namespace rb::metrics {

struct IntervalStats {
  int64_t sent = 0;                    // sends invoked
  int64_t acked = 0;                   // sends acknowledged ok
  int64_t failed = 0;                  // sends that failed definitely
  int64_t unknown = 0;                 // sends whose outcome is unknown (timeout)
  int64_t delivered = 0;               // messages delivered to consumers
  LogLinearHistogram publish_latency;  // ack time - intended send time, ns
  LogLinearHistogram e2e_latency;      // delivery time - intended send time, ns

  explicit IntervalStats(HistogramConfig cfg) : publish_latency(cfg), e2e_latency(cfg) {}
  // {"sent":..,"acked":..,"failed":..,"unknown":..,"delivered":..,
  //  "publish_latency_ns":{"count","p50","p99","max"},"e2e_latency_ns":{...}}
  nlohmann::json to_json() const;
};

class IntervalSeries {
 public:
  explicit IntervalSeries(HistogramConfig cfg = {2, 3'600'000'000'000}) : cfg_(cfg) {}
  // Copies and moves drop the lookup cache, which points into a map node.
  IntervalSeries(const IntervalSeries& o) : cfg_(o.cfg_), seconds_(o.seconds_) {}
  IntervalSeries(IntervalSeries&& o) noexcept : cfg_(o.cfg_), seconds_(std::move(o.seconds_)) { o.last_ = nullptr; }
  IntervalSeries& operator=(const IntervalSeries& o) {
    cfg_ = o.cfg_;
    seconds_ = o.seconds_;
    last_ = nullptr;
    return *this;
  }
  IntervalSeries& operator=(IntervalSeries&& o) noexcept {
    cfg_ = o.cfg_;
    seconds_ = std::move(o.seconds_);
    last_ = nullptr;
    o.last_ = nullptr;
    return *this;
  }

  void add_sent(int64_t second, int64_t n = 1) { at(second).sent += n; }
  void add_acked(int64_t second, int64_t publish_latency_ns);
  void add_failed(int64_t second, int64_t n = 1) { at(second).failed += n; }
  void add_unknown(int64_t second, int64_t n = 1) { at(second).unknown += n; }
  void add_delivered(int64_t second, int64_t e2e_latency_ns);
  void merge(const IntervalSeries& other);  // adds counters and histograms second by second

  // nullptr when the second was never touched.
  const IntervalStats* find(int64_t second) const;
  size_t size() const { return seconds_.size(); }
  const std::map<int64_t, IntervalStats>& seconds() const { return seconds_; }

  // [{"t_s":k, ...IntervalStats fields...}, ...] in ascending second order.
  nlohmann::json to_json() const;

 private:
  IntervalStats& at(int64_t second);

  HistogramConfig cfg_;
  std::map<int64_t, IntervalStats> seconds_;
  // Events arrive mostly in time order: remember the last second touched to skip the lookup.
  int64_t last_second_ = 0;
  IntervalStats* last_ = nullptr;
};

}  // namespace rb::metrics
