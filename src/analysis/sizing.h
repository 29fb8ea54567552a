#pragma once
// Sizing (docs/capacity.md §7): which tools to add so that every product ships its demand at a
// mean cycle time <= its target, at the least tool cost, by the capacity analysis.
//
// size_line() starts from the factory's tool counts, first makes every loaded group stable
// (utilisation < stability_cap, fewest tools), then adds one tool at a time to the group with the
// largest reduction of the lot-weighted cycle-time excess per unit tool cost until every product
// meets its target, no addition helps, or a limit is hit. Pure function of its inputs.
#include <map>
#include <string>
#include <vector>

#include "analysis/capacity.h"
#include "model/factory.h"

namespace osatsim::analysis {

struct SizingOptions {
  // Target mean cycle time (days) for every product; <= 0: default_target_factor x the product's
  // raw process time.
  double target_ct_days = 0.0;
  double default_target_factor = 1.5;
  // Per-product targets (days), by product name or by id; they override target_ct_days.
  std::map<std::string, double> product_targets;
  std::map<model::ProductId, double> product_target_ids;
  double stability_cap = 0.98;  // phase 1: every loaded group below this utilisation
  int max_tools_added = 500;    // over both phases
  int max_iterations = 500;     // marginal-allocation steps
  // Cost charged per added tool of a group without tool_cost when other groups have one; <= 0:
  // the median of the known tool costs. When no group has a cost, every tool costs 1.
  double unknown_tool_cost = 0.0;
};

struct GroupSizing {
  model::ToolGroupId id = model::kNone;
  std::string name;
  int tools_before = 0;
  int tools_after = 0;
  double cost_per_tool = 1.0;  // as charged (see SizingOptions::unknown_tool_cost)
  bool cost_known = false;     // the scenario's tool_cost (> 0)
  double cost_added = 0.0;     // (after - before) x cost_per_tool
  double utilisation_before = 0.0;
  double utilisation_after = 0.0;
  bool candidate = false;      // loaded, not a pure delay group
};

struct ProductSizing {
  model::ProductId id = model::kNone;
  std::string name;
  double lots_per_day = 0.0;        // over its release streams (at options.scale)
  double raw_process_days = 0.0;    // lot-weighted over its streams
  double queue_free_days = 0.0;     // CT without queueing at the sized line (a lower bound)
  double target_days = 0.0;
  bool default_target = false;      // from default_target_factor
  double cycle_time_before = kInfinity;  // lot-weighted mean over its streams
  double cycle_time_after = kInfinity;
  bool met = false;
};

struct SizingStep {
  model::ToolGroupId group = model::kNone;
  int tools = 1;                // tools added in this step
  bool stability = false;       // phase 1 (utilisation cap) or phase 2 (cycle time)
  double excess_after = 0.0;    // weighted excess after the step (lots/day x days); stability
                                // steps: after their round
  double worst_ratio_after = 0.0;  // max over products of CT / target
};

struct SizingResult {
  std::string error;          // bad input (e.g. a target below the raw process time); nothing sized
  std::string error_product;  // the product the error names, if any
  bool reachable = false;     // every product meets its target at the sized line
  std::string reason;         // why not, when !reachable
  std::string cost_rule;      // "scenario", "mixed (unknown: median ...)" or "tools"
  int tools_added = 0;
  double total_cost = 0.0;
  int iterations = 0;   // marginal-allocation steps taken
  int evaluations = 0;  // capacity evaluations of candidate lines
  double excess_before = 0.0, excess_after = 0.0;  // sum_p lots/day x max(0, CT - target)
  std::vector<GroupSizing> groups;  // factory order
  std::vector<ProductSizing> products;  // products with release streams, factory order
  std::vector<SizingStep> steps;
};

// REQUIRES: factory.validate() is ok. Uses options' load rules; the operating curve is ignored.
SizingResult size_line(const model::Factory& factory, const CapacityOptions& options,
                       const SizingOptions& sizing = {});

// The factory with the sized tool counts.
model::Factory sized_factory(const model::Factory& factory, const SizingResult& r);

// Good pieces a released lot of `stream` is expected to complete with (model::stream_flow:
// wafers of wafer-out products, good units otherwise). Used to check a simulated line's output
// against its release plan (assembly lots make lot counts unfit).
double expected_good_pieces_per_lot(const model::Factory& factory, model::StreamId stream);

}  // namespace osatsim::analysis
