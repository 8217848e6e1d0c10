#include "harness/metrics/interval_series.h"

namespace rb::metrics {

namespace {
nlohmann::json latency_json(const LogLinearHistogram& h) {
  return nlohmann::json{{"count", h.count()}, {"p50", h.percentile(50)}, {"p99", h.percentile(99)}, {"max", h.max()}};
}
}  // namespace

nlohmann::json IntervalStats::to_json() const {
  return nlohmann::json{{"sent", sent},
                        {"acked", acked},
                        {"failed", failed},
                        {"unknown", unknown},
                        {"delivered", delivered},
                        {"publish_latency_ns", latency_json(publish_latency)},
                        {"e2e_latency_ns", latency_json(e2e_latency)}};
}

IntervalStats& IntervalSeries::at(int64_t second) {
  if (last_ != nullptr && last_second_ == second) return *last_;
  auto it = seconds_.find(second);
  if (it == seconds_.end()) it = seconds_.emplace(second, IntervalStats(cfg_)).first;
  last_second_ = second;
  last_ = &it->second;  // std::map nodes are stable
  return *last_;
}

void IntervalSeries::add_acked(int64_t second, int64_t publish_latency_ns) {
  IntervalStats& s = at(second);
  s.acked += 1;
  s.publish_latency.record(publish_latency_ns);
}

void IntervalSeries::add_delivered(int64_t second, int64_t e2e_latency_ns) {
  IntervalStats& s = at(second);
  s.delivered += 1;
  s.e2e_latency.record(e2e_latency_ns);
}

void IntervalSeries::merge(const IntervalSeries& other) {
  for (const auto& [sec, o] : other.seconds_) {
    IntervalStats& s = at(sec);
    s.sent += o.sent;
    s.acked += o.acked;
    s.failed += o.failed;
    s.unknown += o.unknown;
    s.delivered += o.delivered;
    s.publish_latency.merge(o.publish_latency);
    s.e2e_latency.merge(o.e2e_latency);
  }
}

const IntervalStats* IntervalSeries::find(int64_t second) const {
  auto it = seconds_.find(second);
  return it == seconds_.end() ? nullptr : &it->second;
}

nlohmann::json IntervalSeries::to_json() const {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& [sec, s] : seconds_) {
    nlohmann::json row = s.to_json();
    row["t_s"] = sec;
    out.push_back(std::move(row));
  }
  return out;
}

}  // namespace rb::metrics
