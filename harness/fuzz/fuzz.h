#pragma once
// Seeded fuzzing in the simulator (TigerBeetle VOPR style): one seed draws a cluster shape, a short
// workload and a random fault schedule, runs it through execute_run and checks the history. A
// failing seed is printed with the command that replays it exactly:
//   replbench fuzz --mode raft --seed 1234
//
// What a seed draws (all from Prng substream "fuzz" of the seed; the run itself uses the seed too):
//   nodes 3..5, replicas 3..nodes, partitions 1..3, 200..1500 msg/s, 64..1024-byte messages,
//   3..5 s measured after 0.5 s warm-up, acks=all, fsync=always, and 0..3 faults of any kind
//   (kill / power loss, pause, every partition shape, slow link, loss, slow disk, transfer-leader,
//   add/remove-node when the shape allows), most with a heal time.
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "harness/run/run_command.h"
#include "replication/core/result.h"

namespace rb::fuzz {

struct FuzzCase {
  std::string mode;
  uint64_t seed = 0;
  nlohmann::json workload;                          // inline workload object
  nlohmann::json faults = nlohmann::json::array();  // fault objects (JSON form)
  std::string describe() const;                     // one line: shape, rate, fault kinds
};

FuzzCase draw_case(const std::string& mode, uint64_t seed);
std::string replay_command(const std::string& mode, uint64_t seed);

using Runner = std::function<Result<nlohmann::json>(const harness::RunOptions&)>;

struct FuzzOptions {
  std::string out_dir;  // result files of failing seeds; default <tmp>/replbench-fuzz
  Runner runner;        // default harness::execute_run
};

struct FuzzOutcome {
  FuzzCase fuzz_case;
  bool passed = false;
  std::string reason;       // why it failed ("" when passed)
  std::string replay;       // the replay command
  std::string result_file;  // kept for failing seeds only
  nlohmann::json verification;
  double wall_seconds = 0;
};

// Runs one seed. Passes when the run's verification is valid (a configuration that permits loss
// reports it as expected_loss and stays valid).
FuzzOutcome fuzz_one(const std::string& mode, uint64_t seed, const FuzzOptions& opts = {});

struct FuzzSummary {
  uint64_t seeds = 0, passed = 0;
  std::vector<FuzzOutcome> failures;
  double wall_seconds = 0;
  double seeds_per_second = 0;
};

// Seeds first_seed .. first_seed + count - 1. `progress` gets a line per failing seed and a
// status line every `every` seeds.
FuzzSummary run_fuzz(const std::string& mode, uint64_t first_seed, uint64_t count, const FuzzOptions& opts,
                     const std::function<void(const std::string&)>& progress, uint64_t every = 10);

// `replbench fuzz --mode M (--seeds N [--first-seed S] | --seed S) [--out DIR]`: exit 0 when every
// seed passed, 1 when one failed, 2 usage.
int fuzz_main(const std::vector<std::string>& args);

}  // namespace rb::fuzz
