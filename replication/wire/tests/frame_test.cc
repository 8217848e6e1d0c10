#include "replication/wire/frame.h"

#include <gtest/gtest.h>

namespace rb::wire {
namespace {

constexpr uint64_t kCluster = 42;
const FrameLimits kLimits{kCluster, 4096};

Result<DecodedFrame> decode(const std::string& bytes) { return decode_frame(bytes, kLimits); }

TEST(Frame, RoundTripsEveryKind) {
  for (auto kind : {FrameKind::hello, FrameKind::peer_batch, FrameKind::client_request, FrameKind::client_response,
                    FrameKind::admin_request, FrameKind::admin_response}) {
    const std::string frame = make_frame(kind, kCluster, "body bytes");
    ASSERT_EQ(frame.size(), kFrameHeaderBytes + 10);
    auto d = decode(frame);
    ASSERT_TRUE(d.ok()) << d.error().describe();
    EXPECT_EQ(d->header.kind, kind);
    EXPECT_EQ(d->header.cluster_id, kCluster);
    EXPECT_EQ(d->header.length, 10u);
    EXPECT_EQ(d->body, "body bytes");
  }
}

TEST(Frame, EmptyBodyIsValid) {
  auto d = decode(make_frame(FrameKind::hello, kCluster, ""));
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d->body.empty());
}

TEST(Frame, GarbageIsBadInput) {
  std::string garbage(64, '\x5a');
  EXPECT_EQ(decode(garbage).code(), errc::bad_input);
}

TEST(Frame, WrongVersionIsBadInput) {
  std::string frame = make_frame(FrameKind::hello, kCluster, "x");
  frame[4] = 9;
  EXPECT_EQ(decode(frame).code(), errc::bad_input);
}

TEST(Frame, TruncatedHeaderAndBodyAreBadInput) {
  const std::string frame = make_frame(FrameKind::peer_batch, kCluster, "0123456789");
  EXPECT_EQ(decode(frame.substr(0, 7)).code(), errc::bad_input);
  EXPECT_EQ(decode(frame.substr(0, kFrameHeaderBytes + 3)).code(), errc::bad_input);
  EXPECT_EQ(decode(frame + "x").code(), errc::bad_input);  // trailing bytes
}

TEST(Frame, OversizeIsTooLargeBeforeTheBodyArrives) {
  const std::string frame = make_frame(FrameKind::peer_batch, kCluster, std::string(4097, 'a'));
  auto h = decode_header({reinterpret_cast<const uint8_t*>(frame.data()), kFrameHeaderBytes}, kLimits);
  EXPECT_EQ(h.code(), errc::too_large);
  auto at_limit = make_frame(FrameKind::peer_batch, kCluster, std::string(4096, 'a'));
  EXPECT_TRUE(decode(at_limit).ok());
}

TEST(Frame, UnknownKindIsBadInput) {
  for (uint16_t kind : {0, 7, 0xffff}) {
    std::string frame = make_frame(FrameKind::hello, kCluster, "x");
    frame[6] = static_cast<char>(kind & 0xff);
    frame[7] = static_cast<char>(kind >> 8);
    auto d = decode(frame);
    EXPECT_EQ(d.code(), errc::bad_input) << kind;
  }
}

TEST(Frame, WrongClusterIdIsRejected) {
  auto d = decode(make_frame(FrameKind::hello, kCluster + 1, "x"));
  ASSERT_EQ(d.code(), errc::bad_input);
  EXPECT_NE(d.error().message.find("cluster"), std::string::npos);
}

TEST(Frame, HeaderIsLittleEndian) {
  const std::string frame = make_frame(FrameKind::client_request, 0x0102030405060708ULL, "abc");
  EXPECT_EQ(frame.substr(0, 4), "RBWF");
  EXPECT_EQ(static_cast<uint8_t>(frame[6]), 3);
  EXPECT_EQ(static_cast<uint8_t>(frame[8]), 0x08);
  EXPECT_EQ(static_cast<uint8_t>(frame[15]), 0x01);
  EXPECT_EQ(static_cast<uint8_t>(frame[16]), 3);
}

TEST(Frame, LimitsValidate) {
  EXPECT_TRUE(FrameLimits{}.validate().ok());
  EXPECT_EQ(FrameLimits{}.max_frame_bytes, 16u * 1024 * 1024);
  EXPECT_EQ((FrameLimits{1, 10}.validate().code()), errc::invalid_config);
}

}  // namespace
}  // namespace rb::wire
