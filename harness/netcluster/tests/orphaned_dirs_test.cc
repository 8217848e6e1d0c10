#include "harness/netcluster/orphaned_dirs.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

namespace rb::netcluster {
namespace {

namespace fs = std::filesystem;

// The id of a process that has exited and been reaped: kill(pid, 0) then says it does not exist
// (Linux hands out ids in increasing order, so it is not reused within the test).
pid_t reaped_pid() {
  pid_t child = fork();
  if (child == 0) _exit(0);
  int status = 0;
  waitpid(child, &status, 0);
  return child;
}

void write_file(const fs::path& p, const std::string& text) { std::ofstream(p) << text; }

// Only a directory with the prefix whose owner.pid names a gone process is removed; live owners,
// unreadable or missing owner files, other prefixes, plain files and symlinks are left alone.
TEST(OrphanedDirs, RemovesOnlyDirectoriesWhoseOwnerIsGone) {
  char tmpl[] = "/tmp/rb_orphans_XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const fs::path parent = tmpl;
  const pid_t gone = reaped_pid();

  fs::create_directories(parent / "run-orphan" / "node0");
  write_file(parent / "run-orphan" / "node0" / "data", "x");
  write_file(parent / "run-orphan" / "owner.pid", std::to_string(gone) + "\n");
  fs::create_directories(parent / "run-live");
  ASSERT_TRUE(write_owner_pid((parent / "run-live").string()).ok());
  fs::create_directories(parent / "run-no-owner");
  fs::create_directories(parent / "run-garbage");
  write_file(parent / "run-garbage" / "owner.pid", "not a pid");
  fs::create_directories(parent / "other-orphan");
  write_file(parent / "other-orphan" / "owner.pid", std::to_string(gone));
  write_file(parent / "run-file", std::to_string(gone));
  fs::create_directories(parent / "target");
  write_file(parent / "target" / "owner.pid", std::to_string(gone));
  fs::create_directory_symlink(parent / "target", parent / "run-link");

  auto removed = remove_orphaned_dirs(parent.string(), "run-");
  ASSERT_EQ(removed.size(), 1u);
  EXPECT_EQ(removed[0], (parent / "run-orphan").string());
  EXPECT_FALSE(fs::exists(parent / "run-orphan"));
  for (const char* kept : {"run-live", "run-no-owner", "run-garbage", "other-orphan", "run-file", "target"})
    EXPECT_TRUE(fs::exists(parent / kept)) << kept;
  EXPECT_TRUE(fs::is_symlink(parent / "run-link"));

  // The live directory names this process.
  std::ifstream in(parent / "run-live" / "owner.pid");
  long pid = 0;
  in >> pid;
  EXPECT_EQ(pid, static_cast<long>(getpid()));

  // A second sweep finds nothing more; a missing parent is not an error.
  EXPECT_TRUE(remove_orphaned_dirs(parent.string(), "run-").empty());
  EXPECT_TRUE(remove_orphaned_dirs((parent / "missing").string(), "run-").empty());
  fs::remove_all(parent);
}

}  // namespace
}  // namespace rb::netcluster
