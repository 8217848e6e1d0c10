#pragma once
// An asynchronous client for the client protocol over TCP, driven by the caller's single-
// threaded io_context (the harness's open-loop load generator runs many of these on one loop).
//
// Every operation completes exactly once through its callback, on the io_context's thread:
//   - with the server's response (ok or a definitive error such as not_enough_replicas);
//   - with errc::timeout when request_timeout_ms passes first. For produce this means the
//     outcome is UNKNOWN: the records may or may not be stored (the checker treats it so).
//
// Routing and retries: a partition's requests go to its leader from the metadata cache. A
// not_leader answer updates the cache from leader_hint and resends to the hinted node at once;
// without a hint, unavailable answers or a connection failure mark the leader unknown, refresh
// metadata and resend after retry_backoff_ms. A produce retry resends the same records with the
// same producer id and sequence numbers, so an idempotent leader can drop duplicates.
//
// Window: at most max_in_flight produce operations are outstanding; later ones wait in order in
// a local queue (their timeout runs from the produce() call, so waiting counts as latency).
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "replication/broker/client_protocol.h"
#include "replication/client/client_config.h"
#include "replication/net/frame_connection.h"

namespace rb::client {

using ProduceCallback = std::function<void(const ProduceResponse&)>;
using FetchCallback = std::function<void(const FetchResponse&)>;
using MetadataCallback = std::function<void(const MetadataResponse&)>;
using OffsetCommitCallback = std::function<void(const OffsetCommitResponse&)>;
using OffsetFetchCallback = std::function<void(const OffsetFetchResponse&)>;

struct ClientStats {
  uint64_t requests_sent = 0;  // attempts, retries included
  uint64_t redirects = 0;      // not_leader answers followed
  uint64_t retries = 0;        // attempts after a connection failure / unavailable
  uint64_t timeouts = 0;
  uint64_t connection_failures = 0;
};

class Client {
 public:
  // RB_ASSERTs cfg.validate(): validate at the edge first.
  Client(net::asio::io_context& io, ClientConfig cfg);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // With an idempotent producer id configured, records get that producer id and the next
  // sequence numbers of the partition, in call order.
  void produce(PartitionId partition, Entries records, AckLevel acks, ProduceCallback cb);
  void fetch(PartitionId partition, Offset offset, uint32_t max_bytes, FetchCallback cb);
  void commit_offset(std::string group, PartitionId partition, Offset offset, OffsetCommitCallback cb);
  void fetch_offset(std::string group, PartitionId partition, OffsetFetchCallback cb);
  void metadata(MetadataCallback cb);

  size_t produce_in_flight() const { return produce_in_flight_; }
  size_t produce_queued() const { return produce_queue_.size(); }
  const ClientStats& stats() const { return stats_; }
  // The cached leader of a partition (kNoNode if unknown).
  NodeId leader(PartitionId p) const;

 private:
  struct Op;
  struct Conn;
  using OpPtr = std::shared_ptr<Op>;

  void start_op(OpPtr op);
  void attempt(const OpPtr& op);
  void send_to(const OpPtr& op, const Endpoint& ep);
  void retry_later(const OpPtr& op);
  void complete(const OpPtr& op, Response r);
  void on_response(Conn& conn, std::string_view body);
  void on_conn_closed(const std::string& key);
  void refresh_metadata();
  void apply_metadata(const MetadataResponse& m);
  Conn& conn_for(const Endpoint& ep);
  const Endpoint* leader_endpoint(PartitionId p) const;
  const Endpoint& next_bootstrap();

  net::asio::io_context& io_;
  const ClientConfig cfg_;
  uint64_t next_request_id_ = 1;
  std::map<PartitionId, int64_t> next_sequence_;
  std::map<PartitionId, NodeId> leaders_;
  std::map<NodeId, Endpoint> nodes_;
  size_t bootstrap_cursor_ = 0;
  bool metadata_in_flight_ = false;
  std::vector<OpPtr> waiting_for_metadata_;
  std::map<std::string, std::unique_ptr<Conn>> conns_;
  size_t produce_in_flight_ = 0;
  std::deque<OpPtr> produce_queue_;
  ClientStats stats_;
  std::shared_ptr<char> alive_ = std::make_shared<char>();
};

}  // namespace rb::client
