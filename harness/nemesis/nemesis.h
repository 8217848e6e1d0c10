#pragma once
// Nemesis: runs a fault schedule against a ClusterApi (the simulator or the net runtime alike).
//
// Usage (the run command):
//   Nemesis nem(cluster, specs, seed, PartitionId{0});
//   nem.start(t0_ns);          // schedules every start and heal through cluster.schedule()
//   ... run the load ...
//   nem.heal_all();            // before the final drain / checks: a healed cluster
//   result["faults"] = nem.to_json();
//
// Targets are resolved when a fault starts, never earlier: "leader" is leader_of(focus) at that
// moment; follower / minority / majority are seeded choices among the replicas of the focus
// partition; random / all range over every node. Every random choice comes from a Prng substream
// of `seed` named after the fault's index, so one fault's choices never shift another's.
//
// Link faults compose: each directed link keeps the contribution of every active fault (cut if any
// cuts; delays add; losses combine as 1 - prod(1 - p)), so healing one fault restores exactly what
// it added. Clients (ClusterApi endpoint kClientEndpoint) are only touched when a fault says
// `clients`.
//
// Lifetime: scheduled callbacks hold a weak token, so destroying the Nemesis before the cluster
// makes any callbacks still queued do nothing. The cluster must outlive the Nemesis.
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "harness/nemesis/fault_spec.h"
#include "harness/nemesis/partition_shapes.h"
#include "replication/cluster_api.h"

namespace rb::nemesis {

// The endpoint simulated clients use in set_link (replication/sim/sim_cluster.h).
inline constexpr NodeId kClientEndpoint{UINT32_MAX - 1};

enum class FaultStatus : uint8_t {
  pending,       // not started yet
  active,        // started, waiting for its heal
  healed,        // healed at its heal time
  healed_final,  // healed by heal_all() at the end of the run
  done,          // a one-shot fault (restart, transfer-leader, permanent membership change) ran
  skipped,       // no target at fault time (e.g. no leader); nothing was done
  error,         // the cluster refused (e.g. the engine does not support add_replica)
  not_started,   // the run ended before its start time
};
std::string_view to_string(FaultStatus s);

struct FaultRecord {
  std::string spec;  // as written
  FaultKind kind = FaultKind::kill;
  std::vector<NodeId> targets;  // resolved at start
  CutSet cuts;                  // partition faults
  int64_t start_ns = -1;        // when it actually started
  int64_t end_ns = -1;          // when it was healed, -1 if never
  FaultStatus status = FaultStatus::pending;
  std::string error;  // why skipped / error; also errors met while healing
};

class Nemesis {
 public:
  Nemesis(ClusterApi& cluster, std::vector<FaultSpec> faults, uint64_t seed, PartitionId focus = PartitionId{0});
  ~Nemesis();
  Nemesis(const Nemesis&) = delete;
  Nemesis& operator=(const Nemesis&) = delete;

  // Schedules every start at t0 + start_s and every heal at t0 + heal_s (times already past run
  // at now). Call once.
  void start(int64_t t0_ns);
  // Heals every active fault now, resumes paused and restarts killed nodes, resets disks and links,
  // and cancels faults that have not started. Membership changes without a heal time stay.
  void heal_all();

  const std::vector<FaultRecord>& records() const { return records_; }
  const std::vector<FaultSpec>& faults() const { return faults_; }
  // One object per fault: spec, kind, at_s, heal_s, targets, cuts, start_ns, end_ns, status, error.
  nlohmann::json to_json() const;

 private:
  void begin(size_t i);
  void end(size_t i, bool final);
  // Resolves the spec's target at this moment; empty + error text when there is none.
  std::vector<NodeId> resolve(size_t i, std::string& why);
  PartitionId focus_of(size_t i) const;
  // True when another add-node / remove-node fault (same kind, same partition) already changed n:
  // ClusterApi::replicas() is the initial placement, so the nemesis remembers its own changes.
  bool already_changed(size_t i, FaultKind kind, NodeId n) const;
  std::vector<NodeId> nodes_and_clients(bool clients) const;
  void add_link(size_t i, NodeId from, NodeId to, LinkFault f);
  void apply_link(std::pair<uint32_t, uint32_t> link);
  void apply_disk(NodeId n);
  Status admin_on_leader(size_t i, AdminCommand::Kind kind, NodeId node);
  void fail(size_t i, FaultStatus st, std::string why);

  ClusterApi& cluster_;
  std::vector<FaultSpec> faults_;
  std::vector<FaultRecord> records_;
  uint64_t seed_;
  PartitionId focus_;
  bool started_ = false;
  bool finished_ = false;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);

  std::map<std::pair<uint32_t, uint32_t>, std::map<size_t, LinkFault>> links_;  // link -> fault -> part
  std::map<uint32_t, std::map<size_t, double>> disks_;                          // node -> fault -> factor
  std::set<NodeId> killed_;
  std::set<NodeId> paused_;
};

}  // namespace rb::nemesis
