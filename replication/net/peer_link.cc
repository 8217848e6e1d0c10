#include "replication/net/peer_link.h"

#include <algorithm>

#include "replication/wire/codec.h"

namespace rb::net {

PeerLink::PeerLink(asio::io_context& io, const TransportConfig& cfg, NodeId peer, std::string host, uint16_t port)
    : io_(io),
      cfg_(cfg),
      peer_(peer),
      host_(std::move(host)),
      port_(port),
      resolver_(io),
      retry_timer_(io),
      backoff_ms_(cfg.reconnect_min_ms) {}

PeerLink::~PeerLink() {
  resolver_.cancel();
  retry_timer_.cancel();
  if (connecting_) {
    boost::system::error_code ignored;
    connecting_->close(ignored);
  }
  if (conn_) conn_->detach();
}

void PeerLink::start() { connect(); }

void PeerLink::set_address(std::string host, uint16_t port) {
  host_ = std::move(host);
  port_ = port;
  retire_connection();
  backoff_ms_ = cfg_.reconnect_min_ms;
  retry_timer_.cancel();
  connect();
}

void PeerLink::connect() {
  if (connecting_) {
    boost::system::error_code ignored;
    connecting_->close(ignored);
  }
  auto socket = std::make_shared<tcp::socket>(io_);
  connecting_ = socket;
  resolver_.async_resolve(
      host_, std::to_string(port_),
      [this, alive = std::weak_ptr<char>(alive_), socket](auto ec, tcp::resolver::results_type results) {
        if (alive.expired() || connecting_ != socket) return;
        if (ec) return on_failure(make_error(errc::unavailable, "resolve " + host_ + ": " + ec.message()));
        asio::async_connect(*socket, results, [this, alive, socket](auto ec2, const tcp::endpoint&) {
          if (alive.expired() || connecting_ != socket) return;
          connecting_.reset();
          if (ec2) return on_failure(make_error(errc::unavailable, "connect: " + ec2.message()));
          on_connected(std::move(*socket));
        });
      });
}

void PeerLink::on_connected(tcp::socket socket) {
  ++connects_;
  FrameConnection::Callbacks cb;
  // Nothing should arrive on an outbound link; reading only detects the peer closing it.
  cb.on_frame = [](const wire::FrameHeader&, std::string_view) {};
  cb.on_close = [this](const Error& why) { on_failure(why); };
  cb.on_drained = [this] { schedule_flush(); };
  conn_ = FrameConnection::make(std::move(socket), cfg_.limits(), std::move(cb));
  conn_->start();
  conn_->send(wire::make_frame(wire::FrameKind::hello, cfg_.cluster_id,
                               wire::encode_hello({cfg_.self, cfg_.cluster_id, wire::HelloRole::peer})));
  hello_sent_ = true;
  backoff_ms_ = cfg_.reconnect_min_ms;
  schedule_flush();
}

void PeerLink::on_failure(const Error& why) {
  retire_connection();
  // Back-off so a dead peer costs one connect attempt per back-off period, not a busy loop.
  retry_timer_.expires_after(std::chrono::milliseconds(backoff_ms_));
  backoff_ms_ = std::min(cfg_.reconnect_max_ms, backoff_ms_ * 2);
  retry_timer_.async_wait([this, alive = std::weak_ptr<char>(alive_)](auto ec) {
    if (ec || alive.expired()) return;
    connect();
  });
}

void PeerLink::retire_connection() {
  if (!conn_) return;
  bytes_sent_ += conn_->bytes_written();
  frames_sent_ += conn_->frames_written();
  conn_->detach();
  conn_.reset();
  hello_sent_ = false;
}

void PeerLink::send(PeerMessage msg) {
  queue_.push_back(std::move(msg));
  if (queue_.size() > cfg_.queue_max_messages) {
    queue_.pop_front();
    ++dropped_queue_full_;
  }
  schedule_flush();
}

void PeerLink::schedule_flush() {
  if (flush_posted_ || queue_.empty()) return;
  flush_posted_ = true;
  asio::post(io_, [this, alive = std::weak_ptr<char>(alive_)] {
    if (alive.expired()) return;
    flush_posted_ = false;
    flush();
  });
}

void PeerLink::flush() {
  if (!connected() || conn_->writing() || queue_.empty()) return;
  // What is queued now leaves in one gather write, bounded so the peer accepts each frame: a
  // conservative size estimate keeps an encoded body under the limit (protobuf is smaller than
  // PeerMessage::wire_size()). Control and data messages never share a frame, so each frame's
  // bytes count for one kind; a run of either kind is one frame.
  const size_t budget = cfg_.max_frame_bytes / 2;
  auto is_control = [&](const PeerMessage& m) { return cfg_.control_from && m.partition >= *cfg_.control_from; };
  size_t bytes = 0;
  bool first = true;
  while (!queue_.empty() && (first || bytes + queue_.front().wire_size() <= budget)) {
    const bool control = is_control(queue_.front());
    std::vector<PeerMessage> batch;
    while (!queue_.empty() && is_control(queue_.front()) == control &&
           (first || bytes + queue_.front().wire_size() <= budget)) {
      bytes += queue_.front().wire_size();
      batch.push_back(std::move(queue_.front()));
      queue_.pop_front();
      first = false;
    }
    std::string frame = wire::encode_peer_batch_frame(cfg_.cluster_id, batch);
    const size_t body_bytes = frame.size() - wire::kFrameHeaderBytes;
    if (body_bytes > cfg_.max_frame_bytes) {
      // A single message above the frame limit can never be delivered; drop it loudly.
      dropped_too_large_ += batch.size();
      std::fprintf(stderr,
                   "replbench net: node=%u dropping %zu message(s) to node %u: %zu bytes above the frame limit\n",
                   cfg_.self.value(), batch.size(), peer_.value(), body_bytes);
      continue;
    }
    messages_sent_ += batch.size();
    if (control) {
      control_messages_sent_ += batch.size();
      control_bytes_sent_ += frame.size();
    }
    conn_->send(std::move(frame));
  }
  // The rest (if any) goes when this write drains (on_drained -> schedule_flush).
  if (!conn_->writing()) schedule_flush();
}

}  // namespace rb::net
