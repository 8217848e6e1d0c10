// IsrEngine: construction, inputs, metadata updates from the coordinator, status.
#include "isr/isr_engine.h"

#include <algorithm>

#include "isr/messages.h"
#include "replication/core/assert.h"

namespace rb::isr {
namespace {

std::string join(const std::vector<NodeId>& ns) {
  std::string s = "[";
  for (size_t i = 0; i < ns.size(); ++i) s += (i ? "," : "") + to_string(ns[i]);
  return s + "]";
}

}  // namespace

IsrEngine::IsrEngine(const EngineContext& ctx, IsrConfig config)
    : self_(ctx.self),
      partition_(ctx.partition),
      replicas_(ctx.replicas),
      common_(ctx.common),
      config_(config),
      log_(ctx.log) {
  RB_ASSERT(ctx.log != nullptr);
  RB_ASSERT(config_.validate().ok());
  // Whatever the store kept across a restart is durable (a crash drops only unsynced records).
  durable_end_ = log_.log_end();
  leader_epoch_ = ctx.restored.epoch;
  published_ = ctx.restored.commit;
  hw_ = std::min(ctx.restored.commit, log_.log_end());
  // Until the coordinator says otherwise nobody is known to lead: wait for metadata_update.
}

bool IsrEngine::in(const std::vector<NodeId>& v, NodeId n) const { return std::find(v.begin(), v.end(), n) != v.end(); }

void IsrEngine::emit(Event e) { ready_.events.push_back(std::move(e)); }

void IsrEngine::save_hard_state() {
  HardState hs;
  hs.epoch = leader_epoch_;
  hs.commit = published_;
  hs.members = replicas_;
  ready_.hard_state = hs;
}

void IsrEngine::set_hw(Offset hw) {
  hw_ = hw;
  if (hw_ > published_) {
    published_ = hw_;
    ready_.commit = published_;
    // The commit is part of the hard state (as etcd's HardState.Commit): after a restart the
    // runtime's watermark must not exceed what the engine will publish again.
    save_hard_state();
  }
}

// ---------------------------------------------------------------------------------------------
void IsrEngine::receive(const PeerMessage& msg) {
  if (stopped_) return;
  switch (static_cast<MsgKind>(msg.kind)) {
    case MsgKind::fetch:
      handle_fetch(msg);
      return;
    case MsgKind::fetch_response:
      handle_fetch_response(msg);
      return;
  }
  ++counters_["unknown_messages"];
}

void IsrEngine::tick() {
  ++now_;
  if (stopped_) return;
  if (role_ == Role::leader) {
    leader_tick();
  } else {
    follower_tick();
  }
}

void IsrEngine::persisted(Offset end) {
  // A report may predate a truncation: never count past the current log end.
  durable_end_ = std::max(durable_end_, std::min(end, log_.log_end()));
  if (stopped_) return;
  if (role_ == Role::leader) {
    maybe_advance_hw();
    complete_waiting();
  } else {
    maybe_send_fetch();
  }
}

bool IsrEngine::has_ready() const { return !ready_.empty() || log_.has_writes(); }

Ready IsrEngine::take_ready() {
  log_.take_writes(ready_);
  Ready out = std::move(ready_);
  ready_ = Ready{};
  return out;
}

// ---------------------------------------------------------------------------------------------
Status IsrEngine::admin(const AdminCommand& cmd) {
  switch (cmd.kind) {
    case AdminCommand::Kind::metadata_update:
      if (cmd.metadata.partition != partition_)
        return make_error(errc::bad_input, "isr: metadata for partition " + to_string(cmd.metadata.partition) +
                                               " sent to partition " + to_string(partition_));
      if (!stopped_) on_metadata(cmd.metadata);
      return {};
    case AdminCommand::Kind::campaign:
    case AdminCommand::Kind::transfer_leader: {
      const NodeId preferred = replicas_.empty() ? kNoNode : replicas_.front();
      if (cmd.kind == AdminCommand::Kind::transfer_leader && cmd.node != preferred)
        return make_error(errc::unsupported,
                          "isr: leadership moves only to the preferred replica " + to_string(preferred) +
                              " (Kafka preferred-leader election); reassign replicas to prefer " + to_string(cmd.node));
      MetadataRequest r;
      r.kind = MetadataRequest::Kind::elect_leader;
      r.partition = partition_;
      r.leader_epoch = leader_epoch_;
      r.partition_epoch = meta_ ? meta_->partition_epoch : Epoch{0};
      r.node = preferred;
      ready_.metadata_requests.push_back(std::move(r));
      return {};
    }
    case AdminCommand::Kind::compact: {
      const Offset to = std::min({cmd.offset, hw_, log_.log_end()});
      if (to > log_.log_start()) log_.truncate_prefix(to);
      return {};
    }
    case AdminCommand::Kind::shutdown:
      if (stopped_) return {};
      if (role_ == Role::leader) lose_leadership(kNoNode, "replica shut down");
      stopped_ = true;
      role_ = Role::stopped;
      emit([&] {
        Event e;
        e.kind = Event::Kind::role_changed;
        e.role = Role::stopped;
        return e;
      }());
      return {};
    case AdminCommand::Kind::add_replica:
    case AdminCommand::Kind::remove_replica:
    case AdminCommand::Kind::reset_members:
      return make_error(errc::unsupported, "isr: replica reassignment is not implemented");
    case AdminCommand::Kind::promote:
      return make_error(errc::unsupported,
                        "isr: the coordinator elects leaders; use campaign for a preferred election");
  }
  return make_error(errc::unsupported, "isr: unknown admin command");
}

// ---------------------------------------------------------------------------------------------
void IsrEngine::on_metadata(const PartitionMetadata& m) {
  if (meta_ && m.partition_epoch <= meta_->partition_epoch) return;  // stale or duplicate
  std::optional<PartitionMetadata> prev = meta_;
  meta_ = m;
  if (!m.replicas.empty()) replicas_ = m.replicas;
  if (inflight_ && m.partition_epoch > inflight_->based_on) inflight_.reset();  // answered (or overtaken)
  const std::vector<NodeId> old_isr = isr_;
  isr_ = m.isr;
  if (old_isr != isr_)
    emit([&] {
      Event e;
      e.kind = Event::Kind::isr_changed;
      e.epoch = m.leader_epoch;
      e.members = isr_;
      return e;
    }());

  if (m.leader == self_) {
    if (role_ == Role::leader && m.leader_epoch == leader_epoch_) {
      // Same term, new ISR (our AlterPartition, or the controller fenced a follower). A replica
      // taken out of the ISR stops counting as caught up until a fetch shows it is: otherwise a
      // fenced, silent follower would hold the HW back for replica.lag.time.max (Kafka checks
      // the broker's fencing state there; the engine only sees the ISR).
      for (NodeId n : old_isr) {
        auto it = followers_.find(n);
        if (it != followers_.end() && !in(isr_, n)) it->second.last_caught_up_tick = kNeverTick;
      }
      if (isr_.size() < min_isr()) {
        fail_pending(errc::not_enough_replicas, kNoNode,
                     "NOT_ENOUGH_REPLICAS_AFTER_APPEND: the records were appended but the ISR shrank to " + join(isr_) +
                         " (< min.insync.replicas " + std::to_string(min_isr()) +
                         ") while waiting; they may still be committed later (a retry may duplicate them "
                         "without idempotence)",
                     true);
      }
      maybe_advance_hw();
      complete_waiting();
      return;
    }
    become_leader(m, prev);
    return;
  }
  const bool epoch_changed = m.leader_epoch != leader_epoch_;
  if (role_ == Role::leader) lose_leadership(m.leader, "the coordinator moved leadership");
  leader_epoch_ = m.leader_epoch;
  if (m.leader == kNoNode) {
    if (leader_ != kNoNode)
      emit([&] {
        Event e;
        e.kind = Event::Kind::leader_changed;
        e.leader = kNoNode;
        e.epoch = m.leader_epoch;
        return e;
      }());
    leader_ = kNoNode;
    fetch_outstanding_ = false;
    ++fetch_id_;
  } else if (epoch_changed || leader_ != m.leader) {
    become_follower(m.leader);
  }
  if (epoch_changed) save_hard_state();
}

void IsrEngine::become_leader(const PartitionMetadata& m, const std::optional<PartitionMetadata>& prev) {
  const bool was_leader = role_ == Role::leader;
  role_ = Role::leader;
  leader_ = self_;
  leader_epoch_ = m.leader_epoch;
  epoch_start_offset_ = log_.log_end();
  fetch_outstanding_ = false;
  ++fetch_id_;
  parked_.clear();
  inflight_.reset();
  followers_.clear();
  for (NodeId r : replicas_) {
    if (r == self_) continue;
    ReplicaState st;
    // Kafka resetReplicaState: ISR members count as caught up now; their ends are unknown
    // until they fetch, so the HW waits for every one of them.
    if (in(isr_, r)) st.last_caught_up_tick = now_;
    followers_.emplace(r, st);
  }
  last_isr_check_ = now_;
  hw_ = std::min(hw_, log_.log_end());
  ++counters_["leader_elections_won"];
  if (!was_leader)
    emit([&] {
      Event e;
      e.kind = Event::Kind::role_changed;
      e.role = Role::leader;
      return e;
    }());
  emit([&] {
    Event e;
    e.kind = Event::Kind::leader_changed;
    e.leader = self_;
    e.epoch = leader_epoch_;
    return e;
  }());
  // The coordinator does not flag unclean elections in PartitionMetadata; infer it exactly when
  // the previous record is the immediately preceding version: a clean election picks from the
  // old ISR or ELR.
  if (prev && prev->partition_epoch.next() == m.partition_epoch && !in(prev->isr, self_) && !in(prev->elr, self_)) {
    ++counters_["unclean_elections"];
    emit([&] {
      Event e;
      e.kind = Event::Kind::data_loss;
      e.leader = self_;
      e.node = self_;
      e.epoch = leader_epoch_;
      e.offset = log_.log_end();
      e.detail = "elected uncleanly (not in ISR " + join(prev->isr) + " nor ELR " + join(prev->elr) +
                 "): records acknowledged beyond offset " + to_string(log_.log_end()) + " on other replicas are lost";
      return e;
    }());
  }
  save_hard_state();
  maybe_advance_hw();
  complete_waiting();
}

void IsrEngine::become_follower(NodeId leader) {
  const bool role_change = role_ != Role::follower;
  role_ = Role::follower;
  leader_ = leader;
  followers_.clear();
  parked_.clear();
  inflight_.reset();
  fetch_outstanding_ = false;
  ++fetch_id_;
  backoff_until_ = now_;
  if (role_change)
    emit([&] {
      Event e;
      e.kind = Event::Kind::role_changed;
      e.role = Role::follower;
      return e;
    }());
  emit([&] {
    Event e;
    e.kind = Event::Kind::leader_changed;
    e.leader = leader;
    e.epoch = leader_epoch_;
    return e;
  }());
  // Truncation is driven by the fetch response's diverging epoch (KIP-320), not done blindly to
  // the HW here: that was the KIP-101 bug.
  maybe_send_fetch();
}

void IsrEngine::lose_leadership(NodeId new_leader, const char* why) {
  fail_pending(
      errc::not_leader, new_leader,
      std::string("leadership lost (") + why + ") while waiting; the records were appended and may or may not survive",
      false);
  parked_.clear();
  followers_.clear();
  inflight_.reset();
  role_ = Role::follower;
  emit([&] {
    Event e;
    e.kind = Event::Kind::role_changed;
    e.role = Role::follower;
    return e;
  }());
}

// ---------------------------------------------------------------------------------------------
EngineStatus IsrEngine::status() const {
  EngineStatus s;
  s.role = stopped_ ? Role::stopped : role_;
  s.leader = leader_;
  s.epoch = leader_epoch_;
  s.commit = published_;
  s.log_start = log_.log_start();
  s.log_end = log_.log_end();
  s.durable_end = durable_end_;
  s.members = replicas_;
  s.in_sync = isr_;
  if (role_ == Role::leader) {
    for (const auto& [n, r] : followers_) {
      FollowerProgress p;
      p.node = n;
      p.match = r.leo.value() >= 0 ? r.leo.prev() : Offset{-1};
      p.lag = r.leo.value() >= 0 ? log_.log_end() - r.leo : log_.log_end().value();
      p.in_sync = in(isr_, n);
      s.followers.push_back(p);
    }
  }
  s.counters = counters_;
  s.counters["high_watermark"] = hw_.value();
  s.counters["pending_produce"] = static_cast<int64_t>(pending_leader_.size() + pending_all_.size());
  return s;
}

}  // namespace rb::isr
