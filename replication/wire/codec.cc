// Peer batches, hello and the admin RPC. Client envelopes are in client_codec.cc.
#include "replication/wire/codec.h"

#include <cmath>

#include "admin.pb.h"
#include "replication/wire/entry_codec.h"

namespace rb::wire {
namespace detail {

void to_pb(const Entry& e, pb::Entry* out) {
  out->set_offset(e.offset.value());
  out->set_epoch(e.epoch.value());
  out->set_kind(static_cast<uint32_t>(e.kind));
  out->set_producer(e.producer.value());
  out->set_sequence(e.sequence);
  out->set_timestamp_ns(e.timestamp_ns);
  if (e.payload) {
    out->set_has_payload(true);
    out->set_payload(*e.payload);
  }
}

Result<Entry> from_pb(const pb::Entry& e) {
  if (e.kind() > static_cast<uint32_t>(EntryKind::offset_commit)) {
    return make_error(errc::bad_input, "unknown entry kind " + std::to_string(e.kind()));
  }
  Entry out;
  out.offset = Offset(e.offset());
  out.epoch = Epoch(e.epoch());
  out.kind = static_cast<EntryKind>(e.kind());
  out.producer = ProducerId(e.producer());
  out.sequence = e.sequence();
  out.timestamp_ns = e.timestamp_ns();
  if (e.has_payload()) out.payload = make_payload(e.payload());
  return out;
}

Result<errc> errc_from_pb(uint32_t v) {
  if (v > static_cast<uint32_t>(errc::busy))
    return make_error(errc::bad_input, "unknown error code " + std::to_string(v));
  return static_cast<errc>(v);
}

}  // namespace detail

using namespace detail;

std::string_view to_string(Direction d) { return d == Direction::outbound ? "outbound" : "inbound"; }

Status FaultRule::validate() const {
  if (!(drop_probability >= 0 && drop_probability <= 1)) {
    return make_error(errc::bad_input, "drop_probability must be in [0, 1]");
  }
  return {};
}

PartitionStatus partition_status(PartitionId p, const EngineStatus& s) {
  return PartitionStatus{p,           s.role,    s.leader,      s.epoch,   s.commit,
                         s.log_start, s.log_end, s.durable_end, s.members, s.in_sync};
}

// ----------------------------------------------------------------------------------- hello ---
std::string encode_hello(const Hello& h) {
  pb::Hello m;
  m.set_node_id(h.node.value());
  m.set_cluster_id(h.cluster_id);
  m.set_role(static_cast<pb::Hello::Role>(h.role));
  return serialize(m);
}

Result<Hello> decode_hello(std::string_view body) {
  pb::Hello m;
  if (auto s = parse(body, &m, "hello"); !s.ok()) return s.error();
  if (m.role() < pb::Hello::ROLE_PEER || m.role() > pb::Hello::ROLE_ADMIN) {
    return make_error(errc::bad_input, "hello with unknown role " + std::to_string(m.role()));
  }
  return Hello{NodeId(m.node_id()), m.cluster_id(), static_cast<HelloRole>(m.role())};
}

// ------------------------------------------------------------------------------ peer batch ---
namespace {

void build_peer_batch(const std::vector<PeerMessage>& messages, pb::PeerBatch& batch) {
  batch.mutable_messages()->Reserve(static_cast<int>(messages.size()));
  for (const auto& msg : messages) {
    auto* m = batch.add_messages();
    m->set_from(msg.from.value());
    m->set_to(msg.to.value());
    m->set_partition(msg.partition.value());
    m->set_kind(msg.kind);
    m->set_epoch(msg.epoch.value());
    m->set_offset(msg.offset.value());
    m->set_log_epoch(msg.log_epoch.value());
    m->set_commit(msg.commit.value());
    m->set_hint(msg.hint.value());
    m->set_hint_epoch(msg.hint_epoch.value());
    m->set_reject(msg.reject);
    m->set_context(msg.context);
    entries_to_pb(msg.entries, m->mutable_entries());
    nodes_to_pb(msg.members, m->mutable_members());
    m->mutable_values()->Add(msg.values.begin(), msg.values.end());
    m->set_blob(msg.blob);
  }
}

}  // namespace

std::string encode_peer_batch(const std::vector<PeerMessage>& messages) {
  return encode_on_arena<pb::PeerBatch>([&](auto& m) { build_peer_batch(messages, m); }, std::nullopt);
}

std::string encode_peer_batch_frame(uint64_t cluster_id, const std::vector<PeerMessage>& messages) {
  return encode_on_arena<pb::PeerBatch>([&](auto& m) { build_peer_batch(messages, m); },
                                        FrameTarget{FrameKind::peer_batch, cluster_id});
}

Result<std::vector<PeerMessage>> decode_peer_batch(std::string_view body) {
  ArenaMessage<pb::PeerBatch> on_arena;
  auto& batch = on_arena.get();
  if (auto s = parse(body, &batch, "peer batch"); !s.ok()) return s.error();
  std::vector<PeerMessage> out;
  out.reserve(batch.messages_size());
  for (const auto& m : batch.messages()) {
    if (m.kind() > UINT16_MAX) return make_error(errc::bad_input, "peer message kind above 16 bits");
    PeerMessage msg;
    msg.from = NodeId(m.from());
    msg.to = NodeId(m.to());
    msg.partition = PartitionId(m.partition());
    msg.kind = static_cast<uint16_t>(m.kind());
    msg.epoch = Epoch(m.epoch());
    msg.offset = Offset(m.offset());
    msg.log_epoch = Epoch(m.log_epoch());
    msg.commit = Offset(m.commit());
    msg.hint = Offset(m.hint());
    msg.hint_epoch = Epoch(m.hint_epoch());
    msg.reject = m.reject();
    msg.context = m.context();
    auto entries = entries_from_pb(m.entries());
    if (!entries.ok()) return entries.error();
    msg.entries = std::move(entries).value();
    msg.members = nodes_from_pb(m.members());
    msg.values.assign(m.values().begin(), m.values().end());
    msg.blob = m.blob();
    out.push_back(std::move(msg));
  }
  return out;
}

// ----------------------------------------------------------------------------------- admin ---
namespace {

Result<Direction> direction_from_pb(int v) {
  if (v == pb::DIRECTION_OUTBOUND) return Direction::outbound;
  if (v == pb::DIRECTION_INBOUND) return Direction::inbound;
  return make_error(errc::bad_input, "unknown direction " + std::to_string(v));
}

pb::Direction direction_to_pb(Direction d) {
  return d == Direction::outbound ? pb::DIRECTION_OUTBOUND : pb::DIRECTION_INBOUND;
}

void status_to_pb(const NodeStatus& s, pb::NodeStatus* out) {
  out->set_node_id(s.node.value());
  for (const auto& p : s.peers) {
    auto* m = out->add_peers();
    m->set_peer(p.peer.value());
    m->set_bytes_sent(p.bytes_sent);
    m->set_bytes_received(p.bytes_received);
    m->set_messages_sent(p.messages_sent);
    m->set_messages_received(p.messages_received);
    m->set_dropped_outbound(p.dropped_outbound);
    m->set_dropped_inbound(p.dropped_inbound);
    m->set_delayed_outbound(p.delayed_outbound);
    m->set_delayed_inbound(p.delayed_inbound);
    m->set_dropped_queue_full(p.dropped_queue_full);
    m->set_connected(p.connected);
    m->set_frames_sent(p.frames_sent);
    m->set_frames_received(p.frames_received);
    m->set_control_bytes_sent(p.control_bytes_sent);
    m->set_control_messages_sent(p.control_messages_sent);
  }
  for (const auto& p : s.partitions) {
    auto* m = out->add_partitions();
    m->set_partition(p.partition.value());
    m->set_role(static_cast<uint32_t>(p.role));
    m->set_leader(p.leader.value());
    m->set_epoch(p.epoch.value());
    m->set_commit(p.commit.value());
    m->set_log_start(p.log_start.value());
    m->set_log_end(p.log_end.value());
    m->set_durable_end(p.durable_end.value());
    nodes_to_pb(p.members, m->mutable_members());
    nodes_to_pb(p.in_sync, m->mutable_in_sync());
  }
  for (const auto& [k, v] : s.counters) (*out->mutable_counters())[k] = v;
}

Result<NodeStatus> status_from_pb(const pb::NodeStatus& m) {
  NodeStatus s;
  s.node = NodeId(m.node_id());
  for (const auto& p : m.peers()) {
    s.peers.push_back(PeerStats{NodeId(p.peer()), p.bytes_sent(), p.bytes_received(), p.messages_sent(),
                                p.messages_received(), p.dropped_outbound(), p.dropped_inbound(), p.delayed_outbound(),
                                p.delayed_inbound(), p.dropped_queue_full(), p.connected(), p.frames_sent(),
                                p.frames_received(), p.control_bytes_sent(), p.control_messages_sent()});
  }
  for (const auto& p : m.partitions()) {
    if (p.role() > static_cast<uint32_t>(Role::stopped)) {
      return make_error(errc::bad_input, "unknown role " + std::to_string(p.role()));
    }
    s.partitions.push_back(PartitionStatus{PartitionId(p.partition()), static_cast<Role>(p.role()), NodeId(p.leader()),
                                           Epoch(p.epoch()), Offset(p.commit()), Offset(p.log_start()),
                                           Offset(p.log_end()), Offset(p.durable_end()), nodes_from_pb(p.members()),
                                           nodes_from_pb(p.in_sync())});
  }
  for (const auto& [k, v] : m.counters()) s.counters[k] = v;
  return s;
}

}  // namespace

std::string encode_admin_request(const AdminRequest& r) {
  pb::AdminRequest m;
  m.set_request_id(r.id.value());
  std::visit(
      [&](const auto& b) {
        using T = std::decay_t<decltype(b)>;
        if constexpr (std::is_same_v<T, SetFault>) {
          auto* f = m.mutable_set_fault();
          f->set_peer(b.peer.value());
          f->set_direction(direction_to_pb(b.direction));
          f->set_drop_all(b.rule.drop_all);
          f->set_drop_probability(b.rule.drop_probability);
          f->set_delay_ms(b.rule.delay_ms);
        } else if constexpr (std::is_same_v<T, ClearFault>) {
          m.mutable_clear_fault()->set_peer(b.peer.value());
          m.mutable_clear_fault()->set_direction(direction_to_pb(b.direction));
        } else if constexpr (std::is_same_v<T, ClearAllFaults>) {
          m.mutable_clear_all();
        } else if constexpr (std::is_same_v<T, StatusQuery>) {
          m.mutable_status();
        } else {
          m.mutable_stop();
        }
      },
      r.body);
  return serialize(m);
}

Result<AdminRequest> decode_admin_request(std::string_view body) {
  pb::AdminRequest m;
  if (auto s = parse(body, &m, "admin request"); !s.ok()) return s.error();
  AdminRequest r;
  r.id = RequestId(m.request_id());
  switch (m.body_case()) {
    case pb::AdminRequest::kSetFault: {
      auto d = direction_from_pb(m.set_fault().direction());
      if (!d.ok()) return d.error();
      FaultRule rule{m.set_fault().drop_all(), m.set_fault().drop_probability(), m.set_fault().delay_ms()};
      if (auto s = rule.validate(); !s.ok()) return s.error();
      r.body = SetFault{NodeId(m.set_fault().peer()), *d, rule};
      break;
    }
    case pb::AdminRequest::kClearFault: {
      auto d = direction_from_pb(m.clear_fault().direction());
      if (!d.ok()) return d.error();
      r.body = ClearFault{NodeId(m.clear_fault().peer()), *d};
      break;
    }
    case pb::AdminRequest::kClearAll:
      r.body = ClearAllFaults{};
      break;
    case pb::AdminRequest::kStatus:
      r.body = StatusQuery{};
      break;
    case pb::AdminRequest::kStop:
      r.body = StopNode{};
      break;
    case pb::AdminRequest::BODY_NOT_SET:
      return make_error(errc::bad_input, "admin request without a body");
  }
  return r;
}

std::string encode_admin_response(const AdminResponse& r) {
  pb::AdminResponse m;
  m.set_request_id(r.id.value());
  m.set_code(static_cast<uint32_t>(r.code));
  m.set_detail(r.detail);
  if (r.status) status_to_pb(*r.status, m.mutable_status());
  return serialize(m);
}

Result<AdminResponse> decode_admin_response(std::string_view body) {
  pb::AdminResponse m;
  if (auto s = parse(body, &m, "admin response"); !s.ok()) return s.error();
  auto code = errc_from_pb(m.code());
  if (!code.ok()) return code.error();
  AdminResponse r{RequestId(m.request_id()), *code, m.detail(), std::nullopt};
  if (m.has_status()) {
    auto s = status_from_pb(m.status());
    if (!s.ok()) return s.error();
    r.status = std::move(s).value();
  }
  return r;
}

}  // namespace rb::wire
