// SegmentLogStore append throughput with 1 KiB records in 64 KiB batches (one append() call per
// batch, as the node loop applies one Ready), with (a) no fsync and (b) one sync() per batch. Also
// CRC32C speed, hardware and software. Bytes/s counts payload bytes.
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
