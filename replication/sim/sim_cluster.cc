#include "replication/sim/sim_cluster.h"

#include <algorithm>
#include <cmath>

#include "replication/broker/placement.h"

namespace rb::sim {

namespace {
constexpr uint32_t kClientEndpoint = UINT32_MAX - 1;

size_t request_bytes(const client::Request& r) {
  if (auto* p = std::get_if<client::ProduceRequest>(&r)) return 64 + wire_size(p->records);
  return 64;
}
// What a client sees when the node it talks to is gone: its TCP connection is refused or reset.
// A produce may have been stored before the reset, so its outcome is unknown (timeout).
client::Response connection_error(const client::Request& req, NodeId node) {
  return std::visit(
      [node](const auto& r) -> client::Response {
        using T = std::decay_t<decltype(r)>;
        if constexpr (std::is_same_v<T, client::ProduceRequest>) {
          return client::ProduceResponse{r.id,    r.partition, errc::timeout, Offset{-1},
                                         Epoch{}, node,        kNoNode,       "connection reset"};
        } else if constexpr (std::is_same_v<T, client::FetchRequest>) {
          return client::FetchResponse{r.id, r.partition, errc::unavailable, Offset{}, Offset{}, {}, node, kNoNode};
        } else if constexpr (std::is_same_v<T, client::MetadataRequest>) {
          return client::MetadataResponse{r.id, {}, {}};
        } else if constexpr (std::is_same_v<T, client::OffsetCommitRequest>) {
          return client::OffsetCommitResponse{r.id, errc::unavailable, kNoNode};
        } else {
          return client::OffsetFetchResponse{r.id, errc::unavailable, Offset{-1}, kNoNode};
        }
      },
      req);
}

size_t response_bytes(const client::Response& r) {
  if (auto* f = std::get_if<client::FetchResponse>(&r)) return 64 + wire_size(f->records);
  return 64;
}
}  // namespace

Status SimClusterConfig::validate() const {
  if (nodes < 1) return make_error(errc::invalid_config, "nodes must be at least 1");
  if (partitions < 1) return make_error(errc::invalid_config, "partitions must be at least 1");
  if (common.replicas > nodes)
    return make_error(errc::invalid_config, "replicas (" + std::to_string(common.replicas) + ") exceeds nodes (" +
                                                std::to_string(nodes) + ")");
  if (auto s = common.validate(); !s.ok()) return s;
  return sim.validate();
}

// One simulated node: its stores (which survive crashes), its host (which does not), its CPU queue,
// its disk and its outbound buffers.
class SimCluster::Node final : public NodeIo {
 public:
  Node(SimCluster& c, NodeId id) : c_(c), id_(id) {}

  NodeId id() const { return id_; }
  bool up = true;
  bool paused = false;
  uint64_t incarnation = 0;
  double disk_slowdown = 1.0;
  std::unique_ptr<CoordinatedNode> node;
  NodeHost* host = nullptr;
  std::map<PartitionId, std::unique_ptr<MemLogStore>> stores;
  std::unique_ptr<MemLogStore> metadata_store = std::make_unique<MemLogStore>();
  bool lost_unsynced = false;  // the last stop dropped unsynced data (a power loss)

  void start() {
    NodeHostConfig hc;
    hc.self = id_;
    for (uint32_t i = 0; i < c_.cfg_.nodes; ++i) hc.nodes.push_back(NodeId{i});
    hc.partitions = c_.cfg_.partitions;
    hc.common = c_.cfg_.common;
    hc.follower_reads = c_.cfg_.follower_reads;
    hc.seed = c_.cfg_.seed * 0x9e3779b97f4a7c15ULL + (static_cast<uint64_t>(id_.value()) << 20) + incarnation;
    hc.tick_ms = static_cast<uint32_t>(std::max<int64_t>(1, c_.cfg_.sim.tick_ns / 1'000'000));
    // As on the net runtime: produce requests queued while the node is busy are applied as one batch.
    hc.defer_produce_drain = true;
    node = std::make_unique<CoordinatedNode>(
        hc, *c_.factory_, c_.cfg_.coordination, *this,
        [this](PartitionId p) -> LogStore* {
          auto& s = stores[p];
          if (!s) s = std::make_unique<MemLogStore>();
          return s.get();
        },
        metadata_store.get(), static_cast<int64_t>(incarnation + 1), lost_unsynced);
    host = &node->host();
    flush(c_.now_ns());
    schedule_tick();
    if (c_.cfg_.common.fsync.mode == FsyncMode::interval) schedule_interval_sync();
  }

