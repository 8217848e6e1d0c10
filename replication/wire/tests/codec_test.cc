#include "replication/wire/codec.h"

#include <gtest/gtest.h>

#include "replication/core/prng.h"
#include "replication/wire/frame.h"

namespace rb::wire {
namespace {

Entry make_entry(int64_t off, std::optional<std::string> payload) {
  Entry e;
  e.offset = Offset(off);
  e.epoch = Epoch(7);
  e.kind = EntryKind::offset_commit;
  e.producer = ProducerId(99);
  e.sequence = off * 2;
  e.timestamp_ns = -5;
  if (payload) e.payload = make_payload(*payload);
  return e;
}

void expect_entries_eq(const Entries& a, const Entries& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].offset, b[i].offset);
    EXPECT_EQ(a[i].epoch, b[i].epoch);
    EXPECT_EQ(a[i].kind, b[i].kind);
    EXPECT_EQ(a[i].producer, b[i].producer);
    EXPECT_EQ(a[i].sequence, b[i].sequence);
    EXPECT_EQ(a[i].timestamp_ns, b[i].timestamp_ns);
    ASSERT_EQ(a[i].payload == nullptr, b[i].payload == nullptr) << i;
    if (a[i].payload) {
      EXPECT_EQ(*a[i].payload, *b[i].payload);
    }
  }
}

PeerMessage full_message() {
  PeerMessage m;
  m.from = NodeId(1);
  m.to = NodeId(2);
  m.partition = PartitionId(3);
  m.kind = 65535;
  m.epoch = Epoch(4);
  m.offset = Offset(-1);
  m.log_epoch = Epoch(5);
  m.commit = Offset(6);
  m.hint = Offset(7);
  m.hint_epoch = Epoch(8);
  m.reject = true;
  m.context = UINT64_MAX;
  m.entries = {make_entry(10, "abc"), make_entry(11, std::nullopt), make_entry(12, std::string("\0x\0", 3)),
               make_entry(13, "")};
  m.members = {NodeId(0), NodeId(2), kNoNode};
  m.values = {-1, 0, INT64_MAX};
  m.blob = std::string("\0snap\xff", 6);
  return m;
}

TEST(PeerCodec, BatchRoundTripKeepsEveryField) {
  std::vector<PeerMessage> batch{full_message(), PeerMessage{}};
  auto d = decode_peer_batch(encode_peer_batch(batch));
  ASSERT_TRUE(d.ok()) << d.error().describe();
  ASSERT_EQ(d->size(), 2u);
  const PeerMessage& a = batch[0];
  const PeerMessage& b = (*d)[0];
  EXPECT_EQ(a.from, b.from);
  EXPECT_EQ(a.to, b.to);
  EXPECT_EQ(a.partition, b.partition);
  EXPECT_EQ(a.kind, b.kind);
  EXPECT_EQ(a.epoch, b.epoch);
  EXPECT_EQ(a.offset, b.offset);
  EXPECT_EQ(a.log_epoch, b.log_epoch);
  EXPECT_EQ(a.commit, b.commit);
  EXPECT_EQ(a.hint, b.hint);
  EXPECT_EQ(a.hint_epoch, b.hint_epoch);
  EXPECT_EQ(a.reject, b.reject);
  EXPECT_EQ(a.context, b.context);
  expect_entries_eq(a.entries, b.entries);
  EXPECT_EQ(a.members, b.members);
  EXPECT_EQ(a.values, b.values);
  EXPECT_EQ(a.blob, b.blob);
  EXPECT_EQ((*d)[1].entries.size(), 0u);
  EXPECT_FALSE((*d)[1].reject);
}

TEST(PeerCodec, EmptyBatchRoundTrips) {
  auto d = decode_peer_batch(encode_peer_batch({}));
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d->empty());
}

TEST(PeerCodec, HelloRoundTripsAndRejectsUnknownRole) {
  Hello h{NodeId(4), 77, HelloRole::admin};
  auto d = decode_hello(encode_hello(h));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, h);
  EXPECT_EQ(decode_hello("").code(), errc::bad_input);  // role unset
}

// Every decoder must turn arbitrary bytes into bad_input, never crash or assert.
TEST(Codec, GarbageIsBadInputForEveryDecoder) {
  const std::string garbage(32, '\xff');
  EXPECT_EQ(decode_peer_batch(garbage).code(), errc::bad_input);
  EXPECT_EQ(decode_hello(garbage).code(), errc::bad_input);
  EXPECT_EQ(decode_client_request(garbage).code(), errc::bad_input);
  EXPECT_EQ(decode_client_response(garbage).code(), errc::bad_input);
  EXPECT_EQ(decode_admin_request(garbage).code(), errc::bad_input);
  EXPECT_EQ(decode_admin_response(garbage).code(), errc::bad_input);
}

