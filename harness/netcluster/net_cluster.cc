#include "harness/netcluster/net_cluster.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include "harness/netcluster/net_cluster_internal.h"
#include "harness/netcluster/node_spawn.h"
#include "harness/netcluster/orphaned_dirs.h"
#include "replication/broker/placement.h"
#include "replication/netrun/node_process.h"
#include "replication/storage/segment_log_store.h"
#include "replication/wire/codec.h"

namespace rb::netcluster {

namespace fs = std::filesystem;
namespace asio = net::asio;
using net::tcp;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

Status NetClusterOptions::validate() const {
  auto bad = [](std::string m) { return make_error(errc::invalid_config, "net cluster: " + std::move(m)); };
  if (cluster_file) return {};
  if (nodes < 1) return bad("nodes must be at least 1");
  if (partitions < 1) return bad("partitions must be at least 1");
  if (mode.empty()) return bad("mode is required");
  if (common.replicas > nodes) return bad("replicas exceeds nodes");
  if (auto s = common.validate(); !s.ok()) return s;
  if (binary.empty()) return bad("binary is required");
  if (!node_prefix.empty() && node_prefix.size() != nodes) return bad("node_prefix needs one entry per node");
  if (!node_hosts.empty() && node_hosts.size() != nodes) return bad("node_hosts needs one entry per node");
  if (tick_ms < 1 || tick_ms > 1000) return bad("tick_ms must be in 1..1000");
  return {};
}

NetCluster::NetCluster(NetClusterOptions opts)
    : opts_(std::move(opts)), start_(Clock::now()), work_(asio::make_work_guard(io_)) {}

NetCluster::~NetCluster() {
  alive_.reset();
  for (auto& n : nodes_) drop_client_conn(*n);
  kill_all();
  if (own_base_dir_ && !opts_.keep_data) {
    std::error_code ec;
    fs::remove_all(base_dir_, ec);
  }
}

NetCluster::Node& NetCluster::node(NodeId n) const {
  RB_ASSERT(n.value() < nodes_.size());
  return *nodes_[n.value()];
}

pid_t NetCluster::pid(NodeId n) const { return n.value() < nodes_.size() ? node(n).pid : -1; }

// --- start ----------------------------------------------------------------------------------------

Status NetCluster::start() {
  if (auto s = opts_.validate(); !s.ok()) return s;
  if (opts_.cluster_file) {
    auto f = netrun::load_cluster_file(*opts_.cluster_file);
    if (!f.ok()) return f.error();
    file_ = std::move(f.value());
    file_path_ = *opts_.cluster_file;
  } else {
    base_dir_ = opts_.base_dir;
    if (base_dir_.empty()) {
      auto dir = make_owned_temp_dir("replbench-net-");
      if (!dir.ok()) return dir.error();
      base_dir_ = *dir;
      own_base_dir_ = true;
    }
    std::error_code ec;
    fs::create_directories(base_dir_, ec);
    if (ec) return make_error(errc::io_error, "cannot create '" + base_dir_ + "': " + ec.message());
    std::vector<uint16_t> ports;
    if (opts_.node_hosts.empty()) {
      auto p = free_ports(opts_.host, opts_.nodes);
      if (!p.ok()) return p.error();
      ports = *p;
    } else {
      // Addresses in other network namespaces cannot be probed from here; each has its own ports.
      for (uint32_t i = 0; i < opts_.nodes; ++i) ports.push_back(static_cast<uint16_t>(17000 + i));
    }
    file_.cluster_id = opts_.cluster_id != 0
                           ? opts_.cluster_id
                           : ((opts_.seed * 0x9e3779b97f4a7c15ULL) ^ (static_cast<uint64_t>(::getpid()) << 16) ^
                              static_cast<uint64_t>(Clock::now().time_since_epoch().count())) |
                                 1;
    for (uint32_t i = 0; i < opts_.nodes; ++i) {
      std::string host = opts_.node_hosts.empty() ? opts_.host : opts_.node_hosts[i];
      file_.nodes.push_back(netrun::ClusterNode{NodeId{i}, host, ports[i]});
    }
    file_.mode = opts_.mode;
    file_.partitions = opts_.partitions;
    file_.common = opts_.common;
    file_.engine = opts_.engine_settings;
    file_.tick_ms = opts_.tick_ms;
    file_.seed = opts_.seed;
    file_.quorum = opts_.quorum;
    if (auto s = file_.validate(); !s.ok()) return s;
    file_path_ = base_dir_ + "/cluster.json";
    if (auto s = netrun::save_cluster_file(file_path_, file_); !s.ok()) return s;
    spawned_ = true;
  }
  for (const auto& cn : file_.nodes) {
    auto n = std::make_unique<Node>();
    n->id = cn.id;
    n->host = cn.host;
    n->port = cn.port;
    n->admin = std::make_unique<AdminChannel>(file_.cluster_id, cn.host, cn.port);
    if (spawned_) {
      n->data_dir = base_dir_ + "/node" + to_string(cn.id);
      n->log_path = base_dir_ + "/node" + to_string(cn.id) + ".log";
      if (!opts_.node_prefix.empty()) n->prefix = opts_.node_prefix[cn.id.value()];
    }
    n->up = true;
    nodes_.push_back(std::move(n));
  }
  if (spawned_) {
    for (auto& n : nodes_) {
      if (auto s = spawn(*n); !s.ok()) return s;
    }
  }
  auto deadline = Clock::now() + milliseconds(opts_.startup_timeout_ms);
  for (auto& n : nodes_) {
    if (auto s = wait_serving(*n, deadline); !s.ok()) return s;
  }
  // Leaders first, so a run's warm-up is not spent electing them (bounded; not an error: a run
  // with faults may start without one).
  for (uint32_t p = 0; p < file_.partitions; ++p) {
    while (!leader_of(PartitionId{p}) && Clock::now() < deadline)
      run_while_waiting([] { return false; }, milliseconds(10));
  }
  return {};
}

Status NetCluster::spawn(Node& n) {
  std::vector<std::string> argv = n.prefix;
  argv.insert(argv.end(), {opts_.binary, "node", "--cluster", file_path_, "--id", to_string(n.id), "--data", n.data_dir,
                           "--request-timeout-ticks", std::to_string(opts_.request_timeout_ticks)});
  auto pid = spawn_process(argv, n.log_path);
  if (!pid.ok()) return pid.error();
  n.pid = *pid;
  n.up = true;
  n.paused = false;
  n.last.reset();
  n.admin->reset();
  return {};
}

Status NetCluster::wait_serving(Node& n, Clock::time_point deadline) {
  for (;;) {
    if (spawned_ && n.pid > 0) {
      int st = 0;
      if (::waitpid(n.pid, &st, WNOHANG) == n.pid) {
        n.up = false;
        n.pid = -1;
        return make_error(errc::unavailable, "node " + to_string(n.id) + " exited at start; log " + n.log_path + ":\n" +
                                                 log_tail(n.log_path));
      }
    }
    auto s = n.admin->status(milliseconds(200));
    if (s.ok()) {
      n.last = std::move(s.value());
      return {};
    }
    if (Clock::now() >= deadline) {
      return make_error(errc::timeout, "node " + to_string(n.id) + " does not answer at " + n.host + ":" +
                                           std::to_string(n.port) + " (" + s.error().describe() + ")" +
                                           (n.log_path.empty() ? "" : "; log:\n" + log_tail(n.log_path)));
    }
    std::this_thread::sleep_for(milliseconds(5));  // connection refused: the node is still starting
  }
}

// --- time -----------------------------------------------------------------------------------------

int64_t NetCluster::now_ns() const {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start_).count();
}

