#pragma once
// The storage contract of one partition replica (design section 4): the log, its durability
// watermark, the hard state and the last installed snapshot.
//
// Threading: append/truncate/reset/read are called from one thread (the node's event loop).
// SegmentLogStore additionally allows sync() from one other thread (the disk thread); sync()
// makes every record appended before the call durable and returns the durable end.
//
// Failure: every mutating call returns an error instead of half-applying; after an io_error the
// runtime treats the replica as failed (it stops the node) rather than continuing on a store whose
// contents it no longer knows.
#include <cstdint>

#include "replication/engine.h"
#include "replication/storage/log_reader.h"

namespace rb {

struct StoreStats {
  uint64_t bytes_appended = 0;  // record bytes accepted by append()
  uint64_t bytes_written = 0;   // bytes that reached the file (headers included)
  uint64_t syncs = 0;           // fdatasync calls (or modelled syncs)
  uint64_t records_appended = 0;
};

class LogStore : public LogReader {
 public:
  // Appends records whose offsets are exactly log_end(), log_end()+1, ... Not durable until a
  // later sync() covers them. Errors: bad_input (non-contiguous), too_large, io_error.
  virtual Status append(const Entries& entries) = 0;
  // Drops records at and above `end`. log_start() <= end <= log_end(). Durable at return.
  virtual Status truncate_suffix(Offset end) = 0;
  // Drops records below `start` (retention). log_start() <= start <= log_end().
  virtual Status truncate_prefix(Offset start) = 0;
  // Drops everything; the log restarts empty at `start`, the record before it having epoch
  // `start_epoch` (snapshot install).
  virtual Status reset(Offset start, Epoch start_epoch) = 0;

  // Records below durable_end() survive a crash.
  virtual Offset durable_end() const = 0;
  // Makes every appended record durable. Returns the new durable_end().
  virtual Result<Offset> sync() = 0;

  // Hard state and snapshot are replaced atomically (write, fsync, rename): a crash leaves the
  // old or the new value, never a mix.
  virtual Status save_hard_state(const HardState& hs) = 0;
  virtual HardState load_hard_state() const = 0;  // default-constructed when none was saved
  // The same, atomic against a process crash but not against power loss (no fsync). For changes
  // that are recoverable after a power loss, such as a commit watermark only moving forward (a
  // store may keep a commit-only change apart and apply it at open only if it is higher).
  virtual Status save_hard_state_relaxed(const HardState& hs) { return save_hard_state(hs); }
  virtual Status save_snapshot(const Snapshot& snap) = 0;
  virtual Snapshot load_snapshot() const = 0;  // last_included == -1 when none

  virtual StoreStats stats() const = 0;
};

}  // namespace rb
