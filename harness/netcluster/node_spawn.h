#pragma once
// Starting, reaping and measuring node processes (POSIX). The node is exec'ed with its stdout and
// stderr appended to a log file, and dies with the harness (PR_SET_PDEATHSIG), so a crashed test
// never leaves nodes behind.
#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

#include "replication/core/result.h"

namespace rb::netcluster {

// fork + exec argv[0] (searched on PATH when it has no slash) with argv; errors: io_error (log file), unavailable (fork
// failed).
Result<pid_t> spawn_process(const std::vector<std::string>& argv, const std::string& log_path);

// Waits up to `timeout` for `pid` to exit; true when reaped. `cpu_seconds` (optional) gets the
// child's user + system time from wait4.
bool reap(pid_t pid, std::chrono::milliseconds timeout, double* cpu_seconds = nullptr);

// User + system CPU seconds of a live process from /proc/<pid>/stat; 0 when unreadable.
double proc_cpu_seconds(pid_t pid);

// The same for some of a live process's threads (/proc/<pid>/task): its main thread, and the
// threads named `name` (as pthread_setname_np sets it), summed. 0 for what is unreadable.
struct ThreadCpu {
  double main_s = 0;
  double named_s = 0;
};
ThreadCpu proc_thread_cpu_seconds(pid_t pid, const std::string& name);

// `n` distinct TCP ports that were free on `host` a moment ago (bound to port 0, then released).
Result<std::vector<uint16_t>> free_ports(const std::string& host, size_t n);

}  // namespace rb::netcluster
