#pragma once
// The `replbench` subcommands of the net runtime. Each takes the arguments after its name and
// returns the process exit code (0 ok, 1 runtime failure, 2 bad usage), printing errors as one
// line on stderr.
//
//   replbench node --cluster FILE --id N [--data DIR] [--log-events]
//       Runs node N of the cluster file in this process until it is told to stop (admin StopNode,
//       SIGTERM, SIGINT). DIR defaults to ./data/node<N>; a restart from the same DIR recovers.
//
//   replbench calibrate [--out FILE] [--quick] [--dir DIR]
//       Measures this machine with the net runtime (fsync latency, write bandwidth, loopback
//       latency, per-message and per-byte CPU cost of the nodes) and writes a simulator profile
//       (JSON with the fields of sim::SimConfig; load it with load_sim_profile, profile.h).
#include <string>
#include <vector>

namespace rb::netcluster {

int cmd_node(const std::vector<std::string>& args);
int cmd_calibrate(const std::vector<std::string>& args);

}  // namespace rb::netcluster
