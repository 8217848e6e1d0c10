#pragma once
// The checker: reads a history (history.h) and the replicas' final committed logs and counts every
// anomaly a replicated message queue must not show. docs/checker.md defines each count precisely
// with an example; the short version:
//
//   lost             acknowledged (some `ok` send) but neither delivered to any consumer nor in any
//                    replica's final committed log
//   duplicated       one message identity at two different (partition, offset) positions among the
//                    deliveries and committed logs, or delivered twice to one consumer
//   unexpected       delivered or committed but never sent
//   failed_landed    every attempt `fail`ed, yet it was delivered or committed
//   vanished         delivered, but absent from every replica's committed log of its partition
//   offset_conflicts (partition, offset) positions where a delivery disagrees with another delivery
//                    or with a committed log
//   reordered        a consumer's stream of a partition went backwards (offset <= previous)
//   skipped          a consumer's stream jumped over an offset that holds a data record
//   divergent        (partition, offset) positions inside the common committed prefix where two
//                    replicas hold different records
//   multi_leader     (partition, epoch) pairs where two nodes acknowledged writes or claimed
//                    leadership
//   unknown_landed / unknown_lost: sends with unknown outcome found / not found
//   undelivered      acknowledged and committed but never delivered (consumer lag; information)
//   availability     per fault: longest window with no successful write, time to recover,
//                    leader changes, acknowledged messages lost (RPO) attributed to it
//
// `valid` is false on any unexpected, failed_landed, divergent or multi_leader; on lost, vanished,
// offset_conflicts or skipped unless loss is permitted; on duplicated or reordered unless
// duplicates are permitted. `violations` says why in words.
//
// Cost: O(n log n) in the number of ops + delivered records + log records (sorting), plus
// O(faults x writes in the fault window) for availability.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "harness/checker/history.h"
#include "replication/core/config.h"

namespace rb::checker {

struct FaultAvailability {
  std::string fault;             // its name
  int64_t start_ns = 0;          // when it started
  int64_t stop_ns = -1;          // when it stopped; -1 = still active at the end of the history
  double unavailable_ms = 0;     // longest window with no successful write that overlaps the fault
  bool disrupted = false;        // some send failed or timed out after the fault started
  bool recovered = false;        // a send invoked after that first failure later succeeded
  std::optional<double> rto_ms;  // fault start -> that success (only when disrupted and recovered)
  int64_t leader_changes = 0;    // new (node, epoch) acknowledging per partition, summed
  int64_t lost = 0;              // acknowledged messages lost, attributed to this fault (RPO)
  int64_t failed = 0;            // sends failed in the fault's attribution window
  int64_t unknown = 0;           // sends with unknown outcome in the window
  nlohmann::json to_json() const;
};

struct Verification {
  bool valid = true;
  std::vector<std::string> violations;  // one line per reason `valid` is false
  bool loss_permitted = false;
  std::string loss_why;
  bool duplicates_permitted = false;
  std::string duplicates_why;

  int64_t sends = 0;       // distinct message identities sent
  int64_t acked = 0;       // of those, acknowledged
  int64_t failed = 0;      // of those, definitely failed
  int64_t unknown = 0;     // of those, unknown outcome
  int64_t delivered = 0;   // distinct identities delivered to consumers
  int64_t deliveries = 0;  // delivered records in total (with repeats)

  int64_t lost = 0;
  int64_t expected_loss = 0;  // == lost when loss is permitted, else 0
  int64_t duplicated = 0;
  int64_t unexpected = 0;
  int64_t failed_landed = 0;
  int64_t vanished = 0;
  int64_t offset_conflicts = 0;
  int64_t reordered = 0;
  int64_t skipped = 0;
  int64_t divergent = 0;
  int64_t multi_leader = 0;
  int64_t unknown_landed = 0;
  int64_t unknown_lost = 0;
  int64_t undelivered = 0;

  std::vector<MessageId> lost_sample;  // up to 10 lost identities, earliest acknowledgement first
  std::vector<std::string> examples;   // up to 20 anomaly descriptions, for humans
  std::vector<FaultAvailability> availability;

  nlohmann::json to_json() const;  // the result file's `verification` object
};

Verification check(const std::vector<HistoryOp>& ops, const std::vector<ReplicaLog>& logs, const Guarantees& g);

// The guarantees implied by the replication config alone: acks none/leader permit loss,
// idempotence off permits duplicates. Engines add their own reasons (async slave, unclean
// election, GM "ignore") on top.
Guarantees guarantees_for(const ReplicationConfig& config);

// `replbench check HISTORY`: load a saved history (+ logs + guarantees) and check it again.
// `override_guarantees` replaces the ones stored in the file (strict ones if neither exists).
Result<Verification> recheck_file(const std::string& path, const std::optional<Guarantees>& override_guarantees = {});

}  // namespace rb::checker
