#include "replication/storage/segment.h"

#include <algorithm>
#include <cstdio>

namespace rb::storage {

void Segment::maybe_index(Offset offset, uint64_t pos) {
  if (index.empty() || pos - index.back().pos >= index_interval) index.push_back({offset, pos});
}

IndexEntry Segment::seek(Offset o) const {
  auto it = std::upper_bound(index.begin(), index.end(), o, [](Offset v, const IndexEntry& e) { return v < e.offset; });
  if (it == index.begin()) return {base, 0};
  return *std::prev(it);
}

void Segment::trim_index(Offset o) {
  while (!index.empty() && index.back().offset >= o) index.pop_back();
}

std::string segment_file_name(Offset base) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%020lld.log", static_cast<long long>(base.value()));
  return buf;
}

std::optional<Offset> parse_segment_file_name(const std::string& name) {
  if (name.size() != 24 || name.substr(20) != ".log") return std::nullopt;
  int64_t v = 0;
  for (size_t i = 0; i < 20; ++i) {
    char c = name[i];
    if (c < '0' || c > '9') return std::nullopt;
    if (v > (INT64_MAX - (c - '0')) / 10) return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return Offset{v};
}

RecordCursor::RecordCursor(const FileHandle& file, uint64_t pos, uint64_t limit, uint32_t max_body, size_t chunk_bytes)
    : file_(file), next_pos_(pos), pos_(pos), limit_(limit), max_body_(max_body), chunk_(chunk_bytes) {}

Status RecordCursor::ensure(uint64_t pos, size_t n) {
  if (pos >= buf_pos_ && pos + n <= buf_pos_ + buf_.size()) return {};
  const size_t want = static_cast<size_t>(std::min<uint64_t>(std::max(n, chunk_), limit_ - pos));
  buf_.resize(want);
  buf_pos_ = pos;
  return pread_exact(file_.fd(), buf_.data(), want, pos, file_.path());
}

Result<RecordCursor::Outcome> RecordCursor::next(bool verify_crc) {
  pos_ = next_pos_;
  if (pos_ == limit_) return Outcome::end;
  if (limit_ - pos_ < kRecordHeaderBytes) {
    detail_ = "file ends inside a record header";
    return Outcome::torn;
  }
  if (auto s = ensure(pos_, kRecordHeaderBytes); !s.ok()) return s.error();
  const char* hdr = buf_.data() + (pos_ - buf_pos_);
  auto h = decode_header(hdr, max_body_);
  if (!h.ok()) {
    detail_ = h.error().message;
    return Outcome::corrupt;
  }
  header_ = *h;
  if (limit_ - pos_ < record_bytes()) {
    detail_ = "file ends inside a record body";
    return Outcome::torn;
  }
  if (auto s = ensure(pos_, record_bytes()); !s.ok()) return s.error();
  hdr = buf_.data() + (pos_ - buf_pos_);
  if (verify_crc && !record_crc_ok(header_, hdr, hdr + kRecordHeaderBytes)) {
    detail_ = "record CRC mismatch";
    return Outcome::corrupt;
  }
  next_pos_ = pos_ + record_bytes();
  return Outcome::record;
}

Result<uint64_t> locate(const Segment& seg, Offset o, uint32_t max_body) {
  RB_ASSERT(o >= seg.base);
  RB_ASSERT(o <= seg.end);
  if (o == seg.end) return seg.size;
  const IndexEntry from = seg.seek(o);
  RecordCursor cur(*seg.file, from.pos, seg.size, max_body, 2 * seg.index_interval + kRecordHeaderBytes);
  for (;;) {
    auto r = cur.next(/*verify_crc=*/false);
    if (!r.ok()) return r.error();
    if (*r != RecordCursor::Outcome::record)
      return make_error(errc::corrupt,
                        "locate offset " + to_string(o) + " in " + seg.file->path() + ": " + cur.detail());
    if (cur.header().offset == o.value()) return cur.pos();
    if (cur.header().offset > o.value())
      return make_error(errc::corrupt, "offset " + to_string(o) + " missing from " + seg.file->path());
  }
}

}  // namespace rb::storage
