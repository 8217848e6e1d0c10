#pragma once
// A suite: a list of run cells, written as a matrix (modes x workloads x faults x seeds x settings),
// as several matrices ("groups") and/or as explicit "cells". docs/faults.md and the shipped files
// in harness/suites/ show the format:
//
//   {"name": "quick", "description": "...", "runtime": "sim", "history": false,
//    "modes": ["raft", "isr"],
//    "workloads": ["../workloads/small.json", {"name": "tiny", "testDurationSeconds": 2}],
//    "faults": [[], {"name": "kill-leader", "schedule": [{"kind": "kill", "target": "leader", "at": 1}]},
//               ["partition:halves@1s-2s"]],
//    "seeds": [1, 2],
//    "settings": [{}, {"acks": "leader"}],
//    "groups": [{"label": "claim-3", "modes": ["gm"], "settings": [{"replicas": 3}, {"replicas": 5}]}],
//    "cells": [{"label": "one-off", "mode": "raft", "workload": {...}, "faults": [...], "seed": 7,
//               "settings": {...}}]}
//
// Top-level keys are defaults for every group and cell; the top level is itself a matrix when it
// names "modes" (and no "groups"/"cells" replace it). A fault schedule is a list of fault objects
// or --fault strings, or {"name", "schedule"}. A workload is a path (relative to the suite file)
// or an inline workload object. Settings are --set key=value pairs (values: strings, numbers,
// booleans). Every fault and workload is validated when the suite is loaded.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "replication/core/result.h"

namespace rb::suite {

struct SuiteCell {
  std::string name;  // unique, file-name safe: <group>-<mode>-<workload>-<faults>-<settings>-seed<N>
  std::string group;
  std::string mode;
  std::string runtime = "sim";
  std::optional<std::string> workload_file;  // one of these two
  std::optional<nlohmann::json> workload_inline;
  std::string workload_label;
  nlohmann::json faults = nlohmann::json::array();  // fault objects and/or strings
  std::string faults_label = "none";
  uint64_t seed = 1;
  std::vector<std::pair<std::string, std::string>> settings;  // --set key=value, in order
  std::string settings_label = "default";
};

struct Suite {
  std::string name;
  std::string description;
  std::string file;      // where it was loaded from ("" for in-memory)
  bool history = false;  // write each cell's history file
  std::vector<SuiteCell> cells;
};

// Expands a suite document. `base_dir` resolves relative workload paths. Errors are
// invalid_config naming the group/cell and the key.
Result<Suite> parse_suite(const nlohmann::json& doc, const std::string& base_dir);
Result<Suite> load_suite(const std::string& path);  // not_found / bad_input for the file itself

// The cell's parameters for the index (everything but its results).
nlohmann::json cell_json(const SuiteCell& c);

}  // namespace rb::suite
