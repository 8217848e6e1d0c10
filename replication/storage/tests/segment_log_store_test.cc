#include "replication/storage/segment_log_store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <thread>

#include "replication/core/prng.h"
#include "replication/storage/mem_log_store.h"
#include "replication/storage/tests/test_util.h"

namespace rb::storage {
namespace {

using testing::expect_same_entry;
using testing::make_entries;
using testing::make_entry;
using testing::TempDir;

std::unique_ptr<SegmentLogStore> open_ok(const std::string& dir, SegmentLogStoreOptions opts = {}) {
  auto s = SegmentLogStore::open(dir, opts);
  EXPECT_TRUE(s.ok()) << s.error().describe();
  return s.ok() ? std::move(*s) : nullptr;
}

SegmentLogStoreOptions small_segments() {
  SegmentLogStoreOptions o;
  o.segment_bytes = 4096;
  o.index_interval_bytes = 256;
  return o;
}

Entries read_all(const LogReader& s) {
  auto r = s.read(s.log_start(), SIZE_MAX, SIZE_MAX);
  EXPECT_TRUE(r.ok()) << r.error().describe();
  return r.ok() ? *r : Entries{};
}

TEST(SegmentLogStore, AppendReadAndReopen) {
  TempDir dir;
  Entries written = make_entries(0, 10, 1);
  auto more = make_entries(10, 5, 2);
  written.insert(written.end(), more.begin(), more.end());
  {
    auto s = open_ok(dir.path());
    ASSERT_TRUE(s);
    EXPECT_EQ(s->log_end(), Offset{0});
    ASSERT_TRUE(s->append(Entries(written.begin(), written.begin() + 10)).ok());
    ASSERT_TRUE(s->append(more).ok());
    EXPECT_EQ(s->log_end(), Offset{15});
    // Unsynced records are readable.
    EXPECT_EQ(s->durable_end(), Offset{0});
    auto r = s->read(Offset{8}, SIZE_MAX, 4);
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->size(), 4u);
    expect_same_entry((*r)[0], written[8]);
    expect_same_entry((*r)[3], written[11]);
    EXPECT_EQ(*s->sync(), Offset{15});
    EXPECT_EQ(s->durable_end(), Offset{15});
    EXPECT_EQ(s->stats().records_appended, 15u);
    EXPECT_EQ(s->stats().syncs, 1u);
  }
  auto s = open_ok(dir.path());
  ASSERT_TRUE(s);
  EXPECT_EQ(s->recovery().bytes_dropped, 0u);
  EXPECT_EQ(s->log_end(), Offset{15});
  EXPECT_EQ(s->durable_end(), Offset{15});
  Entries got = read_all(*s);
  ASSERT_EQ(got.size(), written.size());
  for (size_t i = 0; i < got.size(); ++i) expect_same_entry(got[i], written[i]);
  EXPECT_EQ(*s->epoch_at(Offset{9}), Epoch{1});
  EXPECT_EQ(*s->epoch_at(Offset{10}), Epoch{2});
  EXPECT_EQ(s->end_offset_for_epoch(Epoch{1}), std::make_pair(Epoch{1}, Offset{10}));
}

TEST(SegmentLogStore, RejectsBadAppendsWithoutChangingTheLog) {
  TempDir dir;
  SegmentLogStoreOptions o;
  o.max_record_bytes = 100;
  auto s = open_ok(dir.path(), o);
  ASSERT_TRUE(s);
  ASSERT_TRUE(s->append(make_entries(0, 2, 2)).ok());
  EXPECT_EQ(s->append({make_entry(3, 2)}).code(), errc::bad_input);
  EXPECT_EQ(s->append({make_entry(2, 1)}).code(), errc::bad_input);
  EXPECT_EQ(s->append({make_entry(2, 2), make_entry(3, 2, std::string(101, 'x'))}).code(), errc::too_large);
  EXPECT_EQ(s->log_end(), Offset{2});
  EXPECT_EQ(s->read(Offset{3}, 10, 1).code(), errc::out_of_range);
}

TEST(SegmentLogStore, RollsSegmentsAndReadsAcrossThem) {
  TempDir dir;
  Entries written = make_entries(0, 200, 1, 100);  // 156 bytes a record: ~26 per 4 KiB segment
  {
    auto s = open_ok(dir.path(), small_segments());
    ASSERT_TRUE(s);
    for (size_t i = 0; i < written.size(); i += 7)
      ASSERT_TRUE(s->append(Entries(written.begin() + i, written.begin() + std::min(i + 7, written.size()))).ok());
    EXPECT_GE(s->segment_count(), 7u);
    // A read that starts mid-segment and crosses several boundaries.
    auto r = s->read(Offset{20}, SIZE_MAX, 100);
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->size(), 100u);
    for (size_t i = 0; i < r->size(); ++i) expect_same_entry((*r)[i], written[20 + i]);
    // Byte budget: 3 records' worth.
    auto b = s->read(Offset{50}, 3 * written[0].wire_size(), 100);
    ASSERT_TRUE(b.ok());
    EXPECT_EQ(b->size(), 3u);
    ASSERT_TRUE(s->sync().ok());
  }
  auto s = open_ok(dir.path(), small_segments());
  ASSERT_TRUE(s);
  EXPECT_GE(s->segment_count(), 7u);
  Entries got = read_all(*s);
  ASSERT_EQ(got.size(), written.size());
  for (size_t i = 0; i < got.size(); i += 13) expect_same_entry(got[i], written[i]);
  for (int64_t o = 0; o < 200; o += 17) {
    auto one = s->read(Offset{o}, 1, 1);
    ASSERT_TRUE(one.ok());
    ASSERT_EQ(one->size(), 1u);
    EXPECT_EQ(one->front().offset, Offset{o});
  }
}

