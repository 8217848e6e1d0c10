// Log replication (Raft paper section 5.3, 5.4.2): proposals, AppendEntries on both sides with
// pipelining and a per-follower window, fast back-off over divergent logs, heartbeats, and
// commit by counting replicas of current-term entries only. The leader's own append counts once
// persisted() says so (parallel leader append, thesis 10.2.1).
#include <algorithm>

#include "raft/raft_engine.h"

namespace rb::raft {

// ---------------------------------------------------------------------------------------------
// Leader side.

void RaftEngine::propose_as_leader(ProposeRequest& req) {
  ++counters_.proposals;
  const Offset first = log_.log_end();
  Offset o = first;
  uint64_t bytes = 0;
  for (Entry& e : req.entries) {
    e.offset = o;
    e.epoch = term_;
    o = o.next();
    bytes += e.wire_size();
  }
  const size_t n = req.entries.size();
  log_.append(std::move(req.entries));
  unsent_entries_ += n;
  unsent_bytes_ += bytes;
  Pending p{req.id, first, o.prev(), req.ack};
  switch (req.ack) {
    case AckLevel::none:
      complete(p, errc::ok);  // answered on receipt: the offset is assigned, nothing is stored yet
      break;
    case AckLevel::leader:
      pending_leader_.push_back(p);
      break;
    case AckLevel::quorum:
    case AckLevel::all:  // for Raft, "all" is the strongest ack the protocol has: commit
      pending_.push_back(p);
      break;
  }
}

bool RaftEngine::flush_due() const {
  if (state_ != State::leader) return false;
  if (commit_dirty_ || bcast_now_) return true;
  if (unsent_entries_ == 0) return false;
  return cfg_.linger_ticks == 0 || linger_elapsed_ >= cfg_.linger_ticks || unsent_entries_ >= cfg_.max_entries ||
         unsent_bytes_ >= cfg_.max_bytes;
}

// Sends what is due: new entries to every follower (as many messages as their windows allow),
// then the commit watermark to followers that were not told it by an append.
void RaftEngine::flush() {
  if (unsent_entries_ > 0 || bcast_now_) {
    for (auto& [n, pr] : prs_) {
      if (bcast_now_ && !pr.paused()) {
        send_append(n, pr, /*send_if_empty=*/true);
      }
      while (send_append(n, pr, /*send_if_empty=*/false)) {
      }
    }
    unsent_entries_ = 0;
    unsent_bytes_ = 0;
    linger_elapsed_ = 0;
    bcast_now_ = false;
  }
  if (commit_dirty_) {
    commit_dirty_ = false;
    for (auto& [n, pr] : prs_) {
      if (std::min(pr.match.next(), commit_) > pr.commit_sent) send_heartbeat(n, pr, /*commit_only=*/true);
    }
  }
}

// Sends one append to `to` if its state allows. Returns true when the message carried entries
// (callers loop to fill the pipeline).
bool RaftEngine::send_append(NodeId to, Progress& pr, bool send_if_empty) {
  if (pr.paused()) return false;
  if (pr.next < log_.log_start()) {
    send_snapshot(to, pr);
    return false;
  }
  const Offset prev = pr.next.prev();
  auto prev_term = term_at(prev);
  if (!prev_term) {
    send_snapshot(to, pr);
    return false;
  }
  Entries entries;
  if (pr.next < log_.log_end()) {
    auto r = log_.read(pr.next, cfg_.max_bytes, cfg_.max_entries);
    if (!r.ok()) {
      if (r.code() == errc::compacted) send_snapshot(to, pr);
      return false;
    }
    entries = std::move(r.value());
  }
  if (entries.empty() && !send_if_empty) return false;
  PeerMessage m = make_msg(MsgKind::append, to);
  m.offset = prev;
  m.log_epoch = *prev_term;
  m.commit = commit_;
  const Offset last = prev + static_cast<int64_t>(entries.size());
  pr.commit_sent = std::max(pr.commit_sent, std::min(commit_, last.next()));
  const bool carried = !entries.empty();
  if (carried) {
    const uint64_t bytes = wire_size(entries);
    ++counters_.appends_sent;
    counters_.entries_sent += static_cast<int64_t>(entries.size());
    pr.sent_entries(last, bytes);
  } else if (pr.state == ProgressState::probe) {
    pr.probe_sent = true;
  }
  m.entries = std::move(entries);
  send(std::move(m));
  return carried && !pr.paused();
}

void RaftEngine::send_heartbeat(NodeId to, Progress& pr, bool commit_only) {
  PeerMessage m = make_msg(MsgKind::heartbeat, to);
  // Only what the follower is known to share with us may be committed there.
  m.commit = std::min(pr.match.next(), commit_);
  m.offset = pr.next;  // echoed back: lets the leader spot appends lost before this heartbeat
  pr.commit_sent = std::max(pr.commit_sent, m.commit);
  m.context = commit_only ? kCtxCommitOnly : 0;
  if (!commit_only) ++counters_.heartbeats_sent;
  send(std::move(m));
}

void RaftEngine::broadcast_heartbeat() {
  for (auto& [n, pr] : prs_) send_heartbeat(n, pr, /*commit_only=*/false);
}

void RaftEngine::handle_append_response(const PeerMessage& m) {
  const NodeId from = m.from;
  auto it = prs_.find(from);
  if (it == prs_.end()) return;
  Progress& pr = it->second;
  pr.recent_active = true;
  if (m.reject) {
    ++counters_.append_rejects;
    // Fast back-off: the follower's hint is the last offset whose term is <= the term we sent;
    // skip to the last offset of ours with a term <= that offset's term (etcd findConflictByTerm).
    Offset probe = m.offset;
    if (m.hint.value() >= -1) {
      probe = m.hint;
      if (m.hint_epoch.value() > 0) {
        auto [ep, end] = log_.end_offset_for_epoch(m.hint_epoch);
        probe = std::min(probe, end.prev());
      }
    }
    if (pr.maybe_decr_to(m.offset, probe)) {
      if (pr.state == ProgressState::replicate) pr.become_probe();
      send_append(from, pr, /*send_if_empty=*/true);
    }
    return;
  }
  if (pr.maybe_update(m.offset)) {
    switch (pr.state) {
      case ProgressState::probe:
        pr.become_replicate();
        break;
      case ProgressState::snapshot:
        if (pr.match >= pr.pending_snapshot) {
          pr.become_probe();
          pr.become_replicate();
        }
        break;
      case ProgressState::replicate:
        pr.inflights.free_le(m.offset);
        break;
    }
    const Offset old = commit_;
    if (maybe_commit()) on_commit_advanced(old);
    if (state_ != State::leader) return;  // stepped down (removed from the configuration)
    it = prs_.find(from);
    if (it == prs_.end()) return;
    // A follower that just caught up to the commit has not been told it yet.
    if (std::min(it->second.match.next(), commit_) > it->second.commit_sent) commit_dirty_ = true;
    if (it->second.learner) maybe_promote_learners();
    if (transferee_ == from) maybe_send_timeout_now(from, it->second);
  }
  it = prs_.find(from);
  if (it == prs_.end()) return;
  while (send_append(from, it->second, /*send_if_empty=*/false)) {
  }
}

void RaftEngine::handle_heartbeat_response(const PeerMessage& m) {
  auto it = prs_.find(m.from);
  if (it == prs_.end()) return;
  Progress& pr = it->second;
  pr.recent_active = true;
  pr.probe_sent = false;  // probe: allow the next probe (the last may have been lost)
  // The follower's log ends before what we had sent when this heartbeat left: on an ordered link
  // those appends were lost (or the follower restarted), so restart the pipeline from match.
  if (pr.state == ProgressState::replicate && m.hint < m.offset && pr.match.next() < m.offset) {
    pr.become_probe();
    send_append(m.from, pr, /*send_if_empty=*/true);
    return;
  }
  if (pr.match < last_index() || pr.state == ProgressState::probe) {
    while (send_append(m.from, pr, /*send_if_empty=*/false)) {
    }
  }
}

Offset RaftEngine::self_match() const { return std::min(durable_end_, log_.log_end()).prev(); }

bool RaftEngine::maybe_commit() {
  const Config& c = configs_.current();
  std::vector<Offset> matches;
  matches.reserve(c.members.size());
  for (NodeId v : c.members) {
    if (v == self_) {
      matches.push_back(self_match());
    } else {
      auto it = prs_.find(v);
      matches.push_back(it == prs_.end() ? Offset{-1} : it->second.match);
    }
  }
  const Offset idx = committed_index(std::move(matches));
  if (idx < commit_) return false;
  // Only an entry of the current term commits by counting (paper 5.4.2, Figure 8).
  auto t = term_at(idx);
  if (!t || *t != term_) return false;
  set_commit(idx.next());
  return true;
}

void RaftEngine::set_commit(Offset c) {
  if (c <= commit_) return;
  RB_ASSERT(c <= log_.log_end());
  commit_ = c;
}

void RaftEngine::on_commit_advanced(Offset old_commit) {
  while (!pending_.empty() && pending_.front().last < commit_) {
    complete(pending_.front(), errc::ok);
    pending_.pop_front();
  }
  commit_dirty_ = true;
  const Offset change = configs_.latest_change();
  if (change >= old_commit && change < commit_) {
    // The latest configuration just committed. A leader it removed steps down now (thesis 4.2.2);
    // otherwise the next change (e.g. promoting a caught-up learner) may start.
    if (!configs_.current().is_voter(self_)) {
      Event e;
      e.kind = Event::Kind::role_changed;
      e.role = Role::follower;
      e.epoch = term_;
      e.detail = "leader removed from the configuration: stepping down";
      event(std::move(e));
      become_follower(term_, kNoNode);
      return;
    }
    maybe_promote_learners();
  } else if (old_commit <= noop_offset_ && noop_offset_ < commit_) {
    maybe_promote_learners();
  }
}

// ---------------------------------------------------------------------------------------------
// Follower side.

void RaftEngine::handle_append(const PeerMessage& m) {
  if (state_ != State::follower) {
    become_follower(term_, m.from);  // a candidate sees the leader of its term (5.2)
  } else {
    set_leader(m.from);
  }
  election_elapsed_ = 0;
  const Offset prev = m.offset;
  if (prev.next() < commit_) {
    // Already committed here; tell the leader how far we are.
    follower_ack(m.from, commit_.prev());
    return;
  }
  auto prev_term = term_at(prev);
  if (!prev_term || *prev_term != m.log_epoch) {
    ++counters_.append_rejects;
    // Hint: the last offset <= prev whose term is <= the leader's prev term; the leader skips
    // every offset of a term we do not share in one round trip.
    Offset hint = std::min(prev, last_index());
    auto [ep, end] = log_.end_offset_for_epoch(m.log_epoch);
    hint = std::min(hint, end.prev());
    PeerMessage r = make_msg(MsgKind::append_resp, m.from);
    r.reject = true;
    r.offset = prev;
    r.hint = hint;
    auto ht = term_at(hint);
    r.hint_epoch = ht ? *ht : Epoch{0};
    send(std::move(r));
    return;
  }
  const Offset last_new = prev + static_cast<int64_t>(m.entries.size());
  // Skip what we already have; cut at the first conflict (never below the commit) and append.
  size_t i = 0;
  const Offset end = log_.log_end();
  for (; i < m.entries.size(); ++i) {
    const Entry& e = m.entries[i];
    if (e.offset >= end) break;
    auto t = term_at(e.offset);
    if (t && *t == e.epoch) continue;
    RB_ASSERT_MSG(e.offset >= commit_, "raft: leader conflicts with a committed entry");
    truncate_log(e.offset);
    break;
  }
  for (; i < m.entries.size(); ++i) {
    const Entry& e = m.entries[i];
    log_.append(e);
    if (e.kind == EntryKind::config) apply_config_entry(e);
  }
  set_commit(std::min(m.commit, last_new.next()));
  follower_ack(m.from, last_new);
}

void RaftEngine::handle_heartbeat(const PeerMessage& m) {
  if (state_ != State::follower) {
    become_follower(term_, m.from);
  } else {
    set_leader(m.from);
  }
  election_elapsed_ = 0;
  set_commit(std::min(m.commit, log_.log_end()));
  if (m.context & kCtxCommitOnly) return;
  PeerMessage r = make_msg(MsgKind::heartbeat_resp, m.from);
  r.offset = m.offset;
  r.hint = log_.log_end();
  send(std::move(r));
}

// Acknowledge `index` to the leader once the log is durable up to it (a follower must not
// claim entries a crash could still take away). Acks are cumulative within a term, so one
// pending (leader, highest index) pair suffices.
void RaftEngine::follower_ack(NodeId to, Offset index) {
  if (to != ack_to_) {
    ack_to_ = to;
    ack_index_ = Offset{-1};
    ack_sent_ = Offset{-1};
  }
  if (index < std::max(durable_end_, commit_)) {
    // Durable (or committed) already: answer at once, even if we said so before, since a probing
    // leader waits for this answer.
    PeerMessage r = make_msg(MsgKind::append_resp, to);
    r.offset = index;
    send(std::move(r));
    ack_sent_ = std::max(ack_sent_, index);
    return;
  }
  ack_index_ = std::max(ack_index_, index);
  flush_follower_ack();
}

void RaftEngine::flush_follower_ack() {
  if (ack_to_ == kNoNode || ack_index_ < Offset{0}) return;
  // Everything up to ack_index_ matches the leader, so any durable prefix of it may be acked.
  const Offset a = std::min(ack_index_, durable_end_.prev());
  if (a <= ack_sent_) return;
  PeerMessage r = make_msg(MsgKind::append_resp, ack_to_);
  r.offset = a;
  send(std::move(r));
  ack_sent_ = a;
}

}  // namespace rb::raft
