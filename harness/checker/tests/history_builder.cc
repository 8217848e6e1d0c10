#include "history_builder.h"

#include <algorithm>

namespace rb::checker::testing {

namespace {
constexpr int64_t kMs = 1'000'000;
}

MessageId mid(uint64_t producer, uint64_t seq) { return MessageId{ProducerId(producer), seq}; }

History& History::send(MessageId id, uint32_t partition, OpType outcome, int64_t t_invoke_ms, int64_t t_done_ms,
                       int64_t offset, uint32_t node, uint64_t epoch, uint64_t process) {
  HistoryOp inv;
  inv.type = OpType::invoke;
  inv.f = OpFn::send;
  inv.time_ns = t_invoke_ms * kMs;
  inv.process = process;
  inv.partition = PartitionId(partition);
  inv.id = id;
  ops.push_back(inv);
  if (outcome == OpType::invoke) return *this;
  HistoryOp done = inv;
  done.type = outcome;
  done.time_ns = t_done_ms * kMs;
  if (outcome == OpType::ok) {
    done.offset = Offset(offset);
    done.node = NodeId(node);
    done.epoch = Epoch(epoch);
  } else {
    done.error = outcome == OpType::fail ? "not_leader" : "timeout";
  }
  ops.push_back(done);
  return *this;
}

History& History::poll(uint64_t process, uint32_t partition, int64_t t_ms,
                       std::vector<std::tuple<int64_t, uint64_t, uint64_t>> records) {
  HistoryOp op;
  op.type = OpType::ok;
  op.f = OpFn::poll;
  op.time_ns = t_ms * kMs;
  op.process = process;
  op.partition = PartitionId(partition);
  for (auto [o, p, s] : records) op.delivered.push_back({Offset(o), mid(p, s)});
  ops.push_back(op);
  return *this;
}

History& History::fault(const std::string& name, FaultPhase phase, int64_t t_ms) {
  HistoryOp op;
  op.type = OpType::info;
  op.f = OpFn::fault;
  op.time_ns = t_ms * kMs;
  op.fault = name;
  op.phase = phase;
  ops.push_back(op);
  return *this;
}

History& History::leader(uint32_t partition, uint32_t node, uint64_t epoch, int64_t t_ms) {
  HistoryOp op;
  op.type = OpType::info;
  op.f = OpFn::leader;
  op.time_ns = t_ms * kMs;
  op.partition = PartitionId(partition);
  op.node = NodeId(node);
  op.epoch = Epoch(epoch);
  ops.push_back(op);
  return *this;
}

History& History::log(uint32_t node, uint32_t partition, int64_t commit_end,
                      std::vector<std::tuple<int64_t, uint64_t, uint64_t, uint64_t>> records) {
  ReplicaLog l;
  l.node = NodeId(node);
  l.partition = PartitionId(partition);
  l.commit_end = Offset(commit_end);
  for (auto [o, e, p, s] : records) l.records.push_back({Offset(o), Epoch(e), mid(p, s)});
  logs.push_back(std::move(l));
  return *this;
}

std::vector<HistoryOp> History::sorted_ops() const {
  std::vector<HistoryOp> out = ops;
  std::stable_sort(out.begin(), out.end(),
                   [](const HistoryOp& a, const HistoryOp& b) { return a.time_ns < b.time_ns; });
  return out;
}

History clean_history(int n) {
  History h;
  std::vector<std::tuple<int64_t, uint64_t, uint64_t>> polled;
  std::vector<std::tuple<int64_t, uint64_t, uint64_t, uint64_t>> committed;
  for (int i = 0; i < n; ++i) {
    h.send(mid(1, i), 0, OpType::ok, 10 * i, 10 * i + 2, i);
    polled.emplace_back(i, 1, i);
    committed.emplace_back(i, 1, 1, i);
  }
  h.poll(100, 0, 10 * n + 5, polled);
  for (uint32_t node = 0; node < 3; ++node) h.log(node, 0, n, committed);
  return h;
}

}  // namespace rb::checker::testing
