#pragma once
// Internals of the planner (docs/planner.md), shared by its files:
//   plan.cpp              make_plan(): the line profiles, the solves, the plan read from the
//                         solution, shadow prices and the value of the stochastic solution
//   plan_formulation.cpp  the mixed-integer program ("Formulation"): Builder
//   plan_solve.cpp        its solving ("Solving"): LP relaxation, rounded start, local search, CBC
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "planner/mip.h"
#include "planner/network.h"
#include "planner/plan.h"

namespace osatsim::planner::plan_detail {

// Demand merged per (customer, product): quantities add up; backlog if any row says so; the
// largest penalty and minimum service.
struct Demand {
  int customer = -1, product = -1;
  std::vector<double> units;
  double penalty = 0, min_service = 0;
  bool backlog = false;
};

std::vector<Demand> merge_demand(const Network& n);
double scenario_factor(const DemandScenario& s, int customer);

// WIP waiting at one group as a function of its utilisation, per hour of capacity (pieces):
// phi(u) = u * Wq(u) / (hbar * H), Wq the multi-server queue wait at the model's variability.
struct WipCurve {
  double te = 0, v = 0, m = 1, hbar = 1, hours = 720;
  double wq(double u) const {
    const double expo = std::sqrt(2.0 * (m + 1.0)) - 1.0;
    return v * std::pow(u, expo) / (m * (1.0 - u)) * te;
  }
  double phi(double u) const { return u * wq(u) / (hbar * hours); }
};

// Column and row bookkeeping of one model.
struct Model {
  Mip mip;
  // first stage
  std::map<std::tuple<int, int, int>, int> buy;  // (instance, group, month) -> col
  std::map<std::pair<int, int>, int> open;       // (instance, month) -> col
  // second stage, per scenario
  std::vector<std::map<std::tuple<int, int, int>, int>> x;  // (instance, product, month)
  std::vector<std::map<std::tuple<int, int>, int>> ship, backlog, lost;  // (demand idx, month)
  std::vector<std::map<std::pair<int, int>, int>> inv;     // (product, month)
  std::vector<std::map<std::pair<int, int>, int>> extra;   // (component, month)
  std::vector<std::map<std::pair<int, int>, int>> stock;   // (component, month)
  std::vector<std::map<std::tuple<int, int, int>, int>> wip;  // (instance, group, month)
  // rows for duals
  std::vector<std::map<std::tuple<int, int, int>, int>> cap_row;  // (instance, group, month)
  std::vector<std::map<std::pair<int, int>, int>> comp_row;       // (component, month)
  std::map<int, int> budget_row;                                  // year -> row
  std::vector<int> slack_cols;                                    // conflict analysis
  std::vector<std::string> slack_family;
  std::vector<std::pair<int, double>> shortage;  // backlog and lost columns, probability-weighted
};

struct Builder {
  const Network& n;
  const PlanOptions& o;
  const std::vector<LineProfile>& prof;
  const std::vector<Demand>& dem;
  // Per (instance, group): relevant (some product needs hours there).
  std::vector<std::vector<char>> loaded;
  // With conflict slacks: families that get a penalised slack.
  std::set<std::string> slack_families;
  // First-stage decisions fixed (EV evaluation): col values by key.
  const std::map<std::tuple<int, int, int>, int>* fix_buy = nullptr;
  const std::map<std::pair<int, int>, int>* fix_open = nullptr;
  std::vector<int> scenario_ids;  // which scenarios to include
  std::vector<double> probability;
  std::vector<std::vector<double>> demand_factor;  // [scenario][customer]
  // min-capex, first pass: the least expected shortage (backlog unit-months and lost units) any
  // plan can reach; second pass: the least capex at that shortage (shortage_cap >= 0).
  bool shortage_objective = false;
  double shortage_cap = -1;

  int H() const { return n.horizon; }

  Model build();

  // Adds a penalised slack column to row r when its family is relaxed (conflict analysis).
  void slack(Model& m, int r, const std::string& family, double sign);

  void build_scenario(Model& m, std::size_t s);
  void scenario_starts(Model& m, std::size_t s, const std::string& sn);
  void scenario_capacity(Model& m, std::size_t s, const std::string& sn);
  void scenario_components(Model& m, std::size_t s, const std::string& sn);
  void scenario_products(Model& m, std::size_t s, const std::string& sn);
};

// The plan's solver status in words ("optimal", "feasible at gap 1.00 %", ...).
std::string status_text(const SolveResult& r);

// Solves a plan's MIP (docs/planner.md "Solving"): the LP relaxation, a rounded start, then CBC
// with the start for the rest of the time limit when the start is not within the gap.
struct PlanSolve {
  SolveResult result;
  double lp_bound = kInf, start_objective = kInf;
  int hint = 0;  // the given start: 0 none, 1 used (it was the better start), -1 did not fit, 2 fit but worse
  double lp_seconds = 0, rounding_seconds = 0;
  int moves_tried = 0;
  bool cut = false;  // the time limit cut the start's search short (the plan depends on the machine's speed)
};

// `hint` (optional, size n_cols): first-stage values of an earlier plan (re-planning), tried as
// a start beside the rounded one.
PlanSolve solve_plan_mip(const Network& n, const Model& m, const SolveOptions& o, int moves,
                         const std::vector<double>* hint = nullptr);

}  // namespace osatsim::planner::plan_detail
