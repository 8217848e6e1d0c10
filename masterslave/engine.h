#pragma once
// MasterSlaveEngine: RocketMQ-style master/slave replication of one partition as a sans-IO engine.
//
// One replica is the master (epoch-stamped); the others are slaves. A slave first agrees with its
// master on a common log prefix (epoch handshake, KIP-279 / RocketMQ 5 style), then reports its
// persisted end; the master pushes records from the slave's reported log end, one stream per
// slave, woken on every append. Sync replication acks a write once the master persisted it and
// the required slave(s) confirmed it; async replication acks after the master's own write.
// Failover is manual (AdminCommand::promote) or a Keepalived-style watchdog without fencing.
// See README.md for the algorithm, message kinds, invariants and guarantees.
//
// The code is split by role: engine.cc (inputs, epochs, role changes, Ready, status, admin),
// master.cc (proposals, push streams, waiters, commit) and slave.cc (handshake, pushes, reports,
// watchdog).
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "masterslave/config.h"
#include "masterslave/messages.h"
#include "replication/engine.h"
#include "replication/storage/log_view.h"

namespace rb::masterslave {

class MasterSlaveEngine final : public Engine {
 public:
  MasterSlaveEngine(const EngineContext& ctx, MasterSlaveConfig cfg);

  void propose(ProposeRequest req) override;
  void receive(const PeerMessage& msg) override;
  void tick() override;
  void persisted(Offset end) override;
  Status admin(const AdminCommand& cmd) override;

  bool has_ready() const override;
  Ready take_ready() override;
  EngineStatus status() const override;

 private:
  // The master's view of one slave's stream.
  struct SlaveProgress {
    NodeId node;
    Offset match{0};         // slave's confirmed (persisted) end in this epoch; exclusive
    Offset next{0};          // next offset to push (optimistic, pipelined)
    bool connected = false;  // heard from within housekeeping_ticks
    bool streaming = false;  // handshake done and `next` set from the slave's report
    uint64_t last_heard_tick = 0;
  };
  // A write waiting for durability (own, and the slaves' when replica_level).
  struct Waiter {
    RequestId id;
    Offset base;
    Offset end;  // exclusive
    uint64_t deadline_tick;
  };

  // --- engine.cc: epochs, roles, plumbing.
  bool is_master() const { return role_ == Role::leader; }
  Epoch next_own_epoch() const;
  void become_master();
  void become_slave(Epoch epoch, NodeId master, const std::string& why);
  void raise_master_epoch(Epoch seen);
  void save_hard_state();
  void send(PeerMessage m);
  void emit(Event e);
  void complete(Completion c);
  void raise_commit(Offset c);
  void reply_stale(const PeerMessage& m);

  // --- master.cc
  void master_propose(ProposeRequest req);
  void on_report(const PeerMessage& m);
  void on_epoch_query(const PeerMessage& m);
  void master_tick();
  void push_all();
  void push_to(SlaveProgress& p);
  void send_heartbeats();
  void master_progress();  // re-evaluates waiters and the commit watermark
  void fail_waiters(errc code, const std::string& detail, NodeId hint);
  bool slave_available(const SlaveProgress& p) const;
  bool required_slaves_available() const;
  Offset confirmed_end() const;  // what the required slaves confirmed (sync mode)
  SlaveProgress* progress(NodeId n);

  // --- slave.cc
  void on_push(const PeerMessage& m);
  void on_heartbeat(const PeerMessage& m);
  void on_epoch_reply(const PeerMessage& m);
  void slave_tick();
  void send_query();
  void send_report(bool gap);
  void truncate_to(Offset end);
  void slave_commit();
  uint64_t watchdog_limit_ticks() const;

  // Configuration.
  const NodeId self_;
  const std::vector<NodeId> replicas_;
  const size_t position_;  // index of self in replicas_: the epoch ballot and watchdog priority
  const ReplicationConfig common_;
  const MasterSlaveConfig cfg_;

  // Log and durability.
  LogView log_;
  Offset durable_end_;  // persisted() has confirmed every offset below this

  // Role and epoch. epoch_ is the highest epoch this replica has seen (its master's epoch).
  Role role_ = Role::follower;
  Epoch epoch_;
  NodeId master_ = kNoNode;
  bool stopped_ = false;
  // Restarted after being master and has not followed anyone since: nobody leads epoch_ (unless
  // an operator promoted another replica at epoch_, which ballot epochs rule out).
  bool abdicated_ = false;
  uint64_t now_ticks_ = 0;

  // Commit watermark (what consumers may read) and what has been handed to the runtime.
  Offset commit_;
  Offset published_commit_;
  Offset acked_end_{0};  // end of the records this replica acknowledged as master

  // Master state.
  std::vector<SlaveProgress> slaves_;
  std::deque<Waiter> own_waiters_;      // acks=leader: the master's persisted write
  std::deque<Waiter> replica_waiters_;  // sync acks=quorum|all: persisted + slave confirmation(s)
  std::optional<uint64_t> linger_deadline_tick_;

  // Slave state.
  bool synced_ = false;                    // epoch handshake with master_ done for epoch_
  Offset master_commit_{0};                // last commit watermark the master sent
  Offset last_reported_{-1};               // durable end carried by the last report
  std::optional<Offset> gap_reported_at_;  // log end when a gap was last reported
  uint64_t ticks_since_master_ = 0;

  // Output being assembled for the next Ready.
  bool hard_state_dirty_ = false;
  std::vector<PeerMessage> out_messages_;
  std::vector<Completion> out_completions_;
  std::vector<Event> out_events_;
  std::map<std::string, int64_t> counters_;
};

}  // namespace rb::masterslave
