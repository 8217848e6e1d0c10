#pragma once
// The coordinator's commands: every change of cluster metadata is one of these, encoded as a log
// entry of the metadata quorum (the lead replicates them with the Raft engine) and applied in log
// order by CoordinatorState::apply on every coordinator replica. Modelled on KRaft's metadata
// records (RegisterBrokerRecord, FenceBrokerRecord, PartitionChangeRecord, ...), but commands
// rather than records: apply() derives the resulting PartitionMetadata itself, deterministically.
//
// Broker heartbeats are NOT commands: the active controller keeps them in memory (controller.h)
// and proposes FenceBroker / UnfenceBroker when a session expires or a fenced broker is back.
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "replication/core/ids.h"
#include "replication/core/result.h"
#include "replication/engine.h"

namespace rb::coordinator {

// A broker announces itself (at start and after every restart). broker_epoch must grow with every
// registration of the same node (KRaft uses the record's log offset). A registered broker starts
// fenced: it is unfenced by the controller on its first heartbeat.
struct RegisterBroker {
  NodeId node;
  int64_t broker_epoch = 0;
  bool operator==(const RegisterBroker&) const = default;
};

// The broker's session expired (or an operator fenced it): it leaves every ISR it is in (Kafka
// keeps the last member when ELR is off) and loses every leadership.
struct FenceBroker {
  NodeId node;
  bool operator==(const FenceBroker&) const = default;
};

// A fenced broker heartbeats again with its current broker_epoch: it may lead and join ISRs.
struct UnfenceBroker {
  NodeId node;
  int64_t broker_epoch = 0;
  bool operator==(const UnfenceBroker&) const = default;
};

// A new partition with its replica assignment (preferred leader first).
struct CreatePartition {
  PartitionId partition;
  std::vector<NodeId> replicas;
  bool operator==(const CreatePartition&) const = default;
};

// Kafka AlterPartition (KIP-497): the partition leader proposes a new ISR, based on the record
// version it knows (leader_epoch, partition_epoch). Stale epochs are rejected (errc::fenced).
struct AlterPartition {
  PartitionId partition;
  NodeId leader;
  Epoch leader_epoch;
  Epoch partition_epoch;
  std::vector<NodeId> new_isr;
  bool operator==(const AlterPartition&) const = default;
};

enum class ElectionKind : uint8_t {
  preferred,  // elect the first assigned replica, only if it is unfenced and in the ISR
  any,        // keep a valid leader, else ISR, else ELR, else unclean if the config allows it
  unclean,    // like `any` but unclean election is allowed whatever the config (operator forced)
};
std::string_view to_string(ElectionKind k);

struct ElectLeader {
  PartitionId partition;
  ElectionKind kind = ElectionKind::any;
  bool operator==(const ElectLeader&) const = default;
};

// The broker restarted after an unclean shutdown (it may have lost unsynced records). It is
// fenced (if it was not) and dropped from every ELR (KIP-966 `setUncleanShutdownReplicas`).
struct MarkUncleanShutdown {
  NodeId node;
  bool operator==(const MarkUncleanShutdown&) const = default;
};

// A membership change of the in-sync list requested by a member (GM ring views, master/slave
// automatic failover): remove (down) or append (up) `node`. partition_epoch Epoch{0} means
// unconditional; otherwise it must equal the current partition epoch. Both epochs bump (the
// leader epoch is the GM view number). A removed leader is replaced by the eldest member (the
// first remaining one in ISR order).
struct ChangeMember {
  PartitionId partition;
  NodeId node;
  bool up = false;
  Epoch partition_epoch;
  bool operator==(const ChangeMember&) const = default;
};

using Command = std::variant<RegisterBroker, FenceBroker, UnfenceBroker, CreatePartition, AlterPartition, ElectLeader,
                             MarkUncleanShutdown, ChangeMember>;

// A one-line human-readable form (logs, test failures).
std::string describe(const Command& c);

// Compact binary form for a log entry: a format byte, a tag byte, then LEB128 varints (node and
// partition ids, epochs, counts) and zig-zag varints (broker epochs). decode() rejects anything
// that is not exactly one well-formed command (unknown tag, truncated or overlong varint, bad
// enum, trailing bytes, out-of-range ids) with errc::bad_input.
std::string encode(const Command& c);
Result<Command> decode(std::string_view bytes);

// The command for an engine's MetadataRequest sent by `from` (the partition's leader for
// alter_isr). elect_leader maps to a preferred election (Kafka's preferred-leader election and
// the engines' transfer_leader/campaign).
Command command_from_request(const MetadataRequest& req, NodeId from);

}  // namespace rb::coordinator
