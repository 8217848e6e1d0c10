#pragma once
// The ISR engine's factory (`--mode isr`). Engine knobs are IsrConfig's (isr_config.h); two of
// them, unclean_leader_election and eligible_leader_replicas, are coordinator knobs: the engine
// only reports what the coordinator decided, and the lead builds the coordinator's config with
// coordinator_config_from().
#include <memory>

#include "isr/isr_config.h"
#include "replication/coordinator/coordinator_state.h"
#include "replication/engine_factory.h"

namespace rb::isr {

// The `--mode isr` factory, as the harness registry expects it.
std::unique_ptr<rb::EngineFactory> make_factory();

class IsrFactory final : public EngineFactory {
 public:
  IsrFactory() = default;
  explicit IsrFactory(IsrConfig config) : config_(config) {}

  std::string_view mode() const override { return "isr"; }
  Status set(std::string_view key, std::string_view value) override;
  std::vector<std::pair<std::string, std::string>> settings() const override { return config_.settings(); }
  Status validate(const ReplicationConfig& common) const override;
  std::vector<std::string> not_applicable(const ReplicationConfig& common) const override;
  bool uses_coordinator() const override { return true; }
  std::unique_ptr<Engine> create(const EngineContext& ctx) const override;
  std::unique_ptr<EngineFactory> clone() const override { return std::make_unique<IsrFactory>(*this); }

  const IsrConfig& config() const { return config_; }

 private:
  IsrConfig config_;
};

// The coordinator configuration for an ISR run: the factory's unclean/ELR knobs plus
// common.min_insync. invalid_config when `factory` is not an ISR factory.
Result<coordinator::CoordinatorConfig> coordinator_config_from(const EngineFactory& factory,
                                                               const ReplicationConfig& common);

}  // namespace rb::isr
