#include "masterslave/config.h"

namespace rb::masterslave {

std::string_view to_string(Replication r) { return r == Replication::sync ? "sync" : "async"; }
std::string_view to_string(SyncAcks s) { return s == SyncAcks::one ? "one" : "all"; }
std::string_view to_string(Failover f) { return f == Failover::manual ? "manual" : "watchdog"; }

Result<Replication> parse_replication(std::string_view s) {
  if (s == "sync") return Replication::sync;
  if (s == "async") return Replication::async;
  return make_error(errc::invalid_config, "replication must be sync or async; got '" + std::string(s) + "'");
}

Result<SyncAcks> parse_sync_acks(std::string_view s) {
  if (s == "one") return SyncAcks::one;
  if (s == "all") return SyncAcks::all;
  return make_error(errc::invalid_config, "sync_acks must be one or all; got '" + std::string(s) + "'");
}

Result<Failover> parse_failover(std::string_view s) {
  if (s == "manual") return Failover::manual;
  if (s == "watchdog") return Failover::watchdog;
  return make_error(errc::invalid_config, "failover must be manual or watchdog; got '" + std::string(s) + "'");
}

Status MasterSlaveConfig::validate() const {
  auto bad = [](std::string m) { return make_error(errc::invalid_config, std::move(m)); };
  if (heartbeat_ticks < 1) return bad("heartbeat_ticks must be at least 1");
  if (watchdog_timeout_ticks <= heartbeat_ticks)
    return bad("watchdog_timeout_ticks (" + std::to_string(watchdog_timeout_ticks) + ") must exceed heartbeat_ticks (" +
               std::to_string(heartbeat_ticks) + ")");
  if (housekeeping_ticks <= heartbeat_ticks)
    return bad("housekeeping_ticks (" + std::to_string(housekeeping_ticks) + ") must exceed heartbeat_ticks (" +
               std::to_string(heartbeat_ticks) + ")");
  if (sync_timeout_ticks < 1) return bad("sync_timeout_ticks must be at least 1");
  if (slave_fallbehind_max < 1) return bad("slave_fallbehind_max must be at least 1");
  return {};
}

}  // namespace rb::masterslave
