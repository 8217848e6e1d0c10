#pragma once
// EngineCluster: a deterministic, in-memory harness for engine unit and scenario tests.
//
// It is the smallest correct runtime for the engine contract: one MemLogStore per node, Ready
// applied in the documented order, messages queued until a test delivers them (all, one, or
// filtered), ticks only when a test asks, links that can be cut in either direction, and crashes
// that drop whatever was not durable. No threads, no clocks, no randomness of its own.
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <vector>

#include "replication/engine_factory.h"
#include "replication/storage/mem_log_store.h"

namespace rb::testing {

// Minimal broker state for snapshot tests: remembers the last snapshot state it was given and
// reports "upto=<offset>" otherwise.
class TestSnapshotSource final : public SnapshotSource {
 public:
  Snapshot snapshot_at(Offset upto) const override;
  std::string installed;  // state of the last installed snapshot
};

class EngineCluster {
 public:
  EngineCluster(const EngineFactory& factory, std::vector<NodeId> replicas, ReplicationConfig common, uint64_t seed = 1,
                PartitionId partition = PartitionId{0});

  Engine& engine(NodeId n);
  MemLogStore& store(NodeId n);
  const std::vector<NodeId>& nodes() const { return replicas_; }
  bool up(NodeId n) const { return nodes_.at(n).engine != nullptr; }

  // When true (default), every append is reported durable right after it is applied; when false a
  // test calls persist(n) itself (to model a slow disk or parallel leader append).
  bool auto_persist = true;

  // Drains every up node's Ready (repeatedly, until none has one) and applies it.
  void process_all();
  void process(NodeId n);
  // Reports node n's log durable up to its current end.
  void persist(NodeId n);

  // Messages waiting for delivery, oldest first. Tests may inspect or erase them.
  std::deque<PeerMessage>& in_flight() { return in_flight_; }
  // Delivers the oldest message (dropping it if its link is cut or its target is down). Returns
  // false when nothing was in flight.
  bool deliver_one();
  // Delivers messages (and processes Readies) until no message is in flight. Returns how many
  // were delivered. Aborts after `max_steps` to catch livelock.
  size_t deliver_all(size_t max_steps = 1'000'000);
  // Drops messages matching `pred` without delivering them.
  size_t drop_if(const std::function<bool(const PeerMessage&)>& pred);

  void tick(NodeId n, int ticks = 1);
  void tick_all(int ticks = 1);
  // tick_all one tick at a time, delivering everything after each tick.
  void run_ticks(int ticks);

  // Link control: cut(a, b) drops messages from a to b only.
  void cut(NodeId from, NodeId to) { cut_.insert({from, to}); }
  void isolate(NodeId n);
  void heal() { cut_.clear(); }
  bool link_up(NodeId from, NodeId to) const { return !cut_.count({from, to}); }

  // Power loss: the engine is destroyed, unsynced records vanish. restart() builds a new engine
  // from what the store kept.
  void crash(NodeId n);
  void restart(NodeId n);

  void propose(NodeId n, ProposeRequest req) {
    engine(n).propose(std::move(req));
    process(n);
  }
  Status admin(NodeId n, const AdminCommand& cmd);

  // Everything an engine has emitted so far.
  std::vector<Completion>& completions(NodeId n) { return nodes_.at(n).completions; }
  std::vector<Event>& events(NodeId n) { return nodes_.at(n).events; }
  std::vector<MetadataRequest>& metadata_requests(NodeId n) { return nodes_.at(n).metadata_requests; }
  Offset commit(NodeId n) const { return nodes_.at(n).commit; }
  TestSnapshotSource& snapshots(NodeId n) { return *nodes_.at(n).snapshots; }

  // The leader according to the engines' own status (kNoNode if none or several claim it).
  NodeId leader() const;
  std::vector<NodeId> leaders() const;  // every up node whose status says leader

  // Adds a node that is not yet a replica (for membership changes).
  void add_node(NodeId n);

  // Builds data entries for a proposal.
  static ProposeRequest make_proposal(uint64_t id, int count, size_t bytes = 16, AckLevel ack = AckLevel::all);

  uint64_t messages_delivered() const { return delivered_; }

 private:
  struct Node {
    std::unique_ptr<MemLogStore> store;
    std::unique_ptr<TestSnapshotSource> snapshots;
    std::unique_ptr<Engine> engine;
    std::vector<Completion> completions;
    std::vector<Event> events;
    std::vector<MetadataRequest> metadata_requests;
    Offset commit{0};
  };
  void start_engine(NodeId n);
  void apply(NodeId n, Ready r);

  std::unique_ptr<EngineFactory> factory_;
  std::vector<NodeId> replicas_;
  ReplicationConfig common_;
  uint64_t seed_;
  PartitionId partition_;
  std::map<NodeId, Node> nodes_;
  std::deque<PeerMessage> in_flight_;
  std::set<std::pair<NodeId, NodeId>> cut_;
  uint64_t delivered_ = 0;
};

}  // namespace rb::testing
