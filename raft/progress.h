#pragma once
// Progress: what a leader knows about one follower (or learner), as etcd's tracker/progress.go.
//
//   probe      next is a guess; one append at a time (paused until the answer or the next
//              heartbeat response), backing off over a divergent log.
//   replicate  the follower matched; appends are pipelined optimistically up to the inflight
//              window, next runs ahead of match.
//   snapshot   the follower is behind the log start; a snapshot is on its way, nothing else is sent
//              until it is acknowledged or retry_ticks pass.
#include <cstdint>

#include "raft/inflights.h"
#include "replication/core/ids.h"

namespace rb::raft {

enum class ProgressState : uint8_t { probe, replicate, snapshot };

struct Progress {
  Progress(uint32_t max_msgs, uint64_t max_bytes) : inflights(max_msgs, max_bytes) {}

  Offset match{-1};  // highest offset known to match the leader's log there
  Offset next{0};    // next offset to send
  ProgressState state = ProgressState::probe;
  bool probe_sent = false;      // probe: an append is outstanding
  Offset pending_snapshot{-1};  // snapshot: last_included of the snapshot sent
  uint32_t stalled_ticks = 0;   // ticks with messages in flight and no ack (loss detection)
  bool recent_active = false;   // heard from within the current check-quorum period
  Offset commit_sent{0};        // highest commit this follower has been told about
  bool learner = false;
  Inflights inflights;

  // An ack of offset n. Returns true when it moved match forward.
  bool maybe_update(Offset n);
  // A rejection of the append whose prev offset was `rejected`; match_hint is the highest offset
  // the leader may still share with the follower. Returns false for a stale rejection.
  bool maybe_decr_to(Offset rejected, Offset match_hint);
  // next after optimistically sending entries up to `last`.
  void sent_entries(Offset last, uint64_t bytes);

  void become_probe();
  void become_replicate();
  void become_snapshot(Offset last_included);
  bool paused() const;
};

const char* to_string(ProgressState s);

}  // namespace rb::raft
