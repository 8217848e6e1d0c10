// rb_netbench: measures one mode on the net runtime (or the simulator with a calibrated
// profile) with the harness's load generator, until `replbench run --runtime net` is wired up.
//   rb_netbench MODE [--sim PROFILE] [--seconds S] [--size BYTES] [--window N] [--fsync P]
//               [--rate R] [--binary PATH]
// Prints one line: mode runtime msgs/s MB/s p50_ms p99_ms acked failed unknown cpu_s fsyncs.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "harness/cli/modes.h"
#include "harness/netcluster/net_cluster.h"
#include "harness/netcluster/profile.h"
#include "harness/run/load_generator.h"
#include "harness/run/run_command.h"
#include "replication/sim/sim_cluster.h"

using namespace rb;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s MODE [--sim PROFILE] [--seconds S] [--size B] [--window N] [--fsync P]\n", argv[0]);
    return 2;
  }
  std::string mode = argv[1], profile, fsync = "always";
  std::string binary = std::filesystem::read_symlink("/proc/self/exe").parent_path().string() + "/rb_netnode";
  double seconds = 10, rate = 0;
  uint32_t size = 1024, window = 200;
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--sim")
      profile = v;
    else if (k == "--seconds")
      seconds = std::atof(v.c_str());
    else if (k == "--size")
      size = static_cast<uint32_t>(std::atoi(v.c_str()));
    else if (k == "--window")
      window = static_cast<uint32_t>(std::atoi(v.c_str()));
    else if (k == "--fsync")
      fsync = v;
    else if (k == "--rate")
      rate = std::atof(v.c_str());
    else if (k == "--binary")
      binary = v;
    else
      return std::fprintf(stderr, "unknown flag %s\n", k.c_str()), 2;
  }
  auto factory = harness::make_mode(mode);
  if (!factory.ok()) return std::fprintf(stderr, "%s\n", factory.error().describe().c_str()), 2;
  ReplicationConfig common;
  common.fsync = *parse_fsync_policy(fsync);
  harness::LoadSpec spec;
  spec.message_size = size;
  spec.producer_rate = rate;
  spec.max_in_flight = window;
  spec.warmup_ns = 2'000'000'000;
  spec.duration_ns = static_cast<int64_t>(seconds * 1e9);
  spec.subscriptions_per_topic = 0;

  std::unique_ptr<ClusterApi> cluster;
  std::unique_ptr<EngineFactory> quorum;
  std::string runtime = profile.empty() ? "net" : "sim";
  if (profile.empty()) {
    netcluster::NetClusterOptions o;
    o.mode = mode;
    o.common = common;
    o.binary = binary;
    auto c = netcluster::make_net_cluster(o);
    if (!c.ok()) return std::fprintf(stderr, "%s\n", c.error().describe().c_str()), 1;
    cluster = std::move(c.value());
  } else {
    auto prof = netcluster::load_sim_profile(profile);
    if (!prof.ok()) return std::fprintf(stderr, "%s\n", prof.error().describe().c_str()), 2;
    sim::SimClusterConfig sc;
    sc.nodes = 3;
    sc.common = common;
    sc.sim = *prof;
    if ((*factory)->uses_coordinator()) {
      auto coord = harness::coordination_for(**factory, common, 3);
      if (!coord.ok()) return std::fprintf(stderr, "%s\n", coord.error().describe().c_str()), 2;
      quorum = std::move(coord->second);
      sc.coordination = coord->first;
      sc.coordination.quorum_factory = quorum.get();
    }
    cluster = std::make_unique<sim::SimCluster>(sc, **factory);
  }
  harness::LoadGenerator gen(*cluster, spec, false);
  auto res = gen.run();
  auto ctr = cluster->counters();
  double secs = static_cast<double>(res.producers_stop_ns - res.measure_start_ns) / 1e9;
  double rate_out = static_cast<double>(res.measured_acked) / secs;
  std::printf(
      "%s %s msgs/s=%.0f MB/s=%.2f p50_ms=%.2f p99_ms=%.2f acked=%llu failed=%llu unknown=%llu cpu_s=%.1f "
      "fsyncs=%llu net_MB=%.1f disk_MB=%.1f\n",
      mode.c_str(), runtime.c_str(), rate_out, rate_out * size / 1e6, res.publish_latency.percentile(50) / 1e6,
      res.publish_latency.percentile(99) / 1e6, static_cast<unsigned long long>(res.acked),
      static_cast<unsigned long long>(res.failed), static_cast<unsigned long long>(res.unknown), ctr.cpu_seconds,
      static_cast<unsigned long long>(ctr.fsyncs), ctr.network_bytes / 1e6, ctr.disk_bytes / 1e6);
  return 0;
}
