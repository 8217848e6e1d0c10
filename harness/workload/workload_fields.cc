// The table of workload JSON keys: how each is read from JSON and written back. Parsing,
// overrides and to_json() all go through it, so a key cannot be readable but not printable.
#include "harness/workload/workload_fields.h"

#include <cmath>
#include <limits>

namespace rb::workload::detail {

namespace {

Error type_error(std::string_view key, std::string_view expected, const nlohmann::json& v) {
  return make_error(errc::invalid_config, "workload field '" + std::string(key) + "': expected " +
                                              std::string(expected) + ", got " + v.dump());
}

template <class T>
Status read_uint(std::string_view key, const nlohmann::json& v, T& out) {
  bool ok = false;
  if (v.is_number_unsigned()) {
    ok = v.get<uint64_t>() <= std::numeric_limits<T>::max();
  } else if (v.is_number_integer()) {
    ok = v.get<int64_t>() >= 0 && static_cast<uint64_t>(v.get<int64_t>()) <= std::numeric_limits<T>::max();
  }
  if (!ok) return type_error(key, "a non-negative integer", v);
  out = static_cast<T>(v.get<uint64_t>());
  return {};
}

template <class T>
Status read_optional_uint(std::string_view key, const nlohmann::json& v, std::optional<T>& out) {
  if (v.is_null()) {
    out.reset();
    return {};
  }
  T x{};
  if (auto s = read_uint(key, v, x); !s.ok()) return s;
  out = x;
  return {};
}

Status read_double(std::string_view key, const nlohmann::json& v, double& out) {
  if (!v.is_number() || !std::isfinite(v.get<double>())) return type_error(key, "a number", v);
  out = v.get<double>();
  return {};
}

Status read_bool(std::string_view key, const nlohmann::json& v, bool& out) {
  if (!v.is_boolean()) return type_error(key, "true or false", v);
  out = v.get<bool>();
  return {};
}

Status read_string(std::string_view key, const nlohmann::json& v, std::string& out) {
  if (!v.is_string()) return type_error(key, "a string", v);
  out = v.get<std::string>();
  return {};
}

Status read_acks(std::string_view key, const nlohmann::json& v, AckLevel& out) {
  std::string text;
  if (v.is_string()) {
    text = v.get<std::string>();
  } else if (v.is_number_integer()) {
    text = std::to_string(v.get<int64_t>());
  } else {
    return type_error(key, "a string or integer (none|0, leader|1, quorum, all|-1)", v);
  }
  auto a = parse_ack_level(text);
  if (!a.ok()) return make_error(errc::invalid_config, "workload field 'acks': " + a.error().message);
  out = *a;
  return {};
}

Status read_fsync(std::string_view key, const nlohmann::json& v, FsyncPolicy& out) {
  if (!v.is_string()) return type_error(key, "a string (always, never, interval:<ms>)", v);
  auto f = parse_fsync_policy(v.get<std::string>());
  if (!f.ok()) return make_error(errc::invalid_config, "workload field 'fsync': " + f.error().message);
  out = *f;
  return {};
}

Status read_faults(std::string_view key, const nlohmann::json& v, nlohmann::json& out) {
  if (!v.is_array()) return type_error(key, "an array of fault objects", v);
  for (size_t i = 0; i < v.size(); ++i)
    if (!v[i].is_object())
      return make_error(errc::invalid_config,
                        "workload field 'faults[" + std::to_string(i) + "]': expected an object, got " + v[i].dump());
  out = v;
  return {};
}

Status read_settings(std::string_view key, const nlohmann::json& v, std::map<std::string, std::string>& out) {
  if (!v.is_object()) return type_error(key, "an object of key -> string", v);
  std::map<std::string, std::string> m;
  for (const auto& [k, x] : v.items()) {
    if (x.is_string()) {
      m[k] = x.get<std::string>();
    } else if (x.is_number() || x.is_boolean()) {
      m[k] = x.dump();  // 10 -> "10", true -> "true": engines parse their own settings
    } else {
      return make_error(errc::invalid_config,
                        "workload field 'settings." + k + "': expected a string, number or boolean, got " + x.dump());
    }
  }
  out = std::move(m);
  return {};
}

nlohmann::json settings_json(const std::map<std::string, std::string>& m) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [k, v] : m) j[k] = v;
  return j;
}

#define RB_FIELD(KEY, READ, MEMBER, WRITE)                                            \
  Field {                                                                             \
    KEY, [](Workload& w, const nlohmann::json& v) { return READ(KEY, v, w.MEMBER); }, \
        [](const Workload& w) -> nlohmann::json { return WRITE; }                     \
  }

}  // namespace

const std::vector<Field>& fields() {
  static const std::vector<Field> table = {
      RB_FIELD("name", read_string, name, w.name),
      RB_FIELD("topics", read_uint, topics, w.topics),
      RB_FIELD("partitionsPerTopic", read_uint, partitions_per_topic, w.partitions_per_topic),
      RB_FIELD("messageSize", read_uint, message_size, w.message_size),
      RB_FIELD("producersPerTopic", read_uint, producers_per_topic, w.producers_per_topic),
      RB_FIELD("subscriptionsPerTopic", read_uint, subscriptions_per_topic, w.subscriptions_per_topic),
      RB_FIELD("consumerPerSubscription", read_uint, consumer_per_subscription, w.consumer_per_subscription),
      RB_FIELD("producerRate", read_double, producer_rate, w.producer_rate),
      RB_FIELD("maxInFlight", read_uint, max_in_flight, w.max_in_flight),
      RB_FIELD("producerBatchMessages", read_uint, producer_batch_messages, w.producer_batch_messages),
      RB_FIELD("producerLingerMs", read_double, producer_linger_ms, w.producer_linger_ms),
      RB_FIELD("testDurationSeconds", read_double, test_duration_seconds, w.test_duration_seconds),
      RB_FIELD("warmupSeconds", read_double, warmup_seconds, w.warmup_seconds),
      RB_FIELD("nodes", read_optional_uint, nodes, w.node_count()),
      RB_FIELD("replicas", read_uint, replicas, w.replicas),
      RB_FIELD("acks", read_acks, acks, std::string(to_string(w.acks))),
      RB_FIELD("minInsync", read_optional_uint, min_insync, w.min_insync_or_default()),
      RB_FIELD("fsync", read_fsync, fsync, w.fsync.describe()),
      RB_FIELD("batchMaxEntries", read_uint, batch_max_entries, w.batch_max_entries),
      RB_FIELD("batchMaxBytes", read_uint, batch_max_bytes, w.batch_max_bytes),
      RB_FIELD("batchLingerTicks", read_uint, batch_linger_ticks, w.batch_linger_ticks),
      RB_FIELD("idempotence", read_bool, idempotence, w.idempotence),
      RB_FIELD("tickMs", read_uint, tick_ms, w.tick_ms),
      RB_FIELD("faults", read_faults, faults, w.faults),
      RB_FIELD("settings", read_settings, settings, settings_json(w.settings)),
  };
  return table;
}

#undef RB_FIELD

const Field* find_field(std::string_view key) {
  for (const auto& f : fields())
    if (key == f.key) return &f;
  return nullptr;
}

}  // namespace rb::workload::detail
