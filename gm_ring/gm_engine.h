#pragma once
// GmEngine: one partition replica of a RabbitMQ-style GM ring (classic mirrored queue).
//
// The members of the current view form a ring in view order; view.members[0] is normally the
// master (the eldest member). The master assigns offsets, stamps epoch = view number and sends
// the records downstream; each member appends them and forwards them downstream once its own
// persisted() covers them (one message per hop, as gm.erl). Every ring message also carries the
// "durable path end" (hint): the minimum durable log end over the members it has passed. When the
// master's upstream reports a hint h, every member of the view holds [.., h) durably, so the
// master's commit (publisher confirm) = min(own durable end, h). The commit then travels the ring
// as the ack round, piggybacked on later traffic. Views come from the coordinator
// (AdminCommand::metadata_update); after a view change every member sends its pending records
// (commit..log end) to its downstream (gm.erl catchup), which is how a dead member's in-flight
// pubs and acks are inherited by its live downstream neighbour. See README.md.
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "gm_ring/gm_config.h"
#include "gm_ring/gm_messages.h"
#include "replication/engine.h"
#include "replication/storage/log_view.h"

namespace rb::gm {

class GmEngine final : public Engine {
 public:
  GmEngine(const EngineContext& ctx, const GmConfig& cfg);

  void propose(ProposeRequest req) override;
  void receive(const PeerMessage& msg) override;
  void tick() override;
  void persisted(Offset end) override;
  Status admin(const AdminCommand& cmd) override;
  bool has_ready() const override;
  Ready take_ready() override;
  EngineStatus status() const override;

 private:
  struct View {
    Epoch epoch;
    std::vector<NodeId> members;  // ring order
    NodeId master = kNoNode;
  };
  struct UpstreamReport {  // the latest facts from the current upstream, in the current view
    Offset hint;
    RingFacts facts;
  };
  struct SentInfo {  // what the downstream last heard from us, to send only changes
    Epoch epoch;
    NodeId to;
    Offset commit;
    Offset hint;
    std::vector<int64_t> values;
    bool operator==(const SentInfo&) const = default;
  };
  struct PendingRequest {
    RequestId id;
    Offset base;
    Offset end;
    AckLevel ack;
    Epoch epoch;
  };

  // --- views, membership, failure detection (gm_view.cc)
  void bootstrap();
  void install_view(View v, bool local);
  void promote(bool was_synced);
  void become_joiner(const char* why);
  void send_join_request();
  void check_liveness();
  void update_pause();
  void request(MetadataRequest::Kind kind, NodeId node);
  bool in_view(NodeId n) const;
  NodeId upstream() const;
  NodeId downstream() const;
  bool is_master() const;
  bool serving_member() const { return !joining_ && !stopped_ && in_view(ctx_.self); }
  void persist_view();

  // --- ring traffic (gm_ring.cc)
  void on_ring_message(const PeerMessage& m);
  void on_catchup_request(const PeerMessage& m);
  void apply_entries(const PeerMessage& m);
  void send_catchup(NodeId to, Offset from, bool join);
  void maybe_flush(bool timer);
  void flush();
  bool has_pending_output() const;
  Offset release_end() const;
  Offset outgoing_hint() const;
  RingFacts outgoing_facts() const;
  SentInfo current_info() const;
  bool self_synced() const;
  void recompute_master_commit();
  void set_commit(Offset c);
  void complete_pending();
  void fail_pending(errc code, const std::string& detail);
  void update_block();
  void replay_future();

  PeerMessage make_msg(NodeId to, MsgKind kind) const;
  Role role() const;
  void note_role();
  void emit(Event e) { ready_.events.push_back(std::move(e)); }
  void count(const std::string& name, int64_t d = 1) { counters_[name] += d; }

  const EngineContext ctx_;
  const GmConfig cfg_;
  LogView log_;

  View view_;
  std::vector<NodeId> prev_members_;
  bool joining_ = false;  // not (yet) a ring member with state: waiting for a view and a join catchup
  bool syncing_ = false;  // join catchup chunks still arriving
  bool stopped_ = false;
  bool paused_ = false;           // pause_minority: cannot hear a majority of the replicas
  bool blocked_ = false;          // automatic sync in progress (master only)
  bool unsynced_master_ = false;  // when-synced: promoted while unsynced, refuses writes
  uint64_t blocked_since_ = 0;

  Offset commit_{0};
  Offset emitted_commit_{0};
  Offset ack_seen_{0};  // highest commit heard in the ack round (members)
  Offset durable_end_{0};
  Offset fwd_from_{0};  // next record to forward downstream
  Offset master_log_start_{0};
  std::optional<UpstreamReport> upstream_;
  std::optional<SentInfo> last_sent_;
  std::optional<uint64_t> dirty_since_;
  std::optional<Offset> resend_asked_;

  uint64_t ticks_ = 0;
  uint64_t last_heartbeat_ = 0;
  std::optional<uint64_t> last_up_request_;
  uint64_t last_join_request_ = 0;
  std::map<NodeId, uint64_t> last_heard_;
  std::map<NodeId, uint64_t> down_requested_;  // suspect -> tick of the last request (this view)
  std::optional<uint64_t> first_down_request_;

  std::deque<PendingRequest> pending_;
  std::vector<PeerMessage> future_;  // messages stamped with a view we have not installed yet
  Ready ready_;
  std::optional<Snapshot> snapshot_;
  Role last_role_ = Role::follower;
  std::map<std::string, int64_t> counters_;
};

}  // namespace rb::gm
