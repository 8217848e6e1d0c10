#pragma once
// The claims section: the seven claims of /work/shared/sources.md ("Claims the toolkit must be
// able to test"), the measurement that tests each, and whether the runs at hand support it.
//
// Which runs test a claim: runs whose suite object names it ({"suite": ..., "claim": "3"}) when
// there are any; otherwise every run that has the right shape (e.g. GM runs with different
// replica counts for claim 3). A claim no run can test is "not measured", never guessed.
#include <optional>
#include <string>
#include <vector>

#include "harness/report/charts.h"
#include "harness/report/result_set.h"

namespace rb::report {

enum class Verdict { held, partly_held, did_not_hold, inconclusive, not_measured };
const char* to_string(Verdict v);

struct ClaimResult {
  int number = 0;
  std::string claim;        // the claim, as in sources.md
  std::string measurement;  // what tests it
  Verdict verdict = Verdict::not_measured;
  std::string explanation;        // plain words with the numbers behind the verdict
  std::string source;             // "suite cells" or "runs present (no suite tags)"
  std::vector<std::string> runs;  // short names of the runs used
  std::optional<ChartSpec> chart;
};

// The seven claims in order; every entry is filled, measured or not.
std::vector<ClaimResult> evaluate_claims(const std::vector<Run>& runs);

// "raft r=3 acks=all replication=async": a name that tells runs apart across groups.
std::string short_name(const Run& r);

}  // namespace rb::report
