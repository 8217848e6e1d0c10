#pragma once
// Which charts a report draws: per group (over time, quantiles, CDF) and per claim (claims.h).
#include <string>
#include <vector>

#include "harness/report/charts.h"
#include "harness/report/result_set.h"

namespace rb::report {

// Specs for one group's charts; ids start with `prefix`. Charts without data are left out.
std::vector<ChartSpec> group_chart_specs(const std::vector<Run>& runs, const Group& g, const std::string& prefix);

}  // namespace rb::report
