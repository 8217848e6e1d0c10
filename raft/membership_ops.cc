// Membership changes one server at a time (Raft thesis section 4.1, 4.2.1), learners that catch
// up before they vote, leader transfer (thesis 3.10), and the unsafe reset after losing a
// majority. A configuration takes effect as soon as its entry is appended (thesis 4.1), so a
// truncation can undo it (ConfigHistory).
#include <algorithm>

#include "raft/raft_engine.h"

namespace rb::raft {

bool RaftEngine::config_change_pending() const {
  // One change at a time: the latest config entry must be committed, and so must this term's
  // no-op (a new leader may hold an uncommitted change from an earlier term, thesis 4.1 bug fix).
  return configs_.latest_change() >= commit_ || noop_offset_ >= commit_;
}

Status RaftEngine::change_membership(const AdminCommand& cmd) {
  if (state_ != State::leader) return make_error(errc::not_leader, "raft: membership changes go to the leader");
  if (cmd.node == kNoNode) return make_error(errc::bad_input, "raft: membership change without a node");
  Config next = configs_.current();
  const bool add = cmd.kind == AdminCommand::Kind::add_replica;
  if (add && next.contains(cmd.node)) return {};  // already a member or learner: nothing to do
  if (config_change_pending()) return make_error(errc::busy, "raft: a configuration change is still uncommitted");
  if (add) {
    next.learners.push_back(cmd.node);
    next.normalize();
    return propose_config(std::move(next), "add learner " + to_string(cmd.node));
  }
  if (!next.contains(cmd.node))
    return make_error(errc::not_found, "raft: node " + to_string(cmd.node) + " is not a replica");
  std::erase(next.members, cmd.node);
  std::erase(next.learners, cmd.node);
  if (next.members.empty()) return make_error(errc::bad_input, "raft: cannot remove the last voter");
  return propose_config(std::move(next), "remove " + to_string(cmd.node));
}

Status RaftEngine::propose_config(Config next, const std::string& why) {
  Entry e;
  e.offset = log_.log_end();
  e.epoch = term_;
  e.kind = EntryKind::config;
  e.payload = make_payload(encode_config(next));
  ++counters_.config_changes;
  unsent_entries_ += 1;
  unsent_bytes_ += e.wire_size();
  bcast_now_ = true;
  log_.append(e);
  Event ev;
  ev.kind = Event::Kind::members_changed;
  ev.epoch = term_;
  ev.offset = e.offset;
  ev.members = next.members;
  ev.detail = "proposed: " + why + " -> " + describe(next);
  event(std::move(ev));
  apply_config_entry(e);
  return {};
}

void RaftEngine::apply_config_entry(const Entry& e) {
  auto c = decode_config(e.payload ? *e.payload : std::string());
  RB_ASSERT_MSG(c.ok(), "raft: corrupt config entry");
  configs_.add(e.offset, std::move(c.value()));
  on_config_changed();
}

void RaftEngine::on_config_changed() {
  hs_dirty_ = true;
  Event ev;
  ev.kind = Event::Kind::members_changed;
  ev.epoch = term_;
  ev.members = configs_.current().members;
  ev.detail = describe(configs_.current());
  event(std::move(ev));
  update_role();
  if (state_ != State::leader) return;
  sync_progress();
  if (transferee_ != kNoNode && !configs_.current().is_voter(transferee_)) transferee_ = kNoNode;
  // The quorum may have shrunk.
  const Offset old = commit_;
  if (maybe_commit()) on_commit_advanced(old);
}

void RaftEngine::sync_progress() {
  const Config& c = configs_.current();
  std::erase_if(prs_, [&](const auto& kv) { return !c.contains(kv.first); });
  for (NodeId n : c.all()) {
    if (n == self_) continue;
    auto it = prs_.find(n);
    if (it == prs_.end()) {
      it = prs_.emplace(n, Progress(cfg_.max_inflight_msgs, cfg_.max_inflight_bytes)).first;
      it->second.next = log_.log_end();
      it->second.recent_active = true;  // a new member gets one check-quorum period
    }
    it->second.learner = c.is_learner(n);
  }
}

void RaftEngine::truncate_log(Offset end) {
  RB_ASSERT(end >= commit_);
  ++counters_.truncations;
  const Offset before = configs_.latest_change();
  log_.truncate_suffix(end);
  configs_.truncate(end);
  durable_end_ = std::min(durable_end_, end);
  ack_sent_ = std::min(ack_sent_, end.prev());
  ack_index_ = std::min(ack_index_, end.prev());
  Event e;
  e.kind = Event::Kind::truncated;
  e.epoch = term_;
  e.offset = end;
  event(std::move(e));
  if (configs_.latest_change() != before) on_config_changed();
}

void RaftEngine::maybe_promote_learners() {
  if (state_ != State::leader || !cfg_.auto_promote_learners || config_change_pending()) return;
  const Offset end = log_.log_end();
  for (auto& [n, pr] : prs_) {
    if (!pr.learner) continue;
    if (end - pr.match.next() > static_cast<int64_t>(cfg_.learner_promote_lag)) continue;
    Config next = configs_.current();
    std::erase(next.learners, n);
    next.members.push_back(n);
    next.normalize();
    ++counters_.learners_promoted;
    (void)propose_config(std::move(next), "promote caught-up learner " + to_string(n));
    return;  // one change at a time
  }
}

Status RaftEngine::transfer_leader(NodeId to) {
  if (state_ != State::leader) return make_error(errc::not_leader, "raft: transfer_leader goes to the leader");
  if (to == self_) return {};
  if (!configs_.current().is_voter(to)) return make_error(errc::not_found, "raft: transfer target is not a voter");
  transferee_ = to;
  transfer_elapsed_ = 0;
  auto it = prs_.find(to);
  RB_ASSERT(it != prs_.end());
  if (it->second.match == last_index()) {
    maybe_send_timeout_now(to, it->second);
  } else {
    while (send_append(to, it->second, /*send_if_empty=*/false)) {
    }
  }
  return {};
}

void RaftEngine::maybe_send_timeout_now(NodeId to, const Progress& pr) {
  if (pr.match != last_index()) return;  // not caught up yet; the next ack retries
  ++counters_.transfers;
  send(make_msg(MsgKind::timeout_now, to));
}

Status RaftEngine::reset_members(const std::vector<NodeId>& members) {
  Config c;
  c.members = members;
  c.normalize();
  if (c.members.empty()) return make_error(errc::bad_input, "raft: reset_members needs at least one member");
  Event ev;
  ev.kind = Event::Kind::members_changed;
  ev.epoch = term_;
  ev.members = c.members;
  ev.offset = log_.log_end();
  ev.detail = "UNSAFE reset_members: forced configuration " + describe(c) +
              " without consensus after losing a majority; entries committed by the old majority may be lost "
              "and replicas may diverge";
  event(std::move(ev));
  configs_.reset(c, log_.log_end());
  if (state_ == State::leader) {
    become_follower(term_, kNoNode);
  } else {
    state_ = State::follower;
    set_leader(kNoNode);
    reset_timers();
  }
  on_config_changed();
  return {};
}

}  // namespace rb::raft
