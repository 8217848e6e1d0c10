#include "replication/storage/mem_log_store.h"

#include <gtest/gtest.h>

#include "replication/storage/tests/test_util.h"

namespace rb {
namespace {

using storage::testing::make_entries;
using storage::testing::make_entry;

TEST(MemLogStore, AppendThenReadBack) {
  MemLogStore s;
  ASSERT_TRUE(s.append(make_entries(0, 5, 1)).ok());
  EXPECT_EQ(s.log_start(), Offset{0});
  EXPECT_EQ(s.log_end(), Offset{5});
  auto r = s.read(Offset{2}, 1 << 20, 10);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ(r->front().offset, Offset{2});
  EXPECT_EQ(*r->front().payload, "payload-2");
  EXPECT_EQ(s.stats().records_appended, 5u);
}

TEST(MemLogStore, RejectsGapsAndBackwardEpochs) {
  MemLogStore s;
  ASSERT_TRUE(s.append(make_entries(0, 2, 3)).ok());
  EXPECT_EQ(s.append({make_entry(3, 3)}).code(), errc::bad_input);
  EXPECT_EQ(s.append({make_entry(2, 2)}).code(), errc::bad_input);
  EXPECT_EQ(s.log_end(), Offset{2});
}

TEST(MemLogStore, ReadBudgetAlwaysReturnsOneRecord) {
  MemLogStore s;
  ASSERT_TRUE(s.append(make_entries(0, 4, 1, 100)).ok());
  auto one = s.read(Offset{0}, 1, 10);
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->size(), 1u);
  const size_t rec = one->front().wire_size();
  auto two = s.read(Offset{0}, 2 * rec, 10);
  ASSERT_TRUE(two.ok());
  EXPECT_EQ(two->size(), 2u);
  auto capped = s.read(Offset{0}, 1 << 20, 3);
  ASSERT_TRUE(capped.ok());
  EXPECT_EQ(capped->size(), 3u);
  EXPECT_EQ(s.read(Offset{5}, 100, 1).code(), errc::out_of_range);
  auto at_end = s.read(Offset{4}, 100, 1);
  ASSERT_TRUE(at_end.ok());
  EXPECT_TRUE(at_end->empty());
}

TEST(MemLogStore, EpochAtAndEndOffsetForEpochAcrossSeveralEpochs) {
  MemLogStore s;
  // epochs: 1 at [0,3), 3 at [3,5), 4 at [5,8)
  ASSERT_TRUE(s.append(make_entries(0, 3, 1)).ok());
  ASSERT_TRUE(s.append(make_entries(3, 2, 3)).ok());
  ASSERT_TRUE(s.append(make_entries(5, 3, 4)).ok());
  EXPECT_EQ(*s.epoch_at(Offset{0}), Epoch{1});
  EXPECT_EQ(*s.epoch_at(Offset{4}), Epoch{3});
  EXPECT_EQ(*s.epoch_at(Offset{7}), Epoch{4});
  EXPECT_EQ(*s.epoch_at(Offset{-1}), Epoch{0});
  EXPECT_EQ(s.epoch_at(Offset{8}).code(), errc::out_of_range);
  EXPECT_EQ(s.end_offset_for_epoch(Epoch{0}), std::make_pair(Epoch{0}, Offset{0}));
  EXPECT_EQ(s.end_offset_for_epoch(Epoch{1}), std::make_pair(Epoch{1}, Offset{3}));
  EXPECT_EQ(s.end_offset_for_epoch(Epoch{2}), std::make_pair(Epoch{1}, Offset{3}));
  EXPECT_EQ(s.end_offset_for_epoch(Epoch{3}), std::make_pair(Epoch{3}, Offset{5}));
  EXPECT_EQ(s.end_offset_for_epoch(Epoch{9}), std::make_pair(Epoch{4}, Offset{8}));
  EXPECT_EQ(s.last_epoch(), Epoch{4});
}

TEST(MemLogStore, TruncateSuffixDropsEpochsAbove) {
  MemLogStore s;
  ASSERT_TRUE(s.append(make_entries(0, 3, 1)).ok());
  ASSERT_TRUE(s.append(make_entries(3, 3, 2)).ok());
  ASSERT_TRUE(s.truncate_suffix(Offset{3}).ok());
  EXPECT_EQ(s.log_end(), Offset{3});
  EXPECT_EQ(s.last_epoch(), Epoch{1});
  EXPECT_EQ(s.end_offset_for_epoch(Epoch{2}), std::make_pair(Epoch{1}, Offset{3}));
  ASSERT_TRUE(s.append(make_entries(3, 1, 5)).ok());
  EXPECT_EQ(*s.epoch_at(Offset{3}), Epoch{5});
  EXPECT_EQ(s.truncate_suffix(Offset{9}).code(), errc::out_of_range);
}

TEST(MemLogStore, TruncatePrefixKeepsStartEpoch) {
  MemLogStore s;
  ASSERT_TRUE(s.append(make_entries(0, 3, 1)).ok());
  ASSERT_TRUE(s.append(make_entries(3, 3, 2)).ok());
  ASSERT_TRUE(s.truncate_prefix(Offset{4}).ok());
  EXPECT_EQ(s.log_start(), Offset{4});
  EXPECT_EQ(s.start_epoch(), Epoch{2});
  EXPECT_EQ(*s.epoch_at(Offset{3}), Epoch{2});
  EXPECT_EQ(s.epoch_at(Offset{2}).code(), errc::compacted);
  EXPECT_EQ(s.read(Offset{3}, 100, 1).code(), errc::compacted);
  EXPECT_EQ(s.end_offset_for_epoch(Epoch{1}), std::make_pair(Epoch{0}, Offset{4}));
}

TEST(MemLogStore, CrashDropsTheUnsyncedTail) {
  MemLogStore s;
  ASSERT_TRUE(s.append(make_entries(0, 3, 1)).ok());
  auto d = s.sync();
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, Offset{3});
  ASSERT_TRUE(s.append(make_entries(3, 4, 1)).ok());
  s.mark_durable(Offset{5});
  EXPECT_EQ(s.durable_end(), Offset{5});
  s.crash();
  EXPECT_EQ(s.log_end(), Offset{5});
  EXPECT_EQ(s.durable_end(), Offset{5});
}

TEST(MemLogStore, ResetRestartsTheLog) {
  MemLogStore s;
  ASSERT_TRUE(s.append(make_entries(0, 3, 1)).ok());
  ASSERT_TRUE(s.reset(Offset{100}, Epoch{7}).ok());
  EXPECT_EQ(s.log_start(), Offset{100});
  EXPECT_EQ(s.log_end(), Offset{100});
  EXPECT_EQ(s.last_epoch(), Epoch{7});
  EXPECT_EQ(*s.epoch_at(Offset{99}), Epoch{7});
  EXPECT_EQ(s.end_offset_for_epoch(Epoch{7}), std::make_pair(Epoch{7}, Offset{100}));
  ASSERT_TRUE(s.append(make_entries(100, 1, 8)).ok());
  EXPECT_EQ(s.log_end(), Offset{101});
}

}  // namespace
}  // namespace rb
