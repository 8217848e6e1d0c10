#include "replication/net/frame_connection.h"

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

void FrameConnection::start() { read_header(); }

void FrameConnection::read_header() {
  if (!open_) return;
  asio::async_read(socket_, asio::buffer(header_), [self = shared_from_this()](auto ec, size_t got) {
    if (!self->open_) return;
    if (ec) return self->fail_read(ec, got, got > 0);
    self->bytes_read_ += got;
    auto h = wire::decode_header(self->header_, self->limits_);
    if (!h.ok()) return self->close(h.error());
    self->read_body(*h);
  });
}

void FrameConnection::read_body(const wire::FrameHeader& h) {
  body_.resize(h.length);
  asio::async_read(socket_, asio::buffer(body_), [self = shared_from_this(), h](auto ec, size_t got) {
    if (!self->open_) return;
    if (ec) return self->fail_read(ec, got, true);
    self->bytes_read_ += got;
    ++self->frames_read_;
    if (self->cb_.on_frame) self->cb_.on_frame(h, self->body_);
    self->read_header();
  });
}

void FrameConnection::fail_read(const boost::system::error_code& ec, size_t got, bool mid_frame) {
  bytes_read_ += got;
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
  asio::async_write(socket_, asio::buffer(out_.front()), [self = shared_from_this()](auto ec, size_t n) {
    if (!self->open_) return;
    if (ec) return self->close(make_error(errc::unavailable, "write failed: " + ec.message()));
    self->bytes_written_ += n;
    ++self->frames_written_;
    self->out_.pop_front();
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
