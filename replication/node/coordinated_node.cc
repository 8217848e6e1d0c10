#include "replication/node/coordinated_node.h"

#include <algorithm>

#include "replication/broker/placement.h"
#include "replication/core/assert.h"
#include "replication/core/byte_codec.h"
#include "replication/core/prng.h"

namespace rb {

namespace {
void put_nodes(std::string& s, const std::vector<NodeId>& ns) {
  put_u64(s, ns.size());
  for (NodeId n : ns) put_u64(s, n.value());
}
bool get_nodes(const std::string& s, size_t& pos, std::vector<NodeId>& out) {
  uint64_t n = 0;
  if (!get_u64(s, pos, n) || n > 1024) return false;
  out.clear();
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t v = 0;
    if (!get_u64(s, pos, v)) return false;
    out.push_back(NodeId{static_cast<uint32_t>(v)});
  }
  return true;
}
}  // namespace

std::string encode_partition_metadata(const PartitionMetadata& m) {
  std::string s;
  put_u64(s, m.partition.value());
  put_u64(s, m.leader_epoch.value());
  put_u64(s, m.partition_epoch.value());
  put_u64(s, m.leader.value());
  put_nodes(s, m.replicas);
  put_nodes(s, m.isr);
  put_nodes(s, m.elr);
  put_nodes(s, m.unclean_shutdown);
  return s;
}

Result<PartitionMetadata> decode_partition_metadata(const std::string& s) {
  PartitionMetadata m;
  size_t pos = 0;
  uint64_t p = 0, le = 0, pe = 0, leader = 0;
  if (!get_u64(s, pos, p) || !get_u64(s, pos, le) || !get_u64(s, pos, pe) || !get_u64(s, pos, leader) ||
      !get_nodes(s, pos, m.replicas) || !get_nodes(s, pos, m.isr) || !get_nodes(s, pos, m.elr) ||
      !get_nodes(s, pos, m.unclean_shutdown) || pos != s.size()) {
    return make_error(errc::bad_input, "malformed partition metadata");
  }
  m.partition = PartitionId{static_cast<uint32_t>(p)};
  m.leader_epoch = Epoch{le};
  m.partition_epoch = Epoch{pe};
  m.leader = NodeId{static_cast<uint32_t>(leader)};
  return m;
}

CoordinatedNode::CoordinatedNode(NodeHostConfig cfg, const EngineFactory& data_factory, CoordinationConfig coord,
                                 NodeIo& outer, NodeHost::StoreFactory stores, LogStore* metadata_store,
                                 int64_t broker_epoch, bool unclean_restart)
    : cfg_(cfg),
      coord_(std::move(coord)),
      outer_(outer),
      broker_epoch_(broker_epoch),
      unclean_restart_(unclean_restart) {
  if (coord_.enabled) {
    RB_ASSERT(coord_.quorum_factory != nullptr);
    bool member = std::find(coord_.quorum.begin(), coord_.quorum.end(), cfg.self) != coord_.quorum.end();
    if (member) {
      RB_ASSERT(metadata_store != nullptr);
      metadata_store_ = metadata_store;
      state_ = std::make_unique<coordinator::CoordinatorState>(coord_.state);
      EngineContext ctx;
      ctx.self = cfg.self;
      ctx.partition = kMetadataPartition;
      ctx.replicas = coord_.quorum;
      ctx.common.replicas = static_cast<uint32_t>(coord_.quorum.size());
      ctx.common.min_insync = 1;
      ctx.common.acks = AckLevel::quorum;
      ctx.common.fsync = FsyncPolicy{FsyncMode::never, 0};
      ctx.log = metadata_store_;
      ctx.restored = metadata_store_->load_hard_state();
      uint64_t mix = cfg.seed ^ 0x6d657461ULL ^ (static_cast<uint64_t>(cfg.self.value()) << 40);
      ctx.seed = splitmix64(mix);
      quorum_engine_ = coord_.quorum_factory->create(ctx);
      // Rebuild the state machine from the whole retained metadata log (it is never compacted).
      applied_ = metadata_store_->log_start();
      apply_committed(std::min(ctx.restored.commit, metadata_store_->log_end()));
      drain_quorum();
    }
  }
  host_ = std::make_unique<NodeHost>(cfg, data_factory, *this, std::move(stores));
  if (coord_.enabled) {
    to_quorum(kRegister, {}, static_cast<uint64_t>(broker_epoch_));
    if (unclean_restart_) to_quorum(kUnclean);
  }
}

