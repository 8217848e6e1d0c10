#include "harness/nemesis/fault_spec.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace rb::nemesis {

namespace {

Error bad(std::string m) { return make_error(errc::invalid_config, std::move(m)); }

std::string normalise(std::string_view s) {
  std::string out(s);
  std::replace(out.begin(), out.end(), '_', '-');
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

// A kind name (as written) -> kind, plus the partition shape when the name is a shape shortcut.
struct KindName {
  const char* name;
  FaultKind kind;
  std::optional<PartitionShape> shape;
};
constexpr KindName kKinds[] = {
    {"kill", FaultKind::kill, {}},
    {"restart", FaultKind::restart, {}},
    {"pause", FaultKind::pause, {}},
    {"partition", FaultKind::partition, {}},
    {"halves", FaultKind::partition, PartitionShape::halves},
    {"isolate", FaultKind::partition, PartitionShape::isolate},
    {"asymmetric", FaultKind::partition, PartitionShape::asymmetric},
    {"bridge", FaultKind::partition, PartitionShape::bridge},
    {"majorities-ring", FaultKind::partition, PartitionShape::majorities_ring},
    {"slow-link", FaultKind::slow_link, {}},
    {"loss", FaultKind::loss, {}},
    {"slow-disk", FaultKind::slow_disk, {}},
    {"add-node", FaultKind::add_node, {}},
    {"remove-node", FaultKind::remove_node, {}},
    {"transfer-leader", FaultKind::transfer_leader, {}},
};
constexpr const char* kKindList =
    "kill, restart, pause, partition, isolate, asymmetric, bridge, majorities-ring, slow-link, loss, slow-disk, "
    "add-node, remove-node, transfer-leader";
constexpr const char* kTargetList =
    "leader, follower, minority, majority, all, random, spare, killed, node=N, nodes=A,B";

std::optional<PartitionShape> shape_from(std::string_view s) {
  if (s == "halves") return PartitionShape::halves;
  if (s == "isolate") return PartitionShape::isolate;
  if (s == "asymmetric") return PartitionShape::asymmetric;
  if (s == "bridge") return PartitionShape::bridge;
  if (s == "majorities-ring") return PartitionShape::majorities_ring;
  return std::nullopt;
}

std::optional<double> parse_number(std::string_view s) {
  if (s.empty()) return std::nullopt;
  std::string str(s);
  char* end = nullptr;
  errno = 0;
  double v = std::strtod(str.c_str(), &end);
  if (*end != '\0' || errno != 0 || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::optional<uint32_t> parse_uint(std::string_view s) {
  if (s.empty() || s.size() > 9 || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  return static_cast<uint32_t>(std::strtoul(std::string(s).c_str(), nullptr, 10));
}

// "5s", "500ms", "250us", "1.5" (seconds) -> seconds. `need_unit` for argument tokens, where a bare
// number means something else.
std::optional<double> parse_duration_s(std::string_view s, bool need_unit) {
  double scale = 1;
  if (s.size() > 2 && s.substr(s.size() - 2) == "ms") {
    scale = 1e-3;
    s.remove_suffix(2);
  } else if (s.size() > 2 && s.substr(s.size() - 2) == "us") {
    scale = 1e-6;
    s.remove_suffix(2);
  } else if (s.size() > 1 && s.back() == 's') {
    s.remove_suffix(1);
  } else if (need_unit) {
    return std::nullopt;
  }
  auto v = parse_number(s);
  if (!v || *v < 0) return std::nullopt;
  return *v * scale;
}

// Target grammar shared by both forms: a name, node=N, nodes=A,B, N or A,B.
Result<Target> parse_target(std::string_view s) {
  static const std::pair<const char*, TargetKind> names[] = {
      {"leader", TargetKind::leader},     {"follower", TargetKind::follower}, {"minority", TargetKind::minority},
      {"majority", TargetKind::majority}, {"all", TargetKind::all},           {"random", TargetKind::random},
      {"spare", TargetKind::spare},       {"killed", TargetKind::killed}};
  for (const auto& [n, k] : names)
    if (s == n) return Target{k, {}};
  std::string_view list = s;
  if (s.rfind("node=", 0) == 0) list = s.substr(5);
  if (s.rfind("nodes=", 0) == 0) list = s.substr(6);
  Target t{TargetKind::nodes, {}};
  size_t pos = 0;
  while (pos <= list.size()) {
    size_t comma = list.find(',', pos);
    std::string_view item = list.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
    auto id = parse_uint(item);
    if (!id) return bad("unknown target '" + std::string(s) + "' (" + kTargetList + ")");
    t.nodes.push_back(NodeId{*id});
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  return t;
}

bool target_allowed(FaultKind k, PartitionShape shape, TargetKind t) {
  using T = TargetKind;
  switch (k) {
    case FaultKind::kill:
    case FaultKind::pause:
    case FaultKind::slow_disk:
      return t != T::none && t != T::spare && t != T::killed;
    case FaultKind::restart:
      return t == T::nodes || t == T::killed || t == T::all;
    case FaultKind::partition:
      if (shape == PartitionShape::isolate || shape == PartitionShape::asymmetric)
        return t != T::none && t != T::spare && t != T::killed;
      return t == T::none;
    case FaultKind::slow_link:
    case FaultKind::loss:
      return t != T::spare && t != T::killed;
    case FaultKind::add_node:
      return t == T::nodes || t == T::spare;
    case FaultKind::remove_node:
      return t == T::nodes || t == T::follower || t == T::leader || t == T::random;
    case FaultKind::transfer_leader:
      return t == T::nodes || t == T::follower;
  }
  return false;
}

TargetKind default_target(FaultKind k, PartitionShape shape) {
  switch (k) {
    case FaultKind::restart:
      return TargetKind::killed;
    case FaultKind::partition:
      return (shape == PartitionShape::isolate || shape == PartitionShape::asymmetric) ? TargetKind::leader
                                                                                       : TargetKind::none;
    case FaultKind::loss:
      return TargetKind::none;
    case FaultKind::add_node:
      return TargetKind::spare;
    case FaultKind::remove_node:
    case FaultKind::transfer_leader:
      return TargetKind::follower;
    default:
      return TargetKind::leader;
  }
}

// Checks done after either form has filled the spec; `where` prefixes every message.
Status finish(FaultSpec& f, bool target_given, const std::string& where) {
  if (!target_given) f.target = Target{default_target(f.kind, f.shape), {}};
  if (!target_allowed(f.kind, f.shape, f.target.kind)) {
    std::string what =
        f.kind == FaultKind::partition ? std::string(to_string(f.shape)) : std::string(to_string(f.kind));
    return bad(where + ": target '" + describe_target(f.target) + "' does not apply to " + what);
  }
  if (f.start_s < 0) return bad(where + ": start time must be >= 0");
  if (f.heal_s && *f.heal_s <= f.start_s) return bad(where + ": heal time must be after the start time");
  if (f.heal_s && (f.kind == FaultKind::restart || f.kind == FaultKind::transfer_leader))
    return bad(where + ": " + std::string(to_string(f.kind)) + " has no heal");
  if (f.kind == FaultKind::slow_link && !(f.delay_ms > 0))
    return bad(where + ": slow-link needs a delay > 0 (e.g. 50ms)");
  if (f.kind == FaultKind::loss && !(f.loss > 0 && f.loss <= 1))
    return bad(where + ": loss needs a probability in (0, 1] (e.g. 0.1 or 10%)");
  if (f.kind == FaultKind::slow_disk && !(f.factor > 0))
    return bad(where + ": slow-disk needs a factor > 0 (e.g. x10)");
  bool link = f.kind == FaultKind::partition || f.kind == FaultKind::slow_link || f.kind == FaultKind::loss;
  if (f.clients && !link) return bad(where + ": 'clients' applies only to link faults");
  if (f.lose_unsynced && f.kind != FaultKind::kill) return bad(where + ": 'power' applies only to kill");
  return {};
}

}  // namespace

std::string_view to_string(FaultKind k) {
  switch (k) {
    case FaultKind::kill:
      return "kill";
    case FaultKind::restart:
      return "restart";
    case FaultKind::pause:
      return "pause";
    case FaultKind::partition:
      return "partition";
    case FaultKind::slow_link:
      return "slow-link";
    case FaultKind::loss:
      return "loss";
    case FaultKind::slow_disk:
      return "slow-disk";
    case FaultKind::add_node:
      return "add-node";
    case FaultKind::remove_node:
      return "remove-node";
    case FaultKind::transfer_leader:
      return "transfer-leader";
  }
  return "?";
}

std::string_view to_string(PartitionShape s) {
  switch (s) {
    case PartitionShape::halves:
      return "halves";
    case PartitionShape::isolate:
      return "isolate";
    case PartitionShape::asymmetric:
      return "asymmetric";
    case PartitionShape::bridge:
      return "bridge";
    case PartitionShape::majorities_ring:
      return "majorities-ring";
  }
  return "?";
}

std::string_view to_string(TargetKind k) {
  switch (k) {
    case TargetKind::none:
      return "none";
    case TargetKind::leader:
      return "leader";
    case TargetKind::follower:
      return "follower";
    case TargetKind::minority:
      return "minority";
    case TargetKind::majority:
      return "majority";
    case TargetKind::all:
      return "all";
    case TargetKind::random:
      return "random";
    case TargetKind::nodes:
      return "nodes";
    case TargetKind::spare:
      return "spare";
    case TargetKind::killed:
      return "killed";
  }
  return "?";
}

std::string describe_target(const Target& t) {
  if (t.kind != TargetKind::nodes) return std::string(to_string(t.kind));
  std::string s = t.nodes.size() == 1 ? "node=" : "nodes=";
  for (size_t i = 0; i < t.nodes.size(); ++i) s += (i ? "," : "") + to_string(t.nodes[i]);
  return s;
}

Result<FaultSpec> parse_fault_string(std::string_view text) {
  const std::string where = "fault '" + std::string(text) + "'";
  FaultSpec f;
  f.text = std::string(text);
  size_t at = text.rfind('@');
  if (at == std::string_view::npos) return bad(where + ": missing '@START' (e.g. kill:leader@5s-8s)");
  std::string_view head = text.substr(0, at), when = text.substr(at + 1);

  // --- when: START[-HEAL | +DURATION] ---
  size_t sep = when.find_first_of("-+");
  std::string_view start = when.substr(0, sep);
  auto st = parse_duration_s(start, false);
  if (!st) return bad(where + ": bad start time '" + std::string(start) + "' (e.g. 5s, 500ms)");
  f.start_s = *st;
  if (sep != std::string_view::npos) {
    std::string_view rest = when.substr(sep + 1);
    auto t = parse_duration_s(rest, false);
    if (!t)
      return bad(where + ": bad " + (when[sep] == '-' ? "heal time" : "duration") + " '" + std::string(rest) + "'");
    f.heal_s = when[sep] == '-' ? *t : f.start_s + *t;
  }

  // --- head: KIND[:ARG]... ---
  std::vector<std::string> parts;
  size_t pos = 0;
  while (true) {
    size_t c = head.find(':', pos);
    parts.push_back(normalise(head.substr(pos, c == std::string_view::npos ? std::string_view::npos : c - pos)));
    if (c == std::string_view::npos) break;
    pos = c + 1;
  }
  const KindName* kn = nullptr;
  for (const auto& k : kKinds)
    if (parts[0] == k.name) kn = &k;
  if (!kn) return bad(where + ": unknown fault kind '" + parts[0] + "' (" + kKindList + ")");
  f.kind = kn->kind;
  bool shape_given = kn->shape.has_value(), target_given = false;
  if (kn->shape) f.shape = *kn->shape;

  for (size_t i = 1; i < parts.size(); ++i) {
    std::string tok = parts[i];
    auto not_for = [&](const char* what) {
      return bad(where + ": '" + tok + "' (" + what + ") does not apply to " + parts[0]);
    };
    if (tok.empty()) return bad(where + ": empty argument");
    if (tok == "power" || tok == "lose-unsynced") {
      if (f.kind != FaultKind::kill) return not_for("power loss");
      f.lose_unsynced = true;
    } else if (tok == "clients") {
      f.clients = true;
    } else if (tok == "in" || tok == "out") {
      if (f.kind != FaultKind::partition) return not_for("direction");
      f.direction = tok == "in" ? Direction::in : Direction::out;
    } else if (auto sh = shape_from(tok); sh && f.kind == FaultKind::partition && !shape_given) {
      f.shape = *sh;
      shape_given = true;
    } else if (tok[0] == 'x' || tok.rfind("factor=", 0) == 0) {
      auto v = parse_number(tok[0] == 'x' ? std::string_view(tok).substr(1) : std::string_view(tok).substr(7));
      if (!v) return bad(where + ": bad factor '" + tok + "' (e.g. x10)");
      if (f.kind != FaultKind::slow_disk) return not_for("factor");
      f.factor = *v;
    } else if (tok.rfind("p=", 0) == 0 || tok.rfind("partition=", 0) == 0) {
      auto v = parse_uint(std::string_view(tok).substr(tok.find('=') + 1));
      if (!v) return bad(where + ": bad partition '" + tok + "'");
      f.partition = PartitionId{*v};
    } else if (f.kind == FaultKind::loss && (tok.rfind("loss=", 0) == 0 || parse_number(tok) ||
                                             (tok.back() == '%' && parse_number(tok.substr(0, tok.size() - 1))))) {
      std::string v = tok.rfind("loss=", 0) == 0 ? tok.substr(5) : tok;
      bool pct = !v.empty() && v.back() == '%';
      auto n = parse_number(pct ? v.substr(0, v.size() - 1) : v);
      if (!n) return bad(where + ": bad loss '" + tok + "' (e.g. 0.1 or 10%)");
      f.loss = pct ? *n / 100 : *n;
    } else if (auto d = parse_duration_s(tok.rfind("delay=", 0) == 0 ? tok.substr(6) : tok, true)) {
      if (f.kind != FaultKind::slow_link) return not_for("delay");
      f.delay_ms = *d * 1e3;
    } else {
      // A target, with an optional -in/-out suffix for asymmetric partitions.
      std::string t = tok;
      for (const char* suffix : {"-out", "-in"}) {
        std::string sfx(suffix);
        if (t.size() > sfx.size() && t.compare(t.size() - sfx.size(), sfx.size(), sfx) == 0) {
          if (!(f.kind == FaultKind::partition && f.shape == PartitionShape::asymmetric)) return not_for("direction");
          f.direction = sfx == "-in" ? Direction::in : Direction::out;
          t.resize(t.size() - sfx.size());
        }
      }
      auto target = parse_target(t);
      if (!target.ok()) return bad(where + ": " + target.error().message);
      if (target_given) return bad(where + ": second target '" + tok + "'");
      f.target = *target;
      target_given = true;
    }
  }
  if (f.kind == FaultKind::partition && !shape_given)
    return bad(where + ": partition needs a shape (halves, isolate, asymmetric, bridge, majorities-ring)");
  if (auto s = finish(f, target_given, where); !s.ok()) return s.error();
  return f;
}

Result<FaultSpec> parse_fault_json(const nlohmann::json& j) {
  std::string where = "fault " + j.dump();
  if (!j.is_object()) return bad(where + ": must be an object");
  FaultSpec f;
  f.text = j.dump();
  auto number = [&](const char* key, double& out) -> Status {
    if (!j.contains(key)) return {};
    if (!j[key].is_number()) return bad(where + ": '" + key + "' must be a number");
    out = j[key].get<double>();
    return {};
  };
  auto boolean = [&](const char* key, bool& out) -> Status {
    if (!j.contains(key)) return {};
    if (!j[key].is_boolean()) return bad(where + ": '" + key + "' must be true or false");
    out = j[key].get<bool>();
    return {};
  };
  static const char* known[] = {"kind", "at",     "heal",          "duration",  "target",
                                "node", "nodes",  "shape",         "direction", "delay_ms",
                                "loss", "factor", "lose_unsynced", "clients",   "partition"};
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (std::none_of(std::begin(known), std::end(known), [&](const char* k) { return it.key() == k; }))
      return bad(where + ": unknown key '" + it.key() + "'");
  }
  if (!j.contains("kind") || !j["kind"].is_string()) return bad(where + ": 'kind' (a string) is required");
  std::string kind = normalise(j["kind"].get<std::string>());
  const KindName* kn = nullptr;
  for (const auto& k : kKinds)
    if (kind == k.name) kn = &k;
  if (!kn) return bad(where + ": unknown kind '" + kind + "' (" + kKindList + ")");
  f.kind = kn->kind;
  if (kn->shape) f.shape = *kn->shape;
  if (j.contains("shape")) {
    if (!j["shape"].is_string()) return bad(where + ": 'shape' must be a string");
    auto sh = shape_from(normalise(j["shape"].get<std::string>()));
    if (!sh || f.kind != FaultKind::partition)
      return bad(where + ": bad shape (partition shapes: halves, isolate, asymmetric, bridge, majorities-ring)");
    f.shape = *sh;
  } else if (f.kind == FaultKind::partition && !kn->shape) {
    return bad(where + ": partition needs 'shape' (halves, isolate, asymmetric, bridge, majorities-ring)");
  }
  if (!j.contains("at")) return bad(where + ": 'at' (start, seconds) is required");
  for (auto s : {number("at", f.start_s), number("delay_ms", f.delay_ms), number("loss", f.loss),
                 number("factor", f.factor), boolean("lose_unsynced", f.lose_unsynced), boolean("clients", f.clients)})
    if (!s.ok()) return s.error();
  if (j.contains("heal") && j.contains("duration")) return bad(where + ": give 'heal' or 'duration', not both");
  double t = 0;
  if (j.contains("heal")) {
    if (auto s = number("heal", t); !s.ok()) return s.error();
    f.heal_s = t;
  }
  if (j.contains("duration")) {
    if (auto s = number("duration", t); !s.ok()) return s.error();
    if (t <= 0) return bad(where + ": 'duration' must be > 0");
    f.heal_s = f.start_s + t;
  }
  if (j.contains("direction")) {
    std::string d = j["direction"].is_string() ? j["direction"].get<std::string>() : "";
    if (d != "in" && d != "out") return bad(where + ": 'direction' must be \"in\" or \"out\"");
    f.direction = d == "in" ? Direction::in : Direction::out;
  }
  if (j.contains("partition")) {
    if (!j["partition"].is_number_unsigned()) return bad(where + ": 'partition' must be a partition id");
    f.partition = PartitionId{j["partition"].get<uint32_t>()};
  }
  int given = j.contains("target") + j.contains("node") + j.contains("nodes");
  if (given > 1) return bad(where + ": give one of 'target', 'node', 'nodes'");
  if (j.contains("target")) {
    if (!j["target"].is_string()) return bad(where + ": 'target' must be a string (" + kTargetList + ")");
    auto t = parse_target(normalise(j["target"].get<std::string>()));
    if (!t.ok()) return bad(where + ": " + t.error().message);
    f.target = *t;
  } else if (j.contains("node")) {
    if (!j["node"].is_number_unsigned()) return bad(where + ": 'node' must be a node id");
    f.target = Target{TargetKind::nodes, {NodeId{j["node"].get<uint32_t>()}}};
  } else if (j.contains("nodes")) {
    if (!j["nodes"].is_array() || j["nodes"].empty()) return bad(where + ": 'nodes' must be a list of node ids");
    f.target.kind = TargetKind::nodes;
    for (const auto& n : j["nodes"]) {
      if (!n.is_number_unsigned()) return bad(where + ": 'nodes' must be a list of node ids");
      f.target.nodes.push_back(NodeId{n.get<uint32_t>()});
    }
  }
  if (auto s = finish(f, given > 0, where); !s.ok()) return s.error();
  return f;
}

Result<std::vector<FaultSpec>> parse_faults(const nlohmann::json& workload_faults,
                                            const std::vector<nlohmann::json>& objects,
                                            const std::vector<std::string>& strings) {
  std::vector<FaultSpec> out;
  if (!workload_faults.is_null()) {
    if (!workload_faults.is_array()) return bad("workload 'faults' must be a list of fault objects");
    for (const auto& j : workload_faults) {
      auto f = parse_fault_json(j);
      if (!f.ok()) return f.error();
      out.push_back(std::move(*f));
    }
  }
  for (const auto& j : objects) {
    auto f = parse_fault_json(j);
    if (!f.ok()) return f.error();
    out.push_back(std::move(*f));
  }
  for (const auto& s : strings) {
    auto f = parse_fault_string(s);
    if (!f.ok()) return f.error();
    out.push_back(std::move(*f));
  }
  return out;
}

Status check_faults(const std::vector<FaultSpec>& faults, uint32_t nodes, uint32_t partitions) {
  for (const auto& f : faults) {
    for (NodeId n : f.target.nodes)
      if (n.value() >= nodes)
        return bad("fault '" + f.text + "': node " + to_string(n) + " does not exist (the cluster has " +
                   std::to_string(nodes) + " nodes, 0.." + std::to_string(nodes - 1) + ")");
    if (f.partition && f.partition->value() >= partitions)
      return bad("fault '" + f.text + "': partition " + to_string(*f.partition) + " does not exist");
  }
  return {};
}

nlohmann::json to_json(const FaultSpec& f) {
  nlohmann::json j = {{"kind", std::string(to_string(f.kind))}, {"at", f.start_s}};
  if (f.heal_s) j["heal"] = *f.heal_s;
  if (f.kind == FaultKind::partition) j["shape"] = std::string(to_string(f.shape));
  if (f.kind == FaultKind::partition && f.shape == PartitionShape::asymmetric)
    j["direction"] = f.direction == Direction::in ? "in" : "out";
  if (f.target.kind != TargetKind::none) j["target"] = describe_target(f.target);
  if (f.kind == FaultKind::slow_link) j["delay_ms"] = f.delay_ms;
  if (f.kind == FaultKind::loss) j["loss"] = f.loss;
  if (f.kind == FaultKind::slow_disk) j["factor"] = f.factor;
  if (f.lose_unsynced) j["lose_unsynced"] = true;
  if (f.clients) j["clients"] = true;
  if (f.partition) j["partition"] = f.partition->value();
  return j;
}

}  // namespace rb::nemesis
