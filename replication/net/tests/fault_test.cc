// Fault filter: cut, probabilistic drop and delay, in both directions, set directly and over
// the admin RPC.
#include "replication/net/tests/net_test_util.h"

namespace rb::net {
namespace {

using namespace testing;
using wire::Direction;
using wire::FaultRule;

struct Pair {
  asio::io_context io;
  TestNode a{io, 1};
  TestNode b{io, 2};
  Pair() {
    a.t->add_peer(NodeId(2), "127.0.0.1", b.t->port());
    EXPECT_TRUE(run_until(io, [&] { return a.t->stats(NodeId(2)).connected; }));
  }
  // Sends a marker after clearing faults and waits for it: since a link keeps order, everything
  // sent before the marker has arrived or was dropped.
  void drain() {
    a.t->faults().clear_all();
    b.t->faults().clear_all();
    a.t->send(message(1, 2, 999999));
    EXPECT_TRUE(run_until(io, [&] { return !b.got.empty() && b.got.back().context == 999999; }));
    b.got.pop_back();
  }
};

TEST(FaultFilter, OutboundCutDropsEverythingUntilCleared) {
  Pair p;
  p.a.t->faults().set(NodeId(2), Direction::outbound, FaultRule{true, 0, 0});
  for (uint64_t i = 0; i < 10; ++i) p.a.t->send(message(1, 2, i));
  p.drain();
  EXPECT_TRUE(p.b.got.empty());
  EXPECT_EQ(p.a.t->stats(NodeId(2)).dropped_outbound, 10u);
  p.a.t->send(message(1, 2, 7));
  ASSERT_TRUE(run_until(p.io, [&] { return p.b.got.size() == 1; }));
  EXPECT_EQ(p.b.got[0].context, 7u);
}

TEST(FaultFilter, InboundCutOverAdminRpc) {
  Pair p;
  TestClient admin(p.io, p.b.t->port());
  auto r = admin.admin_call(p.io, {RequestId(1), wire::SetFault{NodeId(1), Direction::inbound, FaultRule{true, 0, 0}}});
  EXPECT_EQ(r.id, RequestId(1));
  EXPECT_EQ(r.code, errc::ok);
  ASSERT_NE(p.b.t->faults().rule(NodeId(1), Direction::inbound), nullptr);

  for (uint64_t i = 0; i < 10; ++i) p.a.t->send(message(1, 2, i));
  ASSERT_TRUE(run_until(p.io, [&] { return p.b.t->stats(NodeId(1)).dropped_inbound == 10; }));
  EXPECT_TRUE(p.b.got.empty());
  EXPECT_EQ(p.b.t->stats(NodeId(1)).messages_received, 10u);  // arrived, then dropped

  r = admin.admin_call(p.io, {RequestId(2), wire::ClearFault{NodeId(1), Direction::inbound}});
  EXPECT_EQ(r.code, errc::ok);
  EXPECT_EQ(p.b.t->faults().rule(NodeId(1), Direction::inbound), nullptr);
  p.a.t->send(message(1, 2, 5));
  ASSERT_TRUE(run_until(p.io, [&] { return p.b.got.size() == 1; }));

  // A status query without a node host is answered from the transport's counters.
  r = admin.admin_call(p.io, {RequestId(3), wire::StatusQuery{}});
  ASSERT_TRUE(r.status.has_value());
  EXPECT_EQ(r.status->node, NodeId(2));
  // Invalid rules are refused with bad_input by the codec: the server closes the connection.
  admin.admin({RequestId(4), wire::SetFault{NodeId(1), Direction::inbound, FaultRule{false, 2.0, 0}}});
  ASSERT_TRUE(run_until(p.io, [&] { return admin.closed; }));
}

TEST(FaultFilter, ProbabilisticDropIsSeededAndCounted) {
  Pair p;
  SCOPED_TRACE("seed=1");
  p.a.t->faults().set(NodeId(2), Direction::outbound, FaultRule{false, 0.5, 0});
  for (uint64_t i = 0; i < 1000; ++i) p.a.t->send(message(1, 2, i));
  p.drain();
  const uint64_t dropped = p.a.t->stats(NodeId(2)).dropped_outbound;
  EXPECT_EQ(p.b.got.size() + dropped, 1000u);
  EXPECT_GT(dropped, 400u);
  EXPECT_LT(dropped, 600u);
  for (size_t i = 1; i < p.b.got.size(); ++i) EXPECT_LT(p.b.got[i - 1].context, p.b.got[i].context);

  // The same seed makes the same decisions.
  FaultFilter f1(1), f2(1);
  f1.set(NodeId(2), Direction::outbound, FaultRule{false, 0.3, 0});
  f2.set(NodeId(2), Direction::outbound, FaultRule{false, 0.3, 0});
  for (int i = 0; i < 200; ++i) {
    ASSERT_EQ(f1.decide(NodeId(2), Direction::outbound).drop, f2.decide(NodeId(2), Direction::outbound).drop);
  }
}

TEST(FaultFilter, InboundDelayHoldsMessagesAfterTheyArrive) {
  Pair p;
  p.b.t->faults().set(NodeId(1), Direction::inbound, FaultRule{false, 0, 200});
  for (uint64_t i = 0; i < 5; ++i) p.a.t->send(message(1, 2, i));
  ASSERT_TRUE(run_until(p.io, [&] { return p.b.t->stats(NodeId(1)).frames_received == 1; }));
  EXPECT_TRUE(p.b.got.empty());  // arrived, held by the timer
  EXPECT_EQ(p.b.t->stats(NodeId(1)).delayed_inbound, 5u);
  ASSERT_TRUE(run_until(p.io, [&] { return p.b.got.size() == 5; }));
  for (uint64_t i = 0; i < 5; ++i) EXPECT_EQ(p.b.got[i].context, i);
}

TEST(FaultFilter, OutboundDelayHoldsMessagesBeforeTheLink) {
  Pair p;
  p.a.t->faults().set(NodeId(2), Direction::outbound, FaultRule{false, 0, 200});
  for (uint64_t i = 0; i < 5; ++i) p.a.t->send(message(1, 2, i));
  poll(p.io);
  EXPECT_EQ(p.a.t->stats(NodeId(2)).messages_sent, 0u);
  EXPECT_EQ(p.a.t->stats(NodeId(2)).delayed_outbound, 5u);
  ASSERT_TRUE(run_until(p.io, [&] { return p.b.got.size() == 5; }));
  EXPECT_EQ(p.a.t->stats(NodeId(2)).messages_sent, 5u);
}

}  // namespace
}  // namespace rb::net
