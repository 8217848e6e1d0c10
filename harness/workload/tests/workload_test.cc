#include "harness/workload/workload.h"

#include <gtest/gtest.h>

#include <string>

namespace rb::workload {
namespace {

const std::string kDir = RB_WORKLOADS_DIR;

// The error for `text`, which must fail.
Error parse_error(const std::string& text) {
  auto w = parse_workload(text);
  EXPECT_FALSE(w.ok()) << text;
  return w.ok() ? Error{} : w.error();
}

TEST(Workload, ParsesDefaultJson) {
  auto w = load_workload_file(kDir + "/default.json");
  ASSERT_TRUE(w.ok()) << w.error().describe();
  EXPECT_EQ(w->name, "default");
  EXPECT_EQ(w->topics, 1u);
  EXPECT_EQ(w->partitions_per_topic, 4u);
  EXPECT_EQ(w->message_size, 1024u);
  EXPECT_EQ(w->producers_per_topic, 1u);
  EXPECT_EQ(w->subscriptions_per_topic, 1u);
  EXPECT_EQ(w->consumer_per_subscription, 1u);
  EXPECT_EQ(w->producer_rate, 5000.0);
  EXPECT_EQ(w->test_duration_seconds, 10.0);
  EXPECT_EQ(w->warmup_seconds, 2.0);
  EXPECT_EQ(w->replicas, 3u);
  EXPECT_EQ(w->node_count(), 3u);
  EXPECT_EQ(w->min_insync_or_default(), 2u);
  EXPECT_EQ(w->acks, AckLevel::all);
  EXPECT_EQ(w->fsync.mode, FsyncMode::always);
  EXPECT_EQ(w->partition_count(), 4u);
}

TEST(Workload, ShippedWorkloadsAllParse) {
  for (const char* f : {"default.json", "small.json", "max-rate.json"}) {
    auto w = load_workload_file(kDir + "/" + f);
    EXPECT_TRUE(w.ok()) << f << ": " << (w.ok() ? "" : w.error().describe());
  }
  auto small = load_workload_file(kDir + "/small.json");
  ASSERT_TRUE(small.ok());
  EXPECT_EQ(small->test_duration_seconds + small->warmup_seconds, 3.0);
  auto max = load_workload_file(kDir + "/max-rate.json");
  ASSERT_TRUE(max.ok());
  EXPECT_EQ(max->producer_rate, 0.0);
}

TEST(Workload, MissingFileIsNotFound) {
  auto w = load_workload_file(kDir + "/no-such-file.json");
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.code(), errc::not_found);
}

TEST(Workload, MalformedJsonIsBadInput) { EXPECT_EQ(parse_error("{\"topics\": 1,").code, errc::bad_input); }

TEST(Workload, UnknownKeyIsNamedWithSuggestion) {
  Error e = parse_error(R"({"partitionPerTopic": 4})");
  EXPECT_EQ(e.code, errc::invalid_config);
  EXPECT_NE(e.message.find("'partitionPerTopic'"), std::string::npos) << e.message;
  EXPECT_NE(e.message.find("did you mean 'partitionsPerTopic'"), std::string::npos) << e.message;
  Error far = parse_error(R"({"zzzzzzzzzzzz": 4})");
  EXPECT_EQ(far.message.find("did you mean"), std::string::npos) << far.message;
}

TEST(Workload, WrongTypesNameTheField) {
  struct Case {
    const char* json;
    const char* field;
  };
  for (const Case& c : {Case{R"({"topics": "one"})", "topics"}, Case{R"({"producerRate": "fast"})", "producerRate"},
                        Case{R"({"idempotence": 1})", "idempotence"}, Case{R"({"faults": {}})", "faults"},
                        Case{R"({"faults": [1]})", "faults[0]"}, Case{R"({"settings": {"a": [1]}})", "settings.a"},
                        Case{R"({"acks": true})", "acks"}, Case{R"({"fsync": "sometimes"})", "fsync"},
                        Case{R"({"partitionsPerTopic": -4})", "partitionsPerTopic"},
                        Case{R"({"messageSize": 1.5})", "messageSize"}, Case{R"({"name": 7})", "name"}}) {
    Error e = parse_error(c.json);
    EXPECT_EQ(e.code, errc::invalid_config) << c.json;
    EXPECT_NE(e.message.find(std::string("'") + c.field + "'"), std::string::npos) << c.json << " -> " << e.message;
  }
}

TEST(Workload, ImpossibleValuesNameTheField) {
  struct Case {
    const char* json;
    const char* field;
  };
  for (const Case& c :
       {Case{R"({"replicas": 0})", "replicas"}, Case{R"({"producerRate": -5})", "producerRate"},
        Case{R"({"replicas": 5, "nodes": 3})", "replicas"}, Case{R"({"replicas": 3, "minInsync": 4})", "minInsync"},
        Case{R"({"messageSize": 0})", "messageSize"}, Case{R"({"testDurationSeconds": 0})", "testDurationSeconds"},
        Case{R"({"testDurationSeconds": -1})", "testDurationSeconds"},
        Case{R"({"warmupSeconds": -1})", "warmupSeconds"}, Case{R"({"topics": 0})", "topics"},
        Case{R"({"tickMs": 0})", "tickMs"}, Case{R"({"maxInFlight": 0})", "maxInFlight"},
        Case{R"({"batchMaxEntries": 0})", "batchMaxEntries"}}) {
    Error e = parse_error(c.json);
    EXPECT_EQ(e.code, errc::invalid_config) << c.json;
    EXPECT_NE(e.message.find(std::string("'") + c.field + "'"), std::string::npos) << c.json << " -> " << e.message;
  }
}

TEST(Workload, AcksAcceptsNamesAndNumbers) {
  auto a = parse_workload(R"({"acks": 1})");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->acks, AckLevel::leader);
  auto b = parse_workload(R"({"acks": -1})");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->acks, AckLevel::all);
  auto c = parse_workload(R"({"acks": "quorum"})");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->acks, AckLevel::quorum);
}

