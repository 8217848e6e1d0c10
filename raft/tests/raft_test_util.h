#pragma once
// Shared helpers for the Raft tests: cluster construction with small timeouts, typed access to
// the engines, hand-built messages, and the invariant checker scenario tests run after every step.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "raft/factory.h"
#include "raft/messages.h"
#include "raft/raft_engine.h"
#include "replication/testing/engine_cluster.h"

namespace rb::raft::test {

using rb::testing::EngineCluster;

inline std::vector<NodeId> ids(int n) {
  std::vector<NodeId> v;
  for (int i = 0; i < n; ++i) v.push_back(NodeId{static_cast<uint32_t>(i)});
  return v;
}
inline NodeId N(uint32_t i) { return NodeId{i}; }

struct Knobs {
  uint32_t election = 10;
  uint32_t heartbeat = 2;
  bool pre_vote = true;
  bool check_quorum = true;
  uint32_t fixed_timeout = 0;
  uint32_t max_inflight = 256;
  uint32_t max_entries = 64;
  uint32_t linger = 0;
};

inline AdminCommand admin_cmd(AdminCommand::Kind k) {
  AdminCommand c;
  c.kind = k;
  return c;
}

inline std::unique_ptr<EngineFactory> factory(const Knobs& k) {
  auto f = make_factory();
  EXPECT_TRUE(f->set("election_ticks", std::to_string(k.election)).ok());
  EXPECT_TRUE(f->set("heartbeat_ticks", std::to_string(k.heartbeat)).ok());
  EXPECT_TRUE(f->set("pre_vote", k.pre_vote ? "true" : "false").ok());
  EXPECT_TRUE(f->set("check_quorum", k.check_quorum ? "true" : "false").ok());
  EXPECT_TRUE(f->set("fixed_election_timeout", std::to_string(k.fixed_timeout)).ok());
  EXPECT_TRUE(f->set("max_inflight_msgs", std::to_string(k.max_inflight)).ok());
  return f;
}

inline ReplicationConfig common_cfg(const Knobs& k, uint32_t replicas) {
  ReplicationConfig c;
  c.replicas = replicas;
  c.min_insync = 1;
  c.batching.max_entries = k.max_entries;
  c.batching.linger_ticks = k.linger;
  return c;
}

inline std::unique_ptr<EngineCluster> make_cluster(int n, Knobs k = {}, uint64_t seed = 1) {
  auto f = factory(k);
  return std::make_unique<EngineCluster>(*f, ids(n), common_cfg(k, static_cast<uint32_t>(n)), seed);
}

inline RaftEngine& raft(EngineCluster& c, NodeId n) { return dynamic_cast<RaftEngine&>(c.engine(n)); }

// Makes `n` campaign (pre-vote then vote, or a forced election) and delivers until quiet.
inline void elect(EngineCluster& c, NodeId n, bool forced = false) {
  AdminCommand cmd;
  cmd.kind = forced ? AdminCommand::Kind::promote : AdminCommand::Kind::campaign;
  ASSERT_TRUE(c.admin(n, cmd).ok());
  c.deliver_all();
}

inline PeerMessage msg(MsgKind k, NodeId from, NodeId to, uint64_t term) {
  PeerMessage m;
  m.from = from;
  m.to = to;
  m.kind = to_wire(k);
  m.epoch = Epoch{term};
  return m;
}

inline Entry entry(int64_t offset, uint64_t term, std::string payload = "x") {
  Entry e;
  e.offset = Offset{offset};
  e.epoch = Epoch{term};
  e.kind = EntryKind::data;
  e.payload = make_payload(std::move(payload));
  return e;
}

// Entries with the given terms at offsets 0, 1, ...
inline Entries log_of(const std::vector<uint64_t>& terms) {
  Entries es;
  for (size_t i = 0; i < terms.size(); ++i) es.push_back(entry(static_cast<int64_t>(i), terms[i]));
  return es;
}

// Replaces node n's stored log and hard state (crash, rewrite, restart).
inline void install_state(EngineCluster& c, NodeId n, const Entries& log, uint64_t term, NodeId vote = kNoNode) {
  c.crash(n);
  MemLogStore& st = c.store(n);
  ASSERT_TRUE(st.reset(Offset{0}, Epoch{0}).ok());
  if (!log.empty()) {
    ASSERT_TRUE(st.append(log).ok());
  }
  ASSERT_TRUE(st.sync().ok());
  HardState hs;
  hs.epoch = Epoch{term};
  hs.vote = vote;
  ASSERT_TRUE(st.save_hard_state(hs).ok());
  c.restart(n);
}

// Messages in flight of one kind (optionally from / to one node), removed from the queue.
inline std::vector<PeerMessage> take(EngineCluster& c, MsgKind k, NodeId from = kNoNode, NodeId to = kNoNode) {
  std::vector<PeerMessage> out;
  auto& q = c.in_flight();
  for (auto it = q.begin(); it != q.end();) {
    if (it->kind == to_wire(k) && (from == kNoNode || it->from == from) && (to == kNoNode || it->to == to)) {
      out.push_back(std::move(*it));
      it = q.erase(it);
    } else {
      ++it;
    }
  }
  return out;
}

inline std::vector<uint64_t> terms_of(EngineCluster& c, NodeId n) {
  std::vector<uint64_t> out;
  MemLogStore& st = c.store(n);
  auto r = st.read(st.log_start(), SIZE_MAX, SIZE_MAX);
  EXPECT_TRUE(r.ok());
  for (auto& e : *r) out.push_back(e.epoch.value());
  return out;
}

// The invariants of Raft (paper Figure 3) checked over the whole cluster after every step:
//   election safety   at most one leader per term;
//   log matching      two logs with an entry of the same offset and term agree up to it;
//   leader completeness / state machine safety: a committed entry never changes or disappears
//                     from any replica's committed prefix;
//   commit monotonic  no replica's commit watermark moves back (while it stays up).
class InvariantChecker {
 public:
  explicit InvariantChecker(EngineCluster& c) : c_(c), all_(c.nodes()) {}
  void add_node(NodeId n) { all_.push_back(n); }
  // A crash loses the volatile commit index; its watermark restarts from the saved hard state.
  void crashed(NodeId n) { last_commit_.erase(n); }

