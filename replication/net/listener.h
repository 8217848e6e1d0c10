#pragma once
// Accepts TCP connections and turns their frames into decoded peer batches, client requests and
// admin requests for the callbacks. Any bad input on a connection (garbage, truncated frame,
// oversize, unknown kind, wrong cluster id, undecodable body, a peer batch before the hello,
// a disconnect mid-frame) is logged as one stderr line and closes that connection only; the
// listener keeps accepting and serving everyone else.
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "replication/broker/client_protocol.h"
#include "replication/engine.h"
#include "replication/net/frame_connection.h"
#include "replication/wire/codec.h"

namespace rb::net {

// Answers a request on the connection it arrived on. Cheap to copy and safe to keep after the
// connection closed: sends are then dropped (the client times out or reconnects).
class Reply {
 public:
  Reply() = default;
  Reply(std::weak_ptr<FrameConnection> conn, uint64_t cluster_id) : conn_(std::move(conn)), cluster_id_(cluster_id) {}
  void send(const client::Response& r) const;
  void send(const wire::AdminResponse& r) const;
  void close() const;  // e.g. a fake server simulating a reset
  bool open() const;

 private:
  std::weak_ptr<FrameConnection> conn_;
  uint64_t cluster_id_ = 0;
};

struct ListenerHandlers {
  // `from` is the node id of the connection's hello; frame_bytes counts header and body.
  std::function<void(NodeId from, std::vector<PeerMessage> batch, size_t frame_bytes)> on_peer_batch;
  std::function<void(client::Request req, Reply reply)> on_client_request;
  std::function<void(wire::AdminRequest req, Reply reply)> on_admin_request;
};

class Listener {
 public:
  // `who` names this process in log lines (e.g. "node=3").
  Listener(asio::io_context& io, std::string who, wire::FrameLimits limits, ListenerHandlers handlers);
  ~Listener();
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  // Binds and starts accepting. port 0 picks a free port (see port()).
  Status listen(const std::string& host, uint16_t port);
  uint16_t port() const { return port_; }
  // Closes the acceptor and every open connection.
  void stop();

  uint64_t accepted() const { return accepted_; }
  uint64_t bad_input_closes() const { return bad_input_closes_; }
  size_t open_connections() const { return conns_.size(); }

 private:
  struct ConnState {
    std::shared_ptr<FrameConnection> conn;
    std::optional<wire::Hello> hello;
  };
  void accept_next();
  void on_frame(FrameConnection* c, const wire::FrameHeader& h, std::string_view body);
  void on_close(FrameConnection* c, const Error& why);

  asio::io_context& io_;
  std::string who_;
  wire::FrameLimits limits_;
  ListenerHandlers handlers_;
  tcp::acceptor acceptor_;
  uint16_t port_ = 0;
  std::map<FrameConnection*, ConnState> conns_;
  uint64_t accepted_ = 0;
  uint64_t bad_input_closes_ = 0;
  std::shared_ptr<char> alive_ = std::make_shared<char>();  // handlers check it after we are gone
};

}  // namespace rb::net
