#include "replication/storage/file_util.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace rb::storage {

FileHandle::~FileHandle() {
  if (fd_ >= 0) ::close(fd_);
}

Error errno_error(std::string_view what, const std::string& path) {
  const int e = errno;
  return make_error(errc::io_error, std::string(what) + " " + path + ": " + std::strerror(e));
}

std::string join_path(const std::string& dir, const std::string& name) {
  if (!dir.empty() && dir.back() == '/') return dir + name;
  return dir + "/" + name;
}

Result<int> open_rw(const std::string& path, bool create) {
  int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0), 0644);
  if (fd < 0) return errno_error("open", path);
  return fd;
}

Status pwrite_all(int fd, const char* data, size_t n, uint64_t pos, const std::string& path) {
  while (n > 0) {
    ssize_t w = ::pwrite(fd, data, n, static_cast<off_t>(pos));
    if (w < 0) {
      if (errno == EINTR) continue;
      return errno_error("write", path);
    }
    data += w;
    n -= static_cast<size_t>(w);
    pos += static_cast<uint64_t>(w);
  }
  return {};
}

Status pread_exact(int fd, char* data, size_t n, uint64_t pos, const std::string& path) {
  while (n > 0) {
    ssize_t r = ::pread(fd, data, n, static_cast<off_t>(pos));
    if (r < 0) {
      if (errno == EINTR) continue;
      return errno_error("read", path);
    }
    if (r == 0) return make_error(errc::io_error, "read " + path + ": unexpected end of file");
    data += r;
    n -= static_cast<size_t>(r);
    pos += static_cast<uint64_t>(r);
  }
  return {};
}

Result<uint64_t> file_size(int fd, const std::string& path) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return errno_error("stat", path);
  return static_cast<uint64_t>(st.st_size);
}

Status fdatasync_fd(int fd, const std::string& path) {
  if (::fdatasync(fd) != 0) return errno_error("fdatasync", path);
  return {};
}

Status fsync_dir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return errno_error("open directory", dir);
  int rc = ::fsync(fd);
  Status s;
  if (rc != 0) s = errno_error("fsync directory", dir);
  ::close(fd);
  return s;
}

Status truncate_file(int fd, uint64_t size, const std::string& path) {
  if (::ftruncate(fd, static_cast<off_t>(size)) != 0) return errno_error("ftruncate", path);
  return {};
}

Status remove_file(const std::string& path) {
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return errno_error("unlink", path);
  return {};
}

Status write_file_atomic(const std::string& dir, const std::string& name, std::string_view data, bool durable) {
  const std::string final_path = join_path(dir, name);
  const std::string tmp = final_path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return errno_error("create", tmp);
  FileHandle h(fd, tmp);
  if (auto s = pwrite_all(fd, data.data(), data.size(), 0, tmp); !s.ok()) return s;
  if (durable) {
    if (auto s = fdatasync_fd(fd, tmp); !s.ok()) return s;
  }
  if (::rename(tmp.c_str(), final_path.c_str()) != 0) return errno_error("rename to " + final_path, tmp);
  return durable ? fsync_dir(dir) : Status{};
}

Result<std::optional<std::string>> read_file_if_exists(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::optional<std::string>{};
    return errno_error("open", path);
  }
  FileHandle h(fd, path);
  auto size = file_size(fd, path);
  if (!size.ok()) return size.error();
  std::string out(*size, '\0');
  if (auto s = pread_exact(fd, out.data(), out.size(), 0, path); !s.ok()) return s.error();
  return std::optional<std::string>(std::move(out));
}

}  // namespace rb::storage
