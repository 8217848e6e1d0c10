// Config validation and the factory's knobs.
#include "masterslave/tests/cluster_fixture.h"

namespace rb::masterslave::test {
namespace {

TEST(MasterSlaveConfig, DefaultsAreValid) { EXPECT_TRUE(MasterSlaveConfig{}.validate().ok()); }

TEST(MasterSlaveConfig, RejectsWatchdogTimeoutNotAboveHeartbeat) {
  MasterSlaveConfig c;
  c.watchdog_timeout_ticks = c.heartbeat_ticks;
  auto s = c.validate();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), errc::invalid_config);
  EXPECT_NE(s.error().message.find("watchdog_timeout_ticks"), std::string::npos);
}

TEST(MasterSlaveFactory, SetParsesEveryKnobAndSettingsListsThem) {
  auto f = make_factory();
  EXPECT_EQ(f->mode(), "masterslave");
  EXPECT_TRUE(f->set("replication", "async").ok());
  EXPECT_TRUE(f->set("sync_acks", "all").ok());
  EXPECT_TRUE(f->set("failover", "watchdog").ok());
  EXPECT_TRUE(f->set("heartbeat_ticks", "7").ok());
  EXPECT_TRUE(f->set("watchdog_timeout_ticks", "70").ok());
  EXPECT_TRUE(f->set("sync_timeout_ticks", "900").ok());
  EXPECT_TRUE(f->set("housekeeping_ticks", "30").ok());
  EXPECT_TRUE(f->set("slave_fallbehind_max", "1000").ok());
  std::map<std::string, std::string> got;
  for (auto& [k, v] : f->settings()) got[k] = v;
  EXPECT_EQ(got.at("replication"), "async");
  EXPECT_EQ(got.at("sync_acks"), "all");
  EXPECT_EQ(got.at("failover"), "watchdog");
  EXPECT_EQ(got.at("heartbeat_ticks"), "7");
  EXPECT_EQ(got.at("watchdog_timeout_ticks"), "70");
  EXPECT_EQ(got.at("sync_timeout_ticks"), "900");
  EXPECT_EQ(got.at("housekeeping_ticks"), "30");
  EXPECT_EQ(got.at("slave_fallbehind_max"), "1000");
}

TEST(MasterSlaveFactory, SetRejectsUnknownKeyAndBadValueNamingThem) {
  auto f = make_factory();
  auto a = f->set("min_isr", "2");
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.error().message.find("min_isr"), std::string::npos);
  auto b = f->set("replication", "semi");
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.error().message.find("semi"), std::string::npos);
  EXPECT_FALSE(f->set("heartbeat_ticks", "-3").ok());
  EXPECT_FALSE(f->set("heartbeat_ticks", "0").ok());
}

TEST(MasterSlaveFactory, ValidateRejectsAcksAllWithAsyncReplication) {
  auto f = make_factory();
  ASSERT_TRUE(f->set("replication", "async").ok());
  ReplicationConfig common = common_config(AckLevel::all);
  auto s = f->validate(common);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), errc::invalid_config);
  EXPECT_NE(s.error().message.find("async"), std::string::npos);
  common.acks = AckLevel::leader;
  EXPECT_TRUE(f->validate(common).ok());
}

TEST(MasterSlaveFactory, NotApplicableNamesMinInsync) {
  auto f = make_factory();
  auto na = f->not_applicable(common_config());
  ASSERT_FALSE(na.empty());
  EXPECT_NE(na.front().find("min_insync"), std::string::npos);
}

TEST(MasterSlaveFactory, AdminCommandsOutsideTheProtocolAreUnsupported) {
  Harness h(small_config());
  using K = AdminCommand::Kind;
  for (auto k : {K::transfer_leader, K::add_replica, K::remove_replica, K::metadata_update, K::campaign}) {
    auto s = h.c().admin(N0, AdminCommand{.kind = k, .node = N1});
    EXPECT_EQ(s.code(), errc::unsupported);
  }
}

}  // namespace
}  // namespace rb::masterslave::test