TEST(SegmentLogStore, RecordLargerThanASegmentGetsItsOwnSegment) {
  TempDir dir;
  Entries written = make_entries(0, 3, 1, 100);
  written.push_back(make_entry(3, 1, std::string(10000, 'L')));
  auto tail = make_entries(4, 3, 1, 100);
  written.insert(written.end(), tail.begin(), tail.end());
  {
    auto s = open_ok(dir.path(), small_segments());
    ASSERT_TRUE(s);
    ASSERT_TRUE(s->append(written).ok());
    EXPECT_EQ(s->segment_count(), 3u);  // [0,3) [3] [4,7)
    auto big = s->read(Offset{3}, 1, 5);
    ASSERT_TRUE(big.ok());
    ASSERT_EQ(big->size(), 1u);  // over budget, but one record is always returned
    EXPECT_EQ(big->front().payload_size(), 10000u);
  }
  auto s = open_ok(dir.path(), small_segments());
  ASSERT_TRUE(s);
  EXPECT_EQ(s->recovery().records, written.size());
  Entries got = read_all(*s);
  ASSERT_EQ(got.size(), written.size());
  for (size_t i = 0; i < got.size(); ++i) expect_same_entry(got[i], written[i]);
}

TEST(SegmentLogStore, OptionsValidateTheirRanges) {
  EXPECT_TRUE(SegmentLogStoreOptions{}.validate().ok());
  SegmentLogStoreOptions o;
  o.index_interval_bytes = 0;
  EXPECT_EQ(o.validate().code(), errc::invalid_config);
  o = {};
  o.segment_bytes = 8192;
  o.index_interval_bytes = 8193;
  EXPECT_EQ(o.validate().code(), errc::invalid_config);
  o = {};
  o.max_record_bytes = 0;
  EXPECT_EQ(o.validate().code(), errc::invalid_config);
  o = {};
  o.tail_cache_bytes = (1ull << 30) + 1;
  EXPECT_EQ(o.validate().code(), errc::invalid_config);
  o.tail_cache_bytes = 0;
  EXPECT_TRUE(o.validate().ok());
}

