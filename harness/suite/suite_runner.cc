#include "harness/suite/suite_runner.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

namespace rb::suite {

namespace {

// Reads a number at a JSON path, or null when the result does not have it.
nlohmann::json at_path(const nlohmann::json& j, std::initializer_list<const char*> path, double scale = 1) {
  const nlohmann::json* p = &j;
  for (const char* k : path) {
    if (!p->is_object() || !p->contains(k)) return nullptr;
    p = &(*p)[k];
  }
  if (!p->is_number()) return nullptr;
  return p->get<double>() * scale;
}

nlohmann::json headline(const nlohmann::json& r) {
  return {{"publish_rate", at_path(r, {"summary", "publish_rate"})},
          {"publish_p50_ms", at_path(r, {"summary", "publish_latency", "p50"}, 1e-6)},
          {"publish_p99_ms", at_path(r, {"summary", "publish_latency", "p99"}, 1e-6)},
          {"e2e_p99_ms", at_path(r, {"summary", "end_to_end", "p99"}, 1e-6)},
          {"acked", at_path(r, {"summary", "acked"})},
          {"lost", at_path(r, {"verification", "lost"})},
          {"expected_loss", at_path(r, {"verification", "expected_loss"})},
          {"faults_run", r.contains("faults") && r["faults"].is_array() ? r["faults"].size() : 0}};
}

std::string fmt_s(double s) {
  char buf[32];
  if (s < 120)
    std::snprintf(buf, sizeof buf, "%.0fs", s);
  else
    std::snprintf(buf, sizeof buf, "%.0fm%02.0fs", std::floor(s / 60), std::fmod(s, 60));
  return buf;
}

Status write_index(const std::filesystem::path& file, const nlohmann::json& index) {
  std::filesystem::path tmp = file;
  tmp += ".tmp";
  {
    std::ofstream f(tmp);
    if (!f) return make_error(errc::io_error, "cannot write " + tmp.string());
    f << index.dump(1) << "\n";
    if (!f) return make_error(errc::io_error, "failed writing " + tmp.string());
  }
  std::error_code ec;
  std::filesystem::rename(tmp, file, ec);
  if (ec) return make_error(errc::io_error, "cannot rename " + tmp.string() + ": " + ec.message());
  return {};
}

}  // namespace

harness::RunOptions run_options_for(const SuiteCell& c, const std::string& result_file, bool history) {
  harness::RunOptions o;
  o.mode = c.mode;
  o.runtime = c.runtime;
  o.workload_file = c.workload_file;
  o.workload_inline = c.workload_inline;
  for (const auto& [k, v] : c.settings) o.sets.push_back(k + "=" + v);
  for (const auto& f : c.faults) {
    if (f.is_string())
      o.faults.push_back(f.get<std::string>());
    else
      o.fault_objects.push_back(f);
  }
  o.seed = c.seed;
  o.out = result_file;
  o.quiet = true;
  o.write_history = history;
  return o;
}

std::string progress_line(size_t n, size_t m, const SuiteCell& c, double elapsed_s, std::optional<double> eta_s) {
  std::string line = "cell " + std::to_string(n) + "/" + std::to_string(m) + "  mode=" + c.mode +
                     " workload=" + c.workload_label + " fault=" + c.faults_label + " seed=" + std::to_string(c.seed);
  if (c.settings_label != "default") line += " set=" + c.settings_label;
  if (c.runtime != "sim") line += " runtime=" + c.runtime;
  line += "  elapsed " + fmt_s(elapsed_s) + " eta " + (eta_s ? fmt_s(*eta_s) : std::string("?"));
  return line;
}

Result<nlohmann::json> run_suite(const Suite& suite, const SuiteRunOptions& opts) {
  auto runner = opts.runner ? opts.runner : [](const harness::RunOptions& o) { return harness::execute_run(o); };
  std::filesystem::path dir(opts.out_dir.empty() ? "out/suite-" + suite.name : opts.out_dir);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return make_error(errc::io_error, "cannot create " + dir.string() + ": " + ec.message());

  std::vector<const SuiteCell*> cells;
  for (const auto& c : suite.cells)
    if (!opts.filter || c.name.find(*opts.filter) != std::string::npos) cells.push_back(&c);

  const auto t0 = std::chrono::steady_clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
  nlohmann::json index = {{"schema", "replbench-suite-index/1"},
                          {"suite", suite.name},
                          {"description", suite.description},
                          {"file", suite.file},
                          {"out_dir", dir.string()},
                          {"cells_total", cells.size()},
                          {"cells_done", 0},
                          {"totals", {{"ok", 0}, {"invalid", 0}, {"error", 0}}},
                          {"wall_seconds", 0.0},
                          {"cells", nlohmann::json::array()}};
  for (size_t i = 0; i < cells.size(); ++i) {
    const SuiteCell& c = *cells[i];
    double el = elapsed();
    std::optional<double> eta;
    if (i > 0) eta = el / static_cast<double>(i) * static_cast<double>(cells.size() - i);
    if (opts.progress) opts.progress(progress_line(i + 1, cells.size(), c, el, eta));

    std::string file = c.name + ".json";
    auto started = std::chrono::steady_clock::now();
    auto r = runner(run_options_for(c, (dir / file).string(), suite.history));
    nlohmann::json entry = cell_json(c);
    entry["index"] = i + 1;
    entry["wall_seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::string status;
    if (!r.ok()) {
      status = "error";
      entry["message"] = r.error().describe();
      entry["result_file"] = nullptr;
    } else {
      bool valid = (*r)["verification"].value("valid", false);
      status = valid ? "ok" : "invalid";
      entry["result_file"] = file;
      entry["headline"] = headline(*r);
      if (!valid) entry["message"] = "verification failed (see " + file + ")";
    }
    entry["status"] = status;
    if (opts.progress && status != "ok")
      opts.progress("  " + status + ": " + entry.value("message", std::string()) + "  [" + c.name + "]");
    index["totals"][status] = index["totals"][status].get<int>() + 1;
    index["cells"].push_back(std::move(entry));
    index["cells_done"] = i + 1;
    index["wall_seconds"] = elapsed();
    if (auto s = write_index(dir / "index.json", index); !s.ok()) return s.error();
  }
  if (opts.progress) {
    const auto& t = index["totals"];
    opts.progress("suite " + suite.name + ": " + std::to_string(cells.size()) + " cells, ok " +
                  std::to_string(t["ok"].get<int>()) + ", invalid " + std::to_string(t["invalid"].get<int>()) +
                  ", error " + std::to_string(t["error"].get<int>()) + " in " + fmt_s(elapsed()) + "; index " +
                  (dir / "index.json").string());
  }
  return index;
}

Result<nlohmann::json> run_suite(const std::string& path, const SuiteRunOptions& opts) {
  auto s = load_suite(path);
  if (!s.ok()) return s.error();
  return run_suite(*s, opts);
}

int suite_main(const std::vector<std::string>& args) {
  constexpr const char* kHelp = R"(usage: replbench suite FILE [--out DIR] [--filter TEXT] [--list]

  FILE           suite JSON (harness/suites/*.json; format in docs/faults.md)
  --out DIR      where the per-cell results and index.json go (default out/suite-<name>)
  --filter TEXT  run only the cells whose name contains TEXT
  --list         print the cells and exit
)";
  std::optional<std::string> file;
  SuiteRunOptions opts;
  bool list = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      std::fputs(kHelp, stdout);
      return 0;
    }
    if (a == "--out" || a == "--filter") {
      if (i + 1 >= args.size()) {
        std::fprintf(stderr, "replbench suite: %s needs a value\n", a.c_str());
        return 2;
      }
      (a == "--out" ? opts.out_dir : opts.filter.emplace()) = args[++i];
    } else if (a == "--list") {
      list = true;
    } else if (!a.empty() && a[0] == '-') {
      std::fprintf(stderr, "replbench suite: unknown flag '%s' (see replbench suite --help)\n", a.c_str());
      return 2;
    } else if (file) {
      std::fprintf(stderr, "replbench suite: one suite file at a time (got '%s' and '%s')\n", file->c_str(), a.c_str());
      return 2;
    } else {
      file = a;
    }
  }
  if (!file) {
    std::fprintf(stderr, "replbench suite: a suite FILE is required (see replbench suite --help)\n");
    return 2;
  }
  auto suite = load_suite(*file);
  if (!suite.ok()) {
    std::fprintf(stderr, "replbench suite: %s\n", suite.error().message.c_str());
    return 2;
  }
  if (list) {
    size_t n = 0;
    for (const auto& c : suite->cells)
      if (!opts.filter || c.name.find(*opts.filter) != std::string::npos) std::printf("%3zu %s\n", ++n, c.name.c_str());
    return 0;
  }
  opts.progress = [](const std::string& line) {
    std::fputs((line + "\n").c_str(), stdout);
    std::fflush(stdout);
  };
  auto index = run_suite(*suite, opts);
  if (!index.ok()) {
    std::fprintf(stderr, "replbench suite: %s\n", index.error().message.c_str());
    return 1;
  }
  const auto& t = (*index)["totals"];
  return t["invalid"].get<int>() == 0 && t["error"].get<int>() == 0 ? 0 : 1;
}

}  // namespace rb::suite
