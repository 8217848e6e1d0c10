// Cost of check() on a clean history: n messages over 8 partitions, acked, delivered in polls
// of 64 and committed on 3 replicas. Reports items (messages) per second.
#include <benchmark/benchmark.h>

#include "harness/checker/checker.h"
#include "replication/core/prng.h"

namespace {

using namespace rb;
using namespace rb::checker;

struct Run {
  std::vector<HistoryOp> ops;
  std::vector<ReplicaLog> logs;
};

Run make_run(int n) {
  constexpr uint32_t kPartitions = 8;
  Prng rng(1);
  Run r;
  r.logs.resize(kPartitions * 3);
  std::vector<int64_t> next(kPartitions, 0);
  std::vector<HistoryOp> polls(kPartitions);
  for (uint32_t p = 0; p < kPartitions; ++p) {
    for (uint32_t k = 0; k < 3; ++k)
      r.logs[p * 3 + k] = ReplicaLog{NodeId(k), PartitionId(p), Offset(0), Offset(0), {}};
    polls[p].type = OpType::ok;
    polls[p].f = OpFn::poll;
    polls[p].process = 100 + p;
    polls[p].partition = PartitionId(p);
  }
  r.ops.reserve(static_cast<size_t>(n) * 2 + n / 64 + kPartitions);
  for (int i = 0; i < n; ++i) {
    const uint32_t p = static_cast<uint32_t>(rng.below(kPartitions));
    HistoryOp op;
    op.f = OpFn::send;
    op.time_ns = i * 1000;
    op.partition = PartitionId(p);
    op.id = MessageId{ProducerId(1 + rng.below(4)), static_cast<uint64_t>(i)};
    op.process = op.id.producer.value();
    r.ops.push_back(op);
    op.type = OpType::ok;
    op.time_ns += 500;
    op.offset = Offset(next[p]++);
    op.node = NodeId(0);
    op.epoch = Epoch(1);
    r.ops.push_back(op);
    for (uint32_t k = 0; k < 3; ++k) r.logs[p * 3 + k].records.push_back({op.offset, Epoch(1), op.id});
    polls[p].delivered.push_back({op.offset, op.id});
    if (polls[p].delivered.size() == 64) {
      polls[p].time_ns = op.time_ns + 1;
      r.ops.push_back(polls[p]);
      polls[p].delivered.clear();
    }
  }
  for (uint32_t p = 0; p < kPartitions; ++p) {
    polls[p].time_ns = int64_t{n} * 1000 + 1;
    r.ops.push_back(polls[p]);
    for (uint32_t k = 0; k < 3; ++k) r.logs[p * 3 + k].commit_end = Offset(next[p]);
  }
  return r;
}

void BM_Check(benchmark::State& state) {
  const Run r = make_run(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    auto v = check(r.ops, r.logs, {});
    benchmark::DoNotOptimize(v.valid);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Check)->Arg(10'000)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

}  // namespace
