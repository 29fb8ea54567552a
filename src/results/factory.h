#pragma once
// The model summary of `osatsim validate` (docs/cli.md "validate", its JSON keys there): counts
// of tool groups, routes, products, release streams, WIP, setups, calendars and transport.
#include <nlohmann/json.hpp>

#include <string>

#include "model/factory.h"

namespace osatsim::results {

// The summary as JSON (keys in the order written).
nlohmann::ordered_json factory_summary_json(const model::Factory& f);

// The text `validate` prints, made from that JSON.
std::string factory_summary_text(const nlohmann::ordered_json& j);

}  // namespace osatsim::results
