// Unit tests of the pure pieces (quorum arithmetic, inflights, progress, configurations), the
// factory, and engine features beyond the paper: ack levels, redirects, parallel leader append,
// batching with linger, flow control and fast back-off.
#include "raft/inflights.h"
#include "raft/membership.h"
#include "raft/progress.h"
#include "raft/quorum.h"
#include "raft/tests/raft_test_util.h"

namespace rb::raft::test {
namespace {

TEST(Quorum, CommittedIndexIsTheMajorityMatch) {
  EXPECT_EQ(committed_index({}), Offset{-1});
  EXPECT_EQ(committed_index({Offset{4}}), Offset{4});
  EXPECT_EQ(committed_index({Offset{5}, Offset{3}, Offset{1}}), Offset{3});
  EXPECT_EQ(committed_index({Offset{5}, Offset{-1}}), Offset{-1});
  EXPECT_EQ(committed_index({Offset{9}, Offset{2}, Offset{7}, Offset{7}, Offset{1}}), Offset{7});
}

TEST(Quorum, TallyWinsLosesOrWaits) {
  std::vector<NodeId> v = ids(3);
  EXPECT_EQ(tally(v, {{N(0), true}}), VoteResult::pending);
  EXPECT_EQ(tally(v, {{N(0), true}, {N(1), true}}), VoteResult::won);
  EXPECT_EQ(tally(v, {{N(0), true}, {N(1), false}, {N(2), false}}), VoteResult::lost);
  EXPECT_EQ(tally(v, {{N(0), true}, {N(7), true}}), VoteResult::pending) << "non-voters do not count";
  EXPECT_EQ(tally({N(0)}, {{N(0), true}}), VoteResult::won);
}

TEST(Inflights, BoundedByCountAndBytes) {
  Inflights in(3, 100);
  in.add(Offset{1}, 10);
  in.add(Offset{3}, 10);
  EXPECT_FALSE(in.full());
  in.add(Offset{5}, 10);
  EXPECT_TRUE(in.full());
  in.free_le(Offset{3});
  EXPECT_EQ(in.count(), 1u);
  EXPECT_EQ(in.bytes(), 10u);
  in.add(Offset{9}, 95);
  EXPECT_TRUE(in.full()) << "byte budget";
  in.free_le(Offset{100});
  EXPECT_EQ(in.count(), 0u);
}

TEST(Progress, ProbeBacksOffAndIgnoresStaleRejections) {
  Progress pr(4, 0);
  pr.next = Offset{10};
  pr.probe_sent = true;
  EXPECT_FALSE(pr.maybe_decr_to(Offset{5}, Offset{3})) << "not the outstanding probe";
  EXPECT_TRUE(pr.maybe_decr_to(Offset{9}, Offset{3}));
  EXPECT_EQ(pr.next, Offset{4});
  EXPECT_FALSE(pr.paused());
  EXPECT_TRUE(pr.maybe_update(Offset{6}));
  pr.become_replicate();
  EXPECT_EQ(pr.next, Offset{7});
  EXPECT_FALSE(pr.maybe_decr_to(Offset{6}, Offset{0})) << "rejection below match is stale";
}

TEST(Membership, ConfigRoundTripsAndHistoryReverts) {
  Config c;
  c.members = {N(3), N(1), N(2)};
  c.learners = {N(4), N(1)};
  c.normalize();
  auto d = decode_config(encode_config(c));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, c);
  EXPECT_TRUE(d->is_voter(N(1)));
  EXPECT_FALSE(d->is_learner(N(1)));
  EXPECT_FALSE(decode_config("garbage").ok());

  ConfigHistory h(Config{{N(0)}, {}}, Offset{0});
  h.add(Offset{5}, Config{{N(0), N(1)}, {}});
  h.add(Offset{9}, Config{{N(1)}, {}});
  EXPECT_EQ(h.at(Offset{6}).members.size(), 2u);
  h.truncate(Offset{9});
  EXPECT_EQ(h.current().members.size(), 2u);
  h.compact(Offset{7});
  EXPECT_EQ(h.base().members.size(), 2u);
  auto b = decode_base(encode_base(h));
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->first, Offset{7});
}

