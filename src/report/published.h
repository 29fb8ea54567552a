#pragma once
// Simulated tool-group shares beside published ones (docs/validation.md "Tool groups against the
// published figures"): the SMT2020 reference model's per-group availability, breakdown, PM,
// utilisation and setup (../shared/smt2020/reference/HVLM_tool_groups.txt) against a simulation's
// `summary.json`.
#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "core/diagnostics.h"

namespace osatsim::report {

// One published row, in percent: avail + br + pm = 100 of total time; util of available time;
// setup on a base the file does not state.
struct PublishedGroup {
  std::string name;
  double avail = 0, util = 0, br = 0, pm = 0, setup = 0;
  int line = 0;
};

// Reads the whitespace-separated table (header `name avail util br pm setup`); problems go to
// `diags` as file:line: what (unknown header, wrong column count, a value that is no number or
// outside 0..100, a group twice).
std::vector<PublishedGroup> read_published(const std::string& file, Diagnostics& diags);

// One group compared, in percentage points (simulated - published).
struct GroupComparison {
  std::string name;
  PublishedGroup published;
  bool simulated = false;  // the group is in the simulation
  double avail = 0, util = 0, br = 0, pm = 0, setup_total = 0, setup_available = 0;  // simulated, %
};

// The tolerances of the comparison (points): availability, breakdown and PM everywhere;
// utilisation where the published utilisation is at least `util_min_published`; setup where the
// published setup is above zero (against the simulated setup share of total time).
struct Tolerances {
  double avail = 1, br = 1, pm = 1, util = 3, setup = 3, util_min_published = 50;
};

struct Comparison {
  std::vector<GroupComparison> groups;  // in the published order
  std::vector<std::string> missing;     // published groups the simulation does not have
  // Groups beyond the tolerance per column, and the mean difference per column.
  int beyond_avail = 0, beyond_br = 0, beyond_pm = 0, beyond_util = 0, beyond_setup = 0;
  int checked_util = 0, checked_setup = 0;
  double mean_avail = 0, mean_br = 0, mean_pm = 0, mean_util = 0, mean_setup = 0;
};

// `summary` is a simulate summary.json (its tool_groups' busy, setup, down and pm shares; with
// replications, their means over the replications).
Comparison compare_published(const nlohmann::json& summary, const std::vector<PublishedGroup>& published,
                             const Tolerances& tol);

// The comparison as a text table (one row per group, simulated / published / difference per
// column, `*` beyond the tolerance) and as JSON.
std::string comparison_text(const Comparison& c, const Tolerances& tol);
nlohmann::json comparison_json(const Comparison& c, const Tolerances& tol);

}  // namespace osatsim::report
