#include "harness/checker/history.h"

#include <fstream>
#include <istream>
#include <ostream>

namespace rb::checker {

namespace {

Error bad(const std::string& m) { return make_error(errc::bad_input, m); }

// Reads an optional integer field into `out`; false (with `err` set) on a wrong type or range.
template <class T>
bool opt_int(const nlohmann::json& j, const char* key, T& out, std::string& err) {
  auto it = j.find(key);
  if (it == j.end()) return true;
  if (!it->is_number_integer()) {
    err = std::string("field '") + key + "' must be an integer";
    return false;
  }
  if constexpr (std::is_unsigned_v<T>) {
    if (it->is_number_unsigned() ? false : it->get<int64_t>() < 0) {
      err = std::string("field '") + key + "' must be >= 0";
      return false;
    }
    out = it->get<T>();
  } else {
    out = it->get<T>();
  }
  return true;
}

bool opt_string(const nlohmann::json& j, const char* key, std::string& out, std::string& err) {
  auto it = j.find(key);
  if (it == j.end()) return true;
  if (!it->is_string()) {
    err = std::string("field '") + key + "' must be a string";
    return false;
  }
  out = it->get<std::string>();
  return true;
}

bool is_uint(const nlohmann::json& v) {
  return v.is_number_unsigned() || (v.is_number_integer() && v.get<int64_t>() >= 0);
}

}  // namespace

std::string_view to_string(OpType t) {
  switch (t) {
    case OpType::invoke:
      return "invoke";
    case OpType::ok:
      return "ok";
    case OpType::fail:
      return "fail";
    case OpType::info:
      return "info";
  }
  return "?";
}

std::string_view to_string(OpFn f) {
  switch (f) {
    case OpFn::send:
      return "send";
    case OpFn::poll:
      return "poll";
    case OpFn::fault:
      return "fault";
    case OpFn::leader:
      return "leader";
  }
  return "?";
}

std::string MessageId::describe() const {
  return "p" + std::to_string(producer.value()) + ":s" + std::to_string(sequence);
}

nlohmann::json to_json(const HistoryOp& op) {
  nlohmann::json j{{"type", to_string(op.type)}, {"f", to_string(op.f)}, {"time_ns", op.time_ns}};
  if (op.f != OpFn::fault) {
    j["process"] = op.process;
    j["partition"] = op.partition.value();
  }
  if (op.f == OpFn::send) {
    j["producer"] = op.id.producer.value();
    j["seq"] = op.id.sequence;
  }
  if (op.offset.value() >= 0) j["offset"] = op.offset.value();
  if (op.node != kNoNode) j["node"] = op.node.value();
  if (op.epoch.value() != 0) j["epoch"] = op.epoch.value();
  if (!op.error.empty()) j["error"] = op.error;
  if (op.f == OpFn::poll && (op.type == OpType::ok || !op.delivered.empty())) {
    nlohmann::json d = nlohmann::json::array();
    for (const auto& r : op.delivered) d.push_back({r.offset.value(), r.id.producer.value(), r.id.sequence});
    j["delivered"] = std::move(d);
  }
  if (op.f == OpFn::fault) {
    j["fault"] = op.fault;
    j["phase"] = op.phase == FaultPhase::start ? "start" : "stop";
  }
  return j;
}

Result<HistoryOp> op_from_json(const nlohmann::json& j) {
  if (!j.is_object()) return bad("an op must be a JSON object");
  HistoryOp op;
  std::string err, s;
  if (!j.contains("type") || !j["type"].is_string()) return bad("missing string field 'type'");
  s = j["type"].get<std::string>();
  if (s == "invoke")
    op.type = OpType::invoke;
  else if (s == "ok")
    op.type = OpType::ok;
  else if (s == "fail")
    op.type = OpType::fail;
  else if (s == "info")
    op.type = OpType::info;
  else
    return bad("field 'type' must be invoke|ok|fail|info, got '" + s + "'");
  if (!j.contains("f") || !j["f"].is_string()) return bad("missing string field 'f'");
  s = j["f"].get<std::string>();
  if (s == "send")
    op.f = OpFn::send;
  else if (s == "poll")
    op.f = OpFn::poll;
  else if (s == "fault")
    op.f = OpFn::fault;
  else if (s == "leader")
    op.f = OpFn::leader;
  else
    return bad("field 'f' must be send|poll|fault|leader, got '" + s + "'");
  if (!j.contains("time_ns")) return bad("missing field 'time_ns'");
  uint32_t partition = 0, node = kNoNode.value();
  uint64_t producer = 0, epoch = 0;
  int64_t offset = -1;
  if (!opt_int(j, "time_ns", op.time_ns, err) || !opt_int(j, "process", op.process, err) ||
      !opt_int(j, "partition", partition, err) || !opt_int(j, "producer", producer, err) ||
      !opt_int(j, "seq", op.id.sequence, err) || !opt_int(j, "offset", offset, err) || !opt_int(j, "node", node, err) ||
      !opt_int(j, "epoch", epoch, err) || !opt_string(j, "error", op.error, err) ||
      !opt_string(j, "fault", op.fault, err))
    return bad(err);
  op.partition = PartitionId(partition);
  op.id.producer = ProducerId(producer);
  op.offset = Offset(offset);
  op.node = NodeId(node);
  op.epoch = Epoch(epoch);
  if (auto it = j.find("delivered"); it != j.end()) {
    if (!it->is_array()) return bad("field 'delivered' must be an array");
    op.delivered.reserve(it->size());
    for (const auto& r : *it) {
      if (!r.is_array() || r.size() != 3 || !r[0].is_number_integer() || !is_uint(r[1]) || !is_uint(r[2]))
        return bad("field 'delivered' entries must be [offset, producer, seq] integers");
      op.delivered.push_back(
          {Offset(r[0].get<int64_t>()), MessageId{ProducerId(r[1].get<uint64_t>()), r[2].get<uint64_t>()}});
    }
  }
  if (auto it = j.find("phase"); it != j.end()) {
    if (*it == "start")
      op.phase = FaultPhase::start;
    else if (*it == "stop")
      op.phase = FaultPhase::stop;
    else
      return bad("field 'phase' must be start|stop");
  }
  return op;
}

nlohmann::json to_json(const ReplicaLog& log) {
  nlohmann::json recs = nlohmann::json::array();
  for (const auto& r : log.records)
    recs.push_back({r.offset.value(), r.epoch.value(), r.id.producer.value(), r.id.sequence});
  return nlohmann::json{{"node", log.node.value()},
                        {"partition", log.partition.value()},
                        {"start", log.start.value()},
                        {"commit_end", log.commit_end.value()},
                        {"records", std::move(recs)}};
}

Result<ReplicaLog> replica_log_from_json(const nlohmann::json& j) {
  if (!j.is_object()) return bad("replica_log must be an object");
  ReplicaLog log;
  std::string err;
  uint32_t node = 0, partition = 0;
  int64_t start = 0, commit_end = 0;
  if (!j.contains("node") || !j.contains("partition") || !j.contains("commit_end"))
    return bad("replica_log needs 'node', 'partition' and 'commit_end'");
  if (!opt_int(j, "node", node, err) || !opt_int(j, "partition", partition, err) || !opt_int(j, "start", start, err) ||
      !opt_int(j, "commit_end", commit_end, err))
    return bad("replica_log " + err);
  log.node = NodeId(node);
  log.partition = PartitionId(partition);
  log.start = Offset(start);
  log.commit_end = Offset(commit_end);
  if (auto it = j.find("records"); it != j.end()) {
    if (!it->is_array()) return bad("replica_log field 'records' must be an array");
    log.records.reserve(it->size());
    for (const auto& r : *it) {
      if (!r.is_array() || r.size() != 4 || !r[0].is_number_integer() || !is_uint(r[1]) || !is_uint(r[2]) ||
          !is_uint(r[3]))
        return bad("replica_log records must be [offset, epoch, producer, seq] integers");
      log.records.push_back({Offset(r[0].get<int64_t>()), Epoch(r[1].get<uint64_t>()),
                             MessageId{ProducerId(r[2].get<uint64_t>()), r[3].get<uint64_t>()}});
    }
  }
  return log;
}

nlohmann::json to_json(const Guarantees& g) {
  return nlohmann::json{{"loss_permitted", g.loss_permitted},
                        {"loss_why", g.loss_why},
                        {"duplicates_permitted", g.duplicates_permitted},
                        {"duplicates_why", g.duplicates_why}};
}

Result<Guarantees> guarantees_from_json(const nlohmann::json& j) {
  if (!j.is_object()) return bad("guarantees must be an object");
  Guarantees g;
  std::string err;
  for (auto [key, flag] :
       {std::pair{"loss_permitted", &g.loss_permitted}, std::pair{"duplicates_permitted", &g.duplicates_permitted}}) {
    if (auto it = j.find(key); it != j.end()) {
      if (!it->is_boolean()) return bad(std::string("guarantees field '") + key + "' must be a boolean");
      *flag = it->get<bool>();
    }
  }
  if (!opt_string(j, "loss_why", g.loss_why, err) || !opt_string(j, "duplicates_why", g.duplicates_why, err))
    return bad("guarantees " + err);
  return g;
}

void write_op_line(std::ostream& out, const HistoryOp& op) { out << to_json(op).dump() << '\n'; }

void write_history_jsonl(std::ostream& out, const std::vector<HistoryOp>& ops, const std::vector<ReplicaLog>& logs,
                         const std::optional<Guarantees>& guarantees) {
  if (guarantees) out << nlohmann::json{{"guarantees", to_json(*guarantees)}}.dump() << '\n';
  for (const auto& op : ops) write_op_line(out, op);
  for (const auto& log : logs) out << nlohmann::json{{"replica_log", to_json(log)}}.dump() << '\n';
}

Result<SavedHistory> read_history_jsonl(std::istream& in) {
  SavedHistory h;
  std::string line;
  size_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto where = [&](const std::string& m) { return bad("line " + std::to_string(line_no) + ": " + m); };
    nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) return where("not valid JSON");
    if (!j.is_object()) return where("expected a JSON object");
    if (auto it = j.find("replica_log"); it != j.end()) {
      auto log = replica_log_from_json(*it);
      if (!log.ok()) return where(log.error().message);
      h.logs.push_back(std::move(*log));
    } else if (auto g = j.find("guarantees"); g != j.end()) {
      auto gg = guarantees_from_json(*g);
      if (!gg.ok()) return where(gg.error().message);
      h.guarantees = std::move(*gg);
    } else {
      auto op = op_from_json(j);
      if (!op.ok()) return where(op.error().message);
      h.ops.push_back(std::move(*op));
    }
  }
  return h;
}

Status save_history_file(const std::string& path, const std::vector<HistoryOp>& ops,
                         const std::vector<ReplicaLog>& logs, const std::optional<Guarantees>& guarantees) {
  std::ofstream out(path);
  if (!out) return make_error(errc::io_error, "cannot write history file '" + path + "'");
  write_history_jsonl(out, ops, logs, guarantees);
  out.flush();
  if (!out) return make_error(errc::io_error, "write to history file '" + path + "' failed");
  return {};
}

Result<SavedHistory> load_history_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return make_error(errc::not_found, "cannot read history file '" + path + "'");
  auto h = read_history_jsonl(in);
  if (!h.ok()) return make_error(h.code(), path + ": " + h.error().message);
  return h;
}

}  // namespace rb::checker
