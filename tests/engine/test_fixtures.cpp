// Hand-computable fixtures: every expected value below is worked out from the semantics in
// docs/engine.md, not taken from a run.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <cmath>
#include <map>
#include <set>
#include <tuple>

#include "engine/engine.h"
#include "fixture.h"

namespace osatsim::engine::test {
namespace {

using model::TimeBasis;

// Products pa and pb, one step each on group g taking `time`, needing setup A and B.
std::pair<model::ProductId, model::ProductId> setup_products(Builder& b, model::ToolGroupId g,
                                                             model::SetupId A, model::SetupId B,
                                                             Ticks time) {
  model::Step sa = step(g, time);
  sa.setup = A;
  model::Step sb = step(g, time);
  sb.setup = B;
  return {b.product("pa", {sa}), b.product("pb", {sb})};
}

// A group "C" of `tools` per-lot cascading tools (two jobs at once, load and unload 1 min) and
// a step there of 50 min whose entry is occupied 40 min.
std::pair<model::ToolGroupId, model::Step> cascading_group(Builder& b, int tools) {
  const auto g = b.group("C", tools, minutes(1), minutes(1));
  b.f.tool_groups[g].capacity = 2;
  model::Step s = step(g, minutes(50));
  s.cascade_basis = model::CascadeBasis::PerLot;
  s.cascade_interval = minutes(40);
  return {g, s};
}

Options opts(double days, Observer* obs = nullptr) {
  Options o;
  o.days = days;
  o.observer = obs;
  return o;
}

// M/D/1: Poisson arrivals (rate lambda), constant service D, one tool. Pollaczek-Khinchine:
// Wq = lambda D^2 / (2 (1 - rho)).
TEST(EngineFixture, SingleToolMatchesPollaczekKhinchine) {
  Builder b;
  const auto g = b.group("T", 1);
  const Ticks D = hours(1);
  const auto p = b.product("p", {step(g, D)});
  const double rho = 0.7;
  const double lambda_per_hour = rho;
  b.stream("L", p, Dist::exponential(static_cast<double>(hours(1.0 / lambda_per_hour))));
  Options o = opts(3000);
  o.warmup_days = 100;
  const Results r = simulate(b.f, o);
  const double Wq = lambda_per_hour * 1.0 / (2 * (1 - rho));  // hours
  const double ct_hours = r.lot_types[0].cycle_time_days.mean * 24;
  EXPECT_NEAR(ct_hours, Wq + 1.0, 0.05 * (Wq + 1.0));
  EXPECT_NEAR(r.tool_groups[0].busy, rho, 0.02);
  EXPECT_NEAR(r.tool_groups[0].mean_queue_hours, Wq, 0.06 * Wq);
  // Little's law: mean WIP = throughput x mean cycle time.
  const double little = r.lot_types[0].throughput_per_day * r.lot_types[0].cycle_time_days.mean;
  EXPECT_NEAR(r.mean_wip_lots, little, 0.03 * little);
}

// Two lots at once on a cascading tool (per-wafer interval c): the first occupies the entry for
// W c, its lot view is L + X + (W-1) c + U; the second enters after W c.
TEST(EngineFixture, CascadingPerWafer) {
  Builder b;
  const auto g = b.group("C", 1, minutes(1), minutes(1));
  b.f.tool_groups[g].capacity = 2;
  model::Step s = step(g, minutes(4), TimeBasis::PerWafer);
  s.cascade_basis = model::CascadeBasis::PerWafer;
  s.cascade_interval = minutes(3);
  const auto p = b.product("p", {s});
  const auto st = b.stream("L", p, Dist::constant(static_cast<double>(days(1000))), 0);
  b.wip("a", st);
  b.wip("b", st);
  Recorder rec;
  simulate(b.f, opts(1, &rec));
  ASSERT_EQ(rec.starts.size(), 2u);
  EXPECT_EQ(rec.starts[0].t, 0);
  EXPECT_EQ(rec.starts[1].t, 25 * minutes(3));
  ASSERT_EQ(rec.done.size(), 2u);
  EXPECT_EQ(rec.done[0].t, minutes(1 + 4 + 24 * 3 + 1));
  EXPECT_EQ(rec.done[1].t, 25 * minutes(3) + minutes(1 + 4 + 24 * 3 + 1));
  EXPECT_EQ(rec.max_inside, 1);  // entry slots never overlap
}

// Per-lot cascading (BatchInterval c): occupied c, lot view L + X + U.
TEST(EngineFixture, CascadingPerLot) {
  Builder b;
  auto [g, s] = cascading_group(b, 1);
  const auto p = b.product("p", {s});
  const auto st = b.stream("L", p, Dist::constant(static_cast<double>(days(1000))), 0);
  for (int i = 0; i < 3; ++i) b.wip(fmt::format("w{}", i), st);
  Recorder rec;
  simulate(b.f, opts(1, &rec));
  ASSERT_EQ(rec.starts.size(), 3u);
  EXPECT_EQ(rec.starts[1].t, minutes(40));
  EXPECT_EQ(rec.starts[2].t, minutes(80));
  EXPECT_EQ(rec.done[0].t, minutes(52));
  EXPECT_EQ(rec.done[2].t, minutes(132));
}

// Which startable tool takes an arriving lot (IdleTool): two per-lot cascading tools (c 40 min,
// lot 50 min + L/U). Lot a starts on tool 0 at 0; its entry frees at 40 min. Lot b arrives at
// 45 min: under First it cascades into tool 0 (the lowest index), under EmptyFirst it goes to the
// empty tool 1.
TEST(EngineFixture, EmptyToolFirst) {
  for (const IdleTool rule : {IdleTool::First, IdleTool::EmptyFirst}) {
    Builder b;
    auto [g, s] = cascading_group(b, 2);
    const auto p = b.product("p", {s});
    b.stream("a", p, Dist::constant(static_cast<double>(days(1000))), 1);
    const auto later = b.stream("b", p, Dist::constant(static_cast<double>(days(1000))), 1);
    b.f.streams[later].first_release = minutes(45);
    Recorder rec;
    Options o = opts(1, &rec);
    o.idle_tool = rule;
    simulate(b.f, o);
    ASSERT_EQ(rec.starts.size(), 2u);
    EXPECT_EQ(rec.starts[0].tool, 0);
    EXPECT_EQ(rec.starts[1].t, minutes(45));
    EXPECT_EQ(rec.starts[1].tool, rule == IdleTool::EmptyFirst ? 1 : 0);
  }
}

// Setups on a cascading tool (CascadeSetup): per-lot cascading (c 40 min, lot 50 min + 1 + 1),
// setups A and B from any state 30 min. Lot a (A) starts at 0: setup 0-30, entry 30-70, done 82.
// Lot b (B) waits from 10 min and starts at 70. After: its setup 70-100, done 152. Overlap: its
// setup ran during a's occupation (40 min >= 30), so it is done at 70 and b is done at 122; the
// setup time booked is the same (60 min), the busy time 30 min less.
TEST(EngineFixture, CascadingSetupOverlapsTheJobBefore) {
  double setup_share[2], busy_share[2];
  for (const CascadeSetup rule : {CascadeSetup::After, CascadeSetup::Overlap}) {
    Builder b;
    const auto g = b.group("C", 1, minutes(1), minutes(1));
    b.f.tool_groups[g].capacity = 2;
    const auto [A, B] = b.setups(minutes(30));
    model::Step sa = step(g, minutes(50));
    sa.cascade_basis = model::CascadeBasis::PerLot;
    sa.cascade_interval = minutes(40);
    sa.setup = A;
    model::Step sb = sa;
    sb.setup = B;
    b.stream("a", b.product("pa", {sa}), Dist::constant(static_cast<double>(days(1000))), 1);
    const auto later = b.stream("b", b.product("pb", {sb}), Dist::constant(static_cast<double>(days(1000))), 1);
    b.f.streams[later].first_release = minutes(10);
    Recorder rec;
    Options o = opts(1, &rec);
    o.cascade_setup = rule;
    const Results r = simulate(b.f, o);
    ASSERT_EQ(rec.done.size(), 2u);
    const bool overlap = rule == CascadeSetup::Overlap;
    EXPECT_EQ(rec.starts[1].t, minutes(70));
    EXPECT_EQ(rec.done[0].t, minutes(82));
    EXPECT_EQ(rec.done[1].t, minutes(overlap ? 122 : 152));
    setup_share[overlap] = r.tool_groups[0].setup;
    busy_share[overlap] = r.tool_groups[0].busy;
    EXPECT_EQ(r.tool_groups[0].setups, 2);
  }
  EXPECT_NEAR(setup_share[0], 60.0 / 1440, 1e-9);
  EXPECT_NEAR(setup_share[1], 60.0 / 1440, 1e-9);
  EXPECT_NEAR(busy_share[0] - busy_share[1], 30.0 / 1440, 1e-9);
}

// The least-setup wake rule and its reading WakeRule::None: two idle tools, tool 1 in state A
// (lot a0 ran there), tool 0 in B; lot a1 (A) arrives. Least-setup: tool 1 (no setup); None: the
// idle-tool rule alone, tool 0 (a setup).
TEST(EngineFixture, WakeRuleReading) {
  for (const WakeRule rule : {WakeRule::LeastSetup, WakeRule::None}) {
    Builder b;
    const auto g = b.group("W", 2);
    b.f.tool_groups[g].wake_least_setup = true;
    const auto [A, B] = b.setups(minutes(30));
    const auto [pa, pb] = setup_products(b, g, A, B, hours(1));
    // b0 (B) on tool 0 and a0 (A) on tool 1 at 0, both done at 1.5 h; a1 arrives at 3 h.
    b.stream("b0", pb, Dist::constant(static_cast<double>(days(1000))), 1);
    b.stream("a0", pa, Dist::constant(static_cast<double>(days(1000))), 1);
    const auto later = b.stream("a1", pa, Dist::constant(static_cast<double>(days(1000))), 1);
    b.f.streams[later].first_release = hours(3);
    Recorder rec;
    Options o = opts(1, &rec);
    o.wake = rule;
    const Results r = simulate(b.f, o);
    ASSERT_EQ(rec.starts.size(), 3u);
    EXPECT_EQ(rec.starts[0].tool, 0);
    EXPECT_EQ(rec.starts[1].tool, 1);
    EXPECT_EQ(rec.starts[2].t, hours(3));
    EXPECT_EQ(rec.starts[2].tool, rule == WakeRule::LeastSetup ? 1 : 0);
    EXPECT_EQ(r.tool_groups[0].setups, rule == WakeRule::LeastSetup ? 2 : 3);
  }
}

// A furnace group "F" of `tools` tools batching by route step, and a product whose one step
// there takes `time` per batch of 75 to 100 wafers (3 to 4 lots of 25).
model::ProductId furnace(Builder& b, int tools, Ticks time) {
  const auto g = b.group("F", tools);
  b.f.tool_groups[g].batch_criterion = model::BatchCriterion::SameRouteStep;
  model::Step s = step(g, time, TimeBasis::PerBatch);
  s.batch_min = 75;
  s.batch_max = 100;
  return b.product("p", {s});
}

// A furnace: min 75 / max 100 wafers (3 to 4 lots), one lot per hour, batch time 3.5 h.
TEST(EngineFixture, BatchStartsAtMinimumAndFillsToMaximum) {
  Builder b;
  const auto p = furnace(b, 1, minutes(210));
  b.stream("L", p, Dist::constant(static_cast<double>(hours(1))), 40);
  Recorder rec;
  const Results r = simulate(b.f, opts(3, &rec));
  ASSERT_GE(rec.starts.size(), 3u);
  // Lots arrive at 0, 1, 2 h: the third reaches the minimum.
  EXPECT_EQ(rec.starts[0].t, hours(2));
  EXPECT_EQ(rec.starts[0].lots.size(), 3u);
  // At 5.5 h lots 3, 4, 5 (arrived 3, 4, 5 h) wait: a batch of 3 again.
  EXPECT_EQ(rec.starts[1].t, minutes(330));
  EXPECT_EQ(rec.starts[1].lots.size(), 3u);
  // At 9 h lots 6, 7, 8 wait and lot 9 arrives at the same instant (completion first), so 3.
  for (const auto& s2 : rec.starts) {
    EXPECT_GE(s2.lots.size(), 3u);
    EXPECT_LE(s2.lots.size(), 4u);
  }
  EXPECT_GT(r.tool_groups[0].batches, 0);
}

// Batch forming policy: a partial batch (>= min) waits up to max_wait for a fuller one.
// Lots arrive at 0, 1, 2, 3 h; min 3 lots, max 4.
TEST(EngineFixture, BatchMaxWaitForFullerBatch) {
  Builder b;
  const auto p = furnace(b, 1, hours(5));
  b.stream("L", p, Dist::constant(static_cast<double>(hours(1))), 8);
  for (double wait_h : {2.5, 3.5}) {
    Recorder rec;
    Options o = opts(1, &rec);
    o.batch_max_wait = hours(wait_h);
    simulate(b.f, o);
    ASSERT_FALSE(rec.starts.empty());
    if (wait_h == 2.5) {
      // The minimum is reached at 2 h; the oldest lot's 2.5 h run out before a 4th arrives.
      EXPECT_EQ(rec.starts[0].t, minutes(150));
      EXPECT_EQ(rec.starts[0].lots.size(), 3u);
    } else {
      // The 4th lot arrives at 3 h, within the wait: a full batch starts then.
      EXPECT_EQ(rec.starts[0].t, hours(3));
      EXPECT_EQ(rec.starts[0].lots.size(), 4u);
    }
  }
}

// A batch group's wait timer offers the decision to its idle tools in the group's list order
// under IdleTool::First, as every other choice among idle tools, to the longest idle tool first
// under LongestIdle, and in a drawn order under Random. Two tools, batches of 3 lots (5 h) that
// wait up to 2.5 h for a 4th: lots at 0..8 h give batches on tool 0 (2.5 h), tool 1 (5.5 h) and
// tool 0 again (8.5 h), so tool 1 is idle from 10.5 h and tool 0 from 13.5 h. Lots at 20, 21,
// 22 h: the timer fires at 22.5 h with both tools idle.
TEST(EngineFixture, BatchTimerOffersIdleToolsInListOrder) {
  Builder b;
  const auto p = furnace(b, 2, hours(5));
  b.stream("L", p, Dist::constant(static_cast<double>(hours(1))), 9);
  const auto m = b.stream("M", p, Dist::constant(static_cast<double>(hours(1))), 3);
  b.f.streams[m].first_release = hours(20);
  for (const IdleTool rule : {IdleTool::First, IdleTool::LongestIdle}) {
    Recorder rec;
    Options o = opts(2, &rec);
    o.batch_max_wait = minutes(150);
    o.idle_tool = rule;
    simulate(b.f, o);
    ASSERT_EQ(rec.starts.size(), 4u);
    EXPECT_EQ(rec.starts[0].t, minutes(150));
    EXPECT_EQ(rec.starts[1].t, minutes(330));
    EXPECT_EQ(rec.starts[2].t, minutes(510));
    EXPECT_EQ(rec.starts[1].tool, 1 - rec.starts[0].tool);
    EXPECT_EQ(rec.starts[2].tool, rec.starts[0].tool);
    EXPECT_EQ(rec.starts[3].t, minutes(1350));
    EXPECT_EQ(rec.starts[3].lots.size(), 3u);
    // List order: the group's first tool; longest idle: the one idle since 10.5 h.
    EXPECT_EQ(rec.starts[3].tool, rule == IdleTool::First ? 0 : rec.starts[1].tool)
        << (rule == IdleTool::First ? "first" : "longest-idle");
  }
  // Random: the timer offers the decision to the two tools in a drawn order, so over 20 seeds
  // both tools take the batch (all one tool: probability 2^-19), each seed the same tool again.
  std::set<std::int32_t> seen;
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    std::int32_t tool[2];
    for (int k = 0; k < 2; ++k) {
      Recorder rec;
      Options o = opts(2, &rec);
      o.batch_max_wait = minutes(150);
      o.idle_tool = IdleTool::Random;
      o.seed = seed;
      simulate(b.f, o);
      ASSERT_EQ(rec.starts.size(), 4u);
      EXPECT_EQ(rec.starts[3].t, minutes(1350));
      tool[k] = rec.starts[3].tool;
    }
    EXPECT_EQ(tool[0], tool[1]) << seed;
    seen.insert(tool[0]);
  }
  EXPECT_EQ(seen.size(), 2u);
}

// Batches never mix route steps (crit_sameroutestep), even of the same step name.
TEST(EngineFixture, BatchCompatibilitySameRouteStep) {
  Builder b;
  const auto g = b.group("F", 2);
  b.f.tool_groups[g].batch_criterion = model::BatchCriterion::SameRouteStep;
  model::Step s = step(g, minutes(100), TimeBasis::PerBatch);
  s.batch_min = 50;
  s.batch_max = 100;
  s.name = "furnace";
  const auto p1 = b.product("p1", {s});
  const auto p2 = b.product("p2", {s});
  b.stream("L1", p1, Dist::exponential(static_cast<double>(minutes(50))));
  b.stream("L2", p2, Dist::exponential(static_cast<double>(minutes(50))));
  Recorder rec;
  simulate(b.f, opts(20, &rec));
  ASSERT_FALSE(rec.starts.empty());
  for (const auto& s2 : rec.starts) {
    EXPECT_GE(s2.lots.size(), 2u);
    EXPECT_LE(s2.lots.size(), 4u);
  }
  // Same step name: mixing allowed; the route of a job is that of its first lot, so check by
  // counting that some jobs hold lots of both products.
  Builder c = b;
  c.f.tool_groups[g].batch_criterion = model::BatchCriterion::SameStepName;
  Recorder rec2;
  simulate(c.f, opts(20, &rec2));
  // Under SameRouteStep, lots of one job share a product: serials of the two streams are
  // interleaved, so verify via step completions of each job's lots.
  std::map<std::int64_t, int> route_of;
  for (const auto& d : rec.done) route_of[d.lot] = d.route;
  for (const auto& s2 : rec.starts)
    for (auto lot : s2.lots)
      if (route_of.count(lot)) {  // (lots still running at the end are not in the map)
        EXPECT_EQ(route_of[lot], s2.route);
      }
  std::map<std::int64_t, int> route2;
  for (const auto& d : rec2.done) route2[d.lot] = d.route;
  int mixed = 0;
  for (const auto& s2 : rec2.starts) {
    bool m = false;
    for (auto lot : s2.lots) m = m || (route2.count(lot) && route2[lot] != s2.route);
    mixed += m;
  }
  EXPECT_GT(mixed, 0);
}

// Setup avoidance: lots A, B, A, B waiting at t = 0; rank [setup, FIFO]; 10 min per change.
TEST(EngineFixture, SetupSequenceAvoidsChanges) {
  Builder b;
  const auto g = b.group("S", 1);
  b.f.tool_groups[g].ranking = {model::RankCriterion::LeastSetup, model::RankCriterion::Fifo};
  const auto [A, B] = b.setups(minutes(10));
  const auto [pa, pb] = setup_products(b, g, A, B, hours(1));
  const auto la = b.stream("A", pa, Dist::constant(static_cast<double>(days(100))), 0);
  const auto lb = b.stream("B", pb, Dist::constant(static_cast<double>(days(100))), 0);
  b.wip("a0", la);
  b.wip("b1", lb);
  b.wip("a2", la);
  b.wip("b3", lb);
  Recorder rec;
  const Results r = simulate(b.f, opts(1, &rec));
  ASSERT_EQ(rec.done.size(), 4u);
  EXPECT_EQ(rec.done[0].lot, 0);
  EXPECT_EQ(rec.done[0].t, minutes(70));
  EXPECT_EQ(rec.done[1].lot, 2);
  EXPECT_EQ(rec.done[1].t, minutes(130));
  EXPECT_EQ(rec.done[2].lot, 1);
  EXPECT_EQ(rec.done[2].t, minutes(200));
  EXPECT_EQ(rec.done[3].lot, 3);
  EXPECT_EQ(rec.done[3].t, minutes(260));
  EXPECT_EQ(r.tool_groups[0].setups, 2);
  EXPECT_NEAR(r.tool_groups[0].setup, 20.0 / 1440, 1e-9);
}

// The setup state after a step without setup (SetupState): A, (none), A on one tool (A from any
// state 10 min). Kept (the default), it costs one setup only; reset to none (the testbed's Python
// reading), the third step sets up again, 10 min later. The factory's reading applies when the
// options leave it open.
TEST(EngineFixture, SetupStateAfterPlainStep) {
  for (const SetupState state : {SetupState::Keep, SetupState::Reset}) {
    for (const bool from_factory : {false, true}) {
      Builder b;
      const auto g = b.group("S", 1);
      const auto A = b.f.intern_setup("A");
      b.f.setup_changes.push_back({model::kNone, A, minutes(10), {}});
      model::Step sa = step(g, hours(1));
      sa.setup = A;
      model::Step plain = step(g, hours(1));
      const auto p = b.product("p", {sa, plain, sa});
      const auto s = b.stream("L", p, Dist::constant(static_cast<double>(days(100))), 0);
      b.wip("a", s);
      Recorder rec;
      Options o = opts(1, &rec);
      if (from_factory)
        b.f.setup_state = state;
      else
        o.setup_state = state;
      const Results r = simulate(b.f, o);
      const bool reset = state == SetupState::Reset;
      EXPECT_EQ(r.tool_groups[0].setups, reset ? 2 : 1);
      ASSERT_EQ(rec.done.size(), 3u);
      EXPECT_EQ(rec.done[2].t, minutes(10 + 180 + (reset ? 10 : 0)));
    }
  }
}

// rule_LSSU with MINRUN 2: queue A0, B1, B2, A3 (FIFO ranking). After the change to A the tool
// must run 2 lots of A while one waits, so A3 jumps the B lots.
TEST(EngineFixture, MinRunKeepsSetupWhileLotsForItWait) {
  Builder b;
  const auto g = b.group("I", 1);
  const auto [A, B] = b.gases(g, minutes(30), 2);
  const auto [pa, pb] = setup_products(b, g, A, B, hours(1));
  const auto la = b.stream("A", pa, Dist::constant(static_cast<double>(days(100))), 0);
  const auto lb = b.stream("B", pb, Dist::constant(static_cast<double>(days(100))), 0);
  b.wip("a0", la);
  b.wip("b1", lb);
  b.wip("b2", lb);
  b.wip("a3", la);
  Recorder rec;
  const Results r = simulate(b.f, opts(1, &rec));
  ASSERT_EQ(rec.done.size(), 4u);
  EXPECT_EQ(rec.done[0].lot, 0);
  EXPECT_EQ(rec.done[1].lot, 3);
  EXPECT_EQ(rec.done[2].lot, 1);
  EXPECT_EQ(rec.done[3].lot, 2);
  EXPECT_EQ(r.tool_groups[0].setups, 2);
  // Without the run rule, FIFO gives 0, 1, 2, 3 and three changes.
  b.f.tool_groups[g].lssu = false;
  Recorder rec2;
  const Results r2 = simulate(b.f, opts(1, &rec2));
  EXPECT_EQ(rec2.done[1].lot, 1);
  EXPECT_EQ(r2.tool_groups[0].setups, 3);
}

// Group-aware gas changes (LssuSwitch::GroupAware): two tools, gas A (any -> A: 1 h), MINRUN 2,
// 1 h jobs; lot a1 at 0 h, then a2, a3, a4 at 0.5, 0.6, 0.7 h. Tool 0 takes a1 (setup 0-1 h, done
// 2 h). Immediate: idle tool 1 takes a2 at 0.5 h. Group-aware: tool 0 already holds A, so tool 1
// changes only when more than MINRUN x 1 = 2 lots of A wait: at 0.7 h, with a2 (FIFO first).
// With Options::lssu_cover 0.5, more than 1 lot: at 0.6 h; with 0, as soon as one waits (0.5 h).
// Clear-time (LssuSwitch::ClearTime): tool 1 changes when the waiting lots' mean lot times (1 h
// each) on the one tool in A exceed cover x the setup time (1 h): 2 lots at 0.6 h; with cover 2,
// 3 lots at 0.7 h.
TEST(EngineFixture, GroupAwareGasChange) {
  struct Case {
    LssuSwitch rule;
    double cover;
    double change_h;
  };
  for (const Case c : {Case{LssuSwitch::Immediate, 1.0, 0.5}, Case{LssuSwitch::GroupAware, 1.0, 0.7},
                       Case{LssuSwitch::GroupAware, 0.5, 0.6}, Case{LssuSwitch::GroupAware, 0.0, 0.5},
                       Case{LssuSwitch::ClearTime, 1.0, 0.6}, Case{LssuSwitch::ClearTime, 2.0, 0.7}}) {
    const LssuSwitch rule = c.rule;
    Builder b;
    const auto g = b.group("I", 2);
    const auto A = b.gases(g, hours(1), 2).first;
    model::Step sa = step(g, hours(1));
    sa.setup = A;
    const auto pa = b.product("pa", {sa});
    b.stream("first", pa, Dist::constant(static_cast<double>(days(100))), 1);
    const auto later = b.stream("later", pa, Dist::constant(static_cast<double>(hours(0.1))), 3);
    b.f.streams[later].first_release = hours(0.5);
    Recorder rec;
    Options o = opts(0.5, &rec);
    o.lssu_switch = rule;
    o.lssu_cover = c.cover;
    const Results r = simulate(b.f, o);
    ASSERT_EQ(rec.starts.size(), 4u);
    EXPECT_EQ(rec.starts[0].t, 0);
    EXPECT_EQ(rec.starts[0].tool, 0);
    EXPECT_EQ(rec.starts[1].tool, 1);
    EXPECT_EQ(rec.starts[1].t, hours(c.change_h)) << "cover " << c.cover;
    EXPECT_EQ(r.tool_groups[0].setups, 2);
  }
}

// Refusals (LssuSwitch::Refuse, the testbed's Python reading): one tool, gases A and B (1 h
// changes). Lot a runs 0-2 h (setup + job); lot b (B) waits from 0.5 h; more B lots arrive at 2.1,
// 2.2 and 2.3 h. The tool, in A, refuses B at its decisions (freeing at 2 h, then each arrival)
// lssu_refusals times in a row before it changes: b starts at 2 h with 0 refusals (as under
// Immediate), at 2.1 h with 1, at 2.2 h with 2.
TEST(EngineFixture, RefusalsBeforeAGasChange) {
  struct Case {
    LssuSwitch rule;
    int refusals;
    double start_h;
  };
  for (const Case c : {Case{LssuSwitch::Immediate, 5, 2.0}, Case{LssuSwitch::Refuse, 0, 2.0},
                       Case{LssuSwitch::Refuse, 1, 2.1}, Case{LssuSwitch::Refuse, 2, 2.2}}) {
    Builder b;
    const auto g = b.group("I", 1);
    const auto [A, B] = b.gases(g, hours(1), 2);
    const auto [pa, pb] = setup_products(b, g, A, B, hours(1));
    b.stream("a", pa, Dist::constant(static_cast<double>(days(100))), 1);
    const auto first_b = b.stream("b", pb, Dist::constant(static_cast<double>(days(100))), 1);
    b.f.streams[first_b].first_release = hours(0.5);
    const auto later = b.stream("later", pb, Dist::constant(static_cast<double>(hours(0.1))), 3);
    b.f.streams[later].first_release = hours(2.1);
    Recorder rec;
    Options o = opts(1, &rec);
    o.lssu_switch = c.rule;
    o.lssu_refusals = c.refusals;
    const Results r = simulate(b.f, o);
    ASSERT_EQ(rec.starts.size(), 5u);
    EXPECT_EQ(rec.starts[0].t, 0);
    EXPECT_EQ(rec.starts[1].t, hours(c.start_h)) << "refusals " << c.refusals;
    EXPECT_EQ(r.tool_groups[0].setups, 2);
  }
}

// A failure pauses the running job; a PM falls due meanwhile and waits for the job's end.
// Lot A: 10 h from 0; failure at 2 h, repaired at 3 h -> done at 11 h. PM due at 5 h waits,
// runs 11-13 h; lot B then runs 13-23 h.
TEST(EngineFixture, BreakdownPausesJobAndPmWaitsForIt) {
  Builder b;
  const auto g = b.group("T", 1);
  b.f.down_calendars.push_back({"brk",
                                model::FailureClock::Calendar,
                                Dist::constant(static_cast<double>(hours(100))),
                                Dist::constant(static_cast<double>(hours(1))),
                                {}});
  b.f.tool_groups[g].downs.push_back({0, Dist::constant(static_cast<double>(hours(2))), {}});
  b.pm(g, "pm", model::PmTrigger::Calendar, static_cast<double>(hours(1000)), hours(2),
       static_cast<double>(hours(5)));
  const auto p = b.product("p", {step(g, hours(10))});
  const auto s = b.stream("L", p, Dist::constant(static_cast<double>(days(100))), 0);
  b.wip("a", s);
  b.wip("b", s);
  Recorder rec;
  const Results r = simulate(b.f, opts(1, &rec));
  ASSERT_EQ(rec.done.size(), 2u);
  EXPECT_EQ(rec.done[0].t, hours(11));
  EXPECT_EQ(rec.starts[1].t, hours(13));
  EXPECT_EQ(rec.done[1].t, hours(23));
  const auto& k = r.tool_groups[0];
  EXPECT_NEAR(k.down, 1.0 / 24, 1e-9);
  EXPECT_NEAR(k.pm, 2.0 / 24, 1e-9);
  EXPECT_NEAR(k.busy, 20.0 / 24, 1e-9);
  EXPECT_NEAR(k.idle, 1.0 / 24, 1e-9);
}

// A failure that falls due during a PM waits for its end (outages never overlap).
TEST(EngineFixture, FailureDuringPmIsQueued) {
  Builder b;
  const auto g = b.group("T", 1);
  b.f.down_calendars.push_back({"brk",
                                model::FailureClock::Calendar,
                                Dist::constant(static_cast<double>(hours(100))),
                                Dist::constant(static_cast<double>(hours(3))),
                                {}});
  b.f.tool_groups[g].downs.push_back({0, Dist::constant(static_cast<double>(hours(2))), {}});
  b.pm(g, "pm", model::PmTrigger::Calendar, static_cast<double>(hours(1000)), hours(4),
       static_cast<double>(hours(1)));
  const auto p = b.product("p", {step(g, hours(1))});
  b.stream("L", p, Dist::constant(static_cast<double>(days(100))), 0);
  const Results r = simulate(b.f, opts(1));
  // PM 1-5 h, failure due at 2 h starts at 5 h, repair 3 h -> down 5-8 h.
  EXPECT_NEAR(r.tool_groups[0].pm, 4.0 / 24, 1e-9);
  EXPECT_NEAR(r.tool_groups[0].down, 3.0 / 24, 1e-9);
}

// Wafer-count PM every 100 wafers (4 lots of 25): after job 4 and job 8.
TEST(EngineFixture, WaferCountPmAfterCrossingJob) {
  Builder b;
  const auto g = b.group("T", 1);
  b.pm(g, "pmw", model::PmTrigger::WaferCount, 100.0, hours(2), 100.0);
  const auto p = b.product("p", {step(g, hours(1))});
  const auto s = b.stream("L", p, Dist::constant(static_cast<double>(days(100))), 0);
  for (int i = 0; i < 9; ++i) b.wip(fmt::format("w{}", i), s);
  Recorder rec;
  const Results r = simulate(b.f, opts(1, &rec));
  ASSERT_EQ(rec.starts.size(), 9u);
  EXPECT_EQ(rec.starts[3].t, hours(3));
  EXPECT_EQ(rec.starts[4].t, hours(6));  // PM 4-6 h
  EXPECT_EQ(rec.starts[7].t, hours(9));
  EXPECT_EQ(rec.starts[8].t, hours(12));  // PM 10-12 h
  EXPECT_NEAR(r.tool_groups[0].pm, 4.0 / 24, 1e-9);
}

// Nested PM calendars (model::PmNesting): WK every 7 h (1 h), MN every 30 h (2 h), first at 7 h
// and 30 h, interval from the end of one PM to the next, 99 h, no lots.
//  nested: WK 7, 15, 23; MN 30-32 absorbs the WK due at 31 (next 38); WK 38, 46, 54; the WK due
//    at 62 meets the MN due at 62 (absorbed); MN 62-64; WK 69, 77, 85; the WK due at 93 sees the
//    MN due at 94 within its interval (absorbed); MN 94-96. 9 x 1 h + 3 x 2 h = 15 h, 12 PMs, 3
//    absorbed.
//  independent: WK 7, 15, 23, 32 (waits for MN 30-32), 40, 48, 56, 64 (after MN 62-64), 72, 80,
//    88, 96; MN 30, 62, 94. 12 x 1 h + 3 x 2 h = 18 h, 15 PMs.
Results nested_calendar_run(model::PmNesting n) {
  Builder b;
  b.f.pm_nesting = n;
  const auto g = b.group("T", 1);
  for (const auto& [name, every_h, dur_h] : {std::tuple{"WK", 7, 1}, std::tuple{"MN", 30, 2}})
    b.pm(g, name, model::PmTrigger::Calendar, static_cast<double>(hours(every_h)), hours(dur_h),
         static_cast<double>(hours(every_h)));
  const auto p = b.product("p", {step(g, hours(1))});
  b.stream("L", p, Dist::constant(static_cast<double>(days(100))), 0);
  return simulate(b.f, opts(99.0 / 24));
}

TEST(EngineFixture, NestedCalendarPmsAbsorbShorterOnes) {
  const Results r = nested_calendar_run(model::PmNesting::Nested);
  EXPECT_EQ(r.pm_nesting, "nested");
  EXPECT_NEAR(r.tool_groups[0].pm, 15.0 / 99, 1e-9);
  EXPECT_EQ(r.tool_groups[0].pms, 12);
  EXPECT_EQ(r.tool_groups[0].pms_absorbed, 3);
}

TEST(EngineFixture, IndependentCalendarPmsAllPerformed) {
  const Results r = nested_calendar_run(model::PmNesting::Independent);
  EXPECT_EQ(r.pm_nesting, "independent");
  EXPECT_NEAR(r.tool_groups[0].pm, 18.0 / 99, 1e-9);
  EXPECT_EQ(r.tool_groups[0].pms, 15);
  EXPECT_EQ(r.tool_groups[0].pms_absorbed, 0);
}

// A shorter PM waiting behind a job is done by a longer one that falls due before the job ends:
// job 0-10 h; WK (every 5 h, 1 h) due at 2 h (the MN is 7 h away, more than 5 h: it waits); MN
// (every 50 h, 2 h) due at 9 h. Nested: MN 10-12 h, the WK is absorbed (next due 17 h). In 15.5 h:
// 2 h of PM. Independent: WK 10-11, MN 11-13 (next WK due 16 h): 3 h.
TEST(EngineFixture, NestedPmDropsWaitingShorterOne) {
  for (const auto n : {model::PmNesting::Nested, model::PmNesting::Independent}) {
    Builder b;
    b.f.pm_nesting = n;
    const auto g = b.group("T", 1);
    b.pm(g, "WK", model::PmTrigger::Calendar, static_cast<double>(hours(5)), hours(1),
         static_cast<double>(hours(2)));
    b.pm(g, "MN", model::PmTrigger::Calendar, static_cast<double>(hours(50)), hours(2),
         static_cast<double>(hours(9)));
    const auto p = b.product("p", {step(g, hours(10))});
    const auto s = b.stream("L", p, Dist::constant(static_cast<double>(days(100))), 0);
    b.wip("w", s);
    const Results r = simulate(b.f, opts(15.5 / 24));
    const bool nested = n == model::PmNesting::Nested;
    EXPECT_NEAR(r.tool_groups[0].pm, (nested ? 2.0 : 3.0) / 15.5, 1e-9) << r.pm_nesting;
    EXPECT_EQ(r.tool_groups[0].pms, nested ? 1 : 2) << r.pm_nesting;
    EXPECT_EQ(r.tool_groups[0].pms_absorbed, nested ? 1 : 0) << r.pm_nesting;
  }
}

// Wafer-count PMs nest the same way: WK every 100 wafers (2 h), MN every 200 wafers (3 h), 1 h
// jobs of 25 wafers. Both reach their counts after the 8th job (ends 10 h): nested, the MN alone
// runs 10-13 h and the 9th job starts at 13 h; independent, WK 10-12 and MN 12-15, start 15 h.
TEST(EngineFixture, NestedWaferCountPms) {
  for (const auto n : {model::PmNesting::Nested, model::PmNesting::Independent}) {
    Builder b;
    b.f.pm_nesting = n;
    const auto g = b.group("T", 1);
    b.pm(g, "WK", model::PmTrigger::WaferCount, 100.0, hours(2), 100.0);
    b.pm(g, "MN", model::PmTrigger::WaferCount, 200.0, hours(3), 200.0);
    const auto p = b.product("p", {step(g, hours(1))});
    const auto s = b.stream("L", p, Dist::constant(static_cast<double>(days(100))), 0);
    for (int i = 0; i < 9; ++i) b.wip(fmt::format("w{}", i), s);
    Recorder rec;
    const Results r = simulate(b.f, opts(1, &rec));
    const bool nested = n == model::PmNesting::Nested;
    ASSERT_EQ(rec.starts.size(), 9u);
    EXPECT_EQ(rec.starts[4].t, hours(6));  // the first WK alone (MN 100 wafers away): 4-6 h
    EXPECT_EQ(rec.starts[8].t, hours(nested ? 13 : 15));
    EXPECT_EQ(r.tool_groups[0].pms_absorbed, nested ? 1 : 0);
  }
}

// The cycle time implied by the initial WIP: four 1 h steps, the last sampled at 50 % (sampled
// raw process time 3.5 h). Lots at step 1 (position 1/3.5) aged 3 days and at step 2 (2/3.5)
// aged 6 days lie on age = CT x position with CT = 10.5 days; a lot at step 0 (position 0) and a
// lot of another type do not count.
TEST(EngineFixture, WipImpliedCycleTime) {
  Builder b;
  const auto g = b.group("T", 1);
  auto last = step(g, hours(1));
  last.sample_probability = 0.5;
  const auto p = b.product("p", {step(g, hours(1)), step(g, hours(1)), step(g, hours(1)), last});
  const auto s = b.stream("L", p, Dist::constant(static_cast<double>(days(1))), 0);
  const auto other = b.stream("H", p, Dist::constant(static_cast<double>(days(1))), 0);
  auto lot = [&](model::StreamId st, int at, double age_days) {
    b.wip(fmt::format("w{}", b.f.initial_wip.size()), st, at);
    b.f.initial_wip.back().virtual_release = -days(age_days);
  };
  lot(s, 0, 1.0);
  lot(s, 1, 3.0);
  lot(s, 2, 6.0);
  lot(other, 2, 60.0);
  const WipImpliedCt w = wip_implied_cycle_time(b.f, s);
  EXPECT_EQ(w.lots, 2);
  EXPECT_NEAR(w.ct_days, 10.5, 1e-9);
  EXPECT_EQ(wip_implied_cycle_time(b.f, other).lots, 1);
  EXPECT_NEAR(wip_implied_cycle_time(b.f, other).ct_days, 60.0 * 3.5 / 2, 1e-9);
  // The run reports it per lot type.
  const Results r = simulate(b.f, opts(2));
  EXPECT_EQ(r.lot_types[0].wip_implied_lots, 2);
  EXPECT_NEAR(r.lot_types[0].wip_implied_ct_days, 10.5, 1e-9);
}

// First wafer-count PMs: two tools, PM every 100 wafers (2 h), 1 h jobs of 25 wafers, 8 lots at
// t = 0 (four per tool, the longest idle tool first). Default: both tools reach 100 wafers with
// their 4th job and are in PM together at 4-6 h. Staggered (tool k of N after FOA k/N): tool 0
// after 50 wafers (PM 2-4 h, its last two jobs at 4 and 5 h), tool 1 after 100 (PM 4-6 h).
TEST(EngineFixture, StaggeredFirstWaferCountPm) {
  for (const bool stagger : {false, true}) {
    Builder b;
    const auto g = b.group("T", 2);
    b.pm(g, "pmw", model::PmTrigger::WaferCount, 100.0, hours(2), 100.0);
    const auto p = b.product("p", {step(g, hours(1))});
    const auto s = b.stream("L", p, Dist::constant(static_cast<double>(days(100))), 0);
    for (int i = 0; i < 8; ++i) b.wip(fmt::format("w{}", i), s);
    Recorder rec;
    Options o = opts(7.0 / 24, &rec);
    o.wafer_pm_start = stagger ? WaferPmStart::Staggered : WaferPmStart::Same;
    const Results r = simulate(b.f, o);
    ASSERT_EQ(rec.starts.size(), 8u);
    Ticks last = 0;
    for (const auto& st : rec.starts) last = std::max(last, st.t);
    EXPECT_EQ(last, hours(stagger ? 5 : 3)) << stagger;
    EXPECT_EQ(r.tool_groups[0].pms, 2) << stagger;
    EXPECT_NEAR(r.tool_groups[0].pm, 4.0 / 14, 1e-9) << stagger;  // 2 x 2 h of 2 x 7 h
  }
}

// Which idle tool takes an arriving lot: two idle tools; lot A (t = 0) goes to tool 0 and is done
// at 1 h, so at 2 h tool 1 has been idle longer. Lot B (2 h) goes to tool 0 with IdleTool::First
// (list order) and to tool 1 with IdleTool::LongestIdle.
TEST(EngineFixture, IdleToolChoice) {
  for (const auto rule : {IdleTool::First, IdleTool::LongestIdle}) {
    Builder b;
    const auto g = b.group("T", 2);
    const auto p = b.product("p", {step(g, hours(1))});
    b.stream("L", p, Dist::constant(static_cast<double>(hours(2))), 2);
    Recorder rec;
    Options o = opts(0.5, &rec);
    o.idle_tool = rule;
    const Results r = simulate(b.f, o);
    ASSERT_EQ(rec.starts.size(), 2u);
    EXPECT_EQ(rec.starts[0].tool, 0);
    EXPECT_EQ(rec.starts[1].t, hours(2));
    EXPECT_EQ(rec.starts[1].tool, rule == IdleTool::First ? 0 : 1);
    EXPECT_EQ(r.idle_tool, rule == IdleTool::First ? "first" : "longest-idle");
  }
}

// IdleTool::Random: four idle tools, one lot every 2 h of 1 h each, so every arrival finds all
// four idle. List order gives tool 0 every lot; a random draw gives each tool about a quarter
// (400 lots: 100 each, binomial sd 8.7), the same tools again with the same seed, others with
// another seed. The model's reading is followed when the options leave it open.
TEST(EngineFixture, RandomIdleToolSpreadsArrivals) {
  const auto run = [](std::optional<IdleTool> rule, IdleTool model_rule, std::uint64_t seed) {
    Builder b;
    const auto g = b.group("T", 4);
    const auto p = b.product("p", {step(g, hours(1))});
    b.stream("L", p, Dist::constant(static_cast<double>(hours(2))));
    b.f.idle_tool = model_rule;
    Recorder rec;
    Options o = opts(799.5 / 24, &rec);
    o.idle_tool = rule;
    o.seed = seed;
    const Results r = simulate(b.f, o);
    std::vector<std::int32_t> tools;
    for (const auto& st : rec.starts) tools.push_back(st.tool);
    return std::pair{tools, r.idle_tool};
  };
  const auto [first, first_word] = run(IdleTool::First, IdleTool::Random, 0);
  ASSERT_EQ(first.size(), 400u);
  EXPECT_EQ(std::count(first.begin(), first.end(), 0), 400);
  EXPECT_EQ(first_word, "first");
  const auto [rnd, rnd_word] = run(std::nullopt, IdleTool::Random, 0);
  ASSERT_EQ(rnd.size(), 400u);
  EXPECT_EQ(rnd_word, "random");
  for (std::int32_t t = 0; t < 4; ++t) {
    const auto n = std::count(rnd.begin(), rnd.end(), t);
    EXPECT_GT(n, 65) << t;
    EXPECT_LT(n, 135) << t;
  }
  EXPECT_EQ(run(IdleTool::Random, IdleTool::First, 0).first, rnd);
  EXPECT_NE(run(IdleTool::Random, IdleTool::First, 1).first, rnd);
}

// Rework at the second step with p = 0.3 back to the first: visits of step 2 per lot = 1/(1-p).
TEST(EngineFixture, ReworkLoopExpectedVisits) {
  Builder b;
  const auto g1 = b.group("A", 1);
  const auto g2 = b.group("B", 1);
  model::Step s2 = step(g2, minutes(1));
  s2.rework_step = 0;
  s2.rework_probability = 0.3;
  const auto p = b.product("p", {step(g1, minutes(1)), s2});
  b.stream("L", p, Dist::constant(static_cast<double>(minutes(10))));
  Recorder rec;
  const Results r = simulate(b.f, opts(200, &rec));
  std::int64_t visits = 0;
  for (const auto& d : rec.done) visits += d.step == 1;
  const double per_lot = static_cast<double>(visits) / static_cast<double>(rec.exits.size());
  EXPECT_NEAR(per_lot, 1.0 / 0.7, 0.02);
  // Every completion of the last step either sends the lot back or lets it leave.
  EXPECT_EQ(r.rework_passes + static_cast<std::int64_t>(rec.exits.size()), visits);
}

// Critical queue time: window from the end of step 0 to the start of step 2, limit 30 min.
TEST(EngineFixture, QueueTimeViolationCounted) {
  Builder b;
  const auto g = b.group("A", 1);
  const auto g2 = b.group("B", 1);
  const auto g3 = b.group("C", 1);
  model::Step s0 = step(g, minutes(1));
  s0.cqt_exit_step = 2;
  s0.cqt_limit = minutes(30);
  const auto slow = b.product("slow", {s0, step(g2, minutes(40)), step(g3, minutes(1))});
  const auto fast = b.product("fast", {s0, step(g2, minutes(20)), step(g3, minutes(1))});
  const auto ls = b.stream("slow", slow, Dist::constant(static_cast<double>(days(100))), 1);
  const auto lf = b.stream("fast", fast, Dist::constant(static_cast<double>(days(100))), 1);
  (void)ls;
  (void)lf;
  // The slow lot is released first (stream order at t = 0), takes A 0-1 min, B 1-41 min; the
  // fast lot takes A 1-2, B 41-61: its wait at B (39 min) breaks its window too.
  const Results r = simulate(b.f, opts(1));
  EXPECT_EQ(r.lot_types[0].cqt_windows, 1);
  EXPECT_EQ(r.lot_types[0].cqt_violations, 1);
  EXPECT_EQ(r.lot_types[1].cqt_windows, 1);
  EXPECT_EQ(r.lot_types[1].cqt_violations, 1);
  EXPECT_EQ(r.cqt_violations, 2);
  // With two B tools nobody waits: only the slow lot (40 min) violates.
  b.f.tool_groups[g2].tools = 2;
  const Results r2 = simulate(b.f, opts(1));
  EXPECT_EQ(r2.lot_types[0].cqt_violations, 1);
  EXPECT_EQ(r2.lot_types[1].cqt_violations, 0);
}

// Sampling: a step performed with p = 0.25 is skipped by 75 % of lots, without a tool.
TEST(EngineFixture, SamplingSkipsStep) {
  Builder b;
  const auto g = b.group("A", 1);
  const auto m = b.group("Met", 1);
  model::Step sm = step(m, minutes(1));
  sm.sample_probability = 0.25;
  const auto p = b.product("p", {step(g, minutes(1)), sm});
  b.stream("L", p, Dist::constant(static_cast<double>(minutes(10))));
  Recorder rec;
  const Results r = simulate(b.f, opts(100, &rec));
  const double lots = static_cast<double>(rec.exits.size());
  std::int64_t met = 0;
  for (const auto& s : rec.starts) met += s.group == m;
  EXPECT_NEAR(static_cast<double>(r.skipped_steps) / lots, 0.75, 0.02);
  // Lots still inside at the end account for a difference of at most a couple.
  EXPECT_NEAR(static_cast<double>(met + r.skipped_steps), lots, 2.0);
}

// Lot-to-lens dedication: step 2 runs on the tool that ran step 0.
TEST(EngineFixture, DedicationSendsLotBackToItsTool) {
  Builder b;
  const auto g = b.group("Scanner", 3);
  const auto o = b.group("Other", 2);
  model::Step s0 = step(g, minutes(30));
  s0.dedicate_step = 2;
  const auto p = b.product("p", {s0, step(o, minutes(20)), step(g, minutes(30))});
  b.stream("L", p, Dist::exponential(static_cast<double>(minutes(25))));
  Recorder rec;
  simulate(b.f, opts(30, &rec));
  std::map<std::int64_t, int> tool0;
  int checked = 0;
  for (const auto& d : rec.done) {
    if (d.step == 0) tool0[d.lot] = d.tool;
    if (d.step == 2) {
      EXPECT_EQ(d.tool, tool0.at(d.lot));
      ++checked;
    }
  }
  EXPECT_GT(checked, 100);
  // The tools are all used.
  std::map<int, int> used;
  for (const auto& d : rec.done) ++used[d.tool];
  EXPECT_EQ(used.size(), 3u + 2u);
}

// Transport: one lane Fab->Fab of 10 min; none before the first step, none after the last.
TEST(EngineFixture, TransportBetweenSteps) {
  Builder b;
  const auto g = b.group("A", 1);
  b.f.transport.push_back({0, 0, Dist::constant(static_cast<double>(minutes(10))), {}});
  const auto p = b.product("p", {step(g, minutes(5)), step(g, minutes(5))});
  b.stream("L", p, Dist::constant(static_cast<double>(days(10))), 1);
  Recorder rec;
  simulate(b.f, opts(1, &rec));
  ASSERT_EQ(rec.exits.size(), 1u);
  EXPECT_EQ(rec.starts[0].t, 0);
  EXPECT_EQ(rec.starts[1].t, minutes(15));
  EXPECT_EQ(rec.exits[0].first, minutes(20));
}

// A pure delay group: every lot waits its time in parallel.
TEST(EngineFixture, DelayGroupRunsInParallel) {
  Builder b;
  const auto d = b.group("Delay", 400);
  b.f.tool_groups[d].is_delay = true;
  const auto p = b.product("p", {step(d, hours(2))});
  const auto s = b.stream("L", p, Dist::constant(static_cast<double>(days(10))), 0);
  for (int i = 0; i < 50; ++i) b.wip(fmt::format("w{}", i), s);
  Recorder rec;
  const Results r = simulate(b.f, opts(1, &rec));
  ASSERT_EQ(rec.exits.size(), 50u);
  for (const auto& e : rec.exits) EXPECT_EQ(e.first, hours(2));
  EXPECT_EQ(r.tool_groups[0].max_parallel, 50);
}

// Priority: a hot lot arriving later overtakes waiting regular lots.
TEST(EngineFixture, HotLotFirst) {
  Builder b;
  const auto g = b.group("A", 1);
  b.f.tool_groups[g].ranking = {model::RankCriterion::HighPriority, model::RankCriterion::Fifo};
  const auto p = b.product("p", {step(g, hours(1))});
  const auto reg = b.stream("Lot", p, Dist::constant(static_cast<double>(days(10))), 0);
  const auto hot = b.stream("Hot", p, Dist::constant(static_cast<double>(minutes(30))), 1, 20);
  (void)hot;
  for (int i = 0; i < 3; ++i) b.wip(fmt::format("w{}", i), reg);
  Recorder rec;
  simulate(b.f, opts(1, &rec));
  ASSERT_EQ(rec.done.size(), 4u);
  // WIP lot 0 starts at t = 0 before the release event; the hot lot (serial 3, released at
  // t = 0) then overtakes the waiting WIP lots 1 and 2.
  EXPECT_EQ(rec.done[0].lot, 0);
  EXPECT_EQ(rec.done[1].lot, 3);
  EXPECT_EQ(rec.done[2].lot, 1);
}

// Super hot reservation: B is busy with regular lots (60 min each, from t = 0); the super hot
// lot finishes A at 55 min and needs 10 min to move to B. Without a reservation B takes another
// regular lot at 60 min and the super hot lot waits until 120; with it, B is held from 60 min.
TEST(EngineFixture, SuperHotReservationHoldsTool) {
  Builder b;
  const auto a = b.group("A", 1);
  const auto bb = b.group("B", 1);
  b.f.tool_groups[bb].ranking = {model::RankCriterion::HighPriority, model::RankCriterion::Fifo};
  b.f.transport.push_back({0, 0, Dist::constant(static_cast<double>(minutes(10))), {}});
  const auto p = b.product("p", {step(a, minutes(55)), step(bb, minutes(60))});
  const auto reg = b.stream("Lot", p, Dist::constant(static_cast<double>(days(10))), 0);
  b.stream("Super", p, Dist::constant(static_cast<double>(days(10))), 1, 30);
  for (int i = 0; i < 5; ++i) b.wip(fmt::format("w{}", i), reg, 1);
  for (bool reserve : {false, true}) {
    Recorder rec;
    Options o = opts(1, &rec);
    o.super_hot_reservation = reserve;
    simulate(b.f, o);
    Ticks start = -1;
    for (const auto& s : rec.starts)
      if (s.group == bb && s.lots[0] == 5) start = s.t;
    EXPECT_EQ(start, reserve ? minutes(65) : minutes(120)) << reserve;
  }
}

}  // namespace
}  // namespace osatsim::engine::test
