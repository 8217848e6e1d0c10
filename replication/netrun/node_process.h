#pragma once
// NodeProcess: one node of the net runtime (design section 6). A single-threaded Boost.Asio event
// loop drives a CoordinatedNode (the broker core plus the node's part in the coordinator):
//
//   peers, clients, admin  --TCP-->  rb::net::Transport  -->  CoordinatedNode  -->  NodeIo (this)
//   steady_timer every tick_ms  -->  CoordinatedNode::tick()
//   request_sync()  -->  group commit on the DiskThread (fdatasync of every dirty store)
//                   -->  posted back: NodeHost::on_durable(p, end)
//
// Storage: a SegmentLogStore per hosted partition under DATA_DIR/p<id>/, the coordinator quorum's
// log under DATA_DIR/metadata/, and DATA_DIR/broker_epoch (grows on every start, so the coordinator
// can tell a restarted broker from a stale session). A restart from the same DATA_DIR recovers the
// stores and the engines' hard state.
//
// Fsync policies as in the simulator: always = group commit per batch before persisted();
// interval:MS = a sync every MS while records were written; never = no fdatasync.
//
// Failure: a store that fails (I/O error) or cannot be opened stops the node (log_store.h): the
// loop ends and run_node() returns the error. Bad input on a connection is the transport's
// business: it logs and closes that connection only.
#include <map>
#include <memory>
#include <string>
#include <unordered_map>

#include "replication/engine_factory.h"
#include "replication/net/transport.h"
#include "replication/netrun/cluster_file.h"
#include "replication/netrun/disk_thread.h"
#include "replication/node/coordinated_node.h"
#include "replication/storage/segment_log_store.h"

namespace rb::netrun {

struct NodeProcessOptions {
  ClusterFile cluster;                     // validated
  NodeId self;                             // one of cluster.nodes
  std::string data_dir;                    // created when missing (its parent must exist)
  const EngineFactory* factory = nullptr;  // data engines; must outlive the process object
  CoordinationConfig coordination;         // enabled for modes that use the coordinator
  uint32_t request_timeout_ticks = 30000;  // engine requests pending longer get errc::timeout
  uint64_t segment_bytes = 64ull << 20;    // SegmentLogStore segment size
  bool log_events = false;                 // one stderr line per engine event
  Status validate() const;
};

class NodeProcess final : public NodeIo {
 public:
  NodeProcess(net::asio::io_context& io, NodeProcessOptions opts);
  ~NodeProcess() override;
  NodeProcess(const NodeProcess&) = delete;
  NodeProcess& operator=(const NodeProcess&) = delete;

  // Opens the stores, listens on the node's address, connects to the peers and starts ticking.
  Status start();
  // Stops ticking and serving, closes every connection and finishes the disk thread's work.
  // Idempotent. `on_stopped` (set before start) is called once, from the loop.
  void stop();
  void set_on_stopped(std::function<void(Status)> fn) { on_stopped_ = std::move(fn); }
  bool running() const { return running_; }

  uint16_t port() const { return transport_ ? transport_->port() : 0; }
  CoordinatedNode* node() { return node_.get(); }
  net::Transport* transport() { return transport_.get(); }
  wire::NodeStatus status() const;

  // --- NodeIo ---
  void send(PeerMessage msg) override;
  void reply(ClientId client, client::Response resp) override;
  void request_sync() override;
  void on_event(PartitionId p, const Event& e) override;

 private:
  Status open_data_dir();
  Result<storage::SegmentLogStore*> open_store(const std::string& name, PartitionId p);
  LogStore* store_for(PartitionId p);  // the StoreFactory; a failure stops the node
  void fail(const Error& e);
  void schedule_tick();
  void schedule_interval_sync();
  void start_sync();
  void on_synced(std::vector<std::pair<PartitionId, Result<Offset>>> done);
  void on_client_request(client::Request req, net::Reply reply);
  void on_admin(wire::AdminRequest req, net::Reply reply);

  net::asio::io_context& io_;
  NodeProcessOptions opts_;
  std::unique_ptr<net::Transport> transport_;
  std::map<PartitionId, std::unique_ptr<storage::SegmentLogStore>> stores_;
  std::unique_ptr<storage::SegmentLogStore> metadata_store_;
  std::unique_ptr<CoordinatedNode> node_;
  std::unique_ptr<DiskThread> disk_;
  net::asio::steady_timer tick_timer_;
  net::asio::steady_timer sync_timer_;
  std::chrono::steady_clock::time_point next_tick_;
  std::unordered_map<ClientId, net::Reply> clients_;  // requests waiting for their answer
  ClientId next_client_ = 1;
  int64_t broker_epoch_ = 0;
  bool sync_in_flight_ = false;
  bool flush_posted_ = false;  // a NodeHost::flush() is queued behind this loop turn's handlers
  bool sync_again_ = false;
  bool running_ = false;
  bool stopped_ = false;
  uint64_t ticks_ = 0;
  uint64_t client_requests_ = 0;
  uint64_t group_commits_ = 0;
  std::function<void(Status)> on_stopped_;
  Status stop_status_;
  std::shared_ptr<char> alive_ = std::make_shared<char>();  // posted completions check it
};

// The options every store of a node opens with; readers of a stopped node's data dir (the
// harness's dump) must use the same, or recovery would treat valid large records as torn.
storage::SegmentLogStoreOptions store_options(const ClusterFile& cf, uint64_t segment_bytes = 64ull << 20);

// Runs one node in the calling thread until it is stopped (admin StopNode, SIGTERM or SIGINT) or
// fails. Returns the failure, if any. Used by `replbench node`.
Status run_node(NodeProcessOptions opts);

}  // namespace rb::netrun
