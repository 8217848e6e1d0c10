#include "replication/storage/log_view.h"

#include <gtest/gtest.h>

#include "replication/storage/mem_log_store.h"
#include "replication/storage/tests/test_util.h"

namespace rb {
namespace {

using storage::testing::make_entries;
using storage::testing::make_entry;

// Applies a Ready's log writes to a store in the runtime's order.
void apply(MemLogStore& s, const Ready& r) {
  if (r.snapshot) {
    ASSERT_TRUE(s.reset(r.snapshot->last_included.next(), r.snapshot->last_epoch).ok());
  }
  if (r.truncate_suffix) {
    ASSERT_TRUE(s.truncate_suffix(*r.truncate_suffix).ok());
  }
  if (!r.append.empty()) {
    ASSERT_TRUE(s.append(r.append).ok());
  }
  if (r.truncate_prefix) {
    ASSERT_TRUE(s.truncate_prefix(*r.truncate_prefix).ok());
  }
}

std::vector<int64_t> offsets(const Entries& es) {
  std::vector<int64_t> v;
  for (const auto& e : es) v.push_back(e.offset.value());
  return v;
}

TEST(LogView, ReadsThroughToTheStoreWhenNothingIsPending) {
  MemLogStore s;
  ASSERT_TRUE(s.append(make_entries(0, 4, 2)).ok());
  LogView v(&s);
  EXPECT_FALSE(v.has_writes());
  EXPECT_EQ(v.log_end(), Offset{4});
  EXPECT_EQ(v.last_epoch(), Epoch{2});
  auto e = v.entry(Offset{3});
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(*e->payload, "payload-3");
}

TEST(LogView, ReadSpansStoreAndPendingTail) {
  MemLogStore s;
  ASSERT_TRUE(s.append(make_entries(0, 3, 1)).ok());
  LogView v(&s);
  v.append(make_entries(3, 3, 2));
  EXPECT_EQ(v.log_end(), Offset{6});
  auto r = v.read(Offset{1}, 1 << 20, 100);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(offsets(*r), (std::vector<int64_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(*v.epoch_at(Offset{2}), Epoch{1});
  EXPECT_EQ(*v.epoch_at(Offset{4}), Epoch{2});
  EXPECT_EQ(v.epoch_at(Offset{6}).code(), errc::out_of_range);
  // The entry budget is shared between the two parts.
  auto capped = v.read(Offset{1}, 1 << 20, 3);
  ASSERT_TRUE(capped.ok());
  EXPECT_EQ(offsets(*capped), (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(v.end_offset_for_epoch(Epoch{1}), std::make_pair(Epoch{1}, Offset{3}));
  EXPECT_EQ(v.end_offset_for_epoch(Epoch{5}), std::make_pair(Epoch{2}, Offset{6}));
}

TEST(LogView, AppendTruncateAppendOverlaysTheStore) {
  MemLogStore s;
  ASSERT_TRUE(s.append(make_entries(0, 5, 1)).ok());
  LogView v(&s);
  v.append(make_entries(5, 2, 1));
  v.truncate_suffix(Offset{3});  // cuts into the stored part
  EXPECT_EQ(v.log_end(), Offset{3});
  v.append(make_entries(3, 2, 4));
  EXPECT_EQ(v.log_end(), Offset{5});
  EXPECT_EQ(*v.epoch_at(Offset{2}), Epoch{1});
  EXPECT_EQ(*v.epoch_at(Offset{3}), Epoch{4});
  EXPECT_EQ(v.end_offset_for_epoch(Epoch{3}), std::make_pair(Epoch{1}, Offset{3}));
  auto r = v.read(Offset{0}, 1 << 20, 100);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 5u);
  EXPECT_EQ((*r)[3].epoch, Epoch{4});

  Ready ready;
  v.take_writes(ready);
  EXPECT_FALSE(v.has_writes());
  ASSERT_TRUE(ready.truncate_suffix.has_value());
  EXPECT_EQ(*ready.truncate_suffix, Offset{3});
  EXPECT_EQ(offsets(ready.append), (std::vector<int64_t>{3, 4}));
  apply(s, ready);
  // After the runtime applied the writes, the view (now empty overlay) shows the same log.
  EXPECT_EQ(v.log_end(), Offset{5});
  EXPECT_EQ(*v.epoch_at(Offset{4}), Epoch{4});
}

TEST(LogView, TruncateInsideTheTailNeedsNoStoreCut) {
  MemLogStore s;
  ASSERT_TRUE(s.append(make_entries(0, 2, 1)).ok());
  LogView v(&s);
  v.append(make_entries(2, 3, 1));
  v.truncate_suffix(Offset{3});
  Ready ready;
  v.take_writes(ready);
  EXPECT_FALSE(ready.truncate_suffix.has_value());
  EXPECT_EQ(offsets(ready.append), (std::vector<int64_t>{2}));
}

TEST(LogView, PendingPrefixCutHidesOlderRecords) {
  MemLogStore s;
  ASSERT_TRUE(s.append(make_entries(0, 3, 1)).ok());
  ASSERT_TRUE(s.append(make_entries(3, 3, 2)).ok());
  LogView v(&s);
  v.truncate_prefix(Offset{4});
  EXPECT_EQ(v.log_start(), Offset{4});
  EXPECT_EQ(v.start_epoch(), Epoch{2});
  EXPECT_EQ(v.read(Offset{3}, 100, 1).code(), errc::compacted);
  EXPECT_EQ(v.epoch_at(Offset{2}).code(), errc::compacted);
  Ready ready;
  v.take_writes(ready);
  ASSERT_TRUE(ready.truncate_prefix.has_value());
  apply(s, ready);
  EXPECT_EQ(s.log_start(), Offset{4});
}

TEST(LogView, ResetReplacesTheWholeLog) {
  MemLogStore s;
  ASSERT_TRUE(s.append(make_entries(0, 3, 1)).ok());
  LogView v(&s);
  v.reset(Offset{10}, Epoch{3});
  EXPECT_EQ(v.log_start(), Offset{10});
  EXPECT_EQ(v.log_end(), Offset{10});
  EXPECT_EQ(v.last_epoch(), Epoch{3});
  EXPECT_EQ(*v.epoch_at(Offset{9}), Epoch{3});
  EXPECT_EQ(v.read(Offset{2}, 100, 1).code(), errc::compacted);
  v.append(make_entry(10, 4));
  EXPECT_EQ(v.end_offset_for_epoch(Epoch{3}), std::make_pair(Epoch{3}, Offset{10}));
  Ready ready;
  ready.snapshot = Snapshot{Offset{9}, Epoch{3}, {}, ""};
  v.take_writes(ready);
  apply(s, ready);
  EXPECT_EQ(s.log_start(), Offset{10});
  EXPECT_EQ(s.log_end(), Offset{11});
}

}  // namespace
}  // namespace rb
