#pragma once
// The factory model shared by plan, capacity and simulate: tool groups, routes of steps, products,
// release streams, initial WIP, downtime and PM calendars, setups, transport, and the packaging
// extensions (wafer-to-unit transforms, yields, component kits and supplies).
//
// Conventions:
// - Dense integer ids: an id is the index into the Factory's vector of that kind; -1 = none.
// - All durations in Ticks (milliseconds, core/time.h); Dist values of durations are in ticks.
// - Steps are 0-based within their route (the SMT2020 files count from 1).
// - A Factory is built by a reader (io/), checked with validate(), then shared read-only
//   (std::shared_ptr<const Factory>) by every engine and analysis.
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/choice.h"
#include "core/diagnostics.h"
#include "core/dist.h"
#include "core/time.h"

namespace osatsim::model {

using ToolGroupId = std::int32_t;
using RouteId = std::int32_t;
using ProductId = std::int32_t;
using StreamId = std::int32_t;
using SetupId = std::int32_t;
using SetupGroupId = std::int32_t;
using DownCalendarId = std::int32_t;
using PmCalendarId = std::int32_t;
using LocationId = std::int32_t;
using ComponentId = std::int32_t;
inline constexpr std::int32_t kNone = -1;

// Where an entity was defined, for messages of the form file:line.
struct SourceRef {
  std::string file;
  int line = 0;
};

// ---------------------------------------------------------------------------------------------
// Tool groups

// Dispatch ranking criteria, applied lexicographically (first = most significant).
enum class RankCriterion : std::uint8_t {
  HighPriority,   // rank_HP: higher lot priority first
  LeastSetup,     // rank_RSETUP: no setup / least setup time on this tool first
  Fifo,           // rank_FIFO: earlier arrival at this step's queue first
  CriticalRatio,  // rank_CR: smallest (due - now) / remaining process time first
  EarliestDue,    // earliest due date first
  ShortestProcessing,  // shortest processing time at this step first
};

// Which lots may share a batch.
enum class BatchCriterion : std::uint8_t {
  None,           // not a batching group
  SameRouteStep,  // crit_sameroutestep: same route and same step
  SameStepName,   // same operation name (DESC), across routes
};

// What a batch size counts.
enum class BatchUnit : std::uint8_t { Wafer, Lot, Unit };

// Time to failure runs on the calendar (SMT2020 mttf_by_cal) or only while busy.
enum class FailureClock : std::uint8_t { Calendar, Busy };

struct DownCalendar {
  std::string name;
  FailureClock clock = FailureClock::Calendar;
  Dist time_to_failure;  // ticks
  Dist time_to_repair;   // ticks
  SourceRef src;
};

enum class PmTrigger : std::uint8_t { Calendar, WaferCount };

// How the PM calendars attached to one tool combine.
//  Independent: every calendar runs on its own; each PM that falls due is performed.
//  Nested: a longer PM contains the shorter ones of the same trigger (a quarterly PM does the
//    monthly and weekly tasks). A PM that falls due is skipped ("absorbed") when a longer PM of
//    the same tool and trigger is running, waiting, or falls due before this PM would fall due
//    again; a waiting shorter PM is dropped when a longer one starts. docs/engine.md.
enum class PmNesting : std::uint8_t { Independent, Nested };
inline constexpr Choice<PmNesting> kPmNestings[] = {
    {PmNesting::Independent, "independent", "every PM performed"},
    {PmNesting::Nested, "nested", "a longer PM of the same tool does the shorter ones due meanwhile"},
};
inline const char* to_string(PmNesting n) { return word_of(kPmNestings, n).data(); }

// When a tool of a setup-run (LSSU) group changes gas, a reading of the model (docs/engine.md
// "Setups"):
//  Immediate: as soon as no lot of its own gas waits (and its run, if any, is over).
//  GroupAware: only when the tools already set up for the wanted gas cannot cover its waiting
//    lots with their runs (lots waiting > cover x MINRUN x such tools).
//  ClearTime: only when those tools cannot clear its waiting lots within the time of the change
//    (their mean lot times / such tools > cover x the setup time).
//  Refuse: after refusing lots of another gas a number of decisions in a row (5; the reading of
//    the testbed's Python implementation, whose run never ends on its own).
enum class LssuSwitch : std::uint8_t { Immediate, GroupAware, ClearTime, Refuse };
inline constexpr int kLssuRefusals = 5;  // Refuse: the Python implementation's count
inline constexpr Choice<LssuSwitch> kLssuSwitches[] = {
    {LssuSwitch::Immediate, "immediate", "as soon as no lot of its gas waits"},
    {LssuSwitch::GroupAware, "group-aware",
     "only when the tools already in the wanted gas cannot cover its waiting lots with their runs"},
    {LssuSwitch::ClearTime, "clear-time",
     "only when the tools already in the wanted gas cannot clear its waiting lots within the "
     "setup time"},
    {LssuSwitch::Refuse, "refuse",
     "after refusing lots of another gas --lssu-refusals decisions in a row"},
};

// A tool's setup state after a job whose step names no setup: kept until the next setup (the
// AutoSched reading), or reset to none (the testbed's Python implementation), so that the next
// step with a setup sets up again.
enum class SetupState : std::uint8_t { Keep, Reset };
inline constexpr Choice<SetupState> kSetupStates[] = {
    {SetupState::Keep, "keep", "a step without setup leaves the tool's setup state as it is"},
    {SetupState::Reset, "reset", "a step without setup resets the tool's setup state to none"},
};

// Which idle tool takes an arriving lot on a group with the wake rule wake_LeastSetupTime:
// the one with the least setup time for it (LeastSetup), or the idle-tool rule alone (None: the
// wake rule not applied).
enum class WakeRule : std::uint8_t { LeastSetup, None };
inline constexpr Choice<WakeRule> kWakeRules[] = {
    {WakeRule::LeastSetup, "least-setup",
     "on groups with the least-setup wake rule, the idle tool with the least setup time for the "
     "arriving lot"},
    {WakeRule::None, "none", "the idle-tool rule alone, whatever the group's wake rule"},
};

// When the setup of a job on a cascading tool may run: once the tool's entry is free (After),
// or already during the occupation of the job before it (Overlap; AutoSched's
// SEQ_ADDS_SETUP_DELAYS = N), booked as setup.
enum class CascadeSetup : std::uint8_t { After, Overlap };
inline constexpr Choice<CascadeSetup> kCascadeSetups[] = {
    {CascadeSetup::After, "after", "a cascading tool's setup starts once its entry is free"},
    {CascadeSetup::Overlap, "overlap",
     "a cascading tool's setup may run during the occupation of the job before it"},
};

// Which idle tool takes an arriving lot when several could (after the group's wake rule): the
// first in the group's tool list (First, the reference implementations' loop over their tools),
// the one idle the longest (LongestIdle), a tool with no job inside before a cascading tool that
// holds one, then list order (EmptyFirst), or one drawn at random from its group's own random
// stream (Random). The same rule orders the idle tools offered a decision together.
enum class IdleTool : std::uint8_t { First, LongestIdle, EmptyFirst, Random };
inline constexpr Choice<IdleTool> kIdleTools[] = {
    {IdleTool::First, "first", "tool list order"},
    {IdleTool::LongestIdle, "longest-idle", "the tool idle the longest"},
    {IdleTool::EmptyFirst, "empty-first",
     "a tool with no job inside before a cascading tool that holds one, then list order"},
    {IdleTool::Random, "random", "one drawn at random (the group's own random stream)"},
};

// Each tool's first wafer-count PM threshold: the calendar's first occurrence FOA for every tool
// (Same), or FOA*k/N for tool k of N (Staggered, like the first calendar PMs), so that evenly
// loaded tools of a group do not reach their PMs together.
enum class WaferPmStart : std::uint8_t { Same, Staggered };
inline constexpr Choice<WaferPmStart> kWaferPmStarts[] = {
    {WaferPmStart::Same, "same", "every tool's first threshold is the calendar's FOA"},
    {WaferPmStart::Staggered, "staggered", "tool k of N first after FOA*k/N wafers"},
};

struct PmCalendar {
  std::string name;
  PmTrigger trigger = PmTrigger::Calendar;
  double interval = 0.0;  // ticks (Calendar) or wafers processed (WaferCount)
  Dist duration;          // ticks
  SourceRef src;
};

// A calendar bound to every tool of a tool group; each tool owns an independent instance.
struct DownAttachment {
  DownCalendarId calendar = kNone;
  Dist first_occurrence;  // ticks
  SourceRef src;
};
struct PmAttachment {
  PmCalendarId calendar = kNone;
  Dist first_occurrence;  // ticks (Calendar trigger) or wafers (WaferCount trigger)
  SourceRef src;
};

struct ToolGroup {
  std::string name;
  std::string area;          // SMT2020 STNGRP
  LocationId location = kNone;
  int tools = 1;             // identical tools sharing one queue
  int capacity = 1;          // jobs one tool holds at once (>1: cascading tool)
  Ticks load_time = 0;       // per job
  Ticks unload_time = 0;     // per job
  bool is_delay = false;     // a pure delay (no load/unload, downs or PM; tools = parallel slots)

