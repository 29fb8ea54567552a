// A previous plan's first-stage decisions as the start of a new solve (re-planning,
// docs/planner.md "Re-planning"): plan.json's purchases and buildings, matched to the network by
// names and months.
#include <fmt/format.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "planner/plan.h"

namespace osatsim::planner {

bool read_plan_start(const Network& n, const std::string& path, PlanStart& out, Diagnostics& diags) {
  using nlohmann::json;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    diags.add(path, 0, "cannot read the start plan");
    return false;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  json j;
  try {
    j = json::parse(ss.str());
  } catch (const json::parse_error& e) {
    diags.add(path, 0, fmt::format("not JSON: {}", e.what()));
    return false;
  }
  if (!j.is_object() || !j.contains("purchases") || !j["purchases"].is_array()) {
    diags.add(path, 0, "not a plan.json of osatsim plan: no purchases[] array");
    return false;
  }
  const std::size_t before = diags.size();
  auto instance = [&](const json& e, const std::string& what) -> int {
    const std::string name = e.value("line", "");
    for (std::size_t i = 0; i < n.instances.size(); ++i)
      if (n.instances[i].name == name) return static_cast<int>(i);
    diags.add(path, 0, fmt::format("{}: line '{}' is not in network '{}'", what, name, n.name));
    return -1;
  };
  auto month = [&](const json& e, const char* key, const std::string& what) -> int {
    Month m;
    const std::string text = e.contains(key) && e[key].is_string() ? e[key].get<std::string>() : "";
    if (!parse_month(text, m)) {
      diags.add(path, 0, fmt::format("{}: {} '{}' is not a YYYY-MM month", what, key, text));
      return -1;
    }
    const int t = m.index - n.start.index;
    if (t < 0 || t >= n.horizon) {
      diags.add(path, 0, fmt::format("{}: {} {} is outside the horizon {} .. {}", what, key, text,
                                     n.start.to_string(), n.month(n.horizon - 1).to_string()));
      return -1;
    }
    return t;
  };
  for (std::size_t k = 0; k < j["purchases"].size(); ++k) {
    const json& e = j["purchases"][k];
    const std::string what = fmt::format("purchases[{}]", k);
    if (!e.is_object()) {
      diags.add(path, 0, what + ": not an object");
      continue;
    }
    const int i = instance(e, what);
    const int t = month(e, "order_month", what);
    if (i < 0 || t < 0) continue;
    const auto& lm = n.lines[static_cast<std::size_t>(n.instances[static_cast<std::size_t>(i)].line)];
    const std::string group = e.value("group", "");
    int g = -1;
    for (std::size_t q = 0; q < lm.factory->tool_groups.size(); ++q)
      if (lm.factory->tool_groups[q].name == group) g = static_cast<int>(q);
    if (g < 0) {
      diags.add(path, 0, fmt::format("{}: group '{}' is not in line model '{}'", what, group, lm.name));
      continue;
    }
    const int tools = e.contains("tools") && e["tools"].is_number_integer() ? e["tools"].get<int>() : -1;
    if (tools < 0) {
      diags.add(path, 0, what + ": tools must be a whole number >= 0");
      continue;
    }
    out.purchases.push_back(Purchase{i, g, t, tools, 0, 0.0});
  }
  if (j.contains("buildings_opened") && j["buildings_opened"].is_array())
    for (std::size_t k = 0; k < j["buildings_opened"].size(); ++k) {
      const json& e = j["buildings_opened"][k];
      const std::string what = fmt::format("buildings_opened[{}]", k);
      const int i = e.is_object() ? instance(e, what) : -1;
      const int t = e.is_object() ? month(e, "decision_month", what) : -1;
      if (i < 0 || t < 0) continue;
      out.openings.push_back(Opening{i, t, 0, 0.0});
    }
  out.given = diags.size() == before;
  return out.given;
}

}  // namespace osatsim::planner
