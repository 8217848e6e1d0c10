#pragma once
// `replbench run`: one mode, one workload, one runtime; prints a summary table and writes a
// result file (schema replbench-result/1, docs/results-schema.md) and its history (JSONL).
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "replication/cluster_api.h"
#include "replication/core/result.h"
#include "replication/engine_factory.h"
#include "replication/node/coordinated_node.h"
#include "replication/sim/sim_config.h"

namespace rb::harness {

struct RunOptions {
  std::string mode;
  std::string runtime = "sim";
  std::optional<std::string> workload_file;
  std::optional<nlohmann::json> workload_inline;  // used instead of workload_file (suites, fuzz)
  std::vector<std::string> sets;                  // key=value overrides
  std::vector<std::string> faults;                // --fault specs
  std::vector<nlohmann::json> fault_objects;      // faults in the workload's JSON form (suites, fuzz)
  uint64_t seed = 1;
  std::optional<std::string> out;           // result file; default out/<mode>-<runtime>-seed<seed>.json
  bool quiet = false;                       // no summary table
  std::optional<std::string> profile;       // simulator profile from `replbench calibrate`
  std::optional<std::string> cluster_file;  // net runtime: connect to nodes already running
  bool write_history = true;
};

// What the net runtime needs to start (or connect to) a cluster for one run.
struct NetRunRequest {
  uint32_t nodes = 3;
  uint32_t partitions = 1;
  ReplicationConfig common;
  std::string mode;
  std::map<std::string, std::string> engine_settings;
  std::vector<NodeId> quorum;
  uint64_t seed = 1;
  uint32_t tick_ms = 1;
  std::optional<std::string> cluster_file;
};
// The net runtime lives in harness/netcluster (which itself builds on this library); the CLI
// registers it here at start-up so `--runtime net` can reach it without a dependency cycle.
using NetClusterMaker = std::function<Result<std::unique_ptr<ClusterApi>>(const NetRunRequest&)>;
// (profile path, mode) -> the simulator's models, with the mode's own CPU model if it has one.
using ProfileLoader = std::function<Result<sim::SimConfig>(const std::string&, const std::string&)>;
void register_net_runtime(NetClusterMaker maker, ProfileLoader profiles);

// Parses `replbench run` flags. Unknown flags and bad values give invalid_config with one line.
Result<RunOptions> parse_run_options(const std::vector<std::string>& args);

// Runs and returns the result document (also written to options.out). Configuration errors come
// back as errors before anything runs.
Result<nlohmann::json> execute_run(const RunOptions& options);

// The coordinator set-up for a mode that uses one: the metadata quorum on the first three nodes
// (fewer in smaller clusters), replicated by the Raft engine (returned: it must outlive the run).
Result<std::pair<CoordinationConfig, std::unique_ptr<EngineFactory>>> coordination_for(const EngineFactory& factory,
                                                                                       const ReplicationConfig& common,
                                                                                       uint32_t nodes);

// The human summary table for a result document.
std::string format_summary(const nlohmann::json& result);

}  // namespace rb::harness
