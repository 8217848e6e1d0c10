// The load generator's producer batching, against the simulator: requests carry at most
// `batch_max_messages` records, batches form under linger or a full window, the window (in
// messages) is never exceeded, every record's offset is base + its index (the checker agrees),
// and retried messages go out alone.
#include "harness/run/load_generator.h"

#include <gtest/gtest.h>

#include <set>
#include <utility>

#include "harness/cli/modes.h"
#include "harness/run/run_command.h"
#include "harness/run/verify.h"
#include "replication/sim/sim_cluster.h"

namespace rb::harness {
namespace {

// Forwards to a simulated cluster and records what the producers send.
class RecordingCluster : public ClusterApi {
 public:
  explicit RecordingCluster(ClusterApi& inner) : inner_(inner) {}

  std::vector<size_t> request_sizes;  // records per produce request, in send order
  std::vector<size_t> retry_sizes;    // the same, for requests that resend a record seen before
  uint64_t max_in_flight_records = 0;

  int64_t now_ns() const override { return inner_.now_ns(); }
  void schedule(int64_t at, std::function<void()> fn) override { inner_.schedule(at, std::move(fn)); }
  void run_until(int64_t t) override { inner_.run_until(t); }
  void set_response_handler(std::function<void(ClientId, client::Response)> fn) override {
    if (!fn) {
      inner_.set_response_handler({});
      return;
    }
    handler_ = std::move(fn);
    inner_.set_response_handler([this](ClientId c, client::Response r) {
      if (auto* pr = std::get_if<client::ProduceResponse>(&r)) {
        auto it = open_.find({c, pr->id.value()});
        if (it != open_.end()) {
          in_flight_ -= it->second;
          open_.erase(it);
        }
      }
      handler_(c, std::move(r));
    });
  }
  void send(ClientId client, NodeId node, client::Request req) override {
    if (auto* pr = std::get_if<client::ProduceRequest>(&req)) {
      bool retry = false;
      for (const auto& e : pr->records)
        if (!seen_.insert({e.producer.value(), e.sequence}).second) retry = true;
      (retry ? retry_sizes : request_sizes).push_back(pr->records.size());
      if (!retry) {
        in_flight_ += pr->records.size();
        max_in_flight_records = std::max(max_in_flight_records, in_flight_);
        open_[{client, pr->id.value()}] = pr->records.size();
      }
    }
    inner_.send(client, node, std::move(req));
  }
  std::vector<NodeId> nodes() const override { return inner_.nodes(); }
  uint32_t partitions() const override { return inner_.partitions(); }
  std::vector<NodeId> replicas(PartitionId p) const override { return inner_.replicas(p); }
  bool is_up(NodeId n) const override { return inner_.is_up(n); }
  Status kill(NodeId n, bool lose) override { return inner_.kill(n, lose); }
  Status restart(NodeId n) override { return inner_.restart(n); }
  Status pause(NodeId n) override { return inner_.pause(n); }
  Status resume(NodeId n) override { return inner_.resume(n); }
  Status set_link(NodeId a, NodeId b, LinkFault f) override { return inner_.set_link(a, b, f); }
  Status heal_links() override { return inner_.heal_links(); }
  Status set_disk_slowdown(NodeId n, double f) override { return inner_.set_disk_slowdown(n, f); }
  Status admin(NodeId n, PartitionId p, const AdminCommand& c) override { return inner_.admin(n, p, c); }
  std::optional<NodeId> leader_of(PartitionId p) override { return inner_.leader_of(p); }
  std::vector<ReplicaLogDump> dump_logs() override { return inner_.dump_logs(); }
  ClusterCounters counters() const override { return inner_.counters(); }
  std::vector<EngineEventRecord> take_events() override { return inner_.take_events(); }
  std::map<std::string, std::string> describe() const override { return inner_.describe(); }

