// Availability per fault, OpenChaos-style, from the successful and failed sends around it.
//
// Windows: a fault is active from its start op to its stop op (or the end of the history). Its
// attribution window runs from its start to the next fault's start (or the end of the history):
// failures, leader changes and losses that show up after a heal still belong to the fault that
// caused them.
#include <algorithm>
#include <map>
#include <tuple>

#include "harness/checker/checker_internal.h"

namespace rb::checker::detail {

namespace {

struct Window {
  std::string name;
  int64_t start = 0;
  int64_t stop = -1;  // -1 = never stopped
};

std::vector<Window> fault_windows(const std::vector<HistoryOp>& ops) {
  std::vector<Window> w;
  std::map<std::string, std::vector<size_t>> open;  // name -> indices of unstopped starts
  for (const auto& op : ops) {
    if (op.f != OpFn::fault) continue;
    if (op.phase == FaultPhase::start) {
      open[op.fault].push_back(w.size());
      w.push_back({op.fault, op.time_ns, -1});
    } else {
      auto it = open.find(op.fault);
      if (it == open.end() || it->second.empty()) continue;  // a stop without a start: nothing to close
      w[it->second.back()].stop = op.time_ns;
      it->second.pop_back();
    }
  }
  std::stable_sort(w.begin(), w.end(), [](const Window& a, const Window& b) { return a.start < b.start; });
  return w;
}

double ms(int64_t ns) { return static_cast<double>(ns) / 1e6; }

}  // namespace

std::vector<FaultAvailability> compute_availability(const std::vector<HistoryOp>& ops, std::vector<AckEvent> acks,
                                                    std::vector<SendFailure> failures, std::vector<int64_t> lost_ack_ns,
                                                    int64_t history_end_ns) {
  const std::vector<Window> windows = fault_windows(ops);
  std::vector<FaultAvailability> out;
  if (windows.empty()) return out;

  // Successful completions in time order.
  std::vector<int64_t> ok_ns;
  ok_ns.reserve(acks.size());
  for (const auto& a : acks) ok_ns.push_back(a.complete_ns);
  std::sort(ok_ns.begin(), ok_ns.end());
  // Acks by invocation time with the suffix minimum of completion time: "the earliest success of
  // a send invoked at or after t" is one binary search.
  std::vector<AckEvent> by_invoke = acks;
  std::sort(by_invoke.begin(), by_invoke.end(),
            [](const AckEvent& a, const AckEvent& b) { return a.invoke_ns < b.invoke_ns; });
  std::vector<int64_t> suffix_min(by_invoke.size() + 1, INT64_MAX);
  for (size_t i = by_invoke.size(); i-- > 0;) suffix_min[i] = std::min(suffix_min[i + 1], by_invoke[i].complete_ns);
  // Acks per partition in completion order, for leader changes.
  std::sort(acks.begin(), acks.end(), [](const AckEvent& a, const AckEvent& b) {
    return std::tie(a.partition, a.complete_ns) < std::tie(b.partition, b.complete_ns);
  });
  std::sort(failures.begin(), failures.end(),
            [](const SendFailure& a, const SendFailure& b) { return a.time_ns < b.time_ns; });
  std::sort(lost_ack_ns.begin(), lost_ack_ns.end());

  for (size_t f = 0; f < windows.size(); ++f) {
    const Window& w = windows[f];
    const int64_t active_end = w.stop >= 0 ? w.stop : history_end_ns;
    const int64_t attr_end = f + 1 < windows.size() ? windows[f + 1].start : std::max(history_end_ns, w.start) + 1;
    FaultAvailability a;
    a.fault = w.name;
    a.start_ns = w.start;
    a.stop_ns = w.stop;

    // Longest gap between successes that overlaps the active period, clipped on the left at the
    // fault start, open on the right until the next success (or the end of the history).
    {
      int64_t left = w.start;
      size_t j = static_cast<size_t>(std::upper_bound(ok_ns.begin(), ok_ns.end(), w.start) - ok_ns.begin());
      int64_t best = 0;
      while (true) {
        const int64_t right = j < ok_ns.size() ? ok_ns[j] : std::max(history_end_ns, left);
        best = std::max(best, right - left);
        if (j >= ok_ns.size() || ok_ns[j] >= active_end) break;
        left = ok_ns[j++];
      }
      a.unavailable_ms = ms(best);
    }

    // Disruption, recovery and the failure counts in the attribution window.
    auto fb = std::lower_bound(failures.begin(), failures.end(), w.start,
                               [](const SendFailure& s, int64_t t) { return s.time_ns < t; });
    for (auto it = fb; it != failures.end() && it->time_ns < attr_end; ++it) (it->unknown ? a.unknown : a.failed)++;
    if (fb != failures.end() && fb->time_ns < attr_end) {
      a.disrupted = true;
      const int64_t first_failure = fb->time_ns;
      auto ib = std::lower_bound(by_invoke.begin(), by_invoke.end(), first_failure,
                                 [](const AckEvent& e, int64_t t) { return e.invoke_ns < t; });
      const int64_t recovered_at = suffix_min[static_cast<size_t>(ib - by_invoke.begin())];
      if (recovered_at != INT64_MAX) {
        a.recovered = true;
        a.rto_ms = ms(recovered_at - w.start);
      }
    }

    // Leader changes: per partition, the (node, epoch) acknowledging just before the fault plus
    // every distinct one acknowledging in the attribution window; changes = distinct - 1.
    for (size_t i = 0; i < acks.size();) {
      size_t end = i;
      while (end < acks.size() && acks[end].partition == acks[i].partition) ++end;
      std::vector<std::pair<NodeId, Epoch>> leaders;
      for (size_t k = i; k < end; ++k) {
        const AckEvent& e = acks[k];
        if (e.node == kNoNode) continue;
        const bool before = e.complete_ns < w.start;
        const bool last_before = before && (k + 1 == end || acks[k + 1].complete_ns >= w.start);
        if (last_before || (!before && e.complete_ns < attr_end)) leaders.emplace_back(e.node, e.epoch);
      }
      std::sort(leaders.begin(), leaders.end());
      leaders.erase(std::unique(leaders.begin(), leaders.end()), leaders.end());
      if (leaders.size() > 1) a.leader_changes += static_cast<int64_t>(leaders.size() - 1);
      i = end;
    }
    out.push_back(std::move(a));
  }

  // RPO: each lost message is charged to the fault whose attribution window holds its ack time;
  // one acknowledged before the first fault is charged to the first fault.
  for (int64_t t : lost_ack_ns) {
    size_t f = 0;
    while (f + 1 < windows.size() && windows[f + 1].start <= t) ++f;
    out[f].lost++;
  }
  return out;
}

}  // namespace rb::checker::detail
