#pragma once
// The discrete-event simulation engine (lot by lot) of a model::Factory.
//
// simulate(factory, options) runs one replication and returns its KPIs. The engine knows nothing
// of files or the command line. Semantics follow the SMT2020 testbed (FORMAT.md, "default to
// implement" column); every decision is recorded in docs/engine.md, the result fields in
// docs/results.md.
//
// Same factory, options and seed give identical Results (wall time and memory aside).
#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/time.h"
#include "model/factory.h"

namespace osatsim::engine {

// Global override of the per-group ranking chain of the model.
enum class DispatchRule : std::uint8_t {
  Model,               // the tool group's own chain (SMT2020 FWLRANK)
  Fifo,                // earliest arrival at the queue
  CriticalRatio,       // smallest (due - now) / remaining mean processing time
  EarliestDue,         // earliest due date
  ShortestProcessing,  // shortest mean lot time at this step
  PriorityFifo,        // higher priority, then FIFO
};
const char* to_string(DispatchRule r);
// Parses "model", "fifo", "cr", "edd", "spt", "priority-fifo"; false for anything else.
bool parse_dispatch_rule(const std::string& word, DispatchRule& rule);

// Optional observer of the simulation, called synchronously (tests, traces). Keep it cheap.
class Observer {
 public:
  virtual ~Observer() = default;
  // A job (one lot or a batch) starts on `tool` (global tool index) at time t; `lots` holds the
  // lot serial numbers; `occupied_until` is when the tool's entry slot frees if nothing fails.
  virtual void on_job_start(Ticks /*t*/, int /*group*/, int /*tool*/, int /*route*/, int /*step*/,
                            const std::vector<std::int64_t>& /*lots*/) {}
  // The tool's entry slot is free again (end of occupation) for the job started before.
  virtual void on_job_release_tool(Ticks /*t*/, int /*group*/, int /*tool*/) {}
  // A lot's job at a step ends (end of unload).
  virtual void on_step_complete(Ticks /*t*/, std::int64_t /*lot*/, int /*route*/, int /*step*/,
                                int /*tool*/) {}
  // A lot skipped a sampled step.
  virtual void on_step_skipped(Ticks /*t*/, std::int64_t /*lot*/, int /*route*/, int /*step*/) {}
  // Outage start/end on a tool (kind 0 = failure, 1 = PM).
  virtual void on_outage(Ticks /*t*/, int /*tool*/, int /*kind*/, bool /*start*/) {}
  // A lot left the factory (completed or scrapped).
  virtual void on_lot_exit(Ticks /*t*/, std::int64_t /*lot*/, int /*stream*/, bool /*scrapped*/) {}
};

// The model's readings (model/factory.h), which Options may override.
using model::CascadeSetup;
using model::IdleTool;  // which idle tool takes an arriving lot
using model::LssuSwitch;
using model::SetupState;
using model::WakeRule;
using model::WaferPmStart;

struct Options {
  double days = 365.0;       // simulated horizon
  double warmup_days = 0.0;  // KPIs count over [warmup, days]
  std::uint64_t seed = 0;
  DispatchRule dispatch = DispatchRule::Model;
  std::int64_t max_wip_lots = 0;    // stop (status WipLimit) when more lots are in the fab; 0 = off
  double time_limit_seconds = 0.0;  // stop (status TimeLimit) after this wall time; 0 = off
  bool stagger_first_pm = true;     // tool k of N gets its first calendar PM at FOA*k/N
  // Overrides of the model's readings (Factory::lssu_switch, setup_state, wake, cascade_setup,
  // idle_tool, wafer_pm_start); empty: the model's.
  std::optional<IdleTool> idle_tool;
  std::optional<WaferPmStart> wafer_pm_start;  // first wafer-count PM thresholds
  std::optional<LssuSwitch> lssu_switch;
  std::optional<SetupState> setup_state;
  std::optional<WakeRule> wake;                 // Factory::wake
  std::optional<CascadeSetup> cascade_setup;    // Factory::cascade_setup
  // GroupAware: a tool changes to gas S only when more than lssu_cover x MINRUN lots of S wait
  // per tool already set up for S (1: the tools in S could not cover them with their runs).
  // ClearTime: only when their mean lot times per such tool exceed lssu_cover x the setup time.
  double lssu_cover = 1.0;
  int lssu_refusals = model::kLssuRefusals;  // Refuse: decisions in a row a tool refuses lots of another gas
  bool super_hot_reservation = false;  // reserve a tool at the next step of top-priority lots
  int super_hot_priority = 30;         // lots with priority >= this are "super hot"
  // Batch forming: longest wait of a partial (>= min) batch for more lots; < 0: the group's
  // model value (ToolGroup::batch_max_wait, 0 = start at the minimum, the testbed rule).
  Ticks batch_max_wait = -1;
  Observer* observer = nullptr;  // not owned
  // Sorted / bucketed queues where the ranking allows (same decisions, faster); false ranks the
  // whole queue at every decision (the reference path, for tests).
  bool fast_queues = true;
  // Tool-state shares of every tool group per period of this many days, counted from the end of
  // the warm-up (Results::state_series); a period ends at the first day boundary at least this
  // long after its start, and the last one at the horizon; 0: none.
  double series_days = 7.0;
  // Called at the end of every simulated day with the days reached (a progress display); with
  // replications on threads, from each thread. Keep it cheap; empty: none.
  std::function<void(double)> on_day;
};

struct Summary {  // summary statistics of a sample (days)
  std::int64_t n = 0;
  double mean = 0, std = 0, p5 = 0, p50 = 0, p90 = 0, p95 = 0, min = 0, max = 0;
};

struct LotTypeKpi {
  std::string name;  // release stream name (lot type)
  std::string product;
  int priority = 0;
  double release_rate_per_day = 0;   // model release rate
  std::int64_t released = 0;         // lots released over the whole run (initial WIP excluded)
  std::int64_t initial_wip = 0;      // initial WIP lots of this type
  std::int64_t completed = 0;        // lots completed inside the KPI window
  std::int64_t completed_total = 0;  // lots completed over the whole run
  std::int64_t scrapped_total = 0;   // lots scrapped (all quantity lost) over the whole run
  std::int64_t split_children = 0;   // lots created by splits at transform steps (whole run)
  std::int64_t in_fab_end = 0;       // lots of the type in the fab at the end
  double throughput_per_day = 0;     // completed / window days
  double wafers_out = 0;             // wafers of completed lots that still count wafers
  double units_out = 0;              // units of completed lots that count units (packaging)
  Summary cycle_time_days;
  double rpt_days = 0;          // raw process time, every step (FORMAT.md §14 "all")
  double rpt_sampled_days = 0;  // weighted by sampling probability (§14 "smp")
  double ct_factor = 0;         // mean CT / rpt_days
  // Cycle time implied by the initial WIP of the type (wip_implied_cycle_time), and the lots it
  // rests on (0: none).
  std::int64_t wip_implied_lots = 0;
  double wip_implied_ct_days = 0;
  double on_time_pct = 0;
  double mean_tardiness_days = 0;   // mean over completed lots of max(0, done - due)
  std::int64_t cqt_violations = 0;  // queue-time windows closed too late by lots of this type
  std::int64_t cqt_windows = 0;     // windows closed (KPI window)
};

struct ToolGroupKpi {
  std::string name;
  std::string area;
  int tools = 0;
  // Shares of tool time over the KPI window, averaged over the group's tools; sum to 1.
  double busy = 0, setup = 0, down = 0, pm = 0, idle = 0;
  std::int64_t jobs = 0;        // jobs started in the window
  std::int64_t batches = 0;     // batch jobs (batch groups) started in the window
  double mean_batch_fill = 0;   // mean of batch size / batch max (batch groups)
  std::int64_t setups = 0;      // setup changes in the window
  std::int64_t pms = 0;           // PMs started in the window
  std::int64_t pms_absorbed = 0;  // PMs that fell due in the window and were done by a longer
                                  // one (nested PM calendars, model::PmNesting)
  double mean_queue_hours = 0;  // mean wait from queue arrival to job start, window starts
  std::int64_t lot_starts = 0;  // lot-steps started in the window
  int max_parallel = 0;         // pure delay groups: most lots inside at once
};

struct CqtAreaKpi {
  std::string area;
  std::int64_t windows = 0;
  std::int64_t violations = 0;
};

struct ComponentKpi {
  std::string name;
  double initial_stock = 0;
  double delivered = 0;
  double consumed = 0;
  double final_stock = 0;
  std::int64_t stockouts = 0;    // times a lot found the kit short (first time per lot-step)
  double starved_lot_hours = 0;  // total wait of lots for this component's kit
};

struct StepYieldKpi {
  std::string route;
  std::string step;
  double in = 0;   // wafers/units entering completion
  double out = 0;  // surviving
};

struct PackagingKpi {
  bool present = false;  // the model has transforms, yields or kits
  // Good units completed per product per 30-day month inside the KPI window.
  std::vector<std::pair<std::string, double>> units_out_per_month;
  std::vector<std::pair<std::string, double>> wafer_starts;  // wafers released per product
  // Wafers whose units shipped in the KPI window, per product: each unit lot completed in the
  // window counts the wafers its units came from (a split shares its parent's wafers pro rata).
  // Good units per wafer = good units out / these wafers (not over wafer starts).
  std::vector<std::pair<std::string, double>> units_out_wafers;
  // Good units per wafer over those lots (initial WIP that started as units left out); 0: none.
  std::vector<std::pair<std::string, double>> units_per_wafer;
  std::vector<StepYieldKpi> step_yields;                     // steps with yield < 1 or a transform
  std::vector<ComponentKpi> components;
  Summary wafer_part_ct_days;  // release -> transform step completion (lots transformed)
  Summary unit_part_ct_days;   // transform completion -> lot completion
  // Conservation (whole run).
  double wafers_released = 0, wafers_scrapped = 0, wafers_out = 0, wafers_in_fab = 0,
         wafers_transformed = 0;
  double units_created = 0, units_scrapped = 0, units_out = 0, units_in_fab = 0;
};

// Tool-state shares of each tool group over consecutive periods of the KPI window
// (Options::series_days): the group-by-week utilisation behind the report's heatmap.
struct StateSeries {
  double period_days = 0;          // 0: not recorded
  std::vector<double> start_day;   // each period's first day, from the start of the run
  std::vector<double> length_days;  // each period's length (the last may be shorter)
  // [group][period]: shares of busy, setup, down, pm, idle time (sum to 1; all 0 for a period
  // in which the group's tools were not counted).
  std::vector<std::vector<std::array<double, 5>>> shares;
};

enum class RunStatus : std::uint8_t { Ok, WipLimit, TimeLimit };

struct Results {
  RunStatus status = RunStatus::Ok;
  std::string message;  // why a guard stopped the run
  std::string model;
  double days = 0, warmup_days = 0, simulated_days = 0;
  std::uint64_t seed = 0;
  std::string dispatch;
  std::string pm_nesting;  // "independent" or "nested" (model::PmNesting)
  std::string idle_tool;   // kIdleTools word (IdleTool)
  std::string wafer_pm_start;  // kWaferPmStarts word (WaferPmStart)
  std::string lssu_switch;  // "immediate" or "group-aware" (LssuSwitch)
  std::string setup_state;  // "keep" or "reset" (SetupState)
  std::string wake;           // "least-setup" or "none" (WakeRule)
  std::string cascade_setup;  // "after" or "overlap" (CascadeSetup)
  double wall_seconds = 0;
  std::int64_t events = 0;
  std::int64_t lot_steps = 0;    // performed lot-steps (jobs per lot) over the run
  std::int64_t peak_rss_kb = 0;  // getrusage maximum resident set size after the run

