#pragma once
// The arithmetic of Kafka ISR replication, split from the engine's state so that each rule is
// tested on its own (as etcd-io/raft splits quorum/majority.go):
//   - the leader's record of a follower's fetches and Kafka's lastCaughtUpTime rule
//     (Replica.updateFetchState);
//   - the high watermark (Partition.maybeIncrementLeaderHW, strict min ISR of KIP-966);
//   - the divergence check on the leader (KIP-320) and the follower's truncation (KIP-101 with
//     KIP-279's iterative rule, AbstractFetcherThread.getOffsetTruncationState).
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "replication/core/ids.h"
#include "replication/storage/log_view.h"

namespace rb::isr {

// "Never caught up": before any fetch, or a non-ISR replica when a leader takes over.
inline constexpr int64_t kNeverTick = INT64_MIN / 4;

// The leader's view of one follower.
struct ReplicaState {
  Offset leo{-1};  // follower log end = its last fetch offset; -1 = unknown
  int64_t last_caught_up_tick = kNeverTick;
  int64_t last_fetch_tick = kNeverTick;
  Offset last_fetch_leader_leo{-1};  // the leader's log end at the follower's previous fetch
};

// A follower fetched at offset `fetch_offset` when the leader's log ended at `leader_leo`.
// Caught-up time becomes now if the fetch reached the leader's end, else the previous fetch's
// time if this fetch reached the end the leader had then (so a steady trickle of appends does
// not make a keeping-up follower look behind).
void update_fetch_state(ReplicaState& r, Offset fetch_offset, Offset leader_leo, int64_t now);

// Caught up: at the leader's end, or caught up within the last lag_max ticks.
bool is_caught_up(const ReplicaState& r, Offset leader_leo, int64_t now, int64_t lag_max);

struct HwInputs {
  Offset current_hw;          // never moves back
  Offset leader_counted_end;  // the leader's own log end as counted (durable per fsync policy)
  Offset leader_leo;          // the leader's log end (for is_caught_up)
  const std::map<NodeId, ReplicaState>* followers = nullptr;
  std::vector<NodeId> maximal_isr;  // committed ISR plus pending additions (KIP-497)
  size_t isr_size = 0;              // committed ISR size
  size_t min_isr = 1;               // min(min.insync.replicas, replicas)
  int64_t now = 0;
  int64_t lag_max = 0;
};

// The new high watermark: the minimum counted end over the leader, every maximal-ISR member and
// every caught-up follower (so a rejoining follower is not chasing a moving HW). Unchanged while
// the committed ISR is below min_isr (strict min ISR). Never below current_hw.
Offset compute_high_watermark(const HwInputs& in);

// A diverging epoch: the follower must truncate to at most end_offset (KIP-320).
struct Divergence {
  Epoch epoch;
  Offset end_offset;
};

// Leader side: the follower fetching at fetch_offset whose last record has last_fetched_epoch
// cannot be a prefix of the leader's log when the leader's largest epoch <= last_fetched_epoch is
// smaller, or that epoch ends before fetch_offset. No check when last_fetched_epoch is 0 (the
// follower has no records with an epoch).
std::optional<Divergence> check_divergence(const LogView& leader_log, Offset fetch_offset, Epoch last_fetched_epoch);

struct Truncation {
  Offset to;      // truncate the follower's log to this end (may equal its end: nothing to do)
  bool complete;  // false: the follower lacks the leader's epoch; it must ask again (KIP-279)
};

// Follower side (KIP-279): if the follower has the leader's epoch, truncate to the smaller of
// both ends of it; otherwise truncate to the end of the follower's largest epoch below it and
// fetch again with the new last epoch. Never below the follower's log start.
Truncation follower_truncation(const LogView& follower_log, Divergence d);

}  // namespace rb::isr
