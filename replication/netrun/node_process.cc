#include "replication/netrun/node_process.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "replication/broker/placement.h"

namespace rb::netrun {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

Status NodeProcessOptions::validate() const {
  if (auto s = cluster.validate(); !s.ok()) return s;
  if (!cluster.node(self))
    return make_error(errc::invalid_config, "node " + to_string(self) + " is not in the cluster file");
  if (data_dir.empty()) return make_error(errc::invalid_config, "data_dir is required");
  if (!factory) return make_error(errc::invalid_config, "no engine factory");
  if (coordination.enabled && !coordination.quorum_factory)
    return make_error(errc::invalid_config, "coordination enabled without a quorum factory");
  return {};
}

storage::SegmentLogStoreOptions store_options(const ClusterFile& cf, uint64_t segment_bytes) {
  storage::SegmentLogStoreOptions so;
  so.segment_bytes = segment_bytes;
  // Room for the record header and the coordinator's larger metadata records.
  so.max_record_bytes = static_cast<uint32_t>(
      std::min<uint64_t>(std::max<uint64_t>(cf.common.max_message_bytes, 1 << 20) + 4096, 1u << 30));
  return so;
}

NodeProcess::NodeProcess(net::asio::io_context& io, NodeProcessOptions opts)
    : io_(io), opts_(std::move(opts)), tick_timer_(io), sync_timer_(io) {
  auto s = opts_.validate();
  RB_ASSERT_MSG(s.ok(), s.ok() ? "" : s.error().message.c_str());
}

NodeProcess::~NodeProcess() {
  stop();
  node_.reset();  // engines before the stores they read
}

// DATA_DIR itself and the broker epoch: read, add one, write atomically and durably.
Status NodeProcess::open_data_dir() {
  std::error_code ec;
  fs::create_directories(opts_.data_dir, ec);
  if (ec) return make_error(errc::io_error, "cannot create data dir '" + opts_.data_dir + "': " + ec.message());
  const std::string path = opts_.data_dir + "/broker_epoch";
  int64_t last = 0;
  if (std::ifstream in(path); in) in >> last;
  broker_epoch_ = last + 1;
  const std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return make_error(errc::io_error, "cannot write '" + tmp + "'");
  std::string text = std::to_string(broker_epoch_) + "\n";
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fdatasync(fd) == 0;
  ::close(fd);
  if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0)
    return make_error(errc::io_error, "cannot write '" + path + "'");
  return {};
}

Result<storage::SegmentLogStore*> NodeProcess::open_store(const std::string& name, PartitionId p) {
  storage::SegmentLogStoreOptions so = store_options(opts_.cluster, opts_.segment_bytes);
  so.create_if_missing = true;
  auto st = storage::SegmentLogStore::open(opts_.data_dir + "/" + name, so);
  if (!st.ok()) return st.error();
  if (!(*st)->recovery().detail.empty()) {
    std::fprintf(stderr, "node=%u store %s recovered: %s\n", opts_.self.value(), name.c_str(),
                 (*st)->recovery().detail.c_str());
  }
  auto* raw = st->get();
  if (name == "metadata") {
    metadata_store_ = std::move(st.value());
  } else {
    stores_[p] = std::move(st.value());
  }
  return raw;
}

LogStore* NodeProcess::store_for(PartitionId p) {
  if (auto it = stores_.find(p); it != stores_.end()) return it->second.get();
  auto st = open_store("p" + to_string(p), p);
  // NodeHost cannot take an error here; a node without its store cannot serve: stop hard.
  RB_ASSERT_MSG(st.ok(), st.ok() ? "" : st.error().describe().c_str());
  return *st;
}

