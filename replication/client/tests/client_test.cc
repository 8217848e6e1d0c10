// The client library against tiny fake servers (a Listener with scripted answers, no engine).
#include "replication/client/client.h"

#include <gtest/gtest.h>

#include "replication/net/listener.h"

namespace rb::client {
namespace {

namespace asio = net::asio;
constexpr uint64_t kCluster = 5;
const PartitionId kP0(0);

template <class Pred>
bool run_until(asio::io_context& io, Pred pred, int max_slices = 10000) {
  for (int i = 0; i < max_slices && !pred(); ++i) {
    io.restart();
    io.run_for(std::chrono::milliseconds(1));
  }
  return pred();
}

struct FakeServer {
  using Handler = std::function<void(const Request&, const net::Reply&)>;
  NodeId id;
  Handler handler;
  std::vector<Request> got;
  net::Listener listener;

  FakeServer(asio::io_context& io, NodeId node, Handler h)
      : id(node),
        handler(std::move(h)),
        listener(io, "fake=" + to_string(node), wire::FrameLimits{kCluster},
                 net::ListenerHandlers{nullptr,
                                       [this](Request r, net::Reply reply) {
                                         got.push_back(r);
                                         handler(r, reply);
                                       },
                                       nullptr}) {
    EXPECT_TRUE(listener.listen("127.0.0.1", 0).ok());
  }
  Endpoint endpoint() const { return {"127.0.0.1", listener.port()}; }
  template <class T>
  std::vector<T> requests() const {
    std::vector<T> out;
    for (const auto& r : got) {
      if (auto* x = std::get_if<T>(&r)) out.push_back(*x);
    }
    return out;
  }
};

MetadataResponse metadata_for(RequestId id, std::vector<const FakeServer*> servers, NodeId leader) {
  MetadataResponse m{id, {}, {}};
  for (auto* s : servers) m.nodes.push_back(NodeInfo{s->id, "127.0.0.1", s->listener.port()});
  m.partitions.push_back(PartitionInfo{kP0, leader, Epoch(1), {NodeId(0), NodeId(1)}});
  return m;
}

ProduceResponse produce_ok(const Request& r, NodeId node, int64_t base) {
  ProduceResponse out;
  out.id = std::get<ProduceRequest>(r).id;
  out.partition = std::get<ProduceRequest>(r).partition;
  out.base_offset = Offset(base);
  out.node = node;
  return out;
}

ClientConfig config(const FakeServer& bootstrap) {
  ClientConfig c;
  c.cluster_id = kCluster;
  c.bootstrap = {bootstrap.endpoint()};
  c.request_timeout_ms = 2000;
  c.retry_backoff_ms = 1;
  return c;
}

Entries records(int n) {
  Entries es(n);
  for (auto& e : es) e.payload = make_payload("r");
  return es;
}

TEST(Client, FollowsNotLeaderRedirectAndCachesTheLeader) {
  asio::io_context io;
  FakeServer* s0p = nullptr;
  FakeServer s1(io, NodeId(1), [](const Request& r, const net::Reply& reply) {
    if (std::holds_alternative<ProduceRequest>(r)) reply.send(produce_ok(r, NodeId(1), 42));
  });
  FakeServer s0(io, NodeId(0), [&](const Request& r, const net::Reply& reply) {
    if (auto* m = std::get_if<MetadataRequest>(&r)) {
      reply.send(metadata_for(m->id, {s0p, &s1}, NodeId(0)));  // stale: says node 0 leads
    } else if (auto* p = std::get_if<ProduceRequest>(&r)) {
      ProduceResponse out;
      out.id = p->id;
      out.partition = p->partition;
      out.code = errc::not_leader;
      out.leader_hint = NodeId(1);
      reply.send(out);
    }
  });
  s0p = &s0;
  Client c(io, config(s0));
  std::vector<ProduceResponse> done;
  c.produce(kP0, records(1), AckLevel::all, [&](const ProduceResponse& r) { done.push_back(r); });
  ASSERT_TRUE(run_until(io, [&] { return done.size() == 1; }));
  EXPECT_EQ(done[0].code, errc::ok);
  EXPECT_EQ(done[0].base_offset, Offset(42));
  EXPECT_EQ(done[0].node, NodeId(1));
  EXPECT_EQ(c.stats().redirects, 1u);
  EXPECT_EQ(c.leader(kP0), NodeId(1));

  // The next produce goes straight to the cached leader.
  c.produce(kP0, records(1), AckLevel::all, [&](const ProduceResponse& r) { done.push_back(r); });
  ASSERT_TRUE(run_until(io, [&] { return done.size() == 2; }));
  EXPECT_EQ(done[1].code, errc::ok);
  EXPECT_EQ(s0.requests<ProduceRequest>().size(), 1u);
  EXPECT_EQ(s1.requests<ProduceRequest>().size(), 2u);
}

TEST(Client, RetryAfterConnectionResetKeepsProducerIdAndSequence) {
  asio::io_context io;
  FakeServer* self = nullptr;
  int produces = 0;
  FakeServer s0(io, NodeId(0), [&](const Request& r, const net::Reply& reply) {
    if (auto* m = std::get_if<MetadataRequest>(&r)) return reply.send(metadata_for(m->id, {self}, NodeId(0)));
    if (++produces == 1) return reply.close();  // reset before answering: outcome unknown to the client
    reply.send(produce_ok(r, NodeId(0), 10));
  });
  self = &s0;
  ClientConfig cfg = config(s0);
  cfg.producer = ProducerId(77);
  Client c(io, cfg);
  std::vector<ProduceResponse> done;
  c.produce(kP0, records(2), AckLevel::all, [&](const ProduceResponse& r) { done.push_back(r); });
  ASSERT_TRUE(run_until(io, [&] { return done.size() == 1; }));
  EXPECT_EQ(done[0].code, errc::ok);
  EXPECT_GE(c.stats().retries, 1u);
  EXPECT_GE(c.stats().connection_failures, 1u);

  auto sent = s0.requests<ProduceRequest>();
  ASSERT_EQ(sent.size(), 2u);
  for (const auto& p : sent) {
    ASSERT_EQ(p.records.size(), 2u);
    EXPECT_EQ(p.records[0].producer, ProducerId(77));
    EXPECT_EQ(p.records[0].sequence, 0);
    EXPECT_EQ(p.records[1].sequence, 1);
  }
  EXPECT_NE(sent[0].id, sent[1].id);  // a new attempt, the same records

  c.produce(kP0, records(1), AckLevel::all, [&](const ProduceResponse& r) { done.push_back(r); });
  ASSERT_TRUE(run_until(io, [&] { return done.size() == 2; }));
  EXPECT_EQ(s0.requests<ProduceRequest>().back().records[0].sequence, 2);
}

TEST(Client, InFlightWindowIsRespected) {
  asio::io_context io;
  FakeServer* self = nullptr;
  std::vector<std::pair<Request, net::Reply>> held;
  FakeServer s0(io, NodeId(0), [&](const Request& r, const net::Reply& reply) {
    if (auto* m = std::get_if<MetadataRequest>(&r)) return reply.send(metadata_for(m->id, {self}, NodeId(0)));
    held.emplace_back(r, reply);
  });
  self = &s0;
  ClientConfig cfg = config(s0);
  cfg.max_in_flight = 3;
  cfg.producer = ProducerId(1);
  Client c(io, cfg);
  std::vector<int64_t> completed_seq;
  for (int i = 0; i < 10; ++i) {
    c.produce(kP0, records(1), AckLevel::all, [&, i](const ProduceResponse& r) {
      EXPECT_EQ(r.code, errc::ok);
      completed_seq.push_back(i);
    });
  }
  EXPECT_EQ(c.produce_in_flight(), 3u);
  EXPECT_EQ(c.produce_queued(), 7u);
  ASSERT_TRUE(run_until(io, [&] { return held.size() == 3; }));
  run_until(
      io, [] { return false; }, 20);  // give the client a chance to overshoot
  EXPECT_EQ(held.size(), 3u);

  size_t max_held = 0;
  int64_t expect_seq = 0;
  while (completed_seq.size() < 10) {
    ASSERT_TRUE(run_until(io, [&] { return !held.empty(); }));
    max_held = std::max(max_held, held.size());
    for (auto& [req, reply] : held) {
      EXPECT_EQ(std::get<ProduceRequest>(req).records[0].sequence, expect_seq++);
      reply.send(produce_ok(req, NodeId(0), 0));
    }
    held.clear();
    ASSERT_TRUE(run_until(io, [&] { return static_cast<int64_t>(completed_seq.size()) == expect_seq; }));
  }
  EXPECT_LE(max_held, 3u);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(completed_seq[i], i);
  EXPECT_EQ(c.produce_in_flight(), 0u);
}

TEST(Client, TimeoutIsReportedOnceAndLateAnswersIgnored) {
  asio::io_context io;
  FakeServer* self = nullptr;
  std::vector<std::pair<Request, net::Reply>> held;
  FakeServer s0(io, NodeId(0), [&](const Request& r, const net::Reply& reply) {
    if (auto* m = std::get_if<MetadataRequest>(&r)) return reply.send(metadata_for(m->id, {self}, NodeId(0)));
    held.emplace_back(r, reply);  // never answered in time
  });
  self = &s0;
  ClientConfig cfg = config(s0);
  cfg.request_timeout_ms = 50;
  Client c(io, cfg);
  int calls = 0;
  errc code = errc::ok;
  c.produce(kP0, records(1), AckLevel::all, [&](const ProduceResponse& r) {
    ++calls;
    code = r.code;
  });
  ASSERT_TRUE(run_until(io, [&] { return calls == 1; }));
  EXPECT_EQ(code, errc::timeout);
  EXPECT_EQ(c.stats().timeouts, 1u);
  EXPECT_EQ(c.produce_in_flight(), 0u);
  ASSERT_EQ(held.size(), 1u);
  held[0].second.send(produce_ok(held[0].first, NodeId(0), 1));
  const size_t requests_before = c.stats().requests_sent;
  run_until(
      io, [] { return false; }, 30);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(c.stats().requests_sent, requests_before);
}

TEST(Client, UnreachableBootstrapTimesOut) {
  asio::io_context io;
  ClientConfig cfg;
  cfg.cluster_id = kCluster;
  cfg.bootstrap = {{"127.0.0.1", 1}};  // nothing listens on port 1
  cfg.request_timeout_ms = 50;
  Client c(io, cfg);
  std::optional<FetchResponse> got;
  c.fetch(kP0, Offset(0), 1024, [&](const FetchResponse& r) { got = r; });
  ASSERT_TRUE(run_until(io, [&] { return got.has_value(); }));
  EXPECT_EQ(got->code, errc::timeout);
  EXPECT_GE(c.stats().connection_failures, 1u);
}

TEST(Client, FetchOffsetsAndMetadataPassThrough) {
  asio::io_context io;
  FakeServer* self = nullptr;
  FakeServer s0(io, NodeId(0), [&](const Request& r, const net::Reply& reply) {
    std::visit(
        [&](const auto& x) {
          using T = std::decay_t<decltype(x)>;
          if constexpr (std::is_same_v<T, MetadataRequest>) {
            reply.send(metadata_for(x.id, {self}, NodeId(0)));
          } else if constexpr (std::is_same_v<T, FetchRequest>) {
            FetchResponse out{x.id, x.partition, errc::ok, Offset(9), Offset(0), records(2), NodeId(0), kNoNode};
            out.records[0].offset = x.offset;
            reply.send(out);
          } else if constexpr (std::is_same_v<T, OffsetCommitRequest>) {
            reply.send(OffsetCommitResponse{x.id, x.group == "g" ? errc::ok : errc::not_found, kNoNode});
          } else if constexpr (std::is_same_v<T, OffsetFetchRequest>) {
            reply.send(OffsetFetchResponse{x.id, errc::ok, Offset(5), kNoNode});
          }
        },
        r);
  });
  self = &s0;
  Client c(io, config(s0));
  int done = 0;
  c.metadata([&](const MetadataResponse& m) {
    ++done;
    ASSERT_EQ(m.nodes.size(), 1u);
    EXPECT_EQ(m.nodes[0].port, s0.listener.port());
  });
  c.fetch(kP0, Offset(3), 1024, [&](const FetchResponse& r) {
    ++done;
    EXPECT_EQ(r.high_watermark, Offset(9));
    ASSERT_EQ(r.records.size(), 2u);
    EXPECT_EQ(r.records[0].offset, Offset(3));
  });
  c.commit_offset("g", kP0, Offset(5), [&](const OffsetCommitResponse& r) {
    ++done;
    EXPECT_EQ(r.code, errc::ok);
  });
  c.fetch_offset("g", kP0, [&](const OffsetFetchResponse& r) {
    ++done;
    EXPECT_EQ(r.offset, Offset(5));
  });
  ASSERT_TRUE(run_until(io, [&] { return done == 4; }));
  EXPECT_EQ(s0.requests<FetchRequest>().at(0).max_wait_ms, 100u);
}

}  // namespace
}  // namespace rb::client
