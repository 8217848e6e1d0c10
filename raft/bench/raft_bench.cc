// Engine-only Raft throughput: three RaftEngines wired in memory (no simulator, no EngineCluster):
// each Ready is applied to a MemLogStore, persisted() is reported at once, and messages go into
// per-node inboxes drained in rounds. Measures committed 1 KB entries per second on one core,
// with batching (requests of `batch` entries, up to 512 entries per append message).
#include <benchmark/benchmark.h>

#include <deque>
#include <memory>
#include <vector>

#include "raft/raft_config.h"
#include "raft/raft_engine.h"
#include "replication/storage/mem_log_store.h"

namespace {

using namespace rb;

AdminCommand admin_cmd(AdminCommand::Kind k) {
  AdminCommand c;
  c.kind = k;
  return c;
}

struct Wiring {
  explicit Wiring(int n, uint32_t max_entries) {
    for (int i = 0; i < n; ++i) ids.push_back(NodeId{static_cast<uint32_t>(i)});
    ReplicationConfig common;
    common.batching.max_entries = max_entries;
    common.batching.max_bytes = 4 << 20;
    raft::RaftConfig cfg = raft::RaftConfig{}.with_common(common);
    cfg.max_inflight_msgs = 64;
    for (int i = 0; i < n; ++i) {
      stores.push_back(std::make_unique<MemLogStore>());
      EngineContext ctx;
      ctx.self = ids[i];
      ctx.replicas = ids;
      ctx.common = common;
      ctx.log = stores.back().get();
      ctx.seed = 7 + i;
      engines.push_back(std::make_unique<raft::RaftEngine>(ctx, cfg));
    }
    inbox.resize(n);
    AdminCommand c = admin_cmd(AdminCommand::Kind::campaign);
    (void)engines[0]->admin(c);
    pump();
  }

  void apply(int i, Ready r) {
    MemLogStore& st = *stores[i];
    if (r.hard_state) (void)st.save_hard_state(*r.hard_state);
    if (r.truncate_prefix) (void)st.truncate_prefix(*r.truncate_prefix);
    if (r.truncate_suffix) (void)st.truncate_suffix(*r.truncate_suffix);
    if (!r.append.empty()) (void)st.append(r.append);
    for (auto& m : r.messages) inbox[m.to.value()].push_back(std::move(m));
    if (r.commit && i == 0) committed = *r.commit;
    completions += r.completions.size();
    if (st.durable_end() < st.log_end()) engines[i]->persisted(*st.sync());
  }

  // Drains Readies and delivers messages until the cluster is quiet.
  void pump() {
    bool busy = true;
    while (busy) {
      busy = false;
      for (size_t i = 0; i < engines.size(); ++i) {
        while (engines[i]->has_ready()) {
          apply(static_cast<int>(i), engines[i]->take_ready());
          busy = true;
        }
      }
      for (size_t i = 0; i < engines.size(); ++i) {
        std::deque<PeerMessage> q;
        q.swap(inbox[i]);
        for (auto& m : q) engines[i]->receive(m);
        busy |= !q.empty();
      }
    }
  }

  // Drops the committed prefix now and then so memory stays bounded.
  void trim() {
    for (auto& e : engines) {
      AdminCommand c = admin_cmd(AdminCommand::Kind::compact);
      c.offset = committed;
      (void)e->admin(c);
    }
  }

  std::vector<NodeId> ids;
  std::vector<std::unique_ptr<MemLogStore>> stores;
  std::vector<std::unique_ptr<raft::RaftEngine>> engines;
  std::vector<std::deque<PeerMessage>> inbox;
  Offset committed{0};
  size_t completions = 0;
};

void BM_RaftCommit1KB(benchmark::State& state) {
  const int batch = static_cast<int>(state.range(0));      // entries per propose()
  const int per_round = static_cast<int>(state.range(1));  // proposals per round
  Wiring w(3, 512);
  std::vector<Payload> payloads;
  for (int i = 0; i < 64; ++i) payloads.push_back(make_payload(std::string(1024, static_cast<char>('a' + i % 26))));
  uint64_t id = 0;
  const Offset start = w.committed;
  size_t rounds = 0;
  for (auto _ : state) {
    for (int p = 0; p < per_round; ++p) {
      ProposeRequest req;
      req.id = RequestId{++id};
      req.ack = AckLevel::quorum;
      req.entries.resize(static_cast<size_t>(batch));
      for (int k = 0; k < batch; ++k) {
        Entry& e = req.entries[static_cast<size_t>(k)];
        e.producer = ProducerId{1};
        e.sequence = static_cast<int64_t>(id * 1000 + static_cast<uint64_t>(k));
        e.payload = payloads[static_cast<size_t>(k) % payloads.size()];
      }
      w.engines[0]->propose(std::move(req));
    }
    w.pump();
    if (++rounds % 64 == 0) {
      w.trim();
      w.pump();
    }
  }
  const int64_t committed = w.committed - start;
  if (w.engines[0]->status().role != Role::leader) state.SkipWithError("leader lost");
  state.SetItemsProcessed(committed);
  state.SetBytesProcessed(committed * 1024);
  state.counters["completions"] = static_cast<double>(w.completions);
}
BENCHMARK(BM_RaftCommit1KB)->Args({64, 8})->Args({16, 32})->Args({1, 256})->Unit(benchmark::kMicrosecond);

}  // namespace
