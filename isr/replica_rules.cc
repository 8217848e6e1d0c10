#include "isr/replica_rules.h"

#include <algorithm>

#include "replication/core/assert.h"

namespace rb::isr {

void update_fetch_state(ReplicaState& r, Offset fetch_offset, Offset leader_leo, int64_t now) {
  if (fetch_offset >= leader_leo) {
    r.last_caught_up_tick = std::max(r.last_caught_up_tick, now);
  } else if (r.last_fetch_leader_leo.value() >= 0 && fetch_offset >= r.last_fetch_leader_leo) {
    r.last_caught_up_tick = std::max(r.last_caught_up_tick, r.last_fetch_tick);
  }
  r.leo = fetch_offset;
  r.last_fetch_leader_leo = leader_leo;
  r.last_fetch_tick = now;
}

bool is_caught_up(const ReplicaState& r, Offset leader_leo, int64_t now, int64_t lag_max) {
  if (r.leo.value() >= 0 && r.leo >= leader_leo) return true;
  return now - r.last_caught_up_tick <= lag_max;
}

Offset compute_high_watermark(const HwInputs& in) {
  RB_ASSERT(in.followers != nullptr);
  if (in.isr_size < in.min_isr) return in.current_hw;  // strict min ISR (KIP-966 part 1)
  Offset hw = in.leader_counted_end;
  for (const auto& [node, r] : *in.followers) {
    const bool in_isr = std::find(in.maximal_isr.begin(), in.maximal_isr.end(), node) != in.maximal_isr.end();
    if (in_isr || is_caught_up(r, in.leader_leo, in.now, in.lag_max)) hw = std::min(hw, r.leo);
  }
  return std::max(hw, in.current_hw);
}

std::optional<Divergence> check_divergence(const LogView& leader_log, Offset fetch_offset, Epoch last_fetched_epoch) {
  if (last_fetched_epoch == Epoch{0}) return std::nullopt;
  auto [epoch, end] = leader_log.end_offset_for_epoch(last_fetched_epoch);
  if (epoch < last_fetched_epoch || end < fetch_offset) return Divergence{epoch, end};
  return std::nullopt;
}

Truncation follower_truncation(const LogView& follower_log, Divergence d) {
  const Offset end = follower_log.log_end();
  auto [epoch, epoch_end] = follower_log.end_offset_for_epoch(d.epoch);
  Truncation t;
  if (epoch != d.epoch) {
    // We never had the leader's epoch: our records after our largest epoch below it are suspect.
    t = Truncation{std::min(epoch_end, end), false};
  } else {
    t = Truncation{std::min({epoch_end, d.end_offset, end}), true};
  }
  t.to = std::max(t.to, follower_log.log_start());
  return t;
}

}  // namespace rb::isr
