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

// The 95 % interval mean ± ci95 clipped to [lo, hi] (shares in [0, 1], percentages in [0, 100]):
// a t interval of a bounded quantity near its bound reaches beyond it; the clipped interval is
// what the quantity can be. Printed and written for shares and percentages (docs/results.md).
struct Interval {
  double lo = 0, hi = 0;
};
Interval clipped_ci(const Estimate& e, double lo, double hi);

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
  Estimate busy, setup, down, pm;  // the state shares of total time
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

// Whether the work in progress settles over the KPI window [warmup, days) or grows (a line that
// cannot carry its load; docs/results.md, "Stability"). From Results::wip_per_day: the
// least-squares slope of the daily time-average WIP over the window, and the means of its first
// and last quarter. Unstable when both
//   slope x window length > kUnstableGrowth x window mean   (the trend adds more than 30 %), and
//   last-quarter mean > kUnstableQuarterRatio x first-quarter mean (1.25),
// judged only on windows of at least kStabilityMinDays days (shorter: stable, judged = false).
inline constexpr double kUnstableGrowth = 0.30;
inline constexpr double kUnstableQuarterRatio = 1.25;
inline constexpr int kStabilityMinDays = 8;
struct WipTrend {
  bool judged = false;
  bool stable = true;
  int days = 0;                   // days of the window used
  double mean_lots = 0;           // mean daily WIP over the window
  double slope_lots_per_day = 0;  // least-squares trend
  double growth = 0;              // slope x days / mean (0 when the mean is 0)
  double first_quarter_lots = 0, last_quarter_lots = 0;
};
WipTrend wip_trend(const Results& r);

// Runs `n` replications with seeds options.seed, options.seed + 1, ... on up to `threads` threads
// (each run is independent and deterministic, so the results do not depend on `threads`).
// Results are in seed order. REQUIRES: options.observer == nullptr when threads > 1.
std::vector<Results> simulate_replications(const model::Factory& factory, const Options& options,
                                           int n, int threads);

}  // namespace osatsim::engine
