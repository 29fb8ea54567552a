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
#include <optional>
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


// Where a station's arrival variability comes from.
enum class ArrivalRule : unsigned char {
  Linking,         // per route step: a step's lots leave as a mix of the station's departures and
                   // their own arrivals by their share of the station (Bitran-Tirupati), then
                   // superposed at the next station (QNA); the default
  StationLinking,  // the station's departures split at random among the next steps (QNA's
                   // Markovian routing; the default before the packaging calibration)
  Poisson,         // ca2 = 1 at every station (simpler, documented alternative)
};

// How the arrival streams of one station combine (docs/capacity.md §3.2).
enum class SuperpositionRule : unsigned char {
  Asymptotic,  // the rate-weighted mix of the streams' SCVs (default: periodic releases and
               // near-deterministic lines keep their regularity, as the simulator shows)
  Hybrid,      // Whitt's hybrid: towards 1 at light load and with many streams (QNA)
};

struct CapacityOptions {
  double scale = 1.0;                // load multiplier on every release stream (the nominal point)
  double target_utilisation = 0.85;  // for tools needed and the target start rate
  double period_days = 30.0;         // the reporting period besides one day
  BatchSizeRule batch_size = BatchSizeRule::Auto;
  // What a step without a setup requirement does to a tool's setup state: empty, the factory's
  // reading (model::Factory::setup_state); analyse() stores the one it used in the result.
  std::optional<model::SetupState> setup_state;
  ArrivalRule arrivals = ArrivalRule::Linking;
  SuperpositionRule superposition = SuperpositionRule::Asymptotic;
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
  double lots_per_day = 0.0;      // released lots at this load
  double wafers_per_day = 0.0;    // released wafers (0 for a unit-start product)
  double units_per_day = 0.0;     // released units (unit-start products only)
  double lots_out_per_day = 0.0;  // completed lots (after splits and scrap, model::stream_flow)
  double good_units_per_day = 0.0;  // good units completed (0 for wafer-out products)
  // RPT: the lot's own time at every step, once, with the expected lot size along the route
  // (model::stream_flow); no rework, no moves, no queues. The same figure as `validate` and
  // `simulate` report.
  double raw_process_days = 0.0;
  double raw_process_sampled_days = 0.0;  // each step weighted by its sampling probability
  double cycle_time_days = kInfinity;  // queue + setup + process (with rework) + batch wait + moves
  double queue_days = 0.0;
  double transport_days = 0.0;
  double cycle_time_factor = kInfinity;  // cycle time / raw_process_days (simulate's ct_factor)
};

struct CurvePoint {
  double level = 0.0;            // start rate / maximum start rate
  double max_utilisation = 0.0;  // utilisation of the most loaded group at this start rate
  double scale = 0.0;            // start-rate scale factor on the nominal (unscaled) plan
  double lots_per_day = 0.0;     // total starts (lots)
  double wafers_per_day = 0.0;   // wafer starts (wafer products)
  double units_per_day = 0.0;    // unit starts (unit-start products; never added to wafers)
  double lots_out_per_day = 0.0;  // completed lots (after splits)
  double good_units_per_day = 0.0;
  double mean_cycle_time_days = kInfinity;  // weighted by completed lots over streams
  double mean_cycle_time_factor = kInfinity;
  std::vector<StreamCycleTime> streams;
};

// A component drawn by kits (packaging), at the nominal load: long-run draw against supply.
struct ComponentCapacity {
  model::ComponentId id = model::kNone;
  std::string name;
  double draw_per_day = 0.0;    // kit draws of the release plan (model::stream_flow)
  double supply_per_day = 0.0;  // deliveries per day while the supplies run
  double supply_ends_days = kInfinity;  // the last delivery of a supply with a count (inf: none)
  double initial_stock = 0.0;
  double max_scale = kInfinity;  // scale at which the draw reaches the supply rate
  double stock_days = kInfinity;  // days the initial stock covers the draw beyond the supply
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
  double nominal_units_per_day = 0.0;  // unit-start products' units

  std::vector<GroupCapacity> groups;        // in factory order
  std::vector<model::ToolGroupId> ranking;  // groups by utilisation, highest first (load > 0)

  double max_scale = kInfinity;     // 100 % of available time at the first group
  double target_scale = kInfinity;  // target utilisation at the first group
  model::ToolGroupId bottleneck = model::kNone;  // the group that sets max_scale

  std::vector<ComponentCapacity> components;  // in factory order, at the nominal load
  double component_max_scale = kInfinity;     // the tightest component's max_scale
  model::ComponentId binding_component = model::kNone;

  CurvePoint nominal;             // at options.scale
  std::vector<CurvePoint> curve;  // at options.curve levels x max_scale
};

// Runs the analysis. REQUIRES: factory.validate() is ok.
CapacityResult analyse(const model::Factory& factory, const CapacityOptions& options = {});

// Cycle times at an arbitrary scale factor on the nominal plan (used by the curve).
CurvePoint evaluate_at_scale(const model::Factory& factory, const CapacityOptions& options,
                             double scale, std::vector<GroupCapacity>* groups = nullptr);

const char* to_string(BatchSizeRule r);
const char* to_string(ArrivalRule r);
const char* to_string(SuperpositionRule r);

}  // namespace osatsim::analysis
