#include <gtest/gtest.h>

#include <sstream>

#include "harness/checker/checker.h"
#include "harness/checker/history.h"
#include "history_builder.h"

namespace rb::checker {
namespace {

using testing::History;
using testing::mid;

History sample() {
  History h = testing::clean_history(5);
  h.send(mid(2, 0), 1, OpType::info, 60, 70);
  h.send(mid(2, 1), 1, OpType::fail, 61, 71);
  h.send(mid(2, 2), 1, OpType::invoke, 62, 0);
  h.fault("kill n0", FaultPhase::start, 30).fault("kill n0", FaultPhase::stop, 40);
  h.leader(0, 1, 2, 35);
  HistoryOp empty_poll;
  empty_poll.type = OpType::ok;
  empty_poll.f = OpFn::poll;
  empty_poll.process = 7;
  empty_poll.node = NodeId(2);
  h.ops.push_back(empty_poll);
  h.logs[0].start = Offset(1);
  return h;
}

TEST(HistoryIo, JsonlRoundTrip) {
  History h = sample();
  const auto ops = h.sorted_ops();
  const Guarantees g{true, "acks=leader", true, "idempotence off"};
  std::stringstream ss;
  write_history_jsonl(ss, ops, h.logs, g);
  auto back = read_history_jsonl(ss);
  ASSERT_TRUE(back.ok()) << back.error().describe();
  ASSERT_EQ(back->ops.size(), ops.size());
  for (size_t i = 0; i < ops.size(); ++i) EXPECT_EQ(to_json(back->ops[i]), to_json(ops[i])) << i;
  ASSERT_EQ(back->logs.size(), h.logs.size());
  for (size_t i = 0; i < h.logs.size(); ++i) EXPECT_EQ(to_json(back->logs[i]), to_json(h.logs[i]));
  ASSERT_TRUE(back->guarantees.has_value());
  EXPECT_EQ(to_json(*back->guarantees), to_json(g));
  // Same verdict either way.
  EXPECT_EQ(check(back->ops, back->logs, g).to_json(), check(ops, h.logs, g).to_json());
}

TEST(HistoryIo, FieldsSurviveExactly) {
  HistoryOp op;
  op.type = OpType::ok;
  op.f = OpFn::send;
  op.time_ns = 123456789012;
  op.process = 42;
  op.partition = PartitionId(3);
  op.id = mid(9, 77);
  op.offset = Offset(1000);
  op.node = NodeId(2);
  op.epoch = Epoch(5);
  std::stringstream ss;
  write_op_line(ss, op);
  EXPECT_EQ(ss.str().back(), '\n');
  auto back = read_history_jsonl(ss);
  ASSERT_TRUE(back.ok());
  ASSERT_EQ(back->ops.size(), 1u);
  const HistoryOp& b = back->ops[0];
  EXPECT_EQ(b.type, OpType::ok);
  EXPECT_EQ(b.time_ns, 123456789012);
  EXPECT_EQ(b.process, 42u);
  EXPECT_EQ(b.partition, PartitionId(3));
  EXPECT_EQ(b.id, mid(9, 77));
  EXPECT_EQ(b.offset, Offset(1000));
  EXPECT_EQ(b.node, NodeId(2));
  EXPECT_EQ(b.epoch, Epoch(5));
  EXPECT_FALSE(back->guarantees.has_value());
}

TEST(HistoryIo, MalformedLinesNameTheLine) {
  struct Case {
    std::string text;
    std::string expect;
  };
  const std::string good = R"({"type":"invoke","f":"send","time_ns":1,"process":1,"partition":0,"producer":1,"seq":0})";
  for (const Case& c : {
           Case{good + "\n{not json\n", "line 2: not valid JSON"},
           Case{good + "\n\n[1,2]\n", "line 3: expected a JSON object"},
           Case{R"({"type":"maybe","f":"send","time_ns":1})", "line 1: field 'type'"},
           Case{R"({"type":"ok","f":"write","time_ns":1})", "line 1: field 'f'"},
           Case{R"({"type":"ok","f":"send"})", "line 1: missing field 'time_ns'"},
           Case{R"({"type":"ok","f":"send","time_ns":"soon"})", "line 1: field 'time_ns'"},
           Case{R"({"type":"ok","f":"send","time_ns":1,"partition":-1})", "line 1: field 'partition'"},
           Case{R"({"type":"ok","f":"poll","time_ns":1,"delivered":[[1,2]]})", "line 1: field 'delivered'"},
           Case{R"({"type":"info","f":"fault","time_ns":1,"fault":"x","phase":"middle"})", "line 1: field 'phase'"},
           Case{R"({"replica_log":{"node":0}})", "line 1: replica_log"},
           Case{R"({"replica_log":{"node":0,"partition":0,"commit_end":1,"records":[[0,1,2]]}})",
                "line 1: replica_log"},
           Case{R"({"guarantees":{"loss_permitted":"yes"}})", "line 1: guarantees"},
       }) {
    std::stringstream ss(c.text);
    auto r = read_history_jsonl(ss);
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_EQ(r.code(), errc::bad_input);
    EXPECT_NE(r.error().message.find(c.expect), std::string::npos) << c.text << " -> " << r.error().message;
  }
}

TEST(HistoryIo, SaveLoadAndRecheckFile) {
  History h = testing::clean_history(10);
  for (auto& op : h.ops) std::erase_if(op.delivered, [](const DeliveredRecord& r) { return r.id == mid(1, 3); });
  for (auto& l : h.logs) std::erase_if(l.records, [](const ReplicaLog::Record& r) { return r.id == mid(1, 3); });
  const std::string path = ::testing::TempDir() + "/checker_history_test.jsonl";
  ASSERT_TRUE(save_history_file(path, h.sorted_ops(), h.logs, Guarantees{}).ok());
  auto strict = recheck_file(path);
  ASSERT_TRUE(strict.ok()) << strict.error().describe();
  EXPECT_FALSE(strict->valid);
  EXPECT_EQ(strict->lost, 1);
  auto lenient = recheck_file(path, Guarantees{true, "acks=leader", false, ""});
  ASSERT_TRUE(lenient.ok());
  EXPECT_TRUE(lenient->valid);
  EXPECT_EQ(lenient->expected_loss, 1);
  auto missing = recheck_file(path + ".nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.code(), errc::not_found);
}

}  // namespace
}  // namespace rb::checker
