#pragma once
// A small in-test coordinator for ISR engine tests: a CoordinatorState called directly (no Raft),
// wired to an EngineCluster. It applies every node's MetadataRequests as commands and pushes each
// changed PartitionMetadata to every replica as AdminCommand::metadata_update, as the lead's
// runtime does through the replicated coordinator.
#include <map>
#include <set>
#include <vector>

#include "replication/coordinator/commands.h"
#include "replication/coordinator/coordinator_state.h"
#include "replication/core/assert.h"
#include "replication/testing/engine_cluster.h"

namespace rb::isr::testing {

using rb::coordinator::Applied;
using rb::coordinator::Command;
using rb::coordinator::CoordinatorConfig;
using rb::coordinator::CoordinatorState;

class CoordinatorDriver {
 public:
  CoordinatorDriver(rb::testing::EngineCluster& c, CoordinatorConfig cfg) : c_(c), st_(cfg) {
    for (NodeId n : c_.nodes()) {
      epoch_[n] = 1;
      RB_ASSERT(st_.apply(coordinator::RegisterBroker{n, 1}).status.ok());
      RB_ASSERT(st_.apply(coordinator::UnfenceBroker{n, 1}).status.ok());
    }
    RB_ASSERT(apply(coordinator::CreatePartition{PartitionId{0}, c_.nodes()}).status.ok());
    settle();
  }

  const PartitionMetadata& meta() const { return *st_.partition(PartitionId{0}); }
  CoordinatorState& state() { return st_; }

  // Applies a command and pushes what changed to every reachable replica.
  Applied apply(const Command& cmd) {
    Applied a = st_.apply(cmd);
    for (const auto& m : a.changed) push(m);
    return a;
  }

  // Nodes in this set neither reach the coordinator nor hear from it.
  std::set<NodeId> cut_from_coordinator;

  // Applies the metadata requests the nodes emitted since the last pump. Returns how many.
  size_t pump() {
    size_t n = 0;
    for (NodeId node : c_.nodes()) {
      auto& reqs = c_.metadata_requests(node);
      for (size_t i = consumed_[node]; i < reqs.size(); ++i, ++n)
        if (!cut_from_coordinator.count(node)) (void)apply(coordinator::command_from_request(reqs[i], node));
      consumed_[node] = reqs.size();
    }
    return n;
  }

  // When set (with EngineCluster::auto_persist = false), every append is reported durable without
  // syncing the store: fsync=never, acknowledged from the page cache, lost on a crash.
  bool page_cache_acks = false;

  // Delivers messages and metadata until nothing moves.
  void settle() {
    do {
      ack_page_cache();
      c_.deliver_all();
      ack_page_cache();
    } while (pump() > 0 || !c_.in_flight().empty());
  }

  void ack_page_cache() {
    if (!page_cache_acks) return;
    for (NodeId n : c_.nodes()) {
      if (!c_.up(n) || c_.engine(n).status().durable_end >= c_.store(n).log_end()) continue;
      c_.engine(n).persisted(c_.store(n).log_end());
      c_.process(n);
    }
  }

  // Ticks every node one tick at a time, settling after each.
  void run(int ticks) {
    for (int i = 0; i < ticks; ++i) {
      c_.tick_all(1);
      settle();
    }
  }

  // Restarts a crashed node: a new broker epoch, an unclean-shutdown mark if asked, unfenced by
  // its first heartbeat, and the current record pushed to it.
  void restart(NodeId n, bool unclean) {
    c_.restart(n);
    const int64_t e = ++epoch_[n];
    RB_ASSERT(apply(coordinator::RegisterBroker{n, e}).status.ok());
    if (unclean) RB_ASSERT(apply(coordinator::MarkUncleanShutdown{n}).status.ok());
    send(n, meta());
    RB_ASSERT(apply(coordinator::UnfenceBroker{n, e}).status.ok());
    settle();
  }

  void send(NodeId n, const PartitionMetadata& m) {
    if (!c_.up(n) || cut_from_coordinator.count(n)) return;
    AdminCommand cmd;
    cmd.kind = AdminCommand::Kind::metadata_update;
    cmd.metadata = m;
    RB_ASSERT(c_.admin(n, cmd).ok());
  }

 private:
  void push(const PartitionMetadata& m) {
    for (NodeId n : c_.nodes()) send(n, m);
  }

  rb::testing::EngineCluster& c_;
  CoordinatorState st_;
  std::map<NodeId, size_t> consumed_;
  std::map<NodeId, int64_t> epoch_;
};

}  // namespace rb::isr::testing