 private:
  ClusterApi& inner_;
  std::function<void(ClientId, client::Response)> handler_;
  std::set<std::pair<uint64_t, int64_t>> seen_;
  std::map<std::pair<ClientId, uint64_t>, size_t> open_;
  uint64_t in_flight_ = 0;
};

struct Run {
  LoadResults results;
  nlohmann::json verification;
  std::vector<size_t> request_sizes;
  std::vector<size_t> retry_sizes;
  uint64_t max_in_flight_records = 0;
  uint64_t wrong_offsets = 0;  // acknowledged records not found at their acknowledged offset
};

// Runs `spec` on a 3-node cluster of `mode` and verifies the history. With `kill_leader`, the
// first replica of partition 0 is killed at 1 s and restarted at 2 s.
Run run_load(const LoadSpec& spec, uint64_t seed, const std::string& mode = "masterslave", bool kill_leader = false) {
  auto factory = make_mode(mode);
  RB_ASSERT(factory.ok());
  sim::SimClusterConfig sc;
  sc.nodes = 3;
  sc.partitions = spec.partitions();
  sc.common.replicas = 3;
  sc.seed = seed;
  sim::SimCluster sim(sc, **factory);
  if (kill_leader) {
    NodeId victim = sim.replicas(PartitionId{0}).front();
    sim.schedule(1'000'000'000, [&sim, victim] { RB_ASSERT(sim.kill(victim, false).ok()); });
    sim.schedule(2'000'000'000, [&sim, victim] { RB_ASSERT(sim.restart(victim).ok()); });
  }
  RecordingCluster rec(sim);
  LoadGenerator gen(rec, spec);
  Run out;
  out.results = gen.run();
  out.request_sizes = rec.request_sizes;
  out.retry_sizes = rec.retry_sizes;
  out.max_in_flight_records = rec.max_in_flight_records;
  auto dumps = sim.dump_logs();
  // Each acknowledged record must sit at the offset its acknowledgement reported (base + index).
  std::map<std::pair<uint32_t, int64_t>, std::pair<uint64_t, int64_t>> at;  // (partition, offset) -> identity
  for (const auto& d : dumps)
    for (const auto& e : d.entries)
      if (e.kind == EntryKind::data) at[{d.partition.value(), e.offset.value()}] = {e.producer.value(), e.sequence};
  for (const auto& r : out.results.sends) {
    if (r.outcome != Outcome::ok) continue;
    auto it = at.find({r.partition.value(), r.offset.value()});
    if (it == at.end() || it->second != std::pair<uint64_t, int64_t>{r.producer, r.sequence}) ++out.wrong_offsets;
  }
  auto history = build_history(out.results, dumps, sim.take_events(), {});
  out.verification = verify(history, guarantee_for(**factory, sc.common));
  return out;
}

LoadSpec base_spec() {
  LoadSpec s;
  s.partitions_per_topic = 3;
  s.producers_per_topic = 2;
  s.subscriptions_per_topic = 1;
  s.message_size = 128;
  s.producer_rate = 20'000;
  s.warmup_ns = 0;
  s.duration_ns = 1'000'000'000;
  s.max_in_flight = 64;
  return s;
}

TEST(ProducerBatching, DefaultSendsEveryMessageAlone) {
  LoadSpec s = base_spec();
  auto run = run_load(s, 7);
  EXPECT_EQ(run.results.sent, 20'000u);
  EXPECT_EQ(run.results.acked, 20'000u);
  EXPECT_EQ(run.results.delivered, 20'000u);
  EXPECT_TRUE(run.verification["valid"].get<bool>()) << run.verification.dump();
  EXPECT_EQ(run.request_sizes.size(), 20'000u);
  for (size_t n : run.request_sizes) ASSERT_EQ(n, 1u);
}

TEST(ProducerBatching, LingerFormsBatchesUpToTheMaximum) {
  LoadSpec s = base_spec();
  s.batch_max_messages = 16;
  s.linger_ns = 2'000'000;  // 2 ms at 10k msg/s per producer over 3 partitions: ~6-7 per batch
  auto run = run_load(s, 7);
  EXPECT_EQ(run.results.acked, 20'000u);
  EXPECT_EQ(run.results.delivered, 20'000u);
  EXPECT_TRUE(run.verification["valid"].get<bool>()) << run.verification.dump();
  // The checker compared every acknowledged offset (base + index) with the replicas' logs.
  EXPECT_EQ(run.verification["lost"].get<uint64_t>(), 0u);
  EXPECT_EQ(run.wrong_offsets, 0u);
  size_t biggest = 0;
  for (size_t n : run.request_sizes) biggest = std::max(biggest, n);
  EXPECT_LE(biggest, 16u);
  EXPECT_GT(biggest, 1u);
  EXPECT_LT(run.request_sizes.size(), 20'000u / 4) << "2 ms of linger should batch at least 4 on average";
}

TEST(ProducerBatching, RequestsRespectTheBatchLimitAndTheWindow) {
  LoadSpec s = base_spec();
  s.producer_rate = 0;  // closed loop at a 48-message window
  s.batch_max_messages = 8;
  s.linger_ns = 1'000'000;  // without linger, one ack frees one slot and batches settle at 1
  s.max_in_flight = 48;
  auto run = run_load(s, 11);
  ASSERT_FALSE(run.request_sizes.empty());
  size_t total = 0, biggest = 0;
  for (size_t n : run.request_sizes) {
    total += n;
    biggest = std::max(biggest, n);
  }
  EXPECT_EQ(total, run.results.sent);
  EXPECT_EQ(biggest, 8u);
  EXPECT_GT(total, 6 * run.request_sizes.size()) << "most requests should carry a full batch";
  EXPECT_LE(run.max_in_flight_records, 2u * 48u) << "two producers, 48 messages each";
  EXPECT_GT(run.max_in_flight_records, 48u);
  EXPECT_EQ(run.results.acked, run.results.sent);
  EXPECT_EQ(run.wrong_offsets, 0u);
  EXPECT_TRUE(run.verification["valid"].get<bool>()) << run.verification.dump();
  // Requests sent before the masters are up are answered with an error and retried, alone.
  for (size_t n : run.retry_sizes) EXPECT_EQ(n, 1u);
}

TEST(ProducerBatching, WithoutLingerBatchesFormOnlyUnderBackpressure) {
  LoadSpec s = base_spec();
  s.producer_rate = 200;  // far below capacity: the window is never full
  s.batch_max_messages = 32;
  auto run = run_load(s, 5);
  EXPECT_EQ(run.results.acked, 200u);
  for (size_t n : run.request_sizes) EXPECT_EQ(n, 1u);
}

TEST(ProducerBatching, RetriedMessagesGoAloneAndNothingAcknowledgedIsLost) {
  if (!make_mode("raft").ok()) GTEST_SKIP() << "raft is not built";
  for (uint64_t seed : {1u, 2u, 3u}) {
    LoadSpec s = base_spec();
    s.duration_ns = 3'000'000'000;
    s.producer_rate = 6'000;
    s.batch_max_messages = 16;
    s.linger_ns = 3'000'000;
    s.request_timeout_ns = 500'000'000;
    auto run = run_load(s, seed, "raft", /*kill_leader=*/true);
    EXPECT_TRUE(run.verification["valid"].get<bool>()) << "seed " << seed << ": " << run.verification.dump();
    EXPECT_EQ(run.verification["lost"].get<uint64_t>(), 0u) << "seed " << seed;
    EXPECT_EQ(run.wrong_offsets, 0u) << "seed " << seed;
    EXPECT_GT(run.results.retries, 0u) << "seed " << seed << ": the kill should force retries";
    ASSERT_FALSE(run.retry_sizes.empty()) << "seed " << seed;
    for (size_t n : run.retry_sizes) EXPECT_EQ(n, 1u) << "seed " << seed;
    size_t batched = 0;
    for (size_t n : run.request_sizes) batched += n > 1;
    EXPECT_GT(batched, 0u) << "seed " << seed;
  }
}

TEST(ProducerBatching, WorkloadKeysReachTheRunAndAreValidated) {
  RunOptions o;
  o.mode = "masterslave";
  o.workload_inline = nlohmann::json{{"name", "b"},
                                     {"partitionsPerTopic", 2},
                                     {"messageSize", 256},
                                     {"producerRate", 4000},
                                     {"producerBatchMessages", 10},
                                     {"producerLingerMs", 1.5},
                                     {"testDurationSeconds", 1}};
  o.out = ::testing::TempDir() + "/batching.json";
  o.write_history = false;
  auto r = execute_run(o);
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ((*r)["workload"]["producerBatchMessages"].get<uint32_t>(), 10u);
  EXPECT_DOUBLE_EQ((*r)["workload"]["producerLingerMs"].get<double>(), 1.5);
  EXPECT_EQ((*r)["summary"]["acked"].get<uint64_t>(), 4000u);
  EXPECT_TRUE((*r)["verification"]["valid"].get<bool>());

  (*o.workload_inline)["producerBatchMessages"] = 0;
  auto bad = execute_run(o);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("producerBatchMessages"), std::string::npos) << bad.error().message;
  (*o.workload_inline)["producerBatchMessages"] = 1000;  // more than maxInFlight (128)
  bad = execute_run(o);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("maxInFlight"), std::string::npos) << bad.error().message;
  (*o.workload_inline)["producerBatchMessages"] = 4;
  (*o.workload_inline)["producerLingerMs"] = -1;
  bad = execute_run(o);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("producerLingerMs"), std::string::npos) << bad.error().message;
}

}  // namespace
}  // namespace rb::harness
