// rb_netnode: a small executable with the net runtime's subcommands (`node`, `calibrate`), for
// the tests and for use before they are registered in replbench itself.
#include <cstdio>
#include <string>
#include <vector>

#include "harness/netcluster/commands.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    std::fprintf(stderr, "usage: %s node|calibrate ...\n", argv[0]);
    return 2;
  }
  std::string cmd = args[0];
  args.erase(args.begin());
  if (cmd == "node") return rb::netcluster::cmd_node(args);
  if (cmd == "calibrate") return rb::netcluster::cmd_calibrate(args);
  std::fprintf(stderr, "%s: unknown command '%s' (node, calibrate)\n", argv[0], cmd.c_str());
  return 2;
}
