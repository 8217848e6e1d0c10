#pragma once
// NetCluster's per-node state and small helpers shared by its .cc files (not a public header).
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "harness/netcluster/net_cluster.h"

namespace rb::netcluster {

struct NetCluster::Node {
  NodeId id;
  std::string host;
  uint16_t port = 0;
  std::string data_dir;
  std::string log_path;
  std::vector<std::string> prefix;
  pid_t pid = -1;
  bool up = false;
  bool paused = false;
  std::unique_ptr<AdminChannel> admin;
  // The harness's client connection to this node.
  std::shared_ptr<net::FrameConnection> conn;
  bool connecting = false;
  uint64_t conn_gen = 0;
  std::vector<std::string> backlog;  // frames waiting for the connection
  // Counters: the last status of this incarnation, and what earlier incarnations added up to.
  std::optional<wire::NodeStatus> last;
  ClusterCounters base;
  double cpu_dead = 0;
};

inline int64_t counter(const wire::NodeStatus& s, const std::string& k) {
  auto it = s.counters.find(k);
  return it == s.counters.end() ? 0 : it->second;
}

inline void add_status(ClusterCounters& c, const wire::NodeStatus& s) {
  for (const auto& p : s.peers) {
    // The coordinator's traffic travels in frames of its own and is reported apart, as the
    // simulator does.
    c.network_bytes += p.bytes_sent - std::min(p.bytes_sent, p.control_bytes_sent);
    c.network_messages += p.messages_sent - std::min(p.messages_sent, p.control_messages_sent);
    c.coordinator_bytes += p.control_bytes_sent;
    c.coordinator_messages += p.control_messages_sent;
  }
  c.disk_bytes += static_cast<uint64_t>(counter(s, "disk.bytes_written"));
  c.fsyncs += static_cast<uint64_t>(counter(s, "disk.syncs"));
}

inline void add(ClusterCounters& a, const ClusterCounters& b) {
  a.network_bytes += b.network_bytes;
  a.network_messages += b.network_messages;
  a.coordinator_bytes += b.coordinator_bytes;
  a.coordinator_messages += b.coordinator_messages;
  a.client_bytes += b.client_bytes;
  a.disk_bytes += b.disk_bytes;
  a.fsyncs += b.fsyncs;
  a.cpu_seconds += b.cpu_seconds;
}

inline std::string log_tail(const std::string& path) {
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return text.size() > 600 ? text.substr(text.size() - 600) : text;
}

}  // namespace rb::netcluster
