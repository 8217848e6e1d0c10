#pragma once
// The Raft engine's factory (`--mode raft`). Knobs set with --set key=value:
//   election_ticks, heartbeat_ticks, pre_vote, check_quorum, max_inflight_msgs,
//   max_inflight_bytes, learner_promote_lag, auto_promote_learners, fixed_election_timeout
// (RaftConfig documents each). Batching comes from the shared knobs (common.batching).
#include <memory>

#include "replication/engine_factory.h"

namespace rb::raft {
std::unique_ptr<rb::EngineFactory> make_factory();
}  // namespace rb::raft
