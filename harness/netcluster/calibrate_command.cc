// `replbench calibrate`: measures this machine with the net runtime's own pieces and writes a
// simulator profile (profile.h).
//
//   disk     SegmentLogStore in a temporary directory, sampled in bursts before the CPU runs and
//            after each (40 syncs of a 1 KB append, 10 of a 256 KB append), so the figures cover
//            the minutes the calibration takes: the 1 KB syncs' distribution (41 quantiles, the
//            last the 99.9th percentile) is a sync's fixed cost, which the simulator draws from;
//            the 256 KB syncs' mean above it gives the cost per byte synced. p50 and p90 stay in
//            the profile (fsync_ns, fsync_jitter_ns) for reading and for older simulators.
//   network  two FrameConnections on loopback: one-way latency = median round trip / 2 of small
//            frames; bandwidth = 64 MiB of 1 MiB frames one way.
//   cpu      a 3-node cluster of each mode (fsync always, acks all), closed-loop load with 500
//            messages in flight (--in-flight; 500 is the throughput suite's one-queue window: how
//            many requests a node reads at once, and so its cost per request, depends on it; use
//            the window of the workloads the profile is for) and the engines' batch linger at
//            1 tick (--linger-ticks, the suites' setting; a node's cost per message depends on
//            it too) in three configurations: 100 B, 1 KB, and 1 KB messages sent 64 per
//            request with a 1 ms client linger (--batch; 64 is the throughput suite's batched
//            setting: a request's and a record's cost are fitted between one message per
//            request and this many, so predictions at this batch size interpolate). Each is
//            measured for 4 s after a second of warm-up, twice in turn on fresh clusters (once,
//            for 1.5 s, with --quick), the rounds summed.
//            A configuration gives the nodes' CPU seconds, the messages they handled (peer
//            messages received + client requests), the records those carried (as the simulator
//            charges them) and the bytes (peer + client frames). Three configurations, three
//            unknowns: cpu = per_message * messages + per_record * records + per_byte * bytes.
//            The client's own CPU (this process) against its requests and records gives
//            client_per_request and client_per_record. Each run also records, for reading,
//            the nodes' disk threads' CPU and the busiest event loop's (the leader's), which the
//            fit does not separate: it charges all of a node's CPU to its inputs. The nodes run
//            on this host, so the profile says they share its cores and its disk. Each mode
//            (--modes, default all four) gets its own CPU model in `cpu_by_mode`; the general
//            one is the first mode's.
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <vector>

#include "harness/cli/modes.h"
#include "harness/cli/parse_u64.h"
#include "harness/netcluster/commands.h"
#include "harness/netcluster/net_cluster.h"
#include "harness/netcluster/node_spawn.h"
#include "harness/netcluster/orphaned_dirs.h"
#include "harness/netcluster/profile.h"
#include "harness/run/load_generator.h"
#include "replication/netrun/disk_thread.h"
#include "replication/storage/segment_log_store.h"
#include "replication/wire/codec.h"

namespace rb::netcluster {

namespace {

namespace asio = net::asio;
using net::tcp;
using Clock = std::chrono::steady_clock;

int64_t ns_since(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t).count();
}

int64_t pct(std::vector<int64_t> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p / 100.0 * static_cast<double>(v.size())))];
}

// Syncs of the disk the nodes write to, sampled in short bursts throughout the calibration (before
// the CPU runs and after each), so the profile holds the disk as it was over those minutes rather
// than in one moment: a burst is `small` appends of 1 KB and `large` appends of 256 KB, each
// followed by a sync (as SegmentLogStore syncs a node's group commit).
constexpr uint32_t kLargeSyncBytes = 256 * 1024;

struct DiskSampler {
  std::unique_ptr<storage::SegmentLogStore> store;
  std::vector<int64_t> small_ns, large_ns;  // latency of append + sync
  double bulk_bytes_per_ns = 0;             // 32 MiB of 1 MiB appends, one sync at the end
};

// Appends one record carrying `payload` at the store's end.
Status append_one(storage::SegmentLogStore& s, const Payload& payload) {
  Entry e;
  e.offset = s.log_end();
  e.epoch = Epoch{1};
  e.payload = payload;
  return s.append({e});
}

