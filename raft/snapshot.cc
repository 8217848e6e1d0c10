// Log compaction and snapshots (Raft paper section 7). Retention drops the committed log prefix
// (AdminCommand::compact); a follower whose next entry is below the leader's log start gets the
// broker state as of the log start (SnapshotSource) and then the retained entries.
#include <algorithm>

#include "raft/raft_engine.h"

namespace rb::raft {

Status RaftEngine::compact(Offset upto) {
  // Only committed records may go: an uncommitted suffix can still be replaced.
  const Offset start = std::min(upto, commit_);
  if (start <= log_.log_start()) return {};
  log_.truncate_prefix(start);
  configs_.compact(start);
  hs_dirty_ = true;  // the base configuration moved (HardState::extra)
  ++counters_.compactions;
  return {};
}

void RaftEngine::send_snapshot(NodeId to, Progress& pr) {
  const Offset start = log_.log_start();
  const Offset last = start.prev();
  Snapshot snap;
  if (snapshots_ != nullptr) snap = snapshots_->snapshot_at(start);
  const Config& c = configs_.at(last);
  PeerMessage m = make_msg(MsgKind::snapshot, to);
  m.offset = last;
  m.log_epoch = log_.start_epoch();
  m.commit = commit_;
  m.members = c.members;
  for (NodeId l : c.learners) m.values.push_back(static_cast<int64_t>(l.value()));
  m.blob = std::move(snap.state);
  send(std::move(m));
  pr.become_snapshot(last);
  ++counters_.snapshots_sent;
  Event e;
  e.kind = Event::Kind::snapshot_sent;
  e.node = to;
  e.offset = last;
  e.epoch = term_;
  event(std::move(e));
}

void RaftEngine::handle_snapshot(const PeerMessage& m) {
  if (state_ != State::follower) {
    become_follower(term_, m.from);
  } else {
    set_leader(m.from);
  }
  election_elapsed_ = 0;
  const Offset last = m.offset;
  auto reply = [&] {
    PeerMessage r = make_msg(MsgKind::append_resp, m.from);
    r.offset = commit_.prev();
    send(std::move(r));
  };
  if (last.next() <= commit_) return reply();  // nothing new in it
  auto t = term_at(last);
  if (t && *t == m.log_epoch) {
    // We hold that entry, hence (log matching) everything before it: just commit up to it.
    set_commit(last.next());
    return reply();
  }
  Snapshot s;
  s.last_included = last;
  s.last_epoch = m.log_epoch;
  s.members = m.members;
  s.state = m.blob;
  snapshot_out_ = std::move(s);
  log_.reset(last.next(), m.log_epoch);
  Config c;
  c.members = m.members;
  for (int64_t v : m.values) c.learners.push_back(NodeId{static_cast<uint32_t>(v)});
  c.normalize();
  configs_.reset(std::move(c), last.next());
  commit_ = last.next();
  durable_end_ = last.next();
  ack_sent_ = std::min(ack_sent_, last);
  ++counters_.snapshots_installed;
  Event e;
  e.kind = Event::Kind::snapshot_installed;
  e.offset = last;
  e.epoch = term_;
  event(std::move(e));
  on_config_changed();
  reply();
}

}  // namespace rb::raft
