#pragma once
// Cluster configurations and their history in the log.
//
// A configuration is a set of voters (members) and non-voting learners. It changes only through
// EntryKind::config entries, one server at a time (Raft thesis section 4.1), and a server uses
// the latest configuration in its log whether or not it is committed ("effective on append").
// Truncating the log therefore can revert the configuration, which is why the engine keeps the
// history of configuration entries still in its log (ConfigHistory).
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "replication/core/ids.h"
#include "replication/core/result.h"

namespace rb::raft {

struct Config {
  std::vector<NodeId> members;   // voters, sorted
  std::vector<NodeId> learners;  // non-voters, sorted, disjoint from members

  bool is_voter(NodeId n) const;
  bool is_learner(NodeId n) const;
  bool contains(NodeId n) const { return is_voter(n) || is_learner(n); }
  // Every node that receives replication: members then learners.
  std::vector<NodeId> all() const;
  void normalize();  // sorts and de-duplicates; a node in both lists stays a voter only
  bool operator==(const Config&) const = default;
};

// Payload of a config entry: "m=1,2,3;l=4". Also used in HardState::extra.
std::string encode_config(const Config& c);
Result<Config> decode_config(std::string_view s);
std::string describe(const Config& c);  // "members=[1,2,3] learners=[4]"

// The configurations defined by the log: `base` applies to every offset below `base_end`; each
// change (offset of a config entry, config) applies from its offset on. Changes are sorted.
class ConfigHistory {
 public:
  ConfigHistory() = default;
  ConfigHistory(Config base, Offset base_end) : base_(std::move(base)), base_end_(base_end) {}

  const Config& current() const { return changes_.empty() ? base_ : changes_.back().second; }
  // The configuration in effect for the record at offset o.
  const Config& at(Offset o) const;
  // Offset of the latest config entry, or -1 when the base is current.
  Offset latest_change() const { return changes_.empty() ? Offset{-1} : changes_.back().first; }

  void add(Offset o, Config c);
  // The log was cut at `end` (records >= end dropped): forget their changes.
  void truncate(Offset end);
  // Records below `start` are gone (compaction): fold older changes into the base.
  void compact(Offset start);
  // Replaces everything (snapshot install, forced reset).
  void reset(Config base, Offset base_end);

  const Config& base() const { return base_; }
  Offset base_end() const { return base_end_; }

 private:
  Config base_;
  Offset base_end_{0};
  std::vector<std::pair<Offset, Config>> changes_;
};

// HardState::extra: "<base_end>|<encoded base config>".
std::string encode_base(const ConfigHistory& h);
std::optional<std::pair<Offset, Config>> decode_base(std::string_view s);

}  // namespace rb::raft
