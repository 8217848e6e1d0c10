#pragma once
// Shared helpers for the master/slave tests: an EngineCluster over a MasterSlaveFactory with
// small tick values, and readers for logs and completions.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "masterslave/factory.h"
#include "masterslave/messages.h"
#include "replication/testing/engine_cluster.h"

namespace rb::masterslave::test {

inline const NodeId N0{0};
inline const NodeId N1{1};
inline const NodeId N2{2};

// Small timers so scenarios run in few ticks: heartbeat 5, housekeeping 20, watchdog 50,
// sync timeout 100.
inline MasterSlaveConfig small_config(Replication rep = Replication::sync, Failover fo = Failover::manual,
                                      SyncAcks sa = SyncAcks::one) {
  MasterSlaveConfig c;
  c.replication = rep;
  c.failover = fo;
  c.sync_acks = sa;
  c.heartbeat_ticks = 5;
  c.housekeeping_ticks = 20;
  c.watchdog_timeout_ticks = 50;
  c.sync_timeout_ticks = 100;
  return c;
}

inline ReplicationConfig common_config(AckLevel acks = AckLevel::all, uint32_t replicas = 3) {
  ReplicationConfig c;
  c.replicas = replicas;
  c.acks = acks;
  c.min_insync = 1;
  return c;
}

struct Harness {
  explicit Harness(MasterSlaveConfig cfg, ReplicationConfig common = common_config(), int nodes = 3, uint64_t seed = 1)
      : factory(make_factory(cfg)) {
    std::vector<NodeId> ids;
    for (int i = 0; i < nodes; ++i) ids.push_back(NodeId{static_cast<uint32_t>(i)});
    common.replicas = static_cast<uint32_t>(nodes);
    cluster = std::make_unique<testing::EngineCluster>(*factory, ids, common, seed);
    cluster->deliver_all();  // handshakes
  }

  testing::EngineCluster& c() { return *cluster; }

  // Proposes `count` records of one request at node n and delivers everything.
  void write(NodeId n, uint64_t id, int count = 1, AckLevel ack = AckLevel::all) {
    propose(n, id, count, ack);
    cluster->deliver_all();
  }
  // Proposes without delivering; remembers how many records request `id` holds.
  void propose(NodeId n, uint64_t id, int count = 1, AckLevel ack = AckLevel::all) {
    counts[id] = count;
    cluster->propose(n, testing::EngineCluster::make_proposal(id, count, 16, ack));
  }
  // Producer sequences of the records of request `id` (make_proposal: id * 1000 + i).
  std::vector<int64_t> sequences_of(uint64_t id) const {
    std::vector<int64_t> out;
    auto it = counts.find(id);
    if (it == counts.end()) return out;
    for (int i = 0; i < it->second; ++i) out.push_back(static_cast<int64_t>(id * 1000 + i));
    return out;
  }

  // The completion of request `id` at node n, if any.
  const Completion* completion(NodeId n, uint64_t id) {
    for (const auto& c : cluster->completions(n))
      if (c.id == RequestId{id}) return &c;
    return nullptr;
  }

  // Entries of node n's stored log.
  Entries log(NodeId n) {
    auto& st = cluster->store(n);
    auto r = st.read(st.log_start(), SIZE_MAX, SIZE_MAX);
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : Entries{};
  }

  // (producer sequence) of each record of node n's log, to compare logs by content.
  std::vector<int64_t> sequences(NodeId n) {
    std::vector<int64_t> out;
    for (const auto& e : log(n)) out.push_back(e.sequence);
    return out;
  }

  int64_t counter(NodeId n, const std::string& name) {
    auto s = cluster->engine(n).status();
    auto it = s.counters.find(name);
    return it == s.counters.end() ? 0 : it->second;
  }

  size_t count_events(NodeId n, Event::Kind k) {
    size_t k_count = 0;
    for (const auto& e : cluster->events(n)) k_count += e.kind == k;
    return k_count;
  }

  Status promote(NodeId n) { return cluster->admin(n, AdminCommand{.kind = AdminCommand::Kind::promote}); }

  std::map<uint64_t, int> counts;  // records per request id
  std::unique_ptr<EngineFactory> factory;
  std::unique_ptr<testing::EngineCluster> cluster;
};

}  // namespace rb::masterslave::test