TEST(SegmentLogStore, RecentRecordsAreReadFromTheTailCache) {
  // A record overwritten on disk behind the store's back shows which path a read took: the cached
  // tail still returns what was appended; older records and a store without a cache read the file
  // and report the damage.
  for (uint64_t cache : {uint64_t{0}, uint64_t{3 * (100 + Entry::kEntryHeaderBytes)}}) {
    SCOPED_TRACE("tail_cache_bytes=" + std::to_string(cache));
    TempDir dir;
    SegmentLogStoreOptions opts;
    opts.tail_cache_bytes = cache;
    auto s = open_ok(dir.path(), opts);
    ASSERT_TRUE(s);
    ASSERT_TRUE(s->append(make_entries(0, 6, 1, 100)).ok());
    ASSERT_TRUE(s->sync().ok());
    {
      // Flip bytes inside every record's payload (records are 100-byte payloads after a header).
      std::fstream f(dir.file("00000000000000000000.log"), std::ios::in | std::ios::out | std::ios::binary);
      ASSERT_TRUE(f.good());
      f.seekg(0, std::ios::end);
      const std::streamoff size = f.tellg();
      const std::streamoff record = size / 6;
      for (int i = 0; i < 6; ++i) {
        f.seekp(record * i + record - 10);
        f.put('#');
      }
    }
    auto recent = s->read(Offset{3}, SIZE_MAX, SIZE_MAX);
    auto old = s->read(Offset{0}, SIZE_MAX, 1);
    if (cache == 0) {
      EXPECT_EQ(recent.code(), errc::corrupt);
      EXPECT_EQ(old.code(), errc::corrupt);
    } else {
      ASSERT_TRUE(recent.ok()) << recent.error().describe();
      ASSERT_EQ(recent->size(), 3u);
      for (int i = 0; i < 3; ++i)
        expect_same_entry((*recent)[i], make_entry(3 + i, 1, std::string(100, 'a' + (3 + i))));
      EXPECT_EQ(old.code(), errc::corrupt);  // offset 0 fell out of the 3-record cache
    }
  }
}

TEST(SegmentLogStore, TruncateSuffixAcrossSegmentsIsDurable) {
  TempDir dir;
  {
    auto s = open_ok(dir.path(), small_segments());
    ASSERT_TRUE(s);
    ASSERT_TRUE(s->append(make_entries(0, 60, 1, 100)).ok());
    ASSERT_TRUE(s->append(make_entries(60, 60, 3, 100)).ok());
    ASSERT_TRUE(s->sync().ok());
    const size_t before = s->segment_count();
    ASSERT_TRUE(s->truncate_suffix(Offset{30}).ok());
    EXPECT_LT(s->segment_count(), before);
    EXPECT_EQ(s->log_end(), Offset{30});
    EXPECT_EQ(s->durable_end(), Offset{30});
    EXPECT_EQ(s->last_epoch(), Epoch{1});
    EXPECT_EQ(s->end_offset_for_epoch(Epoch{3}), std::make_pair(Epoch{1}, Offset{30}));
    ASSERT_TRUE(s->append(make_entries(30, 5, 4, 100)).ok());
    EXPECT_EQ(s->truncate_suffix(Offset{36}).code(), errc::out_of_range);
  }
  // Not synced after the second append: the truncation must have stuck even so, and the new
  // records were flushed by the page cache (no machine crash here), so reopen sees them.
  auto s = open_ok(dir.path(), small_segments());
  ASSERT_TRUE(s);
  EXPECT_EQ(s->log_end(), Offset{35});
  EXPECT_EQ(*s->epoch_at(Offset{29}), Epoch{1});
  EXPECT_EQ(*s->epoch_at(Offset{30}), Epoch{4});
  Entries got = read_all(*s);
  ASSERT_EQ(got.size(), 35u);
  EXPECT_EQ(got[34].epoch, Epoch{4});
}

