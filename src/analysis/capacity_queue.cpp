// Static capacity analysis: the queueing state of every tool group at one scale
// (docs/capacity.md §1): group aggregates, effective process times, load-dependent setup
// frequencies and batch sizes, and the linking equations of the arrival variability.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <utility>
#include <vector>

#include "analysis/capacity.h"
#include "analysis/capacity_model_internal.h"
#include "analysis/queueing.h"
#include "model/factory.h"

namespace osatsim::analysis::capacity_detail {

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

namespace {

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
    idlec[c] = tg.wake_least_setup && f.wake == model::WakeRule::LeastSetup
                   ? std::pow(1.0 - fj, idle_tools)
                   : 1.0 - fj;
  }
  e.assign(gb.state_f.size(), 0.0);
  idle.assign(gb.state_f.size(), 0.0);
  double t = 0.0;
  for (std::size_t j = 0; j < gb.state_f.size(); ++j) {
    const double fj = gb.state_f[j];
    e[j] = ec[gb.f_class[j]];
    // Refusals: a tool in state j that frees with no lot of j waiting changes only when none of
    // the next `refusals` decisions brings one (each lot of j with probability f_j).
    if (gb.refusals > 0) e[j] *= std::pow(1.0 - fj, gb.refusals);
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

}  // namespace

namespace {

// The fixed point of solve(): the state of every group, the linking equations' arrival SCVs and
// the load-dependent setup frequencies and batch sizes.
class Solver {
 public:
  Solver(const Factory& f, const Model& m, const CapacityOptions& opt, double s)
      : f_(f), m_(m), opt_(opt), s_(s), ng_(f.tool_groups.size()), st_(sol_.st) {}
  Solution run(std::vector<GroupCapacity>* out);

 private:
  void init();
  double departure(std::size_t g) const;
  double queue_wait(std::size_t g) const;
  void update_groups();
  double link_arrivals();
  double settle_setups();
  double settle_batches();

