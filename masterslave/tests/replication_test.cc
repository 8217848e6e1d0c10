// Replication, acknowledgement and commit in sync and async modes, without failover.
#include "masterslave/tests/cluster_fixture.h"

namespace rb::masterslave::test {
namespace {

TEST(Replication, InitialMasterIsFirstReplicaInEpochOne) {
  Harness h(small_config());
  EXPECT_EQ(h.c().leader(), N0);
  for (NodeId n : {N0, N1, N2}) {
    auto s = h.c().engine(n).status();
    EXPECT_EQ(s.leader, N0);
    EXPECT_EQ(s.epoch, Epoch{1});
  }
}

TEST(Replication, SyncWriteIsAckedReplicatedAndCommittedEverywhere) {
  Harness h(small_config(Replication::sync));
  h.write(N0, 1, 3);
  const Completion* c = h.completion(N0, 1);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->code, errc::ok);
  EXPECT_EQ(c->base_offset, Offset{0});
  EXPECT_EQ(c->epoch, Epoch{1});
  h.c().run_ticks(5);  // the next heartbeat carries the commit to the slaves
  for (NodeId n : {N0, N1, N2}) {
    EXPECT_EQ(h.c().store(n).log_end(), Offset{3}) << n;
    EXPECT_EQ(h.c().commit(n), Offset{3}) << n;
  }
  auto s = h.c().engine(N0).status();
  ASSERT_EQ(s.followers.size(), 2u);
  for (const auto& f : s.followers) {
    EXPECT_EQ(f.match, Offset{2});
    EXPECT_EQ(f.lag, 0);
    EXPECT_TRUE(f.in_sync);
  }
}

TEST(Replication, SyncOneAcksWhenOneSlaveConfirms) {
  Harness h(small_config(Replication::sync, Failover::manual, SyncAcks::one));
  h.c().cut(N0, N2);
  h.write(N0, 1);
  ASSERT_NE(h.completion(N0, 1), nullptr);
  EXPECT_EQ(h.completion(N0, 1)->code, errc::ok);
  EXPECT_EQ(h.c().store(N2).log_end(), Offset{0});
  EXPECT_EQ(h.c().commit(N0), Offset{1});  // one slave confirmed: committed in sync_acks=one
}

TEST(Replication, SyncAllWaitsForEverySlaveThenTimesOut) {
  Harness h(small_config(Replication::sync, Failover::manual, SyncAcks::all));
  h.c().cut(N0, N2);
  h.write(N0, 1);
  EXPECT_EQ(h.completion(N0, 1), nullptr) << "N1 alone must not satisfy sync_acks=all";
  EXPECT_EQ(h.c().commit(N0), Offset{0});
  h.c().run_ticks(100);
  const Completion* c = h.completion(N0, 1);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->code, errc::timeout);
  EXPECT_NE(c->detail.find("FLUSH_SLAVE_TIMEOUT"), std::string::npos);
  EXPECT_EQ(h.c().store(N0).log_end(), Offset{1}) << "the record stays in the master's log";
}

TEST(Replication, SyncAllAcksOnceEverySlaveConfirms) {
  Harness h(small_config(Replication::sync, Failover::manual, SyncAcks::all));
  h.write(N0, 1, 2);
  ASSERT_NE(h.completion(N0, 1), nullptr);
  EXPECT_EQ(h.completion(N0, 1)->code, errc::ok);
  EXPECT_EQ(h.c().commit(N0), Offset{2});
}

TEST(Replication, SyncWithoutConnectedSlaveFailsAtOnceButStoresOnMaster) {
  Harness h(small_config(Replication::sync));
  h.c().crash(N1);
  h.c().crash(N2);
  h.c().run_ticks(25);  // past housekeeping: the master drops both slaves
  h.c().propose(N0, testing::EngineCluster::make_proposal(1, 2));
  const Completion* c = h.completion(N0, 1);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->code, errc::not_enough_replicas);
  EXPECT_NE(c->detail.find("SLAVE_NOT_AVAILABLE"), std::string::npos);
  EXPECT_EQ(h.c().store(N0).log_end(), Offset{2});
  EXPECT_EQ(h.c().commit(N0), Offset{0}) << "sync commit needs a slave confirmation";
  EXPECT_EQ(h.counter(N0, "slave_not_available"), 1);
}

TEST(Replication, SyncTimeoutWhenPushesNeverArrive) {
  Harness h(small_config(Replication::sync));
  h.c().cut(N0, N1);
  h.c().cut(N0, N2);
  h.write(N0, 1);
  h.c().run_ticks(99);
  EXPECT_EQ(h.completion(N0, 1), nullptr);
  h.c().run_ticks(1);
  ASSERT_NE(h.completion(N0, 1), nullptr);
  EXPECT_EQ(h.completion(N0, 1)->code, errc::timeout);
  EXPECT_EQ(h.counter(N0, "sync_timeouts"), 1);
}

TEST(Replication, AsyncAcksAfterMasterWriteAndSlavesCatchUpLater) {
  Harness h(small_config(Replication::async), common_config(AckLevel::leader));
  h.c().cut(N0, N1);
  h.c().cut(N0, N2);
  h.write(N0, 1, 4, AckLevel::leader);
  ASSERT_NE(h.completion(N0, 1), nullptr);
  EXPECT_EQ(h.completion(N0, 1)->code, errc::ok);
  EXPECT_EQ(h.c().commit(N0), Offset{4}) << "async commit is the master's persisted end";
  EXPECT_EQ(h.c().store(N1).log_end(), Offset{0});
  h.c().heal();
  h.c().run_ticks(10);  // the heartbeat shows the gap; the slaves re-report; the stream restarts
  for (NodeId n : {N1, N2}) {
    EXPECT_EQ(h.sequences(n), h.sequences(N0)) << n;
    EXPECT_EQ(h.c().commit(n), Offset{4}) << n;
  }
}

