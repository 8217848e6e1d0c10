// One test per claim of the Raft paper (Ongaro & Ousterhout, "In Search of an Understandable
// Consensus Algorithm", 2014), named as etcd-io/raft's raft_paper_test.go names them. Each drives
// engines through EngineCluster with explicit messages and checks what they send and store.
// Paper behaviour is tested with pre-vote and check-quorum off unless a test says otherwise.
#include "raft/tests/raft_test_util.h"

namespace rb::raft::test {
namespace {

Knobs paper() {
  Knobs k;
  k.pre_vote = false;
  k.check_quorum = false;
  k.fixed_timeout = 10;
  return k;
}

void deliver(EngineCluster& c, const PeerMessage& m) {
  c.engine(m.to).receive(m);
  c.process(m.to);
}

PeerMessage app(NodeId from, NodeId to, uint64_t term, int64_t prev, uint64_t prev_term, Entries es = {},
                int64_t commit = 0) {
  PeerMessage m = msg(MsgKind::append, from, to, term);
  m.offset = Offset{prev};
  m.log_epoch = Epoch{prev_term};
  m.entries = std::move(es);
  m.commit = Offset{commit};
  return m;
}

// §5.1: a server that sees a larger term adopts it and reverts to follower.
TEST(RaftPaper, FollowerUpdateTermFromMessage) {
  auto c = make_cluster(3, paper());
  deliver(*c, app(N(2), N(1), 2, -1, 0));
  auto s = c->engine(N(1)).status();
  EXPECT_EQ(s.epoch, Epoch{2});
  EXPECT_EQ(s.role, Role::follower);
  EXPECT_EQ(s.leader, N(2));
}

TEST(RaftPaper, CandidateUpdateTermFromMessage) {
  auto c = make_cluster(3, paper());
  ASSERT_TRUE(c->admin(N(0), admin_cmd(AdminCommand::Kind::promote)).ok());
  ASSERT_EQ(c->engine(N(0)).status().role, Role::candidate);
  c->in_flight().clear();
  PeerMessage hb = msg(MsgKind::heartbeat, N(2), N(0), 2);
  deliver(*c, hb);
  auto s = c->engine(N(0)).status();
  EXPECT_EQ(s.epoch, Epoch{2});
  EXPECT_EQ(s.role, Role::follower);
  EXPECT_EQ(s.leader, N(2));
}

TEST(RaftPaper, LeaderUpdateTermFromMessage) {
  auto c = make_cluster(3, paper());
  elect(*c, N(0), true);
  ASSERT_EQ(c->engine(N(0)).status().role, Role::leader);
  deliver(*c, app(N(1), N(0), 2, -1, 0));
  auto s = c->engine(N(0)).status();
  EXPECT_EQ(s.epoch, Epoch{2});
  EXPECT_EQ(s.role, Role::follower);
  EXPECT_EQ(s.leader, N(1));
}

// §5.1: a request with a stale term is rejected (and the sender learns the newer term).
TEST(RaftPaper, RejectStaleTermMessage) {
  Knobs k = paper();
  k.check_quorum = true;
  auto c = make_cluster(3, k);
  install_state(*c, N(1), log_of({1, 2}), 2);
  c->in_flight().clear();
  deliver(*c, app(N(0), N(1), 1, 1, 2, {entry(2, 1)}));
  EXPECT_EQ(terms_of(*c, N(1)), (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(c->engine(N(1)).status().epoch, Epoch{2});
  auto resp = take(*c, MsgKind::append_resp, N(1), N(0));
  ASSERT_EQ(resp.size(), 1u);
  EXPECT_EQ(resp[0].epoch, Epoch{2});
}

// §5.2: servers begin as followers.
TEST(RaftPaper, StartAsFollower) {
  auto c = make_cluster(3, paper());
  for (NodeId n : c->nodes()) {
    auto s = c->engine(n).status();
    EXPECT_EQ(s.role, Role::follower);
    EXPECT_EQ(s.epoch, Epoch{0});
    EXPECT_EQ(s.leader, kNoNode);
  }
}

// §5.2: a leader sends empty AppendEntries (heartbeats) to all followers periodically.
TEST(RaftPaper, LeaderBcastBeat) {
  auto c = make_cluster(3, paper());
  elect(*c, N(0), true);
  c->in_flight().clear();
  c->tick(N(0), 2);
  auto hbs = take(*c, MsgKind::heartbeat, N(0));
  ASSERT_EQ(hbs.size(), 2u);
  std::set<NodeId> to;
  for (auto& m : hbs) {
    EXPECT_TRUE(m.entries.empty());
    EXPECT_EQ(m.epoch, Epoch{1});
    to.insert(m.to);
  }
  EXPECT_EQ(to, (std::set<NodeId>{N(1), N(2)}));
}

// §5.2: on election timeout a follower increments its term, votes for itself and asks every
// other server for its vote.
TEST(RaftPaper, FollowerStartElection) {
  auto c = make_cluster(3, paper());
  c->tick(N(1), 10);
  auto s = c->engine(N(1)).status();
  EXPECT_EQ(s.epoch, Epoch{1});
  EXPECT_EQ(s.role, Role::candidate);
  EXPECT_EQ(raft(*c, N(1)).vote(), N(1));
  auto votes = take(*c, MsgKind::vote, N(1));
  ASSERT_EQ(votes.size(), 2u);
  for (auto& m : votes) EXPECT_EQ(m.epoch, Epoch{1});
}

// §5.2: a candidate whose election times out starts a new one in a new term.
TEST(RaftPaper, CandidateStartNewElection) {
  auto c = make_cluster(3, paper());
  c->tick(N(1), 10);
  c->in_flight().clear();
  c->tick(N(1), 10);
  auto s = c->engine(N(1)).status();
  EXPECT_EQ(s.epoch, Epoch{2});
  EXPECT_EQ(s.role, Role::candidate);
  auto votes = take(*c, MsgKind::vote, N(1));
  ASSERT_EQ(votes.size(), 2u);
  for (auto& m : votes) EXPECT_EQ(m.epoch, Epoch{2});
}

// §5.2: a candidate wins with a majority, loses to a majority of rejections, and otherwise
// keeps waiting.
TEST(RaftPaper, LeaderElectionInOneRoundRPC) {
  struct Case {
    int size;
    std::map<uint32_t, bool> votes;
    Role want;
  };
  std::vector<Case> cases = {
      {1, {}, Role::leader},
      {3, {{1, true}, {2, true}}, Role::leader},
      {3, {{1, true}}, Role::leader},
      {5, {{1, true}, {2, true}, {3, true}, {4, true}}, Role::leader},
      {5, {{1, true}, {2, true}}, Role::leader},
      {3, {}, Role::candidate},
      {3, {{1, false}}, Role::candidate},
      {5, {{1, true}}, Role::candidate},
      {5, {{1, false}, {2, false}}, Role::candidate},
      {3, {{1, false}, {2, false}}, Role::follower},
      {5, {{1, false}, {2, false}, {3, false}}, Role::follower},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE("case " + std::to_string(i));
    auto c = make_cluster(cases[i].size, paper());
    ASSERT_TRUE(c->admin(N(0), admin_cmd(AdminCommand::Kind::promote)).ok());
    c->in_flight().clear();
    for (auto [from, granted] : cases[i].votes) {
      PeerMessage r = msg(MsgKind::vote_resp, N(from), N(0), 1);
      r.reject = !granted;
      deliver(*c, r);
    }
    EXPECT_EQ(c->engine(N(0)).status().role, cases[i].want);
    EXPECT_EQ(c->engine(N(0)).status().epoch, Epoch{1});
  }
}

// §5.2: each server votes for at most one candidate per term, first come first served.
TEST(RaftPaper, FollowerVote) {
  struct Case {
    NodeId vote;
    uint32_t candidate;
    bool reject;
  };
  std::vector<Case> cases = {{kNoNode, 1, false}, {kNoNode, 2, false}, {N(1), 1, false},
                             {N(2), 2, false},    {N(1), 2, true},     {N(2), 1, true}};
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE("case " + std::to_string(i));
    auto c = make_cluster(3, paper());
    install_state(*c, N(0), {}, 1, cases[i].vote);
    PeerMessage v = msg(MsgKind::vote, N(cases[i].candidate), N(0), 1);
    v.offset = Offset{-1};
    deliver(*c, v);
    auto r = take(*c, MsgKind::vote_resp, N(0));
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0].reject, cases[i].reject);
    EXPECT_EQ(raft(*c, N(0)).vote(), cases[i].reject ? cases[i].vote : N(cases[i].candidate));
  }
}

// §5.2: a candidate that hears from a leader of its term (or a later one) becomes its follower.
TEST(RaftPaper, CandidateFallback) {
  for (uint64_t term : {1, 2}) {
    SCOPED_TRACE("term " + std::to_string(term));
    auto c = make_cluster(3, paper());
    ASSERT_TRUE(c->admin(N(0), admin_cmd(AdminCommand::Kind::promote)).ok());
    ASSERT_EQ(c->engine(N(0)).status().role, Role::candidate);
    deliver(*c, app(N(1), N(0), term, -1, 0));
    auto s = c->engine(N(0)).status();
    EXPECT_EQ(s.role, Role::follower);
    EXPECT_EQ(s.epoch, Epoch{term});
    EXPECT_EQ(s.leader, N(1));
  }
}

// §5.2: election timeouts are chosen randomly from [T, 2T).
TEST(RaftPaper, FollowerElectionTimeoutRandomized) {
  Knobs k = paper();
  k.fixed_timeout = 0;
  auto c = make_cluster(3, k);
  std::set<int> seen;
  uint64_t term = 0;
  for (int round = 0; round < 60; ++round) {
    int ticks = 0;
    while (c->engine(N(1)).status().epoch.value() == term) {
      c->tick(N(1));
      ++ticks;
      ASSERT_LT(ticks, 100);
    }
    EXPECT_GE(ticks, 10);
    EXPECT_LT(ticks, 20);
    seen.insert(ticks);
    term = c->engine(N(1)).status().epoch.value() + 1;
    c->in_flight().clear();
    deliver(*c, msg(MsgKind::heartbeat, N(2), N(1), term));  // back to follower, timer reset
  }
  EXPECT_GT(seen.size(), 5u);
}

// §5.2: randomization makes it unlikely that two followers time out together.
TEST(RaftPaper, FollowersElectionTimeoutNonconflict) {
  Knobs k = paper();
  k.fixed_timeout = 0;
  auto c = make_cluster(5, k);
  int conflicts = 0;
  const int rounds = 400;
  for (int r = 1; r <= rounds; ++r) {
    uint32_t best = UINT32_MAX;
    int at_best = 0;
    for (NodeId n : c->nodes()) {
      deliver(*c, msg(MsgKind::heartbeat, N(9), n, static_cast<uint64_t>(r)));  // resets the timer
      uint32_t t = raft(*c, n).election_timeout();
      if (t < best) {
        best = t;
        at_best = 1;
      } else if (t == best) {
        ++at_best;
      }
    }
    c->in_flight().clear();
    if (at_best > 1) ++conflicts;
  }
  EXPECT_LE(conflicts, rounds * 3 / 10);
}

// §5.3: the leader appends a proposal to its log and sends AppendEntries with the preceding
// entry's index and term to every follower, in parallel with its own write.
TEST(RaftPaper, LeaderStartReplication) {
  auto c = make_cluster(3, paper());
  elect(*c, N(0), true);
  const Offset end = c->store(N(0)).log_end();
  c->propose(N(0), EngineCluster::make_proposal(1, 1));
  auto apps = take(*c, MsgKind::append, N(0));
  ASSERT_EQ(apps.size(), 2u);
  for (auto& m : apps) {
    EXPECT_EQ(m.offset, end.prev());
    EXPECT_EQ(m.log_epoch, Epoch{1});
    ASSERT_EQ(m.entries.size(), 1u);
    EXPECT_EQ(m.entries[0].offset, end);
    EXPECT_EQ(m.entries[0].epoch, Epoch{1});
  }
  EXPECT_EQ(c->store(N(0)).log_end(), end.next());
}

// §5.3: once committed, an entry is reported to the client and the commit index is passed on.
TEST(RaftPaper, LeaderCommitEntry) {
  auto c = make_cluster(3, paper());
  elect(*c, N(0), true);
  c->propose(N(0), EngineCluster::make_proposal(7, 1));
  c->deliver_all();
  EXPECT_EQ(c->commit(N(0)), Offset{2});
  ASSERT_EQ(c->completions(N(0)).size(), 1u);
  EXPECT_EQ(c->completions(N(0))[0].code, errc::ok);
  EXPECT_EQ(c->completions(N(0))[0].base_offset, Offset{1});
  EXPECT_EQ(c->completions(N(0))[0].epoch, Epoch{1});
  for (NodeId f : {N(1), N(2)}) EXPECT_EQ(c->commit(f), Offset{2});
}

// §5.3: an entry is committed once the leader has replicated it on a majority.
TEST(RaftPaper, LeaderAcknowledgeCommit) {
  struct Case {
    int size;
    std::set<uint32_t> acceptors;
    bool commit;
  };
  std::vector<Case> cases = {{1, {}, true},     {3, {}, false},       {3, {1}, true},
                             {3, {1, 2}, true}, {5, {}, false},       {5, {1}, false},
                             {5, {1, 2}, true}, {5, {1, 2, 3}, true}, {5, {1, 2, 3, 4}, true}};
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE("case " + std::to_string(i));
    auto c = make_cluster(cases[i].size, paper());
    elect(*c, N(0), true);
    c->propose(N(0), EngineCluster::make_proposal(1, 1));
    const Offset li = c->store(N(0)).log_end().prev();
    for (auto& m : take(*c, MsgKind::append, N(0)))
      if (cases[i].acceptors.count(m.to.value())) deliver(*c, m);
    c->deliver_all();
    EXPECT_EQ(c->commit(N(0)) > li, cases[i].commit);
  }
}

