// Views: bootstrap, installing a coordinator (or local) view, promotion of the eldest member,
// joining empty, failure detection, pause_minority and ignore-mode local views.
#include <algorithm>

#include "gm_ring/gm_engine.h"

namespace rb::gm {

namespace {
bool contains(const std::vector<NodeId>& v, NodeId n) { return std::find(v.begin(), v.end(), n) != v.end(); }

// True when `next` only drops members of `prev`, keeping their order (no one joined or moved).
bool is_pure_removal(const std::vector<NodeId>& prev, const std::vector<NodeId>& next) {
  if (next.size() >= prev.size()) return false;
  size_t i = 0;
  for (NodeId n : prev)
    if (i < next.size() && next[i] == n) ++i;
  return i == next.size();
}
}  // namespace

void GmEngine::bootstrap() {
  const bool fresh = ctx_.restored.epoch == Epoch{0} && contains(ctx_.replicas, ctx_.self);
  if (fresh) {
    // The initial view needs no coordinator message: view 1 = replicas in order, master first.
    view_ = View{Epoch{1}, ctx_.replicas, ctx_.replicas.front()};
    persist_view();
    emit(Event{
        .kind = Event::Kind::view_changed, .leader = view_.master, .epoch = view_.epoch, .members = view_.members});
    return;
  }
  // A restarted member (or a node that was never a replica) joins empty: it throws away its log
  // when its upstream's catch-up arrives, as a restarted mirror cannot tell whether it diverged.
  view_ = View{ctx_.restored.epoch, ctx_.restored.members, kNoNode};
  become_joiner(ctx_.restored.epoch == Epoch{0} ? "new member" : "restarted member");
}

void GmEngine::become_joiner(const char* why) {
  joining_ = true;
  syncing_ = false;
  upstream_.reset();
  last_sent_.reset();
  count("joins_started");
  request(MetadataRequest::Kind::member_up, ctx_.self);
  last_up_request_ = ticks_;
  (void)why;
}

void GmEngine::persist_view() {
  HardState hs;
  hs.epoch = view_.epoch;
  hs.members = view_.members;
  hs.commit = commit_;
  hs.extra = "master=" + (view_.master == kNoNode ? std::string("none") : to_string(view_.master));
  ready_.hard_state = std::move(hs);
}

bool GmEngine::in_view(NodeId n) const { return contains(view_.members, n); }
bool GmEngine::is_master() const { return !joining_ && view_.master == ctx_.self && in_view(ctx_.self); }

NodeId GmEngine::downstream() const {
  auto it = std::find(view_.members.begin(), view_.members.end(), ctx_.self);
  if (it == view_.members.end()) return kNoNode;
  ++it;
  return it == view_.members.end() ? view_.members.front() : *it;
}

NodeId GmEngine::upstream() const {
  auto it = std::find(view_.members.begin(), view_.members.end(), ctx_.self);
  if (it == view_.members.end()) return kNoNode;
  return it == view_.members.begin() ? view_.members.back() : *(it - 1);
}

void GmEngine::install_view(View nv, bool local) {
  if (nv.epoch <= view_.epoch) {
    count("stale_views_ignored");
    return;
  }
  const View old = view_;
  const bool was_master = is_master();
  const bool was_synced = self_synced();  // judged as a member, before a possible promotion
  prev_members_ = old.members;
  view_ = std::move(nv);
  count("views_installed");
  if (local) count("local_views");
  persist_view();
  emit(Event{.kind = Event::Kind::view_changed,
             .leader = view_.master,
             .epoch = view_.epoch,
             .members = view_.members,
             .detail = local ? "local view (coordinator unreachable)" : "coordinator view"});
  if (old.master != view_.master)
    emit(Event{.kind = Event::Kind::leader_changed, .leader = view_.master, .epoch = view_.epoch});

  // Per-view ring state restarts: reports from the old ring say nothing about the new one.
  upstream_.reset();
  last_sent_.reset();
  resend_asked_.reset();
  down_requested_.clear();
  first_down_request_.reset();
  for (NodeId n : view_.members) last_heard_[n] = ticks_;  // a grace period for the new neighbours

  if (!in_view(ctx_.self)) {
    if (was_master) fail_pending(errc::not_leader, "removed from the view; outcome unknown");
    blocked_ = unsynced_master_ = false;
    if (!joining_) become_joiner("removed from the view");
    return;
  }
  if (joining_ && view_.master == ctx_.self) {
    // Every older member is gone, so nobody can catch us up: serve from what our store kept (a
    // restarted RabbitMQ master recovers its durable queue). Records only departed members held
    // may be gone; that is an unsynced promotion and follows promote_on_failure.
    joining_ = false;
    fwd_from_ = log_.log_end();
    count("joiner_promotions");
    promote(false);
  } else if (joining_) {
    // gm.erl add_on_right: ask the new upstream for its state; until it arrives we hold nothing.
    send_join_request();
    replay_future();
    return;
  }
  if (was_master && !is_master()) fail_pending(errc::not_leader, "master changed; outcome unknown");
  if (!was_master && is_master()) promote(was_synced);
  if (is_master() && cfg_.sync_mode == SyncMode::automatic && !is_pure_removal(old.members, view_.members)) {
    // A member joined: the queue blocks until every member reports synced (measured).
    if (!blocked_) {
      blocked_ = true;
      blocked_since_ = ticks_;
      count("blocks");
      emit(Event{.kind = Event::Kind::blocked, .epoch = view_.epoch, .detail = "automatic sync of a joining member"});
    }
  }
  // gm.erl catchup: hand our pending (unacknowledged) records and our acks to the downstream,
  // which re-delivers what it missed and applies acks it missed: inheritance of dead members.
  if (downstream() != ctx_.self) {
    send_catchup(downstream(), std::max(commit_, log_.log_start()), false);
  } else {
    fwd_from_ = log_.log_end();
  }
  recompute_master_commit();
  replay_future();
}

void GmEngine::promote(bool was_synced) {
  count("promotions");
  emit(Event{.kind = Event::Kind::failover, .leader = ctx_.self, .epoch = view_.epoch});
  // Records the old master sent but had not confirmed: this master confirms and exposes them
  // although their producers never got a confirm; a producer that retries duplicates them.
  count("requeued_records", log_.log_end() - commit_);
  if (!was_synced) {
    const int64_t lost = log_.log_start() - master_log_start_;
    if (cfg_.promote_on_failure == PromoteOnFailure::always) {
      count("data_loss_records", lost);
      emit(Event{.kind = Event::Kind::data_loss,
                 .offset = log_.log_start(),
                 .detail = "unsynced member promoted; lost " + std::to_string(lost) + " head records"});
    } else {
      unsynced_master_ = true;
      count("blocks");
      emit(Event{.kind = Event::Kind::blocked, .epoch = view_.epoch, .detail = "when-synced: eldest member unsynced"});
    }
  }
  if (!unsynced_master_) master_log_start_ = log_.log_start();
}

void GmEngine::send_join_request() {
  PeerMessage req = make_msg(upstream(), MsgKind::catchup_request);
  req.offset = log_.log_end();
  req.context = kCatchupJoin;
  ready_.messages.push_back(std::move(req));
  last_join_request_ = ticks_;
}

void GmEngine::request(MetadataRequest::Kind kind, NodeId node) {
  MetadataRequest r;
  r.kind = kind;
  r.partition = ctx_.partition;
  r.leader_epoch = view_.epoch;
  r.partition_epoch = view_.epoch;
  r.node = node;
  for (NodeId n : view_.members)
    if (kind != MetadataRequest::Kind::member_down || n != node) r.isr.push_back(n);
  if (kind == MetadataRequest::Kind::member_up && !contains(r.isr, node)) r.isr.push_back(node);
  ready_.metadata_requests.push_back(std::move(r));
  count(kind == MetadataRequest::Kind::member_up ? "member_up_requests" : "member_down_requests");
}

void GmEngine::check_liveness() {
  if (!in_view(ctx_.self)) return;
  std::vector<NodeId> suspects;
  for (NodeId n : view_.members) {
    if (n == ctx_.self) continue;
    if (ticks_ - last_heard_[n] >= cfg_.member_timeout_ticks) suspects.push_back(n);
  }
  for (NodeId s : suspects) {
    auto it = down_requested_.find(s);
    if (it != down_requested_.end() && ticks_ - it->second < cfg_.view_change_timeout_ticks) continue;
    request(MetadataRequest::Kind::member_down, s);
    down_requested_[s] = ticks_;
    if (!first_down_request_) first_down_request_ = ticks_;
  }
  if (suspects.empty()) return;
  if (cfg_.partition_handling != PartitionHandling::ignore) return;
  if (!first_down_request_ || ticks_ - *first_down_request_ < cfg_.view_change_timeout_ticks) return;
  // ignore mode, no view from the coordinator in time: form a view among the members we hear, as
  // Mnesia does on each side of a partition. The eldest live member leads.
  View nv;
  nv.epoch = view_.epoch.next();
  for (NodeId n : view_.members)
    if (!contains(suspects, n)) nv.members.push_back(n);
  nv.master = contains(nv.members, view_.master) ? view_.master : nv.members.front();
  install_view(std::move(nv), true);
}

void GmEngine::update_pause() {
  if (cfg_.partition_handling != PartitionHandling::pause_minority) return;
  size_t heard = 0;
  for (NodeId r : ctx_.replicas) {
    if (r == ctx_.self || ticks_ - last_heard_[r] < cfg_.member_timeout_ticks) ++heard;
  }
  if (!contains(ctx_.replicas, ctx_.self)) ++heard;  // a joiner counts itself too
  const bool pause = 2 * heard <= ctx_.replicas.size();
  if (pause == paused_) return;
  paused_ = pause;
  count(pause ? "pauses" : "resumes");
  emit(Event{.kind = pause ? Event::Kind::blocked : Event::Kind::unblocked,
             .epoch = view_.epoch,
             .detail = "pause_minority: hears " + std::to_string(heard) + " of " +
                       std::to_string(ctx_.replicas.size()) + " replicas"});
}

void GmEngine::replay_future() {
  std::vector<PeerMessage> later;
  std::vector<PeerMessage> now;
  for (auto& m : future_) (m.epoch <= view_.epoch ? now : later).push_back(std::move(m));
  future_ = std::move(later);
  for (auto& m : now) {
    if (static_cast<MsgKind>(m.kind) == MsgKind::catchup_request) {
      on_catchup_request(m);
    } else {
      on_ring_message(m);
    }
  }
}

}  // namespace rb::gm
