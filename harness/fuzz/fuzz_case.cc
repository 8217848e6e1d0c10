// Drawing one fuzz case from a seed: the cluster shape, a short workload and a fault schedule.
#include <cmath>

#include "harness/fuzz/fuzz.h"
#include "replication/core/prng.h"

namespace rb::fuzz {

namespace {

double round_ms(double s) { return std::round(s * 1000) / 1000; }

const char* pick(Prng& rng, std::initializer_list<const char*> xs) {
  return *(xs.begin() + static_cast<std::ptrdiff_t>(rng.below(xs.size())));
}

// One fault of a random kind, starting in [start_lo, start_hi].
nlohmann::json draw_fault(Prng& rng, uint32_t nodes, uint32_t replicas, double start_lo, double start_hi) {
  nlohmann::json f;
  double at = round_ms(start_lo + rng.unit() * (start_hi - start_lo));
  f["at"] = at;
  bool heal = rng.chance(0.85);
  enum {
    kill,
    power,
    pause,
    halves,
    isolate,
    asymmetric,
    bridge,
    ring,
    slow_link,
    loss,
    slow_disk,
    transfer,
    add_node,
    remove_node,
    kinds
  };
  int kind = static_cast<int>(rng.below(kinds));
  if (kind == add_node && nodes == replicas) kind = kill;  // no spare node to add
  switch (kind) {
    case kill:
    case power:
      f["kind"] = "kill";
      f["target"] = pick(rng, {"leader", "leader", "follower", "random", "minority"});
      if (kind == power) f["lose_unsynced"] = true;
      break;
    case pause:
      f["kind"] = "pause";
      f["target"] = pick(rng, {"leader", "follower", "random"});
      break;
    case halves:
    case bridge:
    case ring:
      f["kind"] = "partition";
      f["shape"] = kind == halves ? "halves" : kind == bridge ? "bridge" : "majorities-ring";
      break;
    case isolate:
      f["kind"] = "partition";
      f["shape"] = "isolate";
      f["target"] = pick(rng, {"leader", "follower", "random"});
      break;
    case asymmetric:
      f["kind"] = "partition";
      f["shape"] = "asymmetric";
      f["target"] = pick(rng, {"leader", "follower"});
      f["direction"] = rng.chance(0.5) ? "in" : "out";
      break;
    case slow_link:
      f["kind"] = "slow-link";
      f["target"] = pick(rng, {"leader", "follower", "random"});
      f["delay_ms"] = static_cast<double>(rng.between(5, 100));
      break;
    case loss:
      f["kind"] = "loss";
      if (rng.chance(0.5)) f["target"] = pick(rng, {"leader", "follower"});
      f["loss"] = static_cast<double>(rng.between(5, 30)) / 100;
      break;
    case slow_disk:
      f["kind"] = "slow-disk";
      f["target"] = pick(rng, {"leader", "follower", "random"});
      f["factor"] = static_cast<double>(rng.between(2, 20));
      break;
    case transfer:
      f["kind"] = "transfer-leader";
      f["target"] = "follower";
      heal = false;  // no heal for a one-shot
      break;
    case add_node:
      f["kind"] = "add-node";
      f["target"] = "spare";
      break;
    case remove_node:
      f["kind"] = "remove-node";
      f["target"] = "follower";
      break;
  }
  if (heal) f["heal"] = round_ms(at + 0.3 + rng.unit() * 2.2);
  return f;
}

}  // namespace

FuzzCase draw_case(const std::string& mode, uint64_t seed) {
  Prng rng = Prng::substream(seed, "fuzz");
  FuzzCase c;
  c.mode = mode;
  c.seed = seed;
  auto nodes = static_cast<uint32_t>(rng.between(3, 5));
  auto replicas = static_cast<uint32_t>(rng.between(3, nodes));
  auto partitions = static_cast<uint32_t>(rng.between(1, 3));
  double duration = static_cast<double>(rng.between(30, 50)) / 10;
  const double warmup = 0.5;
  c.workload = {{"name", "fuzz"},
                {"topics", 1},
                {"partitionsPerTopic", partitions},
                {"messageSize", 64u << rng.below(5)},
                {"producerRate", static_cast<double>(rng.between(200, 1500))},
                {"testDurationSeconds", duration},
                {"warmupSeconds", warmup},
                {"nodes", nodes},
                {"replicas", replicas},
                {"acks", "all"},
                {"fsync", "always"}};
  auto n = rng.below(4);
  for (uint64_t i = 0; i < n; ++i)
    c.faults.push_back(draw_fault(rng, nodes, replicas, 0.2, duration - 1.0));  // from the measured phase's start
  return c;
}

std::string FuzzCase::describe() const {
  std::string s = "nodes=" + workload["nodes"].dump() + " replicas=" + workload["replicas"].dump() +
                  " partitions=" + workload["partitionsPerTopic"].dump() +
                  " rate=" + std::to_string(static_cast<int>(workload["producerRate"].get<double>())) + " faults=[";
  for (size_t i = 0; i < faults.size(); ++i) {
    const auto& f = faults[i];
    s += (i ? " " : "") + f["kind"].get<std::string>();
    if (f.contains("shape")) s += ":" + f["shape"].get<std::string>();
    if (f.contains("target")) s += ":" + f["target"].get<std::string>();
    char when[48];
    std::snprintf(when, sizeof when, "@%.3gs", f["at"].get<double>());
    s += when;
    if (f.contains("heal")) {
      std::snprintf(when, sizeof when, "-%.3gs", f["heal"].get<double>());
      s += when;
    }
  }
  return s + "]";
}

std::string replay_command(const std::string& mode, uint64_t seed) {
  return "replbench fuzz --mode " + mode + " --seed " + std::to_string(seed);
}

}  // namespace rb::fuzz
