// Suite files -> the list of cells (the cross product of each matrix, then the explicit cells).
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "harness/cli/modes.h"
#include "harness/nemesis/fault_spec.h"
#include "harness/suite/suite.h"
#include "harness/workload/workload.h"

namespace rb::suite {

namespace {

Error bad(std::string m) { return make_error(errc::invalid_config, std::move(m)); }

std::string safe(std::string s) {
  for (char& c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '=' && c != '-' && c != '+' && c != '_')
      c = '_';
  return s;
}

struct Workload {
  std::optional<std::string> file;
  std::optional<nlohmann::json> inline_doc;
  std::string label;
};
struct Schedule {
  nlohmann::json faults = nlohmann::json::array();
  std::string label = "none";
};
struct Settings {
  std::vector<std::pair<std::string, std::string>> kv;
  std::string label = "default";
};

// One matrix level: every key optional; missing keys inherit from the parent level.
struct Level {
  std::optional<std::string> runtime;
  std::optional<std::vector<std::string>> modes;
  std::optional<std::vector<Workload>> workloads;
  std::optional<std::vector<Schedule>> faults;
  std::optional<std::vector<uint64_t>> seeds;
  std::optional<std::vector<Settings>> settings;
};

Status check_keys(const nlohmann::json& j, std::initializer_list<const char*> known, const std::string& where) {
  if (!j.is_object()) return bad(where + ": must be an object");
  for (auto it = j.begin(); it != j.end(); ++it)
    if (std::none_of(known.begin(), known.end(), [&](const char* k) { return it.key() == k; }))
      return bad(where + ": unknown key '" + it.key() + "'");
  return {};
}

Result<std::string> parse_mode(const nlohmann::json& j, const std::string& where) {
  if (!j.is_string()) return bad(where + ": a mode must be a string");
  const auto& modes = harness::all_modes();
  std::string m = j.get<std::string>();
  if (std::find(modes.begin(), modes.end(), m) == modes.end())
    return bad(where + ": unknown mode '" + m + "' (masterslave, raft, isr, gm)");
  return m;
}

Result<Workload> parse_workload_ref(const nlohmann::json& j, const std::string& base_dir, const std::string& where) {
  Workload w;
  if (j.is_string()) {
    std::filesystem::path p(j.get<std::string>());
    if (p.is_relative() && !base_dir.empty()) p = std::filesystem::path(base_dir) / p;
    auto loaded = workload::load_workload_file(p.lexically_normal().string());
    if (!loaded.ok()) return bad(where + ": workload " + j.get<std::string>() + ": " + loaded.error().message);
    w.file = p.lexically_normal().string();
    w.label = p.stem().string();
    return w;
  }
  if (!j.is_object()) return bad(where + ": a workload is a path or an inline object");
  auto parsed = workload::workload_from_json(j);
  if (!parsed.ok()) return bad(where + ": inline workload: " + parsed.error().message);
  w.inline_doc = j;
  w.label = j.value("name", std::string("inline"));
  return w;
}

Result<Schedule> parse_schedule(const nlohmann::json& j, const std::string& where) {
  Schedule s;
  const nlohmann::json* list = &j;
  std::optional<std::string> name;
  if (j.is_object()) {
    if (auto st = check_keys(j, {"name", "schedule"}, where + " fault schedule"); !st.ok()) return st.error();
    if (!j.contains("schedule")) return bad(where + ": a named fault schedule needs 'schedule'");
    list = &j["schedule"];
    if (j.contains("name") && j["name"].is_string()) name = j["name"].get<std::string>();
  }
  if (!list->is_array()) return bad(where + ": a fault schedule is a list of faults (or {\"name\", \"schedule\"})");
  std::vector<std::string> parts;
  for (const auto& f : *list) {
    if (f.is_string()) {
      auto p = nemesis::parse_fault_string(f.get<std::string>());
      if (!p.ok()) return bad(where + ": " + p.error().message);
      std::string head = f.get<std::string>().substr(0, f.get<std::string>().find('@'));
      std::replace(head.begin(), head.end(), ':', '.');
      parts.push_back(head);
    } else {
      auto p = nemesis::parse_fault_json(f);
      if (!p.ok()) return bad(where + ": " + p.error().message);
      std::string part(nemesis::to_string(p->kind));
      if (p->kind == nemesis::FaultKind::partition) part = std::string(nemesis::to_string(p->shape));
      if (p->target.kind != nemesis::TargetKind::none) part += "." + nemesis::describe_target(p->target);
      parts.push_back(part);
    }
    s.faults.push_back(f);
  }
  if (name) {
    s.label = *name;
  } else if (!parts.empty()) {
    s.label.clear();
    for (size_t i = 0; i < parts.size(); ++i) s.label += (i ? "+" : "") + parts[i];
  }
  return s;
}

Result<Settings> parse_settings(const nlohmann::json& j, const std::string& where) {
  if (!j.is_object()) return bad(where + ": settings must be an object of key: value");
  Settings s;
  std::string label;
  for (auto it = j.begin(); it != j.end(); ++it) {
    std::string v;
    if (it.value().is_string())
      v = it.value().get<std::string>();
    else if (it.value().is_number() || it.value().is_boolean())
      v = it.value().dump();
    else
      return bad(where + ": setting '" + it.key() + "' must be a string, number or boolean");
    s.kv.emplace_back(it.key(), v);
    label += (label.empty() ? "" : "+") + it.key() + "=" + v;
  }
  if (!label.empty()) s.label = label;
  // JSON objects come back sorted by key, but each --set is validated as it is applied: size the
  // cluster first so that e.g. {"replicas": 7, "minInsync": 4} does not fail on minInsync.
  std::stable_sort(s.kv.begin(), s.kv.end(), [](const auto& a, const auto& b) {
    auto rank = [](const std::string& k) { return k == "nodes" ? 0 : k == "replicas" ? 1 : 2; };
    return rank(a.first) < rank(b.first);
  });
  return s;
}

template <class T, class F>
Result<std::vector<T>> parse_list(const nlohmann::json& j, const char* key, const std::string& where, F&& one) {
  if (!j.is_array() || j.empty()) return bad(where + ": '" + key + "' must be a non-empty list");
  std::vector<T> out;
  for (const auto& x : j) {
    auto r = one(x);
    if (!r.ok()) return r.error();
    out.push_back(std::move(*r));
  }
  return out;
}

Status parse_level(const nlohmann::json& j, const std::string& base_dir, const std::string& where, Level& lv) {
  if (j.contains("runtime")) {
    if (!j["runtime"].is_string() || (j["runtime"] != "sim" && j["runtime"] != "net"))
      return bad(where + ": 'runtime' must be \"sim\" or \"net\"");
    lv.runtime = j["runtime"].get<std::string>();
  }
  if (j.contains("modes")) {
    auto r = parse_list<std::string>(j["modes"], "modes", where, [&](auto& x) { return parse_mode(x, where); });
    if (!r.ok()) return r.error();
    lv.modes = *r;
  }
  if (j.contains("workloads")) {
    auto r = parse_list<Workload>(j["workloads"], "workloads", where,
                                  [&](auto& x) { return parse_workload_ref(x, base_dir, where); });
    if (!r.ok()) return r.error();
    lv.workloads = *r;
  }
  if (j.contains("faults")) {
    auto r = parse_list<Schedule>(j["faults"], "faults", where, [&](auto& x) { return parse_schedule(x, where); });
    if (!r.ok()) return r.error();
    lv.faults = *r;
  }
  if (j.contains("seeds")) {
    auto r = parse_list<uint64_t>(j["seeds"], "seeds", where, [&](auto& x) -> Result<uint64_t> {
      if (!x.is_number_unsigned()) return bad(where + ": seeds must be non-negative integers");
      return x.template get<uint64_t>();
    });
    if (!r.ok()) return r.error();
    lv.seeds = *r;
  }
  if (j.contains("settings")) {
    auto r = parse_list<Settings>(j["settings"], "settings", where, [&](auto& x) { return parse_settings(x, where); });
    if (!r.ok()) return r.error();
    lv.settings = *r;
  }
  return {};
}

Level merged(const Level& parent, const Level& child) {
  Level m = parent;
  if (child.runtime) m.runtime = child.runtime;
  if (child.modes) m.modes = child.modes;
  if (child.workloads) m.workloads = child.workloads;
  if (child.faults) m.faults = child.faults;
  if (child.seeds) m.seeds = child.seeds;
  if (child.settings) m.settings = child.settings;
  return m;
}

SuiteCell make_cell(const std::string& group, const std::string& mode, const std::string& runtime, const Workload& w,
                    const Schedule& f, uint64_t seed, const Settings& s) {
  SuiteCell c;
  c.group = group;
  c.mode = mode;
  c.runtime = runtime;
  c.workload_file = w.file;
  c.workload_inline = w.inline_doc;
  c.workload_label = w.label;
  c.faults = f.faults;
  c.faults_label = f.label;
  c.seed = seed;
  c.settings = s.kv;
  c.settings_label = s.label;
  return c;
}

Status expand(const Level& lv, const std::string& group, const std::string& where, std::vector<SuiteCell>& out) {
  if (!lv.modes) return bad(where + ": no 'modes'");
  const std::vector<Workload> default_workload{Workload{{}, {}, "default"}};
  const std::vector<Schedule> no_faults{Schedule{}};
  const std::vector<uint64_t> seed_one{1};
  const std::vector<Settings> no_settings{Settings{}};
  for (const auto& m : *lv.modes)
    for (const auto& w : lv.workloads ? *lv.workloads : default_workload)
      for (const auto& f : lv.faults ? *lv.faults : no_faults)
        for (uint64_t seed : lv.seeds ? *lv.seeds : seed_one)
          for (const auto& s : lv.settings ? *lv.settings : no_settings)
            out.push_back(make_cell(group, m, lv.runtime.value_or("sim"), w, f, seed, s));
  return {};
}

}  // namespace

Result<Suite> parse_suite(const nlohmann::json& doc, const std::string& base_dir) {
  if (auto s = check_keys(doc,
                          {"name", "description", "notes", "runtime", "history", "modes", "workloads", "faults",
                           "seeds", "settings", "groups", "cells"},
                          "suite");
      !s.ok())
    return s.error();
  Suite suite;
  if (!doc.contains("name") || !doc["name"].is_string()) return bad("suite: 'name' (a string) is required");
  suite.name = doc["name"].get<std::string>();
  suite.description = doc.value("description", std::string());
  if (doc.contains("history")) {
    if (!doc["history"].is_boolean()) return bad("suite: 'history' must be true or false");
    suite.history = doc["history"].get<bool>();
  }
  Level top;
  if (auto s = parse_level(doc, base_dir, "suite", top); !s.ok()) return s.error();
  bool has_groups = doc.contains("groups"), has_cells = doc.contains("cells");
  if (!has_groups && !has_cells) {
    if (auto s = expand(top, "", "suite", suite.cells); !s.ok()) return s.error();
  }
  if (has_groups) {
    if (!doc["groups"].is_array()) return bad("suite: 'groups' must be a list");
    for (size_t i = 0; i < doc["groups"].size(); ++i) {
      const auto& g = doc["groups"][i];
      std::string where = "group " + std::to_string(i);
      if (auto s = check_keys(
              g, {"label", "notes", "claim", "runtime", "modes", "workloads", "faults", "seeds", "settings"}, where);
          !s.ok())
        return s.error();
      std::string label = g.value("label", "g" + std::to_string(i));
      where = "group '" + label + "'";
      Level lv;
      if (auto s = parse_level(g, base_dir, where, lv); !s.ok()) return s.error();
      if (auto s = expand(merged(top, lv), label, where, suite.cells); !s.ok()) return s.error();
    }
  }
  if (has_cells) {
    if (!doc["cells"].is_array()) return bad("suite: 'cells' must be a list");
    for (size_t i = 0; i < doc["cells"].size(); ++i) {
      const auto& c = doc["cells"][i];
      std::string where = "cell " + std::to_string(i);
      if (auto s = check_keys(
              c, {"label", "notes", "claim", "runtime", "mode", "workload", "faults", "seed", "settings"}, where);
          !s.ok())
        return s.error();
      // An explicit cell is a one-element matrix.
      nlohmann::json as_level = nlohmann::json::object();
      if (!c.contains("mode")) return bad(where + ": 'mode' is required");
      as_level["modes"] = nlohmann::json::array({c["mode"]});
      if (c.contains("runtime")) as_level["runtime"] = c["runtime"];
      if (c.contains("workload")) as_level["workloads"] = nlohmann::json::array({c["workload"]});
      if (c.contains("faults")) as_level["faults"] = nlohmann::json::array({c["faults"]});
      if (c.contains("seed")) as_level["seeds"] = nlohmann::json::array({c["seed"]});
      if (c.contains("settings")) as_level["settings"] = nlohmann::json::array({c["settings"]});
      Level lv;
      if (auto s = parse_level(as_level, base_dir, where, lv); !s.ok()) return s.error();
      if (auto s = expand(merged(top, lv), c.value("label", std::string("cell")), where, suite.cells); !s.ok())
        return s.error();
    }
  }
  if (suite.cells.empty()) return bad("suite '" + suite.name + "': no cells");

  // Names: readable, file-name safe, unique.
  std::set<std::string> used;
  for (auto& c : suite.cells) {
    std::string n = (c.group.empty() ? "" : c.group + "-") + c.mode + "-" + c.workload_label + "-" + c.faults_label +
                    "-" + c.settings_label + "-seed" + std::to_string(c.seed);
    n = safe(n);
    if (n.size() > 150) n = n.substr(0, 150);
    std::string unique = n;
    for (int k = 2; used.count(unique); ++k) unique = n + "-" + std::to_string(k);
    used.insert(unique);
    c.name = unique;
  }
  return suite;
}

Result<Suite> load_suite(const std::string& path) {
  std::ifstream in(path);
  if (!in) return make_error(errc::not_found, "cannot read suite file " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  nlohmann::json doc = nlohmann::json::parse(ss.str(), nullptr, false);
  if (doc.is_discarded()) return make_error(errc::bad_input, "suite file " + path + " is not valid JSON");
  auto s = parse_suite(doc, std::filesystem::path(path).parent_path().string());
  if (!s.ok()) return make_error(s.code(), path + ": " + s.error().message);
  s->file = path;
  return s;
}

nlohmann::json cell_json(const SuiteCell& c) {
  nlohmann::json settings = nlohmann::json::object();
  for (const auto& [k, v] : c.settings) settings[k] = v;
  nlohmann::json j = {{"name", c.name},
                      {"group", c.group},
                      {"mode", c.mode},
                      {"runtime", c.runtime},
                      {"workload", c.workload_label},
                      {"faults", c.faults_label},
                      {"fault_schedule", c.faults},
                      {"seed", c.seed},
                      {"settings", settings}};
  if (c.workload_file) j["workload_file"] = *c.workload_file;
  return j;
}

}  // namespace rb::suite
