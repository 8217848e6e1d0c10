// Two loopback transports exchanging batches; batching per loop turn; reconnect with back-off.
#include "replication/net/tests/net_test_util.h"

namespace rb::net {
namespace {

using namespace testing;

struct Pair {
  asio::io_context io;
  TestNode a{io, 1};
  TestNode b{io, 2};
  Pair() {
    a.t->add_peer(NodeId(2), "127.0.0.1", b.t->port());
    b.t->add_peer(NodeId(1), "127.0.0.1", a.t->port());
    EXPECT_TRUE(run_until(io, [&] {
      return a.t->stats(NodeId(2)).connected && b.t->stats(NodeId(1)).connected &&
             a.t->stats(NodeId(2)).frames_sent == 1 && b.t->stats(NodeId(1)).frames_sent == 1;  // hellos written
    }));
  }
};

TEST(Transport, TwoTransportsExchangeBatchesInOrder) {
  Pair p;
  for (uint64_t i = 0; i < 100; ++i) p.a.t->send(message(1, 2, i));
  for (uint64_t i = 0; i < 50; ++i) p.b.t->send(message(2, 1, 1000 + i));
  ASSERT_TRUE(run_until(p.io, [&] { return p.b.got.size() == 100 && p.a.got.size() == 50; }));
  for (uint64_t i = 0; i < 100; ++i) {
    EXPECT_EQ(p.b.got[i].context, i);
    EXPECT_EQ(p.b.got[i].from, NodeId(1));
    ASSERT_EQ(p.b.got[i].entries.size(), 1u);
    EXPECT_EQ(*p.b.got[i].entries[0].payload, std::string(100, 'p'));
  }
  for (uint64_t i = 0; i < 50; ++i) EXPECT_EQ(p.a.got[i].context, 1000 + i);

  // Everything queued in one loop turn left as one frame (after the hello).
  const auto a_out = p.a.t->stats(NodeId(2));
  const auto b_in = p.b.t->stats(NodeId(1));
  EXPECT_EQ(a_out.frames_sent, 2u);
  EXPECT_EQ(a_out.messages_sent, 100u);
  EXPECT_EQ(b_in.frames_received, 1u);
  EXPECT_EQ(b_in.messages_received, 100u);
  // Byte counters agree on both ends: the hello frame is not a peer batch, so it is the difference.
  const uint64_t hello_bytes =
      wire::kFrameHeaderBytes + wire::encode_hello({NodeId(1), kCluster, wire::HelloRole::peer}).size();
  EXPECT_EQ(a_out.bytes_sent, b_in.bytes_received + hello_bytes);
  EXPECT_GT(b_in.bytes_received, 100u * 100u);
}

TEST(Transport, MessagesOfSeparateTurnsWhileWritingAreCoalesced) {
  Pair p;
  const uint64_t frames0 = p.a.t->stats(NodeId(2)).frames_sent;
  p.a.t->send(message(1, 2, 0));
  poll(p.io);  // flush: one frame is being written
  for (uint64_t i = 1; i < 20; ++i) p.a.t->send(message(1, 2, i));
  ASSERT_TRUE(run_until(p.io, [&] { return p.b.got.size() == 20; }));
  EXPECT_LE(p.a.t->stats(NodeId(2)).frames_sent - frames0, 2u);
}

TEST(Transport, ControlTrafficTravelsInItsOwnFramesAndIsCountedApart) {
  asio::io_context io;
  TestNode a{io, 1, 0, 1, PartitionId(100)};  // partitions >= 100 are control traffic
  TestNode b{io, 2};
  a.t->add_peer(NodeId(2), "127.0.0.1", b.t->port());
  ASSERT_TRUE(run_until(io, [&] { return a.t->stats(NodeId(2)).frames_sent == 1; }));  // the hello
  const auto before = a.t->stats(NodeId(2));
  // data, control, control, data: queued in one turn, in order, as three frames.
  for (uint32_t part : {0u, 100u, 101u, 0u}) {
    PeerMessage m = message(1, 2, part);
    m.partition = PartitionId(part);
    a.t->send(std::move(m));
  }
  ASSERT_TRUE(run_until(io, [&] { return b.got.size() == 4; }));
  EXPECT_EQ(b.got[1].partition, PartitionId(100));
  EXPECT_EQ(b.got[3].partition, PartitionId(0));
  ASSERT_TRUE(run_until(io, [&] { return a.t->stats(NodeId(2)).frames_sent == before.frames_sent + 3; }));
  const auto s = a.t->stats(NodeId(2));
  EXPECT_EQ(s.messages_sent, 4u);
  EXPECT_EQ(s.control_messages_sent, 2u);
  // Two of the three frames carry one 100-byte message each, the control frame two of them.
  const uint64_t sent = s.bytes_sent - before.bytes_sent;
  EXPECT_GT(s.control_bytes_sent, sent / 3);
  EXPECT_LT(s.control_bytes_sent, sent * 2 / 3);
  EXPECT_EQ(b.t->stats(NodeId(1)).frames_received, 3u);
}

TEST(Transport, MessagesToUnknownPeersAreCounted) {
  asio::io_context io;
  TestNode a{io, 1};
  a.t->send(message(1, 9, 0));
  EXPECT_EQ(a.t->dropped_unknown_peer(), 1u);
}

TEST(Transport, MisroutedMessagesAreDropped) {
  Pair p;
  p.a.t->send(message(1, 2, 0));
  ASSERT_TRUE(run_until(p.io, [&] { return p.b.got.size() == 1; }));
  // A raw peer connection whose batch names node 5 as the destination.
  TestClient raw(p.io, p.b.t->port());
  raw.conn->send(wire::make_frame(wire::FrameKind::hello, kCluster,
                                  wire::encode_hello({NodeId(3), kCluster, wire::HelloRole::peer})));
  raw.conn->send(wire::make_frame(wire::FrameKind::peer_batch, kCluster, wire::encode_peer_batch({message(3, 5, 9)})));
  ASSERT_TRUE(run_until(p.io, [&] { return p.b.t->dropped_misrouted() == 1; }));
  EXPECT_EQ(p.b.got.size(), 1u);
  EXPECT_EQ(p.b.t->stats(NodeId(3)).messages_received, 1u);
}

TEST(Transport, ReconnectsAfterTheListenerRestarts) {
  Pair p;
  const uint16_t port_b = p.b.t->port();
  p.a.t->send(message(1, 2, 1));
  ASSERT_TRUE(run_until(p.io, [&] { return p.b.got.size() == 1; }));

  p.b.t.reset();  // B goes away; A sees the close and starts backing off
  ASSERT_TRUE(run_until(p.io, [&] { return !p.a.t->stats(NodeId(2)).connected; }));
  for (uint64_t i = 2; i < 12; ++i) p.a.t->send(message(1, 2, i));  // queued while B is down
  // Let a few reconnect attempts fail.
  run_until(
      p.io, [] { return false; }, 30);

  TestNode b2(p.io, 2, port_b);
  ASSERT_EQ(b2.t->port(), port_b);
  ASSERT_TRUE(run_until(p.io, [&] { return b2.got.size() == 10; }));
  for (size_t i = 0; i < 10; ++i) EXPECT_EQ(b2.got[i].context, i + 2);
  EXPECT_TRUE(p.a.t->stats(NodeId(2)).connected);
}

TEST(Transport, BoundedQueueDropsOldestWhilePeerIsUnreachable) {
  asio::io_context io;
  TransportConfig c = config(1);
  c.queue_max_messages = 5;
  Transport a(io, c, {});
  // Nothing listens on port 1 of loopback: every connect is refused.
  a.add_peer(NodeId(2), "127.0.0.1", 1);
  for (uint64_t i = 0; i < 12; ++i) a.send(message(1, 2, i));
  run_until(
      io, [] { return false; }, 20);
  EXPECT_EQ(a.stats(NodeId(2)).dropped_queue_full, 7u);
  EXPECT_FALSE(a.stats(NodeId(2)).connected);
}

TEST(TransportConfig, ValidateRejectsNonsense) {
  TransportConfig c;
  EXPECT_TRUE(c.validate().ok());
  c.reconnect_max_ms = 1;
  EXPECT_EQ(c.validate().code(), errc::invalid_config);
  c = {};
  c.queue_max_messages = 0;
  EXPECT_EQ(c.validate().code(), errc::invalid_config);
  c = {};
  c.max_frame_bytes = 10;
  EXPECT_EQ(c.validate().code(), errc::invalid_config);
}

}  // namespace
}  // namespace rb::net
