// Each partition shape produces the connectivity Jepsen's definition describes, for several
// cluster sizes and seeds.
#include "harness/nemesis/partition_shapes.h"

#include <gtest/gtest.h>

namespace rb::nemesis {
namespace {

std::vector<NodeId> ids(uint32_t n) {
  std::vector<NodeId> v;
  for (uint32_t i = 0; i < n; ++i) v.push_back(NodeId{i});
  return v;
}

bool symmetric(const CutSet& cuts) {
  for (const auto& [a, b] : cuts)
    if (!cuts.count({b, a})) return false;
  return true;
}

TEST(PartitionShapes, HalvesSplitsInTwoComponents) {
  for (uint32_t n : {2u, 3u, 5u, 7u})
    for (uint64_t seed = 1; seed <= 20; ++seed) {
      SCOPED_TRACE("n=" + std::to_string(n) + " seed=" + std::to_string(seed));
      Prng rng(seed);
      auto nodes = ids(n);
      auto cuts = halves_cuts(nodes, rng);
      EXPECT_TRUE(symmetric(cuts));
      // Two sides of floor(n/2) and ceil(n/2) nodes, fully cut from each other.
      EXPECT_EQ(cuts.size(), 2u * (n / 2) * (n - n / 2));
      for (NodeId x : nodes) {
        auto seen = hears_from(x, nodes, cuts);
        EXPECT_TRUE(seen.size() == n / 2 || seen.size() == n - n / 2);
        for (NodeId y : seen) EXPECT_EQ(hears_from(y, nodes, cuts), seen);  // a clique
      }
    }
}

TEST(PartitionShapes, IsolateAndAsymmetric) {
  auto nodes = ids(5);
  auto iso = isolate_cuts({NodeId{2}}, nodes);
  EXPECT_EQ(iso.size(), 8u);
  EXPECT_TRUE(symmetric(iso));
  EXPECT_EQ(hears_from(NodeId{2}, nodes, iso), std::set<NodeId>{NodeId{2}});
  EXPECT_EQ(hears_from(NodeId{0}, nodes, iso).size(), 4u);

  auto out = asymmetric_cuts({NodeId{2}}, nodes, true);
  EXPECT_EQ(out.size(), 4u);
  EXPECT_TRUE(out.count({NodeId{2}, NodeId{0}}));
  EXPECT_FALSE(out.count({NodeId{0}, NodeId{2}}));
  EXPECT_EQ(hears_from(NodeId{2}, nodes, out).size(), 5u);  // still hears everyone
  auto in = asymmetric_cuts({NodeId{2}}, nodes, false);
  EXPECT_TRUE(in.count({NodeId{0}, NodeId{2}}));
  EXPECT_EQ(hears_from(NodeId{2}, nodes, in), std::set<NodeId>{NodeId{2}});
}

TEST(PartitionShapes, BridgeNodeSeesBothSides) {
  for (uint32_t n : {3u, 5u, 7u})
    for (uint64_t seed = 1; seed <= 20; ++seed) {
      SCOPED_TRACE("n=" + std::to_string(n) + " seed=" + std::to_string(seed));
      Prng rng(seed);
      auto nodes = ids(n);
      auto cuts = bridge_cuts(nodes, rng);
      EXPECT_TRUE(symmetric(cuts));
      int bridges = 0;
      for (NodeId x : nodes) {
        auto seen = hears_from(x, nodes, cuts);
        if (seen.size() == n)
          ++bridges;
        else
          EXPECT_LE(seen.size(), n - n / 2u);  // one side plus the bridge
      }
      EXPECT_EQ(bridges, 1);
      EXPECT_EQ(cuts.size(), 2u * (n / 2) * (n - n / 2 - 1));
    }
}

TEST(PartitionShapes, MajoritiesRingEveryNodeSeesAMajority) {
  for (uint32_t n : {3u, 4u, 5u, 6u, 7u, 9u})
    for (uint64_t seed = 1; seed <= 20; ++seed) {
      SCOPED_TRACE("n=" + std::to_string(n) + " seed=" + std::to_string(seed));
      Prng rng(seed);
      auto nodes = ids(n);
      auto cuts = majorities_ring_cuts(nodes, rng);
      EXPECT_FALSE(cuts.empty());
      std::set<std::set<NodeId>> views;
      for (NodeId x : nodes) {
        auto seen = hears_from(x, nodes, cuts);
        EXPECT_GE(seen.size(), n / 2 + 1) << "node " << x;
        EXPECT_LT(seen.size(), n) << "node " << x;
        views.insert(seen);
      }
      EXPECT_EQ(views.size(), n) << "no two nodes share a view";
    }
  Prng rng(1);
  auto five = majorities_ring_cuts(ids(5), rng);
  EXPECT_TRUE(symmetric(five));
  EXPECT_EQ(five.size(), 10u);  // each node loses exactly its two far ring neighbours
}

}  // namespace
}  // namespace rb::nemesis
