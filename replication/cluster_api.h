#pragma once
// The Cluster API (design section 2): what the harness sees of a running cluster, identical for the
// simulator and the net runtime. Time, client traffic, faults and inspection.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "replication/broker/client_protocol.h"
#include "replication/engine.h"
#include "replication/node/node_io.h"

namespace rb {

// A link fault on one direction between two nodes (or a node and the clients).
struct LinkFault {
  bool cut = false;      // drop everything
  double loss = 0.0;     // drop each message with this probability
  int64_t delay_ns = 0;  // added one-way latency
};

// The committed prefix of one replica at the end of a run, for the checker.
struct ReplicaLogDump {
  NodeId node;
  PartitionId partition;
  Offset commit;
  Offset log_start;
  Entries entries;  // committed records (all kinds) from log_start to commit
};

struct ClusterCounters {
  uint64_t network_bytes = 0;  // peer traffic, data replicas
  uint64_t network_messages = 0;
  uint64_t coordinator_bytes = 0;  // metadata quorum traffic (reported separately)
  uint64_t coordinator_messages = 0;
  uint64_t client_bytes = 0;
  uint64_t disk_bytes = 0;
  uint64_t fsyncs = 0;
  double cpu_seconds = 0;  // summed over nodes (sim: modelled; net: measured)
};

struct EngineEventRecord {
  int64_t time_ns;
  NodeId node;
  PartitionId partition;
  Event event;
};

class ClusterApi {
 public:
  virtual ~ClusterApi() = default;

  // --- time ---
  virtual int64_t now_ns() const = 0;
  virtual void schedule(int64_t at_ns, std::function<void()> fn) = 0;
  // Runs the cluster until virtual/wall time reaches t_ns.
  virtual void run_until(int64_t t_ns) = 0;

  // --- clients ---
  virtual void set_response_handler(std::function<void(ClientId, client::Response)> fn) = 0;
  virtual void send(ClientId client, NodeId node, client::Request req) = 0;

  // --- shape ---
  virtual std::vector<NodeId> nodes() const = 0;
  virtual uint32_t partitions() const = 0;
  virtual std::vector<NodeId> replicas(PartitionId p) const = 0;
  virtual bool is_up(NodeId n) const = 0;

  // --- faults ---
  virtual Status kill(NodeId n, bool lose_unsynced) = 0;  // SIGKILL (page cache kept) or power loss
  virtual Status restart(NodeId n) = 0;
  virtual Status pause(NodeId n) = 0;   // SIGSTOP
  virtual Status resume(NodeId n) = 0;  // SIGCONT
  virtual Status set_link(NodeId from, NodeId to, LinkFault f) = 0;
  virtual Status heal_links() = 0;
  virtual Status set_disk_slowdown(NodeId n, double factor) = 0;  // 1.0 = normal
  virtual Status admin(NodeId n, PartitionId p, const AdminCommand& cmd) = 0;

  // --- inspection ---
  // The leader of p according to the replicas' own status (highest epoch claiming leadership).
  virtual std::optional<NodeId> leader_of(PartitionId p) = 0;
  virtual std::vector<ReplicaLogDump> dump_logs() = 0;
  virtual ClusterCounters counters() const = 0;
  virtual std::vector<EngineEventRecord> take_events() = 0;
  virtual std::map<std::string, std::string> describe() const = 0;  // runtime settings for results
};

}  // namespace rb
