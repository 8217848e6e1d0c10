#pragma once
// The outbound half of the link to one peer: one TCP connection, opened with a hello frame,
// reconnected with exponential back-off after any failure.
//
// Batching: send() only queues. The first send of an event-loop turn posts a flush, so every
// message queued during that turn leaves as one PeerBatch frame. While a frame is being written
// the queue keeps growing and goes out as the next frame when the write completes, so a slow
// link sends fewer, larger frames instead of a growing write queue.
//
// Bounded queue: at most queue_max_messages wait; beyond that the oldest are dropped and counted
// (engines retransmit: a lost message is the same to them as a lost packet). Messages handed to
// a connection that then fails are lost too, for the same reason.
#include <cstdint>
#include <deque>
#include <memory>
#include <string>

#include "replication/engine.h"
#include "replication/net/frame_connection.h"
#include "replication/net/transport_config.h"

namespace rb::net {

class PeerLink {
 public:
  PeerLink(asio::io_context& io, const TransportConfig& cfg, NodeId peer, std::string host, uint16_t port);
  ~PeerLink();
  PeerLink(const PeerLink&) = delete;
  PeerLink& operator=(const PeerLink&) = delete;

  // Starts connecting (call once).
  void start();
  void send(PeerMessage msg);
  // Points the link at a new address (a restarted peer on another port); reconnects.
  void set_address(std::string host, uint16_t port);

  NodeId peer() const { return peer_; }
  bool connected() const { return conn_ && conn_->is_open() && hello_sent_; }
  size_t queued() const { return queue_.size(); }
  uint64_t bytes_sent() const { return bytes_sent_ + (conn_ ? conn_->bytes_written() : 0); }
  uint64_t frames_sent() const { return frames_sent_ + (conn_ ? conn_->frames_written() : 0); }
  uint64_t messages_sent() const { return messages_sent_; }
  // Of those, control traffic (TransportConfig::control_from): frame bytes queued and messages.
  uint64_t control_bytes_sent() const { return control_bytes_sent_; }
  uint64_t control_messages_sent() const { return control_messages_sent_; }
  uint64_t dropped_queue_full() const { return dropped_queue_full_; }
  uint64_t dropped_too_large() const { return dropped_too_large_; }
  uint64_t connects() const { return connects_; }
  uint32_t backoff_ms() const { return backoff_ms_; }

 private:
  void connect();
  void on_connected(tcp::socket socket);
  void on_failure(const Error& why);
  void schedule_flush();
  void flush();
  void retire_connection();

  asio::io_context& io_;
  const TransportConfig cfg_;
  const NodeId peer_;
  std::string host_;
  uint16_t port_;
  tcp::resolver resolver_;
  asio::steady_timer retry_timer_;
  std::shared_ptr<tcp::socket> connecting_;
  std::shared_ptr<FrameConnection> conn_;
  bool hello_sent_ = false;
  bool flush_posted_ = false;
  uint32_t backoff_ms_;
  std::deque<PeerMessage> queue_;
  uint64_t bytes_sent_ = 0;   // of retired connections
  uint64_t frames_sent_ = 0;  // of retired connections (hello included)
  uint64_t messages_sent_ = 0;
  uint64_t control_bytes_sent_ = 0;
  uint64_t control_messages_sent_ = 0;
  uint64_t dropped_queue_full_ = 0;
  uint64_t dropped_too_large_ = 0;
  uint64_t connects_ = 0;
  std::shared_ptr<char> alive_ = std::make_shared<char>();
};

}  // namespace rb::net
