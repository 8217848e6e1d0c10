#include "harness/report/result_set.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

namespace rb::report {

namespace fs = std::filesystem;

namespace {

const std::vector<std::string>& mode_order() {
  static const std::vector<std::string> m{"masterslave", "raft", "isr", "gm"};
  return m;
}

size_t mode_rank(const std::string& mode) {
  const auto& m = mode_order();
  return static_cast<size_t>(std::find(m.begin(), m.end(), mode) - m.begin());
}

bool is_mode_specific(const std::string& key) {
  auto dot = key.find('.');
  if (dot == std::string::npos) return false;
  return mode_rank(key.substr(0, dot)) < mode_order().size();
}

Result<nlohmann::json> read_json(const fs::path& p) {
  std::ifstream f(p);
  if (!f) return make_error(errc::not_found, "cannot read " + p.string());
  std::stringstream ss;
  ss << f.rdbuf();
  nlohmann::json j = nlohmann::json::parse(ss.str(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return make_error(errc::bad_input, p.string() + ": not valid JSON");
  return j;
}

std::string faults_title(const nlohmann::json& r) {
  std::vector<std::string> specs;
  if (const auto* f = json_at(r, {"faults"}); f && f->is_array())
    for (const auto& x : *f) specs.push_back(fault_label(x));
  if (specs.empty())
    if (const auto* f = json_at(r, {"workload", "faults"}); f && f->is_array())
      for (const auto& x : *f) specs.push_back(x.is_string() ? x.get<std::string>() : str_at(x, {"kind"}, x.dump()));
  if (specs.empty()) return "no faults";
  std::string s;
  for (const auto& x : specs) s += (s.empty() ? "" : ", ") + x;
  return "faults: " + s;
}

constexpr std::string_view kSuiteIndexSchema = "replbench-suite-index/1";

// Suite runs: the index.json a suite writes beside its results names each cell's group; a group
// labelled "claim<N>-..." ties the run to claim N. A result's own "suite" object wins.
void attach_suite_index(std::vector<Run>& runs) {
  std::map<fs::path, nlohmann::json> indexes;  // directory -> its index (null when none)
  static const std::regex claim_label("^claim([0-9]+)");
  for (auto& r : runs) {
    if (r.result.contains("suite")) continue;
    fs::path dir = fs::path(r.file).parent_path();
    auto it = indexes.find(dir);
    if (it == indexes.end()) {
      nlohmann::json idx;
      std::error_code ec;
      if (fs::exists(dir / "index.json", ec))
        if (auto j = read_json(dir / "index.json"); j.ok() && str_at(*j, {"schema"}) == kSuiteIndexSchema) idx = *j;
      it = indexes.emplace(dir, std::move(idx)).first;
    }
    const auto* cells = json_at(it->second, {"cells"});
    if (!cells || !cells->is_array()) continue;
    std::string name = fs::path(r.file).filename().string();
    for (const auto& c : *cells) {
      if (str_at(c, {"result_file"}) != name) continue;
      std::string group = str_at(c, {"group"});
      nlohmann::json suite = {{"suite", str_at(it->second, {"suite"})}, {"group", group}, {"cell", c}};
      std::smatch m;
      if (std::regex_search(group, m, claim_label)) suite["claim"] = m[1].str();
      r.result["suite"] = std::move(suite);
    }
  }
}

}  // namespace

const nlohmann::json* json_at(const nlohmann::json& j, std::initializer_list<std::string_view> path) {
  const nlohmann::json* cur = &j;
  for (auto k : path) {
    if (!cur->is_object()) return nullptr;
    auto it = cur->find(std::string(k));
    if (it == cur->end()) return nullptr;
    cur = &*it;
  }
  return cur;
}

std::optional<double> num_at(const nlohmann::json& j, std::initializer_list<std::string_view> path) {
  const auto* v = json_at(j, path);
  if (!v || !v->is_number()) return std::nullopt;
  return v->get<double>();
}

std::string str_at(const nlohmann::json& j, std::initializer_list<std::string_view> path, std::string fallback) {
  const auto* v = json_at(j, path);
  if (!v || v->is_null()) return fallback;
  if (v->is_string()) return v->get<std::string>();
  return v->dump();
}

std::string fault_label(const nlohmann::json& fault) {
  std::string spec = str_at(fault, {"spec"}, str_at(fault, {"kind"}, "fault"));
  if (spec.empty() || spec[0] != '{') return spec;
  nlohmann::json f = nlohmann::json::parse(spec, nullptr, false);
  if (!f.is_object()) return spec;
  auto num = [](const nlohmann::json& v) {
    std::string s = v.dump();
    return s;
  };
  std::string s = str_at(f, {"kind"}, "fault");
  for (const char* k : {"shape", "target"})
    if (f.contains(k)) s += ":" + str_at(f, {k});
  if (f.contains("delay_ms")) s += ":" + num(f["delay_ms"]) + "ms";
  if (f.value("lose_unsynced", false)) s += ":power";
  if (f.contains("at")) s += "@" + num(f["at"]) + "s";
  if (f.contains("heal")) s += "-" + num(f["heal"]) + "s";
  return s;
}

std::string knob(const Run& r, std::string_view key) { return str_at(r.result, {"config", "engine", key}); }

std::vector<int> claims_of(const Run& r) {
  std::vector<int> out;
  const auto* c = json_at(r.result, {"suite", "claim"});
  if (!c) return out;
  auto add = [&](const nlohmann::json& x) {
    if (x.is_number_integer()) out.push_back(x.get<int>());
    if (x.is_string()) {
      try {
        out.push_back(std::stoi(x.get<std::string>()));
      } catch (...) {  // not a number: not a claim of the seed list
      }
    }
  };
  if (c->is_array())
    for (const auto& x : *c) add(x);
  else
    add(*c);
  return out;
}

std::string group_key(const nlohmann::json& result) {
  nlohmann::json w = result.contains("workload") ? result["workload"] : nlohmann::json::object();
  if (w.is_object() && w.contains("settings") && w["settings"].is_object()) {
    nlohmann::json kept = nlohmann::json::object();
    for (auto it = w["settings"].begin(); it != w["settings"].end(); ++it)
      if (!is_mode_specific(it.key())) kept[it.key()] = it.value();
    w["settings"] = kept;
  }
  nlohmann::json specs = nlohmann::json::array();
  if (const auto* f = json_at(result, {"faults"}); f && f->is_array())
    for (const auto& x : *f) specs.push_back(str_at(x, {"spec"}, str_at(x, {"kind"})));
  nlohmann::json key = {{"runtime", str_at(result, {"runtime"})}, {"workload", w}, {"faults", specs}};
  return key.dump();  // nlohmann orders object keys, so equal content gives equal text
}

Result<Run> make_run(std::string file, nlohmann::json result) {
  if (!result.is_object() || str_at(result, {"schema"}) != kResultSchema)
    return make_error(errc::bad_input,
                      file + ": not a replbench result (schema is not \"" + std::string(kResultSchema) + "\")");
  Run r;
  r.file = std::move(file);
  r.mode = str_at(result, {"mode"}, "unknown");
  r.seed = static_cast<uint64_t>(num_at(result, {"seed"}).value_or(0));
  r.group_key = group_key(result);
  if (const auto* s = json_at(result, {"workload", "settings"}); s && s->is_object())
    for (auto it = s->begin(); it != s->end(); ++it)
      if (it.key().rfind(r.mode + ".", 0) == 0)
        r.mode_knobs += (r.mode_knobs.empty() ? "" : " ") + it.key().substr(r.mode.size() + 1) + "=" +
                        (it.value().is_string() ? it.value().get<std::string>() : it.value().dump());
  r.result = std::move(result);
  return r;
}

Result<std::vector<Run>> load_runs(const std::vector<std::string>& paths, std::vector<std::string>& warnings) {
  std::vector<Run> runs;
  for (const auto& p : paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      std::vector<fs::path> files;
      for (auto it = fs::recursive_directory_iterator(p, ec); !ec && it != fs::recursive_directory_iterator();
           it.increment(ec))
        if (it->is_regular_file() && it->path().extension() == ".json") files.push_back(it->path());
      std::sort(files.begin(), files.end());
      for (const auto& f : files) {
        auto j = read_json(f);
        if (!j.ok()) {
          warnings.push_back(j.error().message + " (skipped)");
          continue;
        }
        bool suite_index = str_at(*j, {"schema"}) == kSuiteIndexSchema;
        auto r = make_run(f.string(), std::move(j.value()));
        if (!r.ok()) {
          if (!suite_index) warnings.push_back(f.string() + ": not a result file (skipped)");
          continue;
        }
        runs.push_back(std::move(r.value()));
      }
    } else {
      if (!fs::exists(p, ec)) return make_error(errc::not_found, "no such file or directory: " + p);
      auto j = read_json(p);
      if (!j.ok()) return j.error();
      auto r = make_run(p, std::move(j.value()));
      if (!r.ok()) return r.error();
      runs.push_back(std::move(r.value()));
    }
  }
  if (runs.empty()) return make_error(errc::invalid_config, "no result files (schema replbench-result/1) found");
  attach_suite_index(runs);
  return runs;
}

std::vector<Group> group_runs(std::vector<Run>& runs) {
  std::vector<Group> groups;
  std::map<std::string, size_t> by_key;
  for (size_t i = 0; i < runs.size(); ++i) {
    auto [it, fresh] = by_key.emplace(runs[i].group_key, groups.size());
    if (fresh) {
      const auto& r = runs[i].result;
      Group g;
      g.key = runs[i].group_key;
      g.title = str_at(r, {"workload", "name"}, "workload") + " · " + faults_title(r) + " · " + str_at(r, {"runtime"});
      groups.push_back(std::move(g));
    }
    groups[it->second].runs.push_back(i);
  }
  for (auto& g : groups) {
    // Labels: mode, then its explicit knobs, then the seed and the file when still ambiguous.
    std::map<std::string, int> uses;
    for (size_t i : g.runs) {
      auto& r = runs[i];
      r.label = r.mode + (r.mode_knobs.empty() ? "" : " " + r.mode_knobs);
      ++uses[r.label];
    }
    // Among runs sharing a label, the seed is added when it tells them all apart, else the file.
    std::map<std::string, std::set<uint64_t>> seeds;
    for (size_t i : g.runs) seeds[runs[i].label].insert(runs[i].seed);
    for (size_t i : g.runs) {
      auto& r = runs[i];
      int n = uses[r.label];
      if (n <= 1) continue;
      if (seeds[r.label].size() == static_cast<size_t>(n))
        r.label += " seed " + std::to_string(r.seed);
      else
        r.label += " (" + fs::path(r.file).stem().string() + ")";
    }
    std::stable_sort(g.runs.begin(), g.runs.end(), [&](size_t a, size_t b) {
      const auto& x = runs[a];
      const auto& y = runs[b];
      return std::tuple(mode_rank(x.mode), x.label, x.seed) < std::tuple(mode_rank(y.mode), y.label, y.seed);
    });
  }
  return groups;
}

}  // namespace rb::report
