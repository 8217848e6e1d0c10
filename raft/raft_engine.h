#pragma once
// RaftEngine: one partition replica running Raft as a sans-IO rb::Engine (README.md describes
// the algorithm, its sources and invariants). The implementation is split by concern:
//   raft_engine.cc   construction/restore, inputs, Ready assembly, status, role changes
//   election.cc      timeouts, pre-vote, votes, check-quorum, term rules
//   replication.cc   proposals, append/heartbeat on both sides, flow control, commit
//   membership_ops.cc config entries, learners, leader transfer, reset_members
//   snapshot.cc      compaction, sending and installing snapshots
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "raft/membership.h"
#include "raft/messages.h"
#include "raft/progress.h"
#include "raft/quorum.h"
#include "raft/raft_config.h"
#include "replication/core/prng.h"
#include "replication/engine.h"
#include "replication/storage/log_view.h"

namespace rb::raft {

struct RaftCounters {
  int64_t elections = 0;      // real elections started (term bumped)
  int64_t pre_elections = 0;  // pre-vote rounds started
  int64_t became_leader = 0;
  int64_t step_downs = 0;  // leader -> follower (higher term, check-quorum, removal)
  int64_t check_quorum_step_downs = 0;
  int64_t appends_sent = 0;  // append messages with entries
  int64_t entries_sent = 0;
  int64_t append_rejects = 0;  // rejections received (leader) / sent (follower)
  int64_t heartbeats_sent = 0;
  int64_t proposals = 0;
  int64_t proposals_rejected = 0;
  int64_t snapshots_sent = 0;
  int64_t snapshots_installed = 0;
  int64_t compactions = 0;
  int64_t config_changes = 0;  // config entries appended by this node as leader
  int64_t learners_promoted = 0;
  int64_t transfers = 0;  // TimeoutNow sent
  int64_t truncations = 0;
};

class RaftEngine final : public Engine {
 public:
  RaftEngine(const EngineContext& ctx, const RaftConfig& cfg);

  void propose(ProposeRequest req) override;
  void receive(const PeerMessage& msg) override;
  void tick() override;
  void persisted(Offset end) override;
  Status admin(const AdminCommand& cmd) override;
  bool has_ready() const override;
  Ready take_ready() override;
  EngineStatus status() const override;

  // Test hook: the current election timeout becomes exactly `ticks` (until the next reset when
  // RaftConfig::fixed_election_timeout is 0).
  void set_election_timeout(uint32_t ticks) { timeout_ticks_ = ticks; }
  uint32_t election_timeout() const { return timeout_ticks_; }
  Epoch term() const { return term_; }
  NodeId vote() const { return vote_; }
  const Config& config() const { return configs_.current(); }
  const RaftCounters& counters() const { return counters_; }
  const Progress* progress(NodeId n) const;

 private:
  enum class State : uint8_t { follower, pre_candidate, candidate, leader, stopped };
  struct Pending {  // a proposal waiting for its ack level
    RequestId id;
    Offset first;
    Offset last;
    AckLevel ack;
  };

  // --- raft_engine.cc
  void restore(const EngineContext& ctx);
  void become_follower(Epoch term, NodeId leader);
  void become_pre_candidate();
  void become_candidate();
  void become_leader();
  void set_leader(NodeId leader);
  void set_role(State s);
  void reset_timers();
  void fail_pending(errc code, const std::string& detail);
  PeerMessage make_msg(MsgKind kind, NodeId to) const;
  void send(PeerMessage m) { ready_.messages.push_back(std::move(m)); }
  void event(Event e) { ready_.events.push_back(std::move(e)); }
  void complete(const Pending& p, errc code, std::string detail = {});
  HardState hard_state() const;
  Offset last_index() const { return log_.log_end().prev(); }
  std::optional<Epoch> term_at(Offset o) const;  // nullopt: compacted or past the end
  Role role_now() const;
  void update_role();

