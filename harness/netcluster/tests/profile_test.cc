#include "harness/netcluster/profile.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "harness/netcluster/commands.h"

namespace rb::netcluster {
namespace {

TEST(SimProfile, RoundTripsEveryField) {
  sim::SimConfig c;
  c.network.latency_ns = 12345;
  c.network.jitter_ns = 678;
  c.network.bandwidth_bytes_per_ns = 3.5;
  c.client_network.latency_ns = 999;
  c.disk.fsync_ns = 2'000'000;
  c.disk.fsync_jitter_ns = 10;
  c.disk.fsync_quantiles_ns = {100, 200, 5000};
  c.disk.write_bytes_per_ns = 0.25;
  c.cpu.per_message_ns = 4321;
  c.cpu.per_byte_ns = 1.5;
  c.cpu.shared_cores = 2;
  c.cpu.client_per_request_ns = 777;
  c.cpu.per_record_ns = 250.5;
  c.cpu.client_per_record_ns = 99.5;
  c.disk.shared = true;
  c.tick_ns = 2'000'000;
  char tmpl[] = "/tmp/rb_profile_XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  std::string path = std::string(tmpl) + "/p.json";
  ASSERT_TRUE(save_sim_profile(path, c, {{"host", "test"}}).ok());
  auto back = load_sim_profile(path);
  ASSERT_TRUE(back.ok()) << back.error().describe();
  EXPECT_EQ(sim_profile_to_json(*back), sim_profile_to_json(c));
  EXPECT_EQ(back->client_network.latency_ns, 999);
  EXPECT_EQ(back->cpu.shared_cores, 2u);
  EXPECT_EQ(back->cpu.client_per_request_ns, 777);
  EXPECT_DOUBLE_EQ(back->cpu.per_record_ns, 250.5);
  EXPECT_DOUBLE_EQ(back->cpu.client_per_record_ns, 99.5);
  EXPECT_TRUE(back->disk.shared);
  EXPECT_EQ(back->disk.fsync_quantiles_ns, (std::vector<int64_t>{100, 200, 5000}));
  std::filesystem::remove_all(tmpl);
}

TEST(SimProfile, AnFsyncDistributionMustBeWholeAndNonDecreasing) {
  auto ok = sim_profile_from_json(nlohmann::json::parse(R"({"disk": {"fsync_quantiles_ns": [10, 10, 40]}})"));
  ASSERT_TRUE(ok.ok()) << ok.error().describe();
  EXPECT_EQ(ok->disk.fsync_quantiles_ns.size(), 3u);
  for (const char* text : {R"({"disk": {"fsync_quantiles_ns": [30, 20]}})", R"({"disk": {"fsync_quantiles_ns": [5]}})",
                           R"({"disk": {"fsync_quantiles_ns": [1, 2.5]}})", R"({"disk": {"fsync_quantiles_ns": 7}})",
                           R"({"disk": {"fsync_quantiles_ns": [-1, 2]}})"}) {
    auto bad = sim_profile_from_json(nlohmann::json::parse(text));
    ASSERT_FALSE(bad.ok()) << text;
    EXPECT_NE(bad.error().message.find("fsync_quantiles_ns"), std::string::npos) << bad.error().message;
  }
}

TEST(SimProfile, MissingFieldsKeepDefaultsAndTyposAreRejected) {
  auto c = sim_profile_from_json(nlohmann::json::parse(R"({"cpu": {"per_message_ns": 7}})"));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->cpu.per_message_ns, 7);
  EXPECT_EQ(c->disk.fsync_ns, sim::DiskModel{}.fsync_ns);
  auto typo = sim_profile_from_json(nlohmann::json::parse(R"({"disk": {"fsync_nss": 7}})"));
  ASSERT_FALSE(typo.ok());
  EXPECT_NE(typo.error().message.find("disk.fsync_nss"), std::string::npos);
  auto bad = sim_profile_from_json(nlohmann::json::parse(R"({"network": {"bandwidth_bytes_per_ns": 0}})"));
  EXPECT_FALSE(bad.ok());
  EXPECT_FALSE(load_sim_profile("/nonexistent/profile.json").ok());
}

TEST(SimProfile, AModesOwnCpuModelReplacesTheGeneralOne) {
  auto j = nlohmann::json::parse(R"({"cpu": {"per_message_ns": 100, "per_byte_ns": 2, "shared_cores": 2},
      "cpu_by_mode": {"isr": {"per_message_ns": 300}, "gm": {"per_byte_ns": 5}}})");
  auto general = sim_profile_from_json(j);
  ASSERT_TRUE(general.ok()) << general.error().describe();
  EXPECT_EQ(general->cpu.per_message_ns, 100);
  auto isr = sim_profile_from_json(j, "isr");
  ASSERT_TRUE(isr.ok());
  EXPECT_EQ(isr->cpu.per_message_ns, 300);
  EXPECT_DOUBLE_EQ(isr->cpu.per_byte_ns, 2) << "fields the mode leaves out keep the general values";
  EXPECT_EQ(isr->cpu.shared_cores, 2u);
  auto raft = sim_profile_from_json(j, "raft");  // no model of its own
  ASSERT_TRUE(raft.ok());
  EXPECT_EQ(raft->cpu.per_message_ns, 100);
  auto typo = sim_profile_from_json(nlohmann::json::parse(R"({"cpu_by_mode": {"isr": {"per_mesage_ns": 1}}})"));
  ASSERT_FALSE(typo.ok());
  EXPECT_NE(typo.error().message.find("cpu_by_mode.isr.per_mesage_ns"), std::string::npos) << typo.error().message;

