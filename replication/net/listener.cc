#include "replication/net/listener.h"

namespace rb::net {

void Reply::send(const client::Response& r) const {
  if (auto c = conn_.lock()) c->send(wire::encode_client_response_frame(cluster_id_, r));
}

void Reply::send(const wire::AdminResponse& r) const {
  if (auto c = conn_.lock())
    c->send(wire::make_frame(wire::FrameKind::admin_response, cluster_id_, wire::encode_admin_response(r)));
}

void Reply::close() const {
  if (auto c = conn_.lock()) c->close(make_error(errc::unavailable, "closed by server"));
}

bool Reply::open() const {
  auto c = conn_.lock();
  return c && c->is_open();
}

Listener::Listener(asio::io_context& io, std::string who, wire::FrameLimits limits, ListenerHandlers handlers)
    : io_(io), who_(std::move(who)), limits_(limits), handlers_(std::move(handlers)), acceptor_(io) {
  RB_ASSERT(limits_.validate().ok());
}

Listener::~Listener() { stop(); }

Status Listener::listen(const std::string& host, uint16_t port) {
  boost::system::error_code ec;
  auto addr = asio::ip::make_address(host, ec);
  if (ec) return make_error(errc::invalid_config, "bad listen address " + host + ": " + ec.message());
  tcp::endpoint ep(addr, port);
  acceptor_.open(ep.protocol(), ec);
  if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_.bind(ep, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    acceptor_.close();
    return make_error(errc::io_error, "listen on " + host + ":" + std::to_string(port) + ": " + ec.message());
  }
  port_ = acceptor_.local_endpoint().port();
  accept_next();
  return {};
}

void Listener::stop() {
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  auto conns = std::move(conns_);
  conns_.clear();
  for (auto& [_, st] : conns) st.conn->detach();
}

void Listener::accept_next() {
  acceptor_.async_accept([this, alive = std::weak_ptr<char>(alive_)](auto ec, tcp::socket socket) {
    if (alive.expired() || !acceptor_.is_open()) return;
    if (!ec) {
      ++accepted_;
      auto conn = FrameConnection::make(std::move(socket), limits_, {});
      FrameConnection* raw = conn.get();
      // The callbacks run only while conns_ holds the connection: stop() and the destructor
      // detach every connection first, so capturing `this` is safe.
      conn->set_callbacks({[this, raw](const wire::FrameHeader& h, std::string_view body) { on_frame(raw, h, body); },
                           [this, raw](const Error& why) { on_close(raw, why); }, nullptr});
      conns_[raw] = ConnState{conn, std::nullopt};
      conn->start();
    }
    accept_next();
  });
}

void Listener::on_frame(FrameConnection* c, const wire::FrameHeader& h, std::string_view body) {
  auto it = conns_.find(c);
  RB_ASSERT(it != conns_.end());
  ConnState& st = it->second;
  auto fail = [&](const Error& e) { c->close(e); };
  switch (h.kind) {
    case wire::FrameKind::hello: {
      auto hello = wire::decode_hello(body);
      if (!hello.ok()) return fail(hello.error());
      if (hello->cluster_id != limits_.cluster_id) {
        return fail(make_error(errc::bad_input, "hello from cluster " + std::to_string(hello->cluster_id)));
      }
      st.hello = *hello;
      return;
    }
    case wire::FrameKind::peer_batch: {
      if (!st.hello || st.hello->role != wire::HelloRole::peer) {
        return fail(make_error(errc::bad_input, "peer batch before a peer hello"));
      }
      auto batch = wire::decode_peer_batch(body);
      if (!batch.ok()) return fail(batch.error());
      if (handlers_.on_peer_batch) {
        handlers_.on_peer_batch(st.hello->node, std::move(batch).value(), wire::kFrameHeaderBytes + body.size());
      }
      return;
    }
    case wire::FrameKind::client_request: {
      auto req = wire::decode_client_request(body);
      if (!req.ok()) return fail(req.error());
      if (handlers_.on_client_request)
        handlers_.on_client_request(std::move(req).value(), Reply(st.conn, limits_.cluster_id));
      return;
    }
    case wire::FrameKind::admin_request: {
      auto req = wire::decode_admin_request(body);
      if (!req.ok()) return fail(req.error());
      if (handlers_.on_admin_request)
        handlers_.on_admin_request(std::move(req).value(), Reply(st.conn, limits_.cluster_id));
      return;
    }
    case wire::FrameKind::client_response:
    case wire::FrameKind::admin_response:
      return fail(make_error(errc::bad_input, std::string("unexpected ") + std::string(wire::to_string(h.kind)) +
                                                  " frame on a server connection"));
  }
}

void Listener::on_close(FrameConnection* c, const Error& why) {
  auto it = conns_.find(c);
  if (it == conns_.end()) return;
  if (why.code != errc::unavailable) {
    ++bad_input_closes_;
    log_bad_input(who_, c->remote(), why);
  }
  // The connection's own pending handler holds a reference, so erasing here is safe even when
  // we are called from inside that handler.
  conns_.erase(it);
}

}  // namespace rb::net
