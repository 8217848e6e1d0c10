#include "replication/coordinator/commands.h"

#include <limits>

namespace rb::coordinator {
namespace {

constexpr uint8_t kFormat = 1;

enum class Tag : uint8_t {
  register_broker = 1,
  fence_broker = 2,
  unfence_broker = 3,
  create_partition = 4,
  alter_partition = 5,
  elect_leader = 6,
  mark_unclean_shutdown = 7,
  change_member = 8,
};

// ---- writer ----
class Writer {
 public:
  void byte(uint8_t b) { out_.push_back(static_cast<char>(b)); }
  void uvar(uint64_t v) {
    while (v >= 0x80) {
      byte(static_cast<uint8_t>(v | 0x80));
      v >>= 7;
    }
    byte(static_cast<uint8_t>(v));
  }
  void svar(int64_t v) { uvar((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63)); }
  void node(NodeId n) { uvar(n.value()); }
  void nodes(const std::vector<NodeId>& ns) {
    uvar(ns.size());
    for (NodeId n : ns) node(n);
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

// ---- reader: every getter returns false on malformed input ----
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool byte(uint8_t& b) {
    if (pos_ >= in_.size()) return false;
    b = static_cast<uint8_t>(in_[pos_++]);
    return true;
  }
  bool uvar(uint64_t& v) {
    v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      uint8_t b;
      if (!byte(b)) return false;
      if (shift == 63 && (b & 0xFE) != 0) return false;  // more than 64 bits
      v |= static_cast<uint64_t>(b & 0x7F) << shift;
      if ((b & 0x80) == 0) return !(b == 0 && shift > 0);  // reject non-minimal encodings
    }
    return false;
  }
  bool svar(int64_t& v) {
    uint64_t u;
    if (!uvar(u)) return false;
    v = static_cast<int64_t>((u >> 1) ^ (~(u & 1) + 1));
    return true;
  }
  bool u32(uint32_t& v) {
    uint64_t u;
    if (!uvar(u) || u > std::numeric_limits<uint32_t>::max()) return false;
    v = static_cast<uint32_t>(u);
    return true;
  }
  bool node(NodeId& n) {
    uint32_t v;
    if (!u32(v)) return false;
    n = NodeId{v};
    return true;
  }
  bool partition(PartitionId& p) {
    uint32_t v;
    if (!u32(v)) return false;
    p = PartitionId{v};
    return true;
  }
  bool epoch(Epoch& e) {
    uint64_t v;
    if (!uvar(v)) return false;
    e = Epoch{v};
    return true;
  }
  bool boolean(bool& b) {
    uint8_t v;
    if (!byte(v) || v > 1) return false;
    b = v == 1;
    return true;
  }
  bool nodes(std::vector<NodeId>& ns) {
    uint64_t n;
    // Each id takes at least one byte, so a count above the remaining bytes is garbage.
    if (!uvar(n) || n > in_.size() - pos_) return false;
    ns.resize(n);
    for (auto& x : ns)
      if (!node(x)) return false;
    return true;
  }
  bool done() const { return pos_ == in_.size(); }