// §5.3: committing an entry also commits all preceding entries, including earlier terms'.
TEST(RaftPaper, LeaderCommitPrecedingEntries) {
  for (auto terms : std::vector<std::vector<uint64_t>>{{}, {2}, {1, 1}, {1, 2}}) {
    auto c = make_cluster(3, paper());
    for (NodeId n : c->nodes()) install_state(*c, n, log_of(terms), 2);
    elect(*c, N(0), true);
    c->propose(N(0), EngineCluster::make_proposal(1, 1));
    c->deliver_all();
    EXPECT_EQ(c->commit(N(0)), Offset{static_cast<int64_t>(terms.size()) + 2});
  }
}

// §5.3: a follower applies entries once it learns they are committed.
TEST(RaftPaper, FollowerCommitEntry) {
  auto c = make_cluster(3, paper());
  deliver(*c, app(N(0), N(1), 1, -1, 0, {entry(0, 1), entry(1, 1)}, 1));
  EXPECT_EQ(c->commit(N(1)), Offset{1});
  deliver(*c, app(N(0), N(1), 1, 1, 1, {}, 2));
  EXPECT_EQ(c->commit(N(1)), Offset{2});
  // The commit never runs past what this append proved to match.
  deliver(*c, app(N(0), N(1), 1, 1, 1, {entry(2, 1)}, 9));
  EXPECT_EQ(c->commit(N(1)), Offset{3});
}

