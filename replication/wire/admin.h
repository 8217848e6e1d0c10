#pragma once
// The admin RPC as plain structs: fault filter control, node status, stop. The harness sends
// these to a node (net runtime); the node's transport applies fault requests itself and hands
// status / stop to the node host. Encoded by codec.h as admin.proto.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "replication/core/errc.h"
#include "replication/core/ids.h"
#include "replication/core/result.h"
#include "replication/engine.h"

namespace rb::wire {

// Which side of a link a fault applies to: outbound is filtered at the sender before queueing,
// inbound at the receiver after decoding.
enum class Direction : uint8_t { outbound = 0, inbound = 1 };
std::string_view to_string(Direction d);

// One link's fault. Several may be set at once: drop_all wins, then each message is dropped
// with drop_probability, then the survivors are delayed by delay_ms.
struct FaultRule {
  bool drop_all = false;
  double drop_probability = 0;  // [0, 1]
  uint32_t delay_ms = 0;        // added latency; 0 = none
  bool empty() const { return !drop_all && drop_probability == 0 && delay_ms == 0; }
  Status validate() const;
  bool operator==(const FaultRule&) const = default;
};

struct SetFault {
  NodeId peer;
  Direction direction = Direction::outbound;
  FaultRule rule;
  bool operator==(const SetFault&) const = default;
};
struct ClearFault {
  NodeId peer;
  Direction direction = Direction::outbound;
  bool operator==(const ClearFault&) const = default;
};
struct ClearAllFaults {
  bool operator==(const ClearAllFaults&) const = default;
};
struct StatusQuery {
  bool operator==(const StatusQuery&) const = default;
};
struct StopNode {
  bool operator==(const StopNode&) const = default;
};

using AdminBody = std::variant<SetFault, ClearFault, ClearAllFaults, StatusQuery, StopNode>;
struct AdminRequest {
  RequestId id;
  AdminBody body;
};

// Transport counters for one peer (results: network bytes per committed byte).
struct PeerStats {
  NodeId peer;
  uint64_t bytes_sent = 0;  // frame bytes written to the peer (headers included)
  uint64_t bytes_received = 0;
  uint64_t messages_sent = 0;
  uint64_t messages_received = 0;
  uint64_t dropped_outbound = 0;  // by the fault filter
  uint64_t dropped_inbound = 0;
  uint64_t delayed_outbound = 0;
  uint64_t delayed_inbound = 0;
  uint64_t dropped_queue_full = 0;  // oldest messages dropped from a full send queue
  bool connected = false;           // the outbound link is up
  uint64_t frames_sent = 0;
  uint64_t frames_received = 0;
  // Of bytes_sent / messages_sent: control traffic (the coordinator's; TransportConfig::control_from).
  uint64_t control_bytes_sent = 0;
  uint64_t control_messages_sent = 0;
  bool operator==(const PeerStats&) const = default;
};

// The parts of an EngineStatus the harness polls.
struct PartitionStatus {
  PartitionId partition;
  Role role = Role::follower;
  NodeId leader = kNoNode;
  Epoch epoch;
  Offset commit;
  Offset log_start;
  Offset log_end;
  Offset durable_end;
  std::vector<NodeId> members;
  std::vector<NodeId> in_sync;
  bool operator==(const PartitionStatus&) const = default;
};
PartitionStatus partition_status(PartitionId p, const EngineStatus& s);

struct NodeStatus {
  NodeId node;
  std::vector<PeerStats> peers;
  std::vector<PartitionStatus> partitions;
  std::map<std::string, int64_t> counters;
  bool operator==(const NodeStatus&) const = default;
};

struct AdminResponse {
  RequestId id;
  errc code = errc::ok;
  std::string detail;
  std::optional<NodeStatus> status;  // for StatusQuery
};

}  // namespace rb::wire
