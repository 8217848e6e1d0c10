// NetCluster: faults on real processes, inspection, counters and the end-of-run dump.
#include <signal.h>

#include <filesystem>

#include "harness/netcluster/net_cluster.h"
#include "harness/netcluster/net_cluster_internal.h"
#include "harness/netcluster/node_spawn.h"
#include "replication/netrun/node_process.h"
#include "replication/storage/segment_log_store.h"

namespace rb::netcluster {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

namespace {
Error not_spawned(const char* what) {
  return make_error(errc::unsupported, std::string(what) +
                                           " needs nodes this harness started; it is connected to nodes from a "
                                           "cluster file");
}
Status check_node(NodeId n, size_t count) {
  if (n.value() >= count) return make_error(errc::not_found, "no node " + to_string(n));
  return {};
}
}  // namespace

// --- process faults -----------------------------------------------------------------------------

Status NetCluster::kill(NodeId id, bool /*lose_unsynced: the page cache survives SIGKILL*/) {
  if (auto s = check_node(id, nodes_.size()); !s.ok()) return s;
  if (!spawned_) return not_spawned("kill");
  Node& n = node(id);
  if (!n.up) return {};
  if (!n.paused) refresh_status(n);
  ::kill(n.pid, SIGKILL);
  double cpu = 0;
  reap(n.pid, milliseconds(5000), &cpu);
  if (n.last) add_status(n.base, *n.last);
  n.cpu_dead += cpu;
  n.last.reset();
  n.pid = -1;
  n.up = false;
  n.paused = false;
  drop_client_conn(n);
  n.admin->reset();
  return {};
}

Status NetCluster::restart(NodeId id) {
  if (auto s = check_node(id, nodes_.size()); !s.ok()) return s;
  if (!spawned_) return not_spawned("restart");
  Node& n = node(id);
  if (n.up) return {};
  if (finished_) return make_error(errc::unavailable, "the cluster was stopped by dump_logs");
  if (auto s = spawn(n); !s.ok()) return s;
  if (auto s = wait_serving(n, Clock::now() + milliseconds(opts_.startup_timeout_ms)); !s.ok()) return s;
  reapply_links(id);
  return {};
}

Status NetCluster::pause(NodeId id) {
  if (auto s = check_node(id, nodes_.size()); !s.ok()) return s;
  if (!spawned_) return not_spawned("pause");
  Node& n = node(id);
  if (!n.up || n.paused) return {};
  refresh_status(n);  // its counters while it still answers
  if (::kill(n.pid, SIGSTOP) != 0) return make_error(errc::unavailable, "SIGSTOP failed");
  n.paused = true;
  return {};
}

Status NetCluster::resume(NodeId id) {
  if (auto s = check_node(id, nodes_.size()); !s.ok()) return s;
  if (!spawned_) return not_spawned("resume");
  Node& n = node(id);
  if (!n.up || !n.paused) return {};
  if (::kill(n.pid, SIGCONT) != 0) return make_error(errc::unavailable, "SIGCONT failed");
  n.paused = false;
  return {};
}

// --- link faults --------------------------------------------------------------------------------

Status NetCluster::apply_link(NodeId from, NodeId to, const LinkFault& f) {
  wire::FaultRule rule;
  rule.drop_all = f.cut;
  rule.drop_probability = f.loss;
  rule.delay_ms = static_cast<uint32_t>((f.delay_ns + 999'999) / 1'000'000);
  if (auto s = rule.validate(); !s.ok()) return s;
  Status result;
  auto call = [&](Node& n, const wire::AdminBody& body) {
    if (!n.up) return;  // applied when it restarts
    auto r = n.admin->call(body, milliseconds(n.paused ? 100 : 2000));
    if (!r.ok() && result.ok()) result = r.error();
    if (r.ok() && r->code != errc::ok && result.ok()) result = make_error(r->code, r->detail);
  };
  Node& a = node(from);
  Node& b = node(to);
  if (rule.empty()) {
    call(a, wire::ClearFault{to, wire::Direction::outbound});
    call(b, wire::ClearFault{from, wire::Direction::inbound});
  } else {
    call(a, wire::SetFault{to, wire::Direction::outbound, rule});
    // A cut also drops, at the receiver, what was already queued or in flight.
    if (f.cut)
      call(b, wire::SetFault{from, wire::Direction::inbound, wire::FaultRule{true, 0, 0}});
    else
      call(b, wire::ClearFault{from, wire::Direction::inbound});
  }
  return result;
}

Status NetCluster::set_link(NodeId from, NodeId to, LinkFault f) {
  if (from.value() >= nodes_.size() || to.value() >= nodes_.size() || from == to) {
    return make_error(errc::unsupported,
                      "the net runtime filters links between two distinct nodes only (client links are not "
                      "filtered); got " +
                          to_string(from) + "->" + to_string(to));
  }
  links_[{from.value(), to.value()}] = f;
  return apply_link(from, to, f);
}

void NetCluster::reapply_links(NodeId id) {
  for (const auto& [k, f] : links_) {
    if (k.first == id.value() || k.second == id.value()) (void)apply_link(NodeId{k.first}, NodeId{k.second}, f);
  }
}

Status NetCluster::heal_links() {
  links_.clear();
  Status result;
  for (auto& n : nodes_) {
    if (!n->up) continue;
    auto r = n->admin->call(wire::ClearAllFaults{}, milliseconds(n->paused ? 100 : 2000));
    if (!r.ok() && result.ok()) result = r.error();
  }
  return result;
}

Status NetCluster::set_disk_slowdown(NodeId, double factor) {
  if (factor == 1.0) return {};
  return make_error(errc::unsupported,
                    "the net runtime cannot slow a real disk (use the simulator, or a dm-delay device outside "
                    "replbench)");
}

Status NetCluster::admin(NodeId, PartitionId, const AdminCommand&) {
  return make_error(errc::unsupported,
                    "engine admin commands have no RPC in the net runtime yet (admin.proto carries fault, status "
                    "and stop only)");
}

// --- inspection ---------------------------------------------------------------------------------

std::optional<NodeId> NetCluster::leader_of(PartitionId p) {
  std::optional<NodeId> best;
  Epoch best_epoch{0};
  for (auto& n : nodes_) {
    if (!n->up || n->paused) continue;
    auto st = n->admin->status(milliseconds(500));
    if (!st.ok()) continue;
    n->last = *st;
    for (const auto& ps : st->partitions) {
      if (ps.partition != p || ps.role != Role::leader) continue;
      if (!best || ps.epoch > best_epoch) {
        best = n->id;
        best_epoch = ps.epoch;
      }
    }
  }
  return best;
}

ClusterCounters NetCluster::counters() const {
  ClusterCounters c;
  for (const auto& n : nodes_) {
    refresh_status(*n);
    add(c, n->base);
    if (n->up && n->last) add_status(c, *n->last);
    c.cpu_seconds += n->cpu_dead + (n->up && n->pid > 0 ? proc_cpu_seconds(n->pid) : 0.0);
  }
  c.client_bytes = client_bytes_;
  return c;
}

std::map<std::string, std::string> NetCluster::describe() const {
  std::map<std::string, std::string> d = {
      {"runtime", "net"},
      {"nodes", std::to_string(file_.nodes.size())},
      {"cluster_file", file_path_},
      {"cluster_id", std::to_string(file_.cluster_id)},
      {"tick_ms", std::to_string(file_.tick_ms)},
      {"kill", "SIGKILL: the page cache survives, so lose_unsynced (power loss) is not honoured"},
      {"disk_slowdown", "unsupported"},
  };
  if (spawned_) {
    d["data_dir"] = base_dir_;
    d["binary"] = opts_.binary;
  } else {
    d["dump_logs"] = "unavailable: connected to nodes from a cluster file (their data dirs are theirs)";
  }
  return d;
}

// --- end of run ---------------------------------------------------------------------------------

void NetCluster::stop_all() {
  for (auto& n : nodes_) {
    if (!n->up) continue;
    if (n->paused) {
      ::kill(n->pid, SIGCONT);
      n->paused = false;
    }
    refresh_status(*n);
    (void)n->admin->call(wire::StopNode{}, milliseconds(1000));
  }
  for (auto& n : nodes_) {
    if (!n->up) continue;
    double cpu = 0;
    if (!reap(n->pid, milliseconds(5000), &cpu)) {
      ::kill(n->pid, SIGKILL);
      reap(n->pid, milliseconds(5000), &cpu);
    }
    if (n->last) add_status(n->base, *n->last);
    n->cpu_dead += cpu;
    n->last.reset();
    n->pid = -1;
    n->up = false;
    drop_client_conn(*n);
    n->admin->reset();
  }
}

void NetCluster::kill_all() {
  if (!spawned_) return;
  for (auto& n : nodes_) {
    if (!n->up || n->pid <= 0) continue;
    ::kill(n->pid, SIGKILL);
    reap(n->pid, milliseconds(5000));
    n->up = false;
    n->pid = -1;
  }
}

std::vector<ReplicaLogDump> NetCluster::dump_logs() {
  std::vector<ReplicaLogDump> out;
  if (!spawned_ || finished_) return out;
  // The live commit watermarks first: the hard state on disk may lag them.
  std::map<std::pair<uint32_t, uint32_t>, Offset> live;
  for (auto& n : nodes_) {
    if (!n->up) continue;
    if (n->paused) {
      ::kill(n->pid, SIGCONT);
      n->paused = false;
    }
    refresh_status(*n);
    if (!n->last) continue;
    for (const auto& ps : n->last->partitions) live[{n->id.value(), ps.partition.value()}] = ps.commit;
  }
  stop_all();
  finished_ = true;
  const auto opts = netrun::store_options(file_);
  for (auto& n : nodes_) {
    for (uint32_t p = 0; p < file_.partitions; ++p) {
      const std::string dir = n->data_dir + "/p" + std::to_string(p);
      if (!fs::exists(dir)) continue;
      auto st = storage::SegmentLogStore::open(dir, opts);
      if (!st.ok()) {
        std::fprintf(stderr, "net cluster: cannot read %s: %s\n", dir.c_str(), st.error().describe().c_str());
        continue;
      }
      auto& store = **st;
      ReplicaLogDump d;
      d.node = n->id;
      d.partition = PartitionId{p};
      d.log_start = store.log_start();
      Offset commit = store.load_hard_state().commit;
      if (auto it = live.find({n->id.value(), p}); it != live.end()) commit = std::max(commit, it->second);
      d.commit = std::min(commit, store.log_end());
      for (Offset o = d.log_start; o < d.commit;) {
        auto r = store.read(o, 64 << 20, static_cast<size_t>(d.commit - o));
        if (!r.ok() || r->empty()) break;
        o = r->back().offset.next();
        for (auto& e : *r) d.entries.push_back(std::move(e));
      }
      out.push_back(std::move(d));
    }
  }
  return out;
}

// --- factory ------------------------------------------------------------------------------------

Result<std::unique_ptr<ClusterApi>> make_net_cluster(const NetClusterOptions& opts) {
  auto c = std::make_unique<NetCluster>(opts);
  if (auto s = c->start(); !s.ok()) return s.error();
  return std::unique_ptr<ClusterApi>(std::move(c));
}

}  // namespace rb::netcluster
