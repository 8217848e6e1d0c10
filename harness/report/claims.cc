// The claims of the seed-claims suite and the steady-state ones (1, 3, 4, 7); the fault claims
// (2, 5, 6) are in claims_faults.cc.
#include "harness/report/claims.h"

#include <algorithm>
#include <map>
#include <set>

#include "harness/report/claims_internal.h"

namespace rb::report {

using namespace detail;

const char* to_string(Verdict v) {
  switch (v) {
    case Verdict::held:
      return "held";
    case Verdict::partly_held:
      return "partly held";
    case Verdict::did_not_hold:
      return "did not hold";
    case Verdict::inconclusive:
      return "inconclusive";
    case Verdict::not_measured:
      return "not measured";
  }
  return "?";
}

std::string short_name(const Run& r) {
  std::string s = r.mode + " r=" + fmt("%.0f", replicas(r));
  if (acks(r) != "all") s += " acks=" + acks(r);
  if (!r.mode_knobs.empty()) s += " " + r.mode_knobs;
  return s;
}

namespace detail {

void claim_slow_follower(const RunList& rs, ClaimResult& out) {
  RunList slow, base;
  for (const auto* r : rs) (has_fault(*r, {"slow"}) ? slow : base).push_back(r);
  if (slow.empty()) {
    out.explanation = "No run had a slow follower (a fault whose spec contains \"slow\").";
    return;
  }
  ChartSpec c{.id = "claim1",
              .title = "Claim 1: publish p50 with one slow follower",
              .caption = "Per mode: median publish latency without faults and with one slow follower.",
              .xlabel = "",
              .ylabel = "publish p50 (ms)",
              .kind = ChartSpec::Kind::bars};
  Series no{.name = "no fault", .color = "#7f9fbf"}, with{.name = "one slow follower", .color = "#d55e00"};
  std::map<std::string, double> slowdown;  // mode -> p50 ratio slow/base
  std::string text;
  for (const auto* s : slow) {
    const Run* b = nullptr;
    for (const auto* x : base)
      if (x->mode == s->mode && x->mode_knobs == s->mode_knobs && replicas(*x) == replicas(*s) && no_faults(*x)) b = x;
    size_t k = c.categories.size();
    c.categories.push_back(short_name(*s));
    with.points.push_back({double(k), p50_ms(*s)});
    if (b) no.points.push_back({double(k), p50_ms(*b)});
    out.runs.push_back(short_name(*s));
    text += short_name(*s) + ": p50 " + fmt("%.2f", p50_ms(*s)) + " ms";
    if (b && p50_ms(*b) > 0) {
      double ratio = p50_ms(*s) / p50_ms(*b);
      text += " (" + fmt("%.1f", ratio) + "x its no-fault " + fmt("%.2f", p50_ms(*b)) + " ms)";
      if (!acks_leader_or_less(*s)) slowdown[s->mode] = std::max(slowdown[s->mode], ratio);
    }
    text += "; ";
  }
  c.series = {no, with};
  out.chart = c;
  if (slowdown.count("raft") && slowdown.count("isr")) {
    bool held = slowdown["raft"] * 1.5 < slowdown["isr"];
    out.verdict = held ? Verdict::held : Verdict::did_not_hold;
    text += held ? "Raft barely slowed while ISR (acks=all) waited for the slow follower."
                 : "Raft slowed about as much as ISR, so the fastest-majority effect did not show.";
  } else {
    out.verdict = Verdict::inconclusive;
    text += "Needs both a Raft and an ISR (acks=all) run with and without the slow follower to compare.";
  }
  out.explanation = text;
}

void claim_gm_ring_size(const RunList& rs, ClaimResult& out) {
  std::map<double, const Run*> gm, raft;
  for (const auto* r : rs) {
    if (!no_faults(*r) || acks_leader_or_less(*r)) continue;
    if (r->mode == "gm") gm[replicas(*r)] = r;
    if (r->mode == "raft") raft[replicas(*r)] = r;
  }
  if (gm.size() < 2) {
    out.explanation = "Needs fault-free GM runs with at least two ring sizes; found " + std::to_string(gm.size()) + ".";
    return;
  }
  ChartSpec c{.id = "claim3",
              .title = "Claim 3: confirm latency against ring size",
              .caption = "Median (solid) and p99 (dashed) publish latency by number of replicas.",
              .xlabel = "replicas",
              .ylabel = "publish latency (ms)",
              .kind = ChartSpec::Kind::points};
  auto add = [&](const std::map<double, const Run*>& m, const std::string& mode) {
    Series p50{.name = mode + " p50", .color = mode_color(mode, 0)}, p99 = p50;
    p99.name = mode + " p99";
    p99.dash = 2;
    for (const auto& [n, r] : m) {
      p50.points.push_back({n, p50_ms(*r)});
      p99.points.push_back({n, p99_ms(*r)});
      out.runs.push_back(short_name(*r));
    }
    c.series.push_back(p50);
    c.series.push_back(p99);
  };
  add(gm, "gm");
  if (raft.size() >= 2) add(raft, "raft");
  c.ymin = 0;
  out.chart = c;
  std::string text = "GM publish p50 by ring size:";
  bool monotone = true;
  double prev = -1;
  for (const auto& [n, r] : gm) {
    text += " " + fmt("%.0f", n) + " -> " + fmt("%.2f", p50_ms(*r)) + " ms;";
    monotone = monotone && p50_ms(*r) >= prev * 0.98;
    prev = p50_ms(*r);
  }
  bool grew = p50_ms(*gm.rbegin()->second) > 1.05 * p50_ms(*gm.begin()->second);
  out.verdict = monotone && grew ? Verdict::held : Verdict::did_not_hold;
  text += monotone && grew ? " latency grows with every member the confirm waits for."
                           : " latency did not grow steadily with the ring size.";
  out.explanation = text;
}

void claim_raft_vs_gm(const RunList& rs, ClaimResult& out) {
  // Max-rate (closed-loop) runs find the ceiling; fixed-rate runs only show the offered load, so
  // they are used only when there is no max-rate run at all.
  auto max_rate = [](const Run* r) { return num_at(r->result, {"workload", "producerRate"}).value_or(1) == 0; };
  RunList qualifying;
  bool closed_loop = false;
  for (const auto* r : rs) {
    if (!no_faults(*r) || acks_leader_or_less(*r)) continue;
    if (num_at(r->result, {"workload", "messageSize"}).value_or(0) != 1024) continue;
    qualifying.push_back(r);
    closed_loop = closed_loop || max_rate(r);
  }
  std::map<std::string, const Run*> best;  // mode -> fastest qualifying run
  for (const auto* r : qualifying) {
    if (closed_loop && !max_rate(r)) continue;
    auto& b = best[r->mode];
    if (!b || rate(*r) > rate(*b)) b = r;
  }
  if (!best.count("raft") || !best.count("gm")) {
    out.explanation = "Needs fault-free 1 KB runs with confirmations (acks above leader) for both Raft and GM.";
    return;
  }
  ChartSpec c{.id = "claim4",
              .title = "Claim 4: throughput at 1 KB with confirmations",
              .caption = "Acknowledged messages per second, best run per mode.",
              .xlabel = "",
              .ylabel = "publish msg/s",
              .kind = ChartSpec::Kind::bars};
  Series s{.name = "publish msg/s", .color = "#0072b2"};
  for (const auto& [mode, r] : best) {
    s.points.push_back({double(c.categories.size()), rate(*r)});
    c.categories.push_back(short_name(*r));
    out.runs.push_back(short_name(*r));
  }
  c.series = {s};
  out.chart = c;
  double raft = rate(*best["raft"]), gm = rate(*best["gm"]);
  double offered = std::min(num_at(best["raft"]->result, {"workload", "producerRate"}).value_or(0),
                            num_at(best["gm"]->result, {"workload", "producerRate"}).value_or(0));
  std::string text = "Raft " + fmt_num(raft) + " msg/s, GM " + fmt_num(gm) + " msg/s (" +
                     fmt("%.1f", gm > 0 ? raft / gm : 0) + "x; 'several times' is read as at least 3x). ";
  if (!closed_loop && offered > 0 && gm >= 0.97 * offered) {
    out.verdict = Verdict::inconclusive;
    text += "Both carried the offered " + fmt_num(offered) +
            " msg/s: run a max-rate workload (producerRate 0, harness/workloads/max-rate.json) to find the ceiling.";
  } else if (raft >= 3 * gm) {
    out.verdict = Verdict::held;
    text += "Raft moved several times as many confirmed messages.";
  } else if (raft > gm) {
    out.verdict = Verdict::partly_held;
    text += "Raft was faster, but not several times faster.";
  } else {
    out.verdict = Verdict::did_not_hold;
    text += "Raft was not faster than GM here.";
  }
  out.explanation = text;
}

void claim_batching(const RunList& rs, ClaimResult& out) {
  // Runs of one mode that differ only in batching: same mode, knobs, replicas, acks, size, rate.
  std::map<std::string, std::vector<const Run*>> sets;
  std::map<double, const Run*> multi;  // raft: partitions -> run
  for (const auto* r : rs) {
    if (!no_faults(*r)) continue;
    nlohmann::json w = r->result.contains("workload") ? r->result["workload"] : nlohmann::json::object();
    for (const char* k : {"batchMaxEntries", "batchMaxBytes", "batchLingerTicks", "name"}) w.erase(k);
    sets[r->mode + "|" + r->mode_knobs + "|" + w.dump()].push_back(r);
    if (r->mode == "raft") multi[num_at(r->result, {"config", "partitions"}).value_or(1)] = r;
  }
  ChartSpec c{.id = "claim7",
              .title = "Claim 7: batching trades latency for throughput",
              .caption =
                  "Each point is one batching setting (entries/linger ticks); up and right means more "
                  "throughput at a higher median latency.",
              .xlabel = "publish p50 (ms)",
              .ylabel = "publish msg/s",
              .kind = ChartSpec::Kind::points};
  std::string text;
  int tested = 0, held = 0;
  for (auto& [key, v] : sets) {
    auto batch = [](const Run* r) {
      return std::make_pair(num_at(r->result, {"config", "batch_linger_ticks"}).value_or(0),
                            num_at(r->result, {"config", "batch_max_entries"}).value_or(0));
    };
    // One run per batching setting (another cell may repeat the defaults), in batching order.
    std::map<std::pair<double, double>, const Run*> by_batch;
    for (const auto* r : v) by_batch.emplace(batch(r), r);
    if (by_batch.size() < 2) continue;
    v.clear();
    for (const auto& [_, r] : by_batch) v.push_back(r);
    Series s{.name = short_name(*v[0]), .color = mode_color(v[0]->mode, c.series.size())};
    for (const auto* r : v) {
      s.points.push_back({p50_ms(*r), rate(*r)});
      out.runs.push_back(short_name(*r) + " batch " + fmt("%.0f", batch(r).second) + "/linger " +
                         fmt("%.0f", batch(r).first));
    }
    c.series.push_back(s);
    ++tested;
    bool more = rate(*v.back()) > 1.05 * rate(*v.front()), slower = p50_ms(*v.back()) > p50_ms(*v.front());
    held += more && slower;
    text += short_name(*v[0]) + ": " + fmt_num(rate(*v.front())) + " -> " + fmt_num(rate(*v.back())) + " msg/s, p50 " +
            fmt("%.2f", p50_ms(*v.front())) + " -> " + fmt("%.2f", p50_ms(*v.back())) + " ms; ";
  }
  if (multi.size() >= 2)
    text += "Multi-Raft: " + fmt_num(rate(*multi.begin()->second)) + " msg/s with " +
            fmt("%.0f", multi.begin()->first) + " partitions, " + fmt_num(rate(*multi.rbegin()->second)) +
            " msg/s with " + fmt("%.0f", multi.rbegin()->first) + " (leaders spread over the nodes). ";
  else
    text += "Multi-Raft (more partitions, leaders spread) not measured. ";
  if (tested == 0) {
    out.explanation = "No fault-free runs of one mode that differ only in batching. " + text;
    return;
  }
  out.chart = c;
  out.verdict = held == tested ? Verdict::held : held > 0 ? Verdict::partly_held : Verdict::did_not_hold;
  out.explanation = text + (held == tested ? "More batching gave more throughput and a higher median latency."
                                           : "Batching did not always trade latency for throughput.");
}

}  // namespace detail

std::vector<ClaimResult> evaluate_claims(const std::vector<Run>& runs) {
  struct Def {
    const char* claim;
    const char* measurement;
    void (*fn)(const RunList&, ClaimResult&);
  };
  static const Def defs[] = {
      {"Commit latency follows the fastest majority (Raft), the slowest in-sync follower (ISR, acks=all) and one "
       "slave (sync master/slave); a single slow follower shows the difference.",
       "Publish p50 per mode with one slow follower, against the same mode without faults.", claim_slow_follower},
      {"Survive f failures: Raft with 2f+1 replicas; ISR with f+1 data replicas plus a metadata quorum.",
       "Kill f nodes: acknowledged messages lost and whether writes recovered, per mode and replica count.",
       claim_survive_f},
      {"GM waits for every ring member; its latency grows with the number of replicas.",
       "Publish latency of fault-free GM runs at several ring sizes.", claim_gm_ring_size},
      {"At 1 KB with confirmations, a Raft-replicated queue has several times the throughput of a GM ring.",
       "Best acknowledged msg/s of fault-free 1 KB runs, Raft against GM (max-rate workload).", claim_raft_vs_gm},
      {"Master/slave without automated failover has a write outage until an operator acts; a watchdog "
       "(Keepalived-style) shortens it but can split the brain under a partition.",
       "Unavailable window after the master dies, manual against watchdog failover; multi-leader, divergence or "
       "loss under a partition with the watchdog.",
       claim_masterslave_failover},
      {"acks=1 (ISR) and asynchronous master/slave lose acknowledged messages when the leader dies; Raft and ISR "
       "acks=all with min ISR >= 2 and unclean election off do not.",
       "Acknowledged messages lost after the leader is killed, per configuration.", claim_acked_loss},
      {"Batching by count and time raises throughput at a latency cost; Multi-Raft spreads load.",
       "Throughput and p50 of one mode at several batching settings; Raft throughput by partition count.",
       claim_batching},
  };
  std::vector<ClaimResult> out;
  for (int n = 1; n <= 7; ++n) {
    const Def& d = defs[n - 1];
    RunList tagged, all;
    for (const auto& r : runs) {
      all.push_back(&r);
      auto c = claims_of(r);
      if (std::find(c.begin(), c.end(), n) != c.end()) tagged.push_back(&r);
    }
    ClaimResult res;
    res.number = n;
    res.claim = d.claim;
    res.measurement = d.measurement;
    res.source = tagged.empty() ? "runs present (no suite cell names this claim)" : "suite cells for this claim";
    d.fn(tagged.empty() ? all : tagged, res);
    if (res.verdict == Verdict::not_measured) res.chart.reset();
    out.push_back(std::move(res));
  }
  return out;
}

}  // namespace rb::report