void NetCluster::schedule(int64_t at_ns, std::function<void()> fn) {
  auto t = std::make_shared<asio::steady_timer>(io_, start_ + std::chrono::nanoseconds(at_ns));
  t->async_wait([t, fn = std::move(fn)](const boost::system::error_code& ec) {
    if (!ec) fn();
  });
}

void NetCluster::run_until(int64_t t_ns) {
  auto deadline = start_ + std::chrono::nanoseconds(t_ns);
  while (Clock::now() < deadline) {
    if (io_.stopped()) io_.restart();
    io_.run_until(deadline);
  }
}

bool NetCluster::run_while_waiting(const std::function<bool()>& pred, milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (!pred() && Clock::now() < deadline) {
    if (io_.stopped()) io_.restart();
    io_.run_for(milliseconds(1));
  }
  return pred();
}

// --- clients --------------------------------------------------------------------------------------

void NetCluster::send(ClientId client, NodeId to, client::Request req) {
  if (to.value() >= nodes_.size()) return;
  Node& n = node(to);
  if (!n.up) return;  // lost, as a packet to a dead host: the caller's timeout notices
  const uint64_t wid = next_wire_id_++;
  const RequestId orig = wire::request_id(req);
  std::visit([&](auto& r) { r.id = RequestId{wid}; }, req);
  pending_[wid] = Pending{client, orig, to};
  std::string frame = wire::encode_client_request_frame(file_.cluster_id, req);
  client_bytes_ += frame.size();
  if (n.conn && n.conn->is_open()) return n.conn->send(std::move(frame));
  if (n.backlog.size() < 100000) n.backlog.push_back(std::move(frame));
  if (!n.connecting) connect_client(n);
}

