// What each run's settings promise: the commit rule, failures tolerated, replicas needed to
// survive f failures, and the availability measured per fault.
#include <algorithm>

#include "harness/report/tables.h"

namespace rb::report {

namespace {

int as_int(std::optional<double> v, int fallback) { return v ? static_cast<int>(*v) : fallback; }

bool acks_replicated(const std::string& acks) { return acks == "all" || acks == "quorum" || acks == "-1"; }

std::string fault_name(const nlohmann::json& f) { return str_at(f, {"spec"}, str_at(f, {"kind"}, "fault")); }

// The availability entry for fault i: matched by index ("fault": i) or by name ("fault": spec).
const nlohmann::json* availability_for(const nlohmann::json& result, size_t i, const std::string& name) {
  const auto* av = json_at(result, {"verification", "availability"});
  if (!av || !av->is_array()) return nullptr;
  for (const auto& a : *av) {
    const auto* f = json_at(a, {"fault"});
    if (!f) continue;
    if (f->is_number_integer() && f->get<int64_t>() == static_cast<int64_t>(i)) return &a;
    if (f->is_string() && f->get<std::string>() == name) return &a;
  }
  // No fault field at all: the n-th entry belongs to the n-th fault.
  if (i < av->size() && !json_at((*av)[i], {"fault"})) return &(*av)[i];
  return nullptr;
}

}  // namespace

std::string commit_rule(const Run& r) {
  const auto& c = r.result;
  std::string acks = str_at(c, {"config", "acks"});
  int n = as_int(num_at(c, {"config", "replicas"}), 0);
  int m = as_int(num_at(c, {"config", "min_insync"}), n / 2 + 1);
  std::string rule;
  if (acks == "none" || acks == "0") {
    rule = "on receipt (acks=0), before any write";
  } else if (acks == "leader" || acks == "1") {
    rule = "after the leader's own append (acks=1)";
  } else if (r.mode == "raft") {
    rule = "stored by a majority: " + std::to_string(n / 2 + 1) + " of " + std::to_string(n) + " voters";
  } else if (r.mode == "isr") {
    rule = "stored by every ISR member; needs ISR ≥ min.insync=" + std::to_string(m) + " of " + std::to_string(n);
  } else if (r.mode == "masterslave") {
    if (knob(r, "replication") == "async")
      rule = "master only; slaves copy asynchronously";
    else
      rule = knob(r, "sync_acks") == "all" ? "master + every slave" : "master + one slave (sync)";
  } else if (r.mode == "gm") {
    rule = "every ring member (" + std::to_string(n) + ")";
  } else {
    rule = "acks=" + acks;
  }
  return rule + "; fsync " + str_at(c, {"config", "fsync"}, "?");
}

Tolerance tolerance_of(const Run& r) {
  const auto& c = r.result;
  std::string acks = str_at(c, {"config", "acks"});
  int n = as_int(num_at(c, {"config", "replicas"}), 1);
  int m = std::min(n, as_int(num_at(c, {"config", "min_insync"}), n / 2 + 1));
  bool replicated = acks_replicated(acks);
  bool fsync_always = str_at(c, {"config", "fsync"}) == "always";
  Tolerance t;
  if (r.mode == "raft") {
    t.rule = "2f+1 replicas: a majority quorum of voters";
    t.no_loss = replicated ? (n - 1) / 2 : 0;
    t.writable = (n - 1) / 2;
    t.needed_f1 = "3";
    t.needed_f2 = "5";
    if (!fsync_always) t.caveat = "fsync not per batch: a crash of a majority can lose committed entries";
  } else if (r.mode == "isr") {
    t.rule = "f+1 data replicas with min.insync=f+1, plus a 2f+1 metadata quorum";
    bool unclean = knob(r, "unclean_leader_election") == "true";
    t.no_loss = replicated && !unclean ? m - 1 : 0;
    t.writable = replicated ? n - m : n - 1;
    t.needed_f1 = "2 data (3 to stay writable) + 3 metadata";
    t.needed_f2 = "3 data (5 to stay writable) + 5 metadata";
    if (unclean)
      t.caveat = "unclean election may elect a replica missing acknowledged writes";
    else if (replicated)
      t.caveat = "more failures are survived one at a time if the ISR shrinks in between; writes stop below min.insync";
  } else if (r.mode == "masterslave") {
    t.rule = "2 replicas (master + sync slave); failover " + knob(r, "failover");
    bool sync = knob(r, "replication") != "async";
    t.no_loss = sync && replicated ? (knob(r, "sync_acks") == "all" ? n - 1 : std::min(1, n - 1)) : 0;
    std::string fo = knob(r, "failover");
    t.writable = fo == "manual" || fo.empty() ? 0 : n - 1;
    t.needed_f1 = "2";
    t.needed_f2 = "3 (sync_acks=all)";
    if (fo == "manual" || fo.empty())
      t.caveat = "manual failover: writes stop until an operator promotes a slave";
    else if (fo == "watchdog")
      t.caveat = "watchdog failover can promote a slave while the master lives (split brain under a partition)";
  } else if (r.mode == "gm") {
    t.rule = "n = f+1 members, no quorum: every member confirms each message";
    t.no_loss = replicated ? n - 1 : 0;
    t.writable = n - 1;
    t.needed_f1 = "2";
    t.needed_f2 = "3";
    t.caveat = "no quorum: a network partition is handled by partition_handling=" + knob(r, "partition_handling");
  } else {
    t.rule = "unknown mode";
  }
  if (acks == "none" || acks == "0" || acks == "leader" || acks == "1") {
    t.no_loss = 0;
    t.caveat = "acks=" + acks + ": the leader alone holds a write when it is acknowledged";
  }
  return t;
}

Table replicas_table(const std::vector<Run>& runs, const Group& g) {
  Table t;
  t.title = "Replicas needed to survive f failures";
  t.header = {"run",
              "rule",
              "replicas",
              "failures without acked loss",
              "failures still writable (no operator)",
              "needed for f=1",
              "needed for f=2",
              "caveat"};
  for (size_t i : g.runs) {
    const Run& r = runs[i];
    Tolerance x = tolerance_of(r);
    t.rows.push_back({{r.label},
                      {x.rule},
                      {fmt_num(num_at(r.result, {"config", "replicas"}))},
                      {std::to_string(x.no_loss), x.no_loss == 0},
                      {std::to_string(x.writable), x.writable == 0},
                      {x.needed_f1},
                      {x.needed_f2},
                      {x.caveat}});
  }
  t.note =
      "Rules: Raft 2f+1 (a majority must survive); ISR f+1 data replicas holding every acknowledged write "
      "(min.insync = f+1, unclean election off) plus a 2f+1 metadata quorum; master/slave 2 (a master and a sync "
      "slave), manual failover; GM n = f+1 members with no quorum. Counts are simultaneous failures computed from "
      "the settings, not measured; the availability table and the claims section measure them.";
  return t;
}

Table availability_table(const std::vector<Run>& runs, const Group& g) {
  Table t;
  t.title = "Availability per fault";
  t.header = {"run",      "fault",      "targets",       "window (s)", "status", "unavailable (ms)",
              "RTO (ms)", "lost acked", "leader changes"};
  for (size_t i : g.runs) {
    const Run& r = runs[i];
    const auto* faults = json_at(r.result, {"faults"});
    if (!faults || !faults->is_array()) continue;
    for (size_t k = 0; k < faults->size(); ++k) {
      const auto& f = (*faults)[k];
      std::string name = fault_name(f);
      std::string targets;
      if (const auto* tg = json_at(f, {"targets"}); tg && tg->is_array())
        for (const auto& x : *tg) targets += (targets.empty() ? "" : ",") + x.dump();
      auto start = num_at(f, {"start_s"});
      auto end = num_at(f, {"end_s"});
      std::string window = fmt_num(start, 1) + " – " + (end ? fmt_num(end, 1) : std::string("never healed"));
      std::string status = str_at(f, {"status"}, "?");
      std::string err = str_at(f, {"error"});
      if (!err.empty()) status += ": " + err;
      const auto* a = availability_for(r.result, k, name);
      auto lost = a ? num_at(*a, {"lost"}) : std::nullopt;
      auto rto = a ? num_at(*a, {"rto_ms"}) : std::nullopt;
      std::string rto_s = fmt_ms(rto);
      // rto_ms is null both when nothing failed and when writes never came back: "disrupted" and
      // "recovered" tell the two apart (older results lack them).
      const auto* disrupted = a ? json_at(*a, {"disrupted"}) : nullptr;
      const auto* recovered = a ? json_at(*a, {"recovered"}) : nullptr;
      if (a && !rto) {
        if (disrupted && disrupted->is_boolean() && !disrupted->get<bool>())
          rto_s = "no failed write";
        else if ((recovered && recovered->is_boolean() && !recovered->get<bool>()) ||
                 (!recovered && num_at(*a, {"unavailable_ms"}).value_or(0) > 0))
          rto_s = "not recovered";
      }
      t.rows.push_back({{r.label},
                        {fault_label(f)},
                        {targets.empty() ? "–" : targets},
                        {window},
                        {status, !err.empty()},
                        {a ? fmt_ms(num_at(*a, {"unavailable_ms"})) : "–"},
                        {rto_s, rto_s == "not recovered"},
                        {fmt_num(lost), lost.value_or(0) > 0},
                        {a ? fmt_num(num_at(*a, {"leader_changes"})) : "–"}});
    }
  }
  t.note =
      "Times are seconds from the start of the measured phase (negative = warm-up). Unavailable: the longest "
      "window with no successful write that overlaps the fault. RTO: fault start to the first success after the "
      "first failure. Lost acked: acknowledged messages missing at the end, attributed to this fault (RPO).";
  return t;
}

}  // namespace rb::report
