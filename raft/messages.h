#pragma once
// Raft message kinds carried in PeerMessage::kind. Which PeerMessage fields each kind uses is
// documented in README.md ("Messages"); epoch is always the sender's term.
#include <cstdint>
#include <string_view>

namespace rb::raft {

enum class MsgKind : uint16_t {
  append = 1,          // AppendEntries: offset = prev index, log_epoch = prev term, commit, entries
  append_resp = 2,     // offset = matched index (ok) or the rejected prev index; hint/hint_epoch
  heartbeat = 3,       // commit = min(follower match + 1, leader commit), offset = leader's next for
                       // the follower; context 1 = commit only, no reply wanted
  heartbeat_resp = 4,  // offset = the heartbeat's offset echoed, hint = follower log end
  vote = 5,            // RequestVote: offset = last index, log_epoch = last term, context 1 = transfer
  vote_resp = 6,       // reject
  pre_vote = 7,        // as vote, with epoch = the term the sender would campaign in
  pre_vote_resp = 8,   // epoch = that term when granted, the voter's term when rejected
  snapshot = 9,        // InstallSnapshot: offset = last included, log_epoch = its term, members,
                       // values = learners, blob = broker state, commit
  timeout_now = 10,    // leader transfer: campaign now, skipping pre-vote and leases
};

constexpr uint16_t to_wire(MsgKind k) { return static_cast<uint16_t>(k); }

// context bits
inline constexpr uint64_t kCtxTransfer = 1;    // vote / pre_vote: leader transfer, ignore leases
inline constexpr uint64_t kCtxCommitOnly = 1;  // heartbeat: only carries commit, no reply wanted

std::string_view to_string(MsgKind k);

}  // namespace rb::raft
