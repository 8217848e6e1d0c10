#pragma once
// SharedDisk: the one disk under every simulated node of a cluster on one host
// (DiskModel::shared). A sync costs a fixed part (the file system's journal commit and the
// device's cache flush) and a part per byte (writing the data). The device runs one commit at a
// time; every sync issued while one runs is served by the next, together: each adds its bytes to
// that commit, but the commit pays its fixed part once. That is how a journaling file system
// serves fdatasync calls of several processes at once (they wait for the running transaction,
// then share the next one), and why three writers on one disk get more syncs per second than one.
#include <algorithm>
#include <cstdint>
#include <memory>

namespace rb::sim {

class SharedDisk {
 public:
  struct Commit {
    int64_t start_ns = 0;
    int64_t end_ns = 0;  // moves later as syncs join, which they can until start_ns
  };

  // A sync issued at `now_ns`, whose data take `bytes_ns` to write and whose own commit would
  // take `fixed_ns` more. Returns the commit that makes it durable: the one not yet started, if
  // there is one (the sync joins it), else a new one starting when the device is free.
  std::shared_ptr<const Commit> sync(int64_t now_ns, int64_t fixed_ns, int64_t bytes_ns) {
    if (next_ && next_->start_ns > now_ns) {
      next_->end_ns += bytes_ns;
      return next_;
    }
    const int64_t start = std::max(now_ns, next_ ? next_->end_ns : int64_t{0});
    next_ = std::make_shared<Commit>(Commit{start, start + fixed_ns + bytes_ns});
    return next_;
  }

 private:
  std::shared_ptr<Commit> next_;  // the latest commit: running, or waiting for the one before
};

}  // namespace rb::sim
