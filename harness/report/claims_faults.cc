// The claims measured under faults: surviving f failures (2), master/slave failover (5) and
// acknowledged loss when the leader dies (6).
#include <algorithm>
#include <map>

#include "harness/report/claims_internal.h"

namespace rb::report::detail {

namespace {

std::initializer_list<const char*> kKill = {"kill", "crash", "stop", "power"};

bool is_unsafe(const Run& r) {
  if (acks_leader_or_less(r)) return true;
  if (r.mode == "masterslave" && knob(r, "replication") == "async") return true;
  return false;
}

bool is_safe(const Run& r) {
  if (acks_leader_or_less(r)) return false;
  if (r.mode == "raft") return true;
  if (r.mode == "isr")
    return num_at(r.result, {"config", "min_insync"}).value_or(0) >= 2 && knob(r, "unclean_leader_election") != "true";
  return false;
}

}  // namespace

void claim_survive_f(const RunList& rs, ClaimResult& out) {
  RunList killed;
  for (const auto* r : rs)
    if ((r->mode == "raft" || r->mode == "isr") && has_fault(*r, kKill)) killed.push_back(r);
  if (killed.empty()) {
    out.explanation =
        "No Raft or ISR run killed nodes. The replicas table states what each configuration should survive.";
    return;
  }
  ChartSpec c{.id = "claim2",
              .title = "Claim 2: killing f nodes",
              .caption = "Longest write outage per run; the category names the run and how many nodes it killed.",
              .xlabel = "",
              .ylabel = "unavailable (ms)",
              .kind = ChartSpec::Kind::bars};
  Series s{.name = "unavailable (ms)", .color = "#cc6677"};
  int within = 0, ok = 0;
  std::string text;
  for (const auto* r : killed) {
    // The claim's own arithmetic: Raft tolerates (n-1)/2; ISR with f+1 data replicas tolerates
    // n-1 failures that come one at a time (the ISR shrinks in between).
    size_t f = fault_count(*r, kKill);
    int n = static_cast<int>(replicas(*r));
    int claimed = r->mode == "raft" ? (n - 1) / 2 : n - 1;
    if (acks_leader_or_less(*r)) claimed = 0;
    bool in = static_cast<int>(f) <= claimed;
    bool survived = lost_any(*r) == 0 && recovered_all(*r);
    within += in;
    ok += in && survived;
    std::string name = name_with_faults(*r) + ", " + std::to_string(f) + " killed";
    s.points.push_back({double(c.categories.size()), std::max(0.0, worst_unavailable_ms(*r))});
    c.categories.push_back(name);
    out.runs.push_back(name);
    text += name + ": lost " + fmt_num(lost_any(*r)) + (recovered_all(*r) ? ", recovered" : ", did not recover") +
            (in ? "" : " (more than the claim's f for " + std::to_string(n) + " replicas)") + "; ";
  }
  c.series = {s};
  out.chart = c;
  if (within == 0) {
    out.verdict = Verdict::inconclusive;
    text += "Every run killed more nodes than its settings tolerate, so none tests the claim.";
  } else if (ok == within) {
    out.verdict = Verdict::held;
    text +=
        "Every run within its f (Raft: (n-1)/2; ISR: n-1 failures one at a time, as f+1 data replicas) lost no "
        "acknowledged message and kept accepting writes.";
  } else {
    out.verdict = Verdict::did_not_hold;
    text += "A run within its f lost acknowledged messages or stayed unavailable.";
  }
  out.explanation = text;
}

void claim_masterslave_failover(const RunList& rs, ClaimResult& out) {
  std::map<std::string, const Run*> died;  // failover policy -> run where the master was killed
  RunList partitioned;
  for (const auto* r : rs) {
    if (r->mode != "masterslave") continue;
    if (has_fault(*r, kKill)) {
      auto& d = died[knob(*r, "failover")];
      if (!d || worst_unavailable_ms(*r) > worst_unavailable_ms(*d)) d = r;
    }
    if (has_fault(*r, {"partition", "isolate"}) && knob(*r, "failover") == "watchdog") partitioned.push_back(r);
  }
  if (died.empty() && partitioned.empty()) {
    out.explanation = "No master/slave run killed the master or partitioned a watchdog cluster.";
    return;
  }
  ChartSpec c{.id = "claim5",
              .title = "Claim 5: master/slave write outage by failover policy",
              .caption = "Longest window without a successful write after the master was killed.",
              .xlabel = "",
              .ylabel = "unavailable (ms)",
              .kind = ChartSpec::Kind::bars};
  Series s{.name = "unavailable (ms)", .color = mode_color("masterslave", 0)};
  std::string text;
  for (const auto& [policy, r] : died) {
    s.points.push_back({double(c.categories.size()), std::max(0.0, worst_unavailable_ms(*r))});
    c.categories.push_back("failover=" + policy);
    out.runs.push_back(name_with_faults(*r));
    text += "failover=" + policy + ": outage " + fmt_num(worst_unavailable_ms(*r)) + " ms" +
            (recovered_all(*r) ? "" : " (writes never resumed in the run)") + "; ";
  }
  if (!died.empty()) {
    c.series = {s};
    out.chart = c;
  }
  bool outage_shown = false, outage_measured = died.count("manual") && died.count("watchdog");
  if (outage_measured) {
    const Run& m = *died["manual"];
    const Run& w = *died["watchdog"];
    outage_shown = !recovered_all(m) || worst_unavailable_ms(m) > worst_unavailable_ms(w);
  }
  bool split_measured = !partitioned.empty(), split_shown = false;
  for (const auto* r : partitioned) {
    out.runs.push_back(name_with_faults(*r));
    double ml = num_at(r->result, {"verification", "multi_leader"}).value_or(0);
    double dv = num_at(r->result, {"verification", "divergent"}).value_or(0);
    split_shown = split_shown || ml > 0 || dv > 0 || lost_any(*r) > 0;
    text += "watchdog under a partition: multi-leader " + fmt("%.0f", ml) + ", divergent " + fmt("%.0f", dv) +
            ", lost " + fmt_num(lost_any(*r)) + "; ";
  }
  if (!outage_measured) text += "Manual against watchdog outage not both measured. ";
  if (!split_measured) text += "Split brain under a partition not measured. ";
  if (outage_measured && split_measured)
    out.verdict = outage_shown && split_shown   ? Verdict::held
                  : outage_shown || split_shown ? Verdict::partly_held
                                                : Verdict::did_not_hold;
  else if (outage_measured || split_measured)
    out.verdict = (outage_measured ? outage_shown : split_shown) ? Verdict::partly_held : Verdict::did_not_hold;
  else
    out.verdict = Verdict::inconclusive;
  out.explanation = text;
}

void claim_acked_loss(const RunList& rs, ClaimResult& out) {
  RunList safe, unsafe;
  for (const auto* r : rs) {
    if (!has_fault(*r, kKill)) continue;
    if (is_safe(*r)) safe.push_back(r);
    if (is_unsafe(*r)) unsafe.push_back(r);
  }
  if (safe.empty() && unsafe.empty()) {
    out.explanation = "No run killed a leader in a configuration the claim names.";
    return;
  }
  ChartSpec c{.id = "claim6",
              .title = "Claim 6: acknowledged messages lost when the leader dies",
              .caption = "Lost acknowledged messages per configuration (expected loss included).",
              .xlabel = "",
              .ylabel = "lost acked messages",
              .kind = ChartSpec::Kind::bars};
  Series s{.name = "lost acked", .color = "#cc3311"};
  double safe_lost = 0, unsafe_lost = 0;
  for (const auto* group : {&unsafe, &safe})
    for (const auto* r : *group) {
      s.points.push_back({double(c.categories.size()), lost_any(*r)});
      c.categories.push_back(short_name(*r));
      out.runs.push_back(name_with_faults(*r));
      (group == &safe ? safe_lost : unsafe_lost) += lost_any(*r);
    }
  c.series = {s};
  out.chart = c;
  std::string text = "Unsafe configurations (" + (unsafe.empty() ? std::string("none run") : join_names(unsafe)) +
                     ") lost " + fmt("%.0f", unsafe_lost) + "; safe ones (" +
                     (safe.empty() ? std::string("none run") : join_names(safe)) + ") lost " + fmt("%.0f", safe_lost) +
                     ". ";
  if (safe_lost > 0) {
    out.verdict = Verdict::did_not_hold;
    text += "A configuration that promises no loss lost acknowledged messages.";
  } else if (!safe.empty() && unsafe_lost > 0) {
    out.verdict = Verdict::held;
    text += "Only the configurations that permit it lost acknowledged messages.";
  } else if (!safe.empty()) {
    out.verdict = Verdict::partly_held;
    text += unsafe.empty() ? "The unsafe side was not run."
                           : "The unsafe configurations happened to lose nothing (loss is possible, not certain).";
  } else {
    out.verdict = unsafe_lost > 0 ? Verdict::partly_held : Verdict::inconclusive;
    text += "The safe side was not run.";
  }
  out.explanation = text;
}

}  // namespace rb::report::detail
