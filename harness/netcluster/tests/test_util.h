#pragma once
// Helpers for the multi-process tests: a NetCluster of rb_netnode processes and synchronous
// client calls through it. Every wait is bounded: the loop runs until a condition holds or a
// deadline passes (no sleeps).
#include <gtest/gtest.h>

#include <memory>
#include <optional>

#include "harness/netcluster/net_cluster.h"

namespace rb::netcluster::testing {

inline NetClusterOptions options(const std::string& mode, uint32_t nodes = 3) {
  NetClusterOptions o;
  o.nodes = nodes;
  o.mode = mode;
  o.binary = RB_NETNODE_BINARY;
  o.common.replicas = std::min<uint32_t>(3, nodes);
  o.common.min_insync = std::min<uint32_t>(2, nodes);
  o.request_timeout_ticks = 3000;
  return o;
}

// Sends one request to `node` and runs the loop until its answer (or timeout: nullopt).
inline std::optional<client::Response> call(NetCluster& c, NodeId node, client::Request req,
                                            std::chrono::milliseconds timeout = std::chrono::milliseconds(5000)) {
  static uint64_t next = 1000;
  const uint64_t id = ++next;
  std::visit([&](auto& r) { r.id = RequestId{id}; }, req);
  std::optional<client::Response> got;
  c.set_response_handler([&](ClientId, client::Response r) {
    std::visit(
        [&](auto& x) {
          if (x.id.value() == id) got = r;
        },
        r);
  });
  c.send(ClientId{7}, node, std::move(req));
  c.run_while_waiting([&] { return got.has_value(); }, timeout);
  c.set_response_handler({});
  return got;
}

inline Entries records(int n, uint32_t size = 100, uint64_t producer = 0, int64_t first_seq = 0) {
  Entries out;
  for (int i = 0; i < n; ++i) {
    Entry e;
    e.producer = ProducerId{producer};
    e.sequence = producer ? first_seq + i : -1;
    e.payload = make_payload(std::string(size, static_cast<char>('a' + i % 26)));
    out.push_back(e);
  }
  return out;
}

// Produces to the partition's leader, following not_leader hints; the final answer or nullopt.
inline std::optional<client::ProduceResponse> produce(
    NetCluster& c, PartitionId p, Entries recs, AckLevel acks,
    std::chrono::milliseconds timeout = std::chrono::milliseconds(8000)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  NodeId to = c.leader_of(p).value_or(NodeId{0});
  while (std::chrono::steady_clock::now() < deadline) {
    auto r = call(c, to, client::ProduceRequest{RequestId{0}, p, acks, recs}, std::chrono::milliseconds(3000));
    if (r) {
      auto pr = std::get<client::ProduceResponse>(*r);
      if (pr.code != errc::not_leader && pr.code != errc::unavailable) return pr;
      if (pr.leader_hint != kNoNode && c.is_up(pr.leader_hint)) {
        to = pr.leader_hint;
        continue;
      }
    }
    c.run_while_waiting([] { return false; }, std::chrono::milliseconds(50));
    to = c.leader_of(p).value_or(NodeId{(to.value() + 1) % static_cast<uint32_t>(c.nodes().size())});
  }
  return std::nullopt;
}

inline std::optional<client::FetchResponse> fetch(NetCluster& c, NodeId node, PartitionId p, int64_t from) {
  auto r = call(c, node, client::FetchRequest{RequestId{0}, p, Offset{from}, 1 << 20, 0});
  if (!r || !std::holds_alternative<client::FetchResponse>(*r)) return std::nullopt;
  return std::get<client::FetchResponse>(*r);
}

}  // namespace rb::netcluster::testing