TEST(SegmentLogStore, TruncateSuffixToASegmentBaseAndToTheStart) {
  TempDir dir;
  auto s = open_ok(dir.path(), small_segments());
  ASSERT_TRUE(s);
  ASSERT_TRUE(s->append(make_entries(0, 60, 1, 100)).ok());
  // Find a segment boundary: the first offset whose record starts a new file.
  ASSERT_GE(s->segment_count(), 2u);
  ASSERT_TRUE(s->truncate_suffix(Offset{26}).ok());
  ASSERT_TRUE(s->append(make_entries(26, 2, 2, 100)).ok());
  EXPECT_EQ(read_all(*s).size(), 28u);
  ASSERT_TRUE(s->truncate_suffix(Offset{0}).ok());
  EXPECT_EQ(s->log_end(), Offset{0});
  EXPECT_EQ(s->segment_count(), 1u);
  EXPECT_EQ(s->last_epoch(), Epoch{0});
  ASSERT_TRUE(s->append(make_entries(0, 1, 5)).ok());
  EXPECT_EQ(*s->epoch_at(Offset{0}), Epoch{5});
}

TEST(SegmentLogStore, TruncatePrefixDeletesWholeSegmentsAndPersistsTheStart) {
  TempDir dir;
  {
    auto s = open_ok(dir.path(), small_segments());
    ASSERT_TRUE(s);
    ASSERT_TRUE(s->append(make_entries(0, 50, 1, 100)).ok());
    ASSERT_TRUE(s->append(make_entries(50, 50, 2, 100)).ok());
    ASSERT_TRUE(s->sync().ok());
    const size_t before = s->segment_count();
    ASSERT_TRUE(s->truncate_prefix(Offset{60}).ok());
    EXPECT_LT(s->segment_count(), before);
    EXPECT_EQ(s->log_start(), Offset{60});
    EXPECT_EQ(s->start_epoch(), Epoch{2});
    EXPECT_EQ(s->read(Offset{59}, 100, 1).code(), errc::compacted);
    EXPECT_EQ(*s->epoch_at(Offset{59}), Epoch{2});
    EXPECT_EQ(s->end_offset_for_epoch(Epoch{1}), std::make_pair(Epoch{0}, Offset{60}));
  }
  auto s = open_ok(dir.path(), small_segments());
  ASSERT_TRUE(s);
  EXPECT_EQ(s->log_start(), Offset{60});
  EXPECT_EQ(s->start_epoch(), Epoch{2});
  EXPECT_EQ(s->log_end(), Offset{100});
  EXPECT_EQ(s->read(Offset{59}, 100, 1).code(), errc::compacted);
  Entries got = read_all(*s);
  ASSERT_EQ(got.size(), 40u);
  EXPECT_EQ(got.front().offset, Offset{60});
  EXPECT_EQ(s->end_offset_for_epoch(Epoch{2}), std::make_pair(Epoch{2}, Offset{100}));
}

TEST(SegmentLogStore, ResetRestartsTheLogAndSurvivesReopen) {
  TempDir dir;
  {
    auto s = open_ok(dir.path(), small_segments());
    ASSERT_TRUE(s);
    ASSERT_TRUE(s->append(make_entries(0, 80, 1, 100)).ok());
    ASSERT_TRUE(s->reset(Offset{1000}, Epoch{9}).ok());
    EXPECT_EQ(s->segment_count(), 1u);
    EXPECT_EQ(s->log_start(), Offset{1000});
    EXPECT_EQ(s->log_end(), Offset{1000});
    EXPECT_EQ(s->durable_end(), Offset{1000});
    EXPECT_EQ(*s->epoch_at(Offset{999}), Epoch{9});
    ASSERT_TRUE(s->append(make_entries(1000, 3, 10)).ok());
    ASSERT_TRUE(s->sync().ok());
  }
  auto s = open_ok(dir.path(), small_segments());
  ASSERT_TRUE(s);
  EXPECT_EQ(s->log_start(), Offset{1000});
  EXPECT_EQ(s->log_end(), Offset{1003});
  EXPECT_EQ(s->start_epoch(), Epoch{9});
  EXPECT_EQ(s->end_offset_for_epoch(Epoch{9}), std::make_pair(Epoch{9}, Offset{1000}));
}

