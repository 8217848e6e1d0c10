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
//    "tick_ns": 1000000,
//    "measured": {... raw measurements, host, date: informational ...}}
//
// Missing model fields keep sim::SimConfig's defaults; unknown fields inside the models are
// rejected (a typo must not silently leave a default in place).
#include <nlohmann/json.hpp>
#include <string>

#include "replication/sim/sim_config.h"

namespace rb::netcluster {

Result<sim::SimConfig> sim_profile_from_json(const nlohmann::json& j);
Result<sim::SimConfig> load_sim_profile(const std::string& path);
nlohmann::json sim_profile_to_json(const sim::SimConfig& c);
// Writes the profile plus the informational `measured` object.
Status save_sim_profile(const std::string& path, const sim::SimConfig& c, const nlohmann::json& measured);

}  // namespace rb::netcluster
