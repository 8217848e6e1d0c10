#include "isr/isr_config.h"

#include <charconv>

namespace rb::isr {
namespace {

template <class T>
Status parse_uint(std::string_view key, std::string_view v, T& out) {
  T x{};
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
  if (ec != std::errc{} || p != v.data() + v.size())
    return make_error(errc::invalid_config,
                      "isr: " + std::string(key) + ": not an unsigned integer: '" + std::string(v) + "'");
  out = x;
  return {};
}

Status parse_bool(std::string_view key, std::string_view v, bool& out) {
  if (v == "true" || v == "1" || v == "on") {
    out = true;
    return {};
  }
  if (v == "false" || v == "0" || v == "off") {
    out = false;
    return {};
  }
  return make_error(errc::invalid_config, "isr: " + std::string(key) + ": not a boolean: '" + std::string(v) + "'");
}

}  // namespace

Status IsrConfig::validate() const {
  auto bad = [](const char* m) { return make_error(errc::invalid_config, std::string("isr: ") + m); };
  if (replica_lag_time_max_ticks < 2) return bad("replica_lag_time_max_ticks must be >= 2");
  if (replica_fetch_wait_max_ticks < 1) return bad("replica_fetch_wait_max_ticks must be >= 1");
  if (fetch_max_bytes < 1) return bad("fetch_max_bytes must be >= 1");
  if (replica_socket_timeout_ticks <= replica_fetch_wait_max_ticks)
    return bad("replica_socket_timeout_ticks must exceed replica_fetch_wait_max_ticks");
  if (alter_partition_retry_ticks < 1) return bad("alter_partition_retry_ticks must be >= 1");
  return {};
}

Status IsrConfig::set(std::string_view key, std::string_view value) {
  if (key == "replica_lag_time_max_ticks") return parse_uint(key, value, replica_lag_time_max_ticks);
  if (key == "replica_fetch_wait_max_ticks") return parse_uint(key, value, replica_fetch_wait_max_ticks);
  if (key == "fetch_max_bytes") return parse_uint(key, value, fetch_max_bytes);
  if (key == "replica_fetch_backoff_ticks") return parse_uint(key, value, replica_fetch_backoff_ticks);
  if (key == "replica_socket_timeout_ticks") return parse_uint(key, value, replica_socket_timeout_ticks);
  if (key == "alter_partition_retry_ticks") return parse_uint(key, value, alter_partition_retry_ticks);
  if (key == "unclean_leader_election") return parse_bool(key, value, unclean_leader_election);
  if (key == "eligible_leader_replicas") return parse_bool(key, value, eligible_leader_replicas);
  return make_error(errc::invalid_config, "isr: unknown key '" + std::string(key) + "'");
}

std::vector<std::pair<std::string, std::string>> IsrConfig::settings() const {
  auto b = [](bool x) { return std::string(x ? "true" : "false"); };
  return {
      {"replica_lag_time_max_ticks", std::to_string(replica_lag_time_max_ticks)},
      {"replica_fetch_wait_max_ticks", std::to_string(replica_fetch_wait_max_ticks)},
      {"fetch_max_bytes", std::to_string(fetch_max_bytes)},
      {"replica_fetch_backoff_ticks", std::to_string(replica_fetch_backoff_ticks)},
      {"replica_socket_timeout_ticks", std::to_string(replica_socket_timeout_ticks)},
      {"alter_partition_retry_ticks", std::to_string(alter_partition_retry_ticks)},
      {"unclean_leader_election", b(unclean_leader_election)},
      {"eligible_leader_replicas", b(eligible_leader_replicas)},
  };
}

}  // namespace rb::isr
