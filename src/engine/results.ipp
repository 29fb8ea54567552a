// Results assembly (cold: once per run): the KPIs accumulated during the run (kpi.ipp) into
// engine::Results. Part of the engine's one translation unit (engine.cpp, sim.h).

namespace osatsim::engine {
namespace {

// The results of a run that ended at `end` (the horizon, or earlier when a guard stopped it).
Results Sim::collect(Ticks end) {
  Results r;
  r.status = status_;
  r.message = message_;
  r.model = f_.name;
  r.days = o_.days;
  r.warmup_days = o_.warmup_days;
  r.simulated_days = to_days(end);
  r.seed = o_.seed;
  r.dispatch = word_of(kDispatchRules, o_.dispatch);
  r.pm_nesting = word_of(model::kPmNestings, f_.pm_nesting);
  r.idle_tool = word_of(kIdleTools, idle_tool_);
  r.wafer_pm_start = word_of(kWaferPmStarts, wafer_pm_start_);
  r.lssu_switch = word_of(kLssuSwitches, lssu_);
  r.setup_state = word_of(kSetupStates, setup_state_);
  r.wake = word_of(kWakeRules, wake_);
  r.cascade_setup = word_of(kCascadeSetups, cascade_setup_);
  r.events = events_;
  r.lot_steps = lot_steps_;
  r.wip_per_day = wip_per_day_;
  r.starts_per_day = starts_per_day_;
  r.outs_per_day = outs_per_day_;
  r.state_series = series_;
  const double window = static_cast<double>(std::min(end, T_) - std::min(tw_, std::min(end, T_)));
  const double window_days = window / kTicksPerDay;
  r.mean_wip_lots = window > 0 ? wip_window_area_ / window : 0;
  r.lots_in_fab_end = lots_in_fab_;
  r.lots_released = lots_released_;
  r.lots_completed = lots_completed_;
  r.lots_scrapped = lots_scrapped_;
  r.initial_wip_lots = initial_;
  r.lots_split_children = split_children_;
  r.cqt_windows = cqt_windows_;
  r.cqt_violations = cqt_viol_;
  for (const auto& a : cqt_area_)
    if (a.windows > 0) r.cqt_by_area.push_back(a);
  r.rework_passes = rework_;
  r.skipped_steps = skipped_;

  collect_lot_types(r, window_days);
  collect_tool_groups(r);
  collect_packaging(r, window_days);
  return r;
}

void Sim::collect_lot_types(Results& r, double window_days) {
  for (std::size_t s = 0; s < f_.streams.size(); ++s) {
    const auto& ms = f_.streams[s];
    StreamAcc& a = sacc_[s];
    LotTypeKpi k;
    k.name = ms.name;
    k.product = f_.products[ms.product].name;
    k.priority = ms.priority;
    k.release_rate_per_day = model::lots_per_day(ms);
    k.released = a.released;
    k.initial_wip = a.initial;
    k.completed = a.completed;
    k.completed_total = a.completed_total;
    k.scrapped_total = a.scrapped;
    k.split_children = a.split_children;
    k.in_fab_end = a.in_fab;
    k.throughput_per_day = window_days > 0 ? a.completed / window_days : 0;
    k.wafers_out = a.wafers_out;
    k.units_out = a.units_out;
    k.cycle_time_days = summarize(std::move(a.ct));
    k.rpt_days = raw_process_time(f_, ms, false) / kTicksPerDay;
    k.rpt_sampled_days = raw_process_time(f_, ms, true) / kTicksPerDay;
    const WipImpliedCt wi = wip_implied_cycle_time(f_, static_cast<model::StreamId>(s));
    k.wip_implied_lots = wi.lots;
    k.wip_implied_ct_days = wi.ct_days;
    k.ct_factor = k.rpt_days > 0 ? k.cycle_time_days.mean / k.rpt_days : 0;
    k.on_time_pct = a.completed > 0 ? 100.0 * a.on_time / a.completed : 0;
    k.mean_tardiness_days = a.completed > 0 ? a.tardiness / a.completed : 0;
    k.cqt_violations = a.cqt_viol;
    k.cqt_windows = a.cqt_windows;
    r.lot_types.push_back(std::move(k));
  }

}

void Sim::collect_tool_groups(Results& r) {
  for (std::size_t gi = 0; gi < groups_.size(); ++gi) {
    const Group& g = groups_[gi];
    ToolGroupKpi k;
    k.name = g.g->name;
    k.area = g.g->area;
    k.tools = g.g->tools;
    Ticks acc[kStates] = {0, 0, 0, 0, 0};
    for (std::int32_t ti = g.first_tool, e = ti + g.g->tools; ti < e; ++ti)
      for (int s = 0; s < kStates; ++s) acc[s] += tools_[ti].acc[s];
    Ticks tot = 0;
    for (Ticks v : acc) tot += v;
    if (tot > 0) {
      const double d = static_cast<double>(tot);
      k.down = acc[kDown] / d;
      k.pm = acc[kPm] / d;
      k.setup = acc[kSetup] / d;
      k.busy = acc[kBusy] / d;
      k.idle = acc[kIdle] / d;
    }
    k.jobs = g.jobs;
    k.batches = g.batches;
    k.mean_batch_fill = g.batches > 0 ? g.batch_fill / g.batches : 0;
    k.setups = g.setups;
    k.pms = g.pms;
    k.pms_absorbed = g.pms_absorbed;
    k.lot_starts = g.lot_starts;
    k.mean_queue_hours =
        g.lot_starts > 0 ? g.queue_wait / static_cast<double>(g.lot_starts) / kTicksPerHour : 0;
    k.max_parallel = g.max_parallel;
    r.tool_groups.push_back(std::move(k));
  }

}

void Sim::collect_packaging(Results& r, double window_days) {
  PackagingKpi& p = r.packaging;
  p.present = packaging_;
  p.wafers_released = wafers_released_;
  p.wafers_scrapped = wafers_scrapped_;
  p.wafers_out = wafers_out_;
  p.wafers_transformed = wafers_transformed_;
  p.units_created = units_created_;
  p.units_scrapped = units_scrapped_;
  p.units_out = units_out_;
  {
    std::vector<char> free_mask(lots_.size(), 0);
    for (std::int32_t id : free_lots_) free_mask[id] = 1;
    for (std::size_t i = 0; i < lots_.size(); ++i) {
      if (free_mask[i]) continue;
      if (lots_[i].is_units)
        p.units_in_fab += static_cast<double>(lots_[i].units);
      else
        p.wafers_in_fab += static_cast<double>(lots_[i].wafers);
    }
  }
  if (!packaging_) return;
  for (std::size_t pi = 0; pi < f_.products.size(); ++pi) {
    p.units_out_per_month.emplace_back(
        f_.products[pi].name, window_days > 0 ? units_out_product_[pi] * 30.0 / window_days : 0);
    p.wafer_starts.emplace_back(f_.products[pi].name, wafer_starts_product_[pi]);
    p.units_out_wafers.emplace_back(f_.products[pi].name, units_out_wafers_product_[pi]);
    p.units_per_wafer.emplace_back(
        f_.products[pi].name, units_out_wafers_product_[pi] > 0
                                  ? units_out_traced_product_[pi] / units_out_wafers_product_[pi]
                                  : 0.0);
  }
  for (std::size_t i = 0; i < steps_.size(); ++i) {
    const model::Step& st = *steps_[i].step;
    if (st.yield < 1.0 || st.transform_to_units)
      p.step_yields.push_back(
          StepYieldKpi{f_.routes[steps_[i].route].name, st.name, step_in_[i], step_out_[i]});
  }
  for (std::size_t c = 0; c < f_.components.size(); ++c) {
    ComponentKpi ck;
    ck.name = f_.components[c].name;
    ck.initial_stock = f_.components[c].initial_stock;
    ck.delivered = delivered_[c];
    ck.consumed = consumed_[c];
    ck.final_stock = stock_[c];
    ck.stockouts = stockouts_[c];
    ck.starved_lot_hours = starved_[c];
    p.components.push_back(std::move(ck));
  }
  p.wafer_part_ct_days = summarize(wafer_ct_);
  p.unit_part_ct_days = summarize(unit_ct_);
}

}  // namespace
}  // namespace osatsim::engine