TEST(Factory, KnobsParseValidateAndPrint) {
  auto f = make_factory();
  EXPECT_EQ(f->mode(), "raft");
  EXPECT_TRUE(f->set("election_ticks", "40").ok());
  EXPECT_TRUE(f->set("heartbeat_ticks", "4").ok());
  EXPECT_TRUE(f->set("pre_vote", "false").ok());
  EXPECT_EQ(f->set("nope", "1").code(), errc::invalid_config);
  EXPECT_EQ(f->set("election_ticks", "x").code(), errc::invalid_config);
  ReplicationConfig common;
  EXPECT_TRUE(f->validate(common).ok());
  EXPECT_TRUE(f->set("heartbeat_ticks", "40").ok());
  EXPECT_EQ(f->validate(common).code(), errc::invalid_config) << "election must exceed heartbeat";
  auto s = f->settings();
  EXPECT_EQ(s[0], (std::pair<std::string, std::string>{"election_ticks", "40"}));
  common.fsync.mode = FsyncMode::never;
  auto na = f->not_applicable(common);
  bool says_all = false, says_fsync = false;
  for (auto& line : na) {
    says_all |= line.find("acks=all") != std::string::npos;
    says_fsync |= line.find("fsync=never") != std::string::npos;
  }
  EXPECT_TRUE(says_all);
  EXPECT_TRUE(says_fsync);
}

TEST(Propose, FollowerRedirectsWithLeaderHint) {
  auto c = make_cluster(3);
  elect(*c, N(0));
  c->propose(N(1), EngineCluster::make_proposal(5, 1));
  ASSERT_EQ(c->completions(N(1)).size(), 1u);
  EXPECT_EQ(c->completions(N(1))[0].code, errc::not_leader);
  EXPECT_EQ(c->completions(N(1))[0].leader_hint, N(0));
}

TEST(Propose, AckLevelsCompleteAtTheirPoint) {
  auto c = make_cluster(3);
  elect(*c, N(0));
  c->run_ticks(2);
  c->auto_persist = false;
  c->propose(N(0), EngineCluster::make_proposal(1, 1, 16, AckLevel::none));
  c->propose(N(0), EngineCluster::make_proposal(2, 1, 16, AckLevel::leader));
  c->propose(N(0), EngineCluster::make_proposal(3, 1, 16, AckLevel::quorum));
  c->propose(N(0), EngineCluster::make_proposal(4, 1, 16, AckLevel::all));
  auto& done = c->completions(N(0));
  ASSERT_EQ(done.size(), 1u) << "ack=none completes at once";
  EXPECT_EQ(done[0].id, RequestId{1});
  EXPECT_EQ(done[0].base_offset, Offset{1});
  c->persist(N(0));
  ASSERT_EQ(done.size(), 2u) << "ack=leader completes after the leader's own persist";
  EXPECT_EQ(done[1].id, RequestId{2});
  c->deliver_all();
  c->persist(N(1));
  c->deliver_all();
  ASSERT_EQ(done.size(), 4u) << "quorum and all complete on commit";
  EXPECT_EQ(done[3].base_offset, Offset{4});
  EXPECT_EQ(done[3].epoch, Epoch{1});
}

