#include "harness/nemesis/partition_shapes.h"

#include <algorithm>

namespace rb::nemesis {

CutSet cuts_between(const std::vector<NodeId>& a, const std::vector<NodeId>& b) {
  CutSet out;
  for (NodeId x : a)
    for (NodeId y : b) {
      if (x == y) continue;
      out.insert({x, y});
      out.insert({y, x});
    }
  return out;
}

std::vector<NodeId> shuffled(std::vector<NodeId> nodes, Prng& rng) {
  for (size_t i = nodes.size(); i > 1; --i) std::swap(nodes[i - 1], nodes[rng.below(i)]);
  return nodes;
}

namespace {
std::pair<std::vector<NodeId>, std::vector<NodeId>> split_halves(const std::vector<NodeId>& nodes, Prng& rng) {
  auto s = shuffled(nodes, rng);
  size_t mid = s.size() / 2;
  return {std::vector<NodeId>(s.begin(), s.begin() + static_cast<std::ptrdiff_t>(mid)),
          std::vector<NodeId>(s.begin() + static_cast<std::ptrdiff_t>(mid), s.end())};
}
}  // namespace

CutSet halves_cuts(const std::vector<NodeId>& nodes, Prng& rng) {
  auto [small, large] = split_halves(nodes, rng);
  return cuts_between(small, large);
}

CutSet isolate_cuts(const std::vector<NodeId>& targets, const std::vector<NodeId>& nodes) {
  std::vector<NodeId> rest;
  for (NodeId n : nodes)
    if (std::find(targets.begin(), targets.end(), n) == targets.end()) rest.push_back(n);
  return cuts_between(targets, rest);
}

CutSet asymmetric_cuts(const std::vector<NodeId>& targets, const std::vector<NodeId>& nodes, bool out) {
  CutSet cuts;
  for (NodeId t : targets)
    for (NodeId n : nodes) {
      if (std::find(targets.begin(), targets.end(), n) != targets.end()) continue;
      cuts.insert(out ? Cut{t, n} : Cut{n, t});
    }
  return cuts;
}

CutSet bridge_cuts(const std::vector<NodeId>& nodes, Prng& rng) {
  auto [small, large] = split_halves(nodes, rng);
  if (large.empty()) return {};
  std::vector<NodeId> rest(large.begin() + 1, large.end());  // large[0] is the bridge
  return cuts_between(small, rest);
}

CutSet majorities_ring_cuts(const std::vector<NodeId>& nodes, Prng& rng) {
  auto ring = shuffled(nodes, rng);
  const size_t n = ring.size();
  CutSet cuts;
  if (n < 2) return cuts;
  if (n <= 3) {
    // Each node hears only its predecessor: node i drops everything from i+1.. (except i-1).
    for (size_t i = 0; i < n; ++i)
      for (size_t j = 0; j < n; ++j)
        if (j != i && j != (i + n - 1) % n) cuts.insert({ring[j], ring[i]});
    return cuts;
  }
  const size_t k = (n / 2 + 1) / 2;  // ceil((n/2)/2): 1 + 2k >= n/2 + 1 nodes seen
  for (size_t i = 0; i < n; ++i)
    for (size_t j = 0; j < n; ++j) {
      size_t d = std::min((i + n - j) % n, (j + n - i) % n);
      if (d > k) cuts.insert({ring[j], ring[i]});
    }
  return cuts;
}

std::set<NodeId> hears_from(NodeId node, const std::vector<NodeId>& nodes, const CutSet& cuts) {
  std::set<NodeId> out;
  for (NodeId n : nodes)
    if (n == node || !cuts.count({n, node})) out.insert(n);
  return out;
}

}  // namespace rb::nemesis
