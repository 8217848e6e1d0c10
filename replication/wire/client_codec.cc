// Client protocol envelopes (client.proto) <-> broker/client_protocol.h.
#include "client.pb.h"
#include "replication/wire/codec.h"
#include "replication/wire/entry_codec.h"

namespace rb::wire {

using namespace detail;

namespace {

Result<AckLevel> acks_from_pb(uint32_t v) {
  if (v > static_cast<uint32_t>(AckLevel::all))
    return make_error(errc::bad_input, "unknown ack level " + std::to_string(v));
  return static_cast<AckLevel>(v);
}

}  // namespace

RequestId request_id(const client::Request& r) {
  return std::visit([](const auto& x) { return x.id; }, r);
}
RequestId request_id(const client::Response& r) {
  return std::visit([](const auto& x) { return x.id; }, r);
}

namespace {

void build_client_request(const client::Request& r, pb::ClientRequest& m) {
  m.set_request_id(request_id(r).value());
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, client::ProduceRequest>) {
          auto* b = m.mutable_produce();
          b->set_partition(x.partition.value());
          b->set_acks(static_cast<uint32_t>(x.acks));
          entries_to_pb(x.records, b->mutable_records());
        } else if constexpr (std::is_same_v<T, client::FetchRequest>) {
          auto* b = m.mutable_fetch();
          b->set_partition(x.partition.value());
          b->set_offset(x.offset.value());
          b->set_max_bytes(x.max_bytes);
          b->set_max_wait_ms(x.max_wait_ms);
        } else if constexpr (std::is_same_v<T, client::MetadataRequest>) {
          m.mutable_metadata();
        } else if constexpr (std::is_same_v<T, client::OffsetCommitRequest>) {
          auto* b = m.mutable_offset_commit();
          b->set_group(x.group);
          b->set_partition(x.partition.value());
          b->set_offset(x.offset.value());
        } else {
          auto* b = m.mutable_offset_fetch();
          b->set_group(x.group);
          b->set_partition(x.partition.value());
        }
      },
      r);
}

}  // namespace

std::string encode_client_request(const client::Request& r) {
  return encode_on_arena<pb::ClientRequest>([&](auto& m) { build_client_request(r, m); }, std::nullopt);
}

std::string encode_client_request_frame(uint64_t cluster_id, const client::Request& r) {
  return encode_on_arena<pb::ClientRequest>([&](auto& m) { build_client_request(r, m); },
                                            FrameTarget{FrameKind::client_request, cluster_id});
}

Result<client::Request> decode_client_request(std::string_view body) {
  ArenaMessage<pb::ClientRequest> on_arena;
  auto& m = on_arena.get();
  if (auto s = parse(body, &m, "client request"); !s.ok()) return s.error();
  const RequestId id(m.request_id());
  switch (m.body_case()) {
    case pb::ClientRequest::kProduce: {
      const auto& b = m.produce();
      auto acks = acks_from_pb(b.acks());
      if (!acks.ok()) return acks.error();
      auto records = entries_from_pb(b.records());
      if (!records.ok()) return records.error();
      return client::Request{client::ProduceRequest{id, PartitionId(b.partition()), *acks, std::move(records).value()}};
    }
    case pb::ClientRequest::kFetch: {
      const auto& b = m.fetch();
      return client::Request{
          client::FetchRequest{id, PartitionId(b.partition()), Offset(b.offset()), b.max_bytes(), b.max_wait_ms()}};
    }
    case pb::ClientRequest::kMetadata:
      return client::Request{client::MetadataRequest{id}};
    case pb::ClientRequest::kOffsetCommit: {
      const auto& b = m.offset_commit();
      return client::Request{
          client::OffsetCommitRequest{id, b.group(), PartitionId(b.partition()), Offset(b.offset())}};
    }
    case pb::ClientRequest::kOffsetFetch: {
      const auto& b = m.offset_fetch();
      return client::Request{client::OffsetFetchRequest{id, b.group(), PartitionId(b.partition())}};
    }
    case pb::ClientRequest::BODY_NOT_SET:
      break;
  }
  return make_error(errc::bad_input, "client request without a body");
}

