// Unit tests of the ISR arithmetic: caught-up time, high watermark, divergence and truncation.
#include "isr/replica_rules.h"

#include <gtest/gtest.h>

#include "replication/storage/mem_log_store.h"

namespace rb::isr {
namespace {

const NodeId n1{1}, n2{2};

// A store holding one record per epoch in `epochs` (offsets from 0).
MemLogStore make_log(const std::vector<uint64_t>& epochs) {
  MemLogStore s;
  Entries es;
  for (size_t i = 0; i < epochs.size(); ++i) {
    Entry e;
    e.offset = Offset{static_cast<int64_t>(i)};
    e.epoch = Epoch{epochs[i]};
    es.push_back(e);
  }
  EXPECT_TRUE(s.append(es).ok());
  return s;
}

TEST(FetchState, FetchAtTheLeaderEndIsCaughtUpNow) {
  ReplicaState r;
  update_fetch_state(r, Offset{10}, Offset{10}, 100);
  EXPECT_EQ(r.last_caught_up_tick, 100);
  EXPECT_TRUE(is_caught_up(r, Offset{12}, 150, 50));
  EXPECT_FALSE(is_caught_up(r, Offset{12}, 151, 50));
  EXPECT_TRUE(is_caught_up(r, Offset{10}, 10'000, 50));  // at the end: always caught up
}

TEST(FetchState, ReachingThePreviousLeaderEndCountsThePreviousFetchTime) {
  ReplicaState r;
  update_fetch_state(r, Offset{5}, Offset{10}, 100);  // behind
  EXPECT_EQ(r.last_caught_up_tick, kNeverTick);
  update_fetch_state(r, Offset{10}, Offset{14}, 120);  // reached the end the leader had at 100
  EXPECT_EQ(r.last_caught_up_tick, 100);
  update_fetch_state(r, Offset{13}, Offset{20}, 140);  // did not reach 14
  EXPECT_EQ(r.last_caught_up_tick, 100);
}

TEST(HighWatermark, IsTheMinimumOverTheIsrAndCaughtUpFollowers) {
  std::map<NodeId, ReplicaState> f;
  f[n1].leo = Offset{7};
  f[n1].last_caught_up_tick = 0;
  f[n2].leo = Offset{3};
  f[n2].last_caught_up_tick = kNeverTick;  // lagging, not in the ISR: ignored
  HwInputs in{Offset{2}, Offset{9}, Offset{9}, &f, {NodeId{0}, n1}, 2, 2, 10, 100};
  EXPECT_EQ(compute_high_watermark(in), Offset{7});
  // A caught-up follower outside the ISR holds the HW back, so it can join (Kafka).
  f[n2].last_caught_up_tick = 5;
  EXPECT_EQ(compute_high_watermark(in), Offset{3});
  // The leader's own counted (durable) end bounds it too.
  in.leader_counted_end = Offset{2};
  EXPECT_EQ(compute_high_watermark(in), Offset{2});
}

TEST(HighWatermark, DoesNotAdvanceBelowMinIsrAndNeverMovesBack) {
  std::map<NodeId, ReplicaState> f;
  f[n1].leo = Offset{1};
  HwInputs in{Offset{4}, Offset{9}, Offset{9}, &f, {NodeId{0}}, 1, 2, 10, 100};
  EXPECT_EQ(compute_high_watermark(in), Offset{4});  // strict min ISR
  in.min_isr = 1;
  EXPECT_EQ(compute_high_watermark(in), Offset{9});
  in.maximal_isr = {NodeId{0}, n1};
  EXPECT_EQ(compute_high_watermark(in), Offset{4});  // min would be 1: never back
  f[n1].leo = Offset{-1};                            // unknown end (new leader): holds the HW
  EXPECT_EQ(compute_high_watermark(in), Offset{4});
}

TEST(Divergence, LeaderDetectsAFollowerPastTheEndOfItsEpoch) {
  MemLogStore leader = make_log({1, 1, 2, 2, 4});
  LogView lv(&leader);
  EXPECT_FALSE(check_divergence(lv, Offset{4}, Epoch{2}).has_value());  // a prefix
  EXPECT_FALSE(check_divergence(lv, Offset{0}, Epoch{0}).has_value());
  auto d = check_divergence(lv, Offset{3}, Epoch{1});  // follower has 3 records of epoch 1
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->epoch, Epoch{1});
  EXPECT_EQ(d->end_offset, Offset{2});
  d = check_divergence(lv, Offset{4}, Epoch{3});  // an epoch the leader never had (KIP-279)
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->epoch, Epoch{2});
  EXPECT_EQ(d->end_offset, Offset{4});
}

TEST(Truncation, FollowerWithTheLeadersEpochTruncatesToTheSmallerEnd) {
  MemLogStore follower = make_log({1, 1, 1, 1});
  LogView fv(&follower);
  Truncation t = follower_truncation(fv, Divergence{Epoch{1}, Offset{2}});
  EXPECT_EQ(t.to, Offset{2});
  EXPECT_TRUE(t.complete);
}

// KIP-279: the leader (epochs 1,2,2) never saw the follower's epoch 3; it answers epoch 2, which
// the follower does not have either. The follower truncates to the end of its largest epoch
// below 2 (epoch 1 ends at 1) and asks again; the second round finds agreement.
TEST(Truncation, Kip279IterativeTruncation) {
  MemLogStore leader = make_log({1, 2, 2});
  MemLogStore follower = make_log({1, 3, 3});
  LogView lv(&leader), fv(&follower);
  auto d = check_divergence(lv, fv.log_end(), fv.last_epoch());
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->epoch, Epoch{2});
  Truncation t = follower_truncation(fv, *d);
  EXPECT_EQ(t.to, Offset{1});
  EXPECT_FALSE(t.complete);
  fv.truncate_suffix(t.to);
  EXPECT_FALSE(check_divergence(lv, fv.log_end(), fv.last_epoch()).has_value());  // now a prefix
}

}  // namespace
}  // namespace rb::isr
