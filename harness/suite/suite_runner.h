#pragma once
// Runs a suite: every cell through the run command's execute_run, one result file per cell and
// out_dir/index.json (rewritten after every cell, so an interrupted suite leaves a valid index).
// A cell that fails (configuration error, mode not built, run error) is recorded with its message
// and the suite goes on.
//
// index.json (schema replbench-suite-index/1):
//   {"schema", "suite", "description", "file", "out_dir", "cells_total", "cells_done",
//    "totals": {"ok", "invalid", "error"}, "wall_seconds",
//    "cells": [{<cell_json>, "index", "result_file", "status": "ok"|"invalid"|"error",
//               "message", "headline": {"publish_rate", "publish_p50_ms", "publish_p99_ms",
//               "e2e_p99_ms", "acked", "lost", "expected_loss", "faults_run"}, "wall_seconds"}]}
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "harness/run/run_command.h"
#include "harness/suite/suite.h"

namespace rb::suite {

struct SuiteRunOptions {
  std::string out_dir;                               // created if missing
  std::optional<std::string> filter;                 // only cells whose name contains this
  std::function<void(const std::string&)> progress;  // one line per event; none = silent
  // The cell runner; defaults to harness::execute_run (tests inject a fake).
  std::function<Result<nlohmann::json>(const harness::RunOptions&)> runner;
};

// The RunOptions for one cell (quiet; history as the suite says).
harness::RunOptions run_options_for(const SuiteCell& c, const std::string& result_file, bool history);

// "cell 3/12  mode=raft workload=small fault=kill.leader seed=1  elapsed 12s eta 40s"
std::string progress_line(size_t n, size_t m, const SuiteCell& c, double elapsed_s, std::optional<double> eta_s);

// Runs the cells of `suite` and returns the final index document. Errors only for the output
// directory / index file itself (io_error); cell failures are in the index.
Result<nlohmann::json> run_suite(const Suite& suite, const SuiteRunOptions& opts);
Result<nlohmann::json> run_suite(const std::string& path, const SuiteRunOptions& opts);

// `replbench suite FILE [--out DIR] [--filter TEXT] [--list]`: exit 0 all cells ok, 1 some cell
// invalid or failed, 2 usage / suite file error.
int suite_main(const std::vector<std::string>& args);

}  // namespace rb::suite
