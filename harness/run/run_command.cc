#include "harness/run/run_command.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "harness/cli/modes.h"
#include "harness/cli/parse_u64.h"
#include "harness/nemesis/nemesis.h"
#include "harness/run/load_generator.h"
#include "harness/run/verify.h"
#include "harness/workload/workload.h"
#include "replication/sim/sim_cluster.h"
#ifdef RB_HAVE_RAFT
#include "raft/factory.h"
#endif
#ifdef RB_HAVE_ISR
#include "isr/factory.h"
#endif

#include "git_commit.h"  // generated at build time: RB_GIT_COMMIT
#ifndef RB_GIT_COMMIT
#define RB_GIT_COMMIT "unknown"
#endif
#ifndef RB_BUILD_TYPE
#define RB_BUILD_TYPE "unknown"
#endif
#ifndef RB_SOURCE_DIR
#define RB_SOURCE_DIR "."
#endif

namespace rb::harness {

namespace {

Error usage(std::string m) { return make_error(errc::invalid_config, std::move(m)); }

nlohmann::json env_json() {
  char host[256] = {0};
  gethostname(host, sizeof(host) - 1);
  return {{"git_commit", RB_GIT_COMMIT},
          {"compiler", std::string("g++ ") + __VERSION__},
          {"build_type", RB_BUILD_TYPE},
          {"host", host},
          {"cpus", sysconf(_SC_NPROCESSORS_ONLN)}};
}

nlohmann::json latency_json(const metrics::LogLinearHistogram& h) {
  return {{"count", h.count()},
          {"p50", h.percentile(50)},
          {"p99", h.percentile(99)},
          {"p999", h.percentile(99.9)},
          {"p9999", h.percentile(99.99)},
          {"max", h.max()},
          {"mean", h.mean()}};
}

LoadSpec load_spec(const workload::Workload& w) {
  LoadSpec s;
  s.topics = w.topics;
  s.partitions_per_topic = w.partitions_per_topic;
  s.producers_per_topic = w.producers_per_topic;
  s.subscriptions_per_topic = w.subscriptions_per_topic;
  s.consumers_per_subscription = w.consumer_per_subscription;
  s.message_size = w.message_size;
  s.producer_rate = w.producer_rate;
  s.warmup_ns = static_cast<int64_t>(w.warmup_seconds * 1e9);
  s.duration_ns = static_cast<int64_t>(w.test_duration_seconds * 1e9);
  s.max_in_flight = w.max_in_flight;
  s.batch_max_messages = w.producer_batch_messages;
  s.linger_ns = static_cast<int64_t>(w.producer_linger_ms * 1e6);
  s.acks = w.acks;
  return s;
}

// Engine settings in a workload may be written for one mode ("raft.election_ticks") or plain.
Status apply_engine_settings(EngineFactory& f, const std::map<std::string, std::string>& settings) {
  for (const auto& [k, v] : settings) {
    std::string key = k;
    auto dot = key.find('.');
    if (dot != std::string::npos) {
      if (key.substr(0, dot) != f.mode()) continue;  // for another mode
      key = key.substr(dot + 1);
    }
    if (auto s = f.set(key, v); !s.ok()) return s;
  }
  return {};
}

NetClusterMaker& net_maker() {
  static NetClusterMaker m;
  return m;
}
ProfileLoader& profile_loader() {
  static ProfileLoader l;
  return l;
}

}  // namespace

void register_net_runtime(NetClusterMaker maker, ProfileLoader profiles) {
  net_maker() = std::move(maker);
  profile_loader() = std::move(profiles);
}

Result<std::pair<CoordinationConfig, std::unique_ptr<EngineFactory>>> coordination_for(const EngineFactory& factory,
                                                                                       const ReplicationConfig& common,
                                                                                       uint32_t nodes) {
#ifndef RB_HAVE_RAFT
  return make_error(errc::unsupported, "mode '" + std::string(factory.mode()) +
                                           "' needs the coordinator, which needs the raft engine, not built in");
#else
  CoordinationConfig c;
  c.enabled = true;
  for (uint32_t i = 0; i < std::min<uint32_t>(3, nodes); ++i) c.quorum.push_back(NodeId{i});
  c.state.min_insync = common.min_insync;
#ifdef RB_HAVE_ISR
  if (factory.mode() == "isr") {
    auto cc = isr::coordinator_config_from(factory, common);
    if (!cc.ok()) return cc.error();
    c.state = *cc;
  }
#endif
  if (auto s = c.state.validate(); !s.ok()) return s.error();
  return std::make_pair(c, rb::raft::make_factory());
#endif
}

Result<RunOptions> parse_run_options(const std::vector<std::string>& args) {
  RunOptions o;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](const char* flag) -> Result<std::string> {
      if (i + 1 >= args.size()) return usage(std::string(flag) + " needs a value");
      return args[++i];
    };
    if (a == "--mode") {
      auto v = value("--mode");
      if (!v.ok()) return v.error();
      o.mode = *v;
    } else if (a == "--runtime") {
      auto v = value("--runtime");
      if (!v.ok()) return v.error();
      if (*v != "sim" && *v != "net") return usage("--runtime must be sim or net; got '" + *v + "'");
      o.runtime = *v;
    } else if (a == "--workload") {
      auto v = value("--workload");
      if (!v.ok()) return v.error();
      o.workload_file = *v;
    } else if (a == "--set") {
      auto v = value("--set");
      if (!v.ok()) return v.error();
      if (v->find('=') == std::string::npos) return usage("--set takes key=value; got '" + *v + "'");
      o.sets.push_back(*v);
    } else if (a == "--fault") {
      auto v = value("--fault");
      if (!v.ok()) return v.error();
      o.faults.push_back(*v);
    } else if (a == "--seed") {
      auto v = value("--seed");
      if (!v.ok()) return v.error();
      auto s = parse_u64(*v);
      if (!s) return usage("--seed must be a non-negative integer; got '" + *v + "'");
      o.seed = *s;
    } else if (a == "--out") {
      auto v = value("--out");
      if (!v.ok()) return v.error();
      o.out = *v;
    } else if (a == "--profile") {
      auto v = value("--profile");
      if (!v.ok()) return v.error();
      o.profile = *v;
    } else if (a == "--cluster") {
      auto v = value("--cluster");
      if (!v.ok()) return v.error();
      o.cluster_file = *v;
    } else if (a == "--quiet") {
      o.quiet = true;
    } else if (a == "--no-history") {
      o.write_history = false;
    } else {
      return usage("unknown flag '" + a + "' (see replbench run --help)");
    }
  }
  if (o.mode.empty()) return usage("--mode is required (masterslave, raft, isr or gm)");
  return o;
}

