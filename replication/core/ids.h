#pragma once
// Strong identifier types shared by every engine, the storage layer and the harness.
//
// NodeId, PartitionId, Offset and Epoch are distinct types so that a term can never be passed
// where an offset is expected. Offset and Epoch support the little arithmetic logs need.
#include <compare>
#include <cstdint>
#include <functional>
#include <ostream>
#include <string>

namespace rb {

template <class Tag, class Rep>
class StrongId {
 public:
  using rep = Rep;
  constexpr StrongId() = default;
  constexpr explicit StrongId(Rep v) : v_(v) {}
  constexpr Rep value() const { return v_; }
  constexpr auto operator<=>(const StrongId&) const = default;
  friend std::ostream& operator<<(std::ostream& os, StrongId id) { return os << id.v_; }
  friend std::string to_string(StrongId id) { return std::to_string(id.v_); }

 private:
  Rep v_{};
};

struct NodeIdTag {};
struct PartitionIdTag {};
struct ProducerIdTag {};
struct RequestIdTag {};

// A node (one broker process or one simulated node). Ids are small, dense, from 0.
using NodeId = StrongId<NodeIdTag, uint32_t>;
// A partition: the unit of replication.
using PartitionId = StrongId<PartitionIdTag, uint32_t>;
// An idempotent producer's id. 0 means "no producer id".
using ProducerId = StrongId<ProducerIdTag, uint64_t>;
// A client request id, unique per client connection / simulated client.
using RequestId = StrongId<RequestIdTag, uint64_t>;

inline constexpr NodeId kNoNode{UINT32_MAX};

// Position of a record in a partition log. Offsets start at 0; a log "end" is the offset the next
// record will get (exclusive), as Kafka's log end offset.
class Offset {
 public:
  constexpr Offset() = default;
  constexpr explicit Offset(int64_t v) : v_(v) {}
  constexpr int64_t value() const { return v_; }
  constexpr auto operator<=>(const Offset&) const = default;
  constexpr Offset operator+(int64_t d) const { return Offset(v_ + d); }
  constexpr Offset operator-(int64_t d) const { return Offset(v_ - d); }
  constexpr int64_t operator-(Offset o) const { return v_ - o.v_; }
  constexpr Offset& operator++() {
    ++v_;
    return *this;
  }
  constexpr Offset next() const { return Offset(v_ + 1); }
  constexpr Offset prev() const { return Offset(v_ - 1); }
  friend std::ostream& operator<<(std::ostream& os, Offset o) { return os << o.v_; }
  friend std::string to_string(Offset o) { return std::to_string(o.v_); }

 private:
  int64_t v_ = 0;
};

// A Raft term, a Kafka leader epoch, a master/slave failover epoch or a GM view number.
// Epoch 0 means "before any leader".
class Epoch {
 public:
  constexpr Epoch() = default;
  constexpr explicit Epoch(uint64_t v) : v_(v) {}
  constexpr uint64_t value() const { return v_; }
  constexpr auto operator<=>(const Epoch&) const = default;
  constexpr Epoch next() const { return Epoch(v_ + 1); }
  friend std::ostream& operator<<(std::ostream& os, Epoch e) { return os << e.v_; }
  friend std::string to_string(Epoch e) { return std::to_string(e.v_); }

 private:
  uint64_t v_ = 0;
};

}  // namespace rb

template <class Tag, class Rep>
struct std::hash<rb::StrongId<Tag, Rep>> {
  size_t operator()(rb::StrongId<Tag, Rep> id) const noexcept { return std::hash<Rep>{}(id.value()); }
};
template <>
struct std::hash<rb::Offset> {
  size_t operator()(rb::Offset o) const noexcept { return std::hash<int64_t>{}(o.value()); }
};
