// SegmentLogStore operations after open: reads, append, sync, truncation, state files.
// open() and crash recovery are in segment_log_store_open.cc.
#include "replication/storage/segment_log_store.h"

#include <algorithm>

#include "replication/storage/file_util.h"

namespace rb::storage {
namespace {
bool same_but_commit(HardState a, const HardState& b) {
  a.commit = b.commit;
  return a == b;
}
}  // namespace

Offset SegmentLogStore::log_start() const {
  std::lock_guard lk(mu_);
  return log_start_;
}

Offset SegmentLogStore::log_end() const {
  std::lock_guard lk(mu_);
  return log_end_;
}

Epoch SegmentLogStore::start_epoch() const {
  std::lock_guard lk(mu_);
  return start_epoch_;
}

Epoch SegmentLogStore::last_epoch() const {
  std::lock_guard lk(mu_);
  return epochs_.empty() ? start_epoch_ : epochs_.back().first;
}

Offset SegmentLogStore::durable_end() const {
  std::lock_guard lk(mu_);
  return durable_;
}

size_t SegmentLogStore::segment_count() const {
  std::lock_guard lk(mu_);
  return segments_.size();
}

StoreStats SegmentLogStore::stats() const {
  std::lock_guard lk(mu_);
  return stats_;
}

Result<Epoch> SegmentLogStore::epoch_at(Offset o) const {
  std::lock_guard lk(mu_);
  return epoch_at_locked(o);
}

Result<Epoch> SegmentLogStore::epoch_at_locked(Offset o) const {
  if (o == log_start_.prev()) return start_epoch_;
  if (o < log_start_) return make_error(errc::compacted, "epoch_at " + to_string(o) + " below log start");
  if (o >= log_end_) return make_error(errc::out_of_range, "epoch_at " + to_string(o) + " past log end");
  // epochs_ covers [log_start, log_end) with its first slot at or below o.
  auto it = std::upper_bound(epochs_.begin(), epochs_.end(), o,
                             [](Offset v, const std::pair<Epoch, Offset>& p) { return v < p.second; });
  RB_ASSERT(it != epochs_.begin());
  return std::prev(it)->first;
}

std::pair<Epoch, Offset> SegmentLogStore::end_offset_for_epoch(Epoch e) const {
  std::lock_guard lk(mu_);
  return end_offset_for_epoch_locked(e);
}

std::pair<Epoch, Offset> SegmentLogStore::end_offset_for_epoch_locked(Epoch e) const {
  // Same answers as MemLogStore: the last epoch slot <= e and where the next slot starts.
  auto it = std::upper_bound(epochs_.begin(), epochs_.end(), e,
                             [](Epoch v, const std::pair<Epoch, Offset>& p) { return v < p.first; });
  if (it == epochs_.begin()) {
    if (start_epoch_.value() > 0 && start_epoch_ <= e)
      return {start_epoch_, epochs_.empty() ? log_end_ : epochs_.front().second};
    return {Epoch{0}, log_start_};
  }
  auto prev = std::prev(it);
  return {prev->first, it == epochs_.end() ? log_end_ : it->second};
}

Result<Entries> SegmentLogStore::read(Offset from, size_t max_bytes, size_t max_entries) const {
  std::lock_guard lk(mu_);
  if (from < log_start_)
    return make_error(errc::compacted, "read at " + to_string(from) + " below log start " + to_string(log_start_));
  if (from > log_end_) return make_error(errc::out_of_range, "read at " + to_string(from) + " past log end");
  Entries out;
  if (from == log_end_ || max_entries == 0) return out;
  size_t bytes = 0;
  if (!tail_.empty() && from >= tail_.front().offset) {
    for (auto it = tail_.begin() + (from - tail_.front().offset); it != tail_.end(); ++it) {
      const size_t sz = it->wire_size();
      if (!out.empty() && bytes + sz > max_bytes) break;
      bytes += sz;
      out.push_back(*it);
      if (out.size() >= max_entries) break;
    }
    return out;
  }
  // Read a little past the budget so one pread usually serves the whole request.
  const size_t chunk =
      std::clamp<size_t>(std::min<size_t>(max_bytes, 4 << 20) + opts_.index_interval_bytes, 16 << 10, 4 << 20);
  for (size_t i = find_segment(from); i < segments_.size() && from < log_end_; ++i) {
    const Segment& seg = segments_[i];
    if (from >= seg.end) continue;
    const IndexEntry start = seg.seek(from);
    RecordCursor cur(*seg.file, start.pos, seg.size, opts_.max_record_bytes, chunk);
    for (;;) {
      auto r = cur.next(/*verify_crc=*/false);
      if (!r.ok()) return r.error();
      if (*r == RecordCursor::Outcome::end) break;
      if (*r != RecordCursor::Outcome::record)
        return make_error(errc::corrupt,
                          seg.file->path() + " at byte " + std::to_string(cur.pos()) + ": " + cur.detail());
      const RecordHeader& h = cur.header();
      if (h.offset < from.value()) continue;  // scanning forward from the index entry
      const char* hdr = cur.body() - kRecordHeaderBytes;
      if (!record_crc_ok(h, hdr, cur.body()))
        return make_error(errc::corrupt, seg.file->path() + " at byte " + std::to_string(cur.pos()) + ": CRC mismatch");
      const size_t sz = h.body_len + Entry::kEntryHeaderBytes;  // Entry::wire_size()
      if (!out.empty() && bytes + sz > max_bytes) return out;
      bytes += sz;
      out.push_back(to_entry(h, cur.body()));
      ++from;
      if (out.size() >= max_entries) return out;
    }
  }
  return out;
}

Status SegmentLogStore::append(const Entries& entries) {
  std::lock_guard lk(mu_);
  if (failed_) return make_error(errc::io_error, "store " + dir_ + " failed earlier");
  // Validate the whole batch first so a bad batch changes nothing.
  Offset expect = log_end_;
  Epoch last = epochs_.empty() ? start_epoch_ : epochs_.back().first;
  for (const auto& e : entries) {
    if (e.offset != expect)
      return make_error(errc::bad_input,
                        "append: expected offset " + to_string(expect) + ", got " + to_string(e.offset));
    if (e.epoch < last) return make_error(errc::bad_input, "append: epoch went backwards");
    if (e.payload_size() > opts_.max_record_bytes)
      return make_error(errc::too_large, "append: record of " + std::to_string(e.payload_size()) + " bytes");
    last = e.epoch;
    ++expect;
  }
  size_t i = 0;
  while (i < entries.size()) {
    // Encode as many records as fit in the active segment, then write them with one pwrite.
    Segment* seg = &segments_.back();
    if (seg->size > 0 && seg->size + record_size(entries[i]) > opts_.segment_bytes) {
      if (auto s = roll(entries[i].offset); !s.ok()) return fail(s.error());
      seg = &segments_.back();
    }
    scratch_.clear();
    const size_t first = i;
    while (i < entries.size() &&
           (i == first || seg->size + scratch_.size() + record_size(entries[i]) <= opts_.segment_bytes)) {
      seg->maybe_index(entries[i].offset, seg->size + scratch_.size());
      encode_record(entries[i], scratch_);
      ++i;
    }
    if (auto s = pwrite_all(seg->file->fd(), scratch_.data(), scratch_.size(), seg->size, seg->file->path()); !s.ok())
      return fail(s.error());
    for (size_t k = first; k < i; ++k) {
      const Entry& e = entries[k];
      if (epochs_.empty() || epochs_.back().first != e.epoch) epochs_.emplace_back(e.epoch, e.offset);
      stats_.bytes_appended += e.payload_size();
      ++stats_.records_appended;
    }
    seg->size += scratch_.size();
    seg->end = seg->end + static_cast<int64_t>(i - first);
    log_end_ = seg->end;
    stats_.bytes_written += scratch_.size();
    active_dirty_ = true;
  }
  cache_appended(entries);
  return {};
}

void SegmentLogStore::cache_appended(const Entries& entries) {
  if (opts_.tail_cache_bytes == 0) return;
  for (const auto& e : entries) {
    tail_.push_back(e);
    tail_bytes_ += e.wire_size();
  }
  while (!tail_.empty() && tail_bytes_ > opts_.tail_cache_bytes) cache_pop_front();
  RB_ASSERT(tail_.empty() || (tail_.back().offset.next() == log_end_ &&
                              tail_.back().offset - tail_.front().offset + 1 == static_cast<int64_t>(tail_.size())));
}

void SegmentLogStore::cache_pop_front() {
  tail_bytes_ -= tail_.front().wire_size();
  tail_.pop_front();
}

void SegmentLogStore::cache_cut_below(Offset start) {
  while (!tail_.empty() && tail_.front().offset < start) cache_pop_front();
}

void SegmentLogStore::cache_cut_from(Offset end) {
  while (!tail_.empty() && tail_.back().offset >= end) {
    tail_bytes_ -= tail_.back().wire_size();
    tail_.pop_back();
  }
}

Result<Offset> SegmentLogStore::sync() {
  std::vector<std::shared_ptr<FileHandle>> files;
  bool dir = false;
  Offset target;
  uint64_t gen = 0;
  {
    std::lock_guard lk(mu_);
    if (failed_) return make_error(errc::io_error, "store " + dir_ + " failed earlier");
    files.swap(unsynced_);
    if (active_dirty_) files.push_back(segments_.back().file);
    active_dirty_ = false;
    dir = dir_dirty_;
    dir_dirty_ = false;
    target = log_end_;
    gen = cut_gen_;
  }
  // No lock here: append() and read() go on while the disk flushes.
  Status st;
  for (const auto& f : files) {
    st = fdatasync_fd(f->fd(), f->path());
    if (!st.ok()) break;
  }
  if (st.ok() && dir) st = fsync_dir(dir_);
  std::lock_guard lk(mu_);
  if (!st.ok()) return fail(st.error()).error();
  ++stats_.syncs;
  // A truncate_suffix/reset during the flush may have replaced records below target with new,
  // unflushed ones; publish nothing then (the next sync covers them).
  if (gen == cut_gen_) durable_ = std::max(durable_, target);
  return durable_;
}

Status SegmentLogStore::truncate_suffix(Offset end) {
  std::lock_guard lk(mu_);
  if (failed_) return make_error(errc::io_error, "store " + dir_ + " failed earlier");
  if (end < log_start_ || end > log_end_) return make_error(errc::out_of_range, "truncate_suffix outside the log");
  if (end == log_end_) return {};
  cache_cut_from(end);  // first, so the cache never holds records the files no longer do
  const size_t idx = find_segment(end);
  auto pos = locate(segments_[idx], end, opts_.max_record_bytes);
  if (!pos.ok()) return fail(pos.error());
  // Remove later segments first: a crash part-way leaves a shorter log, never a gap.
  const bool removed = idx + 1 < segments_.size();
  for (size_t j = segments_.size(); j-- > idx + 1;) {
    if (auto s = remove_file(segments_[j].file->path()); !s.ok()) return fail(s.error());
    segments_.pop_back();
  }
  if (removed) {
    if (auto s = fsync_dir(dir_); !s.ok()) return fail(s.error());
  }
  Segment& seg = segments_.back();
  if (auto s = truncate_file(seg.file->fd(), *pos, seg.file->path()); !s.ok()) return fail(s.error());
  if (auto s = fdatasync_fd(seg.file->fd(), seg.file->path()); !s.ok()) return fail(s.error());
  seg.size = *pos;
  seg.end = end;
  seg.trim_index(end);
  while (!epochs_.empty() && epochs_.back().second >= end) epochs_.pop_back();
  log_end_ = end;
  durable_ = std::min(durable_, end);
  active_dirty_ = false;  // the fdatasync above covered the (new) active segment
  ++cut_gen_;
  return {};
}

Status SegmentLogStore::truncate_prefix(Offset start) {
  std::lock_guard lk(mu_);
  if (failed_) return make_error(errc::io_error, "store " + dir_ + " failed earlier");
  if (start < log_start_ || start > log_end_) return make_error(errc::out_of_range, "truncate_prefix outside the log");
  if (start == log_start_) return {};
  cache_cut_below(start);
  auto ep = epoch_at_locked(start.prev());
  RB_ASSERT(ep.ok());
  // The logical start is durable first; removing the files below it is then only cleanup (open()
  // finishes it if a crash interrupts).
  if (auto s = write_meta(start, *ep); !s.ok()) return fail(s.error());
  size_t drop = 0;
  while (drop + 1 < segments_.size() && segments_[drop + 1].base <= start) {
    if (auto s = remove_file(segments_[drop].file->path()); !s.ok()) return fail(s.error());
    ++drop;
  }
  segments_.erase(segments_.begin(), segments_.begin() + static_cast<std::ptrdiff_t>(drop));
  if (drop > 0) {
    if (auto s = fsync_dir(dir_); !s.ok()) return fail(s.error());
  }
  log_start_ = start;
  start_epoch_ = *ep;
  while (epochs_.size() >= 2 && epochs_[1].second <= start) epochs_.erase(epochs_.begin());
  if (log_end_ == start) {
    epochs_.clear();
  } else if (!epochs_.empty() && epochs_.front().second < start) {
    epochs_.front().second = start;
  }
  durable_ = std::max(durable_, start);
  return {};
}

Status SegmentLogStore::reset(Offset start, Epoch start_epoch) {
  std::lock_guard lk(mu_);
  if (failed_) return make_error(errc::io_error, "store " + dir_ + " failed earlier");
  // Remove every segment, then record the new start, then create the new active segment. A crash
  // in between leaves an empty log (the snapshot, saved before reset, covers what it replaced).
  tail_.clear();
  tail_bytes_ = 0;
  for (size_t j = segments_.size(); j-- > 0;) {
    if (auto s = remove_file(segments_[j].file->path()); !s.ok()) return fail(s.error());
  }
  segments_.clear();
  unsynced_.clear();
  active_dirty_ = false;
  if (auto s = fsync_dir(dir_); !s.ok()) return fail(s.error());
  if (auto s = write_meta(start, start_epoch); !s.ok()) return fail(s.error());
  if (auto s = roll(start); !s.ok()) return fail(s.error());
  if (auto s = fsync_dir(dir_); !s.ok()) return fail(s.error());
  dir_dirty_ = false;
  log_start_ = log_end_ = durable_ = start;
  start_epoch_ = start_epoch;
  epochs_.clear();
  ++cut_gen_;
  return {};
}

Status SegmentLogStore::save_hard_state(const HardState& hs) {
  if (auto s = write_file_atomic(dir_, kHardStateFile, encode_hard_state(hs)); !s.ok()) return s;
  set_file_hard_state(hs);
  return {};
}

void SegmentLogStore::set_file_hard_state(const HardState& hs) {
  const uint32_t base = hard_state_base(hs);
  std::lock_guard lk(mu_);
  hard_state_ = file_hs_ = hs;
  file_hs_base_ = base;
}

Status SegmentLogStore::save_hard_state_relaxed(const HardState& hs) {
  if (!same_but_commit(hs, file_hs_)) {
    if (auto s = write_file_atomic(dir_, kHardStateFile, encode_hard_state(hs), /*durable=*/false); !s.ok()) return s;
    set_file_hard_state(hs);
    return {};
  }
  // Only the commit moved: one small pwrite over the mark (no rename, no fsync). A process crash
  // keeps it (page cache); after a power loss it may be older or torn, and open() then falls back
  // to the commit in hard_state, which is what a relaxed save promises.
  if (!mark_file_) {
    const std::string path = join_path(dir_, kCommitMarkFile);
    auto fd = open_rw(path, /*create=*/true);
    if (!fd.ok()) return fd.error();
    mark_file_ = std::make_unique<FileHandle>(*fd, path);
  }
  const std::string mark = encode_commit_mark({file_hs_base_, hs.commit});
  if (auto s = pwrite_all(mark_file_->fd(), mark.data(), mark.size(), 0, mark_file_->path()); !s.ok()) return s;
  std::lock_guard lk(mu_);
  hard_state_ = hs;
  return {};
}

HardState SegmentLogStore::load_hard_state() const {
  std::lock_guard lk(mu_);
  return hard_state_;
}

Status SegmentLogStore::save_snapshot(const Snapshot& snap) {
  if (auto s = write_file_atomic(dir_, kSnapshotFile, encode_snapshot(snap)); !s.ok()) return s;
  std::lock_guard lk(mu_);
  snapshot_ = snap;
  return {};
}

Snapshot SegmentLogStore::load_snapshot() const {
  std::lock_guard lk(mu_);
  return snapshot_;
}

}  // namespace rb::storage
