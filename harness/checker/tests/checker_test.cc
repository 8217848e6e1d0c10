// One test per anomaly: each hand-made history has exactly the anomaly named and nothing else.
#include "harness/checker/checker.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "history_builder.h"
#include "replication/core/prng.h"

namespace rb::checker {
namespace {

using testing::clean_history;
using testing::History;
using testing::mid;

Verification run(const History& h, Guarantees g = {}) { return check(h.sorted_ops(), h.logs, g); }

// Every count except those listed is zero.
void expect_only(const Verification& v, std::initializer_list<std::pair<const char*, int64_t>> expected) {
  const auto j = v.to_json();
  for (const char* k :
       {"lost", "duplicated", "unexpected", "failed_landed", "vanished", "offset_conflicts", "reordered", "skipped",
        "divergent", "multi_leader", "unknown_landed", "unknown_lost", "undelivered"}) {
    int64_t want = 0;
    for (const auto& [name, n] : expected)
      if (std::string(name) == k) want = n;
    EXPECT_EQ(j[k].get<int64_t>(), want) << k << "\n" << j.dump(2);
  }
}

// Drops message `id` from every log and poll of `h`.
void erase_everywhere(History& h, MessageId id) {
  for (auto& op : h.ops) std::erase_if(op.delivered, [&](const DeliveredRecord& r) { return r.id == id; });
  for (auto& l : h.logs) std::erase_if(l.records, [&](const ReplicaLog::Record& r) { return r.id == id; });
}

TEST(Checker, CleanHistoryIsValid) {
  auto v = run(clean_history(50));
  EXPECT_TRUE(v.valid) << v.to_json().dump(2);
  EXPECT_TRUE(v.violations.empty());
  EXPECT_EQ(v.sends, 50);
  EXPECT_EQ(v.acked, 50);
  EXPECT_EQ(v.delivered, 50);
  EXPECT_EQ(v.deliveries, 50);
  expect_only(v, {});
}

TEST(Checker, EmptyHistoryIsValid) {
  auto v = check({}, {}, {});
  EXPECT_TRUE(v.valid);
  EXPECT_EQ(v.sends, 0);
  EXPECT_TRUE(v.availability.empty());
}

TEST(Checker, LostAcknowledgedMessageIsCaught) {
  History h = clean_history(20);
  erase_everywhere(h, mid(1, 7));
  // Offset 7 now holds nothing in the logs; shift nothing: a gap the consumer jumped over is not
  // data, so only the loss is reported.
  auto v = run(h);
  EXPECT_FALSE(v.valid);
  expect_only(v, {{"lost", 1}});
  ASSERT_EQ(v.lost_sample.size(), 1u);
  EXPECT_EQ(v.lost_sample[0], mid(1, 7));
  EXPECT_EQ(v.expected_loss, 0);
}

TEST(Checker, LossPermittedIsReportedAsExpected) {
  History h = clean_history(20);
  erase_everywhere(h, mid(1, 3));
  erase_everywhere(h, mid(1, 4));
  auto v = run(h, Guarantees{true, "acks=leader", false, ""});
  EXPECT_TRUE(v.valid) << v.to_json().dump(2);
  EXPECT_EQ(v.lost, 2);
  EXPECT_EQ(v.expected_loss, 2);
  EXPECT_EQ(v.to_json()["loss_why"], "acks=leader");
}

TEST(Checker, LostSampleIsCappedAtTenEarliestFirst) {
  History h = clean_history(30);
  for (int i = 29; i >= 5; --i) erase_everywhere(h, mid(1, i));
  auto v = run(h);
  EXPECT_EQ(v.lost, 25);
  ASSERT_EQ(v.lost_sample.size(), 10u);
  EXPECT_EQ(v.lost_sample.front(), mid(1, 5));
  EXPECT_EQ(v.lost_sample.back(), mid(1, 14));
}

TEST(Checker, AckedButOnlyDeliveredIsNotLost) {
  History h = clean_history(5);
  for (auto& l : h.logs) l.records.clear(), l.commit_end = Offset(0);  // logs know nothing
  auto v = run(h);
  EXPECT_EQ(v.lost, 0);
}

TEST(Checker, DuplicateAtTwoOffsetsIsCaught) {
  History h = clean_history(10);
  // A retried non-idempotent send wrote p1:s4 again at offset 10.
  for (auto& l : h.logs) {
    l.records.push_back({Offset(10), Epoch(1), mid(1, 4)});
    l.commit_end = Offset(11);
  }
  h.poll(100, 0, 500, {{10, 1, 4}});
  auto v = run(h);
  EXPECT_FALSE(v.valid);
  expect_only(v, {{"duplicated", 1}});
}

TEST(Checker, DuplicateDeliveryToOneConsumerIsCaughtWithTheRewind) {
  History h = clean_history(10);
  h.poll(100, 0, 500, {{9, 1, 9}});  // the consumer read offset 9 again
  auto v = run(h);
  EXPECT_FALSE(v.valid);
  expect_only(v, {{"duplicated", 1}, {"reordered", 1}});
}

TEST(Checker, DuplicatesPermittedWhenIdempotenceIsOff) {
  History h = clean_history(10);
  h.poll(100, 0, 500, {{9, 1, 9}});
  auto v = run(h, Guarantees{false, "", true, "idempotence off"});
  EXPECT_TRUE(v.valid) << v.to_json().dump(2);
  EXPECT_EQ(v.duplicated, 1);
}

TEST(Checker, SameMessageToTwoConsumersIsNotADuplicate) {
  History h = clean_history(10);
  std::vector<std::tuple<int64_t, uint64_t, uint64_t>> all;
  for (int i = 0; i < 10; ++i) all.emplace_back(i, 1, i);
  h.poll(200, 0, 500, all);  // a second subscription
  auto v = run(h);
  EXPECT_TRUE(v.valid) << v.to_json().dump(2);
  expect_only(v, {});
}

TEST(Checker, UnexpectedMessageIsCaught) {
  History h = clean_history(10);
  for (auto& l : h.logs) {
    l.records.push_back({Offset(10), Epoch(1), mid(9, 0)});
    l.commit_end = Offset(11);
  }
  h.poll(100, 0, 500, {{10, 9, 0}});
  auto v = run(h);
  EXPECT_FALSE(v.valid);
  expect_only(v, {{"unexpected", 1}});
}

TEST(Checker, FailedSendThatLandedIsCaught) {
  History h = clean_history(10);
  h.ops.erase(h.ops.begin() + 11);             // the ok of p1:s5 ...
  h.send(mid(1, 5), 0, OpType::fail, 52, 53);  // ... replaced by a failure (the first invoke has no completion)
  // Make the first attempt's outcome explicit too: it failed.
  HistoryOp f = h.ops[10];
  f.type = OpType::fail;
  f.time_ns += 1;
  h.ops.push_back(f);
  auto v = run(h);
  EXPECT_FALSE(v.valid);
  expect_only(v, {{"failed_landed", 1}});
}

TEST(Checker, VanishedDeliveryIsCaught) {
  History h = clean_history(10);
  for (auto& l : h.logs) {
    l.records.resize(8);  // offsets 8 and 9 truncated away after the consumer read them
    l.commit_end = Offset(8);
  }
  auto v = run(h);
  EXPECT_FALSE(v.valid);
  expect_only(v, {{"vanished", 2}});
  auto permitted = run(h, Guarantees{true, "unclean election", false, ""});
  EXPECT_TRUE(permitted.valid);
}

TEST(Checker, OffsetConflictBetweenConsumersIsCaught) {
  History h = clean_history(10);
  // Another consumer saw a different, never-committed message at offset 3.
  h.send(mid(2, 0), 0, OpType::info, 25, 900);
  h.poll(200, 0, 40, {{3, 2, 0}});
  auto v = run(h);
  EXPECT_FALSE(v.valid);
  expect_only(v, {{"offset_conflicts", 1}, {"vanished", 1}, {"unknown_landed", 1}});
}

TEST(Checker, ReorderedStreamIsCaught) {
  History h;
  for (int i = 0; i < 4; ++i) h.send(mid(1, i), 0, OpType::ok, i, i + 1, i);
  h.poll(100, 0, 10, {{0, 1, 0}, {2, 1, 2}, {1, 1, 1}, {3, 1, 3}});
  h.log(0, 0, 4, {{0, 1, 1, 0}, {1, 1, 1, 1}, {2, 1, 1, 2}, {3, 1, 1, 3}});
  auto v = run(h);
  EXPECT_FALSE(v.valid);
  // 0 -> 2 skips offset 1 (data), 2 -> 1 goes backwards; 1 -> 3 skips 2, which was already read
  // by this consumer but is still data jumped over in stream order.
  expect_only(v, {{"reordered", 1}, {"skipped", 2}});
}

TEST(Checker, SkippedDataRecordIsCaught) {
  History h = clean_history(10);
  for (auto& op : h.ops) std::erase_if(op.delivered, [](const DeliveredRecord& r) { return r.offset == Offset(5); });
  auto v = run(h);
  EXPECT_FALSE(v.valid);
  expect_only(v, {{"skipped", 1}, {"undelivered", 1}});
}

TEST(Checker, GapOverNonDataRecordsIsAllowed) {
  History h;
  // Offsets 2 and 3 hold engine records (e.g. a new leader's no-op): not listed as data.
  h.send(mid(1, 0), 0, OpType::ok, 0, 1, 0).send(mid(1, 1), 0, OpType::ok, 1, 2, 1);
  h.send(mid(1, 2), 0, OpType::ok, 2, 9, 4, 1, 2);
  h.poll(100, 0, 10, {{0, 1, 0}, {1, 1, 1}, {4, 1, 2}});
  for (uint32_t n = 0; n < 3; ++n) h.log(n, 0, 5, {{0, 1, 1, 0}, {1, 1, 1, 1}, {4, 2, 1, 2}});
  auto v = run(h);
  EXPECT_TRUE(v.valid) << v.to_json().dump(2);
  expect_only(v, {});
}

TEST(Checker, DivergentReplicasAreCaught) {
  History h = clean_history(10);
  h.logs[2].records[6].id = mid(3, 3);  // node 2 committed something else at offset 6
  h.logs[2].records[6].epoch = Epoch(2);
  auto v = run(h);
  EXPECT_FALSE(v.valid);
  // Node 2's record conflicts with nodes 0 and 1 (one position) and with the delivery at 6,
  // and it carries an identity nobody sent.
  EXPECT_EQ(v.divergent, 1);
  EXPECT_EQ(v.offset_conflicts, 1);
  EXPECT_EQ(v.unexpected, 1);
}

TEST(Checker, MissingRecordInsideCommonPrefixIsDivergence) {
  History h = clean_history(10);
  h.logs[1].records.erase(h.logs[1].records.begin() + 4);
  auto v = run(h);
  EXPECT_FALSE(v.valid);
  expect_only(v, {{"divergent", 1}});
}

TEST(Checker, LaggingReplicaIsNotDivergent) {
  History h = clean_history(10);
  h.logs[2].records.resize(6);
  h.logs[2].commit_end = Offset(6);
  h.logs[2].records.push_back({Offset(6), Epoch(1), mid(7, 7)});  // uncommitted tail: ignored
  auto v = run(h);
  EXPECT_TRUE(v.valid) << v.to_json().dump(2);
  expect_only(v, {});
}

TEST(Checker, TwoLeadersInOneEpochAreCaught) {
  History h;
  h.send(mid(1, 0), 0, OpType::ok, 0, 1, 0, /*node=*/0, /*epoch=*/3);
  h.send(mid(1, 1), 0, OpType::ok, 1, 2, 1, /*node=*/1, /*epoch=*/3);
  h.poll(100, 0, 10, {{0, 1, 0}, {1, 1, 1}});
  auto v = run(h);
  EXPECT_FALSE(v.valid);
  expect_only(v, {{"multi_leader", 1}});
}

TEST(Checker, LeaderClaimAndAckInOneEpochAreCaught) {
  History h = clean_history(3);
  h.leader(0, 2, 1, 5);  // node 2 claims epoch 1 while node 0 acknowledges in it
  auto v = run(h);
  EXPECT_FALSE(v.valid);
  expect_only(v, {{"multi_leader", 1}});
}

TEST(Checker, LeadersInDifferentEpochsAreFine) {
  History h;
  h.send(mid(1, 0), 0, OpType::ok, 0, 1, 0, 0, 3);
  h.send(mid(1, 1), 0, OpType::ok, 1, 2, 1, 1, 4);
  h.leader(0, 1, 4, 1);
  h.send(mid(1, 2), 1, OpType::ok, 1, 2, 0, 1, 3);  // another partition, same epoch number
  h.poll(100, 0, 10, {{0, 1, 0}, {1, 1, 1}});
  h.poll(100, 1, 10, {{0, 1, 2}});
  auto v = run(h);
  EXPECT_TRUE(v.valid) << v.to_json().dump(2);
}

TEST(Checker, UnknownOutcomesLandedAndLost) {
  History h = clean_history(4);
  h.send(mid(2, 0), 0, OpType::info, 50, 60);   // timed out, but landed at offset 4
  h.send(mid(2, 1), 0, OpType::invoke, 51, 0);  // never answered, never landed
  h.send(mid(2, 2), 0, OpType::info, 52, 62);   // timed out, never landed
  for (auto& l : h.logs) {
    l.records.push_back({Offset(4), Epoch(1), mid(2, 0)});
    l.commit_end = Offset(5);
  }
  h.poll(100, 0, 70, {{4, 2, 0}});
  auto v = run(h);
  EXPECT_TRUE(v.valid) << v.to_json().dump(2);
  expect_only(v, {{"unknown_landed", 1}, {"unknown_lost", 2}});
  EXPECT_EQ(v.unknown, 3);
}

TEST(Checker, RetryAfterTimeoutThatSucceedsIsAcked) {
  History h = clean_history(3);
  h.send(mid(2, 0), 0, OpType::info, 50, 60);
  h.send(mid(2, 0), 0, OpType::ok, 61, 62, 3);
  for (auto& l : h.logs) {
    l.records.push_back({Offset(3), Epoch(1), mid(2, 0)});
    l.commit_end = Offset(4);
  }
  h.poll(100, 0, 70, {{3, 2, 0}});
  auto v = run(h);
  EXPECT_TRUE(v.valid);
  EXPECT_EQ(v.acked, 4);
  EXPECT_EQ(v.unknown, 0);
}

TEST(Checker, UndeliveredIsInformational) {
  History h = clean_history(10);
  for (auto& op : h.ops) std::erase_if(op.delivered, [](const DeliveredRecord& r) { return r.offset >= Offset(7); });
  auto v = run(h);
  EXPECT_TRUE(v.valid);
  expect_only(v, {{"undelivered", 3}});
}

TEST(Checker, ExamplesDescribeAnomalies) {
  History h = clean_history(10);
  erase_everywhere(h, mid(1, 2));
  auto v = run(h);
  ASSERT_FALSE(v.examples.empty());
  EXPECT_NE(v.examples[0].find("p1:s2"), std::string::npos) << v.examples[0];
  ASSERT_FALSE(v.violations.empty());
  EXPECT_NE(v.violations[0].find("lost"), std::string::npos);
}

TEST(Checker, JsonHasEveryCount) {
  auto j = run(clean_history(3)).to_json();
  for (const char* k : {"valid",
                        "violations",
                        "loss_permitted",
                        "duplicates_permitted",
                        "sends",
                        "acked",
                        "failed",
                        "unknown",
                        "delivered",
                        "lost",
                        "expected_loss",
                        "lost_sample",
                        "duplicated",
                        "unexpected",
                        "failed_landed",
                        "vanished",
                        "offset_conflicts",
                        "reordered",
                        "skipped",
                        "divergent",
                        "multi_leader",
                        "unknown_landed",
                        "unknown_lost",
                        "undelivered",
                        "availability"})
    EXPECT_TRUE(j.contains(k)) << k;
}

TEST(Checker, GuaranteesFollowTheConfig) {
  ReplicationConfig c;
  auto strict = guarantees_for(c);
  EXPECT_FALSE(strict.loss_permitted);
  EXPECT_FALSE(strict.duplicates_permitted);
  c.acks = AckLevel::leader;
  c.idempotence = false;
  auto loose = guarantees_for(c);
  EXPECT_TRUE(loose.loss_permitted);
  EXPECT_EQ(loose.loss_why, "acks=leader");
  EXPECT_TRUE(loose.duplicates_permitted);
}

// A large clean history over several partitions, producers and consumers with `k` injected
// losses: the checker must find exactly those, quickly.
TEST(Checker, LargeRandomHistoryFindsExactlyTheInjectedLosses) {
  for (uint64_t seed : {1u, 2u}) {
    SCOPED_TRACE("seed=" + std::to_string(seed));
    Prng rng(seed);
    const uint32_t partitions = 8;
    const int n = 50'000;
    std::vector<HistoryOp> ops;
    std::vector<ReplicaLog> logs(partitions * 3);
    std::vector<int64_t> next_offset(partitions, 0);
    std::vector<HistoryOp> pending_polls(partitions);
    for (uint32_t p = 0; p < partitions; ++p) {
      for (uint32_t r = 0; r < 3; ++r) {
        logs[p * 3 + r].node = NodeId(r);
        logs[p * 3 + r].partition = PartitionId(p);
      }
      pending_polls[p].type = OpType::ok;
      pending_polls[p].f = OpFn::poll;
      pending_polls[p].process = 1000 + p;
      pending_polls[p].partition = PartitionId(p);
    }
    std::vector<MessageId> victims;
    for (int i = 0; i < n; ++i) {
      const uint32_t p = static_cast<uint32_t>(rng.below(partitions));
      const MessageId id = mid(1 + rng.below(4), static_cast<uint64_t>(i));
      const Offset off(next_offset[p]++);
      HistoryOp inv;
      inv.f = OpFn::send;
      inv.time_ns = i * 1000;
      inv.process = id.producer.value();
      inv.partition = PartitionId(p);
      inv.id = id;
      ops.push_back(inv);
      HistoryOp ok = inv;
      ok.type = OpType::ok;
      ok.time_ns += 500;
      ok.offset = off;
      ok.node = NodeId(0);
      ok.epoch = Epoch(1);
      ops.push_back(ok);
      const bool victim = rng.chance(0.0005);
      if (victim) {
        victims.push_back(id);
        continue;  // acknowledged, then gone: not in the logs, never delivered
      }
      for (uint32_t r = 0; r < 3; ++r) logs[p * 3 + r].records.push_back({off, Epoch(1), id});
      pending_polls[p].delivered.push_back({off, id});
      if (pending_polls[p].delivered.size() == 64) {
        pending_polls[p].time_ns = ok.time_ns + 1;
        ops.push_back(pending_polls[p]);
        pending_polls[p].delivered.clear();
      }
    }
    for (uint32_t p = 0; p < partitions; ++p) {
      pending_polls[p].time_ns = n * 1000 + 1;
      ops.push_back(pending_polls[p]);
      for (uint32_t r = 0; r < 3; ++r) logs[p * 3 + r].commit_end = Offset(next_offset[p]);
    }
    auto v = check(ops, logs, {});
    EXPECT_EQ(v.sends, n);
    EXPECT_EQ(v.lost, static_cast<int64_t>(victims.size()));
    EXPECT_EQ(v.valid, victims.empty());
    // The holes the victims left are not data in the final log, so no skip is reported.
    EXPECT_EQ(v.skipped, 0);
    EXPECT_EQ(v.duplicated + v.unexpected + v.divergent + v.offset_conflicts + v.reordered, 0);
  }
}

}  // namespace
}  // namespace rb::checker
