#pragma once
// The simulation kernel's one class, Sim (docs/engine.md "Layout"): its state and the
// declarations of its parts. Each part is defined in a file of its own, named after what it
// does, and all of them are compiled as one translation unit (engine.cpp), so that the hot
// paths inline across parts exactly as they did in one file:
//
//   build.ipp      the run's tables from the model (cold)
//   lot_flow.ipp   release, move, arrive, step completion, split, finish
//   dispatch.ipp   queues, idle tools, the reference ranking path, the fast paths, batching
//   tools.ipp      jobs and their timing, setups, downs and PMs (the PM calendar's one home)
//   kits.ipp       component stock, kits, supplies
//   kpi.ipp        KPI accumulation (the KPI window checked in one place)
//   run.ipp        the first events and the event loop (one call per event kind)
//   results.ipp    results assembly (cold)
//
// Sim lives in an unnamed namespace: its members have internal linkage, which lets the compiler
// inline the parts called once into their callers (docs/performance.md "Engine layout").
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/rng.h"
#include "engine/engine.h"
#include "engine/event_queue.h"
#include "engine/options.h"
#include "engine/records.h"
#include "model/flow.h"

namespace osatsim::engine {
namespace {

// The hot records and the event queue (internal headers of the engine).
using namespace detail;  // NOLINT(google-build-using-namespace): one translation unit
using model::basis_quantity;
using model::kNone;

// Event types; the value is also the tie class at equal times (lower first).
enum EvType : std::uint8_t {
  kEvRepairEnd = 0,
  kEvPmEnd,
  kEvJobDone,
  kEvEntryFree,
  kEvSetupEnd,
  kEvFailure,
  kEvPmDue,
  kEvArrive,
  kEvRelease,
  kEvSupply,
  kEvBatchTimer,
  kEvDay,
  kEvEnd,
};

class Sim {
 public:
  Sim(const model::Factory& f, const Options& o) : f_(f), o_(o) {}
  Results run();

 private:
  // --- build.ipp: the run's tables from the model
  void build();
  void build_groups();
  void build_steps();
  void build_queue_orders();
  void build_random_streams(std::uint64_t seed);
  void build_kpi_accumulators();

  // --- run.ipp: the first events and the event loop
  void start();
  bool handle(const Event& ev);
  void check_time_limit(std::chrono::steady_clock::time_point wall0, double limit);
  [[gnu::always_inline]] void push(Ticks t, EvType type, std::int32_t a, std::int32_t b = 0) {
    events_q_.push(Event{t, (static_cast<std::uint64_t>(type) << 56) | seq_++, a, b});
  }
  bool events_left() const { return !events_q_.empty(); }
  Event pop() { return events_q_.pop(); }

  // --- lot_flow.ipp: lots
  std::int32_t new_lot();
  void release(std::int32_t stream);
  void start_initial_wip();
  void advance(std::int32_t lot, std::int32_t next_step, model::LocationId from);
  void arrive(std::int32_t lot);
  void complete_step(std::int32_t lot, std::int32_t tool);
  bool apply_yield(Lot& l, std::int32_t gsi, bool& transformed);
  void split_lot(std::int32_t lot, std::int64_t cap, std::int32_t next, model::LocationId here);
  void finish_lot(std::int32_t lot, bool scrapped);

