#pragma once
// Turning a run into a history and a verdict: what the configuration guarantees, the Jepsen-style
// history of every operation (saved as JSONL beside the result; `replbench check` re-reads it), and
// the checker's `verification` object (harness/checker, docs/checker.md).
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "harness/checker/checker.h"
#include "harness/run/load_generator.h"
#include "replication/cluster_api.h"
#include "replication/engine_factory.h"
#include "replication/node/coordinated_node.h"

namespace rb::harness {

// What a configuration promises. Loss is *expected* (reported with its count, not a failure) when
// the configuration permits it: acks below the mode's replicated level, an async slave, unclean
// election, GM promotion `always` or partition handling `ignore`, watchdog failover.
struct Guarantee {
  bool loss_permitted = false;
  std::string why;  // which settings permit it
  bool duplicates_permitted = false;
  std::string duplicates_why;
  bool split_brain_permitted = false;
  bool power_loss_permitted = false;  // fsync is not `always`
};

Guarantee guarantee_for(const EngineFactory& factory, const ReplicationConfig& common);

// A fault as it ran: name and window on the run's clock (end -1: never healed).
struct FaultWindow {
  std::string name;
  int64_t start_ns = 0;
  int64_t end_ns = -1;
};

struct RunHistory {
  std::vector<checker::HistoryOp> ops;
  std::vector<checker::ReplicaLog> logs;
};

RunHistory build_history(const LoadResults& res, const std::vector<ReplicaLogDump>& dumps,
                         const std::vector<EngineEventRecord>& events, const std::vector<FaultWindow>& faults);
checker::Guarantees to_checker(const Guarantee& g);
nlohmann::json verify(const RunHistory& h, const Guarantee& g);
Status write_history(const std::string& path, const RunHistory& h, const Guarantee& g);

}  // namespace rb::harness
