#include "harness/netcluster/node_spawn.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "replication/net/frame_connection.h"

namespace rb::netcluster {

Result<pid_t> spawn_process(const std::vector<std::string>& argv, const std::string& log_path) {
  RB_ASSERT(!argv.empty());
  int log_fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) return make_error(errc::io_error, "cannot open node log '" + log_path + "'");
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(log_fd);
    return make_error(errc::unavailable, "fork failed");
  }
  if (pid == 0) {
    // Child: only async-signal-safe calls until exec.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(126);  // the harness died before prctl
    ::dup2(log_fd, STDOUT_FILENO);
    ::dup2(log_fd, STDERR_FILENO);
    int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, STDIN_FILENO);
    ::execvp(args[0], args.data());
    const char msg[] = "exec failed\n";
    (void)!::write(STDERR_FILENO, msg, sizeof(msg) - 1);
    ::_exit(127);
  }
  ::close(log_fd);
  return pid;
}

bool reap(pid_t pid, std::chrono::milliseconds timeout, double* cpu_seconds) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int status = 0;
    rusage ru{};
    pid_t r = ::wait4(pid, &status, WNOHANG, &ru);
    if (r == pid || (r < 0 && errno == ECHILD)) {
      if (cpu_seconds && r == pid) {
        *cpu_seconds = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                       static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6;
      }
      return true;
    }
    if (std::chrono::steady_clock::now() >= deadline) return false;
    // Polling a child's exit: there is no portable waitable handle for it short of SIGCHLD
    // plumbing; 1 ms slices bound the extra latency.
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

namespace {

// utime + stime of a /proc/.../stat file, in seconds; 0 when unreadable.
double stat_cpu_seconds(const std::string& stat_path) {
  std::ifstream in(stat_path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto close_paren = text.rfind(')');
  if (close_paren == std::string::npos) return 0;
  std::istringstream fields(text.substr(close_paren + 2));
  std::string f;
  // After "pid (comm) ": state is field 3; utime and stime are fields 14 and 15.
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && (fields >> f); ++i) {
    if (i == 14) utime = std::stoull(f);
    if (i == 15) stime = std::stoull(f);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

}  // namespace

double proc_cpu_seconds(pid_t pid) { return stat_cpu_seconds("/proc/" + std::to_string(pid) + "/stat"); }

ThreadCpu proc_thread_cpu_seconds(pid_t pid, const std::string& name) {
  ThreadCpu out;
  const std::string main_tid = std::to_string(pid);
  std::error_code ec;
  for (const auto& t : std::filesystem::directory_iterator("/proc/" + main_tid + "/task", ec)) {
    if (t.path().filename() == main_tid) {
      out.main_s = stat_cpu_seconds(t.path() / "stat");
      continue;
    }
    std::ifstream comm(t.path() / "comm");
    std::string thread_name;
    std::getline(comm, thread_name);
    if (thread_name == name) out.named_s += stat_cpu_seconds(t.path() / "stat");
  }
  return out;
}

Result<std::vector<uint16_t>> free_ports(const std::string& host, size_t n) {
  net::asio::io_context io;
  boost::system::error_code ec;
  auto addr = net::asio::ip::make_address(host, ec);
  if (ec) return make_error(errc::invalid_config, "bad host '" + host + "'");
  std::vector<net::tcp::acceptor> held;
  std::vector<uint16_t> out;
  for (size_t i = 0; i < n; ++i) {
    net::tcp::acceptor a(io);
    a.open(addr.is_v6() ? net::tcp::v6() : net::tcp::v4(), ec);
    if (!ec) a.bind(net::tcp::endpoint(addr, 0), ec);
    if (ec) return make_error(errc::unavailable, "cannot bind a port on " + host + ": " + ec.message());
    out.push_back(a.local_endpoint().port());
    held.push_back(std::move(a));  // held until all are picked, so they differ
  }
  return out;
}

}  // namespace rb::netcluster
