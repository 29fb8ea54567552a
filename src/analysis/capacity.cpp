#include "analysis/capacity.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <tuple>

#include "analysis/queueing.h"
#include "model/flow.h"

namespace osatsim::analysis {
namespace {

using model::Factory;
using model::kNone;
using model::Step;
using model::TimeBasis;
using model::ToolGroup;

constexpr double kHoursPerDay = 24.0;

double hours_of(double ticks) {
  return ticks / static_cast<double>(kTicksPerHour);
}

// A performed visit of one lot type (stream) to one route step.
struct Visit {
  model::StreamId stream = kNone;
  int step = 0;
  model::ToolGroupId group = kNone;
  int priority = 10;
  int prio_idx = 0;      // index of the priority class at the group
  double per_lot = 0.0;  // performed visits of one lot on its path (sampling x rework)
  double rate = 0.0;     // performed lot visits per day at scale 1 (after splits)
  double k = 1.0;        // lots per job (batch size in lots; 1 otherwise) by the fixed rules
  double kmin = 1.0, kmax = 1.0;  // batch limits in lots (batch steps)
  double occ = 0.0;       // tool occupancy per lot visit (hours), batch time / k on batch steps
  double job = 0.0;       // mean time of one job (hours): occupancy, or the batch time
  double job_var = 0.0;   // its variance (hours^2)
  double lot_time = 0.0;  // the lot's own time at the step without setup (hours)
  double sample = 1.0;    // sampling probability (for the raw process time)
  double pieces = 0.0;    // pieces processed per lot visit (wafer-count PM)
  model::SetupId setup = kNone;
  const Step* step_ptr = nullptr;
  double fk = 0.0;               // share of the group's setup-relevant jobs in this setup state
  double min_run_cap = 1.0;      // 1 / MINRUN under rule LSSU
  int state_idx = -1;            // index of the setup state in GroupBase::state_f
  double setup_hours = 0.0;      // expected setup time given a change (0: never a setup)
  int batch_key = -1;            // compatibility class of batch steps
  double transport = 0.0;        // expected move time into this performed visit (hours)
  int burst = 1;                 // children of one split lot that arrive together (1: no split)
  double burst_wait = 0.0;       // mean wait of a lot behind its siblings (hours, §1.7)
  int up_begin = 0, up_end = 0;  // upstream flows in Model::ups
};

// The flow into a visit from the previous performed step (visit index) or from the release (-1).
struct Up {
  int from = -1;
  double weight = 0.0;  // share of the visit's arrivals coming this way
  double burst = 1.0;   // lots arriving together per upstream departure (a split: its children)
};

struct Outage {
  double freq = 0.0;  // per tool-hour of calendar time
  double mean = 0.0;  // hours
  double m2 = 0.0;    // E[r^2]
};

struct GroupBase {
  double lot_visits = 0.0, jobs = 0.0, pieces = 0.0;  // per day at scale 1
  double busy = 0.0;                                  // occupancy hours per day at scale 1
  double tail = 0.0;  // cascading: lot time beyond the occupancy, hours per day at scale 1
  double cal_down = 0.0, cal_pm = 0.0;  // shares of calendar time
  double stretch = 1.0;  // failures interrupt a running job: its duration grows by MTTR / MTTF
  double load_pm = 0.0;  // wafer-count PM hours per day at scale 1
  bool has_setups = false, avoid_setups = false;
  std::vector<Outage> cal_outages;   // calendar-clock outages (freq per tool-hour)
  std::vector<Outage> load_outages;  // wafer-count PM (freq per day at scale 1, group total)
  std::vector<Outage> busy_clock;    // busy-clock failures (freq per busy hour)
  std::vector<int> priorities;       // distinct, descending
  std::vector<int> visit_ids;        // visits with a possible setup
  std::vector<double> state_f;       // job shares of the setup states (setup-relevant jobs)
  std::vector<double> f_distinct;    // distinct values of state_f (for speed)
  std::vector<int> f_class;          // state -> index into f_distinct
  std::vector<int> batch_visits;     // visits of batch steps
  std::vector<int> single_visits;    // the other visits (groups with batch steps only)
};

struct Model {
  std::vector<Visit> visits;
  std::vector<Up> ups;
  std::vector<GroupBase> groups;
  std::vector<double> batch_key_rate;  // lots/day at scale 1 per compatibility class
  std::vector<double> stream_lots;     // lots/day at scale 1
  std::vector<double> stream_ca2;      // release SCV
  std::vector<double> stream_wafers;  // wafers/day at scale 1 (0 for unit-start products)
  std::vector<double> stream_units;   // units/day released at scale 1 (unit-start products)
  std::vector<double> stream_burst;   // lots per release
  std::vector<model::StreamFlow> flows;
};

// P(wait) of an m-server station at utilisation u (the Sakasegawa factor); m >= 1, may be
// fractional.
double wait_probability(double u, double m) {
  return std::pow(std::clamp(u, 0.0, 1.0), std::sqrt(2.0 * (std::max(1.0, m) + 1.0)) - 1.0);
}

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

Model build(const Factory& f, const CapacityOptions& opt) {
  Model m;
  m.groups.resize(f.tool_groups.size());
  // Expected transport time between locations (model/flow.h: the first lane of a pair).
  const auto nl = f.locations.size();
  const std::vector<std::int32_t> lanes = model::transport_lane_matrix(f);
  std::vector<double> move(nl * nl, 0.0);
  for (std::size_t i = 0; i < lanes.size(); ++i)
    if (lanes[i] >= 0) move[i] = hours_of(f.transport[static_cast<std::size_t>(lanes[i])].time.expected());
  auto move_time = [&](model::ToolGroupId a, model::ToolGroupId b) {
    const auto la = f.tool_groups[a].location, lb = f.tool_groups[b].location;
    if (la == kNone || lb == kNone) return 0.0;
    return move[la * nl + lb];
  };
  std::map<std::tuple<int, int, std::string>, int> batch_keys;

  for (std::size_t si = 0; si < f.streams.size(); ++si) {
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
      const ToolGroup& g = f.tool_groups[sp.tool_group];
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
          key = {prod.route, j, std::string()};
        auto [it, fresh] = batch_keys.emplace(key, static_cast<int>(batch_keys.size()));
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

      // Upstream: the previous performed step i with probability p_i prod(1 - p_k), i < k < j.
      // Lots leaving a transform step that splits arrive as a burst of its children.
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

      m.visits.push_back(v);
    }
    burst_waits(f, route, fl, m, first_visit);
  }

