#include "replication/sim/sim_config.h"

#include <algorithm>
#include <sstream>
#include <string>

namespace rb::sim {

namespace {
Error bad(const std::string& m) { return make_error(errc::invalid_config, m); }
}  // namespace

Status NetworkModel::validate() const {
  if (latency_ns < 0) return bad("network latency must be >= 0");
  if (jitter_ns < 0) return bad("network jitter must be >= 0");
  if (bandwidth_bytes_per_ns <= 0) return bad("network bandwidth must be > 0");
  if (loss < 0 || loss >= 1) return bad("network loss must be in [0, 1)");
  return {};
}

Status DiskModel::validate() const {
  if (write_bytes_per_ns <= 0) return bad("disk write bandwidth must be > 0");
  if (fsync_ns < 0 || fsync_jitter_ns < 0) return bad("fsync latency must be >= 0");
  if (!fsync_quantiles_ns.empty()) {
    if (fsync_quantiles_ns.size() < 2 || fsync_quantiles_ns.size() > 1001)
      return bad("disk fsync_quantiles_ns needs 2 to 1001 values");
    if (fsync_quantiles_ns.front() < 0) return bad("disk fsync_quantiles_ns must be >= 0");
    for (size_t i = 1; i < fsync_quantiles_ns.size(); ++i)
      if (fsync_quantiles_ns[i] < fsync_quantiles_ns[i - 1])
        return bad("disk fsync_quantiles_ns must not decrease (value " + std::to_string(i) + ")");
  }
  return {};
}

int64_t DiskModel::fsync_at(double u) const {
  u = std::clamp(u, 0.0, 1.0);
  if (fsync_quantiles_ns.empty()) return fsync_ns + static_cast<int64_t>(u * static_cast<double>(fsync_jitter_ns));
  const double pos = u * static_cast<double>(fsync_quantiles_ns.size() - 1);
  const auto i = std::min(static_cast<size_t>(pos), fsync_quantiles_ns.size() - 2);
  const double lo = static_cast<double>(fsync_quantiles_ns[i]);
  const double hi = static_cast<double>(fsync_quantiles_ns[i + 1]);
  return static_cast<int64_t>(lo + (pos - static_cast<double>(i)) * (hi - lo));
}

int64_t DiskModel::draw_fsync(Prng& rng) const {
  if (!fsync_quantiles_ns.empty()) return fsync_at(rng.unit());
  return fsync_ns + (fsync_jitter_ns > 0 ? static_cast<int64_t>(rng.below(fsync_jitter_ns + 1)) : 0);
}

Status CpuModel::validate() const {
  if (per_message_ns < 0 || per_byte_ns < 0 || per_record_ns < 0) return bad("cpu costs must be >= 0");
  if (shared_cores > 1024) return bad("cpu shared_cores must be at most 1024");
  if (client_per_request_ns < 0 || client_per_record_ns < 0) return bad("cpu client costs must be >= 0");
  return {};
}

Status SimConfig::validate() const {
  if (auto s = network.validate(); !s.ok()) return s;
  if (auto s = client_network.validate(); !s.ok()) return s;
  if (auto s = disk.validate(); !s.ok()) return s;
  if (auto s = cpu.validate(); !s.ok()) return s;
  if (tick_ns <= 0) return bad("tick must be > 0 ns");
  return {};
}

std::string SimConfig::describe() const {
  std::ostringstream os;
  os << "latency " << network.latency_ns / 1000 << "us +" << network.jitter_ns / 1000 << "us, "
     << network.bandwidth_bytes_per_ns * 8 << " Gbit/s, loss " << network.loss << "; disk "
     << disk.write_bytes_per_ns * 1000 << " MB/s, fsync " << disk.fsync_ns / 1000 << "us; cpu " << cpu.per_message_ns
     << "ns/msg + " << cpu.per_byte_ns << "ns/B";
  if (disk.shared) os << "; one shared disk";
  if (cpu.shared_cores > 0) os << "; " << cpu.shared_cores << " shared cores";
  os << "; tick " << tick_ns / 1000 << "us";
  return os.str();
}

}  // namespace rb::sim
