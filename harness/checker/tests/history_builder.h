#pragma once
// Terse constructors for hand-made histories in the checker tests. Times are in milliseconds.
#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

#include "harness/checker/history.h"

namespace rb::checker::testing {

MessageId mid(uint64_t producer, uint64_t seq);

struct History {
  std::vector<HistoryOp> ops;
  std::vector<ReplicaLog> logs;

  // invoke at t_invoke_ms; completion `outcome` at t_done_ms (none if outcome == invoke).
  History& send(MessageId id, uint32_t partition, OpType outcome, int64_t t_invoke_ms, int64_t t_done_ms,
                int64_t offset = -1, uint32_t node = 0, uint64_t epoch = 1, uint64_t process = 1);
  // An ok poll by `process` returning [offset, producer, seq] records.
  History& poll(uint64_t process, uint32_t partition, int64_t t_ms,
                std::vector<std::tuple<int64_t, uint64_t, uint64_t>> records);
  History& fault(const std::string& name, FaultPhase phase, int64_t t_ms);
  History& leader(uint32_t partition, uint32_t node, uint64_t epoch, int64_t t_ms);
  // A replica log whose committed prefix is [0, commit_end) with records [offset, epoch, producer, seq].
  History& log(uint32_t node, uint32_t partition, int64_t commit_end,
               std::vector<std::tuple<int64_t, uint64_t, uint64_t, uint64_t>> records);
  // Ops in time order (stable), as a runner would have written them.
  std::vector<HistoryOp> sorted_ops() const;
};

// n messages from producer 1 to partition 0, acked at offsets 0..n-1 by node 0 in epoch 1 (one
// every 10 ms), all read by consumer 100 in one poll at the end, committed on replicas 0, 1, 2.
History clean_history(int n);

}  // namespace rb::checker::testing
