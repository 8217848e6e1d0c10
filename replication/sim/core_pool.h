#pragma once
// CorePool: the host cores that simulated nodes (and the client) share when a profile says they
// run on one machine. Work is placed on one core for its whole cost; each core is a single
// "free from" time, so the pool tracks no gaps.
#include <algorithm>
#include <cstdint>
#include <vector>

namespace rb::sim {

class CorePool {
 public:
  explicit CorePool(uint32_t cores) : free_at_(cores, 0) {}

  bool empty() const { return free_at_.empty(); }

  // Work of `cost_ns` that can start at `ready_ns` takes a core; returns when it starts. Without
  // cores, or for zero-cost work, it starts when ready and takes no core.
  //
  // Best fit: of the cores already free at `ready_ns`, the one that freed last, so a core that has
  // been idle longer stays free for work that becomes ready earlier; if none is free yet, the one
  // that frees first. (Taking the earliest-free core for work that cannot start until later would
  // mark it busy over a stretch in which nothing runs on it.)
  int64_t reserve(int64_t ready_ns, int64_t cost_ns) {
    if (free_at_.empty() || cost_ns <= 0) return ready_ns;
    auto best = free_at_.end();
    for (auto it = free_at_.begin(); it != free_at_.end(); ++it)
      if (*it <= ready_ns && (best == free_at_.end() || *it > *best)) best = it;
    if (best == free_at_.end()) best = std::min_element(free_at_.begin(), free_at_.end());
    const int64_t start = std::max(ready_ns, *best);
    *best = start + cost_ns;
    return start;
  }

 private:
  std::vector<int64_t> free_at_;
};

}  // namespace rb::sim
