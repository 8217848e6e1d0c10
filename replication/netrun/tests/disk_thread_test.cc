// DiskThread: jobs run in order on one named thread; stop() drains the queue.
#include "replication/netrun/disk_thread.h"

#include <gtest/gtest.h>
#include <pthread.h>

#include <future>
#include <string>
#include <thread>
#include <vector>

namespace rb::netrun {
namespace {

TEST(DiskThread, RunsJobsInOrderOnOneNamedThread) {
  DiskThread t;
  std::vector<int> order;
  std::promise<std::string> name;
  std::promise<std::thread::id> id;
  for (int i = 0; i < 5; ++i) t.submit([&order, i] { order.push_back(i); });
  t.submit([&] {
    char buf[16] = {0};
    pthread_getname_np(pthread_self(), buf, sizeof(buf));
    name.set_value(buf);
    id.set_value(std::this_thread::get_id());
  });
  EXPECT_EQ(name.get_future().get(), DiskThread::kThreadName);
  EXPECT_NE(id.get_future().get(), std::this_thread::get_id());
  t.stop();
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4}));
}

TEST(DiskThread, StopFinishesTheQueuedJobs) {
  int done = 0;
  {
    DiskThread t;
    for (int i = 0; i < 100; ++i) t.submit([&done] { ++done; });
  }  // the destructor stops: every queued job has run
  EXPECT_EQ(done, 100);
}

}  // namespace
}  // namespace rb::netrun
