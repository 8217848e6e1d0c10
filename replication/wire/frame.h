#pragma once
// The frame layer of every TCP connection in the net runtime (peer, client and admin traffic).
//
// A frame is a fixed 20-byte header followed by `length` bytes of protobuf body:
//
//   offset size field
//   0      4    magic       0x46574252 ("RBWF" as little-endian bytes)
//   4      2    version     kWireVersion
//   6      2    kind        FrameKind
//   8      8    cluster_id  must equal the receiver's; keeps two clusters on one host apart
//   16     4    length      body bytes; at most FrameLimits::max_frame_bytes
//
// All integers are little-endian. The header is plain bytes (not protobuf) so a reader knows the
// body length after a fixed-size read and can reject garbage, a foreign cluster or an oversize
// frame before it allocates anything. docs/wire-protocol.md describes the whole protocol.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "replication/core/result.h"

namespace rb::wire {

enum class FrameKind : uint16_t {
  hello = 1,            // Hello: first frame of a peer connection
  peer_batch = 2,       // PeerBatch: engine messages for one destination node
  client_request = 3,   // ClientRequest
  client_response = 4,  // ClientResponse
  admin_request = 5,    // AdminRequest (fault filter, status, stop)
  admin_response = 6,   // AdminResponse
};
std::string_view to_string(FrameKind k);

inline constexpr uint32_t kFrameMagic = 0x46574252;
inline constexpr uint16_t kWireVersion = 1;
inline constexpr size_t kFrameHeaderBytes = 20;
inline constexpr uint32_t kDefaultMaxFrameBytes = 16u * 1024 * 1024;

struct FrameHeader {
  FrameKind kind = FrameKind::hello;
  uint64_t cluster_id = 0;
  uint32_t length = 0;  // body bytes
};

// What a receiver accepts.
struct FrameLimits {
  uint64_t cluster_id = 0;                           // frames with another cluster id are rejected
  uint32_t max_frame_bytes = kDefaultMaxFrameBytes;  // body bytes; >= 1024
  Status validate() const;
};

// Writes the header into exactly kFrameHeaderBytes bytes at `out`.
void encode_header(const FrameHeader& h, uint8_t* out);

// Parses and checks a header. `bytes` must hold kFrameHeaderBytes bytes (fewer: bad_input,
// truncated). Errors: bad_input (bad magic, version, unknown kind, wrong cluster id), too_large
// (length above limits.max_frame_bytes).
Result<FrameHeader> decode_header(std::span<const uint8_t> bytes, const FrameLimits& limits);

// A whole frame: header + body. RB_ASSERTs that the body fits in 32 bits; callers that must
// respect a peer's limit check the size themselves.
std::string make_frame(FrameKind kind, uint64_t cluster_id, std::string_view body);

struct DecodedFrame {
  FrameHeader header;
  std::string_view body;  // points into the input
};
// Splits a buffer that holds exactly one frame (tests and one-shot tools; the transport reads
// the header and body separately). Trailing or missing bytes are bad_input.
Result<DecodedFrame> decode_frame(std::string_view bytes, const FrameLimits& limits);

}  // namespace rb::wire