  BatchCriterion batch_criterion = BatchCriterion::None;
  BatchUnit batch_unit = BatchUnit::Wafer;
  // Longest time a partial batch (>= min, < max) waits for more lots before it starts; 0 = start
  // as soon as the minimum is reached (the SMT2020 rule).
  Ticks batch_max_wait = 0;

  bool lssu = false;  // rule_LSSU: setup runs (MINRUN) of the setup group apply
  std::vector<RankCriterion> ranking{RankCriterion::HighPriority, RankCriterion::LeastSetup,
                                     RankCriterion::Fifo};
  bool wake_least_setup = false;  // wake_LeastSetupTime: idle tool with least setup gets the lot
  SetupGroupId setup_group = kNone;

  std::vector<DownAttachment> downs;
  std::vector<PmAttachment> pms;

  // Packaging: capital cost of one tool (planner), 0 if unknown.
  double tool_cost = 0.0;
  SourceRef src;
};

// ---------------------------------------------------------------------------------------------
// Routes and steps

// What a step's processing time distribution is multiplied by.
enum class TimeBasis : std::uint8_t {
  PerLot,    // once per lot
  PerWafer,  // SMT2020 per_piece: one draw per lot, times the wafers in the lot
  PerBatch,  // once per batch, whatever its size
  PerSite,   // per interposer / module site on the lot's wafers (wafers x sites per wafer)
  PerDie,    // per die placement: sites x dies per package of the step's die component
             // (units x dies per package once the lot counts units)
  PerUnit,   // per unit (after the wafer-to-unit transform)
};

// The unit a cascading interval refers to.
enum class CascadeBasis : std::uint8_t { None, PerLot, PerWafer };

// A component consumed by a step, per unit of its basis.
struct KitItem {
  ComponentId component = kNone;
  double quantity = 0.0;  // per `basis` unit of the lot (PerLot, PerWafer, PerSite, PerDie, PerUnit)
  TimeBasis basis = TimeBasis::PerUnit;
};

struct Step {
  std::string name;  // SMT2020 DESC; unique within a route
  ToolGroupId tool_group = kNone;

