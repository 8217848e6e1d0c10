#include "replication/coordinator/controller.h"

#include "replication/core/assert.h"

namespace rb::coordinator {

Status ControllerConfig::validate() const {
  if (session_timeout_ticks < 1)
    return make_error(errc::invalid_config, "controller: session_timeout_ticks must be >= 1");
  if (retry_ticks < 1) return make_error(errc::invalid_config, "controller: retry_ticks must be >= 1");
  if (election_interval_ticks < 1)
    return make_error(errc::invalid_config, "controller: election_interval_ticks must be >= 1");
  if (rebalance_interval_ticks < 1)
    return make_error(errc::invalid_config, "controller: rebalance_interval_ticks must be >= 1");
  return {};
}

Controller::Controller(ControllerConfig config, const CoordinatorState* state) : config_(config), state_(state) {
  RB_ASSERT(config_.validate().ok());
  RB_ASSERT(state_ != nullptr);
}

bool Controller::may_propose(const std::string& key) {
  auto it = proposed_at_.find(key);
  if (it != proposed_at_.end() && now_ - it->second < config_.retry_ticks) return false;
  proposed_at_[key] = now_;
  return true;
}

std::vector<Command> Controller::on_heartbeat(NodeId node, int64_t broker_epoch, int64_t now_tick) {
  now_ = std::max(now_, now_tick);
  std::vector<Command> out;
  auto it = state_->brokers().find(node);
  if (it == state_->brokers().end() || it->second.broker_epoch != broker_epoch) return out;
  last_heartbeat_[node] = now_;
  if (it->second.fenced && may_propose("unfence/" + to_string(node) + "/" + std::to_string(broker_epoch)))
    out.push_back(UnfenceBroker{node, broker_epoch});
  return out;
}

std::vector<Command> Controller::tick() {
  ++now_;
  std::vector<Command> out;
  for (const auto& [node, info] : state_->brokers()) {
    auto hb = last_heartbeat_.find(node);
    if (hb == last_heartbeat_.end()) hb = last_heartbeat_.emplace(node, now_).first;  // grace: a full session
    if (info.fenced) continue;
    if (now_ - hb->second > config_.session_timeout_ticks && may_propose("fence/" + to_string(node)))
      out.push_back(FenceBroker{node});
  }
  if (now_ - last_election_ >= config_.election_interval_ticks) {
    last_election_ = now_;
    for (const auto& [pid, p] : state_->partitions()) {
      if (p.leader != kNoNode) continue;
      bool any_alive = false;
      for (NodeId r : p.replicas) any_alive = any_alive || state_->alive(r);
      if (any_alive) out.push_back(ElectLeader{pid, ElectionKind::any});
    }
  }
  if (config_.auto_leader_rebalance && now_ - last_rebalance_ >= config_.rebalance_interval_ticks) {
    last_rebalance_ = now_;
    for (const auto& [pid, p] : state_->partitions()) {
      if (p.replicas.empty() || p.leader == p.replicas.front()) continue;
      NodeId pref = p.replicas.front();
      bool in_isr = false;
      for (NodeId r : p.isr) in_isr = in_isr || r == pref;
      if (in_isr && state_->alive(pref)) out.push_back(ElectLeader{pid, ElectionKind::preferred});
    }
  }
  return out;
}

}  // namespace rb::coordinator
