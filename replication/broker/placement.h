#pragma once
// Replica placement, Kafka's classic rule: replica j of partition i lives on node (i + j) mod n.
// The first replica is the preferred leader, so leaders spread evenly over the nodes.
#include <cstdint>
#include <vector>

#include "replication/core/assert.h"
#include "replication/core/ids.h"

namespace rb {

inline std::vector<NodeId> place_replicas(PartitionId p, uint32_t replicas, uint32_t nodes) {
  RB_ASSERT(nodes > 0);
  RB_ASSERT(replicas <= nodes);
  std::vector<NodeId> out;
  out.reserve(replicas);
  for (uint32_t j = 0; j < replicas; ++j) out.push_back(NodeId{(p.value() + j) % nodes});
  return out;
}

}  // namespace rb
