#include "replication/sim/sim_config.h"

#include <sstream>

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
  return {};
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
