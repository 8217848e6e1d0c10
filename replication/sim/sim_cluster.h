#pragma once
// SimCluster: N simulated nodes, each a NodeHost over MemLogStores, joined by a modelled network,
// with a modelled disk (write bandwidth, fsync latency, group commit; a power loss drops what was
// not synced) and a modelled CPU (a cost per message and per byte; inputs queue behind each other,
// so a node saturates as a real one would). Clients are simulated actors behind their own links.
//
// Everything random is drawn from named sub-streams of one seed; a run is exactly reproducible and
// trace_hash() fingerprints it.
#include <map>
#include <memory>
#include <set>
#include <vector>

#include "replication/cluster_api.h"
#include "replication/core/prng.h"
#include "replication/engine_factory.h"
#include "replication/node/coordinated_node.h"
#include "replication/node/node_host.h"
#include "replication/sim/core_pool.h"
#include "replication/sim/event_queue.h"
#include "replication/sim/shared_disk.h"
#include "replication/sim/sim_config.h"
#include "replication/storage/mem_log_store.h"

namespace rb::sim {

struct SimClusterConfig {
  uint32_t nodes = 3;
  uint32_t partitions = 1;
  ReplicationConfig common;
  uint64_t seed = 1;
  SimConfig sim;
  bool follower_reads = false;
  // The coordinator (metadata quorum); enabled for modes that use it. The quorum factory (Raft)
  // must outlive the cluster.
  CoordinationConfig coordination;
  Status validate() const;
};

class SimCluster final : public ClusterApi {
 public:
  SimCluster(SimClusterConfig cfg, const EngineFactory& factory);
  ~SimCluster() override;

  int64_t now_ns() const override { return q_.now(); }
  void schedule(int64_t at_ns, std::function<void()> fn) override { q_.at(at_ns, std::move(fn)); }
  void run_until(int64_t t_ns) override { q_.run_until(t_ns); }

  void set_response_handler(std::function<void(ClientId, client::Response)> fn) override {
    on_response_ = std::move(fn);
  }
  void send(ClientId client, NodeId node, client::Request req) override;

  std::vector<NodeId> nodes() const override;
  uint32_t partitions() const override { return cfg_.partitions; }
  std::vector<NodeId> replicas(PartitionId p) const override;
  bool is_up(NodeId n) const override;

  Status kill(NodeId n, bool lose_unsynced) override;
  Status restart(NodeId n) override;
  Status pause(NodeId n) override;
  Status resume(NodeId n) override;
  Status set_link(NodeId from, NodeId to, LinkFault f) override;
  Status heal_links() override;
  Status set_disk_slowdown(NodeId n, double factor) override;
  Status admin(NodeId n, PartitionId p, const AdminCommand& cmd) override;

  std::optional<NodeId> leader_of(PartitionId p) override;
  std::vector<ReplicaLogDump> dump_logs() override;
  ClusterCounters counters() const override { return counters_; }
  std::vector<EngineEventRecord> take_events() override { return std::exchange(events_, {}); }
  std::map<std::string, std::string> describe() const override;

  // Fingerprint of everything that happened so far (inputs, their times and sizes).
  uint64_t trace_hash() const { return trace_; }
  uint64_t events_executed() const { return q_.executed(); }
  NodeHost* host(NodeId n);
  CoordinatedNode* coordinated(NodeId n);
  MemLogStore& store(NodeId n, PartitionId p);

 private:
  class Node;
  struct LinkState {
    LinkFault fault;
    int64_t free_at = 0;       // bandwidth: when the link finishes sending its last packet
    int64_t last_arrival = 0;  // FIFO: no packet arrives before an earlier one
  };

  Node& node(NodeId n);
  void mix_trace(uint64_t a, uint64_t b, uint64_t c);
  // Moves a packet of `bytes` over from->to (clients use kNoNode as their endpoint); returns the
  // arrival time, or -1 when dropped.
  int64_t transmit(NodeId from, NodeId to, int64_t depart, size_t bytes, const NetworkModel& model);
  void deliver_response(ClientId client, client::Response resp, int64_t depart, NodeId from);

  SimClusterConfig cfg_;
  std::unique_ptr<EngineFactory> factory_;
  EventQueue q_;
  Prng net_rng_;
  Prng disk_rng_;
  CorePool cores_;   // shared cores (CpuModel::shared_cores), when > 0
  SharedDisk disk_;  // the shared disk (DiskModel::shared)
  std::vector<std::unique_ptr<Node>> nodes_;
  std::map<std::pair<uint32_t, uint32_t>, LinkState> links_;
  std::function<void(ClientId, client::Response)> on_response_;
  std::vector<EngineEventRecord> events_;
  ClusterCounters counters_;
  uint64_t trace_ = 0xcbf29ce484222325ULL;
};

}  // namespace rb::sim
