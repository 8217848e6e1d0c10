// Scenarios reproducing the data-loss bugs Kafka fixed, each asserting the fixed behaviour (and,
// where the fix is a knob, the loss with the knob off). See README.md "Scenarios".
#include <gtest/gtest.h>

#include <map>

#include "isr/factory.h"
#include "isr/messages.h"
#include "isr/tests/coordinator_driver.h"

namespace rb::isr {
namespace {

using rb::testing::EngineCluster;
using testing::CoordinatorDriver;
namespace co = rb::coordinator;

const NodeId n0{0}, n1{1}, n2{2};

IsrFactory fast_factory() {
  IsrConfig cfg;
  cfg.replica_lag_time_max_ticks = 100;
  cfg.replica_fetch_wait_max_ticks = 20;
  cfg.replica_fetch_backoff_ticks = 10;
  cfg.replica_socket_timeout_ticks = 60;
  cfg.alter_partition_retry_ticks = 50;
  return IsrFactory(cfg);
}

ReplicationConfig common(uint32_t replicas, uint32_t min_insync) {
  ReplicationConfig c;
  c.replicas = replicas;
  c.min_insync = min_insync;
  return c;
}

// offset -> payload of a node's log.
std::map<int64_t, std::string> log_of(EngineCluster& c, NodeId n) {
  std::map<int64_t, std::string> out;
  auto& st = c.store(n);
  auto es = st.read(st.log_start(), SIZE_MAX, SIZE_MAX);
  EXPECT_TRUE(es.ok());
  for (const auto& e : *es) out[e.offset.value()] = e.payload ? *e.payload : "";
  return out;
}

bool has_event(EngineCluster& c, NodeId n, Event::Kind k) {
  for (const auto& e : c.events(n))
    if (e.kind == k) return true;
  return false;
}

// Acknowledged records (offset -> payload) whose completion was ok on node n.
std::map<int64_t, std::string> acked(EngineCluster& c, NodeId n, const std::map<int64_t, std::string>& log) {
  std::map<int64_t, std::string> out;
  for (const auto& comp : c.completions(n)) {
    if (comp.code != errc::ok) continue;
    auto it = log.find(comp.base_offset.value());
    if (it != log.end()) out[it->first] = it->second;
  }
  return out;
}

size_t lost(const std::map<int64_t, std::string>& acked, const std::map<int64_t, std::string>& final_log) {
  size_t n = 0;
  for (const auto& [o, p] : acked) {
    auto it = final_log.find(o);
    if (it == final_log.end() || it->second != p) ++n;
  }
  return n;
}

void isolate_data(EngineCluster& c, NodeId n, std::vector<NodeId> others) {
  for (NodeId o : others) {
    c.cut(n, o);
    c.cut(o, n);
  }
}

// KIP-101 (KAFKA-1211): a follower's HW lags the leader's by one fetch. Before KIP-101 a replica
// becoming leader/follower truncated to its own HW, cutting committed records; if it was then
// elected, they were gone. With epoch-based truncation the new leader keeps its whole log.
TEST(IsrScenario, Kip101StaleFollowerHwDoesNotTruncateCommittedRecords) {
  auto f = fast_factory();
  EngineCluster c(f, {n0, n1}, common(2, 1));
  CoordinatorDriver coord(c, co::CoordinatorConfig{.min_insync = 1});
  c.propose(n0, EngineCluster::make_proposal(1, 1));
  coord.settle();
  ASSERT_EQ(c.completions(n0).size(), 1u);
  ASSERT_EQ(c.completions(n0)[0].code, errc::ok);  // acknowledged: both replicas have offset 0
  ASSERT_EQ(c.commit(n1), Offset{0});              // n1's HW is still stale
  c.crash(n0);
  ASSERT_TRUE(coord.apply(co::FenceBroker{n0}).status.ok());  // session expired
  coord.settle();
  ASSERT_EQ(c.leader(), n1);
  EXPECT_FALSE(has_event(c, n1, Event::Kind::truncated));
  EXPECT_EQ(c.store(n1).log_end(), Offset{1});  // pre-KIP-101: truncated to HW 0, record lost
  EXPECT_EQ(c.commit(n1), Offset{1});           // ISR {n1}, min 1: the record is committed
  coord.restart(n0, false);
  coord.run(30);
  EXPECT_EQ(log_of(c, n0), log_of(c, n1));
}

// KIP-101's second scenario: after a leader change the old leader holds records the new leader
// never had (here acks=1 records, which may be lost by design). The fetch response's diverging
// epoch makes it truncate exactly the divergent tail, so the logs agree again.
TEST(IsrScenario, Kip101DivergentTailIsTruncatedByEpoch) {
  auto f = fast_factory();
  EngineCluster c(f, {n0, n1}, common(2, 1));
  CoordinatorDriver coord(c, co::CoordinatorConfig{.min_insync = 1});
  c.propose(n0, EngineCluster::make_proposal(1, 2));
  coord.settle();
  isolate_data(c, n0, {n1});
  coord.cut_from_coordinator.insert(n0);
  c.propose(n0, EngineCluster::make_proposal(2, 3, 16, AckLevel::leader));  // acks=1 on the old leader
  coord.settle();
  ASSERT_TRUE(coord.apply(co::FenceBroker{n0}).status.ok());
  coord.settle();
  ASSERT_EQ(coord.meta().leader, n1);
  c.propose(n1, EngineCluster::make_proposal(3, 1));
  coord.settle();
  ASSERT_EQ(c.store(n0).log_end(), Offset{5});
  ASSERT_EQ(c.store(n1).log_end(), Offset{3});
  c.heal();
  coord.cut_from_coordinator.clear();
  coord.send(n0, coord.meta());
  ASSERT_TRUE(coord.apply(co::UnfenceBroker{n0, 1}).status.ok());
  coord.run(30);
  EXPECT_TRUE(has_event(c, n0, Event::Kind::truncated));
  EXPECT_EQ(log_of(c, n0), log_of(c, n1));
  EXPECT_EQ(coord.meta().isr.size(), 2u);  // n0 caught up and rejoined
}

// KIP-279 (KAFKA-6361), fast double failover: the follower has an epoch the leader never saw,
// and the leader's answer names an epoch the follower does not have either. The follower must
// truncate iteratively (to the end of its own largest epoch below the answer, then ask again).
TEST(IsrScenario, Kip279FastDoubleFailoverTruncatesIteratively) {
  auto f = fast_factory();
  EngineCluster c(f, {n0, n1, n2}, common(3, 1));
  CoordinatorDriver coord(c, co::CoordinatorConfig{.min_insync = 1});
  c.propose(n0, EngineCluster::make_proposal(1, 1));  // offset 0, epoch e1, everywhere
  coord.settle();
  // n0 is cut off; n1 leads and writes offset 1 (epoch e2), which reaches n2 only.
  isolate_data(c, n0, {n1, n2});
  ASSERT_TRUE(coord.apply(co::FenceBroker{n0}).status.ok());
  coord.settle();
  ASSERT_EQ(coord.meta().leader, n1);
  c.propose(n1, EngineCluster::make_proposal(2, 1));
  coord.settle();
  // n1 and n2 go away; n0 is back and, as an operator-forced unclean election, leads e3 and
  // writes offset 1 (epoch e3) that nobody else gets.
  ASSERT_TRUE(coord.apply(co::FenceBroker{n1}).status.ok());
  ASSERT_TRUE(coord.apply(co::FenceBroker{n2}).status.ok());
  ASSERT_TRUE(coord.apply(co::UnfenceBroker{n0, 1}).status.ok());
  ASSERT_TRUE(coord.apply(co::ElectLeader{PartitionId{0}, co::ElectionKind::unclean}).status.ok());
  coord.settle();
  ASSERT_EQ(c.leader(), n0);
  EXPECT_TRUE(has_event(c, n0, Event::Kind::data_loss));
  c.propose(n0, EngineCluster::make_proposal(3, 1, 16, AckLevel::leader));
  coord.settle();
  const Epoch e3 = c.store(n0).last_epoch();
  // n0 fails fast; n2 returns and is elected (again forced: the ISR is still {n0}); it leads e4
  // with offsets 0 (e1), 1 (e2).
  ASSERT_TRUE(coord.apply(co::FenceBroker{n0}).status.ok());
  ASSERT_TRUE(coord.apply(co::UnfenceBroker{n2, 1}).status.ok());
  ASSERT_TRUE(coord.apply(co::ElectLeader{PartitionId{0}, co::ElectionKind::unclean}).status.ok());
  coord.settle();
  ASSERT_EQ(coord.meta().leader, n2);
  c.propose(n2, EngineCluster::make_proposal(4, 1));
  coord.settle();
  // n0 follows n2: last epoch e3 is unknown to n2, whose answer (e2) n0 lacks as well.
  c.heal();
  ASSERT_TRUE(coord.apply(co::UnfenceBroker{n0, 1}).status.ok());
  coord.run(100);  // n0's fetch sent while cut off is resent after replica_socket_timeout (60)
  ASSERT_LT(Epoch{2}, e3);
  EXPECT_EQ(log_of(c, n0), log_of(c, n2));
  EXPECT_EQ(c.store(n0).epoch_at(Offset{1}).value(), c.store(n2).epoch_at(Offset{1}).value());
  EXPECT_GE(c.engine(n2).status().counters.at("diverging_responses"), 1);
  int truncations = 0;
  for (const auto& e : c.events(n0)) truncations += e.kind == Event::Kind::truncated;
  EXPECT_EQ(truncations, 1);  // to the end of e1 (offset 1): the e3 record goes
}

// KIP-966, last replica standing: the ISR shrinks to one replica, which then loses its page
// cache (fsync=never) in an unclean shutdown. Without ELR it is the only eligible leader and
// makes everyone truncate committed records; with ELR it is dropped from the eligible set and a
// replica that left the ISR while it was below min ISR (so holds every committed record) leads.
class LastReplicaStanding : public ::testing::TestWithParam<bool> {};

TEST_P(LastReplicaStanding, UncleanShutdownOfTheLastIsrMember) {
  const bool elr = GetParam();
  auto f = fast_factory();
  EngineCluster c(f, {n0, n1, n2}, common(3, 2));
  c.auto_persist = false;
  CoordinatorDriver coord(c, co::CoordinatorConfig{.eligible_leader_replicas = elr, .min_insync = 2});
  coord.page_cache_acks = true;
  c.propose(n0, EngineCluster::make_proposal(1, 5));
  coord.settle();
  ASSERT_TRUE(c.store(n0).sync().ok());  // n0 flushed these five; the rest stays in page cache
  isolate_data(c, n2, {n0, n1});
  ASSERT_TRUE(coord.apply(co::FenceBroker{n2}).status.ok());
  c.propose(n0, EngineCluster::make_proposal(2, 3));  // committed on {n0, n1}: HW 8
  coord.settle();
  ASSERT_EQ(c.commit(n0), Offset{8});
  const auto committed = log_of(c, n0);
  isolate_data(c, n1, {n0, n2});
  ASSERT_TRUE(coord.apply(co::FenceBroker{n1}).status.ok());
  coord.settle();
  EXPECT_EQ(coord.meta().isr, (std::vector<NodeId>{n0}));
  EXPECT_EQ(coord.meta().elr, elr ? std::vector<NodeId>{n1} : std::vector<NodeId>{});
  c.propose(n0, EngineCluster::make_proposal(3, 1, 16, AckLevel::leader));
  coord.settle();
  EXPECT_EQ(c.commit(n0), Offset{8});  // strict min ISR: no HW progress on one replica
  // Power loss on n0: it keeps only the five synced records. Fenced, then back uncleanly.
  c.crash(n0);
  ASSERT_TRUE(coord.apply(co::FenceBroker{n0}).status.ok());
  coord.restart(n0, /*unclean=*/true);
  ASSERT_EQ(c.store(n0).log_end(), Offset{5});
  // n1 and n2 return.
  c.heal();
  coord.send(n1, coord.meta());
  coord.send(n2, coord.meta());
  ASSERT_TRUE(coord.apply(co::UnfenceBroker{n1, 1}).status.ok());
  ASSERT_TRUE(coord.apply(co::UnfenceBroker{n2, 1}).status.ok());
  coord.run(60);
  const NodeId leader = coord.meta().leader;
  ASSERT_NE(leader, kNoNode);
  const size_t lost_committed = lost(committed, log_of(c, leader));
  if (elr) {
    EXPECT_EQ(leader, n1);
    EXPECT_EQ(lost_committed, 0u);
    EXPECT_FALSE(has_event(c, n1, Event::Kind::truncated));
  } else {
    EXPECT_EQ(leader, n0);
    EXPECT_EQ(lost_committed, 3u);  // offsets 5..7 were committed and are gone everywhere
    EXPECT_TRUE(has_event(c, n1, Event::Kind::truncated));
  }
  for (NodeId n : {n0, n1, n2}) EXPECT_EQ(log_of(c, n), log_of(c, leader)) << "node " << n;
}

INSTANTIATE_TEST_SUITE_P(Elr, LastReplicaStanding, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "ElrOn" : "ElrOff"; });

// Jepsen 2013: the ISR shrinks to the leader alone, which keeps acknowledging acks=all writes
// (min.insync.replicas=1), then the leader is cut off. With unclean election a stale replica
// takes over and the acknowledged writes are lost (the test counts them); without it the
// partition is unavailable instead.
class Jepsen2013 : public ::testing::TestWithParam<bool> {};

TEST_P(Jepsen2013, IsrShrinksToTheLeaderThenTheLeaderIsIsolated) {
  const bool unclean = GetParam();
  auto f = fast_factory();
  EngineCluster c(f, {n0, n1, n2}, common(3, 1));
  CoordinatorDriver coord(c, co::CoordinatorConfig{.unclean_leader_election = unclean, .min_insync = 1});
  uint64_t id = 1;
  for (; id <= 5; ++id) c.propose(n0, EngineCluster::make_proposal(id, 1));
  coord.settle();
  isolate_data(c, n0, {n1, n2});  // the followers cannot fetch; n0 still reaches the coordinator
  for (int t = 0; t < 20; ++t, ++id) {
    c.propose(n0, EngineCluster::make_proposal(id, 1));
    coord.run(10);
  }
  ASSERT_EQ(coord.meta().isr, (std::vector<NodeId>{n0}));
  const auto acked_writes = acked(c, n0, log_of(c, n0));
  ASSERT_EQ(acked_writes.size(), 25u);  // all acknowledged: the ISR was just the leader
  // Now n0 loses the coordinator too; its session expires and it is fenced.
  coord.cut_from_coordinator.insert(n0);
  ASSERT_TRUE(coord.apply(co::FenceBroker{n0}).status.ok());
  coord.settle();
  if (unclean) {
    ASSERT_EQ(coord.meta().leader, n1);
    EXPECT_TRUE(has_event(c, n1, Event::Kind::data_loss));
    c.propose(n1, EngineCluster::make_proposal(100, 1));
    coord.settle();
    const size_t lost_acked = lost(acked_writes, log_of(c, n1));
    EXPECT_EQ(lost_acked, 20u);  // every write acknowledged after the ISR shrank
    // The old leader rejoins as follower and truncates its divergent tail.
    c.heal();
    coord.cut_from_coordinator.clear();
    coord.send(n0, coord.meta());
    ASSERT_TRUE(coord.apply(co::UnfenceBroker{n0, 1}).status.ok());
    coord.run(30);
    EXPECT_TRUE(has_event(c, n0, Event::Kind::truncated));
    EXPECT_EQ(log_of(c, n0), log_of(c, n1));
  } else {
    EXPECT_EQ(coord.meta().leader, kNoNode);  // unavailable rather than lossy
    c.propose(n1, EngineCluster::make_proposal(100, 1));
    EXPECT_EQ(c.completions(n1).back().code, errc::not_leader);
    c.heal();
    coord.cut_from_coordinator.clear();
    coord.send(n0, coord.meta());
    ASSERT_TRUE(coord.apply(co::UnfenceBroker{n0, 1}).status.ok());  // n0 is back
    coord.run(30);
    ASSERT_EQ(coord.meta().leader, n0);
    EXPECT_EQ(lost(acked_writes, log_of(c, n0)), 0u);
    EXPECT_EQ(lost(acked_writes, log_of(c, n1)), 0u);  // the followers caught up
  }
}

INSTANTIATE_TEST_SUITE_P(Unclean, Jepsen2013, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "UncleanOn" : "UncleanOff"; });