  TimeBasis basis = TimeBasis::PerLot;
  Dist time;            // ticks per basis unit
  Ticks overhead = 0;   // fixed per job on top of time x quantity (packaging "+ 5 min/wafer")
  bool overhead_per_wafer = false;  // overhead counted per wafer of the lot instead of per job
                                    // (per unit once the lot counts units)
  ComponentId die_component = kNone;  // PerDie: which component's placements are timed

  // Batching (only on groups with a batch criterion); sizes in the group's batch unit.
  int batch_min = 0;
  int batch_max = 0;

  // Setups.
  SetupId setup = kNone;     // state the tool must be in; kNone: no requirement
  Ticks setup_time = -1;     // step override of the setup table (SMT2020 STIME); -1 = none

  // Cascading tools: the interval after which the tool takes its next job.
  CascadeBasis cascade_basis = CascadeBasis::None;
  Ticks cascade_interval = 0;

  // Lot-to-lens dedication: the later step (0-based) that must run on this step's tool.
  int dedicate_step = kNone;

  // Rework: with rework_probability, the lot returns to rework_step (0-based, <= this step).
  int rework_step = kNone;
  double rework_probability = 0.0;

  // Sampling: the step is performed with this probability, skipped otherwise.
  double sample_probability = 1.0;

  // Critical queue time: from this step's completion to the start of cqt_exit_step (0-based).
  int cqt_exit_step = kNone;
  Ticks cqt_limit = 0;

