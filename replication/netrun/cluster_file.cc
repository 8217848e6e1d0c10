#include "replication/netrun/cluster_file.h"

#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>

namespace rb::netrun {

namespace {

Error bad(std::string m) { return make_error(errc::invalid_config, "cluster file: " + std::move(m)); }

// Reads an unsigned integer field of at most `max`; absent fields keep `out`.
Status get_uint(const nlohmann::json& j, const char* key, uint64_t max, uint64_t& out) {
  if (!j.contains(key)) return {};
  const auto& v = j.at(key);
  if (!v.is_number_unsigned() && !(v.is_number_integer() && v.get<int64_t>() >= 0))
    return bad(std::string(key) + " must be a non-negative integer");
  uint64_t x = v.get<uint64_t>();
  if (x > max) return bad(std::string(key) + " must be at most " + std::to_string(max));
  out = x;
  return {};
}

template <class T>
Status get_small(const nlohmann::json& j, const char* key, uint64_t max, T& out) {
  uint64_t x = out;
  if (auto s = get_uint(j, key, max, x); !s.ok()) return s;
  out = static_cast<T>(x);
  return {};
}

Status get_bool(const nlohmann::json& j, const char* key, bool& out) {
  if (!j.contains(key)) return {};
  if (!j.at(key).is_boolean()) return bad(std::string(key) + " must be true or false");
  out = j.at(key).get<bool>();
  return {};
}

Status parse_replication(const nlohmann::json& r, ReplicationConfig& c) {
  if (!r.is_object()) return bad("replication must be an object");
  static const std::set<std::string> known = {
      "replicas",           "acks",        "min_insync",       "fsync", "batch_max_entries", "batch_max_bytes",
      "batch_linger_ticks", "idempotence", "max_message_bytes"};
  for (auto it = r.begin(); it != r.end(); ++it)
    if (!known.contains(it.key())) return bad("unknown field replication." + it.key());
  if (auto s = get_small(r, "replicas", 1000, c.replicas); !s.ok()) return s;
  if (auto s = get_small(r, "min_insync", 1000, c.min_insync); !s.ok()) return s;
  if (r.contains("acks")) {
    if (!r["acks"].is_string()) return bad("replication.acks must be a string (none, leader, quorum, all)");
    auto a = parse_ack_level(r["acks"].get<std::string>());
    if (!a.ok()) return bad("replication.acks: " + a.error().message);
    c.acks = *a;
  }
  if (r.contains("fsync")) {
    if (!r["fsync"].is_string()) return bad("replication.fsync must be a string (always, interval:MS, never)");
    auto f = parse_fsync_policy(r["fsync"].get<std::string>());
    if (!f.ok()) return bad("replication.fsync: " + f.error().message);
    c.fsync = *f;
  }
  if (auto s = get_small(r, "batch_max_entries", UINT32_MAX, c.batching.max_entries); !s.ok()) return s;
  if (auto s = get_uint(r, "batch_max_bytes", UINT64_MAX, c.batching.max_bytes); !s.ok()) return s;
  if (auto s = get_small(r, "batch_linger_ticks", UINT32_MAX, c.batching.linger_ticks); !s.ok()) return s;
  if (auto s = get_bool(r, "idempotence", c.idempotence); !s.ok()) return s;
  if (auto s = get_uint(r, "max_message_bytes", UINT64_MAX, c.max_message_bytes); !s.ok()) return s;
  return {};
}

}  // namespace

Status ClusterFile::validate() const {
  if (cluster_id == 0) return bad("cluster_id must be non-zero");
  if (nodes.empty()) return bad("nodes must list at least one node");
  std::set<uint32_t> ids;
  for (const auto& n : nodes) {
    if (!ids.insert(n.id.value()).second) return bad("node id " + std::to_string(n.id.value()) + " appears twice");
    if (n.host.empty()) return bad("node " + std::to_string(n.id.value()) + " has an empty host");
    if (n.port == 0) return bad("node " + std::to_string(n.id.value()) + " needs a port in 1..65535");
  }
  if (*ids.rbegin() != nodes.size() - 1) return bad("node ids must be exactly 0.." + std::to_string(nodes.size() - 1));
  if (mode.empty()) return bad("mode is required");
  if (partitions < 1) return bad("partitions must be at least 1");
  if (tick_ms < 1 || tick_ms > 1000) return bad("tick_ms must be in 1..1000");
  if (common.replicas > nodes.size())
    return bad("replication.replicas (" + std::to_string(common.replicas) + ") exceeds the number of nodes (" +
               std::to_string(nodes.size()) + ")");
  if (auto s = common.validate(); !s.ok()) return bad("replication: " + s.error().message);
  for (NodeId q : quorum)
    if (!ids.contains(q.value())) return bad("quorum names node " + std::to_string(q.value()) + ", not in nodes");
  return {};
}

const ClusterNode* ClusterFile::node(NodeId id) const {
  for (const auto& n : nodes)
    if (n.id == id) return &n;
  return nullptr;
}

std::vector<NodeId> ClusterFile::node_ids() const {
  std::vector<NodeId> out;
  for (const auto& n : nodes) out.push_back(n.id);
  std::sort(out.begin(), out.end());
  return out;
}

Result<ClusterFile> cluster_file_from_json(const nlohmann::json& j) {
  if (!j.is_object()) return bad("the document must be a JSON object");
  static const std::set<std::string> known = {"cluster_id", "nodes",   "mode", "partitions", "replication",
                                              "engine",     "tick_ms", "seed", "quorum",     "follower_reads"};
  for (auto it = j.begin(); it != j.end(); ++it)
    if (!known.contains(it.key())) return bad("unknown field '" + it.key() + "'");
  ClusterFile f;
  if (auto s = get_uint(j, "cluster_id", UINT64_MAX, f.cluster_id); !s.ok()) return s.error();
  if (!j.contains("nodes") || !j["nodes"].is_array()) return bad("nodes must be an array");
  for (const auto& n : j["nodes"]) {
    if (!n.is_object()) return bad("each node must be an object {id, host, port}");
    for (auto it = n.begin(); it != n.end(); ++it) {
      if (it.key() != "id" && it.key() != "host" && it.key() != "port" && it.key() != "client_port")
        return bad("unknown node field '" + it.key() + "'");
    }
    if (!n.contains("id") || !n.contains("port")) return bad("each node needs id and port");
    ClusterNode cn;
    uint32_t id = 0;
    if (auto s = get_small(n, "id", 1u << 20, id); !s.ok()) return s.error();
    cn.id = NodeId{id};
    if (n.contains("host")) {
      if (!n["host"].is_string()) return bad("node host must be a string");
      cn.host = n["host"].get<std::string>();
    }
    if (auto s = get_small(n, "port", 65535, cn.port); !s.ok()) return s.error();
    f.nodes.push_back(cn);
  }
  std::sort(f.nodes.begin(), f.nodes.end(), [](auto& a, auto& b) { return a.id < b.id; });
  if (j.contains("mode")) {
    if (!j["mode"].is_string()) return bad("mode must be a string");
    f.mode = j["mode"].get<std::string>();
  }
  if (auto s = get_small(j, "partitions", 1u << 20, f.partitions); !s.ok()) return s.error();
  if (auto s = get_small(j, "tick_ms", 1000, f.tick_ms); !s.ok()) return s.error();
  if (auto s = get_uint(j, "seed", UINT64_MAX, f.seed); !s.ok()) return s.error();
  if (auto s = get_bool(j, "follower_reads", f.follower_reads); !s.ok()) return s.error();
  if (j.contains("replication")) {
    if (auto s = parse_replication(j["replication"], f.common); !s.ok()) return s.error();
  }
  if (j.contains("engine")) {
    if (!j["engine"].is_object()) return bad("engine must be an object of string settings");
    for (auto it = j["engine"].begin(); it != j["engine"].end(); ++it) {
      const auto& v = it.value();
      f.engine[it.key()] = v.is_string() ? v.get<std::string>() : v.dump();
    }
  }
  if (j.contains("quorum")) {
    if (!j["quorum"].is_array()) return bad("quorum must be an array of node ids");
    for (const auto& q : j["quorum"]) {
      if (!q.is_number_unsigned()) return bad("quorum must be an array of node ids");
      f.quorum.push_back(NodeId{q.get<uint32_t>()});
    }
  }
  if (auto s = f.validate(); !s.ok()) return s.error();
  return f;
}

nlohmann::json to_json(const ClusterFile& f) {
  nlohmann::json nodes = nlohmann::json::array();
  for (const auto& n : f.nodes) nodes.push_back({{"id", n.id.value()}, {"host", n.host}, {"port", n.port}});
  nlohmann::json engine = nlohmann::json::object();
  for (const auto& [k, v] : f.engine) engine[k] = v;
  nlohmann::json quorum = nlohmann::json::array();
  for (NodeId q : f.quorum) quorum.push_back(q.value());
  const auto& c = f.common;
  return {{"cluster_id", f.cluster_id},
          {"nodes", nodes},
          {"mode", f.mode},
          {"partitions", f.partitions},
          {"tick_ms", f.tick_ms},
          {"seed", f.seed},
          {"follower_reads", f.follower_reads},
          {"replication",
           {{"replicas", c.replicas},
            {"acks", std::string(to_string(c.acks))},
            {"min_insync", c.min_insync},
            {"fsync", c.fsync.describe()},
            {"batch_max_entries", c.batching.max_entries},
            {"batch_max_bytes", c.batching.max_bytes},
            {"batch_linger_ticks", c.batching.linger_ticks},
            {"idempotence", c.idempotence},
            {"max_message_bytes", c.max_message_bytes}}},
          {"engine", engine},
          {"quorum", quorum}};
}

Result<ClusterFile> load_cluster_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return make_error(errc::io_error, "cannot read cluster file '" + path + "'");
  std::stringstream ss;
  ss << in.rdbuf();
  auto j = nlohmann::json::parse(ss.str(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return make_error(errc::invalid_config, "cluster file '" + path + "' is not valid JSON");
  auto f = cluster_file_from_json(j);
  if (!f.ok()) return make_error(errc::invalid_config, path + ": " + f.error().message);
  return f;
}

Status save_cluster_file(const std::string& path, const ClusterFile& f) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) return make_error(errc::io_error, "cannot write '" + tmp + "'");
    out << to_json(f).dump(2) << "\n";
    if (!out) return make_error(errc::io_error, "cannot write '" + tmp + "'");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) return make_error(errc::io_error, "cannot rename to '" + path + "'");
  return {};
}

}  // namespace rb::netrun