Status timed_append_sync(storage::SegmentLogStore& s, const Payload& payload, std::vector<int64_t>& out) {
  auto t = Clock::now();
  if (auto a = append_one(s, payload); !a.ok()) return a;
  if (auto y = s.sync(); !y.ok()) return y.error();
  out.push_back(ns_since(t));
  return {};
}

Status sample_disk(DiskSampler& d, int small, int large) {
  static const Payload one_kb = make_payload(std::string(1024, 'c'));
  static const Payload big = make_payload(std::string(kLargeSyncBytes, 'b'));
  for (int i = 0; i < small; ++i)
    if (auto s = timed_append_sync(*d.store, one_kb, d.small_ns); !s.ok()) return s;
  for (int i = 0; i < large; ++i)
    if (auto s = timed_append_sync(*d.store, big, d.large_ns); !s.ok()) return s;
  return {};
}

Result<DiskSampler> open_disk_sampler(const std::string& dir) {
  storage::SegmentLogStoreOptions so;
  so.create_if_missing = true;
  so.max_record_bytes = 2 << 20;
  auto st = storage::SegmentLogStore::open(dir, so);
  if (!st.ok()) return st.error();
  DiskSampler d;
  d.store = std::move(*st);
  auto& s = *d.store;
  auto big = make_payload(std::string(1 << 20, 'b'));
  const int chunks = 32;
  auto t = Clock::now();
  for (int i = 0; i < chunks; ++i)
    if (auto a = append_one(s, big); !a.ok()) return a.error();
  if (auto y = s.sync(); !y.ok()) return y.error();
  d.bulk_bytes_per_ns = static_cast<double>(chunks) * (1 << 20) / static_cast<double>(ns_since(t));
  return d;
}

double mean_of(const std::vector<int64_t>& v) {
  double sum = 0;
  for (int64_t x : v) sum += static_cast<double>(x);
  return v.empty() ? 0 : sum / static_cast<double>(v.size());
}

// The sync latency distribution the simulator draws from: `points` quantiles at equally spaced
// probabilities, the last at the 99.9th percentile (a single worst sample says little).
std::vector<int64_t> quantile_table(std::vector<int64_t> v, int points) {
  std::vector<int64_t> q;
  if (v.size() < 2) return q;
  std::sort(v.begin(), v.end());
  const size_t top = v.size() - 1 - v.size() / 1000;
  for (int i = 0; i < points; ++i)
    q.push_back(v[static_cast<size_t>(std::llround(static_cast<double>(top) * i / (points - 1)))]);
  return q;
}

struct NetResult {
  int64_t one_way_p50 = 0, one_way_p90 = 0;
  double bytes_per_ns = 0;
};

