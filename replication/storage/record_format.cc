#include "replication/storage/record_format.h"

#include <cstring>

#include "replication/storage/crc32c.h"

namespace rb::storage {
namespace {

template <class T>
void put(char* p, T v) {
  std::memcpy(p, &v, sizeof(T));
}
template <class T>
T get(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

uint32_t header_crc(const char* hdr, const char* body, uint32_t body_len) {
  uint32_t c = crc32c(hdr, 4);
  c = crc32c_extend(c, hdr + 8, kRecordHeaderBytes - 8);
  return crc32c_extend(c, body, body_len);
}

// Appends little-endian values to a string; the state-file body writer.
class Writer {
 public:
  explicit Writer(std::string& out) : out_(out) {}
  template <class T>
  void num(T v) {
    char b[sizeof(T)];
    put(b, v);
    out_.append(b, sizeof(T));
  }
  void str(const std::string& s) {
    num<uint32_t>(static_cast<uint32_t>(s.size()));
    out_.append(s);
  }
  void nodes(const std::vector<NodeId>& v) {
    num<uint32_t>(static_cast<uint32_t>(v.size()));
    for (NodeId n : v) num<uint32_t>(n.value());
  }

 private:
  std::string& out_;
};

// Reads little-endian values with bounds checks; any overrun marks the reader failed.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  template <class T>
  T num() {
    if (failed_ || in_.size() - pos_ < sizeof(T)) {
      failed_ = true;
      return T{};
    }
    T v = get<T>(in_.data() + pos_);
    pos_ += sizeof(T);
    return v;
  }
  std::string str() {
    uint32_t n = num<uint32_t>();
    if (failed_ || in_.size() - pos_ < n) {
      failed_ = true;
      return {};
    }
    std::string s(in_.substr(pos_, n));
    pos_ += n;
    return s;
  }
  std::vector<NodeId> nodes() {
    uint32_t n = num<uint32_t>();
    std::vector<NodeId> v;
    if (failed_ || (in_.size() - pos_) / 4 < n) {
      failed_ = true;
      return v;
    }
    v.reserve(n);
    for (uint32_t i = 0; i < n; ++i) v.push_back(NodeId{num<uint32_t>()});
    return v;
  }
  // True when every read succeeded and the body was consumed exactly.
  bool done() const { return !failed_ && pos_ == in_.size(); }

 private:
  std::string_view in_;
  size_t pos_ = 0;
  bool failed_ = false;
};

std::string wrap_state(uint32_t magic, const std::string& body) {
  std::string out(kStateHeaderBytes, '\0');
  put<uint32_t>(out.data(), magic);
  put<uint32_t>(out.data() + 4, kStateFileVersion);
  put<uint32_t>(out.data() + 8, static_cast<uint32_t>(body.size()));
  put<uint32_t>(out.data() + 12, crc32c(body));
  out += body;
  return out;
}

Result<std::string_view> unwrap_state(std::string_view file, uint32_t magic, const char* what) {
  const std::string name(what);
  if (file.size() < kStateHeaderBytes) return make_error(errc::corrupt, name + " file too short");
  if (get<uint32_t>(file.data()) != magic) return make_error(errc::corrupt, name + " file has a bad magic");
  if (get<uint32_t>(file.data() + 4) != kStateFileVersion)
    return make_error(errc::corrupt,
                      name + " file has unknown version " + std::to_string(get<uint32_t>(file.data() + 4)));
  uint32_t len = get<uint32_t>(file.data() + 8);
  if (file.size() - kStateHeaderBytes != len) return make_error(errc::corrupt, name + " file length mismatch");
  std::string_view body = file.substr(kStateHeaderBytes);
  if (crc32c(body) != get<uint32_t>(file.data() + 12)) return make_error(errc::corrupt, name + " file CRC mismatch");
  return body;
}

}  // namespace

void encode_record(const Entry& e, std::string& out) {
  const size_t at = out.size();
  const uint32_t len = static_cast<uint32_t>(e.payload_size());
  out.resize(at + kRecordHeaderBytes + len);
  char* h = out.data() + at;
  put<uint8_t>(h + 0, kRecordMagic);
  put<uint8_t>(h + 1, static_cast<uint8_t>(e.kind));
  put<uint16_t>(h + 2, e.payload ? 0 : kFlagNullPayload);
  put<uint32_t>(h + 8, len);
  put<uint32_t>(h + 12, 0);
  put<int64_t>(h + 16, e.offset.value());
  put<uint64_t>(h + 24, e.epoch.value());
  put<uint64_t>(h + 32, e.producer.value());
  put<int64_t>(h + 40, e.sequence);
  put<int64_t>(h + 48, e.timestamp_ns);
  if (len > 0) std::memcpy(h + kRecordHeaderBytes, e.payload->data(), len);
  put<uint32_t>(h + 4, header_crc(h, h + kRecordHeaderBytes, len));
}

Result<RecordHeader> decode_header(const char* p, uint32_t max_body) {
  RecordHeader h;
  h.magic = get<uint8_t>(p);
  h.kind = get<uint8_t>(p + 1);
  h.flags = get<uint16_t>(p + 2);
  h.crc = get<uint32_t>(p + 4);
  h.body_len = get<uint32_t>(p + 8);
  h.reserved = get<uint32_t>(p + 12);
  h.offset = get<int64_t>(p + 16);
  h.epoch = get<uint64_t>(p + 24);
  h.producer = get<uint64_t>(p + 32);
  h.sequence = get<int64_t>(p + 40);
  h.timestamp_ns = get<int64_t>(p + 48);
  if (h.magic != kRecordMagic) return make_error(errc::corrupt, "record has a bad magic byte");
  if ((h.flags & ~kFlagNullPayload) != 0 || h.reserved != 0)
    return make_error(errc::corrupt, "record has unknown flag bits");
  if (h.body_len > max_body) return make_error(errc::corrupt, "record body length above the maximum");
  if ((h.flags & kFlagNullPayload) != 0 && h.body_len != 0)
    return make_error(errc::corrupt, "record without payload has a body");
  return h;
}

bool record_crc_ok(const RecordHeader& h, const char* hdr, const char* body) {
  return header_crc(hdr, body, h.body_len) == h.crc;
}

Entry to_entry(const RecordHeader& h, const char* body) {
  Entry e;
  e.offset = Offset{h.offset};
  e.epoch = Epoch{h.epoch};
  e.kind = static_cast<EntryKind>(h.kind);
  e.producer = ProducerId{h.producer};
  e.sequence = h.sequence;
  e.timestamp_ns = h.timestamp_ns;
  if ((h.flags & kFlagNullPayload) == 0) e.payload = make_payload(std::string(body, h.body_len));
  return e;
}

std::string encode_hard_state(const HardState& hs) {
  std::string body;
  Writer w(body);
  w.num<uint64_t>(hs.epoch.value());
  w.num<uint32_t>(hs.vote.value());
  w.num<int64_t>(hs.commit.value());
  w.nodes(hs.members);
  w.nodes(hs.learners);
  w.str(hs.extra);
  return wrap_state(kHardStateMagic, body);
}

Result<HardState> decode_hard_state(std::string_view file) {
  auto body = unwrap_state(file, kHardStateMagic, "hard state");
  if (!body.ok()) return body.error();
  Reader r(*body);
  HardState hs;
  hs.epoch = Epoch{r.num<uint64_t>()};
  hs.vote = NodeId{r.num<uint32_t>()};
  hs.commit = Offset{r.num<int64_t>()};
  hs.members = r.nodes();
  hs.learners = r.nodes();
  hs.extra = r.str();
  if (!r.done()) return make_error(errc::corrupt, "hard state body does not parse");
  return hs;
}

uint32_t hard_state_base(const HardState& hs) {
  HardState base = hs;
  base.commit = Offset{0};
  return crc32c(encode_hard_state(base));
}

std::string encode_commit_mark(const CommitMark& m) {
  std::string body;
  Writer w(body);
  w.num<uint32_t>(m.base);
  w.num<int64_t>(m.commit.value());
  return wrap_state(kCommitMarkMagic, body);
}

Result<CommitMark> decode_commit_mark(std::string_view file) {
  auto body = unwrap_state(file, kCommitMarkMagic, "commit mark");
  if (!body.ok()) return body.error();
  Reader r(*body);
  CommitMark m;
  m.base = r.num<uint32_t>();
  m.commit = Offset{r.num<int64_t>()};
  if (!r.done()) return make_error(errc::corrupt, "commit mark body does not parse");
  return m;
}

std::string encode_snapshot(const Snapshot& s) {
  std::string body;
  Writer w(body);
  w.num<int64_t>(s.last_included.value());
  w.num<uint64_t>(s.last_epoch.value());
  w.nodes(s.members);
  w.str(s.state);
  return wrap_state(kSnapshotMagic, body);
}

Result<Snapshot> decode_snapshot(std::string_view file) {
  auto body = unwrap_state(file, kSnapshotMagic, "snapshot");
  if (!body.ok()) return body.error();
  Reader r(*body);
  Snapshot s;
  s.last_included = Offset{r.num<int64_t>()};
  s.last_epoch = Epoch{r.num<uint64_t>()};
  s.members = r.nodes();
  s.state = r.str();
  if (!r.done()) return make_error(errc::corrupt, "snapshot body does not parse");
  return s;
}

std::string encode_log_meta(const LogMeta& m) {
  std::string body;
  Writer w(body);
  w.num<int64_t>(m.log_start.value());
  w.num<uint64_t>(m.start_epoch.value());
  return wrap_state(kLogMetaMagic, body);
}

Result<LogMeta> decode_log_meta(std::string_view file) {
  auto body = unwrap_state(file, kLogMetaMagic, "log meta");
  if (!body.ok()) return body.error();
  Reader r(*body);
  LogMeta m;
  m.log_start = Offset{r.num<int64_t>()};
  m.start_epoch = Epoch{r.num<uint64_t>()};
  if (!r.done()) return make_error(errc::corrupt, "log meta body does not parse");
  if (m.log_start.value() < 0) return make_error(errc::corrupt, "log meta has a negative log start");
  return m;
}

}  // namespace rb::storage
