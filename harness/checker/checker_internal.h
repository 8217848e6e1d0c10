#pragma once
// Internal: what checker.cc hands to the availability analysis (availability.cc).
#include <cstdint>
#include <vector>

#include "harness/checker/checker.h"

namespace rb::checker::detail {

// One successful send completion.
struct AckEvent {
  int64_t invoke_ns = 0;    // the invocation this completion answers (latest invoke of the same id before it)
  int64_t complete_ns = 0;  // when the ok arrived
  PartitionId partition;
  NodeId node = kNoNode;
  Epoch epoch;
};

// One failed (fail) or unknown (info) send completion.
struct SendFailure {
  int64_t time_ns = 0;
  bool unknown = false;
};

// Fault windows from the history's f=fault ops and the numbers for each (see checker.h).
std::vector<FaultAvailability> compute_availability(const std::vector<HistoryOp>& ops, std::vector<AckEvent> acks,
                                                    std::vector<SendFailure> failures, std::vector<int64_t> lost_ack_ns,
                                                    int64_t history_end_ns);

}  // namespace rb::checker::detail
