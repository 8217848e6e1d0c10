#pragma once
// The peer message kinds of the master/slave engine and the PeerMessage fields each uses. The
// README has the same table; keep them in step.
//
//   kind         dir              fields
//   push         master -> slave  epoch, offset (first entry), log_epoch (epoch of offset-1),
//                                 commit (master's watermark), entries
//   report       slave -> master  epoch, hint (slave's persisted end), offset (slave's log end:
//                                 where to push from), reject (true: a gap, restart from offset)
//   heartbeat    master -> slave  epoch, commit, offset (where the master's push to this slave
//                                 stands), hint (master's log end)
//   epoch_query  slave -> master  epoch, hint_epoch (slave's last log epoch)
//   epoch_reply  master -> slave  epoch, log_epoch (the epoch asked about, echoed), hint_epoch and
//                                 hint (largest master epoch <= asked, and its end offset)
//   stale_epoch  any -> any       epoch (the sender's newer epoch), members ({its master} if known),
//                                 context (kStaleAbdicated: the sender was that epoch's master and
//                                 restarted without resuming, so the epoch has no master)
#include <cstdint>
#include <string_view>

namespace rb::masterslave {

enum class MsgKind : uint16_t {
  push = 1,
  report = 2,
  heartbeat = 3,
  epoch_query = 4,
  epoch_reply = 5,
  stale_epoch = 6,
};

// stale_epoch context value: the newer epoch has no master any more.
constexpr uint64_t kStaleAbdicated = 1;

constexpr uint16_t to_wire(MsgKind k) { return static_cast<uint16_t>(k); }

constexpr std::string_view to_string(MsgKind k) {
  switch (k) {
    case MsgKind::push:
      return "push";
    case MsgKind::report:
      return "report";
    case MsgKind::heartbeat:
      return "heartbeat";
    case MsgKind::epoch_query:
      return "epoch_query";
    case MsgKind::epoch_reply:
      return "epoch_reply";
    case MsgKind::stale_epoch:
      return "stale_epoch";
  }
  return "?";
}

}  // namespace rb::masterslave
