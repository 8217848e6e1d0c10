// Failover: manual promotion, the watchdog, split brain, epochs and truncation on rejoin.
#include <set>

#include "masterslave/tests/cluster_fixture.h"

namespace rb::masterslave::test {
namespace {

// Records acknowledged (ok) at node `acked_at` that are missing from `log`.
int64_t acked_records_missing(Harness& h, NodeId acked_at, const Entries& log) {
  std::set<int64_t> present;
  for (const auto& e : log) present.insert(e.sequence);
  int64_t missing = 0;
  for (const auto& c : h.c().completions(acked_at)) {
    if (c.code != errc::ok) continue;
    for (int64_t seq : h.sequences_of(c.id.value())) missing += present.count(seq) == 0;
  }
  return missing;
}

TEST(ManualFailover, WritesFailUntilAnOperatorPromotesASlave) {
  Harness h(small_config(Replication::sync));
  h.write(N0, 1, 2);
  h.c().crash(N0);
  h.c().run_ticks(300);  // far past any timeout: manual mode never promotes by itself
  EXPECT_TRUE(h.c().leaders().empty());
  h.c().propose(N1, testing::EngineCluster::make_proposal(2, 1));
  const Completion* c = h.completion(N1, 2);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->code, errc::not_leader);
  EXPECT_EQ(c->leader_hint, N0) << "the hint is the last known master";

  ASSERT_TRUE(h.promote(N1).ok());
  h.c().deliver_all();
  EXPECT_EQ(h.c().leader(), N1);
  EXPECT_EQ(h.c().engine(N1).status().epoch, Epoch{2});
  EXPECT_EQ(h.c().engine(N2).status().leader, N1);
  EXPECT_EQ(h.count_events(N1, Event::Kind::failover), 1u);
  h.write(N1, 3, 1);
  c = h.completion(N1, 3);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->code, errc::ok);
  EXPECT_EQ(c->base_offset, Offset{2});
  EXPECT_EQ(c->epoch, Epoch{2});
  EXPECT_EQ(h.sequences(N2), h.sequences(N1));
}

TEST(ManualFailover, SyncModeLosesNoAcknowledgedRecordWhenTheConfirmingSlaveIsPromoted) {
  Harness h(small_config(Replication::sync, Failover::manual, SyncAcks::one));
  h.write(N0, 1, 3);
  h.c().cut(N0, N2);  // N2 lags; only N1 confirms from here on
  for (uint64_t id = 2; id <= 5; ++id) h.write(N0, id, 2);
  for (uint64_t id = 1; id <= 5; ++id) ASSERT_EQ(h.completion(N0, id)->code, errc::ok);
  h.c().crash(N0);
  h.c().heal();
  ASSERT_TRUE(h.promote(N1).ok());
  h.c().run_ticks(10);
  EXPECT_EQ(acked_records_missing(h, N0, h.log(N1)), 0);
  EXPECT_EQ(h.c().store(N1).log_end(), Offset{11});
  EXPECT_EQ(h.sequences(N2), h.sequences(N1)) << "the lagging slave catches up from the new master";
}

TEST(ManualFailover, AsyncModeLosesTheUnreplicatedAcknowledgedTailAndCountsIt) {
  Harness h(small_config(Replication::async), common_config(AckLevel::leader));
  h.write(N0, 1, 5, AckLevel::leader);
  h.c().cut(N0, N1);
  h.c().cut(N0, N2);
  for (uint64_t id = 2; id <= 4; ++id) h.write(N0, id, 1, AckLevel::leader);
  for (uint64_t id = 1; id <= 4; ++id) ASSERT_EQ(h.completion(N0, id)->code, errc::ok);
  EXPECT_EQ(h.c().commit(N0), Offset{8}) << "async: consumers could read the tail that is about to be lost";
  h.c().crash(N0);
  h.c().heal();
  ASSERT_TRUE(h.promote(N1).ok());
  h.c().run_ticks(10);
  const int64_t lost = acked_records_missing(h, N0, h.log(N1));
  EXPECT_EQ(lost, 3) << "the acknowledged records that never reached a slave are gone";

  // The old master comes back as a slave and drops its divergent tail (epoch handshake).
  h.write(N1, 10, 2, AckLevel::leader);
  h.c().restart(N0);
  h.c().run_ticks(10);
  EXPECT_EQ(h.c().engine(N0).status().role, Role::follower);
  EXPECT_EQ(h.c().engine(N0).status().leader, N1);
  EXPECT_EQ(h.sequences(N0), h.sequences(N1));
  EXPECT_EQ(h.count_events(N0, Event::Kind::truncated), 1u);
  EXPECT_EQ(h.counter(N0, "truncated_records"), 3);
}