Result<nlohmann::json> execute_run(const RunOptions& opt) {
  // --- configuration: everything is checked before anything runs -----------------------------
  auto factory_r = make_mode(opt.mode);
  if (!factory_r.ok()) return factory_r.error();
  auto factory = std::move(factory_r.value());

  Result<workload::Workload> wr =
      opt.workload_inline ? workload::workload_from_json(*opt.workload_inline)
      : opt.workload_file
          ? workload::load_workload_file(*opt.workload_file)
          : workload::load_workload_file(std::string(RB_SOURCE_DIR) + "/harness/workloads/default.json");
  if (!wr.ok()) return wr.error();
  workload::Workload w = std::move(wr.value());
  for (const auto& kv : opt.sets) {
    auto applied = w.apply_override(kv);
    if (!applied.ok()) return applied.error();
    if (*applied == workload::OverrideOutcome::applied) continue;
    auto eq = kv.find('=');
    std::string key = kv.substr(0, eq), val = kv.substr(eq + 1);
    auto s = factory->set(key, val);
    if (!s.ok()) {
      std::string hint;
      if (auto c = workload::closest_workload_key(key)) hint = " (did you mean '" + *c + "'?)";
      return usage("unknown setting '" + key + "': not a workload key" + hint + " and " + s.error().message);
    }
    w.set_setting(std::string(factory->mode()) + "." + key, val);
  }
  // Engine settings from the workload (and `--set settings.k=v`), after the overrides.
  if (auto s = apply_engine_settings(*factory, w.settings); !s.ok()) return s.error();
  auto common_r = w.to_replication_config();
  if (!common_r.ok()) return common_r.error();
  ReplicationConfig common = common_r.value();
  if (auto s = factory->validate(common); !s.ok()) return s.error();
  auto specs = nemesis::parse_faults(w.faults, opt.fault_objects, opt.faults);
  if (!specs.ok()) return specs.error();
  if (auto s = nemesis::check_faults(*specs, w.node_count(), w.partition_count()); !s.ok()) return s.error();
  if (opt.runtime == "net" && !net_maker())
    return make_error(errc::unsupported, "runtime 'net' is not built into this replbench; use --runtime sim");
  if (opt.cluster_file && opt.runtime != "net") return usage("--cluster needs --runtime net");
  if (opt.profile && opt.runtime != "sim") return usage("--profile applies to --runtime sim only");

  sim::SimClusterConfig sc;
  sc.nodes = w.node_count();
  sc.partitions = w.partition_count();
  sc.common = common;
  sc.seed = opt.seed;
  if (opt.profile) {
    if (!profile_loader()) return make_error(errc::unsupported, "--profile needs the net runtime's profile loader");
    auto prof = profile_loader()(*opt.profile, opt.mode);
    if (!prof.ok()) return prof.error();
    sc.sim = *prof;
  }
  sc.sim.tick_ns = static_cast<int64_t>(w.tick_ms) * 1'000'000;
  if (auto s = sc.validate(); !s.ok()) return s.error();
  std::unique_ptr<EngineFactory> quorum_factory;
  if (factory->uses_coordinator()) {
    auto coord = coordination_for(*factory, common, sc.nodes);
    if (!coord.ok()) return coord.error();
    quorum_factory = std::move(coord->second);
    sc.coordination = coord->first;
    sc.coordination.quorum_factory = quorum_factory.get();
  }

  // --- run ---------------------------------------------------------------------------------------
  auto wall_start = std::chrono::steady_clock::now();
  std::unique_ptr<ClusterApi> cluster_ptr;
  if (opt.runtime == "net") {
    NetRunRequest nr;
    nr.nodes = sc.nodes;
    nr.partitions = sc.partitions;
    nr.common = common;
    nr.mode = std::string(factory->mode());
    for (const auto& [k, v] : factory->settings()) nr.engine_settings[k] = v;
    nr.quorum = sc.coordination.quorum;
    nr.seed = opt.seed;
    nr.tick_ms = w.tick_ms;
    nr.cluster_file = opt.cluster_file;
    auto made = net_maker()(nr);
    if (!made.ok()) return made.error();
    cluster_ptr = std::move(made.value());
  } else {
    cluster_ptr = std::make_unique<sim::SimCluster>(sc, *factory);
  }
  ClusterApi& cluster = *cluster_ptr;
  LoadSpec spec = load_spec(w);
  // Fault times count from the start of the measured phase (after warm-up); every fault is healed
  // when the producers stop, so the drain and the final checks see a whole cluster.
  const int64_t measure_start = cluster.now_ns() + spec.warmup_ns;
  const int64_t produce_end = measure_start + spec.duration_ns;
  nemesis::Nemesis nem(cluster, *specs, opt.seed, PartitionId{0});
  nem.start(measure_start);
  cluster.schedule(produce_end, [&nem] { nem.heal_all(); });
  LoadGenerator gen(cluster, spec);
  LoadResults res = gen.run();
  nem.heal_all();
  auto events = cluster.take_events();
  auto dumps = cluster.dump_logs();  // the net runtime stops its nodes here
  double wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();

  // --- verification ----------------------------------------------------------------------------
  Guarantee g = guarantee_for(*factory, common);
  // Without fsync per batch, a power loss may take acknowledged records that were only in page
  // caches (on every replica at once if all lose power): expected, not a broken guarantee.
  bool power_loss = false;
  for (const auto& f : *specs) power_loss = power_loss || f.lose_unsynced;
  if (power_loss && g.power_loss_permitted) {
    g.loss_permitted = true;
    g.why += std::string(g.why.empty() ? "" : ", ") + "fsync=" + common.fsync.describe() + " with power loss";
    // The producer state that de-duplicates retries is lost with the records.
    g.duplicates_permitted = true;
    g.duplicates_why += std::string(g.duplicates_why.empty() ? "" : ", ") + "power loss without fsync";
  }
  std::vector<FaultWindow> fault_windows;
  nlohmann::json faults_json = nlohmann::json::array();
  for (const auto& rec : nem.records()) {
    if (rec.start_ns >= 0) fault_windows.push_back(FaultWindow{rec.spec, rec.start_ns, rec.end_ns});
    auto rel = [&](int64_t t) -> nlohmann::json {
      if (t < 0) return nullptr;
      return static_cast<double>(t - measure_start) / 1e9;
    };
    nlohmann::json targets = nlohmann::json::array();
    for (NodeId n : rec.targets) targets.push_back(n.value());
    faults_json.push_back({{"spec", rec.spec},
                           {"kind", std::string(nemesis::to_string(rec.kind))},
                           {"targets", targets},
                           {"start_s", rel(rec.start_ns)},
                           {"end_s", rel(rec.end_ns)},
                           {"status", std::string(nemesis::to_string(rec.status))},
                           {"error", rec.error}});
  }
  RunHistory history = build_history(res, dumps, events, fault_windows);
  nlohmann::json verification = verify(history, g);
  // The checker counts time from the history's first operation; results use the measured phase.
  if (verification.contains("availability")) {
    for (auto& a : verification["availability"]) {
      for (const auto& f : faults_json) {
        if (f["spec"] != a["fault"]) continue;
        a["start_s"] = f["start_s"];
        a["stop_s"] = f["end_s"];
        break;
      }
    }
  }

  // --- result document ---------------------------------------------------------------------------
  double measured_s = static_cast<double>(res.producers_stop_ns - res.measure_start_ns) / 1e9;
  nlohmann::json config = {{"replicas", common.replicas},
                           {"acks", std::string(to_string(common.acks))},
                           {"min_insync", common.min_insync},
                           {"fsync", common.fsync.describe()},
                           {"batch_max_entries", common.batching.max_entries},
                           {"batch_max_bytes", common.batching.max_bytes},
                           {"batch_linger_ticks", common.batching.linger_ticks},
                           {"idempotence", common.idempotence},
                           {"max_message_bytes", common.max_message_bytes},
                           {"nodes", sc.nodes},
                           {"partitions", sc.partitions},
                           {"tick_ms", w.tick_ms}};
  nlohmann::json engine = nlohmann::json::object();
  for (const auto& [k, v] : factory->settings()) engine[k] = v;
  config["engine"] = engine;
  config["not_applicable"] = factory->not_applicable(common);
  {
    nlohmann::json quorum = nlohmann::json::array();
    for (NodeId n : sc.coordination.quorum) quorum.push_back(n.value());
    config["coordinator"] = {{"enabled", sc.coordination.enabled},
                             {"quorum_nodes", quorum},
                             {"replicated_by", sc.coordination.enabled ? "raft" : "none"}};
  }
  auto counters = cluster.counters();
  uint64_t leader_changes = 0, elections = 0;
  for (const auto& e : events) {
    if (e.event.kind == Event::Kind::leader_changed) ++leader_changes;
    if (e.event.kind == Event::Kind::election_started) ++elections;
  }
  nlohmann::json runtime_desc = nlohmann::json::object();
  for (const auto& [k, v] : cluster.describe()) runtime_desc[k] = v;

  nlohmann::json result = {
      {"schema", "replbench-result/1"},
      {"mode", opt.mode},
      {"runtime", opt.runtime},
      {"seed", opt.seed},
      {"config", config},
      {"workload", w.to_json()},
      {"runtime_model", runtime_desc},
      {"faults", faults_json},
      {"env", env_json()},
      {"summary",
       {{"sent", res.sent},
        {"acked", res.acked},
        {"failed", res.failed},
        {"unknown", res.unknown},
        {"delivered", res.delivered},
        {"measured_seconds", measured_s},
        {"publish_rate", measured_s > 0 ? res.measured_acked / measured_s : 0},
        {"consume_rate", measured_s > 0 ? res.measured_delivered / measured_s : 0},
        {"publish_mb_per_s", measured_s > 0 ? res.measured_acked * w.message_size / measured_s / 1e6 : 0},
        {"publish_latency", latency_json(res.publish_latency)},
        {"end_to_end", latency_json(res.e2e_latency)},
        {"schedule_slip", latency_json(res.schedule_slip)},
        {"redirects", res.redirects},
        {"retries", res.retries}}},
      {"resources",
       {{"network_bytes", counters.network_bytes},
        {"network_messages", counters.network_messages},
        {"coordinator_bytes", counters.coordinator_bytes},
        {"coordinator_messages", counters.coordinator_messages},
        {"client_bytes", counters.client_bytes},
        {"disk_bytes", counters.disk_bytes},
        {"fsyncs", counters.fsyncs},
        {"cpu_seconds", counters.cpu_seconds},
        {"network_bytes_per_message", res.acked ? static_cast<double>(counters.network_bytes) / res.acked : 0},
        {"disk_bytes_per_message", res.acked ? static_cast<double>(counters.disk_bytes) / res.acked : 0}}},
      {"events", {{"leader_changes", leader_changes}, {"elections", elections}}},
      {"histograms", {{"publish_latency", res.publish_latency.to_json()}, {"end_to_end", res.e2e_latency.to_json()}}},
      {"intervals", res.intervals.to_json()},
      {"verification", verification},
      {"wall_seconds", wall_s}};

  std::string out =
      opt.out.value_or("out/" + opt.mode + "-" + opt.runtime + "-seed" + std::to_string(opt.seed) + ".json");
  std::filesystem::path outp(out);
  if (outp.has_parent_path()) {
    std::error_code ec;
    std::filesystem::create_directories(outp.parent_path(), ec);
    if (ec)
      return make_error(errc::io_error, "cannot create directory " + outp.parent_path().string() + ": " + ec.message());
  }
  if (opt.write_history) {
    std::string hist = out + ".history.jsonl";
    if (auto s = write_history(hist, history, g); !s.ok()) return s.error();
    result["history_file"] = std::filesystem::path(hist).filename().string();
  }
  std::ofstream f(out);
  if (!f) return make_error(errc::io_error, "cannot write result file " + out);
  f << result.dump(1) << "\n";
  if (!f) return make_error(errc::io_error, "failed writing result file " + out);
  result["result_file"] = out;
  return result;
}

