#pragma once
// DiskThread: one worker thread that runs the node's fdatasync calls, so the event loop keeps
// accepting, appending and replicating while the disk works (the leader's own write runs in
// parallel with replication, as in Kafka and RabbitMQ).
//
// Jobs run one at a time in submission order. The destructor finishes the queued jobs and joins:
// a job must not wait for the event loop (it posts its result back instead).
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace rb::netrun {

class DiskThread {
 public:
  static constexpr const char* kThreadName = "rb-disk";  // the thread's name, as /proc shows it

  DiskThread();
  ~DiskThread();
  DiskThread(const DiskThread&) = delete;
  DiskThread& operator=(const DiskThread&) = delete;

  void submit(std::function<void()> job);
  // Runs the queued jobs to completion and stops the thread (idempotent).
  void stop();

 private:
  void loop();

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace rb::netrun
