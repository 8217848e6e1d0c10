#pragma once
// LogView: an engine's picture of its own log = the stored log (LogReader) plus the writes the
// engine has made since its last take_ready() (a reset, a prefix cut, a suffix cut, appended
// records). Engines read and write through it as if the log were theirs; take_writes() moves the
// pending writes into a Ready, which the runtime applies before the engine's next input.
#include <optional>

#include "replication/engine.h"
#include "replication/storage/log_reader.h"

namespace rb {

class LogView {
 public:
  explicit LogView(const LogReader* store);

  Offset log_start() const;
  Offset log_end() const;
  Epoch start_epoch() const;
  Epoch last_epoch() const;
  Result<Epoch> epoch_at(Offset o) const;
  Result<Entries> read(Offset from, size_t max_bytes, size_t max_entries) const;
  Result<Entry> entry(Offset o) const;
  std::pair<Epoch, Offset> end_offset_for_epoch(Epoch e) const;

  // `entries` must start at log_end() and be contiguous.
  void append(Entries entries);
  void append(Entry entry);
  // Drops records at and above end; log_start() <= end <= log_end().
  void truncate_suffix(Offset end);
  // Drops records below start; log_start() <= start <= log_end().
  void truncate_prefix(Offset start);
  // Empties the log; it restarts at `start`, the record before having epoch `start_epoch`.
  void reset(Offset start, Epoch start_epoch);

  bool has_writes() const;
  // Moves pending writes into `ready` (snapshot reset is the caller's Ready::snapshot; this only
  // clears the overlay for it) and clears the overlay.
  void take_writes(Ready& ready);

 private:
  Offset store_visible_end() const;  // end of the part of the store still visible

  const LogReader* store_;
  struct Reset {
    Offset start;
    Epoch epoch;
  };
  std::optional<Reset> reset_;
  std::optional<Offset> prefix_;  // pending truncate_prefix
  std::optional<Offset> cut_;     // pending truncate_suffix applied to the store
  Entries tail_;                  // pending appends, starting at store_visible_end()
};

}  // namespace rb
