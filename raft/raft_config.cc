#include "raft/raft_config.h"

#include <string>

namespace rb::raft {

RaftConfig RaftConfig::with_common(const ReplicationConfig& common) const {
  RaftConfig c = *this;
  c.max_entries = common.batching.max_entries;
  c.max_bytes = common.batching.max_bytes;
  c.linger_ticks = common.batching.linger_ticks;
  return c;
}

Status RaftConfig::validate() const {
  auto bad = [](std::string m) { return make_error(errc::invalid_config, "raft: " + std::move(m)); };
  if (heartbeat_ticks < 1) return bad("heartbeat_ticks must be at least 1");
  if (election_ticks <= heartbeat_ticks)
    return bad("election_ticks (" + std::to_string(election_ticks) + ") must exceed heartbeat_ticks (" +
               std::to_string(heartbeat_ticks) + ")");
  if (max_inflight_msgs < 1) return bad("max_inflight_msgs must be at least 1");
  if (max_entries < 1) return bad("max_entries must be at least 1");
  if (max_bytes < 1) return bad("max_bytes must be at least 1");
  if (linger_ticks >= election_ticks) return bad("linger_ticks must be below election_ticks");
  return {};
}

}  // namespace rb::raft