namespace {

void build_client_response(const client::Response& r, pb::ClientResponse& m) {
  m.set_request_id(request_id(r).value());
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, client::ProduceResponse>) {
          auto* b = m.mutable_produce();
          b->set_partition(x.partition.value());
          b->set_code(static_cast<uint32_t>(x.code));
          b->set_base_offset(x.base_offset.value());
          b->set_epoch(x.epoch.value());
          b->set_node(x.node.value());
          b->set_leader_hint(x.leader_hint.value());
          b->set_detail(x.detail);
        } else if constexpr (std::is_same_v<T, client::FetchResponse>) {
          auto* b = m.mutable_fetch();
          b->set_partition(x.partition.value());
          b->set_code(static_cast<uint32_t>(x.code));
          b->set_high_watermark(x.high_watermark.value());
          b->set_log_start(x.log_start.value());
          entries_to_pb(x.records, b->mutable_records());
          b->set_node(x.node.value());
          b->set_leader_hint(x.leader_hint.value());
        } else if constexpr (std::is_same_v<T, client::MetadataResponse>) {
          auto* b = m.mutable_metadata();
          for (const auto& n : x.nodes) {
            auto* nb = b->add_nodes();
            nb->set_id(n.id.value());
            nb->set_host(n.host);
            nb->set_port(n.port);
          }
          for (const auto& p : x.partitions) {
            auto* pbp = b->add_partitions();
            pbp->set_partition(p.partition.value());
            pbp->set_leader(p.leader.value());
            pbp->set_epoch(p.epoch.value());
            nodes_to_pb(p.replicas, pbp->mutable_replicas());
          }
        } else if constexpr (std::is_same_v<T, client::OffsetCommitResponse>) {
          auto* b = m.mutable_offset_commit();
          b->set_code(static_cast<uint32_t>(x.code));
          b->set_leader_hint(x.leader_hint.value());
        } else {
          auto* b = m.mutable_offset_fetch();
          b->set_code(static_cast<uint32_t>(x.code));
          b->set_offset(x.offset.value());
          b->set_leader_hint(x.leader_hint.value());
        }
      },
      r);
}

}  // namespace

std::string encode_client_response(const client::Response& r) {
  return encode_on_arena<pb::ClientResponse>([&](auto& m) { build_client_response(r, m); }, std::nullopt);
}

std::string encode_client_response_frame(uint64_t cluster_id, const client::Response& r) {
  return encode_on_arena<pb::ClientResponse>([&](auto& m) { build_client_response(r, m); },
                                             FrameTarget{FrameKind::client_response, cluster_id});
}

Result<client::Response> decode_client_response(std::string_view body) {
  ArenaMessage<pb::ClientResponse> on_arena;
  auto& m = on_arena.get();
  if (auto s = parse(body, &m, "client response"); !s.ok()) return s.error();
  const RequestId id(m.request_id());
  switch (m.body_case()) {
    case pb::ClientResponse::kProduce: {
      const auto& b = m.produce();
      auto code = errc_from_pb(b.code());
      if (!code.ok()) return code.error();
      return client::Response{client::ProduceResponse{id, PartitionId(b.partition()), *code, Offset(b.base_offset()),
                                                      Epoch(b.epoch()), NodeId(b.node()), NodeId(b.leader_hint()),
                                                      b.detail()}};
    }
    case pb::ClientResponse::kFetch: {
      const auto& b = m.fetch();
      auto code = errc_from_pb(b.code());
      if (!code.ok()) return code.error();
      auto records = entries_from_pb(b.records());
      if (!records.ok()) return records.error();
      return client::Response{client::FetchResponse{id, PartitionId(b.partition()), *code, Offset(b.high_watermark()),
                                                    Offset(b.log_start()), std::move(records).value(), NodeId(b.node()),
                                                    NodeId(b.leader_hint())}};
    }
    case pb::ClientResponse::kMetadata: {
      client::MetadataResponse r{id, {}, {}};
      for (const auto& n : m.metadata().nodes()) {
        if (n.port() > UINT16_MAX) return make_error(errc::bad_input, "port above 65535");
        r.nodes.push_back(client::NodeInfo{NodeId(n.id()), n.host(), static_cast<uint16_t>(n.port())});
      }
      for (const auto& p : m.metadata().partitions()) {
        r.partitions.push_back(client::PartitionInfo{PartitionId(p.partition()), NodeId(p.leader()), Epoch(p.epoch()),
                                                     nodes_from_pb(p.replicas())});
      }
      return client::Response{std::move(r)};
    }
    case pb::ClientResponse::kOffsetCommit: {
      auto code = errc_from_pb(m.offset_commit().code());
      if (!code.ok()) return code.error();
      return client::Response{client::OffsetCommitResponse{id, *code, NodeId(m.offset_commit().leader_hint())}};
    }
    case pb::ClientResponse::kOffsetFetch: {
      const auto& b = m.offset_fetch();
      auto code = errc_from_pb(b.code());
      if (!code.ok()) return code.error();
      return client::Response{client::OffsetFetchResponse{id, *code, Offset(b.offset()), NodeId(b.leader_hint())}};
    }
    case pb::ClientResponse::BODY_NOT_SET:
      break;
  }
  return make_error(errc::bad_input, "client response without a body");
}

}  // namespace rb::wire