  // Runs `fn` as one input on this node's CPU: inputs are handled in arrival order, each costing
  // `cost_ns`; what the input emits leaves when the CPU would have finished it.
  template <class Fn>
  void input(int64_t cost_ns, Fn&& fn) {
    if (!up) return;
    if (paused) {
      deferred_.emplace_back(cost_ns, std::function<void()>(std::forward<Fn>(fn)));
      return;
    }
    // Nodes on one host: the input also needs one of the host's cores.
    int64_t start = c_.cores_.reserve(std::max(c_.now_ns(), cpu_free_at_), cost_ns);
    cpu_free_at_ = start + cost_ns;
    c_.counters_.cpu_seconds += static_cast<double>(cost_ns) * 1e-9;
    fn();
    flush(cpu_free_at_);
  }

  // Called inside a client request's input. The net node reads every request waiting on its sockets
  // before it applies their produces in one flush; here, every request that arrives before the CPU
  // is done with the ones queued ahead of it joins the same flush.
  void schedule_produce_flush() {
    if (flush_scheduled_ || !host->has_deferred()) return;
    flush_scheduled_ = true;
    uint64_t inc = incarnation;
    c_.q_.at(cpu_free_at_, [this, inc] {
      if (!up || inc != incarnation) return;
      flush_scheduled_ = false;
      input(0, [this] { host->flush(); });
    });
  }

  void resume_deferred() {
    auto d = std::exchange(deferred_, {});
    for (auto& [cost, fn] : d) input(cost, fn);
  }
  void drop_deferred() { deferred_.clear(); }

  // --- NodeIo ---
  void send(PeerMessage msg) override { outbox_[msg.to.value()].push_back(std::move(msg)); }
  void reply(ClientId client, client::Response resp) override {
    untrack(client, resp);
    replies_.emplace_back(client, std::move(resp));
  }

  // Client requests this node has received and not answered; a crash resets their connections.
  void track(ClientId client, const client::Request& req) {
    uint64_t id = std::visit([](const auto& r) { return r.id.value(); }, req);
    if (const auto* p = std::get_if<client::ProduceRequest>(&req)) {
      // The error answer needs the id and partition only; the records would be a costly copy.
      client::ProduceRequest without_records;
      without_records.id = p->id;
      without_records.partition = p->partition;
      without_records.acks = p->acks;
      open_[{client, req.index(), id}] = std::move(without_records);
    } else {
      open_[{client, req.index(), id}] = req;
    }
  }
  void untrack(ClientId client, const client::Response& resp) {
    uint64_t id = std::visit([](const auto& r) { return r.id.value(); }, resp);
    open_.erase({client, resp.index(), id});
  }
  std::map<std::tuple<ClientId, size_t, uint64_t>, client::Request> take_open() { return std::exchange(open_, {}); }
  void request_sync() override {
    if (sync_in_flight_) {
      sync_again_ = true;
      return;
    }
    start_sync();
  }
  void on_event(PartitionId p, const Event& e) override {
    c_.events_.push_back(EngineEventRecord{c_.now_ns(), id_, p, e});
  }