 private:
  std::string_view in_;
  size_t pos_ = 0;
};

std::string join(const std::vector<NodeId>& ns) {
  std::string s = "[";
  for (size_t i = 0; i < ns.size(); ++i) s += (i ? "," : "") + to_string(ns[i]);
  return s + "]";
}

Error bad(std::string what) { return make_error(errc::bad_input, "coordinator command: " + std::move(what)); }

}  // namespace

std::string_view to_string(ElectionKind k) {
  switch (k) {
    case ElectionKind::preferred:
      return "preferred";
    case ElectionKind::any:
      return "any";
    case ElectionKind::unclean:
      return "unclean";
  }
  return "unknown";
}

std::string describe(const Command& c) {
  struct V {
    std::string operator()(const RegisterBroker& x) {
      return "RegisterBroker{node=" + to_string(x.node) + " broker_epoch=" + std::to_string(x.broker_epoch) + "}";
    }
    std::string operator()(const FenceBroker& x) { return "FenceBroker{node=" + to_string(x.node) + "}"; }
    std::string operator()(const UnfenceBroker& x) {
      return "UnfenceBroker{node=" + to_string(x.node) + " broker_epoch=" + std::to_string(x.broker_epoch) + "}";
    }
    std::string operator()(const CreatePartition& x) {
      return "CreatePartition{partition=" + to_string(x.partition) + " replicas=" + join(x.replicas) + "}";
    }
    std::string operator()(const AlterPartition& x) {
      return "AlterPartition{partition=" + to_string(x.partition) + " leader=" + to_string(x.leader) +
             " leader_epoch=" + to_string(x.leader_epoch) + " partition_epoch=" + to_string(x.partition_epoch) +
             " isr=" + join(x.new_isr) + "}";
    }
    std::string operator()(const ElectLeader& x) {
      return "ElectLeader{partition=" + to_string(x.partition) + " kind=" + std::string(to_string(x.kind)) + "}";
    }
    std::string operator()(const MarkUncleanShutdown& x) {
      return "MarkUncleanShutdown{node=" + to_string(x.node) + "}";
    }
    std::string operator()(const ChangeMember& x) {
      return std::string(x.up ? "MemberUp" : "MemberDown") + "{partition=" + to_string(x.partition) +
             " node=" + to_string(x.node) + " partition_epoch=" + to_string(x.partition_epoch) + "}";
    }
  };
  return std::visit(V{}, c);
}

std::string encode(const Command& c) {
  Writer w;
  w.byte(kFormat);
  struct V {
    Writer& w;
    void operator()(const RegisterBroker& x) {
      w.byte(static_cast<uint8_t>(Tag::register_broker));
      w.node(x.node);
      w.svar(x.broker_epoch);
    }
    void operator()(const FenceBroker& x) {
      w.byte(static_cast<uint8_t>(Tag::fence_broker));
      w.node(x.node);
    }
    void operator()(const UnfenceBroker& x) {
      w.byte(static_cast<uint8_t>(Tag::unfence_broker));
      w.node(x.node);
      w.svar(x.broker_epoch);
    }
    void operator()(const CreatePartition& x) {
      w.byte(static_cast<uint8_t>(Tag::create_partition));
      w.uvar(x.partition.value());
      w.nodes(x.replicas);
    }
    void operator()(const AlterPartition& x) {
      w.byte(static_cast<uint8_t>(Tag::alter_partition));
      w.uvar(x.partition.value());
      w.node(x.leader);
      w.uvar(x.leader_epoch.value());
      w.uvar(x.partition_epoch.value());
      w.nodes(x.new_isr);
    }
    void operator()(const ElectLeader& x) {
      w.byte(static_cast<uint8_t>(Tag::elect_leader));
      w.uvar(x.partition.value());
      w.byte(static_cast<uint8_t>(x.kind));
    }
    void operator()(const MarkUncleanShutdown& x) {
      w.byte(static_cast<uint8_t>(Tag::mark_unclean_shutdown));
      w.node(x.node);
    }
    void operator()(const ChangeMember& x) {
      w.byte(static_cast<uint8_t>(Tag::change_member));
      w.uvar(x.partition.value());
      w.node(x.node);
      w.byte(x.up ? 1 : 0);
      w.uvar(x.partition_epoch.value());
    }
  };
  std::visit(V{w}, c);
  return w.take();
}

Result<Command> decode(std::string_view bytes) {
  Reader r(bytes);
  uint8_t format = 0, tag = 0;
  if (!r.byte(format)) return bad("empty input");
  if (format != kFormat) return bad("unknown format byte " + std::to_string(format));
  if (!r.byte(tag)) return bad("missing tag");
  Command out;
  bool ok = false;
  switch (static_cast<Tag>(tag)) {
    case Tag::register_broker: {
      RegisterBroker x;
      ok = r.node(x.node) && r.svar(x.broker_epoch);
      out = x;
      break;
    }
    case Tag::fence_broker: {
      FenceBroker x;
      ok = r.node(x.node);
      out = x;
      break;
    }
    case Tag::unfence_broker: {
      UnfenceBroker x;
      ok = r.node(x.node) && r.svar(x.broker_epoch);
      out = x;
      break;
    }
    case Tag::create_partition: {
      CreatePartition x;
      ok = r.partition(x.partition) && r.nodes(x.replicas);
      out = x;
      break;
    }
    case Tag::alter_partition: {
      AlterPartition x;
      ok = r.partition(x.partition) && r.node(x.leader) && r.epoch(x.leader_epoch) && r.epoch(x.partition_epoch) &&
           r.nodes(x.new_isr);
      out = x;
      break;
    }
    case Tag::elect_leader: {
      ElectLeader x;
      uint8_t kind = 0;
      ok = r.partition(x.partition) && r.byte(kind) && kind <= static_cast<uint8_t>(ElectionKind::unclean);
      x.kind = static_cast<ElectionKind>(kind);
      out = x;
      break;
    }
    case Tag::mark_unclean_shutdown: {
      MarkUncleanShutdown x;
      ok = r.node(x.node);
      out = x;
      break;
    }
    case Tag::change_member: {
      ChangeMember x;
      ok = r.partition(x.partition) && r.node(x.node) && r.boolean(x.up) && r.epoch(x.partition_epoch);
      out = x;
      break;
    }
    default:
      return bad("unknown tag " + std::to_string(tag));
  }
  if (!ok) return bad("truncated or malformed fields (tag " + std::to_string(tag) + ")");
  if (!r.done()) return bad("trailing bytes after tag " + std::to_string(tag));
  return out;
}

Command command_from_request(const MetadataRequest& req, NodeId from) {
  switch (req.kind) {
    case MetadataRequest::Kind::alter_isr:
      return AlterPartition{req.partition, from, req.leader_epoch, req.partition_epoch, req.isr};
    case MetadataRequest::Kind::member_down:
      return ChangeMember{req.partition, req.node, false, req.partition_epoch};
    case MetadataRequest::Kind::member_up:
      return ChangeMember{req.partition, req.node, true, req.partition_epoch};
    case MetadataRequest::Kind::elect_leader:
      return ElectLeader{req.partition, ElectionKind::preferred};
  }
  RB_UNREACHABLE("MetadataRequest::Kind");
}

}  // namespace rb::coordinator
