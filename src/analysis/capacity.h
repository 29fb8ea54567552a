#pragma once
// Static capacity analysis and queueing operating curves of a Factory (docs/capacity.md).
//
// analyse() computes, from the release plan (streams' lots/day) and the routes:
// - per tool group the required tool-hours per day and per period, the available hours
//   (downs, calendar PM and wafer-count PM), utilisation, tools needed at a target utilisation;
// - the maximum sustainable start rate (scale factor on all streams) and the start rate at the
//   target utilisation;
// - the mean cycle time per lot type from multi-server queueing approximations along the routes,
//   at the nominal load and at a list of bottleneck-utilisation levels (the operating curve).
// Initial WIP is not part of the steady-state load. Pure function of (factory, options).
#include <limits>
#include <string>
#include <vector>

#include "model/factory.h"

namespace osatsim::analysis {

// How many lots a batch holds on average (batch steps, BATCHMN/BATCHMX in the group's unit).
enum class BatchSizeRule : unsigned char {
  Auto,        // load-dependent: BATCHMN plus the lots that join while the batch waits (default)
  Min,         // batches start as soon as the minimum is reached (light load)
  MeanMinMax,  // mean of minimum and maximum
  Max,         // full batches (heavy load, or PySCFabSim's full-batch rule)
};

// What a step without a setup requirement does to a tool's setup state.
enum class SetupStateRule : unsigned char {
  Keep,   // the state is kept until the next setup (testbed, FORMAT §4.3)
  Reset,  // the state becomes "none" (PySCFabSim)
};

// Where a station's arrival variability comes from.
enum class ArrivalRule : unsigned char {
  Linking,  // departure SCVs propagated along the routes (linking equations, QNA superposition)
  Poisson,  // ca2 = 1 at every station (simpler, documented alternative)
};

struct CapacityOptions {
  double scale = 1.0;                // load multiplier on every release stream (the nominal point)
  double target_utilisation = 0.85;  // for tools needed and the target start rate
  double period_days = 30.0;         // the reporting period besides one day
  BatchSizeRule batch_size = BatchSizeRule::Auto;
  SetupStateRule setup_state = SetupStateRule::Keep;
  ArrivalRule arrivals = ArrivalRule::Linking;
  bool priorities = true;  // per-priority waits (non-preemptive priority correction)
  bool transport = true;   // expected transport time between consecutive performed steps
  // Operating curve: levels of the bottleneck's utilisation (start rate = level x max rate).
  std::vector<double> curve{0.5, 0.7, 0.8, 0.9, 0.95};
};

inline constexpr double kInfinity = std::numeric_limits<double>::infinity();

// One tool group at the nominal load (options.scale). Hours are tool-hours.
struct GroupCapacity {
  model::ToolGroupId id = model::kNone;
  std::string name;
  std::string area;
  int tools = 0;
  bool is_delay = false;

  double lot_visits_per_day = 0.0;  // performed lot visits (sampling, rework included)
  double jobs_per_day = 0.0;        // tool jobs: lot visits, or batches on batch steps
  double wafers_per_day = 0.0;      // pieces processed (drives wafer-count PM)

  double busy_hours_per_day = 0.0;      // tool occupancy for processing (load, process, unload)
  double setup_hours_per_day = 0.0;     // expected setup time
  double required_hours_per_day = 0.0;  // busy + setup
  double required_hours_per_period = 0.0;

  // Shares of calendar time per tool.
  double down_share = 0.0;               // failures (calendar clock and busy clock)
  double pm_share = 0.0;                 // calendar PM and wafer-count PM
  double availability = 1.0;             // 1 - down - pm
  double available_hours_per_day = 0.0;  // tools x 24 x availability
  double available_hours_per_period = 0.0;

  double utilisation = 0.0;           // required / available (>1: overloaded; inf: no tools)
  double utilisation_of_total = 0.0;  // required / (tools x 24)
  // Expected BUSY + SETUP state share as a simulator books it (FORMAT.md §13): like
  // utilisation_of_total, plus the part of cascading lot times beyond the tool occupancy.
  double state_share = 0.0;
  double tools_needed = 0.0;     // tools so that utilisation = target (fractional)
  int tools_needed_int = 0;      // rounded up
  double max_scale = kInfinity;  // scale factor at which this group reaches 100 %

  // Queueing at the nominal load (per job; hours).
  double t0 = 0.0;   // mean natural job time (occupancy + setup)
  double c02 = 0.0;  // its SCV
  double te = 0.0;   // effective job time t0 / A
  double ce2 = 0.0;
  double ca2 = 1.0;       // arrival SCV of jobs
  double wq_hours = 0.0;  // mean wait in queue (FCFS), batch queue only for batch groups
};

// One lot type (release stream) at a given load.
struct StreamCycleTime {
  model::StreamId id = model::kNone;
  std::string name;
  int priority = 10;
  double lots_per_day = 0.0;      // at this load
  double raw_process_days = 0.0;  // RPT: sampling-weighted L + process + U, no rework, no moves
  double cycle_time_days = kInfinity;  // queue + setup + process (with rework) + batch wait + moves
  double queue_days = 0.0;
  double transport_days = 0.0;
  double cycle_time_factor = kInfinity;  // cycle time / raw process time
};

struct CurvePoint {
  double level = 0.0;            // start rate / maximum start rate
  double max_utilisation = 0.0;  // utilisation of the most loaded group at this start rate
  double scale = 0.0;            // start-rate scale factor on the nominal (unscaled) plan
  double lots_per_day = 0.0;     // total starts
  double wafers_per_day = 0.0;
  double mean_cycle_time_days = kInfinity;  // lot-weighted over streams
  double mean_cycle_time_factor = kInfinity;
  std::vector<StreamCycleTime> streams;
};

struct CapacityResult {
  std::string factory;
  CapacityOptions options;
  bool nested_pms = false;  // the factory's PM calendars nest (model::PmNesting)
  model::PmNesting pm_nesting() const {
    return nested_pms ? model::PmNesting::Nested : model::PmNesting::Independent;
  }
  double nominal_lots_per_day = 0.0;  // unscaled plan
  double nominal_wafers_per_day = 0.0;

  std::vector<GroupCapacity> groups;        // in factory order
  std::vector<model::ToolGroupId> ranking;  // groups by utilisation, highest first (load > 0)

  double max_scale = kInfinity;     // 100 % of available time at the first group
  double target_scale = kInfinity;  // target utilisation at the first group
  model::ToolGroupId bottleneck = model::kNone;

  CurvePoint nominal;             // at options.scale
  std::vector<CurvePoint> curve;  // at options.curve levels x max_scale
};

// Runs the analysis. REQUIRES: factory.validate() is ok.
CapacityResult analyse(const model::Factory& factory, const CapacityOptions& options = {});

// Cycle times at an arbitrary scale factor on the nominal plan (used by the curve).
CurvePoint evaluate_at_scale(const model::Factory& factory, const CapacityOptions& options,
                             double scale, std::vector<GroupCapacity>* groups = nullptr);

const char* to_string(BatchSizeRule r);
const char* to_string(SetupStateRule r);
const char* to_string(ArrivalRule r);

}  // namespace osatsim::analysis
