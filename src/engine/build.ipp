// Sim's tables for one run, built from the model (cold: once per run). Part of the engine's one
// translation unit (engine.cpp, sim.h).

namespace osatsim::engine {
namespace {

void Sim::build() {
  tw_ = days(o_.warmup_days);
  T_ = days(o_.days);
  const std::uint64_t seed = o_.seed;

  // Setup change table.
  n_setups_ = f_.setups.size();
  nested_ = f_.pm_nesting == model::PmNesting::Nested;
  lssu_ = o_.lssu_switch.value_or(f_.lssu_switch);
  setup_state_ = o_.setup_state.value_or(f_.setup_state);
  wake_ = o_.wake.value_or(f_.wake);
  cascade_setup_ = o_.cascade_setup.value_or(f_.cascade_setup);
  idle_tool_ = o_.idle_tool.value_or(f_.idle_tool);
  first_idle_ = idle_tool_ != IdleTool::LongestIdle;
  wafer_pm_start_ = o_.wafer_pm_start.value_or(f_.wafer_pm_start);
  chg_ = model::setup_change_matrix(f_);  // model/flow.h: one rule for every fidelity

  // Transport lanes (model/flow.h: the first lane of a pair).
  n_loc_ = f_.locations.size();
  lane_ = model::transport_lane_matrix(f_);

  build_groups();
  build_steps();
  build_queue_orders();
  build_random_streams(seed);
  build_kpi_accumulators();
}

// Areas, tool groups and their tools.
void Sim::build_groups() {
  std::unordered_map<std::string, std::int32_t> area_ids;
  for (const auto& g : f_.tool_groups) {
    auto it = area_ids.try_emplace(g.area, static_cast<std::int32_t>(areas_.size()));
    if (it.second) areas_.push_back(g.area);
    area_of_group_.push_back(it.first->second);
  }
  cqt_area_.resize(areas_.size());
  for (std::size_t i = 0; i < areas_.size(); ++i) cqt_area_[i].area = areas_[i];

  // Groups and tools.
  groups_.resize(f_.tool_groups.size());
  for (std::size_t gi = 0; gi < f_.tool_groups.size(); ++gi) {
    const auto& mg = f_.tool_groups[gi];
    Group& g = groups_[gi];
    g.g = &mg;
    g.area = area_of_group_[gi];
    g.first_tool = static_cast<std::int32_t>(tools_.size());
    g.idle_bits.assign((static_cast<std::size_t>(mg.tools) + 63) / 64 + 1, 0);
    g.idle.reserve(static_cast<std::size_t>(mg.tools), g.first_tool);
    g.batching = mg.batch_criterion != model::BatchCriterion::None;
    g.setup_group = mg.setup_group;
    g.lssu = mg.lssu && mg.setup_group != kNone;
    g.min_run = g.lssu ? f_.setup_groups[mg.setup_group].min_run : 0;
    g.batch_max_wait = o_.batch_max_wait >= 0 ? o_.batch_max_wait : mg.batch_max_wait;
    g.rank = ranking_of(o_.dispatch, mg.ranking);
    if (g.rank.size() > 4) g.rank.resize(4);
    g.wafer_pm_slot.assign(mg.pms.size(), -1);
    for (std::size_t a = 0; a < mg.pms.size(); ++a)
      if (f_.pm_calendars[mg.pms[a].calendar].trigger == model::PmTrigger::WaferCount) {
        g.wafer_pm_slot[a] = static_cast<std::int32_t>(g.wafer_pms.size());
        g.wafer_pms.push_back(static_cast<std::int32_t>(a));
      }
    for (int k = 0; k < mg.tools; ++k) {
      Tool t;
      t.group = static_cast<std::int32_t>(gi);
      t.index = k;
      t.capacity = mg.capacity;
      t.wpm = static_cast<std::int32_t>(wpm_.size());
      wpm_.resize(wpm_.size() + 2 * g.wafer_pms.size(), 0.0);
      t.pm_due.assign(mg.pms.size(), kNever);
      tools_.push_back(std::move(t));
    }
  }

}

// The routes' steps, flattened into one array of StepInfo records.
void Sim::build_steps() {
  std::unordered_map<std::string, std::int32_t> name_ids;
  for (std::size_t r = 0; r < f_.routes.size(); ++r) {
    route_first_.push_back(static_cast<std::int32_t>(steps_.size()));
    route_len_.push_back(static_cast<std::int32_t>(f_.routes[r].steps.size()));
    const auto& route = f_.routes[r];
    // Representative product (for per-site/per-die means) and lot size: first stream of a
    // product on this route, else 25 wafers; the expected lot size along the route is the
    // model's (model/flow.h).
    int wafers = 25;
    const model::Product* prod = nullptr;
    for (const auto& p : f_.products)
      if (p.route == static_cast<model::RouteId>(r)) {
        prod = &p;
        break;
      }
    for (const auto& s : f_.streams)
      if (s.product != kNone && f_.products[s.product].route == static_cast<model::RouteId>(r)) {
        wafers = s.wafers_per_lot;
        break;
      }
    static const model::Product kNoProduct{};
    const model::Product& pr = prod ? *prod : kNoProduct;
    const model::StreamFlow flow = model::route_flow(f_, route, pr, wafers);
    for (std::size_t i = 0; i < route.steps.size(); ++i) {
      const auto& s = route.steps[i];
      StepInfo si;
      si.group = s.tool_group;
      si.route = static_cast<std::int32_t>(r);
      si.index = static_cast<std::int32_t>(i);
      si.step = &s;
      si.sample_p = s.sample_probability;
      si.yield = s.yield;
      si.rework_p = s.rework_probability;
      si.cqt_limit = s.cqt_limit;
      si.location = f_.tool_groups[s.tool_group].location;
      si.rework_step = s.rework_step;
      si.cqt_exit = s.cqt_exit_step;
      si.transform = s.transform_to_units;
      si.dedicate = s.dedicate_step;
      si.setup = s.setup;
      si.time_kind = s.time.kind;
      si.time_mean = s.time.mean;
      si.time_half_width = s.time.half_width;
      si.scrap_or_transform = s.yield < 1.0 || s.transform_to_units;
      si.load_unload = f_.tool_groups[s.tool_group].load_time +
                       f_.tool_groups[s.tool_group].unload_time;
      si.overhead = s.overhead;
      si.cascade_interval = s.cascade_interval;
      si.die_component = s.die_component;
      si.basis = s.basis;
      si.cascade_basis = s.cascade_basis;
      si.overhead_per_wafer = s.overhead_per_wafer;
      si.has_kit = !s.kit.empty();
      step_setup_time_.push_back(s.setup_time);
      si.name_id =
          name_ids.try_emplace(s.name, static_cast<std::int32_t>(name_ids.size())).first->second;
      si.cascading =
          f_.tool_groups[s.tool_group].capacity > 1 && s.cascade_basis != model::CascadeBasis::None;
      si.mean_time = flow.steps[i].lot_time;
      if (!s.kit.empty()) groups_[s.tool_group].has_kit = true;
      if (s.yield < 1.0 || s.transform_to_units || !s.kit.empty()) packaging_ = true;
      steps_.push_back(si);
    }
    double rem = 0;
    for (std::size_t i = route.steps.size(); i-- > 0;) {
      rem += steps_[route_first_[r] + i].mean_time;
      steps_[route_first_[r] + i].remaining = rem;
    }
  }
  if (!f_.components.empty()) packaging_ = true;
}

// Static queue order: a ranking that depends neither on time nor on the tool. Setup avoidance
// is constant (0) on groups none of whose steps needs a setup.
void Sim::build_queue_orders() {
  std::vector<char> has_setup(groups_.size(), 0);
  for (const auto& si : steps_)
    if (si.step->setup != kNone) has_setup[si.group] = 1;
  for (std::size_t gi = 0; gi < groups_.size(); ++gi) {
    Group& g = groups_[gi];
    bool ok = true;
    int n = 0;
    for (auto c : g.rank) {
      if (c == model::RankCriterion::CriticalRatio) ok = false;
      if (c == model::RankCriterion::LeastSetup) {
        if (has_setup[gi]) ok = false;
        continue;
      }
      if (n == 3) {
        ok = false;
        break;
      }
      g.keys[n++] = c;
    }
    g.static_order = ok && !g.lssu && o_.fast_queues;
    g.nkeys = n;
    // [CR] or [HP, CR] (setup avoidance constant): bucketed.
    std::vector<model::RankCriterion> eff;
    for (auto c : g.rank)
      if (!(c == model::RankCriterion::LeastSetup && !has_setup[gi])) eff.push_back(c);
    const bool cr = eff.size() == 1 && eff[0] == model::RankCriterion::CriticalRatio;
    const bool hp_cr = eff.size() == 2 && eff[0] == model::RankCriterion::HighPriority &&
                       eff[1] == model::RankCriterion::CriticalRatio;
    // Batch groups whose families are route steps (= buckets) too, when no kit makes
    // eligibility have side effects.
    const bool step_families =
        !g.batching || (g.g->batch_criterion == model::BatchCriterion::SameRouteStep && !g.has_kit);
    g.bucketed = (cr || hp_cr) && !g.lssu && step_families && o_.fast_queues;
    g.bucket_prio = hp_cr;
  }
  for (auto& si : steps_) {
    Group& g = groups_[si.group];
    if (!g.bucketed) continue;
    si.bucket = static_cast<std::int32_t>(g.buckets.size());
    g.buckets.emplace_back();
    g.bucket_rem.push_back(si.remaining);
    g.head_slot.push_back(-1);
  }
}

// One random stream per purpose and source (steps, lanes, release streams, tool calendars).
void Sim::build_random_streams(std::uint64_t seed) {
  const std::size_t ns = steps_.size();
  rng_sample_.resize(ns);
  rng_rework_.resize(ns);
  rng_yield_.resize(ns);
  rng_transform_.resize(ns);
  for (std::size_t i = 0; i < ns; ++i) {
    steps_[i].proc = Rng(seed, stream_id(kRngProc, i));
    rng_sample_[i] = Rng(seed, stream_id(kRngSample, i));
    rng_rework_[i] = Rng(seed, stream_id(kRngRework, i));
    rng_yield_[i] = Rng(seed, stream_id(kRngYield, i));
    rng_transform_[i] = Rng(seed, stream_id(kRngTransform, i));
  }
  for (std::size_t i = 0; i < f_.transport.size(); ++i)
    rng_transport_.emplace_back(seed, stream_id(kRngTransport, i));
  for (std::size_t i = 0; i < f_.streams.size(); ++i)
    rng_release_.emplace_back(seed, stream_id(kRngRelease, i));
  if (idle_tool_ == IdleTool::Random)
    for (std::size_t gi = 0; gi < groups_.size(); ++gi)
      rng_idle_.emplace_back(seed, stream_id(kRngIdleTool, gi));
  rng_down_.resize(tools_.size());
  rng_pm_.resize(tools_.size());
  for (std::size_t ti = 0; ti < tools_.size(); ++ti) {
    const auto& mg = f_.tool_groups[tools_[ti].group];
    for (std::size_t a = 0; a < mg.downs.size(); ++a)
      rng_down_[ti].emplace_back(seed, stream_id(kRngDown, ti, a));
    for (std::size_t a = 0; a < mg.pms.size(); ++a)
      rng_pm_[ti].emplace_back(seed, stream_id(kRngPm, ti, a));
  }

}

void Sim::build_kpi_accumulators() {
  const std::size_t ns = steps_.size();
  if (o_.series_days > 0 && T_ > tw_) {
    series_period_ = std::max<Ticks>(1, days(o_.series_days));
    series_from_ = tw_;
    series_.period_days = o_.series_days;
    series_.shares.resize(groups_.size());
    series_acc_.assign(groups_.size(), std::array<Ticks, kStates>{});
  }
  sacc_.resize(f_.streams.size());
  stream_count_.assign(f_.streams.size(), 0);
  const std::size_t nc = f_.components.size();
  stock_.assign(nc, 0);
  delivered_.assign(nc, 0);
  consumed_.assign(nc, 0);
  starved_.assign(nc, 0);
  stockouts_.assign(nc, 0);
  for (std::size_t c = 0; c < nc; ++c) stock_[c] = f_.components[c].initial_stock;
  supply_count_.assign(f_.supplies.size(), 0);
  step_in_.assign(ns, 0);
  step_out_.assign(ns, 0);
  units_out_product_.assign(f_.products.size(), 0);
  wafer_starts_product_.assign(f_.products.size(), 0);
  units_out_wafers_product_.assign(f_.products.size(), 0);
  units_out_traced_product_.assign(f_.products.size(), 0);
  lots_.reserve(4096);
}

}  // namespace
}  // namespace osatsim::engine
