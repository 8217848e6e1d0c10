#pragma once
// Discrete-event core of the simulator: virtual nanoseconds and a queue of callbacks ordered by
// (time, insertion order). Same inputs, same order: the run is a pure function of the seed.
#include <cstdint>
#include <functional>
#include <queue>
#include <vector>

#include "replication/core/assert.h"

namespace rb::sim {

class EventQueue {
 public:
  int64_t now() const { return now_; }
  void at(int64_t t, std::function<void()> fn) {
    RB_ASSERT(t >= now_);
    heap_.push(Item{t, seq_++, std::move(fn)});
  }
  // Runs events with time <= t, then sets the clock to t.
  void run_until(int64_t t) {
    while (!heap_.empty() && heap_.top().t <= t) {
      Item it = std::move(const_cast<Item&>(heap_.top()));
      heap_.pop();
      now_ = it.t;
      ++executed_;
      it.fn();
    }
    if (t > now_) now_ = t;
  }
  size_t pending() const { return heap_.size(); }
  uint64_t executed() const { return executed_; }

 private:
  struct Item {
    int64_t t;
    uint64_t seq;
    std::function<void()> fn;
    bool operator>(const Item& o) const { return t != o.t ? t > o.t : seq > o.seq; }
  };
  std::priority_queue<Item, std::vector<Item>, std::greater<>> heap_;
  int64_t now_ = 0;
  uint64_t seq_ = 0;
  uint64_t executed_ = 0;
};

}  // namespace rb::sim
