#include "harness/report/report_command.h"

#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>

#include "harness/report/report_charts.h"

namespace rb::report {

namespace fs = std::filesystem;

namespace {

constexpr const char* kHelp = R"(usage: replbench report DIR|FILES... [flags]

Renders report.md and a self-contained report.html (charts inline, opens offline) from result
files (schema replbench-result/1). A directory contributes every result *.json below it. Runs that
differ only by mode (and mode-specific engine knobs) are grouped side by side.

  --out DIR         where to write (default: the first DIR given, else the first file's directory);
                    writes DIR/report.md, DIR/report.html and DIR/charts/*.svg
  --gnuplot PATH    gnuplot to draw charts with (default: gnuplot in PATH; Debian gnuplot-nox)
  --no-charts       tables only (gnuplot not needed)
  --png             also write DIR/charts/*.png for slides (needs rsvg-convert, Debian librsvg2-bin)
  --title TEXT      page title
)";

void say(std::FILE* f, const std::string& s) {
  if (!f) return;
  std::fprintf(f, "report: %s\n", s.c_str());
  std::fflush(f);
}

Status write_file(const fs::path& p, const std::string& text) {
  std::ofstream f(p);
  f << text;
  if (!f) return make_error(errc::io_error, "cannot write " + p.string());
  return {};
}

Result<fs::path> make_temp_dir() {
  std::string tmpl = (fs::temp_directory_path() / "replbench-report-XXXXXX").string();
  if (!mkdtemp(tmpl.data())) return make_error(errc::io_error, "cannot create a temporary directory");
  return fs::path(tmpl);
}

struct PlannedChart {
  int group = -1;  // index of the group, or -1 for a claim chart
  int claim = 0;
  ChartSpec spec;
};

}  // namespace

Result<ReportOptions> parse_report_options(const std::vector<std::string>& args) {
  ReportOptions o;
  auto usage = [](std::string m) { return make_error(errc::invalid_config, std::move(m)); };
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&]() -> Result<std::string> {
      if (i + 1 >= args.size()) return usage(a + " needs a value");
      return args[++i];
    };
    if (a == "--out" || a == "--gnuplot" || a == "--title") {
      auto v = value();
      if (!v.ok()) return v.error();
      if (a == "--out") o.out_dir = *v;
      if (a == "--gnuplot") o.gnuplot = *v;
      if (a == "--title") o.title = *v;
    } else if (a == "--no-charts") {
      o.charts = false;
    } else if (a == "--png") {
      o.png = true;
    } else if (a.rfind("--", 0) == 0) {
      return usage("unknown flag '" + a + "' (see replbench report --help)");
    } else {
      o.inputs.push_back(a);
    }
  }
  if (o.inputs.empty()) return usage("give at least one result directory or file (see replbench report --help)");
  if (o.png && !o.charts) return usage("--png needs charts; drop --no-charts");
  return o;
}

ReportDoc build_doc(std::vector<Run>& runs, const std::vector<Group>& groups, const std::string& title) {
  ReportDoc doc;
  doc.title = title;
  std::set<std::string> modes;
  for (const auto& r : runs) modes.insert(r.mode);
  std::string ms;
  for (const auto& m : modes) ms += (ms.empty() ? "" : ", ") + m;
  doc.summary = std::to_string(runs.size()) + " run" + (runs.size() == 1 ? "" : "s") + " (" + ms + ") in " +
                std::to_string(groups.size()) + " group" + (groups.size() == 1 ? "" : "s") +
                ". A group holds runs with the same workload, fault schedule, runtime and common settings; they "
                "differ only by mode, mode-specific engine knobs and seed.";
  doc.environment = environment_table(runs);
  for (const auto& g : groups) {
    GroupSection sec;
    sec.title = g.title;
    for (size_t i : g.runs) sec.runs.push_back({runs[i].label, runs[i].file});
    sec.tables = {settings_table(runs, g), throughput_table(runs, g), latency_table(runs, g), resources_table(runs, g),
                  correctness_table(runs, g)};
    Table avail = availability_table(runs, g);
    if (!avail.rows.empty()) sec.tables.push_back(std::move(avail));
    sec.tables.push_back(replicas_table(runs, g));
    doc.groups.push_back(std::move(sec));
  }
  doc.claims = evaluate_claims(runs);
  return doc;
}

Result<ReportOutput> write_report(const ReportOptions& opt, std::FILE* progress) {
  say(progress, "reading results from " + std::to_string(opt.inputs.size()) + " path(s)");
  std::vector<std::string> warnings;
  auto loaded = load_runs(opt.inputs, warnings);
  if (!loaded.ok()) return loaded.error();
  std::vector<Run> runs = std::move(loaded.value());
  for (const auto& w : warnings) say(progress, "warning: " + w);
  auto groups = group_runs(runs);
  say(progress, std::to_string(runs.size()) + " runs in " + std::to_string(groups.size()) + " group(s)");

  ReportOptions o = opt;
  fs::path out = o.out_dir                       ? fs::path(*o.out_dir)
                 : fs::is_directory(o.inputs[0]) ? fs::path(o.inputs[0])
                                                 : fs::path(o.inputs[0]).parent_path();
  if (out.empty()) out = ".";
  std::error_code ec;
  fs::create_directories(out / "charts", ec);
  if (ec) return make_error(errc::io_error, "cannot create " + (out / "charts").string() + ": " + ec.message());

  ReportDoc doc = build_doc(runs, groups, o.title);
  doc.warnings = warnings;

  std::vector<PlannedChart> plan;
  if (o.charts) {
    for (size_t g = 0; g < groups.size(); ++g)
      for (auto& s : group_chart_specs(runs, groups[g], "group" + std::to_string(g + 1)))
        plan.push_back({static_cast<int>(g), 0, std::move(s)});
    for (const auto& c : doc.claims)
      if (c.chart) plan.push_back({-1, c.number, *c.chart});
  }
  size_t drawn = 0;
  if (!plan.empty()) {
    Plotter plotter(o.gnuplot, fs::path());
    if (auto s = plotter.available(); !s.ok()) return s.error();
    auto tmp = make_temp_dir();
    if (!tmp.ok()) return tmp.error();
    Plotter p(o.gnuplot, *tmp);
    for (auto& pc : plan) {
      say(progress, "chart " + std::to_string(drawn + 1) + "/" + std::to_string(plan.size()) + ": " + pc.spec.title);
      auto chart = p.render(pc.spec);
      if (!chart.ok()) return chart.error();  // the temp dir stays for inspection
      if (auto s = write_file(out / "charts" / (chart->id + ".svg"),
                              "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n" + chart->svg);
          !s.ok())
        return s.error();
      if (o.png) {
        auto conv = find_executable(o.rsvg_convert);
        if (!conv)
          return make_error(errc::unsupported, "--png needs rsvg-convert ('" + o.rsvg_convert +
                                                   "' not found): install Debian package librsvg2-bin");
        std::string svg = (out / "charts" / (chart->id + ".svg")).string();
        std::string png = (out / "charts" / (chart->id + ".png")).string();
        auto rc = run_process({*conv, "-w", "1920", "-b", "white", "-o", png, svg}, (*tmp / "rsvg.stderr").string());
        if (!rc.ok()) return rc.error();
        if (*rc != 0)
          return make_error(errc::io_error, "rsvg-convert failed (exit " + std::to_string(*rc) + ") on " + svg);
      }
      if (pc.group >= 0)
        doc.groups[static_cast<size_t>(pc.group)].charts.push_back(std::move(chart.value()));
      else
        doc.claim_charts[pc.claim] = std::move(chart.value());
      ++drawn;
    }
    fs::remove_all(*tmp, ec);
  }
  ReportOutput res;
  res.out_dir = out.string();
  res.markdown = (out / "report.md").string();
  res.html = (out / "report.html").string();
  res.runs = runs.size();
  res.groups = groups.size();
  res.charts = drawn;
  if (auto s = write_file(res.markdown, render_markdown(doc, "charts")); !s.ok()) return s.error();
  if (auto s = write_file(res.html, render_html(doc)); !s.ok()) return s.error();
  say(progress, "wrote " + res.markdown + " and " + res.html + " (" + std::to_string(drawn) + " charts)");
  return res;
}

}  // namespace rb::report

namespace rb::harness {

int cmd_report(const std::vector<std::string>& args) {
  for (const auto& a : args)
    if (a == "--help" || a == "-h") {
      std::fputs(report::kHelp, stdout);
      return 0;
    }
  auto opts = report::parse_report_options(args);
  if (!opts.ok()) {
    std::fprintf(stderr, "replbench report: %s\n", opts.error().message.c_str());
    return 2;
  }
  auto out = report::write_report(*opts, stdout);
  if (!out.ok()) {
    std::fprintf(stderr, "replbench report: %s\n", out.error().message.c_str());
    return out.code() == errc::invalid_config || out.code() == errc::not_found || out.code() == errc::bad_input ? 2 : 1;
  }
  std::printf("report: %s (open %s in a browser)\n", out->html.c_str(), out->html.c_str());
  return 0;
}

}  // namespace rb::harness
