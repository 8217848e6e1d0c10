#include "harness/report/render.h"

#include <sstream>

namespace rb::report {

namespace {

bool any_measured(const ReportDoc& doc) {
  for (const auto& c : doc.claims)
    if (c.verdict != Verdict::not_measured) return true;
  return false;
}

std::string md_cell(const Cell& c) {
  std::string s;
  for (char ch : c.text) {
    if (ch == '|')
      s += "\\|";
    else if (ch == '\n')
      s += ' ';
    else
      s += ch;
  }
  if (c.bad && !s.empty()) s = "**" + s + "**";
  return s;
}

void md_table(std::ostringstream& o, const Table& t, const std::string& level) {
  o << level << " " << t.title << "\n\n";
  if (t.rows.empty()) {
    o << "_Nothing to show._\n\n";
    return;
  }
  o << "|";
  for (const auto& h : t.header) o << " " << md_cell({h}) << " |";
  o << "\n|";
  for (size_t i = 0; i < t.header.size(); ++i) o << (i == 0 ? "---|" : "--:|");
  o << "\n";
  for (const auto& row : t.rows) {
    o << "|";
    for (const auto& c : row) o << " " << md_cell(c) << " |";
    o << "\n";
  }
  if (!t.note.empty()) o << "\n" << t.note << "\n";
  o << "\n";
}

void md_claims(std::ostringstream& o, const ReportDoc& doc, const std::string& chart_dir) {
  o << "## Claims\n\n";
  o << "Each claim from the toolkit's sources, the measurement that tests it and what these runs say.\n\n";
  o << "| # | claim | measured by | verdict |\n|---|---|---|---|\n";
  for (const auto& c : doc.claims)
    o << "| " << c.number << " | " << md_cell({c.claim}) << " | " << md_cell({c.measurement}) << " | **"
      << to_string(c.verdict) << "** |\n";
  o << "\n";
  for (const auto& c : doc.claims) {
    o << "### Claim " << c.number << ": " << to_string(c.verdict) << "\n\n> " << c.claim << "\n\n";
    o << c.explanation << "\n\n";
    if (!c.runs.empty()) {
      o << "Runs (" << c.source << "): ";
      for (size_t i = 0; i < c.runs.size(); ++i) o << (i ? ", " : "") << c.runs[i];
      o << ".\n\n";
    }
    if (auto it = doc.claim_charts.find(c.number); it != doc.claim_charts.end())
      o << "![" << it->second.title << "](" << chart_dir << "/" << it->second.id << ".svg)\n\n";
  }
}

// --- HTML -----------------------------------------------------------------------------------------

constexpr const char* kCss = R"(
body{font:14px/1.45 -apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:#222;margin:0;background:#f6f7f9}
main{max-width:1360px;margin:0 auto;padding:24px 28px 60px;background:#fff}
h1{font-size:26px;margin:0 0 4px}h2{font-size:21px;margin:34px 0 10px;border-bottom:2px solid #e3e6ea;padding-bottom:4px}
h3{font-size:16px;margin:22px 0 8px}p.sub{color:#555;margin:0 0 14px}
table{border-collapse:collapse;margin:6px 0 4px;font-size:13px;font-variant-numeric:tabular-nums}
th,td{border:1px solid #d8dce1;padding:4px 8px;vertical-align:top}th{background:#eef1f4;text-align:left}
td{text-align:right}td:first-child{text-align:left;font-weight:600;white-space:nowrap}
table.wide{width:100%}table.wide td{text-align:left;overflow-wrap:anywhere}.scroll{overflow-x:auto}td.bad{background:#fde2e1;color:#8a1c13;font-weight:600}
p.note{color:#555;font-size:12.5px;margin:2px 0 16px;max-width:1100px}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(560px,1fr));gap:14px 22px}
figure{margin:0;border:1px solid #e3e6ea;padding:8px 10px;background:#fff}figure h4{margin:0 0 4px;font-size:14px}
figure svg{width:100%;height:auto;display:block}figcaption{color:#555;font-size:12.5px}
.verdict{display:inline-block;padding:1px 8px;border-radius:10px;font-weight:600;font-size:12.5px;white-space:nowrap}
.v-held{background:#d9f2e1;color:#14632f}.v-partly{background:#fff1c9;color:#7a5400}
.v-not{background:#fde2e1;color:#8a1c13}.v-inc{background:#e9ecf0;color:#3d4650}.v-nm{background:#f3f4f6;color:#777}
.runs{font-size:12.5px;color:#444}.warn{background:#fff4d6;border:1px solid #f0d68a;padding:6px 10px;margin:8px 0}
nav{font-size:13px;margin:10px 0 0}nav a{margin-right:12px}
blockquote{margin:6px 0 8px;padding:4px 12px;border-left:4px solid #c9d3dd;color:#333}
)";

std::string verdict_class(Verdict v) {
  switch (v) {
    case Verdict::held:
      return "v-held";
    case Verdict::partly_held:
      return "v-partly";
    case Verdict::did_not_hold:
      return "v-not";
    case Verdict::inconclusive:
      return "v-inc";
    case Verdict::not_measured:
      return "v-nm";
  }
  return "v-nm";
}

void html_table(std::ostringstream& o, const Table& t, bool wide) {
  o << "<h3>" << html_escape(t.title) << "</h3>\n";
  if (t.rows.empty()) {
    o << "<p class=\"note\">Nothing to show.</p>\n";
    return;
  }
  o << "<div class=\"scroll\"><table" << (wide ? " class=\"wide\"" : "") << "><thead><tr>";
  for (const auto& h : t.header) o << "<th>" << html_escape(h) << "</th>";
  o << "</tr></thead><tbody>\n";
  for (const auto& row : t.rows) {
    o << "<tr>";
    for (const auto& c : row) o << (c.bad ? "<td class=\"bad\">" : "<td>") << html_escape(c.text) << "</td>";
    o << "</tr>\n";
  }
  o << "</tbody></table></div>\n";
  if (!t.note.empty()) o << "<p class=\"note\">" << html_escape(t.note) << "</p>\n";
}

void html_chart(std::ostringstream& o, const Chart& c) {
  o << "<figure id=\"fig-" << html_escape(c.id) << "\"><h4>" << html_escape(c.title) << "</h4>\n"
    << c.svg << "\n<figcaption>" << html_escape(c.caption) << "</figcaption></figure>\n";
}

void html_claims(std::ostringstream& o, const ReportDoc& doc) {
  o << "<h2 id=\"claims\">Claims</h2>\n<p class=\"sub\">Each claim from the toolkit's sources, the measurement "
       "that tests it and what these runs say.</p>\n";
  o << "<table class=\"wide\"><thead><tr><th>#</th><th>claim</th><th>measured by</th><th>verdict</th><th>what the "
       "runs show</th></tr></thead><tbody>\n";
  for (const auto& c : doc.claims)
    o << "<tr><td>" << c.number << "</td><td>" << html_escape(c.claim) << "</td><td>" << html_escape(c.measurement)
      << "</td><td><span class=\"verdict " << verdict_class(c.verdict) << "\">" << to_string(c.verdict)
      << "</span></td><td>" << html_escape(c.explanation) << "</td></tr>\n";
  o << "</tbody></table>\n<div class=\"charts\">\n";
  for (const auto& c : doc.claims)
    if (auto it = doc.claim_charts.find(c.number); it != doc.claim_charts.end()) html_chart(o, it->second);
  o << "</div>\n";
}

}  // namespace

std::string html_escape(const std::string& s) {
  std::string o;
  for (char c : s) {
    switch (c) {
      case '&':
        o += "&amp;";
        break;
      case '<':
        o += "&lt;";
        break;
      case '>':
        o += "&gt;";
        break;
      case '"':
        o += "&quot;";
        break;
      default:
        o += c;
    }
  }
  return o;
}

std::string render_markdown(const ReportDoc& doc, const std::string& chart_dir) {
  std::ostringstream o;
  o << "# " << doc.title << "\n\n" << doc.summary << "\n\n";
  for (const auto& w : doc.warnings) o << "> warning: " << w << "\n";
  if (!doc.warnings.empty()) o << "\n";
  md_table(o, doc.environment, "##");
  bool claims_first = any_measured(doc);
  if (claims_first) md_claims(o, doc, chart_dir);
  for (size_t g = 0; g < doc.groups.size(); ++g) {
    const auto& sec = doc.groups[g];
    o << "## Group " << g + 1 << ": " << sec.title << "\n\n";
    for (const auto& [label, file] : sec.runs) o << "- **" << label << "**: `" << file << "`\n";
    o << "\n";
    for (const auto& t : sec.tables) md_table(o, t, "###");
    for (const auto& c : sec.charts)
      o << "![" << c.title << "](" << chart_dir << "/" << c.id << ".svg)\n\n_" << c.caption << "_\n\n";
  }
  if (!claims_first) md_claims(o, doc, chart_dir);
  return o.str();
}

std::string render_html(const ReportDoc& doc) {
  std::ostringstream o;
  o << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>" << html_escape(doc.title)
    << "</title>\n<style>" << kCss << "</style></head>\n<body><main>\n";
  o << "<h1>" << html_escape(doc.title) << "</h1>\n<p class=\"sub\">" << html_escape(doc.summary) << "</p>\n";
  bool claims_first = any_measured(doc);
  o << "<nav>";
  if (claims_first) o << "<a href=\"#claims\">Claims</a>";
  for (size_t g = 0; g < doc.groups.size(); ++g)
    o << "<a href=\"#group-" << g + 1 << "\">Group " << g + 1 << ": " << html_escape(doc.groups[g].title) << "</a>";
  if (!claims_first) o << "<a href=\"#claims\">Claims</a>";
  o << "</nav>\n";
  for (const auto& w : doc.warnings) o << "<div class=\"warn\">" << html_escape(w) << "</div>\n";
  html_table(o, doc.environment, true);
  if (claims_first) html_claims(o, doc);
  for (size_t g = 0; g < doc.groups.size(); ++g) {
    const auto& sec = doc.groups[g];
    o << "<h2 id=\"group-" << g + 1 << "\">Group " << g + 1 << ": " << html_escape(sec.title) << "</h2>\n";
    o << "<p class=\"runs\">";
    for (size_t i = 0; i < sec.runs.size(); ++i)
      o << (i ? " · " : "") << "<b>" << html_escape(sec.runs[i].first) << "</b>: " << html_escape(sec.runs[i].second);
    o << "</p>\n";
    for (size_t t = 0; t < sec.tables.size(); ++t) html_table(o, sec.tables[t], t == 0 || t + 1 == sec.tables.size());
    if (!sec.charts.empty()) {
      o << "<div class=\"charts\">\n";
      for (const auto& c : sec.charts) html_chart(o, c);
      o << "</div>\n";
    }
  }
  if (!claims_first) html_claims(o, doc);
  o << "</main></body></html>\n";
  return o.str();
}

}  // namespace rb::report