// A slow follower (its fetches delayed by more than replica.lag.time.max) holds acks=all latency
// up while it is in the ISR; once the leader drops it, latency returns to one fetch round.
TEST(IsrScenario, SlowFollowerRaisesAcksAllLatencyUntilItLeavesTheIsr) {
  auto f = fast_factory();  // lag max 100 ticks
  EngineCluster c(f, {n0, n1, n2}, common(3, 2));
  CoordinatorDriver coord(c, co::CoordinatorConfig{.min_insync = 2});
  constexpr int kDelay = 150;
  std::vector<std::pair<int, PeerMessage>> held;
  std::map<uint64_t, int> proposed_at;
  std::vector<std::pair<int, int>> latency;  // (propose tick, latency)
  size_t seen = 0;
  int removed_at = -1;
  for (int t = 0; t < 600; ++t) {
    if (t % 10 == 0) {
      const uint64_t id = 1000 + t;
      proposed_at[id] = t;
      c.propose(n0, EngineCluster::make_proposal(id, 1));
    }
    c.tick_all(1);
    for (;;) {
      c.process_all();
      auto& q = c.in_flight();
      for (auto it = q.begin(); it != q.end();) {
        if (it->from == n2 && it->kind == static_cast<uint16_t>(MsgKind::fetch)) {
          held.emplace_back(t + kDelay, *it);
          it = q.erase(it);
        } else {
          ++it;
        }
      }
      if (q.empty()) {
        if (coord.pump() == 0) break;
        continue;
      }
      c.deliver_one();
    }
    for (auto it = held.begin(); it != held.end();) {
      if (it->first <= t) {
        c.in_flight().push_back(it->second);
        it = held.erase(it);
      } else {
        ++it;
      }
    }
    for (; seen < c.completions(n0).size(); ++seen) {
      const auto& comp = c.completions(n0)[seen];
      ASSERT_EQ(comp.code, errc::ok);
      const int at = proposed_at.at(comp.id.value());
      latency.emplace_back(at, t - at);
    }
    if (removed_at < 0 && coord.meta().isr.size() == 2) removed_at = t;
  }
  ASSERT_GT(removed_at, 100);  // not before the lag limit
  ASSERT_LT(removed_at, 400);
  EXPECT_EQ(coord.meta().isr, (std::vector<NodeId>{n0, n1}));
  int slow = 0, fast = 0, max_after = 0;
  for (auto [at, lat] : latency) {
    if (at < 100) slow += lat >= 50;
    if (at > removed_at) {
      ++fast;
      max_after = std::max(max_after, lat);
    }
  }
  EXPECT_GE(slow, 5);  // phase 1: most early writes waited for the slow follower
  EXPECT_GT(fast, 10);
  EXPECT_LE(max_after, 2);  // phase 2: one fetch round with the fast follower
}

}  // namespace
}  // namespace rb::isr
