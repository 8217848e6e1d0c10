#pragma once
// Encoding between the C++ structs (engine.h, broker/client_protocol.h, wire/admin.h) and their
// protobuf bodies (peer.proto, client.proto, admin.proto). Frame headers are in frame.h.
//
// Every decode_* takes untrusted bytes and returns bad_input for anything that does not parse or
// holds values outside the C++ types' ranges (unknown enum values, a PeerMessage kind above
// 16 bits, an envelope with no body, a probability outside [0, 1]). Decoding never asserts.
// The protobuf types stay inside the .cc files, so users of this header do not need protoc's
// generated headers.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "replication/broker/client_protocol.h"
#include "replication/core/result.h"
#include "replication/engine.h"
#include "replication/wire/admin.h"

namespace rb::wire {

enum class HelloRole : uint8_t { peer = 1, client = 2, admin = 3 };

struct Hello {
  NodeId node;  // the sender (peers); kNoNode for clients and tools
  uint64_t cluster_id = 0;
  HelloRole role = HelloRole::peer;
  bool operator==(const Hello&) const = default;
};

std::string encode_hello(const Hello& h);
Result<Hello> decode_hello(std::string_view body);

// encode_X returns the body; encode_X_frame the whole frame (header + body, as
// make_frame(kind, cluster_id, encode_X(...)) would) built in one buffer, for the hot paths.
std::string encode_peer_batch(const std::vector<PeerMessage>& messages);
std::string encode_peer_batch_frame(uint64_t cluster_id, const std::vector<PeerMessage>& messages);
Result<std::vector<PeerMessage>> decode_peer_batch(std::string_view body);

std::string encode_client_request(const client::Request& r);
std::string encode_client_request_frame(uint64_t cluster_id, const client::Request& r);
Result<client::Request> decode_client_request(std::string_view body);
std::string encode_client_response(const client::Response& r);
std::string encode_client_response_frame(uint64_t cluster_id, const client::Response& r);
Result<client::Response> decode_client_response(std::string_view body);

std::string encode_admin_request(const AdminRequest& r);
Result<AdminRequest> decode_admin_request(std::string_view body);
std::string encode_admin_response(const AdminResponse& r);
Result<AdminResponse> decode_admin_response(std::string_view body);

// The request id of any client request / response (they all carry one).
RequestId request_id(const client::Request& r);
RequestId request_id(const client::Response& r);

}  // namespace rb::wire
