// `replbench node`: one node of the net runtime in this process. The engine comes from the mode
// registry (harness/cli/modes.h), which is why this glue lives in harness/ and not in netrun.
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "harness/cli/modes.h"
#include "harness/netcluster/commands.h"
#include "harness/run/run_command.h"
#include "replication/netrun/node_process.h"

namespace rb::netcluster {

namespace {

int usage(const std::string& m) {
  std::fprintf(stderr, "replbench node: %s\nusage: replbench node --cluster FILE --id N [--data DIR] [--log-events]\n",
               m.c_str());
  return 2;
}

// Engine settings may be written for one mode ("raft.election_ticks") or plain, as in workloads.
Status apply_settings(EngineFactory& f, const std::map<std::string, std::string>& settings) {
  for (const auto& [k, v] : settings) {
    std::string key = k;
    if (auto dot = key.find('.'); dot != std::string::npos) {
      if (key.substr(0, dot) != f.mode()) continue;
      key = key.substr(dot + 1);
    }
    if (auto s = f.set(key, v); !s.ok()) return s;
  }
  return {};
}

}  // namespace

int cmd_node(const std::vector<std::string>& args) {
  std::string cluster_path, data_dir;
  std::optional<uint32_t> id;
  bool log_events = false;
  uint32_t request_timeout_ticks = 30000;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&]() -> const std::string* { return i + 1 < args.size() ? &args[++i] : nullptr; };
    if (a == "--cluster") {
      auto v = value();
      if (!v) return usage("--cluster needs a file");
      cluster_path = *v;
    } else if (a == "--id") {
      auto v = value();
      char* end = nullptr;
      if (!v || v->empty() || (id = static_cast<uint32_t>(std::strtoul(v->c_str(), &end, 10)), *end != '\0'))
        return usage("--id needs a node id (a non-negative integer)");
    } else if (a == "--data") {
      auto v = value();
      if (!v) return usage("--data needs a directory");
      data_dir = *v;
    } else if (a == "--request-timeout-ticks") {
      auto v = value();
      if (!v) return usage("--request-timeout-ticks needs a number");
      request_timeout_ticks = static_cast<uint32_t>(std::strtoul(v->c_str(), nullptr, 10));
      if (request_timeout_ticks == 0) return usage("--request-timeout-ticks must be >= 1");
    } else if (a == "--log-events") {
      log_events = true;
    } else {
      return usage("unknown flag '" + a + "'");
    }
  }
  if (cluster_path.empty()) return usage("--cluster is required");
  if (!id) return usage("--id is required");
  auto file = netrun::load_cluster_file(cluster_path);
  if (!file.ok()) return usage(file.error().message);
  if (data_dir.empty()) data_dir = "data/node" + std::to_string(*id);

  auto factory = harness::make_mode(file->mode);
  if (!factory.ok()) return usage(factory.error().message);
  if (auto s = apply_settings(**factory, file->engine); !s.ok()) return usage(s.error().message);
  if (auto s = (*factory)->validate(file->common); !s.ok()) return usage(s.error().message);

  netrun::NodeProcessOptions o;
  o.cluster = *file;
  o.self = NodeId{*id};
  o.data_dir = data_dir;
  o.factory = factory->get();
  o.request_timeout_ticks = request_timeout_ticks;
  o.log_events = log_events;
  std::unique_ptr<EngineFactory> quorum_factory;
  if ((*factory)->uses_coordinator()) {
    auto coord = harness::coordination_for(**factory, file->common, static_cast<uint32_t>(file->nodes.size()));
    if (!coord.ok()) return usage(coord.error().message);
    quorum_factory = std::move(coord->second);
    o.coordination = coord->first;
    o.coordination.quorum_factory = quorum_factory.get();
    if (!file->quorum.empty()) o.coordination.quorum = file->quorum;
  }
  if (auto s = o.validate(); !s.ok()) return usage(s.error().message);
  auto s = netrun::run_node(std::move(o));
  if (!s.ok()) {
    std::fprintf(stderr, "replbench node %u: %s\n", *id, s.error().describe().c_str());
    return 1;
  }
  return 0;
}

}  // namespace rb::netcluster
