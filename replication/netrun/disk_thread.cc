#include "replication/netrun/disk_thread.h"

#include <pthread.h>

namespace rb::netrun {

DiskThread::DiskThread() : thread_([this] { loop(); }) {}

DiskThread::~DiskThread() { stop(); }

void DiskThread::submit(std::function<void()> job) {
  {
    std::lock_guard lock(mu_);
    jobs_.push_back(std::move(job));
  }
  cv_.notify_one();
}

void DiskThread::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void DiskThread::loop() {
  // Named, so its CPU time can be told from the event loop's (top -H, /proc/PID/task/TID/comm;
  // `replbench calibrate` reads it).
  pthread_setname_np(pthread_self(), kThreadName);
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !jobs_.empty(); });
      if (jobs_.empty()) return;  // stopping and drained
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    job();
  }
}

}  // namespace rb::netrun
