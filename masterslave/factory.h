#pragma once
// The harness's entry point to the master/slave engine (`--mode masterslave`).
//
// Engine knobs (set(key, value)): replication=sync|async, sync_acks=one|all,
// failover=manual|watchdog, heartbeat_ticks, watchdog_timeout_ticks, sync_timeout_ticks,
// housekeeping_ticks, slave_fallbehind_max. See config.h for defaults and README.md for what
// each setting guarantees.
#include <memory>

#include "masterslave/config.h"
#include "replication/engine_factory.h"

namespace rb::masterslave {

class MasterSlaveFactory final : public EngineFactory {
 public:
  MasterSlaveFactory() = default;
  explicit MasterSlaveFactory(MasterSlaveConfig cfg) : cfg_(cfg) {}

  std::string_view mode() const override { return "masterslave"; }
  Status set(std::string_view key, std::string_view value) override;
  std::vector<std::pair<std::string, std::string>> settings() const override;
  Status validate(const ReplicationConfig& common) const override;
  std::vector<std::string> not_applicable(const ReplicationConfig& common) const override;
  std::unique_ptr<Engine> create(const EngineContext& ctx) const override;
  std::unique_ptr<EngineFactory> clone() const override { return std::make_unique<MasterSlaveFactory>(cfg_); }

  const MasterSlaveConfig& config() const { return cfg_; }

 private:
  MasterSlaveConfig cfg_;
};

// The registry's entry point (defaults from config.h; knobs via set()).
std::unique_ptr<EngineFactory> make_factory();
// For tests: a factory with the given knobs.
std::unique_ptr<EngineFactory> make_factory(MasterSlaveConfig cfg);

}  // namespace rb::masterslave
