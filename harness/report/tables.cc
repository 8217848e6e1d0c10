// Environment, settings, throughput, latency, resources and correctness tables.
#include "harness/report/tables.h"

#include <map>
#include <set>

namespace rb::report {

namespace {

std::optional<double> num(const Run& r, std::initializer_list<std::string_view> path) { return num_at(r.result, path); }

std::string join(const std::vector<std::string>& v, const std::string& sep) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : sep) + x;
  return s;
}

// Knobs that decide a mode's guarantees get their own rows; the rest go in "other engine knobs".
const std::vector<std::pair<std::string, std::vector<std::string>>>& knob_rows() {
  static const std::vector<std::pair<std::string, std::vector<std::string>>> rows{
      {"failover / leader election",
       {"failover", "unclean_leader_election", "eligible_leader_replicas", "promote_on_failure", "pre_vote",
        "check_quorum"}},
      {"replication", {"replication", "sync_acks", "sync_mode"}},
      {"partition handling", {"partition_handling"}},
  };
  return rows;
}

bool is_key_knob(const std::string& k) {
  for (const auto& [_, keys] : knob_rows())
    for (const auto& x : keys)
      if (x == k) return true;
  return false;
}

// The not_applicable notes of a run that talk about `setting` (they start with its name).
std::string na_for(const Run& r, const std::string& setting) {
  const auto* na = json_at(r.result, {"config", "not_applicable"});
  if (!na || !na->is_array()) return "";
  for (const auto& n : *na)
    if (n.is_string() && n.get<std::string>().rfind(setting, 0) == 0) return "n/a";
  return "";
}

std::string loss_permitted_because(const Run& r) {
  std::string why = str_at(r.result, {"verification", "loss_permitted_because"});
  if (why.empty()) why = str_at(r.result, {"verification", "loss_why"});
  return why;
}

}  // namespace

Table environment_table(const std::vector<Run>& runs) {
  Table t;
  t.title = "Environment";
  t.header = {"host", "cpus", "commit", "compiler", "build", "runtime", "runtime model", "seeds", "runs"};
  std::map<std::vector<std::string>, std::pair<std::set<uint64_t>, int>> rows;
  for (const auto& r : runs) {
    const auto& j = r.result;
    std::vector<std::string> key{str_at(j, {"env", "host"}, "?"),           fmt_num(num_at(j, {"env", "cpus"})),
                                 str_at(j, {"env", "git_commit"}, "?"),     str_at(j, {"env", "compiler"}, "?"),
                                 str_at(j, {"env", "build_type"}, "?"),     str_at(j, {"runtime"}, "?"),
                                 str_at(j, {"runtime_model", "model"}, "–")};
    auto& e = rows[key];
    e.first.insert(r.seed);
    ++e.second;
  }
  for (const auto& [key, v] : rows) {
    std::vector<Cell> row;
    for (const auto& k : key) row.push_back({k});
    std::vector<std::string> seeds;
    for (auto s : v.first) seeds.push_back(std::to_string(s));
    row.push_back({join(seeds, ", ")});
    row.push_back({std::to_string(v.second)});
    t.rows.push_back(std::move(row));
  }
  if (rows.size() > 1) {
    for (size_t c = 0; c + 2 < t.header.size(); ++c) {
      bool differs = false;
      for (const auto& row : t.rows) differs = differs || row[c].text != t.rows[0][c].text;
      for (auto& row : t.rows) row[c].bad = differs;
    }
    t.note = "The runs come from more than one machine, commit or runtime: compare across rows with care.";
  }
  return t;
}