  // Setup frequency per visit from the mix of setup states at its group (docs/capacity.md §1.4).
  const auto ng = f.tool_groups.size();
  std::vector<std::map<model::SetupId, double>> mix(ng);
  std::vector<double> mix_total(ng, 0.0);
  for (const auto& v : m.visits) {
    if (v.setup == kNone && opt.setup_state == SetupStateRule::Keep) continue;
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

  // Priority classes per group (descending) and each visit's class index.
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

  // Load-independent group aggregates at scale 1.
  for (const auto& v : m.visits) {
    GroupBase& gb = m.groups[v.group];
    gb.lot_visits += v.rate;
    gb.jobs += v.rate / v.k;
    gb.pieces += v.rate * v.pieces;
    gb.busy += v.rate * v.occ;
    gb.tail += v.rate / v.k * std::max(0.0, v.lot_time - v.job);
  }
  for (std::size_t g = 0; g < ng; ++g) {
    GroupBase& gb = m.groups[g];
    const ToolGroup& tg = f.tool_groups[g];
    gb.avoid_setups = std::find(tg.ranking.begin(), tg.ranking.end(),
                                model::RankCriterion::LeastSetup) != tg.ranking.end();
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
  return m;
}

// Group aggregates that depend on the setup probabilities `sp` (one per visit).
struct GroupDyn {
  double jobs = 0.0;       // jobs/day at scale 1 (batches count once)
  double busy = 0.0;       // occupancy hours/day at scale 1
  double tail = 0.0;       // cascading lot time beyond the occupancy, hours/day at scale 1
  double setup = 0.0;      // hours/day at scale 1
  double load_down = 0.0;  // busy-clock failure hours/day at scale 1
  double t0 = 0.0, c02 = 0.0;
  std::vector<double> busy_by_priority;  // GroupBase::priorities order
};

std::vector<GroupDyn> aggregate(const Model& m, const std::vector<double>& sp,
                                const std::vector<double>& kv) {
  const auto ng = m.groups.size();
  std::vector<GroupDyn> d(ng);
  std::vector<double> m1(ng, 0.0), m2(ng, 0.0);
  for (std::size_t g = 0; g < ng; ++g)
    d[g].busy_by_priority.assign(m.groups[g].priorities.size(), 0);
  for (std::size_t i = 0; i < m.visits.size(); ++i) {
    const Visit& v = m.visits[i];
    const double jobs = v.rate / kv[i];
    const double su = sp[i] * v.setup_hours;
    d[v.group].jobs += jobs;
    d[v.group].busy += jobs * v.job;
    d[v.group].tail += jobs * std::max(0.0, v.lot_time - v.job);
    d[v.group].setup += jobs * su;
    m1[v.group] += jobs * (v.job + su);
    m2[v.group] += jobs * (v.job_var + v.job * v.job + 2.0 * v.job * su +
                           sp[i] * v.setup_hours * v.setup_hours);
    d[v.group].busy_by_priority[v.prio_idx] += jobs * (v.job + su);
  }
  for (std::size_t g = 0; g < ng; ++g) {
    const GroupBase& gb = m.groups[g];
    GroupDyn& x = d[g];
    if (x.jobs > 0) {
      x.t0 = m1[g] / x.jobs;
      const double e2 = m2[g] / x.jobs;
      x.c02 = x.t0 > 0 ? std::max(0.0, e2 / (x.t0 * x.t0) - 1.0) : 0.0;
    }
    for (const auto& o : gb.busy_clock) x.load_down += (x.busy + x.setup) * o.freq * o.mean;
  }
  return d;
}

// Group-level state at one scale.
struct GroupState {
  double util = 0.0;  // of available time
  double avail = 1.0;
  double te = 0.0, ce2 = 0.0;
  double kbar = 1.0;
  double ca2 = 1.0;  // lot arrivals
  double wq = 0.0;   // hours (batch queue for batch groups)
  bool stable = true;
};

GroupCapacity fill_group(const Factory& f, const Model& m, const GroupDyn& d,
                         const CapacityOptions& opt, std::size_t g, double s) {
  const ToolGroup& tg = f.tool_groups[g];
  const GroupBase& gb = m.groups[g];
  GroupCapacity r;
  r.id = static_cast<model::ToolGroupId>(g);
  r.name = tg.name;
  r.area = tg.area;
  r.tools = tg.tools;
  r.is_delay = tg.is_delay;
  r.lot_visits_per_day = s * gb.lot_visits;
  r.jobs_per_day = s * d.jobs;
  r.wafers_per_day = s * gb.pieces;
  r.busy_hours_per_day = s * d.busy;
  r.setup_hours_per_day = s * d.setup;
  r.required_hours_per_day = r.busy_hours_per_day + r.setup_hours_per_day;
  r.required_hours_per_period = r.required_hours_per_day * opt.period_days;
  const double total = tg.tools * kHoursPerDay;
  const double cal_avail = std::max(0.0, 1.0 - gb.cal_down - gb.cal_pm);
  const double cap = total * cal_avail;  // hours/day for work and load-driven outages
  const double load_out = s * (d.load_down + gb.load_pm);
  r.down_share = total > 0 ? gb.cal_down + s * d.load_down / total : gb.cal_down;
  r.pm_share = total > 0 ? gb.cal_pm + s * gb.load_pm / total : gb.cal_pm;
  r.availability = std::max(0.0, 1.0 - r.down_share - r.pm_share);
  r.available_hours_per_day = std::max(0.0, cap - load_out);
  r.available_hours_per_period = r.available_hours_per_day * opt.period_days;
  if (r.required_hours_per_day <= 0) {
    r.utilisation = 0.0;
  } else {
    r.utilisation = r.available_hours_per_day > 0
                        ? r.required_hours_per_day / r.available_hours_per_day
                        : kInfinity;
  }
  r.utilisation_of_total = total > 0 ? r.required_hours_per_day / total
                                     : (r.required_hours_per_day > 0 ? kInfinity : 0.0);
  // BUSY as a simulator books it: a cascading tool stays busy until its last job's lot leaves,
  // so the tail beyond the occupancy counts unless the next job starts (probability ~ u).
  const double pw = wait_probability(r.utilisation, std::max(1, tg.tools));
  r.state_share = total > 0 ? (r.required_hours_per_day + s * d.tail * (1.0 - pw)) / total
                            : r.utilisation_of_total;
  const double per_scale = d.busy + d.setup + d.load_down + gb.load_pm;
  r.max_scale = per_scale > 0 ? cap / per_scale : kInfinity;
  if (cal_avail > 0) {
    r.tools_needed =
        (r.required_hours_per_day / opt.target_utilisation + load_out) / (kHoursPerDay * cal_avail);
  } else {
    r.tools_needed = r.required_hours_per_day > 0 ? kInfinity : 0.0;
  }
  r.tools_needed_int =
      std::isfinite(r.tools_needed) ? static_cast<int>(std::ceil(r.tools_needed - 1e-9)) : -1;
  r.t0 = d.t0;
  r.c02 = d.c02;
  return r;
}

// Effective time (availability, outages) of group g.
void effective(const Factory& f, const Model& m, const GroupDyn& d, std::size_t g, double s,
               GroupState& x) {
  const GroupBase& gb = m.groups[g];
  const ToolGroup& tg = f.tool_groups[g];
  if (d.jobs <= 0 || tg.is_delay) {
    x.te = d.t0;
    x.ce2 = d.c02;
    return;
  }
  // Outage mix: frequency-weighted mean and second moment of outage durations.
  double fsum = 0.0, f1 = 0.0, f2 = 0.0;
  auto add = [&](double freq, const Outage& o) {
    fsum += freq;
    f1 += freq * o.mean;
    f2 += freq * o.m2;
  };
  for (const auto& o : gb.cal_outages) add(o.freq, o);
  const double per_tool_hour = tg.tools > 0 ? s / (tg.tools * kHoursPerDay) : 0.0;
  for (const auto& o : gb.load_outages) add(o.freq * per_tool_hour, o);
  for (const auto& o : gb.busy_clock) add((d.busy + d.setup) * o.freq * per_tool_hour, o);
  const double mr = fsum > 0 ? f1 / fsum : 0.0;
  const double cr2 = mr > 0 ? std::max(0.0, (f2 / fsum) / (mr * mr) - 1.0) : 0.0;
  const auto e = queueing::effective_time(d.t0, d.c02, x.avail, mr, cr2);
  x.te = e.te;
  x.ce2 = e.ce2;
}

// Setup-change probability of visit v given its group's state (docs/capacity.md §1.4).
// Setup-change probabilities of group g's setup visits at utilisation u (docs/capacity.md §1.4),
// written to sp (indexed by visit). Returns the implied setup hours per day at scale s.
double setup_probabilities(const Factory& f, const Model& m, std::size_t g, double u, double s,
                           const std::vector<double>& kv, std::vector<double>& sp) {
  const GroupBase& gb = m.groups[g];
  const ToolGroup& tg = f.tool_groups[g];
  const double mt = std::max(1, tg.tools);
  const double pw = wait_probability(u, mt);
  // Per state j: P(no lot of j waiting when a tool in state j frees), from a sub-station of
  // m f_j tools at the same utilisation; T = sum_j f_j E_j / (1 - f_j).
  thread_local std::vector<double> ec, idlec, e, idle;
  const std::size_t nd = gb.f_distinct.size();
  ec.assign(nd, 0.0);
  idlec.assign(nd, 0.0);
  const double idle_tools = std::max(1.0, mt * (1.0 - std::clamp(u, 0.0, 1.0)));
  for (std::size_t c = 0; c < nd; ++c) {
    const double fj = gb.f_distinct[c];
    ec[c] = 1.0 - wait_probability(u, mt * fj);
    idlec[c] = tg.wake_least_setup ? std::pow(1.0 - fj, idle_tools) : 1.0 - fj;
  }
  e.assign(gb.state_f.size(), 0.0);
  idle.assign(gb.state_f.size(), 0.0);
  double t = 0.0;
  for (std::size_t j = 0; j < gb.state_f.size(); ++j) {
    const double fj = gb.state_f[j];
    e[j] = ec[gb.f_class[j]];
    idle[j] = idlec[gb.f_class[j]];
    if (fj < 1.0) t += fj * e[j] / (1.0 - fj);
  }
  double hours = 0.0;
  for (int i : gb.visit_ids) {
    const Visit& v = m.visits[i];
    double p;
    if (!gb.avoid_setups) {
      p = 1.0 - v.fk;  // random sequence
    } else {
      const double own = v.fk < 1.0 ? v.fk * e[v.state_idx] / (1.0 - v.fk) : 0.0;
      p = (1.0 - pw) * idle[v.state_idx] + pw * std::max(0.0, t - own);
    }
    p = std::clamp(std::min(p, v.min_run_cap), 0.0, 1.0);
    sp[i] = p;
    hours += s * v.rate / kv[i] * p * v.setup_hours;
  }
  return hours;
}

struct Solution {
  std::vector<GroupState> st;
  std::vector<GroupDyn> dyn;
  std::vector<double> sp;  // setup-change probability per visit
  std::vector<double> k;   // lots per job per visit
};

// E[min(N, c)] for N geometric on {0, 1, ...} with mean a (Poisson arrivals during an
// exponential wait of mean a / rate), c >= 0: sum_{n=1..c} P(N >= n), P(N >= n) = (a/(1+a))^n.
double expected_capped_geometric(double a, double c) {
  if (a <= 0 || c <= 0) return 0.0;
  const double q = a / (1.0 + a);
  double sum = 0.0, pn = 1.0;
  int n = 1;
  for (; n <= c; ++n) {
    pn *= q;
    sum += pn;
  }
  return sum + (c - (n - 1)) * pn * q;  // fractional remainder of c
}

// E[min(N, c)] for N Poisson with mean a (arrivals during a fixed wait), c >= 0.
double expected_capped_poisson(double a, double c) {
  if (a <= 0 || c <= 0) return 0.0;
  double p = std::exp(-a), cdf = p, sum = 0.0;
  int n = 1;
  for (; n <= c; ++n) {
    sum += 1.0 - cdf;  // P(N >= n)
    p *= a / n;
    cdf += p;
  }
  return sum + (c - (n - 1)) * (1.0 - cdf);
}

// Mean time a partial batch holds for more lots under batch_max_wait w: min(w, the time until d
// more lots of its class arrive at rate r) = sum_{i<d} P(Poisson(r w) > i) / r.
double max_wait_hold(double r, double w, double d) {
  if (r <= 0) return w;
  if (w <= 0 || d <= 0) return 0.0;
  double p = std::exp(-r * w), cdf = p, sum = 0.0;
  for (int i = 0; i < d; ++i) {
    sum += 1.0 - cdf;  // P(N > i)
    p *= r * w / (i + 1);
    cdf += p;
  }
  return sum / r;
}

// Queueing state of every group at scale s: one fixed point of the linking equations and of the
// load-dependent setup frequencies.
Solution solve(const Factory& f, const Model& m, const CapacityOptions& opt, double s,
               std::vector<GroupCapacity>* out) {
  const auto ng = f.tool_groups.size();
  Solution sol;
  auto& st = sol.st;
  st.resize(ng);
  sol.sp.assign(m.visits.size(), 0.0);
  sol.k.resize(m.visits.size());
  bool any_batches = false;
  for (std::size_t i = 0; i < m.visits.size(); ++i) {
    sol.k[i] = m.visits[i].k;
    any_batches = any_batches || m.visits[i].batch_key >= 0;
  }
  const bool auto_batch = any_batches && opt.batch_size == BatchSizeRule::Auto;
  for (std::size_t g = 0; g < ng; ++g) {
    if (m.groups[g].has_setups) setup_probabilities(f, m, g, 0.0, s, sol.k, sol.sp);
  }
  std::vector<double> lot_rate(ng, 0.0);  // lots/hour
  for (std::size_t g = 0; g < ng; ++g) {
    const GroupBase& gb = m.groups[g];
    lot_rate[g] = s * gb.lot_visits / kHoursPerDay;
    st[g].kbar = gb.jobs > 0 ? gb.lot_visits / gb.jobs : 1.0;
  }
  bool any_setups = false;
  for (const auto& gb : m.groups) any_setups = any_setups || (gb.has_setups && gb.avoid_setups);

  auto departure = [&](std::size_t g) {
    const GroupState& x = st[g];
    const ToolGroup& tg = f.tool_groups[g];
    if (tg.is_delay) return x.ca2;
    const double u = std::min(x.util, 1.0);
    const double cdj = queueing::departure_scv(x.ca2 / x.kbar, x.ce2, u, std::max(1, tg.tools));
    return x.kbar > 1.0 ? x.kbar * (1.0 + cdj) - 1.0 : cdj;
  };
  auto queue_wait = [&](std::size_t g) {
    GroupState& x = st[g];
    const ToolGroup& tg = f.tool_groups[g];
    if (tg.is_delay || m.groups[g].jobs <= 0) return 0.0;
    if (!x.stable) return kInfinity;
    return queueing::wq_ggm(x.ca2 / x.kbar, x.ce2, x.util, std::max(1, tg.tools), x.te);
  };
  auto update_groups = [&]() {
    sol.dyn = aggregate(m, sol.sp, sol.k);
    for (std::size_t g = 0; g < ng; ++g) {
      const GroupCapacity c = fill_group(f, m, sol.dyn[g], opt, g, s);
      GroupState& x = st[g];
      x.kbar = sol.dyn[g].jobs > 0 ? m.groups[g].lot_visits / sol.dyn[g].jobs : 1.0;
      x.util = c.utilisation;
      x.avail = c.availability;
      x.stable = !(m.groups[g].jobs > 0 && !(c.utilisation < 1.0));
      effective(f, m, sol.dyn[g], g, s, x);
    }
  };

  std::vector<double> sr(ng), src2(ng), sq(ng), cd(ng);
  const bool linking = opt.arrivals != ArrivalRule::Poisson;
  const bool class_linking = opt.arrivals == ArrivalRule::Linking;
  std::vector<double> vca2(m.visits.size(), 1.0);  // arrival SCV of each route step's lots
  for (int iter = 0; iter < 300; ++iter) {
    update_groups();
    double delta = 0.0;
    if (linking) {
      for (std::size_t g = 0; g < ng; ++g) cd[g] = departure(g);
      std::fill(sr.begin(), sr.end(), 0.0);
      std::fill(src2.begin(), src2.end(), 0.0);
      std::fill(sq.begin(), sq.end(), 0.0);
      for (std::size_t i = 0; i < m.visits.size(); ++i) {
        const Visit& v = m.visits[i];
        const double vr = s * v.rate / kHoursPerDay;
        double vsum = 0.0, vc2 = 0.0;
        for (int u = v.up_begin; u < v.up_end; ++u) {
          const Up& up = m.ups[u];
          const double r = vr * up.weight;
          double c2;
          if (up.from >= 0) {
            // The children of a split leave as a burst: rd is the departure rate of their parents.
            // The burst's own queue is the explicit burst wait (burst_waits), not an inflated
            // SCV.
            const Visit& w = m.visits[up.from];
            const auto gfrom = w.group;
            const double rd = r / up.burst;
            if (class_linking) {
              // The lots of one route step leave as a mix of the station's departure process and
              // their own arrival process, by their share of the station's flow (Bitran and
              // Tirupati's separation); the route, not a random split, sends them on.
              const double wr = s * w.rate / kHoursPerDay;
              const double pk = lot_rate[gfrom] > 0 ? std::min(1.0, wr / lot_rate[gfrom]) : 1.0;
              const double cw = pk * cd[gfrom] + (1.0 - pk) * vca2[up.from];
              c2 = queueing::split_scv(cw, wr > 0 ? std::min(1.0, rd / wr) : 1.0);
            } else {
              const double p = lot_rate[gfrom] > 0 ? std::min(1.0, rd / lot_rate[gfrom]) : 1.0;
              c2 = queueing::split_scv(cd[gfrom], p);
            }
          } else {
            const int si = -1 - up.from;
            const double b = m.stream_burst[si];
            const double rel = s * m.stream_lots[si] / kHoursPerDay;
            c2 = b * queueing::split_scv(m.stream_ca2[si], rel > 0 ? std::min(1.0, r / rel) : 1.0);
          }
          sr[v.group] += r;
          src2[v.group] += r * c2;
          if (!class_linking) sq[v.group] += r * r;
          vsum += r;
          vc2 += r * c2;
        }
        if (class_linking) {
          sq[v.group] += vsum * vsum;  // one stream per route step
          const double next = vsum > 0 ? vc2 / vsum : 1.0;
          delta = std::max(delta, std::abs(next - vca2[i]));
          vca2[i] = next;
        }
      }
      for (std::size_t g = 0; g < ng; ++g) {
        if (sr[g] <= 0) continue;
        const double mix = src2[g] / sr[g];
        const double nu = sr[g] * sr[g] / sq[g];
        const double uu = std::clamp(st[g].util, 0.0, 1.0);
        // Superposition: the asymptotic method (the mix of the streams' SCVs) or Whitt's hybrid,
        // which pulls the mix towards 1 (Poisson) at light load and with many streams.
        const double w = opt.superposition == SuperpositionRule::Asymptotic
                             ? 1.0
                             : 1.0 / (1.0 + 4.0 * (1.0 - uu) * (1.0 - uu) * (nu - 1.0));
        const double ca2 = w * mix + 1.0 - w;
        delta = std::max(delta, std::abs(ca2 - st[g].ca2));
        st[g].ca2 = ca2;
      }
    }
    if (any_setups && iter < 3) {
      // Setup frequencies consistent with the group's own utilisation: the setups implied at a
      // candidate utilisation u give u'(u), which falls as u grows (setup-avoiding dispatch);
      // bisection for u'(u) = u. Repeated while busy-clock outages may still move.
      for (std::size_t g = 0; g < ng; ++g) {
        const GroupBase& gb = m.groups[g];
        if (!gb.has_setups || !gb.avoid_setups || gb.jobs <= 0) continue;
        const GroupCapacity c0 = fill_group(f, m, sol.dyn[g], opt, g, s);
        const double avail_h = c0.available_hours_per_day;
        const double busy_h = s * sol.dyn[g].busy;
        if (avail_h <= 0) continue;
        std::vector<double> before(gb.visit_ids.size());
        for (std::size_t k = 0; k < before.size(); ++k) before[k] = sol.sp[gb.visit_ids[k]];
        auto implied = [&](double u) {
          return (busy_h + setup_probabilities(f, m, g, u, s, sol.k, sol.sp)) / avail_h;
        };
        double lo = busy_h / avail_h;
        if (lo < 1.0) {
          double hi = std::min(1.0, std::max(lo, implied(lo)));
          for (int it = 0; it < 40 && hi - lo > 1e-10; ++it) {
            const double mid = 0.5 * (lo + hi);
            (implied(mid) > mid ? lo : hi) = mid;
          }
          implied(0.5 * (lo + hi));
        } else {
          implied(1.0);
        }
        for (std::size_t k = 0; k < before.size(); ++k)
          delta = std::max(delta, std::abs(before[k] - sol.sp[gb.visit_ids[k]]));
      }
    }
    if (auto_batch) {
      // Load-dependent batch size: a batch starts with BATCHMN lots; lots of its class arriving
      // while it waits for a tool join it, up to BATCHMX: k = kmin + E[min(Poisson(r_k Wq),
      // kmax - kmin)]. Bigger batches lower the load, so u'(u) falls with u: bisection.
      for (std::size_t g = 0; g < ng; ++g) {
        const GroupBase& gb = m.groups[g];
        if (gb.batch_visits.empty()) continue;
        const GroupDyn& d = sol.dyn[g];
        const GroupCapacity c0 = fill_group(f, m, d, opt, g, s);
        const double avail_h = c0.available_hours_per_day;
        if (avail_h <= 0 || d.jobs <= 0) continue;
        const int mt = std::max(1, f.tool_groups[g].tools);
        const double te = st[g].te;
        // Work per lot visit that does not depend on the batch size (single-lot steps).
        double fixed_h = 0.0;
        for (int i : gb.single_visits) {
          const Visit& v = m.visits[i];
          fixed_h += s * v.rate * (v.job + sol.sp[i] * v.setup_hours);
        }
        std::vector<double> before(gb.batch_visits.size());
        for (std::size_t j = 0; j < before.size(); ++j) before[j] = sol.k[gb.batch_visits[j]];
        auto implied = [&](double u) {
          const double wq =
              u < 1.0 ? queueing::wq_ggm(st[g].ca2 / st[g].kbar, st[g].ce2, u, mt, te) : kInfinity;
          // Lots join only when the batch waits (probability P(wait)), for a wait of mean
          // Wq / P(wait), taken as exponential (M/M/m conditional wait).
          const double pw = wait_probability(u, mt);
          // A partial batch also holds up to batch_max_wait for more lots when a tool is free;
          // the lots that join in that window are Poisson's for random arrivals and none for
          // regular, spaced ones: scaled by the arrival SCV (a heuristic, docs/capacity.md §1.2).
          const double mw = hours_of(static_cast<double>(f.tool_groups[g].batch_max_wait));
          double h = fixed_h;
          for (int i : gb.batch_visits) {
            const Visit& v = m.visits[i];
            const double rk = s * m.batch_key_rate[v.batch_key] / kHoursPerDay;
            const double d = v.kmax - v.kmin;
            const double extra =
                !std::isfinite(wq) ? d
                : v.burst >= v.kmax
                    ? d  // siblings of a split fill the batch
                    : (pw > 0 ? pw * expected_capped_geometric(rk * (wq / pw + mw), d) : 0.0) +
                          (1.0 - pw) * std::min(1.0, st[g].ca2) *
                              expected_capped_poisson(rk * mw, d);
            sol.k[i] = v.kmin + extra;
            h += s * v.rate / sol.k[i] * (v.job + sol.sp[i] * v.setup_hours);
          }
          return h / avail_h;
        };
        double lo = implied(0.0);  // minimum batches: the highest load
        double hi = lo;
        lo = implied(1.0);  // full batches: the lowest load
        if (lo < 1.0) {
          hi = std::min(hi, 1.0);
          for (int it = 0; it < 40 && hi - lo > 1e-10; ++it) {
            const double mid = 0.5 * (lo + hi);
            (implied(mid) > mid ? lo : hi) = mid;
          }
          implied(0.5 * (lo + hi));
        } else {
          implied(1.0);
        }
        for (std::size_t j = 0; j < before.size(); ++j)
          delta = std::max(delta, std::abs(before[j] - sol.k[gb.batch_visits[j]]));
      }
    }
    if (delta < 1e-9) break;
  }
  update_groups();
  for (std::size_t g = 0; g < ng; ++g) {
    st[g].wq = queue_wait(g);
    if (out) {
      GroupCapacity c = fill_group(f, m, sol.dyn[g], opt, g, s);
      c.te = st[g].te;
      c.ce2 = st[g].ce2;
      c.ca2 = st[g].ca2 / st[g].kbar;
      c.wq_hours = st[g].wq;
      out->push_back(std::move(c));
    }
  }
  return sol;
}

CurvePoint evaluate(const Factory& f, const Model& m, const CapacityOptions& opt, double s,
                    std::vector<GroupCapacity>* groups, Solution* keep = nullptr) {
  Solution sol = solve(f, m, opt, s, groups);
  const auto& st = sol.st;
  CurvePoint p;
  p.scale = s;
  for (std::size_t g = 0; g < st.size(); ++g) {
    if (m.groups[g].jobs > 0) p.max_utilisation = std::max(p.max_utilisation, st[g].util);
  }
  const auto ns = f.streams.size();
  std::vector<StreamCycleTime> cts(ns);
  for (std::size_t i = 0; i < ns; ++i) {
    cts[i].id = static_cast<model::StreamId>(i);
    cts[i].name = f.streams[i].name;
    cts[i].priority = f.streams[i].priority;
    cts[i].lots_per_day = s * m.stream_lots[i];
    cts[i].wafers_per_day = s * m.stream_wafers[i];
    cts[i].units_per_day = s * m.stream_units[i];
    cts[i].lots_out_per_day = cts[i].lots_per_day * m.flows[i].lots_out;
    cts[i].good_units_per_day = cts[i].lots_per_day * m.flows[i].units_out;
    cts[i].raw_process_days = m.flows[i].raw_process / kTicksPerDay;
    cts[i].raw_process_sampled_days = m.flows[i].raw_process_sampled / kTicksPerDay;
    cts[i].cycle_time_days = 0.0;
    p.lots_per_day += cts[i].lots_per_day;
    p.wafers_per_day += cts[i].wafers_per_day;
    p.units_per_day += cts[i].units_per_day;
    p.lots_out_per_day += cts[i].lots_out_per_day;
    p.good_units_per_day += cts[i].good_units_per_day;
  }
  // Per-group, per-priority waits.
  std::vector<std::vector<double>> wait(f.tool_groups.size());
  for (std::size_t g = 0; g < f.tool_groups.size(); ++g) {
    const GroupBase& gb = m.groups[g];
    const GroupState& x = st[g];
    auto& w = wait[g];
    w.assign(gb.priorities.size(), x.wq);
    if (!opt.priorities || x.kbar > 1.0 || gb.priorities.size() < 2 || !std::isfinite(x.wq)) {
      continue;
    }
    const auto& bp = sol.dyn[g].busy_by_priority;
    double total = 0.0;
    for (double b : bp) total += b;
    double higher = 0.0;
    for (std::size_t k = 0; k < gb.priorities.size(); ++k) {
      const double incl = higher + (total > 0 ? x.util * bp[k] / total : 0.0);
      w[k] = queueing::priority_wait(x.wq, x.util, higher, incl);
      higher = incl;
    }
  }
  for (std::size_t i = 0; i < m.visits.size(); ++i) {
    const Visit& v = m.visits[i];
    StreamCycleTime& c = cts[v.stream];
    const GroupBase& gb = m.groups[v.group];
    double q = wait[v.group][v.prio_idx];
    if (v.batch_key >= 0 && v.burst >= v.kmin) {
      // A burst of siblings fills its batches itself (the remainder joins the next burst).
    } else if (v.batch_key >= 0) {
      const double rk = s * m.batch_key_rate[v.batch_key] / kHoursPerDay;
      const double k = sol.k[i];
      if (opt.batch_size == BatchSizeRule::Auto && std::isfinite(q)) {
        // The first kmin lots form the batch and wait in queue (and, when a tool is free, hold
        // up to batch_max_wait for more lots); the lots that join while it waits wait half of
        // that on average.
        const double wtbt = queueing::wait_to_batch(v.kmin, rk);
        const double mw = hours_of(static_cast<double>(f.tool_groups[v.group].batch_max_wait));
        const double pw = wait_probability(st[v.group].util, std::max(1, f.tool_groups[v.group].tools));
        const double hold = (1.0 - pw) * max_wait_hold(rk, mw, v.kmax - v.kmin);
        q = (v.kmin * (wtbt + q + hold) + (k - v.kmin) * 0.5 * (q + hold)) / k;
      } else {
        q += queueing::wait_to_batch(k, rk);
      }
    }
    q += v.burst_wait;
    c.queue_days += v.per_lot * q / kHoursPerDay;
    c.transport_days += v.per_lot * v.transport / kHoursPerDay;
    c.cycle_time_days += v.per_lot *
                         (q + sol.sp[i] * v.setup_hours + v.lot_time * gb.stretch + v.transport) /
                         kHoursPerDay;
  }
  double wsum = 0.0, ct = 0.0, ff = 0.0;
  for (auto& c : cts) {
    if (!std::isfinite(c.cycle_time_days)) c.cycle_time_days = kInfinity;
    // As the simulator's ct_factor: cycle time over the raw process time of every step.
    c.cycle_time_factor =
        c.raw_process_days > 0 ? c.cycle_time_days / c.raw_process_days : kInfinity;
    // Weighted by completed lots: a split lot's children each finish with their own cycle time.
    wsum += c.lots_out_per_day;
    ct += c.lots_out_per_day * c.cycle_time_days;
    ff += c.lots_out_per_day * c.cycle_time_factor;
  }
  p.mean_cycle_time_days = wsum > 0 ? ct / wsum : kInfinity;
  p.mean_cycle_time_factor = wsum > 0 ? ff / wsum : kInfinity;
  p.streams = std::move(cts);
  if (keep) *keep = std::move(sol);
  return p;
}

}  // namespace

CurvePoint evaluate_at_scale(const Factory& f, const CapacityOptions& opt, double scale,
                             std::vector<GroupCapacity>* groups) {
  const Model m = build(f, opt);
  return evaluate(f, m, opt, scale, groups);
}

CapacityResult analyse(const Factory& f, const CapacityOptions& opt) {
  CapacityResult r;
  r.factory = f.name;
  r.options = opt;
  r.nested_pms = f.pm_nesting == model::PmNesting::Nested;
  const Model m = build(f, opt);
  for (std::size_t i = 0; i < m.stream_lots.size(); ++i) {
    r.nominal_lots_per_day += m.stream_lots[i];
    r.nominal_wafers_per_day += m.stream_wafers[i];
    r.nominal_units_per_day += m.stream_units[i];
  }
  Solution sol;
  r.nominal = evaluate(f, m, opt, opt.scale, &r.groups, &sol);

  // Maximum start rate with the setup frequencies and batch sizes of the nominal load (§2).
  for (const auto& g : r.groups) {
    if (g.required_hours_per_day <= 0) continue;
    r.ranking.push_back(g.id);
    if (g.max_scale < r.max_scale) r.max_scale = g.max_scale;
  }
  // Target start rate: the scale at which the first group reaches the target, s (B + S) =
  // target (cap - s O), with B and S re-evaluated at that scale (a few fixed-point steps).
  auto target_of = [&](const Solution& so) {
    double t = kInfinity;
    for (std::size_t g = 0; g < m.groups.size(); ++g) {
      const GroupBase& gb = m.groups[g];
      const GroupDyn& d = so.dyn[g];
      if (d.busy + d.setup <= 0) continue;
      const double cap =
          f.tool_groups[g].tools * kHoursPerDay * std::max(0.0, 1.0 - gb.cal_down - gb.cal_pm);
      const double denom = d.busy + d.setup + opt.target_utilisation * (d.load_down + gb.load_pm);
      t = std::min(t, opt.target_utilisation * cap / denom);
    }
    return t;
  };
  r.target_scale = target_of(sol);
  for (int it = 0; it < 30 && std::isfinite(r.target_scale) && r.target_scale > 0; ++it) {
    const double next = target_of(solve(f, m, opt, r.target_scale, nullptr));
    const bool done = std::abs(next - r.target_scale) <= 1e-6 * r.target_scale;
    r.target_scale = next;
    if (done) break;
  }
  r.target_scale = std::min(r.target_scale, r.max_scale);
  std::stable_sort(r.ranking.begin(), r.ranking.end(), [&](auto a, auto b) {
    return r.groups[a].utilisation > r.groups[b].utilisation;
  });
  // Components: kit draws of the release plan against the supplies' long-run rate.
  r.components.resize(f.components.size());
  for (std::size_t k = 0; k < f.components.size(); ++k) {
    auto& cc = r.components[k];
    cc.id = static_cast<model::ComponentId>(k);
    cc.name = f.components[k].name;
    cc.initial_stock = f.components[k].initial_stock;
  }
  for (std::size_t si = 0; si < f.streams.size(); ++si)
    for (const auto& sf : m.flows[si].steps)
      for (const auto& [comp, qty] : sf.kit)
        r.components[static_cast<std::size_t>(comp)].draw_per_day +=
            opt.scale * m.stream_lots[si] * sf.load_visits * qty;
  for (const auto& sup : f.supplies) {
    if (sup.interval <= 0 || sup.component < 0) continue;
    auto& cc = r.components[static_cast<std::size_t>(sup.component)];
    cc.supply_per_day += sup.quantity * kTicksPerDay / static_cast<double>(sup.interval);
    if (sup.count >= 0) {
      const double end = (static_cast<double>(sup.first) +
                          static_cast<double>(sup.count) * static_cast<double>(sup.interval)) /
                         kTicksPerDay;
      cc.supply_ends_days = std::isfinite(cc.supply_ends_days) ? std::max(cc.supply_ends_days, end)
                                                               : end;
    }
  }
  for (auto& cc : r.components) {
    if (cc.draw_per_day <= 0) continue;
    cc.max_scale = opt.scale * cc.supply_per_day / cc.draw_per_day;
    const double deficit = cc.draw_per_day - cc.supply_per_day;
    cc.stock_days = deficit > 0 ? cc.initial_stock / deficit : kInfinity;
    if (cc.max_scale < r.component_max_scale) {
      r.component_max_scale = cc.max_scale;
      r.binding_component = cc.id;
    }
  }

  // The bottleneck is the group that sets the maximum start rate (ties: the higher utilisation).
  for (const auto g : r.ranking)
    if (r.bottleneck == kNone || r.groups[g].max_scale < r.groups[r.bottleneck].max_scale)
      r.bottleneck = g;
  if (std::isfinite(r.max_scale) && r.max_scale > 0) {
    r.nominal.level = opt.scale / r.max_scale;
    for (double level : opt.curve) {
      CurvePoint p = evaluate(f, m, opt, level * r.max_scale, nullptr);
      p.level = level;
      r.curve.push_back(std::move(p));
    }
  }
  return r;
}

const char* to_string(BatchSizeRule r) {
  switch (r) {
    case BatchSizeRule::Auto:
      return "auto";
    case BatchSizeRule::Min:
      return "min";
    case BatchSizeRule::MeanMinMax:
      return "mean";
    case BatchSizeRule::Max:
      return "max";
  }
  return "?";
}
const char* to_string(SetupStateRule r) {
  return r == SetupStateRule::Keep ? "keep" : "reset";
}
const char* to_string(SuperpositionRule r) {
  return r == SuperpositionRule::Asymptotic ? "asymptotic" : "hybrid";
}

const char* to_string(ArrivalRule r) {
  if (r == ArrivalRule::StationLinking) return "station-linking";
  return r == ArrivalRule::Linking ? "linking" : "poisson";
}

}  // namespace osatsim::analysis