TEST(SegmentLogStore, HardStateAndSnapshotSaveAtomicallyAndLoadOnOpen) {
  TempDir dir;
  HardState hs;
  hs.epoch = Epoch{12};
  hs.vote = NodeId{2};
  hs.commit = Offset{40};
  hs.members = {NodeId{0}, NodeId{1}, NodeId{2}};
  Snapshot snap{Offset{39}, Epoch{11}, {NodeId{0}}, "state"};
  {
    auto s = open_ok(dir.path());
    ASSERT_TRUE(s);
    EXPECT_EQ(s->load_hard_state(), HardState{});
    EXPECT_EQ(s->load_snapshot().last_included, Offset{-1});
    ASSERT_TRUE(s->save_hard_state(HardState{}).ok());
    ASSERT_TRUE(s->save_hard_state(hs).ok());
    ASSERT_TRUE(s->save_snapshot(snap).ok());
    EXPECT_EQ(s->load_hard_state(), hs);
  }
  struct stat st {};
  EXPECT_NE(::stat(dir.file("hard_state.tmp").c_str(), &st), 0);  // the temp file was renamed away
  auto s = open_ok(dir.path());
  ASSERT_TRUE(s);
  EXPECT_EQ(s->load_hard_state(), hs);
  EXPECT_EQ(s->load_snapshot().last_included, Offset{39});
  EXPECT_EQ(s->load_snapshot().state, "state");
}

ino_t inode_of(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_ino;
}

