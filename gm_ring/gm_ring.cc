// Ring traffic: pubs and acks travelling downstream (activity), catch-ups after view changes and
// for joiners, the master's confirm from the durable path end, and batching of what we forward.
#include <algorithm>

#include "gm_ring/gm_engine.h"

namespace rb::gm {

bool GmEngine::self_synced() const {
  if (joining_ || syncing_) return false;
  if (is_master()) return !unsynced_master_;
  // Synced = holds everything the master still holds (RabbitMQ compares queue depth).
  return log_.log_start() <= master_log_start_;
}

Offset GmEngine::release_end() const {
  // The master sends at once (its own durability gates the confirm locally); a member forwards a
  // record only once its own persisted() covers it, so one message per hop carries both the
  // records and a durable path end that includes them.
  if (is_master()) return log_.log_end();
  return std::min(log_.log_end(), durable_end_);
}

Offset GmEngine::outgoing_hint() const {
  if (is_master()) return fwd_from_;  // the master's own durability is not part of the path
  const Offset up = upstream_ ? upstream_->hint : commit_;
  return std::min(up, durable_end_);
}

RingFacts GmEngine::outgoing_facts() const {
  RingFacts f;
  if (is_master()) {
    f.master_log_start = log_.log_start();
    return f;
  }
  f.master_log_start = master_log_start_;
  if (upstream_) {
    f.unsynced = upstream_->facts.unsynced;
  } else {
    f.unsynced.push_back(RingFacts::kUnknown);
  }
  if (!self_synced()) f.unsynced.push_back(static_cast<int64_t>(ctx_.self.value()));
  return f;
}

GmEngine::SentInfo GmEngine::current_info() const {
  return SentInfo{view_.epoch, downstream(), commit_, outgoing_hint(), outgoing_facts().encode()};
}

bool GmEngine::has_pending_output() const {
  if (!serving_member() || downstream() == ctx_.self) return false;
  if (fwd_from_ < release_end()) return true;
  // Records we owe downstream are not durable yet: hold acks and hints back so they ride on the
  // same message as the records once persisted() arrives (one message per hop).
  if (fwd_from_ < log_.log_end()) return false;
  return !last_sent_ || !(*last_sent_ == current_info());
}

void GmEngine::maybe_flush(bool timer) {
  if (!has_pending_output()) {
    dirty_since_.reset();
    if (serving_member() && downstream() == ctx_.self) fwd_from_ = log_.log_end();
    return;
  }
  const uint32_t linger = ctx_.common.batching.linger_ticks;
  // gm.erl flushes its broadcast buffer when the mailbox is empty (here: at the end of every
  // input), after a timer, or past a size; linger_ticks = 0 is the "empty mailbox" rule.
  if (linger == 0) return flush();
  if (!dirty_since_) dirty_since_ = ticks_;
  if (release_end() - fwd_from_ >= static_cast<int64_t>(ctx_.common.batching.max_entries)) return flush();
  if (timer && ticks_ - *dirty_since_ >= linger) flush();
}

void GmEngine::flush() {
  dirty_since_.reset();
  const NodeId to = downstream();
  if (fwd_from_ < log_.log_start()) fwd_from_ = log_.log_start();
  const Offset end = release_end();
  bool sent = false;
  while (fwd_from_ < end) {
    auto batch = log_.read(fwd_from_, ctx_.common.batching.max_bytes,
                           std::min<size_t>(ctx_.common.batching.max_entries, static_cast<size_t>(end - fwd_from_)));
    RB_ASSERT(batch.ok());
    RB_ASSERT(!batch->empty());
    PeerMessage m = make_msg(to, MsgKind::activity);
    m.offset = fwd_from_;
    auto prev = log_.epoch_at(fwd_from_.prev());
    m.log_epoch = prev.ok() ? *prev : Epoch{0};
    fwd_from_ = fwd_from_ + static_cast<int64_t>(batch->size());
    m.entries = std::move(*batch);
    m.hint = outgoing_hint();
    m.values = outgoing_facts().encode();
    count("activity_sent");
    ready_.messages.push_back(std::move(m));
    sent = true;
  }
  SentInfo info = current_info();
  if (!sent) {
    if (last_sent_ && *last_sent_ == info) return;
    // An info-only activity: the ack round (commit) or a durable path end update.
    PeerMessage m = make_msg(to, MsgKind::activity);
    m.offset = fwd_from_;
    m.hint = info.hint;
    m.values = info.values;
    count("activity_sent");
    ready_.messages.push_back(std::move(m));
  }
  last_sent_ = std::move(info);
}

void GmEngine::send_catchup(NodeId to, Offset from, bool join) {
  from = std::clamp(from, log_.log_start(), log_.log_end());
  const Offset end = log_.log_end();
  std::string state;
  if (join && ctx_.snapshots != nullptr && from <= commit_) state = ctx_.snapshots->snapshot_at(from).state;
  if (!join) fwd_from_ = std::max(fwd_from_, end);  // the catch-up carries everything pending
  Offset at = from;
  do {
    PeerMessage m = make_msg(to, MsgKind::catchup);
    m.offset = at;
    auto prev = log_.epoch_at(at.prev());
    m.log_epoch = prev.ok() ? *prev : log_.start_epoch();
    if (at < end) {
      auto batch = log_.read(at, ctx_.common.batching.max_bytes, ctx_.common.batching.max_entries);
      RB_ASSERT(batch.ok());
      at = at + static_cast<int64_t>(batch->size());
      m.entries = std::move(*batch);
    }
    m.hint = outgoing_hint();
    m.values = outgoing_facts().encode();
    m.context = (join ? kCatchupJoin : 0) | (at >= end ? kCatchupLast : 0);
    if (join && m.offset == from) m.blob = state;
    count("catchup_records", static_cast<int64_t>(m.entries.size()));
    ready_.messages.push_back(std::move(m));
  } while (at < end);
  count("catchups_sent");
  if (!join) last_sent_ = current_info();
}

void GmEngine::on_catchup_request(const PeerMessage& m) {
  if (!serving_member() || m.from != downstream()) {
    count("stale_dropped");
    return;
  }
  Offset from = m.offset;
  if (m.context & kCatchupJoin) {
    // automatic: the whole queue (a blocking sync); manual: only what is still pending, so the
    // member holds new messages and is synced once the older head is consumed.
    from = cfg_.sync_mode == SyncMode::automatic ? log_.log_start() : std::max(commit_, log_.log_start());
  } else {
    count("resends_served");
  }
  send_catchup(m.from, from, (m.context & kCatchupJoin) != 0);
}

void GmEngine::on_ring_message(const PeerMessage& m) {
  const bool catchup = static_cast<MsgKind>(m.kind) == MsgKind::catchup;
  const bool join_reply = catchup && (m.context & kCatchupJoin);
  if (m.from != upstream() || stopped_) {
    count("stale_dropped");
    return;
  }
  if (joining_) {
    if (!join_reply || m.epoch != view_.epoch) {
      count("stale_dropped");
      return;
    }
    // Join empty: the log restarts at the upstream's catch-up start.
    Snapshot snap;
    snap.last_included = m.offset.prev();
    snap.last_epoch = m.log_epoch;
    snap.members = view_.members;
    snap.state = m.blob;
    log_.reset(m.offset, m.log_epoch);
    snapshot_ = std::move(snap);
    joining_ = false;
    syncing_ = true;
    durable_end_ = m.offset;
    fwd_from_ = std::max(m.offset, m.commit);  // records below the upstream's commit stay local
    count("joins_completed");
  }
  if (is_master()) {
    // The pub round came home: the entries are ours. The hint says how far every other member
    // holds our records durably; the returning ack is swallowed.
    if (m.epoch == view_.epoch) {
      upstream_ = UpstreamReport{m.hint, RingFacts::decode(m.values)};
      recompute_master_commit();
      update_block();
    }
    return;
  }
  apply_entries(m);
  if (join_reply && (m.context & kCatchupLast)) syncing_ = false;
  if (m.epoch == view_.epoch) {
    upstream_ = UpstreamReport{m.hint, RingFacts::decode(m.values)};
    master_log_start_ = upstream_->facts.master_log_start;
  }
  // The ack round: the master's confirm watermark, as far as we hold the records durably (so
  // a restart never finds its published commit above what its store kept).
  ack_seen_ = std::max(ack_seen_, m.commit);
  set_commit(std::min(ack_seen_, durable_end_));
}

void GmEngine::apply_entries(const PeerMessage& m) {
  if (m.entries.empty()) return;
  if (m.entries.front().offset > log_.log_end()) {
    // A gap (a lost message): ask the upstream to re-deliver from our end, once per position.
    if (!resend_asked_ || *resend_asked_ != log_.log_end()) {
      PeerMessage req = make_msg(upstream(), MsgKind::catchup_request);
      req.offset = log_.log_end();
      ready_.messages.push_back(std::move(req));
      resend_asked_ = log_.log_end();
      count("resend_requests");
    }
    return;
  }
  for (const Entry& e : m.entries) {
    if (e.offset < log_.log_start()) continue;
    if (e.offset < log_.log_end()) {
      auto have = log_.epoch_at(e.offset);
      if (have.ok() && *have == e.epoch) continue;  // a re-delivery we already hold
      const int64_t cut = log_.log_end() - e.offset;
      log_.truncate_suffix(e.offset);
      count("truncated_records", cut);
      durable_end_ = std::min(durable_end_, e.offset);
      fwd_from_ = std::min(fwd_from_, e.offset);
      emit(Event{.kind = Event::Kind::truncated, .epoch = view_.epoch, .offset = e.offset});
    }
    if (e.epoch < log_.last_epoch()) {
      count("stale_dropped");
      return;
    }
    log_.append(e);
  }
}

void GmEngine::recompute_master_commit() {
  if (!is_master()) return;
  Offset c = std::min(durable_end_, log_.log_end());
  if (downstream() != ctx_.self) {
    if (!upstream_) return;
    c = std::min(c, upstream_->hint);
  }
  set_commit(c);
}

void GmEngine::set_commit(Offset c) {
  if (c <= commit_) return;
  commit_ = c;
  persist_view();  // the hard state carries the commit; it is saved before the commit is published
  complete_pending();
}

void GmEngine::complete_pending() {
  std::erase_if(pending_, [&](const PendingRequest& p) {
    const bool done = p.ack == AckLevel::leader ? durable_end_ >= p.end : commit_ >= p.end;
    if (!done) return false;
    Completion c;
    c.id = p.id;
    c.base_offset = p.base;
    c.epoch = p.epoch;
    ready_.completions.push_back(std::move(c));
    return true;
  });
}

void GmEngine::fail_pending(errc code, const std::string& detail) {
  for (const auto& p : pending_) {
    Completion c;
    c.id = p.id;
    c.code = code;
    c.leader_hint = view_.master;
    c.detail = detail;
    ready_.completions.push_back(std::move(c));
  }
  pending_.clear();
}

void GmEngine::update_block() {
  if (!blocked_ || !upstream_) return;
  if (!upstream_->facts.unsynced.empty()) return;
  blocked_ = false;
  const int64_t ticks = static_cast<int64_t>(ticks_ - blocked_since_);
  counters_["last_block_ticks"] = ticks;
  emit(Event{.kind = Event::Kind::unblocked,
             .epoch = view_.epoch,
             .detail = "automatic sync done after " + std::to_string(ticks) + " ticks"});
}

}  // namespace rb::gm
