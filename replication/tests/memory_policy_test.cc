// The allocator policy: once set, buffers of a node's typical sizes come from the heap (no mmap
// per buffer) and freeing them keeps the memory for the next one.
#include "replication/core/memory_policy.h"

#include <gtest/gtest.h>
#include <malloc.h>

#include <cstdlib>
#include <cstring>

namespace rb {
namespace {

// Keeps the compiler from eliding the malloc/free pair.
void* volatile g_sink = nullptr;

TEST(MemoryPolicy, LargeBuffersComeFromAndReturnToTheHeap) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "AddressSanitizer replaces glibc's allocator, so its thresholds do not apply";
#endif
  ASSERT_TRUE(keep_freed_memory());
  constexpr size_t kBuffer = 8u << 20;  // far above glibc's default 128 KiB mmap threshold
  const struct mallinfo2 before = mallinfo2();
  void* p = std::malloc(kBuffer);
  ASSERT_NE(p, nullptr);
  g_sink = p;
  std::memset(g_sink, 1, kBuffer);
  const struct mallinfo2 during = mallinfo2();
  EXPECT_EQ(during.hblks, before.hblks) << "an 8 MiB buffer was mmapped despite the policy";
  std::free(g_sink);
  const struct mallinfo2 after = mallinfo2();
  // The freed buffer stays in the arena (not trimmed back to the kernel).
  EXPECT_GE(after.arena, before.arena + kBuffer);
  EXPECT_GE(after.fordblks, kBuffer);
}

}  // namespace
}  // namespace rb
