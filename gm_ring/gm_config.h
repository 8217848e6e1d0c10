#pragma once
// GmConfig: the knobs of the GM ring engine (RabbitMQ classic mirrored queue semantics). A plain
// struct with a documented default per field; validate() names the first bad field. Batching
// (linger, max entries/bytes per ring message) comes from ReplicationConfig::batching.
#include <cstdint>
#include <string>
#include <string_view>

#include "replication/core/result.h"

namespace rb::gm {

// ha-sync-mode: how a new or restarted (empty) member gets the queue's older contents.
enum class SyncMode : uint8_t {
  manual,     // default in RabbitMQ: the member gets only new publishes and is synced once the
              // master's head (log start) has moved past the member's start (old messages consumed)
  automatic,  // the member's upstream sends the whole log; the master refuses publishes (blocks)
              // until every member reports synced
};

// ha-promote-on-failure: what happens when the eldest surviving member is not synced.
enum class PromoteOnFailure : uint8_t {
  always,       // promote anyway; the records it lacks (the unsynced head) are lost: Event data_loss
  when_synced,  // the unsynced member refuses to serve (errc::unavailable) until promoted by hand
};

// cluster_partition_handling.
enum class PartitionHandling : uint8_t {
  pause_minority,  // a member that hears at most half of the original replicas stops serving
  ignore,          // each side may form its own view (local view after view_change_timeout_ticks)
};

std::string_view to_string(SyncMode m);
std::string_view to_string(PromoteOnFailure p);
std::string_view to_string(PartitionHandling p);
Result<SyncMode> parse_sync_mode(std::string_view s);
Result<PromoteOnFailure> parse_promote_on_failure(std::string_view s);
Result<PartitionHandling> parse_partition_handling(std::string_view s);

struct GmConfig {
  SyncMode sync_mode = SyncMode::manual;                           // RabbitMQ default
  PromoteOnFailure promote_on_failure = PromoteOnFailure::always;  // RabbitMQ default
  PartitionHandling partition_handling = PartitionHandling::pause_minority;
  // A view member not heard from (ring traffic or heartbeat) for this many ticks is suspected dead
  // and reported with MetadataRequest::member_down. > heartbeat_ticks.
  uint32_t member_timeout_ticks = 500;
  // Every member sends a heartbeat to every view member and original replica this often. >= 1.
  uint32_t heartbeat_ticks = 50;
  // A member_down/member_up request that got no newer view in this many ticks is repeated; with
  // partition_handling=ignore a member then installs a local view itself. >= 1.
  uint32_t view_change_timeout_ticks = 1000;

  Status validate() const;
};

}  // namespace rb::gm
