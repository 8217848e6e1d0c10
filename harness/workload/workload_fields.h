#pragma once
// Internal: the per-key read/write table behind Workload parsing, overrides and to_json().
#include <nlohmann/json.hpp>
#include <string_view>
#include <vector>

#include "harness/workload/workload.h"

namespace rb::workload::detail {

struct Field {
  const char* key;  // the JSON key
  // Type-checks `v` and stores it; invalid_config naming the key on a wrong type. Range checks
  // that involve other fields are Workload::validate()'s job.
  Status (*read)(Workload& w, const nlohmann::json& v);
  nlohmann::json (*write)(const Workload& w);
};

const std::vector<Field>& fields();
const Field* find_field(std::string_view key);

}  // namespace rb::workload::detail
