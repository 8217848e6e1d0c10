#include "replication/storage/crc32c.h"

#include <gtest/gtest.h>

#include <string>

#include "replication/core/prng.h"

namespace rb::storage {
namespace {

TEST(Crc32c, KnownVectors) {
  EXPECT_EQ(crc32c("123456789"), 0xE3069283u);
  EXPECT_EQ(crc32c(""), 0u);
  EXPECT_EQ(crc32c(std::string(32, '\0')), 0x8A9136AAu);
  EXPECT_EQ(crc32c(std::string(32, '\xFF')), 0x62A8AB43u);
  std::string ascending;
  for (int i = 0; i < 32; ++i) ascending.push_back(static_cast<char>(i));
  EXPECT_EQ(crc32c(ascending), 0x46DD794Eu);
}

TEST(Crc32c, SoftwareMatchesKnownVector) {
  const std::string s = "123456789";
  EXPECT_EQ(crc32c_extend_sw(0, s.data(), s.size()), 0xE3069283u);
}

TEST(Crc32c, ExtendEqualsWhole) {
  const std::string a = "hello, ", b = "segmented world";
  EXPECT_EQ(crc32c_extend(crc32c(a), b.data(), b.size()), crc32c(a + b));
  EXPECT_EQ(crc32c_extend_sw(crc32c_extend_sw(0, a.data(), a.size()), b.data(), b.size()), crc32c(a + b));
}

TEST(Crc32c, HardwareAndSoftwareAgreeOnEveryLengthAndAlignment) {
  if (!crc32c_hw_available()) GTEST_SKIP() << "no SSE4.2 on this CPU";
  const uint64_t seed = 42;
  SCOPED_TRACE("seed=" + std::to_string(seed));
  Prng rng(seed);
  std::string buf(600, '\0');
  for (auto& c : buf) c = static_cast<char>(rng.next());
  for (size_t start = 0; start < 9; ++start) {
    for (size_t len = 0; len + start <= buf.size(); len += 7) {
      EXPECT_EQ(crc32c_extend_hw(0, buf.data() + start, len), crc32c_extend_sw(0, buf.data() + start, len))
          << "start=" << start << " len=" << len;
    }
  }
}

}  // namespace
}  // namespace rb::storage
