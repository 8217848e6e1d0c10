#include "replication/core/memory_policy.h"

#include <malloc.h>

namespace rb {

bool keep_freed_memory() {
  constexpr int kMmapThreshold = 32 << 20;  // glibc's maximum on 64-bit hosts
  constexpr int kTrimThreshold = 64 << 20;
  // Setting either turns off glibc's adaptive adjustment of both.
  const bool mmap_ok = mallopt(M_MMAP_THRESHOLD, kMmapThreshold) == 1;
  const bool trim_ok = mallopt(M_TRIM_THRESHOLD, kTrimThreshold) == 1;
  return mmap_ok && trim_ok;
}

}  // namespace rb
