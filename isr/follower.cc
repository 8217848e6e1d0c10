// IsrEngine, follower side: fetching from the leader, appending, learning the high watermark,
// and truncating a divergent tail by leader epoch (KIP-101/279/320).
#include <algorithm>

#include "isr/isr_engine.h"
#include "isr/messages.h"
#include "replication/core/assert.h"

namespace rb::isr {

void IsrEngine::maybe_send_fetch() {
  if (stopped_ || role_ != Role::follower || leader_ == kNoNode || leader_ == self_) return;
  if (fetch_outstanding_ || now_ < backoff_until_) return;
  // Fetch only once what we have is durable: the fetch offset is our ack to the leader.
  if (durable_end_ < log_.log_end()) return;
  PeerMessage m;
  m.from = self_;
  m.to = leader_;
  m.partition = partition_;
  m.kind = static_cast<uint16_t>(MsgKind::fetch);
  m.epoch = leader_epoch_;
  m.offset = log_.log_end();
  m.log_epoch = log_.last_epoch();
  m.commit = hw_;
  m.hint = durable_end_;
  m.context = ++fetch_id_;
  ready_.messages.push_back(std::move(m));
  fetch_outstanding_ = true;
  fetch_sent_at_ = now_;
  ++counters_["fetches_sent"];
}

void IsrEngine::truncate_to(Offset to, const std::string& why) {
  if (to >= log_.log_end()) return;
  const Offset before = log_.log_end();
  log_.truncate_suffix(to);
  durable_end_ = std::min(durable_end_, to);
  hw_ = std::min(hw_, to);  // the published commit never moves back; see README "unclean"
  ++counters_["truncations"];
  counters_["records_truncated"] += before - to;
  std::string detail = why + ": dropped offsets " + to_string(to) + ".." + to_string(before.prev());
  if (to < published_) detail += " below the commit watermark " + to_string(published_) + " (unclean election)";
  emit([&] {
    Event e;
    e.kind = Event::Kind::truncated;
    e.leader = leader_;
    e.epoch = leader_epoch_;
    e.offset = to;
    e.detail = detail;
    return e;
  }());
}

void IsrEngine::handle_fetch_response(const PeerMessage& m) {
  if (role_ != Role::follower || m.from != leader_ || !fetch_outstanding_ || m.context != fetch_id_) {
    ++counters_["stale_fetch_responses"];
    return;
  }
  fetch_outstanding_ = false;
  const Offset leader_start{m.values.size() > 0 ? m.values[0] : 0};
  const auto err = static_cast<FetchError>(m.values.size() > 1 ? m.values[1] : 0);
  if (m.reject) {
    if (err == FetchError::offset_out_of_range) {
      // Past the leader's end: cut back to it. Below the leader's start: restart the log there
      // (Kafka truncateFullyAndStartAt; broker state below the start is not transferred).
      if (log_.log_end() > m.hint && m.hint >= log_.log_start()) {
        truncate_to(m.hint, "fetch offset beyond the leader's log end");
      } else if (log_.log_end() < leader_start || m.hint < log_.log_start()) {
        log_.reset(leader_start, m.hint_epoch);
        durable_end_ = leader_start;
        if (leader_start > hw_) set_hw(leader_start);  // only committed records are ever compacted
        ++counters_["log_resets"];
      }
      maybe_send_fetch();
      return;
    }
    backoff_until_ = now_ + config_.replica_fetch_backoff_ticks;
    return;
  }
  if (m.hint.value() >= 0) {
    // KIP-320: the leader found our log diverging. Truncate per KIP-279 and fetch again with the
    // new last epoch; repeated until the logs agree.
    Truncation t = follower_truncation(log_, Divergence{m.hint_epoch, m.hint});
    truncate_to(t.to, t.complete ? "diverging epoch " + to_string(m.hint_epoch)
                                 : "unknown epoch on leader, below " + to_string(m.hint_epoch));
    maybe_send_fetch();
    return;
  }
  if (m.offset != log_.log_end()) {  // an answer for a position we no longer hold
    maybe_send_fetch();
    return;
  }
  if (!m.entries.empty()) {
    RB_ASSERT(m.entries.front().offset == log_.log_end());
    log_.append(m.entries);
    counters_["records_fetched"] += static_cast<int64_t>(m.entries.size());
  }
  if (leader_start > log_.log_start() && leader_start <= log_.log_end()) log_.truncate_prefix(leader_start);
  // Kafka follower HW: min(leader HW, own log end).
  const Offset hw = std::min(m.commit, log_.log_end());
  if (hw > hw_) set_hw(hw);
  maybe_send_fetch();  // at once if nothing new; otherwise after persisted() covers the records
}

void IsrEngine::follower_tick() {
  if (fetch_outstanding_ && now_ - fetch_sent_at_ >= config_.replica_socket_timeout_ticks) {
    fetch_outstanding_ = false;  // lost: ask again
    ++counters_["fetch_timeouts"];
  }
  maybe_send_fetch();
}

}  // namespace rb::isr
