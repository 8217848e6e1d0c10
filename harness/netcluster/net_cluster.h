#pragma once
// NetCluster: the net runtime behind the ClusterApi (design section 2). Each node is a real OS
// process (`<binary> node --cluster FILE --id N --data DIR`) that the harness starts on loopback
// ports it picks, or the harness connects to nodes already running from a cluster file.
//
// Time is wall time: now_ns() is the steady clock since construction; schedule()/run_until() run
// the harness's io_context (client connections and timers) until the deadline.
//
// Clients: one TCP connection per node carries every simulated client's requests to it; request
// ids are renumbered on the wire and restored on the answer, so the load generator sees exactly
// the ids it sent. A request to a dead node is lost (the generator's timeout notices), as in the
// simulator.
//
// Faults and their limits on real processes:
//   kill       SIGKILL. The page cache survives, so `lose_unsynced` cannot be honoured (a power
//              loss needs a VM or a dm-flakey device); describe() records this.
//   restart    re-exec with the same data dir; the node recovers its stores; link faults that
//              involve it are re-applied (the fault filter lives in the process).
//   pause      SIGSTOP / SIGCONT.
//   set_link   the fault filter of the sending node's transport (outbound to the peer); a cut is
//              also set inbound at the receiver, so frames already in flight are dropped too.
//   set_disk_slowdown, admin: unsupported (no way to slow a real disk; no engine-admin RPC).
// dump_logs() stops every node cleanly, then reads each replica's committed prefix from its data
// directory; the cluster is finished after it.
#include <sys/types.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "harness/netcluster/admin_channel.h"
#include "replication/cluster_api.h"
#include "replication/core/config.h"
#include "replication/net/frame_connection.h"
#include "replication/netrun/cluster_file.h"

namespace rb::netcluster {

struct NetClusterOptions {
  uint32_t nodes = 3;
  uint32_t partitions = 1;
  ReplicationConfig common;
  std::string mode;                                    // masterslave, raft, isr, gm
  std::map<std::string, std::string> engine_settings;  // plain or "mode.key" keys
  std::vector<NodeId> quorum;                          // coordinator replicas; empty = default
  uint64_t seed = 1;
  uint32_t tick_ms = 1;
  std::string binary = "/proc/self/exe";    // an executable with the `node` subcommand
  std::string base_dir;                     // empty: a fresh directory under /tmp, removed at the end
  bool keep_data = false;                   // keep base_dir (node logs, data) after destruction
  std::string host = "127.0.0.1";           // where spawned nodes listen
  std::optional<std::string> cluster_file;  // connect to running nodes instead of spawning
  // Per node: a command prefix for spawning it (e.g. {"ip", "netns", "exec", "ns0"}) and its
  // address; empty = no prefix / `host`.
  std::vector<std::vector<std::string>> node_prefix;
  std::vector<std::string> node_hosts;
  uint64_t cluster_id = 0;                 // 0: derived from the seed and the process id
  int64_t startup_timeout_ms = 20000;      // every node answers status, every partition has a leader
  uint32_t request_timeout_ticks = 30000;  // passed to the nodes as the host's request timeout
  Status validate() const;
};

class NetCluster final : public ClusterApi {
 public:
  explicit NetCluster(NetClusterOptions opts);
  ~NetCluster() override;

  // Spawns (or connects to) the nodes and waits until they serve. Call once, before anything else.
  Status start();

  int64_t now_ns() const override;
  void schedule(int64_t at_ns, std::function<void()> fn) override;
  void run_until(int64_t t_ns) override;

  void set_response_handler(std::function<void(ClientId, client::Response)> fn) override {
    on_response_ = std::move(fn);
  }
  void send(ClientId client, NodeId node, client::Request req) override;

  std::vector<NodeId> nodes() const override;
  uint32_t partitions() const override { return file_.partitions; }
  std::vector<NodeId> replicas(PartitionId p) const override;
  bool is_up(NodeId n) const override;

  Status kill(NodeId n, bool lose_unsynced) override;
  Status restart(NodeId n) override;
  Status pause(NodeId n) override;
  Status resume(NodeId n) override;
  Status set_link(NodeId from, NodeId to, LinkFault f) override;
  Status heal_links() override;
  Status set_disk_slowdown(NodeId n, double factor) override;
  Status admin(NodeId n, PartitionId p, const AdminCommand& cmd) override;

  std::optional<NodeId> leader_of(PartitionId p) override;
  std::vector<ReplicaLogDump> dump_logs() override;
  ClusterCounters counters() const override;
  std::vector<EngineEventRecord> take_events() override { return {}; }
  std::map<std::string, std::string> describe() const override;

  // Inspection for tests and calibrate.
  const netrun::ClusterFile& cluster_file() const { return file_; }
  const std::string& cluster_file_path() const { return file_path_; }
  const std::string& base_dir() const { return base_dir_; }
  pid_t pid(NodeId n) const;
  Result<wire::NodeStatus> status(NodeId n);
  // Runs the event loop until pred() holds or timeout passes; returns pred().
  bool run_while_waiting(const std::function<bool()>& pred, std::chrono::milliseconds timeout);

 private:
  struct Node;
  struct Pending {
    ClientId client;
    RequestId id;
    NodeId node;
  };

  Node& node(NodeId n) const;
  Status spawn(Node& n);
  Status wait_serving(Node& n, std::chrono::steady_clock::time_point deadline);
  Status apply_link(NodeId from, NodeId to, const LinkFault& f);
  void reapply_links(NodeId n);
  void connect_client(Node& n);
  void on_client_frame(NodeId n, std::string_view body);
  void drop_client_conn(Node& n);
  void refresh_status(Node& n) const;
  void stop_all();
  void kill_all();

  NetClusterOptions opts_;
  netrun::ClusterFile file_;
  std::string file_path_;
  std::string base_dir_;
  bool own_base_dir_ = false;
  bool spawned_ = false;  // false: connected to nodes started by someone else
  bool finished_ = false;
  std::chrono::steady_clock::time_point start_;
  mutable net::asio::io_context io_;
  net::asio::executor_work_guard<net::asio::io_context::executor_type> work_;
  std::vector<std::unique_ptr<Node>> nodes_;
  std::map<std::pair<uint32_t, uint32_t>, LinkFault> links_;
  std::map<uint64_t, Pending> pending_;
  uint64_t next_wire_id_ = 1;
  std::function<void(ClientId, client::Response)> on_response_;
  uint64_t client_bytes_ = 0;
  std::shared_ptr<char> alive_ = std::make_shared<char>();
};

// The entry point `replbench run --runtime net` uses: builds and starts a NetCluster.
Result<std::unique_ptr<ClusterApi>> make_net_cluster(const NetClusterOptions& opts);

}  // namespace rb::netcluster
