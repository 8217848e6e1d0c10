#pragma once
// NodeHost: one node's broker core. It hosts a replica of every partition the placement gives the
// node (many engines per node: Multi-Raft style), drives each engine (inputs in, Ready applied in the
// contract's order), and serves the client protocol: produce with an ack level (and idempotent
// de-duplication), fetch of committed records only (long-poll), metadata, consumer-group offsets.
//
// The host is runtime-neutral: it never blocks, sleeps or reads a clock. Time arrives as tick();
// durability arrives as on_durable(); everything outbound goes through NodeIo.
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <unordered_map>
#include <utility>
#include <vector>

#include "replication/broker/partition_state.h"
#include "replication/engine_factory.h"
#include "replication/node/node_io.h"
#include "replication/storage/log_store.h"

namespace rb {

struct NodeHostConfig {
  NodeId self;
  std::vector<NodeId> nodes;    // every node of the cluster
  uint32_t partitions = 1;      // partitions 0 .. partitions-1
  ReplicationConfig common;     // validated
  bool follower_reads = false;  // serve fetches of committed records on followers too
  uint64_t seed = 0;
  uint32_t tick_ms = 1;                    // how long one tick is (used to turn max_wait_ms into ticks)
  uint32_t request_timeout_ticks = 30000;  // engine requests pending longer get errc::timeout
  // When set, a produce request is handed to its engine but the engine's Ready is applied only at
  // the next flush() (or any other event on that partition), so a burst of requests read from the
  // sockets at once becomes one append, one sync request and one reply pass. The runtime must
  // call flush() soon after produce requests (the net runtime: once per event-loop turn).
  bool defer_produce_drain = false;
};

struct NodeCounters {
  uint64_t produce_requests = 0;
  uint64_t produce_records = 0;
  uint64_t duplicates_answered = 0;
  uint64_t fetch_requests = 0;
  uint64_t records_served = 0;
  uint64_t peer_messages_in = 0;
  uint64_t peer_records_in = 0;  // records carried by those messages
};

class NodeHost {
 public:
  // Returns the store of partition p; the runtime owns stores (they outlive a crashed host).
  using StoreFactory = std::function<LogStore*(PartitionId)>;

  NodeHost(NodeHostConfig cfg, const EngineFactory& factory, NodeIo& io, StoreFactory stores);
  ~NodeHost();

  NodeId self() const { return cfg_.self; }

  void on_peer_message(const PeerMessage& msg);
  void on_client_request(ClientId client, client::Request req);
  // One tick for every hosted engine, and expiry of parked fetches.
  void tick();
  // The store of partition p is durable below `end` (after a group commit).
  void on_durable(PartitionId p, Offset end);
  // Partitions appended to since the last take_dirty() (for the runtime's group commit).
  std::set<PartitionId> take_dirty();
  Status admin(PartitionId p, const AdminCommand& cmd);
  // Applies what produce requests left pending under defer_produce_drain. Cheap when none did.
  void flush();
  bool has_deferred() const { return !deferred_.empty(); }

  // Inspection (harness, checker, tests).
  std::vector<PartitionId> partitions() const;
  bool hosts(PartitionId p) const { return parts_.count(p) != 0; }
  Engine& engine(PartitionId p);
  LogStore& store(PartitionId p);
  Offset commit(PartitionId p) const;
  const PartitionState& state(PartitionId p) const;
  const NodeCounters& counters() const { return counters_; }
  const NodeHostConfig& config() const { return cfg_; }

 private:
  struct Parked {
    ClientId client;
    client::FetchRequest req;
    uint64_t deadline_tick;
  };
  struct AwaitCommit {  // a duplicate whose original is not committed yet
    ClientId client;
    RequestId client_req;
    PartitionId partition;
    Offset offset;
  };
  struct Part {
    PartitionId id;
    std::vector<NodeId> replicas;
    LogStore* store = nullptr;
    std::unique_ptr<PartitionState> state;
    std::unique_ptr<Engine> engine;
    Offset commit{0};
    HardState saved_hs;  // what the store holds
    std::vector<Parked> parked;
    std::vector<AwaitCommit> awaiting;
    // Under defer_produce_drain: per producer id, the span [lowest, highest] of the sequences
    // handed to the engine whose Ready is not applied yet, so a retry of one of them is still
    // recognised (a sequence inside the span that was not proposed only costs an early drain).
    std::unordered_map<uint64_t, std::pair<int64_t, int64_t>> undrained;
  };
  enum class PendingKind : uint8_t { produce, offset_commit };
  struct Pending {
    ClientId client;
    RequestId client_req;
    PartitionId partition;
    PendingKind kind;
    uint64_t deadline_tick;
  };

  Part* find(PartitionId p);
  Part& create_part(PartitionId p);
  void drain(Part& p);
  void apply(Part& p, Ready r);
  void complete(Part& p, const Completion& c);

  void produce(ClientId client, client::ProduceRequest req);
  void fetch(ClientId client, client::FetchRequest req);
  void serve_fetch(Part& p, ClientId client, const client::FetchRequest& req);
  void metadata(ClientId client, const client::MetadataRequest& req);
  void offset_commit(ClientId client, client::OffsetCommitRequest req);
  void offset_fetch(ClientId client, const client::OffsetFetchRequest& req);
  void wake_fetches(Part& p);
  NodeId leader_hint(Part& p);

  NodeHostConfig cfg_;
  std::unique_ptr<EngineFactory> factory_;
  NodeIo& io_;
  StoreFactory stores_;
  std::map<PartitionId, Part> parts_;
  std::map<uint64_t, Pending> pending_;
  uint64_t next_req_ = 1;
  uint64_t ticks_ = 0;
  std::set<PartitionId> dirty_;
  std::set<PartitionId> deferred_;  // partitions whose Ready waits for flush()
  NodeCounters counters_;
};

}  // namespace rb
