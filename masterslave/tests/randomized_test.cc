// Randomized fault runs: seeded crashes, restarts, link cuts, ticks and partial delivery, with
// invariants checked after every step and at the end. A failure prints the seed that replays it.
#include <cstdio>
#include <cstdlib>
#include <set>

#include "masterslave/tests/cluster_fixture.h"
#include "replication/core/prng.h"

namespace rb::masterslave::test {
namespace {

struct Scenario {
  const char* name;
  MasterSlaveConfig cfg;
  AckLevel acks;
  // Sync replication to every slave with manual promotion only when no master is up: no
  // acknowledged record may be lost and logs must agree on every committed prefix.
  bool safe;
};

// Every pair of up replicas agrees on the records below both commit watermarks.
void expect_committed_prefixes_agree(Harness& h) {
  for (NodeId a : h.c().nodes()) {
    for (NodeId b : h.c().nodes()) {
      if (a.value() >= b.value() || !h.c().up(a) || !h.c().up(b)) continue;
      auto& sa = h.c().store(a);
      auto& sb = h.c().store(b);
      const Offset upto = std::min({h.c().commit(a), h.c().commit(b), sa.log_end(), sb.log_end()});
      const Offset from = std::max(sa.log_start(), sb.log_start());
      if (upto <= from) continue;
      const auto ea = sa.read(from, SIZE_MAX, static_cast<size_t>(upto - from)).value();
      const auto eb = sb.read(from, SIZE_MAX, static_cast<size_t>(upto - from)).value();
      ASSERT_EQ(ea.size(), eb.size());
      for (size_t i = 0; i < ea.size(); ++i) {
        ASSERT_EQ(ea[i].sequence, eb[i].sequence) << "nodes " << a << "," << b << " offset " << ea[i].offset;
        ASSERT_EQ(ea[i].epoch, eb[i].epoch) << "nodes " << a << "," << b << " offset " << ea[i].offset;
      }
    }
  }
}

// Runs one seeded scenario; returns the number of acknowledged records lost.
int64_t run(uint64_t seed, const Scenario& sc, int steps) {
  Prng rng = Prng::substream(seed, "masterslave-random");
  Harness h(sc.cfg, common_config(sc.acks), 3, seed);
  const auto& nodes = h.c().nodes();
  auto up_nodes = [&] {
    std::vector<NodeId> out;
    for (NodeId n : nodes)
      if (h.c().up(n)) out.push_back(n);
    return out;
  };
  auto pick = [&](const std::vector<NodeId>& v) { return v[rng.below(v.size())]; };
  uint64_t next_id = 1;
  std::vector<std::pair<NodeId, uint64_t>> proposals;  // (where, request id)

  for (int step = 0; step < steps; ++step) {
    const uint64_t r = rng.below(100);
    const auto ups = up_nodes();
    if (r < 40) {
      auto leaders = h.c().leaders();
      NodeId at = !leaders.empty() && rng.chance(0.9) ? pick(leaders) : pick(ups);
      h.propose(at, next_id, static_cast<int>(rng.between(1, 3)), sc.acks);
      proposals.push_back({at, next_id++});
    } else if (r < 50) {
      for (int i = rng.between(1, 6); i > 0 && h.c().deliver_one(); --i) {
      }
    } else if (r < 75) {
      h.c().run_ticks(static_cast<int>(rng.between(1, 8)));
    } else if (r < 80) {
      if (ups.size() == nodes.size()) {  // at most one replica down
        NodeId n = pick(ups);
        if (std::getenv("MS_TRACE")) std::printf("step %d crash %u\n", step, n.value());
        h.c().crash(n);
      }
    } else if (r < 85) {
      for (NodeId n : nodes)
        if (!h.c().up(n)) {
          if (std::getenv("MS_TRACE")) std::printf("step %d restart %u\n", step, n.value());
          h.c().restart(n);
        }
    } else if (r < 90) {
      NodeId a = pick(nodes), b = pick(nodes);
      if (a != b) h.c().cut(a, b);
    } else if (r < 95) {
      h.c().heal();
    } else if (sc.cfg.failover == Failover::manual && h.c().leaders().empty()) {
      NodeId n = pick(ups);
      if (std::getenv("MS_TRACE")) std::printf("step %d promote %u\n", step, n.value());
      EXPECT_TRUE(h.promote(n).ok());
    }
    if (sc.cfg.failover == Failover::manual) {
      EXPECT_LE(h.c().leaders().size(), 1u) << "step " << step;
    }
    if (sc.safe) {
      expect_committed_prefixes_agree(h);
      if (::testing::Test::HasFatalFailure()) return 0;
    }
  }

  // Heal everything and let the group converge on one master.
  h.c().heal();
  for (NodeId n : nodes)
    if (!h.c().up(n)) h.c().restart(n);
  // An operator keeps promoting while the group has no master (manual mode; the watchdog does
  // the same by itself).
  for (int round = 0; round < 5; ++round) {
    h.c().run_ticks(20);
    if (h.c().leaders().empty()) {
      EXPECT_TRUE(h.promote(nodes[rng.below(nodes.size())]).ok());
    }
  }
  h.c().run_ticks(300);
  const NodeId master = h.c().leader();
  EXPECT_NE(master, kNoNode) << "exactly one master after healing";
  if (master == kNoNode) {
    for (NodeId n : nodes) {
      auto st = h.c().engine(n).status();
      std::printf("node %u role=%s leader=%u epoch=%llu end=%lld commit=%lld synced=%lld\n", n.value(),
                  std::string(to_string(st.role)).c_str(), st.leader.value(),
                  static_cast<unsigned long long>(st.epoch.value()), static_cast<long long>(st.log_end.value()),
                  static_cast<long long>(st.commit.value()), static_cast<long long>(st.counters["synced"]));
      for (const auto& e : h.c().events(n))
        std::printf("  ev %s role=%s leader=%u epoch=%llu %s\n", std::string(to_string(e.kind)).c_str(),
                    std::string(to_string(e.role)).c_str(), e.leader.value(),
                    static_cast<unsigned long long>(e.epoch.value()), e.detail.c_str());
    }
    return 0;
  }
  for (NodeId n : nodes) EXPECT_EQ(h.sequences(n), h.sequences(master)) << "replica " << n << " converged";
  if (sc.safe) expect_committed_prefixes_agree(h);

  std::set<int64_t> present;
  for (const auto& e : h.log(master)) present.insert(e.sequence);
  int64_t lost = 0;
  for (auto [at, id] : proposals) {
    const Completion* c = h.completion(at, id);
    if (c == nullptr || c->code != errc::ok) continue;
    for (int64_t seq : h.sequences_of(id)) lost += present.count(seq) == 0;
  }
  if (std::getenv("MS_RANDOM_VERBOSE")) {
    int64_t acked = 0, failovers = 0, truncated = 0;
    for (auto [at, id] : proposals) {
      const Completion* c = h.completion(at, id);
      if (c && c->code == errc::ok) acked += static_cast<int64_t>(h.sequences_of(id).size());
    }
    for (NodeId n : nodes) failovers += h.counter(n, "failovers"), truncated += h.counter(n, "truncated_records");
    std::printf("%s seed=%llu acked=%lld lost=%lld failovers=%lld truncated=%lld log=%lld\n", sc.name,
                static_cast<unsigned long long>(seed), static_cast<long long>(acked), static_cast<long long>(lost),
                static_cast<long long>(failovers), static_cast<long long>(truncated),
                static_cast<long long>(h.c().store(master).log_end().value()));
  }
  return lost;
}

// MS_RANDOM_SEEDS=<n> runs more seeds (for soak runs outside CI).
const int kSeeds = std::getenv("MS_RANDOM_SEEDS") ? std::atoi(std::getenv("MS_RANDOM_SEEDS")) : 60;
constexpr int kSteps = 600;

TEST(Randomized, SyncAllManualLosesNoAcknowledgedRecord) {
  Scenario sc{"sync/all/manual", small_config(Replication::sync, Failover::manual, SyncAcks::all), AckLevel::all, true};
  for (uint64_t seed = 1; seed <= static_cast<uint64_t>(kSeeds); ++seed) {
    SCOPED_TRACE("seed=" + std::to_string(seed) + " scenario=" + sc.name);
    EXPECT_EQ(run(seed, sc, kSteps), 0);
    if (HasFailure()) return;
  }
}

TEST(Randomized, AsyncWatchdogConvergesAndMeasuresLoss) {
  Scenario sc{"async/watchdog", small_config(Replication::async, Failover::watchdog), AckLevel::leader, false};
  int64_t lost = 0;
  for (uint64_t seed = 1; seed <= static_cast<uint64_t>(kSeeds); ++seed) {
    SCOPED_TRACE("seed=" + std::to_string(seed) + " scenario=" + sc.name);
    lost += run(seed, sc, kSteps);
    if (HasFailure()) return;
  }
  // The loss is the protocol's behaviour, measured rather than hidden.
  RecordProperty("acked_records_lost", static_cast<int>(lost));
  std::printf("async/watchdog: %lld acknowledged records lost over %d seeds\n", static_cast<long long>(lost), kSeeds);
}

TEST(Randomized, SyncOneWatchdogConverges) {
  Scenario sc{"sync/one/watchdog", small_config(Replication::sync, Failover::watchdog, SyncAcks::one), AckLevel::all,
              false};
  for (uint64_t seed = 1; seed <= static_cast<uint64_t>(kSeeds); ++seed) {
    SCOPED_TRACE("seed=" + std::to_string(seed) + " scenario=" + sc.name);
    (void)run(seed, sc, kSteps);
    if (HasFailure()) return;
  }
}

}  // namespace
}  // namespace rb::masterslave::test
