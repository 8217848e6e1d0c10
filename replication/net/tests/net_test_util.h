#pragma once
// Helpers for loopback transport tests. Tests never sleep: they run the io_context in short
// slices until a condition holds, with a bound on the number of slices.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <vector>

#include "replication/net/transport.h"

namespace rb::net::testing {

inline constexpr uint64_t kCluster = 0xC0FFEE;

// Runs `io` in 1 ms slices until pred() holds; false after max_slices (about 10 s).
template <class Pred>
bool run_until(asio::io_context& io, Pred pred, int max_slices = 10000) {
  for (int i = 0; i < max_slices && !pred(); ++i) {
    io.restart();
    io.run_for(std::chrono::milliseconds(1));
  }
  return pred();
}

// Runs only the handlers that are ready now (no waiting for timers or sockets).
inline void poll(asio::io_context& io) {
  io.restart();
  io.poll();
}

inline TransportConfig config(uint32_t node, uint64_t seed = 1) {
  TransportConfig c;
  c.self = NodeId(node);
  c.cluster_id = kCluster;
  c.fault_seed = seed;
  return c;
}

// A transport that records what its engines would receive.
struct TestNode {
  std::vector<PeerMessage> got;
  std::unique_ptr<Transport> t;

  TestNode(asio::io_context& io, uint32_t id, uint16_t port = 0, uint64_t seed = 1,
           std::optional<PartitionId> control_from = std::nullopt) {
    TransportHandlers h;
    h.on_peer_message = [this](PeerMessage m) { got.push_back(std::move(m)); };
    TransportConfig c = config(id, seed);
    c.control_from = control_from;
    t = std::make_unique<Transport>(io, c, std::move(h));
    auto s = t->listen("127.0.0.1", port);
    EXPECT_TRUE(s.ok()) << s.error().describe();
  }
};

inline PeerMessage message(uint32_t from, uint32_t to, uint64_t context) {
  PeerMessage m;
  m.from = NodeId(from);
  m.to = NodeId(to);
  m.partition = PartitionId(0);
  m.kind = 1;
  m.context = context;
  Entry e;
  e.offset = Offset(static_cast<int64_t>(context));
  e.payload = make_payload(std::string(100, 'p'));
  m.entries.push_back(e);
  return m;
}

// A client connection collecting every frame the server sends back.
struct TestClient {
  std::shared_ptr<FrameConnection> conn;
  std::vector<std::pair<wire::FrameHeader, std::string>> frames;
  bool closed = false;

  TestClient(asio::io_context& io, uint16_t port) {
    tcp::socket s(io);
    s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    FrameConnection::Callbacks cb;
    cb.on_frame = [this](const wire::FrameHeader& h, std::string_view body) { frames.emplace_back(h, body); };
    cb.on_close = [this](const Error&) { closed = true; };
    conn = FrameConnection::make(std::move(s), wire::FrameLimits{kCluster}, std::move(cb));
    conn->start();
  }
  ~TestClient() { conn->detach(); }

  void admin(const wire::AdminRequest& r) {
    conn->send(wire::make_frame(wire::FrameKind::admin_request, kCluster, wire::encode_admin_request(r)));
  }
  // Sends `r` and runs the loop until its response arrives.
  wire::AdminResponse admin_call(asio::io_context& io, const wire::AdminRequest& r) {
    const size_t before = frames.size();
    admin(r);
    EXPECT_TRUE(run_until(io, [&] { return frames.size() > before; }));
    if (frames.size() <= before) return {};
    auto d = wire::decode_admin_response(frames.back().second);
    EXPECT_TRUE(d.ok());
    return d.ok() ? *d : wire::AdminResponse{};
  }
};

}  // namespace rb::net::testing
