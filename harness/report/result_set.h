#pragma once
// The runs a report is made of: result files (schema "replbench-result/1", docs/results-schema.md)
// loaded from directories and files, and grouped so that runs which differ only by mode sit side
// by side.
//
// Grouping rule (documented in docs/user-guide.md, "Reading the report"): two runs are in the
// same group when they have the same
//   - runtime (sim or net),
//   - workload, every key of it (name, sizes, rates, replicas, acks, minInsync, fsync, batching,
//     idempotence, tickMs, faults, ...), except `settings` keys written for one mode
//     ("raft.election_ticks", "masterslave.replication", ...): those are that mode's engine knobs,
//   - fault schedule (the spec of every injected fault, in order).
// The seed is not part of the key: runs of several seeds sit in one group, one column each.
// Runs inside a group are ordered by mode (masterslave, raft, isr, gm), then label, then seed.
#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "replication/core/result.h"

namespace rb::report {

inline constexpr std::string_view kResultSchema = "replbench-result/1";

struct Run {
  std::string file;        // where it was loaded from
  nlohmann::json result;   // the whole result document
  std::string mode;        // result["mode"]
  uint64_t seed = 0;       // result["seed"]
  std::string group_key;   // see the grouping rule above
  std::string label;       // unique inside its group: mode [mode knobs] [seed N] [file]
  std::string mode_knobs;  // "replication=async" etc: the mode-specific settings the run set
};

struct Group {
  std::string key;
  std::string title;         // "default · no faults · sim"
  std::vector<size_t> runs;  // indices into the run list, in display order
};

// Loads every path: a directory contributes each *.json below it whose "schema" is
// replbench-result/1 (other JSON files are skipped with a warning); a file must be a result.
// Errors: not_found (missing path), bad_input (unparsable JSON or a named file that is not a
// result), invalid_config (no results at all).
Result<std::vector<Run>> load_runs(const std::vector<std::string>& paths, std::vector<std::string>& warnings);

// Builds a Run from a parsed result document (used by load_runs and tests).
Result<Run> make_run(std::string file, nlohmann::json result);

std::string group_key(const nlohmann::json& result);

// Groups runs (in first-seen order of groups) and assigns each run its label.
std::vector<Group> group_runs(std::vector<Run>& runs);

// --- JSON access that never throws: missing or mistyped fields read as absent ---------------------
const nlohmann::json* json_at(const nlohmann::json& j, std::initializer_list<std::string_view> path);
std::optional<double> num_at(const nlohmann::json& j, std::initializer_list<std::string_view> path);
std::string str_at(const nlohmann::json& j, std::initializer_list<std::string_view> path, std::string fallback = "");
// A fault's name for titles and tables: its "spec", shortened when the spec is a JSON object (as
// suites write them): {"kind":"kill","target":"leader","at":2,"heal":4} -> "kill:leader@2s-4s".
std::string fault_label(const nlohmann::json& fault);
// Engine knob of the run's mode (config.engine[key]) or "".
std::string knob(const Run& r, std::string_view key);
// The claim numbers a run was made for (its suite object's "claim": "1", 1 or ["1","6"]).
std::vector<int> claims_of(const Run& r);

}  // namespace rb::report
