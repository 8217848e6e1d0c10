#pragma once
// `replbench run`: one mode, one workload, one runtime; prints a summary table and writes a
// result file (schema replbench-result/1, docs/results-schema.md) and its history (JSONL).
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "replication/core/result.h"

namespace rb::harness {

struct RunOptions {
  std::string mode;
  std::string runtime = "sim";
  std::optional<std::string> workload_file;
  std::vector<std::string> sets;    // key=value overrides
  std::vector<std::string> faults;  // --fault specs
  uint64_t seed = 1;
  std::optional<std::string> out;  // result file; default out/<mode>-<runtime>-seed<seed>.json
  bool quiet = false;              // no summary table
  bool write_history = true;
};

// Parses `replbench run` flags. Unknown flags and bad values give invalid_config with one line.
Result<RunOptions> parse_run_options(const std::vector<std::string>& args);

// Runs and returns the result document (also written to options.out). Configuration errors come
// back as errors before anything runs.
Result<nlohmann::json> execute_run(const RunOptions& options);

// The human summary table for a result document.
std::string format_summary(const nlohmann::json& result);

}  // namespace rb::harness
