#pragma once
// A result document shaped like execute_run's (harness/run/run_command.cc), built in memory so the
// report tests control every number. Latencies are a deterministic spread around `p50_ms`.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "harness/metrics/histogram.h"

namespace rb::report::testing {

struct Synth {
  std::string mode = "raft";
  uint64_t seed = 1;
  int replicas = 3;
  std::string acks = "all";
  int min_insync = 2;
  double rate = 5000;     // publish and consume msg/s
  double offered = 5000;  // workload producerRate
  double p50_ms = 1.0;
  int64_t lost = 0, expected_loss = 0, duplicated = 0;
  std::string loss_why{};
  nlohmann::json settings = nlohmann::json::object();  // workload.settings
  nlohmann::json engine = nlohmann::json::object();    // config.engine
  nlohmann::json faults = nlohmann::json::array();     // result.faults
  nlohmann::json availability{};                       // verification.availability (absent if null)
  nlohmann::json suite{};                              // result.suite (absent if null)
  int batch_entries = 512, linger = 0;
};

inline nlohmann::json synthetic_result(const Synth& s) {
  metrics::LogLinearHistogram pub, e2e;
  for (int i = 0; i < 2000; ++i) {
    auto v = static_cast<int64_t>(s.p50_ms * 1e6 * (0.5 + i / 2000.0));
    pub.record(v);
    e2e.record(v + 200'000);
  }
  pub.record(static_cast<int64_t>(s.p50_ms * 1e7));
  auto lat = [](const metrics::LogLinearHistogram& h) {
    return nlohmann::json{{"count", h.count()},
                          {"p50", h.percentile(50)},
                          {"p99", h.percentile(99)},
                          {"p999", h.percentile(99.9)},
                          {"p9999", h.percentile(99.99)},
                          {"max", h.max()},
                          {"mean", h.mean()}};
  };
  nlohmann::json intervals = nlohmann::json::array();
  for (int t = -1; t < 5; ++t) {
    if (t == 2 && !s.faults.empty()) continue;  // an outage second: never touched
    intervals.push_back({{"t_s", t},
                         {"sent", s.rate},
                         {"acked", s.rate},
                         {"failed", 0},
                         {"unknown", 0},
                         {"delivered", s.rate},
                         {"publish_latency_ns", {{"count", 100}, {"p50", 1e6 * s.p50_ms}, {"p99", 2e6 * s.p50_ms}}},
                         {"e2e_latency_ns", {{"count", 100}, {"p50", 1e6 * s.p50_ms}, {"p99", 2e6 * s.p50_ms}}}});
  }
  nlohmann::json verification = {{"valid", s.lost == 0 && s.duplicated == 0},
                                 {"lost", s.lost},
                                 {"expected_loss", s.expected_loss},
                                 {"loss_permitted_because", s.loss_why},
                                 {"duplicated", s.duplicated},
                                 {"unexpected", 0},
                                 {"divergent", 0},
                                 {"unknown_landed", 0}};
  if (!s.availability.is_null()) verification["availability"] = s.availability;
  nlohmann::json r = {
      {"schema", "replbench-result/1"},
      {"mode", s.mode},
      {"runtime", "sim"},
      {"seed", s.seed},
      {"config",
       {{"replicas", s.replicas},
        {"acks", s.acks},
        {"min_insync", s.min_insync},
        {"fsync", "always"},
        {"batch_max_entries", s.batch_entries},
        {"batch_max_bytes", 1048576},
        {"batch_linger_ticks", s.linger},
        {"idempotence", true},
        {"nodes", s.replicas},
        {"partitions", 4},
        {"tick_ms", 1},
        {"engine", s.engine},
        {"not_applicable", nlohmann::json::array({"min_insync: not used by " + s.mode})}}},
      {"workload",
       {{"name", "default"},
        {"messageSize", 1024},
        {"producerRate", s.offered},
        {"replicas", s.replicas},
        {"acks", s.acks},
        {"minInsync", s.min_insync},
        {"batchMaxEntries", s.batch_entries},
        {"batchLingerTicks", s.linger},
        {"faults", nlohmann::json::array()},
        {"settings", s.settings}}},
      {"runtime_model", {{"model", "latency 100us"}}},
      {"faults", s.faults},
      {"env",
       {{"git_commit", "abc123"}, {"compiler", "g++ 12"}, {"build_type", "Release"}, {"host", "box"}, {"cpus", 2}}},
      {"summary",
       {{"sent", s.rate * 6},
        {"acked", s.rate * 6},
        {"failed", 0},
        {"unknown", 0},
        {"delivered", s.rate * 6},
        {"measured_seconds", 5.0},
        {"publish_rate", s.rate},
        {"consume_rate", s.rate},
        {"publish_mb_per_s", s.rate * 1024 / 1e6},
        {"publish_latency", lat(pub)},
        {"end_to_end", lat(e2e)},
        {"schedule_slip", {{"count", 0}, {"max", 0}}}}},
      {"resources",
       {{"network_bytes", 1e6},
        {"network_messages", 5000},
        {"coordinator_bytes", 0},
        {"disk_bytes", 2e6},
        {"fsyncs", 300},
        {"cpu_seconds", 0.5},
        {"network_bytes_per_message", 2404.4},
        {"disk_bytes_per_message", 3216.2}}},
      {"events", {{"leader_changes", 4}, {"elections", 1}}},
      {"histograms", {{"publish_latency", pub.to_json()}, {"end_to_end", e2e.to_json()}}},
      {"intervals", intervals},
      {"verification", verification},
      {"wall_seconds", 1.0}};
  if (!s.suite.is_null()) r["suite"] = s.suite;
  return r;
}

// A fresh empty directory under the test temp dir.
inline std::filesystem::path fresh_dir(const std::string& name) {
  std::string tmpl = (std::filesystem::path(::testing::TempDir()) / (name + "-XXXXXX")).string();
  char* p = mkdtemp(tmpl.data());
  return p ? std::filesystem::path(p) : std::filesystem::path();
}

inline void write_json(const std::filesystem::path& p, const nlohmann::json& j) {
  std::ofstream f(p);
  f << j.dump(1);
}

}  // namespace rb::report::testing
