// Each kind of bad input against a live listener: the offending connection is closed and
// counted, and the listener keeps serving a good client afterwards.
#include "replication/net/tests/net_test_util.h"

namespace rb::net {
namespace {

using namespace testing;

struct BadInput {
  const char* name;
  std::string bytes;
};

std::string header(uint16_t kind, uint64_t cluster, uint32_t length) {
  std::string h(wire::kFrameHeaderBytes, '\0');
  wire::encode_header({static_cast<wire::FrameKind>(kind), cluster, length}, reinterpret_cast<uint8_t*>(h.data()));
  return h;
}

std::vector<BadInput> cases() {
  const std::string good = wire::make_frame(wire::FrameKind::admin_request, kCluster,
                                            wire::encode_admin_request({RequestId(1), wire::StatusQuery{}}));
  const std::string batch =
      wire::make_frame(wire::FrameKind::peer_batch, kCluster, wire::encode_peer_batch({message(1, 2, 0)}));
  return {
      {"garbage", std::string(64, 'Z')},
      {"truncated_header", good.substr(0, 9)},
      {"disconnect_mid_frame", batch.substr(0, batch.size() / 2)},
      {"oversize", header(2, kCluster, wire::kDefaultMaxFrameBytes + 1)},
      {"unknown_kind", header(42, kCluster, 0)},
      {"wrong_cluster_id", wire::make_frame(wire::FrameKind::admin_request, kCluster + 1, "")},
      {"undecodable_body", wire::make_frame(wire::FrameKind::client_request, kCluster, std::string(16, '\xff'))},
      {"peer_batch_before_hello", batch},
      {"response_kind_to_server", wire::make_frame(wire::FrameKind::client_response, kCluster, "")},
  };
}

TEST(BadInput, EachCaseClosesOnlyThatConnectionAndTheListenerKeepsServing) {
  asio::io_context io;
  TestNode server(io, 2);
  const uint16_t port = server.t->port();
  // A client that stays connected across all bad connections.
  TestClient steady(io, port);
  uint64_t closes = 0;
  for (const auto& c : cases()) {
    SCOPED_TRACE(c.name);
    {
      tcp::socket raw(io);
      raw.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
      asio::write(raw, asio::buffer(c.bytes));
      // Cases that are incomplete only become errors when the sender goes away.
      raw.shutdown(tcp::socket::shutdown_send);
      ASSERT_TRUE(run_until(io, [&] { return server.t->listener().bad_input_closes() == closes + 1; }));
      ++closes;
      // The server closed the connection: our read sees EOF (or a reset).
      char byte;
      boost::system::error_code ec;
      raw.read_some(asio::buffer(&byte, 1), ec);
      EXPECT_TRUE(ec) << "connection should be closed";
    }
    // A new good client is served...
    TestClient fresh(io, port);
    auto r = fresh.admin_call(io, {RequestId(7), wire::StatusQuery{}});
    EXPECT_EQ(r.id, RequestId(7));
    EXPECT_EQ(r.code, errc::ok);
    EXPECT_FALSE(fresh.closed);
  }
  // ... and so is the one that was connected all along.
  auto r = steady.admin_call(io, {RequestId(8), wire::StatusQuery{}});
  EXPECT_EQ(r.id, RequestId(8));
  ASSERT_TRUE(r.status.has_value());
  EXPECT_EQ(r.status->counters.at("net.bad_input_closes"), static_cast<int64_t>(cases().size()));
}

TEST(BadInput, CleanCloseAtFrameBoundaryIsNotBadInput) {
  asio::io_context io;
  TestNode server(io, 2);
  {
    TestClient c(io, server.t->port());
    c.admin_call(io, {RequestId(1), wire::StatusQuery{}});
  }
  ASSERT_TRUE(run_until(io, [&] { return server.t->listener().open_connections() == 0; }));
  EXPECT_EQ(server.t->listener().bad_input_closes(), 0u);
}

}  // namespace
}  // namespace rb::net
