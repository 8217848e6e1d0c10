#include "replication/broker/partition_state.h"

#include <algorithm>
#include <cstring>

#include "replication/core/byte_codec.h"

namespace rb {

std::string encode_offset_commit(const std::string& group, Offset offset) {
  std::string s;
  put_u64(s, group.size());
  s += group;
  put_u64(s, static_cast<uint64_t>(offset.value()));
  return s;
}

Result<std::pair<std::string, Offset>> decode_offset_commit(const std::string& bytes) {
  size_t pos = 0;
  uint64_t len = 0, off = 0;
  if (!get_u64(bytes, pos, len) || len > bytes.size() - pos) return make_error(errc::bad_input, "offset commit record");
  std::string group = bytes.substr(pos, len);
  pos += len;
  if (!get_u64(bytes, pos, off)) return make_error(errc::bad_input, "offset commit record");
  return std::make_pair(group, Offset(static_cast<int64_t>(off)));
}

void PartitionState::on_appended(const Entries& entries) {
  for (const auto& e : entries) {
    if (e.kind == EntryKind::offset_commit && e.payload) {
      auto d = decode_offset_commit(*e.payload);
      if (d.ok()) pending_commits_[e.offset] = *d;
      continue;
    }
    if (e.kind != EntryKind::data || e.producer.value() == 0 || e.sequence < 0) continue;
    auto& runs = producers_[e.producer.value()].runs;
    if (!runs.empty() && e.sequence == runs.back().end_sequence() &&
        e.offset == runs.back().first_offset + runs.back().length) {
      ++runs.back().length;  // the common case: the next record of the producer's current run
    } else if (runs.empty() || e.sequence >= runs.back().end_sequence()) {
      runs.push_back(SequenceRun{e.sequence, e.offset, 1});
    } else {
      // Out of order (a retry stored after later records): a run of its own where it sorts, unless
      // a run already holds the sequence (stored twice; a retry is answered with the first copy).
      auto pos = std::upper_bound(runs.begin(), runs.end(), e.sequence,
                                  [](int64_t s, const SequenceRun& r) { return s < r.first_sequence; });
      if (pos != runs.begin() && e.sequence < std::prev(pos)->end_sequence()) continue;
      runs.insert(pos, SequenceRun{e.sequence, e.offset, 1});
    }
    if (runs.size() > kRunsPerProducer) runs.pop_front();
  }
}

void PartitionState::on_log_rewritten() {
  producers_.clear();
  // Pending offset commits above the new end are gone with the tail.
  for (auto it = pending_commits_.begin(); it != pending_commits_.end();) {
    if (it->first >= log_->log_end() || it->first < log_->log_start())
      it = pending_commits_.erase(it);
    else
      ++it;
  }
  // Rebuild producer state from the retained log, at most the last window of records.
  constexpr int64_t kWindow = 1 << 16;
  Offset from = log_->log_start();
  if (log_->log_end() - from > kWindow) from = log_->log_end() - kWindow;
  while (from < log_->log_end()) {
    auto r = log_->read(from, 4 << 20, 4096);
    if (!r.ok() || r->empty()) break;
    Entries data;
    for (auto& e : *r)
      if (e.kind == EntryKind::data) data.push_back(e);
    on_appended(data);
    from = r->back().offset.next();
  }
  if (applied_ > log_->log_end()) applied_ = log_->log_end();
}

std::optional<Offset> PartitionState::find_duplicate(ProducerId producer, int64_t sequence) const {
  auto it = producers_.find(producer.value());
  if (it == producers_.end()) return std::nullopt;
  const auto& runs = it->second.runs;
  auto pos = std::upper_bound(runs.begin(), runs.end(), sequence,
                              [](int64_t s, const SequenceRun& r) { return s < r.first_sequence; });
  if (pos == runs.begin()) return std::nullopt;
  const SequenceRun& r = *std::prev(pos);
  if (sequence >= r.end_sequence()) return std::nullopt;
  return r.first_offset + (sequence - r.first_sequence);
}

void PartitionState::on_committed(Offset commit) {
  while (!pending_commits_.empty() && pending_commits_.begin()->first < commit) {
    auto& [group, value] = pending_commits_.begin()->second;
    offsets_[group] = value;
    pending_commits_.erase(pending_commits_.begin());
  }
  if (commit > applied_) applied_ = commit;
}

std::optional<Offset> PartitionState::consumer_offset(const std::string& group) const {
  auto it = offsets_.find(group);
  if (it == offsets_.end()) return std::nullopt;
  return it->second;
}

Snapshot PartitionState::snapshot_at(Offset upto) const {
  Snapshot s;
  s.last_included = upto.prev();
  auto ep = log_->epoch_at(upto.prev());
  s.last_epoch = ep.ok() ? *ep : log_->start_epoch();
  std::string st;
  put_u64(st, offsets_.size());
  for (const auto& [g, o] : offsets_) st += encode_offset_commit(g, o);
  s.state = std::move(st);
  return s;
}

Status PartitionState::install(const Snapshot& snap) {
  size_t pos = 0;
  uint64_t n = 0;
  std::map<std::string, Offset> offsets;
  if (!snap.state.empty()) {
    if (!get_u64(snap.state, pos, n)) return make_error(errc::bad_input, "snapshot state");
    for (uint64_t i = 0; i < n; ++i) {
      uint64_t len = 0, off = 0;
      if (!get_u64(snap.state, pos, len) || len > snap.state.size() - pos)
        return make_error(errc::bad_input, "snapshot state");
      std::string g = snap.state.substr(pos, len);
      pos += len;
      if (!get_u64(snap.state, pos, off)) return make_error(errc::bad_input, "snapshot state");
      offsets[g] = Offset(static_cast<int64_t>(off));
    }
  }
  offsets_ = std::move(offsets);
  pending_commits_.clear();
  producers_.clear();
  applied_ = snap.last_included.next();
  return {};
}

}  // namespace rb