  // --- election.cc
  void tick_election();
  void tick_leader();
  void campaign(bool pre, bool transfer);
  bool step_term(const PeerMessage& m);  // term rules; false: message consumed
  void handle_vote_request(const PeerMessage& m);
  void handle_vote_response(const PeerMessage& m);
  bool log_up_to_date(Offset last, Epoch last_term) const;
  bool promotable() const;
  bool in_lease() const;
  void check_quorum_step_down();

  // --- replication.cc
  void propose_as_leader(ProposeRequest& req);
  bool flush_due() const;
  void flush();
  bool send_append(NodeId to, Progress& pr, bool send_if_empty);
  void send_heartbeat(NodeId to, Progress& pr, bool commit_only);
  void broadcast_heartbeat();
  void handle_append(const PeerMessage& m);
  void handle_append_response(const PeerMessage& m);
  void handle_heartbeat(const PeerMessage& m);
  void handle_heartbeat_response(const PeerMessage& m);
  void follower_ack(NodeId to, Offset index);
  void flush_follower_ack();
  bool maybe_commit();
  void on_commit_advanced(Offset old_commit);
  void set_commit(Offset c);
  Offset self_match() const;

  // --- membership_ops.cc
  Status change_membership(const AdminCommand& cmd);
  Status propose_config(Config next, const std::string& why);
  void apply_config_entry(const Entry& e);
  void on_config_changed();
  void sync_progress();  // leader: one Progress per other node of the current configuration
  void truncate_log(Offset end);
  void maybe_promote_learners();
  Status transfer_leader(NodeId to);
  void maybe_send_timeout_now(NodeId to, const Progress& pr);
  Status reset_members(const std::vector<NodeId>& members);
  bool config_change_pending() const;

  // --- snapshot.cc
  Status compact(Offset upto);
  void send_snapshot(NodeId to, Progress& pr);
  void handle_snapshot(const PeerMessage& m);

  // Identity and knobs.
  NodeId self_;
  PartitionId partition_;
  RaftConfig cfg_;
  ReplicationConfig common_;
  const SnapshotSource* snapshots_;
  Prng rng_;

  LogView log_;
  ConfigHistory configs_;

  // Raft state.
  State state_ = State::follower;
  Role reported_role_ = Role::follower;
  Epoch term_{0};
  NodeId vote_ = kNoNode;
  NodeId leader_ = kNoNode;
  Offset commit_{0};          // exclusive end of the committed prefix
  Offset emitted_commit_{0};  // last commit handed out in a Ready
  Offset durable_end_{0};     // persisted() watermark, clamped by truncation

  // Timers (ticks).
  uint32_t election_elapsed_ = 0;
  uint32_t heartbeat_elapsed_ = 0;
  uint32_t timeout_ticks_ = 0;  // the current randomized election timeout
  uint32_t linger_elapsed_ = 0;

  // Candidate.
  std::vector<Ballot> ballots_;

  // Leader.
  std::map<NodeId, Progress> prs_;      // every other node in the configuration
  Offset noop_offset_{-1};              // this term's first entry; config changes wait for its commit
  std::deque<Pending> pending_;         // ack=quorum/all, in offset order
  std::deque<Pending> pending_leader_;  // ack=leader, in offset order
  size_t unsent_entries_ = 0;           // appended but not yet broadcast (linger batching)
  uint64_t unsent_bytes_ = 0;
  bool commit_dirty_ = false;  // followers have not been told the latest commit
  bool bcast_now_ = false;     // send appends at the next Ready regardless of linger
  NodeId transferee_ = kNoNode;
  uint32_t transfer_elapsed_ = 0;

  // Follower: the highest offset to acknowledge to `ack_to_` once durable.
  NodeId ack_to_ = kNoNode;
  Offset ack_index_{-1};
  Offset ack_sent_{-1};  // highest offset acknowledged in this term

  // Output being assembled.
  Ready ready_;
  bool hs_dirty_ = false;
  std::optional<Snapshot> snapshot_out_;
  HardState last_hs_;

  RaftCounters counters_;
};

}  // namespace rb::raft
