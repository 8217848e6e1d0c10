#include "gm_ring/gm_config.h"

namespace rb::gm {

std::string_view to_string(SyncMode m) { return m == SyncMode::manual ? "manual" : "automatic"; }
std::string_view to_string(PromoteOnFailure p) { return p == PromoteOnFailure::always ? "always" : "when-synced"; }
std::string_view to_string(PartitionHandling p) {
  return p == PartitionHandling::pause_minority ? "pause_minority" : "ignore";
}

Result<SyncMode> parse_sync_mode(std::string_view s) {
  if (s == "manual") return SyncMode::manual;
  if (s == "automatic") return SyncMode::automatic;
  return make_error(errc::invalid_config, "sync_mode must be manual or automatic; got '" + std::string(s) + "'");
}

Result<PromoteOnFailure> parse_promote_on_failure(std::string_view s) {
  if (s == "always") return PromoteOnFailure::always;
  if (s == "when-synced" || s == "when_synced") return PromoteOnFailure::when_synced;
  return make_error(errc::invalid_config,
                    "promote_on_failure must be always or when-synced; got '" + std::string(s) + "'");
}

Result<PartitionHandling> parse_partition_handling(std::string_view s) {
  if (s == "pause_minority") return PartitionHandling::pause_minority;
  if (s == "ignore") return PartitionHandling::ignore;
  return make_error(errc::invalid_config,
                    "partition_handling must be pause_minority or ignore; got '" + std::string(s) + "'");
}

Status GmConfig::validate() const {
  auto bad = [](std::string m) { return make_error(errc::invalid_config, std::move(m)); };
  if (heartbeat_ticks < 1) return bad("heartbeat_ticks must be at least 1");
  if (member_timeout_ticks <= heartbeat_ticks)
    return bad("member_timeout_ticks (" + std::to_string(member_timeout_ticks) + ") must exceed heartbeat_ticks (" +
               std::to_string(heartbeat_ticks) + ")");
  if (view_change_timeout_ticks < 1) return bad("view_change_timeout_ticks must be at least 1");
  return {};
}

}  // namespace rb::gm