std::string format_summary(const nlohmann::json& r) {
  std::ostringstream os;
  const auto& s = r["summary"];
  const auto& v = r["verification"];
  auto ms = [](const nlohmann::json& x) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", x.get<double>() / 1e6);
    return std::string(buf);
  };
  char line[512];
  std::snprintf(line, sizeof line, "replbench %s  mode=%s runtime=%s seed=%llu\n", "run",
                r["mode"].get<std::string>().c_str(), r["runtime"].get<std::string>().c_str(),
                static_cast<unsigned long long>(r["seed"].get<uint64_t>()));
  os << line;
  const auto& c = r["config"];
  os << "settings: replicas=" << c["replicas"] << " acks=" << c["acks"].get<std::string>()
     << " min_insync=" << c["min_insync"] << " fsync=" << c["fsync"].get<std::string>()
     << " batch=" << c["batch_max_entries"] << "/" << c["batch_max_bytes"] << "B/linger " << c["batch_linger_ticks"]
     << " idempotence=" << (c["idempotence"].get<bool>() ? "on" : "off");
  for (auto it = c["engine"].begin(); it != c["engine"].end(); ++it)
    os << " " << it.key() << "=" << it.value().get<std::string>();
  os << "\n";
  std::snprintf(line, sizeof line, "%-12s %10s %10s %10s %10s %10s\n", "", "count", "p50 ms", "p99 ms", "p99.9 ms",
                "max ms");
  os << line;
  for (const char* k : {"publish_latency", "end_to_end"}) {
    const auto& l = s[k];
    std::snprintf(line, sizeof line, "%-12s %10lld %10s %10s %10s %10s\n",
                  k == std::string("publish_latency") ? "publish" : "end-to-end",
                  static_cast<long long>(l["count"].get<int64_t>()), ms(l["p50"]).c_str(), ms(l["p99"]).c_str(),
                  ms(l["p999"]).c_str(), ms(l["max"]).c_str());
    os << line;
  }
  std::snprintf(line, sizeof line,
                "throughput: publish %.0f msg/s (%.2f MB/s), consume %.0f msg/s; sent %llu acked %llu failed %llu "
                "unknown %llu delivered %llu\n",
                s["publish_rate"].get<double>(), s["publish_mb_per_s"].get<double>(), s["consume_rate"].get<double>(),
                static_cast<unsigned long long>(s["sent"].get<uint64_t>()),
                static_cast<unsigned long long>(s["acked"].get<uint64_t>()),
                static_cast<unsigned long long>(s["failed"].get<uint64_t>()),
                static_cast<unsigned long long>(s["unknown"].get<uint64_t>()),
                static_cast<unsigned long long>(s["delivered"].get<uint64_t>()));
  os << line;
  os << "verification: " << (v.value("valid", false) ? "VALID" : "INVALID");
  for (const char* k : {"lost", "expected_loss", "duplicated", "unexpected", "reordered", "divergent", "multi_leader"})
    if (v.contains(k)) os << " " << k << "=" << v[k];
  if (v.contains("loss_permitted_because") && !v["loss_permitted_because"].get<std::string>().empty())
    os << " (loss permitted: " << v["loss_permitted_because"].get<std::string>() << ")";
  os << "\n";
  if (r.contains("result_file")) os << "result: " << r["result_file"].get<std::string>() << "\n";
  return os.str();
}

}  // namespace rb::harness
