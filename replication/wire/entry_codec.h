#pragma once
// Internal to rb_wire: conversions shared by the peer and client codecs. Includes generated
// protobuf headers, so only rb_wire's .cc files include it.
#include <google/protobuf/arena.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "peer.pb.h"
#include "replication/core/assert.h"
#include "replication/core/result.h"
#include "replication/log_entry.h"
#include "replication/wire/frame.h"

namespace rb::wire::detail {

void to_pb(const Entry& e, pb::Entry* out);
Result<Entry> from_pb(const pb::Entry& e);

template <class RepeatedPb>
void entries_to_pb(const Entries& es, RepeatedPb* out) {
  out->Reserve(static_cast<int>(es.size()));
  for (const auto& e : es) to_pb(e, out->Add());
}

template <class RepeatedPb>
Result<Entries> entries_from_pb(const RepeatedPb& in) {
  Entries out;
  out.reserve(in.size());
  for (const auto& e : in) {
    auto r = from_pb(e);
    if (!r.ok()) return r.error();
    out.push_back(std::move(r).value());
  }
  return out;
}

template <class RepeatedPb>
std::vector<NodeId> nodes_from_pb(const RepeatedPb& in) {
  std::vector<NodeId> out;
  out.reserve(in.size());
  for (auto n : in) out.emplace_back(n);
  return out;
}

template <class RepeatedPb>
void nodes_to_pb(const std::vector<NodeId>& in, RepeatedPb* out) {
  for (auto n : in) out->Add(n.value());
}

// Parses `body` into `msg`; bad_input naming `what` if it does not parse.
template <class Msg>
Status parse(std::string_view body, Msg* msg, const char* what) {
  if (body.size() > static_cast<size_t>(INT32_MAX) ||
      !msg->ParseFromArray(body.data(), static_cast<int>(body.size()))) {
    return make_error(errc::bad_input, std::string("cannot parse ") + what);
  }
  return {};
}

template <class Msg>
std::string serialize(const Msg& msg) {
  std::string out;
  msg.SerializeToString(&out);
  return out;
}

// `msg` as the body of a frame: the header and the message bytes written into one buffer (no
// separate body string to copy).
template <class Msg>
std::string serialize_frame(FrameKind kind, uint64_t cluster_id, const Msg& msg) {
  const size_t n = msg.ByteSizeLong();
  RB_ASSERT(n <= UINT32_MAX);
  std::string out(kFrameHeaderBytes + n, '\0');
  auto* p = reinterpret_cast<uint8_t*>(out.data());
  encode_header(FrameHeader{kind, cluster_id, static_cast<uint32_t>(n)}, p);
  msg.SerializeWithCachedSizesToArray(p + kFrameHeaderBytes);
  return out;
}

// One batch's protobuf message on its own arena: the message and everything in it (messages,
// entries) are bump-allocated and freed together instead of one heap allocation each.
template <class Pb>
class ArenaMessage {
 public:
  ArenaMessage() : arena_(options()), msg_(google::protobuf::Arena::CreateMessage<Pb>(&arena_)) {}
  ArenaMessage(const ArenaMessage&) = delete;
  ArenaMessage& operator=(const ArenaMessage&) = delete;
  Pb& get() { return *msg_; }

 private:
  static google::protobuf::ArenaOptions options() {
    google::protobuf::ArenaOptions o;
    o.start_block_size = 16 << 10;
    o.max_block_size = 1 << 20;
    return o;
  }
  google::protobuf::Arena arena_;
  Pb* msg_;
};

struct FrameTarget {
  FrameKind kind;
  uint64_t cluster_id;
};

// Builds a `Pb` on a batch arena with `build(Pb&)` and returns its bytes: the body alone, or with
// `frame` the whole frame.
template <class Pb, class Build>
std::string encode_on_arena(Build&& build, std::optional<FrameTarget> frame) {
  ArenaMessage<Pb> m;
  build(m.get());
  return frame ? serialize_frame(frame->kind, frame->cluster_id, m.get()) : serialize(m.get());
}

Result<errc> errc_from_pb(uint32_t v);

}  // namespace rb::wire::detail
