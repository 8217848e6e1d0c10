// Three nodes in three network namespaces joined by veth pairs to a bridge in a fourth ("hub"),
// with the harness's sockets in a fifth ("client"). The 10.77.0.x addresses exist only inside
// namespaces this test creates, and it deletes them on every path. Needs root and `ip netns`;
// otherwise it is skipped with the reason.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <unistd.h>

#include <cstdlib>

#include "harness/netcluster/tests/test_util.h"

namespace rb::netcluster {
namespace {

using namespace testing;

const char* kNs[] = {"rbnt-n0", "rbnt-n1", "rbnt-n2", "rbnt-cl", "rbnt-hub"};

int sh(const std::string& cmd) { return std::system((cmd + " >/dev/null 2>&1").c_str()); }

struct Namespaces {
  bool ok = false;
  std::string why;
  Namespaces() {
    cleanup();
    if (geteuid() != 0) {
      why = "not running as root";
      return;
    }
    if (sh("ip netns add rbnt-hub") != 0) {
      why = "`ip netns add` failed (no iproute2 or no CAP_SYS_ADMIN in this sandbox)";
      return;
    }
    bool good = sh("ip netns exec rbnt-hub ip link add br0 type bridge") == 0 &&
                sh("ip netns exec rbnt-hub ip link set br0 up") == 0 &&
                sh("ip netns exec rbnt-hub ip link set lo up") == 0;
    for (int i = 0; i < 4 && good; ++i) {
      std::string ns = kNs[i], a = "rbv" + std::to_string(i), b = "rbh" + std::to_string(i);
      std::string ip = "10.77.0." + std::to_string(i + 1) + "/24";
      good = sh("ip netns add " + ns) == 0 &&
             sh("ip netns exec " + ns + " ip link add " + a + " type veth peer name " + b + " netns rbnt-hub") == 0 &&
             sh("ip netns exec " + ns + " ip addr add " + ip + " dev " + a) == 0 &&
             sh("ip netns exec " + ns + " ip link set " + a + " up") == 0 &&
             sh("ip netns exec " + ns + " ip link set lo up") == 0 &&
             sh("ip netns exec rbnt-hub ip link set " + b + " master br0") == 0 &&
             sh("ip netns exec rbnt-hub ip link set " + b + " up") == 0;
    }
    if (!good) {
      why = "could not build the veth/bridge topology";
      return;
    }
    ok = true;
  }
  ~Namespaces() { cleanup(); }
  static void cleanup() {
    for (const char* ns : kNs) sh(std::string("ip netns del ") + ns);
  }
};

// Moves this thread into a namespace for its lifetime (sockets made meanwhile stay there).
struct InNetns {
  int home = -1;
  bool ok = false;
  explicit InNetns(const std::string& ns) {
    home = ::open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    int fd = ::open(("/var/run/netns/" + ns).c_str(), O_RDONLY | O_CLOEXEC);
    ok = home >= 0 && fd >= 0 && ::setns(fd, CLONE_NEWNET) == 0;
    if (fd >= 0) ::close(fd);
  }
  ~InNetns() {
    if (home >= 0) {
      ::setns(home, CLONE_NEWNET);
      ::close(home);
    }
  }
};

TEST(NetNamespaces, ThreeNodesInThreeNamespaces) {
  Namespaces ns;
  if (!ns.ok) GTEST_SKIP() << "network namespace test skipped: " << ns.why;
  auto o = options("raft");
  for (int i = 0; i < 3; ++i) {
    o.node_prefix.push_back({"ip", "netns", "exec", kNs[i]});
    o.node_hosts.push_back("10.77.0." + std::to_string(i + 1));
  }
  InNetns client("rbnt-cl");
  ASSERT_TRUE(client.ok) << "setns into the client namespace failed";
  NetCluster c(o);
  auto s = c.start();
  ASSERT_TRUE(s.ok()) << s.error().describe();
  int acked = 0;
  for (int i = 0; i < 20; ++i) {
    auto r = produce(c, PartitionId{0}, records(5, 512), AckLevel::all);
    ASSERT_TRUE(r.has_value());
    acked += r->code == errc::ok ? 5 : 0;
  }
  EXPECT_EQ(acked, 100);
  auto dumps = c.dump_logs();
  ASSERT_EQ(dumps.size(), 3u);
  size_t most = 0;  // followers' commit watermarks may trail the leader's by one round
  for (const auto& d : dumps) {
    size_t data = 0;
    for (const auto& e : d.entries) data += e.kind == EntryKind::data;
    most = std::max(most, data);
  }
  EXPECT_EQ(most, 100u);
}

}  // namespace
}  // namespace rb::netcluster
