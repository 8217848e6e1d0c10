#pragma once
// Test helpers for the GM ring: a fake coordinator (takes member_down/member_up requests,
// computes the next view, pushes metadata_update) and message-delivery helpers.
#include <algorithm>
#include <functional>
#include <set>
#include <string>

#include "gm_ring/factory.h"
#include "replication/testing/engine_cluster.h"

namespace rb::gm::test {

using rb::testing::EngineCluster;

inline const NodeId A{0}, B{1}, C{2}, D{3}, E{4};

inline std::unique_ptr<EngineFactory> factory_with(std::vector<std::pair<std::string, std::string>> knobs) {
  auto f = make_factory();
  // Small timeouts so failure tests run in few ticks.
  knobs.insert(knobs.begin(),
               {{"heartbeat_ticks", "2"}, {"member_timeout_ticks", "10"}, {"view_change_timeout_ticks", "20"}});
  for (const auto& [k, v] : knobs) RB_ASSERT(f->set(k, v).ok());
  return f;
}

inline std::vector<NodeId> nodes(int n) {
  std::vector<NodeId> out;
  for (int i = 0; i < n; ++i) out.push_back(NodeId{static_cast<uint32_t>(i)});
  return out;
}

// The coordinator's view record and the rules RabbitMQ's Mnesia transactions follow: a dead
// member leaves the view, a joiner is appended (youngest last), the master is the eldest member.
class FakeCoordinator {
 public:
  FakeCoordinator(EngineCluster& c, std::vector<NodeId> replicas) : c_(c), nodes_(replicas) {
    md.partition = PartitionId{0};
    md.leader_epoch = Epoch{1};
    md.partition_epoch = Epoch{1};
    md.replicas = replicas;
    md.isr = replicas;
    md.leader = replicas.front();
  }
  void add_node(NodeId n) { nodes_.push_back(n); }

  // Consumes every request made since the last step (requests from unreachable nodes are lost),
  // applies them and pushes the resulting view to every reachable up node. Returns views made.
  int step() {
    int changes = 0;
    for (NodeId n : nodes_) {
      auto& reqs = c_.metadata_requests(n);
      for (size_t i = seen_[n]; i < reqs.size(); ++i)
        if (!unreachable.count(n) && apply(reqs[i])) ++changes;
      seen_[n] = reqs.size();
    }
    if (changes > 0) push();
    return changes;
  }
  void push() {
    for (NodeId n : nodes_) {
      if (!c_.up(n) || unreachable.count(n)) continue;
      AdminCommand cmd;
      cmd.kind = AdminCommand::Kind::metadata_update;
      cmd.metadata = md;
      RB_ASSERT(c_.admin(n, cmd).ok());
    }
  }

  PartitionMetadata md;
  std::set<NodeId> unreachable;

 private:
  bool apply(const MetadataRequest& r) {
    auto& isr = md.isr;
    auto it = std::find(isr.begin(), isr.end(), r.node);
    if (r.kind == MetadataRequest::Kind::member_down) {
      if (it == isr.end() || isr.size() == 1) return false;
      isr.erase(it);
      if (md.leader == r.node) md.leader = isr.front();  // eldest survivor
    } else if (r.kind == MetadataRequest::Kind::member_up) {
      if (it != isr.end()) isr.erase(it);
      isr.push_back(r.node);
      if (md.leader == r.node) md.leader = isr.front();
    } else {
      return false;
    }
    md.leader_epoch = md.leader_epoch.next();
    md.partition_epoch = md.partition_epoch.next();
    return true;
  }

  EngineCluster& c_;
  std::vector<NodeId> nodes_;
  std::map<NodeId, size_t> seen_;
};

// Delivers (in queue order) every in-flight message matching `pred`, including ones the
// deliveries produce, and leaves the rest queued. Returns how many were delivered.
inline size_t deliver_where(EngineCluster& c, const std::function<bool(const PeerMessage&)>& pred) {
  size_t n = 0;
  for (;;) {
    auto& q = c.in_flight();
    auto it = std::find_if(q.begin(), q.end(), pred);
    if (it == q.end()) return n;
    PeerMessage m = std::move(*it);
    q.erase(it);
    q.push_front(std::move(m));
    c.deliver_one();
    RB_ASSERT(++n < 100000);
  }
}

// One tick everywhere, deliver everything, let the coordinator act, deliver again.
inline void settle(EngineCluster& c, FakeCoordinator* coord, int ticks) {
  for (int i = 0; i < ticks; ++i) {
    c.tick_all(1);
    c.deliver_all();
    if (coord != nullptr && coord->step() > 0) c.deliver_all();
  }
}

inline int count_ok(EngineCluster& c, NodeId n) {
  return static_cast<int>(std::count_if(c.completions(n).begin(), c.completions(n).end(),
                                        [](const Completion& x) { return x.code == errc::ok; }));
}

inline bool has_event(EngineCluster& c, NodeId n, Event::Kind k) {
  return std::any_of(c.events(n).begin(), c.events(n).end(), [&](const Event& e) { return e.kind == k; });
}

inline int64_t counter(EngineCluster& c, NodeId n, const std::string& name) {
  auto s = c.engine(n).status();
  auto it = s.counters.find(name);
  return it == s.counters.end() ? 0 : it->second;
}

}  // namespace rb::gm::test
