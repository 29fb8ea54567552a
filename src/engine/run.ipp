// A run: the tables, the first events, and the event loop, one call per event kind. Part of the
// engine's one translation unit (engine.cpp, sim.h).

namespace osatsim::engine {
namespace {

Results Sim::run() {
  const auto wall0 = std::chrono::steady_clock::now();
  build();
  start();
  const double limit = o_.time_limit_seconds;
  bool stop = status_ != RunStatus::Ok;
  while (events_left() && !stop) {
    const Event ev = pop();
    now_ = ev.t;
    ++events_;
    stop = handle(ev);
    if ((events_ & 0xFFFF) == 0 && limit > 0) check_time_limit(wall0, limit);
    if (status_ != RunStatus::Ok) stop = true;
  }
  const Ticks end = now_;
  wip_change(0);
  for (Tool& t : tools_) touch(t);
  if (series_period_ > 0 && std::min(end, T_) > series_from_) {
    now_ = std::min(end, T_);  // the last, shorter period
    record_states();
    now_ = end;
  }
  Results r = collect(end);
  r.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  rusage ru{};
  if (getrusage(RUSAGE_SELF, &ru) == 0) r.peak_rss_kb = ru.ru_maxrss;
  return r;
}

// The state at time 0: initial WIP, the first releases, supplies and outages, idle tools, the
// first day's and the run's end, and the jobs the initial WIP can start at once.
void Sim::start() {
  start_initial_wip();
  for (std::size_t s = 0; s < f_.streams.size(); ++s)
    if (f_.streams[s].max_releases != 0)
      push(f_.streams[s].first_release, kEvRelease, static_cast<std::int32_t>(s));
  for (std::size_t s = 0; s < f_.supplies.size(); ++s)
    if (f_.supplies[s].count != 0)
      push(f_.supplies[s].first, kEvSupply, static_cast<std::int32_t>(s));
  schedule_first_outages();
  for (std::int32_t gi = 0; gi < static_cast<std::int32_t>(groups_.size()); ++gi)
    for (std::int32_t ti = groups_[gi].first_tool, e = ti + groups_[gi].g->tools; ti < e; ++ti)
      refresh_idle(ti);
  if (kTicksPerDay <= T_) push(kTicksPerDay, kEvDay, 0);  // the next one is pushed by each
  push(T_, kEvEnd, 0);
  for (std::int32_t gi = 0; gi < static_cast<std::int32_t>(groups_.size()); ++gi) {
    Group& g = groups_[gi];
    for (std::int32_t ti = g.first_tool, e = ti + g.g->tools; ti < e && g.qn > 0; ++ti)
      if (tools_[ti].idle_pos >= 0) dispatch(ti);
  }
}

// One event; true at the run's end. Events of a job carry its version: those of a paused job
// (rescheduled on resumption) or of an ended one are stale and skipped.
[[gnu::always_inline]] inline bool Sim::handle(const Event& ev) {
  const auto current = [&] { return jobs_[ev.a].version == static_cast<std::uint32_t>(ev.b); };
  switch (static_cast<EvType>(ev.key >> 56)) {
    case kEvRelease:
      release(ev.a);
      break;
    case kEvArrive:
      arrive(ev.a);
      break;
    case kEvSetupEnd:
      if (current()) on_setup_end(ev.a);
      break;
    case kEvEntryFree:
      if (current()) on_entry_free(ev.a);
      break;
    case kEvJobDone:
      if (current()) on_job_done(ev.a);
      break;
    case kEvFailure:
      on_failure(ev.a, ev.b);
      break;
    case kEvRepairEnd:
      on_repair_end(ev.a, ev.b);
      break;
    case kEvPmDue:
      on_pm_due(ev.a, ev.b);
      break;
    case kEvPmEnd:
      on_pm_end(ev.a, ev.b);
      break;
    case kEvSupply:
      on_supply(ev.a);
      break;
    case kEvBatchTimer:
      on_batch_timer(ev.a);
      break;
    case kEvDay:
      on_day();
      break;
    case kEvEnd:
      return true;
  }
  return false;
}

// The wall-time guard (Options::time_limit_seconds).
[[gnu::noinline]] void Sim::check_time_limit(std::chrono::steady_clock::time_point wall0,
                                             double limit) {
  const double el =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  if (el > limit) {
    status_ = RunStatus::TimeLimit;
    message_ = "wall-time limit of " + std::to_string(limit) + " s reached at day " +
               std::to_string(to_days(now_)) + " (time_limit_seconds guard)";
  }
}

}  // namespace
}  // namespace osatsim::engine
