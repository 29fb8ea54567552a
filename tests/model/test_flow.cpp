// The model's flow semantics (model/flow.h) on small fixtures built in code. Every expected value
// is computed by hand in the test (the arithmetic is in the comments), never taken from the
// functions under test.
#include <gtest/gtest.h>

#include <cmath>

#include "model/factory.h"
#include "model/flow.h"

namespace osatsim::model {
namespace {

constexpr double kEps = 1e-9;

double min_ticks(double m) { return static_cast<double>(minutes(m)); }

Step step(const std::string& name, TimeBasis basis, double time_min, ToolGroupId group = 0) {
  Step s;
  s.name = name;
  s.tool_group = group;
  s.basis = basis;
  s.time = Dist::constant(static_cast<double>(minutes(time_min)));
  s.src = {"route", 1};
  return s;
}

// One tool group (no load / unload), one route, one product, one stream of `lot_size`.
Factory base(std::vector<Step> steps, int lot_size, int sites = 0, double site_yield = 1.0) {
  Factory f;
  f.name = "flow";
  ToolGroup g;
  g.name = "G";
  g.tools = 1;
  g.src = {"tools", 1};
  f.tool_groups.push_back(g);
  Route r;
  r.name = "r";
  r.steps = std::move(steps);
  f.routes.push_back(r);
  Product p;
  p.name = "P";
  p.route = 0;
  p.sites_per_wafer = sites;
  p.site_yield = site_yield;
  p.src = {"parts", 1};
  f.products.push_back(p);
  ReleaseStream st;
  st.name = "L";
  st.product = 0;
  st.wafers_per_lot = lot_size;
  st.interval = Dist::constant(static_cast<double>(hours(1)));
  st.src = {"release", 1};
  f.streams.push_back(st);
  return f;
}

void expect_valid(const Factory& f) {
  const Diagnostics d = f.validate();
  ASSERT_TRUE(d.ok()) << d.to_string();
}

// ---------------------------------------------------------------------------------------------
// Splits

TEST(Flow, SplitOfTwentyUnitsIntoThreeLots) {
  // 2 wafers x 10 sites, all good: 20 units; split_units 8 -> ceil(20/8) = 3 lots (7, 7, 6).
  Step t = step("bump", TimeBasis::PerWafer, 10);
  t.transform_to_units = true;
  t.split_units = 8;
  Factory f = base({step("probe", TimeBasis::PerWafer, 5), t, step("pack", TimeBasis::PerUnit, 2),
                    step("test", TimeBasis::PerLot, 30)},
                   2, 10);
  expect_valid(f);
  const StreamFlow sf = stream_flow(f, 0);
  ASSERT_EQ(sf.steps.size(), 4u);
  EXPECT_FALSE(sf.starts_as_units);
  EXPECT_NEAR(sf.wafers_per_lot, 2.0, kEps);
  // Before and at the transform: one lot of 2 wafers.
  for (int j = 0; j < 2; ++j) {
    EXPECT_NEAR(sf.steps[j].lots, 1.0, kEps);
    EXPECT_NEAR(sf.steps[j].load_visits, 1.0, kEps);
    EXPECT_FALSE(sf.steps[j].in_units);
    EXPECT_NEAR(sf.steps[j].wafers, 2.0, kEps);
    EXPECT_NEAR(sf.steps[j].quantity, 2.0, kEps);  // per wafer
    EXPECT_NEAR(sf.steps[j].pm_pieces, 2.0, kEps);
  }
  // After: 3 lots of 20/3 units; the unit lot keeps its wafer count (2) at the transform.
  for (int j = 2; j < 4; ++j) {
    EXPECT_NEAR(sf.steps[j].lots, 3.0, kEps);
    EXPECT_NEAR(sf.steps[j].visits, 1.0, kEps);
    EXPECT_NEAR(sf.steps[j].load_visits, 3.0, kEps);
    EXPECT_TRUE(sf.steps[j].in_units);
    EXPECT_NEAR(sf.steps[j].units, 20.0 / 3.0, kEps);
    EXPECT_NEAR(sf.steps[j].wafers, 2.0, kEps);
  }
  EXPECT_NEAR(sf.steps[2].quantity, 20.0 / 3.0, kEps);               // per unit
  EXPECT_NEAR(sf.steps[2].lot_time, 20.0 / 3.0 * min_ticks(2), 1e-6);  // 2 min per unit
  EXPECT_NEAR(sf.steps[3].quantity, 1.0, kEps);                      // per lot
  EXPECT_NEAR(sf.lots_out, 3.0, kEps);
  EXPECT_NEAR(sf.units_out, 20.0, kEps);
  EXPECT_NEAR(sf.wafers_out, 0.0, kEps);
  // Raw process time per lot: 5 x 2 + 10 x 2 + 2 x 20/3 + 30 minutes.
  EXPECT_NEAR(sf.raw_process, min_ticks(10) + min_ticks(20) + 20.0 / 3.0 * min_ticks(2) + min_ticks(30),
              1e-6);
}

TEST(Flow, SplitOfBinomialUnits) {
  // 1 wafer x 4 sites, site_yield 0.5: U ~ Binomial(4, 0.5), P(U = 0..4) = 1, 4, 6, 4, 1 / 16.
  // split_units 2: children 0 (U = 0), 1 (U <= 2), 2 (U = 3, 4).
  // E[lots] = 4/16 + 6/16 + 2 (4/16 + 1/16) = 20/16; E[U] = 4 x 0.5 = 2; units/lot = 2/(20/16) = 1.6.
  Step t = step("saw", TimeBasis::PerWafer, 10);
  t.transform_to_units = true;
  t.split_units = 2;
  Factory f = base({t, step("pack", TimeBasis::PerUnit, 1)}, 1, 4, 0.5);
  expect_valid(f);
  const StreamFlow sf = stream_flow(f, 0);
  EXPECT_NEAR(sf.steps[1].lots, 20.0 / 16.0, kEps);
  EXPECT_NEAR(sf.steps[1].load_visits, 20.0 / 16.0, kEps);
  EXPECT_NEAR(sf.steps[1].units, 1.6, kEps);
  EXPECT_NEAR(sf.steps[1].quantity, 1.6, kEps);
  EXPECT_NEAR(sf.lots_out, 20.0 / 16.0, kEps);
  EXPECT_NEAR(sf.units_out, 2.0, kEps);
}

TEST(Flow, NoSplitWhenUnderTheCap) {
  // 1 wafer x 6 sites = 6 units, split_units 8: one lot of 6.
  Step t = step("saw", TimeBasis::PerWafer, 10);
  t.transform_to_units = true;
  t.split_units = 8;
  Factory f = base({t, step("pack", TimeBasis::PerUnit, 1)}, 1, 6);
  expect_valid(f);
  const StreamFlow sf = stream_flow(f, 0);
  EXPECT_NEAR(sf.steps[1].lots, 1.0, kEps);
  EXPECT_NEAR(sf.steps[1].units, 6.0, kEps);
}

// ---------------------------------------------------------------------------------------------
// Unit-start products

TEST(Flow, UnitStartProduct) {
  // A lot of 10 units from its release: 2 min per unit, 3 min per site (= per unit), 20 min per
  // lot, a 0.9 unit yield at the second step.
  Step y = step("attach", TimeBasis::PerSite, 3);
  y.yield = 0.9;
  Factory f = base({step("load", TimeBasis::PerUnit, 2), y, step("test", TimeBasis::PerLot, 20)},
                   10, 0);
  f.products[0].starts_as_units = true;
  expect_valid(f);
  const StreamFlow sf = stream_flow(f, 0);
  EXPECT_TRUE(sf.starts_as_units);
  EXPECT_NEAR(sf.wafers_per_lot, 0.0, kEps);
  EXPECT_NEAR(sf.units_per_lot, 10.0, kEps);
  for (const StepFlow& s : sf.steps) {
    EXPECT_TRUE(s.in_units);
    EXPECT_NEAR(s.wafers, 0.0, kEps);
    EXPECT_NEAR(s.pm_pieces, 0.0, kEps);
  }
  EXPECT_NEAR(sf.steps[0].units, 10.0, kEps);
  EXPECT_NEAR(sf.steps[0].quantity, 10.0, kEps);
  EXPECT_NEAR(sf.steps[1].quantity, 10.0, kEps);
  EXPECT_NEAR(sf.steps[0].lot_time, 10 * min_ticks(2), 1e-6);
  EXPECT_NEAR(sf.steps[1].lot_time, 10 * min_ticks(3), 1e-6);
  // After the yield: the lot survives unless all 10 units are lost: 1 - 0.1^10; good units per
  // released lot 10 x 0.9 = 9.
  EXPECT_NEAR(sf.steps[2].lots, 1.0 - std::pow(0.1, 10), kEps);
  EXPECT_NEAR(sf.units_out, 9.0, 1e-9);
  EXPECT_NEAR(sf.wafers_out, 0.0, kEps);
  // RPT: 10 x 2 + 10 x 3 + 20 = 70 minutes.
  EXPECT_NEAR(sf.raw_process, min_ticks(70), 1e-6);
  EXPECT_NEAR(sf.raw_process_sampled, min_ticks(70), 1e-6);
}

TEST(Flow, UnitLotScrapKeepsTheExpectedUnits) {
  // A lot of 2 units, yield 0.5: U ~ Binomial(2, 0.5); the lot leaves when U = 0 (p 1/4).
  // Lots at the next step 3/4; units of a surviving lot E[U | U > 0] = (2 x 0.5) / (3/4) = 4/3;
  // good units per released lot 2 x 0.5 = 1.
  Step y = step("y", TimeBasis::PerUnit, 1);
  y.yield = 0.5;
  Factory f = base({y, step("next", TimeBasis::PerUnit, 3)}, 2, 0);
  f.products[0].starts_as_units = true;
  expect_valid(f);
  const StreamFlow sf = stream_flow(f, 0);
  EXPECT_NEAR(sf.steps[1].lots, 0.75, kEps);
  EXPECT_NEAR(sf.steps[1].units, 4.0 / 3.0, kEps);
  EXPECT_NEAR(sf.steps[1].lots * sf.steps[1].quantity, 1.0, kEps);  // units processed
  EXPECT_NEAR(sf.lots_out, 0.75, kEps);
  EXPECT_NEAR(sf.units_out, 1.0, kEps);
}

// ---------------------------------------------------------------------------------------------
// Rework and sampling

TEST(Flow, ReworkLoop) {
  // Steps 0, 1, 2, 3; step 1 returns to step 0 with probability 0.2: steps 0..1 are passed
  // 1 / (1 - 0.2) = 1.25 times, the others once.
  Step r = step("s1", TimeBasis::PerLot, 10);
  r.rework_step = 0;
  r.rework_probability = 0.2;
  Factory f = base({step("s0", TimeBasis::PerLot, 10), r, step("s2", TimeBasis::PerLot, 10),
                    step("s3", TimeBasis::PerLot, 10)},
                   25);
  expect_valid(f);
  const std::vector<double> passes = rework_passes(f.routes[0]);
  ASSERT_EQ(passes.size(), 4u);
  EXPECT_NEAR(passes[0], 1.25, kEps);
  EXPECT_NEAR(passes[1], 1.25, kEps);
  EXPECT_NEAR(passes[2], 1.0, kEps);
  EXPECT_NEAR(passes[3], 1.0, kEps);
  const StreamFlow sf = stream_flow(f, 0);
  EXPECT_NEAR(sf.steps[0].visits, 1.25, kEps);
  EXPECT_NEAR(sf.steps[1].visits, 1.25, kEps);
  EXPECT_NEAR(sf.steps[1].load_visits, 1.25, kEps);
  EXPECT_NEAR(sf.steps[2].visits, 1.0, kEps);
  EXPECT_NEAR(sf.steps[3].visits, 1.0, kEps);
  // RPT counts every step once: 4 x 10 minutes.
  EXPECT_NEAR(sf.raw_process, min_ticks(40), 1e-6);

  // Sampling 0.5 on the rework step: the loop is taken with probability 0.5 x 0.2 = 0.1, so
  // steps 0..1 are passed 1 / 0.9 times; step 1 is performed on half of them.
  f.routes[0].steps[1].sample_probability = 0.5;
  expect_valid(f);
  const std::vector<double> p2 = rework_passes(f.routes[0]);
  EXPECT_NEAR(p2[0], 1.0 / 0.9, kEps);
  EXPECT_NEAR(p2[1], 1.0 / 0.9, kEps);
  const StreamFlow s2 = stream_flow(f, 0);
  EXPECT_NEAR(s2.steps[0].visits, 1.0 / 0.9, kEps);
  EXPECT_NEAR(s2.steps[1].visits, 0.5 / 0.9, kEps);
  EXPECT_NEAR(s2.steps[2].visits, 1.0, kEps);
}

TEST(Flow, NestedReworkLoopsMultiply) {
  // Step 1 returns to 1 with 0.5 (passes x2); step 2 returns to 0 with 0.2 (passes x1.25):
  // step 0: 1.25, step 1: 2 x 1.25 = 2.5, step 2: 1.25.
  Step a = step("s1", TimeBasis::PerLot, 1);
  a.rework_step = 1;
  a.rework_probability = 0.5;
  Step b = step("s2", TimeBasis::PerLot, 1);
  b.rework_step = 0;
  b.rework_probability = 0.2;
  Factory f = base({step("s0", TimeBasis::PerLot, 1), a, b}, 25);
  expect_valid(f);
  const std::vector<double> p = rework_passes(f.routes[0]);
  EXPECT_NEAR(p[0], 1.25, kEps);
  EXPECT_NEAR(p[1], 2.5, kEps);
  EXPECT_NEAR(p[2], 1.25, kEps);
}

TEST(Flow, SampledStep) {
  // Steps of 10, 20 and 30 minutes per lot; the 20-minute step is sampled at 0.3.
  // RPT = 60 minutes; sampled RPT = 10 + 0.3 x 20 + 30 = 46 minutes.
  Step s = step("s1", TimeBasis::PerLot, 20);
  s.sample_probability = 0.3;
  Factory f = base({step("s0", TimeBasis::PerLot, 10), s, step("s2", TimeBasis::PerLot, 30)}, 25);
  expect_valid(f);
  const StreamFlow sf = stream_flow(f, 0);
  EXPECT_NEAR(sf.steps[1].visits, 0.3, kEps);
  EXPECT_NEAR(sf.steps[1].load_visits, 0.3, kEps);
  EXPECT_NEAR(sf.steps[0].visits, 1.0, kEps);
  EXPECT_NEAR(sf.steps[1].lot_time, min_ticks(20), 1e-6);
  EXPECT_NEAR(sf.raw_process, min_ticks(60), 1e-6);
  EXPECT_NEAR(sf.raw_process_sampled, min_ticks(46), 1e-6);
}

// ---------------------------------------------------------------------------------------------
// Yields

TEST(Flow, SampledYield) {
  // 25 wafers; a per-wafer yield of 0.9 on a step performed for half of the lots: a wafer
  // survives with 1 - 0.5 x 0.1 = 0.95 -> 23.75 wafers at the next step.
  Step y = step("insp", TimeBasis::PerWafer, 1);
  y.yield = 0.9;
  y.sample_probability = 0.5;
  Factory f = base({y, step("next", TimeBasis::PerWafer, 1)}, 25);
  expect_valid(f);
  const StreamFlow sf = stream_flow(f, 0);
  EXPECT_NEAR(sf.steps[0].wafers, 25.0, kEps);
  EXPECT_NEAR(sf.steps[1].wafers, 25.0 * 0.95, kEps);
  EXPECT_NEAR(sf.steps[1].quantity, 23.75, kEps);
  EXPECT_NEAR(sf.steps[1].pm_pieces, 23.75, kEps);
  EXPECT_NEAR(sf.wafers_out, 23.75, kEps);
}

TEST(Flow, YieldOnAReworkedStep) {
  // Yield 0.9 on a step that returns to itself with 0.2: N passes, P(N = n) = 0.8 x 0.2^(n-1);
  // E[0.9^N] = sum 0.8 x 0.2^(n-1) x 0.9^n = 0.8 x 0.9 / (1 - 0.2 x 0.9) = 0.72 / 0.82.
  Step y = step("y", TimeBasis::PerWafer, 1);
  y.yield = 0.9;
  y.rework_step = 0;
  y.rework_probability = 0.2;
  Factory f = base({y, step("next", TimeBasis::PerWafer, 1)}, 10);
  expect_valid(f);
  const StreamFlow sf = stream_flow(f, 0);
  EXPECT_NEAR(sf.steps[1].wafers, 10 * 0.72 / 0.82, kEps);
}

TEST(Flow, WaferLossBeforeTheTransform) {
  // 2 wafers with wafer yield 0.5 before a transform of 3 sites per wafer (site yield 1), no
  // split: W ~ Binomial(2, 0.5); no child lot when W = 0 (p 1/4): lots 3/4; units
  // E[3W] = 3; units per lot 3 / (3/4) = 4.
  Step y = step("y", TimeBasis::PerWafer, 1);
  y.yield = 0.5;
  Step t = step("t", TimeBasis::PerWafer, 1);
  t.transform_to_units = true;
  Factory f = base({y, t, step("u", TimeBasis::PerUnit, 1)}, 2, 3);
  expect_valid(f);
  const StreamFlow sf = stream_flow(f, 0);
  EXPECT_NEAR(sf.steps[1].wafers, 1.0, kEps);
  EXPECT_NEAR(sf.steps[2].lots, 0.75, kEps);
  EXPECT_NEAR(sf.steps[2].units, 4.0, kEps);
  EXPECT_NEAR(sf.units_out, 3.0, kEps);
}

// ---------------------------------------------------------------------------------------------
// Time basis and lot time

TEST(Flow, BasisQuantity) {
  Product p;
  p.sites_per_wafer = 10;
  p.dies = {{0, 2}, {1, 4}};  // 2 dies of component 0, 4 of component 1 per package
  // A wafer lot of 3 wafers.
  EXPECT_NEAR(basis_quantity(TimeBasis::PerLot, 3, 0, false, p, kNone), 1.0, kEps);
  EXPECT_NEAR(basis_quantity(TimeBasis::PerBatch, 3, 0, false, p, kNone), 1.0, kEps);
  EXPECT_NEAR(basis_quantity(TimeBasis::PerWafer, 3, 0, false, p, kNone), 3.0, kEps);
  EXPECT_NEAR(basis_quantity(TimeBasis::PerSite, 3, 0, false, p, kNone), 30.0, kEps);  // 3 x 10
  EXPECT_NEAR(basis_quantity(TimeBasis::PerUnit, 3, 0, false, p, kNone), 30.0, kEps);
  EXPECT_NEAR(basis_quantity(TimeBasis::PerDie, 3, 0, false, p, 0), 60.0, kEps);   // 30 x 2
  EXPECT_NEAR(basis_quantity(TimeBasis::PerDie, 3, 0, false, p, 1), 120.0, kEps);  // 30 x 4
  EXPECT_NEAR(basis_quantity(TimeBasis::PerDie, 3, 0, false, p, kNone), 180.0, kEps);  // 30 x 6
  EXPECT_NEAR(basis_quantity(TimeBasis::PerDie, 3, 0, false, p, 7), 0.0, kEps);  // not in package
  // The same lot after its transform: 7 units, 3 wafers at the transform.
  EXPECT_NEAR(basis_quantity(TimeBasis::PerLot, 3, 7, true, p, kNone), 1.0, kEps);
  EXPECT_NEAR(basis_quantity(TimeBasis::PerWafer, 3, 7, true, p, kNone), 3.0, kEps);
  EXPECT_NEAR(basis_quantity(TimeBasis::PerSite, 3, 7, true, p, kNone), 7.0, kEps);
  EXPECT_NEAR(basis_quantity(TimeBasis::PerUnit, 3, 7, true, p, kNone), 7.0, kEps);
  EXPECT_NEAR(basis_quantity(TimeBasis::PerDie, 3, 7, true, p, 1), 28.0, kEps);      // 7 x 4
  EXPECT_NEAR(basis_quantity(TimeBasis::PerDie, 3, 7, true, p, kNone), 42.0, kEps);  // 7 x 6
}

TEST(Flow, MeanLotTime) {
  Factory f = base({step("s", TimeBasis::PerWafer, 10)}, 25, 10);
  f.tool_groups[0].load_time = minutes(1);
  f.tool_groups[0].unload_time = minutes(2);
  const Product& p = f.products[0];
  Step s = step("s", TimeBasis::PerWafer, 10);
  s.overhead = minutes(5);
  // Overhead per job: 1 + 2 + 5 + 10 x 4 = 48 minutes for 4 wafers.
  EXPECT_NEAR(mean_lot_time(f, s, 4, 0, false, p), min_ticks(48), 1e-6);
  // Overhead per wafer: 1 + 2 + 5 x 4 + 10 x 4 = 63 minutes.
  s.overhead_per_wafer = true;
  EXPECT_NEAR(mean_lot_time(f, s, 4, 0, false, p), min_ticks(63), 1e-6);
  // Per unit once the lot counts units: 7 units, per-unit step of 10 minutes:
  // 1 + 2 + 5 x 7 + 10 x 7 = 108 minutes.
  Step u = s;
  u.basis = TimeBasis::PerUnit;
  EXPECT_NEAR(mean_lot_time(f, u, 4, 7, true, p), min_ticks(108), 1e-6);
  // Per site on wafers: 1 + 2 + 5 (per job) + 0.5 x 4 x 10 sites = 28 minutes.
  Step site = step("site", TimeBasis::PerSite, 0.5);
  site.overhead = minutes(5);
  EXPECT_NEAR(mean_lot_time(f, site, 4, 0, false, p), min_ticks(28), 1e-6);

  // Cascading group (capacity 3): per wafer X + (W - 1) c, per lot X.
  f.tool_groups[0].capacity = 3;
  Step c = step("casc", TimeBasis::PerWafer, 30);
  c.cascade_basis = CascadeBasis::PerWafer;
  c.cascade_interval = minutes(4);
  // 1 + 2 + 30 + (25 - 1) x 4 = 129 minutes.
  EXPECT_NEAR(mean_lot_time(f, c, 25, 0, false, p), min_ticks(129), 1e-6);
  c.cascade_basis = CascadeBasis::PerLot;
  // 1 + 2 + 30 = 33 minutes.
  EXPECT_NEAR(mean_lot_time(f, c, 25, 0, false, p), min_ticks(33), 1e-6);
  // The same cascade settings on a single-capacity group: 1 + 2 + 30 x 25 = 753 minutes.
  f.tool_groups[0].capacity = 1;
  c.cascade_basis = CascadeBasis::PerWafer;
  EXPECT_NEAR(mean_lot_time(f, c, 25, 0, false, p), min_ticks(753), 1e-6);
}

TEST(Flow, KitDraws) {
  // 2 wafers x 10 sites, one die component with 2 dies per package; the attach step after the
  // transform draws 2 dies per die placement, the wafer step 1 carrier per wafer.
  Step w = step("w", TimeBasis::PerWafer, 1);
  w.kit = {{1, 1.0, TimeBasis::PerWafer}};
  w.transform_to_units = true;
  Step a = step("attach", TimeBasis::PerDie, 1);
  a.die_component = 0;
  a.kit = {{0, 1.0, TimeBasis::PerDie}, {1, 0.5, TimeBasis::PerLot}};
  Factory f = base({w, a}, 2, 10);
  f.components = {{"die", 0, 0, {"c", 1}}, {"carrier", 0, 0, {"c", 2}}};
  f.products[0].dies = {{0, 2}};
  expect_valid(f);
  const StreamFlow sf = stream_flow(f, 0);
  ASSERT_EQ(sf.steps[0].kit.size(), 1u);
  EXPECT_EQ(sf.steps[0].kit[0].first, 1);
  EXPECT_NEAR(sf.steps[0].kit[0].second, 2.0, kEps);  // 2 wafers x 1
  ASSERT_EQ(sf.steps[1].kit.size(), 2u);
  EXPECT_NEAR(sf.steps[1].kit[0].second, 40.0, kEps);  // 20 units x 2 dies
  EXPECT_NEAR(sf.steps[1].kit[1].second, 0.5, kEps);   // 0.5 per lot
  EXPECT_NEAR(sf.steps[1].quantity, 40.0, kEps);
}

// ---------------------------------------------------------------------------------------------
// Setup changes and transport lanes

TEST(Flow, SetupChangeTime) {
  Factory f = base({step("s", TimeBasis::PerLot, 1)}, 25);
  const SetupId a = f.intern_setup("a");
  const SetupId b = f.intern_setup("b");
  const SetupId c = f.intern_setup("c");
  // The any-row is listed before the exact row: the exact row still wins.
  f.setup_changes.push_back({kNone, b, minutes(9), {"setups", 1}});
  f.setup_changes.push_back({a, b, minutes(5), {"setups", 2}});
  f.setup_changes.push_back({a, b, minutes(6), {"setups", 3}});    // duplicate: the first wins
  f.setup_changes.push_back({kNone, c, minutes(8), {"setups", 4}});
  f.setup_changes.push_back({kNone, c, minutes(11), {"setups", 5}});  // duplicate any-row
  EXPECT_EQ(setup_change_time(f, a, b), minutes(5));
  EXPECT_EQ(setup_change_time(f, c, b), minutes(9));      // no exact row: any
  EXPECT_EQ(setup_change_time(f, kNone, b), minutes(9));  // from no state: any
  EXPECT_EQ(setup_change_time(f, a, c), minutes(8));      // first any-row
  EXPECT_EQ(setup_change_time(f, b, b), 0);               // same state
  EXPECT_EQ(setup_change_time(f, a, kNone), 0);           // no requirement
  EXPECT_EQ(setup_change_time(f, b, a), 0);               // no row to a

  const std::vector<Ticks> m = setup_change_matrix(f);
  const std::size_t n = 3;
  ASSERT_EQ(m.size(), (n + 1) * n);
  auto at = [&](SetupId from, SetupId to) {
    return m[static_cast<std::size_t>(from + 1) * n + static_cast<std::size_t>(to)];
  };
  EXPECT_EQ(at(a, b), minutes(5));
  EXPECT_EQ(at(c, b), minutes(9));
  EXPECT_EQ(at(kNone, b), minutes(9));
  EXPECT_EQ(at(kNone, c), minutes(8));
  EXPECT_EQ(at(b, b), 0);
  EXPECT_EQ(at(kNone, a), 0);
}

TEST(Flow, TransportLaneMatrix) {
  Factory f = base({step("s", TimeBasis::PerLot, 1)}, 25);
  const LocationId x = f.intern_location("x");
  const LocationId y = f.intern_location("y");
  const LocationId z = f.intern_location("z");
  f.transport.push_back({x, y, Dist::constant(minutes(1)), {"lanes", 1}});  // 0
  f.transport.push_back({y, x, Dist::constant(minutes(2)), {"lanes", 2}});  // 1
  f.transport.push_back({x, y, Dist::constant(minutes(3)), {"lanes", 3}});  // 2: duplicate
  f.transport.push_back({z, z, Dist::constant(minutes(4)), {"lanes", 4}});  // 3
  const std::vector<std::int32_t> m = transport_lane_matrix(f);
  ASSERT_EQ(m.size(), 9u);
  auto at = [&](LocationId from, LocationId to) {
    return m[static_cast<std::size_t>(from) * 3 + static_cast<std::size_t>(to)];
  };
  EXPECT_EQ(at(x, y), 0);  // the first lane listed
  EXPECT_EQ(at(y, x), 1);
  EXPECT_EQ(at(z, z), 3);
  EXPECT_EQ(at(x, x), -1);
  EXPECT_EQ(at(x, z), -1);
  EXPECT_EQ(at(z, y), -1);
  EXPECT_EQ(at(y, y), -1);
}

// ---------------------------------------------------------------------------------------------
// Batch sizes

TEST(Flow, BatchSizeOfAUnitLotAfterASplit) {
  // 1 wafer x 64 sites = 64 units, split_units 32 -> 2 lots of 32 units; the lot keeps 1 wafer.
  Step t = step("saw", TimeBasis::PerWafer, 1);
  t.transform_to_units = true;
  t.split_units = 32;
  Factory f = base({t, step("oven", TimeBasis::PerBatch, 60)}, 1, 64);
  const StreamFlow sf = stream_flow(f, 0);
  const StepFlow& o = sf.steps[1];
  EXPECT_NEAR(o.lots, 2.0, kEps);
  EXPECT_NEAR(o.batch_size(BatchUnit::Unit), 32.0, kEps);
  EXPECT_NEAR(o.batch_size(BatchUnit::Lot), 1.0, kEps);
  EXPECT_NEAR(o.batch_size(BatchUnit::Wafer), 1.0, kEps);
  // Before the transform a Unit batch counts wafers.
  EXPECT_NEAR(sf.steps[0].batch_size(BatchUnit::Unit), 1.0, kEps);
  EXPECT_NEAR(sf.steps[0].batch_size(BatchUnit::Wafer), 1.0, kEps);
}

}  // namespace
}  // namespace osatsim::model
