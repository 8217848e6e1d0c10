#pragma once
// The net runtime's transport for one node: a Listener for inbound connections, one PeerLink per
// peer, the FaultFilter between them and the engines, and per-peer byte counters.
//
// Single-threaded: every method and callback runs on the io_context's thread.
//
//   send(msg)  -> outbound fault rule (drop / delay timer) -> PeerLink queue -> batched frame
//   frame in   -> Listener decode -> inbound fault rule (drop / delay timer) -> on_peer_message
//
// Admin requests that control the fault filter (SetFault, ClearFault, ClearAllFaults) are
// answered here; StatusQuery and StopNode go to on_admin_request (the node host), or, without
// one, status is answered from the transport's own counters and stop is unsupported.
#include <list>
#include <map>
#include <memory>
#include <string>

#include "replication/net/fault_filter.h"
#include "replication/net/listener.h"
#include "replication/net/peer_link.h"
#include "replication/net/transport_config.h"

namespace rb::net {

struct TransportHandlers {
  std::function<void(PeerMessage msg)> on_peer_message;
  std::function<void(client::Request req, Reply reply)> on_client_request;
  std::function<void(wire::AdminRequest req, Reply reply)> on_admin_request;
};

class Transport {
 public:
  // RB_ASSERTs cfg.validate(): validate configuration at the edge first.
  Transport(asio::io_context& io, TransportConfig cfg, TransportHandlers handlers);
  ~Transport();
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

  Status listen(const std::string& host, uint16_t port);  // port 0: any free port
  uint16_t port() const { return listener_.port(); }

  // Registers a peer and starts connecting to it. Re-adding a peer changes its address.
  void add_peer(NodeId peer, const std::string& host, uint16_t port);
  // Queues a message for msg.to. Messages to unknown peers are dropped and counted.
  void send(PeerMessage msg);

  FaultFilter& faults() { return faults_; }
  wire::PeerStats stats(NodeId peer) const;
  // Peer stats for every registered peer; partitions and counters are left to the node host.
  wire::NodeStatus node_status() const;
  uint64_t dropped_unknown_peer() const { return dropped_unknown_peer_; }
  // Inbound messages addressed to another node (dropped).
  uint64_t dropped_misrouted() const { return dropped_misrouted_; }
  const Listener& listener() const { return listener_; }

  // Stops accepting and closes every connection; pending delayed messages are discarded.
  void stop();

 private:
  struct InboundCounters {
    uint64_t bytes = 0;
    uint64_t frames = 0;
    uint64_t messages = 0;
  };
  void on_peer_batch(NodeId from, std::vector<PeerMessage> batch, size_t frame_bytes);
  void on_admin(wire::AdminRequest req, Reply reply);
  void enqueue(PeerMessage msg);
  // Runs fn after delay_ms on the event loop (unless the transport is gone by then).
  void after(uint32_t delay_ms, std::function<void()> fn);

  asio::io_context& io_;
  const TransportConfig cfg_;
  TransportHandlers handlers_;
  FaultFilter faults_;
  Listener listener_;
  std::map<NodeId, std::unique_ptr<PeerLink>> links_;
  std::map<NodeId, InboundCounters> inbound_;
  std::list<asio::steady_timer> timers_;
  uint64_t dropped_unknown_peer_ = 0;
  uint64_t dropped_misrouted_ = 0;
  std::shared_ptr<char> alive_ = std::make_shared<char>();
};

}  // namespace rb::net
