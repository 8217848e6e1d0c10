#include "harness/netcluster/orphaned_dirs.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace rb::netcluster {

namespace fs = std::filesystem;

namespace {
constexpr const char* kOwnerFile = "owner.pid";

// True only when `pid` certainly names no process: kill(pid, 0) says ESRCH.
bool process_gone(pid_t pid) { return pid > 0 && ::kill(pid, 0) != 0 && errno == ESRCH; }
}  // namespace

Status write_owner_pid(const std::string& dir) {
  const std::string path = dir + "/" + kOwnerFile;
  std::ofstream out(path, std::ios::trunc);
  out << ::getpid() << "\n";
  out.close();
  if (!out) return make_error(errc::io_error, "cannot write '" + path + "'");
  return {};
}

std::vector<std::string> remove_orphaned_dirs(const std::string& parent, const std::string& prefix) {
  std::vector<std::string> removed;
  std::error_code ec;
  for (fs::directory_iterator it(parent, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.compare(0, prefix.size(), prefix) != 0) continue;
    std::error_code type_ec;
    if (!fs::is_directory(it->symlink_status(type_ec)) || type_ec) continue;  // not symlinks
    std::ifstream in(it->path() / kOwnerFile);
    long pid = 0;
    if (!(in >> pid) || pid <= 0) continue;
    if (!process_gone(static_cast<pid_t>(pid))) continue;
    std::error_code rm_ec;
    fs::remove_all(it->path(), rm_ec);
    if (!rm_ec) removed.push_back(it->path().string());
  }
  return removed;
}

Result<std::string> make_owned_temp_dir(const std::string& prefix) {
  for (const auto& d : remove_orphaned_dirs("/tmp", prefix))
    std::fprintf(stderr, "replbench: removed %s, left by a process that no longer runs\n", d.c_str());
  std::string dir = "/tmp/" + prefix + "XXXXXX";
  if (!mkdtemp(dir.data())) return make_error(errc::io_error, "cannot create a temporary directory " + dir);
  if (auto s = write_owner_pid(dir); !s.ok()) return s.error();
  return dir;
}

}  // namespace rb::netcluster
