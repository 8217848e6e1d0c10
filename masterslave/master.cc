// The master side: proposals, per-slave push streams, sync waiters and the commit watermark.
#include <algorithm>

#include "masterslave/engine.h"
#include "replication/core/assert.h"

namespace rb::masterslave {
namespace {

// Pushes in flight to one slave beyond its confirmed end, in batches: enough to keep the stream
// busy across a round trip and a slave fsync, bounded so a stalled slave cannot make the master
// queue its whole log.
constexpr int64_t kInflightBatches = 16;

}  // namespace

MasterSlaveEngine::SlaveProgress* MasterSlaveEngine::progress(NodeId n) {
  for (auto& p : slaves_)
    if (p.node == n) return &p;
  return nullptr;
}

bool MasterSlaveEngine::slave_available(const SlaveProgress& p) const {
  return p.connected && p.streaming &&
         static_cast<uint64_t>(std::max<int64_t>(0, log_.log_end() - p.match)) <= cfg_.slave_fallbehind_max;
}

bool MasterSlaveEngine::required_slaves_available() const {
  if (slaves_.empty()) return false;
  if (cfg_.sync_acks == SyncAcks::one)
    return std::any_of(slaves_.begin(), slaves_.end(), [this](const auto& p) { return slave_available(p); });
  return std::all_of(slaves_.begin(), slaves_.end(), [this](const auto& p) { return slave_available(p); });
}

Offset MasterSlaveEngine::confirmed_end() const {
  // sync_acks=one: the max over slaves (RocketMQ 4.x push2SlaveMaxOffset); all: the min.
  if (slaves_.empty()) return durable_end_;
  Offset best = slaves_.front().match;
  for (const auto& p : slaves_)
    best = cfg_.sync_acks == SyncAcks::one ? std::max(best, p.match) : std::min(best, p.match);
  return best;
}

void MasterSlaveEngine::master_propose(ProposeRequest req) {
  if (req.entries.empty()) {
    complete({.id = req.id, .code = errc::bad_input, .detail = "empty batch"});
    return;
  }
  for (const auto& e : req.entries) {
    if (e.payload_size() > common_.max_message_bytes) {
      complete({.id = req.id,
                .code = errc::too_large,
                .detail = "record of " + std::to_string(e.payload_size()) + " bytes exceeds max_message_bytes " +
                          std::to_string(common_.max_message_bytes)});
      return;
    }
  }
  AckLevel ack = req.ack;
  // An async master has nothing stronger than its own write to offer (factory validate() rejects
  // acks=quorum|all with async as a run setting; a single request asking for it gets `leader`).
  if (cfg_.replication == Replication::async && ack > AckLevel::leader) ack = AckLevel::leader;
  const bool replica_level = ack > AckLevel::leader;
  // RocketMQ checks isSlaveOK before waiting; the record is stored on the master either way.
  const bool slaves_ok = !replica_level || required_slaves_available();

  const Offset base = log_.log_end();
  for (auto& e : req.entries) {
    e.offset = log_.log_end();
    e.epoch = epoch_;
    log_.append(std::move(e));
  }
  const Offset end = log_.log_end();

  if (!slaves_ok) {
    ++counters_["slave_not_available"];
    complete({.id = req.id,
              .code = errc::not_enough_replicas,
              .detail = "SLAVE_NOT_AVAILABLE: stored on the master at [" + to_string(base) + ", " + to_string(end) +
                        ") but no " + (cfg_.sync_acks == SyncAcks::one ? "slave is" : "full set of slaves is") +
                        " connected and caught up, so it is not synchronously replicated"});
  } else if (ack == AckLevel::none) {
    acked_end_ = std::max(acked_end_, end);
    complete({.id = req.id, .base_offset = base, .epoch = epoch_});
  } else {
    Waiter w{.id = req.id, .base = base, .end = end, .deadline_tick = now_ticks_ + cfg_.sync_timeout_ticks};
    (replica_level ? replica_waiters_ : own_waiters_).push_back(w);
  }
  if (common_.batching.linger_ticks > 0 && !linger_deadline_tick_)
    linger_deadline_tick_ = now_ticks_ + common_.batching.linger_ticks;
  push_all();
  master_progress();
}

void MasterSlaveEngine::on_epoch_query(const PeerMessage& m) {
  SlaveProgress* p = progress(m.from);
  if (!p) return;  // not a member of this group
  // A (re)connecting slave: its stream restarts from the offset of its next report.
  p->streaming = false;
  p->connected = true;
  p->last_heard_tick = now_ticks_;
  auto [ep, end] = log_.end_offset_for_epoch(m.hint_epoch);
  send({.to = m.from,
        .kind = to_wire(MsgKind::epoch_reply),
        .epoch = epoch_,
        .log_epoch = m.hint_epoch,
        .hint = end,
        .hint_epoch = ep});
}

void MasterSlaveEngine::on_report(const PeerMessage& m) {
  SlaveProgress* p = progress(m.from);
  if (!p) return;
  if (m.hint > log_.log_end() || m.offset > log_.log_end() || m.hint > m.offset) {
    // A slave cannot hold more than we have after the handshake. Trusting it would ack writes no
    // slave has (RocketMQ #1155/#3015); ignore it and let the slave re-handshake.
    ++counters_["bogus_reports"];
    return;
  }
  p->connected = true;
  p->last_heard_tick = now_ticks_;
  p->match = std::max(p->match, m.hint);
  if (!p->streaming || m.reject) {
    if (m.reject) ++counters_["gap_resets"];
    p->next = m.offset;  // the stream restarts from the slave's own log end
    p->streaming = true;
  }
  push_to(*p);
  master_progress();
}

void MasterSlaveEngine::push_all() {
  for (auto& p : slaves_) push_to(p);
}

void MasterSlaveEngine::push_to(SlaveProgress& p) {
  if (!p.connected || !p.streaming) return;
  const auto& b = common_.batching;
  const int64_t window = kInflightBatches * static_cast<int64_t>(b.max_entries);
  while (p.next < log_.log_end() && p.next - p.match < window) {
    // Linger: while the timer runs, only full batches leave.
    if (linger_deadline_tick_ && log_.log_end() - p.next < static_cast<int64_t>(b.max_entries)) break;
    if (p.next < log_.log_start()) {
      // Compacted below the slave's position: this engine has no snapshot transfer.
      ++counters_["slave_behind_log_start"];
      return;
    }
    auto entries = log_.read(p.next, b.max_bytes, b.max_entries);
    RB_ASSERT(entries.ok());
    RB_ASSERT(!entries->empty());
    auto prev_epoch = log_.epoch_at(p.next.prev());
    PeerMessage m{.to = p.node,
                  .kind = to_wire(MsgKind::push),
                  .epoch = epoch_,
                  .offset = p.next,
                  .log_epoch = prev_epoch.ok() ? *prev_epoch : Epoch{0},
                  .commit = commit_};
    p.next = p.next + static_cast<int64_t>(entries->size());
    m.entries = std::move(entries.value());
    send(std::move(m));
  }
}

void MasterSlaveEngine::send_heartbeats() {
  for (const auto& p : slaves_) {
    send({.to = p.node,
          .kind = to_wire(MsgKind::heartbeat),
          .epoch = epoch_,
          .offset = p.streaming ? p.next : log_.log_end(),
          .commit = commit_,
          .hint = log_.log_end()});
  }
}

void MasterSlaveEngine::master_tick() {
  if (now_ticks_ % cfg_.heartbeat_ticks == 0) send_heartbeats();
  for (auto& p : slaves_) {
    if (p.connected && now_ticks_ - p.last_heard_tick > cfg_.housekeeping_ticks) {
      // Housekeeping: a silent slave is dropped; it must report again to be fed.
      p.connected = false;
      p.streaming = false;
      ++counters_["slave_disconnects"];
    }
  }
  if (linger_deadline_tick_ && now_ticks_ >= *linger_deadline_tick_) {
    linger_deadline_tick_.reset();
    push_all();
  }
  // Deadlines grow with the queue order, so expired waiters are at the front.
  auto expire = [this](std::deque<Waiter>& q, bool replica_level) {
    while (!q.empty() && q.front().deadline_tick <= now_ticks_) {
      const Waiter w = q.front();
      q.pop_front();
      ++counters_["sync_timeouts"];
      std::string range = "[" + to_string(w.base) + ", " + to_string(w.end) + ")";
      complete({.id = w.id,
                .code = errc::timeout,
                .detail = replica_level
                              ? "FLUSH_SLAVE_TIMEOUT: stored on the master at " + range + " but not confirmed by " +
                                    std::string(cfg_.sync_acks == SyncAcks::one ? "any slave" : "every slave") +
                                    " within " + std::to_string(cfg_.sync_timeout_ticks) + " ticks"
                              : "FLUSH_DISK_TIMEOUT: the master's write of " + range + " was not persisted within " +
                                    std::to_string(cfg_.sync_timeout_ticks) + " ticks"});
    }
  };
  expire(own_waiters_, false);
  expire(replica_waiters_, true);
}

void MasterSlaveEngine::master_progress() {
  // The master counts its own write only once persisted() covers it.
  const Offset confirmed =
      cfg_.replication == Replication::sync ? std::min(durable_end_, confirmed_end()) : durable_end_;
  raise_commit(confirmed);
  auto finish = [this](std::deque<Waiter>& q, Offset upto) {
    while (!q.empty() && q.front().end <= upto) {
      const Waiter w = q.front();
      q.pop_front();
      acked_end_ = std::max(acked_end_, w.end);
      complete({.id = w.id, .base_offset = w.base, .epoch = epoch_});
    }
  };
  finish(own_waiters_, durable_end_);
  finish(replica_waiters_, std::min(durable_end_, confirmed_end()));
}

void MasterSlaveEngine::fail_waiters(errc code, const std::string& detail, NodeId hint) {
  for (auto* q : {&own_waiters_, &replica_waiters_}) {
    for (const auto& w : *q) complete({.id = w.id, .code = code, .leader_hint = hint, .detail = detail});
    q->clear();
  }
}

}  // namespace rb::masterslave