// §5.3: a follower refuses entries whose preceding index/term it does not hold; the rejection
// carries a hint that lets the leader skip a whole conflicting term.
TEST(RaftPaper, FollowerCheckMsgApp) {
  struct Case {
    uint64_t prev_term;
    int64_t prev;
    bool reject;
    int64_t hint;
    uint64_t hint_term;
  };
  std::vector<Case> cases = {
      {0, -1, false, 0, 0}, {1, 0, false, 0, 0}, {2, 1, false, 0, 0}, {1, 1, true, 0, 1}, {3, 2, true, 1, 2}};
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE("case " + std::to_string(i));
    auto c = make_cluster(3, paper());
    install_state(*c, N(1), log_of({1, 2}), 2);
    deliver(*c, app(N(0), N(1), 2, cases[i].prev, cases[i].prev_term));
    auto r = take(*c, MsgKind::append_resp, N(1), N(0));
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0].reject, cases[i].reject);
    EXPECT_EQ(r[0].offset, Offset{cases[i].prev});
    if (cases[i].reject) {
      EXPECT_EQ(r[0].hint, Offset{cases[i].hint});
      EXPECT_EQ(r[0].hint_epoch, Epoch{cases[i].hint_term});
    }
  }
}

// §5.3: a follower deletes a conflicting entry and all after it, then appends the new ones;
// it acknowledges only once they are persisted.
TEST(RaftPaper, FollowerAppendEntries) {
  struct Case {
    int64_t prev;
    uint64_t prev_term;
    Entries entries;
    std::vector<uint64_t> want;
  };
  std::vector<Case> cases = {{1, 2, {entry(2, 3)}, {1, 2, 3}},
                             {0, 1, {entry(1, 3), entry(2, 4)}, {1, 3, 4}},
                             {-1, 0, {entry(0, 1)}, {1, 2}},
                             {-1, 0, {entry(0, 3)}, {3}}};
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE("case " + std::to_string(i));
    auto c = make_cluster(3, paper());
    install_state(*c, N(1), log_of({1, 2}), 2);
    c->auto_persist = false;
    deliver(*c, app(N(0), N(1), 4, cases[i].prev, cases[i].prev_term, cases[i].entries));
    EXPECT_EQ(terms_of(*c, N(1)), cases[i].want);
    const bool wrote = cases[i].want != std::vector<uint64_t>{1, 2};
    for (auto& r : take(*c, MsgKind::append_resp, N(1)))
      EXPECT_LT(r.offset, c->store(N(1)).durable_end()) << "acknowledged before persisted";
    c->persist(N(1));
    auto late = take(*c, MsgKind::append_resp, N(1));
    if (wrote) {
      ASSERT_EQ(late.size(), 1u);
      EXPECT_EQ(late[0].offset, Offset{static_cast<int64_t>(cases[i].want.size()) - 1});
    }
  }
}

