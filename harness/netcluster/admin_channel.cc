#include "harness/netcluster/admin_channel.h"

#include "replication/wire/codec.h"

namespace rb::netcluster {

namespace asio = net::asio;
using net::tcp;

AdminChannel::AdminChannel(uint64_t cluster_id, std::string host, uint16_t port)
    : cluster_id_(cluster_id), host_(std::move(host)), port_(port) {}

AdminChannel::~AdminChannel() { reset(); }

void AdminChannel::reset() {
  if (conn_) conn_->detach();
  conn_.reset();
  closed_ = true;
  io_.restart();
  io_.poll();  // let the detached connection's handlers finish
}

void AdminChannel::set_address(std::string host, uint16_t port) {
  host_ = std::move(host);
  port_ = port;
  reset();
}

Status AdminChannel::connect(std::chrono::steady_clock::time_point deadline) {
  boost::system::error_code addr_ec;
  auto addr = asio::ip::make_address(host_, addr_ec);
  if (addr_ec) return make_error(errc::invalid_config, "bad node address '" + host_ + "'");
  tcp::socket socket(io_);
  bool done = false;
  boost::system::error_code result;
  socket.async_connect(tcp::endpoint(addr, port_), [&](const boost::system::error_code& ec) {
    done = true;
    result = ec;
  });
  io_.restart();
  while (!done && std::chrono::steady_clock::now() < deadline) io_.run_one_until(deadline);
  if (!done) {
    socket.close();
    io_.restart();
    io_.poll();
    return make_error(errc::timeout, "connect to " + host_ + ":" + std::to_string(port_) + " timed out");
  }
  if (result)
    return make_error(errc::unavailable, "connect to " + host_ + ":" + std::to_string(port_) + ": " + result.message());
  socket.set_option(tcp::no_delay(true));
  net::FrameConnection::Callbacks cb;
  cb.on_frame = [this](const wire::FrameHeader& h, std::string_view body) {
    if (h.kind != wire::FrameKind::admin_response) return;
    auto r = wire::decode_admin_response(body);
    if (r.ok() && r->id.value() == want_id_) answer_ = std::move(r.value());
  };
  cb.on_close = [this](const Error&) { closed_ = true; };
  conn_ =
      net::FrameConnection::make(std::move(socket), wire::FrameLimits{cluster_id_, wire::kDefaultMaxFrameBytes}, cb);
  conn_->start();
  closed_ = false;
  return {};
}

Result<wire::AdminResponse> AdminChannel::call(const wire::AdminBody& body, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  if (closed_ || !conn_) {
    reset();
    if (auto s = connect(deadline); !s.ok()) return s.error();
  }
  want_id_ = next_id_++;
  answer_.reset();
  conn_->send(wire::make_frame(wire::FrameKind::admin_request, cluster_id_,
                               wire::encode_admin_request(wire::AdminRequest{RequestId{want_id_}, body})));
  io_.restart();
  while (!answer_ && !closed_ && std::chrono::steady_clock::now() < deadline) io_.run_one_until(deadline);
  if (answer_) {
    auto r = std::move(*answer_);
    answer_.reset();
    return r;
  }
  bool lost = closed_;
  reset();  // a late answer must not be taken for the next call's
  if (lost)
    return make_error(errc::unavailable, "admin connection to " + host_ + ":" + std::to_string(port_) + " lost");
  return make_error(errc::timeout, "no admin answer from " + host_ + ":" + std::to_string(port_) + " in " +
                                       std::to_string(timeout.count()) + " ms");
}

Result<wire::NodeStatus> AdminChannel::status(std::chrono::milliseconds timeout) {
  auto r = call(wire::StatusQuery{}, timeout);
  if (!r.ok()) return r.error();
  if (r->code != errc::ok) return make_error(r->code, r->detail);
  if (!r->status) return make_error(errc::bad_input, "status answer without a status");
  return std::move(*r->status);
}

}  // namespace rb::netcluster