TEST(Replication, AcksLeaderWaitsForMastersOwnPersistedWrite) {
  Harness h(small_config(Replication::sync));
  h.c().auto_persist = false;
  h.c().propose(N0, testing::EngineCluster::make_proposal(1, 1, 16, AckLevel::leader));
  h.c().deliver_all();
  EXPECT_EQ(h.completion(N0, 1), nullptr);
  h.c().persist(N0);
  ASSERT_NE(h.completion(N0, 1), nullptr);
  EXPECT_EQ(h.completion(N0, 1)->code, errc::ok);
}

TEST(Replication, SyncNeedsBothMasterPersistAndSlaveConfirmation) {
  Harness h(small_config(Replication::sync));
  h.c().auto_persist = false;
  h.c().propose(N0, testing::EngineCluster::make_proposal(1, 1));
  h.c().deliver_all();
  h.c().persist(N1);  // the slave persists and reports
  h.c().deliver_all();
  EXPECT_EQ(h.completion(N0, 1), nullptr) << "the master's own write is not persisted yet";
  EXPECT_EQ(h.c().commit(N0), Offset{0});
  h.c().persist(N0);
  ASSERT_NE(h.completion(N0, 1), nullptr);
  EXPECT_EQ(h.completion(N0, 1)->code, errc::ok);
  EXPECT_EQ(h.c().commit(N0), Offset{1});
}

TEST(Replication, SlaveReportsOnlyPersistedOffsets) {
  Harness h(small_config(Replication::sync));
  h.c().auto_persist = false;
  h.c().propose(N0, testing::EngineCluster::make_proposal(1, 1));
  h.c().persist(N0);
  h.c().deliver_all();
  EXPECT_EQ(h.completion(N0, 1), nullptr) << "no slave persisted yet";
  h.c().persist(N2);
  h.c().deliver_all();
  ASSERT_NE(h.completion(N0, 1), nullptr);
  EXPECT_EQ(h.completion(N0, 1)->code, errc::ok);
}

TEST(Replication, AcksNoneCompletesOnReceipt) {
  Harness h(small_config(Replication::sync));
  h.c().auto_persist = false;
  h.c().propose(N0, testing::EngineCluster::make_proposal(1, 1, 16, AckLevel::none));
  ASSERT_NE(h.completion(N0, 1), nullptr);
  EXPECT_EQ(h.completion(N0, 1)->code, errc::ok);
  EXPECT_EQ(h.completion(N0, 1)->base_offset, Offset{0});
}

TEST(Replication, SlaveCatchesUpFromItsReportedOffsetAfterBeingCutOff) {
  Harness h(small_config(Replication::sync));
  h.write(N0, 1, 3);
  h.c().isolate(N2);
  for (uint64_t id = 2; id <= 6; ++id) h.write(N0, id, 2);
  h.c().run_ticks(30);  // N2 is dropped by housekeeping
  EXPECT_EQ(h.c().store(N2).log_end(), Offset{3});
  EXPECT_GE(h.counter(N0, "slave_disconnects"), 1);
  h.c().heal();
  // Deliver step by step and look at the first push to N2: it starts at N2's reported end.
  bool saw_push = false;
  for (int t = 0; t < 20 && !saw_push; ++t) {
    h.c().tick_all();
    h.c().process_all();
    while (!h.c().in_flight().empty()) {
      const PeerMessage& m = h.c().in_flight().front();
      if (m.to == N2 && m.kind == to_wire(MsgKind::push) && !saw_push) {
        saw_push = true;
        EXPECT_EQ(m.offset, Offset{3});
      }
      h.c().deliver_one();
    }
  }
  EXPECT_TRUE(saw_push);
  h.c().run_ticks(10);
  EXPECT_EQ(h.sequences(N2), h.sequences(N0));
  EXPECT_EQ(h.c().store(N2).log_end(), Offset{13});
}

TEST(Replication, SlaveRejectsProposalsWithMasterHint) {
  Harness h(small_config());
  h.c().propose(N1, testing::EngineCluster::make_proposal(1, 1));
  const Completion* c = h.completion(N1, 1);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->code, errc::not_leader);
  EXPECT_EQ(c->leader_hint, N0);
}

TEST(Replication, LingerHoldsPartialBatchesUntilTimerFires) {
  ReplicationConfig common = common_config();
  common.batching.linger_ticks = 3;
  common.batching.max_entries = 4;
  Harness h(small_config(), common);
  h.write(N0, 1, 2);
  EXPECT_EQ(h.c().store(N1).log_end(), Offset{0}) << "a partial batch lingers";
  h.write(N0, 2, 2);
  EXPECT_EQ(h.c().store(N1).log_end(), Offset{4}) << "a full batch leaves at once";
  h.write(N0, 3, 1);
  h.c().run_ticks(3);
  EXPECT_EQ(h.c().store(N1).log_end(), Offset{5});
  EXPECT_EQ(h.completion(N0, 3)->code, errc::ok);
}

TEST(Replication, CompactDropsOnlyCommittedPrefix) {
  Harness h(small_config());
  h.write(N0, 1, 5);
  h.c().cut(N0, N1);
  h.c().cut(N0, N2);
  h.write(N0, 2, 5);  // not committed
  auto s = h.c().admin(N0, AdminCommand{.kind = AdminCommand::Kind::compact, .offset = Offset{8}});
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(h.c().store(N0).log_start(), Offset{5});
}

}  // namespace
}  // namespace rb::masterslave::test
