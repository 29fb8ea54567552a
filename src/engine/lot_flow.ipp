// Lot flow: release, move between steps (sampling, transport), arrival at a queue, step
// completion (yield, transform to units, split into assembly lots, rework, queue-time windows)
// and exit. Part of the engine's one translation unit (engine.cpp, sim.h).

namespace osatsim::engine {
namespace {

std::int32_t Sim::new_lot() {
  std::int32_t id;
  if (!free_lots_.empty()) {
    id = free_lots_.back();
    free_lots_.pop_back();
    lots_[id] = Lot{};
  } else {
    id = static_cast<std::int32_t>(lots_.size());
    lots_.emplace_back();
  }
  lots_[id].serial = serial_++;
  return id;
}

void Sim::release(std::int32_t s) {
  const auto& st = f_.streams[s];
  const auto& prod = f_.products[st.product];
  for (int k = 0; k < st.lots_per_release; ++k) {
    const std::int32_t id = new_lot();
    Lot& l = lots_[id];
    l.stream = s;
    l.product = st.product;
    l.route = prod.route;
    l.first_step = route_first_[prod.route];
    l.priority = st.priority;
    if (prod.starts_as_units) {
      l.is_units = true;
      l.units = st.wafers_per_lot;
    } else {
      l.wafers = st.wafers_per_lot;
    }
    l.release = now_;
    l.due = now_ + st.due_offset;
    record_release(l);
    advance(id, 0, kNone);
  }
  ++stream_count_[s];
  if (st.max_releases < 0 || stream_count_[s] < st.max_releases) {
    const Ticks dt = std::max<Ticks>(1, round_ticks(st.interval.sample(rng_release_[s])));
    push(now_ + dt, kEvRelease, s);
  }
  if (o_.max_wip_lots > 0 && lots_in_fab_ > o_.max_wip_lots && status_ == RunStatus::Ok) {
    status_ = RunStatus::WipLimit;
    message_ = "more than " + std::to_string(o_.max_wip_lots) + " lots in the fab at day " +
               std::to_string(to_days(now_)) + " (max_wip_lots guard)";
  }
}

// Initial WIP: queued at its step at t = 0 (after the sampling check).
void Sim::start_initial_wip() {
  for (const auto& il : f_.initial_wip) {
    const std::int32_t id = new_lot();
    Lot& l = lots_[id];
    l.stream = il.stream;
    l.product = il.product;
    l.route = f_.products[il.product].route;
    l.first_step = route_first_[l.route];
    l.priority = il.priority;
    if (f_.products[il.product].starts_as_units) {
      l.is_units = true;
      l.units = il.wafers;
    } else {
      l.wafers = il.wafers;
    }
    l.release = il.virtual_release;
    l.due = il.due;
    l.initial = true;
    record_release(l);
    advance(id, il.step, kNone);
  }
}

// The lot is done with its previous step (or new); `next` is the next route step to consider.
void Sim::advance(std::int32_t id, std::int32_t next, model::LocationId from) {
  Lot& l = lots_[id];
  const std::int32_t n = route_len_[l.route];
  while (next < n) {
    const std::int32_t gi = l.first_step + next;
    const double p = steps_[gi].sample_p;
    if (p >= 1.0 || rng_sample_[gi].bernoulli(p)) break;
    ++skipped_;
    if (o_.observer) o_.observer->on_step_skipped(now_, l.serial, l.route, next);
    ++next;
  }
  if (next >= n) {
    finish_lot(id, false);
    return;
  }
  l.step = next;
  const StepInfo& si = steps_[l.first_step + next];
  const model::LocationId to = si.location;
  Ticks mv = 0;
  if (from != kNone && to != kNone) {
    const std::int32_t lane = lane_[static_cast<std::size_t>(from) * n_loc_ + to];
    if (lane >= 0) mv = round_ticks(f_.transport[lane].time.sample(rng_transport_[lane]));
  }
  if (o_.super_hot_reservation && l.priority >= o_.super_hot_priority) reserve_for(id, si.group);
  if (mv > 0) {
    push(now_ + mv, kEvArrive, id);
  } else {
    arrive(id);
  }
}

void Sim::arrive(std::int32_t id) {
  Lot& l = lots_[id];
  const StepInfo& si = steps_[l.first_step + l.step];
  Group& g = groups_[si.group];
  l.queue_since = now_;
  enqueue(g, id);
  if (o_.super_hot_reservation) [[unlikely]] {
    // A reserved tool (super hot lots) takes the lot at once.
    for (std::int32_t t = g.first_tool, e = g.first_tool + g.g->tools; t < e; ++t) {
      if (tools_[t].reserved_for == id) {
        tools_[t].reserved_for = -1;
        refresh_idle(t);
        if (can_start(tools_[t]) && dispatch(t)) return;
        break;
      }
    }
    if (g.pending_reservation == id) g.pending_reservation = -1;
  }
  if (g.idle.empty()) return;
  const std::int32_t ded = l.nded > 0 ? l.dedicated_tool(l.step) : kNone;
  if (ded != kNone && tools_[ded].group == si.group) {
    if (tools_[ded].idle_pos >= 0) dispatch(ded);
    return;
  }
  try_group(si.group, id);
}

// The lot's job at its step ended on tool ti: yield, transform, split, queue-time window, rework,
// and on to the next step.
void Sim::complete_step(std::int32_t id, std::int32_t ti) {
  Lot& l = lots_[id];
  const std::int32_t gsi = l.first_step + l.step;
  const StepInfo& si = steps_[gsi];
  bool split = false;
  if (o_.observer) o_.observer->on_step_complete(now_, l.serial, l.route, l.step, ti);
  if (si.scrap_or_transform) {
    bool transformed = false;
    if (!apply_yield(l, gsi, transformed)) {
      finish_lot(id, true);
      return;
    }
    split = transformed && si.step->split_units > 0 && l.units > si.step->split_units;
  }
  // Critical queue time window opens at completion.
  if (si.cqt_exit != kNone) {
    l.cqt_exit = si.cqt_exit;
    l.cqt_open = now_;
    l.cqt_limit = si.cqt_limit;
    l.cqt_area = area_of_group_[si.group];
  }
  std::int32_t next = l.step + 1;
  if (si.rework_step != kNone && si.rework_p > 0 && rng_rework_[gsi].bernoulli(si.rework_p)) {
    next = si.rework_step;
    ++rework_;
  }
  const model::LocationId here = si.location;
  if (split) split_lot(id, si.step->split_units, next, here);
  advance(id, next, here);
}

// Yield (packaging) at global step gsi: binomial scrap of wafers or units, then the transform of
// a wafer lot into units (`transformed`). False when nothing of the lot is left.
bool Sim::apply_yield(Lot& l, std::int32_t gsi, bool& transformed) {
  const StepInfo& si = steps_[gsi];
  const double before = static_cast<double>(l.qty());
  std::int64_t lost = 0;
  if (si.yield < 1.0) {
    const std::int64_t keep = rng_yield_[gsi].binomial(l.qty(), si.yield);
    lost = l.qty() - keep;
    if (l.is_units)
      l.units = keep;
    else
      l.wafers = keep;
  }
  record_yield(l, gsi, before, lost);
  if (l.qty() == 0) return false;
  if (si.transform && !l.is_units) {
    const auto& p = f_.products[l.product];
    const std::int64_t sites = l.wafers * p.sites_per_wafer;
    l.units = rng_transform_[gsi].binomial(sites, p.site_yield);
    l.is_units = true;
    l.transformed_at = now_;
    l.wafer_share = static_cast<double>(l.wafers);
    transformed = true;
    record_transform(l);
    if (l.units == 0) return false;
  }
  return true;
}

// Assembly lots: the fewest lots of at most `cap` units, sizes differing by at most one; the
// children copy the parent (stream, priority, release, due, open windows) and move on to `next`.
void Sim::split_lot(std::int32_t id, std::int64_t cap, std::int32_t next,
                    model::LocationId here) {
  const std::int64_t total = lots_[id].units;
  const std::int64_t n = (total + cap - 1) / cap;
  const std::int64_t base = total / n, extra = total % n;
  const double share_per_unit = lots_[id].wafer_share / static_cast<double>(total);
  lots_[id].units = base + (extra > 0 ? 1 : 0);
  lots_[id].wafer_share = share_per_unit * static_cast<double>(lots_[id].units);
  for (std::int64_t k = 1; k < n; ++k) {
    const std::int32_t cid = new_lot();  // may move lots_: no Lot& held across this
    const std::int64_t serial = lots_[cid].serial;
    lots_[cid] = lots_[id];
    lots_[cid].serial = serial;
    lots_[cid].units = base + (k < extra ? 1 : 0);
    lots_[cid].wafer_share = share_per_unit * static_cast<double>(lots_[cid].units);
    lots_[cid].step = lots_[id].step;
    record_split_child(lots_[cid]);
    advance(cid, next, here);
  }
}

void Sim::finish_lot(std::int32_t id, bool scrapped) {
  const Lot& l = lots_[id];
  record_lot_exit(l, scrapped);
  if (o_.observer) o_.observer->on_lot_exit(now_, l.serial, l.stream, scrapped);
  free_lots_.push_back(id);
}

}  // namespace
}  // namespace osatsim::engine
