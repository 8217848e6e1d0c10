#include "masterslave/factory.h"

#include <charconv>

#include "masterslave/engine.h"

namespace rb::masterslave {
namespace {

template <class T>
Status parse_uint(std::string_view key, std::string_view value, T& out) {
  T v{};
  auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
  if (ec != std::errc() || p != value.data() + value.size() || v == 0)
    return make_error(errc::invalid_config,
                      std::string(key) + " must be a positive integer; got '" + std::string(value) + "'");
  out = v;
  return {};
}

template <class T>
Status assign(Result<T> r, T& out) {
  if (!r.ok()) return r.error();
  out = *r;
  return {};
}

}  // namespace

Status MasterSlaveFactory::set(std::string_view key, std::string_view value) {
  if (key == "replication") return assign(parse_replication(value), cfg_.replication);
  if (key == "sync_acks") return assign(parse_sync_acks(value), cfg_.sync_acks);
  if (key == "failover") return assign(parse_failover(value), cfg_.failover);
  if (key == "heartbeat_ticks") return parse_uint(key, value, cfg_.heartbeat_ticks);
  if (key == "watchdog_timeout_ticks") return parse_uint(key, value, cfg_.watchdog_timeout_ticks);
  if (key == "sync_timeout_ticks") return parse_uint(key, value, cfg_.sync_timeout_ticks);
  if (key == "housekeeping_ticks") return parse_uint(key, value, cfg_.housekeeping_ticks);
  if (key == "slave_fallbehind_max") return parse_uint(key, value, cfg_.slave_fallbehind_max);
  return make_error(errc::invalid_config,
                    "masterslave has no knob '" + std::string(key) + "' (value '" + std::string(value) +
                        "'); knobs: replication, sync_acks, failover, heartbeat_ticks, watchdog_timeout_ticks, "
                        "sync_timeout_ticks, housekeeping_ticks, slave_fallbehind_max");
}

std::vector<std::pair<std::string, std::string>> MasterSlaveFactory::settings() const {
  return {
      {"replication", std::string(to_string(cfg_.replication))},
      {"sync_acks", std::string(to_string(cfg_.sync_acks))},
      {"failover", std::string(to_string(cfg_.failover))},
      {"heartbeat_ticks", std::to_string(cfg_.heartbeat_ticks)},
      {"watchdog_timeout_ticks", std::to_string(cfg_.watchdog_timeout_ticks)},
      {"sync_timeout_ticks", std::to_string(cfg_.sync_timeout_ticks)},
      {"housekeeping_ticks", std::to_string(cfg_.housekeeping_ticks)},
      {"slave_fallbehind_max", std::to_string(cfg_.slave_fallbehind_max)},
  };
}

Status MasterSlaveFactory::validate(const ReplicationConfig& common) const {
  if (auto s = common.validate(); !s.ok()) return s;
  if (auto s = cfg_.validate(); !s.ok()) return s;
  if (cfg_.replication == Replication::async && common.acks > AckLevel::leader)
    return make_error(errc::invalid_config, "acks=" + std::string(to_string(common.acks)) +
                                                " is impossible with replication=async: an async master acks after "
                                                "its own write; use acks=leader|none or replication=sync");
  if (cfg_.replication == Replication::sync && common.acks > AckLevel::leader && common.replicas < 2)
    return make_error(errc::invalid_config, "replication=sync with acks=" + std::string(to_string(common.acks)) +
                                                " needs at least 2 replicas (a master and a slave); got replicas=1");
  return {};
}

std::vector<std::string> MasterSlaveFactory::not_applicable(const ReplicationConfig& common) const {
  std::vector<std::string> out;
  out.push_back(
      "min_insync: master/slave has no in-sync set; sync_acks (one|all) decides how many slaves a "
      "sync write waits for");
  if (common.acks == AckLevel::quorum)
    out.push_back("acks=quorum: master/slave has no majority; it means the same as acks=all (sync_acks decides)");
  return out;
}

std::unique_ptr<Engine> MasterSlaveFactory::create(const EngineContext& ctx) const {
  return std::make_unique<MasterSlaveEngine>(ctx, cfg_);
}

std::unique_ptr<EngineFactory> make_factory() { return std::make_unique<MasterSlaveFactory>(); }

std::unique_ptr<EngineFactory> make_factory(MasterSlaveConfig cfg) { return std::make_unique<MasterSlaveFactory>(cfg); }

}  // namespace rb::masterslave
