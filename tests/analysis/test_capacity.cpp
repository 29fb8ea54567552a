// Static capacity and cycle times on hand-checkable fixtures (docs/capacity.md).
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <cmath>

#include "results/capacity.h"
#include "analysis/capacity.h"
#include "analysis/queueing.h"

namespace osatsim::analysis {
namespace {
using results::format_table;
using results::to_json_text;

using model::Factory;

// A factory builder for the fixtures: times in hours.
struct Fab {
  Factory f;

  model::ToolGroupId group(const std::string& name, int tools) {
    model::ToolGroup g;
    g.name = name;
    g.tools = tools;
    g.load_time = 0;
    g.unload_time = 0;
    f.tool_groups.push_back(g);
    return static_cast<model::ToolGroupId>(f.tool_groups.size() - 1);
  }
  model::Step& step(model::ToolGroupId g, Dist time_hours, const std::string& name = "") {
    if (f.routes.empty()) f.routes.push_back(model::Route{"r", {}, {}});
    model::Step s;
    s.name = name.empty() ? fmt::format("s{}", f.routes[0].steps.size() + 1) : name;
    s.tool_group = g;
    s.time = time_hours.scaled(static_cast<double>(kTicksPerHour));
    f.routes[0].steps.push_back(s);
    return f.routes[0].steps.back();
  }
  // A stream releasing one lot every `hours` (exponential: Poisson arrivals).
  void stream(double every_hours, bool poisson = true, int wafers = 25, int priority = 10,
              const std::string& name = "Lot") {
    if (f.products.empty()) f.products.push_back(model::Product{"p", 0, 0, 1.0, {}, {}});
    model::ReleaseStream s;
    s.name = name;
    s.product = 0;
    s.priority = priority;
    s.wafers_per_lot = wafers;
    const double iv = every_hours * kTicksPerHour;
    s.interval = poisson ? Dist::exponential(iv) : Dist::constant(iv);
    f.streams.push_back(s);
  }
  void down(model::ToolGroupId g, double mttf_h, double mttr_h) {
    model::DownCalendar d;
    d.name = fmt::format("d{}", f.down_calendars.size());
    d.time_to_failure = Dist::exponential(mttf_h * kTicksPerHour);
    d.time_to_repair = Dist::exponential(mttr_h * kTicksPerHour);
    f.down_calendars.push_back(d);
    model::DownAttachment a;
    a.calendar = static_cast<int>(f.down_calendars.size() - 1);
    f.tool_groups[g].downs.push_back(a);
  }
  void pm(model::ToolGroupId g, model::PmTrigger trig, double interval, double dur_h) {
    model::PmCalendar p;
    p.name = fmt::format("pm{}", f.pm_calendars.size());
    p.trigger = trig;
    p.interval = trig == model::PmTrigger::Calendar ? interval * kTicksPerHour : interval;
    p.duration = Dist::constant(dur_h * kTicksPerHour);
    f.pm_calendars.push_back(p);
    model::PmAttachment a;
    a.calendar = static_cast<int>(f.pm_calendars.size() - 1);
    f.tool_groups[g].pms.push_back(a);
  }
  CapacityResult run(CapacityOptions o = {}) {
    o.transport = false;
    const auto d = f.validate();
    EXPECT_TRUE(d.ok()) << d.to_string();
    return analyse(f, o);
  }
};

double ct_hours(const CapacityResult& r, int stream = 0) {
  return r.nominal.streams[stream].cycle_time_days * 24.0;
}

TEST(Capacity, MM1Station) {
  Fab fab;
  auto g = fab.group("G", 1);
  fab.step(g, Dist::exponential(0.5));
  fab.stream(1.0);  // 1 lot/h, 0.5 h each: u = 0.5
  const auto r = fab.run();
  const auto& gc = r.groups[0];
  EXPECT_NEAR(gc.lot_visits_per_day, 24.0, 1e-9);
  EXPECT_NEAR(gc.required_hours_per_day, 12.0, 1e-9);
  EXPECT_NEAR(gc.utilisation, 0.5, 1e-12);
  EXPECT_NEAR(gc.ca2, 1.0, 1e-12);
  EXPECT_NEAR(gc.ce2, 1.0, 1e-12);
  // M/M/1: CT = te / (1 - u) = 1 h.
  EXPECT_NEAR(ct_hours(r), 1.0, 1e-9);
  EXPECT_NEAR(r.max_scale, 2.0, 1e-12);
  EXPECT_NEAR(r.target_scale, 1.7, 1e-12);
  EXPECT_NEAR(r.nominal.streams[0].cycle_time_factor, 2.0, 1e-9);
  // Operating curve: at level x the station is at u = x, CT = 0.5 / (1 - x).
  ASSERT_EQ(r.curve.size(), 5u);
  for (const auto& p : r.curve) {
    EXPECT_NEAR(p.max_utilisation, p.level, 1e-12);
    EXPECT_NEAR(p.mean_cycle_time_days * 24.0, 0.5 / (1 - p.level), 1e-9);
  }
}

TEST(Capacity, MD1Station) {
  Fab fab;
  auto g = fab.group("G", 1);
  fab.step(g, Dist::constant(0.5));
  fab.stream(0.5 / 0.7);  // u = 0.7
  const auto r = fab.run();
  EXPECT_NEAR(r.groups[0].utilisation, 0.7, 1e-12);
  // Pollaczek-Khinchine: Wq = u te / (2 (1 - u)).
  EXPECT_NEAR(ct_hours(r), 0.7 * 0.5 / (2 * 0.3) + 0.5, 1e-9);
}

TEST(Capacity, MMmStationAgainstErlangC) {
  Fab fab;
  auto g = fab.group("G", 4);
  fab.step(g, Dist::exponential(2.0));
  fab.stream(2.0 / (4 * 0.85));  // u = 0.85 on 4 servers
  const auto r = fab.run();
  EXPECT_NEAR(r.groups[0].utilisation, 0.85, 1e-12);
  const double exact = queueing::wq_mmm_exact(4 * 0.85 / 2.0, 2.0, 4) + 2.0;
  // Stated tolerance for M/M/m at u >= 0.7, m <= 10: 25 % on the wait; the cycle time by hand:
  // Wq = 0.85^(sqrt(10) - 1) / (4 x 0.15) x 2 h.
  EXPECT_NEAR(ct_hours(r), std::pow(0.85, std::sqrt(10.0) - 1) / 0.6 * 2.0 + 2.0, 1e-9);
  EXPECT_NEAR(ct_hours(r) / exact, 1.0, 0.25);
}

TEST(Capacity, DeterministicReleasesThroughTandemLinking) {
  Fab fab;
  auto a = fab.group("A", 1);
  auto b = fab.group("B", 1);
  fab.step(a, Dist::exponential(0.6));
  fab.step(b, Dist::constant(0.3));
  fab.stream(1.0, /*poisson=*/false);  // D arrivals: ca2 = 0 at A
  const auto r = fab.run();
  EXPECT_NEAR(r.groups[a].ca2, 0.0, 1e-12);
  // Linking: cd2(A) = 1 + (1 - u^2)(0 - 1) + u^2 (1 - 1) = u^2 with u = 0.6.
  EXPECT_NEAR(r.groups[b].ca2, 0.36, 1e-9);
  const double wa = queueing::wq_ggm(0.0, 1.0, 0.6, 1, 0.6);
  const double wb = queueing::wq_ggm(0.36, 0.0, 0.3, 1, 0.3);
  EXPECT_NEAR(ct_hours(r), wa + 0.6 + wb + 0.3, 1e-9);
  // The simpler assumption: Poisson arrivals everywhere.
  CapacityOptions o;
  o.arrivals = ArrivalRule::Poisson;
  const auto p = fab.run(o);
  EXPECT_NEAR(p.groups[b].ca2, 1.0, 1e-12);
}

TEST(Capacity, BatchStation) {
  Fab fab;
  auto g = fab.group("Furnace", 2);
  fab.f.tool_groups[g].batch_criterion = model::BatchCriterion::SameRouteStep;
  auto& s = fab.step(g, Dist::constant(4.0));
  s.basis = model::TimeBasis::PerBatch;
  s.batch_min = 75;   // wafers: 3 lots
  s.batch_max = 125;  // 5 lots; mean 4 lots
  fab.stream(1.0);    // 1 lot/h
  CapacityOptions mean;
  mean.batch_size = BatchSizeRule::MeanMinMax;
  const auto r = fab.run(mean);
  const auto& gc = r.groups[0];
  // 24 lots/day in batches of 4: 6 batches of 4 h = 24 h on 2 tools.
  EXPECT_NEAR(gc.jobs_per_day, 6.0, 1e-9);
  EXPECT_NEAR(gc.required_hours_per_day, 24.0, 1e-9);
  EXPECT_NEAR(gc.utilisation, 0.5, 1e-12);
  EXPECT_NEAR(gc.ca2, 0.25, 1e-12);  // batch arrivals: ca2 / k
  const double wtbt = 3.0 / 2.0;     // (k - 1) / (2 ra)
  const double wq = 0.5 * (0.25 + 0.0) * std::pow(0.5, std::sqrt(6.0) - 1) / (2 * 0.5) * 4.0;
  EXPECT_NEAR(ct_hours(r), wtbt + wq + 4.0, 1e-9);
  // Load-dependent size (the default): 3 lots, plus those arriving while the batch waits for a
  // tool: k = 3 + P(wait) E[min(N, 2)], N geometric with mean r Wq / P(wait), r = 1 lot/h.
  const auto a = fab.run();
  const auto& ga = a.groups[0];
  const double u = ga.utilisation;
  const double pw = std::pow(u, std::sqrt(6.0) - 1);
  const double mean_n = 1.0 * ga.wq_hours / pw, q = mean_n / (1 + mean_n);
  const double k = 3 + pw * (q + q * q);
  EXPECT_NEAR(ga.jobs_per_day, 24.0 / k, 1e-6);
  EXPECT_NEAR(u, 24.0 / k * 4.0 / 48.0, 1e-6);
  EXPECT_GT(k, 3.0);
  EXPECT_LT(k, 4.0);
  // Wait: the first 3 lots form the batch ((3 - 1) / (2 r) = 1 h) and queue; the others join
  // while it queues and wait half as long on average.
  const double w = ga.wq_hours;
  EXPECT_NEAR(ct_hours(a), (3 * (1.0 + w) + (k - 3) * 0.5 * w) / k + 4.0, 1e-6);
  // Full batches: 5 lots.
  CapacityOptions o;
  o.batch_size = BatchSizeRule::Max;
  EXPECT_NEAR(fab.run(o).groups[0].required_hours_per_day, 24.0 / 5 * 4.0, 1e-9);
  o.batch_size = BatchSizeRule::Min;
  EXPECT_NEAR(fab.run(o).groups[0].required_hours_per_day, 24.0 / 3 * 4.0, 1e-9);
}

TEST(Capacity, AvailabilityFromFailures) {
  Fab fab;
  auto g = fab.group("G", 1);
  fab.step(g, Dist::constant(1.0));
  fab.down(g, 90.0, 10.0);  // A = 0.9
  fab.stream(1.0 / 0.45);   // 0.45 lots/h: u = 0.45 / 0.9 = 0.5
  const auto r = fab.run();
  const auto& gc = r.groups[0];
  EXPECT_NEAR(gc.availability, 0.9, 1e-12);
  EXPECT_NEAR(gc.available_hours_per_day, 21.6, 1e-9);
  EXPECT_NEAR(gc.utilisation, 0.5, 1e-12);
  EXPECT_NEAR(gc.utilisation_of_total, 0.45, 1e-12);
  EXPECT_NEAR(gc.tools_needed, 0.45 / (0.9 * 0.85), 1e-12);
  EXPECT_EQ(gc.tools_needed_int, 1);
  // Hopp & Spearman: te = t0 / A, ce2 = c02 + (1 + cr2) A (1 - A) mr / t0 = 1.8.
  EXPECT_NEAR(gc.te, 1.0 / 0.9, 1e-12);
  EXPECT_NEAR(gc.ce2, 1.8, 1e-12);
  // CT = Wq + t0 (1 + MTTR / MTTF) = (1 + 1.8)/2 * 0.5/0.5 * 1/0.9 + 1/0.9.
  EXPECT_NEAR(ct_hours(r), 1.4 / 0.9 + 1.0 / 0.9, 1e-9);
  EXPECT_NEAR(r.max_scale, 2.0, 1e-12);
}

TEST(Capacity, PackagingTableRowC2WBonder) {
  // FACTS.md §8.4: C2W bonder, MTTF/MTTR 168/4 h, PM share 3 %, 1,756 h/month -> Calc 3.03.
  Fab fab;
  auto g = fab.group("C2W", 5);
  fab.step(g, Dist::constant(1.0));
  fab.down(g, 168.0, 4.0);
  fab.pm(g, model::PmTrigger::Calendar, 97.0, 3.0);  // 3 / (97 + 3) = 3 %
  fab.stream(24.0 * 30.0 / 1756.0, false);
  const auto r = fab.run();
  const auto& gc = r.groups[0];
  EXPECT_NEAR(gc.required_hours_per_period, 1756.0, 1e-6);
  EXPECT_NEAR(gc.availability, 1.0 - 4.0 / 172.0 - 0.03, 1e-12);
  EXPECT_NEAR(gc.tools_needed, 3.03, 0.005);
  EXPECT_EQ(gc.tools_needed_int, 4);
}

TEST(Capacity, ReworkLoopMultipliesVisits) {
  Fab fab;
  auto a = fab.group("A", 1);
  auto b = fab.group("B", 1);
  auto c = fab.group("C", 1);
  fab.step(a, Dist::constant(0.1));
  fab.step(b, Dist::constant(0.1));
  auto& s3 = fab.step(c, Dist::constant(0.1));
  s3.rework_step = 1;
  s3.rework_probability = 0.2;
  fab.stream(1.0);
  auto r = fab.run();
  EXPECT_NEAR(r.groups[a].lot_visits_per_day, 24.0, 1e-9);
  EXPECT_NEAR(r.groups[b].lot_visits_per_day, 24.0 / 0.8, 1e-9);
  EXPECT_NEAR(r.groups[c].lot_visits_per_day, 24.0 / 0.8, 1e-9);
  EXPECT_NEAR(r.groups[c].required_hours_per_day, 2.4 / 0.8, 1e-9);
  // The raw process time counts each step once; the cycle time includes the repeats.
  EXPECT_NEAR(r.nominal.streams[0].raw_process_days * 24, 0.3, 1e-12);
  // A sampled rework step triggers rework only when performed: p = 0.2 x 0.5.
  fab.f.routes[0].steps[2].sample_probability = 0.5;
  r = fab.run();
  EXPECT_NEAR(r.groups[b].lot_visits_per_day, 24.0 / 0.9, 1e-9);
  EXPECT_NEAR(r.groups[c].lot_visits_per_day, 0.5 * 24.0 / 0.9, 1e-9);
}

TEST(Capacity, SamplingWeightsLoadAndRawProcessTime) {
  Fab fab;
  auto a = fab.group("A", 1);
  auto m = fab.group("Met", 1);
  fab.step(a, Dist::constant(0.2));
  fab.step(m, Dist::constant(0.5)).sample_probability = 0.3;
  fab.step(a, Dist::constant(0.2));
  fab.stream(1.0);
  const auto r = fab.run();
  EXPECT_NEAR(r.groups[m].lot_visits_per_day, 7.2, 1e-9);
  EXPECT_NEAR(r.groups[m].required_hours_per_day, 3.6, 1e-9);
  EXPECT_NEAR(r.groups[a].required_hours_per_day, 9.6, 1e-9);
  EXPECT_NEAR(r.nominal.streams[0].raw_process_sampled_days * 24, 0.4 + 0.3 * 0.5, 1e-12);
  EXPECT_NEAR(r.nominal.streams[0].raw_process_days * 24, 0.4 + 0.5, 1e-12);  // every step
}

TEST(Capacity, CascadingToolOccupiedForTheInterval) {
  Fab fab;
  auto g = fab.group("Implant", 2);
  fab.f.tool_groups[g].capacity = 2;
  fab.f.tool_groups[g].load_time = minutes(1);
  fab.f.tool_groups[g].unload_time = minutes(1);
  auto& s = fab.step(g, Dist::constant(1.0 / 60.0));  // X = 1 min per wafer
  s.basis = model::TimeBasis::PerWafer;
  s.cascade_basis = model::CascadeBasis::PerWafer;
  s.cascade_interval = round_ticks(0.75 * kTicksPerMinute);  // c = 0.75 min
  auto& s2 = fab.step(g, Dist::constant(1.0));               // per lot, 60 min
  s2.cascade_basis = model::CascadeBasis::PerLot;
  s2.cascade_interval = minutes(42);
  fab.stream(1.0);
  const auto r = fab.run();
  // Occupancy per lot: 25 x 0.75 min + 42 min = 60.75 min; 24 lots/day.
  EXPECT_NEAR(r.groups[g].busy_hours_per_day, 24 * 60.75 / 60.0, 1e-9);
  // Raw lot time: L + X + 24 c + U = 1 + 1 + 18 + 1 = 21 min, plus L + 60 + U = 62 min.
  EXPECT_NEAR(r.nominal.streams[0].raw_process_days * 24 * 60, 21.0 + 62.0, 1e-9);
}

TEST(Capacity, WaferCountPmScalesWithLoad) {
  Fab fab;
  auto g = fab.group("Etch", 1);
  fab.step(g, Dist::constant(0.5));
  fab.pm(g, model::PmTrigger::WaferCount, 1000.0, 10.0);
  fab.stream(2.4, false);  // 10 lots/day = 250 wafers/day -> 2.5 PM hours/day
  const auto r = fab.run();
  const auto& gc = r.groups[0];
  EXPECT_NEAR(gc.wafers_per_day, 250.0, 1e-9);
  EXPECT_NEAR(gc.pm_share, 2.5 / 24.0, 1e-12);
  EXPECT_NEAR(gc.available_hours_per_day, 21.5, 1e-9);
  EXPECT_NEAR(gc.utilisation, 5.0 / 21.5, 1e-12);
  // 100 %: s (5 + 2.5) = 24.
  EXPECT_NEAR(r.max_scale, 24.0 / 7.5, 1e-12);
  // Tools needed: (5 / 0.85 + 2.5) / 24.
  EXPECT_NEAR(gc.tools_needed, (5.0 / 0.85 + 2.5) / 24.0, 1e-12);
  // Target: s 5 = 0.85 (24 - s 2.5).
  EXPECT_NEAR(r.target_scale, 0.85 * 24.0 / (5.0 + 0.85 * 2.5), 1e-12);
}

// Nested PM calendars (model::PmNesting): each longer PM does one occurrence of each shorter PM
// of the same trigger, so a shorter PM's rate drops by the longer ones' rates.
TEST(Capacity, NestedPmCalendars) {
  for (const auto n : {model::PmNesting::Independent, model::PmNesting::Nested}) {
    Fab fab;
    fab.f.pm_nesting = n;
    auto g = fab.group("Litho", 1);
    fab.step(g, Dist::constant(1.0));
    // Calendar: WK every 167 h + 1 h (cycle 168 h), MN every 718 h + 2 h (cycle 720 h).
    fab.pm(g, model::PmTrigger::Calendar, 167.0, 1.0);
    fab.pm(g, model::PmTrigger::Calendar, 718.0, 2.0);
    // Wafer count: every 1000 and every 4000 wafers, 3 h and 6 h, at 250 wafers/day.
    fab.pm(g, model::PmTrigger::WaferCount, 1000.0, 3.0);
    fab.pm(g, model::PmTrigger::WaferCount, 4000.0, 6.0);
    fab.stream(2.4, false);  // 10 lots/day, 250 wafers/day
    const auto r = fab.run();
    const bool nested = n == model::PmNesting::Nested;
    EXPECT_EQ(r.nested_pms, nested);
    // Calendar share: WK (1/168 - 1/720) x 1 h + MN 2/720 nested; 1/168 + 2/720 independent.
    const double cal = nested ? (1.0 / 168 - 1.0 / 720) + 2.0 / 720 : 1.0 / 168 + 2.0 / 720;
    // Wafer count, hours per day: 250 x ((1/1000 - 1/4000) x 3 + 6/4000) nested.
    const double load = nested ? 250.0 * ((1.0 / 1000 - 1.0 / 4000) * 3 + 6.0 / 4000)
                               : 250.0 * (3.0 / 1000 + 6.0 / 4000);
    EXPECT_NEAR(r.groups[0].pm_share, cal + load / 24.0, 1e-12);
  }
}

TEST(Capacity, MaxStartRateOnTwoGroups) {
  Fab fab;
  auto a = fab.group("A", 2);
  auto b = fab.group("B", 1);
  fab.step(a, Dist::constant(1.0));
  fab.step(b, Dist::constant(0.5));
  fab.pm(b, model::PmTrigger::Calendar, 20.0, 4.0);  // 4 / 24 of the time
  fab.stream(1.0, false);                            // 24 lots/day
  const auto r = fab.run();
  // A: 24 h over 48 h = 0.5. B: 12 h over 20 h = 0.6: the bottleneck.
  EXPECT_NEAR(r.groups[a].utilisation, 0.5, 1e-12);
  EXPECT_NEAR(r.groups[b].utilisation, 0.6, 1e-12);
  ASSERT_EQ(r.ranking.size(), 2u);
  EXPECT_EQ(r.ranking[0], b);
  EXPECT_EQ(r.bottleneck, b);
  EXPECT_NEAR(r.max_scale, 1.0 / 0.6, 1e-12);
  EXPECT_NEAR(r.target_scale, 0.85 / 0.6, 1e-12);
  EXPECT_NEAR(r.groups[b].tools_needed, 12.0 / (20.0 * 0.85), 1e-12);
  EXPECT_NEAR(r.groups[a].tools_needed, 24.0 / (24.0 * 0.85), 1e-12);
  // --scale: the nominal point moves, the maximum (relative to the plan) does not.
  CapacityOptions o;
  o.scale = 1.5;
  const auto s = fab.run(o);
  EXPECT_NEAR(s.groups[b].utilisation, 0.9, 1e-12);
  EXPECT_NEAR(s.max_scale, 1.0 / 0.6, 1e-12);
  o.scale = 2.0;  // beyond the maximum: unstable
  EXPECT_TRUE(std::isinf(fab.run(o).nominal.streams[0].cycle_time_days));
}

TEST(Capacity, SetupFrequencyFromMixAndMinRun) {
  Fab fab;
  auto g = fab.group("Track", 1);
  const auto s1 = fab.f.intern_setup("S1");
  const auto s2 = fab.f.intern_setup("S2");
  auto& a = fab.step(g, Dist::constant(0.1));
  a.setup = s1;
  a.setup_time = minutes(15);
  auto& b = fab.step(g, Dist::constant(0.1));
  b.setup = s2;
  b.setup_time = minutes(15);
  fab.stream(1.0);
  fab.f.tool_groups[g].ranking = {model::RankCriterion::Fifo};  // no setup avoidance
  auto r = fab.run();
  // Two equally frequent states, random order: each job changes with probability 1/2.
  EXPECT_NEAR(r.groups[0].setup_hours_per_day, 48 * 0.5 * 0.25, 1e-9);
  EXPECT_NEAR(r.groups[0].required_hours_per_day, 4.8 + 6.0, 1e-9);
  // MINRUN 4 under rule LSSU: at most one change per 4 lots.
  fab.f.setup_groups.push_back(model::SetupGroup{"gas", {s1, s2}, 4, {}});
  fab.f.setup_group_of = {0, 0};
  fab.f.tool_groups[g].lssu = true;
  fab.f.tool_groups[g].setup_group = 0;
  r = fab.run();
  EXPECT_NEAR(r.groups[0].setup_hours_per_day, 48 * 0.25 * 0.25, 1e-9);
  // Sequence-dependent table times, no override: S1 -> S2 costs 1 h, S2 -> S1 costs 0.5 h.
  fab.f.routes[0].steps[0].setup_time = -1;
  fab.f.routes[0].steps[1].setup_time = -1;
  fab.f.setup_changes = {{s1, s2, hours(1), {}}, {s2, s1, minutes(30), {}}};
  fab.f.tool_groups[g].lssu = false;
  r = fab.run();
  EXPECT_NEAR(r.groups[0].setup_hours_per_day, 24 * 0.5 * 1.0 + 24 * 0.5 * 0.5, 1e-9);
}

TEST(Capacity, SetupAvoidingDispatchNeedsFewerSetups) {
  Fab fab;
  auto g = fab.group("Track", 1);
  for (int k = 0; k < 3; ++k) {
    auto& s = fab.step(g, Dist::constant(0.1));
    s.setup = fab.f.intern_setup(fmt::format("S{}", k));
    s.setup_time = minutes(15);
  }
  fab.stream(0.5);     // 6 jobs/h of 0.1 h: u = 0.6 + setups
  auto r = fab.run();  // the default ranking has rank_RSETUP
  const auto& gc = r.groups[0];
  // Self-consistent fixed point (docs/capacity.md §1.4), m = 1, three states of f = 1/3:
  // P(wait) = u; each state's sub-queue is empty with probability 1 - u, so
  // p = (1 - u)(1 - f) + u (1 - u), and u = (14.4 + 144 p 0.25) / 24.
  const double u = gc.utilisation;
  const double p = (1 - u) * (2.0 / 3.0) + u * (1 - u);
  EXPECT_NEAR(gc.setup_hours_per_day, 144 * p * 0.25, 1e-6);
  EXPECT_NEAR(u, (14.4 + 144 * p * 0.25) / 24.0, 1e-6);
  EXPECT_LT(p, 2.0 / 3.0);  // fewer than a random sequence
  // Setups depend on the load, so the target start rate is re-evaluated at its own load: there
  // the most loaded group is at the target.
  CapacityOptions o;
  o.transport = false;
  const CurvePoint at = evaluate_at_scale(fab.f, o, r.target_scale);
  EXPECT_NEAR(at.max_utilisation, 0.85, 1e-3);
}

TEST(Capacity, PriorityClassesConserveTheMeanWait) {
  Fab fab;
  auto g = fab.group("G", 1);
  fab.step(g, Dist::exponential(0.5));
  fab.stream(1.25, true, 25, 10, "Lot");
  fab.stream(5.0, true, 25, 20, "Hot");  // 0.8 + 0.2 lots/h: u = 0.5
  const auto r = fab.run();
  const auto& lot = r.nominal.streams[0];
  const auto& hot = r.nominal.streams[1];
  EXPECT_LT(hot.cycle_time_days, lot.cycle_time_days);
  const double mean = (0.8 * lot.cycle_time_days + 0.2 * hot.cycle_time_days) / 1.0 * 24;
  EXPECT_NEAR(mean, 1.0, 1e-9);  // the FCFS M/M/1 cycle time
  EXPECT_NEAR(r.nominal.mean_cycle_time_days * 24, 1.0, 1e-9);
  CapacityOptions o;
  o.priorities = false;
  const auto f = fab.run(o);
  EXPECT_NEAR(f.nominal.streams[1].cycle_time_days, f.nominal.streams[0].cycle_time_days, 1e-12);
}

TEST(Capacity, PackagingBasesAndTransform) {
  Fab fab;
  auto g = fab.group("G", 4);
  fab.f.components.push_back(model::Component{"HBM", 0, 0, {}});
  auto& s1 = fab.step(g, Dist::constant(0.01));  // per wafer
  s1.basis = model::TimeBasis::PerWafer;
  s1.yield = 0.9;
  auto& s2 = fab.step(g, Dist::constant(0.001));  // per site, then singulate
  s2.basis = model::TimeBasis::PerSite;
  s2.transform_to_units = true;
  auto& s3 = fab.step(g, Dist::constant(0.002));  // per die placement (HBM)
  s3.basis = model::TimeBasis::PerDie;
  s3.die_component = 0;
  auto& s4 = fab.step(g, Dist::constant(0.003));  // per unit
  s4.basis = model::TimeBasis::PerUnit;
  s4.overhead = minutes(6);  // per job
  fab.stream(24.0, false);   // 1 lot/day of 25 wafers
  fab.f.products[0].sites_per_wafer = 10;
  fab.f.products[0].site_yield = 0.9;
  fab.f.products[0].dies = {{0, 8}};
  const auto r = fab.run();
  const double w1 = 25, w2 = 25 * 0.9, units = w2 * 10 * 0.9;
  const double hours = w1 * 0.01 + w2 * 10 * 0.001 + units * 8 * 0.002 + units * 0.003 + 0.1;
  EXPECT_NEAR(r.groups[0].busy_hours_per_day, hours, 1e-9);
  // Pieces counted by wafer-count PM (model::StepFlow::pm_pieces, as the engine counts them):
  // the lot's wafers, after the transform the wafers it had at the transform.
  EXPECT_NEAR(r.groups[0].wafers_per_day, 25 + w2 + 2 * w2, 1e-9);
  // Units are reported apart: the stream ships `units` good units per day.
  EXPECT_NEAR(r.nominal.streams[0].good_units_per_day, units, 1e-9);
  EXPECT_NEAR(r.nominal.streams[0].wafers_per_day, 25, 1e-9);
  EXPECT_EQ(r.nominal.streams[0].units_per_day, 0.0);
}

TEST(Capacity, EmptyPlanAndReports) {
  Fab fab;
  auto g = fab.group("G", 1);
  fab.step(g, Dist::constant(1.0));
  fab.f.products.push_back(model::Product{"p", 0, 0, 1.0, {}, {}});
  const auto r = fab.run();
  EXPECT_TRUE(r.ranking.empty());
  EXPECT_TRUE(std::isinf(r.max_scale));
  EXPECT_TRUE(r.curve.empty());
  EXPECT_NE(format_table(r).find("release plan is empty"), std::string::npos);
  EXPECT_NE(to_json_text(r).find("\"max_scale\": null"), std::string::npos);
}

TEST(Capacity, ToolsMissing) {
  Fab fab;
  auto g = fab.group("G", 0);
  fab.step(g, Dist::constant(1.0));
  fab.stream(1.0, false);
  // Factory::validate rejects a loaded group without tools (docs/errors.md); analyse itself must
  // still cope with one (a what-if before tools are bought).
  EXPECT_FALSE(fab.f.validate().ok());
  CapacityOptions o;
  o.transport = false;
  const auto r = analyse(fab.f, o);
  EXPECT_TRUE(std::isinf(r.groups[0].utilisation));
  EXPECT_NEAR(r.max_scale, 0.0, 1e-12);
  EXPECT_NEAR(r.groups[0].tools_needed, 24.0 / (24 * 0.85), 1e-12);
  EXPECT_TRUE(r.curve.empty());
  EXPECT_NE(to_json_text(r).find("\"utilisation\": null"), std::string::npos);
}

TEST(Capacity, UnitBatchOfSplitLotsTakesWholeLots) {
  // 1 wafer x 64 sites (all good) transformed into 64 units and split into lots of at most 32:
  // 2 lots of 32 units per released lot. The oven batches units, 48..64 per batch: at least
  // ceil(48 / 32) = 2 lots and at most floor(64 / 32) = 2 lots, so every batch holds 2 lots
  // whatever the batch-size rule.
  Fab fab;
  auto saw = fab.group("Saw", 1);
  auto oven = fab.group("Oven", 2);
  fab.f.tool_groups[oven].batch_criterion = model::BatchCriterion::SameRouteStep;
  fab.f.tool_groups[oven].batch_unit = model::BatchUnit::Unit;
  auto& t = fab.step(saw, Dist::constant(0.1));
  t.transform_to_units = true;
  t.split_units = 32;
  auto& b = fab.step(oven, Dist::constant(2.0));
  b.basis = model::TimeBasis::PerBatch;
  b.batch_min = 48;
  b.batch_max = 64;
  fab.stream(1.0, true, 1);  // 1 lot of 1 wafer per hour
  fab.f.products[0].sites_per_wafer = 64;
  for (BatchSizeRule rule : {BatchSizeRule::Auto, BatchSizeRule::Min, BatchSizeRule::Max,
                             BatchSizeRule::MeanMinMax}) {
    CapacityOptions o;
    o.batch_size = rule;
    const auto r = fab.run(o);
    const auto& g = r.groups[static_cast<std::size_t>(oven)];
    // 24 released lots/day -> 48 lot visits/day at the oven -> 24 batches of 2 lots.
    EXPECT_NEAR(g.lot_visits_per_day, 48.0, 1e-9);
    EXPECT_NEAR(g.jobs_per_day, g.lot_visits_per_day / 2, 1e-9);
    // 24 batches of 2 h on the oven.
    EXPECT_NEAR(g.busy_hours_per_day, 48.0, 1e-9);
  }
}

}  // namespace
}  // namespace osatsim::analysis