  void check() {
    for (NodeId n : nodes()) {
      if (!c_.up(n)) {
        last_commit_.erase(n);
        continue;
      }
      EngineStatus s = c_.engine(n).status();
      if (s.role == Role::leader) {
        auto [it, fresh] = leader_of_.emplace(s.epoch.value(), n);
        ASSERT_EQ(it->second, n) << "two leaders in term " << s.epoch;
      }
      auto lc = last_commit_.find(n);
      if (lc != last_commit_.end()) {
        ASSERT_GE(s.commit, lc->second) << "commit moved back on " << n;
      }
      last_commit_[n] = s.commit;
      check_committed(n, s.commit);
    }
  }

  // Log matching over every pair of up nodes (costlier; call after ticks, not every message).
  void check_logs() {
    auto ns = nodes();
    for (size_t i = 0; i < ns.size(); ++i)
      for (size_t j = i + 1; j < ns.size(); ++j) {
        check_pair(ns[i], ns[j]);
        if (::testing::Test::HasFatalFailure()) return;
      }
  }

  size_t committed() const { return committed_.size(); }
  // Offsets whose committed payload we have seen.
  const std::map<int64_t, std::pair<uint64_t, std::string>>& committed_entries() const { return committed_; }

 private:
  std::vector<NodeId> nodes() { return all_; }

  void check_committed(NodeId n, Offset commit) {
    MemLogStore& st = c_.store(n);
    Offset from = std::max(st.log_start(), Offset{0});
    Offset& seen = checked_[n];
    if (seen < from) seen = from;
    if (seen > commit) seen = commit;  // a restarted node may report a smaller commit
    Offset upto = std::min(commit, st.log_end());
    if (seen >= upto) return;
    auto r = st.read(seen, SIZE_MAX, static_cast<size_t>(upto - seen));
    ASSERT_TRUE(r.ok());
    for (const Entry& e : *r) {
      std::string p = e.payload ? *e.payload : std::string();
      auto [it, fresh] = committed_.emplace(e.offset.value(), std::make_pair(e.epoch.value(), p));
      ASSERT_EQ(it->second.first, e.epoch.value()) << "committed entry " << e.offset << " changed term on " << n;
      ASSERT_EQ(it->second.second, p) << "committed entry " << e.offset << " changed payload on " << n;
    }
    seen = upto;
  }

  void check_pair(NodeId a, NodeId b) {
    MemLogStore& sa = c_.store(a);
    MemLogStore& sb = c_.store(b);
    Offset lo = std::max(sa.log_start(), sb.log_start());
    Offset hi = std::min(sa.log_end(), sb.log_end());
    // Find the highest offset where the terms agree; everything from lo up to it must agree.
    for (Offset o = hi.prev(); o >= lo; o = o.prev()) {
      if (*sa.epoch_at(o) != *sb.epoch_at(o)) continue;
      auto ra = sa.read(lo, SIZE_MAX, static_cast<size_t>(o - lo + 1));
      auto rb = sb.read(lo, SIZE_MAX, static_cast<size_t>(o - lo + 1));
      ASSERT_TRUE(ra.ok() && rb.ok());
      for (size_t i = 0; i < ra->size(); ++i) {
        ASSERT_EQ((*ra)[i].epoch, (*rb)[i].epoch)
            << "log matching broken at " << (*ra)[i].offset << " between " << a << " and " << b;
        ASSERT_EQ((*ra)[i].payload_size(), (*rb)[i].payload_size());
      }
      return;
    }
  }

  EngineCluster& c_;
  std::vector<NodeId> all_;
  std::map<uint64_t, NodeId> leader_of_;
  std::map<NodeId, Offset> last_commit_;
  std::map<NodeId, Offset> checked_;
  std::map<int64_t, std::pair<uint64_t, std::string>> committed_;
};

}  // namespace rb::raft::test
