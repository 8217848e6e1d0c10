#include "replication/coordinator/coordinator_state.h"

#include <algorithm>

#include "replication/core/assert.h"

namespace rb::coordinator {
namespace {

bool contains(const std::vector<NodeId>& v, NodeId n) { return std::find(v.begin(), v.end(), n) != v.end(); }

void erase(std::vector<NodeId>& v, NodeId n) { std::erase(v, n); }

std::string join(const std::vector<NodeId>& ns) {
  std::string s = "[";
  for (size_t i = 0; i < ns.size(); ++i) s += (i ? "," : "") + to_string(ns[i]);
  return s + "]";
}

bool same_content(const PartitionMetadata& a, const PartitionMetadata& b) {
  return a.leader == b.leader && a.replicas == b.replicas && a.isr == b.isr && a.elr == b.elr &&
         a.unclean_shutdown == b.unclean_shutdown;
}

Applied fail(errc code, std::string detail) { return Applied{make_error(code, std::move(detail)), {}, {}}; }

}  // namespace

Status CoordinatorConfig::validate() const {
  if (min_insync < 1) return make_error(errc::invalid_config, "coordinator: min_insync must be >= 1");
  return {};
}

CoordinatorState::CoordinatorState(CoordinatorConfig config) : config_(config) { RB_ASSERT(config_.validate().ok()); }

const PartitionMetadata* CoordinatorState::partition(PartitionId p) const {
  auto it = partitions_.find(p);
  return it == partitions_.end() ? nullptr : &it->second;
}

bool CoordinatorState::alive(NodeId n) const {
  auto it = brokers_.find(n);
  return it != brokers_.end() && !it->second.fenced;
}

Applied CoordinatorState::apply(const Command& cmd) {
  struct V {
    CoordinatorState& s;
    Applied operator()(const RegisterBroker& c) { return s.register_broker(c); }
    Applied operator()(const FenceBroker& c) { return s.fence_broker(c); }
    Applied operator()(const UnfenceBroker& c) { return s.unfence_broker(c); }
    Applied operator()(const CreatePartition& c) { return s.create_partition(c); }
    Applied operator()(const AlterPartition& c) { return s.alter_partition(c); }
    Applied operator()(const ElectLeader& c) { return s.elect_leader(c); }
    Applied operator()(const MarkUncleanShutdown& c) { return s.mark_unclean_shutdown(c); }
    Applied operator()(const ChangeMember& c) { return s.change_member(c); }
  };
  return std::visit(V{*this}, cmd);
}

// ---------------------------------------------------------------------------------------------
std::vector<NodeId> CoordinatorState::target_elr(const PartitionMetadata& prev,
                                                 const std::vector<NodeId>& next_isr) const {
  if (!config_.eligible_leader_replicas) return {};
  const size_t min_isr = std::min<size_t>(config_.min_insync, prev.replicas.size());
  if (next_isr.size() >= min_isr) return {};  // the HW may advance again: old members are not safe
  std::vector<NodeId> out;
  for (NodeId r : prev.replicas) {  // assignment order keeps the result deterministic
    const bool was = contains(prev.isr, r) || contains(prev.elr, r);
    if (was && !contains(next_isr, r) && !contains(prev.unclean_shutdown, r)) out.push_back(r);
  }
  return out;
}

NodeId CoordinatorState::choose_leader(const PartitionMetadata& p, ElectionKind kind, bool& unclean) const {
  unclean = false;
  if (kind == ElectionKind::preferred) {
    NodeId pref = p.replicas.empty() ? kNoNode : p.replicas.front();
    return pref != kNoNode && alive(pref) && contains(p.isr, pref) ? pref : kNoNode;
  }
  if (p.leader != kNoNode && alive(p.leader) && contains(p.isr, p.leader)) return p.leader;
  for (NodeId r : p.replicas)
    if (alive(r) && contains(p.isr, r)) return r;
  if (config_.eligible_leader_replicas) {
    for (NodeId r : p.replicas)
      if (alive(r) && contains(p.elr, r)) return r;
  }
  if (kind == ElectionKind::unclean || config_.unclean_leader_election) {
    for (NodeId r : p.replicas) {
      if (alive(r)) {
        unclean = true;
        return r;
      }
    }
  }
  return kNoNode;
}

void CoordinatorState::commit(PartitionMetadata next, bool force_leader_epoch, bool unclean, Applied& out) {
  auto it = partitions_.find(next.partition);
  RB_ASSERT(it != partitions_.end());
  const PartitionMetadata& cur = it->second;
  if (!force_leader_epoch && same_content(cur, next)) return;
  RB_ASSERT(next.leader == kNoNode || contains(next.isr, next.leader));
  for (NodeId e : next.elr) RB_ASSERT(!contains(next.isr, e));
  next.leader_epoch = (force_leader_epoch || next.leader != cur.leader) ? cur.leader_epoch.next() : cur.leader_epoch;
  next.partition_epoch = cur.partition_epoch.next();
  it->second = next;
  out.changed.push_back(std::move(next));
  if (unclean) {
    out.unclean.push_back(it->first);
    ++unclean_elections_;
  }
}

// Elects a leader for `next` (whose leader is missing or invalid) and adjusts ISR/ELR as Kafka's
// PartitionChangeBuilder does: a leader from outside the ISR becomes the whole ISR; an unclean
// leader also clears the ELR (those replicas no longer agree with the leader's log).
static void install_leader(PartitionMetadata& next, NodeId leader, bool unclean) {
  next.leader = leader;
  if (leader == kNoNode) return;
  if (!contains(next.isr, leader)) next.isr = {leader};
  erase(next.elr, leader);
  if (unclean) next.elr.clear();
}

void CoordinatorState::fence_in_partitions(NodeId node, Applied& out) {
  for (auto& [pid, cur] : partitions_) {
    if (!contains(cur.isr, node) && cur.leader != node) continue;
    PartitionMetadata next = cur;
    std::vector<NodeId> isr = cur.isr;
    erase(isr, node);
    // Kafka: without ELR the ISR never becomes empty; the last member stays (leader -1) so that
    // only it can be elected when it returns.
    if (isr.empty() && !config_.eligible_leader_replicas) isr = cur.isr;
    next.isr = isr;
    next.elr = target_elr(cur, isr);
    bool unclean = false;
    if (cur.leader == node) {
      next.leader = kNoNode;
      NodeId l = choose_leader(next, ElectionKind::any, unclean);
      install_leader(next, l, unclean);
      if (unclean) next.elr.clear();
    }
    commit(std::move(next), false, unclean, out);
  }
}

// ---------------------------------------------------------------------------------------------
Applied CoordinatorState::register_broker(const RegisterBroker& c) {
  Applied out;
  auto it = brokers_.find(c.node);
  if (it != brokers_.end()) {
    if (c.broker_epoch <= it->second.broker_epoch)
      return fail(errc::fenced, "RegisterBroker: broker " + to_string(c.node) + " epoch " +
                                    std::to_string(c.broker_epoch) + " is not above the registered " +
                                    std::to_string(it->second.broker_epoch));
    if (!it->second.fenced) {
      it->second.fenced = true;  // the old incarnation is gone: fence it everywhere first
      fence_in_partitions(c.node, out);
    }
  }
  brokers_[c.node] = BrokerInfo{c.broker_epoch, true};
  return out;
}

Applied CoordinatorState::fence_broker(const FenceBroker& c) {
  auto it = brokers_.find(c.node);
  if (it == brokers_.end()) return fail(errc::not_found, "FenceBroker: unknown broker " + to_string(c.node));
  Applied out;
  if (it->second.fenced) return out;
  it->second.fenced = true;
  fence_in_partitions(c.node, out);
  return out;
}

Applied CoordinatorState::unfence_broker(const UnfenceBroker& c) {
  auto it = brokers_.find(c.node);
  if (it == brokers_.end()) return fail(errc::not_found, "UnfenceBroker: unknown broker " + to_string(c.node));
  if (it->second.broker_epoch != c.broker_epoch)
    return fail(errc::fenced, "UnfenceBroker: broker " + to_string(c.node) + " epoch " +
                                  std::to_string(c.broker_epoch) + " != registered " +
                                  std::to_string(it->second.broker_epoch));
  Applied out;
  if (!it->second.fenced) return out;
  it->second.fenced = false;
  // Kafka handleBrokerUnfenced: leaderless partitions of this broker try an election.
  for (auto& [pid, cur] : partitions_) {
    if (cur.leader != kNoNode || !contains(cur.replicas, c.node)) continue;
    PartitionMetadata next = cur;
    bool unclean = false;
    NodeId l = choose_leader(next, ElectionKind::any, unclean);
    if (l == kNoNode) continue;
    install_leader(next, l, unclean);
    commit(std::move(next), false, unclean, out);
  }
  return out;
}

Applied CoordinatorState::create_partition(const CreatePartition& c) {
  if (partitions_.count(c.partition))
    return fail(errc::duplicate, "CreatePartition: partition " + to_string(c.partition) + " exists");
  if (c.replicas.empty()) return fail(errc::bad_input, "CreatePartition: no replicas");
  for (size_t i = 0; i < c.replicas.size(); ++i)
    for (size_t j = i + 1; j < c.replicas.size(); ++j)
      if (c.replicas[i] == c.replicas[j])
        return fail(errc::bad_input, "CreatePartition: replica " + to_string(c.replicas[i]) + " listed twice");
  PartitionMetadata p;
  p.partition = c.partition;
  p.replicas = c.replicas;
  for (NodeId r : c.replicas)
    if (alive(r)) p.isr.push_back(r);
  if (p.isr.empty()) return fail(errc::unavailable, "CreatePartition: no unfenced replica in " + join(c.replicas));
  p.leader = p.isr.front();
  p.leader_epoch = Epoch{1};  // Epoch 0 means "before any leader"
  p.partition_epoch = Epoch{1};
  partitions_.emplace(c.partition, p);
  Applied out;
  out.changed.push_back(p);
  return out;
}

Applied CoordinatorState::alter_partition(const AlterPartition& c) {
  auto it = partitions_.find(c.partition);
  if (it == partitions_.end())
    return fail(errc::not_found, "AlterPartition: unknown partition " + to_string(c.partition));
  const PartitionMetadata& cur = it->second;
  const std::string where = "AlterPartition(partition " + to_string(c.partition) + "): ";
  if (c.leader != cur.leader)
    return fail(errc::fenced, where + "sender " + to_string(c.leader) + " is not the leader " + to_string(cur.leader));
  if (c.leader_epoch != cur.leader_epoch)
    return fail(errc::fenced, where + "leader epoch " + to_string(c.leader_epoch) + " != current " +
                                  to_string(cur.leader_epoch) + " (FENCED_LEADER_EPOCH)");
  if (c.partition_epoch != cur.partition_epoch)
    return fail(errc::fenced, where + "partition epoch " + to_string(c.partition_epoch) + " != current " +
                                  to_string(cur.partition_epoch) + " (INVALID_UPDATE_VERSION)");
  if (!contains(c.new_isr, c.leader)) return fail(errc::bad_input, where + "the ISR must contain the leader");
  for (size_t i = 0; i < c.new_isr.size(); ++i) {
    NodeId r = c.new_isr[i];
    if (!contains(cur.replicas, r)) return fail(errc::bad_input, where + to_string(r) + " is not a replica");
    for (size_t j = i + 1; j < c.new_isr.size(); ++j)
      if (c.new_isr[j] == r) return fail(errc::bad_input, where + to_string(r) + " listed twice");
    if (!contains(cur.isr, r) && !alive(r))
      return fail(errc::unavailable, where + "replica " + to_string(r) + " is fenced (INELIGIBLE_REPLICA)");
  }
  PartitionMetadata next = cur;
  next.isr = c.new_isr;
  next.elr = target_elr(cur, c.new_isr);
  std::erase_if(next.unclean_shutdown, [&](NodeId n) { return contains(c.new_isr, n); });
  Applied out;
  commit(std::move(next), false, false, out);
  return out;
}

Applied CoordinatorState::elect_leader(const ElectLeader& c) {
  auto it = partitions_.find(c.partition);
  if (it == partitions_.end()) return fail(errc::not_found, "ElectLeader: unknown partition " + to_string(c.partition));
  const PartitionMetadata& cur = it->second;
  Applied out;
  bool unclean = false;
  NodeId l = choose_leader(cur, c.kind, unclean);
  if (l == kNoNode) {
    if (c.kind == ElectionKind::preferred)
      return fail(errc::unavailable, "ElectLeader: preferred leader " +
                                         (cur.replicas.empty() ? std::string("-") : to_string(cur.replicas.front())) +
                                         " is fenced or not in the ISR " + join(cur.isr));
    return fail(errc::unavailable, "ElectLeader: no eligible leader (ISR " + join(cur.isr) + ", ELR " + join(cur.elr) +
                                       ", unclean election " + (config_.unclean_leader_election ? "on" : "off") + ")");
  }
  if (l == cur.leader) return out;  // already led by a valid leader
  PartitionMetadata next = cur;
  install_leader(next, l, unclean);
  commit(std::move(next), false, unclean, out);
  return out;
}

Applied CoordinatorState::mark_unclean_shutdown(const MarkUncleanShutdown& c) {
  auto it = brokers_.find(c.node);
  if (it == brokers_.end()) return fail(errc::not_found, "MarkUncleanShutdown: unknown broker " + to_string(c.node));
  Applied out;
  if (!it->second.fenced) {
    it->second.fenced = true;
    fence_in_partitions(c.node, out);
  }
  for (auto& [pid, cur] : partitions_) {
    const bool in_elr = contains(cur.elr, c.node);
    if (!in_elr && !contains(cur.isr, c.node)) continue;
    PartitionMetadata next = cur;
    erase(next.elr, c.node);  // KIP-966: it may have lost committed records
    if (!contains(next.unclean_shutdown, c.node)) next.unclean_shutdown.push_back(c.node);
    commit(std::move(next), false, false, out);
  }
  // A partition may have been changed twice; keep only its last version.
  std::vector<PartitionMetadata> last;
  for (auto& m : out.changed) {
    std::erase_if(last, [&](const PartitionMetadata& x) { return x.partition == m.partition; });
    last.push_back(std::move(m));
  }
  std::sort(last.begin(), last.end(), [](const auto& a, const auto& b) { return a.partition < b.partition; });
  out.changed = std::move(last);
  return out;
}

Applied CoordinatorState::change_member(const ChangeMember& c) {
  auto it = partitions_.find(c.partition);
  if (it == partitions_.end())
    return fail(errc::not_found, "ChangeMember: unknown partition " + to_string(c.partition));
  const PartitionMetadata& cur = it->second;
  if (c.partition_epoch != Epoch{0} && c.partition_epoch != cur.partition_epoch)
    return fail(errc::fenced, "ChangeMember: partition epoch " + to_string(c.partition_epoch) + " != current " +
                                  to_string(cur.partition_epoch));
  Applied out;
  PartitionMetadata next = cur;
  if (c.up) {
    if (contains(cur.isr, c.node)) return out;  // idempotent
    if (!contains(next.replicas, c.node)) next.replicas.push_back(c.node);
    next.isr.push_back(c.node);
    erase(next.elr, c.node);
    if (next.leader == kNoNode) next.leader = next.isr.front();
  } else {
    if (!contains(cur.isr, c.node)) return out;  // idempotent
    erase(next.isr, c.node);
    if (next.leader == c.node) next.leader = next.isr.empty() ? kNoNode : next.isr.front();  // the eldest
  }
  commit(std::move(next), true, false, out);
  return out;
}

std::string CoordinatorState::dump() const {
  std::string s;
  for (const auto& [n, b] : brokers_)
    s += "broker " + to_string(n) + " epoch=" + std::to_string(b.broker_epoch) + (b.fenced ? " fenced\n" : "\n");
  for (const auto& [pid, p] : partitions_) {
    s += "partition " + to_string(pid) +
         " leader=" + (p.leader == kNoNode ? std::string("none") : to_string(p.leader)) +
         " leader_epoch=" + to_string(p.leader_epoch) + " partition_epoch=" + to_string(p.partition_epoch) +
         " replicas=" + join(p.replicas) + " isr=" + join(p.isr) + " elr=" + join(p.elr) +
         " unclean_shutdown=" + join(p.unclean_shutdown) + "\n";
  }
  s += "unclean_elections=" + std::to_string(unclean_elections_) + "\n";
  return s;
}

}  // namespace rb::coordinator
