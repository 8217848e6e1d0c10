#include "replication/node/node_host.h"

#include <algorithm>

#include "replication/broker/placement.h"
#include "replication/core/assert.h"
#include "replication/core/prng.h"

namespace rb {

namespace {
template <class... Ts>
struct overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
overloaded(Ts...) -> overloaded<Ts...>;
}  // namespace

NodeHost::NodeHost(NodeHostConfig cfg, const EngineFactory& factory, NodeIo& io, StoreFactory stores)
    : cfg_(std::move(cfg)), factory_(factory.clone()), io_(io), stores_(std::move(stores)) {
  RB_ASSERT(cfg_.common.validate().ok());
  RB_ASSERT(!cfg_.nodes.empty());
  for (uint32_t i = 0; i < cfg_.partitions; ++i) {
    PartitionId p{i};
    auto replicas = place_replicas(p, cfg_.common.replicas, static_cast<uint32_t>(cfg_.nodes.size()));
    for (auto& r : replicas) r = cfg_.nodes[r.value()];
    if (std::find(replicas.begin(), replicas.end(), cfg_.self) != replicas.end()) create_part(p);
  }
}

NodeHost::~NodeHost() = default;

NodeHost::Part& NodeHost::create_part(PartitionId id) {
  auto replicas = place_replicas(id, cfg_.common.replicas, static_cast<uint32_t>(cfg_.nodes.size()));
  for (auto& r : replicas) r = cfg_.nodes[r.value()];
  Part& p = parts_[id];
  p.id = id;
  p.replicas = replicas;
  p.store = stores_(id);
  RB_ASSERT(p.store != nullptr);
  p.state = std::make_unique<PartitionState>(p.store);
  Snapshot snap = p.store->load_snapshot();
  if (snap.last_included.value() >= 0) RB_ASSERT(p.state->install(snap).ok());
  p.state->on_log_rewritten();
  EngineContext ctx;
  ctx.self = cfg_.self;
  ctx.partition = id;
  ctx.replicas = replicas;
  ctx.common = cfg_.common;
  ctx.log = p.store;
  ctx.snapshots = p.state.get();
  ctx.restored = p.store->load_hard_state();
  uint64_t mix = cfg_.seed ^ (static_cast<uint64_t>(cfg_.self.value()) << 32) ^ id.value();
  ctx.seed = splitmix64(mix);
  p.commit = std::min(ctx.restored.commit, p.store->log_end());
  p.saved_hs = ctx.restored;
  p.engine = factory_->create(ctx);
  drain(p);
  return p;
}

NodeHost::Part* NodeHost::find(PartitionId p) {
  auto it = parts_.find(p);
  return it == parts_.end() ? nullptr : &it->second;
}

std::vector<PartitionId> NodeHost::partitions() const {
  std::vector<PartitionId> out;
  for (const auto& [id, p] : parts_) out.push_back(id);
  return out;
}

Engine& NodeHost::engine(PartitionId p) { return *parts_.at(p).engine; }
LogStore& NodeHost::store(PartitionId p) { return *parts_.at(p).store; }
Offset NodeHost::commit(PartitionId p) const { return parts_.at(p).commit; }
const PartitionState& NodeHost::state(PartitionId p) const { return *parts_.at(p).state; }

std::set<PartitionId> NodeHost::take_dirty() { return std::exchange(dirty_, {}); }

// ---------------------------------------------------------------------------------------------
// Driving engines.

void NodeHost::drain(Part& p) {
  if (deferred_.erase(p.id)) p.undrained.clear();
  for (int guard = 0; p.engine->has_ready(); ++guard) {
    RB_ASSERT_MSG(guard < 100000, "engine produces Ready forever");
    apply(p, p.engine->take_ready());
  }
}

void NodeHost::flush() {
  while (!deferred_.empty()) {
    Part* p = find(*deferred_.begin());
    RB_ASSERT(p != nullptr);
    drain(*p);  // removes it from deferred_
  }
}

void NodeHost::apply(Part& p, Ready r) {
  LogStore& st = *p.store;
  auto check = [](const Status& s, const char* what) {
    // A failing store leaves the replica in an unknown state: stop rather than go on.
    if (!s.ok()) {
      std::fprintf(stderr, "replbench: storage failure in %s: %s\n", what, s.error().describe().c_str());
      std::abort();
    }
  };
  if (r.hard_state) {
    HardState without_commit = *r.hard_state;
    without_commit.commit = p.saved_hs.commit;
    // Only the commit watermark moved: written without fsync (a power loss may bring back an
    // older watermark, as Kafka's high-watermark checkpoint would; a process kill cannot).
    if (without_commit == p.saved_hs) {
      check(st.save_hard_state_relaxed(*r.hard_state), "save_hard_state");
    } else {
      check(st.save_hard_state(*r.hard_state), "save_hard_state");
    }
    p.saved_hs = *r.hard_state;
  }
  bool rewritten = false;
  if (r.snapshot) {
    check(st.reset(r.snapshot->last_included.next(), r.snapshot->last_epoch), "reset");
    check(st.save_snapshot(*r.snapshot), "save_snapshot");
    check(p.state->install(*r.snapshot), "install snapshot");
    rewritten = true;
  }
  if (r.truncate_prefix) check(st.truncate_prefix(*r.truncate_prefix), "truncate_prefix");
  if (r.truncate_suffix) {
    check(st.truncate_suffix(*r.truncate_suffix), "truncate_suffix");
    rewritten = true;
  }
  if (!r.append.empty()) {
    check(st.append(r.append), "append");
    if (!rewritten) p.state->on_appended(r.append);
    // Fetches parked on this partition may now be answerable on followers with follower reads; the
    // commit below decides.
  }
  if (rewritten) {
    p.state->on_log_rewritten();
    // Duplicates waiting on records that were cut can never complete (another record may now
    // hold their offset): let the client retry.
    Offset cut = r.snapshot ? Offset{0} : *r.truncate_suffix;
    for (auto& a : p.awaiting) {
      if (a.offset >= cut) {
        client::ProduceResponse resp{
            a.client_req, a.partition, errc::not_leader, Offset{-1},
            Epoch{},      cfg_.self,   kNoNode,          "the original record was truncated; retry"};
        io_.reply(a.client, std::move(resp));
        a.offset = Offset{-1};
      }
    }
    std::erase_if(p.awaiting, [](const AwaitCommit& a) { return a.offset.value() < 0; });
  }
  if (!r.append.empty() || r.snapshot) {
    if (cfg_.common.fsync.mode == FsyncMode::always) {
      dirty_.insert(p.id);
      io_.request_sync();
    } else {
      // fsync never / interval: a record counts as persisted once written (page cache).
      if (cfg_.common.fsync.mode == FsyncMode::interval) dirty_.insert(p.id);
      p.engine->persisted(st.log_end());
    }
  }
  for (auto& m : r.messages) {
    m.from = cfg_.self;
    m.partition = p.id;
    io_.send(std::move(m));
  }
  if (r.commit && *r.commit > p.commit) {
    p.commit = *r.commit;
    p.state->on_committed(p.commit);
    wake_fetches(p);
  }
  for (const auto& c : r.completions) complete(p, c);
  for (const auto& e : r.events) io_.on_event(p.id, e);
  for (const auto& m : r.metadata_requests) io_.on_metadata_request(m);
}

void NodeHost::complete(Part& p, const Completion& c) {
  auto it = pending_.find(c.id.value());
  if (it == pending_.end()) return;  // timed out earlier, or an engine-internal request
  Pending pend = it->second;
  pending_.erase(it);
  if (pend.kind == PendingKind::produce) {
    client::ProduceResponse resp{pend.client_req, pend.partition, c.code,        c.base_offset,
                                 c.epoch,         cfg_.self,      c.leader_hint, c.detail};
    io_.reply(pend.client, std::move(resp));
  } else {
    client::OffsetCommitResponse resp{pend.client_req, c.code, c.leader_hint};
    io_.reply(pend.client, std::move(resp));
  }
}

void NodeHost::on_peer_message(const PeerMessage& msg) {
  ++counters_.peer_messages_in;
  counters_.peer_records_in += msg.entries.size();
  Part* p = find(msg.partition);
  if (!p) {
    // A replica added by a membership change: host it on first contact.
    if (msg.partition.value() >= cfg_.partitions) return;
    p = &create_part(msg.partition);
  }
  p->engine->receive(msg);
  drain(*p);
}

void NodeHost::tick() {
  ++ticks_;
  for (auto& [id, p] : parts_) {
    p.engine->tick();
    drain(p);
    if (!p.parked.empty()) {
      std::vector<Parked> expired;
      std::erase_if(p.parked, [&](const Parked& f) {
        if (f.deadline_tick > ticks_) return false;
        expired.push_back(f);
        return true;
      });
      for (auto& f : expired) serve_fetch(p, f.client, f.req);
    }
  }
  // Engine requests that never completed (e.g. a partitioned leader) answer timeout.
  if (ticks_ % 100 == 0) {
    for (auto it = pending_.begin(); it != pending_.end();) {
      if (it->second.deadline_tick > ticks_) {
        ++it;
        continue;
      }
      Pending pend = it->second;
      it = pending_.erase(it);
      if (pend.kind == PendingKind::produce) {
        io_.reply(pend.client, client::ProduceResponse{pend.client_req, pend.partition, errc::timeout, Offset{-1},
                                                       Epoch{}, cfg_.self, kNoNode, "not replicated in time"});
      } else {
        io_.reply(pend.client, client::OffsetCommitResponse{pend.client_req, errc::timeout, kNoNode});
      }
    }
  }
}

void NodeHost::on_durable(PartitionId id, Offset end) {
  Part* p = find(id);
  if (!p) return;
  p->engine->persisted(end);
  drain(*p);
}

Status NodeHost::admin(PartitionId id, const AdminCommand& cmd) {
  Part* p = find(id);
  if (!p)
    return make_error(errc::not_found, "partition " + to_string(id) + " is not hosted on node " + to_string(cfg_.self));
  auto s = p->engine->admin(cmd);
  drain(*p);
  return s;
}

NodeId NodeHost::leader_hint(Part& p) { return p.engine->status().leader; }

// ---------------------------------------------------------------------------------------------
// Client protocol.

void NodeHost::on_client_request(ClientId client, client::Request req) {
  std::visit(overloaded{
                 [&](client::ProduceRequest& r) { produce(client, std::move(r)); },
                 [&](client::FetchRequest& r) { fetch(client, std::move(r)); },
                 [&](client::MetadataRequest& r) { metadata(client, r); },
                 [&](client::OffsetCommitRequest& r) { offset_commit(client, std::move(r)); },
                 [&](client::OffsetFetchRequest& r) { offset_fetch(client, r); },
             },
             req);
}

void NodeHost::produce(ClientId client, client::ProduceRequest req) {
  ++counters_.produce_requests;
  auto fail = [&](errc code, std::string detail, NodeId hint = kNoNode) {
    io_.reply(client, client::ProduceResponse{req.id, req.partition, code, Offset{-1}, Epoch{}, cfg_.self, hint,
                                              std::move(detail)});
  };
  Part* p = find(req.partition);
  if (!p) {
    if (req.partition.value() >= cfg_.partitions) return fail(errc::not_found, "no such partition");
    // Not a replica here: point at the preferred leader.
    auto replicas = place_replicas(req.partition, cfg_.common.replicas, static_cast<uint32_t>(cfg_.nodes.size()));
    return fail(errc::not_leader, "partition not hosted on this node", cfg_.nodes[replicas.front().value()]);
  }
  if (req.records.empty()) return fail(errc::bad_input, "produce request without records");
  for (const auto& e : req.records) {
    if (e.payload_size() > cfg_.common.max_message_bytes) {
      return fail(errc::too_large, "record of " + std::to_string(e.payload_size()) +
                                       " bytes exceeds max_message_bytes " +
                                       std::to_string(cfg_.common.max_message_bytes));
    }
  }
  if (cfg_.common.idempotence) {
    const Entry& first = req.records.front();
    if (first.producer.value() != 0 && first.sequence >= 0) {
      // A retry of a proposal whose Ready is still deferred: apply it first so the lookup below
      // finds the original's offset.
      if (auto u = p->undrained.find(first.producer.value());
          u != p->undrained.end() && first.sequence >= u->second.first && first.sequence <= u->second.second) {
        drain(*p);
      }
      if (auto dup = p->state->find_duplicate(first.producer, first.sequence)) {
        ++counters_.duplicates_answered;
        if (*dup < p->commit) {
          io_.reply(client, client::ProduceResponse{req.id, req.partition, errc::ok, *dup, Epoch{}, cfg_.self, kNoNode,
                                                    "duplicate"});
        } else {
          p->awaiting.push_back(AwaitCommit{client, req.id, req.partition, *dup});
        }
        return;
      }
    }
  }
  counters_.produce_records += req.records.size();
  uint64_t id = next_req_++;
  pending_[id] = Pending{client, req.id, req.partition, PendingKind::produce, ticks_ + cfg_.request_timeout_ticks};
  ProposeRequest pr{RequestId{id}, req.acks, std::move(req.records)};
  for (auto& e : pr.entries) e.kind = EntryKind::data;
  if (cfg_.defer_produce_drain) {
    const Entry& first = pr.entries.front();
    if (first.producer.value() != 0 && first.sequence >= 0) {
      auto [u, fresh] = p->undrained.try_emplace(first.producer.value(), first.sequence, pr.entries.back().sequence);
      if (!fresh) {
        u->second.first = std::min(u->second.first, first.sequence);
        u->second.second = std::max(u->second.second, pr.entries.back().sequence);
      }
    }
  }
  p->engine->propose(std::move(pr));
  if (!cfg_.defer_produce_drain) return drain(*p);
  deferred_.insert(p->id);
}

void NodeHost::fetch(ClientId client, client::FetchRequest req) {
  ++counters_.fetch_requests;
  Part* p = find(req.partition);
  if (!p) {
    io_.reply(client, client::FetchResponse{
                          req.id, req.partition, errc::not_leader, Offset{}, Offset{}, {}, cfg_.self, kNoNode});
    return;
  }
  if (!cfg_.follower_reads) {
    auto role = p->engine->status().role;
    if (role != Role::leader) {
      io_.reply(client, client::FetchResponse{req.id,
                                              req.partition,
                                              errc::not_leader,
                                              p->commit,
                                              p->store->log_start(),
                                              {},
                                              cfg_.self,
                                              leader_hint(*p)});
      return;
    }
  }
  if (req.offset >= p->commit && req.offset <= p->store->log_end() && req.max_wait_ms > 0) {
    uint64_t wait_ticks = std::max<uint64_t>(1, req.max_wait_ms / std::max<uint32_t>(1, cfg_.tick_ms));
    p->parked.push_back(Parked{client, req, ticks_ + wait_ticks});
    return;
  }
  serve_fetch(*p, client, req);
}

void NodeHost::serve_fetch(Part& p, ClientId client, const client::FetchRequest& req) {
  client::FetchResponse resp{req.id, req.partition, errc::ok, p.commit, p.store->log_start(), {}, cfg_.self, kNoNode};
  if (req.offset < p.store->log_start()) {
    resp.code = errc::compacted;
  } else if (req.offset > p.commit) {
    // Beyond what this replica considers committed (e.g. a consumer ahead of a new leader's
    // watermark, or a truncated log): say so; the consumer resets to the watermark.
    resp.code = errc::out_of_range;
  } else if (req.offset < p.commit) {
    Offset from = req.offset;
    size_t budget = req.max_bytes;
    while (from < p.commit && budget > 0) {
      auto max_entries = static_cast<size_t>(p.commit - from);
      auto r = p.store->read(from, budget, max_entries);
      if (!r.ok()) {
        resp.code = r.code();
        break;
      }
      if (r->empty()) break;
      for (auto& e : *r) {
        if (e.offset >= p.commit) break;
        size_t sz = e.wire_size();
        budget = sz >= budget ? 0 : budget - sz;
        if (e.kind == EntryKind::data) resp.records.push_back(std::move(e));
      }
      from = r->back().offset.next();
      if (!resp.records.empty()) break;  // one store read per fetch is enough when it had data
    }
    counters_.records_served += resp.records.size();
  }
  io_.reply(client, std::move(resp));
}

void NodeHost::wake_fetches(Part& p) {
  if (!p.awaiting.empty()) {
    std::vector<AwaitCommit> done;
    std::erase_if(p.awaiting, [&](const AwaitCommit& a) {
      if (a.offset >= p.commit) return false;
      done.push_back(a);
      return true;
    });
    for (auto& a : done)
      io_.reply(a.client, client::ProduceResponse{a.client_req, a.partition, errc::ok, a.offset, Epoch{}, cfg_.self,
                                                  kNoNode, "duplicate"});
  }
  if (p.parked.empty()) return;
  std::vector<Parked> ready;
  std::erase_if(p.parked, [&](const Parked& f) {
    if (f.req.offset >= p.commit) return false;
    ready.push_back(f);
    return true;
  });
  for (auto& f : ready) serve_fetch(p, f.client, f.req);
}

void NodeHost::metadata(ClientId client, const client::MetadataRequest& req) {
  client::MetadataResponse resp;
  resp.id = req.id;
  for (NodeId n : cfg_.nodes) resp.nodes.push_back(client::NodeInfo{n, "", 0});
  for (auto& [id, p] : parts_) {
    auto st = p.engine->status();
    resp.partitions.push_back(client::PartitionInfo{id, st.leader, st.epoch, p.replicas});
  }
  io_.reply(client, std::move(resp));
}

void NodeHost::offset_commit(ClientId client, client::OffsetCommitRequest req) {
  Part* p = find(req.partition);
  if (!p) {
    io_.reply(client, client::OffsetCommitResponse{req.id, errc::not_leader, kNoNode});
    return;
  }
  uint64_t id = next_req_++;
  pending_[id] =
      Pending{client, req.id, req.partition, PendingKind::offset_commit, ticks_ + cfg_.request_timeout_ticks};
  Entry e;
  e.kind = EntryKind::offset_commit;
  e.payload = make_payload(encode_offset_commit(req.group, req.offset));
  ProposeRequest pr{RequestId{id}, AckLevel::all, {std::move(e)}};
  p->engine->propose(std::move(pr));
  drain(*p);
}

void NodeHost::offset_fetch(ClientId client, const client::OffsetFetchRequest& req) {
  Part* p = find(req.partition);
  if (!p) {
    io_.reply(client, client::OffsetFetchResponse{req.id, errc::not_leader, Offset{-1}, kNoNode});
    return;
  }
  auto o = p->state->consumer_offset(req.group);
  io_.reply(client, client::OffsetFetchResponse{req.id, errc::ok, o ? *o : Offset{-1}, kNoNode});
}

}  // namespace rb