  std::vector<LotTypeKpi> lot_types;
  std::vector<ToolGroupKpi> tool_groups;
  std::vector<double> wip_per_day;  // time-average lots in the fab, per simulated day
  std::vector<std::int64_t> starts_per_day;  // lots released per simulated day (whole run)
  std::vector<std::int64_t> outs_per_day;    // lots completed per simulated day (whole run)
  StateSeries state_series;
  double mean_wip_lots = 0;         // time average over the KPI window
  std::int64_t lots_in_fab_end = 0;
  std::int64_t lots_released = 0, lots_completed = 0, lots_scrapped = 0;  // whole run incl. WIP
  std::int64_t initial_wip_lots = 0;
  std::int64_t lots_split_children = 0;  // lots created by splits (released + initial + split =
                                         // completed + scrapped + in fab)
  std::int64_t cqt_windows = 0, cqt_violations = 0;  // KPI window
  std::vector<CqtAreaKpi> cqt_by_area;
  std::int64_t rework_passes = 0;  // rework decisions over the run
  std::int64_t skipped_steps = 0;  // sampled steps skipped over the run
  PackagingKpi packaging;
};

// Runs one replication. REQUIRES: factory.validate() is empty.
Results simulate(const model::Factory& factory, const Options& options);

// Raw process time of a lot type in ticks: the sum of model::mean_lot_time over its route,
// following the model's expected lot size (model::stream_flow: transform to units with the site
// yield, splits into assembly lots, step yields). With `sampled`, each step is weighted by its sampling probability.
double raw_process_time(const model::Factory& f, const model::ReleaseStream& s, bool sampled);

// The cycle time that the initial WIP implies for a lot type (docs/validation.md): each initial
// lot of the type has an age (minus its virtual release, the due date less the type's due offset)
// and a position (the share of the type's sampled raw process time before its current step). In a
// fab in steady state the age grows in proportion to the position, and the least-squares line
// through the origin, age = CT x position, gives the cycle time the WIP was taken from.
struct WipImpliedCt {
  std::int64_t lots = 0;  // initial lots of the type with position > 0 and a known release
  double ct_days = 0;     // 0 when lots == 0
};
WipImpliedCt wip_implied_cycle_time(const model::Factory& f, model::StreamId stream);

}  // namespace osatsim::engine