TEST(Codec, FrameEncodersMatchMakeFrameOfTheBody) {
  // The one-buffer frame encoders must put the same bytes on the wire as header + body.
  const uint64_t cluster = 0xC1u;
  const std::vector<PeerMessage> batch = {full_message(), full_message()};
  const std::string peer = encode_peer_batch_frame(cluster, batch);
  EXPECT_EQ(peer, make_frame(FrameKind::peer_batch, cluster, encode_peer_batch(batch)));
  auto decoded = decode_frame(peer, FrameLimits{.cluster_id = cluster});
  ASSERT_TRUE(decoded.ok()) << decoded.error().describe();
  auto back = decode_peer_batch(decoded->body);
  ASSERT_TRUE(back.ok()) << back.error().describe();
  ASSERT_EQ(back->size(), 2u);
  EXPECT_EQ((*back)[1].blob, batch[1].blob);
  EXPECT_EQ(encode_peer_batch_frame(cluster, {}), make_frame(FrameKind::peer_batch, cluster, encode_peer_batch({})));

  const client::Request req =
      client::ProduceRequest{RequestId(3), PartitionId(1), AckLevel::leader, {make_entry(0, "p"), make_entry(1, {})}};
  EXPECT_EQ(encode_client_request_frame(cluster, req),
            make_frame(FrameKind::client_request, cluster, encode_client_request(req)));
  const client::Response resp = client::FetchResponse{RequestId(4), PartitionId(1),       errc::ok,  Offset(9),
                                                      Offset(0),    {make_entry(5, "x")}, NodeId(2), NodeId(2)};
  EXPECT_EQ(encode_client_response_frame(cluster, resp),
            make_frame(FrameKind::client_response, cluster, encode_client_response(resp)));
}

TEST(Codec, TruncatedBodyIsBadInput) {
  const std::string body = encode_peer_batch({full_message()});
  // Cutting inside the length-delimited message leaves a field shorter than its length.
  for (size_t cut : {size_t{1}, body.size() / 2, body.size() - 1}) {
    EXPECT_EQ(decode_peer_batch(body.substr(0, cut)).code(), errc::bad_input) << cut;
  }
  client::ProduceRequest p{RequestId(1), PartitionId(0), AckLevel::all, {make_entry(0, "payload")}};
  const std::string req = encode_client_request(p);
  EXPECT_EQ(decode_client_request(req.substr(0, req.size() - 2)).code(), errc::bad_input);
}

TEST(Codec, RandomBytesNeverCrashTheDecoders) {
  const uint64_t seed = 12345;
  SCOPED_TRACE("seed=" + std::to_string(seed));
  Prng prng(seed);
  int rejected = 0;
  for (int i = 0; i < 2000; ++i) {
    std::string bytes(prng.below(64), '\0');
    for (auto& c : bytes) c = static_cast<char>(prng.below(256));
    rejected += !decode_peer_batch(bytes).ok();
    rejected += !decode_client_request(bytes).ok();
    rejected += !decode_admin_request(bytes).ok();
  }
  EXPECT_GT(rejected, 3000);  // almost all random inputs are malformed
}

TEST(Codec, OutOfRangeEnumsAreBadInput) {
  PeerMessage m = full_message();
  m.entries[0].kind = static_cast<EntryKind>(9);
  EXPECT_EQ(decode_peer_batch(encode_peer_batch({m})).code(), errc::bad_input);

  client::ProduceRequest p{RequestId(1), PartitionId(0), static_cast<AckLevel>(7), {}};
  EXPECT_EQ(decode_client_request(encode_client_request(p)).code(), errc::bad_input);

  client::ProduceResponse r;
  r.code = static_cast<errc>(200);
  EXPECT_EQ(decode_client_response(encode_client_response(r)).code(), errc::bad_input);

  AdminRequest a{RequestId(1), SetFault{NodeId(1), Direction::inbound, FaultRule{false, 1.5, 0}}};
  EXPECT_EQ(decode_admin_request(encode_admin_request(a)).code(), errc::bad_input);
}

TEST(Codec, EnvelopeWithoutBodyIsBadInput) {
  EXPECT_EQ(decode_client_request("").code(), errc::bad_input);
  EXPECT_EQ(decode_client_response("").code(), errc::bad_input);
  EXPECT_EQ(decode_admin_request("").code(), errc::bad_input);
}

}  // namespace
}  // namespace rb::wire
