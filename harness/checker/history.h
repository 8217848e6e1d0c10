#pragma once
// The Jepsen-style history of a run: every client operation's invocation and outcome, the fault
// schedule as it happened, leader observations, and the replicas' final committed logs.
//
// Outcome semantics (as Jepsen): `ok` = it happened; `fail` = it definitely did not happen;
// `info` = unknown (timeout, connection lost). An `invoke` with no completion counts as `info`.
// The runner maps errc::timeout (and anything else whose effect is unknown) to info, definite
// refusals (not_leader, not_enough_replicas before append, too_large, ...) to fail.
//
// Message identity is (producer id, sequence); each producer numbers its messages from 0 and a
// retry of the same message keeps its identity.
//
// Storage: JSON Lines, one object per line, in history order (time order of the runner):
//   {"type":"invoke","f":"send","time_ns":1000,"process":1,"partition":0,"producer":1,"seq":0}
//   {"type":"ok","f":"send","time_ns":2000,"process":1,"partition":0,"producer":1,"seq":0,
//    "offset":0,"node":2,"epoch":1}
//   {"type":"fail","f":"send",...,"error":"not_leader"}
//   {"type":"ok","f":"poll","time_ns":3000,"process":9,"partition":0,"node":2,
//    "delivered":[[0,1,0],[1,1,1]]}                                  // [offset, producer, seq]
//   {"type":"info","f":"fault","time_ns":4000,"fault":"kill n2","phase":"start"}
//   {"type":"info","f":"leader","time_ns":5000,"partition":0,"node":1,"epoch":2}
//   {"replica_log":{"node":0,"partition":0,"start":0,"commit_end":2,
//                   "records":[[0,1,1,0],[1,1,1,1]]}}               // [offset, epoch, producer, seq]
//   {"guarantees":{"loss_permitted":false,"loss_why":"","duplicates_permitted":false,...}}
// Optional fields are omitted when unknown (offset -1, node none, epoch 0, empty error).
#include <cstdint>
#include <iosfwd>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "replication/core/ids.h"
#include "replication/core/result.h"

namespace rb::checker {

enum class OpType : uint8_t { invoke, ok, fail, info };
enum class OpFn : uint8_t { send, poll, fault, leader };
enum class FaultPhase : uint8_t { start, stop };

std::string_view to_string(OpType t);
std::string_view to_string(OpFn f);

struct MessageId {
  ProducerId producer;
  uint64_t sequence = 0;
  auto operator<=>(const MessageId&) const = default;
  std::string describe() const;  // "p<producer>:s<sequence>"
};

struct DeliveredRecord {
  Offset offset;
  MessageId id;
};

struct HistoryOp {
  OpType type = OpType::invoke;
  OpFn f = OpFn::send;
  int64_t time_ns = 0;   // one clock for the whole run (virtual ns in sim, steady_clock ns in net)
  uint64_t process = 0;  // client id (producer or consumer instance)
  PartitionId partition;
  MessageId id;                            // send: the message
  Offset offset{-1};                       // send ok: where it was stored; -1 = not reported
  NodeId node = kNoNode;                   // send/poll: node that answered; leader: the leader
  Epoch epoch;                             // send ok: epoch of the leader that accepted it; leader: its epoch
  std::string error;                       // fail/info: error name (errc) or reason
  std::vector<DeliveredRecord> delivered;  // poll ok: records returned, in order
  std::string fault;                       // fault: its name, e.g. "kill n2"
  FaultPhase phase = FaultPhase::start;    // fault: start or stop (stop pairs with the latest open start of that name)
};

// One replica's final log of one partition. Only records with start <= offset < commit_end are
// considered (the committed prefix); offsets in that range that are not listed hold non-data
// records (no-ops, configuration, markers). Records are listed in increasing offset order.
struct ReplicaLog {
  struct Record {
    Offset offset;
    Epoch epoch;
    MessageId id;
  };
  NodeId node;
  PartitionId partition;
  Offset start{0};       // first offset still held (after truncation of the prefix / snapshot)
  Offset commit_end{0};  // exclusive end of the committed prefix
  std::vector<Record> records;
};

// What the configuration promises; decided by the caller from the config (acks=1, async slave,
// unclean election, GM "ignore" partition handling permit loss; idempotence off permits
// duplicates). Loss or duplicates that are permitted are reported but do not make a run invalid.
struct Guarantees {
  bool loss_permitted = false;
  std::string loss_why;  // e.g. "acks=leader"
  bool duplicates_permitted = false;
  std::string duplicates_why;  // e.g. "idempotence off"
};

// A history file loaded back.
struct SavedHistory {
  std::vector<HistoryOp> ops;
  std::vector<ReplicaLog> logs;
  std::optional<Guarantees> guarantees;
};

nlohmann::json to_json(const HistoryOp& op);
Result<HistoryOp> op_from_json(const nlohmann::json& j);  // bad_input naming the field
nlohmann::json to_json(const ReplicaLog& log);
Result<ReplicaLog> replica_log_from_json(const nlohmann::json& j);
nlohmann::json to_json(const Guarantees& g);
Result<Guarantees> guarantees_from_json(const nlohmann::json& j);

// Appends one line (with '\n') for the op; used by the runner to stream the history.
void write_op_line(std::ostream& out, const HistoryOp& op);
void write_history_jsonl(std::ostream& out, const std::vector<HistoryOp>& ops, const std::vector<ReplicaLog>& logs,
                         const std::optional<Guarantees>& guarantees);
// bad_input "line N: ..." on the first malformed line. Empty lines are skipped.
Result<SavedHistory> read_history_jsonl(std::istream& in);
Status save_history_file(const std::string& path, const std::vector<HistoryOp>& ops,
                         const std::vector<ReplicaLog>& logs, const std::optional<Guarantees>& guarantees);
Result<SavedHistory> load_history_file(const std::string& path);  // not_found if unreadable

}  // namespace rb::checker
