#pragma once
// Quorum arithmetic as pure functions, split from engine state (as etcd's quorum/majority.go):
// the committed index from the voters' match indexes, and the outcome of a vote tally. Only
// simple majorities: this engine changes membership one server at a time (README).
#include <cstddef>
#include <vector>

#include "replication/core/ids.h"

namespace rb::raft {

// Votes needed for a majority of n voters (n >= 1).
constexpr size_t majority(size_t n) { return n / 2 + 1; }

// The largest offset that a majority of voters has (every voter's match index, -1 for none).
// `matches` holds one entry per voter; it is taken by value and reordered. An empty voter set
// commits nothing (returns -1).
Offset committed_index(std::vector<Offset> matches);

enum class VoteResult { pending, won, lost };

struct Ballot {
  NodeId node;
  bool granted = false;
};

// The outcome of an election among `voters` given the answers in `ballots` (answers from
// non-voters are ignored; a voter answers at most once).
VoteResult tally(const std::vector<NodeId>& voters, const std::vector<Ballot>& ballots);

}  // namespace rb::raft
