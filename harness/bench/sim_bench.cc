// Simulator speed: simulated messages per wall-clock second for a 3-node master/slave cluster
// (sync replication, fsync per batch, 1 KB messages), including the load generator, consumers and
// the history the checker reads. Target (issue): >= 500,000 simulated messages per wall second.
#include <benchmark/benchmark.h>

#include "harness/cli/modes.h"
#include "harness/run/load_generator.h"
#include "replication/sim/sim_cluster.h"

namespace {

void run_sim(benchmark::State& state, const char* mode, bool consumers, uint32_t batch = 1, int64_t linger_ns = 0) {
  uint64_t messages = 0;
  for (auto _ : state) {
    auto factory = rb::harness::make_mode(mode);
    if (!factory.ok()) {
      state.SkipWithError(factory.error().message.c_str());
      return;
    }
    rb::sim::SimClusterConfig sc;
    sc.nodes = 3;
    sc.partitions = 6;
    sc.common.replicas = 3;
    sc.common.min_insync = 2;
    sc.seed = 1;
    rb::sim::SimCluster cluster(sc, **factory);
    rb::harness::LoadSpec spec;
    spec.partitions_per_topic = 6;
    spec.producers_per_topic = 3;
    spec.subscriptions_per_topic = consumers ? 1 : 0;
    spec.message_size = 1024;
    spec.producer_rate = static_cast<double>(state.range(0));
    spec.warmup_ns = 0;
    spec.duration_ns = 2'000'000'000;
    spec.max_in_flight = 4096;
    spec.batch_max_messages = batch;
    spec.linger_ns = linger_ns;
    rb::harness::LoadGenerator gen(cluster, spec, /*keep_history=*/true);
    auto res = gen.run();
    messages += res.acked;
    benchmark::DoNotOptimize(res.acked);
  }
  state.counters["sim_msgs_per_wall_s"] =
      benchmark::Counter(static_cast<double>(messages), benchmark::Counter::kIsRate);
}

void BM_SimMasterSlave(benchmark::State& state) { run_sim(state, "masterslave", true); }
void BM_SimMasterSlaveNoConsumers(benchmark::State& state) { run_sim(state, "masterslave", false); }
void BM_SimRaft(benchmark::State& state) { run_sim(state, "raft", true); }
// Producers batching as Kafka's do (linger 1 ms, up to 64 messages per request).
void BM_SimMasterSlaveLinger1ms(benchmark::State& state) { run_sim(state, "masterslave", true, 64, 1'000'000); }
void BM_SimRaftLinger1ms(benchmark::State& state) { run_sim(state, "raft", true, 64, 1'000'000); }

BENCHMARK(BM_SimMasterSlave)->Arg(100000)->Arg(300000)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_SimMasterSlaveNoConsumers)->Arg(300000)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_SimRaft)->Arg(100000)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_SimMasterSlaveLinger1ms)->Arg(300000)->Arg(1000000)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_SimRaftLinger1ms)->Arg(300000)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
