#include "replication/netrun/cluster_file.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>

namespace rb::netrun {
namespace {

nlohmann::json three_nodes() {
  return nlohmann::json::parse(R"({
    "cluster_id": 7,
    "nodes": [{"id": 1, "host": "127.0.0.1", "port": 7002}, {"id": 0, "port": 7001},
              {"id": 2, "host": "10.0.0.3", "port": 7003}],
    "mode": "raft", "partitions": 4, "tick_ms": 2, "seed": 9,
    "replication": {"replicas": 3, "acks": "quorum", "min_insync": 2, "fsync": "interval:5",
                    "batch_max_entries": 64, "idempotence": false},
    "engine": {"election_ticks": "300", "check_quorum": true},
    "quorum": [0, 1, 2]})");
}

TEST(ClusterFile, ParsesEveryFieldAndSortsNodes) {
  auto f = cluster_file_from_json(three_nodes());
  ASSERT_TRUE(f.ok()) << f.error().describe();
  EXPECT_EQ(f->cluster_id, 7u);
  ASSERT_EQ(f->nodes.size(), 3u);
  EXPECT_EQ(f->nodes[0].id, NodeId{0});
  EXPECT_EQ(f->nodes[0].host, "127.0.0.1");  // default host
  EXPECT_EQ(f->nodes[2].host, "10.0.0.3");
  EXPECT_EQ(f->partitions, 4u);
  EXPECT_EQ(f->tick_ms, 2u);
  EXPECT_EQ(f->common.acks, AckLevel::quorum);
  EXPECT_EQ(f->common.fsync.mode, FsyncMode::interval);
  EXPECT_EQ(f->common.fsync.interval_ms, 5u);
  EXPECT_EQ(f->common.batching.max_entries, 64u);
  EXPECT_FALSE(f->common.idempotence);
  EXPECT_EQ(f->engine.at("election_ticks"), "300");
  EXPECT_EQ(f->engine.at("check_quorum"), "true");  // non-strings are kept as their JSON text
  EXPECT_EQ(f->quorum.size(), 3u);
}

TEST(ClusterFile, RoundTripsThroughJson) {
  auto f = cluster_file_from_json(three_nodes());
  ASSERT_TRUE(f.ok());
  auto g = cluster_file_from_json(to_json(*f));
  ASSERT_TRUE(g.ok()) << g.error().describe();
  EXPECT_EQ(to_json(*f), to_json(*g));
  EXPECT_EQ(g->nodes, f->nodes);
}

TEST(ClusterFile, RejectsBadFieldsNamingThem) {
  std::vector<std::pair<std::function<void(nlohmann::json&)>, std::string>> cases = {
      {[](auto& j) { j["cluster_id"] = 0; }, "cluster_id"},
      {[](auto& j) { j["nodes"] = nlohmann::json::array(); }, "at least one node"},
      {[](auto& j) { j["nodes"][0]["id"] = 2; }, "appears twice"},
      {[](auto& j) { j["nodes"][0]["id"] = 5; }, "exactly 0..2"},
      {[](auto& j) { j["nodes"][1]["port"] = 70000; }, "port"},
      {[](auto& j) { j["nodes"][1].erase("port"); }, "id and port"},
      {[](auto& j) { j["replication"]["replicas"] = 4; }, "exceeds the number of nodes"},
      {[](auto& j) { j["replication"]["acks"] = "most"; }, "replication.acks"},
      {[](auto& j) { j["replication"]["fsync"] = "sometimes"; }, "replication.fsync"},
      {[](auto& j) { j["replication"]["bogus"] = 1; }, "replication.bogus"},
      {[](auto& j) { j["tick_ms"] = 0; }, "tick_ms"},
      {[](auto& j) { j["partitions"] = 0; }, "partitions"},
      {[](auto& j) { j.erase("mode"); }, "mode"},
      {[](auto& j) {
         j["quorum"] = {0, 9};
       },
       "quorum"},
      {[](auto& j) { j["typo"] = 1; }, "unknown field 'typo'"},
  };
  for (auto& [mutate, expect] : cases) {
    auto j = three_nodes();
    mutate(j);
    auto f = cluster_file_from_json(j);
    ASSERT_FALSE(f.ok()) << "accepted: " << j.dump();
    EXPECT_EQ(f.error().code, errc::invalid_config);
    EXPECT_NE(f.error().message.find(expect), std::string::npos) << f.error().message << " lacks " << expect;
  }
}

TEST(ClusterFile, SavesAndLoadsAtomically) {
  char tmpl[] = "/tmp/rb_cluster_file_XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  std::string path = std::string(tmpl) + "/cluster.json";
  auto f = cluster_file_from_json(three_nodes());
  ASSERT_TRUE(f.ok());
  ASSERT_TRUE(save_cluster_file(path, *f).ok());
  auto g = load_cluster_file(path);
  ASSERT_TRUE(g.ok()) << g.error().describe();
  EXPECT_EQ(to_json(*g), to_json(*f));
  auto missing = load_cluster_file(std::string(tmpl) + "/nope.json");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, errc::io_error);
  std::filesystem::remove_all(tmpl);
}

}  // namespace
}  // namespace rb::netrun
