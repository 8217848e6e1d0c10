#pragma once
// Helpers shared by the claim evaluators (claims.cc, claims_faults.cc).
#include <cstdio>
#include <string>
#include <vector>

#include "harness/report/claims.h"
#include "harness/report/tables.h"

namespace rb::report::detail {

using RunList = std::vector<const Run*>;

inline bool has_fault(const Run& r, std::initializer_list<const char*> words) {
  const auto* f = json_at(r.result, {"faults"});
  if (!f || !f->is_array()) return false;
  for (const auto& x : *f) {
    std::string s = str_at(x, {"spec"}) + " " + str_at(x, {"kind"});
    for (const char* w : words)
      if (s.find(w) != std::string::npos) return true;
  }
  return false;
}
inline bool no_faults(const Run& r) {
  const auto* f = json_at(r.result, {"faults"});
  return !f || !f->is_array() || f->empty();
}
inline size_t fault_count(const Run& r, std::initializer_list<const char*> words) {
  size_t n = 0;
  const auto* f = json_at(r.result, {"faults"});
  if (!f || !f->is_array()) return 0;
  for (const auto& x : *f) {
    std::string s = str_at(x, {"spec"}) + " " + str_at(x, {"kind"});
    for (const char* w : words)
      if (s.find(w) != std::string::npos) {
        // One fault can hit several nodes (kill:minority): count its targets when recorded.
        const auto* t = json_at(x, {"targets"});
        n += t && t->is_array() && !t->empty() ? t->size() : 1;
        break;
      }
  }
  return n;
}
inline double p50_ms(const Run& r) { return num_at(r.result, {"summary", "publish_latency", "p50"}).value_or(0) / 1e6; }
inline double p99_ms(const Run& r) { return num_at(r.result, {"summary", "publish_latency", "p99"}).value_or(0) / 1e6; }
inline double rate(const Run& r) { return num_at(r.result, {"summary", "publish_rate"}).value_or(0); }
inline double lost_any(const Run& r) {
  return num_at(r.result, {"verification", "lost"}).value_or(0) +
         num_at(r.result, {"verification", "expected_loss"}).value_or(0);
}
inline double replicas(const Run& r) { return num_at(r.result, {"config", "replicas"}).value_or(0); }
inline std::string acks(const Run& r) { return str_at(r.result, {"config", "acks"}); }
inline bool acks_leader_or_less(const Run& r) {
  auto a = acks(r);
  return a == "leader" || a == "none" || a == "1" || a == "0";
}
// Longest unavailability over the run's faults, in ms; -1 when nothing was measured.
inline double worst_unavailable_ms(const Run& r) {
  double w = -1;
  if (const auto* av = json_at(r.result, {"verification", "availability"}); av && av->is_array())
    for (const auto& a : *av) w = std::max(w, num_at(a, {"unavailable_ms"}).value_or(-1));
  return w;
}
inline bool recovered_all(const Run& r) {
  const auto* av = json_at(r.result, {"verification", "availability"});
  if (!av || !av->is_array()) return true;
  for (const auto& a : *av) {
    const auto* d = json_at(a, {"disrupted"});
    const auto* rec = json_at(a, {"recovered"});
    if (d && d->is_boolean() && !d->get<bool>()) continue;  // nothing failed
    if (rec && rec->is_boolean()) {
      if (!rec->get<bool>()) return false;
    } else if (num_at(a, {"unavailable_ms"}).value_or(0) > 0 && !num_at(a, {"rto_ms"})) {
      return false;
    }
  }
  return true;
}
inline std::string fmt(const char* f, double v) {
  char b[64];
  std::snprintf(b, sizeof b, f, v);
  return b;
}
// The short name plus the run's fault schedule ("raft r=3 [kill-leader]").
inline std::string name_with_faults(const Run& r) {
  std::string f;
  if (const auto* fs = json_at(r.result, {"faults"}); fs && fs->is_array())
    for (const auto& x : *fs) f += (f.empty() ? "" : ", ") + fault_label(x);
  return short_name(r) + (f.empty() ? "" : " [" + f + "]");
}
inline std::string join_names(const RunList& rs) {
  std::string s;
  for (const auto* r : rs) s += (s.empty() ? "" : "; ") + name_with_faults(*r);
  return s;
}

// Claim evaluators: each gets the candidate runs (tagged for it, or all) and fills `out`.
void claim_slow_follower(const RunList& rs, ClaimResult& out);         // 1
void claim_survive_f(const RunList& rs, ClaimResult& out);             // 2
void claim_gm_ring_size(const RunList& rs, ClaimResult& out);          // 3
void claim_raft_vs_gm(const RunList& rs, ClaimResult& out);            // 4
void claim_masterslave_failover(const RunList& rs, ClaimResult& out);  // 5
void claim_acked_loss(const RunList& rs, ClaimResult& out);            // 6
void claim_batching(const RunList& rs, ClaimResult& out);              // 7

}  // namespace rb::report::detail