  // --- dispatch.ipp: queues, idle tools, decisions, batches
  void enqueue(Group& g, std::int32_t lot);
  void set_head(Group& g, std::int32_t bucket);
  void dequeue_desc(Group& g, const std::int32_t* idx, int n);
  void fixed_keys(const model::RankCriterion* c, int n, const Lot& l, const StepInfo& si,
                  double* k) const;
  bool eligible(Lot& l, std::int32_t ti, const Group& g);
  // eligible() for a queue entry of a sorted or bucketed group (neither has setup runs): the
  // dedication is read from the entry; only groups with kits look at the lot.
  bool eligible_entry(const QEntry& e, std::int32_t ti, const Group& g) {
    if (g.has_kit) [[unlikely]]
      return eligible(lots_[e.lot], ti, g);
    return e.ded == kNone || e.ded == ti;
  }
  bool can_start(const Tool& t) const {
    return t.outage == kNoOutage && !t.entry_busy && t.jobs_in < t.capacity && !t.pm_waiting &&
           t.reserved_for < 0;
  }
  void refresh_idle(std::int32_t tool);
  // Index within the group of its lowest-numbered idle tool. REQUIRES: !g.idle.empty().
  static std::int32_t lowest_idle(const Group& g) {
    std::size_t w = 0;
    while (g.idle_bits[w] == 0) ++w;
    return static_cast<std::int32_t>(64 * w) + __builtin_ctzll(g.idle_bits[w]);
  }
  [[gnu::noinline]] void take_reservation(std::int32_t tool);
  void reserve_for(std::int32_t lot, std::int32_t group);
  void try_group(std::int32_t group, std::int32_t arriving_lot);
  void offer_idle_tools(Group& g);
  // IdleTool::Random: one of `tools` (non-empty: the idle list or idle_pick_), drawn from group
  // gi's stream.
  template <class Tools>
  std::int32_t draw_tool(std::int32_t gi, const Tools& tools) {
    return tools[static_cast<std::size_t>(rng_idle_[gi].below(tools.size()))];
  }
  void on_batch_timer(std::int32_t group);
  bool dispatch(std::int32_t tool);
  bool dispatch_bucketed(std::int32_t tool);
  bool dispatch_sorted(std::int32_t tool);
  bool dispatch_ranked(std::int32_t tool, bool run_active, int nkeys);
  bool keep_group_aware(std::int32_t tool);
  bool start_batch(std::int32_t tool, int nkeys);
  bool dispatch_best(std::int32_t tool, bool run_active, int nkeys);
  template <bool kCr>
  bool dispatch_fixed_setup(std::int32_t tool, bool run_active);
  template <class Best, class Consider>
  bool start_best(std::int32_t tool, bool run_active, const Consider& consider);
  bool dispatch_bucketed_batch(std::int32_t tool);
  // The index of the first entry of bucket b that may start on tool ti, or -1.
  std::int32_t first_eligible(const Group& g, std::int32_t b, std::int32_t ti) {
    const EntryQueue& v = g.buckets[b];
    for (std::int32_t j = 0, n = v.size(); j < n; ++j)
      if (eligible_entry(v[j], ti, g)) return j;
    return -1;
  }
  // A lot's size in its group's batch unit.
  static double batch_size(const Group& g, const Lot& l) {
    switch (g.g->batch_unit) {
      case model::BatchUnit::Lot:
        return 1.0;
      case model::BatchUnit::Unit:
        return static_cast<double>(l.qty());
      case model::BatchUnit::Wafer:
        return static_cast<double>(l.wafers);
    }
    return 1.0;
  }
  // A batch being filled from one family in rank order (its lots and queue indices in pick_
  // and pick_idx_).
  struct BatchFill {
    double total = 0;         // size in the batch unit
    Ticks oldest = kNever;    // the earliest queue entry of its lots
    bool more_waiting = false;  // a lot of the family was left out by the maximum
  };
  BatchFill begin_fill() {
    pick_.clear();
    pick_idx_.clear();
    return {};
  }
  // Takes the lot if it fits under the step's maximum (a later, smaller lot may still fit).
  void offer(BatchFill& b, const Group& g, const model::Step& st, std::int32_t lot,
             std::int32_t idx) {
    const Lot& l = lots_[lot];
    const double sz = batch_size(g, l);
    if (b.total + sz > st.batch_max + 1e-9 || pick_.size() >= kMaxJobLots) {
      b.more_waiting = true;
      return;
    }
    b.total += sz;
    b.oldest = std::min(b.oldest, l.queue_since);
    pick_.push_back(lot);
    pick_idx_.push_back(idx);
  }
  // Whether the batch starts now: it must reach the step's minimum; a partial batch waits up to
  // the group's batch_max_wait for more lots (with a timer set for group gi).
  bool batch_ready(Group& g, std::int32_t gi, const model::Step& st, const BatchFill& b) {
    const double total = b.total;
    const Ticks oldest = b.oldest;
    if (total + 1e-9 < st.batch_min || pick_.empty()) return false;
    if (g.batch_max_wait > 0 && total + 1e-9 < st.batch_max && !b.more_waiting &&
        now_ < oldest + g.batch_max_wait) {
      const Ticks at = oldest + g.batch_max_wait;
      if (!g.timer_pending || at < g.timer_at) {
        g.timer_pending = true;
        g.timer_at = at;
        push(at, kEvBatchTimer, gi);
      }
      return false;
    }
    return true;
  }

