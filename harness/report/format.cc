// Number formatting shared by every table (tables.h).
#include <cmath>
#include <cstdio>

#include "harness/report/tables.h"

namespace rb::report {

namespace {
constexpr const char* kAbsent = "–";

std::string group_thousands(const std::string& digits) {
  std::string out;
  size_t start = digits[0] == '-' ? 1 : 0;
  size_t n = digits.size() - start;
  out += digits.substr(0, start);
  for (size_t i = 0; i < n; ++i) {
    out += digits[start + i];
    size_t left = n - i - 1;
    if (left > 0 && left % 3 == 0) out += ',';
  }
  return out;
}
}  // namespace

std::string fmt_num(std::optional<double> v, int decimals) {
  if (!v || !std::isfinite(*v)) return kAbsent;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, *v);
  std::string s = buf;
  auto dot = s.find('.');
  std::string ip = dot == std::string::npos ? s : s.substr(0, dot);
  std::string fp = dot == std::string::npos ? "" : s.substr(dot);
  return group_thousands(ip) + fp;
}

std::string fmt_ms(std::optional<double> ms) {
  if (!ms || !std::isfinite(*ms)) return kAbsent;
  double a = std::fabs(*ms);
  int decimals = a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : 3;
  return fmt_num(*ms, decimals);
}

std::string fmt_ms_from_ns(std::optional<double> ns) {
  if (!ns) return kAbsent;
  return fmt_ms(*ns / 1e6);
}

std::string fmt_bytes(std::optional<double> bytes) {
  if (!bytes || !std::isfinite(*bytes)) return kAbsent;
  double b = *bytes;
  char buf[64];
  if (b >= 1e9)
    std::snprintf(buf, sizeof buf, "%.2f GB", b / 1e9);
  else if (b >= 1e6)
    std::snprintf(buf, sizeof buf, "%.2f MB", b / 1e6);
  else if (b >= 1e4)
    std::snprintf(buf, sizeof buf, "%.1f KB", b / 1e3);
  else
    std::snprintf(buf, sizeof buf, "%.0f B", b);
  return buf;
}

}  // namespace rb::report