  char tmpl[] = "/tmp/rb_profile_XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  std::string path = std::string(tmpl) + "/p.json";
  sim::SimConfig c;
  sim::CpuModel gm;
  gm.per_message_ns = 4242;
  gm.per_record_ns = 12.5;
  ASSERT_TRUE(save_sim_profile(path, c, {}, {{"gm", gm}}).ok());
  auto back = load_sim_profile(path, "gm");
  ASSERT_TRUE(back.ok()) << back.error().describe();
  EXPECT_EQ(back->cpu.per_message_ns, 4242);
  EXPECT_DOUBLE_EQ(back->cpu.per_record_ns, 12.5);
  EXPECT_EQ(load_sim_profile(path)->cpu.per_message_ns, c.cpu.per_message_ns);
  std::filesystem::remove_all(tmpl);
}

// The whole of `replbench calibrate --quick` for one mode against real node processes (about 6 s):
// the profile it writes loads for that mode, describes this host, and its CPU fit rests on runs
// whose record counts are those the simulator charges for.
TEST(Calibrate, QuickRunWritesAProfileTheSimulatorLoads) {
  char tmpl[] = "/tmp/rb_calibrate_XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string path = std::string(tmpl) + "/profile.json";
  ASSERT_EQ(cmd_calibrate({"--quick", "--modes", "raft", "--binary", RB_NETNODE_BINARY, "--out", path, "--in-flight",
                           "200", "--linger-ticks", "2"}),
            0);

  auto cfg = load_sim_profile(path, "raft");
  ASSERT_TRUE(cfg.ok()) << cfg.error().describe();
  EXPECT_EQ(cfg->cpu.shared_cores, static_cast<uint32_t>(sysconf(_SC_NPROCESSORS_ONLN)));
  EXPECT_TRUE(cfg->disk.shared);
  EXPECT_GT(cfg->disk.fsync_ns, 0);
  EXPECT_GT(cfg->disk.write_bytes_per_ns, 0);
  EXPECT_GT(cfg->network.latency_ns, 0);
  EXPECT_GT(cfg->cpu.per_message_ns + cfg->cpu.per_record_ns + cfg->cpu.per_byte_ns, 0);
  EXPECT_GT(cfg->cpu.client_per_request_ns + cfg->cpu.client_per_record_ns, 0);

  std::ifstream in(path);
  auto j = nlohmann::json::parse(in);
  EXPECT_EQ(j.at("measured").at("cpu_runs_in_flight").get<int>(), 200);
  EXPECT_EQ(j.at("measured").at("cpu_runs_linger_ticks").get<int>(), 2);
  EXPECT_EQ(j.at("measured").at("cpu_runs_rounds").get<int>(), 1);               // --quick
  EXPECT_EQ(j.at("measured").at("cpu_runs_batch").get<int>(), 64);               // the default
  EXPECT_DOUBLE_EQ(j.at("measured").at("cpu_runs_seconds").get<double>(), 1.5);  // --quick
  // The disk was sampled before the three CPU runs and after each: four bursts of 20 + 5 syncs.
  EXPECT_EQ(j.at("measured").at("fsync_samples").get<int>(), 4 * 20);
  EXPECT_EQ(j.at("measured").at("sync_256k_samples").get<int>(), 4 * 5);
  const auto& q = cfg->disk.fsync_quantiles_ns;
  ASSERT_EQ(q.size(), 41u);
  EXPECT_GT(q.front(), 0);
  EXPECT_TRUE(std::is_sorted(q.begin(), q.end()));
  EXPECT_LE(q.front(), cfg->disk.fsync_ns);
  EXPECT_GE(q.back(), cfg->disk.fsync_ns);
  const auto& runs = j.at("measured").at("cpu_runs").at("raft");
  for (const char* run : {"100B", "1KB", "1KB_batch64"}) {
    SCOPED_TRACE(run);
    const double acked = runs.at(run).at("acked").get<double>();
    const double records = runs.at(run).at("records").get<double>();
    EXPECT_GT(acked, 0);
    // Each acknowledged record was in one produce request and, before it committed, in an append
    // to at least one of the two followers; the other follower's copy, records still in flight
    // (at most the 200-message window) and re-sent appends of a loaded machine add to that, but
    // not by multiples.
    EXPECT_GE(records, 2 * acked);
    EXPECT_LE(records, 5 * (acked + 200));
    // The nodes' CPU split by thread: the disk threads synced (fsync always) and the leader's loop
    // worked, each a part of the nodes' whole.
    const double cpu = runs.at(run).at("cpu_s").get<double>();
    const double disk = runs.at(run).at("disk_thread_cpu_s").get<double>();
    const double loop = runs.at(run).at("busiest_loop_cpu_s").get<double>();
    EXPECT_GT(disk, 0);
    EXPECT_GT(loop, 0);
    EXPECT_LE(disk + loop, cpu + 0.05);  // clock-tick accounting rounds each figure
  }
  std::filesystem::remove_all(tmpl);
}

// Flags out of range are refused with exit status 2 before anything is measured.
TEST(Calibrate, RefusesOutOfRangeLoadFlags) {
  for (const char* flag : {"--in-flight", "--linger-ticks", "--batch"}) {
    SCOPED_TRACE(flag);
    EXPECT_EQ(cmd_calibrate({flag, "x"}), 2);
    EXPECT_EQ(cmd_calibrate({flag, "-1"}), 2);
    EXPECT_EQ(cmd_calibrate({flag, "100001"}), 2);
  }
  EXPECT_EQ(cmd_calibrate({"--in-flight", "0"}), 2);
  EXPECT_EQ(cmd_calibrate({"--linger-ticks", "1001"}), 2);
  EXPECT_EQ(cmd_calibrate({"--batch", "1"}), 2) << "one per request is the unbatched configuration";
  EXPECT_EQ(cmd_calibrate({"--batch", "600"}), 2) << "more than the 500 in flight never fills";
  EXPECT_EQ(cmd_calibrate({"--in-flight", "100", "--batch", "101"}), 2);
}

}  // namespace
}  // namespace rb::netcluster