Status NodeProcess::start() {
  RB_ASSERT(!running_ && !stopped_);
  if (auto s = open_data_dir(); !s.ok()) return s;
  const ClusterFile& cf = opts_.cluster;
  const uint32_t n = static_cast<uint32_t>(cf.nodes.size());
  // Open every store the placement gives this node up front, so a bad data dir is an error here
  // and not an abort later.
  for (uint32_t i = 0; i < cf.partitions; ++i) {
    PartitionId p{i};
    auto reps = place_replicas(p, cf.common.replicas, n);
    if (std::find(reps.begin(), reps.end(), opts_.self) == reps.end()) continue;
    if (auto st = open_store("p" + to_string(p), p); !st.ok()) return st.error();
  }
  const auto& q = opts_.coordination.quorum;
  const bool in_quorum = opts_.coordination.enabled && std::find(q.begin(), q.end(), opts_.self) != q.end();
  if (in_quorum) {
    if (auto st = open_store("metadata", PartitionId{0}); !st.ok()) return st.error();
  }

  net::TransportConfig tc;
  tc.self = opts_.self;
  tc.cluster_id = cf.cluster_id;
  tc.max_frame_bytes = static_cast<uint32_t>(std::min<uint64_t>(
      std::max<uint64_t>(wire::kDefaultMaxFrameBytes, 2 * cf.common.batching.max_bytes + (1 << 20)), 1u << 30));
  tc.fault_seed = cf.seed ^ (static_cast<uint64_t>(opts_.self.value()) << 32) ^ static_cast<uint64_t>(broker_epoch_);
  tc.control_from = kMetadataPartition;  // the coordinator's traffic is counted apart
  net::TransportHandlers h;
  h.on_peer_message = [this](PeerMessage m) {
    if (running_) node_->on_peer_message(m);
  };
  h.on_client_request = [this](client::Request r, net::Reply reply) {
    on_client_request(std::move(r), std::move(reply));
  };
  h.on_admin_request = [this](wire::AdminRequest r, net::Reply reply) { on_admin(std::move(r), std::move(reply)); };
  transport_ = std::make_unique<net::Transport>(io_, tc, std::move(h));
  const ClusterNode& me = *cf.node(opts_.self);
  if (auto s = transport_->listen(me.host, me.port); !s.ok()) return s;
  for (const auto& peer : cf.nodes) {
    if (peer.id != opts_.self) transport_->add_peer(peer.id, peer.host, peer.port);
  }

  disk_ = std::make_unique<DiskThread>();
  NodeHostConfig hc;
  hc.self = opts_.self;
  hc.nodes = cf.node_ids();
  hc.partitions = cf.partitions;
  hc.common = cf.common;
  hc.follower_reads = cf.follower_reads;
  hc.seed = cf.seed * 0x9e3779b97f4a7c15ULL + (static_cast<uint64_t>(opts_.self.value()) << 20) +
            static_cast<uint64_t>(broker_epoch_);
  hc.tick_ms = cf.tick_ms;
  hc.request_timeout_ticks = opts_.request_timeout_ticks;
  hc.defer_produce_drain = true;  // flushed once per loop turn: see on_client_request
  running_ = true;
  // SIGKILL keeps the page cache, so a restart after a kill is not an unclean (data-losing) one.
  node_ = std::make_unique<CoordinatedNode>(
      hc, *opts_.factory, opts_.coordination, *this, [this](PartitionId p) { return store_for(p); },
      metadata_store_.get(), broker_epoch_, /*unclean_restart=*/false);
  next_tick_ = std::chrono::steady_clock::now();
  schedule_tick();
  if (cf.common.fsync.mode == FsyncMode::interval) schedule_interval_sync();
  std::fprintf(stderr, "node=%u listening on %s:%u (cluster %llu, mode %s, broker epoch %lld, data %s)\n",
               opts_.self.value(), me.host.c_str(), transport_->port(), static_cast<unsigned long long>(cf.cluster_id),
               cf.mode.c_str(), static_cast<long long>(broker_epoch_), opts_.data_dir.c_str());
  return {};
}

void NodeProcess::stop() {
  if (stopped_) return;
  stopped_ = true;
  running_ = false;
  tick_timer_.cancel();
  sync_timer_.cancel();
  if (transport_) transport_->stop();
  alive_ = std::make_shared<char>();  // completions posted by the disk thread are now ignored
  if (disk_) disk_->stop();
  clients_.clear();
  if (on_stopped_) {
    auto fn = std::move(on_stopped_);
    fn(stop_status_);
  }
}

void NodeProcess::fail(const Error& e) {
  std::fprintf(stderr, "node=%u stopping: %s\n", opts_.self.value(), e.describe().c_str());
  if (stop_status_.ok()) stop_status_ = e;
  net::asio::post(io_, [this, alive = std::weak_ptr<char>(alive_)] {
    if (!alive.expired()) stop();
  });
}