  // Packaging extensions.
  double yield = 1.0;           // each wafer (or unit) survives with this probability
  bool transform_to_units = false;  // after this step the lot counts units, not wafers
  std::vector<KitItem> kit;     // consumed when the job starts; no kit, no start

  SourceRef src;

  // Transform steps only: after the transform the unit lot is split into the fewest lots of at
  // most this many units, sizes as equal as possible (differing by at most one); 0 = the lot
  // stays whole. Assembly lots sized for trays / burn-in boards. The child lots keep the stream,
  // priority, release time and due date of their parent.
  int split_units = 0;
};

struct Route {
  std::string name;
  std::vector<Step> steps;
  SourceRef src;
};

// ---------------------------------------------------------------------------------------------
// Products, releases, WIP

struct DieCount {
  ComponentId component = kNone;
  int count = 0;  // per package
};

struct Product {
  std::string name;
  RouteId route = kNone;
  // Packaging: sites (interposers / modules) per wafer and the chance that a site is good at the
  // wafer-to-unit transform; dies per package by component (logic, HBM, bridge, ...).
  int sites_per_wafer = 0;
  double site_yield = 1.0;
  std::vector<DieCount> dies;
  SourceRef src;
  // The lots of this product count units from their release (no wafers, no transform step), e.g.
  // a CPO cell fed with finished ASIC packages; its streams' wafers_per_lot is then units per lot.
  bool starts_as_units = false;
  // How sites_per_wafer was found when the input gave site dimensions (YAML 'site: WxH'), e.g.
  // "site 52x54.5 mm on a 300 mm wafer, edge exclusion 3 mm, street 0.2 mm: grid packing";
  // empty when the count was given. Shown by `osatsim validate`.
  std::string site_packing = {};
};

// A lot type: lots released periodically. Its name is the KPI key (SMT2020 order-line name).
struct ReleaseStream {
  std::string name;
  ProductId product = kNone;
  int priority = 10;         // higher is more urgent (SMT2020: 10 regular, 20 hot, 30 super hot)
  int wafers_per_lot = 25;
  Ticks first_release = 0;
  Dist interval;             // ticks between releases
  int lots_per_release = 1;
  std::int64_t max_releases = -1;  // -1: unlimited
  Ticks due_offset = 0;      // due date = release + due_offset
  SourceRef src;
};

// A lot already in the factory at time 0, queued (not in process) at `step`.
struct InitialLot {
  std::string name;
  StreamId stream = kNone;   // the lot type it belongs to (kNone if no stream matches)
  ProductId product = kNone;
  int priority = 10;
  int wafers = 25;
  int step = 0;              // 0-based
  Ticks due = 0;
  // Cycle-time origin: due - stream due offset when the stream is known, else 0.
  Ticks virtual_release = 0;
  SourceRef src;
};

// ---------------------------------------------------------------------------------------------
// Setups

struct SetupChange {
  SetupId from = kNone;  // kNone: from any state (including none)
  SetupId to = kNone;
  Ticks time = 0;
  SourceRef src;
};

struct SetupGroup {
  std::string name;
  std::vector<SetupId> members;
  int min_run = 0;  // lots a tool must process after a change before it may change again
  SourceRef src;
};

// ---------------------------------------------------------------------------------------------
// Transport

struct Location {
  std::string name;
};

struct TransportLane {
  LocationId from = kNone;
  LocationId to = kNone;
  Dist time;  // ticks
  SourceRef src;
};

// ---------------------------------------------------------------------------------------------
// Packaging: components and their supply

struct Component {
  std::string name;
  double initial_stock = 0.0;
  double unit_cost = 0.0;
  SourceRef src;
};

// Deliveries of a component: `quantity` every `interval` from `first` (count -1: unlimited).
struct Supply {
  ComponentId component = kNone;
  Ticks first = 0;
  Ticks interval = 0;
  double quantity = 0.0;
  std::int64_t count = -1;
  SourceRef src;
};

// ---------------------------------------------------------------------------------------------

struct Factory {
  std::string name;     // e.g. "HVLM"
  std::string source;   // directory or file it was read from

