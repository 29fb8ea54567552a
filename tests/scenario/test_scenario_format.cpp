// Format details of the scenario reader: durations, distributions, rates, sequences, inline
// calendars, site packing, unit products, and the annotated example of docs/scenario.md.
#include <gtest/gtest.h>

#include <regex>
#include <string>

#include "io/scenario.h"
#include "support/test_support.h"

namespace osatsim {
namespace {

using model::Factory;

std::shared_ptr<Factory> read_ok(const std::string& text) {
  Diagnostics d;
  auto f = io::read_scenario_text(text, "f.yaml", d);
  EXPECT_TRUE(d.ok()) << d.to_string();
  return f;
}

TEST(ScenarioFormat, DurationsCarryTheirUnit) {
  struct Ok {
    const char* text;
    double ticks;
  };
  for (const Ok& c :
       {Ok{"12 min", 12 * 60000.0}, Ok{"4 s", 4000}, Ok{"2.5 h", 2.5 * 3600000},
        Ok{"7 d", 7 * 86400000.0}, Ok{"1 wk", 7 * 86400000.0}, Ok{"250 ms", 250}, Ok{"0", 0},
        Ok{"0 s", 0}, Ok{"90sec", 90000}, Ok{" 3 hours ", 3 * 3600000.0}, Ok{"1e1 min", 600000}}) {
    double t = -1;
    EXPECT_TRUE(io::parse_duration(c.text, t)) << c.text;
    EXPECT_DOUBLE_EQ(t, c.ticks) << c.text;
  }
  for (const char* bad : {"12", "-1 s", "nan s", ".nan s", "inf h", "1e400 s", "5 parsecs", "",
                          "min", "1.2.3 s", "0x10 s", "12 min extra"}) {
    double t = 0;
    EXPECT_FALSE(io::parse_duration(bad, t)) << bad;
  }
}

// A small complete scenario used by several tests; `extra_*` are spliced in.
std::string mini(const std::string& group_extra = "", const std::string& step_extra = "",
                 const std::string& release = "wafers_per_month: 100") {
  return "name: m\n"
         "components: [{name: die}]\n"
         "tool_groups:\n"
         "  - name: g\n" +
         group_extra +
         "routes:\n"
         "  - name: r\n"
         "    steps:\n"
         "      - {name: a, group: g, basis: per_wafer, time: 1 min" +
         step_extra +
         "}\n"
         "products: [{name: p, route: r}]\n"
         "releases: [{name: p, product: p, wafers_per_lot: 25, " +
         release + ", due: 5 d}]\n";
}

TEST(ScenarioFormat, Distributions) {
  auto f = read_ok(mini("", ", overhead: 30 s"));
  ASSERT_TRUE(f);
  EXPECT_EQ(f->routes[0].steps[0].time.kind, DistKind::Constant);
  EXPECT_DOUBLE_EQ(f->routes[0].steps[0].time.mean, 60000);
  EXPECT_EQ(f->routes[0].steps[0].overhead, 30000);
  f = read_ok(mini("", "").replace(mini().find("time: 1 min"), 11,
                                   "time: {dist: uniform, mean: 10 min, half_width: 2 min}"));
  ASSERT_TRUE(f);
  const Dist& u = f->routes[0].steps[0].time;
  EXPECT_EQ(u.kind, DistKind::Uniform);
  EXPECT_DOUBLE_EQ(u.mean, 600000);
  EXPECT_DOUBLE_EQ(u.half_width, 120000);
  f = read_ok(
      mini().replace(mini().find("time: 1 min"), 11, "time: {dist: exponential, mean: 1 h}"));
  ASSERT_TRUE(f);
  EXPECT_EQ(f->routes[0].steps[0].time.kind, DistKind::Exponential);
  EXPECT_DOUBLE_EQ(f->routes[0].steps[0].time.mean, 3600000);
  f = read_ok(mini().replace(mini().find("time: 1 min"), 11, "time: {dist: constant, value: 2 s}"));
  ASSERT_TRUE(f);
  EXPECT_DOUBLE_EQ(f->routes[0].steps[0].time.mean, 2000);
}

TEST(ScenarioFormat, MonthlyRatesBecomeConstantIntervals) {
  // 100 wafers/month in lots of 25 = 4 lots per 30 days = one every 7.5 days.
  auto f = read_ok(mini());
  ASSERT_TRUE(f);
  EXPECT_EQ(f->streams[0].interval.kind, DistKind::Constant);
  EXPECT_DOUBLE_EQ(f->streams[0].interval.mean, 7.5 * 86400000);
  f = read_ok(mini("", "", "lots_per_month: 60"));
  ASSERT_TRUE(f);
  EXPECT_DOUBLE_EQ(f->streams[0].interval.mean, 12 * 3600000.0);
  f = read_ok(mini("", "", "interval: {dist: exponential, mean: 8 h}, lots_per_release: 2"));
  ASSERT_TRUE(f);
  EXPECT_EQ(f->streams[0].interval.kind, DistKind::Exponential);
  EXPECT_EQ(f->streams[0].lots_per_release, 2);
  EXPECT_EQ(f->streams[0].due_offset, 5 * 86400000LL);
}

TEST(ScenarioFormat, InlineCalendarsAndDefaults) {
  auto f =
      read_ok(mini("    downs: [{mttf: 100 h, mttr: 2 h}]\n"
                   "    pms: [{every: 14 d, duration: 10 h}, {every_wafers: 500, duration: 6 h, "
                   "first: 100}]\n"));
  ASSERT_TRUE(f);
  ASSERT_EQ(f->down_calendars.size(), 1u);
  EXPECT_EQ(f->down_calendars[0].name, "g.down1");
  EXPECT_EQ(f->down_calendars[0].time_to_failure.kind, DistKind::Exponential);
  EXPECT_DOUBLE_EQ(f->down_calendars[0].time_to_failure.mean, 100 * 3600000.0);
  EXPECT_DOUBLE_EQ(f->down_calendars[0].time_to_repair.mean, 2 * 3600000.0);
  const auto& g = f->tool_groups[0];
  EXPECT_EQ(g.tools, 1);
  EXPECT_EQ(g.capacity, 1);
  // First failure defaults to the time-to-failure distribution.
  EXPECT_EQ(g.downs[0].first_occurrence.kind, DistKind::Exponential);
  ASSERT_EQ(f->pm_calendars.size(), 2u);
  EXPECT_EQ(f->pm_calendars[0].name, "g.pm1");
  EXPECT_EQ(f->pm_calendars[0].trigger, model::PmTrigger::Calendar);
  EXPECT_DOUBLE_EQ(f->pm_calendars[0].interval, 14 * 86400000.0);
  EXPECT_EQ(f->pm_calendars[1].trigger, model::PmTrigger::WaferCount);
  EXPECT_DOUBLE_EQ(f->pm_calendars[1].interval, 500);
  // Calendar PMs start uniformly over the first interval; a given wafer-count first is kept.
  EXPECT_EQ(g.pms[0].first_occurrence.kind, DistKind::Uniform);
  EXPECT_DOUBLE_EQ(g.pms[0].first_occurrence.mean, 7 * 86400000.0);
  EXPECT_DOUBLE_EQ(g.pms[0].first_occurrence.half_width, 7 * 86400000.0);
  EXPECT_DOUBLE_EQ(g.pms[1].first_occurrence.mean, 100);
  // PM calendars are independent unless the scenario says they nest.
  EXPECT_EQ(f->pm_nesting, model::PmNesting::Independent);
  auto n = read_ok("pm_nesting: nested\n" + mini("    pms: [{every: 7 d, duration: 1 h}]\n"));
  ASSERT_TRUE(n);
  EXPECT_EQ(n->pm_nesting, model::PmNesting::Nested);
  // The setup readings: the defaults of YAML scenarios, and each key read.
  EXPECT_EQ(f->lssu_switch, model::LssuSwitch::Immediate);
  EXPECT_EQ(f->setup_state, model::SetupState::Keep);
  EXPECT_EQ(f->wake, model::WakeRule::LeastSetup);
  EXPECT_EQ(f->cascade_setup, model::CascadeSetup::After);
  EXPECT_EQ(f->idle_tool, model::IdleTool::First);
  EXPECT_EQ(f->wafer_pm_start, model::WaferPmStart::Same);
  auto r = read_ok("lssu_switch: refuse\nsetup_state: reset\nwake: none\ncascade_setup: overlap\n"
                   "idle_tool: random\nwafer_pm_start: staggered\n" +
                   mini("    pms: [{every: 7 d, duration: 1 h}]\n"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->lssu_switch, model::LssuSwitch::Refuse);
  EXPECT_EQ(r->setup_state, model::SetupState::Reset);
  EXPECT_EQ(r->wake, model::WakeRule::None);
  EXPECT_EQ(r->cascade_setup, model::CascadeSetup::Overlap);
  EXPECT_EQ(r->idle_tool, model::IdleTool::Random);
  EXPECT_EQ(r->wafer_pm_start, model::WaferPmStart::Staggered);
}

TEST(ScenarioFormat, SequencesAreInlinedAndStepReferencesResolveInTheRoute) {
  const std::string text =
      "name: s\n"
      "tool_groups: [{name: g}]\n"
      "sequences:\n"
      "  tail:\n"
      "    - {name: t1, group: g, basis: per_lot, time: 1 min, rework: {to: a, probability: 0.1}}\n"
      "    - {name: t2, group: g, basis: per_lot, time: 1 min}\n"
      "routes:\n"
      "  - {name: r1, steps: [{name: a, group: g, basis: per_lot, time: 1 min, cqt: {until: t2, "
      "limit: 2 h}, dedicate: t1}, {use: tail}]}\n"
      "  - {name: r2, steps: [{name: a, group: g, basis: per_lot, time: 2 min}, {use: tail}, "
      "{name: z, group: g, basis: per_lot, time: 1 min}]}\n"
      "products: [{name: p, route: r1}]\n"
      "releases: [{name: p, product: p, wafers_per_lot: 1, interval: 1 h, due: 1 d}]\n";
  auto f = read_ok(text);
  ASSERT_TRUE(f);
  ASSERT_EQ(f->routes[0].steps.size(), 3u);
  ASSERT_EQ(f->routes[1].steps.size(), 4u);
  EXPECT_EQ(f->routes[0].steps[1].name, "t1");
  EXPECT_EQ(f->routes[0].steps[1].rework_step, 0);
  EXPECT_DOUBLE_EQ(f->routes[0].steps[1].rework_probability, 0.1);
  EXPECT_EQ(f->routes[0].steps[0].cqt_exit_step, 2);
  EXPECT_EQ(f->routes[0].steps[0].cqt_limit, 2 * 3600000LL);
  EXPECT_EQ(f->routes[0].steps[0].dedicate_step, 1);
  EXPECT_EQ(f->routes[1].steps[3].name, "z");
  // The inlined steps point at their definition in the sequence (line 5).
  EXPECT_EQ(f->routes[1].steps[1].src.line, 5);
}

TEST(ScenarioFormat, SiteDimensionsArePackedByThePackagingModule) {
  // FACTS.md 2.3: 52 x 54.5 mm -> 16 per 300 mm wafer, 46 x 52 -> 19, 66 x 71.5 -> 9 (3 mm edge,
  // 0.2 mm street).
  const std::string base =
      "name: s\n"
      "tool_groups: [{name: g}]\n"
      "routes: [{name: r, steps: [{name: a, group: g, basis: per_site, time: 1 s}]}]\n"
      "releases: [{name: p, product: p, wafers_per_lot: 1, interval: 1 h, due: 1 d}]\n";
  struct Case {
    const char* site;
    int sites;
  };
  for (const Case c : {Case{"52x54.5", 16}, Case{"46x52", 19}, Case{"66x71.5", 9}}) {
    auto f = read_ok(base + "products: [{name: p, route: r, site: " + c.site + "}]\n");
    ASSERT_TRUE(f) << c.site;
    EXPECT_EQ(f->products[0].sites_per_wafer, c.sites) << c.site;
  }
  Diagnostics d;
  EXPECT_FALSE(io::read_scenario_text(
      base + "products: [{name: p, route: r, site: 52by54, wafer: 300}]\n", "s.yaml", d));
  EXPECT_EQ(d.to_string(),
            "s.yaml:5:38: products.p.site: expected site dimensions 'WIDTHxHEIGHT' in mm, e.g. "
            "'52x54.5', got '52by54'\n");
  Diagnostics d2;
  EXPECT_FALSE(io::read_scenario_text(base + "products: [{name: p, route: r, site: 400x400}]\n",
                                      "s.yaml", d2));
  EXPECT_NE(d2.to_string().find("products.p.site: no 400x400 mm site fits"), std::string::npos)
      << d2.to_string();
}

TEST(ScenarioFormat, UnitProductsCountUnitsFromRelease) {
  const std::string text =
      "name: cpo\n"
      "components: [{name: oe}]\n"
      "tool_groups:\n"
      "  - {name: attach}\n"
      "  - {name: bi, batching: {criterion: same_route_step, unit: unit, min: 12, max: 16}}\n"
      "routes:\n"
      "  - name: r\n"
      "    steps:\n"
      "      - {name: a, group: attach, basis: per_die, die: oe, time: 20 s, overhead: 2 min, "
      "overhead_per: unit, kit: [{component: oe, quantity: 16, per: unit}]}\n"
      "      - {name: b, group: bi, basis: per_batch, time: 13 h}\n"
      "products: [{name: p, route: r, starts_as: units, dies: {oe: 16}}]\n"
      "releases: [{name: p, product: p, units_per_lot: 8, units_per_month: 2000, due: 7 d}]\n";
  auto f = read_ok(text);
  ASSERT_TRUE(f);
  EXPECT_TRUE(f->products[0].starts_as_units);
  EXPECT_EQ(f->streams[0].wafers_per_lot, 8);
  // 2,000 units / 8 per lot = 250 lots per 30 days.
  EXPECT_DOUBLE_EQ(f->streams[0].interval.mean, 30.0 * 86400000 / 250);
  EXPECT_TRUE(f->routes[0].steps[0].overhead_per_wafer);
  EXPECT_EQ(f->routes[0].steps[1].batch_min, 12);
  EXPECT_EQ(f->routes[0].steps[1].batch_max, 16);
  // A per-wafer step, a transform and a wafer rate are all wrong for it.
  Diagnostics d;
  std::string bad = text;
  bad.replace(bad.find("basis: per_batch"), 16, "basis: per_wafer");
  bad.replace(bad.find("units_per_month"), 15, "wafers_per_month");
  EXPECT_FALSE(io::read_scenario_text(bad, "c.yaml", d));
  EXPECT_EQ(d.to_string(),
            "c.yaml:12:70: releases.p.wafers_per_month: product 'p' starts as units: use "
            "'units_per_month'\n"
            "c.yaml:10:9: routes.r.steps.b.basis: per_wafer step, but lots of product 'p' count "
            "units here\n");
}

TEST(ScenarioFormat, SetupsAndSetupGroups) {
  const std::string text =
      "name: s\n"
      "setups: [x, y]\n"
      "setup_changes: [{to: x, time: 10 min}, {from: x, to: y, time: 5 min}, {from: any, to: y, "
      "time: 7 min}]\n"
      "setup_groups: [{name: sg, members: [x, y], min_run: 3}]\n"
      "tool_groups: [{name: g, setup_group: sg, lssu: true, wake_least_setup: yes}]\n"
      "routes: [{name: r, steps: [{name: a, group: g, basis: per_lot, time: 1 min, setup: y, "
      "setup_time: 1 min}]}]\n"
      "products: [{name: p, route: r}]\n"
      "releases: [{name: p, product: p, wafers_per_lot: 1, interval: 1 h, due: 1 d}]\n";
  auto f = read_ok(text);
  ASSERT_TRUE(f);
  ASSERT_EQ(f->setups.size(), 2u);
  ASSERT_EQ(f->setup_changes.size(), 3u);
  EXPECT_EQ(f->setup_changes[0].from, model::kNone);
  EXPECT_EQ(f->setup_changes[1].from, 0);
  EXPECT_EQ(f->setup_changes[2].from, model::kNone);
  EXPECT_EQ(f->setup_group_of[0], 0);
  EXPECT_EQ(f->setup_group_of[1], 0);
  EXPECT_EQ(f->setup_groups[0].min_run, 3);
  EXPECT_TRUE(f->tool_groups[0].lssu);
  EXPECT_TRUE(f->tool_groups[0].wake_least_setup);
  EXPECT_EQ(f->routes[0].steps[0].setup, 1);
  EXPECT_EQ(f->routes[0].steps[0].setup_time, 60000);
  // The table: x -> y is 5 min (the step override is 1 min).
  model::Step s = f->routes[0].steps[0];
  s.setup_time = -1;
  EXPECT_EQ(f->setup_time(0, s), 5 * 60000);
  EXPECT_EQ(f->setup_time(model::kNone, s), 7 * 60000);
}

// The annotated example of docs/scenario.md is a complete, valid scenario.
TEST(ScenarioFormat, DocumentationExampleReads) {
  const std::string doc = test::read_file(test::source_dir() / "docs/scenario.md");
  const auto start = doc.find("```yaml\n");
  ASSERT_NE(start, std::string::npos);
  const auto end = doc.find("```", start + 8);
  ASSERT_NE(end, std::string::npos);
  const std::string yaml = doc.substr(start + 8, end - start - 8);
  auto f = read_ok(yaml);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->name, "mini_cowos");
  EXPECT_EQ(f->products[0].sites_per_wafer, 19);
  EXPECT_EQ(f->routes[0].steps.size(), 8u);
  EXPECT_EQ(f->routes[0].steps[5].split_units, 32);
  EXPECT_TRUE(f->routes[0].steps[5].transform_to_units);
  EXPECT_EQ(f->supplies.size(), 3u);
  EXPECT_EQ(f->supplies[2].count, 10);
  EXPECT_EQ(f->supplies[2].interval, 30 * 86400000LL);
  EXPECT_EQ(f->supplies[2].first, 3 * 86400000LL);
  EXPECT_EQ(f->tool_groups[1].area, "cow");  // area defaults to the location
}

}  // namespace
}  // namespace osatsim
