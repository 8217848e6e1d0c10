// Scenario tests: failures, partitions, membership and snapshots, with the invariant checker
// (raft_test_util.h) run after every delivered message and the log-matching check after every
// tick. Randomized scenarios take a seed and print it on failure.
#include "raft/tests/raft_test_util.h"
#include "replication/core/prng.h"

namespace rb::raft::test {
namespace {

// One tick on every up node, then every message delivered, checking after each step.
void step(EngineCluster& c, InvariantChecker& chk) {
  c.tick_all(1);
  chk.check();
  if (::testing::Test::HasFatalFailure()) return;
  size_t guard = 0;
  while (c.deliver_one()) {
    ASSERT_LT(++guard, 1'000'000u);
    chk.check();
    if (::testing::Test::HasFatalFailure()) return;
  }
  chk.check_logs();
}

void run(EngineCluster& c, InvariantChecker& chk, int ticks) {
  for (int i = 0; i < ticks && !::testing::Test::HasFatalFailure(); ++i) step(c, chk);
}

NodeId wait_leader(EngineCluster& c, InvariantChecker& chk, int max_ticks = 300) {
  for (int i = 0; i < max_ticks; ++i) {
    NodeId l = c.leader();
    if (l != kNoNode) return l;
    step(c, chk);
    if (::testing::Test::HasFatalFailure()) return kNoNode;
  }
  return c.leader();
}

void crash(EngineCluster& c, InvariantChecker& chk, NodeId n) {
  c.crash(n);
  chk.crashed(n);
}

uint64_t next_id = 1000;
void write(EngineCluster& c, NodeId leader, int n = 1) {
  for (int i = 0; i < n; ++i) c.propose(leader, EngineCluster::make_proposal(next_id++, 1));
}

size_t ok_completions(EngineCluster& c, NodeId n) {
  size_t k = 0;
  for (auto& x : c.completions(n)) k += x.code == errc::ok;
  return k;
}

void expect_converged(EngineCluster& c, const std::vector<NodeId>& nodes) {
  for (NodeId n : nodes) {
    EXPECT_EQ(c.store(n).log_end(), c.store(nodes[0]).log_end()) << "node " << n;
    EXPECT_EQ(c.commit(n), c.commit(nodes[0])) << "node " << n;
  }
}

TEST(RaftScenario, LeaderCrash) {
  auto c = make_cluster(3);
  InvariantChecker chk(*c);
  NodeId l = wait_leader(*c, chk);
  ASSERT_NE(l, kNoNode);
  write(*c, l, 5);
  run(*c, chk, 5);
  const Epoch t = c->engine(l).status().epoch;
  crash(*c, chk, l);
  NodeId l2 = wait_leader(*c, chk);
  ASSERT_NE(l2, kNoNode);
  EXPECT_NE(l2, l);
  EXPECT_GT(c->engine(l2).status().epoch, t);
  write(*c, l2, 5);
  c->restart(l);
  run(*c, chk, 40);
  EXPECT_EQ(ok_completions(*c, l2), 5u);
  expect_converged(*c, c->nodes());
  EXPECT_GE(chk.committed(), 12u);
}

TEST(RaftScenario, FollowerCrashAndRestart) {
  auto c = make_cluster(3);
  InvariantChecker chk(*c);
  NodeId l = wait_leader(*c, chk);
  NodeId f = l == N(0) ? N(1) : N(0);
  crash(*c, chk, f);
  write(*c, l, 10);
  run(*c, chk, 5);
  EXPECT_EQ(ok_completions(*c, l), 10u) << "one follower down: still a majority";
  c->restart(f);
  run(*c, chk, 20);
  EXPECT_EQ(c->leader(), l);
  expect_converged(*c, c->nodes());
}

TEST(RaftScenario, SymmetricPartitionMinorityLeaderStepsDownAndRejoins) {
  auto c = make_cluster(5);
  InvariantChecker chk(*c);
  NodeId l = wait_leader(*c, chk);
  ASSERT_NE(l, kNoNode);
  NodeId buddy = l == N(0) ? N(1) : N(0);
  std::vector<NodeId> minority = {l, buddy}, majority;
  for (NodeId n : c->nodes())
    if (n != l && n != buddy) majority.push_back(n);
  for (NodeId a : minority)
    for (NodeId b : majority) {
      c->cut(a, b);
      c->cut(b, a);
    }
  write(*c, l, 3);  // cannot commit
  run(*c, chk, 80);
  EXPECT_NE(c->engine(l).status().role, Role::leader) << "check-quorum: minority leader steps down";
  NodeId l2 = kNoNode;
  for (NodeId n : majority)
    if (c->engine(n).status().role == Role::leader) l2 = n;
  ASSERT_NE(l2, kNoNode);
  for (auto& x : c->completions(l)) EXPECT_NE(x.code, errc::ok) << "minority write acknowledged";
  write(*c, l2, 3);
  c->heal();
  run(*c, chk, 60);
  EXPECT_EQ(ok_completions(*c, l2), 3u);
  expect_converged(*c, c->nodes());
}

TEST(RaftScenario, AsymmetricPartitionDoesNotDisruptLeader) {
  auto c = make_cluster(3);
  InvariantChecker chk(*c);
  NodeId l = wait_leader(*c, chk);
  const Epoch t = c->engine(l).status().epoch;
  NodeId f = l == N(0) ? N(1) : N(0);
  c->cut(l, f);  // f hears nothing from the leader but can still talk to everyone
  write(*c, l, 3);
  run(*c, chk, 100);
  EXPECT_EQ(c->leader(), l);
  EXPECT_EQ(c->engine(l).status().epoch, t) << "pre-vote + leases keep the term stable";
  EXPECT_EQ(ok_completions(*c, l), 3u);
  EXPECT_GT(raft(*c, f).counters().pre_elections, 0);
  c->heal();
  run(*c, chk, 20);
  expect_converged(*c, c->nodes());
}

TEST(RaftScenario, PreVoteStopsRejoiningPartitionedNodeFromDisrupting) {
  for (bool pre_vote : {true, false}) {
    SCOPED_TRACE(pre_vote ? "pre_vote on" : "pre_vote and check_quorum off");
    Knobs k;
    k.pre_vote = pre_vote;
    k.check_quorum = pre_vote;
    auto c = make_cluster(3, k);
    InvariantChecker chk(*c);
    NodeId l = wait_leader(*c, chk);
    const Epoch t = c->engine(l).status().epoch;
    NodeId f = l == N(2) ? N(1) : N(2);
    c->isolate(f);
    run(*c, chk, 100);
    c->heal();
    run(*c, chk, 30);
    if (pre_vote) {
      EXPECT_EQ(c->leader(), l);
      EXPECT_EQ(c->engine(l).status().epoch, t);
      EXPECT_EQ(c->engine(f).status().epoch, t) << "a pre-candidate never bumps its term";
    } else {
      EXPECT_GT(c->engine(c->nodes()[0]).status().epoch, t) << "without pre-vote the rejoin forces an election";
    }
  }
}

TEST(RaftScenario, CheckQuorumLeaderStepsDown) {
  auto c = make_cluster(3);
  InvariantChecker chk(*c);
  NodeId l = wait_leader(*c, chk);
  c->isolate(l);
  run(*c, chk, 25);  // a little over two election periods
  EXPECT_EQ(c->engine(l).status().role, Role::follower);
  EXPECT_EQ(raft(*c, l).counters().check_quorum_step_downs, 1);
}

// Figure 8 (and 6.5840's TestFigure8): leaders crash right after proposing; an entry of an old
// term may be replicated on a majority yet must not be reported committed until a current-term
// entry covers it.
TEST(RaftScenario, Figure8) {
  for (uint64_t seed = 1; seed <= 6; ++seed) {
    SCOPED_TRACE("seed=" + std::to_string(seed));
    auto c = make_cluster(5, {}, seed);
    InvariantChecker chk(*c);
    Prng rng(seed);
    int up = 5;
    for (int iter = 0; iter < 40 && !HasFatalFailure(); ++iter) {
      NodeId l = c->leader();
      if (l != kNoNode) write(*c, l, 1);
      run(*c, chk, static_cast<int>(rng.between(1, 15)));
      l = c->leader();
      if (l != kNoNode && rng.chance(0.5)) {
        crash(*c, chk, l);
        --up;
      }
      if (up < 3) {
        for (NodeId n : c->nodes())
          if (!c->up(n)) {
            c->restart(n);
            ++up;
            break;
          }
      }
    }
    for (NodeId n : c->nodes())
      if (!c->up(n)) c->restart(n);
    NodeId l = wait_leader(*c, chk);
    ASSERT_NE(l, kNoNode);
    write(*c, l, 1);
    run(*c, chk, 40);
    expect_converged(*c, c->nodes());
  }
}

// Random crashes and restarts of any node while clients write; afterwards every acknowledged
// write is in the committed log at the offset and term it was acknowledged with.
TEST(RaftScenario, RandomCrashRestartUnderLoad) {
  for (uint64_t seed = 1; seed <= 8; ++seed) {
    SCOPED_TRACE("seed=" + std::to_string(seed));
    auto c = make_cluster(5, {}, seed);
    InvariantChecker chk(*c);
    Prng rng(seed * 77);
    for (int t = 0; t < 400 && !HasFatalFailure(); ++t) {
      NodeId l = c->leader();
      if (l != kNoNode && rng.chance(0.6)) write(*c, l, static_cast<int>(rng.between(1, 3)));
      int down = 0;
      for (NodeId n : c->nodes()) down += !c->up(n);
      if (rng.chance(0.03) && down < 2) crash(*c, chk, c->nodes()[rng.below(5)]);
      if (rng.chance(0.05))
        for (NodeId n : c->nodes())
          if (!c->up(n)) {
            c->restart(n);
            break;
          }
      step(*c, chk);
    }
    for (NodeId n : c->nodes())
      if (!c->up(n)) c->restart(n);
    run(*c, chk, 100);
    NodeId l = wait_leader(*c, chk);
    ASSERT_NE(l, kNoNode);
    size_t acked = 0;
    for (NodeId n : c->nodes())
      for (auto& x : c->completions(n)) {
        if (x.code != errc::ok) continue;
        ++acked;
        auto it = chk.committed_entries().find(x.base_offset.value());
        ASSERT_NE(it, chk.committed_entries().end()) << "acknowledged write lost at " << x.base_offset;
        EXPECT_EQ(it->second.first, x.epoch.value()) << "acknowledged write replaced at " << x.base_offset;
      }
    EXPECT_GT(acked, 20u);
  }
}

TEST(RaftScenario, AddAndRemoveNodesUnderLoad) {
  auto c = make_cluster(3);
  InvariantChecker chk(*c);
  NodeId l = wait_leader(*c, chk);
  write(*c, l, 20);
  run(*c, chk, 5);
  c->add_node(N(3));
  c->restart(N(3));  // starts the engine of the new, empty node
  chk.add_node(N(3));
  AdminCommand add = admin_cmd(AdminCommand::Kind::add_replica);
  add.node = N(3);
  ASSERT_TRUE(c->admin(l, add).ok());
  EXPECT_EQ(c->admin(l, add).code(), errc::ok) << "idempotent while pending? (already a learner)";
  for (int i = 0; i < 20 && !HasFatalFailure(); ++i) {
    write(*c, l, 2);
    step(*c, chk);
  }
  EXPECT_TRUE(raft(*c, l).config().is_voter(N(3))) << "the caught-up learner was promoted";
  EXPECT_EQ(raft(*c, l).counters().learners_promoted, 1);
  // Remove a follower, then the leader itself.
  NodeId f = l == N(0) ? N(1) : N(0);
  AdminCommand rm = admin_cmd(AdminCommand::Kind::remove_replica);
  rm.node = f;
  ASSERT_TRUE(c->admin(l, rm).ok());
  EXPECT_EQ(c->admin(l, rm).code(), errc::busy) << "one change at a time";
  for (int i = 0; i < 10 && !HasFatalFailure(); ++i) {
    write(*c, l, 2);
    step(*c, chk);
  }
  EXPECT_FALSE(raft(*c, l).config().contains(f));
  rm.node = l;
  ASSERT_TRUE(c->admin(l, rm).ok());
  run(*c, chk, 60);
  EXPECT_NE(c->engine(l).status().role, Role::leader) << "removed leader steps down";
  NodeId l2 = wait_leader(*c, chk);
  ASSERT_NE(l2, kNoNode);
  EXPECT_NE(l2, l);
  EXPECT_NE(l2, f);
  EXPECT_EQ(raft(*c, l2).config().members.size(), 2u);
  write(*c, l2, 5);
  run(*c, chk, 10);
  EXPECT_EQ(ok_completions(*c, l2), 5u);
  // Removed nodes stay quiet: no elections disturb the new configuration.
  const Epoch t = c->engine(l2).status().epoch;
  run(*c, chk, 100);
  EXPECT_EQ(c->leader(), l2);
  EXPECT_EQ(c->engine(l2).status().epoch, t);
}

TEST(RaftScenario, RemovedNodeThatMissedItsRemovalDoesNotDisrupt) {
  auto c = make_cluster(3);
  InvariantChecker chk(*c);
  NodeId l = wait_leader(*c, chk);
  NodeId gone = l == N(2) ? N(1) : N(2);
  c->isolate(gone);
  AdminCommand rm = admin_cmd(AdminCommand::Kind::remove_replica);
  rm.node = gone;
  ASSERT_TRUE(c->admin(l, rm).ok());
  run(*c, chk, 10);
  const Epoch t = c->engine(l).status().epoch;
  c->heal();
  run(*c, chk, 150);
  EXPECT_EQ(c->leader(), l);
  EXPECT_EQ(c->engine(l).status().epoch, t);
}

TEST(RaftScenario, LeaderTransfer) {
  auto c = make_cluster(3);
  InvariantChecker chk(*c);
  NodeId l = wait_leader(*c, chk);
  NodeId target = l == N(2) ? N(1) : N(2);
  c->cut(l, target);  // let the target fall behind first
  write(*c, l, 5);
  run(*c, chk, 1);
  c->heal();
  AdminCommand tr = admin_cmd(AdminCommand::Kind::transfer_leader);
  tr.node = target;
  ASSERT_TRUE(c->admin(l, tr).ok());
  c->propose(l, EngineCluster::make_proposal(1, 1));
  EXPECT_EQ(c->completions(l).back().code, errc::unavailable) << "no proposals during a transfer";
  run(*c, chk, 5);
  EXPECT_EQ(c->leader(), target);
  EXPECT_EQ(raft(*c, l).counters().transfers, 1);
  write(*c, target, 3);
  run(*c, chk, 5);
  EXPECT_EQ(ok_completions(*c, target), 3u);
  expect_converged(*c, c->nodes());
}

TEST(RaftScenario, SnapshotInstallToLaggingNode) {
  auto c = make_cluster(3);
  InvariantChecker chk(*c);
  NodeId l = wait_leader(*c, chk);
  NodeId lag = l == N(2) ? N(1) : N(2);
  crash(*c, chk, lag);
  write(*c, l, 30);
  run(*c, chk, 5);
  AdminCommand compact = admin_cmd(AdminCommand::Kind::compact);
  compact.offset = c->commit(l) - 5;
  for (NodeId n : c->nodes()) {
    if (c->up(n)) {
      ASSERT_TRUE(c->admin(n, compact).ok());
    }
  }
  const Offset start = c->store(l).log_start();
  EXPECT_EQ(start, compact.offset);
  c->restart(lag);
  write(*c, l, 3);
  run(*c, chk, 20);
  EXPECT_EQ(raft(*c, lag).counters().snapshots_installed, 1);
  EXPECT_EQ(raft(*c, l).counters().snapshots_sent, 1);
  EXPECT_EQ(c->store(lag).log_start(), start);
  EXPECT_EQ(c->snapshots(lag).installed, "upto=" + to_string(start));
  bool event = false;
  for (auto& e : c->events(lag)) event |= e.kind == Event::Kind::snapshot_installed;
  EXPECT_TRUE(event);
  expect_converged(*c, c->nodes());
  // The installed replica restarts from its snapshot and log tail.
  crash(*c, chk, lag);
  c->restart(lag);
  run(*c, chk, 10);
  expect_converged(*c, c->nodes());
}

TEST(RaftScenario, ResetMembersAfterMajorityLoss) {
  auto c = make_cluster(5);
  InvariantChecker chk(*c);
  NodeId l = wait_leader(*c, chk);
  write(*c, l, 5);
  run(*c, chk, 5);
  std::vector<NodeId> survivors;
  for (NodeId n : c->nodes()) {
    if (survivors.size() < 2 && n != l) {
      survivors.push_back(n);
    } else {
      crash(*c, chk, n);
    }
  }
  run(*c, chk, 60);
  EXPECT_EQ(c->leader(), kNoNode) << "two of five cannot elect";
  AdminCommand reset = admin_cmd(AdminCommand::Kind::reset_members);
  reset.members = survivors;
  for (NodeId n : survivors) ASSERT_TRUE(c->admin(n, reset).ok());
  bool loud = false;
  for (auto& e : c->events(survivors[0])) loud |= e.detail.find("UNSAFE") != std::string::npos;
  EXPECT_TRUE(loud);
  NodeId l2 = wait_leader(*c, chk);
  ASSERT_NE(l2, kNoNode);
  write(*c, l2, 3);
  run(*c, chk, 10);
  EXPECT_EQ(ok_completions(*c, l2), 3u);
  // The forced configuration survives a restart.
  crash(*c, chk, l2);
  c->restart(l2);
  EXPECT_EQ(raft(*c, l2).config().members, survivors);
}

}  // namespace
}  // namespace rb::raft::test
