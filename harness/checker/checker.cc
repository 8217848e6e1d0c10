// The checker: everything is sorted vectors and binary searches so a history of millions of ops
// checks in O(n log n). See checker.h and docs/checker.md for the definitions.
#include "harness/checker/checker.h"

#include <algorithm>
#include <tuple>

#include "harness/checker/checker_internal.h"

namespace rb::checker {

namespace {

enum class Outcome : uint8_t { acked, failed, unknown };

struct SendSummary {
  MessageId id;
  PartitionId partition;
  Outcome outcome = Outcome::unknown;
  int64_t ack_ns = 0;
};

// A (partition, offset, id) sighting, from a consumer delivery or a committed replica record.
struct Sighting {
  PartitionId partition;
  Offset offset;
  MessageId id;
  bool delivery = false;
  auto key() const { return std::tie(partition, offset, id, delivery); }
};

struct Delivery {
  uint64_t process = 0;
  PartitionId partition;
  Offset offset;
  MessageId id;
  size_t order = 0;  // position in the history, to keep each consumer's stream in order
};

class Examples {
 public:
  explicit Examples(std::vector<std::string>& out) : out_(out) {}
  void add(std::string s) {
    if (out_.size() < 20) out_.push_back(std::move(s));
  }

 private:
  std::vector<std::string>& out_;
};

std::string pos(PartitionId p, Offset o) { return "partition " + to_string(p) + " offset " + to_string(o); }

template <class T>
void sort_unique(std::vector<T>& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

bool contains(const std::vector<MessageId>& sorted, const MessageId& id) {
  return std::binary_search(sorted.begin(), sorted.end(), id);
}

// Per-id outcome of all its send ops, plus the ack / failure events availability needs.
std::vector<SendSummary> summarize_sends(const std::vector<HistoryOp>& ops, std::vector<detail::AckEvent>& acks,
                                         std::vector<detail::SendFailure>& failures) {
  // Sort compact (id, index) keys rather than indices into the large ops: far fewer cache misses.
  struct Key {
    MessageId id;
    uint32_t index;
    auto operator<=>(const Key&) const = default;
  };
  std::vector<Key> keys;
  for (size_t i = 0; i < ops.size(); ++i)
    if (ops[i].f == OpFn::send) keys.push_back({ops[i].id, static_cast<uint32_t>(i)});
  std::sort(keys.begin(), keys.end());
  std::vector<uint32_t> idx;
  idx.reserve(keys.size());
  for (const auto& k : keys) idx.push_back(k.index);
  std::vector<SendSummary> out;
  for (size_t g = 0; g < idx.size();) {
    const MessageId id = ops[idx[g]].id;
    SendSummary s{id, ops[idx[g]].partition, Outcome::failed, 0};
    int64_t invokes = 0, completions = 0, last_invoke = -1;
    bool any_ok = false, any_info = false;
    for (; g < idx.size() && ops[idx[g]].id == id; ++g) {
      const HistoryOp& op = ops[idx[g]];
      switch (op.type) {
        case OpType::invoke:
          ++invokes;
          last_invoke = op.time_ns;
          break;
        case OpType::ok:
          ++completions;
          if (!any_ok) s.ack_ns = op.time_ns;
          any_ok = true;
          acks.push_back({last_invoke >= 0 ? last_invoke : op.time_ns, op.time_ns, op.partition, op.node, op.epoch});
          break;
        case OpType::fail:
          ++completions;
          failures.push_back({op.time_ns, false});
          break;
        case OpType::info:
          ++completions;
          any_info = true;
          failures.push_back({op.time_ns, true});
          break;
      }
    }
    s.outcome = any_ok ? Outcome::acked : (any_info || invokes > completions) ? Outcome::unknown : Outcome::failed;
    out.push_back(s);
  }
  return out;  // sorted by id
}

// One replica's committed records, sorted by (offset, id).
struct Committed {
  const ReplicaLog* log;
  std::vector<ReplicaLog::Record> recs;
};

bool record_less(const ReplicaLog::Record& a, const ReplicaLog::Record& b) {
  return std::tie(a.offset, a.id) < std::tie(b.offset, b.id);
}

// Committed logs ordered by (partition, node).
std::vector<Committed> committed_logs(const std::vector<ReplicaLog>& logs) {
  std::vector<Committed> cs;
  cs.reserve(logs.size());
  for (const auto& log : logs) {
    Committed c{&log, {}};
    c.recs.reserve(log.records.size());
    for (const auto& r : log.records)
      if (r.offset >= log.start && r.offset < log.commit_end) c.recs.push_back(r);
    if (!std::is_sorted(c.recs.begin(), c.recs.end(), record_less))
      std::sort(c.recs.begin(), c.recs.end(), record_less);
    cs.push_back(std::move(c));
  }
  std::sort(cs.begin(), cs.end(), [](const Committed& a, const Committed& b) {
    return std::tie(a.log->partition, a.log->node) < std::tie(b.log->partition, b.log->node);
  });
  return cs;
}

// The union of all replicas' committed records of each partition, without repeats, so that
// identical replicas cost one copy downstream.
std::vector<std::pair<PartitionId, ReplicaLog::Record>> union_of_logs(const std::vector<Committed>& cs) {
  std::vector<std::pair<PartitionId, ReplicaLog::Record>> out;
  std::vector<ReplicaLog::Record> acc, tmp;
  for (size_t a = 0; a < cs.size();) {
    size_t b = a;
    acc.clear();
    for (; b < cs.size() && cs[b].log->partition == cs[a].log->partition; ++b) {
      tmp.clear();
      std::set_union(acc.begin(), acc.end(), cs[b].recs.begin(), cs[b].recs.end(), std::back_inserter(tmp),
                     record_less);
      std::swap(acc, tmp);
    }
    for (const auto& r : acc) out.emplace_back(cs[a].log->partition, r);
    a = b;
  }
  return out;
}

// Pairwise comparison of replicas of one partition on their common committed range.
void check_divergence(const std::vector<Committed>& cs, Verification& v, Examples& ex) {
  std::vector<std::pair<PartitionId, Offset>> bad;
  for (size_t a = 0; a < cs.size(); ++a) {
    for (size_t b = a + 1; b < cs.size() && cs[b].log->partition == cs[a].log->partition; ++b) {
      const Offset lo = std::max(cs[a].log->start, cs[b].log->start);
      const Offset hi = std::min(cs[a].log->commit_end, cs[b].log->commit_end);
      auto in = [&](const ReplicaLog::Record& r) { return r.offset >= lo && r.offset < hi; };
      const auto& x = cs[a].recs;
      const auto& y = cs[b].recs;
      size_t i = 0, j = 0;
      while (i < x.size() || j < y.size()) {
        if (i < x.size() && !in(x[i])) {
          ++i;
        } else if (j < y.size() && !in(y[j])) {
          ++j;
        } else if (j == y.size() || (i < x.size() && x[i].offset < y[j].offset)) {
          bad.emplace_back(cs[a].log->partition, x[i].offset);
          ex.add("divergent: " + pos(cs[a].log->partition, x[i].offset) + ": node " + to_string(cs[a].log->node) +
                 " has " + x[i].id.describe() + ", node " + to_string(cs[b].log->node) + " has no data record");
          ++i;
        } else if (i == x.size() || y[j].offset < x[i].offset) {
          bad.emplace_back(cs[a].log->partition, y[j].offset);
          ex.add("divergent: " + pos(cs[a].log->partition, y[j].offset) + ": node " + to_string(cs[b].log->node) +
                 " has " + y[j].id.describe() + ", node " + to_string(cs[a].log->node) + " has no data record");
          ++j;
        } else {
          if (x[i].id != y[j].id || x[i].epoch != y[j].epoch) {
            bad.emplace_back(cs[a].log->partition, x[i].offset);
            ex.add("divergent: " + pos(cs[a].log->partition, x[i].offset) + ": node " + to_string(cs[a].log->node) +
                   " has " + x[i].id.describe() + "@e" + to_string(x[i].epoch) + ", node " +
                   to_string(cs[b].log->node) + " has " + y[j].id.describe() + "@e" + to_string(y[j].epoch));
          }
          ++i;
          ++j;
        }
      }
    }
  }
  sort_unique(bad);
  v.divergent = static_cast<int64_t>(bad.size());
}

void check_multi_leader(const std::vector<HistoryOp>& ops, Verification& v, Examples& ex) {
  std::vector<std::tuple<PartitionId, Epoch, NodeId>> claims;
  for (const auto& op : ops) {
    const bool ack = op.f == OpFn::send && op.type == OpType::ok;
    const bool leader = op.f == OpFn::leader && op.type != OpType::fail && op.type != OpType::invoke;
    if ((ack || leader) && op.node != kNoNode && op.epoch.value() != 0)
      claims.emplace_back(op.partition, op.epoch, op.node);
  }
  sort_unique(claims);
  for (size_t i = 0; i < claims.size();) {
    size_t j = i;
    while (j < claims.size() && std::get<0>(claims[j]) == std::get<0>(claims[i]) &&
           std::get<1>(claims[j]) == std::get<1>(claims[i]))
      ++j;
    if (j - i > 1) {
      ++v.multi_leader;
      ex.add("multi_leader: partition " + to_string(std::get<0>(claims[i])) + " epoch " +
             to_string(std::get<1>(claims[i])) + " led by nodes " + to_string(std::get<2>(claims[i])) + " and " +
             to_string(std::get<2>(claims[i + 1])));
    }
    i = j;
  }
}

void decide_validity(Verification& v) {
  auto violate = [&](int64_t n, const char* what) {
    if (n > 0) v.violations.push_back(std::to_string(n) + " " + what);
  };
  violate(v.unexpected, "unexpected messages (delivered or committed, never sent)");
  violate(v.failed_landed, "failed sends that landed");
  violate(v.divergent, "offsets where replicas' committed logs diverge");
  violate(v.multi_leader, "(partition, epoch) pairs with more than one leader");
  if (!v.loss_permitted) {
    violate(v.lost, "acknowledged messages lost");
    violate(v.vanished, "delivered messages missing from the committed logs");
    violate(v.offset_conflicts, "offsets holding different messages");
    violate(v.skipped, "consumer streams skipping data records");
  }
  if (!v.duplicates_permitted) {
    violate(v.duplicated, "duplicated messages");
    violate(v.reordered, "consumer streams going backwards");
  }
  v.expected_loss = v.loss_permitted ? v.lost : 0;
  v.valid = v.violations.empty();
}

}  // namespace

Verification check(const std::vector<HistoryOp>& ops, const std::vector<ReplicaLog>& logs, const Guarantees& g) {
  Verification v;
  v.loss_permitted = g.loss_permitted;
  v.loss_why = g.loss_why;
  v.duplicates_permitted = g.duplicates_permitted;
  v.duplicates_why = g.duplicates_why;
  Examples ex(v.examples);

  // 1. Sends: one summary per message identity.
  std::vector<detail::AckEvent> acks;
  std::vector<detail::SendFailure> failures;
  const std::vector<SendSummary> sends = summarize_sends(ops, acks, failures);
  v.sends = static_cast<int64_t>(sends.size());
  for (const auto& s : sends) {
    if (s.outcome == Outcome::acked) ++v.acked;
    if (s.outcome == Outcome::failed) ++v.failed;
    if (s.outcome == Outcome::unknown) ++v.unknown;
  }

  // 2. Deliveries and committed records.
  std::vector<Delivery> deliveries;
  bool any_poll = false;
  int64_t history_end = 0;
  for (size_t i = 0; i < ops.size(); ++i) {
    const HistoryOp& op = ops[i];
    history_end = std::max(history_end, op.time_ns);
    if (op.f != OpFn::poll) continue;
    any_poll = true;
    if (op.type != OpType::ok) continue;
    for (const auto& r : op.delivered)
      deliveries.push_back({op.process, op.partition, r.offset, r.id, deliveries.size()});
  }
  v.deliveries = static_cast<int64_t>(deliveries.size());
  const std::vector<Committed> committed = committed_logs(logs);
  const auto log_union = union_of_logs(committed);
  std::vector<Sighting> seen;
  seen.reserve(deliveries.size() + log_union.size());
  for (const auto& d : deliveries) seen.push_back({d.partition, d.offset, d.id, true});
  std::vector<PartitionId> logged_partitions;
  std::vector<MessageId> log_ids;
  for (const auto& log : logs) logged_partitions.push_back(log.partition);
  log_ids.reserve(log_union.size());
  for (const auto& [partition, r] : log_union) {
    seen.push_back({partition, r.offset, r.id, false});
    log_ids.push_back(r.id);
  }
  sort_unique(logged_partitions);
  sort_unique(log_ids);
  std::sort(seen.begin(), seen.end(), [](const Sighting& a, const Sighting& b) { return a.key() < b.key(); });
  seen.erase(
      std::unique(seen.begin(), seen.end(), [](const Sighting& a, const Sighting& b) { return a.key() == b.key(); }),
      seen.end());

  // 3. Offset conflicts: a delivery that disagrees with another sighting at the same position.
  for (size_t i = 0; i < seen.size();) {
    size_t j = i;
    bool any_delivery = false, two_ids = false;
    for (; j < seen.size() && seen[j].partition == seen[i].partition && seen[j].offset == seen[i].offset; ++j) {
      any_delivery |= seen[j].delivery;
      two_ids |= seen[j].id != seen[i].id;
    }
    if (any_delivery && two_ids) {
      ++v.offset_conflicts;
      ex.add("offset_conflict: " + pos(seen[i].partition, seen[i].offset) + " holds " + seen[i].id.describe() +
             " and " + seen[j - 1].id.describe());
    }
    i = j;
  }

  // 4. Duplicates: one identity at two positions, or twice in one consumer's stream.
  std::vector<MessageId> dup_ids;
  {
    std::vector<std::tuple<MessageId, PartitionId, Offset>> at;
    at.reserve(seen.size());
    for (const auto& s : seen) at.emplace_back(s.id, s.partition, s.offset);
    sort_unique(at);
    for (size_t i = 1; i < at.size(); ++i)
      if (std::get<0>(at[i]) == std::get<0>(at[i - 1])) {
        if (dup_ids.empty() || dup_ids.back() != std::get<0>(at[i]))
          ex.add("duplicated: " + std::get<0>(at[i]).describe() + " at " +
                 pos(std::get<1>(at[i - 1]), std::get<2>(at[i - 1])) + " and " +
                 pos(std::get<1>(at[i]), std::get<2>(at[i])));
        dup_ids.push_back(std::get<0>(at[i]));
      }
    std::vector<std::pair<uint64_t, MessageId>> per_process;
    per_process.reserve(deliveries.size());
    for (const auto& d : deliveries) per_process.emplace_back(d.process, d.id);
    std::sort(per_process.begin(), per_process.end());
    for (size_t i = 1; i < per_process.size(); ++i)
      if (per_process[i] == per_process[i - 1]) {
        ex.add("duplicated: " + per_process[i].second.describe() + " delivered twice to process " +
               std::to_string(per_process[i].first));
        dup_ids.push_back(per_process[i].second);
      }
    sort_unique(dup_ids);
    v.duplicated = static_cast<int64_t>(dup_ids.size());
  }

  // 5. Consumer streams: per (process, partition), offsets must increase, and may only jump over
  //    positions where no data record is known (from any delivery or committed log).
  std::sort(deliveries.begin(), deliveries.end(), [](const Delivery& a, const Delivery& b) {
    return std::tie(a.process, a.partition, a.order) < std::tie(b.process, b.partition, b.order);
  });
  for (size_t i = 1; i < deliveries.size(); ++i) {
    const Delivery& prev = deliveries[i - 1];
    const Delivery& cur = deliveries[i];
    if (prev.process != cur.process || prev.partition != cur.partition) continue;
    if (cur.offset <= prev.offset) {
      ++v.reordered;
      ex.add("reordered: process " + std::to_string(cur.process) + " read " + pos(cur.partition, cur.offset) +
             " after offset " + to_string(prev.offset));
    } else if (cur.offset > prev.offset.next()) {
      auto it = std::lower_bound(seen.begin(), seen.end(), std::pair{cur.partition, prev.offset.next()},
                                 [](const Sighting& s, const std::pair<PartitionId, Offset>& k) {
                                   return std::tie(s.partition, s.offset) < std::tie(k.first, k.second);
                                 });
      if (it != seen.end() && it->partition == cur.partition && it->offset < cur.offset) {
        ++v.skipped;
        ex.add("skipped: process " + std::to_string(cur.process) + " jumped from " + pos(cur.partition, prev.offset) +
               " to " + to_string(cur.offset) + " over data at offset " + to_string(it->offset));
      }
    }
  }

  // 6. Per-identity outcomes against what was delivered and committed.
  std::vector<MessageId> delivered_ids;
  std::vector<std::pair<MessageId, PartitionId>> delivered_at;
  delivered_ids.reserve(deliveries.size());
  for (const auto& d : deliveries) {
    delivered_ids.push_back(d.id);
    delivered_at.emplace_back(d.id, d.partition);
  }
  sort_unique(delivered_ids);
  sort_unique(delivered_at);
  v.delivered = static_cast<int64_t>(delivered_ids.size());
  std::vector<std::pair<int64_t, MessageId>> lost;
  for (const auto& s : sends) {
    const bool in_log = contains(log_ids, s.id);
    const bool delivered = contains(delivered_ids, s.id);
    switch (s.outcome) {
      case Outcome::acked:
        if (!in_log && !delivered) lost.emplace_back(s.ack_ns, s.id);
        if (in_log && !delivered && any_poll) ++v.undelivered;
        break;
      case Outcome::failed:
        if (in_log || delivered) {
          ++v.failed_landed;
          ex.add("failed_landed: " + s.id.describe() + " failed but was " + (delivered ? "delivered" : "committed"));
        }
        break;
      case Outcome::unknown:
        (in_log || delivered ? v.unknown_landed : v.unknown_lost)++;
        break;
    }
  }
  std::sort(lost.begin(), lost.end());
  v.lost = static_cast<int64_t>(lost.size());
  for (size_t i = 0; i < lost.size() && i < 10; ++i) v.lost_sample.push_back(lost[i].second);
  if (!lost.empty())
    ex.add("lost: " + lost.front().second.describe() + " acknowledged but never delivered nor committed");
  for (const auto& [id, p] : delivered_at) {
    if (std::binary_search(logged_partitions.begin(), logged_partitions.end(), p) && !contains(log_ids, id)) {
      ++v.vanished;
      ex.add("vanished: " + id.describe() + " delivered from partition " + to_string(p) + " but in no committed log");
    }
  }
  auto sent = [&](const MessageId& id) {
    auto it = std::lower_bound(sends.begin(), sends.end(), id,
                               [](const SendSummary& s, const MessageId& k) { return s.id < k; });
    return it != sends.end() && it->id == id;
  };
  std::vector<MessageId> all_ids = delivered_ids;
  all_ids.insert(all_ids.end(), log_ids.begin(), log_ids.end());
  sort_unique(all_ids);
  for (const auto& id : all_ids)
    if (!sent(id)) {
      ++v.unexpected;
      ex.add("unexpected: " + id.describe() + " was never sent");
    }

  // 7. Replica agreement and leadership.
  check_divergence(committed, v, ex);
  check_multi_leader(ops, v, ex);

  // 8. Availability per fault.
  std::vector<int64_t> lost_ack_ns;
  lost_ack_ns.reserve(lost.size());
  for (const auto& l : lost) lost_ack_ns.push_back(l.first);
  v.availability =
      detail::compute_availability(ops, std::move(acks), std::move(failures), std::move(lost_ack_ns), history_end);

  decide_validity(v);
  return v;
}

}  // namespace rb::checker
