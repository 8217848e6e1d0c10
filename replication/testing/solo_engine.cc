#include "replication/testing/solo_engine.h"

namespace rb::testing {

SoloEngine::SoloEngine(const EngineContext& ctx) : ctx_(ctx), log_(ctx.log) {
  durable_ = ctx.log->log_end();
  commit_ = std::min(ctx.restored.commit, durable_);
}

void SoloEngine::propose(ProposeRequest req) {
  Offset base = log_.log_end();
  for (auto& e : req.entries) {
    e.offset = log_.log_end();
    e.epoch = Epoch{1};
    log_.append(std::move(e));
  }
  Completion c{req.id, errc::ok, base, kNoNode, Epoch{1}, {}};
  if (req.ack == AckLevel::none) {
    ready_.completions.push_back(c);
  } else {
    waiting_.emplace_back(log_.log_end(), c);
  }
}

void SoloEngine::persisted(Offset end) {
  durable_ = std::max(durable_, end);
  if (durable_ > commit_) {
    commit_ = durable_;
    ready_.commit = commit_;
    ready_.hard_state = HardState{Epoch{1}, ctx_.self, commit_, {ctx_.self}, {}, {}};
  }
  std::erase_if(waiting_, [&](auto& w) {
    if (w.first > durable_) return false;
    ready_.completions.push_back(w.second);
    return true;
  });
}

Status SoloEngine::admin(const AdminCommand& cmd) {
  if (cmd.kind == AdminCommand::Kind::compact && cmd.offset <= commit_) {
    log_.truncate_prefix(std::max(cmd.offset, log_.log_start()));
    return {};
  }
  return make_error(errc::unsupported, "solo engine supports only compact");
}

Ready SoloEngine::take_ready() {
  Ready r = std::move(ready_);
  ready_ = Ready{};
  log_.take_writes(r);
  return r;
}

EngineStatus SoloEngine::status() const {
  EngineStatus s;
  s.role = Role::leader;
  s.leader = ctx_.self;
  s.epoch = Epoch{1};
  s.commit = commit_;
  s.log_start = log_.log_start();
  s.log_end = log_.log_end();
  s.durable_end = durable_;
  s.members = {ctx_.self};
  return s;
}

}  // namespace rb::testing
