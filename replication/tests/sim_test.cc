// The simulator: determinism (same seed, same trace), disk and crash semantics, CPU saturation.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "replication/sim/shared_disk.h"
#include "replication/sim/sim_cluster.h"
#include "replication/testing/solo_engine.h"

namespace rb::sim {
namespace {

SimClusterConfig small_config(uint64_t seed) {
  SimClusterConfig c;
  c.nodes = 3;
  c.partitions = 3;
  c.common.replicas = 1;
  c.common.min_insync = 1;
  c.seed = seed;
  return c;
}

struct RunOutcome {
  uint64_t hash;
  int acked;
  int64_t last_ack_ns;
};

// Sends `n` produce requests, one per 100 us, round-robin over the partitions' leaders.
RunOutcome drive(SimCluster& c, int n) {
  int acked = 0;
  int64_t last = 0;
  c.set_response_handler([&](ClientId, client::Response r) {
    if (auto* p = std::get_if<client::ProduceResponse>(&r); p && p->code == errc::ok) {
      ++acked;
      last = c.now_ns();
    }
  });
  for (int i = 0; i < n; ++i) {
    c.schedule(i * 100'000, [&c, i] {
      client::ProduceRequest req;
      req.id = RequestId{static_cast<uint64_t>(i)};
      req.partition = PartitionId{static_cast<uint32_t>(i % 3)};
      Entry e;
      e.producer = ProducerId{1};
      e.sequence = i;
      e.payload = make_payload(std::string(100, 'x'));
      req.records.push_back(e);
      c.send(1, c.replicas(req.partition).front(), std::move(req));
    });
  }
  c.run_until(2'000'000'000);
  return RunOutcome{c.trace_hash(), acked, last};
}

TEST(SimDeterminism, SameSeedGivesTheSameTraceHash) {
  SimCluster a(small_config(42), testing::SoloFactory{});
  SimCluster b(small_config(42), testing::SoloFactory{});
  RunOutcome ra = drive(a, 500), rb2 = drive(b, 500);
  EXPECT_EQ(ra.hash, rb2.hash);
  EXPECT_EQ(ra.acked, 500);
  EXPECT_EQ(ra.last_ack_ns, rb2.last_ack_ns);
}

TEST(SimDeterminism, DifferentSeedGivesADifferentTrace) {
  SimCluster a(small_config(42), testing::SoloFactory{});
  SimCluster b(small_config(43), testing::SoloFactory{});
  EXPECT_NE(drive(a, 500).hash, drive(b, 500).hash);
}

TEST(SimDisk, PowerLossDropsWhatWasNotSynced) {
  auto cfg = small_config(1);
  cfg.common.fsync = FsyncPolicy{FsyncMode::never, 0};
  SimCluster c(cfg, testing::SoloFactory{});
  drive(c, 30);
  EXPECT_EQ(c.store(NodeId{0}, PartitionId{0}).log_end(), Offset{10});
  ASSERT_TRUE(c.kill(NodeId{0}, /*lose_unsynced=*/true).ok());
  EXPECT_EQ(c.store(NodeId{0}, PartitionId{0}).log_end(), Offset{0});
}

TEST(SimDisk, ProcessKillKeepsWrittenRecords) {
  auto cfg = small_config(1);
  cfg.common.fsync = FsyncPolicy{FsyncMode::never, 0};
  SimCluster c(cfg, testing::SoloFactory{});
  drive(c, 30);
  ASSERT_TRUE(c.kill(NodeId{0}, /*lose_unsynced=*/false).ok());
  EXPECT_EQ(c.store(NodeId{0}, PartitionId{0}).log_end(), Offset{10});
  ASSERT_TRUE(c.restart(NodeId{0}).ok());
  EXPECT_EQ(c.host(NodeId{0})->commit(PartitionId{0}), Offset{10});
}

TEST(SimDisk, FsyncAlwaysMakesAcknowledgedRecordsSurvivePowerLoss) {
  SimCluster c(small_config(1), testing::SoloFactory{});
  RunOutcome r = drive(c, 30);
  EXPECT_EQ(r.acked, 30);
  ASSERT_TRUE(c.kill(NodeId{0}, /*lose_unsynced=*/true).ok());
  EXPECT_EQ(c.store(NodeId{0}, PartitionId{0}).log_end(), Offset{10});
}

TEST(SimDisk, FsyncLatencyShowsInAckTime) {
  auto slow = small_config(1);
  slow.sim.disk.fsync_ns = 20'000'000;
  slow.sim.disk.fsync_jitter_ns = 0;
  SimCluster c(slow, testing::SoloFactory{});
  RunOutcome r = drive(c, 1);
  EXPECT_EQ(r.acked, 1);
  EXPECT_GE(r.last_ack_ns, 20'000'000);
}

TEST(SimDisk, AMeasuredFsyncDistributionIsInterpolated) {
  DiskModel d;
  d.fsync_quantiles_ns = {100, 200, 1000};  // min, median, max
  EXPECT_TRUE(d.validate().ok());
  EXPECT_EQ(d.fsync_at(0.0), 100);
  EXPECT_EQ(d.fsync_at(0.25), 150);
  EXPECT_EQ(d.fsync_at(0.5), 200);
  EXPECT_EQ(d.fsync_at(0.75), 600);
  EXPECT_EQ(d.fsync_at(1.0), 1000);
  d.fsync_quantiles_ns = {200, 100};
  EXPECT_FALSE(d.validate().ok());
  DiskModel plain;  // no distribution: the latency plus a share of the jitter
  plain.fsync_ns = 1000;
  plain.fsync_jitter_ns = 100;
  EXPECT_EQ(plain.fsync_at(0.5), 1050);
}

TEST(SimDisk, SyncsFollowTheMeasuredDistribution) {
  // Half the syncs take 1 ms, the other half 1-41 ms: one request per node, each node syncing on
  // its own disk, so each ack time is about one sync. Over many seeds both halves show.
  int fast = 0, slow = 0;
  for (uint64_t seed = 1; seed <= 40; ++seed) {
    auto cfg = small_config(seed);
    cfg.sim.disk.fsync_quantiles_ns = {1'000'000, 1'000'000, 41'000'000};
    SimCluster c(cfg, testing::SoloFactory{});
    RunOutcome r = drive(c, 1);
    ASSERT_EQ(r.acked, 1) << "seed " << seed;
    EXPECT_GE(r.last_ack_ns, 1'000'000) << "seed " << seed;
    EXPECT_LT(r.last_ack_ns, 42'000'000) << "seed " << seed;
    (r.last_ack_ns < 2'000'000 ? fast : slow) += 1;
  }
  EXPECT_GE(fast, 8);
  EXPECT_GE(slow, 8);
}

TEST(SimNetwork, CutLinkDropsClientTraffic) {
  SimCluster c(small_config(1), testing::SoloFactory{});
  // Clients reach nodes over their own endpoint; cutting node 0 from it loses requests to node 0.
  ASSERT_TRUE(c.set_link(NodeId{UINT32_MAX - 1}, NodeId{0}, LinkFault{true, 0, 0}).ok());
  RunOutcome r = drive(c, 30);
  EXPECT_EQ(r.acked, 20);
}

TEST(SimCpu, ACostlyCpuSaturatesThroughput) {
  auto cfg = small_config(1);
  cfg.sim.cpu.per_message_ns = 1'000'000;  // 1 ms per request: at most 1000/s per node
  SimCluster c(cfg, testing::SoloFactory{});
  RunOutcome r = drive(c, 3000);  // 10,000/s offered over 3 nodes for 0.3 s
  EXPECT_EQ(r.acked, 3000);
  // 1000 requests per node at 1 ms each cannot finish before 1 s of virtual time.
  EXPECT_GE(r.last_ack_ns, 999'000'000);
}

TEST(SimCpu, NodesSharingOneCoreQueueBehindEachOther) {
  // The same load as above: with a core per node it ends near 1 s; with one core shared by the
  // three nodes, their 3000 requests of 1 ms each need 3 s of that core.
  auto cfg = small_config(1);
  cfg.sim.cpu.per_message_ns = 1'000'000;
  cfg.sim.cpu.shared_cores = 1;
  SimCluster c(cfg, testing::SoloFactory{});
  RunOutcome r = drive(c, 3000);
  // 2 s of virtual time hold at most 2000 requests of the shared core (less the replies in flight).
  EXPECT_LE(r.acked, 2000);
  EXPECT_GE(r.acked, 1950);
  auto two = small_config(1);
  two.sim.cpu.per_message_ns = 1'000'000;
  two.sim.cpu.shared_cores = 2;
  SimCluster c2(two, testing::SoloFactory{});
  RunOutcome r2 = drive(c2, 3000);
  EXPECT_EQ(r2.acked, 3000);
  EXPECT_GE(r2.last_ack_ns, 1'499'000'000) << "two cores: 3 s of work takes at least 1.5 s";
}

TEST(SimCpu, WorkTakesTheCoreThatLeavesEarlierWorkRoomToRun) {
  CorePool pool(2);
  EXPECT_EQ(pool.reserve(0, 100), 0);  // core A busy until 100; core B idle since 0
  // Ready at 500: both cores are free by then; it takes A (free since 100), not B (since 0)...
  EXPECT_EQ(pool.reserve(500, 10), 500);
  // ...so work ready at 50 finds B idle and starts at once. Taking the earliest-free core above
  // would have left only A, busy until 100, and this would wait.
  EXPECT_EQ(pool.reserve(50, 20), 50);
  // Zero-cost work starts when ready and takes no core: B is still free at 70.
  EXPECT_EQ(pool.reserve(60, 0), 60);
  EXPECT_EQ(pool.reserve(70, 5), 70);
  // With both cores busy (A until 510, B until 75), work waits for the one that frees first.
  EXPECT_EQ(pool.reserve(72, 1), 75);
}

TEST(SimCpu, WithoutCoresWorkStartsWhenReady) {
  CorePool none(0);
  EXPECT_TRUE(none.empty());
  EXPECT_EQ(none.reserve(40, 1'000), 40);
  EXPECT_EQ(none.reserve(40, 1'000), 40);
}

TEST(SimCpu, ProducesQueuedBehindABusyNodeAreAppliedTogether) {
  // As on the net node, which reads every waiting request before it applies their produces as one
  // batch: five requests that reach a node at once, each costing 1 ms of its CPU, are appended and
  // answered together once the last of them was read, not one by one as each is read.
  auto cfg = small_config(1);
  cfg.nodes = 1;
  cfg.partitions = 1;
  cfg.common.fsync = FsyncPolicy{FsyncMode::never, 0};
  cfg.sim.cpu.per_message_ns = 1'000'000;
  SimCluster c(cfg, testing::SoloFactory{});
  std::vector<int64_t> acked_at;
  c.set_response_handler([&](ClientId, client::Response r) {
    auto* p = std::get_if<client::ProduceResponse>(&r);
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(p->code, errc::ok);
    acked_at.push_back(c.now_ns());
  });
  c.schedule(0, [&c] {
    for (uint64_t i = 0; i < 5; ++i) {
      client::ProduceRequest req;
      req.id = RequestId{i};
      req.partition = PartitionId{0};
      Entry e;
      e.producer = ProducerId{1};
      e.sequence = static_cast<int64_t>(i);
      e.payload = make_payload(std::string(100, 'x'));
      req.records.push_back(e);
      c.send(1, NodeId{0}, std::move(req));
    }
  });
  c.run_until(100'000'000);
  ASSERT_EQ(acked_at.size(), 5U);
  EXPECT_GE(acked_at.front(), 5'000'000) << "the first answer waits until all five were read";
  // Their replies leave together (one flush); only the client link's serialization and jitter
  // separate them, far less than the 1 ms per request they would be apart if drained one by one.
  EXPECT_LT(acked_at.back() - acked_at.front(), 200'000);
  EXPECT_EQ(c.store(NodeId{0}, PartitionId{0}).log_end(), Offset{5});
}

TEST(SimDisk, ASharedDiskServesSyncsIssuedDuringACommitWithTheNextOne) {
  // Three nodes each sync once, 100 us apart, with a 20 ms commit: on their own disks all acks
  // land after one commit. On one shared disk the first sync's commit runs alone and the other
  // two wait for it, then share the next commit (one fixed cost, not two), so the last ack lands
  // after about two commits, not three.
  for (bool shared : {false, true}) {
    auto cfg = small_config(1);
    cfg.sim.disk.fsync_ns = 20'000'000;
    cfg.sim.disk.fsync_jitter_ns = 0;
    cfg.sim.disk.shared = shared;
    SimCluster c(cfg, testing::SoloFactory{});
    RunOutcome r = drive(c, 3);  // one request per node, 100 us apart
    EXPECT_EQ(r.acked, 3);
    if (shared) {
      EXPECT_GE(r.last_ack_ns, 40'000'000);
      EXPECT_LT(r.last_ack_ns, 45'000'000);
    } else {
      EXPECT_LT(r.last_ack_ns, 25'000'000);
    }
  }
}

TEST(SimDisk, SyncsJoinTheCommitThatHasNotStarted) {
  SharedDisk disk;
  // Idle device: the first sync's commit starts at once (fixed 100 + bytes 10).
  auto a = disk.sync(0, 100, 10);
  EXPECT_EQ(a->start_ns, 0);
  EXPECT_EQ(a->end_ns, 110);
  // Issued while it runs: a new commit, queued behind it.
  auto b = disk.sync(20, 100, 30);
  EXPECT_EQ(b->start_ns, 110);
  EXPECT_EQ(b->end_ns, 240);
  // Issued before that one starts: it joins it, adding its bytes but no second fixed cost, and
  // moves the end of every sync in it.
  auto c = disk.sync(50, 100, 5);
  EXPECT_EQ(c, b);
  EXPECT_EQ(b->end_ns, 245);
  // Issued once it runs: the next commit. After the device idles, a sync starts when issued.
  auto d = disk.sync(120, 100, 0);
  EXPECT_EQ(d->start_ns, 245);
  auto e = disk.sync(1'000, 100, 0);
  EXPECT_EQ(e->start_ns, 1'000);
  EXPECT_EQ(e->end_ns, 1'100);
}

TEST(SimDisk, ThreeWritersOnASharedDiskSyncMoreOftenThanOne) {
  // Writers that sync again as soon as their last sync completes (the closed loop of a node under
  // load): one writer gets a sync per fixed + bytes; three get more syncs per second than one,
  // since concurrent syncs share commits, and fewer than if every commit served all three.
  constexpr int64_t kFixed = 300'000, kBytes = 326'000, kHorizon = 1'000'000'000;
  auto syncs_per_second = [&](int writers) {
    SharedDisk disk;
    std::vector<std::shared_ptr<const SharedDisk::Commit>> last(writers);
    // A writer issues its next sync when its last commit ends (read anew: later syncs may have
    // joined it); the first syncs go out 10 us apart.
    auto issue_at = [&](int w) { return last[w] ? last[w]->end_ns : w * int64_t{10'000}; };
    int64_t done = 0;
    for (;;) {
      // The writer whose next sync is issued first goes next (ties: the lower index).
      int w = 0;
      for (int v = 1; v < writers; ++v)
        if (issue_at(v) < issue_at(w)) w = v;
      if (issue_at(w) >= kHorizon) break;
      last[w] = disk.sync(issue_at(w), kFixed, kBytes);
      ++done;
    }
    return static_cast<double>(done) / (static_cast<double>(kHorizon) / 1e9);
  };
  const double one = syncs_per_second(1), three = syncs_per_second(3);
  EXPECT_NEAR(one, 1e9 / (kFixed + kBytes), 2.0);
  EXPECT_GT(three, 1.15 * one) << "one writer " << one << "/s, three " << three << "/s";
  EXPECT_LT(three, 3e9 / (kFixed + 3 * kBytes));
}

}  // namespace
}  // namespace rb::sim
