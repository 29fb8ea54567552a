#pragma once
// Independent replications of one simulation and their summary with 95 % confidence intervals
// (FORMAT.md §13: report means over 5 to 10 replications with independent seeds).
#include <cstdint>
#include <string>
#include <vector>

#include "engine/engine.h"

namespace osatsim::engine {

// Two-sided 95 % quantile of Student's t with `df` degrees of freedom (df >= 1): the tabulated
// value up to 30, a Cornish-Fisher expansion beyond (error < 1e-3 at df = 31).
double t_quantile_975(std::int64_t df);

// Mean over replications with its 95 % confidence half-width (t-based; 0 for a single value).
struct Estimate {
  std::int64_t n = 0;
  double mean = 0, std = 0, ci95 = 0, min = 0, max = 0;
};
Estimate estimate(const std::vector<double>& x);

struct LotTypeEstimate {
  std::string name;
  int priority = 0;
  Estimate ct_mean_days;  // per replication: mean cycle time of the lots completed in the window
  Estimate ct_p95_days;
  Estimate throughput_per_day;
  Estimate on_time_pct;
};

struct ToolGroupEstimate {
  std::string name;
  Estimate utilisation;  // busy + setup share of total time
  Estimate available;    // 1 - down - pm
  Estimate mean_queue_hours;
};

struct ReplicationSummary {
  std::vector<std::uint64_t> seeds;
  std::vector<LotTypeEstimate> lot_types;    // model order
  std::vector<ToolGroupEstimate> tool_groups;  // model order
  Estimate wip_mean_lots;
  Estimate cqt_violation_pct;  // violations / windows closed, %
  double wall_seconds = 0;     // sum over the replications
};

// REQUIRES: runs non-empty, all of the same factory and options but the seed.
ReplicationSummary summarize(const std::vector<Results>& runs);

// Runs `n` replications with seeds options.seed, options.seed + 1, ... on up to `threads` threads
// (each run is independent and deterministic, so the results do not depend on `threads`).
// Results are in seed order. REQUIRES: options.observer == nullptr when threads > 1.
std::vector<Results> simulate_replications(const model::Factory& factory, const Options& options,
                                           int n, int threads);

}  // namespace osatsim::engine
