#pragma once
// The report's tables, built from result documents. A Table is plain data; render.h turns it into
// Markdown or HTML. Numbers are formatted here so both outputs show exactly the same text.
#include <optional>
#include <string>
#include <vector>

#include "harness/report/result_set.h"

namespace rb::report {

struct Cell {
  std::string text;
  bool bad = false;  // highlighted: a violation, an unfair setting, a lost message
};

struct Table {
  std::string title;
  std::vector<std::string> header;
  std::vector<std::vector<Cell>> rows;
  std::string note;  // one paragraph under the table (the rule it applies, units)
};

// --- formatting (absent values print as "–") -------------------------------------------------------
std::string fmt_num(std::optional<double> v, int decimals = 0);  // 12345.6 -> "12,346"
std::string fmt_ms_from_ns(std::optional<double> ns);            // 3 significant digits, in ms
std::string fmt_ms(std::optional<double> ms);
std::string fmt_bytes(std::optional<double> bytes);  // "1.2 KB", "3.4 MB"

// Machine, commit, build, runtime, seeds: one row per distinct environment across all runs.
Table environment_table(const std::vector<Run>& runs);

// The guarantee settings of a group side by side (one column per run); rows where the runs
// differ in a common setting are flagged, so an unfair comparison is visible.
Table settings_table(const std::vector<Run>& runs, const Group& g);
Table throughput_table(const std::vector<Run>& runs, const Group& g);
Table latency_table(const std::vector<Run>& runs, const Group& g);
Table resources_table(const std::vector<Run>& runs, const Group& g);
Table correctness_table(const std::vector<Run>& runs, const Group& g);
// One row per (run, fault); empty rows when no run in the group had faults.
Table availability_table(const std::vector<Run>& runs, const Group& g);
// Replicas needed to survive f failures, from each run's mode and settings (rule in the table).
Table replicas_table(const std::vector<Run>& runs, const Group& g);

// What a run's settings promise, in words (used by the replicas table and the claims).
struct Tolerance {
  std::string rule;       // "2f+1 (majority quorum)"
  int no_loss = 0;        // simultaneous failures after which no acknowledged write is lost
  int writable = 0;       // failures after which writes continue without an operator
  std::string needed_f1;  // replicas needed for f = 1
  std::string needed_f2;  // replicas needed for f = 2
  std::string caveat;     // what the rule does not cover
};
Tolerance tolerance_of(const Run& r);

// "acks=all, replicas=3, minInsync=2" style description of when a write is acknowledged.
std::string commit_rule(const Run& r);

}  // namespace rb::report
