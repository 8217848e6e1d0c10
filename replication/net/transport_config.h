#pragma once
// Knobs of the net transport. A plain struct with a documented default per field; validate()
// rejects nonsense with a message naming the field.
#include <cstdint>
#include <optional>

#include "replication/core/ids.h"
#include "replication/core/result.h"
#include "replication/wire/frame.h"

namespace rb::net {

struct TransportConfig {
  NodeId self{0};                                          // this node (sent in the hello)
  uint64_t cluster_id = 0;                                 // frames of other clusters are rejected
  uint32_t max_frame_bytes = wire::kDefaultMaxFrameBytes;  // body bytes; >= 1024
  uint32_t reconnect_min_ms = 10;                          // first back-off after a failed connect; >= 1
  uint32_t reconnect_max_ms = 1000;                        // back-off doubles up to this; >= reconnect_min_ms
  uint32_t queue_max_messages = 100000;                    // per peer; the oldest are dropped beyond it; >= 1
  uint64_t fault_seed = 0;                                 // seeds the fault filter's drop decisions
  // Messages for partitions at or above this id are control traffic (a node sets the coordinator's
  // partitions here): they travel in frames of their own and are counted apart (PeerStats
  // control_*), so results can tell replication bytes from coordination bytes. None by default.
  std::optional<PartitionId> control_from;

  Status validate() const {
    if (max_frame_bytes < 1024) return make_error(errc::invalid_config, "max_frame_bytes must be >= 1024");
    if (reconnect_min_ms < 1) return make_error(errc::invalid_config, "reconnect_min_ms must be >= 1");
    if (reconnect_max_ms < reconnect_min_ms) {
      return make_error(errc::invalid_config, "reconnect_max_ms must be >= reconnect_min_ms");
    }
    if (queue_max_messages < 1) return make_error(errc::invalid_config, "queue_max_messages must be >= 1");
    return {};
  }
  wire::FrameLimits limits() const { return wire::FrameLimits{cluster_id, max_frame_bytes}; }
};

}  // namespace rb::net
