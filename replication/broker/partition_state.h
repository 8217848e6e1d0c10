#pragma once
// The broker's per-partition state beside the log: consumer-group offsets (replicated through the
// log as EntryKind::offset_commit records and applied once committed) and idempotent-producer
// state (the last sequence and its offset per producer id, rebuilt from the log when it changes
// under us). It is also the partition's SnapshotSource.
#include <deque>
#include <map>
#include <string>
#include <unordered_map>

#include "replication/engine.h"
#include "replication/storage/log_reader.h"

namespace rb {

// Payload of an offset_commit record: the group name and the offset.
std::string encode_offset_commit(const std::string& group, Offset offset);
Result<std::pair<std::string, Offset>> decode_offset_commit(const std::string& bytes);

class PartitionState final : public SnapshotSource {
 public:
  explicit PartitionState(const LogReader* log) : log_(log) {}

  // --- producer state (idempotence) -----------------------------------------------------------
  // Records appended to the local log (leader or follower), in order.
  void on_appended(const Entries& entries);
  // The log lost its tail or was reset: rebuild producer state from what the log still holds.
  void on_log_rewritten();
  // If (producer, sequence) is already in the log, its offset.
  std::optional<Offset> find_duplicate(ProducerId producer, int64_t sequence) const;

  // --- consumer offsets ----------------------------------------------------------------------
  // The commit watermark moved to `commit`: apply offset commits below it.
  void on_committed(Offset commit);
  std::optional<Offset> consumer_offset(const std::string& group) const;
  const std::map<std::string, Offset>& consumer_offsets() const { return offsets_; }

  // --- snapshots ------------------------------------------------------------------------------
  Snapshot snapshot_at(Offset upto) const override;
  Status install(const Snapshot& snap);

 private:
  // Consecutive sequences stored at consecutive offsets: one run covers a whole batch, and a
  // producer that is alone on the partition is one run however long it writes.
  struct SequenceRun {
    int64_t first_sequence = 0;
    Offset first_offset;
    int64_t length = 0;
    int64_t end_sequence() const { return first_sequence + length; }
  };
  struct ProducerEntry {
    // Runs sorted by sequence, never overlapping; bounded (the lowest runs are forgotten first) so
    // memory stays flat. A retry is recognised while its original's run is remembered, so how far
    // back that reaches depends on how the producer's records interleave with others', not on a
    // fixed count of records (a count of 1024 records made a retry after a 1 s stall, with ~1,600
    // newer records stored, a duplicate).
    std::deque<SequenceRun> runs;
  };
  static constexpr size_t kRunsPerProducer = 1024;

  const LogReader* log_;
  std::unordered_map<uint64_t, ProducerEntry> producers_;
  std::map<Offset, std::pair<std::string, Offset>> pending_commits_;  // record offset -> (group, value)
  std::map<std::string, Offset> offsets_;
  Offset applied_{0};
};

}  // namespace rb