void NodeProcess::schedule_tick() {
  const auto period = std::chrono::milliseconds(opts_.cluster.tick_ms);
  next_tick_ += period;
  // After a stall (SIGSTOP, a slow fsync on this thread) resume from now rather than firing a
  // burst of catch-up ticks: engines see one long tick gap, as after a pause.
  auto now = std::chrono::steady_clock::now();
  if (next_tick_ + 10 * period < now) next_tick_ = now;
  tick_timer_.expires_at(next_tick_);
  tick_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || !running_) return;
    node_->tick();
    ++ticks_;
    if (ticks_ % 1000 == 0) std::erase_if(clients_, [](const auto& kv) { return !kv.second.open(); });
    schedule_tick();
  });
}

void NodeProcess::schedule_interval_sync() {
  sync_timer_.expires_after(std::chrono::milliseconds(opts_.cluster.common.fsync.interval_ms));
  sync_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || !running_) return;
    request_sync();
    schedule_interval_sync();
  });
}

// --- NodeIo -------------------------------------------------------------------------------------

void NodeProcess::send(PeerMessage msg) {
  if (running_) transport_->send(std::move(msg));
}

void NodeProcess::reply(ClientId client, client::Response resp) {
  auto it = clients_.find(client);
  if (it == clients_.end()) return;
  // The host knows node ids only; clients (rb_client) route by address, which the runtime knows.
  if (auto* m = std::get_if<client::MetadataResponse>(&resp)) {
    for (auto& n : m->nodes) {
      if (const ClusterNode* cn = opts_.cluster.node(n.id)) {
        n.host = cn->host;
        n.port = cn->port;
      }
    }
  }
  it->second.send(resp);
  clients_.erase(it);
}

void NodeProcess::request_sync() {
  if (!running_) return;
  if (sync_in_flight_) {
    sync_again_ = true;
    return;
  }
  start_sync();
}

void NodeProcess::on_event(PartitionId p, const Event& e) {
  if (!opts_.log_events) return;
  std::fprintf(stderr, "node=%u p=%u event %s leader=%u epoch=%lld\n", opts_.self.value(), p.value(),
               std::string(to_string(e.kind)).c_str(), e.leader.value(), static_cast<long long>(e.epoch.value()));
}

// Group commit: one pass of the disk thread syncs every store appended to since the last pass
// began; records appended while it runs are covered by the next pass (sync_again_).
void NodeProcess::start_sync() {
  auto dirty = node_->host().take_dirty();
  if (dirty.empty()) return;
  std::vector<std::pair<PartitionId, LogStore*>> work;
  for (PartitionId p : dirty) work.emplace_back(p, &node_->host().store(p));
  sync_in_flight_ = true;
  ++group_commits_;
  disk_->submit([this, work = std::move(work), alive = std::weak_ptr<char>(alive_)] {
    std::vector<std::pair<PartitionId, Result<Offset>>> done;
    for (auto& [p, st] : work) done.emplace_back(p, st->sync());
    net::asio::post(io_, [this, alive, done = std::move(done)]() mutable {
      if (!alive.expired()) on_synced(std::move(done));
    });
  });
}

void NodeProcess::on_synced(std::vector<std::pair<PartitionId, Result<Offset>>> done) {
  sync_in_flight_ = false;
  if (!running_) return;
  for (auto& [p, end] : done) {
    if (!end.ok()) return fail(end.error());
    node_->host().on_durable(p, *end);
  }
  if (std::exchange(sync_again_, false)) start_sync();
}

// --- requests -----------------------------------------------------------------------------------

void NodeProcess::on_client_request(client::Request req, net::Reply reply) {
  if (!running_) return;
  ++client_requests_;
  ClientId id = next_client_++;
  clients_.emplace(id, std::move(reply));
  node_->on_client_request(id, std::move(req));
  // Every produce request read in this turn (one socket read holds many) is applied as one batch
  // by a flush queued behind the handlers that are ready now.
  if (!flush_posted_ && node_->host().has_deferred()) {
    flush_posted_ = true;
    net::asio::post(io_, [this, alive = std::weak_ptr<char>(alive_)] {
      if (alive.expired()) return;
      flush_posted_ = false;
      if (running_) node_->host().flush();
    });
  }
}

