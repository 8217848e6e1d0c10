#include "raft/progress.h"

#include <algorithm>

namespace rb::raft {

bool Progress::maybe_update(Offset n) {
  bool moved = false;
  if (n > match) {
    match = n;
    moved = true;
    probe_sent = false;
    stalled_ticks = 0;
  }
  next = std::max(next, n.next());
  return moved;
}

bool Progress::maybe_decr_to(Offset rejected, Offset match_hint) {
  if (state == ProgressState::replicate) {
    // Rejected an offset we already know matches: an old, reordered answer.
    if (rejected <= match) return false;
    next = match.next();
    return true;
  }
  // probe/snapshot: only the answer to the outstanding probe counts.
  if (next.prev() != rejected) return false;
  next = std::max(std::min(rejected, match_hint.next()), match.next());
  probe_sent = false;
  return true;
}

void Progress::sent_entries(Offset last, uint64_t bytes) {
  if (state == ProgressState::replicate) {
    next = last.next();
    inflights.add(last, bytes);
  } else if (state == ProgressState::probe) {
    probe_sent = true;
  }
}

void Progress::become_probe() {
  // After a snapshot, resume right after it (the follower acked it or it will be retried).
  if (state == ProgressState::snapshot) {
    next = std::max(match.next(), pending_snapshot.next());
  } else {
    next = match.next();
  }
  state = ProgressState::probe;
  probe_sent = false;
  pending_snapshot = Offset{-1};
  stalled_ticks = 0;
  inflights.reset();
}

void Progress::become_replicate() {
  state = ProgressState::replicate;
  next = match.next();
  probe_sent = false;
  stalled_ticks = 0;
  inflights.reset();
}

void Progress::become_snapshot(Offset last_included) {
  state = ProgressState::snapshot;
  pending_snapshot = last_included;
  probe_sent = false;
  stalled_ticks = 0;
  inflights.reset();
}

bool Progress::paused() const {
  switch (state) {
    case ProgressState::probe:
      return probe_sent;
    case ProgressState::replicate:
      return inflights.full();
    case ProgressState::snapshot:
      return true;
  }
  return true;
}

const char* to_string(ProgressState s) {
  switch (s) {
    case ProgressState::probe:
      return "probe";
    case ProgressState::replicate:
      return "replicate";
    case ProgressState::snapshot:
      return "snapshot";
  }
  return "?";
}

}  // namespace rb::raft
