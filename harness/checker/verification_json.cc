// Verification -> JSON for the result file, the config -> guarantees rule, and re-checking a
// saved history file.
#include "harness/checker/checker.h"

namespace rb::checker {

namespace {
nlohmann::json ms_or_null(const std::optional<double>& v) { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); }
}  // namespace

nlohmann::json FaultAvailability::to_json() const {
  return nlohmann::json{
      {"fault", fault},
      {"start_s", static_cast<double>(start_ns) / 1e9},
      {"stop_s", stop_ns >= 0 ? nlohmann::json(static_cast<double>(stop_ns) / 1e9) : nlohmann::json(nullptr)},
      {"unavailable_ms", unavailable_ms},
      {"disrupted", disrupted},
      {"recovered", recovered},
      {"rto_ms", ms_or_null(rto_ms)},
      {"leader_changes", leader_changes},
      {"lost", lost},
      {"failed", failed},
      {"unknown", unknown}};
}

nlohmann::json Verification::to_json() const {
  nlohmann::json sample = nlohmann::json::array();
  for (const auto& id : lost_sample) sample.push_back({id.producer.value(), id.sequence});
  nlohmann::json avail = nlohmann::json::array();
  for (const auto& a : availability) avail.push_back(a.to_json());
  return nlohmann::json{{"valid", valid},
                        {"violations", violations},
                        {"loss_permitted", loss_permitted},
                        {"loss_why", loss_why},
                        {"duplicates_permitted", duplicates_permitted},
                        {"duplicates_why", duplicates_why},
                        {"sends", sends},
                        {"acked", acked},
                        {"failed", failed},
                        {"unknown", unknown},
                        {"delivered", delivered},
                        {"deliveries", deliveries},
                        {"lost", lost},
                        {"expected_loss", expected_loss},
                        {"lost_sample", std::move(sample)},
                        {"duplicated", duplicated},
                        {"unexpected", unexpected},
                        {"failed_landed", failed_landed},
                        {"vanished", vanished},
                        {"offset_conflicts", offset_conflicts},
                        {"reordered", reordered},
                        {"skipped", skipped},
                        {"divergent", divergent},
                        {"multi_leader", multi_leader},
                        {"unknown_landed", unknown_landed},
                        {"unknown_lost", unknown_lost},
                        {"undelivered", undelivered},
                        {"examples", examples},
                        {"availability", std::move(avail)}};
}

Guarantees guarantees_for(const ReplicationConfig& config) {
  Guarantees g;
  if (config.acks == AckLevel::none || config.acks == AckLevel::leader) {
    g.loss_permitted = true;
    g.loss_why = "acks=" + std::string(to_string(config.acks));
  }
  if (!config.idempotence) {
    g.duplicates_permitted = true;
    g.duplicates_why = "idempotence off";
  }
  return g;
}

Result<Verification> recheck_file(const std::string& path, const std::optional<Guarantees>& override_guarantees) {
  auto h = load_history_file(path);
  if (!h.ok()) return h.error();
  const Guarantees g = override_guarantees ? *override_guarantees : h->guarantees.value_or(Guarantees{});
  return check(h->ops, h->logs, g);
}

}  // namespace rb::checker
