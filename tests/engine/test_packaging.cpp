// Packaging extensions: wafer-to-unit transform, yields, per-site/per-die/per-unit times, kits.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "engine/engine.h"
#include "fixture.h"

namespace osatsim::engine::test {
namespace {

using model::TimeBasis;

// Wafers of 4 sites; a per-site step, a transform, a per-die step (2 dies per package), a
// per-unit step with overhead per job.
TEST(EnginePackaging, TimeBasesAndTransformCounts) {
  Builder b;
  const auto g = b.group("G", 1);
  b.f.components.push_back({"hbm", 1e9, 0, {}});
  model::Step site = step(g, minutes(1), TimeBasis::PerSite);
  model::Step xf = step(g, minutes(5));
  xf.transform_to_units = true;
  model::Step die = step(g, minutes(1), TimeBasis::PerDie);
  die.die_component = 0;
  model::Step unit = step(g, minutes(2), TimeBasis::PerUnit);
  unit.overhead = minutes(3);
  const auto p = b.product("p", {site, xf, die, unit});
  b.f.products[p].sites_per_wafer = 4;
  b.f.products[p].dies = {{0, 2}};
  const auto s = b.stream("L", p, Dist::constant(static_cast<double>(days(100))), 0);
  b.wip("w", s, 0, 2);  // 2 wafers -> 8 sites
  Recorder rec;
  const Results r = simulate(b.f, [&] {
    Options o;
    o.days = 1;
    o.observer = &rec;
    return o;
  }());
  ASSERT_EQ(rec.done.size(), 4u);
  EXPECT_EQ(rec.done[0].t, minutes(8));            // 8 sites x 1 min
  EXPECT_EQ(rec.done[1].t, minutes(8 + 5));        // per lot
  EXPECT_EQ(rec.done[2].t, minutes(13 + 16));      // 8 units x 2 dies x 1 min
  EXPECT_EQ(rec.done[3].t, minutes(29 + 16 + 3));  // 8 units x 2 min + 3 min overhead
  EXPECT_EQ(r.packaging.units_created, 8);
  EXPECT_EQ(r.packaging.units_out, 8);
  EXPECT_EQ(r.lot_types[0].units_out, 8);
  EXPECT_TRUE(r.packaging.present);
}

// Yields: 90 % wafer yield before the transform, 60 % site yield, 95 % unit yield after.
// Conservation of wafers and of units; expected good units per lot = 25 x 0.9 x 10 x 0.6 x 0.95.
TEST(EnginePackaging, YieldScrapAndConservation) {
  Builder b;
  const auto g = b.group("G", 4);
  model::Step s0 = step(g, minutes(10));
  s0.yield = 0.9;
  model::Step xf = step(g, minutes(10));
  xf.transform_to_units = true;
  model::Step s2 = step(g, minutes(10));
  s2.yield = 0.95;
  const auto p = b.product("p", {s0, xf, s2});
  b.f.products[p].sites_per_wafer = 10;
  b.f.products[p].site_yield = 0.6;
  b.stream("L", p, Dist::constant(static_cast<double>(hours(1))));
  Options o;
  o.days = 200;
  const Results r = simulate(b.f, o);
  const auto& k = r.packaging;
  EXPECT_DOUBLE_EQ(k.wafers_released,
                   k.wafers_scrapped + k.wafers_transformed + k.wafers_out + k.wafers_in_fab);
  EXPECT_DOUBLE_EQ(k.units_created, k.units_scrapped + k.units_out + k.units_in_fab);
  const double per_lot = k.units_out / static_cast<double>(r.lots_completed);
  EXPECT_NEAR(per_lot, 25 * 0.9 * 10 * 0.6 * 0.95, 0.02 * 128.25);
  EXPECT_NEAR(k.wafers_scrapped / k.wafers_released, 0.1, 0.01);
  ASSERT_EQ(k.step_yields.size(), 3u);
  EXPECT_NEAR(k.step_yields[0].out / k.step_yields[0].in, 0.9, 0.01);
  EXPECT_NEAR(k.step_yields[2].out / k.step_yields[2].in, 0.95, 0.01);
  EXPECT_EQ(k.units_out_per_month.size(), 1u);
  EXPECT_GT(k.units_out_per_month[0].second, 0);
}

// A lot whose every wafer is lost is scrapped.
TEST(EnginePackaging, LotReachingZeroIsScrapped) {
  Builder b;
  const auto g = b.group("G", 1);
  model::Step s0 = step(g, minutes(10));
  s0.yield = 0.05;
  const auto p = b.product("p", {s0});
  b.stream("L", p, Dist::constant(static_cast<double>(hours(1))), -1, 10, 0, 1);  // 1 wafer
  Options o;
  o.days = 50;
  const Results r = simulate(b.f, o);
  const auto& t = r.lot_types[0];
  EXPECT_GT(t.scrapped_total, 0);
  EXPECT_NEAR(static_cast<double>(t.scrapped_total) / (t.scrapped_total + t.completed_total), 0.95,
              0.03);
  EXPECT_EQ(t.released, t.completed_total + t.scrapped_total + t.in_fab_end);
}

// Kitting: 1 substrate per lot; stock 3 at start and 1 delivered every 10 h; lots every hour.
// Starts are limited by the kits, lots wait (reported), components are conserved.
TEST(EnginePackaging, KitStarvation) {
  Builder b;
  const auto g = b.group("Attach", 2);
  b.f.components.push_back({"substrate", 3, 0, {}});
  b.f.supplies.push_back({0, hours(10), hours(10), 1.0, -1, {}});
  model::Step s = step(g, minutes(30));
  s.kit.push_back({0, 1.0, TimeBasis::PerLot});
  const auto p = b.product("p", {s});
  b.stream("L", p, Dist::constant(static_cast<double>(hours(1))));
  Options o;
  o.days = 10;  // 240 h: 24 deliveries (10 h .. 240 h) + 3 in stock
  Recorder rec;
  o.observer = &rec;
  const Results r = simulate(b.f, o);
  const auto& c = r.packaging.components.at(0);
  EXPECT_DOUBLE_EQ(c.initial_stock + c.delivered, c.consumed + c.final_stock);
  EXPECT_DOUBLE_EQ(c.delivered, 24);
  EXPECT_DOUBLE_EQ(c.consumed, 27);
  EXPECT_EQ(rec.starts.size(), 27u);
  EXPECT_GE(c.final_stock, 0);
  EXPECT_GT(c.stockouts, 0);
  EXPECT_GT(c.starved_lot_hours, 0);
  // Starts after the initial stock happen only at delivery instants.
  for (std::size_t i = 3; i < rec.starts.size(); ++i)
    EXPECT_EQ(rec.starts[i].t % hours(10), 0) << i;
}

// A transform with split_units: 2 wafers x 10 sites = 20 units, at most 6 per lot -> 4 lots of 5.
TEST(EnginePackaging, TransformSplitsIntoAssemblyLots) {
  Builder b;
  const auto g = b.group("G", 1);
  model::Step xf = step(g, minutes(5));
  xf.transform_to_units = true;
  xf.split_units = 6;
  const auto p = b.product("p", {xf, step(g, minutes(1), TimeBasis::PerUnit)});
  b.f.products[p].sites_per_wafer = 10;
  const auto s = b.stream("L", p, Dist::constant(static_cast<double>(days(100))), 0);
  b.wip("w", s, 0, 2);
  Recorder rec;
  Options o;
  o.days = 1;
  o.observer = &rec;
  const Results r = simulate(b.f, o);
  EXPECT_EQ(r.lot_types[0].split_children, 3);
  EXPECT_EQ(r.lot_types[0].completed_total, 4);
  EXPECT_EQ(r.lot_types[0].units_out, 20);
  EXPECT_EQ(r.lots_split_children, 3);
  // Four 5-unit jobs of 5 min after the 5-min transform.
  ASSERT_EQ(rec.exits.size(), 4u);
  EXPECT_EQ(rec.exits.back().first, minutes(5 + 4 * 5));
  const auto& k = r.packaging;
  EXPECT_DOUBLE_EQ(k.units_created, k.units_scrapped + k.units_out + k.units_in_fab);
}

// Lots of a product that starts as units count units from their release.
TEST(EnginePackaging, StartsAsUnits) {
  Builder b;
  const auto g = b.group("G", 1);
  const auto p = b.product("p", {step(g, minutes(1), TimeBasis::PerUnit)});
  b.f.products[p].starts_as_units = true;
  const auto s = b.stream("L", p, Dist::constant(static_cast<double>(days(100))), 0, 10, 0, 16);
  b.wip("w", s, 0, 16);
  Recorder rec;
  Options o;
  o.days = 1;
  o.observer = &rec;
  const Results r = simulate(b.f, o);
  ASSERT_EQ(rec.exits.size(), 1u);
  EXPECT_EQ(rec.exits[0].first, minutes(16));
  EXPECT_EQ(r.packaging.units_created, 16);
  EXPECT_EQ(r.packaging.units_out, 16);
  EXPECT_EQ(r.packaging.wafers_released, 0);
}

// A batch counted in units of one-unit lots: at most 256 lots per job, none lost.
TEST(EnginePackaging, LargeBatchesAreCappedNotLost) {
  Builder b;
  const auto g = b.group("Oven", 1);
  b.f.tool_groups[g].batch_criterion = model::BatchCriterion::SameRouteStep;
  b.f.tool_groups[g].batch_unit = model::BatchUnit::Unit;
  model::Step s = step(g, hours(1), TimeBasis::PerBatch);
  s.batch_min = 1;
  s.batch_max = 300;
  const auto p = b.product("p", {s});
  b.f.products[p].starts_as_units = true;
  const auto st = b.stream("L", p, Dist::constant(static_cast<double>(days(100))), 0, 10, 0, 1);
  for (int i = 0; i < 300; ++i) b.wip(fmt::format("w{}", i), st, 0, 1);
  Recorder rec;
  Options o;
  o.days = 1;
  o.observer = &rec;
  const Results r = simulate(b.f, o);
  ASSERT_EQ(rec.starts.size(), 2u);
  EXPECT_EQ(rec.starts[0].lots.size(), 256u);
  EXPECT_EQ(rec.starts[1].lots.size(), 44u);
  EXPECT_EQ(r.lot_types[0].completed_total, 300);
  EXPECT_EQ(r.packaging.units_out, 300);
}

}  // namespace
}  // namespace osatsim::engine::test
