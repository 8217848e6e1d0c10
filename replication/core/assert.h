#pragma once
// Always-on assertions. A broken invariant is a bug: the process prints what broke and where,
// then aborts. These stay enabled in optimised builds (benchmarks included), as the cost of one
// predictable branch is far smaller than the cost of running on corrupted state.
//
// One condition per assertion, so the message names exactly what failed.
#include <cstdio>
#include <cstdlib>

namespace rb::detail {
[[noreturn]] inline void assert_fail(const char* cond, const char* file, int line, const char* msg) {
  std::fprintf(stderr, "replbench: assertion failed: %s (%s) at %s:%d\n", cond, msg ? msg : "", file, line);
  std::fflush(stderr);
  std::abort();
}
}  // namespace rb::detail

#define RB_ASSERT(cond)                                              \
  do {                                                               \
    if (!(cond)) [[unlikely]]                                        \
      ::rb::detail::assert_fail(#cond, __FILE__, __LINE__, nullptr); \
  } while (0)

#define RB_ASSERT_MSG(cond, msg)                                   \
  do {                                                             \
    if (!(cond)) [[unlikely]]                                      \
      ::rb::detail::assert_fail(#cond, __FILE__, __LINE__, (msg)); \
  } while (0)

#define RB_UNREACHABLE(msg) ::rb::detail::assert_fail("unreachable", __FILE__, __LINE__, (msg))
