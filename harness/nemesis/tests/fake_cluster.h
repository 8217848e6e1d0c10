#pragma once
// FakeCluster: a ClusterApi that only records the fault calls it gets and keeps the state they
// imply (up/paused nodes, link faults, disk factors), with a tiny event queue for schedule().
// The test sets the leader and the replica placement directly.
#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "replication/cluster_api.h"

namespace rb::nemesis::testing {

class FakeCluster final : public ClusterApi {
 public:
  explicit FakeCluster(uint32_t nodes, uint32_t replicas = 0) : n_(nodes) {
    for (uint32_t i = 0; i < (replicas ? replicas : nodes); ++i) replicas_.push_back(NodeId{i});
    up_.assign(nodes, true);
    paused_.assign(nodes, false);
  }

  // --- test controls ---
  std::optional<NodeId> leader = NodeId{0};
  Status admin_result;                                       // what admin() returns
  std::vector<std::string> calls;                            // "kill 1", "restart 1", "admin 0 add_replica 3", ...
  std::map<std::pair<uint32_t, uint32_t>, LinkFault> links;  // only non-default faults
  std::map<uint32_t, double> disk;

  int64_t now_ns() const override { return now_; }
  void schedule(int64_t at_ns, std::function<void()> fn) override { q_.emplace(std::make_pair(at_ns, seq_++), fn); }
  void run_until(int64_t t_ns) override {
    while (!q_.empty() && q_.begin()->first.first <= t_ns) {
      auto it = q_.begin();
      now_ = it->first.first;
      auto fn = std::move(it->second);
      q_.erase(it);
      fn();
    }
    now_ = std::max(now_, t_ns);
  }
  void set_response_handler(std::function<void(ClientId, client::Response)>) override {}
  void send(ClientId, NodeId, client::Request) override {}

  std::vector<NodeId> nodes() const override {
    std::vector<NodeId> out;
    for (uint32_t i = 0; i < n_; ++i) out.push_back(NodeId{i});
    return out;
  }
  uint32_t partitions() const override { return 2; }
  std::vector<NodeId> replicas(PartitionId) const override { return replicas_; }
  bool is_up(NodeId n) const override { return up_.at(n.value()); }

  Status kill(NodeId n, bool lose) override {
    calls.push_back("kill " + to_string(n) + (lose ? " power" : ""));
    up_.at(n.value()) = false;
    return {};
  }
  Status restart(NodeId n) override {
    calls.push_back("restart " + to_string(n));
    up_.at(n.value()) = true;
    paused_.at(n.value()) = false;
    return {};
  }
  Status pause(NodeId n) override {
    calls.push_back("pause " + to_string(n));
    paused_.at(n.value()) = true;
    return {};
  }
  Status resume(NodeId n) override {
    calls.push_back("resume " + to_string(n));
    paused_.at(n.value()) = false;
    return {};
  }
  Status set_link(NodeId from, NodeId to, LinkFault f) override {
    if (!f.cut && f.loss == 0 && f.delay_ns == 0)
      links.erase({from.value(), to.value()});
    else
      links[{from.value(), to.value()}] = f;
    return {};
  }
  Status heal_links() override {
    calls.push_back("heal_links");
    links.clear();
    return {};
  }
  Status set_disk_slowdown(NodeId n, double factor) override {
    if (factor == 1.0)
      disk.erase(n.value());
    else
      disk[n.value()] = factor;
    return {};
  }
  Status admin(NodeId n, PartitionId p, const AdminCommand& cmd) override {
    const char* k = cmd.kind == AdminCommand::Kind::add_replica       ? "add_replica"
                    : cmd.kind == AdminCommand::Kind::remove_replica  ? "remove_replica"
                    : cmd.kind == AdminCommand::Kind::transfer_leader ? "transfer_leader"
                                                                      : "other";
    calls.push_back("admin " + to_string(n) + " p" + to_string(p) + " " + k + " " + to_string(cmd.node));
    return admin_result;
  }
  std::optional<NodeId> leader_of(PartitionId) override { return leader; }
  std::vector<ReplicaLogDump> dump_logs() override { return {}; }
  ClusterCounters counters() const override { return {}; }
  std::vector<EngineEventRecord> take_events() override { return {}; }
  std::map<std::string, std::string> describe() const override { return {}; }

  bool paused(NodeId n) const { return paused_.at(n.value()); }
  size_t cut_count() const {
    return static_cast<size_t>(std::count_if(links.begin(), links.end(), [](auto& l) { return l.second.cut; }));
  }

 private:
  uint32_t n_;
  std::vector<NodeId> replicas_;
  std::vector<bool> up_, paused_;
  int64_t now_ = 0;
  uint64_t seq_ = 0;
  std::map<std::pair<int64_t, uint64_t>, std::function<void()>> q_;
};

}  // namespace rb::nemesis::testing