NetResult measure_loopback(int round_trips) {
  asio::io_context io;
  tcp::acceptor acc(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  tcp::socket a(io), b(io);
  a.connect(acc.local_endpoint());
  acc.accept(b);
  a.set_option(tcp::no_delay(true));
  b.set_option(tcp::no_delay(true));
  const wire::FrameLimits lim{1, 8u << 20};
  std::shared_ptr<net::FrameConnection> ca, cb;
  size_t got_a = 0, got_b = 0;
  uint64_t bytes_b = 0;
  bool echo = true;
  net::FrameConnection::Callbacks ka, kb;
  ka.on_frame = [&](const wire::FrameHeader&, std::string_view) { ++got_a; };
  ka.on_close = [](const Error&) {};
  kb.on_frame = [&](const wire::FrameHeader&, std::string_view body) {
    ++got_b;
    bytes_b += body.size();
    if (echo) cb->send(wire::make_frame(wire::FrameKind::admin_response, 1, body));
  };
  kb.on_close = [](const Error&) {};
  ca = net::FrameConnection::make(std::move(a), lim, ka);
  cb = net::FrameConnection::make(std::move(b), lim, kb);
  ca->start();
  cb->start();
  std::vector<int64_t> rtt;
  const std::string small(64, 'p');
  for (int i = 0; i < round_trips; ++i) {
    size_t want = got_a + 1;
    auto t = Clock::now();
    ca->send(wire::make_frame(wire::FrameKind::admin_request, 1, small));
    while (got_a < want) io.run_one();
    rtt.push_back(ns_since(t));
  }
  NetResult r;
  r.one_way_p50 = pct(rtt, 50) / 2;
  r.one_way_p90 = pct(rtt, 90) / 2;
  echo = false;
  const std::string big(1 << 20, 'B');
  const int frames = 64;
  size_t want = got_b + frames;
  uint64_t before = bytes_b;
  auto t = Clock::now();
  for (int i = 0; i < frames; ++i) ca->send(wire::make_frame(wire::FrameKind::admin_request, 1, big));
  while (got_b < want) io.run_one();
  r.bytes_per_ns = static_cast<double>(bytes_b - before) / static_cast<double>(ns_since(t));
  ca->detach();
  cb->detach();
  return r;
}

struct CpuSample {
  double cpu_s = 0;
  double client_cpu_s = 0;  // this process: the load generator and its client connections
  double client_requests = 0;
  double records = 0;  // records in produce requests and in peer messages, over all nodes
  double messages = 0;
  double bytes = 0;
  double acked = 0;
  // Informational, for a CPU model per thread: the nodes' disk threads (their fdatasync calls),
  // and the busiest node's event loop (the leader's) in each run, summed over runs.
  double disk_thread_cpu_s = 0;
  double busiest_loop_cpu_s = 0;
  std::vector<double> loop_cpu_s;  // per node, for the busiest loop's delta
};

// How the CPU runs load their clusters.
struct CpuLoad {
  double seconds = 4.0;       // measured, after a second of warm-up
  uint32_t rounds = 2;        // runs of each configuration, summed
  uint32_t in_flight = 500;   // the closed loop's window (see the top of this file)
  uint32_t linger_ticks = 1;  // the engines' batch linger (see the top of this file)
  uint32_t batch = 64;        // records per request in the batched configuration (ditto)
};

// One closed-loop run of 3 nodes of `mode` with fsync always (the comparisons' setting, so the nodes'
// CPU includes what their syncs cost): CPU of the nodes and of this process (the client) against
// what they handled. `batch` > 1 sends that many records per request.
Result<CpuSample> measure_cpu(const std::string& binary, const std::string& mode, uint32_t message_size, uint32_t batch,
                              const CpuLoad& load) {
  NetClusterOptions o;
  o.nodes = 3;
  o.mode = mode;
  o.common.fsync = FsyncPolicy{FsyncMode::always, 0};
  o.common.batching.linger_ticks = load.linger_ticks;
  o.binary = binary;
  NetCluster c(o);
  if (auto s = c.start(); !s.ok()) return s.error();
  auto totals = [&]() {
    CpuSample x;
    for (NodeId n : c.nodes()) {
      x.cpu_s += proc_cpu_seconds(c.pid(n));
      const ThreadCpu threads = proc_thread_cpu_seconds(c.pid(n), netrun::DiskThread::kThreadName);
      x.disk_thread_cpu_s += threads.named_s;
      x.loop_cpu_s.push_back(threads.main_s);
      auto st = c.status(n);
      if (!st.ok()) continue;
      for (const auto& p : st->peers) {
        x.messages += static_cast<double>(p.messages_received);
        x.bytes += static_cast<double>(p.bytes_received);
      }
      auto it = st->counters.find("node.client_requests");
      if (it != st->counters.end()) {
        x.messages += static_cast<double>(it->second);
        x.client_requests += static_cast<double>(it->second);
      }
      // Records as the simulator charges them: each record of a produce request, and each record
      // a peer message carries (a ring hop or a fetch answer costs per record it carries).
      for (const char* key : {"node.produce_records", "node.peer_records_in"}) {
        auto rec = st->counters.find(key);
        if (rec != st->counters.end()) x.records += static_cast<double>(rec->second);
      }
    }
    struct rusage ru {};
    getrusage(RUSAGE_SELF, &ru);
    x.client_cpu_s = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                     static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6;
    return x;
  };
  harness::LoadSpec spec;
  spec.message_size = message_size;
  spec.producer_rate = 0;
  spec.max_in_flight = load.in_flight;
  spec.batch_max_messages = batch;
  spec.linger_ns = batch > 1 ? 1'000'000 : 0;
  // A second of load before the counters are read: a fresh cluster's first second (connections
  // opening, files and caches cold, the window filling) runs slower and costs more per message
  // than the steady state the runs to be predicted measure after their own warm-up.
  spec.warmup_ns = 1'000'000'000;
  spec.duration_ns = static_cast<int64_t>(load.seconds * 1e9);
  spec.subscriptions_per_topic = 0;
  harness::LoadGenerator gen(c, spec, /*keep_history=*/false);
  CpuSample before;
  uint64_t client_before = 0;
  bool warmed = false;
  auto res = gen.run([&](int64_t second) {
    if (warmed || second < 1) return;
    before = totals();
    client_before = c.counters().client_bytes;
    warmed = true;
  });
  if (!warmed) return make_error(errc::timeout, "the load ended before its warm-up did");
  CpuSample after = totals();
  CpuSample d;
  d.cpu_s = after.cpu_s - before.cpu_s;
  d.client_cpu_s = after.client_cpu_s - before.client_cpu_s;
  d.client_requests = after.client_requests - before.client_requests;
  d.records = after.records - before.records;
  d.messages = after.messages - before.messages;
  d.bytes = after.bytes - before.bytes + static_cast<double>(c.counters().client_bytes - client_before);
  d.acked = static_cast<double>(res.measured_acked);
  d.disk_thread_cpu_s = after.disk_thread_cpu_s - before.disk_thread_cpu_s;
  for (size_t i = 0; i < after.loop_cpu_s.size() && i < before.loop_cpu_s.size(); ++i)
    d.busiest_loop_cpu_s = std::max(d.busiest_loop_cpu_s, after.loop_cpu_s[i] - before.loop_cpu_s[i]);
  return d;
}

nlohmann::json sample_json(const CpuSample& s) {
  return {{"cpu_s", s.cpu_s},
          {"client_cpu_s", s.client_cpu_s},
          {"messages", s.messages},
          {"records", s.records},
          {"bytes", s.bytes},
          {"client_requests", s.client_requests},
          {"acked", s.acked},
          {"disk_thread_cpu_s", s.disk_thread_cpu_s},
          {"busiest_loop_cpu_s", s.busiest_loop_cpu_s}};
}

double det3(const double m[3][3]) {
  return m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
         m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
}

// Solves rows * (a, r, b) = rhs by Cramer's rule. If the runs cannot separate the per-record cost
// (a singular system) or a cost comes out negative, fits messages and bytes alone by least squares,
// and failing that takes a plain average per message.
std::array<double, 3> solve_costs(const double rows[3][3], const double rhs[3]) {
  double d = det3(rows);
  if (d != 0) {
    std::array<double, 3> x{};
    for (int k = 0; k < 3; ++k) {
      double m[3][3];
      for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j) m[i][j] = j == k ? rhs[i] : rows[i][j];
      x[k] = det3(m) / d;
    }
    if (x[0] > 0 && x[1] >= 0 && x[2] >= 0) return x;
  }
  // Without the per-record cost: messages and bytes, least squares over the three runs.
  double mm = 0, mb = 0, bb = 0, mc = 0, bc = 0;
  for (int i = 0; i < 3; ++i) {
    mm += rows[i][0] * rows[i][0];
    mb += rows[i][0] * rows[i][2];
    bb += rows[i][2] * rows[i][2];
    mc += rows[i][0] * rhs[i];
    bc += rows[i][2] * rhs[i];
  }
  double dd = mm * bb - mb * mb;
  if (dd != 0) {
    double a = (mc * bb - bc * mb) / dd;
    double b = (mm * bc - mb * mc) / dd;
    if (a > 0 && b >= 0) return {a, 0, b};
  }
  double msgs = rows[0][0] + rows[1][0] + rows[2][0];
  return {(rhs[0] + rhs[1] + rhs[2]) / std::max(1.0, msgs), 0, 0};
}

