// RaftEngine: construction and restore, the Engine inputs, Ready assembly, status and role
// changes. Protocol handlers live in election.cc, replication.cc, membership_ops.cc, snapshot.cc.
#include "raft/raft_engine.h"

#include <algorithm>

namespace rb::raft {

RaftEngine::RaftEngine(const EngineContext& ctx, const RaftConfig& cfg)
    : self_(ctx.self),
      partition_(ctx.partition),
      cfg_(cfg),
      common_(ctx.common),
      snapshots_(ctx.snapshots),
      rng_(Prng::substream(ctx.seed, "raft.election")),
      log_(ctx.log) {
  RB_ASSERT(cfg_.validate().ok());
  restore(ctx);
  reset_timers();
  reported_role_ = role_now();
}

void RaftEngine::restore(const EngineContext& ctx) {
  const HardState& hs = ctx.restored;
  term_ = hs.epoch;
  vote_ = hs.vote;
  last_hs_ = hs;
  // The configuration: the base saved in HardState::extra (or the initial placement), then every
  // config entry still in the log after it, in order (membership.h explains why the log rules).
  Config base;
  Offset base_end{0};
  if (auto b = decode_base(hs.extra)) {
    base = b->second;
    base_end = b->first;
  } else if (!hs.members.empty()) {
    base.members = hs.members;
    base.learners = hs.learners;
  } else {
    base.members = ctx.replicas;
  }
  base.normalize();
  configs_.reset(base, base_end);
  Offset from = std::max(log_.log_start(), base_end);
  while (from < log_.log_end()) {
    auto r = log_.read(from, 1 << 20, 4096);
    RB_ASSERT_MSG(r.ok(), "raft: cannot read the log at restart");
    RB_ASSERT(!r->empty());
    for (const Entry& e : *r)
      if (e.kind == EntryKind::config) {
        auto c = decode_config(e.payload ? *e.payload : std::string());
        RB_ASSERT_MSG(c.ok(), "raft: corrupt config entry in the log");
        configs_.add(e.offset, std::move(c.value()));
      }
    from = r->back().offset.next();
  }
  // Everything below the log start was committed (only committed records are compacted or
  // snapshotted); the saved commit may lag, and may exceed a log that lost its unsynced tail.
  commit_ = std::clamp(hs.commit, log_.log_start(), log_.log_end());
  emitted_commit_ = hs.commit;
  durable_end_ = log_.log_end();
}

// ---------------------------------------------------------------------------------------------
// Inputs.

void RaftEngine::propose(ProposeRequest req) {
  auto reject = [&](errc code, std::string detail) {
    ++counters_.proposals_rejected;
    Completion c;
    c.id = req.id;
    c.code = code;
    c.leader_hint = leader_ == self_ ? kNoNode : leader_;
    c.detail = std::move(detail);
    ready_.completions.push_back(std::move(c));
  };
  if (state_ == State::stopped) return reject(errc::unavailable, "raft: replica shut down");
  if (state_ != State::leader) return reject(errc::not_leader, "raft: not the leader");
  if (transferee_ != kNoNode) return reject(errc::unavailable, "raft: leadership transfer in progress");
  if (req.entries.empty()) return reject(errc::bad_input, "raft: empty proposal");
  for (const Entry& e : req.entries) {
    if (e.payload_size() > common_.max_message_bytes) return reject(errc::too_large, "raft: record too large");
    if (e.kind == EntryKind::config) return reject(errc::bad_input, "raft: config entries come from admin()");
  }
  propose_as_leader(req);
}

void RaftEngine::receive(const PeerMessage& m) {
  if (state_ == State::stopped) return;
  if (!step_term(m)) return;
  switch (static_cast<MsgKind>(m.kind)) {
    case MsgKind::append:
      if (state_ != State::leader) handle_append(m);
      break;
    case MsgKind::append_resp:
      if (state_ == State::leader) handle_append_response(m);
      break;
    case MsgKind::heartbeat:
      if (state_ != State::leader) handle_heartbeat(m);
      break;
    case MsgKind::heartbeat_resp:
      if (state_ == State::leader) handle_heartbeat_response(m);
      break;
    case MsgKind::vote:
    case MsgKind::pre_vote:
      handle_vote_request(m);
      break;
    case MsgKind::vote_resp:
    case MsgKind::pre_vote_resp:
      handle_vote_response(m);
      break;
    case MsgKind::snapshot:
      if (state_ != State::leader) handle_snapshot(m);
      break;
    case MsgKind::timeout_now:
      if (state_ != State::leader && promotable()) campaign(/*pre=*/false, /*transfer=*/true);
      break;
  }
}

void RaftEngine::tick() {
  if (state_ == State::stopped) return;
  if (state_ == State::leader) {
    tick_leader();
  } else {
    tick_election();
  }
}

void RaftEngine::persisted(Offset end) {
  durable_end_ = std::max(durable_end_, std::min(end, log_.log_end()));
  if (state_ == State::leader) {
    while (!pending_leader_.empty() && pending_leader_.front().last < durable_end_) {
      complete(pending_leader_.front(), errc::ok);
      pending_leader_.pop_front();
    }
    Offset old = commit_;
    if (maybe_commit()) on_commit_advanced(old);
  } else {
    flush_follower_ack();
  }
}

Status RaftEngine::admin(const AdminCommand& cmd) {
  if (state_ == State::stopped) return make_error(errc::unavailable, "raft: replica shut down");
  switch (cmd.kind) {
    case AdminCommand::Kind::add_replica:
    case AdminCommand::Kind::remove_replica:
      return change_membership(cmd);
    case AdminCommand::Kind::transfer_leader:
      return transfer_leader(cmd.node);
    case AdminCommand::Kind::promote:
      if (!promotable()) return make_error(errc::bad_input, "raft: only a voter can be promoted");
      if (state_ != State::leader) campaign(/*pre=*/false, /*transfer=*/true);
      return {};
    case AdminCommand::Kind::campaign:
      if (!promotable()) return make_error(errc::bad_input, "raft: only a voter can campaign");
      if (state_ != State::leader) campaign(cfg_.pre_vote, /*transfer=*/false);
      return {};
    case AdminCommand::Kind::reset_members:
      return reset_members(cmd.members);
    case AdminCommand::Kind::compact:
      return compact(cmd.offset);
    case AdminCommand::Kind::metadata_update:
      return {};  // Raft elects its own leaders; the coordinator's record is informational here.
    case AdminCommand::Kind::shutdown:
      fail_pending(errc::unavailable, "raft: replica shut down");
      prs_.clear();
      state_ = State::stopped;
      update_role();
      return {};
  }
  return make_error(errc::unsupported, "raft: unknown admin command");
}

// ---------------------------------------------------------------------------------------------
// Output.

bool RaftEngine::has_ready() const {
  return !ready_.messages.empty() || !ready_.completions.empty() || !ready_.events.empty() || hs_dirty_ ||
         snapshot_out_.has_value() || log_.has_writes() || commit_ > emitted_commit_ || flush_due();
}

Ready RaftEngine::take_ready() {
  if (flush_due()) flush();
  Ready r = std::move(ready_);
  ready_ = Ready{};
  if (snapshot_out_) {
    r.snapshot = std::move(*snapshot_out_);
    snapshot_out_.reset();
  }
  log_.take_writes(r);
  if (hs_dirty_) {
    hs_dirty_ = false;
    HardState hs = hard_state();
    if (!(hs == last_hs_)) {
      last_hs_ = hs;
      r.hard_state = std::move(hs);
    }
  }
  if (commit_ > emitted_commit_) {
    emitted_commit_ = commit_;
    r.commit = commit_;
  }
  return r;
}

HardState RaftEngine::hard_state() const {
  HardState hs;
  hs.epoch = term_;
  hs.vote = vote_;
  hs.commit = commit_;
  hs.members = configs_.current().members;
  hs.learners = configs_.current().learners;
  hs.extra = encode_base(configs_);
  return hs;
}

EngineStatus RaftEngine::status() const {
  EngineStatus s;
  s.role = role_now();
  s.leader = leader_;
  s.epoch = term_;
  s.commit = commit_;
  s.log_start = log_.log_start();
  s.log_end = log_.log_end();
  s.durable_end = durable_end_;
  s.members = configs_.current().members;
  const Offset end = log_.log_end();
  for (const auto& [n, pr] : prs_) {
    FollowerProgress f;
    f.node = n;
    f.match = pr.match;
    f.lag = end - pr.match.next();
    f.learner = pr.learner;
    f.in_sync = pr.recent_active && f.lag <= static_cast<int64_t>(cfg_.learner_promote_lag);
    s.followers.push_back(f);
    if (!pr.learner && f.in_sync) s.in_sync.push_back(n);
  }
  if (state_ == State::leader) {
    if (configs_.current().is_voter(self_)) s.in_sync.push_back(self_);
    std::sort(s.in_sync.begin(), s.in_sync.end());
  } else {
    s.in_sync = s.members;
  }
  const RaftCounters& c = counters_;
  s.counters = {{"elections", c.elections},
                {"pre_elections", c.pre_elections},
                {"became_leader", c.became_leader},
                {"step_downs", c.step_downs},
                {"check_quorum_step_downs", c.check_quorum_step_downs},
                {"appends_sent", c.appends_sent},
                {"entries_sent", c.entries_sent},
                {"append_rejects", c.append_rejects},
                {"heartbeats_sent", c.heartbeats_sent},
                {"proposals", c.proposals},
                {"proposals_rejected", c.proposals_rejected},
                {"snapshots_sent", c.snapshots_sent},
                {"snapshots_installed", c.snapshots_installed},
                {"compactions", c.compactions},
                {"config_changes", c.config_changes},
                {"learners_promoted", c.learners_promoted},
                {"transfers", c.transfers},
                {"truncations", c.truncations},
                {"term", static_cast<int64_t>(term_.value())}};
  return s;
}

const Progress* RaftEngine::progress(NodeId n) const {
  auto it = prs_.find(n);
  return it == prs_.end() ? nullptr : &it->second;
}

// ---------------------------------------------------------------------------------------------
// Role changes.

Role RaftEngine::role_now() const {
  switch (state_) {
    case State::leader:
      return Role::leader;
    case State::candidate:
      return Role::candidate;
    case State::pre_candidate:
      return Role::pre_candidate;
    case State::stopped:
      return Role::stopped;
    case State::follower:
      return configs_.current().is_learner(self_) ? Role::learner : Role::follower;
  }
  return Role::follower;
}

void RaftEngine::update_role() {
  Role r = role_now();
  if (r == reported_role_) return;
  reported_role_ = r;
  Event e;
  e.kind = Event::Kind::role_changed;
  e.role = r;
  e.epoch = term_;
  e.leader = leader_;
  event(std::move(e));
}

void RaftEngine::set_role(State s) {
  state_ = s;
  update_role();
}

void RaftEngine::set_leader(NodeId leader) {
  if (leader == leader_) return;
  leader_ = leader;
  Event e;
  e.kind = Event::Kind::leader_changed;
  e.leader = leader;
  e.epoch = term_;
  event(std::move(e));
}

void RaftEngine::reset_timers() {
  election_elapsed_ = 0;
  heartbeat_elapsed_ = 0;
  timeout_ticks_ = cfg_.fixed_election_timeout > 0
                       ? cfg_.fixed_election_timeout
                       : cfg_.election_ticks + static_cast<uint32_t>(rng_.below(cfg_.election_ticks));
}

void RaftEngine::become_follower(Epoch term, NodeId leader) {
  RB_ASSERT(term >= term_);
  if (term > term_) {
    term_ = term;
    vote_ = kNoNode;
    hs_dirty_ = true;
    ack_to_ = kNoNode;
    ack_index_ = Offset{-1};
    ack_sent_ = Offset{-1};
    Event e;
    e.kind = Event::Kind::epoch_changed;
    e.epoch = term_;
    event(std::move(e));
  }
  if (state_ == State::leader) {
    ++counters_.step_downs;
    fail_pending(errc::timeout, "raft: leadership lost before the ack level was reached; outcome unknown");
    prs_.clear();
    transferee_ = kNoNode;
    unsent_entries_ = 0;
    unsent_bytes_ = 0;
    commit_dirty_ = false;
    bcast_now_ = false;
  }
  ballots_.clear();
  state_ = State::follower;
  set_leader(leader);
  reset_timers();
  update_role();
}

void RaftEngine::become_pre_candidate() {
  RB_ASSERT(state_ != State::leader);
  state_ = State::pre_candidate;
  ballots_.clear();
  set_leader(kNoNode);
  update_role();
}

void RaftEngine::become_candidate() {
  RB_ASSERT(state_ != State::leader);
  term_ = term_.next();
  vote_ = self_;
  hs_dirty_ = true;
  ack_to_ = kNoNode;
  ack_index_ = Offset{-1};
  ack_sent_ = Offset{-1};
  state_ = State::candidate;
  ballots_.clear();
  set_leader(kNoNode);
  Event e;
  e.kind = Event::Kind::epoch_changed;
  e.epoch = term_;
  event(std::move(e));
  update_role();
}

void RaftEngine::become_leader() {
  RB_ASSERT(state_ == State::candidate);
  state_ = State::leader;
  ++counters_.became_leader;
  set_leader(self_);
  reset_timers();
  prs_.clear();
  sync_progress();
  // A no-op of the new term (paper section 8): commits everything before it, and its commit
  // tells the leader which earlier entries are committed.
  Entry noop;
  noop.offset = log_.log_end();
  noop.epoch = term_;
  noop.kind = EntryKind::noop;
  noop_offset_ = noop.offset;
  unsent_entries_ += 1;
  unsent_bytes_ += noop.wire_size();
  log_.append(std::move(noop));
  bcast_now_ = true;
  update_role();
}

void RaftEngine::fail_pending(errc code, const std::string& detail) {
  for (const Pending& p : pending_) complete(p, code, detail);
  for (const Pending& p : pending_leader_) complete(p, code, detail);
  pending_.clear();
  pending_leader_.clear();
}

void RaftEngine::complete(const Pending& p, errc code, std::string detail) {
  Completion c;
  c.id = p.id;
  c.code = code;
  if (code == errc::ok) c.base_offset = p.first;
  c.leader_hint = leader_ == self_ ? kNoNode : leader_;
  c.epoch = term_;
  c.detail = std::move(detail);
  ready_.completions.push_back(std::move(c));
}

PeerMessage RaftEngine::make_msg(MsgKind kind, NodeId to) const {
  PeerMessage m;
  m.from = self_;
  m.to = to;
  m.partition = partition_;
  m.kind = to_wire(kind);
  m.epoch = term_;
  return m;
}

std::optional<Epoch> RaftEngine::term_at(Offset o) const {
  auto r = log_.epoch_at(o);
  if (!r.ok()) return std::nullopt;
  return *r;
}

std::string_view to_string(MsgKind k) {
  switch (k) {
    case MsgKind::append:
      return "append";
    case MsgKind::append_resp:
      return "append_resp";
    case MsgKind::heartbeat:
      return "heartbeat";
    case MsgKind::heartbeat_resp:
      return "heartbeat_resp";
    case MsgKind::vote:
      return "vote";
    case MsgKind::vote_resp:
      return "vote_resp";
    case MsgKind::pre_vote:
      return "pre_vote";
    case MsgKind::pre_vote_resp:
      return "pre_vote_resp";
    case MsgKind::snapshot:
      return "snapshot";
    case MsgKind::timeout_now:
      return "timeout_now";
  }
  return "?";
}

}  // namespace rb::raft