TEST(ManualFailover, RestartedMasterWaitsToHearAMaster) {
  Harness h(small_config(Replication::sync));
  h.write(N0, 1, 1);
  h.c().crash(N0);
  h.c().restart(N0);
  h.c().run_ticks(50);
  auto s = h.c().engine(N0).status();
  EXPECT_EQ(s.role, Role::follower);
  EXPECT_EQ(s.leader, kNoNode);
  h.c().propose(N0, testing::EngineCluster::make_proposal(2, 1));
  ASSERT_NE(h.completion(N0, 2), nullptr);
  EXPECT_EQ(h.completion(N0, 2)->code, errc::not_leader);
  EXPECT_NE(h.completion(N0, 2)->detail.find("promote"), std::string::npos);
  ASSERT_TRUE(h.promote(N0).ok());
  h.c().deliver_all();
  // Ballot epochs: replica 0 uses 1, 4, 7, ... so it never shares an epoch with another master.
  EXPECT_EQ(h.c().engine(N0).status().epoch, Epoch{4});
  h.write(N0, 3, 1);
  EXPECT_EQ(h.completion(N0, 3)->code, errc::ok);
}

TEST(ManualFailover, IsolatedOldMasterStepsDownAndTruncatesToTheNewMastersLog) {
  // Sync replication with acks=leader: the old master acks on its own write.
  Harness h(small_config(Replication::sync), common_config(AckLevel::leader));
  h.write(N0, 1, 2, AckLevel::leader);
  h.c().isolate(N0);
  h.write(N0, 2, 3, AckLevel::leader);  // only on N0
  ASSERT_EQ(h.completion(N0, 2)->code, errc::ok);
  ASSERT_TRUE(h.promote(N1).ok());  // the operator promotes while N0 is cut off
  h.c().deliver_all();
  h.write(N1, 3, 4, AckLevel::leader);
  EXPECT_EQ(h.c().leaders().size(), 2u);
  h.c().heal();
  h.c().run_ticks(10);
  EXPECT_EQ(h.c().leader(), N1);
  EXPECT_EQ(h.sequences(N0), h.sequences(N1));
  EXPECT_EQ(h.c().store(N0).log_end(), Offset{6});
  EXPECT_EQ(h.counter(N0, "step_downs"), 1);
  EXPECT_EQ(h.counter(N0, "truncated_acked_records"), 3);
  bool saw_loss = false;
  for (const auto& e : h.c().events(N0)) saw_loss = saw_loss || e.kind == Event::Kind::data_loss;
  EXPECT_TRUE(saw_loss);
}

TEST(ManualFailover, StepDownFailsPendingSyncWritesWithNotLeader) {
  Harness h(small_config(Replication::sync));
  h.c().cut(N0, N1);
  h.c().cut(N0, N2);
  h.write(N0, 1, 1);
  EXPECT_EQ(h.completion(N0, 1), nullptr);
  ASSERT_TRUE(h.promote(N1).ok());
  h.c().heal();
  h.c().run_ticks(6);
  ASSERT_NE(h.completion(N0, 1), nullptr);
  EXPECT_EQ(h.completion(N0, 1)->code, errc::not_leader);
  EXPECT_EQ(h.completion(N0, 1)->leader_hint, N1);
}

TEST(ManualFailover, PromotedSlaveBehindAnAbdicatedEpochLeadsAboveIt) {
  Harness h(small_config(Replication::sync));
  h.c().crash(N0);
  h.c().crash(N1);  // N1 knows only epoch 1
  ASSERT_TRUE(h.promote(N2).ok());
  EXPECT_EQ(h.c().engine(N2).status().epoch, Epoch{3});
  h.c().crash(N2);
  h.c().restart(N2);  // was master of 3; comes back masterless
  h.c().restart(N1);
  ASSERT_TRUE(h.promote(N1).ok());  // epoch 2 < 3: N2 answers stale_epoch, "nobody leads 3"
  h.c().run_ticks(10);
  EXPECT_EQ(h.c().leader(), N1);
  EXPECT_EQ(h.c().engine(N1).status().epoch, Epoch{5});
  EXPECT_EQ(h.c().engine(N2).status().leader, N1);
  EXPECT_EQ(h.counter(N1, "epoch_raises"), 1);
  h.write(N1, 1, 1);
  ASSERT_NE(h.completion(N1, 1), nullptr);
  EXPECT_EQ(h.completion(N1, 1)->code, errc::ok);
}

