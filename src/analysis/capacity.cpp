// Static capacity analysis (docs/capacity.md): analyse() and the cycle times of one scale. The
// load model and the queueing state are in capacity_model.cpp and capacity_queue.cpp.
#include "analysis/capacity.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <utility>
#include <vector>

#include "analysis/capacity_model_internal.h"
#include "analysis/queueing.h"
#include "core/time.h"
#include "model/factory.h"

namespace osatsim::analysis {

using namespace capacity_detail;  // NOLINT: the analysis' internals (capacity_model_internal.h)

namespace {

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
  r.options.setup_state = opt.setup_state.value_or(f.setup_state);
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
const char* to_string(SuperpositionRule r) {
  return r == SuperpositionRule::Asymptotic ? "asymptotic" : "hybrid";
}

const char* to_string(ArrivalRule r) {
  if (r == ArrivalRule::StationLinking) return "station-linking";
  return r == ArrivalRule::Linking ? "linking" : "poisson";
}

}  // namespace osatsim::analysis