  // --- tools.ipp: jobs, setups, downs and PMs
  struct JobSize {  // a job's lots added up
    double wafers = 0, units = 0;
    bool is_units = false;  // any of its lots counts units
  };
  [[gnu::always_inline]] void start_job(std::int32_t tool, std::int32_t si,
                                         const std::int32_t* lots, int n) {
    if (n == 1)
      start_job<true>(tool, si, lots, 1);
    else
      start_job<false>(tool, si, lots, n);
  }
  template <bool kOneLot>
  void start_job(std::int32_t tool, std::int32_t si, const std::int32_t* lots, int n);
  void take_dedication(Lot& l, const StepInfo& si, std::int32_t tool);
  void change_setup(Tool& tool, const Group& g, const StepInfo& si, int n);
  void time_job(Job& job, StepInfo& si, const JobSize& size, std::int32_t lot0, Ticks su);
  void count_wafers(std::int32_t tool, double wafers);
  void schedule_job(std::int32_t job);
  void on_setup_end(std::int32_t job);
  void on_entry_free(std::int32_t job);
  void on_job_done(std::int32_t job);
  void release_entry(Job& j);
  void after_tool_change(std::int32_t tool);
  void schedule_first_outages();
  void on_failure(std::int32_t tool, std::int32_t att);
  void start_down(std::int32_t tool, std::int32_t att);
  void on_repair_end(std::int32_t tool, std::int32_t att);
  void on_pm_due(std::int32_t tool, std::int32_t att);
  void start_pm(std::int32_t tool);
  void on_pm_end(std::int32_t tool, std::int32_t att);
  void restart_pm(std::int32_t tool, std::int32_t att, Ticks from);
  bool pm_absorbed(const Tool& t, std::int32_t att) const;
  void pm_skip(std::int32_t tool, std::int32_t att, Ticks from);
  void next_outage(std::int32_t tool);
  void pause_jobs(Tool& t);
  Ticks overlap_setup(Tool& tool, Ticks su);
  void resume_jobs(Tool& t);
  // Setup time from `from` to `to` for global step gsi: the step's own time where it has one,
  // else the setup table's.
  Ticks setup_time(model::SetupId from, model::SetupId to, std::int32_t gsi) const {
    if (to == kNone || to == from) return 0;
    const Ticks own = step_setup_time_[gsi];
    if (own >= 0) return own;
    return chg_[static_cast<std::size_t>(from + 1) * n_setups_ + to];
  }

  // --- kits.ipp: components, kits, supplies
  bool kit_ok(const Lot& l, const StepInfo& si) const;
  void take_kit(Lot& l, const StepInfo& si);
  void on_supply(std::int32_t supply);

  // --- kpi.ipp: KPI accumulation
  // The KPI window [warm-up, horizon]: whether now is inside it, and the part of [from, to)
  // inside it (ticks). The only places the window is read.
  bool in_window() const { return now_ >= tw_; }
  Ticks window_ticks(Ticks from, Ticks to) const {
    const Ticks a = std::max(from, tw_), b = std::min(to, T_);
    return b > a ? b - a : 0;
  }
  void wip_change(int delta);
  void touch(Tool& t);
  void record_release(const Lot& l);
  void record_lot_start(Group& g, Lot& l, bool in);
  void record_job_start(Group& g, const StepInfo& si, const std::int32_t* lots, int n,
                        bool setup_change, bool in);
  void record_pm(Group& g, bool absorbed);
  void record_yield(const Lot& l, std::int32_t gsi, double before, std::int64_t lost);
  void record_transform(const Lot& l);
  void record_split_child(const Lot& child);
  void record_lot_exit(const Lot& l, bool scrapped);
  void on_day();
  void record_states();

  // --- results.ipp: results assembly
  Results collect(Ticks end);
  void collect_lot_types(Results& r, double window_days);
  void collect_tool_groups(Results& r);
  void collect_packaging(Results& r, double window_days);

  const model::Factory& f_;
  const Options& o_;
  Ticks now_ = 0, tw_ = 0, T_ = 0;
  std::uint64_t seq_ = 0;
  EventQueue events_q_;

  std::vector<StepInfo> steps_;
  std::vector<Ticks> step_setup_time_;  // per global step: model::Step::setup_time
  std::vector<std::int32_t> route_first_;
  std::vector<std::int32_t> route_len_;  // steps per route
  std::vector<Group> groups_;
  std::vector<Tool> tools_;
  std::vector<Lot> lots_;
  std::vector<std::int32_t> free_lots_;
  std::vector<Job> jobs_;
  std::int32_t free_job_ = -1;
  std::vector<Ticks> chg_;
  std::vector<std::int32_t> lane_;  // [from * n_loc_ + to] -> transport lane, -1 = none
  std::size_t n_loc_ = 0;
  std::size_t n_setups_ = 0;
  bool nested_ = false;                                     // model::PmNesting::Nested
  LssuSwitch lssu_ = LssuSwitch::Immediate;  // the options' reading, else the model's
  SetupState setup_state_ = SetupState::Keep;
  WakeRule wake_ = WakeRule::LeastSetup;
  CascadeSetup cascade_setup_ = CascadeSetup::After;
  IdleTool idle_tool_ = IdleTool::First;
  // The idle list's order is not read (every choice scans it): IdleTool other than LongestIdle.
  bool first_idle_ = true;
  WaferPmStart wafer_pm_start_ = WaferPmStart::Same;
  struct SetupNeed {  // keep_group_aware's scratch: the waiting lots of one other setup
    model::SetupId setup;
    int n;           // lots
    double work;     // their mean lot times (ticks)
    std::int32_t gsi;  // one of their steps (its setup time)
    bool refuse;
  };
  std::vector<SetupNeed> setup_need_;
  std::vector<std::int32_t> area_of_group_;
  std::vector<std::string> areas_;

