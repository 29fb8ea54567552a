// KPI accumulation: one record call per kind of event, and the KPI window [warm-up, horizon]
// checked in one place (in_window(), window_ticks()). Results assembly reads what these
// accumulate (results.ipp). Part of the engine's one translation unit (engine.cpp, sim.h).

namespace osatsim::engine {
namespace {

// Summary statistics of a sample (linear interpolation between closest ranks for percentiles).
Summary summarize(std::vector<double> v) {
  Summary s;
  s.n = static_cast<std::int64_t>(v.size());
  if (v.empty()) return s;
  std::sort(v.begin(), v.end());
  double sum = 0;
  for (double x : v) sum += x;
  s.mean = sum / v.size();
  double ss = 0;
  for (double x : v) ss += (x - s.mean) * (x - s.mean);
  s.std = v.size() > 1 ? std::sqrt(ss / (v.size() - 1)) : 0.0;
  auto pct = [&](double p) {
    const double pos = p * (v.size() - 1);
    const auto lo = static_cast<std::size_t>(std::floor(pos));
    const std::size_t hi = std::min(lo + 1, v.size() - 1);
    return v[lo] + (v[hi] - v[lo]) * (pos - lo);
  };
  s.p5 = pct(0.05);
  s.p50 = pct(0.5);
  s.p90 = pct(0.9);
  s.p95 = pct(0.95);
  s.min = v.front();
  s.max = v.back();
  return s;
}

// The time-weighted lot count: the span since the last change counts the old number of lots.
[[gnu::always_inline]] inline void Sim::wip_change(int delta) {
  const double n = static_cast<double>(lots_in_fab_);
  wip_day_area_ += n * static_cast<double>(now_ - wip_last_);
  const Ticks w = window_ticks(wip_last_, now_);
  if (w > 0) wip_window_area_ += n * static_cast<double>(w);
  wip_last_ = now_;
  lots_in_fab_ += delta;
}

// Books the time since the last change to the tool's state (precedence of FORMAT.md §13).
[[gnu::always_inline]] inline void Sim::touch(Tool& t) {
  if (now_ > t.acc_since) {
    ToolState s;
    if (t.outage == kOutDown)
      s = kDown;
    else if (t.outage == kOutPm)
      s = kPm;
    else if (t.n_setup > 0)
      s = kSetup;
    else if (t.n_busy > 0)
      s = kBusy;
    else
      s = kIdle;
    t.acc[s] += window_ticks(t.acc_since, now_);
  }
  t.acc_since = now_;
}

// A lot enters the fab: released now, or initial WIP at the start.
[[gnu::always_inline]] inline void Sim::record_release(const Lot& l) {
  if (l.is_units) units_created_ += static_cast<double>(l.units);
  if (l.initial) {
    ++initial_;
    if (l.stream >= 0) {
      ++sacc_[l.stream].initial;
      ++sacc_[l.stream].in_fab;
    }
  } else {
    ++sacc_[l.stream].released;
    ++sacc_[l.stream].in_fab;
    ++lots_released_;
    ++day_starts_;
  }
  wafers_released_ += static_cast<double>(l.wafers);
  if (!l.initial && in_window()) wafer_starts_product_[l.product] += static_cast<double>(l.wafers);
  wip_change(+1);
}

// A lot starts a job on a tool of group g (queue wait, lot starts; a queue-time window that the
// start closes); `in`: in_window() at the start.
[[gnu::always_inline]] inline void Sim::record_lot_start(Group& g, Lot& l, bool in) {
  if (in) {
    g.queue_wait += static_cast<double>(now_ - l.queue_since);
    ++g.lot_starts;
  }
  // Critical queue time: the window closes when the job starts (setup included).
  if (l.cqt_exit == l.step) {
    const bool viol = now_ - l.cqt_open > l.cqt_limit;
    if (in) {
      ++cqt_windows_;
      ++cqt_area_[l.cqt_area].windows;
      if (l.stream >= 0) ++sacc_[l.stream].cqt_windows;
      if (viol) {
        ++cqt_viol_;
        ++cqt_area_[l.cqt_area].violations;
        if (l.stream >= 0) ++sacc_[l.stream].cqt_viol;
      }
    }
    l.cqt_exit = kNone;
  }
}

// A job of n lots started at step si on a tool of group g; `setup_change` if it changed the
// tool's setup; `in`: in_window() at the start.
[[gnu::always_inline]] inline void Sim::record_job_start(Group& g, const StepInfo& si,
                                                         const std::int32_t* lot_ids, int n,
                                                         bool setup_change, bool in) {
  lot_steps_ += n;
  if (!in) return;
  if (setup_change) ++g.setups;
  ++g.jobs;
  if (g.batching && si.step->batch_max > 0) {
    ++g.batches;
    double sz = 0;
    for (int k = 0; k < n; ++k) sz += batch_size(g, lots_[lot_ids[k]]);
    g.batch_fill += sz / si.step->batch_max;
  }
}

// A PM started on a tool of group g, or fell due and was done by a longer one (`absorbed`).
void Sim::record_pm(Group& g, bool absorbed) {
  if (!in_window()) return;
  if (absorbed)
    ++g.pms_absorbed;
  else
    ++g.pms;
}

// Yield at global step gsi: `before` entered, `lost` of them scrapped.
void Sim::record_yield(const Lot& l, std::int32_t gsi, double before, std::int64_t lost) {
  if (l.is_units)
    units_scrapped_ += static_cast<double>(lost);
  else
    wafers_scrapped_ += static_cast<double>(lost);
  step_in_[gsi] += before;
  step_out_[gsi] += static_cast<double>(l.qty());
}

// A wafer lot became a unit lot.
void Sim::record_transform(const Lot& l) {
  wafers_transformed_ += static_cast<double>(l.wafers);
  units_created_ += static_cast<double>(l.units);
  if (in_window()) wafer_ct_.push_back(to_days(now_ - l.release));
}

// A lot made by a split (it enters the fab).
void Sim::record_split_child(const Lot& child) {
  if (child.stream >= 0) {
    ++sacc_[child.stream].split_children;
    ++sacc_[child.stream].in_fab;
  }
  ++split_children_;
  wip_change(+1);
}

// A lot leaves the fab, completed or scrapped.
[[gnu::always_inline]] inline void Sim::record_lot_exit(const Lot& l, bool scrapped) {
  wip_change(-1);
  const bool in = in_window();
  if (l.stream >= 0) {
    StreamAcc& a = sacc_[l.stream];
    --a.in_fab;
    if (scrapped) {
      ++a.scrapped;
    } else {
      ++a.completed_total;
      if (in) {
        ++a.completed;
        a.ct.push_back(to_days(now_ - l.release));
        if (now_ <= l.due)
          ++a.on_time;
        else
          a.tardiness += to_days(now_ - l.due);
        if (l.is_units)
          a.units_out += static_cast<double>(l.units);
        else
          a.wafers_out += static_cast<double>(l.wafers);
      }
    }
  }
  if (scrapped) {
    ++lots_scrapped_;
    return;
  }
  ++lots_completed_;
  ++day_outs_;
  if (!l.is_units) {
    wafers_out_ += static_cast<double>(l.wafers);
    return;
  }
  units_out_ += static_cast<double>(l.units);
  if (!in) return;
  units_out_product_[l.product] += static_cast<double>(l.units);
  if (l.wafer_share > 0) {  // not initial WIP that started as units
    units_out_wafers_product_[l.product] += l.wafer_share;
    units_out_traced_product_[l.product] += static_cast<double>(l.units);
  }
  if (l.transformed_at >= 0) unit_ct_.push_back(to_days(now_ - l.transformed_at));
}

// The end of a simulated day: its time-average WIP.
void Sim::on_day() {
  wip_change(0);
  wip_per_day_.push_back(wip_day_area_ / static_cast<double>(kTicksPerDay));
  wip_day_area_ = 0;
  starts_per_day_.push_back(day_starts_);
  outs_per_day_.push_back(day_outs_);
  day_starts_ = day_outs_ = 0;
  if (series_period_ > 0 && now_ >= series_from_ + series_period_) record_states();
  if (now_ + kTicksPerDay <= T_) push(now_ + kTicksPerDay, kEvDay, 0);
  if (o_.on_day) o_.on_day(to_days(now_));
}

// Closes a period of the tool-state series at now: each group's state times booked since the
// period's start, as shares. Booking every tool's time up to now (touch) only splits its
// intervals; the totals stay the same.
void Sim::record_states() {
  if (now_ <= series_from_) return;
  series_.start_day.push_back(to_days(series_from_));
  series_.length_days.push_back(to_days(now_ - series_from_));
  for (std::size_t gi = 0; gi < groups_.size(); ++gi) {
    const Group& g = groups_[gi];
    std::array<Ticks, kStates> acc{};
    for (std::int32_t ti = g.first_tool, e = ti + g.g->tools; ti < e; ++ti) {
      touch(tools_[ti]);
      for (int k = 0; k < kStates; ++k) acc[k] += tools_[ti].acc[k];
    }
    std::array<Ticks, kStates> d{};
    Ticks tot = 0;
    for (int k = 0; k < kStates; ++k) {
      d[k] = acc[k] - series_acc_[gi][k];
      tot += d[k];
    }
    series_acc_[gi] = acc;
    std::array<double, 5> sh{};
    if (tot > 0) {
      const double t = static_cast<double>(tot);
      sh = {d[kBusy] / t, d[kSetup] / t, d[kDown] / t, d[kPm] / t, d[kIdle] / t};
    }
    series_.shares[gi].push_back(sh);
  }
  series_from_ = now_;
}

}  // namespace
}  // namespace osatsim::engine
