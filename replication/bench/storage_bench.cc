// SegmentLogStore append throughput with 1 KiB records in 64 KiB batches (one append() call per
// batch, as the node loop applies one Ready), with (a) no fsync and (b) one sync() per batch; a
// read of the most recent records with and without the tail cache. Also CRC32C speed, hardware
// and software. Bytes/s counts payload bytes.
//
// Run: build/<dir>/replication/storage/storage_bench [--benchmark_min_time=2s]
// The store lives in a fresh directory under $TMPDIR (default /tmp), removed at the end; old
// segments are cut (truncate_prefix) as the log grows so the disk holds at most ~256 MiB.
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

#include "replication/storage/crc32c.h"
#include "replication/storage/segment_log_store.h"

namespace rb::storage {
namespace {

constexpr size_t kRecordBytes = 1024;
constexpr size_t kBatchRecords = 64;  // 64 KiB of payload per append()
constexpr int64_t kRetainRecords = (256ll << 20) / kRecordBytes;

std::string make_temp_dir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base ? base : "/tmp") + "/rb_storage_bench.XXXXXX";
  char* p = ::mkdtemp(tmpl.data());
  if (p == nullptr) std::abort();
  return tmpl;
}

void run_append(benchmark::State& state, bool sync_each_batch) {
  const std::string dir = make_temp_dir();
  {
    auto opened = SegmentLogStore::open(dir);
    if (!opened.ok()) {
      state.SkipWithError(opened.error().describe().c_str());
      return;
    }
    auto store = std::move(*opened);
    Entries batch(kBatchRecords);
    Payload payload = make_payload(std::string(kRecordBytes, 'x'));
    for (auto& e : batch) {
      e.epoch = Epoch{1};
      e.payload = payload;
    }
    int64_t next = 0;
    for (auto _ : state) {
      for (auto& e : batch) e.offset = Offset{next++};
      if (!store->append(batch).ok()) {
        state.SkipWithError("append failed");
        break;
      }
      if (sync_each_batch && !store->sync().ok()) {
        state.SkipWithError("sync failed");
        break;
      }
      if (next - store->log_start().value() > 2 * kRetainRecords) {
        state.PauseTiming();
        if (!store->truncate_prefix(Offset{next - kRetainRecords}).ok()) state.SkipWithError("truncate_prefix failed");
        state.ResumeTiming();
      }
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kBatchRecords * kRecordBytes));
    state.counters["records/s"] =
        benchmark::Counter(static_cast<double>(state.iterations() * kBatchRecords), benchmark::Counter::kIsRate);
    state.counters["syncs"] = static_cast<double>(store->stats().syncs);
  }
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

void BM_AppendNoFsync(benchmark::State& state) { run_append(state, false); }
void BM_AppendFsyncPerBatch(benchmark::State& state) { run_append(state, true); }
BENCHMARK(BM_AppendNoFsync)->UseRealTime();
BENCHMARK(BM_AppendFsyncPerBatch)->UseRealTime();

// A leader's replication read: the 200 records (~200 KiB) it appended last, as one read() call,
// with the tail cache off (pread + CRC + a payload copy per record) and on (shared payloads).
void BM_ReadRecentRecords(benchmark::State& state, uint64_t tail_cache_bytes) {
  const std::string dir = make_temp_dir();
  {
    SegmentLogStoreOptions opts;
    opts.tail_cache_bytes = tail_cache_bytes;
    auto opened = SegmentLogStore::open(dir, opts);
    if (!opened.ok()) {
      state.SkipWithError(opened.error().describe().c_str());
      return;
    }
    auto store = std::move(*opened);
    constexpr int64_t kRecords = 4096, kRead = 200;
    Entries batch(kRecords);
    for (int64_t i = 0; i < kRecords; ++i) {
      batch[static_cast<size_t>(i)].offset = Offset{i};
      batch[static_cast<size_t>(i)].epoch = Epoch{1};
      batch[static_cast<size_t>(i)].payload = make_payload(std::string(kRecordBytes, static_cast<char>('a' + i % 26)));
    }
    if (!store->append(batch).ok()) {
      state.SkipWithError("append failed");
      return;
    }
    for (auto _ : state) {
      auto r = store->read(Offset{kRecords - kRead}, 1 << 20, SIZE_MAX);
      if (!r.ok() || r->size() != static_cast<size_t>(kRead)) {
        state.SkipWithError("read failed");
        break;
      }
      benchmark::DoNotOptimize(r->back().payload.get());
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kRead * kRecordBytes));
  }
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}
BENCHMARK_CAPTURE(BM_ReadRecentRecords, file, uint64_t{0});
BENCHMARK_CAPTURE(BM_ReadRecentRecords, tail_cache, SegmentLogStoreOptions{}.tail_cache_bytes);

void BM_Crc32c(benchmark::State& state, bool hw) {
  if (hw && !crc32c_hw_available()) {
    state.SkipWithError("no SSE4.2");
    return;
  }
  std::string buf(static_cast<size_t>(state.range(0)), 'y');
  for (auto _ : state) {
    uint32_t c = hw ? crc32c_extend_hw(0, buf.data(), buf.size()) : crc32c_extend_sw(0, buf.data(), buf.size());
    benchmark::DoNotOptimize(c);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK_CAPTURE(BM_Crc32c, hw, true)->Arg(1024)->Arg(64 << 10);
BENCHMARK_CAPTURE(BM_Crc32c, sw, false)->Arg(1024)->Arg(64 << 10);

}  // namespace
}  // namespace rb::storage

BENCHMARK_MAIN();
