#include "replication/core/config.h"

#include <charconv>

namespace rb {

std::string_view to_string(AckLevel a) {
  switch (a) {
    case AckLevel::none:
      return "none";
    case AckLevel::leader:
      return "leader";
    case AckLevel::quorum:
      return "quorum";
    case AckLevel::all:
      return "all";
  }
  return "?";
}

Result<AckLevel> parse_ack_level(std::string_view s) {
  if (s == "none" || s == "0") return AckLevel::none;
  if (s == "leader" || s == "1") return AckLevel::leader;
  if (s == "quorum") return AckLevel::quorum;
  if (s == "all" || s == "-1") return AckLevel::all;
  return make_error(errc::invalid_config,
                    "acks must be one of none|0, leader|1, quorum, all|-1; got '" + std::string(s) + "'");
}

std::string FsyncPolicy::describe() const {
  switch (mode) {
    case FsyncMode::always:
      return "always";
    case FsyncMode::interval:
      return "interval:" + std::to_string(interval_ms);
    case FsyncMode::never:
      return "never";
  }
  return "?";
}

Result<FsyncPolicy> parse_fsync_policy(std::string_view s) {
  if (s == "always") return FsyncPolicy{FsyncMode::always, 0};
  if (s == "never") return FsyncPolicy{FsyncMode::never, 0};
  constexpr std::string_view prefix = "interval:";
  if (s.substr(0, prefix.size()) == prefix) {
    auto num = s.substr(prefix.size());
    uint32_t ms = 0;
    auto [p, ec] = std::from_chars(num.data(), num.data() + num.size(), ms);
    if (ec == std::errc() && p == num.data() + num.size() && ms > 0) return FsyncPolicy{FsyncMode::interval, ms};
  }
  return make_error(errc::invalid_config,
                    "fsync must be always, never or interval:<ms> with ms > 0; got '" + std::string(s) + "'");
}

Status ReplicationConfig::validate() const {
  auto bad = [](std::string m) { return make_error(errc::invalid_config, std::move(m)); };
  if (replicas < 1) return bad("replicas must be at least 1");
  if (replicas > 64) return bad("replicas must be at most 64");
  if (min_insync < 1) return bad("min_insync must be at least 1");
  if (min_insync > replicas)
    return bad("min_insync (" + std::to_string(min_insync) + ") exceeds replicas (" + std::to_string(replicas) + ")");
  if (fsync.mode == FsyncMode::interval && fsync.interval_ms == 0) return bad("fsync interval must be > 0 ms");
  if (batching.max_entries < 1) return bad("batching max_entries must be at least 1");
  if (batching.max_bytes < 1) return bad("batching max_bytes must be at least 1");
  if (max_message_bytes < 1) return bad("max_message_bytes must be at least 1");
  return {};
}

}  // namespace rb
