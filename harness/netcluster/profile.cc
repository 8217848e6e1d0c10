#include "harness/netcluster/profile.h"

#include <fstream>
#include <set>
#include <sstream>

namespace rb::netcluster {

namespace {

Error bad(const std::string& m) { return make_error(errc::invalid_config, "profile: " + m); }

Status only(const nlohmann::json& j, const std::string& where, const std::set<std::string>& known) {
  if (!j.is_object()) return bad(where + " must be an object");
  for (auto it = j.begin(); it != j.end(); ++it)
    if (!known.contains(it.key())) return bad("unknown field " + where + "." + it.key());
  return {};
}

template <class T>
Status num(const nlohmann::json& j, const std::string& where, const char* key, T& out) {
  if (!j.contains(key)) return {};
  if (!j[key].is_number()) return bad(where + "." + key + " must be a number");
  out = j[key].get<T>();
  return {};
}

Status network(const nlohmann::json& j, const std::string& where, sim::NetworkModel& m) {
  if (auto s = only(j, where, {"latency_ns", "jitter_ns", "bandwidth_bytes_per_ns", "loss", "fifo"}); !s.ok()) return s;
  if (auto s = num(j, where, "latency_ns", m.latency_ns); !s.ok()) return s;
  if (auto s = num(j, where, "jitter_ns", m.jitter_ns); !s.ok()) return s;
  if (auto s = num(j, where, "bandwidth_bytes_per_ns", m.bandwidth_bytes_per_ns); !s.ok()) return s;
  if (auto s = num(j, where, "loss", m.loss); !s.ok()) return s;
  if (j.contains("fifo")) {
    if (!j["fifo"].is_boolean()) return bad(where + ".fifo must be true or false");
    m.fifo = j["fifo"].get<bool>();
  }
  return {};
}

nlohmann::json network_json(const sim::NetworkModel& m) {
  return {{"latency_ns", m.latency_ns},
          {"jitter_ns", m.jitter_ns},
          {"bandwidth_bytes_per_ns", m.bandwidth_bytes_per_ns},
          {"loss", m.loss},
          {"fifo", m.fifo}};
}

Status cpu_model(const nlohmann::json& u, const std::string& where, sim::CpuModel& m) {
  if (auto s = only(u, where,
                    {"per_message_ns", "per_record_ns", "per_byte_ns", "shared_cores", "client_per_request_ns",
                     "client_per_record_ns"});
      !s.ok())
    return s;
  if (u.contains("shared_cores") && !u["shared_cores"].is_number_unsigned())
    return bad(where + ".shared_cores must be a non-negative integer");
  if (auto s = num(u, where, "per_message_ns", m.per_message_ns); !s.ok()) return s;
  if (auto s = num(u, where, "per_record_ns", m.per_record_ns); !s.ok()) return s;
  if (auto s = num(u, where, "per_byte_ns", m.per_byte_ns); !s.ok()) return s;
  if (auto s = num(u, where, "shared_cores", m.shared_cores); !s.ok()) return s;
  if (auto s = num(u, where, "client_per_request_ns", m.client_per_request_ns); !s.ok()) return s;
  if (auto s = num(u, where, "client_per_record_ns", m.client_per_record_ns); !s.ok()) return s;
  return {};
}

}  // namespace

nlohmann::json cpu_model_json(const sim::CpuModel& m) {
  return {{"per_message_ns", m.per_message_ns},
          {"per_record_ns", m.per_record_ns},
          {"per_byte_ns", m.per_byte_ns},
          {"shared_cores", m.shared_cores},
          {"client_per_request_ns", m.client_per_request_ns},
          {"client_per_record_ns", m.client_per_record_ns}};
}

Result<sim::SimConfig> sim_profile_from_json(const nlohmann::json& j, const std::string& mode) {
  sim::SimConfig c;
  if (auto s = only(j, "profile",
                    {"schema", "network", "client_network", "disk", "cpu", "cpu_by_mode", "tick_ns", "measured"});
      !s.ok())
    return s.error();
  if (j.contains("schema") && j["schema"] != "replbench-profile/1")
    return bad("schema must be replbench-profile/1, got " + j["schema"].dump());
  if (j.contains("network")) {
    if (auto s = network(j["network"], "network", c.network); !s.ok()) return s.error();
  }
  if (j.contains("client_network")) {
    if (auto s = network(j["client_network"], "client_network", c.client_network); !s.ok()) return s.error();
  }
  if (j.contains("disk")) {
    const auto& d = j["disk"];
    if (auto s = only(d, "disk", {"write_bytes_per_ns", "fsync_ns", "fsync_jitter_ns", "fsync_quantiles_ns", "shared"});
        !s.ok())
      return s.error();
    if (d.contains("fsync_quantiles_ns")) {
      const auto& q = d["fsync_quantiles_ns"];
      if (!q.is_array()) return bad("disk.fsync_quantiles_ns must be an array of nanoseconds");
      for (const auto& v : q) {
        if (!v.is_number_integer()) return bad("disk.fsync_quantiles_ns must hold whole numbers of nanoseconds");
        c.disk.fsync_quantiles_ns.push_back(v.get<int64_t>());
      }
    }
    if (d.contains("shared")) {
      if (!d["shared"].is_boolean()) return bad("disk.shared must be true or false");
      c.disk.shared = d["shared"].get<bool>();
    }
    if (auto s = num(d, "disk", "write_bytes_per_ns", c.disk.write_bytes_per_ns); !s.ok()) return s.error();
    if (auto s = num(d, "disk", "fsync_ns", c.disk.fsync_ns); !s.ok()) return s.error();
    if (auto s = num(d, "disk", "fsync_jitter_ns", c.disk.fsync_jitter_ns); !s.ok()) return s.error();
  }
  if (j.contains("cpu")) {
    if (auto st = cpu_model(j["cpu"], "cpu", c.cpu); !st.ok()) return st.error();
  }
  if (j.contains("cpu_by_mode")) {
    const auto& by = j["cpu_by_mode"];
    if (!by.is_object()) return bad("cpu_by_mode must be an object of mode -> cpu model");
    for (auto it = by.begin(); it != by.end(); ++it) {
      sim::CpuModel m = c.cpu;
      if (auto st = cpu_model(it.value(), "cpu_by_mode." + it.key(), m); !st.ok()) return st.error();
      if (it.key() == mode) c.cpu = m;
    }
  }
  if (auto s = num(j, "profile", "tick_ns", c.tick_ns); !s.ok()) return s.error();
  if (auto s = c.validate(); !s.ok()) return bad(s.error().message);
  return c;
}

Result<sim::SimConfig> load_sim_profile(const std::string& path, const std::string& mode) {
  std::ifstream in(path);
  if (!in) return make_error(errc::io_error, "cannot read profile '" + path + "'");
  std::stringstream ss;
  ss << in.rdbuf();
  auto j = nlohmann::json::parse(ss.str(), nullptr, false);
  if (j.is_discarded()) return make_error(errc::invalid_config, "profile '" + path + "' is not valid JSON");
  auto c = sim_profile_from_json(j, mode);
  if (!c.ok()) return make_error(c.error().code, path + ": " + c.error().message);
  return c;
}

nlohmann::json sim_profile_to_json(const sim::SimConfig& c) {
  return {{"schema", "replbench-profile/1"},
          {"network", network_json(c.network)},
          {"client_network", network_json(c.client_network)},
          {"disk",
           {{"write_bytes_per_ns", c.disk.write_bytes_per_ns},
            {"fsync_ns", c.disk.fsync_ns},
            {"fsync_jitter_ns", c.disk.fsync_jitter_ns},
            {"fsync_quantiles_ns", c.disk.fsync_quantiles_ns},
            {"shared", c.disk.shared}}},
          {"cpu", cpu_model_json(c.cpu)},
          {"tick_ns", c.tick_ns}};
}

Status save_sim_profile(const std::string& path, const sim::SimConfig& c, const nlohmann::json& measured,
                        const std::map<std::string, sim::CpuModel>& cpu_by_mode) {
  auto j = sim_profile_to_json(c);
  if (!cpu_by_mode.empty()) {
    j["cpu_by_mode"] = nlohmann::json::object();
    for (const auto& [mode, m] : cpu_by_mode) j["cpu_by_mode"][mode] = cpu_model_json(m);
  }
  j["measured"] = measured;
  std::ofstream out(path, std::ios::trunc);
  if (!out) return make_error(errc::io_error, "cannot write profile '" + path + "'");
  out << j.dump(2) << "\n";
  if (!out) return make_error(errc::io_error, "cannot write profile '" + path + "'");
  return {};
}

}  // namespace rb::netcluster
