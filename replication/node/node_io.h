#pragma once
// What a NodeHost needs from its runtime. The simulator implements it with virtual time, a
// modelled network and disk; the net runtime with TCP connections and a disk thread.
#include <cstdint>

#include "replication/broker/client_protocol.h"
#include "replication/engine.h"

namespace rb {

using ClientId = uint64_t;

class NodeIo {
 public:
  virtual ~NodeIo() = default;
  // A message for a peer node. The runtime may batch messages per peer.
  virtual void send(PeerMessage msg) = 0;
  // The answer to a client's request.
  virtual void reply(ClientId client, client::Response resp) = 0;
  // Some store has records that are not yet durable under fsync=always: the runtime runs a group
  // commit (one sync covering every dirty store) and then calls NodeHost::on_durable per store.
  virtual void request_sync() = 0;
  // An engine event (role, leader, epoch, ... changes) for metrics and the history.
  virtual void on_event(PartitionId p, const Event& e) {}
  // A request for the coordinator (ISR changes, view changes).
  virtual void on_metadata_request(const MetadataRequest& req) {}
};

}  // namespace rb
