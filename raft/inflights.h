#pragma once
// Inflights: the append messages a leader has sent to one follower and not yet seen acknowledged,
// as a ring of (last offset, bytes). Bounds the pipeline by count and by bytes (etcd
// tracker/inflights.go). Freed cumulatively: an ack of offset o frees every message ending <= o.
#include <cstdint>
#include <vector>

#include "replication/core/assert.h"
#include "replication/core/ids.h"

namespace rb::raft {

class Inflights {
 public:
  // max_bytes == 0: no byte limit.
  Inflights(uint32_t max_msgs, uint64_t max_bytes) : ring_(max_msgs), max_bytes_(max_bytes) { RB_ASSERT(max_msgs > 0); }

  // Records a message ending at `last`. Offsets must increase. Precondition: !full().
  void add(Offset last, uint64_t bytes) {
    RB_ASSERT(!full());
    size_t slot = (start_ + count_) % ring_.size();
    ring_[slot] = Item{last, bytes};
    ++count_;
    bytes_ += bytes;
  }
  // Frees every message whose last offset is <= o.
  void free_le(Offset o) {
    while (count_ > 0 && ring_[start_].last <= o) {
      bytes_ -= ring_[start_].bytes;
      start_ = (start_ + 1) % ring_.size();
      --count_;
    }
  }
  void reset() {
    start_ = count_ = 0;
    bytes_ = 0;
  }
  bool full() const { return count_ == ring_.size() || (max_bytes_ > 0 && bytes_ >= max_bytes_); }
  size_t count() const { return count_; }
  uint64_t bytes() const { return bytes_; }

 private:
  struct Item {
    Offset last;
    uint64_t bytes = 0;
  };
  std::vector<Item> ring_;
  uint64_t max_bytes_;
  size_t start_ = 0;
  size_t count_ = 0;
  uint64_t bytes_ = 0;
};

}  // namespace rb::raft
