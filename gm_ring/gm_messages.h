#pragma once
// The GM ring's message kinds and how each uses the generic PeerMessage fields (see README.md).
//
// Ring traffic flows one way, upstream -> downstream, in view (ring) order. One `activity`
// message carries pubs (entries) and acks (commit) together, as gm.erl's
// {activity, Sender, [{Publisher, Pubs, Acks}]} does, plus the ring-wide facts below.
#include <cstdint>
#include <vector>

#include "replication/engine.h"

namespace rb::gm {

enum class MsgKind : uint16_t {
  // upstream -> downstream. epoch = sender's view; offset = first entry's offset (or the end of
  // what the sender has forwarded when it carries no entries); log_epoch = epoch of the record
  // before `offset`; entries = pubs; commit = the master's ack watermark (exclusive end);
  // hint = durable path end: every member from the master's downstream to the sender has
  // durably stored every record it holds below hint; values = RingFacts (below).
  activity = 1,
  // upstream -> downstream after a view change, or in reply to catchup_request: the sender's
  // pending records [from, log end) (gm.erl `catchup`), same fields as activity;
  // context: kCatchupJoin (a reply to a joiner: reset your log to `offset`), kCatchupLast (the
  // last chunk of this catch-up); blob = the sender's broker state at `offset` (joins only).
  catchup = 2,
  // any member -> every view member and original replica, every heartbeat_ticks. epoch = view;
  // offset = log end; commit. Liveness only (Erlang distribution is fully meshed as well).
  heartbeat = 3,
  // downstream -> upstream. offset = where the sender's log ends (what it needs from);
  // context: kCatchupJoin when the sender is an empty joiner asking for its initial state
  // (gm.erl add_on_right), 0 for a gap re-delivery request.
  catchup_request = 4,
};

inline constexpr uint64_t kCatchupJoin = 1;
inline constexpr uint64_t kCatchupLast = 2;

// values[] of activity and catchup: [master log start, unsynced member ids...]. The unsynced
// list accumulates along the ring from the master; kUnknown stands for "a member upstream has
// not reported in this view yet" so the master never unblocks early.
struct RingFacts {
  Offset master_log_start{0};
  std::vector<int64_t> unsynced;  // node ids, or kUnknown
  static constexpr int64_t kUnknown = -1;

  std::vector<int64_t> encode() const {
    std::vector<int64_t> v{master_log_start.value()};
    v.insert(v.end(), unsynced.begin(), unsynced.end());
    return v;
  }
  static RingFacts decode(const std::vector<int64_t>& v) {
    RingFacts f;
    if (v.empty()) return f;
    f.master_log_start = Offset(v[0]);
    f.unsynced.assign(v.begin() + 1, v.end());
    return f;
  }
  bool operator==(const RingFacts&) const = default;
};

}  // namespace rb::gm
