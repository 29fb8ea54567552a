#pragma once
// The capacity plan of a network (docs/planner.md): a mixed-integer program over months that
// buys tools and opens buildings (decided once), and per demand scenario starts wafers and units,
// ships to customers, carries backlog and draws components; with load-dependent WIP from each
// tool group's queueing curve, shadow prices of the binding constraints, and a check of the plan
// by simulation.
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "planner/mip.h"
#include "planner/network.h"

namespace osatsim::planner {

enum class Objective { Profit, MinCapex };
const char* to_string(Objective o);

struct Purchase {
  int instance = -1, group = -1, month = 0, tools = 0;
  int in_service = 0;  // month index
  double cost = 0;
};
struct Opening {
  int instance = -1, month = 0, first_output = 0;
  double capex = 0;
};

// First-stage decisions of an earlier plan, the start of a re-plan (read_plan_start).
struct PlanStart {
  bool given = false;
  std::vector<Purchase> purchases;  // instance, group, month, tools
  std::vector<Opening> openings;    // instance, month
};

struct PlanOptions {
  Objective objective = Objective::Profit;
  SolveOptions solve;
  int wip_segments = 3;          // tangents of each group's WIP curve
  // The clearing function's saturation: the share of its available hours a tool group may be
  // planned to (the WIP curve's last tangent point; docs/planner.md).
  double max_utilisation = 0.92;
  // Moves of the start's local search (docs/planner.md "Solving"): a count, not a time, so that
  // the same network gives the same plan on any machine that is not cut by the time limit.
  int search_moves = 400;
  bool shadow_prices = true;
  bool vss = true;               // value of the stochastic solution (several scenarios)
  // Verification by simulation: lines and months to simulate (empty: the most loaded month of
  // each line instance), replications, days, warm-up.
  bool verify = true;
  int verify_replications = 3;
  double verify_days = 300;
  double verify_warmup_days = 90;
  int verify_threads = 2;  // (line, replication) runs at once; results do not depend on it
  std::uint64_t seed = 1;
  // Re-planning: an earlier plan's tools and buildings, tried as a start (kept where they still
  // fit: the purchase limits, lead times and budget of this network decide).
  PlanStart start;
};

// What one start (a wafer, or a unit of a unit-start product) of a product on a line model needs
// and yields (from model::stream_flow and the capacity analysis).
struct StartProfile {
  bool makes = false;
  bool unit_start = false;
  double good_units = 0;          // good units shipped per start
  std::vector<double> hours;      // tool-hours per start, per tool group
  std::vector<double> components;  // per network component: units drawn per start
  double cycle_time_days = 0;     // at the line model's nominal load
  double raw_process_days = 0;
};

struct LineProfile {
  std::vector<StartProfile> products;  // per network product
  std::vector<double> availability;    // per tool group: available share of calendar time
  std::vector<double> nominal_util;    // per tool group at the model's own plan
  // Queueing of each group at the model's nominal load (for the WIP curve).
  std::vector<double> te_hours, variability;  // te and (ca2 + ce2) / 2
};

struct Binding {
  std::string kind;  // "tool-hours", "component", "budget"
  std::string what;  // e.g. "k28_l1 / cow_test / 2026-07"
  double value = 0;  // US$ per unit of the right-hand side (tool-hour, component unit, dollar)
  std::string scenario;
};
struct LineMonth {
  int instance = -1, month = 0;
  double max_utilisation = 0;
  std::string bottleneck;
  std::vector<double> starts;       // per product (expected over scenarios)
  std::vector<double> cycle_time_days;  // per product, by the capacity analysis at that load
};
struct Verification {
  int instance = -1, month = 0;
  std::vector<std::string> products;
  std::vector<double> planned_units, simulated_units;  // good units per month
  std::vector<double> planned_ct, simulated_ct;        // days
  bool flagged = false;
  std::string note;
};

struct ScenarioPlan {
  std::string name;
  double probability = 1;
  // [customer][product][month]
  std::vector<std::vector<std::vector<double>>> demand, shipped, backlog, lost;
  // [instance][product][month]
  std::vector<std::vector<std::vector<double>>> starts;
  // [component][month]
  std::vector<std::vector<double>> component_use, component_extra;
  double margin = 0, penalties = 0, wip_cost = 0, extra_cost = 0;
};

struct Plan {
  std::string network;
  PlanOptions options;
  SolveStatus call = SolveStatus::Error;
  std::string plan_status;  // "optimal", "feasible at gap G", "no solution in time", "infeasible"
  SolveResult solver;
  int columns = 0, rows = 0, integers = 0;
  std::vector<Purchase> purchases;
  std::vector<Opening> openings;
  std::vector<ScenarioPlan> scenarios;
  std::vector<double> capex_by_year;  // from the first year of the horizon
  int first_year = 0;
  double capex_total = 0;
  double lp_bound = kInf;         // the LP relaxation's objective (minimisation), when solved
  double start_objective = kInf;  // the start's objective (minimisation), when found
  // With PlanOptions::start: 1 the earlier plan was the better start, 2 it fit but the rounded
  // LP was better, -1 it does not fit this network (limits, lead times, budget, openings).
  int start_hint = 0;
  double lp_seconds = 0, rounding_seconds = 0;  // the start's phases (docs/performance.md)
  int moves_tried = 0;
  bool search_cut = false;  // the time limit cut the start's search (plan depends on machine speed)
  double objective_value = 0;     // expected profit (Profit) or capex (MinCapex)
  double expected_profit = 0;
  std::vector<Binding> binding;   // ranked, largest value first
  std::vector<LineMonth> line_months;
  std::vector<Verification> verification;
  std::vector<std::string> conflicts;  // constraint families that conflict (infeasible plans)
  double vss = 0;                 // value of the stochastic solution; 0 with one scenario
  double ev_profit = 0;           // expected profit of the single-forecast plan's decisions
  double wall_seconds = 0;
};

// Reads plan.json (written by osatsim plan) as a start for network n: purchases and buildings by
// line, group and month name. Problems go to diags (file, entry, what); false when there is any.
bool read_plan_start(const Network& n, const std::string& path, PlanStart& out, Diagnostics& diags);

// The per-start profiles of every line model (capacity analysis of each product alone).
std::vector<LineProfile> line_profiles(const Network& n);

// Builds and solves the plan. Never throws for a bad network (it is checked when read).
Plan make_plan(const Network& n, const PlanOptions& o);

// The line model of instance `instance` as the plan loads it in month `month`: tools in service
// (base tools x ramp, rounded, plus purchases in service) and release rates scaled to the plan's
// expected starts per product (products without starts get no releases).
model::Factory line_in_month(const Network& n, const Plan& p, int instance, int month);

// Utilisation and cycle time by line and month (capacity analysis of line_in_month).
void evaluate_lines(const Network& n, const std::vector<LineProfile>& prof, Plan& p);
// Simulates the most loaded month of each line instance (PlanOptions::verify*).
void verify_plan(const Network& n, const std::vector<LineProfile>& prof, Plan& p);

// plan.json as a JSON object (keys in the documented order).
nlohmann::ordered_json plan_json(const Network& n, const Plan& p);
std::string plan_summary_text(const Network& n, const Plan& p);

}  // namespace osatsim::planner
