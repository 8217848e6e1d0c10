#pragma once
// Rendering a report document to Markdown (charts as files beside it) and to one self-contained
// HTML page (charts inline as SVG, CSS inline, no scripts, no external src or href).
#include <map>
#include <string>
#include <vector>

#include "harness/report/charts.h"
#include "harness/report/claims.h"
#include "harness/report/tables.h"

namespace rb::report {

struct GroupSection {
  std::string title;
  std::vector<std::pair<std::string, std::string>> runs;  // (label, result file)
  std::vector<Table> tables;
  std::vector<Chart> charts;
};

struct ReportDoc {
  std::string title = "replbench comparison report";
  std::string summary;  // "7 runs in 3 groups from ..."
  Table environment;
  std::vector<GroupSection> groups;
  std::vector<ClaimResult> claims;
  std::map<int, Chart> claim_charts;  // by claim number
  std::vector<std::string> warnings;
};

// `chart_dir`: where the Markdown finds chart files, relative to report.md ("charts").
std::string render_markdown(const ReportDoc& doc, const std::string& chart_dir);
std::string render_html(const ReportDoc& doc);

std::string html_escape(const std::string& s);

}  // namespace rb::report