// §5.3 Figure 7: whatever a follower's log looks like, the leader makes it identical to its own.
TEST(RaftPaper, LeaderSyncFollowerLog) {
  const std::vector<uint64_t> leader = {1, 1, 1, 4, 4, 5, 5, 6, 6, 6};
  const std::vector<std::vector<uint64_t>> followers = {
      {1, 1, 1, 4, 4, 5, 5, 6, 6},          {1, 1, 1, 4},          {1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6},
      {1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7}, {1, 1, 1, 4, 4, 4, 4}, {1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3}};
  for (size_t i = 0; i < followers.size(); ++i) {
    SCOPED_TRACE("follower " + std::string(1, static_cast<char>('a' + i)));
    auto c = make_cluster(3, paper());
    install_state(*c, N(0), log_of(leader), 7);
    install_state(*c, N(1), log_of(followers[i]), 7);
    install_state(*c, N(2), log_of(leader), 7);
    elect(*c, N(0), true);
    ASSERT_EQ(c->engine(N(0)).status().role, Role::leader);
    c->run_ticks(4);
    std::vector<uint64_t> want = leader;
    want.push_back(8);  // the new leader's no-op
    EXPECT_EQ(terms_of(*c, N(0)), want);
    EXPECT_EQ(terms_of(*c, N(1)), want);
    EXPECT_EQ(c->commit(N(1)), Offset{static_cast<int64_t>(want.size())});
  }
}