void NetCluster::connect_client(Node& n) {
  n.connecting = true;
  const uint64_t gen = ++n.conn_gen;
  auto socket = std::make_shared<tcp::socket>(io_);
  boost::system::error_code ec;
  auto addr = asio::ip::make_address(n.host, ec);
  if (ec) return drop_client_conn(n);
  const NodeId id = n.id;
  socket->async_connect(tcp::endpoint(addr, n.port), [this, socket, id, gen, alive = std::weak_ptr<char>(alive_)](
                                                         const boost::system::error_code& ec) {
    if (alive.expired()) return;
    Node& n = node(id);
    if (gen != n.conn_gen) return;
    n.connecting = false;
    if (ec) return drop_client_conn(n);
    socket->set_option(tcp::no_delay(true));
    net::FrameConnection::Callbacks cb;
    cb.on_frame = [this, id](const wire::FrameHeader& h, std::string_view body) {
      if (h.kind == wire::FrameKind::client_response) on_client_frame(id, body);
    };
    cb.on_close = [this, id, gen, alive](const Error&) {
      if (alive.expired()) return;
      Node& n = node(id);
      if (gen == n.conn_gen) drop_client_conn(n);
    };
    n.conn = net::FrameConnection::make(std::move(*socket), wire::FrameLimits{file_.cluster_id, 1u << 30}, cb);
    n.conn->start();
    for (auto& f : n.backlog) n.conn->send(std::move(f));
    n.backlog.clear();
  });
}

void NetCluster::drop_client_conn(Node& n) {
  ++n.conn_gen;
  if (n.conn) n.conn->detach();
  n.conn.reset();
  n.connecting = false;
  n.backlog.clear();
  std::erase_if(pending_, [&](const auto& kv) { return kv.second.node == n.id; });
}

void NetCluster::on_client_frame(NodeId, std::string_view body) {
  client_bytes_ += body.size() + wire::kFrameHeaderBytes;
  auto resp = wire::decode_client_response(body);
  if (!resp.ok()) return;
  auto it = pending_.find(wire::request_id(*resp).value());
  if (it == pending_.end()) return;
  Pending p = it->second;
  pending_.erase(it);
  std::visit([&](auto& r) { r.id = p.id; }, *resp);
  if (on_response_) on_response_(p.client, std::move(resp.value()));
}

// --- shape ----------------------------------------------------------------------------------------

std::vector<NodeId> NetCluster::nodes() const { return file_.node_ids(); }

std::vector<NodeId> NetCluster::replicas(PartitionId p) const {
  return place_replicas(p, file_.common.replicas, static_cast<uint32_t>(file_.nodes.size()));
}

bool NetCluster::is_up(NodeId n) const { return n.value() < nodes_.size() && node(n).up; }

Result<wire::NodeStatus> NetCluster::status(NodeId n) {
  if (n.value() >= nodes_.size()) return make_error(errc::not_found, "no node " + to_string(n));
  Node& nd = node(n);
  if (!nd.up) return make_error(errc::unavailable, "node " + to_string(n) + " is down");
  auto s = nd.admin->status(milliseconds(nd.paused ? 100 : 2000));
  if (s.ok()) nd.last = *s;
  return s;
}

void NetCluster::refresh_status(Node& n) const {
  if (!n.up || n.paused) return;
  auto s = n.admin->status(milliseconds(1000));
  if (s.ok()) n.last = std::move(s.value());
}

}  // namespace rb::netcluster