TEST(Watchdog, SlavePromotesItselfAfterMissingHeartbeats) {
  Harness h(small_config(Replication::sync, Failover::watchdog));
  h.write(N0, 1, 2);
  h.c().crash(N0);
  h.c().run_ticks(49);
  EXPECT_TRUE(h.c().leaders().empty());
  h.c().run_ticks(10);  // N1's limit is 50 + 1 * 5 ticks; N2's 60
  EXPECT_EQ(h.c().leader(), N1);
  EXPECT_EQ(h.c().engine(N2).status().leader, N1);
  EXPECT_EQ(h.counter(N1, "watchdog_promotions"), 1);
  EXPECT_EQ(h.counter(N2, "watchdog_promotions"), 0);
  h.write(N1, 2, 1);
  ASSERT_NE(h.completion(N1, 2), nullptr);
  EXPECT_EQ(h.completion(N1, 2)->code, errc::ok);
  EXPECT_EQ(h.sequences(N2), h.sequences(N1));
}

TEST(Watchdog, PartitionGivesTwoMastersAndHealTruncatesTheOldMastersWrites) {
  Harness h(small_config(Replication::async, Failover::watchdog), common_config(AckLevel::leader));
  h.write(N0, 1, 3, AckLevel::leader);
  h.c().run_ticks(5);
  h.c().isolate(N0);
  h.c().run_ticks(60);
  // Split brain: both sides have a master, and both accept writes.
  auto leaders = h.c().leaders();
  ASSERT_EQ(leaders.size(), 2u);
  EXPECT_EQ(leaders[0], N0);
  EXPECT_EQ(leaders[1], N1);
  for (uint64_t id = 10; id < 14; ++id) h.write(N0, id, 1, AckLevel::leader);
  for (uint64_t id = 20; id < 22; ++id) h.write(N1, id, 1, AckLevel::leader);
  for (uint64_t id = 10; id < 14; ++id) EXPECT_EQ(h.completion(N0, id)->code, errc::ok);
  for (uint64_t id = 20; id < 22; ++id) EXPECT_EQ(h.completion(N1, id)->code, errc::ok);

  h.c().heal();
  h.c().run_ticks(10);
  EXPECT_EQ(h.c().leader(), N1);
  EXPECT_EQ(h.sequences(N0), h.sequences(N1));
  EXPECT_EQ(h.sequences(N2), h.sequences(N1));
  // The 4 records N0 acknowledged during the split are gone, and the loss is reported.
  EXPECT_EQ(acked_records_missing(h, N0, h.log(N1)), 4);
  EXPECT_EQ(h.counter(N0, "truncated_acked_records"), 4);
  EXPECT_EQ(h.count_events(N0, Event::Kind::data_loss), 1u);
}

TEST(Epochs, MessagesFromAnOlderMasterAreRejected) {
  Harness h(small_config(Replication::sync));
  ASSERT_TRUE(h.promote(N1).ok());
  h.c().deliver_all();
  // A push in epoch 1 from N0 arriving late at N2 is refused with stale_epoch.
  PeerMessage m{.from = N0, .to = N2, .kind = to_wire(MsgKind::push), .epoch = Epoch{1}, .offset = Offset{0}};
  h.c().engine(N2).receive(m);
  h.c().process(N2);
  bool saw_stale = false;
  for (const auto& f : h.c().in_flight())
    saw_stale = saw_stale || (f.to == N0 && f.kind == to_wire(MsgKind::stale_epoch) && f.epoch == Epoch{2});
  EXPECT_TRUE(saw_stale);
  EXPECT_EQ(h.c().store(N2).log_end(), Offset{0});
}

}  // namespace
}  // namespace rb::masterslave::test
