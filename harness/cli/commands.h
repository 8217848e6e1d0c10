#pragma once
// The subcommands of `replbench`, each a function from its arguments to an exit code
// (0 ok, 1 ran and found a problem, 2 usage or configuration error).
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace rb::harness {

using Command = std::function<int(const std::vector<std::string>&)>;
const std::map<std::string, Command>& commands();

int cmd_run(const std::vector<std::string>& args);

}  // namespace rb::harness
