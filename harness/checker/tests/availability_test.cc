// Availability windows on hand-made timelines, with the expected numbers worked out by hand.
#include <gtest/gtest.h>

#include "harness/checker/checker.h"
#include "history_builder.h"

namespace rb::checker {
namespace {

using testing::History;
using testing::mid;

// One write every 10 ms from 0 to 990 ms on partition 0, acked 2 ms later.
// Writes invoked in [fail_from, fail_to] fail 5 ms later; earlier ones are acked by node 0 in
// epoch 1, later ones by node 1 in epoch 2. Every acked write is delivered except `lost_seq`.
History timeline(int fail_from, int fail_to, int lost_seq = -1) {
  History h;
  std::vector<std::tuple<int64_t, uint64_t, uint64_t>> polled;
  int64_t offset = 0;
  for (int t = 0, seq = 0; t < 1000; t += 10, ++seq) {
    const auto id = mid(1, seq);
    if (t >= fail_from && t <= fail_to) {
      h.send(id, 0, OpType::fail, t, t + 5);
      continue;
    }
    const bool after = t > fail_to;
    h.send(id, 0, OpType::ok, t, t + 2, offset, after ? 1 : 0, after ? 2 : 1);
    if (seq != lost_seq) polled.emplace_back(offset, 1, seq);
    ++offset;
  }
  h.poll(100, 0, 1000, polled);
  return h;
}

TEST(Availability, KillLeaderTimeline) {
  History h = timeline(300, 450, /*lost_seq=*/29);  // seq 29 was invoked at 290, acked at 292
  h.fault("kill n0", FaultPhase::start, 300).fault("kill n0", FaultPhase::stop, 600);
  auto v = check(h.sorted_ops(), h.logs, {});
  ASSERT_EQ(v.availability.size(), 1u);
  const FaultAvailability& a = v.availability[0];
  EXPECT_EQ(a.fault, "kill n0");
  EXPECT_EQ(a.start_ns, 300'000'000);
  EXPECT_EQ(a.stop_ns, 600'000'000);
  // No success between the fault start (300) and the first ack of the new leader (462).
  EXPECT_DOUBLE_EQ(a.unavailable_ms, 162.0);
  EXPECT_TRUE(a.disrupted);
  EXPECT_TRUE(a.recovered);
  ASSERT_TRUE(a.rto_ms.has_value());
  EXPECT_DOUBLE_EQ(*a.rto_ms, 162.0);
  EXPECT_EQ(a.leader_changes, 1);  // (n0, e1) -> (n1, e2)
  EXPECT_EQ(a.failed, 16);         // invoked at 300, 310, ..., 450
  EXPECT_EQ(a.unknown, 0);
  EXPECT_EQ(a.lost, 1);  // acked at 292, before the first fault: charged to it
  EXPECT_EQ(v.lost, 1);
  auto j = a.to_json();
  EXPECT_DOUBLE_EQ(j["start_s"].get<double>(), 0.3);
  EXPECT_DOUBLE_EQ(j["rto_ms"].get<double>(), 162.0);
}

TEST(Availability, NoFaultsNoWindows) {
  auto v = check(timeline(2000, 2000).sorted_ops(), {}, {});
  EXPECT_TRUE(v.availability.empty());
}

TEST(Availability, UndisruptiveFaultHasNoRto) {
  History h = timeline(2000, 2000);  // nothing fails
  h.fault("slow disk n2", FaultPhase::start, 500).fault("slow disk n2", FaultPhase::stop, 700);
  auto v = check(h.sorted_ops(), h.logs, {});
  ASSERT_EQ(v.availability.size(), 1u);
  const auto& a = v.availability[0];
  EXPECT_FALSE(a.disrupted);
  EXPECT_FALSE(a.rto_ms.has_value());
  EXPECT_TRUE(a.to_json()["rto_ms"].is_null());
  EXPECT_DOUBLE_EQ(a.unavailable_ms, 10.0);  // the ordinary gap between writes
  EXPECT_EQ(a.leader_changes, 0);
}

TEST(Availability, NeverRecoveredFaultRunsToTheEnd) {
  History h;
  for (int t = 0; t < 100; t += 10) h.send(mid(1, t), 0, OpType::ok, t, t + 1, t / 10);
  for (int t = 100; t < 300; t += 10) h.send(mid(1, t), 0, OpType::info, t, t + 50);
  h.fault("partition majority", FaultPhase::start, 100);  // never stopped
  auto v = check(h.sorted_ops(), {}, {});
  ASSERT_EQ(v.availability.size(), 1u);
  const auto& a = v.availability[0];
  EXPECT_EQ(a.stop_ns, -1);
  EXPECT_TRUE(a.to_json()["stop_s"].is_null());
  EXPECT_TRUE(a.disrupted);
  EXPECT_FALSE(a.recovered);
  EXPECT_EQ(a.unknown, 20);
  // From the fault start (100) to the end of the history (last info at 340).
  EXPECT_DOUBLE_EQ(a.unavailable_ms, 240.0);
}

TEST(Availability, LossesAreChargedToTheFaultWindowHoldingTheirAck) {
  History h = timeline(2000, 2000, /*lost_seq=*/60);  // acked at 602
  h.fault("a", FaultPhase::start, 100).fault("a", FaultPhase::stop, 200);
  h.fault("b", FaultPhase::start, 500).fault("b", FaultPhase::stop, 550);
  auto v = check(h.sorted_ops(), {}, {});
  ASSERT_EQ(v.availability.size(), 2u);
  EXPECT_EQ(v.availability[0].lost, 0);
  EXPECT_EQ(v.availability[1].lost, 1);
}

TEST(Availability, InFlightAcksAfterTheFailureDoNotCountAsRecovery) {
  History h;
  h.send(mid(1, 0), 0, OpType::ok, 0, 1, 0);
  h.send(mid(1, 1), 0, OpType::ok, 90, 200, 1);   // invoked before the failure, acked late
  h.send(mid(1, 2), 0, OpType::fail, 110, 120);   // first failure at 120
  h.send(mid(1, 3), 0, OpType::ok, 130, 400, 2);  // first send invoked after it: recovery at 400
  h.fault("kill", FaultPhase::start, 100).fault("kill", FaultPhase::stop, 150);
  auto v = check(h.sorted_ops(), {}, {});
  ASSERT_EQ(v.availability.size(), 1u);
  ASSERT_TRUE(v.availability[0].rto_ms.has_value());
  EXPECT_DOUBLE_EQ(*v.availability[0].rto_ms, 300.0);
  // Windows must start while the fault is active: 100 -> 200 counts, 200 -> 400 (after the heal
  // at 150) does not.
  EXPECT_DOUBLE_EQ(v.availability[0].unavailable_ms, 100.0);
}

}  // namespace
}  // namespace rb::checker
