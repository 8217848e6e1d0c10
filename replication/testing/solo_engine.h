#pragma once
// SoloEngine: the trivial engine for one replica (no replication). The replica leads, appends what
// it is given and commits what is durable. Used to test the node host, the simulator and the
// harness without any protocol in the way; it is not a mode users can pick.
#include <memory>

#include "replication/engine_factory.h"
#include "replication/storage/log_view.h"

namespace rb::testing {

class SoloEngine final : public Engine {
 public:
  explicit SoloEngine(const EngineContext& ctx);
  void propose(ProposeRequest req) override;
  void receive(const PeerMessage&) override {}
  void tick() override {}
  void persisted(Offset end) override;
  Status admin(const AdminCommand& cmd) override;
  bool has_ready() const override { return !ready_.empty() || log_.has_writes(); }
  Ready take_ready() override;
  EngineStatus status() const override;

 private:
  EngineContext ctx_;
  LogView log_;
  Ready ready_;
  Offset durable_{0};
  Offset commit_{0};
  std::vector<std::pair<Offset, Completion>> waiting_;  // completions due once durable
};

class SoloFactory final : public EngineFactory {
 public:
  std::string_view mode() const override { return "solo"; }
  Status set(std::string_view key, std::string_view) override {
    return make_error(errc::invalid_config, "solo engine has no knob '" + std::string(key) + "'");
  }
  std::vector<std::pair<std::string, std::string>> settings() const override { return {}; }
  Status validate(const ReplicationConfig&) const override { return {}; }
  std::unique_ptr<Engine> create(const EngineContext& ctx) const override { return std::make_unique<SoloEngine>(ctx); }
  std::unique_ptr<EngineFactory> clone() const override { return std::make_unique<SoloFactory>(); }
};

}  // namespace rb::testing
