// Invariants on a factory that uses every feature at once: conservation, state shares, no double
// occupation, Little's law, determinism.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "engine/engine.h"
#include "fixture.h"

namespace osatsim::engine::test {
namespace {

using model::TimeBasis;

// Two products through litho-like, cascading, batch, metrology and delay groups, with downs,
// calendar and wafer-count PMs, setups with a setup run, rework, sampling, queue-time windows,
// dedication, transport and three priorities. Load about 75 % on the bottleneck.
model::Factory rich() {
  Builder b;
  const auto litho = b.group("Litho", 3, minutes(1), minutes(1));
  const auto met = b.group("Met", 2, minutes(1), minutes(1));
  const auto imp = b.group("Implant", 2, minutes(1), minutes(1));
  const auto furn = b.group("Furnace", 2, minutes(1), minutes(1));
  const auto wet = b.group("Wet", 2, minutes(1), minutes(1));
  const auto delay = b.group("Delay", 50);
  auto& f = b.f;
  f.tool_groups[delay].is_delay = true;
  f.tool_groups[delay].location = f.intern_location("DelayLoc");
  for (auto g : {litho, met, imp, furn, wet})
    f.tool_groups[g].ranking = {model::RankCriterion::HighPriority,
                                model::RankCriterion::LeastSetup, model::RankCriterion::Fifo};
  f.tool_groups[litho].wake_least_setup = true;
  f.tool_groups[imp].capacity = 2;
  f.tool_groups[wet].capacity = 2;
  f.tool_groups[furn].batch_criterion = model::BatchCriterion::SameRouteStep;
  f.transport.push_back(
      {0,
       0,
       Dist::uniform(static_cast<double>(minutes(7.5)), static_cast<double>(minutes(2.5))),
       {}});
  // Setups.
  const auto L1 = f.intern_setup("L1");
  const auto L2 = f.intern_setup("L2");
  const auto G1 = f.intern_setup("G1");
  const auto G2 = f.intern_setup("G2");
  f.setup_changes.push_back({model::kNone, G1, minutes(40), {}});
  f.setup_changes.push_back({model::kNone, G2, minutes(40), {}});
  f.setup_groups.push_back({"Gas", {G1, G2}, 3, {}});
  f.setup_group_of = {model::kNone, model::kNone, 0, 0};
  f.tool_groups[imp].lssu = true;
  f.tool_groups[imp].setup_group = 0;
  // Downs and PMs.
  f.down_calendars.push_back({"brk",
                              model::FailureClock::Calendar,
                              Dist::exponential(static_cast<double>(days(7))),
                              Dist::exponential(static_cast<double>(hours(3))),
                              {}});
  f.pm_calendars.push_back(
      {"wk",
       model::PmTrigger::Calendar,
       static_cast<double>(days(7)),
       Dist::uniform(static_cast<double>(hours(6)), static_cast<double>(hours(1))),
       {}});
  f.pm_calendars.push_back(
      {"wafers",
       model::PmTrigger::WaferCount,
       3000.0,
       Dist::uniform(static_cast<double>(hours(4)), static_cast<double>(hours(0.5))),
       {}});
  for (auto g : {litho, met, imp, furn, wet}) {
    f.tool_groups[g].downs.push_back({0, Dist::exponential(static_cast<double>(days(7))), {}});
  }
  for (auto g : {litho, met, furn})
    f.tool_groups[g].pms.push_back({0, Dist::constant(static_cast<double>(days(7))), {}});
  for (auto g : {imp, wet}) f.tool_groups[g].pms.push_back({1, Dist::constant(3000.0), {}});

  auto uni = [](double mean_min) {
    return Dist::uniform(static_cast<double>(minutes(mean_min)),
                         static_cast<double>(minutes(mean_min * 0.05)));
  };
  auto mk = [&](model::SetupId ls, model::SetupId gs) {
    std::vector<model::Step> v;
    model::Step s;
    s.tool_group = litho;
    s.basis = TimeBasis::PerWafer;
    s.time = uni(1.2);
    s.setup = ls;
    s.setup_time = minutes(10);
    s.dedicate_step = 6;
    v.push_back(s);  // 0 litho (dedicates step 6)
    s = model::Step{};
    s.tool_group = met;
    s.time = uni(20);
    s.sample_probability = 0.5;
    v.push_back(s);  // 1 metrology (sampled)
    s = model::Step{};
    s.tool_group = met;
    s.time = uni(15);
    s.rework_step = 0;
    s.rework_probability = 0.05;
    s.cqt_exit_step = 3;
    s.cqt_limit = hours(4);
    v.push_back(s);  // 2 registration with rework; opens a queue-time window to step 3
    s = model::Step{};
    s.tool_group = imp;
    s.basis = TimeBasis::PerWafer;
    s.time = uni(2);
    s.cascade_basis = model::CascadeBasis::PerWafer;
    s.cascade_interval = minutes(1.5);
    s.setup = gs;
    v.push_back(s);  // 3 implant (cascading, gas setup run)
    s = model::Step{};
    s.tool_group = furn;
    s.basis = TimeBasis::PerBatch;
    s.time = uni(240);
    s.batch_min = 50;
    s.batch_max = 100;
    v.push_back(s);  // 4 furnace
    s = model::Step{};
    s.tool_group = delay;
    s.time = uni(120);
    v.push_back(s);  // 5 delay
    s = model::Step{};
    s.tool_group = litho;
    s.basis = TimeBasis::PerWafer;
    s.time = uni(1.2);
    s.setup = ls;
    v.push_back(s);  // 6 litho (dedicated)
    s = model::Step{};
    s.tool_group = wet;
    s.time = uni(40);
    s.cascade_basis = model::CascadeBasis::PerLot;
    s.cascade_interval = minutes(30);
    v.push_back(s);  // 7 wet (cascading per lot)
    return v;
  };
  const auto p1 = b.product("p1", mk(L1, G1));
  const auto p2 = b.product("p2", mk(L2, G2));
  const double every = static_cast<double>(minutes(150));
  const auto s1 = b.stream("Lot_1", p1, Dist::constant(every), -1, 10, days(3));
  const auto s2 = b.stream("Lot_2", p2, Dist::constant(every), -1, 10, days(3));
  b.stream("HotLot_1", p1, Dist::constant(every * 20), -1, 20, days(2));
  b.stream("SuperHot_2", p2, Dist::constant(every * 100), -1, 30, days(1));
  for (int i = 0; i < 8; ++i) {
    b.wip(fmt::format("w1_{}", i), s1, i % 8);
    b.wip(fmt::format("w2_{}", i), s2, (i * 3) % 8);
  }
  return b.f;
}

std::string fingerprint(const Results& r) {
  std::string s = fmt::format("{} {} {} {} {}|", r.events, r.lot_steps, r.lots_completed,
                              r.cqt_violations, r.mean_wip_lots);
  for (const auto& t : r.lot_types)
    s += fmt::format("{} {} {} {} {}|", t.name, t.completed, t.cycle_time_days.mean,
                     t.cycle_time_days.p95, t.on_time_pct);
  for (const auto& g : r.tool_groups)
    s += fmt::format("{} {} {} {} {} {}|", g.name, g.busy, g.setup, g.down, g.pm,
                     g.mean_queue_hours);
  for (double w : r.wip_per_day) s += fmt::format("{},", w);
  return s;
}

TEST(EngineInvariants, RichFactoryIsValid) {
  const auto f = rich();
  EXPECT_TRUE(f.validate().ok()) << f.validate().to_string();
}

TEST(EngineInvariants, ConservationSharesAndOccupation) {
  const auto f = rich();
  Recorder rec;
  Options o;
  o.days = 300;
  o.warmup_days = 50;
  o.observer = &rec;
  const Results r = simulate(f, o);
  ASSERT_EQ(r.status, RunStatus::Ok);
  std::int64_t in_fab = 0;
  for (const auto& t : r.lot_types) {
    EXPECT_EQ(t.released + t.initial_wip + t.split_children,
              t.completed_total + t.in_fab_end + t.scrapped_total)
        << t.name;
    in_fab += t.in_fab_end;
    EXPECT_GT(t.completed, 0) << t.name;
  }
  EXPECT_EQ(in_fab, r.lots_in_fab_end);
  EXPECT_EQ(r.lots_released + r.initial_wip_lots + r.lots_split_children,
            r.lots_completed + r.lots_scrapped + r.lots_in_fab_end);
  for (const auto& g : r.tool_groups) {
    EXPECT_NEAR(g.busy + g.setup + g.down + g.pm + g.idle, 1.0, 1e-9) << g.name;
    EXPECT_GE(g.idle, 0.0);
  }
  // Entry slots never overlap: a non-cascading tool never holds two jobs, a cascading tool
  // never starts a job before the previous one left its entry.
  EXPECT_FALSE(rec.overlap_seen);
  EXPECT_EQ(rec.max_inside, 1);
  // Every feature was exercised.
  EXPECT_GT(r.rework_passes, 0);
  EXPECT_GT(r.skipped_steps, 0);
  EXPECT_GT(r.cqt_windows, 0);
  for (const auto& g : r.tool_groups) {
    if (g.name == "Delay") continue;
    EXPECT_GT(g.down, 0.0) << g.name;
    EXPECT_GT(g.pm, 0.0) << g.name;
  }
  EXPECT_GT(r.tool_groups[3].batches, 0);
  EXPECT_GT(r.tool_groups[2].setups, 0);
  EXPECT_LE(r.tool_groups[5].max_parallel, 50);
  // Dedication held on every lot.
  std::map<std::int64_t, int> tool0;
  for (const auto& d : rec.done) {
    if (d.step == 0) tool0[d.lot] = d.tool;
    if (d.step == 6 && tool0.count(d.lot)) {
      EXPECT_EQ(d.tool, tool0[d.lot]);
    }
  }
  // Steady state: throughput equals the release rate.
  for (const auto& t : r.lot_types)
    EXPECT_NEAR(t.throughput_per_day, t.release_rate_per_day, 0.1 * t.release_rate_per_day + 0.02)
        << t.name;
}

TEST(EngineInvariants, LittlesLawOnSteadyState) {
  const auto f = rich();
  Options o;
  o.days = 1500;
  o.warmup_days = 100;
  const Results r = simulate(f, o);
  double lambda_w = 0;
  for (const auto& t : r.lot_types) lambda_w += t.throughput_per_day * t.cycle_time_days.mean;
  EXPECT_NEAR(r.mean_wip_lots, lambda_w, 0.03 * lambda_w);
}

TEST(EngineInvariants, DeterministicAcrossRunsAndInterleaving) {
  const auto f = rich();
  Options o;
  o.days = 120;
  o.seed = 7;
  const std::string a = fingerprint(simulate(f, o));
  Options other = o;
  other.seed = 8;
  const std::string b = fingerprint(simulate(f, other));
  simulate(f, other);
  const std::string c = fingerprint(simulate(f, o));
  EXPECT_EQ(a, c);
  EXPECT_NE(a, b);
}

TEST(EngineInvariants, DispatchOverridesRun) {
  const auto f = rich();
  for (auto rule : {DispatchRule::Fifo, DispatchRule::CriticalRatio, DispatchRule::EarliestDue,
                    DispatchRule::ShortestProcessing, DispatchRule::PriorityFifo}) {
    Options o;
    o.days = 60;
    o.dispatch = rule;
    const Results r = simulate(f, o);
    EXPECT_EQ(r.lots_released + r.initial_wip_lots,
              r.lots_completed + r.lots_scrapped + r.lots_in_fab_end);
    EXPECT_GT(r.lots_completed, 0) << to_string(rule);
  }
  DispatchRule x;
  EXPECT_TRUE(parse_dispatch_rule("priority-fifo", x));
  EXPECT_EQ(x, DispatchRule::PriorityFifo);
  EXPECT_FALSE(parse_dispatch_rule("lifo", x));
}

// The sorted and bucketed queues take exactly the decisions of the reference path that ranks the
// whole queue at every decision.
TEST(EngineInvariants, FastQueuesDecideLikeTheReference) {
  auto f = rich();
  auto cr_chain = f;
  for (auto& g : cr_chain.tool_groups)
    g.ranking = {model::RankCriterion::HighPriority, model::RankCriterion::LeastSetup,
                 model::RankCriterion::CriticalRatio};
  // A chain outside the specialised one (fixed key, least setup, fixed key or critical ratio):
  // the general one-pass ranking.
  auto setup_first = f;
  for (auto& g : setup_first.tool_groups)
    g.ranking = {model::RankCriterion::LeastSetup, model::RankCriterion::CriticalRatio,
                 model::RankCriterion::HighPriority};
  for (const auto* fac : {&f, &cr_chain, &setup_first}) {
    for (auto rule : {DispatchRule::Model, DispatchRule::Fifo, DispatchRule::CriticalRatio,
                      DispatchRule::EarliestDue, DispatchRule::ShortestProcessing,
                      DispatchRule::PriorityFifo}) {
      Options o;
      o.days = 150;
      o.dispatch = rule;
      const std::string fast = fingerprint(simulate(*fac, o));
      o.fast_queues = false;
      const std::string ref = fingerprint(simulate(*fac, o));
      EXPECT_EQ(fast, ref) << to_string(rule);
    }
  }
}

TEST(EngineInvariants, GuardsStopTheRun) {
  const auto f = rich();
  Options o;
  o.days = 100;
  o.max_wip_lots = 5;
  const Results r = simulate(f, o);
  EXPECT_EQ(r.status, RunStatus::WipLimit);
  EXPECT_FALSE(r.message.empty());
}

TEST(EngineInvariants, SuperHotReservationRuns) {
  const auto f = rich();
  Options o;
  o.days = 200;
  o.warmup_days = 20;
  const Results base = simulate(f, o);
  o.super_hot_reservation = true;
  const Results res = simulate(f, o);
  EXPECT_EQ(res.lots_released + res.initial_wip_lots,
            res.lots_completed + res.lots_scrapped + res.lots_in_fab_end);
  EXPECT_GT(res.lot_types[3].completed, 0);
  EXPECT_GT(base.lot_types[3].completed, 0);
}

// The tool-state series cuts the KPI window into periods: weighted by the periods' lengths, each
// group's shares add up to its shares over the window; the series leaves every other result
// unchanged; daily starts and outs add up to the run's totals.
TEST(EngineInvariants, StateSeriesAddsUpToTheWindowShares) {
  const auto f = rich();
  Options o;
  o.days = 101.5;
  o.warmup_days = 10;
  o.series_days = 7;
  const Results r = simulate(f, o);
  ASSERT_EQ(r.status, RunStatus::Ok);
  const StateSeries& s = r.state_series;
  ASSERT_EQ(s.shares.size(), r.tool_groups.size());
  ASSERT_EQ(s.start_day.size(), 14u);  // 91.5 days: 13 weeks and half a day
  EXPECT_DOUBLE_EQ(s.start_day.front(), 10);
  EXPECT_DOUBLE_EQ(s.start_day[1], 17);
  EXPECT_NEAR(s.length_days.back(), 0.5, 1e-9);
  double total = 0;
  for (double d : s.length_days) total += d;
  EXPECT_NEAR(total, 91.5, 1e-9);
  for (std::size_t gi = 0; gi < s.shares.size(); ++gi) {
    const auto& g = r.tool_groups[gi];
    const double want[5] = {g.busy, g.setup, g.down, g.pm, g.idle};
    for (int k = 0; k < 5; ++k) {
      double sum = 0;
      for (std::size_t p = 0; p < s.shares[gi].size(); ++p) sum += s.shares[gi][p][k] * s.length_days[p];
      EXPECT_NEAR(sum / total, want[k], 1e-9) << g.name << " state " << k;
    }
  }
  Options none = o;
  none.series_days = 0;
  const Results q = simulate(f, none);
  EXPECT_TRUE(q.state_series.shares.empty());
  EXPECT_EQ(fingerprint(q), fingerprint(r));
  std::int64_t starts = 0, outs = 0;
  for (auto n : r.starts_per_day) starts += n;
  for (auto n : r.outs_per_day) outs += n;
  EXPECT_EQ(r.starts_per_day.size(), 101u);
  // Lots released or completed in the last half day fall after the last day boundary.
  EXPECT_LE(starts, r.lots_released);
  EXPECT_GT(starts, r.lots_released * 9 / 10);
  EXPECT_LE(outs, r.lots_completed);
  EXPECT_GT(outs, r.lots_completed * 9 / 10);
}

}  // namespace
}  // namespace osatsim::engine::test
