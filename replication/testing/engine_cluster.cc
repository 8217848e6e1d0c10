#include "replication/testing/engine_cluster.h"

#include "replication/core/assert.h"

namespace rb::testing {

Snapshot TestSnapshotSource::snapshot_at(Offset upto) const {
  Snapshot s;
  s.last_included = upto.prev();
  s.state = installed.empty() ? "upto=" + to_string(upto) : installed;
  return s;
}

EngineCluster::EngineCluster(const EngineFactory& factory, std::vector<NodeId> replicas, ReplicationConfig common,
                             uint64_t seed, PartitionId partition)
    : factory_(factory.clone()), replicas_(std::move(replicas)), common_(common), seed_(seed), partition_(partition) {
  RB_ASSERT(common_.validate().ok());
  for (NodeId n : replicas_) add_node(n);
  for (NodeId n : replicas_) start_engine(n);
  process_all();
}

void EngineCluster::add_node(NodeId n) {
  if (nodes_.count(n)) return;
  Node node;
  node.store = std::make_unique<MemLogStore>();
  node.snapshots = std::make_unique<TestSnapshotSource>();
  nodes_.emplace(n, std::move(node));
}

void EngineCluster::start_engine(NodeId n) {
  Node& node = nodes_.at(n);
  EngineContext ctx;
  ctx.self = n;
  ctx.partition = partition_;
  ctx.replicas = replicas_;
  ctx.common = common_;
  ctx.log = node.store.get();
  ctx.snapshots = node.snapshots.get();
  ctx.restored = node.store->load_hard_state();
  ctx.seed = seed_ * 1000003 + n.value();
  node.engine = factory_->create(ctx);
  node.commit = std::max(node.commit, ctx.restored.commit);
}

Engine& EngineCluster::engine(NodeId n) {
  auto& e = nodes_.at(n).engine;
  RB_ASSERT_MSG(e != nullptr, "engine of a crashed node");
  return *e;
}

MemLogStore& EngineCluster::store(NodeId n) { return *nodes_.at(n).store; }

void EngineCluster::apply(NodeId n, Ready r) {
  Node& node = nodes_.at(n);
  MemLogStore& st = *node.store;
  if (r.hard_state) RB_ASSERT(st.save_hard_state(*r.hard_state).ok());
  if (r.snapshot) {
    RB_ASSERT(st.reset(r.snapshot->last_included.next(), r.snapshot->last_epoch).ok());
    RB_ASSERT(st.save_snapshot(*r.snapshot).ok());
    node.snapshots->installed = r.snapshot->state;
  }
  if (r.truncate_prefix) RB_ASSERT(st.truncate_prefix(*r.truncate_prefix).ok());
  if (r.truncate_suffix) RB_ASSERT(st.truncate_suffix(*r.truncate_suffix).ok());
  if (!r.append.empty()) {
    auto s = st.append(r.append);
    RB_ASSERT_MSG(s.ok(), s.ok() ? "" : s.error().message.c_str());
  }
  for (auto& m : r.messages) {
    RB_ASSERT(m.from == n);
    m.partition = partition_;
    in_flight_.push_back(std::move(m));
  }
  if (r.commit) {
    RB_ASSERT_MSG(*r.commit >= node.commit, "commit watermark moved back");
    node.commit = *r.commit;
  }
  for (auto& c : r.completions) node.completions.push_back(std::move(c));
  for (auto& e : r.events) node.events.push_back(std::move(e));
  for (auto& m : r.metadata_requests) node.metadata_requests.push_back(std::move(m));
  if (auto_persist && st.durable_end() < st.log_end()) {
    auto end = st.sync();
    RB_ASSERT(end.ok());
    node.engine->persisted(*end);
  }
}

void EngineCluster::process(NodeId n) {
  Node& node = nodes_.at(n);
  for (int guard = 0; node.engine && node.engine->has_ready(); ++guard) {
    RB_ASSERT_MSG(guard < 10000, "engine keeps producing Ready");
    apply(n, node.engine->take_ready());
  }
}

void EngineCluster::process_all() {
  bool again = true;
  while (again) {
    again = false;
    for (auto& [n, node] : nodes_) {
      if (node.engine && node.engine->has_ready()) {
        process(n);
        again = true;
      }
    }
  }
}

void EngineCluster::persist(NodeId n) {
  Node& node = nodes_.at(n);
  auto end = node.store->sync();
  RB_ASSERT(end.ok());
  if (node.engine) {
    node.engine->persisted(*end);
    process(n);
  }
}

bool EngineCluster::deliver_one() {
  if (in_flight_.empty()) return false;
  PeerMessage m = std::move(in_flight_.front());
  in_flight_.pop_front();
  auto it = nodes_.find(m.to);
  if (it == nodes_.end() || !it->second.engine || !link_up(m.from, m.to)) return true;
  ++delivered_;
  it->second.engine->receive(m);
  process(m.to);
  return true;
}

size_t EngineCluster::deliver_all(size_t max_steps) {
  process_all();
  size_t n = 0;
  while (!in_flight_.empty()) {
    RB_ASSERT_MSG(n < max_steps, "deliver_all: messages never stop (livelock?)");
    deliver_one();
    ++n;
  }
  return n;
}

size_t EngineCluster::drop_if(const std::function<bool(const PeerMessage&)>& pred) {
  size_t before = in_flight_.size();
  std::erase_if(in_flight_, pred);
  return before - in_flight_.size();
}

void EngineCluster::tick(NodeId n, int ticks) {
  for (int i = 0; i < ticks; ++i) {
    if (!nodes_.at(n).engine) return;
    engine(n).tick();
    process(n);
  }
}

void EngineCluster::tick_all(int ticks) {
  for (int i = 0; i < ticks; ++i)
    for (auto& [n, node] : nodes_)
      if (node.engine) tick(n);
}

void EngineCluster::run_ticks(int ticks) {
  for (int i = 0; i < ticks; ++i) {
    tick_all(1);
    deliver_all();
  }
}

void EngineCluster::isolate(NodeId n) {
  for (auto& [m, node] : nodes_) {
    if (m == n) continue;
    cut(n, m);
    cut(m, n);
  }
}

void EngineCluster::crash(NodeId n) {
  Node& node = nodes_.at(n);
  node.engine.reset();
  node.store->crash();
  std::erase_if(in_flight_, [n](const PeerMessage& m) { return m.to == n || m.from == n; });
}

void EngineCluster::restart(NodeId n) {
  RB_ASSERT(nodes_.at(n).engine == nullptr);
  start_engine(n);
  process(n);
}

Status EngineCluster::admin(NodeId n, const AdminCommand& cmd) {
  auto s = engine(n).admin(cmd);
  process(n);
  return s;
}

std::vector<NodeId> EngineCluster::leaders() const {
  std::vector<NodeId> out;
  for (const auto& [n, node] : nodes_)
    if (node.engine && node.engine->status().role == Role::leader) out.push_back(n);
  return out;
}

NodeId EngineCluster::leader() const {
  auto ls = leaders();
  return ls.size() == 1 ? ls.front() : kNoNode;
}

ProposeRequest EngineCluster::make_proposal(uint64_t id, int count, size_t bytes, AckLevel ack) {
  ProposeRequest req;
  req.id = RequestId{id};
  req.ack = ack;
  for (int i = 0; i < count; ++i) {
    Entry e;
    e.kind = EntryKind::data;
    e.producer = ProducerId{1};
    e.sequence = static_cast<int64_t>(id * 1000 + static_cast<uint64_t>(i));
    e.payload = make_payload(std::string(bytes, static_cast<char>('a' + (id + i) % 26)));
    req.entries.push_back(std::move(e));
  }
  return req;
}

}  // namespace rb::testing
