#pragma once
// Charts, drawn by gnuplot (Debian gnuplot-nox, `set terminal svg`) run as a subprocess on data
// files in a temporary directory. The SVG never is hand-written here: a ChartSpec describes the
// data and the axes, and Plotter turns it into a gnuplot script.
//
// Failure: a missing gnuplot, a gnuplot that exits non-zero or writes no SVG is an error naming
// the chart, the gnuplot path and gnuplot's first stderr lines; the report stops on it (use
// --no-charts to render tables only).
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "replication/core/result.h"

namespace rb::report {

struct Series {
  std::string name{};
  std::vector<std::pair<double, double>> points{};  // (x, y); for bar charts x is the category index
  std::string color{};                              // "#rrggbb"; empty = palette
  int dash = 1;                                     // gnuplot dash type (1 solid, 2 dashed, ...)
};

struct Shade {  // a shaded x range (a fault window)
  double from = 0, to = 0;
  std::string label;
};

struct ChartSpec {
  enum class Kind { lines, points, bars };
  std::string id{};       // file-name safe, unique in a report
  std::string title{};    // printed above the chart
  std::string caption{};  // one sentence under it: what to read from it
  std::string xlabel{}, ylabel{};
  Kind kind = Kind::lines;
  std::vector<Series> series{};
  std::vector<std::string> categories{};  // bar charts: one per x index
  bool logx = false, logy = false;
  std::string xtics{};  // raw gnuplot tic list, e.g. ("50%" 2, "99%" 100); empty = automatic
  std::optional<double> xmin{}, xmax{}, ymin{};
  std::vector<Shade> shades{};
  std::optional<double> vline{};  // dashed vertical marker (start of the measured phase)
};

struct Chart {
  std::string id, title, caption;
  std::string svg;  // <svg ...>...</svg> without XML prolog; ids prefixed with the chart id
};

class Plotter {
 public:
  // `gnuplot`: a path or a name looked up in PATH. `work_dir`: where data and scripts go (created).
  Plotter(std::string gnuplot, std::filesystem::path work_dir);

  // failed_precondition-style error (errc::unsupported) when gnuplot cannot be found.
  Status available() const;
  Result<Chart> render(const ChartSpec& spec) const;

  // Builds the script for `spec` whose data files are `data_files` (one per series, or one for
  // bars) and whose output is `svg_path`. Public for tests.
  static std::string script(const ChartSpec& spec, const std::vector<std::string>& data_files,
                            const std::string& svg_path);

 private:
  std::string gnuplot_;
  std::filesystem::path dir_;
};

// Runs argv[0] (looked up in PATH when it has no '/') with stdout to /dev/null and stderr to
// `stderr_file`; returns the exit status (127 when it could not be started).
Result<int> run_process(const std::vector<std::string>& argv, const std::string& stderr_file);

// Finds an executable: `name` itself when it contains '/', else the first match in PATH.
std::optional<std::string> find_executable(const std::string& name);

// Prefixes every id (and reference to one) in a gnuplot SVG with `prefix`, so several charts can
// sit inline in one HTML page, and drops the XML prolog.
std::string scope_svg_ids(const std::string& svg, const std::string& prefix);

// A colour per mode, so each mode looks the same in every chart.
std::string mode_color(const std::string& mode, size_t fallback_index);

}  // namespace rb::report
