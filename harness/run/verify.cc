#include "harness/run/verify.h"

#include <algorithm>

namespace rb::harness {

namespace {

checker::MessageId id_of(uint64_t producer, int64_t sequence) {
  return checker::MessageId{ProducerId{producer}, static_cast<uint64_t>(sequence)};
}

checker::OpType op_type(Outcome o) {
  switch (o) {
    case Outcome::ok:
      return checker::OpType::ok;
    case Outcome::fail:
      return checker::OpType::fail;
    case Outcome::unknown:
      return checker::OpType::info;
  }
  return checker::OpType::info;
}

}  // namespace

Guarantee guarantee_for(const EngineFactory& factory, const ReplicationConfig& common) {
  Guarantee g;
  checker::Guarantees base = checker::guarantees_for(common);
  g.loss_permitted = base.loss_permitted;
  g.why = base.loss_why;
  g.duplicates_permitted = base.duplicates_permitted;
  g.duplicates_why = base.duplicates_why;
  // Engine settings that trade safety for availability or latency, by design of the protocol.
  for (const auto& [k, v] : factory.settings()) {
    bool permits = (k == "replication" && v == "async") || (k == "unclean_leader_election" && v == "true") ||
                   (k == "partition_handling" && v == "ignore") || (k == "promote_on_failure" && v == "always") ||
                   (k == "failover" && v == "watchdog");
    if (permits) {
      g.loss_permitted = true;
      g.split_brain_permitted = g.split_brain_permitted || k == "partition_handling" || k == "failover";
      g.why += (g.why.empty() ? "" : ", ") + k + "=" + v;
    }
  }
  if (common.acks == AckLevel::none || common.acks == AckLevel::leader) {
    // As in Kafka, idempotent de-duplication is only promised with replicated acks: a retry can
    // reach a new leader that never received the original an old leader acknowledged alone.
    g.duplicates_permitted = true;
    g.duplicates_why += std::string(g.duplicates_why.empty() ? "" : ", ") + "idempotence needs replicated acks";
  }
  if (factory.mode() == "gm") {
    // Mirrored-queue semantics: a new master re-exposes (requeues) what was in flight, and a retry
    // can reach it before the inherited original does; at-least-once, duplicates reported.
    g.duplicates_permitted = true;
    g.duplicates_why += std::string(g.duplicates_why.empty() ? "" : ", ") + "gm failover requeues in-flight messages";
  }
  if (common.fsync.mode != FsyncMode::always) {
    // Power loss (not process kill) on a majority can drop acknowledged records that only ever
    // reached the page cache; only runs with such faults can show it.
    g.power_loss_permitted = true;
  }
  return g;
}

RunHistory build_history(const LoadResults& res, const std::vector<ReplicaLogDump>& dumps,
                         const std::vector<EngineEventRecord>& events, const std::vector<FaultWindow>& faults) {
  RunHistory h;
  h.ops.reserve(res.sends.size() * 2 + res.polls.size() + faults.size() * 2);
  for (const auto& s : res.sends) {
    checker::HistoryOp inv;
    inv.type = checker::OpType::invoke;
    inv.f = checker::OpFn::send;
    inv.time_ns = s.invoke_ns;
    inv.process = s.producer;
    inv.partition = s.partition;
    inv.id = id_of(s.producer, s.sequence);
    h.ops.push_back(inv);
    checker::HistoryOp done = inv;
    done.type = op_type(s.outcome);
    done.time_ns = s.complete_ns;
    if (s.outcome == Outcome::ok) {
      done.offset = s.offset;
      done.node = s.node;
      done.epoch = s.epoch;
    } else {
      done.error = std::string(to_string(s.error));
    }
    h.ops.push_back(std::move(done));
  }
  for (const auto& p : res.polls) {
    checker::HistoryOp op;
    op.type = checker::OpType::ok;
    op.f = checker::OpFn::poll;
    op.time_ns = p.time_ns;
    op.process = (1ull << 32) + p.consumer;
    op.partition = p.partition;
    op.node = p.node;
    for (const auto& it : p.items) op.delivered.push_back({it.offset, id_of(it.producer, it.sequence)});
    h.ops.push_back(std::move(op));
  }
  for (const auto& e : events) {
    if (e.event.kind != Event::Kind::role_changed || e.event.role != Role::leader) continue;
    if (is_coordinator_traffic(e.partition)) continue;
    checker::HistoryOp op;
    op.type = checker::OpType::ok;
    op.f = checker::OpFn::leader;
    op.time_ns = e.time_ns;
    op.partition = e.partition;
    op.node = e.node;
    op.epoch = e.event.epoch;
    h.ops.push_back(op);
  }
  for (const auto& f : faults) {
    checker::HistoryOp op;
    op.type = checker::OpType::info;
    op.f = checker::OpFn::fault;
    op.time_ns = f.start_ns;
    op.fault = f.name;
    op.phase = checker::FaultPhase::start;
    h.ops.push_back(op);
    if (f.end_ns >= 0) {
      op.time_ns = f.end_ns;
      op.phase = checker::FaultPhase::stop;
      h.ops.push_back(op);
    }
  }
  std::stable_sort(h.ops.begin(), h.ops.end(),
                   [](const checker::HistoryOp& a, const checker::HistoryOp& b) { return a.time_ns < b.time_ns; });
  for (const auto& d : dumps) {
    checker::ReplicaLog log;
    log.node = d.node;
    log.partition = d.partition;
    log.start = d.log_start;
    log.commit_end = d.commit;
    for (const auto& e : d.entries) {
      if (e.kind != EntryKind::data) continue;
      log.records.push_back({e.offset, e.epoch, id_of(e.producer.value(), e.sequence)});
    }
    h.logs.push_back(std::move(log));
  }
  return h;
}

checker::Guarantees to_checker(const Guarantee& g) {
  checker::Guarantees c;
  c.loss_permitted = g.loss_permitted;
  c.loss_why = g.why;
  c.duplicates_permitted = g.duplicates_permitted;
  c.duplicates_why = g.duplicates_why;
  return c;
}

nlohmann::json verify(const RunHistory& h, const Guarantee& g) {
  checker::Verification v = checker::check(h.ops, h.logs, to_checker(g));
  nlohmann::json j = v.to_json();
  // Split brain is what watchdog failover and GM `ignore` are for: their leaders in one epoch and
  // the divergence that follows are the expected (and counted) price, like the loss itself.
  if (g.loss_permitted && !v.valid) {
    std::vector<std::string> kept;
    for (const auto& line : v.violations) {
      bool expected =
          line.find("more than one leader") != std::string::npos || line.find("diverge") != std::string::npos;
      if (!expected) kept.push_back(line);
    }
    if (kept.empty()) {
      j["valid"] = true;
      j["expected_anomalies"] = v.violations;
      j["violations"] = nlohmann::json::array();
    }
  }
  return j;
}

Status write_history(const std::string& path, const RunHistory& h, const Guarantee& g) {
  return checker::save_history_file(path, h.ops, h.logs, to_checker(g));
}

}  // namespace rb::harness
