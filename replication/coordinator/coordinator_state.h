#pragma once
// CoordinatorState: the replicated metadata state machine (Kafka's KRaft controller state: broker
// registrations and partition records). Pure and deterministic: apply() depends only on the state
// and the command, iterates std::maps, and never reads a clock, so every coordinator replica that
// applies the same committed commands in the same order holds the same state.
//
// Elections follow Kafka (PartitionChangeBuilder): keep a valid leader; else the first replica in
// assignment order that is unfenced and in the ISR; else, with eligible_leader_replicas, the first
// unfenced ELR member in assignment order; else, when unclean election is allowed, the first
// unfenced replica (that election may lose committed data: it is counted in unclean_elections()).
#include <map>
#include <set>
#include <string>
#include <vector>

#include "replication/coordinator/commands.h"
#include "replication/core/result.h"
#include "replication/engine.h"

namespace rb::coordinator {

struct CoordinatorConfig {
  // Kafka unclean.leader.election.enable (default false since 0.11, KIP-106): when no ISR (or ELR)
  // member is alive, elect the first live replica and accept the loss of committed records.
  bool unclean_leader_election = false;
  // Kafka eligible.leader.replicas.version=1 (KIP-966): keep replicas that left the ISR while it
  // was below min_insync in the ELR (they hold every committed record), allow an empty ISR, elect
  // from the ELR, and drop replicas that shut down uncleanly from it.
  bool eligible_leader_replicas = false;
  // min.insync.replicas (ReplicationConfig::min_insync); the ELR rule compares the ISR size with
  // min(min_insync, replicas of the partition).
  uint32_t min_insync = 2;

  Status validate() const;
};

struct BrokerInfo {
  int64_t broker_epoch = 0;
  bool fenced = true;  // a registered broker starts fenced (KRaft)
};

// The outcome of one command. `changed` lists the partition records the command changed (new
// versions), in partition order; they are what the runtime pushes to the replicas as
// AdminCommand::metadata_update. A rejected command changes nothing.
struct Applied {
  Status status;
  std::vector<PartitionMetadata> changed;
  // Partitions whose new leader was elected uncleanly by this command (not from ISR/ELR).
  std::vector<PartitionId> unclean;
};

class CoordinatorState {
 public:
  explicit CoordinatorState(CoordinatorConfig config = {});

  Applied apply(const Command& cmd);

  const CoordinatorConfig& config() const { return config_; }
  const std::map<NodeId, BrokerInfo>& brokers() const { return brokers_; }
  const std::map<PartitionId, PartitionMetadata>& partitions() const { return partitions_; }
  const PartitionMetadata* partition(PartitionId p) const;
  // True when the node is registered and not fenced.
  bool alive(NodeId n) const;
  uint64_t unclean_elections() const { return unclean_elections_; }

  // A stable text rendering of the whole state (determinism tests, debugging).
  std::string dump() const;

 private:
  Applied register_broker(const RegisterBroker& c);
  Applied fence_broker(const FenceBroker& c);
  Applied unfence_broker(const UnfenceBroker& c);
  Applied create_partition(const CreatePartition& c);
  Applied alter_partition(const AlterPartition& c);
  Applied elect_leader(const ElectLeader& c);
  Applied mark_unclean_shutdown(const MarkUncleanShutdown& c);
  Applied change_member(const ChangeMember& c);

  // Removes `node` from every ISR (and leadership) it holds; used by fencing.
  void fence_in_partitions(NodeId node, Applied& out);
  // Commits a new version of a partition (bumping the epochs as needed) and records it in `out`.
  // No-op when nothing changed, unless force_leader_epoch (GM view changes always bump).
  void commit(PartitionMetadata next, bool force_leader_epoch, bool unclean, Applied& out);
  // The new ELR for a transition from `prev` to the ISR `next_isr` (KIP-966 maybePopulateTargetElr).
  std::vector<NodeId> target_elr(const PartitionMetadata& prev, const std::vector<NodeId>& next_isr) const;
  // Picks a leader for `p` (after its ISR/ELR were updated). Returns kNoNode when nobody is
  // eligible; sets `unclean` when the choice came from outside ISR and ELR.
  NodeId choose_leader(const PartitionMetadata& p, ElectionKind kind, bool& unclean) const;

  CoordinatorConfig config_;
  std::map<NodeId, BrokerInfo> brokers_;
  std::map<PartitionId, PartitionMetadata> partitions_;
  uint64_t unclean_elections_ = 0;
};

}  // namespace rb::coordinator
