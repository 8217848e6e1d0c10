// replbench: the command line. One subcommand per job; every usage error is one clear line on
// stderr and exit code 2. Exit code 1 means the job ran and found a problem (an invalid result).
#include <cstdio>
#include <string>
#include <vector>

#include "harness/cli/commands.h"
#include "replication/core/memory_policy.h"

namespace {

constexpr const char* kUsage = R"(replbench: compare replication protocols for message queues

usage:
  replbench run    --mode raft|isr|masterslave|gm [--runtime sim|net] [--workload FILE]
                   [--set key=value ...] [--fault SPEC ...] [--seed N] [--out FILE] [--quiet]
  replbench suite  FILE [--out DIR]
  replbench report DIR|FILES... [--out DIR]
  replbench check  HISTORY
  replbench fuzz   --mode M --seeds N
  replbench node   --cluster FILE --id N [--data DIR]
  replbench calibrate

run 'replbench <command> --help' for a command's flags.
)";

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::fputs(kUsage, args.empty() ? stderr : stdout);
    return args.empty() ? 2 : 0;
  }
  // Nodes and the harness reuse their large buffers instead of faulting fresh pages for each
  // (see memory_policy.h); every command gets the same policy, so no mode is favoured.
  rb::keep_freed_memory();
  std::string cmd = args[0];
  args.erase(args.begin());
  auto it = rb::harness::commands().find(cmd);
  if (it == rb::harness::commands().end()) {
    std::fprintf(stderr, "replbench: unknown command '%s' (run 'replbench --help')\n", cmd.c_str());
    return 2;
  }
  return it->second(args);
}
