#include "masterslave/engine.h"

#include <algorithm>
#include <charconv>

#include "replication/core/assert.h"

namespace rb::masterslave {
namespace {

size_t position_of(const std::vector<NodeId>& replicas, NodeId self) {
  auto it = std::find(replicas.begin(), replicas.end(), self);
  return static_cast<size_t>(it - replicas.begin());  // replicas.size() when absent
}

// HardState::extra holds "master=<id>" (the master this replica last followed or was).
std::string encode_master(NodeId m) { return "master=" + (m == kNoNode ? std::string("none") : to_string(m)); }

NodeId decode_master(const std::string& extra) {
  constexpr std::string_view prefix = "master=";
  if (extra.rfind(prefix, 0) != 0) return kNoNode;
  uint32_t v = 0;
  const char* b = extra.data() + prefix.size();
  const char* e = extra.data() + extra.size();
  auto [p, ec] = std::from_chars(b, e, v);
  return (ec == std::errc() && p == e) ? NodeId{v} : kNoNode;
}

}  // namespace

MasterSlaveEngine::MasterSlaveEngine(const EngineContext& ctx, MasterSlaveConfig cfg)
    : self_(ctx.self),
      replicas_(ctx.replicas),
      position_(position_of(ctx.replicas, ctx.self)),
      common_(ctx.common),
      cfg_(cfg),
      log_(ctx.log),
      durable_end_(ctx.log->log_end()),  // what survived a restart is on disk
      commit_(ctx.restored.commit),
      published_commit_(ctx.restored.commit) {
  RB_ASSERT(!replicas_.empty());
  RB_ASSERT(cfg_.validate().ok());
  for (NodeId n : replicas_)
    if (n != self_) slaves_.push_back(SlaveProgress{.node = n});
  if (ctx.restored.epoch.value() == 0) {
    // Fresh start: static configuration, as a RocketMQ broker group's brokerId 0.
    epoch_ = Epoch{1};
    master_ = replicas_.front();
    if (master_ == self_) {
      role_ = Role::leader;
      emit({.kind = Event::Kind::role_changed, .role = Role::leader, .leader = self_, .epoch = epoch_});
    }
    emit({.kind = Event::Kind::leader_changed, .leader = master_, .epoch = epoch_});
    hard_state_dirty_ = true;
  } else {
    // Restart: we cannot know whether a failover happened while we were down, so even a former
    // master comes back as a slave and waits to hear the current master.
    epoch_ = ctx.restored.epoch;
    master_ = decode_master(ctx.restored.extra);
    if (master_ == self_) {
      master_ = kNoNode;
      abdicated_ = true;
    }
  }
  if (!is_master() && master_ != kNoNode) send_query();
}

// ---------------------------------------------------------------------------------------------
// Epochs and roles.

Epoch MasterSlaveEngine::next_own_epoch() const {
  // Epochs are ballots: replica i only ever uses epochs e with (e - 1) mod n == i, so two slaves
  // that promote themselves at once (watchdog, split brain) never share an epoch, and records
  // of different masters never carry the same epoch. Epoch 1 is replica 0, the initial master.
  const uint64_t n = std::max(replicas_.size(), position_ + 1);
  uint64_t e = epoch_.value() + 1;
  while ((e - 1) % n != position_) ++e;
  return Epoch{e};
}

void MasterSlaveEngine::become_master() {
  RB_ASSERT(!is_master());
  const NodeId old_master = master_;
  epoch_ = next_own_epoch();
  master_ = self_;
  abdicated_ = false;
  role_ = Role::leader;
  synced_ = false;
  linger_deadline_tick_.reset();
  for (auto& p : slaves_) p = SlaveProgress{.node = p.node};  // every slave re-handshakes
  ++counters_["failovers"];
  save_hard_state();
  emit({.kind = Event::Kind::role_changed, .role = Role::leader, .leader = self_, .epoch = epoch_});
  emit({.kind = Event::Kind::leader_changed, .leader = self_, .epoch = epoch_});
  emit({.kind = Event::Kind::failover,
        .leader = self_,
        .node = old_master,
        .epoch = epoch_,
        .detail = "promoted to master in epoch " + to_string(epoch_)});
  // Tell every slave at once: they adopt the new epoch and start the handshake.
  send_heartbeats();
  master_progress();
}

void MasterSlaveEngine::raise_master_epoch(Epoch seen) {
  RB_ASSERT(is_master());
  RB_ASSERT(seen > epoch_);
  epoch_ = seen;
  epoch_ = next_own_epoch();
  for (auto& p : slaves_) p = SlaveProgress{.node = p.node};  // every slave re-handshakes
  ++counters_["epoch_raises"];
  save_hard_state();
  emit({.kind = Event::Kind::epoch_changed, .epoch = epoch_});
  emit({.kind = Event::Kind::leader_changed, .leader = self_, .epoch = epoch_});
  send_heartbeats();
}

void MasterSlaveEngine::become_slave(Epoch epoch, NodeId master, const std::string& why) {
  RB_ASSERT(epoch >= epoch_);
  const bool was_master = is_master();
  if (was_master) {
    ++counters_["step_downs"];
    fail_waiters(errc::not_leader, "master stepped down (" + why + "); the write may or may not survive", master);
    role_ = Role::follower;
    emit({.kind = Event::Kind::role_changed, .role = Role::follower, .leader = master, .epoch = epoch});
  }
  const bool changed = epoch != epoch_ || master != master_;
  if (epoch != epoch_) emit({.kind = Event::Kind::epoch_changed, .epoch = epoch});
  epoch_ = epoch;
  if (master != master_) master_commit_ = Offset{0};  // a watermark from another master means nothing
  master_ = master;
  if (master_ != kNoNode) abdicated_ = false;
  synced_ = false;
  gap_reported_at_.reset();
  last_reported_ = Offset{-1};
  ticks_since_master_ = 0;
  if (changed) {
    save_hard_state();
    emit({.kind = Event::Kind::leader_changed, .leader = master_, .epoch = epoch_, .detail = why});
  }
  if (master_ != kNoNode) send_query();
}

void MasterSlaveEngine::save_hard_state() { hard_state_dirty_ = true; }

void MasterSlaveEngine::reply_stale(const PeerMessage& m) {
  ++counters_["stale_epoch_rejects"];
  PeerMessage r{.to = m.from, .kind = to_wire(MsgKind::stale_epoch), .epoch = epoch_, .reject = true};
  if (master_ != kNoNode) r.members.push_back(master_);
  if (abdicated_ && master_ == kNoNode) r.context = kStaleAbdicated;
  send(std::move(r));
}

// ---------------------------------------------------------------------------------------------
// Inputs.

void MasterSlaveEngine::propose(ProposeRequest req) {
  if (stopped_) {
    complete({.id = req.id, .code = errc::unavailable, .detail = "replica shut down"});
    return;
  }
  if (!is_master()) {
    std::string detail = master_ != kNoNode ? "this replica is a slave; the master is node " + to_string(master_)
                                            : (cfg_.failover == Failover::manual
                                                   ? "no master: manual failover, an operator must promote a slave"
                                                   : "no master known yet: waiting for a master's heartbeat");
    complete({.id = req.id, .code = errc::not_leader, .leader_hint = master_, .detail = std::move(detail)});
    return;
  }
  master_propose(std::move(req));
}

void MasterSlaveEngine::receive(const PeerMessage& m) {
  if (stopped_ || m.to != self_ || m.from == self_) return;
  const auto kind = static_cast<MsgKind>(m.kind);
  if (kind == MsgKind::stale_epoch) {
    if (m.epoch > epoch_ && is_master() && m.context == kStaleAbdicated) {
      // The newer epoch's master was the sender and it has restarted without resuming: nobody
      // leads that epoch, so we keep leading under an epoch above it instead of leaving the
      // group without a master (the operator promoted us after that master died).
      raise_master_epoch(m.epoch);
      return;
    }
    if (m.epoch > epoch_) {
      NodeId hint = m.members.empty() || m.members.front() == self_ ? kNoNode : m.members.front();
      become_slave(m.epoch, hint, "node " + to_string(m.from) + " knows the newer epoch " + to_string(m.epoch));
    }
    return;
  }
  if (m.epoch < epoch_) {
    // The sender lives in an older epoch (an old master, or a slave of one): tell it. A master
    // in an older epoch steps down when it hears this.
    reply_stale(m);
    return;
  }
  const bool from_master = kind == MsgKind::push || kind == MsgKind::heartbeat || kind == MsgKind::epoch_reply;
  if (m.epoch > epoch_) {
    become_slave(m.epoch, from_master ? m.from : kNoNode,
                 "node " + to_string(m.from) + " is in the newer epoch " + to_string(m.epoch));
    if (!from_master) return;
  }
  if (from_master) {
    if (is_master()) {
      // Same epoch, two masters: impossible with ballot epochs (next_own_epoch).
      ++counters_["same_epoch_conflicts"];
      return;
    }
    if (master_ == kNoNode) {
      // A restarted replica waiting to hear a master: this one leads our epoch.
      master_ = m.from;
      abdicated_ = false;
      save_hard_state();
      emit({.kind = Event::Kind::leader_changed, .leader = master_, .epoch = epoch_});
      send_query();
    }
    if (m.from != master_) return;
    ticks_since_master_ = 0;
    if (kind == MsgKind::push) on_push(m);
    if (kind == MsgKind::heartbeat) on_heartbeat(m);
    if (kind == MsgKind::epoch_reply) on_epoch_reply(m);
    return;
  }
  if (!is_master()) return;  // a slave still thinks we lead; its watchdog or an operator acts
  if (kind == MsgKind::report) on_report(m);
  if (kind == MsgKind::epoch_query) on_epoch_query(m);
}

void MasterSlaveEngine::tick() {
  if (stopped_) return;
  ++now_ticks_;
  if (is_master()) {
    master_tick();
  } else {
    slave_tick();
  }
}

void MasterSlaveEngine::persisted(Offset end) {
  // A completion may describe a longer log than we have now (a truncation raced the fsync);
  // only the part that still exists counts.
  durable_end_ = std::max(durable_end_, std::min(end, log_.log_end()));
  if (stopped_) return;
  if (is_master()) {
    master_progress();
  } else {
    if (synced_ && durable_end_ > last_reported_) send_report(false);
    slave_commit();
  }
}

Status MasterSlaveEngine::admin(const AdminCommand& cmd) {
  using K = AdminCommand::Kind;
  if (stopped_) return make_error(errc::unavailable, "replica shut down");
  switch (cmd.kind) {
    case K::promote:
      if (!is_master()) become_master();
      return {};
    case K::compact: {
      const Offset upto = std::min({cmd.offset, commit_, log_.log_end()});
      if (upto > log_.log_start()) log_.truncate_prefix(upto);
      return {};
    }
    case K::shutdown:
      if (is_master()) fail_waiters(errc::unavailable, "master shut down", kNoNode);
      stopped_ = true;
      role_ = Role::stopped;
      emit({.kind = Event::Kind::role_changed, .role = Role::stopped, .leader = master_, .epoch = epoch_});
      return {};
    case K::transfer_leader:
      return make_error(errc::unsupported,
                        "master/slave has no leadership transfer: send AdminCommand::promote to the target slave");
    case K::campaign:
      return make_error(errc::unsupported, "master/slave has no elections: use AdminCommand::promote");
    case K::add_replica:
    case K::remove_replica:
    case K::reset_members:
      return make_error(errc::unsupported, "master/slave uses the static replica group given at creation");
    case K::metadata_update:
      return make_error(errc::unsupported, "master/slave does not use the coordinator (yet)");
  }
  return make_error(errc::unsupported, "unknown admin command");
}

// ---------------------------------------------------------------------------------------------
// Output.

void MasterSlaveEngine::send(PeerMessage m) {
  m.from = self_;
  RB_ASSERT(m.to != self_);
  if (m.epoch.value() == 0) m.epoch = epoch_;
  out_messages_.push_back(std::move(m));
}

void MasterSlaveEngine::emit(Event e) { out_events_.push_back(std::move(e)); }

void MasterSlaveEngine::complete(Completion c) {
  if (c.code == errc::ok) {
    RB_ASSERT(c.base_offset.value() >= 0);
  } else {
    ++counters_[std::string("completion_") + std::string(rb::to_string(c.code))];
  }
  out_completions_.push_back(std::move(c));
}

void MasterSlaveEngine::raise_commit(Offset c) { commit_ = std::max(commit_, c); }

bool MasterSlaveEngine::has_ready() const {
  return hard_state_dirty_ || log_.has_writes() || !out_messages_.empty() || commit_ > published_commit_ ||
         !out_completions_.empty() || !out_events_.empty();
}

Ready MasterSlaveEngine::take_ready() {
  Ready r;
  // The commit watermark is part of the hard state (as in etcd's HardState), so that a restarted
  // replica never publishes a smaller one than it did before its crash.
  if (hard_state_dirty_ || commit_ > published_commit_) {
    r.hard_state = HardState{.epoch = epoch_, .commit = commit_, .members = replicas_, .extra = encode_master(master_)};
    hard_state_dirty_ = false;
  }
  log_.take_writes(r);
  r.messages = std::move(out_messages_);
  out_messages_.clear();
  if (commit_ > published_commit_) {
    r.commit = commit_;
    published_commit_ = commit_;
  }
  r.completions = std::move(out_completions_);
  out_completions_.clear();
  r.events = std::move(out_events_);
  out_events_.clear();
  return r;
}

EngineStatus MasterSlaveEngine::status() const {
  EngineStatus s;
  s.role = role_;
  s.leader = master_;
  s.epoch = epoch_;
  s.commit = commit_;
  s.log_start = log_.log_start();
  s.log_end = log_.log_end();
  s.durable_end = durable_end_;
  s.members = replicas_;
  s.counters = counters_;
  s.counters["synced"] = synced_ ? 1 : 0;
  if (is_master()) {
    s.in_sync.push_back(self_);
    for (const auto& p : slaves_) {
      const bool in_sync = slave_available(p);
      if (in_sync) s.in_sync.push_back(p.node);
      s.followers.push_back(
          {.node = p.node, .match = p.match.prev(), .lag = log_.log_end() - p.match, .in_sync = in_sync});
    }
  }
  return s;
}

}  // namespace rb::masterslave
