#include "gm_ring/factory.h"

#include <charconv>

#include "gm_ring/gm_engine.h"

namespace rb::gm {
namespace {

Result<uint32_t> parse_ticks(std::string_view key, std::string_view v) {
  uint32_t out = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (ec != std::errc() || p != v.data() + v.size())
    return make_error(errc::invalid_config, std::string(key) + ": not a tick count: '" + std::string(v) + "'");
  return out;
}

class GmFactory final : public EngineFactory {
 public:
  std::string_view mode() const override { return "gm"; }

  Status set(std::string_view key, std::string_view value) override {
    auto assign = [](auto& field, auto parsed) -> Status {
      if (!parsed.ok()) return parsed.error();
      field = *parsed;
      return {};
    };
    if (key == "sync_mode") return assign(cfg_.sync_mode, parse_sync_mode(value));
    if (key == "promote_on_failure") return assign(cfg_.promote_on_failure, parse_promote_on_failure(value));
    if (key == "partition_handling") return assign(cfg_.partition_handling, parse_partition_handling(value));
    if (key == "member_timeout_ticks") return assign(cfg_.member_timeout_ticks, parse_ticks(key, value));
    if (key == "heartbeat_ticks") return assign(cfg_.heartbeat_ticks, parse_ticks(key, value));
    if (key == "view_change_timeout_ticks") return assign(cfg_.view_change_timeout_ticks, parse_ticks(key, value));
    return make_error(errc::invalid_config,
                      "gm: unknown knob '" + std::string(key) + "' (value '" + std::string(value) + "')");
  }

  std::vector<std::pair<std::string, std::string>> settings() const override {
    return {
        {"sync_mode", std::string(to_string(cfg_.sync_mode))},
        {"promote_on_failure", std::string(to_string(cfg_.promote_on_failure))},
        {"partition_handling", std::string(to_string(cfg_.partition_handling))},
        {"member_timeout_ticks", std::to_string(cfg_.member_timeout_ticks)},
        {"heartbeat_ticks", std::to_string(cfg_.heartbeat_ticks)},
        {"view_change_timeout_ticks", std::to_string(cfg_.view_change_timeout_ticks)},
    };
  }

  Status validate(const ReplicationConfig& common) const override {
    if (auto s = common.validate(); !s.ok()) return s;
    return cfg_.validate();
  }

  std::vector<std::string> not_applicable(const ReplicationConfig& common) const override {
    std::vector<std::string> out;
    if (common.acks == AckLevel::quorum)
      out.push_back("acks=quorum: GM has no quorum; a confirm waits for every ring member (same as acks=all)");
    out.push_back("min_insync: GM confirms at every member of the current view, however many there are");
    return out;
  }

  bool uses_coordinator() const override { return true; }

  std::unique_ptr<Engine> create(const EngineContext& ctx) const override {
    return std::make_unique<GmEngine>(ctx, cfg_);
  }
  std::unique_ptr<EngineFactory> clone() const override { return std::make_unique<GmFactory>(*this); }

  GmConfig cfg_;
};

}  // namespace

std::unique_ptr<rb::EngineFactory> make_factory() { return std::make_unique<GmFactory>(); }

}  // namespace rb::gm
