#pragma once
// Internals of the static capacity analysis (docs/capacity.md), shared by its files:
//   capacity.cpp        analyse(): the nominal point, the maximum and target start rates,
//                       components, the operating curve; cycle times per lot type (evaluate)
//   capacity_model.cpp  the load model: performed visits per lot type and route step, their
//                       upstream flows, setup states, priority classes, availability (build)
//   capacity_queue.cpp  the queueing state of every group at one scale: linking equations,
//                       load-dependent setup frequencies and batch sizes (solve)
#include <cstddef>
#include <vector>

#include "analysis/capacity.h"
#include "core/time.h"
#include "model/factory.h"
#include "model/flow.h"

namespace osatsim::analysis::capacity_detail {

using model::Factory;
using model::kNone;
using model::Step;
using model::TimeBasis;
using model::ToolGroup;

inline constexpr double kHoursPerDay = 24.0;

inline double hours_of(double ticks) {
  return ticks / static_cast<double>(kTicksPerHour);
}

// A performed visit of one lot type (stream) to one route step.
struct Visit {
  model::StreamId stream = kNone;
  int step = 0;
  model::ToolGroupId group = kNone;
  int priority = 10;
  int prio_idx = 0;      // index of the priority class at the group
  double per_lot = 0.0;  // performed visits of one lot on its path (sampling x rework)
  double rate = 0.0;     // performed lot visits per day at scale 1 (after splits)
  double k = 1.0;        // lots per job (batch size in lots; 1 otherwise) by the fixed rules
  double kmin = 1.0, kmax = 1.0;  // batch limits in lots (batch steps)
  double occ = 0.0;       // tool occupancy per lot visit (hours), batch time / k on batch steps
  double job = 0.0;       // mean time of one job (hours): occupancy, or the batch time
  double job_var = 0.0;   // its variance (hours^2)
  double lot_time = 0.0;  // the lot's own time at the step without setup (hours)
  double sample = 1.0;    // sampling probability (for the raw process time)
  double pieces = 0.0;    // pieces processed per lot visit (wafer-count PM)
  model::SetupId setup = kNone;
  const Step* step_ptr = nullptr;
  double fk = 0.0;               // share of the group's setup-relevant jobs in this setup state
  double min_run_cap = 1.0;      // 1 / MINRUN under rule LSSU
  int state_idx = -1;            // index of the setup state in GroupBase::state_f
  double setup_hours = 0.0;      // expected setup time given a change (0: never a setup)
  int batch_key = -1;            // compatibility class of batch steps
  double transport = 0.0;        // expected move time into this performed visit (hours)
  int burst = 1;                 // children of one split lot that arrive together (1: no split)
  double burst_wait = 0.0;       // mean wait of a lot behind its siblings (hours, §1.7)
  int up_begin = 0, up_end = 0;  // upstream flows in Model::ups
};

// The flow into a visit from the previous performed step (visit index) or from the release (-1).
struct Up {
  int from = -1;
  double weight = 0.0;  // share of the visit's arrivals coming this way
  double burst = 1.0;   // lots arriving together per upstream departure (a split: its children)
};

struct Outage {
  double freq = 0.0;  // per tool-hour of calendar time
  double mean = 0.0;  // hours
  double m2 = 0.0;    // E[r^2]
};

struct GroupBase {
  double lot_visits = 0.0, jobs = 0.0, pieces = 0.0;  // per day at scale 1
  double busy = 0.0;                                  // occupancy hours per day at scale 1
  double tail = 0.0;  // cascading: lot time beyond the occupancy, hours per day at scale 1
  double cal_down = 0.0, cal_pm = 0.0;  // shares of calendar time
  double stretch = 1.0;  // failures interrupt a running job: its duration grows by MTTR / MTTF
  double load_pm = 0.0;  // wafer-count PM hours per day at scale 1
  bool has_setups = false, avoid_setups = false;
  // Setup-run (LSSU) group under model::LssuSwitch::Refuse: a tool leaves its setup only after
  // refusing lots of another setup this many decisions in a row (0: not this reading).
  int refusals = 0;
  std::vector<Outage> cal_outages;   // calendar-clock outages (freq per tool-hour)
  std::vector<Outage> load_outages;  // wafer-count PM (freq per day at scale 1, group total)
  std::vector<Outage> busy_clock;    // busy-clock failures (freq per busy hour)
  std::vector<int> priorities;       // distinct, descending
  std::vector<int> visit_ids;        // visits with a possible setup
  std::vector<double> state_f;       // job shares of the setup states (setup-relevant jobs)
  std::vector<double> f_distinct;    // distinct values of state_f (for speed)
  std::vector<int> f_class;          // state -> index into f_distinct
  std::vector<int> batch_visits;     // visits of batch steps
  std::vector<int> single_visits;    // the other visits (groups with batch steps only)
};

struct Model {
  std::vector<Visit> visits;
  std::vector<Up> ups;
  std::vector<GroupBase> groups;
  std::vector<double> batch_key_rate;  // lots/day at scale 1 per compatibility class
  std::vector<double> stream_lots;     // lots/day at scale 1
  std::vector<double> stream_ca2;      // release SCV
  std::vector<double> stream_wafers;  // wafers/day at scale 1 (0 for unit-start products)
  std::vector<double> stream_units;   // units/day released at scale 1 (unit-start products)
  std::vector<double> stream_burst;   // lots per release
  std::vector<model::StreamFlow> flows;
};

// P(wait) of an m-server station at utilisation u (the Sakasegawa factor); m >= 1, may be
// fractional.
inline double wait_probability(double u, double m) {
  return std::pow(std::clamp(u, 0.0, 1.0), std::sqrt(2.0 * (std::max(1.0, m) + 1.0)) - 1.0);
}

// The load model of a factory (capacity_model.cpp).
Model build(const Factory& f, const CapacityOptions& opt);

// Group aggregates that depend on the setup probabilities `sp` (one per visit).
struct GroupDyn {
  double jobs = 0.0;       // jobs/day at scale 1 (batches count once)
  double busy = 0.0;       // occupancy hours/day at scale 1
  double tail = 0.0;       // cascading lot time beyond the occupancy, hours/day at scale 1
  double setup = 0.0;      // hours/day at scale 1
  double load_down = 0.0;  // busy-clock failure hours/day at scale 1
  double t0 = 0.0, c02 = 0.0;
  std::vector<double> busy_by_priority;  // GroupBase::priorities order
};

// Group-level state at one scale.
struct GroupState {
  double util = 0.0;  // of available time
  double avail = 1.0;
  double te = 0.0, ce2 = 0.0;
  double kbar = 1.0;
  double ca2 = 1.0;  // lot arrivals
  double wq = 0.0;   // hours (batch queue for batch groups)
  bool stable = true;
};

struct Solution {
  std::vector<GroupState> st;
  std::vector<GroupDyn> dyn;
  std::vector<double> sp;  // setup-change probability per visit
  std::vector<double> k;   // lots per job per visit
};

// Group aggregates for setup probabilities sp and lots per job kv (one per visit).
std::vector<GroupDyn> aggregate(const Model& m, const std::vector<double>& sp,
                                const std::vector<double>& kv);
// The capacity figures of group g at scale s.
GroupCapacity fill_group(const Factory& f, const Model& m, const GroupDyn& d,
                         const CapacityOptions& opt, std::size_t g, double s);
// Queueing state of every group at scale s (capacity_queue.cpp); with `out`, the groups'
// capacity figures appended to it.
Solution solve(const Factory& f, const Model& m, const CapacityOptions& opt, double s,
               std::vector<GroupCapacity>* out);

}  // namespace osatsim::analysis::capacity_detail
