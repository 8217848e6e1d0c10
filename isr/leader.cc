// IsrEngine, leader side: produce, answering fetches (with the fetch purgatory), the high
// watermark, acks, and ISR shrink/expand proposals.
#include <algorithm>

#include "isr/isr_engine.h"
#include "isr/messages.h"
#include "replication/core/assert.h"

namespace rb::isr {
namespace {

std::string join(const std::vector<NodeId>& ns) {
  std::string s = "[";
  for (size_t i = 0; i < ns.size(); ++i) s += (i ? "," : "") + to_string(ns[i]);
  return s + "]";
}

}  // namespace

size_t IsrEngine::min_isr() const {
  return std::max<size_t>(1, std::min<size_t>(common_.min_insync, replicas_.size()));
}

std::vector<NodeId> IsrEngine::maximal_isr() const {
  std::vector<NodeId> out = isr_;
  if (inflight_) {
    for (NodeId n : inflight_->isr)
      if (!in(out, n)) out.push_back(n);
  }
  return out;
}

void IsrEngine::propose(ProposeRequest req) {
  Completion c;
  c.id = req.id;
  if (stopped_ || role_ != Role::leader) {
    c.code = errc::not_leader;
    c.leader_hint = leader_;
    c.detail = stopped_ ? "isr: replica is shut down" : "isr: not the leader of this partition";
    ready_.completions.push_back(std::move(c));
    return;
  }
  if (req.entries.empty()) {
    c.code = errc::bad_input;
    c.detail = "isr: empty produce request";
    ready_.completions.push_back(std::move(c));
    return;
  }
  // acks=quorum has no meaning for ISR: it is acks=all (every ISR member).
  const bool acks_all = req.ack == AckLevel::all || req.ack == AckLevel::quorum;
  if (acks_all && isr_.size() < min_isr()) {
    c.code = errc::not_enough_replicas;
    c.detail = "NOT_ENOUGH_REPLICAS: ISR " + join(isr_) + " has " + std::to_string(isr_.size()) +
               " < min.insync.replicas " + std::to_string(min_isr()) + "; nothing was appended";
    ready_.completions.push_back(std::move(c));
    return;
  }
  const Offset base = log_.log_end();
  Offset next = base;
  for (auto& e : req.entries) {
    e.offset = next;
    e.epoch = leader_epoch_;
    next = next.next();
  }
  log_.append(std::move(req.entries));
  ++counters_["produce_requests"];
  if (req.ack == AckLevel::none) {
    c.base_offset = base;  // Kafka answers acks=0 with offset -1; the real offset is more useful here
    c.epoch = leader_epoch_;
    ready_.completions.push_back(std::move(c));
  } else {
    auto& queue = acks_all ? pending_all_ : pending_leader_;
    RB_ASSERT(queue.empty() || queue.back().end <= base);
    queue.push_back(Pending{req.id, base, next});
  }
  answer_parked(false);
  maybe_advance_hw();
  complete_waiting();
}

// ---------------------------------------------------------------------------------------------
void IsrEngine::reply_error(const PeerMessage& m, FetchError err, Offset hint, Epoch hint_epoch) {
  PeerMessage r;
  r.from = self_;
  r.to = m.from;
  r.partition = partition_;
  r.kind = static_cast<uint16_t>(MsgKind::fetch_response);
  r.epoch = leader_epoch_;
  r.offset = m.offset;
  r.commit = hw_;
  r.hint = hint;
  r.hint_epoch = hint_epoch;
  r.reject = true;
  r.context = m.context;
  r.values = {log_.log_start().value(), static_cast<int64_t>(err)};
  ready_.messages.push_back(std::move(r));
  ++counters_["fetch_errors"];
}

void IsrEngine::reply_fetch(NodeId to, Offset offset, uint64_t context) {
  PeerMessage r;
  r.from = self_;
  r.to = to;
  r.partition = partition_;
  r.kind = static_cast<uint16_t>(MsgKind::fetch_response);
  r.epoch = leader_epoch_;
  r.offset = offset;
  r.commit = hw_;
  r.hint = Offset{-1};
  r.context = context;
  r.values = {log_.log_start().value(), static_cast<int64_t>(FetchError::none)};
  if (offset < log_.log_end()) {
    auto records = log_.read(offset, config_.fetch_max_bytes, common_.batching.max_entries);
    RB_ASSERT(records.ok());
    r.entries = std::move(*records);
  }
  ready_.messages.push_back(std::move(r));
}

void IsrEngine::handle_fetch(const PeerMessage& m) {
  ++counters_["fetches_received"];
  if (role_ != Role::leader) return reply_error(m, FetchError::not_leader);
  if (m.epoch < leader_epoch_) return reply_error(m, FetchError::fenced_leader_epoch);
  if (m.epoch > leader_epoch_) return reply_error(m, FetchError::unknown_leader_epoch);
  auto fit = followers_.find(m.from);
  if (fit == followers_.end()) return reply_error(m, FetchError::not_replica);
  if (m.offset < log_.log_start() || m.offset > log_.log_end())
    return reply_error(m, FetchError::offset_out_of_range, log_.log_end(), log_.start_epoch());
  if (auto d = check_divergence(log_, m.offset, m.log_epoch)) {
    // The follower's state is not updated: its log is not a prefix of ours (Kafka does the same).
    parked_.erase(m.from);
    PeerMessage r;
    r.from = self_;
    r.to = m.from;
    r.partition = partition_;
    r.kind = static_cast<uint16_t>(MsgKind::fetch_response);
    r.epoch = leader_epoch_;
    r.offset = m.offset;
    r.commit = hw_;
    r.hint = d->end_offset;
    r.hint_epoch = d->epoch;
    r.context = m.context;
    r.values = {log_.log_start().value(), static_cast<int64_t>(FetchError::none)};
    ready_.messages.push_back(std::move(r));
    ++counters_["diverging_responses"];
    return;
  }
  // The fetch offset is the follower's ack: everything below it is durable there.
  const Offset acked = std::min(m.offset, m.hint.value() >= 0 ? m.hint : m.offset);
  update_fetch_state(fit->second, acked, log_.log_end(), now_);
  maybe_expand_isr(m.from);
  maybe_advance_hw();
  complete_waiting();
  if (m.offset < log_.log_end()) {
    parked_.erase(m.from);
    reply_fetch(m.from, m.offset, m.context);
  } else {
    parked_[m.from] = ParkedFetch{m.offset, m.context, now_ + config_.replica_fetch_wait_max_ticks};
    ++counters_["fetches_parked"];
  }
}

void IsrEngine::answer_parked(bool expired_only) {
  for (auto it = parked_.begin(); it != parked_.end();) {
    const bool has_data = it->second.offset < log_.log_end();
    if (has_data || (expired_only && now_ >= it->second.deadline)) {
      reply_fetch(it->first, it->second.offset, it->second.context);
      it = parked_.erase(it);
    } else {
      ++it;
    }
  }
}

// ---------------------------------------------------------------------------------------------
void IsrEngine::maybe_advance_hw() {
  if (role_ != Role::leader) return;
  HwInputs in;
  in.current_hw = hw_;
  in.leader_counted_end = durable_end_;
  in.leader_leo = log_.log_end();
  in.followers = &followers_;
  in.maximal_isr = maximal_isr();
  in.isr_size = isr_.size();
  in.min_isr = min_isr();
  in.now = now_;
  in.lag_max = config_.replica_lag_time_max_ticks;
  const Offset hw = compute_high_watermark(in);
  RB_ASSERT(hw <= log_.log_end());
  if (hw > hw_) set_hw(hw);
}

void IsrEngine::complete_waiting() {
  auto complete_prefix = [&](std::deque<Pending>& q, Offset watermark) {
    while (!q.empty() && watermark >= q.front().end) {
      Completion c;
      c.id = q.front().id;
      c.base_offset = q.front().base;
      c.epoch = leader_epoch_;
      ready_.completions.push_back(std::move(c));
      q.pop_front();
    }
  };
  complete_prefix(pending_leader_, durable_end_);
  complete_prefix(pending_all_, hw_);
}

void IsrEngine::fail_pending(errc code, NodeId hint, const std::string& detail, bool only_acks_all) {
  auto fail_all = [&](std::deque<Pending>& q) {
    for (const Pending& p : q) {
      Completion c;
      c.id = p.id;
      c.code = code;
      c.leader_hint = hint;
      c.detail = detail + " (offsets " + to_string(p.base) + ".." + to_string(p.end.prev()) + ")";
      ready_.completions.push_back(std::move(c));
    }
    q.clear();
  };
  fail_all(pending_all_);
  if (!only_acks_all) fail_all(pending_leader_);
}

// ---------------------------------------------------------------------------------------------
void IsrEngine::propose_isr(std::vector<NodeId> isr) {
  RB_ASSERT(!inflight_);
  RB_ASSERT(meta_.has_value());
  MetadataRequest r;
  r.kind = MetadataRequest::Kind::alter_isr;
  r.partition = partition_;
  r.leader_epoch = leader_epoch_;
  r.partition_epoch = meta_->partition_epoch;
  r.isr = isr;
  ready_.metadata_requests.push_back(r);
  inflight_ = InflightAlter{std::move(isr), meta_->partition_epoch, now_};
  ++counters_["alter_partition_sent"];
}

void IsrEngine::maybe_expand_isr(NodeId f) {
  if (inflight_ || in(isr_, f)) return;
  const ReplicaState& r = followers_.at(f);
  // Kafka isFollowerInSync: at or past the HW and past the start of the leader's epoch (so it
  // holds this leader's view of the log, not a divergent one).
  if (r.leo < hw_ || r.leo < epoch_start_offset_) return;
  std::vector<NodeId> next = isr_;
  next.push_back(f);
  ++counters_["isr_expand_proposed"];
  propose_isr(std::move(next));
}

void IsrEngine::maybe_shrink_isr() {
  if (inflight_) return;
  std::vector<NodeId> next;
  bool shrink = false;
  for (NodeId n : isr_) {
    auto it = followers_.find(n);
    if (n != self_ && it != followers_.end() &&
        !is_caught_up(it->second, log_.log_end(), now_, config_.replica_lag_time_max_ticks)) {
      shrink = true;
      continue;
    }
    next.push_back(n);
  }
  if (!shrink) return;
  ++counters_["isr_shrink_proposed"];
  propose_isr(std::move(next));
}

void IsrEngine::leader_tick() {
  answer_parked(true);
  if (inflight_ && now_ - inflight_->sent_at >= config_.alter_partition_retry_ticks) inflight_.reset();
  // Kafka's isr-expiration task runs every replica.lag.time.max.ms / 2.
  if (now_ - last_isr_check_ >= std::max<int64_t>(1, config_.replica_lag_time_max_ticks / 2)) {
    last_isr_check_ = now_;
    maybe_shrink_isr();
  }
  // A caught-up non-ISR follower may stop counting for the HW as time passes.
  maybe_advance_hw();
  complete_waiting();
}

}  // namespace rb::isr
