#include "harness/cli/modes.h"

#ifdef RB_HAVE_MASTERSLAVE
#include "masterslave/factory.h"
#endif
#ifdef RB_HAVE_RAFT
#include "raft/factory.h"
#endif
#ifdef RB_HAVE_ISR
#include "isr/factory.h"
#endif
#ifdef RB_HAVE_GM
#include "gm_ring/factory.h"
#endif

namespace rb::harness {

const std::vector<std::string>& all_modes() {
  static const std::vector<std::string> modes{"masterslave", "raft", "isr", "gm"};
  return modes;
}

Result<std::unique_ptr<EngineFactory>> make_mode(std::string_view mode) {
  std::unique_ptr<EngineFactory> f;
#ifdef RB_HAVE_MASTERSLAVE
  if (mode == "masterslave") f = rb::masterslave::make_factory();
#endif
#ifdef RB_HAVE_RAFT
  if (mode == "raft") f = rb::raft::make_factory();
#endif
#ifdef RB_HAVE_ISR
  if (mode == "isr") f = rb::isr::make_factory();
#endif
#ifdef RB_HAVE_GM
  if (mode == "gm") f = rb::gm::make_factory();
#endif
  if (f) return f;
  for (const auto& m : all_modes()) {
    if (m == mode) {
      return make_error(errc::unsupported, "mode '" + std::string(mode) + "' is not built into this replbench yet");
    }
  }
  return make_error(errc::invalid_config,
                    "unknown mode '" + std::string(mode) + "'; expected one of masterslave, raft, isr, gm");
}

}  // namespace rb::harness