TEST(Workload, DefaultsFollowReplicas) {
  auto w = parse_workload(R"({"replicas": 5})");
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->node_count(), 5u);
  EXPECT_EQ(w->min_insync_or_default(), 3u);
  auto one = parse_workload(R"({"replicas": 1})");
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->min_insync_or_default(), 1u);
}

TEST(Workload, SettingsAndFaultsAreKept) {
  auto w = parse_workload(R"({"settings": {"raft.election_ticks": 10, "mode": "sync", "x": true},
                              "faults": [{"kind": "kill", "at_s": 3}]})");
  ASSERT_TRUE(w.ok()) << w.error().describe();
  EXPECT_EQ(w->settings.at("raft.election_ticks"), "10");
  EXPECT_EQ(w->settings.at("mode"), "sync");
  EXPECT_EQ(w->settings.at("x"), "true");
  ASSERT_EQ(w->faults.size(), 1u);
  EXPECT_EQ(w->faults[0]["kind"], "kill");
}

TEST(Workload, ToJsonHasEveryFieldAndRoundTrips) {
  auto w = parse_workload(R"({"name": "x", "replicas": 5, "fsync": "interval:10", "acks": "leader",
                              "settings": {"k": "v"}, "faults": [{"kind": "pause"}]})");
  ASSERT_TRUE(w.ok());
  auto j = w->to_json();
  for (const auto& k : workload_keys()) EXPECT_TRUE(j.contains(k)) << k;
  EXPECT_EQ(j["nodes"], 5);
  EXPECT_EQ(j["minInsync"], 3);
  EXPECT_EQ(j["fsync"], "interval:10");
  EXPECT_EQ(j["acks"], "leader");
  auto back = workload_from_json(j);
  ASSERT_TRUE(back.ok()) << back.error().describe();
  EXPECT_EQ(back->to_json(), j);
}

