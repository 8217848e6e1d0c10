#pragma once
// IsrConfig: the knobs of the Kafka-style ISR engine. A plain struct with a documented default
// per field (Kafka's default in milliseconds, read as ticks at 1 ms per tick unless said
// otherwise); validate() rejects nonsense with a message naming the field. set() parses one
// `--set key=value` pair (the factory's edge).
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "replication/core/result.h"

namespace rb::isr {

struct IsrConfig {
  // A follower that has not been caught up for longer than this leaves the ISR (Kafka
  // replica.lag.time.max.ms). Kafka's default is 30000 ms; scaled to 10000 ticks (Kafka's value
  // before 2.5) so that simulated slow-follower runs show both phases in reasonable time.
  uint32_t replica_lag_time_max_ticks = 10000;
  // The leader parks a fetch that finds no new records for at most this long (Kafka
  // replica.fetch.wait.max.ms, 500 ms). A new append answers it at once.
  uint32_t replica_fetch_wait_max_ticks = 500;
  // Record bytes per fetch response, at least one record (Kafka replica.fetch.max.bytes, 1 MiB).
  uint64_t fetch_max_bytes = 1024 * 1024;
  // A follower whose fetch failed (stale or unknown leader epoch, not leader) waits this long
  // before fetching again (Kafka replica.fetch.backoff.ms, 1000 ms).
  uint32_t replica_fetch_backoff_ticks = 1000;
  // A fetch with no response after this long is sent again (stands in for Kafka's
  // replica.socket.timeout.ms plus TCP retransmission; the simulator drops messages for good).
  // Must exceed replica_fetch_wait_max_ticks.
  uint32_t replica_socket_timeout_ticks = 2000;
  // An AlterPartition with no resulting metadata update after this long may be sent again.
  uint32_t alter_partition_retry_ticks = 500;
  // Coordinator knobs, kept here so that `--set` reaches them and settings() prints them; the
  // lead passes them to the coordinator (see factory.h coordinator_config_from).
  bool unclean_leader_election = false;   // Kafka unclean.leader.election.enable (KIP-106 default)
  bool eligible_leader_replicas = false;  // KIP-966 ELR (eligible.leader.replicas.version=1)

  Status validate() const;
  // One knob by name; invalid_config naming the key (unknown) or the value (unparsable).
  Status set(std::string_view key, std::string_view value);
  // Every knob and its value, in declaration order.
  std::vector<std::pair<std::string, std::string>> settings() const;
};

}  // namespace rb::isr
