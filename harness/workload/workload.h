#pragma once
// Workload: what one `replbench run` does, in OpenMessaging Benchmark vocabulary (JSON keys are
// OMB's camelCase names where OMB has one) plus the replication settings every engine honours.
//
// JSON (all keys optional; the defaults are the member initialisers below):
//   {"name": "default", "topics": 1, "partitionsPerTopic": 4, "messageSize": 1024,
//    "producersPerTopic": 1, "subscriptionsPerTopic": 1, "consumerPerSubscription": 1,
//    "producerRate": 5000, "maxInFlight": 128, "producerBatchMessages": 1, "producerLingerMs": 0,
//    "testDurationSeconds": 10, "warmupSeconds": 2,
//    "nodes": 3, "replicas": 3, "acks": "all", "minInsync": 2, "fsync": "always",
//    "batchMaxEntries": 512, "batchMaxBytes": 1048576, "batchLingerTicks": 0,
//    "idempotence": true, "tickMs": 1, "faults": [], "settings": {"raft.election_ticks": "10"}}
//
// Errors: malformed JSON text -> errc::bad_input; an unknown key (with the closest known key
// suggested), a wrong type or an impossible value -> errc::invalid_config. Every message is one
// line and names the JSON key.
//
// --set overrides (apply_override("key=value")):
//   - a workload key sets that field (the value is read as JSON when it parses as JSON, else as a
//     plain string: `replicas=5`, `acks=leader`, `fsync=interval:10`, `faults=[{"kind":"kill"}]`);
//   - `settings.<k>=<v>` always sets settings[k] = v;
//   - any other key is NOT applied: the result is OverrideOutcome::not_a_workload_key and the
//     caller offers it to the engine factory (if the engine knows it, the caller stores it with
//     set_setting(); if not, it reports the error, using closest_workload_key() for a hint).
//   After a successful override the whole workload is re-validated.
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "replication/core/config.h"
#include "replication/core/result.h"

namespace rb::workload {

enum class OverrideOutcome : uint8_t { applied, not_a_workload_key };

struct Workload {
  std::string name = "default";
  uint32_t topics = 1;                     // >= 1
  uint32_t partitions_per_topic = 1;       // >= 1
  uint32_t message_size = 1024;            // bytes, >= 1
  uint32_t producers_per_topic = 1;        // >= 1
  uint32_t subscriptions_per_topic = 1;    // >= 0; 0 = no consumers
  uint32_t consumer_per_subscription = 1;  // >= 1
  double producer_rate = 1000;             // msg/s across all producers, >= 0; 0 = find the max rate
  uint32_t max_in_flight = 128;            // per producer, in messages; the closed-loop window when rate = 0
  uint32_t producer_batch_messages = 1;    // records per produce request, 1..maxInFlight
  double producer_linger_ms = 0;           // how long a partial batch may wait, >= 0
  double test_duration_seconds = 10;       // measured phase, > 0
  double warmup_seconds = 0;               // before the measured phase, >= 0

  std::optional<uint32_t> nodes;           // cluster size; default = replicas; >= replicas
  uint32_t replicas = 3;                   // 1..64
  AckLevel acks = AckLevel::all;           // none|0, leader|1, quorum, all|-1
  std::optional<uint32_t> min_insync;      // default = majority of replicas (replicas / 2 + 1)
  FsyncPolicy fsync{};                     // always | never | interval:<ms>
  uint32_t batch_max_entries = 512;        // >= 1
  uint64_t batch_max_bytes = 1024 * 1024;  // >= 1
  uint32_t batch_linger_ticks = 0;
  bool idempotence = true;
  uint32_t tick_ms = 1;  // wall/virtual milliseconds per engine tick, >= 1

  // The fault schedule, kept as raw JSON objects until the nemesis parses it.
  nlohmann::json faults = nlohmann::json::array();
  // Engine-specific settings handed to the engine factory (key -> string value).
  std::map<std::string, std::string> settings;

  uint32_t node_count() const { return nodes.value_or(replicas); }
  uint32_t min_insync_or_default() const { return min_insync.value_or(replicas / 2 + 1); }
  uint32_t partition_count() const { return topics * partitions_per_topic; }
  uint32_t producer_count() const { return topics * producers_per_topic; }
  uint32_t consumer_count() const { return topics * subscriptions_per_topic * consumer_per_subscription; }

  // invalid_config naming the first impossible field.
  Status validate() const;
  Result<OverrideOutcome> apply_override(std::string_view key_equals_value);
  void set_setting(std::string key, std::string value) { settings[std::move(key)] = std::move(value); }
  // Every field with defaults resolved (nodes, minInsync), under the JSON keys above.
  nlohmann::json to_json() const;
  // The engine-facing part, validated.
  Result<ReplicationConfig> to_replication_config() const;
};

Result<Workload> workload_from_json(const nlohmann::json& j);
Result<Workload> parse_workload(std::string_view json_text);
Result<Workload> load_workload_file(const std::string& path);  // not_found if unreadable

// The JSON keys a workload accepts, and the one closest to `key` (edit distance, case-insensitive)
// if any is close enough to be a plausible typo.
const std::vector<std::string>& workload_keys();
std::optional<std::string> closest_workload_key(std::string_view key);

}  // namespace rb::workload