  const Factory& f_;
  const Model& m_;
  const CapacityOptions& opt_;
  const double s_;
  const std::size_t ng_;
  Solution sol_;
  std::vector<GroupState>& st_;
  bool auto_batch_ = false, any_setups_ = false;
  std::vector<double> lot_rate_;  // lots/hour per group
  std::vector<double> sr_, src2_, sq_, cd_;
  std::vector<double> vca2_;  // arrival SCV of each route step's lots
};

void Solver::init() {
  const auto& m = m_;
  const double s = s_;
  const auto ng = ng_;
  auto& sol = sol_;
  auto& st = st_;
  st.resize(ng);
  sol.sp.assign(m.visits.size(), 0.0);
  sol.k.resize(m.visits.size());
  bool any_batches = false;
  for (std::size_t i = 0; i < m.visits.size(); ++i) {
    sol.k[i] = m.visits[i].k;
    any_batches = any_batches || m.visits[i].batch_key >= 0;
  }
  auto_batch_ = any_batches && opt_.batch_size == BatchSizeRule::Auto;
  for (std::size_t g = 0; g < ng; ++g) {
    if (m.groups[g].has_setups) setup_probabilities(f_, m, g, 0.0, s, sol.k, sol.sp);
  }
  lot_rate_.assign(ng, 0.0);
  for (std::size_t g = 0; g < ng; ++g) {
    const GroupBase& gb = m.groups[g];
    lot_rate_[g] = s * gb.lot_visits / kHoursPerDay;
    st[g].kbar = gb.jobs > 0 ? gb.lot_visits / gb.jobs : 1.0;
  }
  any_setups_ = false;
  for (const auto& gb : m.groups) any_setups_ = any_setups_ || (gb.has_setups && gb.avoid_setups);
  sr_.resize(ng);
  src2_.resize(ng);
  sq_.resize(ng);
  cd_.resize(ng);
  vca2_.assign(m.visits.size(), 1.0);
}

double Solver::departure(std::size_t g) const {
  const GroupState& x = st_[g];
  const ToolGroup& tg = f_.tool_groups[g];
  if (tg.is_delay) return x.ca2;
  const double u = std::min(x.util, 1.0);
  const double cdj = queueing::departure_scv(x.ca2 / x.kbar, x.ce2, u, std::max(1, tg.tools));
  return x.kbar > 1.0 ? x.kbar * (1.0 + cdj) - 1.0 : cdj;
}

double Solver::queue_wait(std::size_t g) const {
  const GroupState& x = st_[g];
  const ToolGroup& tg = f_.tool_groups[g];
  if (tg.is_delay || m_.groups[g].jobs <= 0) return 0.0;
  if (!x.stable) return kInfinity;
  return queueing::wq_ggm(x.ca2 / x.kbar, x.ce2, x.util, std::max(1, tg.tools), x.te);
}

void Solver::update_groups() {
  sol_.dyn = aggregate(m_, sol_.sp, sol_.k);
  for (std::size_t g = 0; g < ng_; ++g) {
    const GroupCapacity c = fill_group(f_, m_, sol_.dyn[g], opt_, g, s_);
    GroupState& x = st_[g];
    x.kbar = sol_.dyn[g].jobs > 0 ? m_.groups[g].lot_visits / sol_.dyn[g].jobs : 1.0;
    x.util = c.utilisation;
    x.avail = c.availability;
    x.stable = !(m_.groups[g].jobs > 0 && !(c.utilisation < 1.0));
    effective(f_, m_, sol_.dyn[g], g, s_, x);
  }
}

// One step of the linking equations: the arrival SCV of every group (and, under class linking,
// of every route step's lots) from the departures upstream. Returns the largest change.
double Solver::link_arrivals() {
  const auto& m = m_;
  const auto& opt = opt_;
  const double s = s_;
  const auto ng = ng_;
  auto& st = st_;
  auto& sr = sr_;
  auto& src2 = src2_;
  auto& sq = sq_;
  auto& cd = cd_;
  auto& vca2 = vca2_;
  const auto& lot_rate = lot_rate_;
  const bool class_linking = opt.arrivals == ArrivalRule::Linking;
  double delta = 0.0;
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
  return delta;
}

// Setup frequencies consistent with each setup-avoiding group's own utilisation. Returns the
// largest change of a setup probability.
double Solver::settle_setups() {
  const auto& f = f_;
  const auto& m = m_;
  const auto& opt = opt_;
  const double s = s_;
  const auto ng = ng_;
  auto& sol = sol_;
  double delta = 0.0;
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
  return delta;
}

// Load-dependent batch sizes of every group with batch steps. Returns the largest change of a
// batch size.
double Solver::settle_batches() {
  const auto& f = f_;
  const auto& m = m_;
  const auto& opt = opt_;
  const double s = s_;
  const auto ng = ng_;
  auto& sol = sol_;
  auto& st = st_;
  double delta = 0.0;
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
  return delta;
}

Solution Solver::run(std::vector<GroupCapacity>* out) {
  init();
  const bool linking = opt_.arrivals != ArrivalRule::Poisson;
  for (int iter = 0; iter < 300; ++iter) {
    update_groups();
    double delta = 0.0;
    if (linking) delta = std::max(delta, link_arrivals());
    if (any_setups_ && iter < 3) delta = std::max(delta, settle_setups());
    if (auto_batch_) delta = std::max(delta, settle_batches());
    if (delta < 1e-9) break;
  }
  update_groups();
  for (std::size_t g = 0; g < ng_; ++g) {
    st_[g].wq = queue_wait(g);
    if (out) {
      GroupCapacity c = fill_group(f_, m_, sol_.dyn[g], opt_, g, s_);
      c.te = st_[g].te;
      c.ce2 = st_[g].ce2;
      c.ca2 = st_[g].ca2 / st_[g].kbar;
      c.wq_hours = st_[g].wq;
      out->push_back(std::move(c));
    }
  }
  return std::move(sol_);
}

}  // namespace

// Queueing state of every group at scale s: one fixed point of the linking equations and of the
// load-dependent setup frequencies.
Solution solve(const Factory& f, const Model& m, const CapacityOptions& opt, double s,
               std::vector<GroupCapacity>* out) {
  return Solver(f, m, opt, s).run(out);
}

}  // namespace osatsim::analysis::capacity_detail
