// Static capacity analysis: the load model (docs/capacity.md §1) -- the performed visits of every
// lot type to every route step, their upstream flows and bursts, setup states, priority classes
// and the groups' load-independent aggregates and outages.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "analysis/capacity.h"
#include "analysis/capacity_model_internal.h"
#include "core/time.h"
#include "model/factory.h"
#include "model/flow.h"

namespace osatsim::analysis::capacity_detail {
namespace {

// Lots per batch on a batch step for lots of `size` (in the group's batch unit): the engine takes
// whole lots while the batch stays within BATCHMX, and starts it from BATCHMN.
struct BatchLots {
  double kmin = 1.0, kmax = 1.0;
};
BatchLots batch_lots(const Step& s, double size) {
  double lo = s.batch_min, hi = s.batch_max;
  if (hi <= 0) hi = std::max(lo, 1.0);
  if (lo <= 0) lo = hi;
  BatchLots b;
  if (size <= 0) return b;
  b.kmin = std::max(1.0, std::ceil(lo / size - 1e-9));
  b.kmax = std::clamp(std::floor(hi / size + 1e-9), b.kmin, 256.0);
  return b;
}

double lots_per_batch(const BatchLots& b, BatchSizeRule rule) {
  return rule == BatchSizeRule::Min   ? b.kmin
         : rule == BatchSizeRule::Max ? b.kmax
                                      : 0.5 * (b.kmin + b.kmax);  // Auto starts from the mean
}

// The children of a split lot arrive together at the next step and queue behind each other
// whatever the load (docs/capacity.md §1.7): the burst is followed step by step as a
// deterministic schedule on the group's tools, each lot's wait behind its siblings recorded, and
// the departures (spread by the tools) become the next step's arrivals. Batch steps take up to
// BATCHMX lots of the burst per job; a remainder below BATCHMN waits for other lots (the
// wait-to-batch term). Steps sampled for fewer than half of the lots are passed over.
void burst_waits(const Factory& f, const model::Route& route, const model::StreamFlow& fl, Model& m,
                 int first_visit) {
  const int n = static_cast<int>(route.steps.size());
  int split = -1;
  for (int j = 0; j + 1 < n; ++j)
    if (route.steps[j].transform_to_units && route.steps[j].split_units > 0) split = j;
  if (split < 0 || fl.steps[split].lots <= 0) return;
  const int nb = std::max(1, static_cast<int>(std::lround(fl.steps[split + 1].lots /
                                                         fl.steps[split].lots)));
  if (nb <= 1) return;
  std::vector<double> arr(nb, 0.0), dep(nb, 0.0), free;
  for (int j = split + 1; j < n; ++j) {
    Visit& v = m.visits[first_visit + j];
    v.burst = nb;
    const ToolGroup& g = f.tool_groups[v.group];
    if (route.steps[j].sample_probability < 0.5 || g.is_delay) continue;
    const bool batch = v.batch_key >= 0;
    const bool cascading = v.job < v.lot_time && !batch;
    const int servers = std::max(1, g.tools) * (batch || cascading ? 1 : std::max(1, g.capacity));
    const double occupy = batch ? v.job : cascading ? v.occ : v.lot_time;
    free.assign(static_cast<std::size_t>(servers), 0.0);
    std::sort(arr.begin(), arr.end());
    double wait = 0.0;
    for (int i = 0; i < nb;) {
      int k = batch ? std::min(static_cast<int>(v.kmax), nb - i) : 1;
      if (batch && k < v.kmin) {  // the remainder waits for other lots
        for (; i < nb; ++i) dep[i] = arr[i] + v.lot_time;
        break;
      }
      auto it = std::min_element(free.begin(), free.end());
      const double start = std::max(arr[i + k - 1], *it);
      *it = start + occupy;
      for (int q = i; q < i + k; ++q) {
        wait += start - arr[q];
        dep[q] = start + v.lot_time;
      }
      i += k;
    }
    v.burst_wait = wait / nb;
    const double first = *std::min_element(dep.begin(), dep.end());
    for (int i = 0; i < nb; ++i) arr[i] = dep[i] - first;
  }
}

// Builds the load model of one factory (build()).
class ModelBuilder {
 public:
  ModelBuilder(const Factory& f, const CapacityOptions& opt) : f_(f), opt_(opt) {}
  Model run();