  std::vector<ToolGroup> tool_groups;
  std::vector<Route> routes;
  std::vector<Product> products;
  std::vector<ReleaseStream> streams;
  std::vector<InitialLot> initial_wip;

  std::vector<std::string> setups;  // SetupId -> name
  std::vector<SetupChange> setup_changes;
  std::vector<SetupGroup> setup_groups;
  std::vector<SetupGroupId> setup_group_of;  // SetupId -> group (kNone)

  std::vector<DownCalendar> down_calendars;
  std::vector<PmCalendar> pm_calendars;
  PmNesting pm_nesting = PmNesting::Independent;
  LssuSwitch lssu_switch = LssuSwitch::Immediate;  // the model's readings; the engine's
  SetupState setup_state = SetupState::Keep;       // options may override them
  WakeRule wake = WakeRule::LeastSetup;
  CascadeSetup cascade_setup = CascadeSetup::After;
  IdleTool idle_tool = IdleTool::First;
  WaferPmStart wafer_pm_start = WaferPmStart::Same;

  std::vector<Location> locations;
  std::vector<TransportLane> transport;

  std::vector<Component> components;
  std::vector<Supply> supplies;

  // --- lookups (linear or hashed; not for the engine's hot loop) ---
  ToolGroupId find_tool_group(const std::string& name) const;
  ProductId find_product(const std::string& name) const;
  RouteId find_route(const std::string& name) const;
  StreamId find_stream(const std::string& name) const;
  SetupId find_setup(const std::string& name) const;
  LocationId find_location(const std::string& name) const;
  ComponentId find_component(const std::string& name) const;
  DownCalendarId find_down_calendar(const std::string& name) const;
  PmCalendarId find_pm_calendar(const std::string& name) const;

  // Adds a setup name if absent; returns its id.
  SetupId intern_setup(const std::string& name);
  LocationId intern_location(const std::string& name);

  // Setup time to bring a tool from state `from` (kNone = no state) to the state `step` needs:
  // the step's override, else the table row from->to, else the row any->to, else 0. Zero when
  // the step needs no setup or the tool is already in that state.
  Ticks setup_time(SetupId from, const Step& step) const;

  // Transport lane between two locations, or nullptr (= no move time).
  const Dist* transport_time(LocationId from, LocationId to) const;

  // Total tools, without pure delay groups.
  int total_tools(bool include_delay = false) const;

  // Checks referential integrity and value ranges; every problem names the entity's source.
  Diagnostics validate() const;
};

// Lots released per day by a stream (lots_per_release / mean interval).
double lots_per_day(const ReleaseStream& s);

const char* to_string(TimeBasis b);
const char* to_string(RankCriterion r);
const char* to_string(BatchCriterion c);

}  // namespace osatsim::model