  void reset_runtime_state() {
    outbox_.clear();
    replies_.clear();
    deferred_.clear();
    sync_in_flight_ = false;
    sync_again_ = false;
    flush_scheduled_ = false;
    cpu_free_at_ = c_.now_ns();
  }

 private:
  void schedule_tick() {
    uint64_t inc = incarnation;
    c_.q_.at(c_.now_ns() + c_.cfg_.sim.tick_ns, [this, inc] {
      if (!up || inc != incarnation) return;
      if (!paused) {
        node->tick();
        flush(std::max(c_.now_ns(), cpu_free_at_));
      }
      schedule_tick();
    });
  }

  void schedule_interval_sync() {
    uint64_t inc = incarnation;
    int64_t every = static_cast<int64_t>(c_.cfg_.common.fsync.interval_ms) * 1'000'000;
    c_.q_.at(c_.now_ns() + every, [this, inc] {
      if (!up || inc != incarnation) return;
      if (!paused) request_sync();
      schedule_interval_sync();
    });
  }

  // Group commit: one modelled fdatasync covers every store appended to since the last one began.
  void start_sync() {
    auto dirty = host->take_dirty();
    if (dirty.empty()) return;
    sync_in_flight_ = true;
    std::vector<std::pair<PartitionId, Offset>> ends;
    uint64_t bytes = 0;
    for (PartitionId p : dirty) {
      auto& st = *stores.at(p);
      ends.emplace_back(p, st.log_end());
      uint64_t written = st.stats().bytes_written;
      bytes += written - synced_bytes_[p];
      synced_bytes_[p] = written;
    }
    const DiskModel& d = c_.cfg_.sim.disk;
    const auto fixed = static_cast<int64_t>(static_cast<double>(d.draw_fsync(c_.disk_rng_)) * disk_slowdown);
    const auto write = static_cast<int64_t>(static_cast<double>(bytes) / d.write_bytes_per_ns * disk_slowdown);
    c_.counters_.disk_bytes += bytes;
    ++c_.counters_.fsyncs;
    if (d.shared) {
      // One disk for all nodes: the sync is served by the device's next commit, with the other
      // nodes' syncs issued while the current one runs (SharedDisk).
      await_commit(c_.disk_.sync(c_.now_ns(), fixed, write), incarnation, std::move(ends));
    } else {
      c_.q_.at(c_.now_ns() + fixed + write,
               [this, inc = incarnation, ends = std::move(ends)] { finish_sync(inc, ends); });
    }
  }

  // A commit's end moves later while other syncs join it; its syncs complete when it really ends.
  void await_commit(std::shared_ptr<const SharedDisk::Commit> commit, uint64_t inc,
                    std::vector<std::pair<PartitionId, Offset>> ends) {
    const int64_t at = commit->end_ns;
    c_.q_.at(at, [this, commit = std::move(commit), inc, ends = std::move(ends)]() mutable {
      if (commit->end_ns > c_.now_ns()) {
        await_commit(std::move(commit), inc, std::move(ends));
        return;
      }
      finish_sync(inc, ends);
    });
  }

  void finish_sync(uint64_t inc, const std::vector<std::pair<PartitionId, Offset>>& ends) {
    if (!up || inc != incarnation) return;
    for (auto& [p, end] : ends) stores.at(p)->mark_durable(end);
    c_.mix_trace(0x5f, id_.value(), ends.size());
    // By value: a paused node defers the input past this callback's lifetime.
    input(0, [this, ends] {
      for (auto& [p, end] : ends) host->on_durable(p, end);
    });
    sync_in_flight_ = false;
    if (sync_again_) {
      sync_again_ = false;
      start_sync();
    }
  }

