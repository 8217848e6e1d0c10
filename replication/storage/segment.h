#pragma once
// One segment file of a SegmentLogStore and the sequential record reader over it.
//
// A segment holds records with consecutive offsets [base, end) packed back to back (format in
// record_format.h); its file is named by the base offset, zero-padded to 20 digits
// ("00000000000000000000.log"). The sparse index maps some record offsets to byte positions (one
// entry at least every index_interval bytes), so a read seeks to the nearest indexed record at or
// below the wanted offset and scans forward at most ~index_interval bytes.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "replication/core/ids.h"
#include "replication/core/result.h"
#include "replication/storage/file_util.h"
#include "replication/storage/record_format.h"

namespace rb::storage {

struct IndexEntry {
  Offset offset;
  uint64_t pos = 0;  // byte position of the record's header in the file
};

struct Segment {
  Offset base;                       // offset of the first record (the file name)
  Offset end;                        // one past the last record; == base when empty
  uint64_t size = 0;                 // bytes of valid records in the file
  std::shared_ptr<FileHandle> file;  // shared with an in-flight sync()
  std::vector<IndexEntry> index;     // ascending offsets; the first record is always indexed
  uint32_t index_interval = 4096;

  // Records the record at (offset, pos) in the sparse index if it is due.
  void maybe_index(Offset offset, uint64_t pos);
  // Nearest indexed record at or below o (the segment start when none is).
  IndexEntry seek(Offset o) const;
  // Drops index entries at and above o.
  void trim_index(Offset o);
};

// "00000000000000000042.log" for base 42.
std::string segment_file_name(Offset base);
// The base offset encoded in a segment file name, or nullopt when the name is not one.
std::optional<Offset> parse_segment_file_name(const std::string& name);

// Reads records one after another from a byte range of a segment file, in chunks.
class RecordCursor {
 public:
  // Reads [pos, limit) of `file`; `chunk_bytes` is the read size (bigger records are read whole).
  RecordCursor(const FileHandle& file, uint64_t pos, uint64_t limit, uint32_t max_body, size_t chunk_bytes);

  enum class Outcome { record, end, torn, corrupt };
  // Advances to the next record. `record`: header()/header_bytes()/body() describe it and pos()
  // is its start. `end`: the range is exhausted exactly. `torn`: the range ends inside a record.
  // `corrupt`: a bad header or CRC at pos(); detail() says which. An io_error is returned as such.
  // With verify_crc false the CRC is not checked (used to skip over records quickly).
  Result<Outcome> next(bool verify_crc = true);

  const RecordHeader& header() const { return header_; }
  const char* body() const { return buf_.data() + (pos_ - buf_pos_) + kRecordHeaderBytes; }
  uint64_t pos() const { return pos_; }  // start of current record
  uint64_t record_bytes() const { return kRecordHeaderBytes + header_.body_len; }
  const std::string& detail() const { return detail_; }

 private:
  Status ensure(uint64_t pos, size_t n);  // makes [pos, pos+n) available in buf_

  const FileHandle& file_;
  uint64_t next_pos_;
  uint64_t pos_;
  uint64_t limit_;
  uint32_t max_body_;
  size_t chunk_;
  std::string buf_;
  uint64_t buf_pos_ = 0;  // file position of buf_[0]
  RecordHeader header_;
  std::string detail_;
};

// Byte position of the record with offset o in `seg` (seg.size when o == seg.end).
// Precondition: seg.base <= o <= seg.end.
Result<uint64_t> locate(const Segment& seg, Offset o, uint32_t max_body);

}  // namespace rb::storage