Table settings_table(const std::vector<Run>& runs, const Group& g) {
  Table t;
  t.title = "Guarantee settings";
  t.header = {"setting"};
  for (size_t i : g.runs) t.header.push_back(runs[i].label);
  auto row = [&](const std::string& name, auto cell_of) {
    std::vector<Cell> cells{{name}};
    for (size_t i : g.runs) cells.push_back(cell_of(runs[i]));
    t.rows.push_back(std::move(cells));
  };
  auto plain = [&](const std::string& name, std::initializer_list<std::string_view> path, const std::string& na) {
    row(name, [&](const Run& r) {
      std::string v = str_at(r.result, path, "–");
      std::string n = na.empty() ? "" : na_for(r, na);
      return Cell{n.empty() ? v : v + " (n/a)", !n.empty()};
    });
  };
  plain("replicas", {"config", "replicas"}, "replicas");
  plain("nodes", {"config", "nodes"}, "");
  plain("partitions", {"config", "partitions"}, "");
  plain("acks", {"config", "acks"}, "acks");
  plain("min in-sync", {"config", "min_insync"}, "min_insync");
  plain("fsync", {"config", "fsync"}, "fsync");
  row("batching (entries / bytes / linger ticks)", [&](const Run& r) {
    std::string v = str_at(r.result, {"config", "batch_max_entries"}, "–") + " / " +
                    fmt_bytes(num(r, {"config", "batch_max_bytes"})) + " / " +
                    str_at(r.result, {"config", "batch_linger_ticks"}, "–");
    std::string n = na_for(r, "batch");
    return Cell{n.empty() ? v : v + " (n/a)", !n.empty()};
  });
  plain("idempotence", {"config", "idempotence"}, "idempotence");
  row("commits when", [&](const Run& r) { return Cell{commit_rule(r)}; });
  for (const auto& [name, keys] : knob_rows()) {
    row(name, [&](const Run& r) {
      std::vector<std::string> parts;
      for (const auto& k : keys)
        if (std::string v = knob(r, k); !v.empty()) parts.push_back(k + "=" + v);
      return Cell{parts.empty() ? "–" : join(parts, ", ")};
    });
  }
  row("other engine knobs", [&](const Run& r) {
    std::vector<std::string> parts;
    if (const auto* e = json_at(r.result, {"config", "engine"}); e && e->is_object())
      for (auto it = e->begin(); it != e->end(); ++it)
        if (!is_key_knob(it.key()))
          parts.push_back(it.key() + "=" + (it->is_string() ? it->get<std::string>() : it->dump()));
    return Cell{parts.empty() ? "–" : join(parts, ", ")};
  });
  row("not applicable", [&](const Run& r) {
    std::vector<std::string> parts;
    if (const auto* na = json_at(r.result, {"config", "not_applicable"}); na && na->is_array())
      for (const auto& n : *na)
        if (n.is_string()) parts.push_back(n.get<std::string>());
    return Cell{parts.empty() ? "–" : join(parts, "; ")};
  });
  row("loss permitted because", [&](const Run& r) {
    std::string why = loss_permitted_because(r);
    return Cell{why.empty() ? "no (loss is a violation)" : why, !why.empty()};
  });
  row("seed", [&](const Run& r) { return Cell{std::to_string(r.seed)}; });
  t.note =
      "Highlighted: a setting the mode does not honour as written (see 'not applicable'), or a setting that "
      "permits losing acknowledged messages. Compare such columns with care.";
  return t;
}

Table throughput_table(const std::vector<Run>& runs, const Group& g) {
  Table t;
  t.title = "Throughput (measured phase)";
  t.header = {"run",   "offered (msg/s)", "publish (msg/s)", "publish (MB/s)", "consume (msg/s)", "consume (MB/s)",
              "acked", "failed",          "unknown",         "measured (s)"};
  for (size_t i : g.runs) {
    const Run& r = runs[i];
    double size = num(r, {"workload", "messageSize"}).value_or(0);
    auto consume = num(r, {"summary", "consume_rate"});
    auto offered = num(r, {"workload", "producerRate"});
    auto failed = num(r, {"summary", "failed"});
    auto unknown = num(r, {"summary", "unknown"});
    t.rows.push_back({{r.label},
                      {offered && *offered == 0 ? "max (closed loop)" : fmt_num(offered)},
                      {fmt_num(num(r, {"summary", "publish_rate"}))},
                      {fmt_num(num(r, {"summary", "publish_mb_per_s"}), 2)},
                      {fmt_num(consume)},
                      {consume ? fmt_num(*consume * size / 1e6, 2) : "–"},
                      {fmt_num(num(r, {"summary", "acked"}))},
                      {fmt_num(failed), failed.value_or(0) > 0},
                      {fmt_num(unknown), unknown.value_or(0) > 0},
                      {fmt_num(num(r, {"summary", "measured_seconds"}), 1)}});
  }
  t.note = "MB/s = 10^6 bytes of message payload per second. Acked/failed/unknown count the whole run.";
  return t;
}