  // Sends everything buffered during the last input: one packet per peer, one per client reply.
  void flush(int64_t depart) {
    for (auto& [to, msgs] : outbox_) {
      if (msgs.empty()) continue;
      size_t bytes = 0, records = 0;
      for (auto& m : msgs) {
        bytes += m.wire_size();
        records += m.entries.size();
      }
      for (auto& m : msgs) {
        if (is_coordinator_traffic(m.partition)) {
          c_.counters_.coordinator_bytes += m.wire_size();
          ++c_.counters_.coordinator_messages;
        } else {
          c_.counters_.network_bytes += m.wire_size();
          ++c_.counters_.network_messages;
        }
      }
      NodeId dst{to};
      int64_t arrive = c_.transmit(id_, dst, depart, bytes, c_.cfg_.sim.network);
      if (arrive < 0) {
        msgs.clear();
        continue;
      }
      const CpuModel& cpu = c_.cfg_.sim.cpu;
      int64_t cost = cpu.per_message_ns * static_cast<int64_t>(msgs.size()) +
                     static_cast<int64_t>(cpu.per_record_ns * static_cast<double>(records) +
                                          cpu.per_byte_ns * static_cast<double>(bytes));
      c_.q_.at(arrive, [&c = c_, dst, cost, batch = std::move(msgs)]() mutable {
        Node& n = c.node(dst);
        c.mix_trace(0x11, dst.value(), batch.size());
        n.input(cost, [&n, batch = std::move(batch)] {
          for (const auto& m : batch) n.node->on_peer_message(m);
        });
      });
      msgs = {};
    }
    for (auto& [client, resp] : replies_) c_.deliver_response(client, std::move(resp), depart, id_);
    replies_.clear();
  }

