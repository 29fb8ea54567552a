// Tools: jobs (start, timing, setup, the end of a tool's occupation, completion), setups and
// setup runs, downs and PMs (calendar and wafer-count triggers, nesting: the one home of the PM
// calendar's restart, restart_pm()). Part of the engine's one translation unit (engine.cpp,
// sim.h).

namespace osatsim::engine {
namespace {

// A job of n lots (a batch when n > 1) starts on tool ti at global step gsi. Compiled twice:
// for one lot (most jobs: the loops over the lots fold away) and for a batch.
template <bool kOneLot>
void Sim::start_job(std::int32_t ti, std::int32_t gsi, const std::int32_t* lot_ids, int n) {
  if constexpr (kOneLot) n = 1;
  Tool& tool = tools_[ti];
  Group& g = groups_[tool.group];
  StepInfo& si = steps_[gsi];  // not const: its random stream draws
  touch(tool);

  const std::int32_t jid = take_slot(jobs_, free_job_, &Job::next_free);
  Job& job = jobs_[jid];
  job.tool = ti;
  job.si = gsi;
  job.nlots = n;
  job.lot0 = lot_ids[0];
  if (n > 1) job.lots.assign(lot_ids, lot_ids + n);
  job.paused = false;
  ++job.version;

  double wafers = 0, units = 0;
  bool is_units = false;
  const bool in = in_window();
  for (int k = 0; k < n; ++k) {
    Lot& l = lots_[lot_ids[k]];
    wafers += static_cast<double>(l.wafers);
    if (l.is_units) units += static_cast<double>(l.units);  // 0 for wafer lots
    is_units = is_units || l.is_units;
    record_lot_start(g, l, in);
    take_dedication(l, si, ti);
    if (si.has_kit) take_kit(l, si);
  }
  Ticks su = setup_time(tool.setup, si.setup, gsi);
  const bool setup_change = si.setup != kNone && si.setup != tool.setup;
  if (su > 0 && si.cascading && cascade_setup_ == CascadeSetup::Overlap) [[unlikely]]
    su -= overlap_setup(tool, su);
  change_setup(tool, g, si, n);
  time_job(job, si, JobSize{wafers, units, is_units}, lot_ids[0], su);
  if (job.in_setup)
    ++tool.n_setup;
  else
    ++tool.n_busy;
  tool.entry_busy = true;
  ++tool.jobs_in;
  tool.jobs.push_back(jid);
  ++g.in_use;
  g.max_parallel = std::max(g.max_parallel, g.in_use);
  record_job_start(g, si, lot_ids, n, setup_change, in);
  if (!g.wafer_pms.empty()) count_wafers(ti, wafers);
  if (o_.observer) {
    obs_serials_.clear();
    for (int k = 0; k < n; ++k) obs_serials_.push_back(lots_[lot_ids[k]].serial);
    o_.observer->on_job_start(now_, tool.group, ti, si.route, si.index, obs_serials_);
  }
  refresh_idle(ti);
  schedule_job(jid);
}

// Lot-to-lens dedication: the lot's record for this step is used up, and one for the step's
// target made (to tool ti).
[[gnu::always_inline]] inline void Sim::take_dedication(Lot& l, const StepInfo& si, std::int32_t ti) {
  if (l.nded > 0) {
    for (int d = 0; d < 4; ++d)
      if (l.ded_step[d] == l.step) {
        l.ded_step[d] = kNone;
        --l.nded;
      }
  }
  if (si.dedicate == kNone) return;
  int slot = -1;
  for (int d = 0; d < 4 && slot < 0; ++d)
    if (l.ded_step[d] == si.dedicate) slot = d;
  for (int d = 0; d < 4 && slot < 0; ++d)
    if (l.ded_step[d] == kNone) {
      slot = d;
      ++l.nded;
    }
  if (slot < 0) slot = 0;  // more than four open records: the oldest slot is reused
  l.ded_step[slot] = si.dedicate;
  l.ded_tool[slot] = ti;
}

// The tool takes the step's setup (a new setup run on LSSU groups) and counts down its run.
[[gnu::always_inline]] inline void Sim::change_setup(Tool& tool, const Group& g, const StepInfo& si, int n) {
  if (si.setup != kNone && si.setup != tool.setup) {
    tool.setup = si.setup;
    if (g.lssu && f_.setup_group_of[si.setup] == g.setup_group)
      tool.run_left = g.min_run;
    else
      tool.run_left = 0;
  }
  else if (si.setup == kNone && setup_state_ == SetupState::Reset)
    tool.setup = kNone;
  if (g.lssu) tool.refusals = 0;
  if (g.lssu && si.setup != kNone && si.setup == tool.setup && tool.run_left > 0)
    tool.run_left = std::max(0, tool.run_left - n);
}

// The job's times: setup `su`, then one processing-time draw for the job (lot0: its first lot);
// the tool's entry is occupied for all of it or, on cascading tools, for the cascade
// interval(s) only.
[[gnu::always_inline]] inline void Sim::time_job(Job& job, StepInfo& si, const JobSize& size, std::int32_t lot0, Ticks su) {
  const double x = Dist{si.time_kind, si.time_mean, si.time_half_width}.sample(si.proc);
  Ticks lot_view, occupied;
  const Ticks LU = si.load_unload;  // load + unload
  const double wafers = size.wafers;
  double over = static_cast<double>(si.overhead);
  if (si.overhead_per_wafer) over *= size.is_units ? size.units : wafers;  // units once unit lots
  if (si.cascading) {
    const double c = static_cast<double>(si.cascade_interval);
    if (si.cascade_basis == model::CascadeBasis::PerWafer) {
      lot_view = LU + round_ticks(x + (wafers - 1) * c + over);
      occupied = round_ticks(wafers * c);
    } else {
      lot_view = LU + round_ticks(x + over);
      occupied = round_ticks(c);
    }
    occupied = std::min(occupied, lot_view);
  } else {
    const double cnt = si.basis == model::TimeBasis::PerLot
                           ? 1.0
                           : basis_quantity(si.basis, wafers, size.units, size.is_units,
                                            f_.products[lots_[lot0].product], si.die_component);
    lot_view = LU + round_ticks(x * cnt + over);
    occupied = lot_view;
  }
  job.setup_end = now_ + su;
  job.done = job.setup_end + lot_view;
  job.entry_free = job.setup_end + occupied;
  job.separate_entry = job.entry_free < job.done;
  job.in_setup = su > 0;
  job.occupying = true;
}

// CascadeSetup::Overlap: the setup of a job that starts on a cascading tool as the job before it
// releases the entry ran during that job's occupation (from its start, at most `su`). That time
// is booked as setup instead of busy (SETUP ranks before BUSY, FORMAT.md §13); returns it, the
// part of the setup already done. REQUIRES: touch(tool) now.
Ticks Sim::overlap_setup(Tool& tool, Ticks su) {
  Ticks from = now_;
  for (const std::int32_t j : tool.jobs) {
    const Job& p = jobs_[j];
    if (!p.occupying && !p.paused && p.entry_free == now_) from = std::min(from, p.setup_end);
  }
  const Ticks ov = std::min(su, now_ - from);
  if (ov <= 0) return 0;
  const Ticks w = window_ticks(now_ - ov, now_);
  tool.acc[kBusy] -= w;
  tool.acc[kSetup] += w;
  return ov;
}

// Wafer-count PMs of tool ti: each counter advances by the job's wafers; a PM falls due after
// this job (or is absorbed by a longer one).
[[gnu::always_inline]] inline void Sim::count_wafers(std::int32_t ti, double wafers) {
  Tool& tool = tools_[ti];
  const Group& g = groups_[tool.group];
  double* c = &wpm_[tool.wpm];  // (count, threshold) of g.wafer_pms[j] at c[2j], c[2j + 1]
  for (const std::int32_t a : g.wafer_pms) {
    c[0] += wafers;
    if (c[0] >= c[1] &&
        std::find(tool.pending_pm.begin(), tool.pending_pm.end(), a) == tool.pending_pm.end()) {
      if (nested_ && pm_absorbed(tool, a)) {
        pm_skip(ti, a, now_);
      } else {
        tool.add_pm(a);
      }
    }
    c += 2;
  }
}

[[gnu::always_inline]] inline void Sim::schedule_job(std::int32_t jid) {
  const Job& j = jobs_[jid];
  const auto v = static_cast<std::int32_t>(j.version);
  if (j.in_setup) push(j.setup_end, kEvSetupEnd, jid, v);
  if (j.occupying && j.separate_entry) push(j.entry_free, kEvEntryFree, jid, v);
  push(j.done, kEvJobDone, jid, v);
}

void Sim::on_setup_end(std::int32_t jid) {
  Job& j = jobs_[jid];
  Tool& t = tools_[j.tool];
  touch(t);
  j.in_setup = false;
  --t.n_setup;
  ++t.n_busy;
}

[[gnu::always_inline]] inline void Sim::release_entry(Job& j) {
  j.occupying = false;
  tools_[j.tool].entry_busy = false;
  if (o_.observer) o_.observer->on_job_release_tool(now_, tools_[j.tool].group, j.tool);
}

void Sim::on_entry_free(std::int32_t jid) {
  Job& j = jobs_[jid];
  release_entry(j);
  after_tool_change(j.tool);
}

void Sim::on_job_done(std::int32_t jid) {
  Job& j = jobs_[jid];
  const std::int32_t ti = j.tool;
  Tool& t = tools_[ti];
  touch(t);
  if (j.occupying) release_entry(j);
  --t.n_busy;
  --t.jobs_in;
  --groups_[t.group].in_use;
  t.jobs.erase(jid);
  // Move the lots on; the job record is recycled first (its lots are copied out).
  std::int32_t lots[kMaxJobLots];
  const int n = j.nlots;  // <= kMaxJobLots
  if (n == 1)
    lots[0] = j.lot0;
  else
    std::copy_n(j.lots.begin(), n, lots);
  j.next_free = free_job_;
  free_job_ = jid;
  ++j.version;
  for (int k = 0; k < n; ++k) complete_step(lots[k], ti);
  if (t.outage == kNoOutage && t.jobs_in == 0 && t.pm_waiting) {
    start_pm(ti);
    return;
  }
  after_tool_change(ti);
}

// The tool may have become able to start: list it as idle and let it choose.
[[gnu::always_inline]] inline void Sim::after_tool_change(std::int32_t ti) {
  refresh_idle(ti);
  if (tools_[ti].idle_pos >= 0) dispatch(ti);
}

// -----------------------------------------------------------------------------------------------
// Outages: downs and PMs

// The first failure and PM of every tool (staggered first PMs: tool k of N, k = 1..N, at FOA
// k/N).
void Sim::schedule_first_outages() {
  for (std::size_t ti = 0; ti < tools_.size(); ++ti) {
    Tool& t = tools_[ti];
    const auto& mg = f_.tool_groups[t.group];
    if (mg.is_delay) continue;
    for (std::size_t a = 0; a < mg.downs.size(); ++a) {
      const Ticks first = round_ticks(mg.downs[a].first_occurrence.sample(rng_down_[ti][a]));
      push(first, kEvFailure, static_cast<std::int32_t>(ti), static_cast<std::int32_t>(a));
    }
    const double stagger = static_cast<double>(t.index + 1) / mg.tools;
    for (std::size_t a = 0; a < mg.pms.size(); ++a) {
      const auto& cal = f_.pm_calendars[mg.pms[a].calendar];
      const double foa = mg.pms[a].first_occurrence.sample(rng_pm_[ti][a]);
      if (cal.trigger == model::PmTrigger::Calendar) {
        t.pm_due[a] = round_ticks(foa * (o_.stagger_first_pm ? stagger : 1.0));
        push(t.pm_due[a], kEvPmDue, static_cast<std::int32_t>(ti), static_cast<std::int32_t>(a));
      } else {
        wpm_threshold(t, static_cast<std::int32_t>(a)) =
            foa * (wafer_pm_start_ == WaferPmStart::Staggered ? stagger : 1.0);
      }
    }
  }
}

void Sim::pause_jobs(Tool& t) {
  for (std::int32_t jid : t.jobs) {
    Job& j = jobs_[jid];
    j.paused = true;
    j.paused_at = now_;
    ++j.version;
  }
}

void Sim::resume_jobs(Tool& t) {
  for (std::int32_t jid : t.jobs) {
    Job& j = jobs_[jid];
    if (!j.paused) continue;
    const Ticks d = now_ - j.paused_at;
    j.paused = false;
    if (j.in_setup) j.setup_end += d;
    if (j.occupying) j.entry_free += d;
    j.done += d;
    ++j.version;
    schedule_job(jid);
  }
}

// A failure of down attachment `att` falls due: it waits behind a running outage.
void Sim::on_failure(std::int32_t ti, std::int32_t att) {
  Tool& t = tools_[ti];
  if (t.outage != kNoOutage)
    t.pending_fail.push_back(att);
  else
    start_down(ti, att);
}

void Sim::start_down(std::int32_t ti, std::int32_t att) {
  Tool& t = tools_[ti];
  touch(t);
  t.outage = kOutDown;
  t.outage_att = att;
  pause_jobs(t);
  refresh_idle(ti);
  const auto& cal = f_.down_calendars[f_.tool_groups[t.group].downs[att].calendar];
  const Ticks rep = round_ticks(cal.time_to_repair.sample(rng_down_[ti][att]));
  if (o_.observer) o_.observer->on_outage(now_, ti, 0, true);
  push(now_ + rep, kEvRepairEnd, ti, att);
}

void Sim::on_repair_end(std::int32_t ti, std::int32_t att) {
  Tool& t = tools_[ti];
  touch(t);
  t.outage = kNoOutage;
  if (o_.observer) o_.observer->on_outage(now_, ti, 0, false);
  const auto& cal = f_.down_calendars[f_.tool_groups[t.group].downs[att].calendar];
  const Ticks ttf = std::max<Ticks>(1, round_ticks(cal.time_to_failure.sample(rng_down_[ti][att])));
  push(now_ + ttf, kEvFailure, ti, att);
  resume_jobs(t);
  next_outage(ti);
}

// A calendar PM falls due: absorbed by a longer one (nested calendars), started at once on an
// empty tool, or left waiting for the tool's jobs to end.
void Sim::on_pm_due(std::int32_t ti, std::int32_t att) {
  Tool& t = tools_[ti];
  t.pm_due[att] = kNever;
  if (nested_ && pm_absorbed(t, att)) {
    pm_skip(ti, att, now_);
    return;
  }
  t.add_pm(att);
  if (t.outage == kNoOutage && t.jobs_in == 0)
    start_pm(ti);
  else
    refresh_idle(ti);
}

void Sim::start_pm(std::int32_t ti) {
  Tool& t = tools_[ti];
  touch(t);
  std::size_t pick = 0;
  if (nested_) {
    // The longest waiting PM of the front one's trigger: it does the shorter ones.
    const auto& gp = f_.tool_groups[t.group].pms;
    const auto& c0 = f_.pm_calendars[gp[t.pending_pm[0]].calendar];
    for (std::size_t i = 1; i < t.pending_pm.size(); ++i) {
      const auto& ci = f_.pm_calendars[gp[t.pending_pm[i]].calendar];
      if (ci.trigger == c0.trigger &&
          ci.interval > f_.pm_calendars[gp[t.pending_pm[pick]].calendar].interval)
        pick = i;
    }
  }
  const std::int32_t att = t.pending_pm[pick];
  t.drop_pm(pick);
  t.outage = kOutPm;
  t.outage_att = att;
  refresh_idle(ti);
  const auto& pms = f_.tool_groups[t.group].pms;
  const auto& cal = f_.pm_calendars[pms[att].calendar];
  const Ticks dur = round_ticks(cal.duration.sample(rng_pm_[ti][att]));
  record_pm(groups_[t.group], false);
  if (o_.observer) o_.observer->on_outage(now_, ti, 1, true);
  push(now_ + dur, kEvPmEnd, ti, att);
  if (nested_) {
    // Waiting PMs that this one contains are done by it.
    for (std::size_t i = 0; i < t.pending_pm.size();) {
      const std::int32_t b = t.pending_pm[i];
      const auto& cb = f_.pm_calendars[pms[b].calendar];
      if (cb.trigger == cal.trigger && cb.interval < cal.interval) {
        t.drop_pm(i);
        pm_skip(ti, b, now_ + dur);
      } else {
        ++i;
      }
    }
  }
}

void Sim::on_pm_end(std::int32_t ti, std::int32_t att) {
  Tool& t = tools_[ti];
  touch(t);
  t.outage = kNoOutage;
  if (o_.observer) o_.observer->on_outage(now_, ti, 1, false);
  restart_pm(ti, att, now_);
  next_outage(ti);
}

// Restarts PM attachment `att` of tool ti as of `from`: a calendar PM falls due again one
// interval later, a wafer-count PM after another interval's wafers.
void Sim::restart_pm(std::int32_t ti, std::int32_t att, Ticks from) {
  Tool& t = tools_[ti];
  const auto& cal = f_.pm_calendars[f_.tool_groups[t.group].pms[att].calendar];
  if (cal.trigger == model::PmTrigger::Calendar) {
    t.pm_due[att] = from + std::max<Ticks>(1, round_ticks(cal.interval));
    push(t.pm_due[att], kEvPmDue, ti, att);
  } else {
    wpm_count(t, att) = 0;
    wpm_threshold(t, att) = cal.interval;
  }
}

// Nested PMs: whether the PM `att` that falls due now is done by a longer PM of the same tool
// and trigger (running, waiting, or due before `att` would fall due again).
bool Sim::pm_absorbed(const Tool& t, std::int32_t att) const {
  const auto& pms = f_.tool_groups[t.group].pms;
  const auto& cb = f_.pm_calendars[pms[att].calendar];
  for (std::size_t a = 0; a < pms.size(); ++a) {
    const auto& ca = f_.pm_calendars[pms[a].calendar];
    if (static_cast<std::int32_t>(a) == att || ca.trigger != cb.trigger ||
        !(ca.interval > cb.interval))
      continue;
    if (t.outage == kOutPm && t.outage_att == static_cast<std::int32_t>(a)) return true;
    if (std::find(t.pending_pm.begin(), t.pending_pm.end(), static_cast<std::int32_t>(a)) !=
        t.pending_pm.end())
      return true;
    if (cb.trigger == model::PmTrigger::Calendar) {
      if (t.pm_due[a] != kNever && t.pm_due[a] - now_ < round_ticks(cb.interval)) return true;
    } else if (wpm_threshold(t, static_cast<std::int32_t>(a)) -
                   wpm_count(t, static_cast<std::int32_t>(a)) <
               cb.interval) {
      return true;
    }
  }
  return false;
}

// Records a PM as done without an outage (absorbed by a longer one) and restarts its calendar
// or counter as of `from` (the end of the containing PM, or now).
void Sim::pm_skip(std::int32_t ti, std::int32_t att, Ticks from) {
  record_pm(groups_[tools_[ti].group], true);
  restart_pm(ti, att, from);
}

void Sim::next_outage(std::int32_t ti) {
  Tool& t = tools_[ti];
  if (!t.pending_fail.empty()) {
    const std::int32_t att = t.pending_fail.front();
    t.pending_fail.erase(t.pending_fail.begin());
    start_down(ti, att);
    return;
  }
  if (t.pm_waiting && t.jobs_in == 0) {
    start_pm(ti);
    return;
  }
  after_tool_change(ti);
}

}  // namespace
}  // namespace osatsim::engine
