// The charts of one group: throughput and p99 over time with fault windows shaded, latency
// quantiles on a log(1/(1-p)) axis, and the end-to-end latency CDF.
#include <algorithm>
#include <cmath>
#include <map>

#include "harness/metrics/histogram.h"
#include "harness/report/report_charts.h"

namespace rb::report {

namespace {

std::vector<Shade> fault_shades(const std::vector<Run>& runs, const Group& g, double t_end) {
  std::vector<Shade> out;
  for (size_t i : g.runs) {
    const auto* faults = json_at(runs[i].result, {"faults"});
    if (!faults || !faults->is_array()) continue;
    for (const auto& f : *faults) {
      auto start = num_at(f, {"start_s"});
      if (!start) continue;
      double end = num_at(f, {"end_s"}).value_or(t_end);
      std::string label = fault_label(f);
      bool dup = false;
      for (const auto& s : out)
        dup = dup || (std::fabs(s.from - *start) < 0.05 && std::fabs(s.to - end) < 0.05 && s.label == label);
      if (!dup) out.push_back({*start, end, label});
    }
  }
  return out;
}

std::optional<metrics::LogLinearHistogram> histogram(const Run& r, const char* key) {
  const auto* h = json_at(r.result, {"histograms", key});
  if (!h) return std::nullopt;
  auto parsed = metrics::LogLinearHistogram::from_json(*h);
  if (!parsed.ok() || parsed->empty()) return std::nullopt;
  return std::move(parsed.value());
}

// Dash types tell runs of the same mode apart.
std::vector<Series> base_series(const std::vector<Run>& runs, const Group& g) {
  std::vector<Series> out;
  std::map<std::string, int> seen;
  for (size_t k = 0; k < g.runs.size(); ++k) {
    const Run& r = runs[g.runs[k]];
    Series s;
    s.name = r.label;
    s.color = mode_color(r.mode, k);
    s.dash = 1 + seen[r.mode]++;
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace

std::vector<ChartSpec> group_chart_specs(const std::vector<Run>& runs, const Group& g, const std::string& prefix) {
  std::vector<ChartSpec> specs;
  // --- over time -----------------------------------------------------------------------------------
  ChartSpec tput{.id = prefix + "-throughput",
                 .title = "Publish throughput over time",
                 .caption = "Acknowledged messages per second. Shaded: fault windows; dashed line: end of warm-up.",
                 .xlabel = "seconds since the measured phase started",
                 .ylabel = "acked msg/s"};
  ChartSpec p99{.id = prefix + "-p99",
                .title = "Publish p99 latency over time",
                .caption = "p99 of the acknowledgements completed in each second; gaps are seconds with none.",
                .xlabel = "seconds since the measured phase started",
                .ylabel = "p99 (ms)"};
  tput.series = p99.series = base_series(runs, g);
  tput.ymin = 0;
  double t_min = 0, t_max = 0;
  bool any = false;
  for (size_t k = 0; k < g.runs.size(); ++k) {
    const auto* iv = json_at(runs[g.runs[k]].result, {"intervals"});
    if (!iv || !iv->is_array() || iv->empty()) continue;
    std::map<int64_t, const nlohmann::json*> by_t;
    for (const auto& x : *iv)
      if (auto t = num_at(x, {"t_s"})) by_t[static_cast<int64_t>(*t)] = &x;
    for (int64_t t = by_t.begin()->first; t <= by_t.rbegin()->first; ++t) {
      auto it = by_t.find(t);
      double acked = it == by_t.end() ? 0 : num_at(*it->second, {"acked"}).value_or(0);
      // Each count covers [t, t+1): plot it at the middle of its second.
      tput.series[k].points.push_back({t + 0.5, acked});
      auto p = it == by_t.end() ? std::nullopt : num_at(*it->second, {"publish_latency_ns", "p99"});
      bool has = it != by_t.end() && num_at(*it->second, {"publish_latency_ns", "count"}).value_or(0) > 0;
      p99.series[k].points.push_back({t + 0.5, has && p ? *p / 1e6 : NAN});
    }
    t_min = any ? std::min<double>(t_min, by_t.begin()->first) : by_t.begin()->first;
    t_max = any ? std::max<double>(t_max, by_t.rbegin()->first + 1) : by_t.rbegin()->first + 1;
    any = true;
  }
  if (any) {
    tput.shades = p99.shades = fault_shades(runs, g, t_max);
    if (t_min < 0) tput.vline = p99.vline = 0.0;
    tput.xmin = p99.xmin = t_min;
    tput.xmax = p99.xmax = t_max;
    double lo = INFINITY, hi = 0;
    for (const auto& s : p99.series)
      for (const auto& [x, y] : s.points)
        if (std::isfinite(y) && y > 0) lo = std::min(lo, y), hi = std::max(hi, y);
    p99.logy = hi > 20 * lo;
    specs.push_back(std::move(tput));
    specs.push_back(std::move(p99));
  }
  // --- quantiles and CDF from the full histograms ---------------------------------------------------
  ChartSpec q{
      .id = prefix + "-quantiles",
      .title = "Latency by percentile",
      .caption =
          "Solid: publish; dashed: end-to-end. The x axis stretches the tail: each step is ten "
          "times rarer. Lines stop where the sample count runs out.",
      .xlabel = "percentile",
      .ylabel = "latency (ms)",
      .logx = true,
      .xtics = "(\"50%%\" 2, \"90%%\" 10, \"99%%\" 100, \"99.9%%\" 1000, \"99.99%%\" 10000, \"99.999%%\" 100000)",
      .xmin = 1.0};
  ChartSpec cdf{.id = prefix + "-cdf",
                .title = "End-to-end latency CDF",
                .caption = "Share of messages delivered to a consumer within a given time of their intended send.",
                .xlabel = "end-to-end latency (ms)",
                .ylabel = "percent of messages"};
  cdf.ymin = 0;
  double lo = INFINITY, hi = 0, clo = INFINITY, chi = 0;
  auto base = base_series(runs, g);
  for (size_t k = 0; k < g.runs.size(); ++k) {
    const Run& r = runs[g.runs[k]];
    for (const char* key : {"publish_latency", "end_to_end"}) {
      auto h = histogram(r, key);
      if (!h) continue;
      Series s = base[k];
      bool e2e = std::string(key) == "end_to_end";
      s.name = r.label + (e2e ? " end-to-end" : " publish");
      if (e2e) s.dash = 2;
      double count = static_cast<double>(h->count());
      for (int i = 0; i <= 150; ++i) {
        double x = std::pow(10.0, i * 6.0 / 150);  // 1 .. 10^6
        if (x > count) break;
        double v = static_cast<double>(h->percentile(100.0 * (1.0 - 1.0 / x))) / 1e6;
        s.points.push_back({x, v});
        if (v > 0) lo = std::min(lo, v), hi = std::max(hi, v);
      }
      q.series.push_back(s);
      if (e2e) {
        Series c = base[k];
        for (int i = 1; i <= 199; ++i) c.points.push_back({h->percentile(i * 0.5) / 1e6, i * 0.5});
        for (double p : {99.9, 99.99, 100.0}) c.points.push_back({h->percentile(p) / 1e6, p});
        for (const auto& [x, y] : c.points)
          if (x > 0) clo = std::min(clo, x), chi = std::max(chi, x);
        cdf.series.push_back(std::move(c));
      }
    }
  }
  q.logy = hi > 20 * lo;
  cdf.logx = chi > 20 * clo;
  if (!q.series.empty()) {
    double xmax = 1;
    for (const auto& s : q.series)
      for (const auto& [x, y] : s.points) xmax = std::max(xmax, x);
    q.xmax = std::max(10.0, xmax);
    specs.push_back(std::move(q));
  }
  if (!cdf.series.empty()) {
    cdf.kind = ChartSpec::Kind::lines;
    specs.push_back(std::move(cdf));
  }
  return specs;
}

}  // namespace rb::report
