#include "harness/nemesis/nemesis.h"

#include <algorithm>
#include <cmath>

namespace rb::nemesis {

std::string_view to_string(FaultStatus s) {
  switch (s) {
    case FaultStatus::pending:
      return "pending";
    case FaultStatus::active:
      return "active";
    case FaultStatus::healed:
      return "healed";
    case FaultStatus::healed_final:
      return "healed_at_end";
    case FaultStatus::done:
      return "done";
    case FaultStatus::skipped:
      return "skipped";
    case FaultStatus::error:
      return "error";
    case FaultStatus::not_started:
      return "not_started";
  }
  return "?";
}

Nemesis::Nemesis(ClusterApi& cluster, std::vector<FaultSpec> faults, uint64_t seed, PartitionId focus)
    : cluster_(cluster), faults_(std::move(faults)), seed_(seed), focus_(focus) {
  records_.resize(faults_.size());
  for (size_t i = 0; i < faults_.size(); ++i) {
    records_[i].spec = faults_[i].text.empty() ? rb::nemesis::to_json(faults_[i]).dump() : faults_[i].text;
    records_[i].kind = faults_[i].kind;
  }
}

Nemesis::~Nemesis() = default;

void Nemesis::start(int64_t t0_ns) {
  RB_ASSERT(!started_);
  started_ = true;
  std::weak_ptr<int> token = alive_;
  for (size_t i = 0; i < faults_.size(); ++i) {
    auto at = [&](double s) {
      return std::max(cluster_.now_ns(), t0_ns + static_cast<int64_t>(std::llround(s * 1e9)));
    };
    cluster_.schedule(at(faults_[i].start_s), [this, token, i] {
      if (!token.expired()) begin(i);
    });
    if (faults_[i].heal_s)
      cluster_.schedule(at(*faults_[i].heal_s), [this, token, i] {
        if (!token.expired()) end(i, false);
      });
  }
}

PartitionId Nemesis::focus_of(size_t i) const { return faults_[i].partition.value_or(focus_); }

bool Nemesis::already_changed(size_t i, FaultKind kind, NodeId n) const {
  for (size_t j = 0; j < records_.size(); ++j) {
    const FaultRecord& r = records_[j];
    if (j == i || faults_[j].kind != kind || focus_of(j) != focus_of(i)) continue;
    if (r.status != FaultStatus::active && r.status != FaultStatus::done) continue;
    if (std::find(r.targets.begin(), r.targets.end(), n) != r.targets.end()) return true;
  }
  return false;
}

std::vector<NodeId> Nemesis::resolve(size_t i, std::string& why) {
  const FaultSpec& f = faults_[i];
  const PartitionId p = focus_of(i);
  Prng rng = Prng::substream(seed_, "nemesis/" + std::to_string(i));
  const std::string ps = "partition " + to_string(p);
  auto pick = [&](std::vector<NodeId> from, size_t k) {
    from = shuffled(std::move(from), rng);
    from.resize(std::min(k, from.size()));
    std::sort(from.begin(), from.end());
    return from;
  };
  switch (f.target.kind) {
    case TargetKind::none:
      return cluster_.nodes();
    case TargetKind::nodes:
      return f.target.nodes;
    case TargetKind::all:
      return cluster_.nodes();
    case TargetKind::random:
      return pick(cluster_.nodes(), 1);
    case TargetKind::killed:
      if (killed_.empty()) why = "no node killed by this nemesis is down";
      return {killed_.begin(), killed_.end()};
    case TargetKind::leader: {
      auto l = cluster_.leader_of(p);
      if (!l) {
        why = "no leader of " + ps;
        return {};
      }
      return {*l};
    }
    case TargetKind::follower: {
      auto l = cluster_.leader_of(p);
      std::vector<NodeId> up, any;
      for (NodeId n : cluster_.replicas(p)) {
        if (l && n == *l) continue;
        if (f.kind == FaultKind::remove_node && already_changed(i, FaultKind::remove_node, n)) continue;
        any.push_back(n);
        if (cluster_.is_up(n) && !paused_.count(n)) up.push_back(n);
      }
      if (any.empty()) why = "no follower of " + ps;
      return pick(up.empty() ? any : up, 1);
    }
    case TargetKind::minority:
    case TargetKind::majority: {
      auto r = cluster_.replicas(p);
      size_t k = f.target.kind == TargetKind::minority ? (r.size() - 1) / 2 : r.size() / 2 + 1;
      if (k == 0) why = ps + " has " + std::to_string(r.size()) + " replica(s): no minority";
      return pick(r, k);
    }
    case TargetKind::spare: {
      auto r = cluster_.replicas(p);
      std::vector<NodeId> spare;
      for (NodeId n : cluster_.nodes()) {
        if (std::find(r.begin(), r.end(), n) != r.end()) continue;
        if (!already_changed(i, FaultKind::add_node, n)) spare.push_back(n);
      }
      if (spare.empty()) why = "no spare node outside the replicas of " + ps + " (set nodes > replicas)";
      return pick(spare, 1);
    }
  }
  return {};
}

std::vector<NodeId> Nemesis::nodes_and_clients(bool clients) const {
  auto all = cluster_.nodes();
  if (clients) all.push_back(kClientEndpoint);
  return all;
}

void Nemesis::fail(size_t i, FaultStatus st, std::string why) {
  records_[i].status = st;
  if (!records_[i].error.empty()) records_[i].error += "; ";
  records_[i].error += why;
}

void Nemesis::add_link(size_t i, NodeId from, NodeId to, LinkFault f) {
  if (from == to) return;
  links_[{from.value(), to.value()}][i] = f;
  apply_link({from.value(), to.value()});
}

void Nemesis::apply_link(std::pair<uint32_t, uint32_t> link) {
  LinkFault sum;
  double keep = 1;
  auto it = links_.find(link);
  if (it != links_.end()) {
    for (const auto& [i, f] : it->second) {
      sum.cut |= f.cut;
      sum.delay_ns += f.delay_ns;
      keep *= 1 - f.loss;
    }
    if (it->second.empty()) links_.erase(it);
  }
  sum.loss = 1 - keep;
  (void)cluster_.set_link(NodeId{link.first}, NodeId{link.second}, sum);
}

void Nemesis::apply_disk(NodeId n) {
  double factor = 1;
  auto it = disks_.find(n.value());
  if (it != disks_.end()) {
    for (const auto& [i, f] : it->second) factor *= f;
    if (it->second.empty()) disks_.erase(it);
  }
  (void)cluster_.set_disk_slowdown(n, factor);
}

Status Nemesis::admin_on_leader(size_t i, AdminCommand::Kind kind, NodeId node) {
  const PartitionId p = focus_of(i);
  auto leader = cluster_.leader_of(p);
  if (!leader) return make_error(errc::unavailable, "no leader of partition " + to_string(p));
  AdminCommand cmd;
  cmd.kind = kind;
  cmd.node = node;
  return cluster_.admin(*leader, p, cmd);
}

void Nemesis::begin(size_t i) {
  if (finished_) return;
  const FaultSpec& f = faults_[i];
  FaultRecord& rec = records_[i];
  rec.start_ns = cluster_.now_ns();
  std::string why;
  rec.targets = resolve(i, why);
  if (rec.targets.empty()) return fail(i, FaultStatus::skipped, why.empty() ? "no target" : why);

  std::vector<std::string> errors;
  auto note = [&](const Status& s, const std::string& what) {
    if (!s.ok()) errors.push_back(what + ": " + s.error().describe());
  };
  bool lasting = true;  // stays active until healed
  switch (f.kind) {
    case FaultKind::kill:
      for (NodeId n : rec.targets) {
        note(cluster_.kill(n, f.lose_unsynced), "kill " + to_string(n));
        killed_.insert(n);
        paused_.erase(n);
      }
      break;
    case FaultKind::restart:
      lasting = false;
      for (NodeId n : rec.targets) {
        note(cluster_.restart(n), "restart " + to_string(n));
        killed_.erase(n);
      }
      break;
    case FaultKind::pause:
      for (NodeId n : rec.targets) {
        note(cluster_.pause(n), "pause " + to_string(n));
        paused_.insert(n);
      }
      break;
    case FaultKind::partition: {
      Prng rng = Prng::substream(seed_, "nemesis/shape/" + std::to_string(i));
      auto nodes = cluster_.nodes();
      auto with_clients = nodes_and_clients(f.clients);
      switch (f.shape) {
        case PartitionShape::halves:
          rec.cuts = halves_cuts(nodes, rng);
          break;
        case PartitionShape::bridge:
          rec.cuts = bridge_cuts(nodes, rng);
          break;
        case PartitionShape::majorities_ring:
          rec.cuts = majorities_ring_cuts(nodes, rng);
          break;
        case PartitionShape::isolate:
          rec.cuts = isolate_cuts(rec.targets, with_clients);
          break;
        case PartitionShape::asymmetric:
          rec.cuts = asymmetric_cuts(rec.targets, with_clients, f.direction == Direction::out);
          break;
      }
      for (const auto& [from, to] : rec.cuts) add_link(i, from, to, LinkFault{true, 0, 0});
      break;
    }
    case FaultKind::slow_link:
    case FaultKind::loss: {
      LinkFault lf;
      if (f.kind == FaultKind::slow_link) lf.delay_ns = static_cast<int64_t>(std::llround(f.delay_ms * 1e6));
      if (f.kind == FaultKind::loss) lf.loss = f.loss;
      for (NodeId t : rec.targets)
        for (NodeId o : nodes_and_clients(f.clients)) {
          add_link(i, t, o, lf);
          add_link(i, o, t, lf);
        }
      break;
    }
    case FaultKind::slow_disk:
      for (NodeId n : rec.targets) {
        disks_[n.value()][i] = f.factor;
        apply_disk(n);
      }
      break;
    case FaultKind::add_node:
    case FaultKind::remove_node:
      lasting = f.heal_s.has_value();
      for (NodeId n : rec.targets)
        note(
            admin_on_leader(
                i, f.kind == FaultKind::add_node ? AdminCommand::Kind::add_replica : AdminCommand::Kind::remove_replica,
                n),
            std::string(f.kind == FaultKind::add_node ? "add_replica " : "remove_replica ") + to_string(n));
      break;
    case FaultKind::transfer_leader:
      lasting = false;
      rec.targets.resize(1);
      note(admin_on_leader(i, AdminCommand::Kind::transfer_leader, rec.targets[0]),
           "transfer_leader to " + to_string(rec.targets[0]));
      break;
  }
  rec.status = lasting ? FaultStatus::active : FaultStatus::done;
  for (const auto& e : errors) fail(i, FaultStatus::error, e);
  // A membership change the engine refused has nothing to undo.
  if (!errors.empty() && (f.kind == FaultKind::add_node || f.kind == FaultKind::remove_node)) rec.end_ns = -1;
}

void Nemesis::end(size_t i, bool final) {
  if (finished_ && !final) return;
  const FaultSpec& f = faults_[i];
  FaultRecord& rec = records_[i];
  if (rec.status != FaultStatus::active) return;
  std::vector<std::string> errors;
  auto note = [&](const Status& s, const std::string& what) {
    if (!s.ok()) errors.push_back("heal: " + what + ": " + s.error().describe());
  };
  switch (f.kind) {
    case FaultKind::kill:
      for (NodeId n : rec.targets)
        if (killed_.erase(n)) note(cluster_.restart(n), "restart " + to_string(n));
      break;
    case FaultKind::pause:
      for (NodeId n : rec.targets)
        if (paused_.erase(n)) note(cluster_.resume(n), "resume " + to_string(n));
      break;
    case FaultKind::partition:
    case FaultKind::slow_link:
    case FaultKind::loss: {
      std::vector<std::pair<uint32_t, uint32_t>> touched;
      for (auto& [link, parts] : links_)
        if (parts.erase(i)) touched.push_back(link);
      for (auto link : touched) apply_link(link);
      break;
    }
    case FaultKind::slow_disk:
      for (NodeId n : rec.targets) {
        disks_[n.value()].erase(i);
        apply_disk(n);
      }
      break;
    case FaultKind::add_node:
    case FaultKind::remove_node:
      for (NodeId n : rec.targets)
        note(
            admin_on_leader(
                i, f.kind == FaultKind::add_node ? AdminCommand::Kind::remove_replica : AdminCommand::Kind::add_replica,
                n),
            std::string(f.kind == FaultKind::add_node ? "remove_replica " : "add_replica ") + to_string(n));
      break;
    case FaultKind::restart:
    case FaultKind::transfer_leader:
      break;
  }
  rec.end_ns = cluster_.now_ns();
  rec.status = final ? FaultStatus::healed_final : FaultStatus::healed;
  for (const auto& e : errors) fail(i, FaultStatus::error, e);
}

void Nemesis::heal_all() {
  for (size_t i = 0; i < records_.size(); ++i) {
    if (records_[i].status == FaultStatus::active) end(i, true);
    if (records_[i].status == FaultStatus::pending) records_[i].status = FaultStatus::not_started;
  }
  finished_ = true;
  // Whatever is left (overlapping faults on one node, a heal that failed) is undone here too.
  for (NodeId n : paused_) (void)cluster_.resume(n);
  paused_.clear();
  for (NodeId n : killed_) (void)cluster_.restart(n);
  killed_.clear();
  for (auto& [n, parts] : disks_) (void)cluster_.set_disk_slowdown(NodeId{n}, 1.0);
  disks_.clear();
  if (!links_.empty()) (void)cluster_.heal_links();
  links_.clear();
}

nlohmann::json Nemesis::to_json() const {
  auto id = [](NodeId n) -> nlohmann::json {
    if (n == kClientEndpoint) return "clients";
    return n.value();
  };
  nlohmann::json out = nlohmann::json::array();
  for (size_t i = 0; i < records_.size(); ++i) {
    const FaultRecord& r = records_[i];
    const FaultSpec& f = faults_[i];
    nlohmann::json targets = nlohmann::json::array();
    for (NodeId n : r.targets) targets.push_back(id(n));
    nlohmann::json j = {{"spec", r.spec},
                        {"kind", std::string(to_string(r.kind))},
                        {"fault", rb::nemesis::to_json(f)},
                        {"at_s", f.start_s},
                        {"heal_s", f.heal_s ? nlohmann::json(*f.heal_s) : nlohmann::json(nullptr)},
                        {"targets", targets},
                        {"start_ns", r.start_ns},
                        {"end_ns", r.end_ns},
                        {"status", std::string(to_string(r.status))}};
    if (f.kind == FaultKind::partition) {
      nlohmann::json cuts = nlohmann::json::array();
      for (const auto& [a, b] : r.cuts) cuts.push_back({id(a), id(b)});
      j["cuts"] = cuts;
    }
    if (!r.error.empty()) j["error"] = r.error;
    out.push_back(std::move(j));
  }
  return out;
}

}  // namespace rb::nemesis
