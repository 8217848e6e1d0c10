// Leader election (Raft paper section 5.2, 5.4.1), pre-vote (thesis 9.6), check-quorum and
// leader stickiness (thesis 6.2 / 4.2.3), and the rules every message's term goes through
// (paper section 5.1).
#include <algorithm>

#include "raft/raft_engine.h"

namespace rb::raft {

bool RaftEngine::promotable() const { return state_ != State::stopped && configs_.current().is_voter(self_); }

// A follower that heard from a leader within the minimum election timeout believes that leader
// is alive and ignores vote requests (unless they are for a leader transfer). A leader is always
// in its lease: check-quorum makes it step down once it is not.
bool RaftEngine::in_lease() const {
  return cfg_.check_quorum && leader_ != kNoNode && election_elapsed_ < cfg_.election_ticks;
}

bool RaftEngine::log_up_to_date(Offset last, Epoch last_term) const {
  const Epoch mine = log_.last_epoch();
  return last_term > mine || (last_term == mine && last >= last_index());
}

void RaftEngine::tick_election() {
  ++election_elapsed_;
  if (promotable() && election_elapsed_ >= timeout_ticks_) {
    reset_timers();
    campaign(cfg_.pre_vote, /*transfer=*/false);
  }
}

void RaftEngine::tick_leader() {
  ++heartbeat_elapsed_;
  ++election_elapsed_;
  if (unsent_entries_ > 0) ++linger_elapsed_;
  if (transferee_ != kNoNode && ++transfer_elapsed_ >= cfg_.election_ticks) {
    transferee_ = kNoNode;  // the target did not take over in time: resume accepting proposals
  }
  if (election_elapsed_ >= cfg_.election_ticks) {
    election_elapsed_ = 0;
    if (cfg_.check_quorum) {
      check_quorum_step_down();
      if (state_ != State::leader) return;
    }
  }
  // Loss detection: a pipeline that stopped moving (messages dropped) restarts from match; a
  // snapshot that was never acknowledged is sent again.
  for (auto& [n, pr] : prs_) {
    const bool waiting =
        pr.state == ProgressState::snapshot || (pr.state == ProgressState::replicate && pr.inflights.count() > 0);
    if (!waiting) continue;
    if (++pr.stalled_ticks >= cfg_.election_ticks) {
      pr.become_probe();
      send_append(n, pr, /*send_if_empty=*/true);
    }
  }
  if (heartbeat_elapsed_ >= cfg_.heartbeat_ticks) {
    heartbeat_elapsed_ = 0;
    broadcast_heartbeat();
  }
}

void RaftEngine::check_quorum_step_down() {
  const Config& c = configs_.current();
  size_t active = c.is_voter(self_) ? 1 : 0;
  for (auto& [n, pr] : prs_) {
    if (pr.recent_active && c.is_voter(n)) ++active;
    pr.recent_active = false;
  }
  if (active >= majority(c.members.size())) return;
  ++counters_.check_quorum_step_downs;
  Event e;
  e.kind = Event::Kind::role_changed;
  e.role = Role::follower;
  e.epoch = term_;
  e.detail = "check-quorum: leader heard from " + std::to_string(active) + " of " + std::to_string(c.members.size()) +
             " voters within an election timeout; stepping down";
  event(std::move(e));
  become_follower(term_, kNoNode);
}

void RaftEngine::campaign(bool pre, bool transfer) {
  Epoch target;
  if (pre) {
    ++counters_.pre_elections;
    become_pre_candidate();
    target = term_.next();
  } else {
    ++counters_.elections;
    become_candidate();
    target = term_;
    Event e;
    e.kind = Event::Kind::election_started;
    e.epoch = term_;
    e.detail = transfer ? "leader transfer" : "election timeout";
    event(std::move(e));
  }
  const Config& c = configs_.current();
  ballots_.push_back(Ballot{self_, true});
  if (tally(c.members, ballots_) == VoteResult::won) {
    if (pre) {
      campaign(false, transfer);
    } else {
      become_leader();
    }
    return;
  }
  for (NodeId v : c.members) {
    if (v == self_) continue;
    PeerMessage m = make_msg(pre ? MsgKind::pre_vote : MsgKind::vote, v);
    m.epoch = target;
    m.offset = last_index();
    m.log_epoch = log_.last_epoch();
    m.context = transfer ? kCtxTransfer : 0;
    send(std::move(m));
  }
}

bool RaftEngine::step_term(const PeerMessage& m) {
  const auto kind = static_cast<MsgKind>(m.kind);
  const bool vote_req = kind == MsgKind::vote || kind == MsgKind::pre_vote;
  if (m.epoch > term_) {
    if (vote_req && !(m.context & kCtxTransfer) && in_lease()) return false;  // leader stickiness
    if (kind == MsgKind::pre_vote) return true;                               // a pre-vote never changes our term
    if (kind == MsgKind::pre_vote_resp && !m.reject) return true;             // granted for our future term
    const bool from_leader = kind == MsgKind::append || kind == MsgKind::heartbeat || kind == MsgKind::snapshot;
    become_follower(m.epoch, from_leader ? m.from : kNoNode);
    return true;
  }
  if (m.epoch < term_) {
    if ((cfg_.check_quorum || cfg_.pre_vote) && (kind == MsgKind::append || kind == MsgKind::heartbeat)) {
      // A stale leader (e.g. back from a partition our pre-vote kept it out of): tell it our
      // term so it steps down; without this it could stay leader of a term nobody follows.
      send(make_msg(MsgKind::append_resp, m.from));
    } else if (kind == MsgKind::pre_vote) {
      PeerMessage r = make_msg(MsgKind::pre_vote_resp, m.from);
      r.reject = true;
      send(std::move(r));
    }
    return false;  // stale: ignore (paper 5.1)
  }
  return true;
}

void RaftEngine::handle_vote_request(const PeerMessage& m) {
  const bool pre = static_cast<MsgKind>(m.kind) == MsgKind::pre_vote;
  // At most one vote per term (first come, first served); a pre-vote for a later term binds
  // nothing, so it only needs an up-to-date log.
  const bool can_vote = vote_ == m.from || (vote_ == kNoNode && leader_ == kNoNode) || (pre && m.epoch > term_);
  const bool grant = can_vote && log_up_to_date(m.offset, m.log_epoch);
  PeerMessage r = make_msg(pre ? MsgKind::pre_vote_resp : MsgKind::vote_resp, m.from);
  r.reject = !grant;
  if (grant) {
    r.epoch = m.epoch;
    if (!pre) {
      election_elapsed_ = 0;
      vote_ = m.from;
      hs_dirty_ = true;  // persisted before the response leaves (Ready order)
    }
  }
  send(std::move(r));
}

void RaftEngine::handle_vote_response(const PeerMessage& m) {
  const bool pre = static_cast<MsgKind>(m.kind) == MsgKind::pre_vote_resp;
  if (pre ? state_ != State::pre_candidate : state_ != State::candidate) return;
  if (pre && !m.reject && m.epoch != term_.next()) return;  // an answer to an older pre-vote
  for (const Ballot& b : ballots_)
    if (b.node == m.from) return;
  ballots_.push_back(Ballot{m.from, !m.reject});
  switch (tally(configs_.current().members, ballots_)) {
    case VoteResult::won:
      if (pre) {
        campaign(false, false);
      } else {
        become_leader();
      }
      break;
    case VoteResult::lost:
      become_follower(term_, kNoNode);
      break;
    case VoteResult::pending:
      break;
  }
}

}  // namespace rb::raft
