#pragma once
// Command-line numbers: a whole non-negative decimal with nothing after it, in range.
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>

namespace rb::harness {

// "42" -> 42; "", "-1", "4x" and values above UINT64_MAX -> nullopt.
inline std::optional<uint64_t> parse_u64(const std::string& s) {
  if (s.empty() || s[0] == '-') return std::nullopt;
  char* end = nullptr;
  errno = 0;
  unsigned long long v = std::strtoull(s.c_str(), &end, 10);
  if (*end != '\0' || errno != 0) return std::nullopt;
  return v;
}

}  // namespace rb::harness
