// Real node processes on loopback, one cluster per mode (masterslave, raft, isr, gm): produce and
// consume with every ack level; then, under load, kill -9 the leader, restart it, cut it off
// with the fault filter and heal, and check with the harness's checker that nothing acknowledged
// is lost where the configuration forbids loss.
#include <gtest/gtest.h>

#include <filesystem>

#include "harness/cli/modes.h"
#include "harness/netcluster/tests/test_util.h"
#include "harness/run/load_generator.h"
#include "harness/run/verify.h"

namespace rb::netcluster {
namespace {

using namespace testing;

class NetIntegration : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    auto f = harness::make_mode(GetParam());
    if (!f.ok()) GTEST_SKIP() << "mode " << GetParam() << " not built: " << f.error().describe();
    factory_ = std::move(f.value());
  }
  std::unique_ptr<EngineFactory> factory_;
};

TEST_P(NetIntegration, ProduceAndConsumeWithEveryAckLevel) {
  NetCluster c(options(GetParam()));
  auto s = c.start();
  ASSERT_TRUE(s.ok()) << s.error().describe();
  const PartitionId p{0};
  int sent = 0;
  for (AckLevel acks : {AckLevel::none, AckLevel::leader, AckLevel::quorum, AckLevel::all}) {
    SCOPED_TRACE(std::string(to_string(acks)));
    auto r = produce(c, p, records(4, 200), acks);
    ASSERT_TRUE(r.has_value()) << "no answer";
    EXPECT_EQ(r->code, errc::ok) << r->detail;
    sent += 4;
  }
  // Consume: committed records appear at the leader (bounded wait; acks=none returns early).
  size_t seen = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    auto leader = c.leader_of(p);
    if (leader) {
      auto f = fetch(c, *leader, p, 0);
      if (f && f->code == errc::ok) seen = f->records.size();
    }
    if (seen >= static_cast<size_t>(sent)) break;
    c.run_while_waiting([] { return false; }, std::chrono::milliseconds(20));
  }
  EXPECT_EQ(seen, static_cast<size_t>(sent));
}

TEST_P(NetIntegration, KillRestartAndPartitionTheLeaderUnderLoad) {
  auto o = options(GetParam());
  o.keep_data = true;  // removed below unless the check fails
  NetCluster c(o);
  auto s = c.start();
  ASSERT_TRUE(s.ok()) << s.error().describe();
  auto first = c.leader_of(PartitionId{0});
  ASSERT_TRUE(first.has_value()) << "no leader after start";

  harness::LoadSpec spec;
  spec.message_size = 256;
  spec.producer_rate = 300;
  spec.warmup_ns = 0;
  spec.duration_ns = 7'000'000'000;
  spec.max_in_flight = 100;
  spec.request_timeout_ns = 2'000'000'000;
  spec.delivery_timeout_ns = 10'000'000'000;
  spec.drain_timeout_ns = 8'000'000'000;

  std::vector<harness::FaultWindow> faults;
  const int64_t t0 = c.now_ns();
  NodeId victim = *first;
  c.schedule(t0 + 1'500'000'000, [&] {
    EXPECT_TRUE(c.kill(victim, false).ok());
    faults.push_back({"kill " + to_string(victim), c.now_ns(), -1});
  });
  c.schedule(t0 + 3'000'000'000, [&] {
    EXPECT_TRUE(c.restart(victim).ok());
    faults.back().end_ns = c.now_ns();
  });
  c.schedule(t0 + 4'000'000'000, [&] {
    victim = c.leader_of(PartitionId{0}).value_or(victim);
    for (NodeId other : c.nodes()) {
      if (other == victim) continue;
      EXPECT_TRUE(c.set_link(victim, other, LinkFault{true, 0, 0}).ok());
      EXPECT_TRUE(c.set_link(other, victim, LinkFault{true, 0, 0}).ok());
    }
    faults.push_back({"partition " + to_string(victim), c.now_ns(), -1});
  });
  c.schedule(t0 + 5'500'000'000, [&] {
    EXPECT_TRUE(c.heal_links().ok());
    faults.back().end_ns = c.now_ns();
  });
  harness::LoadGenerator gen(c, spec);
  harness::LoadResults res = gen.run();
  EXPECT_GT(res.acked, 100u);
  auto counters = c.counters();
  EXPECT_GT(counters.network_bytes, 0u);
  auto dumps = c.dump_logs();
  EXPECT_EQ(dumps.size(), 3u);
  auto history = harness::build_history(res, dumps, {}, faults);
  auto g = harness::guarantee_for(*factory_, o.common);
  auto verdict = harness::verify(history, g);
  const bool valid = verdict.value("valid", false);
  EXPECT_TRUE(valid) << "data and node logs kept in " << c.base_dir() << "\n" << verdict.dump().substr(0, 3000);
  for (const auto& d : dumps) {
    std::printf("dump node=%u commit=%lld entries=%zu\n", d.node.value(), static_cast<long long>(d.commit.value()),
                d.entries.size());
  }
  if (valid) std::filesystem::remove_all(c.base_dir());
  std::printf("mode=%s acked=%llu failed=%llu unknown=%llu loss_permitted=%d\n", GetParam().c_str(),
              static_cast<unsigned long long>(res.acked), static_cast<unsigned long long>(res.failed),
              static_cast<unsigned long long>(res.unknown), g.loss_permitted);
}

INSTANTIATE_TEST_SUITE_P(Modes, NetIntegration, ::testing::Values("masterslave", "raft", "isr", "gm"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace rb::netcluster
