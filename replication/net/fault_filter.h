#pragma once
// Network fault injection inside the transport, per (peer, direction): drop everything (a cut
// link), drop each message with probability p (seeded, so a run replays), delay by d ms. The
// harness's nemesis sets rules through the admin RPC; tests set them directly.
//
// The filter only decides; the transport carries out the verdict (drops the message or holds it
// on a timer). Rules are per message: a dropped message never reaches the peer link or engine.
#include <map>
#include <utility>

#include "replication/core/prng.h"
#include "replication/wire/admin.h"

namespace rb::net {

class FaultFilter {
 public:
  explicit FaultFilter(uint64_t seed) : prng_(Prng::substream(seed, "net.fault_filter")) {}

  // Replaces the rule of (peer, direction); an empty rule clears it. RB_ASSERTs rule.validate().
  void set(NodeId peer, wire::Direction d, const wire::FaultRule& rule);
  void clear(NodeId peer, wire::Direction d) { rules_.erase({peer, d}); }
  void clear_all() { rules_.clear(); }
  // Applies an admin fault request (SetFault, ClearFault, ClearAllFaults); other bodies are
  // unsupported.
  Status apply(const wire::AdminBody& body);

  // The rule in force, or nullptr.
  const wire::FaultRule* rule(NodeId peer, wire::Direction d) const;

  struct Verdict {
    bool drop = false;
    uint32_t delay_ms = 0;
  };
  // Decides the fate of one message and counts it.
  Verdict decide(NodeId peer, wire::Direction d);

  struct Counters {
    uint64_t dropped = 0;
    uint64_t delayed = 0;
  };
  Counters counters(NodeId peer, wire::Direction d) const;

 private:
  using Key = std::pair<NodeId, wire::Direction>;
  Prng prng_;
  std::map<Key, wire::FaultRule> rules_;
  std::map<Key, Counters> counters_;
};

}  // namespace rb::net
