#pragma once
// Turning a run into a history and a verdict: what the configuration guarantees, the Jepsen-style
// history (JSONL) of every operation, and the checker's `verification` object.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "harness/run/load_generator.h"
#include "replication/cluster_api.h"
#include "replication/engine_factory.h"

namespace rb::harness {

// What a configuration promises. Loss is *expected* (reported with its count, not a failure) when
// the configuration permits it: acks below the mode's replicated level, an async slave, unclean
// election, GM partition handling `ignore`, fsync never with power loss.
struct Guarantee {
  bool loss_permitted = false;
  bool duplicates_permitted = false;
  std::string why;  // which setting permits it
};

Guarantee guarantee_for(const EngineFactory& factory, const ReplicationConfig& common);

nlohmann::json verify(const LoadResults& res, const std::vector<ReplicaLogDump>& logs, const Guarantee& g);

Status write_history(const std::string& path, const LoadResults& res, const std::vector<ReplicaLogDump>& logs,
                     const Guarantee& g);

}  // namespace rb::harness
