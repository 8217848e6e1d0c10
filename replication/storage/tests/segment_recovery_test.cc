// Crash recovery of SegmentLogStore: torn tails, flipped bytes, damaged state files, leftovers of
// interrupted operations. Damage is made with truncate(2) and pwrite on closed stores.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "replication/storage/file_util.h"
#include "replication/storage/segment_log_store.h"
#include "replication/storage/tests/test_util.h"

namespace rb::storage {
namespace {

using testing::expect_same_entry;
using testing::make_entries;
using testing::TempDir;

SegmentLogStoreOptions small_segments() {
  SegmentLogStoreOptions o;
  o.segment_bytes = 4096;
  o.index_interval_bytes = 256;
  return o;
}

// Writes `es` to a fresh store in `dir`, syncs and closes it.
void write_log(const std::string& dir, const Entries& es, SegmentLogStoreOptions o = {}) {
  auto s = SegmentLogStore::open(dir, o);
  ASSERT_TRUE(s.ok()) << s.error().describe();
  ASSERT_TRUE((*s)->append(es).ok());
  ASSERT_TRUE((*s)->sync().ok());
}

std::vector<std::string> segment_files(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& ent : std::filesystem::directory_iterator(dir))
    if (ent.path().extension() == ".log") out.push_back(ent.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

uint64_t size_of(const std::string& path) { return std::filesystem::file_size(path); }

void flip_byte(const std::string& path, uint64_t pos) {
  int fd = ::open(path.c_str(), O_RDWR);
  ASSERT_GE(fd, 0);
  char c = 0;
  ASSERT_EQ(::pread(fd, &c, 1, static_cast<off_t>(pos)), 1);
  c ^= 0x20;
  ASSERT_EQ(::pwrite(fd, &c, 1, static_cast<off_t>(pos)), 1);
  ::close(fd);
}

std::unique_ptr<SegmentLogStore> reopen(const std::string& dir, SegmentLogStoreOptions o = {}) {
  auto s = SegmentLogStore::open(dir, o);
  EXPECT_TRUE(s.ok()) << s.error().describe();
  return s.ok() ? std::move(*s) : nullptr;
}

void expect_prefix_intact(const SegmentLogStore& s, const Entries& written, size_t n) {
  auto r = s.read(Offset{0}, SIZE_MAX, SIZE_MAX);
  ASSERT_TRUE(r.ok()) << r.error().describe();
  ASSERT_EQ(r->size(), n);
  for (size_t i = 0; i < n; ++i) expect_same_entry((*r)[i], written[i]);
}

TEST(SegmentRecovery, TornRecordBodyIsCutOff) {
  TempDir dir;
  const Entries written = make_entries(0, 10, 1, 100);
  write_log(dir.path(), written);
  const std::string seg = segment_files(dir.path()).at(0);
  const uint64_t full = size_of(seg);
  ASSERT_EQ(::truncate(seg.c_str(), static_cast<off_t>(full - 10)), 0);  // cut inside the last body
  auto s = reopen(dir.path());
  ASSERT_TRUE(s);
  EXPECT_EQ(s->log_end(), Offset{9});
  EXPECT_EQ(s->durable_end(), Offset{9});
  EXPECT_EQ(s->recovery().bytes_dropped, record_size(written[9]) - 10);
  EXPECT_NE(s->recovery().detail.find("inside a record body"), std::string::npos) << s->recovery().detail;
  EXPECT_EQ(size_of(seg), 9 * record_size(written[0]));
  expect_prefix_intact(*s, written, 9);
  // The log goes on from the cut.
  ASSERT_TRUE(s->append(make_entries(9, 1, 2)).ok());
  EXPECT_EQ(*s->epoch_at(Offset{9}), Epoch{2});
}

TEST(SegmentRecovery, TornRecordHeaderIsCutOff) {
  TempDir dir;
  const Entries written = make_entries(0, 4, 1, 10);
  write_log(dir.path(), written);
  const std::string seg = segment_files(dir.path()).at(0);
  const uint64_t keep = 3 * record_size(written[0]) + 20;  // 20 bytes of the 4th header
  ASSERT_EQ(::truncate(seg.c_str(), static_cast<off_t>(keep)), 0);
  auto s = reopen(dir.path());
  ASSERT_TRUE(s);
  EXPECT_EQ(s->log_end(), Offset{3});
  EXPECT_EQ(s->recovery().bytes_dropped, 20u);
  expect_prefix_intact(*s, written, 3);
}

TEST(SegmentRecovery, CrcMismatchTruncatesAtTheBadRecord) {
  TempDir dir;
  const Entries written = make_entries(0, 10, 1, 100);
  write_log(dir.path(), written);
  const std::string seg = segment_files(dir.path()).at(0);
  const uint64_t rec = record_size(written[0]);
  flip_byte(seg, 5 * rec + kRecordHeaderBytes + 50);  // inside record 5's payload
  auto s = reopen(dir.path());
  ASSERT_TRUE(s);
  EXPECT_EQ(s->log_end(), Offset{5});
  EXPECT_EQ(s->recovery().bytes_dropped, 5 * rec);
  EXPECT_NE(s->recovery().detail.find("CRC"), std::string::npos) << s->recovery().detail;
  expect_prefix_intact(*s, written, 5);
}

TEST(SegmentRecovery, ZeroFilledTailIsDropped) {
  TempDir dir;
  const Entries written = make_entries(0, 3, 1);
  write_log(dir.path(), written);
  const std::string seg = segment_files(dir.path()).at(0);
  const uint64_t full = size_of(seg);
  ASSERT_EQ(::truncate(seg.c_str(), static_cast<off_t>(full + 4096)), 0);  // extended with zeros
  auto s = reopen(dir.path());
  ASSERT_TRUE(s);
  EXPECT_EQ(s->log_end(), Offset{3});
  EXPECT_EQ(s->recovery().bytes_dropped, 4096u);
  EXPECT_EQ(size_of(seg), full);
}

TEST(SegmentRecovery, CorruptionInAnOlderSegmentDropsEverythingAfterIt) {
  TempDir dir;
  const Entries written = make_entries(0, 150, 1, 100);
  write_log(dir.path(), written, small_segments());
  auto files = segment_files(dir.path());
  ASSERT_GE(files.size(), 5u);
  // Second segment, its third record's payload.
  const uint64_t rec = record_size(written[0]);
  flip_byte(files[1], 2 * rec + kRecordHeaderBytes + 1);
  auto s = reopen(dir.path(), small_segments());
  ASSERT_TRUE(s);
  const size_t per_segment = 4096 / rec;
  EXPECT_EQ(s->log_end(), Offset{static_cast<int64_t>(per_segment + 2)});
  EXPECT_EQ(s->segment_count(), 2u);
  EXPECT_EQ(s->recovery().segments_dropped, files.size() - 2);
  EXPECT_EQ(s->recovery().bytes_dropped, (150 - per_segment - 2) * rec);
  EXPECT_EQ(segment_files(dir.path()).size(), 2u);
  expect_prefix_intact(*s, written, per_segment + 2);
}

TEST(SegmentRecovery, MissingMiddleSegmentDropsTheSegmentsAfterTheGap) {
  TempDir dir;
  const Entries written = make_entries(0, 150, 1, 100);
  write_log(dir.path(), written, small_segments());
  auto files = segment_files(dir.path());
  ASSERT_GE(files.size(), 4u);
  std::filesystem::remove(files[2]);
  auto s = reopen(dir.path(), small_segments());
  ASSERT_TRUE(s);
  const size_t per_segment = 4096 / record_size(written[0]);
  EXPECT_EQ(s->log_end(), Offset{static_cast<int64_t>(2 * per_segment)});
  EXPECT_EQ(s->recovery().segments_dropped, files.size() - 3);
  EXPECT_NE(s->recovery().detail.find("does not follow"), std::string::npos) << s->recovery().detail;
}

TEST(SegmentRecovery, GarbageHardStateIsACorruptError) {
  TempDir dir;
  write_log(dir.path(), make_entries(0, 2, 1));
  std::ofstream(dir.file("hard_state"), std::ios::binary) << "this is not a hard state file";
  auto s = SegmentLogStore::open(dir.path());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), errc::corrupt);
  EXPECT_NE(s.error().message.find(dir.file("hard_state")), std::string::npos) << s.error().message;
}

TEST(SegmentRecovery, TruncatedSnapshotAndMetaFilesAreCorrupt) {
  for (const char* name : {"snapshot", "log_meta"}) {
    SCOPED_TRACE(name);
    TempDir dir;
    write_log(dir.path(), make_entries(0, 2, 1));
    std::ofstream(dir.file(name), std::ios::binary) << std::string(10, '\x01');
    EXPECT_EQ(SegmentLogStore::open(dir.path()).code(), errc::corrupt);
  }
}

TEST(SegmentRecovery, InterruptedStateWriteKeepsTheOldValue) {
  TempDir dir;
  HardState hs;
  hs.epoch = Epoch{3};
  {
    auto s = reopen(dir.path());
    ASSERT_TRUE(s);
    ASSERT_TRUE(s->save_hard_state(hs).ok());
  }
  // A crash after writing the temp file but before the rename.
  std::ofstream(dir.file("hard_state.tmp"), std::ios::binary) << "half-written";
  auto s = reopen(dir.path());
  ASSERT_TRUE(s);
  EXPECT_EQ(s->load_hard_state(), hs);
  EXPECT_FALSE(std::filesystem::exists(dir.file("hard_state.tmp")));
}

TEST(SegmentRecovery, InterruptedPrefixCutIsFinishedOnOpen) {
  TempDir dir;
  const Entries written = make_entries(0, 150, 1, 100);
  write_log(dir.path(), written, small_segments());
  const size_t files_before = segment_files(dir.path()).size();
  // The metadata was written, the segment deletion did not happen.
  ASSERT_TRUE(write_file_atomic(dir.path(), "log_meta", encode_log_meta(LogMeta{Offset{100}, Epoch{1}})).ok());
  auto s = reopen(dir.path(), small_segments());
  ASSERT_TRUE(s);
  EXPECT_EQ(s->log_start(), Offset{100});
  EXPECT_EQ(s->start_epoch(), Epoch{1});
  EXPECT_LT(s->segment_count(), files_before);
  EXPECT_EQ(s->recovery().bytes_dropped, 0u);
  auto r = s->read(Offset{100}, SIZE_MAX, SIZE_MAX);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 50u);
  expect_same_entry(r->front(), written[100]);
}

}  // namespace
}  // namespace rb::storage
