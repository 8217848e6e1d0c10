// Running fuzz seeds: one run per seed through execute_run, the verification as the verdict.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "harness/cli/parse_u64.h"
#include "harness/fuzz/fuzz.h"

namespace rb::fuzz {

using harness::parse_u64;

namespace {

std::string failure_reason(const nlohmann::json& v) {
  std::string r;
  for (const char* k : {"lost", "duplicated", "unexpected", "reordered", "divergent", "multi_leader"}) {
    if (!v.contains(k)) continue;
    const auto& x = v[k];
    bool nonzero = x.is_number() ? x.get<double>() != 0 : x.is_array() ? !x.empty() : x.is_boolean() && x.get<bool>();
    if (nonzero)
      r += (r.empty() ? "" : ", ") + std::string(k) + "=" + (x.is_array() ? std::to_string(x.size()) : x.dump());
  }
  if (r.empty()) r = "verification invalid";
  return r;
}

}  // namespace

FuzzOutcome fuzz_one(const std::string& mode, uint64_t seed, const FuzzOptions& opts) {
  FuzzOutcome out;
  out.fuzz_case = draw_case(mode, seed);
  out.replay = replay_command(mode, seed);
  std::filesystem::path dir = opts.out_dir.empty() ? std::filesystem::temp_directory_path() / "replbench-fuzz"
                                                   : std::filesystem::path(opts.out_dir);
  std::string file = (dir / ("fuzz-" + mode + "-seed" + std::to_string(seed) + ".json")).string();

  harness::RunOptions ro;
  ro.mode = mode;
  ro.runtime = "sim";
  ro.workload_inline = out.fuzz_case.workload;
  for (const auto& f : out.fuzz_case.faults) ro.fault_objects.push_back(f);
  ro.seed = seed;
  ro.out = file;
  ro.quiet = true;
  ro.write_history = false;

  auto t0 = std::chrono::steady_clock::now();
  auto r = opts.runner ? opts.runner(ro) : harness::execute_run(ro);
  out.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!r.ok()) {
    out.reason = "run error: " + r.error().describe();
    return out;
  }
  out.verification = (*r).value("verification", nlohmann::json::object());
  out.passed = out.verification.value("valid", false);
  if (out.passed) {
    std::error_code ec;
    std::filesystem::remove(file, ec);
  } else {
    out.reason = failure_reason(out.verification);
    out.result_file = file;
  }
  return out;
}

FuzzSummary run_fuzz(const std::string& mode, uint64_t first_seed, uint64_t count, const FuzzOptions& opts,
                     const std::function<void(const std::string&)>& progress, uint64_t every) {
  FuzzSummary s;
  auto t0 = std::chrono::steady_clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t seed = first_seed + i;
    FuzzOutcome o = fuzz_one(mode, seed, opts);
    ++s.seeds;
    if (o.passed) {
      ++s.passed;
    } else {
      if (progress) {
        progress("FAIL seed " + std::to_string(seed) + ": " + o.reason + "  (" + o.fuzz_case.describe() + ")");
        progress("  replay: " + o.replay + (o.result_file.empty() ? "" : "  result: " + o.result_file));
      }
      s.failures.push_back(std::move(o));
    }
    if (progress && every > 0 && (s.seeds % every == 0 || s.seeds == count)) {
      char line[160];
      double el = elapsed();
      std::snprintf(line, sizeof line, "fuzz %s: %llu/%llu seeds, %zu failed, %.1fs, %.2f seeds/s", mode.c_str(),
                    static_cast<unsigned long long>(s.seeds), static_cast<unsigned long long>(count), s.failures.size(),
                    el, el > 0 ? static_cast<double>(s.seeds) / el : 0.0);
      progress(line);
    }
  }
  s.wall_seconds = elapsed();
  s.seeds_per_second = s.wall_seconds > 0 ? static_cast<double>(s.seeds) / s.wall_seconds : 0;
  return s;
}

int fuzz_main(const std::vector<std::string>& args) {
  constexpr const char* kHelp = R"(usage: replbench fuzz --mode M (--seeds N [--first-seed S] | --seed S) [--out DIR]

  --mode M          masterslave, raft, isr or gm
  --seeds N         run N seeds (default 100), starting at --first-seed (default 1)
  --seed S          run exactly one seed (the replay of a failure), with its case printed
  --out DIR         where result files of failing seeds are kept (default <tmp>/replbench-fuzz)
Each seed draws a cluster, a short workload and a fault schedule, runs them in the simulator and
checks the history. A failing seed prints the command that replays it.
)";
  std::string mode;
  uint64_t count = 100, first = 1;
  std::optional<uint64_t> one;
  FuzzOptions opts;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      std::fputs(kHelp, stdout);
      return 0;
    }
    if (i + 1 >= args.size() &&
        (a == "--mode" || a == "--seeds" || a == "--seed" || a == "--first-seed" || a == "--out")) {
      std::fprintf(stderr, "replbench fuzz: %s needs a value\n", a.c_str());
      return 2;
    }
    if (a == "--mode") {
      mode = args[++i];
    } else if (a == "--out") {
      opts.out_dir = args[++i];
    } else if (a == "--seeds" || a == "--seed" || a == "--first-seed") {
      auto v = parse_u64(args[++i]);
      if (!v) {
        std::fprintf(stderr, "replbench fuzz: %s must be a non-negative integer; got '%s'\n", a.c_str(),
                     args[i].c_str());
        return 2;
      }
      (a == "--seeds" ? count : a == "--first-seed" ? first : one.emplace()) = *v;
    } else {
      std::fprintf(stderr, "replbench fuzz: unknown flag '%s' (see replbench fuzz --help)\n", a.c_str());
      return 2;
    }
  }
  if (mode.empty()) {
    std::fprintf(stderr, "replbench fuzz: --mode is required (masterslave, raft, isr or gm)\n");
    return 2;
  }
  auto print = [](const std::string& l) {
    std::fputs((l + "\n").c_str(), stdout);
    std::fflush(stdout);
  };
  if (one) {
    FuzzOutcome o = fuzz_one(mode, *one, opts);
    print("seed " + std::to_string(*one) + ": " + o.fuzz_case.describe());
    print(std::string("faults: ") + o.fuzz_case.faults.dump());
    print(o.passed ? "PASS" : "FAIL: " + o.reason + (o.result_file.empty() ? "" : "  result: " + o.result_file));
    if (!o.passed && o.reason.rfind("run error", 0) == 0) return 2;
    return o.passed ? 0 : 1;
  }
  FuzzSummary s = run_fuzz(mode, first, count, opts, print, 10);
  char line[200];
  std::snprintf(line, sizeof line, "fuzz %s: %llu seeds, %llu passed, %zu failed; %.2f seeds/s", mode.c_str(),
                static_cast<unsigned long long>(s.seeds), static_cast<unsigned long long>(s.passed), s.failures.size(),
                s.seeds_per_second);
  print(line);
  for (const auto& f : s.failures) print("  " + f.replay + "   # " + f.reason);
  return s.failures.empty() ? 0 : 1;
}

}  // namespace rb::fuzz
