#pragma once
// The GM ring's EngineFactory: `--mode gm`. Knobs (set()/settings()): sync_mode,
// promote_on_failure, partition_handling, member_timeout_ticks, heartbeat_ticks,
// view_change_timeout_ticks. Batching comes from the shared ReplicationConfig.
#include <memory>

#include "replication/engine_factory.h"

namespace rb::gm {

std::unique_ptr<rb::EngineFactory> make_factory();

}  // namespace rb::gm
