// Bad input sent to a live node process (the list): garbage, a truncated frame, an
// oversize frame, an unknown message type, a wrong cluster id, an undecodable body, a peer batch
// without a hello, and a client disconnecting mid-request. After each the node must keep serving
// (status answers, produce succeeds) and, at the end, its stored data must be intact.
#include <gtest/gtest.h>
#include <signal.h>

#include "harness/netcluster/tests/test_util.h"
#include "replication/wire/codec.h"

namespace rb::netcluster {
namespace {

using namespace testing;
namespace asio = net::asio;

// Writes raw bytes on a fresh connection and waits (bounded) until the node closes it, or just
// closes it ourselves when `hang_up` (a client that disappears).
bool send_raw(const netrun::ClusterNode& n, const std::string& bytes, bool hang_up) {
  asio::io_context io;
  net::tcp::socket s(io);
  boost::system::error_code ec;
  s.connect(net::tcp::endpoint(asio::ip::make_address(n.host), n.port), ec);
  if (ec) return false;
  asio::write(s, asio::buffer(bytes), ec);
  if (hang_up) return true;
  // The node closes on bad input: a read then returns EOF (or a reset). Bounded by a timer.
  char buf[256];
  bool closed = false;
  s.async_read_some(asio::buffer(buf),
                    [&](const boost::system::error_code& e, size_t) { closed = static_cast<bool>(e); });
  io.run_for(std::chrono::seconds(5));
  return closed;
}

TEST(LiveNode, BadInputIsLoggedAndClosesOnlyThatConnection) {
  auto o = options("raft", 1);
  NetCluster c(o);
  ASSERT_TRUE(c.start().ok());
  const auto node = c.cluster_file().nodes[0];
  const uint64_t cid = c.cluster_file().cluster_id;
  ASSERT_EQ(produce(c, PartitionId{0}, records(3), AckLevel::all)->code, errc::ok);

  std::string oversize = wire::make_frame(wire::FrameKind::client_request, cid, "");
  oversize[16] = oversize[17] = oversize[18] = oversize[19] = '\xff';  // 4 GiB
  std::string unknown_kind = wire::make_frame(wire::FrameKind::client_request, cid, "");
  unknown_kind[6] = '\x42';
  std::string truncated = wire::make_frame(
      wire::FrameKind::client_request, cid,
      wire::encode_client_request(client::ProduceRequest{RequestId{1}, PartitionId{0}, AckLevel::all, records(2)}));
  std::string mid_request = truncated.substr(0, truncated.size() / 2);
  struct Case {
    const char* name;
    std::string bytes;
    bool hang_up;
  };
  std::vector<Case> cases = {
      {"garbage", std::string(100, '\x5a'), false},
      {"oversize frame", oversize, false},
      {"unknown message type", unknown_kind, false},
      {"wrong cluster id", wire::make_frame(wire::FrameKind::client_request, cid + 1, "x"), false},
      {"undecodable body", wire::make_frame(wire::FrameKind::client_request, cid, "\x0a\xff\xff\xff\x0f"), false},
      {"peer batch without hello", wire::make_frame(wire::FrameKind::peer_batch, cid, ""), false},
      {"client disconnecting mid-request", mid_request, true},
      {"truncated frame then hang up", truncated.substr(0, 25), true},
  };
  for (const auto& k : cases) {
    SCOPED_TRACE(k.name);
    EXPECT_TRUE(send_raw(node, k.bytes, k.hang_up));
    auto st = c.status(NodeId{0});
    ASSERT_TRUE(st.ok()) << st.error().describe();
    auto p = produce(c, PartitionId{0}, records(1), AckLevel::all);
    ASSERT_TRUE(p.has_value());
    EXPECT_EQ(p->code, errc::ok);
  }
  auto st = c.status(NodeId{0});
  ASSERT_TRUE(st.ok());
  EXPECT_GE(st->counters.at("net.bad_input_closes"), 6);
  auto f = fetch(c, NodeId{0}, PartitionId{0}, 0);
  ASSERT_TRUE(f.has_value());
  const size_t expect = 3 + cases.size();
  EXPECT_EQ(f->records.size(), expect);
  // The stored data: the dump reads the data dir after a clean stop.
  auto logs = c.dump_logs();
  ASSERT_EQ(logs.size(), 1u);
  size_t data = 0;
  for (const auto& e : logs[0].entries) data += e.kind == EntryKind::data;
  EXPECT_EQ(data, expect);
}

TEST(LiveNode, RestartAfterSigkillRecoversFromTheDataDir) {
  auto o = options("raft", 1);
  NetCluster c(o);
  ASSERT_TRUE(c.start().ok());
  ASSERT_EQ(produce(c, PartitionId{0}, records(5), AckLevel::all)->code, errc::ok);
  ASSERT_TRUE(c.kill(NodeId{0}, false).ok());
  EXPECT_FALSE(c.is_up(NodeId{0}));
  ASSERT_TRUE(c.restart(NodeId{0}).ok());
  auto st = c.status(NodeId{0});
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->counters.at("node.broker_epoch"), 2);
  auto p = produce(c, PartitionId{0}, records(1), AckLevel::all);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->code, errc::ok);
  auto f = fetch(c, NodeId{0}, PartitionId{0}, 0);
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->records.size(), 6u);
}

TEST(LiveNode, UnsupportedFaultsSaySo) {
  auto o = options("raft", 1);
  NetCluster c(o);
  ASSERT_TRUE(c.start().ok());
  EXPECT_EQ(c.set_disk_slowdown(NodeId{0}, 3.0).code(), errc::unsupported);
  EXPECT_EQ(c.admin(NodeId{0}, PartitionId{0}, AdminCommand{}).code(), errc::unsupported);
  EXPECT_EQ(c.describe().at("runtime"), "net");
}

}  // namespace
}  // namespace rb::netcluster
