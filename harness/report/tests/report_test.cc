// Report tests: grouping rule, tables from synthetic results, Markdown rows, a self-contained HTML
// page, and clear errors when gnuplot is missing or fails.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <sstream>

#include "harness/report/charts.h"
#include "harness/report/report_command.h"
#include "harness/report/tests/synthetic_result.h"

namespace rb::report {
namespace {

using testing::Synth;
using testing::synthetic_result;

Run run_of(const Synth& s, const std::string& file = "x.json") {
  auto r = make_run(file, synthetic_result(s));
  EXPECT_TRUE(r.ok());
  return std::move(r.value());
}

std::string read(const std::filesystem::path& p) {
  std::ifstream f(p);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

const Cell& cell(const Table& t, const std::string& row_label, size_t col) {
  for (const auto& row : t.rows)
    if (row[0].text == row_label) return row.at(col);
  ADD_FAILURE() << "no row " << row_label << " in " << t.title;
  static Cell none;
  return none;
}

TEST(Grouping, RunsThatDifferOnlyByModeShareOneGroupInModeOrder) {
  std::vector<rb::report::Run> runs{run_of({.mode = "gm"}), run_of({.mode = "raft"}), run_of({.mode = "masterslave"}),
                                    run_of({.mode = "isr"})};
  auto groups = group_runs(runs);
  ASSERT_EQ(groups.size(), 1u);
  std::vector<std::string> labels;
  for (size_t i : groups[0].runs) labels.push_back(runs[i].label);
  EXPECT_EQ(labels, (std::vector<std::string>{"masterslave", "raft", "isr", "gm"}));
  EXPECT_NE(groups[0].title.find("no faults"), std::string::npos);
}

TEST(Grouping, ModeKnobsAndSeedsStayTogetherCommonSettingsAndFaultsSplit) {
  Synth async{.mode = "masterslave", .settings = {{"masterslave.replication", "async"}}};
  Synth seed2{.mode = "raft", .seed = 2};
  Synth five{.mode = "raft", .replicas = 5};
  Synth killed{.mode = "raft", .faults = nlohmann::json::array({{{"spec", "kill:leader@2s"}, {"kind", "kill"}}})};
  Synth common_knob{.mode = "raft", .settings = {{"election_ticks", "20"}}};  // not mode-specific: splits
  std::vector<rb::report::Run> runs{run_of({.mode = "masterslave"}),
                                    run_of(async),
                                    run_of({.mode = "raft"}),
                                    run_of(seed2),
                                    run_of(five),
                                    run_of(killed),
                                    run_of(common_knob)};
  auto groups = group_runs(runs);
  ASSERT_EQ(groups.size(), 4u);
  ASSERT_EQ(groups[0].runs.size(), 4u);
  std::vector<std::string> labels;
  for (size_t i : groups[0].runs) labels.push_back(runs[i].label);
  EXPECT_EQ(labels,
            (std::vector<std::string>{"masterslave", "masterslave replication=async", "raft seed 1", "raft seed 2"}));
  EXPECT_NE(groups[2].title.find("kill:leader@2s"), std::string::npos);
}

TEST(Grouping, LoadSkipsNonResultJsonInDirectoriesButRejectsNamedFiles) {
  auto dir = testing::fresh_dir("load");
  testing::write_json(dir / "a.json", synthetic_result({}));
  testing::write_json(dir / "suite.json", {{"suite", "x"}});
  std::vector<std::string> warnings;
  auto runs = load_runs({dir.string()}, warnings);
  ASSERT_TRUE(runs.ok()) << runs.error().message;
  EXPECT_EQ(runs->size(), 1u);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("suite.json"), std::string::npos);
  auto bad = load_runs({(dir / "suite.json").string()}, warnings);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.code(), errc::bad_input);
  auto none = load_runs({(dir / "missing.json").string()}, warnings);
  EXPECT_EQ(none.code(), errc::not_found);
}

TEST(Tables, NumbersComeFromTheResultAndViolationsAreFlagged) {
  Synth lossy{.mode = "isr", .rate = 12345.6, .lost = 7};
  std::vector<rb::report::Run> runs{run_of({.mode = "raft"}), run_of(lossy)};
  auto groups = group_runs(runs);
  ASSERT_EQ(groups.size(), 1u);
  Table tput = throughput_table(runs, groups[0]);
  EXPECT_EQ(cell(tput, "raft", 2).text, "5,000");
  EXPECT_EQ(cell(tput, "isr", 2).text, "12,346");
  EXPECT_EQ(cell(tput, "isr", 3).text, "12.64");  // MB/s: 12345.6 * 1024 / 1e6
  Table corr = correctness_table(runs, groups[0]);
  EXPECT_EQ(cell(corr, "isr", 1).text, "NO");
  EXPECT_TRUE(cell(corr, "isr", 1).bad);
  EXPECT_EQ(cell(corr, "isr", 2).text, "7");
  EXPECT_TRUE(cell(corr, "isr", 2).bad);
  EXPECT_FALSE(cell(corr, "raft", 2).bad);
  Table lat = latency_table(runs, groups[0]);
  ASSERT_EQ(lat.rows.size(), 4u);  // publish + end-to-end per run
  EXPECT_EQ(lat.rows[0][1].text, "publish");
  EXPECT_EQ(lat.rows[0][2].text, "2,001");
  EXPECT_TRUE(lat.rows[0][2].bad);  // too few samples for p99.99
  Table settings = settings_table(runs, groups[0]);
  EXPECT_EQ(settings.header, (std::vector<std::string>{"setting", "raft", "isr"}));
  EXPECT_EQ(cell(settings, "min in-sync", 1).text, "2 (n/a)");
  EXPECT_TRUE(cell(settings, "min in-sync", 1).bad);
}

TEST(Tables, ReplicasNeededFollowEachModesRule) {
  std::vector<rb::report::Run> runs{
      run_of({.mode = "raft", .replicas = 5}), run_of({.mode = "isr", .replicas = 3, .min_insync = 2}),
      run_of({.mode = "masterslave", .engine = {{"failover", "manual"}, {"replication", "sync"}}}),
      run_of({.mode = "gm", .replicas = 3}), run_of({.mode = "isr", .acks = "leader"})};
  EXPECT_EQ(tolerance_of(runs[0]).no_loss, 2);
  EXPECT_EQ(tolerance_of(runs[0]).needed_f2, "5");
  EXPECT_EQ(tolerance_of(runs[1]).no_loss, 1);
  EXPECT_EQ(tolerance_of(runs[1]).writable, 1);
  EXPECT_EQ(tolerance_of(runs[2]).no_loss, 1);
  EXPECT_EQ(tolerance_of(runs[2]).writable, 0);  // manual failover: an operator must act
  EXPECT_EQ(tolerance_of(runs[3]).no_loss, 2);
  EXPECT_EQ(tolerance_of(runs[4]).no_loss, 0);
}

TEST(Tables, AvailabilityMatchesFaultsByIndexOrName) {
  Synth s{
      .mode = "raft",
      .faults = nlohmann::json::array({{{"spec", "kill:leader"},
                                        {"kind", "kill"},
                                        {"targets", {1}},
                                        {"start_s", 1.0},
                                        {"end_s", nullptr},
                                        {"status", "ok"},
                                        {"error", ""}},
                                       {{"spec", "pause:2"},
                                        {"kind", "pause"},
                                        {"targets", {2}},
                                        {"start_s", 3.0},
                                        {"end_s", 4.0},
                                        {"status", "ok"},
                                        {"error", ""}}}),
      .availability = nlohmann::json::array(
          {{{"fault", 0}, {"unavailable_ms", 812.5}, {"rto_ms", 830.0}, {"leader_changes", 1}, {"lost", 0}},
           {{"fault", "pause:2"}, {"unavailable_ms", 40.0}, {"rto_ms", nullptr}, {"leader_changes", 0}, {"lost", 3}}})};
  std::vector<rb::report::Run> runs{run_of(s)};
  auto groups = group_runs(runs);
  Table t = availability_table(runs, groups[0]);
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_EQ(t.rows[0][3].text, "1.0 – never healed");
  EXPECT_EQ(t.rows[0][5].text, "812");
  EXPECT_EQ(t.rows[0][6].text, "830");
  EXPECT_EQ(t.rows[1][6].text, "not recovered");
  EXPECT_EQ(t.rows[1][7].text, "3");
  EXPECT_TRUE(t.rows[1][7].bad);
}

TEST(Markdown, ContainsTheExpectedRows) {
  std::vector<rb::report::Run> runs{run_of({.mode = "raft"}), run_of({.mode = "gm", .rate = 800, .p50_ms = 4})};
  auto groups = group_runs(runs);
  ReportDoc doc = build_doc(runs, groups, "t");
  std::string md = render_markdown(doc, "charts");
  EXPECT_NE(md.find("| raft | 5,000 | 5,000 | 5.12 | 5,000 | 5.12 |"), std::string::npos) << md;
  EXPECT_NE(md.find("| gm | 5,000 | 800 | 0.82 |"), std::string::npos);
  EXPECT_NE(md.find("| gm | publish | **2,001** | 4.00 |"), std::string::npos);
  EXPECT_NE(md.find("### Replicas needed to survive f failures"), std::string::npos);
  EXPECT_NE(md.find("## Claims"), std::string::npos);
  EXPECT_NE(md.find("| 3 |"), std::string::npos);  // every claim listed, measured or not
  EXPECT_NE(md.find("**not measured**"), std::string::npos);
}

TEST(Html, ReportIsSelfContained) {
  if (!find_executable("gnuplot")) GTEST_SKIP() << "gnuplot not installed";
  auto dir = testing::fresh_dir("html");
  Synth faulty{.mode = "isr",
               .faults = nlohmann::json::array(
                   {{{"spec", "kill:leader"}, {"kind", "kill"}, {"start_s", 1.5}, {"end_s", 3.0}, {"status", "ok"}}})};
  testing::write_json(dir / "raft.json", synthetic_result({.mode = "raft"}));
  testing::write_json(dir / "gm.json", synthetic_result({.mode = "gm"}));
  testing::write_json(dir / "isr.json", synthetic_result(faulty));
  auto out = write_report({.inputs = {dir.string()}, .out_dir = (dir / "rep").string()}, nullptr);
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(out->groups, 2u);
  EXPECT_GE(out->charts, 8u);  // 4 per group
  std::string html = read(out->html);
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<?xml"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  // Every src/href points inside the page.
  std::regex ref(R"((src|href)\s*=\s*['"]([^'"]*)['"])");
  for (auto it = std::sregex_iterator(html.begin(), html.end(), ref); it != std::sregex_iterator(); ++it)
    EXPECT_EQ((*it)[2].str().substr(0, 1), "#") << (*it)[0].str();
  EXPECT_EQ(html.find("url(http"), std::string::npos);
  EXPECT_TRUE(std::filesystem::exists(dir / "rep" / "charts" / "group1-throughput.svg"));
  std::string md = read(out->markdown);
  EXPECT_NE(md.find("](charts/group1-throughput.svg)"), std::string::npos);
}

TEST(Charts, GnuplotFailureIsReportedClearly) {
  auto dir = testing::fresh_dir("gp");
  testing::write_json(dir / "raft.json", synthetic_result({}));
  auto out = write_report({.inputs = {dir.string()}, .gnuplot = "/bin/false"}, nullptr);
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.error().message.find("gnuplot ('/bin/false') failed with exit code 1"), std::string::npos)
      << out.error().message;
  EXPECT_NE(out.error().message.find("chart 'group1-throughput'"), std::string::npos);
  // The failing chart's script stays for inspection, and the message says where; remove it here so
  // test runs leave nothing in the temporary directory.
  const std::string& msg = out.error().message;
  size_t at = msg.find("(script: ");
  ASSERT_NE(at, std::string::npos) << msg;
  std::filesystem::path script = msg.substr(at + 9, msg.rfind(')') - at - 9);
  EXPECT_TRUE(std::filesystem::exists(script)) << script;
  EXPECT_NE(script.parent_path().filename().string().find("replbench-report-"), std::string::npos) << script;
  std::filesystem::remove_all(script.parent_path());
  auto missing = write_report({.inputs = {dir.string()}, .gnuplot = "/nonexistent/gnuplot"}, nullptr);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("gnuplot not found"), std::string::npos);
  EXPECT_NE(missing.error().message.find("gnuplot-nox"), std::string::npos);
  auto tables_only =
      write_report({.inputs = {dir.string()}, .gnuplot = "/nonexistent/gnuplot", .charts = false}, nullptr);
  ASSERT_TRUE(tables_only.ok()) << tables_only.error().message;
  EXPECT_EQ(tables_only->charts, 0u);
}

TEST(Charts, SvgIdsAreScopedPerChart) {
  std::string svg =
      "<?xml version=\"1.0\"?>\n<svg><defs><path id='gpPt0'/></defs><use xlink:href='#gpPt0'/>"
      "<g id=\"gnuplot_canvas\"/></svg>";
  std::string s = scope_svg_ids(svg, "c1");
  EXPECT_EQ(s,
            "<svg><defs><path id='c1_gpPt0'/></defs><use xlink:href='#c1_gpPt0'/><g id=\"c1_gnuplot_canvas\"/></svg>");
}

TEST(Options, UsageErrorsAreOneClearLine) {
  EXPECT_EQ(parse_report_options({}).code(), errc::invalid_config);
  auto bad = parse_report_options({"dir", "--bogus"});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("--bogus"), std::string::npos);
  auto ok = parse_report_options({"a", "b.json", "--out", "o", "--no-charts"});
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->inputs, (std::vector<std::string>{"a", "b.json"}));
  EXPECT_EQ(*ok->out_dir, "o");
  EXPECT_FALSE(ok->charts);
}

}  // namespace
}  // namespace rb::report
