#pragma once
// The `--mode` registry: maps a mode name to its engine factory. A mode whose engine is not part
// of this build says so clearly instead of failing obscurely.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "replication/engine_factory.h"

namespace rb::harness {

// The four modes, in the order reports list them.
const std::vector<std::string>& all_modes();
// The factory for `mode`; invalid_config naming the valid modes for an unknown name, unsupported
// when the mode exists but its engine is not built in.
Result<std::unique_ptr<EngineFactory>> make_mode(std::string_view mode);

}  // namespace rb::harness
