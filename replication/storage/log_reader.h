#pragma once
// Read-only view of one partition replica's stored log. Engines get this (never the writer):
// they change the log only through Ready, which the runtime applies.
//
// Offsets: records occupy [log_start(), log_end()). Below log_start the log was compacted or
// replaced by a snapshot; the epoch of the record just before log_start is still known
// (start_epoch()), so Raft's consistency check works at the boundary.
#include <cstddef>
#include <utility>

#include "replication/core/ids.h"
#include "replication/core/result.h"
#include "replication/log_entry.h"

namespace rb {

class LogReader {
 public:
  virtual ~LogReader() = default;

  virtual Offset log_start() const = 0;
  virtual Offset log_end() const = 0;
  bool empty() const { return log_start() == log_end(); }

  // Epoch of the record at offset o, for o in [log_start() - 1, log_end()). For
  // o == log_start() - 1 this is start_epoch(). Outside that range: compacted / out_of_range.
  virtual Result<Epoch> epoch_at(Offset o) const = 0;
  // Epoch of the record just below log_start() (Epoch{0} for a log that starts at 0).
  virtual Epoch start_epoch() const = 0;
  // Epoch of the last record, or start_epoch() when the log holds none.
  virtual Epoch last_epoch() const = 0;

  // Records from `from`, at most max_entries and about max_bytes (always at least one record when
  // from < log_end(), however large). from == log_end() returns an empty vector.
  // Errors: compacted (from < log_start()), out_of_range (from > log_end()), io_error, corrupt.
  virtual Result<Entries> read(Offset from, size_t max_bytes, size_t max_entries) const = 0;

  // The leader-epoch cache (Kafka KIP-101/279): the largest epoch E' <= e that has records here,
  // and the end offset of E' (the start offset of the next larger epoch, or log_end()). When no
  // epoch <= e exists, returns {Epoch{0}, log_start()}.
  virtual std::pair<Epoch, Offset> end_offset_for_epoch(Epoch e) const = 0;
};

}  // namespace rb
