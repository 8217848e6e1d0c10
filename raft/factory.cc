#include "raft/factory.h"

#include <charconv>
#include <string>

#include "raft/raft_config.h"
#include "raft/raft_engine.h"

namespace rb::raft {

namespace {

template <class T>
Status parse_uint(std::string_view key, std::string_view v, T& out) {
  T x{};
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
  if (ec != std::errc() || p != v.data() + v.size())
    return make_error(errc::invalid_config,
                      "raft: " + std::string(key) + " wants an unsigned integer, got '" + std::string(v) + "'");
  out = x;
  return {};
}

Status parse_bool(std::string_view key, std::string_view v, bool& out) {
  if (v == "true" || v == "1" || v == "on") {
    out = true;
  } else if (v == "false" || v == "0" || v == "off") {
    out = false;
  } else {
    return make_error(errc::invalid_config,
                      "raft: " + std::string(key) + " wants true|false, got '" + std::string(v) + "'");
  }
  return {};
}

class RaftFactory final : public EngineFactory {
 public:
  std::string_view mode() const override { return "raft"; }

  Status set(std::string_view key, std::string_view value) override {
    if (key == "election_ticks") return parse_uint(key, value, cfg_.election_ticks);
    if (key == "heartbeat_ticks") return parse_uint(key, value, cfg_.heartbeat_ticks);
    if (key == "pre_vote") return parse_bool(key, value, cfg_.pre_vote);
    if (key == "check_quorum") return parse_bool(key, value, cfg_.check_quorum);
    if (key == "max_inflight_msgs") return parse_uint(key, value, cfg_.max_inflight_msgs);
    if (key == "max_inflight_bytes") return parse_uint(key, value, cfg_.max_inflight_bytes);
    if (key == "learner_promote_lag") return parse_uint(key, value, cfg_.learner_promote_lag);
    if (key == "auto_promote_learners") return parse_bool(key, value, cfg_.auto_promote_learners);
    if (key == "fixed_election_timeout") return parse_uint(key, value, cfg_.fixed_election_timeout);
    return make_error(errc::invalid_config,
                      "raft: unknown knob '" + std::string(key) + "' (value '" + std::string(value) + "')");
  }

  std::vector<std::pair<std::string, std::string>> settings() const override {
    auto b = [](bool v) { return std::string(v ? "true" : "false"); };
    return {{"election_ticks", std::to_string(cfg_.election_ticks)},
            {"heartbeat_ticks", std::to_string(cfg_.heartbeat_ticks)},
            {"pre_vote", b(cfg_.pre_vote)},
            {"check_quorum", b(cfg_.check_quorum)},
            {"max_inflight_msgs", std::to_string(cfg_.max_inflight_msgs)},
            {"max_inflight_bytes", std::to_string(cfg_.max_inflight_bytes)},
            {"learner_promote_lag", std::to_string(cfg_.learner_promote_lag)},
            {"auto_promote_learners", b(cfg_.auto_promote_learners)},
            {"fixed_election_timeout", std::to_string(cfg_.fixed_election_timeout)}};
  }

  Status validate(const ReplicationConfig& common) const override {
    if (auto s = common.validate(); !s.ok()) return s;
    return cfg_.with_common(common).validate();
  }

  std::vector<std::string> not_applicable(const ReplicationConfig& common) const override {
    std::vector<std::string> out;
    if (common.acks == AckLevel::all)
      out.push_back("acks=all: Raft acknowledges on commit by a majority of voters; all = quorum for Raft");
    out.push_back("min_insync: Raft always needs a majority of voters (replicas/2+1), not min_insync");
    if (common.fsync.mode != FsyncMode::always)
      out.push_back("fsync=" + common.fsync.describe() +
                    ": Raft assumes votes and acknowledged entries are on disk; without fdatasync per batch a "
                    "crash of a majority can lose committed entries");
    return out;
  }

  std::unique_ptr<Engine> create(const EngineContext& ctx) const override {
    return std::make_unique<RaftEngine>(ctx, cfg_.with_common(ctx.common));
  }

  std::unique_ptr<EngineFactory> clone() const override { return std::make_unique<RaftFactory>(*this); }

 private:
  RaftConfig cfg_;
};

}  // namespace

std::unique_ptr<rb::EngineFactory> make_factory() { return std::make_unique<RaftFactory>(); }

}  // namespace rb::raft
