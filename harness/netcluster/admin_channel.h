#pragma once
// AdminChannel: blocking admin RPCs (fault filter, status, stop) from the harness to one node.
//
// It runs on its own private io_context, only inside call(), so a harness callback that issues an
// admin request (a nemesis step inside run_until) never re-enters the main event loop. Every call
// is bounded by its timeout: a paused (SIGSTOP) or dead node gives errc::unavailable / timeout
// instead of a hang. The connection is kept between calls and re-opened after a failure.
#include <chrono>
#include <memory>
#include <string>

#include "replication/net/frame_connection.h"
#include "replication/wire/admin.h"

namespace rb::netcluster {

class AdminChannel {
 public:
  AdminChannel(uint64_t cluster_id, std::string host, uint16_t port);
  ~AdminChannel();
  AdminChannel(const AdminChannel&) = delete;
  AdminChannel& operator=(const AdminChannel&) = delete;

  // Sends `body` and waits for the answer. Errors: unavailable (cannot connect, connection lost),
  // timeout (no answer in time), or the node's own error code and detail.
  Result<wire::AdminResponse> call(const wire::AdminBody& body,
                                   std::chrono::milliseconds timeout = std::chrono::milliseconds(2000));
  Result<wire::NodeStatus> status(std::chrono::milliseconds timeout = std::chrono::milliseconds(2000));
  // Drops the connection (e.g. the node was killed); the next call reconnects.
  void reset();
  void set_address(std::string host, uint16_t port);

 private:
  Status connect(std::chrono::steady_clock::time_point deadline);

  net::asio::io_context io_;
  uint64_t cluster_id_;
  std::string host_;
  uint16_t port_;
  std::shared_ptr<net::FrameConnection> conn_;
  bool closed_ = true;
  uint64_t next_id_ = 1;
  uint64_t want_id_ = 0;
  std::optional<wire::AdminResponse> answer_;
};

}  // namespace rb::netcluster
