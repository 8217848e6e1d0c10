#pragma once
// The ISR engine's peer messages: two kinds on the generic rb::PeerMessage.
//
// fetch (follower -> leader), Kafka's replica Fetch for one partition:
//   epoch      current leader epoch the follower knows (fencing)
//   offset     fetch offset = the follower's log end; every record below it is durable on the
//              follower per the fsync policy, so the offset is also the follower's ack
//   log_epoch  epoch of the follower's last record (lastFetchedEpoch, KIP-320 divergence check)
//   hint       the follower's durable end (equal to `offset`; kept explicit for readers)
//   context    fetch id; the response echoes it so stale responses are ignored
//
// fetch_response (leader -> follower):
//   epoch      the leader's epoch; offset = the fetch offset the records start at
//   entries    records from `offset` (empty when the fetch was parked until it timed out)
//   commit     the leader's high watermark
//   hint, hint_epoch   diverging epoch: the follower must truncate (KIP-320; hint = end offset
//              of hint_epoch on the leader). hint = -1 when there is no divergence. For
//              offset_out_of_range: hint = leader log end, hint_epoch = epoch before log start
//   values     {leader log start offset, FetchError}
//   context    the fetch id
#include <cstdint>

namespace rb::isr {

enum class MsgKind : uint16_t {
  fetch = 1,
  fetch_response = 2,
};

enum class FetchError : int64_t {
  none = 0,
  fenced_leader_epoch = 1,   // the follower's epoch is older than the leader's: wait for metadata
  unknown_leader_epoch = 2,  // the follower's epoch is newer: the leader has not learnt it yet
  not_leader = 3,            // the receiver does not lead this partition
  offset_out_of_range = 4,   // fetch offset below the leader's log start or beyond its end
  not_replica = 5,           // the sender is not an assigned replica
};

}  // namespace rb::isr
