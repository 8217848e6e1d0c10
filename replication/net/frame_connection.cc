#include "replication/net/frame_connection.h"

#include <algorithm>
#include <cstdio>

namespace rb::net {

std::shared_ptr<FrameConnection> FrameConnection::make(tcp::socket socket, wire::FrameLimits limits, Callbacks cb) {
  return std::shared_ptr<FrameConnection>(new FrameConnection(std::move(socket), limits, std::move(cb)));
}

FrameConnection::FrameConnection(tcp::socket socket, wire::FrameLimits limits, Callbacks cb)
    : socket_(std::move(socket)), limits_(limits), cb_(std::move(cb)) {
  boost::system::error_code ec;
  auto ep = socket_.remote_endpoint(ec);
  remote_ = ec ? std::string("?") : ep.address().to_string() + ":" + std::to_string(ep.port());
  socket_.set_option(tcp::no_delay(true), ec);  // frames are already batched; do not add Nagle delay
}

void FrameConnection::start() { read_more(); }

namespace {
constexpr size_t kReadChunk = 64 * 1024;
}  // namespace

void FrameConnection::read_more() {
  if (!open_) return;
  // Keep the unconsumed bytes at the front, then make room for at least one chunk (or for the
  // rest of a frame whose validated header says it is larger).
  if (in_begin_ > 0) {
    std::copy(in_.begin() + static_cast<std::ptrdiff_t>(in_begin_), in_.begin() + static_cast<std::ptrdiff_t>(in_end_),
              in_.begin());
    in_end_ -= in_begin_;
    in_begin_ = 0;
  }
  size_t want = kReadChunk;
  if (in_end_ >= wire::kFrameHeaderBytes) {
    auto h = wire::decode_header({in_.data(), wire::kFrameHeaderBytes}, limits_);
    if (h.ok()) want = std::max(want, wire::kFrameHeaderBytes + h->length - in_end_);
  }
  if (in_.size() < in_end_ + want) in_.resize(in_end_ + want);
  socket_.async_read_some(asio::buffer(in_.data() + in_end_, in_.size() - in_end_),
                          [self = shared_from_this()](auto ec, size_t got) {
                            if (!self->open_) return;
                            self->in_end_ += got;
                            self->bytes_read_ += got;
                            if (ec) return self->fail_read(ec, 0, self->in_end_ > self->in_begin_);
                            if (!self->deliver_frames()) return;
                            self->read_more();
                          });
}

bool FrameConnection::deliver_frames() {
  while (open_ && in_end_ - in_begin_ >= wire::kFrameHeaderBytes) {
    auto h = wire::decode_header({in_.data() + in_begin_, wire::kFrameHeaderBytes}, limits_);
    if (!h.ok()) {
      close(h.error());
      return false;
    }
    size_t whole = wire::kFrameHeaderBytes + h->length;
    if (in_end_ - in_begin_ < whole) break;  // the body is still on its way
    std::string_view body(reinterpret_cast<const char*>(in_.data()) + in_begin_ + wire::kFrameHeaderBytes, h->length);
    in_begin_ += whole;
    ++frames_read_;
    if (cb_.on_frame) cb_.on_frame(*h, body);
  }
  if (in_begin_ == in_end_) in_begin_ = in_end_ = 0;
  return open_;
}

void FrameConnection::fail_read(const boost::system::error_code& ec, size_t got, bool mid_frame) {
  bytes_read_ += got;
  if (mid_frame && !deliver_frames()) return;  // whole frames that arrived before the error still count
  mid_frame = in_end_ > in_begin_;
  if (mid_frame) {
    close(make_error(errc::bad_input, "disconnected mid-frame (" + ec.message() + ")"));
  } else if (ec == asio::error::eof) {
    close(make_error(errc::unavailable, "closed by peer"));
  } else {
    close(make_error(errc::unavailable, ec.message()));
  }
}

void FrameConnection::send(std::string frame) {
  if (!open_) return;
  out_.push_back(std::move(frame));
  if (out_.size() == 1) write_next();
}

void FrameConnection::write_next() {
  // Everything queued so far goes out in one gather write.
  std::vector<asio::const_buffer> bufs;
  bufs.reserve(out_.size());
  for (const auto& f : out_) bufs.emplace_back(asio::buffer(f));
  writing_ = out_.size();
  asio::async_write(socket_, bufs, [self = shared_from_this()](auto ec, size_t n) {
    if (!self->open_) return;
    if (ec) return self->close(make_error(errc::unavailable, "write failed: " + ec.message()));
    self->bytes_written_ += n;
    self->frames_written_ += self->writing_;
    self->out_.erase(self->out_.begin(), self->out_.begin() + static_cast<std::ptrdiff_t>(self->writing_));
    self->writing_ = 0;
    if (!self->out_.empty()) return self->write_next();
    if (self->cb_.on_drained) self->cb_.on_drained();
  });
}

void FrameConnection::close(const Error& why) {
  if (!open_) return;
  open_ = false;
  boost::system::error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
  out_.clear();
  writing_ = 0;
  // on_frame / on_drained stay (we may be inside one) but are never called again: open_ is false.
  auto on_close = std::move(cb_.on_close);
  cb_.on_close = nullptr;
  if (on_close) on_close(why);
}

void FrameConnection::detach() {
  cb_.on_close = nullptr;
  close(make_error(errc::unavailable, "detached"));
}

void log_bad_input(std::string_view who, std::string_view remote, const Error& why) {
  std::fprintf(stderr, "replbench net: %.*s peer=%.*s closing connection: %s\n", static_cast<int>(who.size()),
               who.data(), static_cast<int>(remote.size()), remote.data(), why.describe().c_str());
}

}  // namespace rb::net
