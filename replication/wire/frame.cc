#include "replication/wire/frame.h"

#include <cstring>

namespace rb::wire {
namespace {

template <class T>
void put_le(uint8_t* out, T v) {
  for (size_t i = 0; i < sizeof(T); ++i) out[i] = static_cast<uint8_t>(static_cast<uint64_t>(v) >> (8 * i));
}

template <class T>
T get_le(const uint8_t* in) {
  uint64_t v = 0;
  for (size_t i = 0; i < sizeof(T); ++i) v |= static_cast<uint64_t>(in[i]) << (8 * i);
  return static_cast<T>(v);
}

bool known_kind(uint16_t k) {
  return k >= static_cast<uint16_t>(FrameKind::hello) && k <= static_cast<uint16_t>(FrameKind::admin_response);
}

}  // namespace

std::string_view to_string(FrameKind k) {
  switch (k) {
    case FrameKind::hello:
      return "hello";
    case FrameKind::peer_batch:
      return "peer_batch";
    case FrameKind::client_request:
      return "client_request";
    case FrameKind::client_response:
      return "client_response";
    case FrameKind::admin_request:
      return "admin_request";
    case FrameKind::admin_response:
      return "admin_response";
  }
  return "unknown";
}

Status FrameLimits::validate() const {
  if (max_frame_bytes < 1024) return make_error(errc::invalid_config, "max_frame_bytes must be >= 1024");
  return {};
}

void encode_header(const FrameHeader& h, uint8_t* out) {
  put_le<uint32_t>(out, kFrameMagic);
  put_le<uint16_t>(out + 4, kWireVersion);
  put_le<uint16_t>(out + 6, static_cast<uint16_t>(h.kind));
  put_le<uint64_t>(out + 8, h.cluster_id);
  put_le<uint32_t>(out + 16, h.length);
}

Result<FrameHeader> decode_header(std::span<const uint8_t> bytes, const FrameLimits& limits) {
  if (bytes.size() < kFrameHeaderBytes) {
    return make_error(errc::bad_input, "truncated frame header (" + std::to_string(bytes.size()) + " bytes)");
  }
  const uint8_t* p = bytes.data();
  if (get_le<uint32_t>(p) != kFrameMagic) return make_error(errc::bad_input, "bad frame magic");
  const auto version = get_le<uint16_t>(p + 4);
  if (version != kWireVersion) {
    return make_error(errc::bad_input, "unsupported wire version " + std::to_string(version));
  }
  const auto kind = get_le<uint16_t>(p + 6);
  if (!known_kind(kind)) return make_error(errc::bad_input, "unknown frame kind " + std::to_string(kind));
  FrameHeader h;
  h.kind = static_cast<FrameKind>(kind);
  h.cluster_id = get_le<uint64_t>(p + 8);
  h.length = get_le<uint32_t>(p + 16);
  if (h.cluster_id != limits.cluster_id) {
    return make_error(errc::bad_input, "wrong cluster id " + std::to_string(h.cluster_id) + " (expected " +
                                           std::to_string(limits.cluster_id) + ")");
  }
  if (h.length > limits.max_frame_bytes) {
    return make_error(errc::too_large, "frame of " + std::to_string(h.length) + " bytes above the limit of " +
                                           std::to_string(limits.max_frame_bytes));
  }
  return h;
}

std::string make_frame(FrameKind kind, uint64_t cluster_id, std::string_view body) {
  RB_ASSERT(body.size() <= UINT32_MAX);
  std::string out(kFrameHeaderBytes + body.size(), '\0');
  encode_header(FrameHeader{kind, cluster_id, static_cast<uint32_t>(body.size())},
                reinterpret_cast<uint8_t*>(out.data()));
  if (!body.empty()) std::memcpy(out.data() + kFrameHeaderBytes, body.data(), body.size());
  return out;
}

Result<DecodedFrame> decode_frame(std::string_view bytes, const FrameLimits& limits) {
  auto h = decode_header({reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()}, limits);
  if (!h.ok()) return h.error();
  const size_t want = kFrameHeaderBytes + h->length;
  if (bytes.size() < want) {
    return make_error(errc::bad_input,
                      "truncated frame: " + std::to_string(bytes.size()) + " of " + std::to_string(want) + " bytes");
  }
  if (bytes.size() > want) return make_error(errc::bad_input, "trailing bytes after frame");
  return DecodedFrame{*h, bytes.substr(kFrameHeaderBytes)};
}

}  // namespace rb::wire
