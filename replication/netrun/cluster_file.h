#pragma once
// The cluster file: one JSON document every node of a net-runtime cluster and the harness read.
// It names the nodes (id, host, port) and carries the run settings the nodes must agree on (mode,
// partitions, replication knobs, engine knobs, tick length, coordinator quorum), so the same file
// starts a cluster on one host (loopback ports) or on several hosts.
//
//   {"cluster_id": 42,
//    "nodes": [{"id": 0, "host": "127.0.0.1", "port": 7001}, ...],
//    "mode": "raft", "partitions": 1, "tick_ms": 1, "seed": 1, "follower_reads": false,
//    "replication": {"replicas": 3, "acks": "all", "min_insync": 2, "fsync": "always",
//                    "batch_max_entries": 512, "batch_max_bytes": 1048576, "batch_linger_ticks": 0,
//                    "idempotence": true, "max_message_bytes": 1048576},
//    "engine": {"election_ticks": "300"},
//    "quorum": [0, 1, 2]}
//
// Node ids must be exactly 0 .. n-1 (placement is by id modulo n). Missing optional fields take
// the defaults documented on ClusterFile; unknown top-level fields are rejected so a typo is not
// silently ignored.
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "replication/core/config.h"
#include "replication/core/ids.h"
#include "replication/core/result.h"

namespace rb::netrun {

struct ClusterNode {
  NodeId id;
  std::string host = "127.0.0.1";  // where the node listens (peers, clients and admin share a port)
  uint16_t port = 0;               // 1..65535
  bool operator==(const ClusterNode&) const = default;
};

struct ClusterFile {
  uint64_t cluster_id = 1;                    // frames of other clusters are rejected; != 0
  std::vector<ClusterNode> nodes;             // ids 0..n-1, each once
  std::string mode;                           // engine mode name (masterslave, raft, isr, gm)
  uint32_t partitions = 1;                    // partitions 0..partitions-1; >= 1
  ReplicationConfig common;                   // validated; replicas <= nodes
  std::map<std::string, std::string> engine;  // engine knobs, as for EngineFactory::set
  uint32_t tick_ms = 1;                       // one engine tick in wall milliseconds; 1..1000
  uint64_t seed = 1;                          // engines' random seeds derive from it
  bool follower_reads = false;
  std::vector<NodeId> quorum;  // coordinator replicas; empty = the runtime's default (first three)

  Status validate() const;
  const ClusterNode* node(NodeId id) const;
  std::vector<NodeId> node_ids() const;
};

// Parses and validates. Errors are invalid_config naming the field.
Result<ClusterFile> cluster_file_from_json(const nlohmann::json& j);
nlohmann::json to_json(const ClusterFile& f);
// Reads a file (io_error naming it when unreadable, invalid_config for bad JSON or fields).
Result<ClusterFile> load_cluster_file(const std::string& path);
// Writes atomically (temporary file + rename), so a node never reads half a file.
Status save_cluster_file(const std::string& path, const ClusterFile& f);

}  // namespace rb::netrun
