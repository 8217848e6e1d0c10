#pragma once
// Simulator profiles: the measured models of one machine, written by `replbench calibrate` and
// loaded by `replbench run --profile FILE` so a simulated run predicts the net runtime on it.
//
//   {"schema": "replbench-profile/1",
//    "network": {"latency_ns": 25000, "jitter_ns": 10000, "bandwidth_bytes_per_ns": 2.1,
//                "loss": 0, "fifo": true},
//    "client_network": {...same fields...},
//    "disk": {"write_bytes_per_ns": 0.4, "fsync_ns": 900000, "fsync_jitter_ns": 300000,
//             "shared": true},
//    "cpu": {"per_message_ns": 9000, "per_record_ns": 300, "per_byte_ns": 0.8, "shared_cores": 2,
//            "client_per_request_ns": 30000, "client_per_record_ns": 500},
//    "cpu_by_mode": {"isr": {...cpu fields...}, ...},   (optional: a mode's own CPU model)
//    "tick_ns": 1000000,
//    "measured": {... raw measurements, host, date: informational ...}}
//
// Missing model fields keep sim::SimConfig's defaults; unknown fields inside the models are
// rejected (a typo must not silently leave a default in place).
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "replication/sim/sim_config.h"

namespace rb::netcluster {

// `mode` (optional): when the profile has a CPU model for that mode in `cpu_by_mode`, it replaces
// the general one (fields it leaves out keep the general model's values).
Result<sim::SimConfig> sim_profile_from_json(const nlohmann::json& j, const std::string& mode = "");
Result<sim::SimConfig> load_sim_profile(const std::string& path, const std::string& mode = "");
nlohmann::json sim_profile_to_json(const sim::SimConfig& c);
nlohmann::json cpu_model_json(const sim::CpuModel& m);
// Writes the profile, the per-mode CPU models (an object mode -> CpuModel, may be empty) and the
// informational `measured` object.
Status save_sim_profile(const std::string& path, const sim::SimConfig& c, const nlohmann::json& measured,
                        const std::map<std::string, sim::CpuModel>& cpu_by_mode = {});

}  // namespace rb::netcluster
