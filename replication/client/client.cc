#include "replication/client/client.h"

#include "replication/wire/codec.h"

namespace rb::client {

namespace asio = net::asio;
using net::tcp;

struct Client::Op {
  explicit Op(asio::io_context& io) : deadline(io) {}
  Request req;
  std::optional<PartitionId> partition;  // routed to the partition's leader
  std::function<void(Response)> done;
  asio::steady_timer deadline;
  bool produce = false;
  bool in_window = false;  // counted in produce_in_flight_
  bool finished = false;
  Endpoint target;  // of the latest attempt
};

struct Client::Conn {
  Endpoint ep;
  std::shared_ptr<tcp::socket> connecting;
  std::shared_ptr<net::FrameConnection> conn;
  std::vector<std::string> buffered;  // frames sent before the connection was up
  std::map<uint64_t, OpPtr> pending;  // by request id of the attempt
};

namespace {

// The error answer of the same type as `req`, for timeouts.
Response error_response(const Request& req, errc code, std::string detail) {
  return std::visit(
      [&](const auto& r) -> Response {
        using T = std::decay_t<decltype(r)>;
        if constexpr (std::is_same_v<T, ProduceRequest>) {
          ProduceResponse out;
          out.id = r.id;
          out.partition = r.partition;
          out.code = code;
          out.detail = std::move(detail);
          return out;
        } else if constexpr (std::is_same_v<T, FetchRequest>) {
          FetchResponse out;
          out.id = r.id;
          out.partition = r.partition;
          out.code = code;
          return out;
        } else if constexpr (std::is_same_v<T, MetadataRequest>) {
          return MetadataResponse{r.id, {}, {}};
        } else if constexpr (std::is_same_v<T, OffsetCommitRequest>) {
          return OffsetCommitResponse{r.id, code, kNoNode};
        } else {
          return OffsetFetchResponse{r.id, code, Offset(-1), kNoNode};
        }
      },
      req);
}

// errc and leader hint of a response; metadata responses have neither.
std::pair<errc, NodeId> outcome(const Response& r) {
  return std::visit(
      [](const auto& x) -> std::pair<errc, NodeId> {
        if constexpr (std::is_same_v<std::decay_t<decltype(x)>, MetadataResponse>) {
          return {errc::ok, kNoNode};
        } else {
          return {x.code, x.leader_hint};
        }
      },
      r);
}

template <class Resp, class Cb>
std::function<void(Response)> typed(Cb cb) {
  return [cb = std::move(cb)](Response r) {
    if (cb) cb(std::get<Resp>(r));
  };
}

}  // namespace

Client::Client(asio::io_context& io, ClientConfig cfg) : io_(io), cfg_(std::move(cfg)) {
  RB_ASSERT(cfg_.validate().ok());
}

Client::~Client() {
  for (auto& [_, c] : conns_) {
    if (c->conn) c->conn->detach();
    if (c->connecting) {
      boost::system::error_code ignored;
      c->connecting->close(ignored);
    }
    for (auto& [__, op] : c->pending) op->deadline.cancel();
  }
  for (auto& op : produce_queue_) op->deadline.cancel();
  for (auto& op : waiting_for_metadata_) op->deadline.cancel();
}

NodeId Client::leader(PartitionId p) const {
  auto it = leaders_.find(p);
  return it == leaders_.end() ? kNoNode : it->second;
}

// ------------------------------------------------------------------------------ public API ---
void Client::produce(PartitionId partition, Entries records, AckLevel acks, ProduceCallback cb) {
  if (cfg_.producer.value() != 0) {
    int64_t& seq = next_sequence_[partition];
    for (auto& e : records) {
      e.producer = cfg_.producer;
      e.sequence = seq++;
    }
  }
  auto op = std::make_shared<Op>(io_);
  op->req = ProduceRequest{RequestId(0), partition, acks, std::move(records)};
  op->partition = partition;
  op->produce = true;
  op->done = typed<ProduceResponse>(std::move(cb));
  start_op(std::move(op));
}

void Client::fetch(PartitionId partition, Offset offset, uint32_t max_bytes, FetchCallback cb) {
  auto op = std::make_shared<Op>(io_);
  op->req = FetchRequest{RequestId(0), partition, offset, max_bytes, cfg_.fetch_max_wait_ms};
  op->partition = partition;
  op->done = typed<FetchResponse>(std::move(cb));
  start_op(std::move(op));
}

void Client::commit_offset(std::string group, PartitionId partition, Offset offset, OffsetCommitCallback cb) {
  auto op = std::make_shared<Op>(io_);
  op->req = OffsetCommitRequest{RequestId(0), std::move(group), partition, offset};
  op->partition = partition;
  op->done = typed<OffsetCommitResponse>(std::move(cb));
  start_op(std::move(op));
}

void Client::fetch_offset(std::string group, PartitionId partition, OffsetFetchCallback cb) {
  auto op = std::make_shared<Op>(io_);
  op->req = OffsetFetchRequest{RequestId(0), std::move(group), partition};
  op->partition = partition;
  op->done = typed<OffsetFetchResponse>(std::move(cb));
  start_op(std::move(op));
}

void Client::metadata(MetadataCallback cb) {
  auto op = std::make_shared<Op>(io_);
  op->req = MetadataRequest{RequestId(0)};
  op->done = typed<MetadataResponse>(std::move(cb));
  start_op(std::move(op));
}

// --------------------------------------------------------------------------- op lifecycle ---
void Client::start_op(OpPtr op) {
  op->deadline.expires_after(std::chrono::milliseconds(cfg_.request_timeout_ms));
  op->deadline.async_wait([this, alive = std::weak_ptr<char>(alive_), w = std::weak_ptr<Op>(op)](auto ec) {
    auto op = w.lock();
    if (ec || alive.expired() || !op || op->finished) return;
    ++stats_.timeouts;
    complete(op, error_response(op->req, errc::timeout, "no answer in time: outcome unknown"));
  });
  if (op->produce) {
    if (produce_in_flight_ >= cfg_.max_in_flight) {
      produce_queue_.push_back(std::move(op));
      return;
    }
    op->in_window = true;
    ++produce_in_flight_;
  }
  attempt(op);
}

void Client::attempt(const OpPtr& op) {
  if (op->finished) return;
  if (!op->partition) return send_to(op, next_bootstrap());
  if (const Endpoint* ep = leader_endpoint(*op->partition)) return send_to(op, *ep);
  waiting_for_metadata_.push_back(op);
  refresh_metadata();
}

void Client::complete(const OpPtr& op, Response r) {
  if (op->finished) return;
  op->finished = true;
  op->deadline.cancel();
  if (op->in_window) {
    op->in_window = false;
    --produce_in_flight_;
    while (produce_in_flight_ < cfg_.max_in_flight && !produce_queue_.empty()) {
      OpPtr next = std::move(produce_queue_.front());
      produce_queue_.pop_front();
      if (next->finished) continue;  // timed out while queued
      next->in_window = true;
      ++produce_in_flight_;
      attempt(next);
    }
  }
  if (op->done) op->done(std::move(r));
}

void Client::retry_later(const OpPtr& op) {
  ++stats_.retries;
  auto timer = std::make_shared<asio::steady_timer>(io_, std::chrono::milliseconds(cfg_.retry_backoff_ms));
  timer->async_wait([this, alive = std::weak_ptr<char>(alive_), op, timer](auto ec) {
    if (ec || alive.expired()) return;
    attempt(op);
  });
}

// ------------------------------------------------------------------------------- metadata ---
void Client::refresh_metadata() {
  if (metadata_in_flight_) return;
  metadata_in_flight_ = true;
  auto op = std::make_shared<Op>(io_);
  op->req = MetadataRequest{RequestId(0)};
  // Whatever the outcome (a reply or a timeout), release the operations that waited for it:
  // those whose leader is still unknown ask a bootstrap node, which answers or redirects.
  op->done = [this](Response) {
    metadata_in_flight_ = false;
    auto waiting = std::move(waiting_for_metadata_);
    waiting_for_metadata_.clear();
    for (auto& w : waiting) {
      if (w->finished) continue;
      const Endpoint* ep = leader_endpoint(*w->partition);
      send_to(w, ep ? *ep : next_bootstrap());
    }
  };
  start_op(std::move(op));
}

void Client::apply_metadata(const MetadataResponse& m) {
  for (const auto& n : m.nodes) nodes_[n.id] = Endpoint{n.host, n.port};
  for (const auto& p : m.partitions) {
    if (p.leader == kNoNode) {
      leaders_.erase(p.partition);
    } else {
      leaders_[p.partition] = p.leader;
    }
  }
}

const Endpoint* Client::leader_endpoint(PartitionId p) const {
  auto l = leaders_.find(p);
  if (l == leaders_.end()) return nullptr;
  auto n = nodes_.find(l->second);
  return n == nodes_.end() ? nullptr : &n->second;
}

const Endpoint& Client::next_bootstrap() {
  const Endpoint& ep = cfg_.bootstrap[bootstrap_cursor_ % cfg_.bootstrap.size()];
  ++bootstrap_cursor_;
  return ep;
}

// ---------------------------------------------------------------------------- connections ---
void Client::send_to(const OpPtr& op, const Endpoint& ep) {
  const uint64_t rid = next_request_id_++;
  std::visit([&](auto& r) { r.id = RequestId(rid); }, op->req);
  op->target = ep;
  Conn& c = conn_for(ep);
  c.pending[rid] = op;
  ++stats_.requests_sent;
  std::string frame = wire::encode_client_request_frame(cfg_.cluster_id, op->req);
  if (c.conn) {
    c.conn->send(std::move(frame));
  } else {
    c.buffered.push_back(std::move(frame));
  }
}

Client::Conn& Client::conn_for(const Endpoint& ep) {
  const std::string key = ep.key();
  auto it = conns_.find(key);
  if (it != conns_.end()) return *it->second;
  auto owned = std::make_unique<Conn>();
  Conn* c = owned.get();
  c->ep = ep;
  c->connecting = std::make_shared<tcp::socket>(io_);
  conns_.emplace(key, std::move(owned));

  auto resolver = std::make_shared<tcp::resolver>(io_);
  auto alive = std::weak_ptr<char>(alive_);
  auto socket = c->connecting;
  // `c` is only used after checking that conns_ still maps `key` to it.
  auto still_current = [this, key, c] {
    auto found = conns_.find(key);
    return found != conns_.end() && found->second.get() == c;
  };
  resolver->async_resolve(
      ep.host, std::to_string(ep.port),
      [this, alive, key, c, socket, resolver, still_current](auto ec, tcp::resolver::results_type results) {
        if (alive.expired() || !still_current()) return;
        if (ec) return on_conn_closed(key);
        asio::async_connect(*socket, results, [this, alive, key, c, socket, still_current](auto ec2, const auto&) {
          if (alive.expired() || !still_current()) return;
          c->connecting.reset();
          if (ec2) return on_conn_closed(key);
          net::FrameConnection::Callbacks cb;
          cb.on_frame = [this, key](const wire::FrameHeader& h, std::string_view body) {
            auto found = conns_.find(key);
            if (found == conns_.end()) return;
            if (h.kind != wire::FrameKind::client_response) {
              found->second->conn->close(make_error(errc::bad_input, "unexpected frame kind from server"));
              return;
            }
            on_response(*found->second, body);
          };
          cb.on_close = [this, key](const Error&) { on_conn_closed(key); };
          c->conn = net::FrameConnection::make(std::move(*socket),
                                               wire::FrameLimits{cfg_.cluster_id, cfg_.max_frame_bytes}, std::move(cb));
          c->conn->start();
          for (auto& f : c->buffered) c->conn->send(std::move(f));
          c->buffered.clear();
        });
      });
  return *c;
}

void Client::on_conn_closed(const std::string& key) {
  auto it = conns_.find(key);
  if (it == conns_.end()) return;
  auto pending = std::move(it->second->pending);
  if (it->second->conn) it->second->conn->detach();
  conns_.erase(it);
  ++stats_.connection_failures;
  for (auto& [_, op] : pending) {
    if (op->finished) continue;
    // The node may be down: forget it as leader, so the retry asks for fresh metadata.
    if (op->partition) leaders_.erase(*op->partition);
    retry_later(op);
  }
}

void Client::on_response(Conn& conn, std::string_view body) {
  auto resp = wire::decode_client_response(body);
  if (!resp.ok()) {
    conn.conn->close(resp.error());  // on_conn_closed retries what was pending on it
    return;
  }
  auto it = conn.pending.find(wire::request_id(*resp).value());
  if (it == conn.pending.end()) return;  // an answer to an attempt we gave up on
  OpPtr op = std::move(it->second);
  conn.pending.erase(it);
  if (op->finished) return;
  if (auto* m = std::get_if<MetadataResponse>(&*resp)) apply_metadata(*m);

  const auto [code, hint] = outcome(*resp);
  if (code == errc::not_leader && op->partition) {
    ++stats_.redirects;
    if (hint == kNoNode) {
      leaders_.erase(*op->partition);
      return retry_later(op);
    }
    leaders_[*op->partition] = hint;
    const Endpoint* ep = leader_endpoint(*op->partition);
    // Follow the hint at once unless it points back where we just were (a stale hint): then
    // back off so two confused nodes cannot make us spin.
    if (ep != nullptr && ep->key() != op->target.key()) return attempt(op);
    return retry_later(op);
  }
  if (code == errc::unavailable && op->partition) {
    leaders_.erase(*op->partition);
    return retry_later(op);
  }
  complete(op, std::move(resp).value());
}

}  // namespace rb::client
