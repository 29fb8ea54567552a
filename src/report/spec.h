#pragma once
// Helpers shared by the report's chart files (charts.cpp, charts_time.cpp): the skeleton of a
// vega-lite specification and the selection of a result array's highest-scoring entries; and the
// charts over time that charts.cpp adds to a simulation's set. Internal to the report module.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "report/report.h"

namespace osatsim::report {

inline constexpr const char* kSchema = "https://vega.github.io/schema/vega-lite/v6.json";

inline nlohmann::json base_spec(const std::string& description) {
  return nlohmann::json{{"$schema", kSchema},
                        {"description", description},
                        {"config", {{"view", {{"stroke", nullptr}}}}}};
}

// The `most` entries of a result array with the highest score, in that order (ties in the
// document's order), leaving out those `keep` refuses.
template <class Score, class Keep>
std::vector<const nlohmann::json*> top(const nlohmann::json& array, std::size_t most, Score score, Keep keep) {
  std::vector<const nlohmann::json*> v;
  for (const auto& e : array)
    if (keep(e)) v.push_back(&e);
  std::stable_sort(v.begin(), v.end(), [&](const nlohmann::json* a, const nlohmann::json* b) { return score(*a) > score(*b); });
  if (v.size() > most) v.resize(most);
  return v;
}

// A simulation's charts over time (charts_time.cpp): the tool group x period utilisation heatmap
// and the tool states of the most loaded group per period, when the summary has the tool-state
// series (simulate --series-days); none otherwise.
std::vector<Chart> state_series_charts(const nlohmann::json& summary, const std::string& id);

// The Gantt chart of a trace (simulate --trace): each traced tool's jobs and outages over the
// trace window.
std::vector<Chart> trace_charts(const nlohmann::json& trace, const std::string& id);
std::vector<Table> trace_tables(const nlohmann::json& trace);

}  // namespace osatsim::report
