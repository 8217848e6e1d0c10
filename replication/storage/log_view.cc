#include "replication/storage/log_view.h"

#include <algorithm>

#include "replication/core/assert.h"

namespace rb {

LogView::LogView(const LogReader* store) : store_(store) { RB_ASSERT(store_ != nullptr); }

Offset LogView::store_visible_end() const {
  if (reset_) return reset_->start;
  Offset end = store_->log_end();
  if (cut_) end = std::min(end, *cut_);
  return end;
}

Offset LogView::log_start() const {
  Offset start = reset_ ? reset_->start : store_->log_start();
  if (prefix_) start = std::max(start, *prefix_);
  return start;
}

Offset LogView::log_end() const { return store_visible_end() + static_cast<int64_t>(tail_.size()); }

Epoch LogView::start_epoch() const {
  auto e = epoch_at(log_start().prev());
  return e.ok() ? *e : (reset_ ? reset_->epoch : store_->start_epoch());
}

Epoch LogView::last_epoch() const {
  if (!tail_.empty()) return tail_.back().epoch;
  if (log_end() == log_start()) return start_epoch();
  auto e = epoch_at(log_end().prev());
  RB_ASSERT(e.ok());
  return *e;
}

Result<Epoch> LogView::epoch_at(Offset o) const {
  const Offset vis = store_visible_end();
  if (o >= vis) {
    int64_t i = o - vis;
    if (i >= static_cast<int64_t>(tail_.size())) return make_error(errc::out_of_range, "epoch_at past log end");
    return tail_[static_cast<size_t>(i)].epoch;
  }
  if (reset_) {
    if (o == reset_->start.prev()) return reset_->epoch;
    return make_error(errc::compacted, "epoch_at below log start");
  }
  Offset start = log_start();
  if (o < start.prev()) return make_error(errc::compacted, "epoch_at below log start");
  return store_->epoch_at(o);
}

Result<Entries> LogView::read(Offset from, size_t max_bytes, size_t max_entries) const {
  if (from < log_start()) return make_error(errc::compacted, "read below log start " + to_string(log_start()));
  if (from > log_end()) return make_error(errc::out_of_range, "read past log end " + to_string(log_end()));
  Entries out;
  if (max_entries == 0) return out;
  const Offset vis = store_visible_end();
  size_t bytes = 0;
  if (from < vis) {
    auto r = store_->read(from, max_bytes, std::min<size_t>(max_entries, static_cast<size_t>(vis - from)));
    if (!r.ok()) return r.error();
    out = std::move(r.value());
    for (const auto& e : out) bytes += e.wire_size();
    from = from + static_cast<int64_t>(out.size());
    if (from < vis) return out;  // budget exhausted inside the store part
  }
  for (size_t i = static_cast<size_t>(from - vis); i < tail_.size(); ++i) {
    if (out.size() >= max_entries) break;
    if (!out.empty() && bytes + tail_[i].wire_size() > max_bytes) break;
    bytes += tail_[i].wire_size();
    out.push_back(tail_[i]);
  }
  return out;
}

Result<Entry> LogView::entry(Offset o) const {
  auto r = read(o, 1, 1);
  if (!r.ok()) return r.error();
  if (r->empty()) return make_error(errc::out_of_range, "no entry at " + to_string(o));
  return std::move(r->front());
}

std::pair<Epoch, Offset> LogView::end_offset_for_epoch(Epoch e) const {
  // Tail epochs are >= every stored epoch, so look in the tail first.
  const Offset vis = store_visible_end();
  for (size_t i = tail_.size(); i-- > 0;) {
    if (tail_[i].epoch <= e)
      return {tail_[i].epoch, i + 1 < tail_.size() ? vis + static_cast<int64_t>(i + 1) : log_end()};
  }
  if (reset_) {
    if (reset_->epoch <= e && reset_->epoch.value() > 0) return {reset_->epoch, reset_->start};
    return {Epoch{0}, log_start()};
  }
  auto [ep, end] = store_->end_offset_for_epoch(e);
  if (end > vis) end = vis;
  if (end < vis) return {ep, end};
  // The epoch runs to the store's visible end; it ends there unless the tail continues it (it
  // cannot: tail epochs here are all > e >= ep).
  return {ep, tail_.empty() ? log_end() : vis};
}

void LogView::append(Entries entries) {
  for (auto& e : entries) append(std::move(e));
}

void LogView::append(Entry entry) {
  RB_ASSERT_MSG(entry.offset == log_end(), "LogView::append: non-contiguous offset");
  RB_ASSERT_MSG(entry.epoch >= last_epoch(), "LogView::append: epoch went backwards");
  tail_.push_back(std::move(entry));
}

void LogView::truncate_suffix(Offset end) {
  RB_ASSERT(end >= log_start());
  RB_ASSERT(end <= log_end());
  const Offset vis = store_visible_end();
  if (end >= vis) {
    tail_.resize(static_cast<size_t>(end - vis));
    return;
  }
  tail_.clear();
  if (!reset_) cut_ = end;
}

void LogView::truncate_prefix(Offset start) {
  RB_ASSERT(start >= log_start());
  RB_ASSERT(start <= log_end());
  prefix_ = start;
}

void LogView::reset(Offset start, Epoch start_epoch) {
  reset_ = Reset{start, start_epoch};
  prefix_.reset();
  cut_.reset();
  tail_.clear();
}

bool LogView::has_writes() const { return reset_ || prefix_ || cut_ || !tail_.empty(); }

void LogView::take_writes(Ready& ready) {
  RB_ASSERT_MSG(!reset_ || ready.snapshot.has_value(), "LogView::reset needs Ready::snapshot to carry it");
  if (prefix_) ready.truncate_prefix = *prefix_;
  if (cut_) ready.truncate_suffix = *cut_;
  if (!tail_.empty()) {
    if (ready.append.empty()) {
      ready.append = std::move(tail_);
    } else {
      for (auto& e : tail_) ready.append.push_back(std::move(e));
    }
  }
  reset_.reset();
  prefix_.reset();
  cut_.reset();
  tail_.clear();
}

}  // namespace rb
