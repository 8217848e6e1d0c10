#pragma once
// Controller: the active controller's in-memory side (KRaft QuorumController's heartbeat manager
// and periodic tasks). It runs only on the coordinator replica that currently leads the metadata
// quorum, reads the replicated CoordinatorState, and returns commands to propose to the quorum.
// It never changes the state itself: a command takes effect only once committed and applied.
//
// Pure: time is the tick count the caller passes; no clock, no I/O. A new active controller (after
// a metadata-quorum failover) starts with a fresh Controller, which gives every broker a full
// session from its first tick, as Kafka's new controller does.
#include <cstdint>
#include <map>
#include <vector>

#include "replication/coordinator/commands.h"
#include "replication/coordinator/coordinator_state.h"

namespace rb::coordinator {

struct ControllerConfig {
  // A broker that has not heartbeated for this many ticks is fenced. Kafka
  // broker.session.timeout.ms is 9000 ms; at 1 ms per tick the default is scaled down to 1500
  // ticks (1.5 s) so that simulated failovers finish in reasonable virtual time. Brokers should
  // heartbeat several times per session (Kafka: every 2000 ms of 9000).
  int64_t session_timeout_ticks = 1500;
  // A command proposed but not yet visible in the state is proposed again after this many ticks
  // (the proposal may have been lost in a metadata-quorum leader change).
  int64_t retry_ticks = 200;
  // Leaderless partitions get an ElectLeader{any} this often (Kafka retries unclean elections
  // every unclean.leader.election.interval.ms; clean elections also happen at once on unfence).
  int64_t election_interval_ticks = 1000;
  // Kafka auto.leader.rebalance.enable: periodically move leadership back to the preferred
  // replica when it is unfenced and in the ISR. Off by default here (benchmarks want stable
  // leaders); interval as leader.imbalance.check.interval (scaled).
  bool auto_leader_rebalance = false;
  int64_t rebalance_interval_ticks = 30000;

  Status validate() const;
};

class Controller {
 public:
  Controller(ControllerConfig config, const CoordinatorState* state);

  // A broker heartbeat at `now_tick`. Returns UnfenceBroker when the broker is registered with
  // this broker_epoch and fenced. Heartbeats with another epoch are ignored (the broker must
  // register first; RegisterBroker is the broker's own proposal).
  std::vector<Command> on_heartbeat(NodeId node, int64_t broker_epoch, int64_t now_tick);
  // One tick of time. Returns FenceBroker for expired sessions, ElectLeader for leaderless
  // partitions (and preferred elections when rebalancing is on).
  std::vector<Command> tick();

  int64_t now() const { return now_; }

 private:
  // True (and records the attempt) when `key` was not proposed within retry_ticks.
  bool may_propose(const std::string& key);

  ControllerConfig config_;
  const CoordinatorState* state_;
  int64_t now_ = 0;
  int64_t last_election_ = 0;
  int64_t last_rebalance_ = 0;
  std::map<NodeId, int64_t> last_heartbeat_;
  std::map<std::string, int64_t> proposed_at_;
};

}  // namespace rb::coordinator
