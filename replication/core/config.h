#pragma once
// The knobs every engine honours where they apply (design section 3). A plain struct with a
// documented default per field; validate() rejects nonsense with a message that names the field.
// JSON and flags are parsed in harness/, never here.
#include <cstdint>
#include <string>
#include <string_view>

#include "replication/core/result.h"

namespace rb {

// How many replicas must have a record before the producer is told it is stored.
enum class AckLevel : uint8_t {
  none,    // acks=0: answered on receipt, before anything is stored
  leader,  // acks=1: after the leader's own append
  quorum,  // a majority (Raft commit); for ISR and master/slave this equals `all`
  all,     // every in-sync replica (ISR), every ring member (GM), the required slaves (master/slave)
};
std::string_view to_string(AckLevel a);
Result<AckLevel> parse_ack_level(std::string_view s);  // none|0, leader|1, quorum, all|-1

// When a replica's appended records count as durable, i.e. when the runtime reports persisted().
enum class FsyncMode : uint8_t {
  always,    // fdatasync per batch (group commit) before persisted()
  interval,  // fdatasync every interval_ms; persisted() after the write, as with `never`
  never,     // never fdatasync; persisted() once the write reached the page cache / memory
};

struct FsyncPolicy {
  FsyncMode mode = FsyncMode::always;
  uint32_t interval_ms = 0;      // only for `interval`; must be > 0 then
  std::string describe() const;  // "always", "interval:10", "never"
};
Result<FsyncPolicy> parse_fsync_policy(std::string_view s);

// Batching of records into one replication message and one disk write.
struct BatchingConfig {
  uint32_t max_entries = 512;        // records per replication message; >= 1
  uint64_t max_bytes = 1024 * 1024;  // bytes per replication message; >= 1
  uint32_t linger_ticks = 0;         // wait up to this many ticks to fill a batch; 0 = send at once
};

struct ReplicationConfig {
  uint32_t replicas = 3;          // replicas per partition (including the leader); 1..nodes
  AckLevel acks = AckLevel::all;  // default: the strongest acknowledgement the mode offers
  uint32_t min_insync = 2;        // ISR min.insync.replicas; 1..replicas
  FsyncPolicy fsync{};            // default: fdatasync per batch
  BatchingConfig batching{};
  bool idempotence = true;                   // broker de-duplicates (producer id, sequence)
  uint64_t max_message_bytes = 1024 * 1024;  // larger records are refused with too_large

  // Checks every field; returns invalid_config naming the first bad field.
  Status validate() const;
};

}  // namespace rb
