// Round trips of every client protocol struct and every admin RPC through the codec.
#include <gtest/gtest.h>

#include "replication/wire/codec.h"

namespace rb::wire {
namespace {

template <class T>
T round_trip_request(const T& in) {
  auto d = decode_client_request(encode_client_request(client::Request{in}));
  EXPECT_TRUE(d.ok()) << d.error().describe();
  EXPECT_TRUE(std::holds_alternative<T>(*d));
  return std::get<T>(*d);
}

template <class T>
T round_trip_response(const T& in) {
  auto d = decode_client_response(encode_client_response(client::Response{in}));
  EXPECT_TRUE(d.ok()) << d.error().describe();
  EXPECT_TRUE(std::holds_alternative<T>(*d));
  return std::get<T>(*d);
}

TEST(ClientCodec, ProduceRoundTrip) {
  Entry e;
  e.producer = ProducerId(5);
  e.sequence = 17;
  e.timestamp_ns = 123456789;
  e.payload = make_payload("hello");
  auto req = round_trip_request(client::ProduceRequest{RequestId(9), PartitionId(3), AckLevel::leader, {e, e}});
  EXPECT_EQ(req.id, RequestId(9));
  EXPECT_EQ(req.partition, PartitionId(3));
  EXPECT_EQ(req.acks, AckLevel::leader);
  ASSERT_EQ(req.records.size(), 2u);
  EXPECT_EQ(req.records[1].producer, ProducerId(5));
  EXPECT_EQ(req.records[1].sequence, 17);
  EXPECT_EQ(req.records[1].timestamp_ns, 123456789);
  EXPECT_EQ(*req.records[1].payload, "hello");

  auto resp = round_trip_response(client::ProduceResponse{RequestId(9), PartitionId(3), errc::not_leader, Offset(-1),
                                                          Epoch(4), NodeId(1), NodeId(2), "ask node 2"});
  EXPECT_EQ(resp.id, RequestId(9));
  EXPECT_EQ(resp.code, errc::not_leader);
  EXPECT_EQ(resp.base_offset, Offset(-1));
  EXPECT_EQ(resp.epoch, Epoch(4));
  EXPECT_EQ(resp.node, NodeId(1));
  EXPECT_EQ(resp.leader_hint, NodeId(2));
  EXPECT_EQ(resp.detail, "ask node 2");
}

TEST(ClientCodec, FetchRoundTrip) {
  auto req = round_trip_request(client::FetchRequest{RequestId(1), PartitionId(2), Offset(30), 4096, 7});
  EXPECT_EQ(req.offset, Offset(30));
  EXPECT_EQ(req.max_bytes, 4096u);
  EXPECT_EQ(req.max_wait_ms, 7u);
  Entry e;
  e.offset = Offset(30);
  e.payload = make_payload("x");
  auto resp = round_trip_response(
      client::FetchResponse{RequestId(1), PartitionId(2), errc::ok, Offset(40), Offset(3), {e}, NodeId(0), kNoNode});
  EXPECT_EQ(resp.high_watermark, Offset(40));
  EXPECT_EQ(resp.log_start, Offset(3));
  ASSERT_EQ(resp.records.size(), 1u);
  EXPECT_EQ(resp.records[0].offset, Offset(30));
  EXPECT_EQ(resp.leader_hint, kNoNode);
}

TEST(ClientCodec, MetadataRoundTrip) {
  EXPECT_EQ(round_trip_request(client::MetadataRequest{RequestId(77)}).id, RequestId(77));
  client::MetadataResponse in{RequestId(77),
                              {{NodeId(0), "127.0.0.1", 9000}, {NodeId(1), "host-b", 65535}},
                              {{PartitionId(0), NodeId(1), Epoch(3), {NodeId(1), NodeId(0)}}}};
  auto out = round_trip_response(in);
  ASSERT_EQ(out.nodes.size(), 2u);
  EXPECT_EQ(out.nodes[1].host, "host-b");
  EXPECT_EQ(out.nodes[1].port, 65535);
  ASSERT_EQ(out.partitions.size(), 1u);
  EXPECT_EQ(out.partitions[0].leader, NodeId(1));
  EXPECT_EQ(out.partitions[0].epoch, Epoch(3));
  EXPECT_EQ(out.partitions[0].replicas, (std::vector<NodeId>{NodeId(1), NodeId(0)}));
}

TEST(ClientCodec, ConsumerOffsetsRoundTrip) {
  auto c = round_trip_request(client::OffsetCommitRequest{RequestId(2), "group-a", PartitionId(1), Offset(55)});
  EXPECT_EQ(c.group, "group-a");
  EXPECT_EQ(c.offset, Offset(55));
  auto cr = round_trip_response(client::OffsetCommitResponse{RequestId(2), errc::timeout, NodeId(3)});
  EXPECT_EQ(cr.code, errc::timeout);
  EXPECT_EQ(cr.leader_hint, NodeId(3));
  auto f = round_trip_request(client::OffsetFetchRequest{RequestId(3), "g", PartitionId(4)});
  EXPECT_EQ(f.partition, PartitionId(4));
  auto fr = round_trip_response(client::OffsetFetchResponse{RequestId(3), errc::ok, Offset(-1), kNoNode});
  EXPECT_EQ(fr.offset, Offset(-1));
}

TEST(AdminCodec, RequestsRoundTrip) {
  std::vector<AdminBody> bodies{SetFault{NodeId(2), Direction::inbound, FaultRule{true, 0.25, 30}},
                                ClearFault{NodeId(1), Direction::outbound}, ClearAllFaults{}, StatusQuery{},
                                StopNode{}};
  for (const auto& body : bodies) {
    auto d = decode_admin_request(encode_admin_request(AdminRequest{RequestId(5), body}));
    ASSERT_TRUE(d.ok()) << d.error().describe();
    EXPECT_EQ(d->id, RequestId(5));
    EXPECT_EQ(d->body, body);
  }
}

TEST(AdminCodec, StatusResponseRoundTrip) {
  NodeStatus s;
  s.node = NodeId(2);
  s.peers.push_back(PeerStats{NodeId(1), 100, 200, 3, 4, 5, 6, 7, 8, 9, true, 10, 11, 12, 13});
  PartitionStatus p;
  p.partition = PartitionId(0);
  p.role = Role::leader;
  p.leader = NodeId(2);
  p.epoch = Epoch(3);
  p.commit = Offset(10);
  p.log_end = Offset(12);
  p.members = {NodeId(0), NodeId(1), NodeId(2)};
  p.in_sync = {NodeId(2)};
  s.partitions.push_back(p);
  s.counters["elections"] = 4;
  auto d = decode_admin_response(encode_admin_response(AdminResponse{RequestId(8), errc::ok, "", s}));
  ASSERT_TRUE(d.ok()) << d.error().describe();
  ASSERT_TRUE(d->status.has_value());
  EXPECT_EQ(*d->status, s);

  auto e = decode_admin_response(encode_admin_response(AdminResponse{RequestId(9), errc::unsupported, "no", {}}));
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->code, errc::unsupported);
  EXPECT_EQ(e->detail, "no");
  EXPECT_FALSE(e->status.has_value());
}

}  // namespace
}  // namespace rb::wire