// The client's cost per request and per record, from an unbatched and a batched run.
std::pair<double, double> solve_client_costs(const CpuSample& single, const CpuSample& batched) {
  const double q1 = single.client_requests, k1 = single.acked, c1 = single.client_cpu_s * 1e9;
  const double q2 = batched.client_requests, k2 = batched.acked, c2 = batched.client_cpu_s * 1e9;
  double d = q1 * k2 - q2 * k1;
  if (d != 0) {
    double q = (c1 * k2 - c2 * k1) / d;
    double k = (q1 * c2 - q2 * c1) / d;
    if (q >= 0 && k >= 0) return {q, k};
  }
  return {q1 > 0 ? c1 / q1 : 0, 0};
}

// Adds `b`'s counts to `a`'s: the rounds of one configuration are fitted as one longer run.
void accumulate(CpuSample& a, const CpuSample& b) {
  a.cpu_s += b.cpu_s;
  a.client_cpu_s += b.client_cpu_s;
  a.client_requests += b.client_requests;
  a.records += b.records;
  a.messages += b.messages;
  a.bytes += b.bytes;
  a.acked += b.acked;
  a.disk_thread_cpu_s += b.disk_thread_cpu_s;
  a.busiest_loop_cpu_s += b.busiest_loop_cpu_s;
}

