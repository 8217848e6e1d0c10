#include "harness/report/charts.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace rb::report {

namespace fs = std::filesystem;

namespace {

std::string quote(const std::string& s) {  // gnuplot single-quoted string
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

std::string num(double v) {
  if (!std::isfinite(v)) return "?";
  std::ostringstream os;
  os.precision(10);
  os << v;
  return os.str();
}

std::string read_head(const std::string& path, size_t max_lines) {
  std::ifstream f(path);
  std::string line, out;
  for (size_t i = 0; i < max_lines && std::getline(f, line); ++i) out += (out.empty() ? "" : " | ") + line;
  return out;
}

void replace_all(std::string& s, const std::string& from, const std::string& to) {
  for (size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size())
    s.replace(pos, from.size(), to);
}

}  // namespace

std::optional<std::string> find_executable(const std::string& name) {
  if (name.empty()) return std::nullopt;
  if (name.find('/') != std::string::npos) {
    if (access(name.c_str(), X_OK) == 0) return name;
    return std::nullopt;
  }
  const char* path = std::getenv("PATH");
  std::stringstream ss(path ? path : "/usr/bin:/bin");
  std::string dir;
  while (std::getline(ss, dir, ':')) {
    std::string p = (dir.empty() ? "." : dir) + "/" + name;
    if (access(p.c_str(), X_OK) == 0) return p;
  }
  return std::nullopt;
}

Result<int> run_process(const std::vector<std::string>& argv, const std::string& stderr_file) {
  if (argv.empty()) return make_error(errc::invalid_config, "run_process: empty command");
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = fork();
  if (pid < 0) return make_error(errc::io_error, "cannot fork to run " + argv[0]);
  if (pid == 0) {
    int devnull = open("/dev/null", O_RDWR);
    int err = open(stderr_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (devnull >= 0) {
      dup2(devnull, 0);
      dup2(devnull, 1);
    }
    if (err >= 0) dup2(err, 2);
    execvp(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return make_error(errc::io_error, "waitpid failed for " + argv[0]);
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

std::string scope_svg_ids(const std::string& svg, const std::string& prefix) {
  std::string s = svg;
  if (s.rfind("<?xml", 0) == 0) s.erase(0, s.find("?>") + 2);
  while (!s.empty() && (s[0] == '\n' || s[0] == '\r' || s[0] == ' ')) s.erase(0, 1);
  replace_all(s, "id='", "id='" + prefix + "_");
  replace_all(s, "id=\"", "id=\"" + prefix + "_");
  replace_all(s, "href='#", "href='#" + prefix + "_");
  replace_all(s, "href=\"#", "href=\"#" + prefix + "_");
  replace_all(s, "url(#", "url(#" + prefix + "_");
  return s;
}

std::string mode_color(const std::string& mode, size_t fallback_index) {
  if (mode == "masterslave") return "#d55e00";
  if (mode == "raft") return "#0072b2";
  if (mode == "isr") return "#009e73";
  if (mode == "gm") return "#cc79a7";
  static const char* palette[] = {"#e69f00", "#56b4e9", "#000000", "#f0e442", "#999999", "#882255"};
  return palette[fallback_index % 6];
}

Plotter::Plotter(std::string gnuplot, fs::path work_dir) : gnuplot_(std::move(gnuplot)), dir_(std::move(work_dir)) {}

Status Plotter::available() const {
  if (!find_executable(gnuplot_))
    return make_error(errc::unsupported, "gnuplot not found ('" + gnuplot_ +
                                             "'): install it with scripts/setup.sh (Debian package gnuplot-nox), "
                                             "point --gnuplot at it, or use --no-charts");
  return {};
}

std::string Plotter::script(const ChartSpec& spec, const std::vector<std::string>& data_files,
                            const std::string& svg_path) {
  std::ostringstream g;
  g << "set terminal svg size 800,380 dynamic noenhanced font 'Helvetica,12' background '#ffffff'\n";
  g << "set output " << quote(svg_path) << "\n";
  g << "set datafile missing '?'\n";
  g << "set border 3 lc rgb '#555555'\nset tics nomirror\nset grid ytics lc rgb '#dddddd' dt 1\n";
  g << "set key below horizontal samplen 2 spacing 1.1\n";
  g << "set xlabel " << quote(spec.xlabel) << "\nset ylabel " << quote(spec.ylabel) << "\n";
  if (spec.logx) g << "set logscale x\n";
  if (spec.logy) g << "set logscale y\n";
  if (!spec.xtics.empty()) g << "set xtics " << spec.xtics << "\n";
  if (spec.xmin || spec.xmax)
    g << "set xrange [" << (spec.xmin ? num(*spec.xmin) : "*") << ":" << (spec.xmax ? num(*spec.xmax) : "*") << "]\n";
  if (spec.ymin) g << "set yrange [" << num(*spec.ymin) << ":*]\n";
  int obj = 1;
  for (const auto& s : spec.shades) {
    g << "set object " << obj++ << " rect from " << num(s.from) << ", graph 0 to " << num(s.to)
      << ", graph 1 fc rgb '#f4b6b6' fs solid 0.35 noborder behind\n";
    if (!s.label.empty())
      g << "set label " << obj << " " << quote(s.label) << " at " << num(s.from) << ", graph 0.96 offset 0.3,0 "
        << "font 'Helvetica,11' tc rgb '#a33'\n";
  }
  if (spec.vline)
    g << "set arrow from " << num(*spec.vline) << ", graph 0 to " << num(*spec.vline)
      << ", graph 1 nohead dt 2 lc rgb '#777777'\n";
  if (spec.kind == ChartSpec::Kind::bars) {
    g << "set style data histograms\nset style histogram clustered gap 1\n";
    g << "set style fill solid 0.85 border -1\nset boxwidth 0.9\nset yrange [0:*]\nset xtics scale 0\n";
    size_t longest = 0;
    for (const auto& c : spec.categories) longest = std::max(longest, c.size());
    // Many or long category names would overlap: slant them and make room below.
    if (spec.categories.size() * longest > 60) g << "set xtics rotate by 25 right\nset bmargin 9\nset lmargin 18\n";
    g << "plot ";
    for (size_t i = 0; i < spec.series.size(); ++i) {
      const auto& s = spec.series[i];
      g << (i ? ", \\\n     " : "") << (i ? "''" : quote(data_files.at(0))) << " using " << (i + 2)
        << (i ? "" : ":xtic(1)") << " title " << quote(s.name) << " lc rgb "
        << quote(s.color.empty() ? mode_color("", i) : s.color);
    }
    g << "\n";
    return g.str();
  }
  g << "plot ";
  for (size_t i = 0; i < spec.series.size(); ++i) {
    const auto& s = spec.series[i];
    std::string style = spec.kind == ChartSpec::Kind::points ? "linespoints pt 7 ps 0.8" : "lines";
    g << (i ? ", \\\n     " : "") << quote(data_files.at(i)) << " using 1:2 with " << style << " lw 2 dt " << s.dash
      << " lc rgb " << quote(s.color.empty() ? mode_color("", i) : s.color) << " title " << quote(s.name);
  }
  g << "\n";
  return g.str();
}

Result<Chart> Plotter::render(const ChartSpec& spec) const {
  if (auto s = available(); !s.ok()) return s.error();
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec) return make_error(errc::io_error, "cannot create " + dir_.string() + ": " + ec.message());
  if (spec.series.empty()) return make_error(errc::invalid_config, "chart '" + spec.id + "' has no data");
  std::vector<std::string> files;
  auto write = [&](const std::string& name, const std::string& text) -> Status {
    std::ofstream f(dir_ / name);
    f << text;
    if (!f) return make_error(errc::io_error, "cannot write " + (dir_ / name).string());
    files.push_back((dir_ / name).string());
    return {};
  };
  if (spec.kind == ChartSpec::Kind::bars) {
    std::ostringstream d;
    for (size_t c = 0; c < spec.categories.size(); ++c) {
      std::string cat = spec.categories[c];
      for (auto& ch : cat)
        if (ch == '"') ch = '\'';
      d << '"' << cat << '"';
      for (const auto& s : spec.series) {
        double v = NAN;
        for (const auto& [x, y] : s.points)
          if (static_cast<size_t>(x) == c) v = y;
        d << ' ' << num(v);
      }
      d << '\n';
    }
    if (auto s = write(spec.id + ".dat", d.str()); !s.ok()) return s.error();
  } else {
    for (size_t i = 0; i < spec.series.size(); ++i) {
      std::ostringstream d;
      // A point without a value breaks the line (gnuplot draws no segment across a blank line).
      for (const auto& [x, y] : spec.series[i].points)
        d << (std::isfinite(y) ? num(x) + ' ' + num(y) + '\n' : std::string("\n"));
      if (spec.series[i].points.empty()) d << "? ?\n";
      if (auto s = write(spec.id + "." + std::to_string(i) + ".dat", d.str()); !s.ok()) return s.error();
    }
  }
  std::string svg_path = (dir_ / (spec.id + ".svg")).string();
  std::string gp_path = (dir_ / (spec.id + ".gp")).string();
  std::string err_path = (dir_ / (spec.id + ".stderr")).string();
  {
    std::ofstream f(gp_path);
    f << script(spec, files, svg_path);
    if (!f) return make_error(errc::io_error, "cannot write " + gp_path);
  }
  fs::remove(svg_path, ec);
  auto rc = run_process({gnuplot_, gp_path}, err_path);
  if (!rc.ok()) return rc.error();
  std::string why = read_head(err_path, 3);
  if (*rc != 0)
    return make_error(errc::io_error, "gnuplot ('" + gnuplot_ + "') failed with exit code " + std::to_string(*rc) +
                                          " drawing chart '" + spec.id + "'" + (why.empty() ? "" : ": " + why) +
                                          " (script: " + gp_path + ")");
  std::ifstream in(svg_path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string svg = ss.str();
  if (svg.find("<svg") == std::string::npos || svg.find("</svg>") == std::string::npos)
    return make_error(errc::io_error, "gnuplot ('" + gnuplot_ + "') wrote no SVG for chart '" + spec.id + "'" +
                                          (why.empty() ? "" : ": " + why) + " (script: " + gp_path + ")");
  return Chart{spec.id, spec.title, spec.caption, scope_svg_ids(svg, spec.id)};
}

}  // namespace rb::report