CoordinatedNode::~CoordinatedNode() = default;

bool CoordinatedNode::quorum_leader() const { return quorum_engine_ && quorum_engine_->status().role == Role::leader; }

void CoordinatedNode::to_quorum(uint16_t kind, std::string blob, uint64_t context) {
  for (NodeId q : coord_.quorum) {
    PeerMessage m;
    m.from = cfg_.self;
    m.to = q;
    m.partition = kControllerPartition;
    m.kind = kind;
    m.context = context;
    m.blob = blob;
    if (q == cfg_.self) {
      on_controller_rpc(m);
    } else {
      outer_.send(std::move(m));
    }
  }
}

void CoordinatedNode::on_metadata_request(const MetadataRequest& req) {
  if (!coord_.enabled) return;
  to_quorum(kRequest, coordinator::encode(coordinator::command_from_request(req, cfg_.self)));
}

void CoordinatedNode::on_peer_message(const PeerMessage& msg) {
  if (msg.partition == kMetadataPartition) {
    if (quorum_engine_) {
      quorum_engine_->receive(msg);
      drain_quorum();
    }
    return;
  }
  if (msg.partition == kControllerPartition) {
    on_controller_rpc(msg);
    return;
  }
  host_->on_peer_message(msg);
}

void CoordinatedNode::on_controller_rpc(const PeerMessage& msg) {
  if (msg.kind == kPush) {
    auto m = decode_partition_metadata(msg.blob);
    if (!m.ok()) return;
    if (host_ && host_->hosts(m->partition)) {
      AdminCommand cmd;
      cmd.kind = AdminCommand::Kind::metadata_update;
      cmd.metadata = *m;
      (void)host_->admin(m->partition, cmd);
    }
    return;
  }
  // Requests are for the active controller only; other quorum members ignore them (the broker
  // sends to every member, so the leader always gets one copy).
  if (!quorum_leader() || !controller_) return;
  switch (msg.kind) {
    case kRegister:
      propose(coordinator::RegisterBroker{msg.from, static_cast<int64_t>(msg.context)});
      break;
    case kHeartbeat: {
      // A broker whose registration was lost (sent before this quorum had a leader) registers
      // through its heartbeat.
      auto it = state_->brokers().find(msg.from);
      if (it == state_->brokers().end() || it->second.broker_epoch < static_cast<int64_t>(msg.context)) {
        propose(coordinator::RegisterBroker{msg.from, static_cast<int64_t>(msg.context)});
        break;
      }
      for (auto& c : controller_->on_heartbeat(msg.from, static_cast<int64_t>(msg.context), controller_->now()))
        propose(c);
      break;
    }
    case kRequest: {
      auto c = coordinator::decode(msg.blob);
      if (c.ok()) propose(*c);
      break;
    }
    case kUnclean:
      propose(coordinator::MarkUncleanShutdown{msg.from});
      break;
    default:
      break;
  }
}

void CoordinatedNode::propose(const coordinator::Command& cmd) {
  if (!quorum_engine_) return;
  Entry e;
  e.kind = EntryKind::data;
  e.payload = make_payload(coordinator::encode(cmd));
  quorum_engine_->propose(ProposeRequest{RequestId{next_proposal_++}, AckLevel::quorum, {std::move(e)}});
  drain_quorum();
}

