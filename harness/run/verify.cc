#include "harness/run/verify.h"

#include <fstream>
#include <map>
#include <set>

namespace rb::harness {

namespace {

using Id = std::pair<uint64_t, int64_t>;  // (producer, sequence)

// The replica whose committed log is authoritative for a partition at the end of a run: the one
// whose last committed record has the highest (epoch, offset).
std::map<PartitionId, const ReplicaLogDump*> authoritative(const std::vector<ReplicaLogDump>& logs) {
  std::map<PartitionId, const ReplicaLogDump*> best;
  auto key = [](const ReplicaLogDump* d) {
    if (d->entries.empty()) return std::make_pair(Epoch{0}, d->commit);
    return std::make_pair(d->entries.back().epoch, d->commit);
  };
  for (const auto& d : logs) {
    auto& b = best[d.partition];
    if (!b || key(&d) > key(b)) b = &d;
  }
  return best;
}

const char* outcome_name(Outcome o) {
  switch (o) {
    case Outcome::ok:
      return "ok";
    case Outcome::fail:
      return "fail";
    case Outcome::unknown:
      return "info";
  }
  return "?";
}

}  // namespace

Guarantee guarantee_for(const EngineFactory& factory, const ReplicationConfig& common) {
  Guarantee g;
  g.duplicates_permitted = !common.idempotence;
  if (common.acks == AckLevel::none || common.acks == AckLevel::leader) {
    g.loss_permitted = true;
    g.why = "acks=" + std::string(to_string(common.acks));
  }
  for (const auto& [k, v] : factory.settings()) {
    bool permits = (k == "replication" && v == "async") || (k == "unclean_leader_election" && v == "true") ||
                   (k == "partition_handling" && v == "ignore") || (k == "promote_on_failure" && v == "always") ||
                   (k == "failover" && v == "watchdog");
    if (permits) {
      g.loss_permitted = true;
      g.why += (g.why.empty() ? "" : ", ") + k + "=" + v;
    }
  }
  return g;
}

nlohmann::json verify(const LoadResults& res, const std::vector<ReplicaLogDump>& logs, const Guarantee& g) {
  auto auth = authoritative(logs);
  std::map<PartitionId, std::map<Id, int>> in_log;
  std::set<Id> sent;
  uint64_t duplicated = 0, divergent = 0;
  for (const auto& [p, d] : auth) {
    auto& m = in_log[p];
    for (const auto& e : d->entries) {
      if (e.kind != EntryKind::data) continue;
      if (++m[{e.producer.value(), e.sequence}] == 2) ++duplicated;
    }
  }
  // Replicas must agree on their common committed prefix.
  std::map<PartitionId, std::vector<const ReplicaLogDump*>> by_part;
  for (const auto& d : logs) by_part[d.partition].push_back(&d);
  for (const auto& [p, ds] : by_part) {
    for (size_t i = 1; i < ds.size(); ++i) {
      const auto& a = *ds[0];
      const auto& b = *ds[i];
      Offset from = std::max(a.log_start, b.log_start), to = std::min(a.commit, b.commit);
      for (Offset o = from; o < to; ++o) {
        const Entry& x = a.entries[static_cast<size_t>(o - a.log_start)];
        const Entry& y = b.entries[static_cast<size_t>(o - b.log_start)];
        if (x.producer != y.producer || x.sequence != y.sequence || x.epoch != y.epoch) {
          ++divergent;
          break;
        }
      }
    }
  }
  uint64_t lost = 0, unknown_landed = 0;
  nlohmann::json lost_sample = nlohmann::json::array();
  for (const auto& s : res.sends) {
    sent.insert({s.producer, s.sequence});
    bool present = in_log[s.partition].count({s.producer, s.sequence}) > 0;
    if (s.outcome == Outcome::ok && !present) {
      ++lost;
      if (lost_sample.size() < 10)
        lost_sample.push_back({{"producer", s.producer},
                               {"sequence", s.sequence},
                               {"partition", s.partition.value()},
                               {"offset", s.offset.value()}});
    }
    if (s.outcome == Outcome::unknown && present) ++unknown_landed;
  }
  // Consumers: each identity once per consumer group stream, never something unsent.
  uint64_t unexpected = 0, delivered_twice = 0;
  std::map<std::pair<uint32_t, PartitionId>, std::set<Id>> seen;
  for (const auto& poll : res.polls) {
    auto& s = seen[{poll.consumer, poll.partition}];
    for (const auto& it : poll.items) {
      Id id{it.producer, it.sequence};
      if (!sent.count(id)) ++unexpected;
      if (!s.insert(id).second) ++delivered_twice;
    }
  }
  duplicated += delivered_twice;
  bool loss_ok = lost == 0 || g.loss_permitted;
  bool dup_ok = duplicated == 0 || g.duplicates_permitted;
  bool valid = loss_ok && dup_ok && unexpected == 0 && divergent == 0;
  return {{"valid", valid},
          {"lost", g.loss_permitted ? 0 : lost},
          {"expected_loss", g.loss_permitted ? lost : 0},
          {"loss_permitted_because", g.why},
          {"duplicated", duplicated},
          {"unexpected", unexpected},
          {"divergent", divergent},
          {"unknown_landed", unknown_landed},
          {"lost_sample", lost_sample}};
}

Status write_history(const std::string& path, const LoadResults& res, const std::vector<ReplicaLogDump>&,
                     const Guarantee&) {
  std::ofstream f(path);
  if (!f) return make_error(errc::io_error, "cannot write history file " + path);
  for (const auto& s : res.sends) {
    nlohmann::json inv = {{"type", "invoke"},
                          {"f", "send"},
                          {"time_ns", s.invoke_ns},
                          {"process", s.producer},
                          {"partition", s.partition.value()},
                          {"producer", s.producer},
                          {"sequence", s.sequence}};
    f << inv.dump() << "\n";
    nlohmann::json done = inv;
    done["type"] = outcome_name(s.outcome);
    done["time_ns"] = s.complete_ns;
    done["offset"] = s.offset.value();
    done["node"] = s.node == kNoNode ? -1 : static_cast<int64_t>(s.node.value());
    done["epoch"] = s.epoch.value();
    if (s.error != errc::ok) done["error"] = std::string(to_string(s.error));
    f << done.dump() << "\n";
  }
  for (const auto& p : res.polls) {
    nlohmann::json items = nlohmann::json::array();
    for (const auto& it : p.items) items.push_back({it.offset.value(), it.producer, it.sequence});
    f << nlohmann::json{{"type", "ok"},
                        {"f", "poll"},
                        {"time_ns", p.time_ns},
                        {"process", 1'000'000 + p.consumer},
                        {"partition", p.partition.value()},
                        {"node", p.node.value()},
                        {"items", items}}
             .dump()
      << "\n";
  }
  if (!f) return make_error(errc::io_error, "failed writing history file " + path);
  return {};
}

}  // namespace rb::harness
