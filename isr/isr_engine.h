#pragma once
// IsrEngine: one partition replica under Kafka-style ISR replication (see README.md).
//
// Who leads, at which leader epoch, and which replicas are in sync is decided by the coordinator
// (replication/coordinator): the engine learns it only from AdminCommand::metadata_update and asks
// for changes with Ready::metadata_requests (alter_isr, one in flight; elect_leader for
// preferred-leader election). Data moves by follower pull: a follower fetches from its log end,
// the leader answers with records, its high watermark and, when the follower's log diverged, the
// epoch to truncate to. The leader advances the high watermark (Ready::commit) to the minimum
// acknowledged end over the in-sync replicas, and never while the ISR is below min.insync.
#include <deque>
#include <map>
#include <optional>
#include <vector>

#include "isr/isr_config.h"
#include "isr/messages.h"
#include "isr/replica_rules.h"
#include "replication/engine.h"
#include "replication/storage/log_view.h"

namespace rb::isr {

class IsrEngine final : public Engine {
 public:
  IsrEngine(const EngineContext& ctx, IsrConfig config);

  void propose(ProposeRequest req) override;
  void receive(const PeerMessage& msg) override;
  void tick() override;
  void persisted(Offset end) override;
  Status admin(const AdminCommand& cmd) override;
  bool has_ready() const override;
  Ready take_ready() override;
  EngineStatus status() const override;

 private:
  struct Pending {  // a produce request waiting for acks
    RequestId id;
    Offset base;
    Offset end;  // exclusive
  };
  struct ParkedFetch {  // a fetch that found no records (Kafka fetch purgatory)
    Offset offset;
    uint64_t context = 0;
    int64_t deadline = 0;
  };
  struct InflightAlter {  // the AlterPartition sent and not yet answered by a metadata update
    std::vector<NodeId> isr;
    Epoch based_on;
    int64_t sent_at = 0;
  };

  // ---- metadata (isr_engine.cc)
  void on_metadata(const PartitionMetadata& m);
  void become_leader(const PartitionMetadata& m, const std::optional<PartitionMetadata>& prev);
  void become_follower(NodeId leader);
  void lose_leadership(NodeId new_leader, const char* why);
  void save_hard_state();
  void emit(Event e);

  // ---- leader (leader.cc)
  void handle_fetch(const PeerMessage& m);
  void reply_fetch(NodeId to, Offset offset, uint64_t context);
  void reply_error(const PeerMessage& m, FetchError err, Offset hint = Offset{-1}, Epoch hint_epoch = Epoch{0});
  void answer_parked(bool expired_only);
  void maybe_advance_hw();
  void complete_waiting();
  void fail_pending(errc code, NodeId hint, const std::string& detail, bool only_acks_all);
  void maybe_shrink_isr();
  void maybe_expand_isr(NodeId follower);
  void propose_isr(std::vector<NodeId> isr);
  std::vector<NodeId> maximal_isr() const;
  size_t min_isr() const;
  void leader_tick();

  // ---- follower (follower.cc)
  void maybe_send_fetch();
  void handle_fetch_response(const PeerMessage& m);
  void truncate_to(Offset to, const std::string& why);
  void follower_tick();

  void set_hw(Offset hw);
  bool in(const std::vector<NodeId>& v, NodeId n) const;

  // ---- identity and config
  NodeId self_;
  PartitionId partition_;
  std::vector<NodeId> replicas_;
  ReplicationConfig common_;
  IsrConfig config_;
  LogView log_;
  Ready ready_;
  int64_t now_ = 0;
  bool stopped_ = false;

  // ---- what the coordinator said (the latest record seen)
  std::optional<PartitionMetadata> meta_;
  Role role_ = Role::follower;
  NodeId leader_ = kNoNode;
  Epoch leader_epoch_;
  std::vector<NodeId> isr_;

  // ---- watermarks
  Offset hw_{0};         // high watermark as this replica knows it (<= log end)
  Offset published_{0};  // the commit last handed to the runtime (never moves back)
  Offset durable_end_{0};

  // ---- leader state
  std::map<NodeId, ReplicaState> followers_;
  std::map<NodeId, ParkedFetch> parked_;
  // Produce requests waiting for acks, per ack level, each in offset order: the watermark a queue
  // waits on (durable_end_ for acks=1, hw_ for acks=all) only rises while leading, so the requests
  // it completes are always a prefix.
  std::deque<Pending> pending_leader_;
  std::deque<Pending> pending_all_;
  std::optional<InflightAlter> inflight_;
  Offset epoch_start_offset_{0};  // the leader's log end when it took this epoch
  int64_t last_isr_check_ = 0;

  // ---- follower state
  uint64_t fetch_id_ = 0;
  bool fetch_outstanding_ = false;
  int64_t fetch_sent_at_ = 0;
  int64_t backoff_until_ = 0;

  std::map<std::string, int64_t> counters_;
};

}  // namespace rb::isr
