#pragma once
// Knobs of the TCP client library. A plain struct with a documented default per field;
// validate() rejects nonsense with a message naming the field.
#include <cstdint>
#include <string>
#include <vector>

#include "replication/core/ids.h"
#include "replication/core/result.h"
#include "replication/wire/frame.h"

namespace rb::client {

struct Endpoint {
  std::string host;
  uint16_t port = 0;
  std::string key() const { return host + ":" + std::to_string(port); }
};

struct ClientConfig {
  uint64_t cluster_id = 0;             // must match the nodes' cluster id
  std::vector<Endpoint> bootstrap;     // where to ask for metadata first; >= 1
  ProducerId producer{0};              // idempotent producer id; 0 = records are sent as given
  uint32_t request_timeout_ms = 5000;  // per operation, retries included; then errc::timeout; >= 1
  uint32_t retry_backoff_ms = 10;      // pause before retrying after a failure without a leader hint
  uint32_t max_in_flight = 5;          // produce operations outstanding at once (the window); >= 1
  uint32_t fetch_max_wait_ms = 100;    // long-poll bound sent with every fetch
  uint32_t max_frame_bytes = wire::kDefaultMaxFrameBytes;

  Status validate() const {
    if (bootstrap.empty()) return make_error(errc::invalid_config, "bootstrap must list at least one node");
    if (request_timeout_ms < 1) return make_error(errc::invalid_config, "request_timeout_ms must be >= 1");
    if (max_in_flight < 1) return make_error(errc::invalid_config, "max_in_flight must be >= 1");
    if (max_frame_bytes < 1024) return make_error(errc::invalid_config, "max_frame_bytes must be >= 1024");
    return {};
  }
};

}  // namespace rb::client
