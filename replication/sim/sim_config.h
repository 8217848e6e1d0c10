#pragma once
// The simulator's models: network links, disks and CPUs. Defaults describe a LAN of SSD-backed
// machines; `replbench calibrate` measures this machine and writes a profile with the same fields.
#include <cstdint>
#include <string>
#include <vector>

#include "replication/core/prng.h"
#include "replication/core/result.h"

namespace rb::sim {

struct NetworkModel {
  int64_t latency_ns = 100'000;          // one-way, per link
  int64_t jitter_ns = 20'000;            // uniform extra in [0, jitter]
  double bandwidth_bytes_per_ns = 1.25;  // 10 Gbit/s per link direction
  double loss = 0.0;                     // per message drop probability
  bool fifo = true;                      // per-link FIFO, as TCP (false: jitter may reorder)
  Status validate() const;
};

struct DiskModel {
  double write_bytes_per_ns = 0.5;  // 500 MB/s sequential write
  int64_t fsync_ns = 500'000;       // fdatasync latency
  int64_t fsync_jitter_ns = 100'000;
  // A measured latency distribution instead (`replbench calibrate` writes one): quantiles at
  // equally spaced probabilities 0, 1/(n-1), ..., 1, non-decreasing. When set, a sync's fixed
  // part is drawn from it (fsync_ns and fsync_jitter_ns are then only informational).
  std::vector<int64_t> fsync_quantiles_ns;
  // One disk under every node (a cluster on one host): a node's sync waits for the device's
  // running commit, then shares the next with the other syncs issued meanwhile (SharedDisk).
  // false: every node has a disk of its own.
  bool shared = false;
  Status validate() const;
  // The fixed part of one sync for a uniform draw `u` in [0, 1): from the quantiles, linearly
  // interpolated, when there are any; else fsync_ns plus `u` of the jitter.
  int64_t fsync_at(double u) const;
  // The fixed part of one simulated sync, drawn from `rng`: from the quantiles when there are
  // any, else fsync_ns plus a uniform jitter (in whole nanoseconds, as the simulator always drew).
  int64_t draw_fsync(Prng& rng) const;
};

struct CpuModel {
  int64_t per_message_ns = 2'000;  // handling one peer message or client request
  double per_record_ns = 0;        // plus this per record it carries (append, index, bookkeeping)
  double per_byte_ns = 0.5;        // plus this per byte carried (copy, checksum, encode)
  // 0: every node has a core of its own. N > 0: all nodes share N cores (a cluster on one host);
  // an input then also waits for the earliest free core.
  uint32_t shared_cores = 0;
  // With shared cores: what the clients (the load generator on the same host) spend per request
  // they send, including reading its answer. It takes a core before the request leaves.
  int64_t client_per_request_ns = 0;
  double client_per_record_ns = 0;  // and per record in the request
  Status validate() const;
};

struct SimConfig {
  NetworkModel network;
  NetworkModel client_network;  // between clients and nodes
  DiskModel disk;
  CpuModel cpu;
  int64_t tick_ns = 1'000'000;  // one engine tick = 1 ms
  Status validate() const;
  std::string describe() const;
};

}  // namespace rb::sim
