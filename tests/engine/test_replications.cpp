// Replications: Student's t quantiles, the estimates, and thread-independent results.
#include <gtest/gtest.h>

#include <cmath>

#include "engine/replications.h"
#include "fixture.h"

namespace osatsim::engine::test {
namespace {

TEST(Replications, StudentTQuantiles) {
  // Tabulated two-sided 95 % values (df 1, 4, 9, 30) and, beyond the table, the exact values of
  // t(0.975) to 4 decimals: df 31 2.0395, 60 2.0003, 120 1.9799.
  EXPECT_DOUBLE_EQ(t_quantile_975(1), 12.706);
  EXPECT_DOUBLE_EQ(t_quantile_975(4), 2.776);
  EXPECT_DOUBLE_EQ(t_quantile_975(9), 2.262);
  EXPECT_DOUBLE_EQ(t_quantile_975(30), 2.042);
  EXPECT_NEAR(t_quantile_975(31), 2.0395, 1e-3);
  EXPECT_NEAR(t_quantile_975(60), 2.0003, 5e-4);
  EXPECT_NEAR(t_quantile_975(120), 1.9799, 5e-4);
  EXPECT_EQ(t_quantile_975(0), 0.0);
}

TEST(Replications, ClippedIntervalStaysInRange) {
  Estimate e;
  e.mean = 92.1;
  e.ci95 = 17.0;
  const Interval iv = clipped_ci(e, 0.0, 100.0);
  EXPECT_DOUBLE_EQ(iv.lo, 75.1);
  EXPECT_DOUBLE_EQ(iv.hi, 100.0);
  e.mean = 0.02;
  e.ci95 = 0.05;
  const Interval share = clipped_ci(e, 0.0, 1.0);
  EXPECT_DOUBLE_EQ(share.lo, 0.0);
  EXPECT_DOUBLE_EQ(share.hi, 0.07);
}

TEST(Replications, WipTrendFlagsSteadyGrowthOnly) {
  Results r;
  r.warmup_days = 10;
  // Warm-up ramp, then flat with noise: stable.
  for (int d = 0; d < 10; ++d) r.wip_per_day.push_back(10.0 * d);
  for (int d = 0; d < 90; ++d) r.wip_per_day.push_back(100.0 + ((d % 3) - 1) * 5.0);
  WipTrend t = wip_trend(r);
  EXPECT_TRUE(t.judged);
  EXPECT_TRUE(t.stable);
  EXPECT_EQ(t.days, 90);
  EXPECT_NEAR(t.mean_lots, 100.0, 0.5);
  EXPECT_NEAR(t.slope_lots_per_day, 0.0, 0.05);
  // Linear growth from 100 to 400 lots over the window: unstable, trend recorded.
  r.wip_per_day.resize(10);
  for (int d = 0; d < 90; ++d) r.wip_per_day.push_back(100.0 + 300.0 * d / 89.0);
  t = wip_trend(r);
  EXPECT_TRUE(t.judged);
  EXPECT_FALSE(t.stable);
  EXPECT_NEAR(t.slope_lots_per_day, 300.0 / 89.0, 1e-9);
  EXPECT_NEAR(t.growth, t.slope_lots_per_day * 90 / 250.0, 1e-9);
  EXPECT_GT(t.last_quarter_lots, 1.25 * t.first_quarter_lots);
  // A mild drift (+10 % over the window) is not instability.
  r.wip_per_day.resize(10);
  for (int d = 0; d < 90; ++d) r.wip_per_day.push_back(100.0 + 10.0 * d / 89.0);
  EXPECT_TRUE(wip_trend(r).stable);
  // Too short a window is not judged.
  r.wip_per_day.resize(15);
  t = wip_trend(r);
  EXPECT_FALSE(t.judged);
  EXPECT_TRUE(t.stable);
}

TEST(Replications, EstimateMeanStdAndHalfWidth) {
  // 1, 2, 3, 4: mean 2.5, sample std sqrt(5/3), half-width t(3) std / 2.
  const Estimate e = estimate({1, 2, 3, 4});
  EXPECT_EQ(e.n, 4);
  EXPECT_DOUBLE_EQ(e.mean, 2.5);
  EXPECT_NEAR(e.std, std::sqrt(5.0 / 3.0), 1e-12);
  EXPECT_NEAR(e.ci95, 3.182 * std::sqrt(5.0 / 3.0) / 2.0, 1e-12);
  EXPECT_EQ(e.min, 1);
  EXPECT_EQ(e.max, 4);
  const Estimate one = estimate({7});
  EXPECT_EQ(one.mean, 7);
  EXPECT_EQ(one.ci95, 0);
  EXPECT_EQ(estimate({}).n, 0);
}

// A random single-tool line: exponential interarrivals and uniform service.
model::Factory line() {
  Builder b;
  const auto g = b.group("T", 1);
  model::Step s = step(g, hours(1));
  s.time = Dist::uniform(static_cast<double>(hours(1)), static_cast<double>(hours(0.5)));
  const auto p = b.product("p", {s});
  b.stream("L", p, Dist::exponential(static_cast<double>(hours(1.5))));
  return b.f;
}

TEST(Replications, SeedsInOrderAndIndependentOfThreads) {
  const model::Factory f = line();
  Options o;
  o.days = 60;
  o.warmup_days = 10;
  o.seed = 41;
  const auto serial = simulate_replications(f, o, 4, 1);
  const auto parallel = simulate_replications(f, o, 4, 3);
  ASSERT_EQ(serial.size(), 4u);
  ASSERT_EQ(parallel.size(), 4u);
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(serial[i].seed, 41 + i);
    EXPECT_EQ(parallel[i].seed, 41 + i);
    EXPECT_EQ(serial[i].events, parallel[i].events);
    EXPECT_EQ(serial[i].lot_types[0].cycle_time_days.mean,
              parallel[i].lot_types[0].cycle_time_days.mean);
    EXPECT_EQ(serial[i].wip_per_day, parallel[i].wip_per_day);
  }
  // The replications differ (independent seeds), and each equals a lone run with its seed.
  EXPECT_NE(serial[0].lot_types[0].cycle_time_days.mean,
            serial[1].lot_types[0].cycle_time_days.mean);
  Options lone = o;
  lone.seed = 43;
  EXPECT_EQ(simulate(f, lone).lot_types[0].cycle_time_days.mean,
            serial[2].lot_types[0].cycle_time_days.mean);
  // The summary is the estimate over the replications' values.
  const ReplicationSummary s = summarize(serial);
  ASSERT_EQ(s.seeds.size(), 4u);
  std::vector<double> ct;
  for (const auto& r : serial) ct.push_back(r.lot_types[0].cycle_time_days.mean);
  EXPECT_DOUBLE_EQ(s.lot_types[0].ct_mean_days.mean, estimate(ct).mean);
  EXPECT_DOUBLE_EQ(s.lot_types[0].ct_mean_days.ci95, estimate(ct).ci95);
  EXPECT_GT(s.lot_types[0].ct_mean_days.ci95, 0);
  EXPECT_EQ(s.tool_groups.size(), 1u);
  EXPECT_NEAR(s.tool_groups[0].utilisation.mean, 1.0 / 1.5, 0.1);  // rho = 1 h / 1.5 h
}

}  // namespace
}  // namespace osatsim::engine::test
