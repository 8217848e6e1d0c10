// GmEngine inputs and outputs: propose, receive, tick, persisted, admin, Ready and status.
// Views and failure handling live in gm_view.cc, ring traffic in gm_ring.cc.
#include "gm_ring/gm_engine.h"

#include <algorithm>

namespace rb::gm {

GmEngine::GmEngine(const EngineContext& ctx, const GmConfig& cfg) : ctx_(ctx), cfg_(cfg), log_(ctx.log) {
  RB_ASSERT(cfg_.validate().ok());
  RB_ASSERT(!ctx_.replicas.empty());
  // What the store kept across a restart is durable by definition (a crash drops the rest).
  durable_end_ = log_.log_end();
  commit_ = ctx_.restored.commit;
  // Ready::commit never moves back, also across restarts: every commit change is saved in the
  // hard state before it is published (as etcd/raft's HardState.Commit), so this is the most the
  // previous instance published.
  emitted_commit_ = commit_;
  fwd_from_ = log_.log_end();
  master_log_start_ = log_.log_start();
  for (NodeId n : ctx_.replicas) last_heard_[n] = 0;
  bootstrap();
  note_role();
}

void GmEngine::propose(ProposeRequest req) {
  auto fail = [&](errc code, std::string detail) {
    Completion c;
    c.id = req.id;
    c.code = code;
    c.leader_hint = view_.master;
    c.detail = std::move(detail);
    ready_.completions.push_back(std::move(c));
  };
  if (stopped_) return fail(errc::unavailable, "engine shut down");
  if (!is_master() || joining_) return fail(errc::not_leader, "not the master of the current view");
  if (paused_) return fail(errc::unavailable, "pause_minority: cannot hear a majority of the replicas");
  if (unsynced_master_) return fail(errc::unavailable, "promote_on_failure=when-synced: master is not synced");
  if (blocked_) return fail(errc::unavailable, "queue blocked: automatic sync of a new member in progress");
  if (req.entries.empty()) return fail(errc::bad_input, "empty proposal");
  for (const auto& e : req.entries)
    if (e.payload_size() > ctx_.common.max_message_bytes)
      return fail(errc::too_large, "record above max_message_bytes");

  const Offset base = log_.log_end();
  Offset o = base;
  for (auto& e : req.entries) {
    e.offset = o;
    e.epoch = view_.epoch;
    ++o;
  }
  log_.append(std::move(req.entries));
  count("records_proposed", o - base);
  if (req.ack == AckLevel::none) {
    Completion c;
    c.id = req.id;
    c.base_offset = base;
    c.epoch = view_.epoch;
    ready_.completions.push_back(std::move(c));
  } else {
    pending_.push_back(PendingRequest{req.id, base, o, req.ack, view_.epoch});
  }
  recompute_master_commit();  // a ring of one confirms on its own durability
  maybe_flush(false);
  note_role();
}

void GmEngine::receive(const PeerMessage& m) {
  if (stopped_) return;
  last_heard_[m.from] = ticks_;
  const auto kind = static_cast<MsgKind>(m.kind);
  switch (kind) {
    case MsgKind::heartbeat:
      break;
    case MsgKind::activity:
    case MsgKind::catchup:
    case MsgKind::catchup_request:
      // Lemma 3 of gm.erl: a message from view N may be processed at any view >= N. A message
      // from a view we have not installed waits until the coordinator's update arrives.
      if (m.epoch > view_.epoch) {
        if (future_.size() < 4096) future_.push_back(m);
        count("future_stashed");
        break;
      }
      if (kind == MsgKind::catchup_request) {
        on_catchup_request(m);
      } else {
        on_ring_message(m);
      }
      break;
    default:
      count("unknown_kind");
  }
  maybe_flush(false);
  note_role();
}

void GmEngine::tick() {
  if (stopped_) return;
  ++ticks_;
  if (ticks_ - last_heartbeat_ >= cfg_.heartbeat_ticks) {
    last_heartbeat_ = ticks_;
    std::vector<NodeId> to = view_.members;
    for (NodeId r : ctx_.replicas)
      if (std::find(to.begin(), to.end(), r) == to.end()) to.push_back(r);
    for (NodeId n : to) {
      if (n == ctx_.self) continue;
      PeerMessage hb = make_msg(n, MsgKind::heartbeat);
      hb.offset = log_.log_end();
      ready_.messages.push_back(std::move(hb));
    }
  }
  if (joining_ && in_view(ctx_.self)) {
    // Our upstream may itself have been joining when our request arrived: ask again.
    if (ticks_ - last_join_request_ >= cfg_.heartbeat_ticks) send_join_request();
  } else if (joining_) {
    if (!last_up_request_ || ticks_ - *last_up_request_ >= cfg_.view_change_timeout_ticks) {
      request(MetadataRequest::Kind::member_up, ctx_.self);
      last_up_request_ = ticks_;
    }
  } else {
    check_liveness();
  }
  update_pause();
  if (blocked_ || unsynced_master_) count("blocked_ticks");
  if (paused_) count("paused_ticks");
  maybe_flush(true);
  note_role();
}

void GmEngine::persisted(Offset end) {
  if (stopped_) return;
  const Offset clamped = std::min(end, log_.log_end());
  if (clamped <= durable_end_) return;
  durable_end_ = clamped;
  if (!is_master()) set_commit(std::min(ack_seen_, durable_end_));
  recompute_master_commit();
  complete_pending();
  maybe_flush(false);
}

Status GmEngine::admin(const AdminCommand& cmd) {
  using K = AdminCommand::Kind;
  switch (cmd.kind) {
    case K::metadata_update: {
      const auto& md = cmd.metadata;
      if (md.partition != ctx_.partition) return make_error(errc::bad_input, "metadata for another partition");
      if (md.isr.empty()) return make_error(errc::bad_input, "a GM view needs at least one member");
      View v{md.leader_epoch, md.isr, md.leader == kNoNode ? md.isr.front() : md.leader};
      if (std::find(v.members.begin(), v.members.end(), v.master) == v.members.end())
        return make_error(errc::bad_input, "view master is not a view member");
      install_view(std::move(v), false);
      maybe_flush(false);
      note_role();
      return {};
    }
    case K::add_replica:
      request(MetadataRequest::Kind::member_up, cmd.node);
      return {};
    case K::remove_replica:
      request(MetadataRequest::Kind::member_down, cmd.node);
      return {};
    case K::promote:
      // Manual failover for when-synced: serve although unsynced (the operator accepts the loss).
      if (!unsynced_master_) return make_error(errc::unsupported, "GM masters change only through views");
      unsynced_master_ = false;
      count("data_loss_records", log_.log_start() - master_log_start_);
      emit(Event{.kind = Event::Kind::data_loss,
                 .offset = log_.log_start(),
                 .detail = "manual promotion of an unsynced member"});
      emit(Event{.kind = Event::Kind::unblocked, .detail = "manual promotion"});
      master_log_start_ = log_.log_start();
      note_role();
      return {};
    case K::compact: {
      const Offset to = std::min({cmd.offset, commit_, log_.log_end()});
      if (to > log_.log_start()) log_.truncate_prefix(to);
      if (is_master()) master_log_start_ = log_.log_start();
      maybe_flush(false);
      return {};
    }
    case K::shutdown:
      fail_pending(errc::unavailable, "shutdown");
      stopped_ = true;
      note_role();
      return {};
    default:
      return make_error(errc::unsupported, "GM ring: views and masters come from the coordinator");
  }
}

bool GmEngine::has_ready() const {
  return !ready_.empty() || log_.has_writes() || commit_ > emitted_commit_ || snapshot_;
}

Ready GmEngine::take_ready() {
  Ready r = std::move(ready_);
  ready_ = Ready{};
  if (snapshot_) {
    r.snapshot = std::move(snapshot_);
    snapshot_.reset();
  }
  log_.take_writes(r);
  if (commit_ > emitted_commit_) {
    emitted_commit_ = commit_;
    r.commit = commit_;
  }
  return r;
}

Role GmEngine::role() const {
  if (stopped_) return Role::stopped;
  if (joining_ || syncing_) return Role::learner;
  if (is_master()) return Role::leader;
  return Role::follower;
}

void GmEngine::note_role() {
  Role r = role();
  if (r == last_role_) return;
  last_role_ = r;
  emit(Event{.kind = Event::Kind::role_changed, .role = r, .leader = view_.master, .epoch = view_.epoch});
}

EngineStatus GmEngine::status() const {
  EngineStatus s;
  s.role = role();
  s.leader = view_.master;
  s.epoch = view_.epoch;
  s.commit = commit_;
  s.log_start = log_.log_start();
  s.log_end = log_.log_end();
  s.durable_end = durable_end_;
  s.members = view_.members;
  if (is_master() && !joining_) {
    std::vector<int64_t> unsynced = upstream_ ? upstream_->facts.unsynced : std::vector<int64_t>{};
    for (NodeId n : view_.members) {
      bool synced = std::find(unsynced.begin(), unsynced.end(), static_cast<int64_t>(n.value())) == unsynced.end();
      if (synced) s.in_sync.push_back(n);
      if (n == ctx_.self) continue;
      FollowerProgress p;
      p.node = n;
      p.match = commit_.prev();  // every member holds the confirmed prefix
      p.lag = log_.log_end() - commit_;
      p.in_sync = synced;
      s.followers.push_back(p);
    }
  } else if (self_synced()) {
    s.in_sync.push_back(ctx_.self);
  }
  s.counters = counters_;
  s.counters["synced"] = self_synced() ? 1 : 0;
  s.counters["blocked"] = blocked_ || unsynced_master_ ? 1 : 0;
  s.counters["paused"] = paused_ ? 1 : 0;
  return s;
}

PeerMessage GmEngine::make_msg(NodeId to, MsgKind kind) const {
  PeerMessage m;
  m.from = ctx_.self;
  m.to = to;
  m.partition = ctx_.partition;
  m.kind = static_cast<uint16_t>(kind);
  m.epoch = view_.epoch;
  m.commit = commit_;
  return m;
}

}  // namespace rb::gm
