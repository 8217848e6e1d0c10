#include "harness/workload/workload.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <sstream>

#include "harness/workload/workload_fields.h"

namespace rb::workload {

namespace {

Error invalid(std::string_view key, const std::string& what) {
  return make_error(errc::invalid_config, "workload field '" + std::string(key) + "': " + what);
}

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const bool same =
          std::tolower(static_cast<unsigned char>(a[i - 1])) == std::tolower(static_cast<unsigned char>(b[j - 1]));
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (same ? 0 : 1)});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

Error unknown_key(std::string_view key) {
  std::string msg = "unknown workload field '" + std::string(key) + "'";
  if (auto s = closest_workload_key(key)) msg += " (did you mean '" + *s + "'?)";
  return make_error(errc::invalid_config, msg);
}

}  // namespace

const std::vector<std::string>& workload_keys() {
  static const std::vector<std::string> keys = [] {
    std::vector<std::string> k;
    for (const auto& f : detail::fields()) k.emplace_back(f.key);
    return k;
  }();
  return keys;
}

std::optional<std::string> closest_workload_key(std::string_view key) {
  std::optional<std::string> best;
  size_t best_d = SIZE_MAX;
  for (const auto& k : workload_keys()) {
    const size_t d = edit_distance(key, k);
    if (d < best_d) {
      best_d = d;
      best = k;
    }
  }
  // A plausible typo: a couple of edits, or a third of the key for long keys.
  if (best_d <= std::max<size_t>(2, key.size() / 3)) return best;
  return std::nullopt;
}

Status Workload::validate() const {
  if (name.empty()) return invalid("name", "must not be empty");
  if (topics < 1) return invalid("topics", "must be at least 1");
  if (partitions_per_topic < 1) return invalid("partitionsPerTopic", "must be at least 1");
  if (message_size < 1) return invalid("messageSize", "must be at least 1 byte");
  if (producers_per_topic < 1) return invalid("producersPerTopic", "must be at least 1");
  if (consumer_per_subscription < 1) return invalid("consumerPerSubscription", "must be at least 1");
  if (!std::isfinite(producer_rate) || producer_rate < 0)
    return invalid("producerRate", "must be >= 0 msg/s (0 = find the maximum rate)");
  if (max_in_flight < 1) return invalid("maxInFlight", "must be at least 1");
  if (producer_batch_messages < 1) return invalid("producerBatchMessages", "must be at least 1");
  if (producer_batch_messages > max_in_flight)
    return invalid("producerBatchMessages", "must be at most maxInFlight (" + std::to_string(max_in_flight) + ")");
  if (!std::isfinite(producer_linger_ms) || producer_linger_ms < 0)
    return invalid("producerLingerMs", "must be >= 0 ms");
  if (!std::isfinite(test_duration_seconds) || test_duration_seconds <= 0)
    return invalid("testDurationSeconds", "must be > 0");
  if (!std::isfinite(warmup_seconds) || warmup_seconds < 0) return invalid("warmupSeconds", "must be >= 0");
  if (replicas < 1) return invalid("replicas", "must be at least 1");
  if (replicas > 64) return invalid("replicas", "must be at most 64");
  if (nodes && *nodes < 1) return invalid("nodes", "must be at least 1");
  if (replicas > node_count())
    return invalid("replicas",
                   std::to_string(replicas) + " exceeds the cluster size nodes=" + std::to_string(node_count()));
  if (min_insync && *min_insync < 1) return invalid("minInsync", "must be at least 1");
  if (min_insync_or_default() > replicas)
    return invalid("minInsync",
                   std::to_string(min_insync_or_default()) + " exceeds replicas=" + std::to_string(replicas));
  if (batch_max_entries < 1) return invalid("batchMaxEntries", "must be at least 1");
  if (batch_max_bytes < 1) return invalid("batchMaxBytes", "must be at least 1");
  if (tick_ms < 1) return invalid("tickMs", "must be at least 1");
  return {};
}

Result<ReplicationConfig> Workload::to_replication_config() const {
  if (auto s = validate(); !s.ok()) return s.error();
  ReplicationConfig c;
  c.replicas = replicas;
  c.acks = acks;
  c.min_insync = min_insync_or_default();
  c.fsync = fsync;
  c.batching.max_entries = batch_max_entries;
  c.batching.max_bytes = batch_max_bytes;
  c.batching.linger_ticks = batch_linger_ticks;
  c.idempotence = idempotence;
  c.max_message_bytes = std::max<uint64_t>(c.max_message_bytes, message_size);
  if (auto s = c.validate(); !s.ok()) return s.error();
  return c;
}

nlohmann::json Workload::to_json() const {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& f : detail::fields()) j[f.key] = f.write(*this);
  return j;
}

Result<OverrideOutcome> Workload::apply_override(std::string_view kv) {
  const size_t eq = kv.find('=');
  if (eq == std::string_view::npos || eq == 0)
    return make_error(errc::bad_input, "override '" + std::string(kv) + "' is not of the form key=value");
  const std::string_view key = kv.substr(0, eq);
  const std::string_view text = kv.substr(eq + 1);
  constexpr std::string_view kSettings = "settings.";
  if (key.substr(0, kSettings.size()) == kSettings) {
    if (key.size() == kSettings.size())
      return make_error(errc::bad_input, "override '" + std::string(kv) + "' has an empty setting name");
    set_setting(std::string(key.substr(kSettings.size())), std::string(text));
    return OverrideOutcome::applied;
  }
  const detail::Field* f = detail::find_field(key);
  if (f == nullptr) return OverrideOutcome::not_a_workload_key;
  // Read the value as JSON when it is JSON (numbers, booleans, arrays); otherwise as a string, so
  // `acks=all` and `fsync=interval:5` need no quotes.
  nlohmann::json v = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (v.is_discarded()) v = std::string(text);
  Workload candidate = *this;
  if (auto s = f->read(candidate, v); !s.ok()) {
    // `name=123` means the string "123": retry as text before reporting the typed error.
    if (v.is_string() || !f->read(candidate, nlohmann::json(std::string(text))).ok()) return s.error();
  }
  if (auto s = candidate.validate(); !s.ok()) return s.error();
  *this = std::move(candidate);
  return OverrideOutcome::applied;
}

Result<Workload> workload_from_json(const nlohmann::json& j) {
  if (!j.is_object()) return make_error(errc::invalid_config, "a workload must be a JSON object");
  Workload w;
  for (const auto& [key, value] : j.items()) {
    const detail::Field* f = detail::find_field(key);
    if (f == nullptr) return unknown_key(key);
    if (auto s = f->read(w, value); !s.ok()) return s.error();
  }
  if (auto s = w.validate(); !s.ok()) return s.error();
  return w;
}

Result<Workload> parse_workload(std::string_view json_text) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(json_text);
  } catch (const nlohmann::json::parse_error& e) {
    return make_error(errc::bad_input, std::string("workload is not valid JSON: ") + e.what());
  }
  return workload_from_json(j);
}

Result<Workload> load_workload_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return make_error(errc::not_found, "cannot read workload file '" + path + "'");
  std::stringstream ss;
  ss << in.rdbuf();
  auto w = parse_workload(ss.str());
  if (!w.ok()) return make_error(w.code(), path + ": " + w.error().message);
  return w;
}

}  // namespace rb::workload
