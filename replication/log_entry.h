#pragma once
// One record of a partition log, as engines, storage and the broker see it.
//
// Payload bytes are shared and immutable (a refcounted string), so handing an entry from the
// leader's log to N followers' messages and stores copies a pointer, not the bytes. The on-disk
// encoding is in storage/record_format.h.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "replication/core/ids.h"

namespace rb {

using Payload = std::shared_ptr<const std::string>;

inline Payload make_payload(std::string bytes) { return std::make_shared<const std::string>(std::move(bytes)); }

enum class EntryKind : uint8_t {
  data = 0,           // a producer's message; the only kind consumers see
  noop = 1,           // an engine's own marker (Raft's empty entry at the start of a term)
  config = 2,         // a membership change (engine-specific payload)
  offset_commit = 3,  // a consumer group's committed offset (payload: broker/offsets_codec.h)
};

struct Entry {
  Offset offset;  // assigned by the engine that appends it
  Epoch epoch;    // term / leader epoch / view that appended it
  EntryKind kind = EntryKind::data;
  ProducerId producer{0};    // the producing client; 0 = none
  int64_t sequence = -1;     // per (producer, partition) sequence; -1 = none
  int64_t timestamp_ns = 0;  // producer's intended send time (end-to-end latency)
  Payload payload;           // may be null (empty)

  size_t payload_size() const { return payload ? payload->size() : 0; }
  // Approximate bytes on the wire and on disk (payload plus a fixed header).
  size_t wire_size() const { return payload_size() + kEntryHeaderBytes; }
  static constexpr size_t kEntryHeaderBytes = 48;
};

using Entries = std::vector<Entry>;

inline size_t wire_size(const Entries& es) {
  size_t n = 0;
  for (const auto& e : es) n += e.wire_size();
  return n;
}

}  // namespace rb
