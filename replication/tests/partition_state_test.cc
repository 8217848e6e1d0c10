// PartitionState's idempotent-producer memory: which stored (producer, sequence) pairs a retry is
// still recognised by, and at which offset.
#include "replication/broker/partition_state.h"

#include <gtest/gtest.h>

#include "replication/storage/mem_log_store.h"

namespace rb {
namespace {

Entry record(uint64_t producer, int64_t sequence, int64_t offset) {
  Entry e;
  e.kind = EntryKind::data;
  e.producer = ProducerId{producer};
  e.sequence = sequence;
  e.offset = Offset{offset};
  return e;
}

class PartitionStateTest : public ::testing::Test {
 protected:
  MemLogStore log;
  PartitionState state{&log};
};

TEST_F(PartitionStateTest, AProducerAloneOnThePartitionIsRememberedWhole) {
  // 200,000 records in batches of 64: one run, so the first is still found at the end.
  Entries batch;
  for (int64_t s = 0; s < 200'000; ++s) {
    batch.push_back(record(7, s, s));
    if (batch.size() == 64) state.on_appended(std::exchange(batch, {}));
  }
  state.on_appended(batch);
  EXPECT_EQ(state.find_duplicate(ProducerId{7}, 0), Offset{0});
  EXPECT_EQ(state.find_duplicate(ProducerId{7}, 123'456), Offset{123'456});
  EXPECT_EQ(state.find_duplicate(ProducerId{7}, 199'999), Offset{199'999});
  EXPECT_FALSE(state.find_duplicate(ProducerId{7}, 200'000));
  EXPECT_FALSE(state.find_duplicate(ProducerId{8}, 0));
}

TEST_F(PartitionStateTest, InterleavedProducersForgetTheirOldestRunsFirst) {
  // Two producers alternating record by record: every record is a run of its own, and each
  // producer keeps its newest 1024.
  int64_t offset = 0;
  for (int64_t s = 0; s < 3000; ++s) {
    state.on_appended({record(1, s, offset++)});
    state.on_appended({record(2, s, offset++)});
  }
  EXPECT_EQ(state.find_duplicate(ProducerId{1}, 2999), Offset{2 * 2999});
  EXPECT_EQ(state.find_duplicate(ProducerId{2}, 2999), Offset{2 * 2999 + 1});
  EXPECT_EQ(state.find_duplicate(ProducerId{1}, 3000 - 1024), Offset{2 * (3000 - 1024)});
  EXPECT_FALSE(state.find_duplicate(ProducerId{1}, 3000 - 1025));
}

TEST_F(PartitionStateTest, ARetryStoredAfterLaterRecordsKeepsTheFirstCopysOffset) {
  state.on_appended({record(1, 0, 0), record(1, 1, 1)});
  state.on_appended({record(1, 5, 2), record(1, 6, 3)});  // 2-4 still on their way
  state.on_appended({record(1, 3, 4)});                   // out of order: a run of its own
  state.on_appended({record(1, 1, 5)});                   // stored twice (no dedupe upstream)
  EXPECT_EQ(state.find_duplicate(ProducerId{1}, 1), Offset{1});
  EXPECT_EQ(state.find_duplicate(ProducerId{1}, 3), Offset{4});
  EXPECT_EQ(state.find_duplicate(ProducerId{1}, 6), Offset{3});
  EXPECT_FALSE(state.find_duplicate(ProducerId{1}, 2));
  EXPECT_FALSE(state.find_duplicate(ProducerId{1}, 4));
  // Records that continue a run in sequence but not in offset start a new run.
  state.on_appended({record(1, 7, 9)});
  EXPECT_EQ(state.find_duplicate(ProducerId{1}, 7), Offset{9});
  EXPECT_EQ(state.find_duplicate(ProducerId{1}, 5), Offset{2});
}

}  // namespace
}  // namespace rb
