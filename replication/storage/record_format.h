#pragma once
// The on-disk formats of SegmentLogStore: the single source of truth (docs/storage-format.md
// explains the same in prose). All integers are little-endian; the store only runs on
// little-endian hosts (static_assert below).
//
// RECORD (one Entry), a 56-byte header followed by the payload:
//
//   byte  size  field
//   0     1     magic        kRecordMagic (0xB1: "record format version 1"); any other value is corrupt
//   1     1     kind         EntryKind
//   2     2     flags        bit 0 = payload absent (Entry::payload == nullptr); other bits zero
//   4     4     crc          CRC32C of bytes [0,4) and [8,56) of the header, then the payload
//   8     4     body_len     payload bytes (0..max_record_bytes)
//   12    4     reserved     zero
//   16    8     offset       int64, the record's log offset
//   24    8     epoch        uint64
//   32    8     producer     uint64 ProducerId (0 = none)
//   40    8     sequence     int64 (-1 = none)
//   48    8     timestamp    int64 nanoseconds (producer's send time)
//   56    body_len  payload
//
// A record is valid when the magic matches, reserved/flag bits are zero, body_len is within the
// store's limit, the whole record fits in the file and the CRC matches. Records in a segment have
// consecutive offsets starting at the segment's base offset (its file name).
//
// STATE FILE (hard state, snapshot, log metadata), one small file replaced atomically:
//
//   byte  size  field
//   0     4     magic        kHardStateMagic / kSnapshotMagic / kLogMetaMagic
//   4     4     version      1
//   8     4     body_len
//   12    4     crc          CRC32C of the body
//   16    body_len  body
//
// Bodies (u32 count-prefixed lists, u32 length-prefixed strings):
//   hard state: u64 epoch, u32 vote, i64 commit, u32 n + n*u32 members, u32 n + n*u32 learners,
//               u32 len + bytes extra
//   snapshot:   i64 last_included, u64 last_epoch, u32 n + n*u32 members, u32 len + bytes state
//   log meta:   i64 log_start, u64 start_epoch
// A file whose size, magic, version, length or CRC does not check out, or whose body does not
// parse to exactly body_len bytes, is corrupt.
//
// COMMIT MARK (commit_mark): a state-file header (kCommitMarkMagic) and a 12-byte body, u32 base
// (hard_state_base of the hard state it advances) and i64 commit; rewritten in place, never
// renamed or synced (SegmentLogStore::save_hard_state_relaxed).
#include <bit>
#include <cstdint>
#include <string>
#include <string_view>

#include "replication/core/result.h"
#include "replication/engine.h"
#include "replication/log_entry.h"

namespace rb::storage {

static_assert(std::endian::native == std::endian::little, "record formats assume a little-endian host");

inline constexpr uint8_t kRecordMagic = 0xB1;
inline constexpr size_t kRecordHeaderBytes = 56;
inline constexpr uint16_t kFlagNullPayload = 1;

struct RecordHeader {
  uint8_t magic = 0;
  uint8_t kind = 0;
  uint16_t flags = 0;
  uint32_t crc = 0;
  uint32_t body_len = 0;
  uint32_t reserved = 0;
  int64_t offset = 0;
  uint64_t epoch = 0;
  uint64_t producer = 0;
  int64_t sequence = 0;
  int64_t timestamp_ns = 0;
};

// Bytes the record for `e` takes on disk.
inline size_t record_size(const Entry& e) { return kRecordHeaderBytes + e.payload_size(); }

// Appends the encoded record for `e` (header, CRC computed, payload) to `out`.
void encode_record(const Entry& e, std::string& out);

// Parses the fixed header at p[0, kRecordHeaderBytes). Checks only what the header alone can tell
// (magic, flags, reserved, body_len <= max_body); the CRC needs the body: see record_crc_ok.
Result<RecordHeader> decode_header(const char* p, uint32_t max_body);

// True when the CRC in `h` matches header bytes `hdr` and payload `body` (h.body_len bytes).
bool record_crc_ok(const RecordHeader& h, const char* hdr, const char* body);

// Builds the Entry for a checked record (copies the body into a fresh payload).
Entry to_entry(const RecordHeader& h, const char* body);

// ---- state files ------------------------------------------------------------------------------
inline constexpr uint32_t kHardStateMagic = 0x53484252;   // "RBHS"
inline constexpr uint32_t kSnapshotMagic = 0x4E534252;    // "RBSN"
inline constexpr uint32_t kLogMetaMagic = 0x4D4C4252;     // "RBLM"
inline constexpr uint32_t kCommitMarkMagic = 0x4D434252;  // "RBCM"
inline constexpr uint32_t kStateFileVersion = 1;
inline constexpr size_t kStateHeaderBytes = 16;

// The logical log start and the epoch of the record just before it (truncate_prefix / reset).
struct LogMeta {
  Offset log_start{0};
  Epoch start_epoch{0};
  bool operator==(const LogMeta&) const = default;
};

std::string encode_hard_state(const HardState& hs);
Result<HardState> decode_hard_state(std::string_view file);
// A newer commit watermark for the hard state whose base is `base`: everything but the commit
// unchanged since that hard state was written.
struct CommitMark {
  uint32_t base = 0;
  Offset commit{0};
  bool operator==(const CommitMark&) const = default;
};
inline constexpr size_t kCommitMarkBytes = kStateHeaderBytes + 12;
// CRC32C of the hard state's encoding with its commit set to 0: what a commit mark must match.
uint32_t hard_state_base(const HardState& hs);
std::string encode_commit_mark(const CommitMark& m);  // always kCommitMarkBytes long
Result<CommitMark> decode_commit_mark(std::string_view file);

std::string encode_snapshot(const Snapshot& s);
Result<Snapshot> decode_snapshot(std::string_view file);
std::string encode_log_meta(const LogMeta& m);
Result<LogMeta> decode_log_meta(std::string_view file);

}  // namespace rb::storage