// A mode's CPU model from three configurations (100 B, 1 KB, 1 KB in batches), each run
// `rounds` times on a fresh cluster, in turn, so a slow spell of the host spreads over all three
// instead of skewing one; the summed samples go to `runs` (informational).
Result<sim::CpuModel> calibrate_cpu(const std::string& binary, const std::string& mode, const CpuLoad& load,
                                    const std::function<Status()>& after_each_run, nlohmann::json& runs) {
  CpuSample sums[3];
  const uint32_t sizes[3] = {100, 1024, 1024};
  const uint32_t batches[3] = {1, 1, load.batch};
  for (uint32_t r = 0; r < load.rounds; ++r) {
    for (int i = 0; i < 3; ++i) {
      auto x = measure_cpu(binary, mode, sizes[i], batches[i], load);
      if (!x.ok()) return x.error();
      accumulate(sums[i], *x);
      if (auto s = after_each_run(); !s.ok()) return s.error();
    }
  }
  const CpuSample& large = sums[1];
  const CpuSample& batched = sums[2];
  runs = {{"100B", sample_json(sums[0])},
          {"1KB", sample_json(large)},
          {"1KB_batch" + std::to_string(load.batch), sample_json(batched)}};
  // Nodes: cpu = a * messages + r * records + b * bytes over the three configurations.
  double rows[3][3], rhs[3];
  for (int i = 0; i < 3; ++i) {
    rows[i][0] = sums[i].messages;
    rows[i][1] = sums[i].records;
    rows[i][2] = sums[i].bytes;
    rhs[i] = sums[i].cpu_s * 1e9;
  }
  auto node_cost = solve_costs(rows, rhs);
  // Clients: cpu = q * requests + k * records sent, from the unbatched and the batched 1 KB runs.
  auto client_cost = solve_client_costs(large, batched);
  sim::CpuModel m;
  m.per_message_ns = static_cast<int64_t>(node_cost[0]);
  m.per_record_ns = node_cost[1];
  m.per_byte_ns = node_cost[2];
  // The nodes ran on this host, as `run --runtime net` runs them by default: they share its cores,
  // and the load generator (this process) takes the same cores per request and per record.
  m.shared_cores = static_cast<uint32_t>(std::max(1L, sysconf(_SC_NPROCESSORS_ONLN)));
  m.client_per_request_ns = static_cast<int64_t>(client_cost.first);
  m.client_per_record_ns = client_cost.second;
  return m;
}

int fail(const std::string& m) {
  std::fprintf(stderr, "replbench calibrate: %s\n", m.c_str());
  return 1;
}

}  // namespace

