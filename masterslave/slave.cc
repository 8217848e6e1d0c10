// The slave side: epoch handshake, applying pushes, offset reports and the watchdog.
#include <algorithm>

#include "masterslave/engine.h"
#include "replication/core/assert.h"

namespace rb::masterslave {

uint64_t MasterSlaveEngine::watchdog_limit_ticks() const {
  // Keepalived priority: earlier replicas in the group time out first, so one slave normally
  // promotes itself and the others hear its heartbeats before their own timers fire.
  return cfg_.watchdog_timeout_ticks + static_cast<uint64_t>(position_) * cfg_.heartbeat_ticks;
}

void MasterSlaveEngine::slave_tick() {
  ++ticks_since_master_;
  if (now_ticks_ % cfg_.heartbeat_ticks == 0) {
    gap_reported_at_.reset();  // a lost gap report is retried once per heartbeat
    if (master_ != kNoNode) {
      // The report doubles as the slave's heartbeat (RocketMQ haSendHeartbeatInterval); an
      // unfinished handshake is retried instead.
      if (synced_) {
        send_report(false);
      } else {
        send_query();
      }
    }
  }
  if (cfg_.failover == Failover::watchdog && ticks_since_master_ >= watchdog_limit_ticks()) {
    // No fencing: the old master may be alive behind a partition and keep accepting writes.
    ++counters_["watchdog_promotions"];
    become_master();
  }
}

void MasterSlaveEngine::send_query() {
  RB_ASSERT(master_ != kNoNode);
  send({.to = master_, .kind = to_wire(MsgKind::epoch_query), .epoch = epoch_, .hint_epoch = log_.last_epoch()});
}

void MasterSlaveEngine::send_report(bool gap) {
  RB_ASSERT(master_ != kNoNode);
  RB_ASSERT(synced_);
  if (gap) {
    ++counters_["gap_reports"];
    gap_reported_at_ = log_.log_end();
  }
  last_reported_ = durable_end_;
  send({.to = master_,
        .kind = to_wire(MsgKind::report),
        .epoch = epoch_,
        .offset = log_.log_end(),
        .hint = durable_end_,
        .reject = gap});
}

void MasterSlaveEngine::on_epoch_reply(const PeerMessage& m) {
  // Only an answer to the question our log still poses counts (replies can be stale).
  if (synced_ || m.log_epoch != log_.last_epoch()) return;
  const Epoch master_epoch = m.hint_epoch;  // the master's largest epoch <= our last epoch
  const Offset master_end = m.hint;         // where that epoch ends on the master
  const Offset before = log_.log_end();
  auto [my_epoch, my_end] = log_.end_offset_for_epoch(master_epoch);
  // Records of epochs above master_epoch are not on the master: drop them. Within a shared epoch
  // (one master appended both copies) the shorter copy is the common prefix.
  Offset cut = my_epoch == master_epoch ? std::min(my_end, master_end) : my_end;
  cut = std::clamp(cut, log_.log_start(), before);
  if (cut < before) truncate_to(cut);
  if (my_epoch == master_epoch || cut == before) {
    // Agreed (or nothing left we could drop, e.g. an empty log): start the stream.
    synced_ = true;
    send_report(false);
    slave_commit();
  } else {
    send_query();  // our last epoch is now smaller: ask again (KIP-279 iteration)
  }
}

void MasterSlaveEngine::on_push(const PeerMessage& m) {
  master_commit_ = std::max(master_commit_, m.commit);
  if (!synced_) return;  // the handshake decides where the stream starts
  const Offset end = log_.log_end();
  if (m.offset > end) {
    // Earlier pushes were lost: RocketMQ's slave closes the connection and re-reports its
    // offset; we report with reject=true and the master restarts the stream from our log end.
    if (gap_reported_at_ != end) send_report(true);
    return;
  }
  auto prev = log_.epoch_at(m.offset.prev());
  bool consistent = !prev.ok() || *prev == m.log_epoch;
  for (const auto& e : m.entries) consistent = consistent && e.epoch <= epoch_;
  if (!consistent) {
    // Our log does not match the master's where this push starts: re-run the handshake.
    ++counters_["push_mismatches"];
    synced_ = false;
    send_query();
    return;
  }
  bool appended = false;
  for (const auto& e : m.entries) {
    if (e.offset < log_.log_end()) continue;  // a resent overlap we already have
    RB_ASSERT(e.offset == log_.log_end());
    if (e.epoch < log_.last_epoch()) {
      ++counters_["push_mismatches"];
      synced_ = false;
      send_query();
      return;
    }
    log_.append(e);
    appended = true;
  }
  if (appended) gap_reported_at_.reset();
  slave_commit();
}

void MasterSlaveEngine::on_heartbeat(const PeerMessage& m) {
  master_commit_ = std::max(master_commit_, m.commit);
  if (!synced_) return;
  // The master believes it pushed up to m.offset; links are FIFO, so if we have less, pushes
  // were lost (or the master dropped our stream): ask it to restart from our log end.
  if (m.offset > log_.log_end() && gap_reported_at_ != log_.log_end()) send_report(true);
  slave_commit();
}

void MasterSlaveEngine::slave_commit() {
  // A slave exposes what its master committed and it has itself persisted; before the handshake
  // its log may still hold a divergent tail, so nothing is exposed then.
  if (!synced_) return;
  raise_commit(std::min(master_commit_, durable_end_));
}

void MasterSlaveEngine::truncate_to(Offset cut) {
  const Offset end = log_.log_end();
  RB_ASSERT(cut < end);
  RB_ASSERT(cut >= log_.log_start());
  log_.truncate_suffix(cut);
  durable_end_ = std::min(durable_end_, cut);
  const int64_t dropped = end - cut;
  const int64_t committed_lost = std::max<int64_t>(0, std::min(commit_, end) - cut);
  const int64_t acked_lost = std::max<int64_t>(0, std::min(acked_end_, end) - cut);
  acked_end_ = std::min(acked_end_, cut);
  ++counters_["truncations"];
  counters_["truncated_records"] += dropped;
  emit({.kind = Event::Kind::truncated,
        .leader = master_,
        .epoch = epoch_,
        .offset = cut,
        .detail = "dropped " + std::to_string(dropped) + " records the master of epoch " + to_string(epoch_) +
                  " does not have"});
  if (committed_lost > 0 || acked_lost > 0) {
    counters_["truncated_committed_records"] += committed_lost;
    counters_["truncated_acked_records"] += acked_lost;
    emit({.kind = Event::Kind::data_loss,
          .leader = master_,
          .epoch = epoch_,
          .offset = cut,
          .detail = std::to_string(committed_lost) + " committed (consumer-visible) and " + std::to_string(acked_lost) +
                    " self-acknowledged records dropped to follow the master of epoch " + to_string(epoch_)});
  }
}

}  // namespace rb::masterslave
