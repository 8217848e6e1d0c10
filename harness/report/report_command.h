#pragma once
// `replbench report DIR|FILES... [--out DIR]`: renders report.md (charts as SVG files in
// charts/) and a self-contained report.html (charts inline) from result files.
//
// Register it in harness/cli/commands.cc as {"report", cmd_report}. Exit codes: 0 written,
// 1 could not write or draw (gnuplot failed), 2 usage error or no result files.
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "harness/report/render.h"
#include "harness/report/result_set.h"
#include "replication/core/result.h"

namespace rb::report {

struct ReportOptions {
  std::vector<std::string> inputs{};     // directories and result files, at least one
  std::optional<std::string> out_dir{};  // default: the first input if a directory, else its directory
  std::string gnuplot = "gnuplot";       // path or name in PATH
  bool charts = true;                    // false: tables only, gnuplot not needed
  bool png = false;                      // also export each chart as PNG (needs rsvg-convert)
  std::string rsvg_convert = "rsvg-convert";
  std::string title = "replbench comparison report";
};

struct ReportOutput {
  std::string out_dir, markdown, html;
  size_t runs = 0, groups = 0, charts = 0;
};

Result<ReportOptions> parse_report_options(const std::vector<std::string>& args);

// Tables, claims and chart specs for the runs (no I/O). `runs` get their labels.
ReportDoc build_doc(std::vector<Run>& runs, const std::vector<Group>& groups, const std::string& title);

// Loads, groups, draws and writes. Progress lines go to `progress` (may be null).
Result<ReportOutput> write_report(const ReportOptions& options, std::FILE* progress);

}  // namespace rb::report

namespace rb::harness {
int cmd_report(const std::vector<std::string>& args);
}  // namespace rb::harness
