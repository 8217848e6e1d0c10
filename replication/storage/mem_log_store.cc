#include "replication/storage/mem_log_store.h"

#include <algorithm>

#include "replication/core/assert.h"

namespace rb {

Result<Epoch> MemLogStore::epoch_at(Offset o) const {
  if (o == start_.prev()) return start_epoch_;
  if (o < start_) return make_error(errc::compacted, "epoch_at " + to_string(o) + " below log start");
  if (o >= log_end()) return make_error(errc::out_of_range, "epoch_at " + to_string(o) + " past log end");
  return entries_[static_cast<size_t>(o - start_)].epoch;
}

Epoch MemLogStore::last_epoch() const { return entries_.empty() ? start_epoch_ : entries_.back().epoch; }

Result<Entries> MemLogStore::read(Offset from, size_t max_bytes, size_t max_entries) const {
  if (from < start_)
    return make_error(errc::compacted, "read at " + to_string(from) + " below log start " + to_string(start_));
  if (from > log_end()) return make_error(errc::out_of_range, "read at " + to_string(from) + " past log end");
  Entries out;
  size_t bytes = 0;
  for (size_t i = static_cast<size_t>(from - start_); i < entries_.size() && out.size() < max_entries; ++i) {
    size_t sz = entries_[i].wire_size();
    if (!out.empty() && bytes + sz > max_bytes) break;
    bytes += sz;
    out.push_back(entries_[i]);
  }
  return out;
}

std::pair<Epoch, Offset> MemLogStore::end_offset_for_epoch(Epoch e) const {
  // Find the last epoch-index slot with epoch <= e.
  auto it = std::upper_bound(epochs_.begin(), epochs_.end(), e,
                             [](Epoch v, const std::pair<Epoch, Offset>& p) { return v < p.first; });
  if (it == epochs_.begin()) {
    if (start_epoch_.value() > 0 && start_epoch_ <= e)
      return {start_epoch_, epochs_.empty() ? log_end() : epochs_.front().second};
    return {Epoch{0}, start_};
  }
  auto prev = std::prev(it);
  Offset end = (it == epochs_.end()) ? log_end() : it->second;
  return {prev->first, end};
}

Status MemLogStore::append(const Entries& entries) {
  Offset expect = log_end();
  for (const auto& e : entries) {
    if (e.offset != expect) {
      return make_error(errc::bad_input,
                        "append: expected offset " + to_string(expect) + ", got " + to_string(e.offset));
    }
    if (e.epoch < last_epoch()) return make_error(errc::bad_input, "append: epoch went backwards");
    if (epochs_.empty() || epochs_.back().first != e.epoch) epochs_.emplace_back(e.epoch, e.offset);
    entries_.push_back(e);
    stats_.bytes_appended += e.payload_size();
    stats_.bytes_written += e.wire_size();
    ++stats_.records_appended;
    ++expect;
  }
  return {};
}

Status MemLogStore::truncate_suffix(Offset end) {
  if (end < start_ || end > log_end()) return make_error(errc::out_of_range, "truncate_suffix outside the log");
  entries_.resize(static_cast<size_t>(end - start_));
  while (!epochs_.empty() && epochs_.back().second >= end) epochs_.pop_back();
  durable_ = std::min(durable_, end);
  return {};
}

Status MemLogStore::truncate_prefix(Offset start) {
  if (start < start_ || start > log_end()) return make_error(errc::out_of_range, "truncate_prefix outside the log");
  if (start == start_) return {};
  start_epoch_ = entries_[static_cast<size_t>(start - start_ - 1)].epoch;
  entries_.erase(entries_.begin(), entries_.begin() + (start - start_));
  start_ = start;
  while (epochs_.size() >= 2 && epochs_[1].second <= start) epochs_.erase(epochs_.begin());
  if (entries_.empty()) {
    epochs_.clear();
  } else if (!epochs_.empty() && epochs_.front().second < start) {
    epochs_.front().second = start;
  }
  durable_ = std::max(durable_, start_);
  return {};
}

Status MemLogStore::reset(Offset start, Epoch start_epoch) {
  entries_.clear();
  epochs_.clear();
  start_ = start;
  start_epoch_ = start_epoch;
  durable_ = start;
  return {};
}

Result<Offset> MemLogStore::sync() {
  durable_ = log_end();
  ++stats_.syncs;
  return durable_;
}

void MemLogStore::mark_durable(Offset end) {
  ++stats_.syncs;
  durable_ = std::max(durable_, std::min(end, log_end()));
}

Status MemLogStore::save_hard_state(const HardState& hs) {
  hard_state_ = hs;
  durable_hard_state_ = hs;
  return {};
}

Status MemLogStore::save_hard_state_relaxed(const HardState& hs) {
  // Modelled as durable: the simulator does not bring back an older commit watermark after a
  // power loss (a real store may; engines recompute it from their peers).
  return save_hard_state(hs);
}

Status MemLogStore::save_snapshot(const Snapshot& snap) {
  snapshot_ = snap;
  return {};
}

void MemLogStore::crash() {
  RB_ASSERT(durable_ >= start_);
  RB_ASSERT(durable_ <= log_end());
  auto s = truncate_suffix(durable_);
  RB_ASSERT(s.ok());
  hard_state_ = durable_hard_state_;
}

}  // namespace rb
