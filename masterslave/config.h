#pragma once
// MasterSlaveConfig: the knobs of the RocketMQ-style master/slave engine. A plain struct with a
// documented default per field; validate() rejects nonsense with a message naming the field.
// Strings ("sync", "watchdog", ...) are parsed here only for the factory's set().
#include <cstdint>
#include <string>
#include <string_view>

#include "replication/core/result.h"

namespace rb::masterslave {

// When the master may tell a producer (acks=quorum|all) that a record is stored.
enum class Replication : uint8_t {
  sync,   // SYNC_MASTER: after the master's persisted write and the slave confirmation(s)
  async,  // ASYNC_MASTER: after the master's own write; slaves catch up in the background
};

// How many slaves a sync write waits for.
enum class SyncAcks : uint8_t {
  one,  // any one slave (RocketMQ 4.x: push2SlaveMaxOffset, the max over slaves)
  all,  // every slave of the group (RocketMQ 5 inSyncReplicas = replicas)
};

// What happens when the master dies.
enum class Failover : uint8_t {
  manual,    // an operator promotes a slave (AdminCommand::promote); until then writes fail
  watchdog,  // Keepalived-style: a slave that misses heartbeats promotes itself; no fencing
};

std::string_view to_string(Replication r);
std::string_view to_string(SyncAcks s);
std::string_view to_string(Failover f);
Result<Replication> parse_replication(std::string_view s);
Result<SyncAcks> parse_sync_acks(std::string_view s);
Result<Failover> parse_failover(std::string_view s);

struct MasterSlaveConfig {
  Replication replication = Replication::sync;  // default: RocketMQ SYNC_MASTER
  SyncAcks sync_acks = SyncAcks::one;           // default: RocketMQ 4.x (any one slave)
  Failover failover = Failover::manual;         // default: RocketMQ before 4.5
  // Master heartbeats and slave offset reports are sent this often (RocketMQ
  // haSendHeartbeatInterval, scaled: 50 ticks = 50 ms at 1 ms/tick).
  uint32_t heartbeat_ticks = 50;
  // A slave that heard nothing from its master for this long promotes itself (watchdog mode only;
  // Keepalived's master-down interval). The n-th replica waits n * heartbeat_ticks longer, so the
  // first slave in replica order normally wins (Keepalived priority). Must exceed heartbeat_ticks.
  uint32_t watchdog_timeout_ticks = 500;
  // A sync (or leader) write not confirmed in this many ticks completes with errc::timeout
  // (RocketMQ syncFlushTimeout / FLUSH_SLAVE_TIMEOUT); the record stays in the master's log.
  uint32_t sync_timeout_ticks = 3000;
  // The master treats a slave as disconnected after this many ticks without a report (RocketMQ
  // haHousekeepingInterval). Must exceed heartbeat_ticks.
  uint32_t housekeeping_ticks = 200;
  // A connected slave more than this many records behind the master's log end is "not caught up":
  // a sync write then fails at once with not_enough_replicas (RocketMQ haSlaveFallbehindMax).
  uint64_t slave_fallbehind_max = 1'000'000;

  Status validate() const;
};

}  // namespace rb::masterslave
