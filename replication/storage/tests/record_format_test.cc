#include "replication/storage/record_format.h"

#include <gtest/gtest.h>

#include "replication/storage/tests/test_util.h"

namespace rb::storage {
namespace {

using testing::expect_same_entry;
using testing::make_entry;

Result<Entry> decode_one(const std::string& buf) {
  auto h = decode_header(buf.data(), 1 << 20);
  if (!h.ok()) return h.error();
  if (buf.size() != kRecordHeaderBytes + h->body_len) return make_error(errc::corrupt, "size");
  if (!record_crc_ok(*h, buf.data(), buf.data() + kRecordHeaderBytes)) return make_error(errc::corrupt, "crc");
  return to_entry(*h, buf.data() + kRecordHeaderBytes);
}

TEST(RecordFormat, RoundTripsEveryField) {
  Entry e = make_entry(123456789012, 77, "hello");
  e.kind = EntryKind::config;
  e.producer = ProducerId{UINT64_MAX - 3};
  e.sequence = -1;
  e.timestamp_ns = -5;
  std::string buf;
  encode_record(e, buf);
  ASSERT_EQ(buf.size(), record_size(e));
  ASSERT_EQ(static_cast<uint8_t>(buf[0]), kRecordMagic);
  auto d = decode_one(buf);
  ASSERT_TRUE(d.ok()) << d.error().describe();
  expect_same_entry(*d, e);
}

TEST(RecordFormat, NullAndEmptyPayloadsStayDistinct) {
  Entry null_payload = make_entry(1, 1);
  null_payload.payload = nullptr;
  Entry empty_payload = make_entry(2, 1);
  empty_payload.payload = make_payload("");
  for (const Entry& e : {null_payload, empty_payload}) {
    std::string buf;
    encode_record(e, buf);
    auto d = decode_one(buf);
    ASSERT_TRUE(d.ok());
    expect_same_entry(*d, e);
  }
}

TEST(RecordFormat, EveryFlippedByteIsDetected) {
  std::string buf;
  encode_record(make_entry(9, 3, "abcdefgh"), buf);
  for (size_t i = 0; i < buf.size(); ++i) {
    std::string bad = buf;
    bad[i] ^= 0x40;
    EXPECT_FALSE(decode_one(bad).ok()) << "byte " << i;
  }
}

TEST(RecordFormat, HeaderChecksLengthLimitAndMagic) {
  std::string buf;
  encode_record(make_entry(1, 1, std::string(100, 'x')), buf);
  EXPECT_EQ(decode_header(buf.data(), 99).code(), errc::corrupt);
  EXPECT_TRUE(decode_header(buf.data(), 100).ok());
  buf[0] = 0x00;
  EXPECT_EQ(decode_header(buf.data(), 100).code(), errc::corrupt);
}

TEST(StateFiles, HardStateRoundTrips) {
  HardState hs;
  hs.epoch = Epoch{42};
  hs.vote = NodeId{3};
  hs.commit = Offset{1000};
  hs.members = {NodeId{0}, NodeId{1}, NodeId{3}};
  hs.learners = {NodeId{9}};
  hs.extra = std::string("a\0b", 3);
  auto d = decode_hard_state(encode_hard_state(hs));
  ASSERT_TRUE(d.ok()) << d.error().describe();
  EXPECT_EQ(*d, hs);
}

TEST(StateFiles, SnapshotRoundTrips) {
  Snapshot s;
  s.last_included = Offset{99};
  s.last_epoch = Epoch{4};
  s.members = {NodeId{1}, NodeId{2}};
  s.state = "broker state";
  auto d = decode_snapshot(encode_snapshot(s));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->last_included, s.last_included);
  EXPECT_EQ(d->last_epoch, s.last_epoch);
  EXPECT_EQ(d->members, s.members);
  EXPECT_EQ(d->state, s.state);
}

TEST(StateFiles, DamageIsCorrupt) {
  HardState hs;
  hs.epoch = Epoch{5};
  hs.members = {NodeId{1}};
  const std::string good = encode_hard_state(hs);
  EXPECT_EQ(decode_hard_state("garbage").code(), errc::corrupt);
  EXPECT_EQ(decode_hard_state(good.substr(0, good.size() - 1)).code(), errc::corrupt);
  EXPECT_EQ(decode_hard_state(good + "x").code(), errc::corrupt);
  for (size_t i = 0; i < good.size(); ++i) {
    std::string bad = good;
    bad[i] ^= 0x01;
    EXPECT_EQ(decode_hard_state(bad).code(), errc::corrupt) << "byte " << i;
  }
  // A snapshot file is not a hard state file.
  EXPECT_EQ(decode_hard_state(encode_snapshot(Snapshot{})).code(), errc::corrupt);
}

TEST(StateFiles, LogMetaRoundTrips) {
  LogMeta m{Offset{77}, Epoch{6}};
  auto d = decode_log_meta(encode_log_meta(m));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, m);
}

TEST(StateFiles, CommitMarkRoundTripsAtAFixedSizeAndDetectsDamage) {
  const CommitMark m{0xDEADBEEF, Offset{123456789}};
  const std::string good = encode_commit_mark(m);
  EXPECT_EQ(good.size(), kCommitMarkBytes);
  auto d = decode_commit_mark(good);
  ASSERT_TRUE(d.ok()) << d.error().describe();
  EXPECT_EQ(*d, m);
  for (size_t i = 0; i < good.size(); ++i) {
    std::string bad = good;
    bad[i] ^= 0x01;
    EXPECT_EQ(decode_commit_mark(bad).code(), errc::corrupt) << "byte " << i;
  }
  EXPECT_EQ(decode_commit_mark(encode_hard_state(HardState{})).code(), errc::corrupt);
}

TEST(StateFiles, HardStateBaseIgnoresTheCommitOnly) {
  HardState a;
  a.epoch = Epoch{3};
  a.vote = NodeId{1};
  a.commit = Offset{10};
  HardState b = a;
  b.commit = Offset{500};
  EXPECT_EQ(hard_state_base(a), hard_state_base(b));
  b.extra = "master=1";
  EXPECT_NE(hard_state_base(a), hard_state_base(b));
  HardState c = a;
  c.epoch = Epoch{4};
  EXPECT_NE(hard_state_base(a), hard_state_base(c));
}

}  // namespace
}  // namespace rb::storage
