#pragma once
// Thin POSIX helpers for the segment store: every failure comes back as an io_error that names the
// path and the errno text, so an operator can tell which file of which replica broke.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "replication/core/result.h"

namespace rb::storage {

// An owned file descriptor, closed on destruction. Shared (via shared_ptr) between the event-loop
// thread and a concurrent sync(), so a segment deleted mid-sync is closed only after its fdatasync.
class FileHandle {
 public:
  FileHandle(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~FileHandle();
  FileHandle(const FileHandle&) = delete;
  FileHandle& operator=(const FileHandle&) = delete;
  int fd() const { return fd_; }
  const std::string& path() const { return path_; }

 private:
  int fd_;
  std::string path_;
};

// io_error "<what> <path>: <strerror(errno)>"; call right after the failing syscall.
Error errno_error(std::string_view what, const std::string& path);

std::string join_path(const std::string& dir, const std::string& name);

// Opens (creating when asked) a file for reading and writing.
Result<int> open_rw(const std::string& path, bool create);
Status pwrite_all(int fd, const char* data, size_t n, uint64_t pos, const std::string& path);
// Reads exactly n bytes at pos; an early end of file is an io_error.
Status pread_exact(int fd, char* data, size_t n, uint64_t pos, const std::string& path);
Result<uint64_t> file_size(int fd, const std::string& path);
Status fdatasync_fd(int fd, const std::string& path);
Status fsync_dir(const std::string& dir);
Status truncate_file(int fd, uint64_t size, const std::string& path);
Status remove_file(const std::string& path);

// Replaces dir/name atomically: write dir/name.tmp, fdatasync, rename over dir/name, fsync dir.
// A crash leaves either the old file or the new one.
// durable=false skips the fdatasync/dir fsync: still atomic against a process crash (the page
// cache keeps the rename), not against power loss.
Status write_file_atomic(const std::string& dir, const std::string& name, std::string_view data, bool durable = true);
// The whole file, or nullopt when it does not exist.
Result<std::optional<std::string>> read_file_if_exists(const std::string& path);

}  // namespace rb::storage