  std::vector<double> wpm_;  // wafer-count PM (count, threshold) pairs of all tools
  // Wafer count since the last PM and the count at which it falls due, of wafer-count PM
  // attachment `a` of tool t.
  double& wpm_count(const Tool& t, std::int32_t a) {
    return wpm_[t.wpm + 2 * groups_[t.group].wafer_pm_slot[a]];
  }
  double& wpm_threshold(const Tool& t, std::int32_t a) {
    return wpm_[t.wpm + 2 * groups_[t.group].wafer_pm_slot[a] + 1];
  }
  double wpm_count(const Tool& t, std::int32_t a) const {
    return wpm_[t.wpm + 2 * groups_[t.group].wafer_pm_slot[a]];
  }
  double wpm_threshold(const Tool& t, std::int32_t a) const {
    return wpm_[t.wpm + 2 * groups_[t.group].wafer_pm_slot[a] + 1];
  }
  std::vector<Rng> rng_sample_, rng_rework_, rng_yield_, rng_transform_;
  std::vector<Rng> rng_transport_, rng_release_;
  std::vector<Rng> rng_idle_;  // per group: IdleTool::Random
  std::vector<std::int32_t> idle_pick_;  // IdleTool::Random's candidates (scratch)
  std::vector<std::vector<Rng>> rng_down_, rng_pm_;  // per tool, per attachment
  std::vector<std::int64_t> stream_count_;

  // scratch
  struct Cand {
    double k[4];
    std::int64_t serial;
    std::int32_t lot;
    std::int32_t idx;
  };
  // Rank order of candidates on their first nr keys, then serial.
  static auto cand_less(int nr) {
    return [nr](const Cand& a, const Cand& b) {
      for (int r = 0; r < nr; ++r)
        if (a.k[r] != b.k[r]) return a.k[r] < b.k[r];
      return a.serial < b.serial;
    };
  }
  std::vector<std::int32_t> pick_idx_;
  std::vector<Cand> cands_;
  std::vector<std::int32_t> pick_;
  std::vector<std::int32_t> tried_families_;
  std::vector<std::int32_t> cand_fam_;  // batch family of cands_[i]
  struct Family {  // a bucket of a bucketed batch group, with its first eligible entry
    double k0, k1;
    std::int64_t serial;
    std::int32_t bucket, first;
  };
  std::vector<Family> families_;
  std::vector<std::int32_t> tried_tools_;

  // KPIs
  std::int64_t serial_ = 0;
  std::int64_t lots_in_fab_ = 0;
  Ticks wip_last_ = 0;
  double wip_day_area_ = 0, wip_window_area_ = 0;
  std::vector<double> wip_per_day_;
  std::int64_t day_starts_ = 0, day_outs_ = 0;
  std::vector<std::int64_t> starts_per_day_, outs_per_day_;
  // Tool-state series (Options::series_days): the period's length, its start, and each group's
  // booked state times at that start.
  Ticks series_period_ = 0, series_from_ = 0;
  std::vector<std::array<Ticks, kStates>> series_acc_;
  StateSeries series_;
  std::vector<StreamAcc> sacc_;
  std::vector<CqtAreaKpi> cqt_area_;
  std::int64_t events_ = 0, lot_steps_ = 0, rework_ = 0, skipped_ = 0;
  std::int64_t split_children_ = 0;
  std::int64_t lots_released_ = 0, lots_completed_ = 0, lots_scrapped_ = 0, initial_ = 0;
  std::int64_t cqt_windows_ = 0, cqt_viol_ = 0;
  // packaging
  std::vector<double> stock_, delivered_, consumed_, starved_;
  std::vector<std::int64_t> stockouts_;
  std::vector<std::int64_t> supply_count_;
  std::vector<double> step_in_, step_out_;
  std::vector<double> units_out_product_, wafer_starts_product_, units_out_wafers_product_,
      units_out_traced_product_;
  std::vector<double> wafer_ct_, unit_ct_;
  double wafers_released_ = 0, wafers_scrapped_ = 0, wafers_out_ = 0, wafers_transformed_ = 0;
  double units_created_ = 0, units_scrapped_ = 0, units_out_ = 0;
  bool packaging_ = false;
  std::vector<std::int64_t> obs_serials_;
  RunStatus status_ = RunStatus::Ok;
  std::string message_;
};

}  // namespace
}  // namespace osatsim::engine
