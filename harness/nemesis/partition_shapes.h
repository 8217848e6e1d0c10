#pragma once
// Network partition shapes as sets of directed link cuts (from -> to: messages from `from` to `to`
// are dropped). Pure functions: the nemesis applies the cuts through ClusterApi::set_link.
// Shapes follow Jepsen's nemesis definitions (jepsen/nemesis.clj), paraphrased:
//   halves           nodes shuffled, split at floor(n/2): [smaller, larger]; every link between the
//                    two sides cut, both directions.
//   isolate          the given nodes cut from every other node, both directions.
//   asymmetric       the given nodes' links cut in one direction only (out: they cannot send;
//                    in: they cannot receive).
//   bridge           halves as above, then one node of the larger half (the bridge) keeps its
//                    links to both sides; everything else between the sides is cut.
//   majorities-ring  nodes shuffled into a ring; each node keeps links to the nodes within ring
//                    distance k = ceil((n/2)/2) and loses the rest, so every node sees a majority
//                    (itself included) and neighbours see different majorities (perfect for n = 5).
//                    For n <= 3 no symmetric ring exists, so each node hears only its ring
//                    predecessor (one-way cuts): it still sees a majority of 2 of 3.
#include <set>
#include <utility>
#include <vector>

#include "replication/core/ids.h"
#include "replication/core/prng.h"

namespace rb::nemesis {

using Cut = std::pair<NodeId, NodeId>;  // directed: from -> to
using CutSet = std::set<Cut>;

// Every link between a and b, both directions.
CutSet cuts_between(const std::vector<NodeId>& a, const std::vector<NodeId>& b);

// A seeded Fisher-Yates shuffle (the nemesis's only source of randomness for shapes).
std::vector<NodeId> shuffled(std::vector<NodeId> nodes, Prng& rng);

CutSet halves_cuts(const std::vector<NodeId>& nodes, Prng& rng);
CutSet isolate_cuts(const std::vector<NodeId>& targets, const std::vector<NodeId>& nodes);
// out = true: targets -> others cut; out = false: others -> targets cut.
CutSet asymmetric_cuts(const std::vector<NodeId>& targets, const std::vector<NodeId>& nodes, bool out);
CutSet bridge_cuts(const std::vector<NodeId>& nodes, Prng& rng);
CutSet majorities_ring_cuts(const std::vector<NodeId>& nodes, Prng& rng);

// What `node` can hear from (itself included) under `cuts`: for tests and the docs.
std::set<NodeId> hears_from(NodeId node, const std::vector<NodeId>& nodes, const CutSet& cuts);

}  // namespace rb::nemesis