// The leader sends to followers while its own write is in flight; it counts itself only after
// persisted(), so with its disk slow two followers commit the entry.
TEST(Propose, ParallelLeaderAppend) {
  auto c = make_cluster(3);
  elect(*c, N(0));
  c->run_ticks(2);
  c->auto_persist = false;
  const Offset before = c->commit(N(0));
  c->propose(N(0), EngineCluster::make_proposal(1, 3));
  size_t appends = 0;
  for (auto& m : c->in_flight()) appends += m.kind == to_wire(MsgKind::append) && !m.entries.empty();
  EXPECT_EQ(appends, 2u) << "appends leave before the leader's own write is durable";
  c->deliver_all();
  c->persist(N(1));
  c->deliver_all();
  EXPECT_EQ(c->commit(N(0)), before) << "leader counted itself before persisted()";
  c->persist(N(2));
  c->deliver_all();
  EXPECT_EQ(c->commit(N(0)), before + 3) << "two persisted followers are a majority";
  EXPECT_LT(c->store(N(0)).durable_end(), c->store(N(0)).log_end());
  EXPECT_EQ(c->engine(N(0)).status().durable_end, before);
}

TEST(Replication, LingerBatchesProposalsIntoOneMessage) {
  Knobs k;
  k.linger = 3;
  auto c = make_cluster(3, k);
  elect(*c, N(0));
  c->run_ticks(2);
  c->in_flight().clear();
  c->propose(N(0), EngineCluster::make_proposal(1, 1));
  c->propose(N(0), EngineCluster::make_proposal(2, 1));
  EXPECT_TRUE(take(*c, MsgKind::append, N(0)).empty()) << "held for linger";
  c->tick(N(0), 3);
  auto apps = take(*c, MsgKind::append, N(0));
  ASSERT_EQ(apps.size(), 2u);
  EXPECT_EQ(apps[0].entries.size(), 2u);
}

TEST(Replication, InflightWindowBoundsThePipeline) {
  Knobs k;
  k.max_inflight = 2;
  auto c = make_cluster(3, k);
  elect(*c, N(0));
  c->run_ticks(2);
  c->cut(N(1), N(0));  // acks from 1 are lost
  for (int i = 0; i < 10; ++i) c->propose(N(0), EngineCluster::make_proposal(static_cast<uint64_t>(i), 1));
  EXPECT_EQ(take(*c, MsgKind::append, N(0), N(1)).size(), 2u);
  EXPECT_EQ(c->engine(N(0)).status().log_end.value(), 11);
}

TEST(Replication, FastBackOffSkipsDivergentTermsInFewRoundTrips) {
  auto c = make_cluster(3);
  std::vector<uint64_t> leader(60, 1), follower(10, 1);
  for (int i = 0; i < 50; ++i) leader[10 + i] = 3;
  follower.resize(60, 2);
  install_state(*c, N(0), log_of(leader), 3);
  install_state(*c, N(2), log_of(leader), 3);
  install_state(*c, N(1), log_of(follower), 3);
  elect(*c, N(0), true);
  c->run_ticks(3);
  EXPECT_EQ(terms_of(*c, N(1)), terms_of(*c, N(0)));
  EXPECT_LE(raft(*c, N(0)).counters().append_rejects, 3);
}

TEST(Replication, CompactOnlyCommittedPrefix) {
  auto c = make_cluster(3);
  elect(*c, N(0));
  for (int i = 0; i < 5; ++i) c->propose(N(0), EngineCluster::make_proposal(static_cast<uint64_t>(i), 2));
  c->deliver_all();
  const Offset commit = c->commit(N(0));
  AdminCommand cmd = admin_cmd(AdminCommand::Kind::compact);
  cmd.offset = Offset{1000};
  ASSERT_TRUE(c->admin(N(0), cmd).ok());
  EXPECT_EQ(c->store(N(0)).log_start(), commit);
  EXPECT_EQ(raft(*c, N(0)).counters().compactions, 1);
}

TEST(Admin, ShutdownStopsServing) {
  auto c = make_cluster(3);
  elect(*c, N(0));
  ASSERT_TRUE(c->admin(N(0), admin_cmd(AdminCommand::Kind::shutdown)).ok());
  EXPECT_EQ(c->engine(N(0)).status().role, Role::stopped);
  c->propose(N(0), EngineCluster::make_proposal(1, 1));
  EXPECT_EQ(c->completions(N(0)).back().code, errc::unavailable);
}

}  // namespace
}  // namespace rb::raft::test
