#pragma once
// The engine contract: one partition replica's replication protocol as a pure state machine.
//
// An engine does no I/O, owns no threads, reads no clock and keeps no global state. The runtime
// (simulator or net) feeds it inputs and, after each input (or a group of them), drains one
// Ready with take_ready() and carries it out in this order:
//
//   1. persist `hard_state` atomically (if set), before anything that depends on it leaves;
//   2. install `snapshot` (if set): the log restarts empty after snapshot.last_included and the
//      broker state is replaced by snapshot.state;
//   3. apply the log writes: truncate_prefix, then truncate_suffix, then append (buffered; the
//      store's contents now include them, so the engine's LogReader sees them before its next
//      input);
//   4. request durability for the appended records per the fsync policy; when the store
//      reaches durability up to some end offset, call persisted(end) (later, asynchronously);
//   5. send `messages` (they may leave before step 4 completes: that is parallel leader append);
//   6. publish `commit` to the broker (what consumers may now read);
//   7. deliver `completions` to clients, record `events`, forward `metadata_requests` to the
//      coordinator.
//
// Engines keep their own unapplied writes in a LogView (storage/log_view.h), which overlays
// them on the LogReader until take_ready() hands them over.
//
// Every timeout inside an engine is a count of tick() calls. The runtime maps one tick to a
// fixed duration (default 1 ms). See docs/architecture.md for why the contract has this shape.
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "replication/core/config.h"
#include "replication/core/ids.h"
#include "replication/core/result.h"
#include "replication/log_entry.h"
#include "replication/storage/log_reader.h"

namespace rb {

// ---------------------------------------------------------------------------------------------
// Peer messages. One generic shape for all four protocols (as raftpb.Message is for Raft): each
// engine gives `kind` its own meaning and documents which fields it uses in its README. One shape
// means one protobuf message on the wire, one fault filter and one byte count for every engine.
struct PeerMessage {
  NodeId from;
  NodeId to;
  PartitionId partition;
  uint16_t kind = 0;  // engine-specific message type
  Epoch epoch;        // sender's term / leader epoch / view
  Offset offset;      // e.g. Raft prev index, ISR fetch offset, GM sequence
  Epoch log_epoch;    // e.g. Raft prev log term, ISR last fetched epoch
  Offset commit;      // sender's commit watermark (exclusive end)
  Offset hint;        // e.g. reject hint, diverging end offset, log end
  Epoch hint_epoch;   // e.g. epoch of the hint
  bool reject = false;
  uint64_t context = 0;  // engine-specific (request ids, probe ids)
  Entries entries;
  std::vector<NodeId> members;  // a configuration, ISR or view
  std::vector<int64_t> values;  // engine-specific list (e.g. GM acknowledgements)
  std::string blob;             // engine-specific bytes (e.g. a snapshot's state)

