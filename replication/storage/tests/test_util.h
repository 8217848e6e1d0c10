#pragma once
// Shared helpers for the storage tests: a fresh temporary directory per test, entry builders.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

#include "replication/log_entry.h"

namespace rb::storage::testing {

// mkdtemp under /tmp; removed (recursively) when the test ends.
class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/rb_storage_test.XXXXXX";
    char* p = ::mkdtemp(tmpl);
    EXPECT_NE(p, nullptr);
    path_ = p ? p : "";
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

inline Entry make_entry(int64_t offset, uint64_t epoch, std::string payload = {}) {
  Entry e;
  e.offset = Offset{offset};
  e.epoch = Epoch{epoch};
  e.producer = ProducerId{7};
  e.sequence = offset;
  e.timestamp_ns = 1000 + offset;
  e.payload = make_payload(payload.empty() ? "payload-" + std::to_string(offset) : std::move(payload));
  return e;
}

// Records [from, from + n) in `epoch`.
inline Entries make_entries(int64_t from, int64_t n, uint64_t epoch, size_t payload_bytes = 0) {
  Entries es;
  for (int64_t o = from; o < from + n; ++o)
    es.push_back(
        make_entry(o, epoch, payload_bytes ? std::string(payload_bytes, static_cast<char>('a' + o % 26)) : ""));
  return es;
}

inline std::string payload_of(const Entry& e) { return e.payload ? *e.payload : std::string(); }

inline void expect_same_entry(const Entry& a, const Entry& b) {
  EXPECT_EQ(a.offset, b.offset);
  EXPECT_EQ(a.epoch, b.epoch);
  EXPECT_EQ(a.kind, b.kind);
  EXPECT_EQ(a.producer, b.producer);
  EXPECT_EQ(a.sequence, b.sequence);
  EXPECT_EQ(a.timestamp_ns, b.timestamp_ns);
  EXPECT_EQ(a.payload == nullptr, b.payload == nullptr);
  EXPECT_EQ(payload_of(a), payload_of(b));
}

}  // namespace rb::storage::testing
