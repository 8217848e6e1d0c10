#pragma once
// MemLogStore: the simulator's LogStore. Records live in memory; the store tracks which prefix is
// durable, and crash() drops the unsynced tail, as a power loss would drop the page cache. The
// simulator decides *when* a sync completes (its disk model) and calls mark_durable().
#include <deque>
#include <vector>

#include "replication/storage/log_store.h"

namespace rb {

class MemLogStore final : public LogStore {
 public:
  MemLogStore() = default;

  Offset log_start() const override { return start_; }
  Offset log_end() const override { return start_ + static_cast<int64_t>(entries_.size()); }
  Result<Epoch> epoch_at(Offset o) const override;
  Epoch start_epoch() const override { return start_epoch_; }
  Epoch last_epoch() const override;
  Result<Entries> read(Offset from, size_t max_bytes, size_t max_entries) const override;
  std::pair<Epoch, Offset> end_offset_for_epoch(Epoch e) const override;

  Status append(const Entries& entries) override;
  Status truncate_suffix(Offset end) override;
  Status truncate_prefix(Offset start) override;
  Status reset(Offset start, Epoch start_epoch) override;

  Offset durable_end() const override { return durable_; }
  Result<Offset> sync() override;  // everything appended so far becomes durable at once
  // The modelled fsync that started when the log ended at `end` has completed.
  void mark_durable(Offset end);

  Status save_hard_state(const HardState& hs) override;
  // Modelled as durable (see the .cc).
  Status save_hard_state_relaxed(const HardState& hs) override;
  HardState load_hard_state() const override { return hard_state_; }
  Status save_snapshot(const Snapshot& snap) override;
  Snapshot load_snapshot() const override { return snapshot_; }

  StoreStats stats() const override { return stats_; }

  // A simulated power loss: records at and above durable_end() are gone.
  void crash();

 private:
  Offset start_{0};
  Epoch start_epoch_{0};
  std::deque<Entry> entries_;
  // (epoch, first offset) for each epoch present in the log, ascending.
  std::vector<std::pair<Epoch, Offset>> epochs_;
  Offset durable_{0};
  HardState hard_state_;
  HardState durable_hard_state_;
  Snapshot snapshot_;
  StoreStats stats_;
};

}  // namespace rb
