// The Nemesis against the real simulator (SoloEngine: every partition has one replica that leads
// it): faults take effect in the SimCluster at their times, client traffic sees them, and
// heal_all leaves a cluster that serves again.
#include <gtest/gtest.h>

#include "harness/nemesis/nemesis.h"
#include "replication/sim/sim_cluster.h"
#include "replication/testing/solo_engine.h"

namespace rb::nemesis {
namespace {

constexpr int64_t kMs = 1'000'000;

sim::SimClusterConfig config(uint64_t seed) {
  sim::SimClusterConfig c;
  c.nodes = 3;
  c.partitions = 3;
  c.common.replicas = 1;
  c.common.min_insync = 1;
  c.seed = seed;
  return c;
}

// Sends one produce to partition 0's replica every 10 ms until `until_ns`; counts acks per 100 ms.
struct Probe {
  std::map<int64_t, int> acked_per_100ms;
  void drive(sim::SimCluster& c, int64_t until_ns) {
    c.set_response_handler([this, &c](ClientId, client::Response r) {
      if (auto* p = std::get_if<client::ProduceResponse>(&r); p && p->code == errc::ok)
        ++acked_per_100ms[c.now_ns() / (100 * kMs)];
    });
    for (int64_t t = 0, i = 0; t < until_ns; t += 10 * kMs, ++i) {
      c.schedule(t, [&c, i] {
        client::ProduceRequest req;
        req.id = RequestId{static_cast<uint64_t>(i + 1)};
        req.partition = PartitionId{0};
        Entry e;
        e.producer = ProducerId{1};
        e.sequence = i;
        e.payload = make_payload(std::string(100, 'x'));
        req.records.push_back(e);
        c.send(1, c.replicas(PartitionId{0}).front(), std::move(req));
      });
    }
  }
};

TEST(NemesisSim, KillOfTheLeaderStopsItsAcksUntilTheHeal) {
  sim::SimCluster c(config(3), testing::SoloFactory{});
  auto f = parse_fault_string("kill:leader@0.3s-0.6s");
  ASSERT_TRUE(f.ok());
  Nemesis nem(c, {*f}, 3);
  nem.start(0);
  Probe probe;
  probe.drive(c, 1000 * kMs);
  NodeId leader = c.replicas(PartitionId{0}).front();
  c.run_until(350 * kMs);
  EXPECT_FALSE(c.is_up(leader));
  EXPECT_EQ(nem.records()[0].targets, std::vector<NodeId>{leader});
  c.run_until(1200 * kMs);
  EXPECT_TRUE(c.is_up(leader));
  EXPECT_GT(probe.acked_per_100ms[1], 0);
  EXPECT_EQ(probe.acked_per_100ms[4], 0) << "killed from 0.3 s to 0.6 s";
  EXPECT_GT(probe.acked_per_100ms[8], 0) << "serving again after the restart";
  EXPECT_EQ(nem.records()[0].status, FaultStatus::healed);
}

TEST(NemesisSim, IsolatingTheLeaderFromClientsAndHealAll) {
  sim::SimCluster c(config(5), testing::SoloFactory{});
  auto f = parse_fault_string("isolate:leader:clients@0.2s");
  ASSERT_TRUE(f.ok());
  Nemesis nem(c, {*f}, 5);
  nem.start(0);
  Probe probe;
  probe.drive(c, 1000 * kMs);
  c.run_until(600 * kMs);
  EXPECT_EQ(probe.acked_per_100ms[4], 0) << "requests to the isolated leader are dropped";
  nem.heal_all();
  c.run_until(1100 * kMs);
  EXPECT_GT(probe.acked_per_100ms[8], 0);
  EXPECT_EQ(nem.records()[0].status, FaultStatus::healed_final);
  EXPECT_EQ(nem.to_json()[0]["status"], "healed_at_end");
}

TEST(NemesisSim, UnsupportedAdminIsRecordedNotFatal) {
  sim::SimCluster c(config(1), testing::SoloFactory{});
  auto f = parse_fault_string("transfer-leader:node=1@0.1s");
  ASSERT_TRUE(f.ok());
  Nemesis nem(c, {*f}, 1);
  nem.start(0);
  c.run_until(200 * kMs);
  const auto& r = nem.records()[0];
  EXPECT_TRUE(r.status == FaultStatus::error || r.status == FaultStatus::done);
  if (r.status == FaultStatus::error) {
    EXPECT_NE(r.error.find("transfer_leader to 1"), std::string::npos);
  }
}

}  // namespace
}  // namespace rb::nemesis