 private:
  void transport_times();
  double move_time(model::ToolGroupId a, model::ToolGroupId b) const;
  void add_stream(std::size_t si);
  void visit_times(Visit& v, const Step& sp, const model::StepFlow& sf, model::RouteId route_id,
                   int j);
  void upstream(Visit& v, const model::Route& route, const model::StreamFlow& fl, std::size_t si,
                int j, int first_visit);
  void setup_states();
  void priority_classes();
  void group_aggregates();
  void group_outages();

  const Factory& f_;
  const CapacityOptions& opt_;
  Model m_;
  std::size_t nl_ = 0;
  std::vector<double> move_;  // expected transport hours between locations
  std::map<std::tuple<int, int, std::string>, int> batch_keys_;
};

Model ModelBuilder::run() {
  m_.groups.resize(f_.tool_groups.size());
  transport_times();
  for (std::size_t si = 0; si < f_.streams.size(); ++si) add_stream(si);
  setup_states();
  priority_classes();
  group_aggregates();
  group_outages();
  return std::move(m_);
}

// Expected transport time between locations (model/flow.h: the first lane of a pair).
void ModelBuilder::transport_times() {
  const Factory& f = f_;
  nl_ = f.locations.size();
  const auto nl = nl_;
  const std::vector<std::int32_t> lanes = model::transport_lane_matrix(f);
  move_.assign(nl * nl, 0.0);
  auto& move = move_;
  for (std::size_t i = 0; i < lanes.size(); ++i)
    if (lanes[i] >= 0) move[i] = hours_of(f.transport[static_cast<std::size_t>(lanes[i])].time.expected());
}

double ModelBuilder::move_time(model::ToolGroupId a, model::ToolGroupId b) const {
  const auto la = f_.tool_groups[a].location, lb = f_.tool_groups[b].location;
  if (la == kNone || lb == kNone) return 0.0;
  return move_[la * nl_ + lb];
}

// The performed visits of release stream si to the steps of its route.
void ModelBuilder::add_stream(std::size_t si) {
  const Factory& f = f_;
  Model& m = m_;
  const auto& st = f.streams[si];
  const auto& prod = f.products[st.product];
  const auto& route = f.routes[prod.route];
  const int n = static_cast<int>(route.steps.size());
  const double lpd = model::lots_per_day(st);
  m.flows.push_back(model::stream_flow(f, static_cast<model::StreamId>(si)));
  const model::StreamFlow& fl = m.flows.back();
  m.stream_lots.push_back(lpd);
  m.stream_ca2.push_back(st.interval.scv());
  m.stream_wafers.push_back(lpd * fl.wafers_per_lot);
  m.stream_units.push_back(lpd * fl.units_per_lot);
  m.stream_burst.push_back(std::max(1, st.lots_per_release));

  const int first_visit = static_cast<int>(m.visits.size());
  for (int j = 0; j < n; ++j) {
    const Step& sp = route.steps[j];
    const model::StepFlow& sf = fl.steps[j];
    Visit v;
    v.stream = static_cast<model::StreamId>(si);
    v.step = j;
    v.group = sp.tool_group;
    v.priority = st.priority;
    v.sample = sp.sample_probability;
    v.per_lot = sf.visits;
    v.rate = lpd * sf.load_visits;
    v.step_ptr = &sp;
    v.setup = sp.setup;

    visit_times(v, sp, sf, prod.route, j);
    upstream(v, route, fl, si, j, first_visit);
    m.visits.push_back(v);
  }
  burst_waits(f, route, fl, m, first_visit);
}

// The lot's own time at a step, the tool occupancy per lot visit and the batch class.
void ModelBuilder::visit_times(Visit& v, const Step& sp, const model::StepFlow& sf,
                               model::RouteId route_id, int j) {
  const Factory& f = f_;
  const CapacityOptions& opt = opt_;
  Model& m = m_;
  const ToolGroup& g = f.tool_groups[sp.tool_group];
  // The lot's own time (model::mean_lot_time) and the tool occupancy per lot visit.
  const double x = hours_of(sp.time.expected());
  const double x_scv = sp.time.scv();
  const double lu = hours_of(static_cast<double>(g.load_time + g.unload_time));
  const double c = hours_of(static_cast<double>(sp.cascade_interval));
  const double lot_time = hours_of(sf.lot_time);
  v.pieces = sf.pm_pieces;
  if (sp.basis == TimeBasis::PerBatch) {
    const BatchLots bl = batch_lots(sp, sf.batch_size(g.batch_unit));
    v.k = lots_per_batch(bl, opt.batch_size);
    v.kmin = bl.kmin;
    v.kmax = bl.kmax;
    v.job = lot_time;
    v.job_var = x * x * x_scv;
    v.lot_time = v.job;
    v.occ = v.job / v.k;
    std::tuple<int, int, std::string> key{-1, -1, sp.name};
    if (g.batch_criterion != model::BatchCriterion::SameStepName)
      key = {route_id, j, std::string()};
    auto [it, fresh] = batch_keys_.emplace(key, static_cast<int>(batch_keys_.size()));
    if (fresh) m.batch_key_rate.push_back(0.0);
    v.batch_key = it->second;
    m.batch_key_rate[v.batch_key] += v.rate;
  } else if (g.capacity > 1 && sp.cascade_basis != model::CascadeBasis::None && c > 0) {
    // Cascading: the tool takes the next job after W c (per wafer) or c (per lot).
    const bool per_wafer = sp.cascade_basis == model::CascadeBasis::PerWafer;
    v.occ = per_wafer ? sf.wafers * c : c;
    v.job = v.occ;
    v.job_var = 0.0;
    v.lot_time = lot_time;
  } else {
    const double proc = x * sf.quantity;
    v.lot_time = lot_time;
    (void)lu;
    // A tool holding several jobs without a cascading interval: capacity parallel slots.
    v.occ = v.lot_time / std::max(1, g.capacity);
    v.job = v.occ;
    v.job_var = proc * proc * x_scv / (std::max(1, g.capacity) * std::max(1, g.capacity));
  }
}

// Upstream: the previous performed step i with probability p_i prod(1 - p_k), i < k < j.
// Lots leaving a transform step that splits arrive as a burst of its children.
void ModelBuilder::upstream(Visit& v, const model::Route& route, const model::StreamFlow& fl,
                            std::size_t si, int j, int first_visit) {
  const CapacityOptions& opt = opt_;
  Model& m = m_;
  const Step& sp = route.steps[j];
  const int n = static_cast<int>(route.steps.size());
  v.up_begin = static_cast<int>(m.ups.size());
  double skip = 1.0;
  for (int i = j - 1; i >= 0 && skip > 1e-12; --i) {
    const double pi = route.steps[i].sample_probability;
    const double w = skip * pi;
    if (w > 0) {
      const double before = fl.steps[i].lots, after = i + 1 < n ? fl.steps[i + 1].lots : before;
      const double burst =
          route.steps[i].transform_to_units && before > 0 ? std::max(1.0, after / before) : 1.0;
      m.ups.push_back(Up{first_visit + i, w, burst});
      if (opt.transport) v.transport += w * move_time(route.steps[i].tool_group, sp.tool_group);
    }
    skip *= (1.0 - pi);
  }
  if (skip > 1e-12) m.ups.push_back(Up{-1 - static_cast<int>(si), skip, 1.0});
  v.up_end = static_cast<int>(m.ups.size());
}

// Setup frequency per visit from the mix of setup states at its group (docs/capacity.md §1.4).
void ModelBuilder::setup_states() {
  const Factory& f = f_;
  const CapacityOptions& opt = opt_;
  Model& m = m_;
  const auto ng = f.tool_groups.size();
  std::vector<std::map<model::SetupId, double>> mix(ng);
  std::vector<double> mix_total(ng, 0.0);
  const bool keep = opt.setup_state.value_or(f.setup_state) == model::SetupState::Keep;
  for (const auto& v : m.visits) {
    if (v.setup == kNone && keep) continue;
    mix[v.group][v.setup] += v.rate / v.k;
    mix_total[v.group] += v.rate / v.k;
  }
  std::vector<std::map<model::SetupId, int>> state_index(ng);
  for (std::size_t g = 0; g < ng; ++g) {
    GroupBase& gb = m.groups[g];
    for (const auto& [state, r] : mix[g]) {
      state_index[g][state] = static_cast<int>(gb.state_f.size());
      gb.state_f.push_back(r / mix_total[g]);
    }
    std::map<double, int> distinct;
    for (double fj : gb.state_f) distinct.emplace(fj, 0);
    for (auto& [fj, idx] : distinct) {
      idx = static_cast<int>(gb.f_distinct.size());
      gb.f_distinct.push_back(fj);
    }
    for (double fj : gb.state_f) gb.f_class.push_back(distinct.at(fj));
  }
  for (auto& v : m.visits) {
    if (v.setup == kNone || mix_total[v.group] <= 0) continue;
    const auto& gm = mix[v.group];
    v.state_idx = state_index[v.group].at(v.setup);
    v.fk = gm.at(v.setup) / mix_total[v.group];
    const ToolGroup& g = f.tool_groups[v.group];
    if (g.lssu && v.setup < static_cast<int>(f.setup_group_of.size()) &&
        f.setup_group_of[v.setup] != kNone) {
      const int run = f.setup_groups[f.setup_group_of[v.setup]].min_run;
      if (run > 1) v.min_run_cap = 1.0 / run;
    }
    double expected = 0.0;
    if (v.step_ptr->setup_time >= 0) {
      expected = hours_of(static_cast<double>(v.step_ptr->setup_time));
    } else {
      double wsum = 0.0;
      for (const auto& [from, r] : gm) {
        if (from == v.setup) continue;
        expected += r * hours_of(static_cast<double>(f.setup_time(from, *v.step_ptr)));
        wsum += r;
      }
      expected = wsum > 0 ? expected / wsum : 0.0;
    }
    if (expected <= 0 || v.fk >= 1.0) continue;
    v.setup_hours = expected;
    m.groups[v.group].has_setups = true;
    m.groups[v.group].visit_ids.push_back(static_cast<int>(&v - m.visits.data()));
  }
}

// Priority classes per group (descending) and each visit's class index; batch and single visits.
void ModelBuilder::priority_classes() {
  Model& m = m_;
  const auto ng = f_.tool_groups.size();
  std::vector<std::map<int, int, std::greater<int>>> classes(ng);
  for (const auto& v : m.visits) classes[v.group][v.priority] = 0;
  for (std::size_t g = 0; g < ng; ++g) {
    int k = 0;
    for (auto& [prio, idx] : classes[g]) {
      idx = k++;
      m.groups[g].priorities.push_back(prio);
    }
  }
  for (auto& v : m.visits) v.prio_idx = classes[v.group].at(v.priority);

  for (std::size_t i = 0; i < m.visits.size(); ++i) {
    if (m.visits[i].batch_key >= 0) m.groups[m.visits[i].group].batch_visits.push_back(int(i));
  }
  for (std::size_t i = 0; i < m.visits.size(); ++i) {
    auto& gb = m.groups[m.visits[i].group];
    if (!gb.batch_visits.empty() && m.visits[i].batch_key < 0) gb.single_visits.push_back(int(i));
  }
}

// Load-independent group aggregates at scale 1.
void ModelBuilder::group_aggregates() {
  Model& m = m_;
  for (const auto& v : m.visits) {
    GroupBase& gb = m.groups[v.group];
    gb.lot_visits += v.rate;
    gb.jobs += v.rate / v.k;
    gb.pieces += v.rate * v.pieces;
    gb.busy += v.rate * v.occ;
    gb.tail += v.rate / v.k * std::max(0.0, v.lot_time - v.job);
  }
}

// The groups' outages: failures (calendar or busy clock) and PMs (calendar or wafer count).
void ModelBuilder::group_outages() {
  const Factory& f = f_;
  Model& m = m_;
  const auto ng = f.tool_groups.size();
  for (std::size_t g = 0; g < ng; ++g) {
    GroupBase& gb = m.groups[g];
    const ToolGroup& tg = f.tool_groups[g];
    gb.avoid_setups = std::find(tg.ranking.begin(), tg.ranking.end(),
                                model::RankCriterion::LeastSetup) != tg.ranking.end();
    if (tg.lssu && f.lssu_switch == model::LssuSwitch::Refuse) gb.refusals = model::kLssuRefusals;
    if (tg.is_delay) continue;
    for (const auto& a : tg.downs) {
      const auto& dc = f.down_calendars[a.calendar];
      const double mttf = hours_of(dc.time_to_failure.expected());
      const double mttr = hours_of(dc.time_to_repair.expected());
      const double r2 = mttr * mttr * (1.0 + dc.time_to_repair.scv());
      if (mttf <= 0) continue;
      gb.stretch += mttr / mttf;
      if (dc.clock == model::FailureClock::Calendar) {
        gb.cal_down += mttr / (mttf + mttr);
        gb.cal_outages.push_back(Outage{1.0 / (mttf + mttr), mttr, r2});
      } else {
        // Busy clock: one failure per MTTF of busy (and setup) time.
        gb.busy_clock.push_back(Outage{1.0 / mttf, mttr, r2});
      }
    }
    // Nested calendars (model::PmNesting): each occurrence of a longer PM of the same trigger
    // does the one occurrence of a shorter PM that would fall due before it, so the shorter PM's
    // rate drops by the longer ones' rates (cycle lengths: interval + duration on the calendar,
    // the interval in wafers).
    const bool nested = f.pm_nesting == model::PmNesting::Nested;
    auto cycle = [&](const model::PmCalendar& pc) {
      return pc.trigger == model::PmTrigger::Calendar
                 ? hours_of(pc.interval) + hours_of(pc.duration.expected())
                 : pc.interval;
    };
    for (const auto& a : tg.pms) {
      const auto& pc = f.pm_calendars[a.calendar];
      const double dur = hours_of(pc.duration.expected());
      const double r2 = dur * dur * (1.0 + pc.duration.scv());
      if (pc.interval <= 0) continue;
      double rate = 1.0 / cycle(pc);  // per hour (calendar) or per wafer (wafer count)
      if (nested) {
        for (const auto& b : tg.pms) {
          const auto& pb = f.pm_calendars[b.calendar];
          if (pb.trigger == pc.trigger && pb.interval > pc.interval) rate -= 1.0 / cycle(pb);
        }
        rate = std::max(0.0, rate);
      }
      if (pc.trigger == model::PmTrigger::Calendar) {
        // Interval counted from the end of one PM to the start of the next.
        gb.cal_pm += rate * dur;
        gb.cal_outages.push_back(Outage{rate, dur, r2});
      } else {
        const double per_day = gb.pieces * rate;
        gb.load_pm += per_day * dur;
        gb.load_outages.push_back(Outage{per_day, dur, r2});
      }
    }
  }
}

}  // namespace

Model build(const Factory& f, const CapacityOptions& opt) {
  return ModelBuilder(f, opt).run();
}

}  // namespace osatsim::analysis::capacity_detail
