#include "engine/replications.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <thread>

namespace osatsim::engine {

double t_quantile_975(std::int64_t df) {
  static constexpr double kTable[30] = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306,
                                        2.262,  2.228, 2.201, 2.179, 2.160, 2.145, 2.131, 2.120,
                                        2.110,  2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064,
                                        2.060,  2.056, 2.052, 2.048, 2.045, 2.042};
  if (df < 1) return 0.0;
  if (df <= 30) return kTable[df - 1];
  // Cornish-Fisher expansion of the t quantile around the normal one (Abramowitz & Stegun
  // 26.7.5, first two terms).
  const double z = 1.959963984540054;
  const double n = static_cast<double>(df);
  const double z3 = z * z * z, z5 = z3 * z * z;
  return z + (z3 + z) / (4 * n) + (5 * z5 + 16 * z3 + 3 * z) / (96 * n * n);
}

Interval clipped_ci(const Estimate& e, double lo, double hi) {
  return Interval{std::clamp(e.mean - e.ci95, lo, hi), std::clamp(e.mean + e.ci95, lo, hi)};
}

WipTrend wip_trend(const Results& r) {
  WipTrend t;
  const auto& w = r.wip_per_day;
  const std::size_t first =
      std::min(w.size(), static_cast<std::size_t>(std::max(0.0, std::ceil(r.warmup_days))));
  const std::size_t n = w.size() - first;
  t.days = static_cast<int>(n);
  if (n == 0) return t;
  double sum = 0;
  for (std::size_t i = first; i < w.size(); ++i) sum += w[i];
  t.mean_lots = sum / static_cast<double>(n);
  const double xm = (static_cast<double>(n) - 1) / 2;
  double sxy = 0, sxx = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double dx = static_cast<double>(i) - xm;
    sxy += dx * (w[first + i] - t.mean_lots);
    sxx += dx * dx;
  }
  t.slope_lots_per_day = sxx > 0 ? sxy / sxx : 0.0;
  t.growth = t.mean_lots > 0 ? t.slope_lots_per_day * static_cast<double>(n) / t.mean_lots : 0.0;
  const std::size_t q = n / 4;
  if (q > 0) {
    double a = 0, b = 0;
    for (std::size_t i = 0; i < q; ++i) {
      a += w[first + i];
      b += w[w.size() - 1 - i];
    }
    t.first_quarter_lots = a / static_cast<double>(q);
    t.last_quarter_lots = b / static_cast<double>(q);
  }
  if (n < static_cast<std::size_t>(kStabilityMinDays)) return t;
  t.judged = true;
  t.stable = !(t.growth > kUnstableGrowth &&
               t.last_quarter_lots > kUnstableQuarterRatio * t.first_quarter_lots);
  return t;
}

Estimate estimate(const std::vector<double>& x) {
  Estimate e;
  e.n = static_cast<std::int64_t>(x.size());
  if (x.empty()) return e;
  double sum = 0;
  e.min = x[0];
  e.max = x[0];
  for (double v : x) {
    sum += v;
    e.min = std::min(e.min, v);
    e.max = std::max(e.max, v);
  }
  e.mean = sum / static_cast<double>(e.n);
  if (e.n > 1) {
    double ss = 0;
    for (double v : x) ss += (v - e.mean) * (v - e.mean);
    e.std = std::sqrt(ss / static_cast<double>(e.n - 1));
    e.ci95 = t_quantile_975(e.n - 1) * e.std / std::sqrt(static_cast<double>(e.n));
  }
  return e;
}

ReplicationSummary summarize(const std::vector<Results>& runs) {
  ReplicationSummary s;
  if (runs.empty()) return s;
  const Results& first = runs.front();
  std::vector<double> x;
  auto over = [&](auto&& value) {
    x.clear();
    for (const auto& r : runs) x.push_back(value(r));
    return estimate(x);
  };
  for (const auto& r : runs) {
    s.seeds.push_back(r.seed);
    s.wall_seconds += r.wall_seconds;
  }
  for (std::size_t i = 0; i < first.lot_types.size(); ++i) {
    LotTypeEstimate t;
    t.name = first.lot_types[i].name;
    t.priority = first.lot_types[i].priority;
    t.ct_mean_days = over([i](const Results& r) { return r.lot_types[i].cycle_time_days.mean; });
    t.ct_p95_days = over([i](const Results& r) { return r.lot_types[i].cycle_time_days.p95; });
    t.throughput_per_day = over([i](const Results& r) { return r.lot_types[i].throughput_per_day; });
    t.on_time_pct = over([i](const Results& r) { return r.lot_types[i].on_time_pct; });
    s.lot_types.push_back(std::move(t));
  }
  for (std::size_t i = 0; i < first.tool_groups.size(); ++i) {
    ToolGroupEstimate g;
    g.name = first.tool_groups[i].name;
    g.utilisation =
        over([i](const Results& r) { return r.tool_groups[i].busy + r.tool_groups[i].setup; });
    g.available =
        over([i](const Results& r) { return 1.0 - r.tool_groups[i].down - r.tool_groups[i].pm; });
    g.busy = over([i](const Results& r) { return r.tool_groups[i].busy; });
    g.setup = over([i](const Results& r) { return r.tool_groups[i].setup; });
    g.down = over([i](const Results& r) { return r.tool_groups[i].down; });
    g.pm = over([i](const Results& r) { return r.tool_groups[i].pm; });
    g.mean_queue_hours = over([i](const Results& r) { return r.tool_groups[i].mean_queue_hours; });
    s.tool_groups.push_back(std::move(g));
  }
  s.wip_mean_lots = over([](const Results& r) { return r.mean_wip_lots; });
  s.cqt_violation_pct = over([](const Results& r) {
    return r.cqt_windows > 0
               ? 100.0 * static_cast<double>(r.cqt_violations) / static_cast<double>(r.cqt_windows)
               : 0.0;
  });
  return s;
}

std::vector<Results> simulate_replications(const model::Factory& factory, const Options& options,
                                           int n, int threads) {
  std::vector<Results> out(static_cast<std::size_t>(std::max(0, n)));
  std::atomic<int> next{0};
  auto worker = [&] {
    for (int i = next++; i < n; i = next++) {
      Options o = options;
      o.seed = options.seed + static_cast<std::uint64_t>(i);
      out[static_cast<std::size_t>(i)] = simulate(factory, o);
    }
  };
  const int k = std::clamp(threads, 1, std::max(1, n));
  std::vector<std::thread> pool;
  for (int t = 1; t < k; ++t) pool.emplace_back(worker);
  worker();
  for (auto& th : pool) th.join();
  return out;
}

}  // namespace osatsim::engine
