#include "replication/net/transport.h"

namespace rb::net {

using wire::Direction;

Transport::Transport(asio::io_context& io, TransportConfig cfg, TransportHandlers handlers)
    : io_(io),
      cfg_(std::move(cfg)),
      handlers_(std::move(handlers)),
      faults_(cfg_.fault_seed),
      listener_(io, "node=" + to_string(cfg_.self), cfg_.limits(),
                ListenerHandlers{
                    [this](NodeId from, std::vector<PeerMessage> b, size_t n) { on_peer_batch(from, std::move(b), n); },
                    [this](client::Request r, Reply reply) {
                      if (handlers_.on_client_request) handlers_.on_client_request(std::move(r), std::move(reply));
                    },
                    [this](wire::AdminRequest r, Reply reply) { on_admin(std::move(r), std::move(reply)); }}) {
  RB_ASSERT(cfg_.validate().ok());
}

Transport::~Transport() { stop(); }

Status Transport::listen(const std::string& host, uint16_t port) { return listener_.listen(host, port); }

void Transport::stop() {
  listener_.stop();
  links_.clear();
  for (auto& t : timers_) t.cancel();
  alive_ = std::make_shared<char>();  // orphan every pending delayed delivery
}

void Transport::add_peer(NodeId peer, const std::string& host, uint16_t port) {
  auto it = links_.find(peer);
  if (it != links_.end()) return it->second->set_address(host, port);
  auto link = std::make_unique<PeerLink>(io_, cfg_, peer, host, port);
  link->start();
  links_.emplace(peer, std::move(link));
}

void Transport::send(PeerMessage msg) {
  const NodeId to = msg.to;
  if (!links_.contains(to)) {
    ++dropped_unknown_peer_;
    return;
  }
  auto v = faults_.decide(to, Direction::outbound);
  if (v.drop) return;
  if (v.delay_ms == 0) return enqueue(std::move(msg));
  after(v.delay_ms, [this, m = std::move(msg)]() mutable { enqueue(std::move(m)); });
}

void Transport::enqueue(PeerMessage msg) {
  auto it = links_.find(msg.to);
  if (it != links_.end()) it->second->send(std::move(msg));
}

void Transport::on_peer_batch(NodeId from, std::vector<PeerMessage> batch, size_t frame_bytes) {
  auto& in = inbound_[from];
  in.bytes += frame_bytes;
  ++in.frames;
  in.messages += batch.size();
  // Delayed survivors of one batch share one timer, which keeps their order.
  std::vector<PeerMessage> delayed;
  uint32_t delay_ms = 0;
  for (auto& msg : batch) {
    if (msg.to != cfg_.self) {  // a peer with a stale address book; never hand it to an engine
      ++dropped_misrouted_;
      continue;
    }
    auto v = faults_.decide(from, Direction::inbound);
    if (v.drop) continue;
    if (v.delay_ms > 0) {
      delay_ms = v.delay_ms;
      delayed.push_back(std::move(msg));
    } else if (handlers_.on_peer_message) {
      handlers_.on_peer_message(std::move(msg));
    }
  }
  if (delayed.empty()) return;
  after(delay_ms, [this, ms = std::move(delayed)]() mutable {
    for (auto& m : ms) {
      if (handlers_.on_peer_message) handlers_.on_peer_message(std::move(m));
    }
  });
}

void Transport::after(uint32_t delay_ms, std::function<void()> fn) {
  auto& timer = timers_.emplace_back(io_);
  auto it = std::prev(timers_.end());
  timer.expires_after(std::chrono::milliseconds(delay_ms));
  timer.async_wait([this, alive = std::weak_ptr<char>(alive_), it, fn = std::move(fn)](auto ec) {
    if (alive.expired()) return;
    timers_.erase(it);
    if (!ec) fn();
  });
}

void Transport::on_admin(wire::AdminRequest req, Reply reply) {
  const bool is_fault = std::holds_alternative<wire::SetFault>(req.body) ||
                        std::holds_alternative<wire::ClearFault>(req.body) ||
                        std::holds_alternative<wire::ClearAllFaults>(req.body);
  if (is_fault) {
    auto s = faults_.apply(req.body);
    reply.send(wire::AdminResponse{req.id, s.code(), s.ok() ? "" : s.error().message, std::nullopt});
    return;
  }
  if (handlers_.on_admin_request) return handlers_.on_admin_request(std::move(req), std::move(reply));
  if (std::holds_alternative<wire::StatusQuery>(req.body)) {
    reply.send(wire::AdminResponse{req.id, errc::ok, "", node_status()});
  } else {
    reply.send(wire::AdminResponse{req.id, errc::unsupported, "no node host to stop", std::nullopt});
  }
}

wire::PeerStats Transport::stats(NodeId peer) const {
  wire::PeerStats s;
  s.peer = peer;
  if (auto it = links_.find(peer); it != links_.end()) {
    const PeerLink& l = *it->second;
    s.bytes_sent = l.bytes_sent();
    s.frames_sent = l.frames_sent();
    s.messages_sent = l.messages_sent();
    s.control_bytes_sent = l.control_bytes_sent();
    s.control_messages_sent = l.control_messages_sent();
    s.dropped_queue_full = l.dropped_queue_full();
    s.connected = l.connected();
  }
  if (auto it = inbound_.find(peer); it != inbound_.end()) {
    s.bytes_received = it->second.bytes;
    s.frames_received = it->second.frames;
    s.messages_received = it->second.messages;
  }
  const auto out = faults_.counters(peer, Direction::outbound);
  const auto in = faults_.counters(peer, Direction::inbound);
  s.dropped_outbound = out.dropped;
  s.delayed_outbound = out.delayed;
  s.dropped_inbound = in.dropped;
  s.delayed_inbound = in.delayed;
  return s;
}

wire::NodeStatus Transport::node_status() const {
  wire::NodeStatus st;
  st.node = cfg_.self;
  for (const auto& [peer, _] : links_) st.peers.push_back(stats(peer));
  st.counters["net.dropped_unknown_peer"] = static_cast<int64_t>(dropped_unknown_peer_);
  st.counters["net.dropped_misrouted"] = static_cast<int64_t>(dropped_misrouted_);
  st.counters["net.bad_input_closes"] = static_cast<int64_t>(listener_.bad_input_closes());
  return st;
}

}  // namespace rb::net
