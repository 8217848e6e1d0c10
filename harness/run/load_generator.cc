#include "harness/run/load_generator.h"

#include <algorithm>
#include <cmath>

#include "replication/broker/placement.h"

namespace rb::harness {

LoadGenerator::LoadGenerator(ClusterApi& cluster, LoadSpec spec, bool keep_history)
    : cluster_(cluster), spec_(spec), keep_history_(keep_history) {
  RB_ASSERT(spec_.partitions() <= cluster_.partitions());
  RB_ASSERT(spec_.batch_max_messages >= 1 && spec_.max_in_flight >= 1 && spec_.linger_ns >= 0);
  payload_ = make_payload(std::string(spec_.message_size, 'x'));
  uint32_t total_producers = spec_.topics * spec_.producers_per_topic;
  for (uint32_t t = 0; t < spec_.topics; ++t) {
    for (uint32_t i = 0; i < spec_.producers_per_topic; ++i) {
      Producer p;
      p.id = static_cast<uint32_t>(producers_.size()) + 1;
      p.topic = t;
      p.unsent.resize(spec_.partitions_per_topic);
      p.interval_ns = spec_.producer_rate > 0 ? 1e9 * total_producers / spec_.producer_rate : 0;
      producers_.push_back(std::move(p));
    }
    for (uint32_t s = 0; s < spec_.subscriptions_per_topic; ++s) {
      size_t first = consumers_.size();
      for (uint32_t c = 0; c < spec_.consumers_per_subscription; ++c) {
        Consumer con;
        con.id = static_cast<uint32_t>(consumers_.size()) + 1;
        con.group = "topic-" + std::to_string(t) + "-sub-" + std::to_string(s);
        consumers_.push_back(std::move(con));
      }
      for (uint32_t k = 0; k < spec_.partitions_per_topic; ++k) {
        auto& con = consumers_[first + k % spec_.consumers_per_subscription];
        con.parts.push_back(Assignment{PartitionId{t * spec_.partitions_per_topic + k}});
      }
    }
  }
  cluster_.set_response_handler([this](ClientId c, client::Response r) { on_response(c, std::move(r)); });
}

NodeId LoadGenerator::route(PartitionId p) {
  auto it = leader_guess_.find(p);
  if (it != leader_guess_.end()) return it->second;
  auto reps = cluster_.replicas(p);
  return reps.front();
}

void LoadGenerator::redirect(PartitionId p, NodeId hint) {
  ++results_.redirects;
  if (hint != kNoNode) {
    leader_guess_[p] = hint;
    return;
  }
  // No hint: try the next replica in turn.
  auto reps = cluster_.replicas(p);
  uint32_t& r = rotate_[p];
  r = (r + 1) % static_cast<uint32_t>(reps.size());
  leader_guess_[p] = reps[r];
}

LoadResults LoadGenerator::run(const std::function<void(int64_t)>& on_second) {
  results_.start_ns = cluster_.now_ns();
  results_.measure_start_ns = results_.start_ns + spec_.warmup_ns;
  results_.producers_stop_ns = results_.measure_start_ns + spec_.duration_ns;
  producing_ = true;
  for (size_t i = 0; i < producers_.size(); ++i) schedule_producer(producers_[i]);
  for (size_t c = 0; c < consumers_.size(); ++c)
    for (size_t a = 0; a < consumers_[c].parts.size(); ++a) fetch(consumers_[c], a);

  int64_t second = 0;
  int64_t t = results_.start_ns;
  while (t < results_.producers_stop_ns) {
    t = std::min(results_.producers_stop_ns, t + 1'000'000'000);
    cluster_.run_until(t);
    ++second;
    if (on_second) on_second(second);
  }
  producing_ = false;
  // Drain: wait for outstanding sends to resolve and consumers to reach every partition's end.
  int64_t deadline = results_.producers_stop_ns + spec_.drain_timeout_ns;
  while (cluster_.now_ns() < deadline) {
    bool sends_done = outstanding_total_ == 0;
    bool consumers_done = true;
    if (sends_done) {
      // Caught up when every partition's consumer offset passed the highest acked offset.
      std::map<PartitionId, Offset> need;
      for (const auto& s : results_.sends)
        if (s.outcome == Outcome::ok) need[s.partition] = std::max(need[s.partition], s.offset.next());
      for (const auto& c : consumers_)
        for (const auto& a : c.parts)
          if (need.count(a.partition) && a.next < need[a.partition]) consumers_done = false;
    }
    if (sends_done && consumers_done) break;
    cluster_.run_until(std::min(deadline, cluster_.now_ns() + 100'000'000));
    if (on_second && (cluster_.now_ns() - results_.start_ns) / 1'000'000'000 > second) {
      ++second;
      on_second(second);
    }
  }
  results_.end_ns = cluster_.now_ns();
  // Anything still unresolved has an unknown outcome.
  for (size_t i = 0; i < msgs_.size(); ++i) {
    if (!msgs_[i].done) {
      Producer& p = producers_[msgs_[i].producer - 1];
      finish(p, i, Outcome::unknown, errc::timeout);
    }
  }
  cluster_.set_response_handler({});
  return std::move(results_);
}

// --- producers ---------------------------------------------------------------------------------

void LoadGenerator::schedule_producer(Producer& p) {
  if (!producing_) return;
  size_t idx = p.id - 1;
  if (p.interval_ns <= 0) {
    // Closed loop: keep the window full (messages in flight plus those waiting to be sent).
    while (p.in_flight + p.unsent_total < spec_.max_in_flight && cluster_.now_ns() < results_.producers_stop_ns) {
      size_t m = msgs_.size();
      PartitionId part{p.topic * spec_.partitions_per_topic +
                       static_cast<uint32_t>(p.next_index % spec_.partitions_per_topic)};
      msgs_.push_back(Msg{p.id, p.next_index++, part, cluster_.now_ns()});
      ++outstanding_total_;
      enqueue(p, m);
    }
    pump(p);
    return;
  }
  int64_t due =
      results_.start_ns + static_cast<int64_t>(std::llround(p.interval_ns * static_cast<double>(p.next_index)));
  if (due >= results_.producers_stop_ns) return;
  cluster_.schedule(std::max(due, cluster_.now_ns()), [this, idx] { produce_due(producers_[idx]); });
}

void LoadGenerator::produce_due(Producer& p) {
  if (!producing_) return;
  int64_t due =
      results_.start_ns + static_cast<int64_t>(std::llround(p.interval_ns * static_cast<double>(p.next_index)));
  size_t m = msgs_.size();
  PartitionId part{p.topic * spec_.partitions_per_topic +
                   static_cast<uint32_t>(p.next_index % spec_.partitions_per_topic)};
  msgs_.push_back(Msg{p.id, p.next_index++, part, due});
  ++outstanding_total_;
  enqueue(p, m);
  pump(p);
  schedule_producer(p);
}

void LoadGenerator::enqueue(Producer& p, size_t m) {
  auto k = msgs_[m].partition.value() - p.topic * spec_.partitions_per_topic;
  auto& q = p.unsent[k];
  q.push_back(m);
  ++p.unsent_total;
  // A partial batch that may linger gets a wake-up when its oldest message has waited enough.
  if (q.size() == 1 && spec_.linger_ns > 0 && spec_.batch_max_messages > 1) {
    size_t idx = p.id - 1;
    cluster_.schedule(msgs_[m].intended + spec_.linger_ns, [this, idx] { pump(producers_[idx]); });
  }
}

void LoadGenerator::pump(Producer& p) {
  const int64_t now = cluster_.now_ns();
  while (p.unsent_total > 0 && p.in_flight < spec_.max_in_flight) {
    // The ready partition whose oldest waiting message is the oldest overall goes first.
    size_t best = p.unsent.size();
    for (size_t k = 0; k < p.unsent.size(); ++k) {
      const auto& q = p.unsent[k];
      if (q.empty()) continue;
      bool ready = q.size() >= spec_.batch_max_messages || spec_.linger_ns == 0 ||
                   now >= msgs_[q.front()].intended + spec_.linger_ns;
      if (ready && (best == p.unsent.size() || q.front() < p.unsent[best].front())) best = k;
    }
    if (best == p.unsent.size()) return;  // only lingering partial batches
    auto& q = p.unsent[best];
    size_t n = std::min<size_t>({q.size(), spec_.batch_max_messages, spec_.max_in_flight - p.in_flight});
    std::vector<size_t> batch(q.begin(), q.begin() + static_cast<std::ptrdiff_t>(n));
    q.erase(q.begin(), q.begin() + static_cast<std::ptrdiff_t>(n));
    p.unsent_total -= n;
    if (!q.empty() && q.size() < spec_.batch_max_messages && spec_.linger_ns > 0 &&
        msgs_[q.front()].intended + spec_.linger_ns > now) {
      // The rest is a partial batch that may still linger: wake when it has waited enough.
      size_t idx = p.id - 1;
      cluster_.schedule(msgs_[q.front()].intended + spec_.linger_ns, [this, idx] { pump(producers_[idx]); });
    }
    send_attempt(p, std::move(batch));
  }
}

void LoadGenerator::send_attempt(Producer& p, std::vector<size_t> batch) {
  RB_ASSERT(!batch.empty());
  int64_t now = cluster_.now_ns();
  const PartitionId partition = msgs_[batch.front()].partition;
  client::ProduceRequest req;
  uint64_t req_id = p.next_request++;
  req.id = RequestId{req_id};
  req.partition = partition;
  req.acks = spec_.acks;
  req.records.reserve(batch.size());
  for (size_t m : batch) {
    Msg& msg = msgs_[m];
    RB_ASSERT(msg.partition == partition);
    if (msg.invoke < 0) {
      msg.invoke = now;
      ++results_.sent;
      results_.intervals.add_sent(second_of(msg.intended));
      if (msg.intended >= results_.measure_start_ns) results_.schedule_slip.record(now - msg.intended);
      ++p.in_flight;
    } else {
      ++results_.retries;
    }
    ++msg.attempts;
    Entry e;
    e.kind = EntryKind::data;
    e.producer = ProducerId{msg.producer};
    e.sequence = msg.sequence;
    e.timestamp_ns = msg.intended;
    e.payload = payload_;
    req.records.push_back(std::move(e));
  }
  const int64_t deadline = now + spec_.request_timeout_ns;
  p.outstanding.emplace(req_id, Producer::Attempt{std::move(batch), deadline});
  cluster_.send(producer_client(p.id), route(partition), std::move(req));
  if (!p.timer_armed) arm_timer(p, deadline);
}

void LoadGenerator::arm_timer(Producer& p, int64_t at_ns) {
  p.timer_armed = true;
  size_t idx = p.id - 1;
  cluster_.schedule(at_ns, [this, idx] { on_timer(producers_[idx]); });
}

void LoadGenerator::on_timer(Producer& p) {
  p.timer_armed = false;
  const int64_t now = cluster_.now_ns();
  bool expired = false;
  while (!p.outstanding.empty() && p.outstanding.begin()->second.deadline_ns <= now) {
    std::vector<size_t> batch = std::move(p.outstanding.begin()->second.msgs);
    p.outstanding.erase(p.outstanding.begin());
    redirect(msgs_[batch.front()].partition, kNoNode);
    for (size_t m : batch) retry_or_give_up(p, m, /*maybe_written=*/true, errc::timeout);
    expired = true;
  }
  if (!p.outstanding.empty() && !p.timer_armed) arm_timer(p, p.outstanding.begin()->second.deadline_ns);
  if (expired) refill(p);
}

void LoadGenerator::on_produce_response(Producer& p, const client::ProduceResponse& r) {
  auto it = p.outstanding.find(r.id.value());
  if (it == p.outstanding.end()) return;  // a late answer to an attempt that timed out
  std::vector<size_t> batch = std::move(it->second.msgs);
  p.outstanding.erase(it);
  if (r.code == errc::ok) {
    // The records of one request are stored contiguously from base_offset.
    for (size_t i = 0; i < batch.size(); ++i)
      finish(p, batch[i], Outcome::ok, errc::ok, &r, r.base_offset + static_cast<int64_t>(i));
    refill(p);
    return;
  }
  PartitionId partition = msgs_[batch.front()].partition;
  bool maybe = r.code == errc::timeout;
  if (r.code == errc::not_leader || r.code == errc::unavailable || r.code == errc::not_enough_replicas) {
    redirect(partition, r.code == errc::not_leader ? r.leader_hint : route(partition));
  }
  for (size_t m : batch) {
    if (r.code == errc::too_large || r.code == errc::bad_input || r.code == errc::not_found) {
      finish(p, m, Outcome::fail, r.code);
    } else {
      retry_or_give_up(p, m, maybe, r.code);
    }
  }
  refill(p);
}

void LoadGenerator::retry_or_give_up(Producer& p, size_t m, bool maybe_written, errc err) {
  Msg& msg = msgs_[m];
  msg.maybe_written = msg.maybe_written || maybe_written;
  int64_t now = cluster_.now_ns();
  if (now + spec_.retry_backoff_ns - msg.intended > spec_.delivery_timeout_ns) {
    finish(p, m, msg.maybe_written ? Outcome::unknown : Outcome::fail, err);
    return;
  }
  size_t idx = p.id - 1;
  cluster_.schedule(now + spec_.retry_backoff_ns, [this, idx, m] {
    if (!msgs_[m].done) send_attempt(producers_[idx], {m});
  });
}

void LoadGenerator::finish(Producer& p, size_t m, Outcome o, errc err, const client::ProduceResponse* ok,
                           Offset offset) {
  Msg& msg = msgs_[m];
  if (msg.done) return;
  msg.done = true;
  --outstanding_total_;
  int64_t now = cluster_.now_ns();
  SendRecord rec;
  rec.producer = msg.producer;
  rec.sequence = msg.sequence;
  rec.partition = msg.partition;
  rec.intended_ns = msg.intended;
  rec.invoke_ns = msg.invoke < 0 ? now : msg.invoke;
  rec.complete_ns = now;
  rec.outcome = o;
  rec.error = err;
  rec.attempts = msg.attempts;
  int64_t sec = second_of(msg.intended);
  if (o == Outcome::ok) {
    RB_ASSERT(ok != nullptr);
    rec.offset = offset;
    rec.node = ok->node;
    rec.epoch = ok->epoch;
    ++results_.acked;
    results_.intervals.add_acked(sec, now - msg.intended);
    if (measured(msg.intended)) {
      results_.publish_latency.record(now - msg.intended);
      ++results_.measured_acked;
    }
  } else if (o == Outcome::fail) {
    ++results_.failed;
    results_.intervals.add_failed(sec);
  } else {
    ++results_.unknown;
    results_.intervals.add_unknown(sec);
  }
  results_.sends.push_back(rec);
  if (msg.invoke >= 0) {
    --p.in_flight;
  } else {
    // Never sent (still waiting at the end of the run): no longer waiting either.
    auto k = msg.partition.value() - p.topic * spec_.partitions_per_topic;
    auto& q = p.unsent[k];
    auto pos = std::find(q.begin(), q.end(), m);
    if (pos != q.end()) {
      q.erase(pos);
      --p.unsent_total;
    }
  }
}

void LoadGenerator::refill(Producer& p) {
  if (p.interval_ns <= 0 && producing_) {
    schedule_producer(p);  // closed loop: new messages for the freed window; pumps
  } else {
    pump(p);
  }
}

// --- consumers ---------------------------------------------------------------------------------

void LoadGenerator::fetch(Consumer& c, size_t a) {
  Assignment& as = c.parts[a];
  if (as.fetching) return;
  as.fetching = true;
  as.request = c.next_request++;
  client::FetchRequest req;
  req.id = RequestId{as.request};
  req.partition = as.partition;
  req.offset = as.next;
  req.max_bytes = 1 << 20;
  req.max_wait_ms = 100;
  cluster_.send(consumer_client(c.id), route(as.partition), std::move(req));
  // A lost request or a dead node: try again after the request timeout.
  size_t ci = c.id - 1;
  uint64_t rid = as.request;
  cluster_.schedule(cluster_.now_ns() + spec_.request_timeout_ns, [this, ci, a, rid] {
    Consumer& con = consumers_[ci];
    Assignment& asg = con.parts[a];
    if (asg.fetching && asg.request == rid) {
      asg.fetching = false;
      redirect(asg.partition, kNoNode);
      fetch(con, a);
    }
  });
}

void LoadGenerator::on_fetch_response(Consumer& c, const client::FetchResponse& r) {
  size_t a = 0;
  for (; a < c.parts.size(); ++a)
    if (c.parts[a].partition == r.partition && c.parts[a].request == r.id.value()) break;
  if (a == c.parts.size()) return;
  Assignment& as = c.parts[a];
  as.fetching = false;
  int64_t now = cluster_.now_ns();
  int64_t delay = 0;
  if (r.code == errc::ok) {
    if (!r.records.empty()) {
      PollRecord poll;
      poll.consumer = c.id;
      poll.partition = r.partition;
      poll.time_ns = now;
      poll.node = r.node;
      for (const auto& e : r.records) {
        if (e.offset < as.next) continue;
        ++results_.delivered;
        results_.intervals.add_delivered(second_of(e.timestamp_ns), now - e.timestamp_ns);
        if (measured(e.timestamp_ns)) {
          results_.e2e_latency.record(now - e.timestamp_ns);
          ++results_.measured_delivered;
        }
        poll.items.push_back({e.offset, e.producer.value(), e.sequence});
        as.next = e.offset.next();
      }
      if (keep_history_) results_.polls.push_back(std::move(poll));
    }
    if (now - as.last_commit_ns >= spec_.offset_commit_interval_ns && as.next.value() > 0) {
      as.last_commit_ns = now;
      client::OffsetCommitRequest oc{RequestId{c.next_request++}, c.group, as.partition, as.next};
      cluster_.send(consumer_client(c.id), route(as.partition), std::move(oc));
    }
  } else if (r.code == errc::not_leader || r.code == errc::unavailable) {
    redirect(as.partition, r.leader_hint);
    delay = spec_.retry_backoff_ns;
  } else if (r.code == errc::out_of_range) {
    // Ahead of this replica's watermark (a new leader that has less): wait for it to catch up.
    delay = spec_.retry_backoff_ns;
  } else if (r.code == errc::compacted) {
    as.next = r.log_start;
  } else {
    delay = spec_.retry_backoff_ns;
  }
  size_t ci = c.id - 1;
  if (delay == 0) {
    fetch(c, a);
  } else {
    cluster_.schedule(now + delay, [this, ci, a] { fetch(consumers_[ci], a); });
  }
}

void LoadGenerator::on_response(ClientId client, client::Response resp) {
  if (client < (1ull << 32)) {
    if (auto* r = std::get_if<client::ProduceResponse>(&resp)) {
      RB_ASSERT(client >= 1 && client <= producers_.size());
      on_produce_response(producers_[client - 1], *r);
    }
    return;
  }
  uint32_t ci = static_cast<uint32_t>(client - (1ull << 32));
  if (ci < 1 || ci > consumers_.size()) return;
  if (auto* r = std::get_if<client::FetchResponse>(&resp)) on_fetch_response(consumers_[ci - 1], *r);
  // Offset-commit answers need no action: the next commit supersedes a failed one.
}

}  // namespace rb::harness
