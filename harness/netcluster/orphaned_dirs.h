#pragma once
// Data directories of spawned clusters live under /tmp until their cluster ends. A harness that is
// killed (SIGKILL, a terminal closed mid-suite) cannot remove its own, and a throughput run leaves
// gigabytes. Each such directory records its owner's process id in `owner.pid`; a later cluster
// start removes those whose owner no longer runs.
#include <string>
#include <vector>

#include "replication/core/result.h"

namespace rb::netcluster {

// Writes this process's id to `dir`/owner.pid.
Status write_owner_pid(const std::string& dir);

// Creates a fresh /tmp/`prefix`XXXXXX owned by this process (owner.pid), after removing the
// /tmp/`prefix`* directories left by processes that are gone (each named on stderr).
Result<std::string> make_owned_temp_dir(const std::string& prefix);

// Removes the directories `parent`/`prefix`* whose owner.pid names a process that no longer
// exists, and returns their paths. A directory without a readable owner.pid, or whose owner is
// alive (or belongs to another user), is kept: only a provably orphaned directory goes.
std::vector<std::string> remove_orphaned_dirs(const std::string& parent, const std::string& prefix);

}  // namespace rb::netcluster
