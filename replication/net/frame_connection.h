#pragma once
// One TCP connection carrying frames (wire/frame.h) in both directions, on a single-threaded
// io_context. Used by the listener (inbound peers, clients, admin), by PeerLink (outbound to a
// peer) and by the client library.
//
// Reading: whatever the socket has (up to 64 KiB, or the rest of a larger frame) goes into one
// buffer, and every whole frame in it goes to on_frame, so many small frames cost one read. A
// frame's header is validated as soon as it is in the buffer, before its body is waited for, so
// a garbage, oversize, foreign-cluster or unknown-kind frame closes the connection without
// room being made for its body. Writing: frames queue in order; one async_write at a time sends
// every frame queued so far (one gather write); on_drained fires when the queue becomes empty.
//
// Closing: close(err) (or any read/write failure) closes the socket and calls on_close exactly
// once. A peer that closes at a frame boundary gives errc::unavailable ("closed by peer"); one
// that disconnects mid-frame gives errc::bad_input. detach() drops the callbacks first (the owner
// is going away) and closes without calling anything.
// <utility> first: Boost 1.74's asio/awaitable.hpp uses std::exchange without including it.
#include <utility>
// clang-format off
#include <boost/asio.hpp>
// clang-format on
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "replication/core/result.h"
#include "replication/wire/frame.h"

namespace rb::net {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

class FrameConnection : public std::enable_shared_from_this<FrameConnection> {
 public:
  struct Callbacks {
    // `body` is valid only during the call. The callback may call close() or send().
    std::function<void(const wire::FrameHeader&, std::string_view body)> on_frame;
    std::function<void(const Error& why)> on_close;
    std::function<void()> on_drained;  // optional
  };

  static std::shared_ptr<FrameConnection> make(tcp::socket socket, wire::FrameLimits limits, Callbacks cb);

  // Begins reading frames. Call once, after construction (and set_callbacks, if used).
  void start();
  // Replaces the callbacks; for owners that need the connection's address inside them.
  void set_callbacks(Callbacks cb) { cb_ = std::move(cb); }
  // Queues a whole frame (header + body, e.g. from wire::make_frame). Ignored once closed.
  void send(std::string frame);
  void close(const Error& why);
  void detach();

  bool is_open() const { return open_; }
  bool writing() const { return !out_.empty(); }
  uint64_t bytes_read() const { return bytes_read_; }
  uint64_t bytes_written() const { return bytes_written_; }
  uint64_t frames_read() const { return frames_read_; }
  uint64_t frames_written() const { return frames_written_; }
  // "address:port" of the other end, captured when the connection was made.
  const std::string& remote() const { return remote_; }

 private:
  FrameConnection(tcp::socket socket, wire::FrameLimits limits, Callbacks cb);
  void read_more();
  // Hands every whole frame in in_ to on_frame; false if the connection closed meanwhile.
  bool deliver_frames();
  void write_next();
  void fail_read(const boost::system::error_code& ec, size_t got, bool mid_frame);

  tcp::socket socket_;
  wire::FrameLimits limits_;
  Callbacks cb_;
  std::string remote_;
  bool open_ = true;
  std::vector<uint8_t> in_;  // received bytes; [in_begin_, in_end_) not yet consumed
  size_t in_begin_ = 0, in_end_ = 0;
  std::deque<std::string> out_;
  size_t writing_ = 0;  // frames at the front of out_ in the current async_write
  uint64_t bytes_read_ = 0;
  uint64_t bytes_written_ = 0;
  uint64_t frames_read_ = 0;
  uint64_t frames_written_ = 0;
};

// One stderr line for a connection closed on bad input: who we are, who they were, why.
void log_bad_input(std::string_view who, std::string_view remote, const Error& why);

}  // namespace rb::net