Table latency_table(const std::vector<Run>& runs, const Group& g) {
  Table t;
  t.title = "Latency (ms)";
  t.header = {"run", "latency", "samples", "p50", "p99", "p99.9", "p99.99", "max", "mean"};
  for (size_t i : g.runs) {
    const Run& r = runs[i];
    std::vector<std::pair<std::string, std::string>> kinds{{"publish_latency", "publish"},
                                                           {"end_to_end", "end-to-end"}};
    if (num(r, {"summary", "schedule_slip", "max"}).value_or(0) > 0)
      kinds.push_back({"schedule_slip", "schedule slip"});
    for (const auto& [key, name] : kinds) {
      auto q = [&](const char* f) { return fmt_ms_from_ns(num_at(r.result, {"summary", key, f})); };
      auto count = num_at(r.result, {"summary", key, "count"});
      t.rows.push_back({{r.label},
                        {name},
                        {fmt_num(count), count.value_or(0) < 10000},
                        {q("p50")},
                        {q("p99")},
                        {q("p999")},
                        {q("p9999")},
                        {q("max")},
                        {q("mean")}});
    }
  }
  t.note =
      "Latency is measured from the intended send time (open loop, no coordinated omission). Publish: until the "
      "acknowledgement; end-to-end: until a consumer receives it. Schedule slip (shown when non-zero): how late "
      "the generator sent. Fewer than 10,000 samples (highlighted) make p99.99 meaningless.";
  return t;
}

Table resources_table(const std::vector<Run>& runs, const Group& g) {
  Table t;
  t.title = "Resources";
  t.header = {"run",        "network bytes/msg", "disk bytes/msg",       "fsyncs", "fsyncs per 1k msgs", "CPU (s)",
              "CPU µs/msg", "network msgs/msg",  "metadata quorum bytes"};
  for (size_t i : g.runs) {
    const Run& r = runs[i];
    double acked = num(r, {"summary", "acked"}).value_or(0);
    auto per = [&](std::optional<double> v, double scale) -> std::optional<double> {
      if (!v || acked <= 0) return std::nullopt;
      return *v * scale / acked;
    };
    auto fsyncs = num(r, {"resources", "fsyncs"});
    auto cpu = num(r, {"resources", "cpu_seconds"});
    t.rows.push_back({{r.label},
                      {fmt_num(num(r, {"resources", "network_bytes_per_message"}))},
                      {fmt_num(num(r, {"resources", "disk_bytes_per_message"}))},
                      {fmt_num(fsyncs)},
                      {fmt_num(per(fsyncs, 1000), 1)},
                      {fmt_num(cpu, 2)},
                      {fmt_num(per(cpu, 1e6), 1)},
                      {fmt_num(per(num(r, {"resources", "network_messages"}), 1), 2)},
                      {fmt_bytes(num(r, {"resources", "coordinator_bytes"}))}});
  }
  t.note =
      "Per message = divided by acknowledged messages of the whole run (warm-up included). Network bytes count "
      "replication traffic between nodes; the metadata quorum (coordinator) is counted separately.";
  return t;
}

Table correctness_table(const std::vector<Run>& runs, const Group& g) {
  Table t;
  t.title = "Correctness";
  t.header = {"run",       "valid",     "lost acked",   "expected loss",  "duplicated",    "unexpected",
              "reordered", "divergent", "multi-leader", "unknown landed", "leader changes"};
  for (size_t i : g.runs) {
    const Run& r = runs[i];
    auto v = [&](const char* k) { return num_at(r.result, {"verification", k}); };
    auto bad_cell = [&](const char* k) {
      auto x = v(k);
      return Cell{fmt_num(x), x.value_or(0) > 0};
    };
    const auto* valid = json_at(r.result, {"verification", "valid"});
    bool ok = valid && valid->is_boolean() && valid->get<bool>();
    std::string why = loss_permitted_because(r);
    auto expected = v("expected_loss");
    std::string exp = fmt_num(expected);
    if (expected.value_or(0) > 0 && !why.empty()) exp += " (" + why + ")";
    t.rows.push_back({{r.label},
                      {ok ? "yes" : "NO", !ok},
                      bad_cell("lost"),
                      {exp},
                      bad_cell("duplicated"),
                      bad_cell("unexpected"),
                      bad_cell("reordered"),
                      bad_cell("divergent"),
                      bad_cell("multi_leader"),
                      {fmt_num(v("unknown_landed"))},
                      {fmt_num(num(r, {"events", "leader_changes"}))}});
  }
  t.note =
      "Lost acked: acknowledged messages missing from the final log when the settings promise none. Expected "
      "loss: the same count when the settings permit it (why in brackets). Unknown landed: sends that timed out "
      "but were stored (not an error). '–': not checked by the build that wrote the result. See docs/checker.md.";
  return t;
}

}  // namespace rb::report
