#include "harness/cli/commands.h"

#include <cstdio>

#include "harness/checker/checker.h"
#include "harness/fuzz/fuzz.h"
#include "harness/netcluster/commands.h"
#include "harness/netcluster/net_cluster.h"
#include "harness/netcluster/profile.h"
#include "harness/report/report_command.h"
#include "harness/run/run_command.h"
#include "harness/suite/suite_runner.h"

namespace rb::harness {

namespace {

constexpr const char* kRunHelp = R"(usage: replbench run --mode raft|isr|masterslave|gm [flags]

  --mode M          replication protocol (required)
  --runtime R       sim (default: deterministic simulator) or net (real processes, TCP, fsync)
  --workload FILE   workload JSON (default: harness/workloads/default.json)
  --set key=value   override a workload key (replicas=5, acks=leader, fsync=never, ...) or an
                    engine knob of the mode (e.g. replication=async for masterslave); repeatable
  --fault SPEC      a fault (see docs/user-guide.md); repeatable
  --seed N          seed of every random choice (default 1); the same seed replays the same run
  --out FILE        result file (default out/<mode>-<runtime>-seed<N>.json); the history is
                    written beside it as FILE.history.jsonl
  --quiet           no summary table
)";

int fail_usage(const char* cmd, const Error& e) {
  std::fprintf(stderr, "replbench %s: %s\n", cmd, e.message.empty() ? e.describe().c_str() : e.message.c_str());
  return 2;
}

bool wants_help(const std::vector<std::string>& args) {
  for (const auto& a : args)
    if (a == "--help" || a == "-h") return true;
  return false;
}

}  // namespace

int cmd_run(const std::vector<std::string>& args) {
  if (wants_help(args)) {
    std::fputs(kRunHelp, stdout);
    return 0;
  }
  auto opts = parse_run_options(args);
  if (!opts.ok()) return fail_usage("run", opts.error());
  auto result = execute_run(*opts);
  if (!result.ok()) {
    if (result.code() == errc::io_error) {
      std::fprintf(stderr, "replbench run: %s\n", result.error().message.c_str());
      return 1;
    }
    return fail_usage("run", result.error());
  }
  if (!opts->quiet) std::fputs(format_summary(*result).c_str(), stdout);
  return (*result)["verification"].value("valid", false) ? 0 : 1;
}

int cmd_check(const std::vector<std::string>& args) {
  if (wants_help(args) || args.size() != 1) {
    std::fputs("usage: replbench check HISTORY\n  re-checks a saved history (a run's <result>.history.jsonl)\n",
               wants_help(args) ? stdout : stderr);
    return wants_help(args) ? 0 : 2;
  }
  auto v = checker::recheck_file(args[0]);
  if (!v.ok()) {
    std::fprintf(stderr, "replbench check: %s\n", v.error().describe().c_str());
    return 2;
  }
  std::printf("%s\n", v->to_json().dump(1).c_str());
  std::printf("%s: %s\n", args[0].c_str(), v->valid ? "VALID" : "INVALID");
  for (const auto& line : v->violations) std::printf("  %s\n", line.c_str());
  return v->valid ? 0 : 1;
}

void register_runtimes() {
  register_net_runtime(
      [](const NetRunRequest& r) -> Result<std::unique_ptr<ClusterApi>> {
        netcluster::NetClusterOptions o;
        o.nodes = r.nodes;
        o.partitions = r.partitions;
        o.common = r.common;
        o.mode = r.mode;
        o.engine_settings = r.engine_settings;
        o.quorum = r.quorum;
        o.seed = r.seed;
        o.tick_ms = r.tick_ms;
        o.cluster_file = r.cluster_file;
        o.binary = "/proc/self/exe";
        return netcluster::make_net_cluster(o);
      },
      [](const std::string& path, const std::string& mode) { return netcluster::load_sim_profile(path, mode); });
}

const std::map<std::string, Command>& commands() {
  static const bool registered = (register_runtimes(), true);
  (void)registered;
  static const std::map<std::string, Command> table{
      {"node", netcluster::cmd_node},
      {"calibrate", netcluster::cmd_calibrate},
      {"run", cmd_run},
      {"check", cmd_check},
      {"suite", rb::suite::suite_main},
      {"fuzz", rb::fuzz::fuzz_main},
      {"report", rb::harness::cmd_report},
  };
  return table;
}

}  // namespace rb::harness
