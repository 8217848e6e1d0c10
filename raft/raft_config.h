#pragma once
// RaftConfig: the Raft-specific knobs, each with its documented default. Batching limits come
// from the shared ReplicationConfig (common.batching) and are copied in by with_common().
//
// Ticks: the runtime maps one tick to a fixed duration (default 1 ms). The defaults follow
// etcd's ratios (election timeout = 10 x heartbeat interval).
#include <cstdint>

#include "replication/core/config.h"
#include "replication/core/result.h"

namespace rb::raft {

struct RaftConfig {
  // A leader sends a heartbeat every heartbeat_ticks ticks when it has nothing else to send.
  uint32_t heartbeat_ticks = 15;
  // Base election timeout. A follower's actual timeout is drawn from
  // [election_ticks, 2 * election_ticks) at every reset (Raft paper section 5.2). Must exceed
  // heartbeat_ticks. With check_quorum, also the leader's quorum-check period.
  uint32_t election_ticks = 150;
  // Pre-vote (Raft thesis section 9.6): a node first asks whether it could win before it bumps
  // its term, so a partitioned node rejoining cannot disrupt a healthy leader.
  bool pre_vote = true;
  // Check-quorum (thesis section 6.2): a leader that has not heard from a majority within an
  // election timeout steps down, and followers that heard from a leader within the timeout
  // ignore vote requests (leader stickiness).
  bool check_quorum = true;
  // Flow control per follower in the replicate state: at most this many append messages with
  // entries in flight (etcd MaxInflightMsgs). >= 1.
  uint32_t max_inflight_msgs = 256;
  // ... and at most this many entry bytes in flight (etcd MaxInflightBytes); 0 = unlimited.
  uint64_t max_inflight_bytes = 64ull << 20;
  // Batching (from common.batching): entries and bytes per append message, and how many ticks a
  // leader may hold new entries to fill a batch (0 = send at the next Ready).
  uint32_t max_entries = 512;
  uint64_t max_bytes = 1 << 20;
  uint32_t linger_ticks = 0;
  // A learner counts as caught up (and is promoted to voter when auto_promote_learners) when its
  // match is within this many entries of the leader's log end.
  uint32_t learner_promote_lag = 64;
  bool auto_promote_learners = true;
  // Test hook: when > 0, every election timeout is exactly this many ticks (no randomization).
  uint32_t fixed_election_timeout = 0;

  // Copies the batching knobs from the shared config.
  RaftConfig with_common(const ReplicationConfig& common) const;
  // invalid_config naming the first bad field.
  Status validate() const;
};

}  // namespace rb::raft