  size_t wire_size() const {
    return 64 + rb::wire_size(entries) + members.size() * 4 + values.size() * 8 + blob.size();
  }
};

// ---------------------------------------------------------------------------------------------
// Client side.
struct ProposeRequest {
  RequestId id;
  AckLevel ack = AckLevel::all;
  Entries entries;  // kind/producer/sequence/timestamp/payload set; offset and epoch left to the engine
};

struct Completion {
  RequestId id;
  errc code = errc::ok;
  Offset base_offset{-1};        // offset of the first record (ok only)
  NodeId leader_hint = kNoNode;  // for not_leader: who leads, if known
  Epoch epoch;                   // epoch of the leader that accepted the records (ok only)
  std::string detail;            // a human-readable reason for errors
};

// ---------------------------------------------------------------------------------------------
// Coordinator (metadata service) view of one partition. ISR, GM views and master/slave's
// coordinated failover all read it; engines that do not use a coordinator ignore it.
struct PartitionMetadata {
  PartitionId partition;
  Epoch leader_epoch;     // bumps on every leader change
  Epoch partition_epoch;  // bumps on every change of this record
  NodeId leader = kNoNode;
  std::vector<NodeId> replicas;          // assignment order; the first is the preferred leader
  std::vector<NodeId> isr;               // in-sync set / GM view members in ring order
  std::vector<NodeId> elr;               // eligible leader replicas (KIP-966)
  std::vector<NodeId> unclean_shutdown;  // replicas that restarted having lost unsynced data
};

// A change an engine asks the coordinator for (Kafka AlterPartition, a GM view change, ...).
struct MetadataRequest {
  enum class Kind : uint8_t { alter_isr, member_down, member_up, elect_leader };
  Kind kind = Kind::alter_isr;
  PartitionId partition;
  Epoch leader_epoch;
  Epoch partition_epoch;    // the version this request is based on (optimistic concurrency)
  std::vector<NodeId> isr;  // proposed set
  NodeId node = kNoNode;    // subject of member_down / member_up
};

// ---------------------------------------------------------------------------------------------
// Administration: membership, leadership and recovery. Engines return `unsupported` for what
// their protocol cannot do.
struct AdminCommand {
  enum class Kind : uint8_t {
    add_replica,      // node: start replicating to it (learner first where the protocol has one)
    remove_replica,   // node
    transfer_leader,  // node: hand leadership to it
    promote,          // manual failover: make this replica the leader/master now
    reset_members,    // members: force a new membership after losing a majority (loud, unsafe)
    compact,          // offset: retention may drop records below it (only committed ones)
    metadata_update,  // metadata: the coordinator's current record for this partition
    campaign,         // start an election now (tests, preferred-leader election)
    shutdown,         // clean shutdown: stop serving, stop timers
  };
  Kind kind = Kind::campaign;
  NodeId node = kNoNode;
  std::vector<NodeId> members;
  Offset offset;
  PartitionMetadata metadata;
};

// ---------------------------------------------------------------------------------------------
// Durable per-replica state other than the log. Engines use the fields they need; `extra` holds
// engine-specific bytes the engine encodes itself.
struct HardState {
  Epoch epoch;                  // current term / leader epoch / view
  NodeId vote = kNoNode;        // Raft: who this replica voted for in `epoch`
  Offset commit;                // last known commit watermark (may lag)
  std::vector<NodeId> members;  // current configuration
  std::vector<NodeId> learners;
  std::string extra;
  bool operator==(const HardState&) const = default;
};

// A point-in-time image of a partition's broker state, used to bring up a replica that is behind
// the leader's log start (Raft InstallSnapshot) and produced by the broker on demand.
struct Snapshot {
  Offset last_included{-1};  // last offset covered; the log restarts at last_included + 1
  Epoch last_epoch;          // epoch of that record
  std::vector<NodeId> members;
  std::string state;  // broker metadata (consumer offsets, producer state), opaque here
};

class SnapshotSource {
 public:
  virtual ~SnapshotSource() = default;
  // The broker state as of `upto` (exclusive end; <= the commit watermark).
  virtual Snapshot snapshot_at(Offset upto) const = 0;
};

// ---------------------------------------------------------------------------------------------
// Events: for metrics, the history and the checker. Never needed for correctness.
enum class Role : uint8_t { follower, pre_candidate, candidate, leader, learner, stopped };
std::string_view to_string(Role r);

struct Event {
  enum class Kind : uint8_t {
    role_changed,        // role
    leader_changed,      // leader, epoch
    epoch_changed,       // epoch
    members_changed,     // members
    isr_changed,         // members = new in-sync set
    view_changed,        // members = new ring view
    election_started,    // epoch
    snapshot_sent,       // node, offset
    snapshot_installed,  // offset
    truncated,           // offset: the log was cut back to this end (divergent tail dropped)
    failover,            // leader, epoch (a promotion)
    blocked,             // the partition stopped accepting writes (e.g. GM automatic sync)
    unblocked,
    data_loss,  // offset, detail: the engine knowingly dropped acknowledged data (unclean)
  };
  Kind kind = Kind::role_changed;
  Role role = Role::follower;
  NodeId leader = kNoNode;
  NodeId node = kNoNode;
  Epoch epoch;
  Offset offset;
  std::vector<NodeId> members;
  std::string detail;
};
std::string_view to_string(Event::Kind k);

// ---------------------------------------------------------------------------------------------
// The output of an engine. See the header comment for the order the runtime applies it in.
struct Ready {
  std::optional<HardState> hard_state;
  std::optional<Offset> truncate_prefix;  // drop records below this offset (retention)
  std::optional<Offset> truncate_suffix;  // drop records at and above this offset (divergent tail)
  Entries append;                         // contiguous, starting at the log end after truncation
  std::optional<Snapshot> snapshot;       // install: the log restarts after snapshot.last_included
  std::vector<PeerMessage> messages;
  std::optional<Offset> commit;  // new commit watermark (exclusive end); never moves back
  std::vector<Completion> completions;
  std::vector<Event> events;
  std::vector<MetadataRequest> metadata_requests;

  bool empty() const {
    return !hard_state && !truncate_prefix && !truncate_suffix && append.empty() && !snapshot && messages.empty() &&
           !commit && completions.empty() && events.empty() && metadata_requests.empty();
  }
};

// ---------------------------------------------------------------------------------------------
struct FollowerProgress {
  NodeId node;
  Offset match{-1};     // highest offset known replicated there (-1: none)
  int64_t lag = 0;      // leader log end - (match + 1)
  bool in_sync = true;  // ISR membership / voter caught up / GM synced
  bool learner = false;
};

struct EngineStatus {
  Role role = Role::follower;
  NodeId leader = kNoNode;
  Epoch epoch;
  Offset commit;  // exclusive end visible to consumers
  Offset log_start;
  Offset log_end;
  Offset durable_end;  // what persisted() has confirmed
  std::vector<NodeId> members;
  std::vector<NodeId> in_sync;
  std::vector<FollowerProgress> followers;  // leader only
  std::map<std::string, int64_t> counters;  // engine-specific (elections, snapshots sent, ...)
};

// ---------------------------------------------------------------------------------------------
// What an engine is given when it is created.
struct EngineContext {
  NodeId self;
  PartitionId partition;
  std::vector<NodeId> replicas;               // initial placement, preferred leader first
  ReplicationConfig common;                   // validated shared knobs
  const LogReader* log = nullptr;             // this replica's stored log (read-only); never null
  const SnapshotSource* snapshots = nullptr;  // broker state for snapshots; may be null
  HardState restored;                         // as last persisted (default on a fresh start)
  uint64_t seed = 0;                          // for randomized timeouts; derive with Prng::substream
};

class Engine {
 public:
  virtual ~Engine() = default;

  // A client batch. Completes later (or at once with an error, e.g. not_leader) via Ready.
  virtual void propose(ProposeRequest req) = 0;
  // A message from the same partition's engine on another node.
  virtual void receive(const PeerMessage& msg) = 0;
  // One unit of logical time.
  virtual void tick() = 0;
  // The local log is durable (per the fsync policy) for every offset below `end`.
  virtual void persisted(Offset end) = 0;
  // An administrative command. Unsupported or invalid commands return an error at once.
  virtual Status admin(const AdminCommand& cmd) = 0;

  // True when take_ready() would return a non-empty Ready.
  virtual bool has_ready() const = 0;
  virtual Ready take_ready() = 0;

  virtual EngineStatus status() const = 0;
};

}  // namespace rb
