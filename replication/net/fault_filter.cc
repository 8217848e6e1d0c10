#include "replication/net/fault_filter.h"

namespace rb::net {

void FaultFilter::set(NodeId peer, wire::Direction d, const wire::FaultRule& rule) {
  RB_ASSERT(rule.validate().ok());
  if (rule.empty()) {
    clear(peer, d);
  } else {
    rules_[{peer, d}] = rule;
  }
}

Status FaultFilter::apply(const wire::AdminBody& body) {
  if (const auto* s = std::get_if<wire::SetFault>(&body)) {
    if (auto v = s->rule.validate(); !v.ok()) return v;
    set(s->peer, s->direction, s->rule);
    return {};
  }
  if (const auto* c = std::get_if<wire::ClearFault>(&body)) {
    clear(c->peer, c->direction);
    return {};
  }
  if (std::holds_alternative<wire::ClearAllFaults>(body)) {
    clear_all();
    return {};
  }
  return make_error(errc::unsupported, "not a fault request");
}

const wire::FaultRule* FaultFilter::rule(NodeId peer, wire::Direction d) const {
  auto it = rules_.find({peer, d});
  return it == rules_.end() ? nullptr : &it->second;
}

FaultFilter::Verdict FaultFilter::decide(NodeId peer, wire::Direction d) {
  const wire::FaultRule* r = rule(peer, d);
  if (r == nullptr) return {};
  // Draw only when a probability is set, so cutting or delaying a link does not shift the
  // random stream other links' drops see.
  if (r->drop_all || (r->drop_probability > 0 && prng_.chance(r->drop_probability))) {
    ++counters_[{peer, d}].dropped;
    return Verdict{true, 0};
  }
  if (r->delay_ms > 0) ++counters_[{peer, d}].delayed;
  return Verdict{false, r->delay_ms};
}

FaultFilter::Counters FaultFilter::counters(NodeId peer, wire::Direction d) const {
  auto it = counters_.find({peer, d});
  return it == counters_.end() ? Counters{} : it->second;
}

}  // namespace rb::net