void overwrite(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

HardState voted(int64_t commit) {
  HardState hs;
  hs.epoch = Epoch{7};
  hs.vote = NodeId{1};
  hs.commit = Offset{commit};
  hs.members = {NodeId{0}, NodeId{1}, NodeId{2}};
  return hs;
}

TEST(SegmentLogStore, RelaxedCommitOnlySavesRewriteTheMarkInPlaceAndSurviveReopen) {
  TempDir dir;
  {
    auto s = open_ok(dir.path());
    ASSERT_TRUE(s);
    ASSERT_TRUE(s->save_hard_state(voted(10)).ok());
    const ino_t hs_inode = inode_of(dir.file("hard_state"));
    ASSERT_TRUE(s->save_hard_state_relaxed(voted(11)).ok());
    const ino_t mark_inode = inode_of(dir.file("commit_mark"));
    ASSERT_TRUE(s->save_hard_state_relaxed(voted(25)).ok());
    EXPECT_EQ(s->load_hard_state(), voted(25));
    // Neither file was replaced: hard_state still holds commit 10, the mark was written over.
    EXPECT_EQ(inode_of(dir.file("hard_state")), hs_inode);
    EXPECT_EQ(inode_of(dir.file("commit_mark")), mark_inode);
  }
  auto s = open_ok(dir.path());
  ASSERT_TRUE(s);
  EXPECT_EQ(s->load_hard_state(), voted(25));
}

TEST(SegmentLogStore, RelaxedSaveOfMoreThanTheCommitReplacesHardState) {
  TempDir dir;
  {
    auto s = open_ok(dir.path());
    ASSERT_TRUE(s);
    ASSERT_TRUE(s->save_hard_state(voted(10)).ok());
    ASSERT_TRUE(s->save_hard_state_relaxed(voted(30)).ok());
    HardState next = voted(31);
    next.extra = "master=2";
    ASSERT_TRUE(s->save_hard_state_relaxed(next).ok());  // not a commit-only change
    EXPECT_EQ(s->load_hard_state(), next);
  }
  auto s = open_ok(dir.path());
  ASSERT_TRUE(s);
  HardState want = voted(31);
  want.extra = "master=2";
  EXPECT_EQ(s->load_hard_state(), want) << "the mark left for the older hard state is ignored";
}

TEST(SegmentLogStore, AMarkThatIsTornOrMadeForAnotherHardStateIsIgnored) {
  TempDir dir;
  {
    auto s = open_ok(dir.path());
    ASSERT_TRUE(s);
    ASSERT_TRUE(s->save_hard_state(voted(10)).ok());
    ASSERT_TRUE(s->save_hard_state_relaxed(voted(40)).ok());
  }
  const std::string mark = encode_commit_mark({hard_state_base(voted(10)), Offset{40}});
  // Torn (a power loss mid-write): falls back to the synced commit, and the store still opens.
  overwrite(dir.file("commit_mark"), mark.substr(0, mark.size() - 3));
  {
    auto s = open_ok(dir.path());
    ASSERT_TRUE(s);
    EXPECT_EQ(s->load_hard_state(), voted(10));
  }
  // Intact but made for a hard state with another vote: not applied.
  HardState other = voted(10);
  other.vote = NodeId{2};
  overwrite(dir.file("commit_mark"), encode_commit_mark({hard_state_base(other), Offset{40}}));
  {
    auto s = open_ok(dir.path());
    ASSERT_TRUE(s);
    EXPECT_EQ(s->load_hard_state(), voted(10));
  }
  // A mark never moves the commit back.
  overwrite(dir.file("commit_mark"), encode_commit_mark({hard_state_base(voted(10)), Offset{3}}));
  auto s = open_ok(dir.path());
  ASSERT_TRUE(s);
  EXPECT_EQ(s->load_hard_state(), voted(10));
}

TEST(SegmentLogStore, OpenErrorsNameTheProblem) {
  TempDir dir;
  auto missing = SegmentLogStore::open(dir.file("nope"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.code(), errc::io_error);
  EXPECT_NE(missing.error().message.find(dir.file("nope")), std::string::npos) << missing.error().message;

  std::ofstream(dir.file("plain")) << "x";
  auto not_dir = SegmentLogStore::open(dir.file("plain"));
  EXPECT_EQ(not_dir.code(), errc::io_error);

  SegmentLogStoreOptions create;
  create.create_if_missing = true;
  EXPECT_TRUE(SegmentLogStore::open(dir.file("made"), create).ok());

  SegmentLogStoreOptions bad;
  bad.segment_bytes = 10;
  EXPECT_EQ(SegmentLogStore::open(dir.path(), bad).code(), errc::invalid_config);

  auto first = open_ok(dir.path());
  ASSERT_TRUE(first);
  EXPECT_EQ(SegmentLogStore::open(dir.path()).code(), errc::busy);
}

TEST(SegmentLogStore, ConcurrentSyncWhileAppending) {
  TempDir dir;
  auto s = open_ok(dir.path(), small_segments());
  ASSERT_TRUE(s);
  constexpr int kBatches = 400;
  std::atomic<bool> done{false};
  std::vector<Offset> seen;
  std::thread disk([&] {
    // The disk thread syncs in a loop until the appender is finished; each result must be
    // monotonic and never past what was appended.
    while (!done.load()) {
      auto d = s->sync();
      ASSERT_TRUE(d.ok());
      seen.push_back(*d);
    }
  });
  for (int b = 0; b < kBatches; ++b) {
    ASSERT_TRUE(s->append(make_entries(b * 5, 5, 1 + b / 100, 64)).ok());
    if (b % 50 == 49) {
      auto r = s->read(Offset{b * 5 - 100}, SIZE_MAX, 50);
      ASSERT_TRUE(r.ok());
      EXPECT_EQ(r->size(), 50u);
    }
  }
  done.store(true);
  disk.join();
  for (size_t i = 1; i < seen.size(); ++i) EXPECT_LE(seen[i - 1], seen[i]);
  for (Offset o : seen) EXPECT_LE(o, Offset{kBatches * 5});
  auto last = s->sync();
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(*last, Offset{kBatches * 5});
  EXPECT_EQ(read_all(*s).size(), static_cast<size_t>(kBatches * 5));
}

// Random operations applied to a SegmentLogStore and a MemLogStore must leave both with the same
// log, including after a reopen of the segment store.
TEST(SegmentLogStore, MatchesMemLogStoreUnderRandomOperations) {
  // Tail cache off (every read from the files), small (reads straddle its start) and default
  // (nearly every read from memory until a reopen empties it).
  for (uint64_t cache : {uint64_t{0}, uint64_t{1500}, SegmentLogStoreOptions{}.tail_cache_bytes})
    for (uint64_t seed = 1; seed <= 4; ++seed) {
      SCOPED_TRACE("seed=" + std::to_string(seed) + " tail_cache_bytes=" + std::to_string(cache));
      TempDir dir;
      Prng rng(seed);
      MemLogStore mem;
      SegmentLogStoreOptions opts = small_segments();
      opts.tail_cache_bytes = cache;
      auto seg = open_ok(dir.path(), opts);
      ASSERT_TRUE(seg);
      uint64_t epoch = 1;
      for (int step = 0; step < 300; ++step) {
        const uint64_t op = rng.below(100);
        if (op < 60) {
          if (rng.below(10) == 0) ++epoch;
          Entries es = make_entries(mem.log_end().value(), rng.between(1, 8), epoch, rng.below(300));
          ASSERT_TRUE(mem.append(es).ok());
          ASSERT_TRUE(seg->append(es).ok());
        } else if (op < 72) {
          Offset end = mem.log_start() + rng.between(0, mem.log_end() - mem.log_start());
          ASSERT_TRUE(mem.truncate_suffix(end).ok());
          ASSERT_TRUE(seg->truncate_suffix(end).ok());
        } else if (op < 80) {
          Offset start = mem.log_start() + rng.between(0, (mem.log_end() - mem.log_start()) / 2);
          ASSERT_TRUE(mem.truncate_prefix(start).ok());
          ASSERT_TRUE(seg->truncate_prefix(start).ok());
        } else if (op < 82) {
          Offset start = mem.log_end() + rng.between(0, 10);
          ASSERT_TRUE(mem.reset(start, Epoch{epoch}).ok());
          ASSERT_TRUE(seg->reset(start, Epoch{epoch}).ok());
        } else if (op < 90) {
          ASSERT_TRUE(seg->sync().ok());
        } else if (op < 93) {
          ASSERT_TRUE(seg->sync().ok());
          seg.reset();
          seg = open_ok(dir.path(), opts);
          ASSERT_TRUE(seg);
          ASSERT_EQ(seg->recovery().bytes_dropped, 0u);
        } else {
          Offset from = mem.log_start() + rng.between(0, mem.log_end() - mem.log_start());
          const size_t budget = rng.below(2000), max_entries = 1 + rng.below(20);
          auto a = mem.read(from, budget, max_entries);
          auto b = seg->read(from, budget, max_entries);
          ASSERT_TRUE(a.ok());
          ASSERT_TRUE(b.ok()) << b.error().describe();
          ASSERT_EQ(a->size(), b->size()) << "step " << step;
          for (size_t i = 0; i < a->size(); ++i) expect_same_entry((*a)[i], (*b)[i]);
        }
        ASSERT_EQ(seg->log_start(), mem.log_start()) << "step " << step;
        ASSERT_EQ(seg->log_end(), mem.log_end()) << "step " << step;
        ASSERT_EQ(seg->start_epoch(), mem.start_epoch()) << "step " << step;
        ASSERT_EQ(seg->last_epoch(), mem.last_epoch()) << "step " << step;
        for (uint64_t e = 0; e <= epoch + 1; ++e)
          ASSERT_EQ(seg->end_offset_for_epoch(Epoch{e}), mem.end_offset_for_epoch(Epoch{e})) << "epoch " << e;
      }
      Entries a = read_all(mem), b = read_all(*seg);
      ASSERT_EQ(a.size(), b.size());
      for (size_t i = 0; i < a.size(); ++i) expect_same_entry(a[i], b[i]);
      for (Offset o = mem.log_start().prev(); o < mem.log_end(); ++o) ASSERT_EQ(*seg->epoch_at(o), *mem.epoch_at(o));
    }
}

}  // namespace
}  // namespace rb::storage
