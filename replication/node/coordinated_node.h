#pragma once
// CoordinatedNode: a NodeHost plus the node's part in the coordinator (design section 5).
//
// Every node runs a broker agent: it registers with the coordinator (a broker epoch per start),
// heartbeats, forwards its engines' metadata requests (ISR changes, view changes), and hands the
// coordinator's partition records to its engines as AdminCommand::metadata_update.
//
// The nodes of the metadata quorum (by default the first three) also run a replica of the
// coordinator: a Raft engine whose log holds coordinator commands; every quorum member applies
// committed commands to its CoordinatorState in order, and the quorum leader runs the Controller
// (session timeouts, fencing, elections), proposes commands, and pushes changed partition records
// to their replicas. Coordinator traffic uses reserved partition ids, so runtimes count it
// separately from data replication.
#include <memory>
#include <optional>

#include "replication/coordinator/controller.h"
#include "replication/coordinator/coordinator_state.h"
#include "replication/node/node_host.h"
#include "replication/storage/log_store.h"

namespace rb {

// Raft messages of the metadata quorum.
inline constexpr PartitionId kMetadataPartition{0xFFFFFFFD};
// Broker <-> coordinator requests and pushes.
inline constexpr PartitionId kControllerPartition{0xFFFFFFFE};
inline bool is_coordinator_traffic(PartitionId p) { return p.value() >= kMetadataPartition.value(); }

struct CoordinationConfig {
  bool enabled = false;
  std::vector<NodeId> quorum;                     // coordinator replicas
  const EngineFactory* quorum_factory = nullptr;  // the Raft engine
  coordinator::CoordinatorConfig state;
  coordinator::ControllerConfig controller;
  uint32_t heartbeat_ticks = 250;  // broker heartbeat period (session timeout is the controller's)
  uint32_t repush_ticks = 1000;    // the leader re-sends every partition record this often
};

std::string encode_partition_metadata(const PartitionMetadata& m);
Result<PartitionMetadata> decode_partition_metadata(const std::string& bytes);

class CoordinatedNode final : public NodeIo {
 public:
  // `metadata_store` is the quorum replica's log (null when this node is not in the quorum);
  // `broker_epoch` must grow with every start of the node; `unclean_restart` says the node lost
  // unsynced data on its last stop (KIP-966 marks it so it is not elected from the ELR).
  CoordinatedNode(NodeHostConfig cfg, const EngineFactory& data_factory, CoordinationConfig coord, NodeIo& outer,
                  NodeHost::StoreFactory stores, LogStore* metadata_store, int64_t broker_epoch, bool unclean_restart);
  ~CoordinatedNode() override;

  NodeHost& host() { return *host_; }
  void on_peer_message(const PeerMessage& msg);
  void on_client_request(ClientId client, client::Request req) { host_->on_client_request(client, std::move(req)); }
  void tick();
  bool in_quorum() const { return quorum_engine_ != nullptr; }
  bool quorum_leader() const;
  const coordinator::CoordinatorState* coordinator_state() const { return state_.get(); }
  const Engine* quorum_engine() const { return quorum_engine_.get(); }

  // NodeIo for the inner host: everything passes through except metadata requests.
  void send(PeerMessage msg) override { outer_.send(std::move(msg)); }
  void reply(ClientId c, client::Response r) override { outer_.reply(c, std::move(r)); }
  void request_sync() override { outer_.request_sync(); }
  void on_event(PartitionId p, const Event& e) override { outer_.on_event(p, e); }
  void on_metadata_request(const MetadataRequest& req) override;

 private:
  enum Kind : uint16_t { kRegister = 1, kHeartbeat = 2, kRequest = 3, kPush = 4, kUnclean = 5 };

  void to_quorum(uint16_t kind, std::string blob = {}, uint64_t context = 0);
  void on_controller_rpc(const PeerMessage& msg);
  void propose(const coordinator::Command& cmd);
  void drain_quorum();
  void apply_committed(Offset commit);
  void push(const PartitionMetadata& m);
  void became_leader();
  void create_missing_partitions();

  NodeHostConfig cfg_;
  CoordinationConfig coord_;
  NodeIo& outer_;
  std::unique_ptr<NodeHost> host_;
  int64_t broker_epoch_;
  bool unclean_restart_;
  uint64_t ticks_ = 0;

  // Quorum replica (null elsewhere).
  LogStore* metadata_store_ = nullptr;
  std::unique_ptr<Engine> quorum_engine_;
  std::unique_ptr<coordinator::CoordinatorState> state_;
  std::unique_ptr<coordinator::Controller> controller_;
  Offset applied_{0};
  bool was_leader_ = false;
  uint64_t next_proposal_ = 1;
};

}  // namespace rb