void NodeProcess::on_admin(wire::AdminRequest req, net::Reply reply) {
  if (std::holds_alternative<wire::StatusQuery>(req.body)) {
    reply.send(wire::AdminResponse{req.id, errc::ok, "", status()});
    return;
  }
  if (std::holds_alternative<wire::StopNode>(req.body)) {
    reply.send(wire::AdminResponse{req.id, errc::ok, "stopping", std::nullopt});
    // Let the answer leave before the connections close.
    auto t = std::make_shared<net::asio::steady_timer>(io_, 20ms);
    t->async_wait([this, t, alive = std::weak_ptr<char>(alive_)](auto) {
      if (!alive.expired()) stop();
    });
    return;
  }
  reply.send(wire::AdminResponse{req.id, errc::unsupported, "unknown admin request", std::nullopt});
}

wire::NodeStatus NodeProcess::status() const {
  wire::NodeStatus st = transport_ ? transport_->node_status() : wire::NodeStatus{};
  st.node = opts_.self;
  uint64_t syncs = 0, bytes = 0, appended = 0;
  auto add = [&](const LogStore& s) {
    auto x = s.stats();
    syncs += x.syncs;
    bytes += x.bytes_written;
    appended += x.records_appended;
  };
  for (const auto& [p, s] : stores_) add(*s);
  if (metadata_store_) add(*metadata_store_);
  if (node_) {
    NodeHost& host = node_->host();
    for (PartitionId p : host.partitions()) {
      auto ps = wire::partition_status(p, host.engine(p).status());
      ps.commit = host.commit(p);
      st.partitions.push_back(std::move(ps));
    }
    if (const Engine* q = node_->quorum_engine())
      st.partitions.push_back(wire::partition_status(kMetadataPartition, q->status()));
    const NodeCounters& c = host.counters();
    st.counters["node.produce_requests"] = static_cast<int64_t>(c.produce_requests);
    st.counters["node.produce_records"] = static_cast<int64_t>(c.produce_records);
    st.counters["node.fetch_requests"] = static_cast<int64_t>(c.fetch_requests);
    st.counters["node.records_served"] = static_cast<int64_t>(c.records_served);
    st.counters["node.peer_messages_in"] = static_cast<int64_t>(c.peer_messages_in);
    st.counters["node.peer_records_in"] = static_cast<int64_t>(c.peer_records_in);
    st.counters["node.quorum_leader"] = node_->quorum_leader() ? 1 : 0;
  }
  st.counters["node.client_requests"] = static_cast<int64_t>(client_requests_);
  st.counters["node.broker_epoch"] = broker_epoch_;
  st.counters["node.ticks"] = static_cast<int64_t>(ticks_);
  st.counters["node.pid"] = static_cast<int64_t>(::getpid());
  st.counters["disk.syncs"] = static_cast<int64_t>(syncs);
  st.counters["disk.group_commits"] = static_cast<int64_t>(group_commits_);
  st.counters["disk.bytes_written"] = static_cast<int64_t>(bytes);
  st.counters["disk.records_appended"] = static_cast<int64_t>(appended);
  rusage ru{};
  ::getrusage(RUSAGE_SELF, &ru);
  auto us = [](const timeval& t) { return static_cast<int64_t>(t.tv_sec) * 1'000'000 + t.tv_usec; };
  st.counters["cpu.user_us"] = us(ru.ru_utime);
  st.counters["cpu.system_us"] = us(ru.ru_stime);
  return st;
}

// --- run_node -----------------------------------------------------------------------------------

Status run_node(NodeProcessOptions opts) {
  if (auto s = opts.validate(); !s.ok()) return s;
  net::asio::io_context io;
  NodeProcess node(io, std::move(opts));
  Status result;
  bool done = false;
  node.set_on_stopped([&](Status s) {
    result = std::move(s);
    done = true;
  });
  if (auto s = node.start(); !s.ok()) return s;
  net::asio::signal_set signals(io, SIGTERM, SIGINT);
  signals.async_wait([&](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    std::fprintf(stderr, "node: signal %d, stopping\n", sig);
    node.stop();
  });
  while (!done) {
    io.run_for(100ms);
    if (io.stopped()) io.restart();
  }
  signals.cancel();
  // Let the last frames (the StopNode answer) drain before the sockets go away with `io`.
  io.restart();
  io.run_for(20ms);
  return result;
}

}  // namespace rb::netrun
