#pragma once
// FaultSpec: one scheduled fault, parsed from a workload's / suite's JSON fault objects or from the
// `--fault` command-line string. docs/faults.md is the user-facing description of both forms.
//
// String form:  KIND[:ARG]...@START[-HEAL | +DURATION]
//   kill:leader@5s-8s          partition:halves@3s-6s       slow-link:leader:50ms@2s-5s
//   loss:0.1@2s                pause:follower@4s-6s         slow-disk:node=1:x10@3s
//   isolate:leader@5s-10s      asymmetric:leader-out@5s+3s  bridge@4s-7s
//   majorities-ring@4s-7s      add-node:3@5s                remove-node:2@5s
//   transfer-leader:node=1@5s  kill:majority:power@5s-9s    restart:node=2@9s
// JSON form:    {"kind": "kill", "target": "leader", "at": 5, "heal": 8}
//   keys: kind (required), at (seconds, required), heal (absolute seconds) or duration (seconds),
//   target, node / nodes, shape, direction, delay_ms, loss, factor, lose_unsynced, clients,
//   partition.
// Times are seconds from the nemesis's t0 (Nemesis::start; the run command passes the start of the
// measured phase, after warm-up). Every parse error is one line naming
// the bad part, returned as errc::invalid_config.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "replication/core/ids.h"
#include "replication/core/result.h"

namespace rb::nemesis {

enum class FaultKind : uint8_t {
  kill,             // heal: restart
  restart,          // restart the target now (no heal)
  pause,            // SIGSTOP; heal: resume
  partition,        // cut links by `shape`; heal: restore those links
  slow_link,        // add delay_ms one-way on every link of the target (both directions)
  loss,             // drop with probability `loss` on the target's links (default: all node links)
  slow_disk,        // disk time x factor; heal: factor 1
  add_node,         // admin add_replica on the focus partition; heal: remove it again
  remove_node,      // admin remove_replica; heal: add it back
  transfer_leader,  // admin transfer_leader to the target (no heal)
};

enum class PartitionShape : uint8_t {
  halves,           // nodes shuffled by the seed, split in two (smaller half first)
  isolate,          // the target nodes cut from every other node, both directions
  asymmetric,       // the target's links cut in one direction only (see Direction)
  bridge,           // two halves, one node of the larger half sees both (Jepsen `bridge`)
  majorities_ring,  // every node sees a majority, no two the same majority (Jepsen)
};

enum class Direction : uint8_t {
  out,  // the target's messages to others are dropped; it still hears them
  in,   // messages to the target are dropped; it can still send
};

// Who a fault hits, resolved when the fault starts (never at parse time).
enum class TargetKind : uint8_t {
  none,      // the fault has no target (halves, bridge, majorities-ring, loss on all links)
  leader,    // the leader of the focus partition at that moment
  follower,  // a replica of the focus partition that is not its leader (seeded choice)
  minority,  // (r-1)/2 replicas of the focus partition (seeded choice)
  majority,  // r/2+1 replicas of the focus partition (seeded choice)
  all,       // every node of the cluster
  random,    // one node of the cluster (seeded choice)
  nodes,     // the explicit node ids in `nodes`
  spare,     // add-node: a node that is not a replica of the focus partition (seeded choice)
  killed,    // restart: every node this nemesis killed and has not restarted
};

struct Target {
  TargetKind kind = TargetKind::none;
  std::vector<NodeId> nodes;  // kind == nodes
};

struct FaultSpec {
  FaultKind kind = FaultKind::kill;
  Target target;
  PartitionShape shape = PartitionShape::halves;  // partition only
  Direction direction = Direction::out;           // asymmetric only
  double start_s = 0;                             // >= 0, seconds from t0
  std::optional<double> heal_s;                   // absolute, > start_s; none = until the end
  double delay_ms = 0;                            // slow_link, > 0
  double loss = 0;                                // loss, in (0, 1]
  double factor = 1;                              // slow_disk, > 0
  bool lose_unsynced = false;                     // kill: power loss instead of SIGKILL
  bool clients = false;                           // link faults also hit the client links
  std::optional<PartitionId> partition;           // overrides the nemesis's focus partition
  std::string text;                               // the spec as written (for records)
};

std::string_view to_string(FaultKind k);
std::string_view to_string(PartitionShape s);
std::string_view to_string(TargetKind k);
std::string describe_target(const Target& t);

// `--fault` string form.
Result<FaultSpec> parse_fault_string(std::string_view text);
// One JSON fault object.
Result<FaultSpec> parse_fault_json(const nlohmann::json& j);
// Everything a run was given: the workload's JSON array, extra JSON objects (suites, fuzz) and the
// command line strings, in that order. Errors name the fault by its position or text.
Result<std::vector<FaultSpec>> parse_faults(const nlohmann::json& workload_faults,
                                            const std::vector<nlohmann::json>& objects,
                                            const std::vector<std::string>& strings);

// Checks the explicit node ids and partition against the cluster shape before anything runs
// (invalid_config naming the fault). Symbolic targets are always acceptable here.
Status check_faults(const std::vector<FaultSpec>& faults, uint32_t nodes, uint32_t partitions);

// The canonical JSON form (parse_fault_json(to_json(f)) gives f back, apart from `text`).
nlohmann::json to_json(const FaultSpec& f);

}  // namespace rb::nemesis