  SimCluster& c_;
  NodeId id_;
  int64_t cpu_free_at_ = 0;
  std::map<uint32_t, std::vector<PeerMessage>> outbox_;
  std::vector<std::pair<ClientId, client::Response>> replies_;
  std::vector<std::pair<int64_t, std::function<void()>>> deferred_;
  std::map<PartitionId, uint64_t> synced_bytes_;
  std::map<std::tuple<ClientId, size_t, uint64_t>, client::Request> open_;
  bool sync_in_flight_ = false;
  bool sync_again_ = false;
  bool flush_scheduled_ = false;  // a NodeHost::flush() input is queued at cpu_free_at_
};

SimCluster::SimCluster(SimClusterConfig cfg, const EngineFactory& factory)
    : cfg_(std::move(cfg)),
      factory_(factory.clone()),
      net_rng_(Prng::substream(cfg_.seed, "network")),
      disk_rng_(Prng::substream(cfg_.seed, "disk")),
      cores_(cfg_.sim.cpu.shared_cores) {
  auto s = cfg_.validate();
  RB_ASSERT_MSG(s.ok(), s.ok() ? "" : s.error().message.c_str());
  for (uint32_t i = 0; i < cfg_.nodes; ++i) nodes_.push_back(std::make_unique<Node>(*this, NodeId{i}));
  for (auto& n : nodes_) n->start();
}

SimCluster::~SimCluster() = default;

SimCluster::Node& SimCluster::node(NodeId n) {
  RB_ASSERT(n.value() < nodes_.size());
  return *nodes_[n.value()];
}

NodeHost* SimCluster::host(NodeId n) { return node(n).up ? node(n).host : nullptr; }
CoordinatedNode* SimCluster::coordinated(NodeId n) { return node(n).up ? node(n).node.get() : nullptr; }

MemLogStore& SimCluster::store(NodeId n, PartitionId p) { return *node(n).stores.at(p); }

void SimCluster::mix_trace(uint64_t a, uint64_t b, uint64_t c) {
  for (uint64_t v : {static_cast<uint64_t>(q_.now()), a, b, c}) {
    trace_ ^= v;
    trace_ *= 0x100000001b3ULL;
  }
}

int64_t SimCluster::transmit(NodeId from, NodeId to, int64_t depart, size_t bytes, const NetworkModel& model) {
  LinkState& link = links_[{from.value(), to.value()}];
  if (link.fault.cut) return -1;
  double loss = std::max(model.loss, link.fault.loss);
  if (loss > 0 && net_rng_.chance(loss)) return -1;
  int64_t start = std::max(depart, link.free_at);
  auto serialize = static_cast<int64_t>(static_cast<double>(bytes) / model.bandwidth_bytes_per_ns);
  link.free_at = start + serialize;
  int64_t jitter = model.jitter_ns > 0 ? static_cast<int64_t>(net_rng_.below(model.jitter_ns + 1)) : 0;
  int64_t arrive = link.free_at + model.latency_ns + jitter + link.fault.delay_ns;
  if (model.fifo) arrive = std::max(arrive, link.last_arrival);
  link.last_arrival = arrive;
  return arrive;
}

void SimCluster::send(ClientId client, NodeId n, client::Request req) {
  size_t bytes = request_bytes(req);
  const auto* produce = std::get_if<client::ProduceRequest>(&req);
  const double records = produce ? static_cast<double>(produce->records.size()) : 0.0;
  counters_.client_bytes += bytes;
  const CpuModel& cpu = cfg_.sim.cpu;
  int64_t depart = q_.now();
  int64_t client_cost = cpu.client_per_request_ns + static_cast<int64_t>(cpu.client_per_record_ns * records);
  // The client shares the host's cores with the nodes (and costs nothing when they have their own).
  if (!cores_.empty()) depart = cores_.reserve(depart, client_cost) + client_cost;
  int64_t arrive = transmit(NodeId{kClientEndpoint}, n, depart, bytes, cfg_.sim.client_network);
  if (arrive < 0) return;  // lost: the client's timeout notices
  int64_t cost = cpu.per_message_ns +
                 static_cast<int64_t>(cpu.per_record_ns * records + cpu.per_byte_ns * static_cast<double>(bytes));
  q_.at(arrive, [this, client, n, cost, req = std::move(req)]() mutable {
    Node& nd = node(n);
    mix_trace(0x22, n.value(), client);
    if (!nd.up) {
      deliver_response(client, connection_error(req, n), q_.now(), n);
      return;
    }
    nd.track(client, req);
    nd.input(cost, [&nd, client, req = std::move(req)]() mutable {
      nd.node->on_client_request(client, std::move(req));
      nd.schedule_produce_flush();
    });
  });
}

void SimCluster::deliver_response(ClientId client, client::Response resp, int64_t depart, NodeId from) {
  size_t bytes = response_bytes(resp);
  counters_.client_bytes += bytes;
  int64_t arrive = transmit(from, NodeId{kClientEndpoint}, depart, bytes, cfg_.sim.client_network);
  if (arrive < 0) return;
  q_.at(arrive, [this, client, resp = std::move(resp)]() mutable {
    mix_trace(0x33, client, resp.index());
    if (on_response_) on_response_(client, std::move(resp));
  });
}

std::vector<NodeId> SimCluster::nodes() const {
  std::vector<NodeId> out;
  for (uint32_t i = 0; i < cfg_.nodes; ++i) out.push_back(NodeId{i});
  return out;
}

std::vector<NodeId> SimCluster::replicas(PartitionId p) const {
  return place_replicas(p, cfg_.common.replicas, cfg_.nodes);
}

bool SimCluster::is_up(NodeId n) const { return n.value() < nodes_.size() && nodes_[n.value()]->up; }

Status SimCluster::kill(NodeId n, bool lose_unsynced) {
  if (n.value() >= nodes_.size()) return make_error(errc::not_found, "no node " + to_string(n));
  Node& nd = node(n);
  if (!nd.up) return {};
  nd.up = false;
  ++nd.incarnation;
  nd.node.reset();
  nd.host = nullptr;
  for (auto& [key, req] : nd.take_open()) deliver_response(std::get<0>(key), connection_error(req, n), q_.now(), n);
  nd.lost_unsynced = lose_unsynced;
  nd.reset_runtime_state();
  for (auto& [p, st] : nd.stores) {
    if (lose_unsynced)
      st->crash();
    else
      st->mark_durable(st->log_end());  // SIGKILL: the page cache keeps what was written
  }
  mix_trace(0x44, n.value(), lose_unsynced);
  return {};
}

Status SimCluster::restart(NodeId n) {
  if (n.value() >= nodes_.size()) return make_error(errc::not_found, "no node " + to_string(n));
  Node& nd = node(n);
  if (nd.up) return {};
  nd.up = true;
  nd.paused = false;
  ++nd.incarnation;
  nd.reset_runtime_state();
  nd.start();
  mix_trace(0x55, n.value(), 0);
  return {};
}

Status SimCluster::pause(NodeId n) {
  if (n.value() >= nodes_.size()) return make_error(errc::not_found, "no node " + to_string(n));
  node(n).paused = true;
  return {};
}

Status SimCluster::resume(NodeId n) {
  if (n.value() >= nodes_.size()) return make_error(errc::not_found, "no node " + to_string(n));
  Node& nd = node(n);
  if (!nd.paused) return {};
  nd.paused = false;
  nd.resume_deferred();
  return {};
}

Status SimCluster::set_link(NodeId from, NodeId to, LinkFault f) {
  links_[{from.value(), to.value()}].fault = f;
  return {};
}

Status SimCluster::heal_links() {
  for (auto& [k, l] : links_) l.fault = LinkFault{};
  return {};
}

Status SimCluster::set_disk_slowdown(NodeId n, double factor) {
  if (n.value() >= nodes_.size()) return make_error(errc::not_found, "no node " + to_string(n));
  if (factor <= 0) return make_error(errc::invalid_config, "disk slowdown factor must be > 0");
  node(n).disk_slowdown = factor;
  return {};
}

Status SimCluster::admin(NodeId n, PartitionId p, const AdminCommand& cmd) {
  if (n.value() >= nodes_.size()) return make_error(errc::not_found, "no node " + to_string(n));
  Node& nd = node(n);
  if (!nd.up) return make_error(errc::unavailable, "node " + to_string(n) + " is down");
  if (nd.paused) return make_error(errc::unavailable, "node " + to_string(n) + " is paused");
  Status result;
  nd.input(cfg_.sim.cpu.per_message_ns, [&] { result = nd.host->admin(p, cmd); });
  return result;
}

std::optional<NodeId> SimCluster::leader_of(PartitionId p) {
  std::optional<NodeId> best;
  Epoch best_epoch{0};
  for (auto& nd : nodes_) {
    if (!nd->up || nd->paused || !nd->host->hosts(p)) continue;
    auto st = nd->host->engine(p).status();
    if (st.role == Role::leader && (!best || st.epoch > best_epoch)) {
      best = nd->id();
      best_epoch = st.epoch;
    }
  }
  return best;
}

std::vector<ReplicaLogDump> SimCluster::dump_logs() {
  std::vector<ReplicaLogDump> out;
  for (auto& nd : nodes_) {
    for (auto& [p, st] : nd->stores) {
      ReplicaLogDump d;
      d.node = nd->id();
      d.partition = p;
      d.log_start = st->log_start();
      Offset commit = nd->up ? nd->host->commit(p) : st->load_hard_state().commit;
      d.commit = std::min(commit, st->log_end());
      for (Offset o = d.log_start; o < d.commit;) {
        auto r = st->read(o, 64 << 20, static_cast<size_t>(d.commit - o));
        if (!r.ok() || r->empty()) break;
        o = r->back().offset.next();
        for (auto& e : *r) d.entries.push_back(std::move(e));
      }
      out.push_back(std::move(d));
    }
  }
  return out;
}

std::map<std::string, std::string> SimCluster::describe() const {
  return {{"runtime", "sim"}, {"model", cfg_.sim.describe()}, {"nodes", std::to_string(cfg_.nodes)}};
}

}  // namespace rb::sim
