#pragma once
// The client protocol (produce, fetch, metadata, consumer offsets, admin) as plain structs. The
// simulator passes these between simulated clients and nodes directly; the net runtime encodes
// them as protobuf (wire/client.proto). A response always names its request id.
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "replication/core/config.h"
#include "replication/core/errc.h"
#include "replication/core/ids.h"
#include "replication/log_entry.h"

namespace rb::client {

// Records carry producer id, sequence, intended send time and payload; offset/epoch are ignored.
struct ProduceRequest {
  RequestId id;
  PartitionId partition;
  AckLevel acks = AckLevel::all;
  Entries records;
};
struct ProduceResponse {
  RequestId id;
  PartitionId partition;
  errc code = errc::ok;
  Offset base_offset{-1};
  Epoch epoch;                   // epoch of the leader that accepted the records
  NodeId node = kNoNode;         // the node that answered
  NodeId leader_hint = kNoNode;  // for not_leader
  std::string detail;
};

// Fetch of committed records only (below the high watermark), long-polled up to max_wait_ms.
struct FetchRequest {
  RequestId id;
  PartitionId partition;
  Offset offset;
  uint32_t max_bytes = 1024 * 1024;
  uint32_t max_wait_ms = 100;
};
struct FetchResponse {
  RequestId id;
  PartitionId partition;
  errc code = errc::ok;
  Offset high_watermark;
  Offset log_start;
  Entries records;  // data records only; offsets may skip engine-internal records
  NodeId node = kNoNode;
  NodeId leader_hint = kNoNode;
};

struct NodeInfo {
  NodeId id;
  std::string host;
  uint16_t port = 0;
};
struct PartitionInfo {
  PartitionId partition;
  NodeId leader = kNoNode;
  Epoch epoch;
  std::vector<NodeId> replicas;
};
struct MetadataRequest {
  RequestId id;
};
struct MetadataResponse {
  RequestId id;
  std::vector<NodeInfo> nodes;
  std::vector<PartitionInfo> partitions;
};

// Consumer-group offsets are replicated through the partition's own log (EntryKind::offset_commit),
// so they get the same guarantees as the data.
struct OffsetCommitRequest {
  RequestId id;
  std::string group;
  PartitionId partition;
  Offset offset;
};
struct OffsetCommitResponse {
  RequestId id;
  errc code = errc::ok;
  NodeId leader_hint = kNoNode;
};
struct OffsetFetchRequest {
  RequestId id;
  std::string group;
  PartitionId partition;
};
struct OffsetFetchResponse {
  RequestId id;
  errc code = errc::ok;
  Offset offset{-1};  // -1: the group has committed nothing for this partition
  NodeId leader_hint = kNoNode;
};

using Request = std::variant<ProduceRequest, FetchRequest, MetadataRequest, OffsetCommitRequest, OffsetFetchRequest>;
using Response =
    std::variant<ProduceResponse, FetchResponse, MetadataResponse, OffsetCommitResponse, OffsetFetchResponse>;

}  // namespace rb::client
