#pragma once
// SegmentLogStore: the real runtime's LogStore, one directory per partition replica.
//
// Directory layout (docs/storage-format.md):
//   <base>.log    segment files, records [base, next segment's base), rolled at segment_bytes
//   log_meta      logical log start + epoch before it (truncate_prefix / reset), atomic
//   hard_state    HardState, atomic          snapshot   last installed Snapshot, atomic
//   commit_mark   a newer commit watermark for hard_state, rewritten in place (relaxed saves)
//   LOCK          flock'ed while open, so two stores never share a directory
//
// Threading (log_store.h): every call except sync() comes from one thread (the event loop);
// sync() may run concurrently from one other thread (the disk thread). One mutex guards the
// in-memory state; sync() holds it only to pick the files to flush and to publish the result, and
// runs fdatasync without it, so appends continue while the disk works (group commit: one
// fdatasync covers every record appended before sync() was called).
//
// Failure: an I/O error during a mutating call marks the store failed; every later mutating call
// returns io_error (the runtime stops the node, as log_store.h says).
//
// Recovery (open): every segment is scanned, each record's length, offset sequence, epoch order and
// CRC checked; at the first torn or corrupt record the file is truncated there and all later
// segments are removed. What was dropped is reported by recovery().
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "replication/storage/log_store.h"
#include "replication/storage/record_format.h"
#include "replication/storage/segment.h"

namespace rb::storage {

struct SegmentLogStoreOptions {
  // A segment is rolled when the next write would take it past this size (a single record larger
  // than this gets a segment of its own). Range [4 KiB, 1 TiB]. Default 64 MiB.
  uint64_t segment_bytes = 64ull << 20;
  // One sparse-index entry at least every this many bytes of records. Range [64 B, segment_bytes].
  uint32_t index_interval_bytes = 4096;
  // Largest payload accepted by append() and trusted by recovery. Range [1 B, 1 GiB]. Default 16 MiB.
  uint32_t max_record_bytes = 16u << 20;
  // The most recently appended records, up to this many bytes (Entry::wire_size()), are also kept
  // in memory, and reads that start inside them are served from there without a pread or a CRC
  // check (they were checked when appended). This is where replication reads: a leader serving a
  // follower's fetch or sending appends reads what it appended moments ago. 0 turns it off.
  // Range [0, 1 GiB]. Default 4 MiB.
  uint64_t tail_cache_bytes = 4ull << 20;
  // Create the directory (not its parents) when missing; otherwise a missing directory is an error.
  bool create_if_missing = false;

  Status validate() const;
};

// What open() found and repaired.
struct RecoveryReport {
  uint64_t records = 0;           // valid records kept (below and above log_start)
  uint64_t bytes_dropped = 0;     // bytes cut from torn/corrupt tails and removed segments
  uint64_t segments_dropped = 0;  // whole segment files removed for being past a corrupt point
  std::string detail;             // first problem found, with its file and position; empty if none
};

class SegmentLogStore final : public LogStore {
 public:
  // Opens (recovering) or initialises the store in `dir`. Errors: invalid_config, io_error (missing
  // or unusable directory, naming it), busy (another store holds the directory), corrupt (a state
  // file that fails its checks, naming it).
  static Result<std::unique_ptr<SegmentLogStore>> open(const std::string& dir, const SegmentLogStoreOptions& opts = {});
  ~SegmentLogStore() override;

  Offset log_start() const override;
  Offset log_end() const override;
  Result<Epoch> epoch_at(Offset o) const override;
  Epoch start_epoch() const override;
  Epoch last_epoch() const override;
  Result<Entries> read(Offset from, size_t max_bytes, size_t max_entries) const override;
  std::pair<Epoch, Offset> end_offset_for_epoch(Epoch e) const override;

  Status append(const Entries& entries) override;
  Status truncate_suffix(Offset end) override;
  Status truncate_prefix(Offset start) override;
  Status reset(Offset start, Epoch start_epoch) override;

  Offset durable_end() const override;
  Result<Offset> sync() override;

  Status save_hard_state(const HardState& hs) override;
  Status save_hard_state_relaxed(const HardState& hs) override;
  HardState load_hard_state() const override;
  Status save_snapshot(const Snapshot& snap) override;
  Snapshot load_snapshot() const override;

  StoreStats stats() const override;

  const RecoveryReport& recovery() const { return recovery_; }
  size_t segment_count() const;
  const std::string& dir() const { return dir_; }

 private:
  // State files in the directory (see the top of this file).
  static constexpr const char* kHardStateFile = "hard_state";
  static constexpr const char* kCommitMarkFile = "commit_mark";
  static constexpr const char* kSnapshotFile = "snapshot";

  SegmentLogStore(std::string dir, SegmentLogStoreOptions opts, int lock_fd);
  Status recover();  // called by open()
  // Records `hs` as what the hard_state file now holds (and as the newest hard state).
  void set_file_hard_state(const HardState& hs);
  Status drop_segments_from(size_t i, const std::string& why);
  Status roll(Offset base);             // mu_ held
  Status fail(Error e);                 // mu_ held: marks the store failed
  size_t find_segment(Offset o) const;  // mu_ held: last segment with base <= o
  std::pair<Epoch, Offset> end_offset_for_epoch_locked(Epoch e) const;
  Result<Epoch> epoch_at_locked(Offset o) const;
  Status write_meta(Offset start, Epoch start_epoch);
  void cache_appended(const Entries& entries);  // mu_ held
  void cache_cut_from(Offset end);              // mu_ held: drops cached records at and above end
  void cache_cut_below(Offset start);           // mu_ held: drops cached records below start
  void cache_pop_front();                       // mu_ held: drops the oldest cached record

  const std::string dir_;
  const SegmentLogStoreOptions opts_;
  const int lock_fd_;
  RecoveryReport recovery_;

  mutable std::mutex mu_;
  std::vector<Segment> segments_;  // ascending base; back() is the active segment, never empty list
  Offset log_start_{0};
  Offset log_end_{0};
  Epoch start_epoch_{0};
  std::vector<std::pair<Epoch, Offset>> epochs_;  // (epoch, first offset) for [log_start, log_end)
  Offset durable_{0};
  // Files holding records not yet covered by a sync: rolled segments, plus the active one if dirty.
  std::vector<std::shared_ptr<FileHandle>> unsynced_;
  bool active_dirty_ = false;
  bool dir_dirty_ = false;  // a segment file was created since the last sync
  uint64_t cut_gen_ = 0;    // bumped by truncate_suffix/reset; a sync that spans one publishes nothing
  bool failed_ = false;
  HardState hard_state_;  // the newest saved, commit mark included
  // What the hard_state file holds and its hard_state_base(): a relaxed save that changes only the
  // commit rewrites commit_mark in place instead (a rename replacing a file makes ext4 start the
  // new file's write-out and wait on the old one's, which blocked the event loop at every commit).
  HardState file_hs_;
  uint32_t file_hs_base_ = 0;
  std::unique_ptr<FileHandle> mark_file_;  // commit_mark, opened on first use
  Snapshot snapshot_;
  StoreStats stats_;
  std::string scratch_;  // append's encode buffer, reused
  // The tail cache (SegmentLogStoreOptions::tail_cache_bytes): contiguous records ending at
  // log_end_, all at or above log_start_; empty after open() and reset().
  std::deque<Entry> tail_;
  uint64_t tail_bytes_ = 0;
};

}  // namespace rb::storage