// §5.4.1: RequestVote carries the candidate's last log index and term.
TEST(RaftPaper, VoteRequest) {
  auto c = make_cluster(3, paper());
  install_state(*c, N(0), log_of({1, 2}), 2);
  c->tick(N(0), 10);
  auto votes = take(*c, MsgKind::vote, N(0));
  ASSERT_EQ(votes.size(), 2u);
  for (auto& m : votes) {
    EXPECT_EQ(m.epoch, Epoch{3});
    EXPECT_EQ(m.offset, Offset{1});
    EXPECT_EQ(m.log_epoch, Epoch{2});
  }
}

// §5.4.1: a voter denies its vote when its own log is more up to date than the candidate's.
TEST(RaftPaper, Voter) {
  struct Case {
    std::vector<uint64_t> log;
    int64_t last;
    uint64_t last_term;
    bool reject;
  };
  std::vector<Case> cases = {{{1}, 0, 1, false},    {{1}, 1, 1, false},    {{1, 1}, 0, 1, true},  {{1, 1}, 1, 1, false},
                             {{1, 1}, 2, 1, false}, {{1}, 0, 2, false},    {{1, 2}, 0, 1, true},  {{1, 2}, 1, 1, true},
                             {{1, 2}, 2, 1, true},  {{1, 2}, 0, 3, false}, {{1, 2}, 1, 2, false}, {{1, 2}, 0, 2, true}};
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE("case " + std::to_string(i));
    auto c = make_cluster(3, paper());
    install_state(*c, N(1), log_of(cases[i].log), 2);
    PeerMessage v = msg(MsgKind::vote, N(0), N(1), 3);
    v.offset = Offset{cases[i].last};
    v.log_epoch = Epoch{cases[i].last_term};
    deliver(*c, v);
    auto r = take(*c, MsgKind::vote_resp, N(1));
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0].reject, cases[i].reject);
  }
}

// §5.4.2 (Figure 8): a leader commits by counting replicas only entries of its own term.
TEST(RaftPaper, LeaderOnlyCommitsLogFromCurrentTerm) {
  auto c = make_cluster(3, paper());
  for (NodeId n : c->nodes()) install_state(*c, n, log_of({1, 2}), 2);
  ASSERT_TRUE(c->admin(N(0), admin_cmd(AdminCommand::Kind::promote)).ok());
  for (auto& v : take(*c, MsgKind::vote, N(0))) deliver(*c, v);
  for (auto& r : take(*c, MsgKind::vote_resp)) deliver(*c, r);
  ASSERT_EQ(c->engine(N(0)).status().role, Role::leader);
  c->in_flight().clear();  // the no-op's appends are lost
  PeerMessage ack = msg(MsgKind::append_resp, N(1), N(0), 3);
  ack.offset = Offset{1};  // the follower has the term-2 entries only
  deliver(*c, ack);
  EXPECT_EQ(c->commit(N(0)), Offset{0}) << "an old-term entry committed by counting";
  ack.offset = Offset{2};  // ... and now the term-3 no-op
  deliver(*c, ack);
  EXPECT_EQ(c->commit(N(0)), Offset{3});
}

}  // namespace
}  // namespace rb::raft::test