int cmd_calibrate(const std::vector<std::string>& args) {
  std::string out = "profile.json";
  std::string binary = "/proc/self/exe";
  std::string dir;
  bool quick = false;
  CpuLoad load;
  std::vector<std::string> modes = {"raft", "gm", "masterslave", "isr"};
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--out" && i + 1 < args.size()) {
      out = args[++i];
    } else if (args[i] == "--binary" && i + 1 < args.size()) {
      binary = args[++i];
    } else if (args[i] == "--dir" && i + 1 < args.size()) {
      dir = args[++i];
    } else if (args[i] == "--quick") {
      quick = true;
    } else if ((args[i] == "--in-flight" || args[i] == "--linger-ticks" || args[i] == "--batch") &&
               i + 1 < args.size()) {
      struct Bound {
        uint32_t* value;
        uint64_t lo, hi;
      };
      const Bound b = args[i] == "--in-flight"      ? Bound{&load.in_flight, 1, 100000}
                      : args[i] == "--linger-ticks" ? Bound{&load.linger_ticks, 0, 1000}
                                                    : Bound{&load.batch, 2, 100000};
      const std::string& flag = args[i];
      const std::string& v = args[++i];
      auto n = harness::parse_u64(v);
      if (!n || *n < b.lo || *n > b.hi) {
        std::fprintf(stderr, "replbench calibrate: %s must be a whole number in %llu..%llu, got '%s'\n", flag.c_str(),
                     static_cast<unsigned long long>(b.lo), static_cast<unsigned long long>(b.hi), v.c_str());
        return 2;
      }
      *b.value = static_cast<uint32_t>(*n);
    } else if (args[i] == "--modes" && i + 1 < args.size()) {
      modes.clear();
      std::string list = args[++i];
      for (size_t pos = 0; pos <= list.size();) {
        size_t comma = std::min(list.find(',', pos), list.size());
        std::string m = list.substr(pos, comma - pos);
        if (auto f = harness::make_mode(m); !f.ok()) {
          std::fprintf(stderr, "replbench calibrate: --modes: %s\n", f.error().message.c_str());
          return 2;
        }
        modes.push_back(m);
        pos = comma + 1;
      }
    } else {
      std::fprintf(stderr,
                   "replbench calibrate: unknown flag '%s'\nusage: replbench calibrate [--out FILE] [--quick] "
                   "[--dir DIR] [--modes raft,gm,masterslave,isr] [--in-flight N] [--linger-ticks N] [--batch N]\n",
                   args[i].c_str());
      return 2;
    }
  }
  if (load.batch > load.in_flight) {
    std::fprintf(stderr, "replbench calibrate: --batch %u cannot exceed --in-flight %u (a request never fills)\n",
                 load.batch, load.in_flight);
    return 2;
  }
  if (binary == "/proc/self/exe") {
    std::error_code ec;
    auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (!ec) binary = p.string();
  }
  bool own_dir = dir.empty();
  if (own_dir) {
    auto owned = make_owned_temp_dir("replbench-calibrate-");
    if (!owned.ok()) return fail(owned.error().describe());
    dir = *owned;
  }
  std::fprintf(stderr, "calibrate: disk (sync latency of 1 KB and 256 KB appends, write bandwidth) in %s\n",
               dir.c_str());
  auto disk = open_disk_sampler(dir + "/disk");
  if (!disk.ok()) return fail(disk.error().describe());
  // A burst before the CPU runs and one after each: 40 + 10 syncs (quick: 20 + 5), about 30 ms.
  const int small_syncs = quick ? 20 : 40, large_syncs = quick ? 5 : 10;
  auto disk_burst = [&]() { return sample_disk(*disk, small_syncs, large_syncs); };
  if (auto s = disk_burst(); !s.ok()) return fail(s.error().describe());
  std::fprintf(stderr, "calibrate: loopback latency and bandwidth\n");
  NetResult net = measure_loopback(quick ? 500 : 2000);
  if (quick) {
    load.seconds = 1.5;
    load.rounds = 1;
  }
  std::map<std::string, sim::CpuModel> cpu_by_mode;
  nlohmann::json cpu_runs = nlohmann::json::object();
  for (const auto& mode : modes) {
    std::fprintf(stderr, "calibrate: CPU cost of %s (3 nodes; 100 B, 1 KB, then 1 KB in batches of %u)\n", mode.c_str(),
                 load.batch);
    auto m = calibrate_cpu(binary, mode, load, disk_burst, cpu_runs[mode]);
    if (!m.ok()) return fail(mode + ": " + m.error().describe());
    cpu_by_mode[mode] = *m;
  }
  // The disk: the 1 KB syncs' distribution is a sync's fixed cost; what a 256 KB sync takes beyond
  // it on average gives the cost per byte synced, at the sizes a node's group commits reach (the
  // bulk write's bandwidth, one sync for 32 MiB, is what the page cache absorbs, not what a sync
  // of a batch costs). If the difference is not positive, the bulk figure stands in.
  const std::vector<int64_t> fsync_q = quantile_table(disk->small_ns, 41);
  const int64_t fsync_p50 = pct(disk->small_ns, 50), fsync_p90 = pct(disk->small_ns, 90);
  const double small_mean = mean_of(disk->small_ns), large_mean = mean_of(disk->large_ns);
  const double per_sync_bytes_per_ns =
      large_mean > small_mean ? (kLargeSyncBytes - 1024) / (large_mean - small_mean) : 0;
  const double write_bytes_per_ns = per_sync_bytes_per_ns > 0 ? per_sync_bytes_per_ns : disk->bulk_bytes_per_ns;
  disk->store.reset();
  if (own_dir) std::filesystem::remove_all(dir);

  sim::SimConfig cfg;
  cfg.network.latency_ns = net.one_way_p50;
  cfg.network.jitter_ns = std::max<int64_t>(0, net.one_way_p90 - net.one_way_p50);
  cfg.network.bandwidth_bytes_per_ns = net.bytes_per_ns;
  cfg.client_network = cfg.network;
  cfg.disk.fsync_ns = fsync_p50;
  cfg.disk.fsync_jitter_ns = std::max<int64_t>(0, fsync_p90 - fsync_p50);
  cfg.disk.fsync_quantiles_ns = fsync_q;
  cfg.disk.write_bytes_per_ns = write_bytes_per_ns;
  // The general CPU model is the first mode's; each mode's own is in cpu_by_mode.
  cfg.cpu = cpu_by_mode.at(modes.front());
  // calibrate runs its nodes on this host, as `run --runtime net` does by default: they share its
  // disk.
  cfg.disk.shared = true;
  char host[256] = {0};
  gethostname(host, sizeof(host) - 1);
  nlohmann::json measured = {{"host", host},
                             {"cpus", sysconf(_SC_NPROCESSORS_ONLN)},
                             {"fsync_p50_ns", fsync_p50},
                             {"fsync_p90_ns", fsync_p90},
                             {"fsync_p99_ns", pct(disk->small_ns, 99)},
                             {"fsync_mean_ns", small_mean},
                             {"fsync_samples", disk->small_ns.size()},
                             {"sync_256k_mean_ns", large_mean},
                             {"sync_256k_samples", disk->large_ns.size()},
                             {"write_bytes_per_ns", write_bytes_per_ns},
                             {"bulk_write_bytes_per_ns", disk->bulk_bytes_per_ns},
                             {"loopback_one_way_p50_ns", net.one_way_p50},
                             {"loopback_one_way_p90_ns", net.one_way_p90},
                             {"loopback_bytes_per_ns", net.bytes_per_ns},
                             {"cpu_runs", cpu_runs},
                             {"cpu_runs_in_flight", load.in_flight},
                             {"cpu_runs_linger_ticks", load.linger_ticks},
                             {"cpu_runs_batch", load.batch},
                             {"cpu_runs_seconds", load.seconds},
                             {"cpu_runs_rounds", load.rounds},
                             {"quick", quick}};
  if (auto s = save_sim_profile(out, cfg, measured, cpu_by_mode); !s.ok()) return fail(s.error().describe());
  std::printf("profile written to %s\n%s\n", out.c_str(), sim_profile_to_json(cfg).dump(2).c_str());
  return 0;
}

}  // namespace rb::netcluster
