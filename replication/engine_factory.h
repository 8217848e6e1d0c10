#pragma once
// How the harness finds, configures and creates engines without knowing their types. Each engine
// folder provides one factory; the harness registry maps `--mode` to it. Engine-specific knobs
// arrive as key/value strings from `--set` (parsed here, at the edge of the engine) and are
// printed back in every result through settings().
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "replication/engine.h"

namespace rb {

class EngineFactory {
 public:
  virtual ~EngineFactory() = default;

  // The `--mode` name: "masterslave", "raft", "isr" or "gm".
  virtual std::string_view mode() const = 0;

  // Sets one engine-specific knob. Unknown key or bad value: invalid_config naming both.
  virtual Status set(std::string_view key, std::string_view value) = 0;
  // Every engine-specific knob and its current value, in a stable order.
  virtual std::vector<std::pair<std::string, std::string>> settings() const = 0;
  // Checks the engine knobs together with the shared ones (e.g. acks=all with an async slave is
  // impossible). Called once before any engine is created.
  virtual Status validate(const ReplicationConfig& common) const = 0;
  // Shared knobs that do not apply to this protocol under `common`, each with the reason; results
  // print them so a reader knows a knob was not silently ignored.
  virtual std::vector<std::string> not_applicable(const ReplicationConfig& common) const { return {}; }
  // True when this mode needs the coordinator (metadata service).
  virtual bool uses_coordinator() const { return false; }

  virtual std::unique_ptr<Engine> create(const EngineContext& ctx) const = 0;
  virtual std::unique_ptr<EngineFactory> clone() const = 0;
};

}  // namespace rb
