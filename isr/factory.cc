#include "isr/factory.h"

#include "isr/isr_engine.h"
#include "replication/core/assert.h"

namespace rb::isr {

std::unique_ptr<rb::EngineFactory> make_factory() { return std::make_unique<IsrFactory>(); }

Status IsrFactory::set(std::string_view key, std::string_view value) {
  IsrConfig next = config_;
  if (auto s = next.set(key, value); !s.ok()) return s;
  config_ = next;
  return {};
}

Status IsrFactory::validate(const ReplicationConfig& common) const {
  if (auto s = common.validate(); !s.ok()) return s;
  return config_.validate();
}

std::vector<std::string> IsrFactory::not_applicable(const ReplicationConfig& common) const {
  std::vector<std::string> out;
  if (common.acks == AckLevel::quorum)
    out.push_back("acks=quorum: ISR has no majority quorum; treated as acks=all (every ISR member)");
  if (common.batching.linger_ticks > 0)
    out.push_back(
        "batching.linger_ticks: followers pull; the leader answers fetches at once (Kafka's linger is "
        "the producer's)");
  if (common.idempotence)
    out.push_back("idempotence: handled by the broker core (producer id/sequence), not by the ISR engine");
  return out;
}

std::unique_ptr<Engine> IsrFactory::create(const EngineContext& ctx) const {
  RB_ASSERT(config_.validate().ok());
  return std::make_unique<IsrEngine>(ctx, config_);
}

Result<coordinator::CoordinatorConfig> coordinator_config_from(const EngineFactory& factory,
                                                               const ReplicationConfig& common) {
  const auto* f = dynamic_cast<const IsrFactory*>(&factory);
  if (f == nullptr)
    return make_error(errc::invalid_config,
                      "coordinator_config_from: not an isr factory (mode " + std::string(factory.mode()) + ")");
  coordinator::CoordinatorConfig c;
  c.unclean_leader_election = f->config().unclean_leader_election;
  c.eligible_leader_replicas = f->config().eligible_leader_replicas;
  c.min_insync = common.min_insync;
  return c;
}

}  // namespace rb::isr
