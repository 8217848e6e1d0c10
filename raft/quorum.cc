#include "raft/quorum.h"

#include <algorithm>

namespace rb::raft {

Offset committed_index(std::vector<Offset> matches) {
  if (matches.empty()) return Offset{-1};
  // The k-th largest match, k = majority: that many voters have at least this offset.
  const size_t k = majority(matches.size());
  std::nth_element(matches.begin(), matches.begin() + static_cast<std::ptrdiff_t>(k - 1), matches.end(),
                   [](Offset a, Offset b) { return a > b; });
  return matches[k - 1];
}

VoteResult tally(const std::vector<NodeId>& voters, const std::vector<Ballot>& ballots) {
  size_t granted = 0, rejected = 0;
  for (NodeId v : voters) {
    for (const Ballot& b : ballots) {
      if (b.node != v) continue;
      (b.granted ? granted : rejected)++;
      break;
    }
  }
  const size_t need = majority(voters.size());
  if (granted >= need) return VoteResult::won;
  if (voters.size() - rejected < need) return VoteResult::lost;
  return VoteResult::pending;
}

}  // namespace rb::raft