void CoordinatedNode::drain_quorum() {
  for (int guard = 0; quorum_engine_ && quorum_engine_->has_ready(); ++guard) {
    RB_ASSERT(guard < 100000);
    Ready r = quorum_engine_->take_ready();
    LogStore& st = *metadata_store_;
    if (r.hard_state) RB_ASSERT(st.save_hard_state(*r.hard_state).ok());
    if (r.snapshot) RB_ASSERT(st.reset(r.snapshot->last_included.next(), r.snapshot->last_epoch).ok());
    if (r.truncate_prefix) RB_ASSERT(st.truncate_prefix(*r.truncate_prefix).ok());
    if (r.truncate_suffix) RB_ASSERT(st.truncate_suffix(*r.truncate_suffix).ok());
    if (!r.append.empty()) {
      RB_ASSERT(st.append(r.append).ok());
      // The metadata log is small and off the data path: modelled as durable once written.
      auto end = st.sync();
      RB_ASSERT(end.ok());
      quorum_engine_->persisted(*end);
    }
    for (auto& m : r.messages) {
      m.from = cfg_.self;
      m.partition = kMetadataPartition;
      outer_.send(std::move(m));
    }
    if (r.commit) apply_committed(*r.commit);
  }
  bool leader = quorum_leader();
  bool was = std::exchange(was_leader_, leader);  // before became_leader(), which proposes
  if (leader && !was) became_leader();
  if (!leader && was) controller_.reset();
}

void CoordinatedNode::apply_committed(Offset commit) {
  if (!state_) return;
  commit = std::min(commit, metadata_store_->log_end());
  while (applied_ < commit) {
    auto r = metadata_store_->read(applied_, 1 << 20, static_cast<size_t>(commit - applied_));
    RB_ASSERT(r.ok());
    RB_ASSERT(!r->empty());
    for (const auto& e : *r) {
      applied_ = e.offset.next();
      if (e.kind != EntryKind::data || !e.payload) continue;
      auto cmd = coordinator::decode(*e.payload);
      if (!cmd.ok()) continue;
      auto applied = state_->apply(*cmd);
      if (quorum_leader())
        for (const auto& m : applied.changed) push(m);
    }
  }
}

void CoordinatedNode::push(const PartitionMetadata& m) {
  std::string blob = encode_partition_metadata(m);
  std::vector<NodeId> targets = m.replicas;
  for (NodeId n : m.isr)
    if (std::find(targets.begin(), targets.end(), n) == targets.end()) targets.push_back(n);
  for (NodeId n : targets) {
    PeerMessage msg;
    msg.from = cfg_.self;
    msg.to = n;
    msg.partition = kControllerPartition;
    msg.kind = kPush;
    msg.blob = blob;
    if (n == cfg_.self) {
      on_controller_rpc(msg);
    } else {
      outer_.send(std::move(msg));
    }
  }
}

void CoordinatedNode::became_leader() {
  controller_ = std::make_unique<coordinator::Controller>(coord_.controller, state_.get());
  create_missing_partitions();
  for (const auto& [p, m] : state_->partitions()) push(m);
}

// Partitions are created once a replica of theirs is alive (a fresh quorum may lead before any
// broker has registered), so the leader retries until every partition exists.
void CoordinatedNode::create_missing_partitions() {
  for (uint32_t i = 0; i < cfg_.partitions; ++i) {
    PartitionId p{i};
    if (state_->partition(p)) continue;
    auto reps = place_replicas(p, cfg_.common.replicas, static_cast<uint32_t>(cfg_.nodes.size()));
    for (auto& r : reps) r = cfg_.nodes[r.value()];
    bool any_alive = false;
    for (NodeId r : reps) any_alive = any_alive || state_->alive(r);
    if (any_alive) propose(coordinator::CreatePartition{p, reps});
  }
}

void CoordinatedNode::tick() {
  ++ticks_;
  host_->tick();
  if (!coord_.enabled) return;
  if (ticks_ % coord_.heartbeat_ticks == 0) to_quorum(kHeartbeat, {}, static_cast<uint64_t>(broker_epoch_));
  if (quorum_engine_) {
    quorum_engine_->tick();
    drain_quorum();
    if (controller_) {
      for (auto& c : controller_->tick()) propose(c);
      if (ticks_ % 100 == 0) create_missing_partitions();
      if (ticks_ % coord_.repush_ticks == 0)
        for (const auto& [p, m] : state_->partitions()) push(m);
    }
  }
}

}  // namespace rb
