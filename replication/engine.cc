#include "replication/engine.h"

namespace rb {

std::string_view to_string(Role r) {
  switch (r) {
    case Role::follower:
      return "follower";
    case Role::pre_candidate:
      return "pre_candidate";
    case Role::candidate:
      return "candidate";
    case Role::leader:
      return "leader";
    case Role::learner:
      return "learner";
    case Role::stopped:
      return "stopped";
  }
  return "?";
}

std::string_view to_string(Event::Kind k) {
  switch (k) {
    case Event::Kind::role_changed:
      return "role_changed";
    case Event::Kind::leader_changed:
      return "leader_changed";
    case Event::Kind::epoch_changed:
      return "epoch_changed";
    case Event::Kind::members_changed:
      return "members_changed";
    case Event::Kind::isr_changed:
      return "isr_changed";
    case Event::Kind::view_changed:
      return "view_changed";
    case Event::Kind::election_started:
      return "election_started";
    case Event::Kind::snapshot_sent:
      return "snapshot_sent";
    case Event::Kind::snapshot_installed:
      return "snapshot_installed";
    case Event::Kind::truncated:
      return "truncated";
    case Event::Kind::failover:
      return "failover";
    case Event::Kind::blocked:
      return "blocked";
    case Event::Kind::unblocked:
      return "unblocked";
    case Event::Kind::data_loss:
      return "data_loss";
  }
  return "?";
}

}  // namespace rb
