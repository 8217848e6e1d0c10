// Cost of LogLinearHistogram::record() on the hot path of the load generator, and of reading a
// percentile (done once per second per interval).
#include <benchmark/benchmark.h>

#include <vector>

#include "harness/metrics/histogram.h"
#include "replication/core/prng.h"

namespace {

std::vector<int64_t> latencies(size_t n) {
  rb::Prng rng(42);
  std::vector<int64_t> v(n);
  for (auto& x : v) x = rng.between(50'000, 20'000'000);  // 50 us .. 20 ms
  return v;
}

void BM_Record(benchmark::State& state) {
  const auto values = latencies(4096);
  rb::metrics::LogLinearHistogram h;
  size_t i = 0;
  for (auto _ : state) {
    h.record(values[i++ & 4095]);
  }
  benchmark::DoNotOptimize(h.count());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Record);

void BM_Percentile(benchmark::State& state) {
  const auto values = latencies(100'000);
  rb::metrics::LogLinearHistogram h;
  for (auto v : values) h.record(v);
  for (auto _ : state) benchmark::DoNotOptimize(h.percentile(99.9));
}
BENCHMARK(BM_Percentile);

}  // namespace