TEST(Workload, OverridesSetKnownFields) {
  Workload w;
  auto r = w.apply_override("replicas=5");
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ(*r, OverrideOutcome::applied);
  EXPECT_EQ(w.replicas, 5u);
  EXPECT_EQ(w.node_count(), 5u);
  ASSERT_TRUE(w.apply_override("acks=leader").ok());
  EXPECT_EQ(w.acks, AckLevel::leader);
  ASSERT_TRUE(w.apply_override("fsync=interval:5").ok());
  EXPECT_EQ(w.fsync.interval_ms, 5u);
  ASSERT_TRUE(w.apply_override("producerRate=2500.5").ok());
  EXPECT_EQ(w.producer_rate, 2500.5);
  ASSERT_TRUE(w.apply_override("idempotence=false").ok());
  EXPECT_FALSE(w.idempotence);
  ASSERT_TRUE(w.apply_override("name=123").ok());
  EXPECT_EQ(w.name, "123");
  ASSERT_TRUE(w.apply_override(R"(faults=[{"kind":"kill"}])").ok());
  EXPECT_EQ(w.faults.size(), 1u);
  ASSERT_TRUE(w.apply_override("settings.raft.pre_vote=true").ok());
  EXPECT_EQ(w.settings.at("raft.pre_vote"), "true");
}

TEST(Workload, OverrideUnknownKeyIsReturnedToCaller) {
  Workload w;
  const auto before = w.to_json();
  auto r = w.apply_override("election_ticks=10");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, OverrideOutcome::not_a_workload_key);
  EXPECT_EQ(w.to_json(), before);
}

TEST(Workload, BadOverridesAreRejectedAndLeaveTheWorkloadUnchanged) {
  Workload w;
  const auto before = w.to_json();
  auto no_eq = w.apply_override("replicas");
  ASSERT_FALSE(no_eq.ok());
  EXPECT_EQ(no_eq.code(), errc::bad_input);
  auto bad_type = w.apply_override("replicas=many");
  ASSERT_FALSE(bad_type.ok());
  EXPECT_NE(bad_type.error().message.find("'replicas'"), std::string::npos);
  auto impossible = w.apply_override("minInsync=7");
  ASSERT_FALSE(impossible.ok());
  EXPECT_NE(impossible.error().message.find("'minInsync'"), std::string::npos);
  auto negative = w.apply_override("replicas=-1");
  ASSERT_FALSE(negative.ok());
  EXPECT_EQ(w.to_json(), before);
}

TEST(Workload, ToReplicationConfig) {
  auto w = parse_workload(R"({"replicas": 5, "minInsync": 3, "acks": "quorum", "fsync": "never",
                              "batchMaxEntries": 64, "batchMaxBytes": 65536, "batchLingerTicks": 2,
                              "idempotence": false, "messageSize": 2097152})");
  ASSERT_TRUE(w.ok()) << w.error().describe();
  auto c = w->to_replication_config();
  ASSERT_TRUE(c.ok()) << c.error().describe();
  EXPECT_EQ(c->replicas, 5u);
  EXPECT_EQ(c->min_insync, 3u);
  EXPECT_EQ(c->acks, AckLevel::quorum);
  EXPECT_EQ(c->fsync.mode, FsyncMode::never);
  EXPECT_EQ(c->batching.max_entries, 64u);
  EXPECT_EQ(c->batching.max_bytes, 65536u);
  EXPECT_EQ(c->batching.linger_ticks, 2u);
  EXPECT_FALSE(c->idempotence);
  EXPECT_GE(c->max_message_bytes, 2097152u);
  EXPECT_TRUE(c->validate().ok());
}

TEST(Workload, ClosestKey) {
  EXPECT_EQ(closest_workload_key("replica"), "replicas");
  EXPECT_EQ(closest_workload_key("MESSAGESIZE"), "messageSize");
  EXPECT_EQ(closest_workload_key("warmupMinutes"), std::nullopt);
}

}  // namespace
}  // namespace rb::workload
