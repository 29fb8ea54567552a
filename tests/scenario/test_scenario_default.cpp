// The built-in default scenario: reads without problems, its plan fits the line (static load per
// tool group), its good output matches FACTS.md section 8.6 within 15 %, and the exported YAML
// reads back to the same Factory.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "io/load.h"
#include "io/scenario.h"
#include "static_plan.h"
#include "support/test_support.h"

namespace osatsim {
namespace {

using model::Factory;

std::shared_ptr<Factory> read_default() {
  Diagnostics d;
  auto f = io::read_scenario_text(io::builtin_scenario_text("default"), "default", d);
  EXPECT_TRUE(d.ok()) << d.to_string();
  return f;
}

// Every field of the Factory that the YAML can set, as text (file names left out).
std::string describe(const Factory& f) {
  std::string o = fmt::format("name {}\n", f.name);
  auto dist = [](const Dist& d) {
    return fmt::format("{}:{}:{}", int(d.kind), d.mean, d.half_width);
  };
  for (const auto& l : f.locations) o += fmt::format("loc {}\n", l.name);
  for (const auto& t : f.transport) o += fmt::format("lane {} {} {}\n", t.from, t.to, dist(t.time));
  for (const auto& c : f.components)
    o += fmt::format("comp {} {} {} @{}\n", c.name, c.initial_stock, c.unit_cost, c.src.line);
  for (const auto& s : f.supplies)
    o += fmt::format("supply {} {} {} {} {}\n", s.component, s.first, s.interval, s.quantity,
                     s.count);
  for (const auto& c : f.down_calendars)
    o += fmt::format("down {} {} {} {}\n", c.name, int(c.clock), dist(c.time_to_failure),
                     dist(c.time_to_repair));
  for (const auto& c : f.pm_calendars)
    o += fmt::format("pm {} {} {} {}\n", c.name, int(c.trigger), c.interval, dist(c.duration));
  for (std::size_t i = 0; i < f.setups.size(); ++i)
    o += fmt::format("setup {} {}\n", f.setups[i], f.setup_group_of[i]);
  for (const auto& c : f.setup_changes) o += fmt::format("change {} {} {}\n", c.from, c.to, c.time);
  for (const auto& g : f.tool_groups) {
    o += fmt::format("group {} {} {} {} {} {} {} {} {} {} {} {} {} {} {} @{}\n", g.name, g.area,
                     g.location, g.tools, g.capacity, g.load_time, g.unload_time, g.is_delay,
                     int(g.batch_criterion), int(g.batch_unit), g.batch_max_wait, g.lssu,
                     g.wake_least_setup, g.setup_group, g.tool_cost, g.src.line);
    for (auto r : g.ranking) o += fmt::format(" rank {}", int(r));
    for (const auto& a : g.downs)
      o += fmt::format(" down {} {}", a.calendar, dist(a.first_occurrence));
    for (const auto& a : g.pms) o += fmt::format(" pm {} {}", a.calendar, dist(a.first_occurrence));
    o += "\n";
  }
  for (const auto& r : f.routes) {
    o += fmt::format("route {}\n", r.name);
    for (const auto& s : r.steps) {
      o +=
          fmt::format(" step {} {} {} {} {} {} {} {} {} {} {} {} {} {} {} {} {} {} {} {} {} {} @{}",
                      s.name, s.tool_group, int(s.basis), dist(s.time), s.overhead,
                      s.overhead_per_wafer, s.die_component, s.batch_min, s.batch_max, s.setup,
                      s.setup_time, int(s.cascade_basis), s.cascade_interval, s.dedicate_step,
                      s.rework_step, s.rework_probability, s.sample_probability, s.cqt_exit_step,
                      s.cqt_limit, s.yield, s.transform_to_units, s.split_units, s.src.line);
      for (const auto& k : s.kit)
        o += fmt::format(" kit {} {} {}", k.component, k.quantity, int(k.basis));
      o += "\n";
    }
  }
  for (const auto& p : f.products) {
    o += fmt::format("product {} {} {} {} {}", p.name, p.route, p.sites_per_wafer, p.site_yield,
                     p.starts_as_units);
    for (const auto& d : p.dies) o += fmt::format(" die {} {}", d.component, d.count);
    o += "\n";
  }
  for (const auto& s : f.streams)
    o += fmt::format("stream {} {} {} {} {} {} {} {} {}\n", s.name, s.product, s.priority,
                     s.wafers_per_lot, s.first_release, dist(s.interval), s.lots_per_release,
                     s.max_releases, s.due_offset);
  return o;
}

TEST(ScenarioDefault, IsBuiltInAndReadsWithoutProblems) {
  const auto names = io::builtin_scenario_names();
  ASSERT_NE(std::find(names.begin(), names.end(), "default"), names.end());
  auto f = read_default();
  ASSERT_TRUE(f);
  EXPECT_TRUE(f->validate().ok()) << f->validate().to_string();
  EXPECT_EQ(f->name, "default");
  EXPECT_EQ(f->products.size(), 4u);
  EXPECT_EQ(f->streams.size(), 4u);
  // Tool counts of FACTS.md section 8.4 (117 tools in 35 groups).
  EXPECT_EQ(f->tool_groups.size(), 35u);
  EXPECT_EQ(f->total_tools(), 117);
  EXPECT_EQ(f->tool_groups[f->find_tool_group("burn_in_oven")].tools, 18);
  EXPECT_EQ(f->tool_groups[f->find_tool_group("c2w_bonder")].tools, 5);
}

TEST(ScenarioDefault, ProductsFollowFactsSection8) {
  auto f = read_default();
  ASSERT_TRUE(f);
  struct Expect {
    const char* name;
    int sites;
    int dies;
    double good_module;  // FACTS 8.5: 0.95 KGI x 0.998^placements x 0.995^KGD dies x 0.985 (x 0.97)
  };
  const double kgi = 0.95, test = 0.985;
  for (const Expect e :
       {Expect{"P1", 16, 10, kgi * std::pow(0.998, 10) * std::pow(0.995, 10) * test},
        Expect{"P2", 19, 9, kgi * std::pow(0.998, 9) * std::pow(0.995, 9) * test},
        Expect{"P3", 28, 13, kgi * std::pow(0.998, 13) * std::pow(0.995, 7) * test * 0.97}}) {
    const auto& p = f->products[f->find_product(e.name)];
    EXPECT_EQ(p.sites_per_wafer, e.sites) << e.name;
    EXPECT_NEAR(p.site_yield, e.good_module, 5e-6) << e.name;
    int dies = 0;
    for (const auto& d : p.dies) dies += d.count;
    EXPECT_EQ(dies, e.dies) << e.name;
    EXPECT_FALSE(p.starts_as_units);
  }
  const auto& p4 = f->products[f->find_product("P4")];
  EXPECT_TRUE(p4.starts_as_units);
  EXPECT_EQ(p4.sites_per_wafer, 0);
  // Exactly one transform on each wafer route, none on the CPO route.
  for (const auto& p : f->products) {
    int transforms = 0;
    for (const auto& s : f->routes[p.route].steps) transforms += s.transform_to_units ? 1 : 0;
    EXPECT_EQ(transforms, p.starts_as_units ? 0 : 1) << p.name;
  }
}

TEST(ScenarioDefault, ReleasePlanMatchesFactsVolumes) {
  auto f = read_default();
  ASSERT_TRUE(f);
  const auto sp = test::static_plan(*f);
  // FACTS.md 8.2: 2,250 / 1,750 / 1,000 wafers and 2,000 CPO packages per month.
  EXPECT_NEAR(sp.starts[f->find_product("P1")], 2250, 1e-6);
  EXPECT_NEAR(sp.starts[f->find_product("P2")], 1750, 1e-6);
  EXPECT_NEAR(sp.starts[f->find_product("P3")], 1000, 1e-6);
  EXPECT_NEAR(sp.starts[f->find_product("P4")], 2000, 1e-6);
}

// The line can carry its plan: expected monthly load below the available hours of every group,
// batches counted at their minimum fill (the pessimistic case), and at most 85 % with full
// batches (FACTS.md 8.1 planning headroom).
TEST(ScenarioDefault, StaticLoadOfEveryToolGroupIsBelowCapacity) {
  auto f = read_default();
  ASSERT_TRUE(f);
  const auto sp = test::static_plan(*f);
  std::string table;
  for (std::size_t g = 0; g < f->tool_groups.size(); ++g) {
    const double u_full = sp.busy_full_h[g] / sp.available_h[g];
    const double u_min = sp.busy_min_h[g] / sp.available_h[g];
    table += fmt::format(
        "{:<20} tools {:>2}  busy {:>7.0f} h  avail {:>7.0f} h  util {:>5.1f} % "
        "(min-fill batches {:>5.1f} %)\n",
        f->tool_groups[g].name, f->tool_groups[g].tools, sp.busy_full_h[g], sp.available_h[g],
        100 * u_full, 100 * u_min);
    EXPECT_GT(sp.busy_full_h[g], 0) << f->tool_groups[g].name << " is never used";
    EXPECT_LT(u_full, 0.85) << f->tool_groups[g].name;
    EXPECT_LT(u_min, 1.0) << f->tool_groups[g].name;
  }
  std::printf("%s", table.c_str());
}

// Hand check of one group against FACTS.md 8.4: the CoW prober load is 2,848 h/month
// (P1 2,250 x (16 x 90 s + 5 min) + P2 1,750 x (19 x 90 s + 5 min) + P3 1,000 x (28 x 90 s + 5
// min)).
TEST(ScenarioDefault, CowTestAndBonderLoadsMatchFactsTable) {
  auto f = read_default();
  ASSERT_TRUE(f);
  const auto sp = test::static_plan(*f);
  const double cow_test =
      (2250 * (16 * 90 + 300) + 1750 * (19 * 90 + 300) + 1000 * (28 * 90 + 300)) / 3600.0;
  EXPECT_NEAR(sp.busy_full_h[f->find_tool_group("cow_test")], cow_test, 1e-6);
  EXPECT_NEAR(cow_test, 2848, 1);
  // C2W bonder 1,756 h: P1 TCB 16 x (2 x 8 + 8 x 6) s + 5 min; P2 19 x (4 + 8 x 3) s + 5 min;
  // P3 28 x (4 + 6 x 3) s + 5 min, plus bridges 28 x 6 x 4 s + 5 min.
  const double bond =
      (2250 * (16 * 64 + 300) + 1750 * (19 * 28 + 300) + 1000 * (28 * 22 + 300 + 28 * 24 + 300)) /
      3600.0;
  EXPECT_NEAR(sp.busy_full_h[f->find_tool_group("c2w_bonder")], bond, 1e-6);
  EXPECT_NEAR(bond, 1756, 1);
}

// FACTS.md 8.6: good modules/month ~33k (P1), 31k (P2), 26k (P3); ~86k shipped after test. The
// scenario also counts KGD escapes (0.995 per die) and, for P3, the 97 % RDL yield and bridge
// placements, which FACTS 8.6 leaves out; the difference is documented in docs/scenario.md.
TEST(ScenarioDefault, GoodOutputWithin15PercentOfFacts) {
  auto f = read_default();
  ASSERT_TRUE(f);
  const auto sp = test::static_plan(*f);
  const double p1 = sp.modules[f->find_product("P1")];
  const double p2 = sp.modules[f->find_product("P2")];
  const double p3 = sp.modules[f->find_product("P3")];
  const double shipped = sp.shipped[f->find_product("P1")] + sp.shipped[f->find_product("P2")] +
                         sp.shipped[f->find_product("P3")];
  std::printf(
      "good modules/month: P1 %.0f (FACTS 33k), P2 %.0f (31k), P3 %.0f (26k); shipped P1-P3 "
      "%.0f (86k); P4 shipped %.0f of %.0f\n",
      p1, p2, p3, shipped, sp.shipped[f->find_product("P4")], sp.starts[f->find_product("P4")]);
  EXPECT_NEAR(p1 / 33000, 1.0, 0.15);
  EXPECT_NEAR(p2 / 31000, 1.0, 0.15);
  EXPECT_NEAR(p3 / 26000, 1.0, 0.15);
  EXPECT_NEAR(shipped / 86000, 1.0, 0.15);
  // Hand computation for P1: 2,250 x 16 x 0.95 x 0.998^10 x 0.995^10 x 0.985.
  EXPECT_NEAR(p1, 2250 * 16 * 0.95 * std::pow(0.998, 10) * std::pow(0.995, 10) * 0.985, 2);
}

TEST(ScenarioDefault, SuppliesDoNotBindThePlan) {
  auto f = read_default();
  ASSERT_TRUE(f);
  // Monthly draw of each component by the kits (expected values) vs monthly deliveries.
  std::vector<double> draw(f->components.size(), 0), supply(f->components.size(), 0);
  const double month = static_cast<double>(days(30));
  for (const auto& s : f->supplies) supply[s.component] += s.quantity * month / s.interval;
  for (const auto& st : f->streams) {
    const auto& p = f->products[st.product];
    const double lots = month / st.interval.expected();
    double pieces = st.wafers_per_lot;
    bool units = p.starts_as_units;
    for (const auto& s : f->routes[p.route].steps) {
      for (const auto& k : s.kit) {
        double q = 0;
        switch (k.basis) {
          case model::TimeBasis::PerSite:
            q = pieces * p.sites_per_wafer;
            break;
          case model::TimeBasis::PerUnit:
          case model::TimeBasis::PerWafer:
            q = pieces;
            break;
          default:
            ADD_FAILURE() << "unexpected kit basis in the default scenario";
        }
        draw[k.component] += lots * q * k.quantity;
      }
      pieces *= s.yield;
      if (s.transform_to_units) pieces *= p.sites_per_wafer * p.site_yield;
      (void)units;
    }
  }
  for (std::size_t c = 0; c < f->components.size(); ++c) {
    EXPECT_GT(draw[c], 0) << f->components[c].name;
    EXPECT_GT(supply[c], 1.05 * draw[c]) << f->components[c].name;
    EXPECT_LT(supply[c], 1.5 * draw[c]) << f->components[c].name << " oversupplied";
  }
}

TEST(ScenarioDefault, ExportReadsBackToTheSameFactory) {
  const auto r = test::run_osatsim({"scenario", "export", "default"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, std::string(io::builtin_scenario_text("default")));
  test::TempDir dir;
  const auto path = dir.write("my.yaml", r.out);
  Diagnostics d;
  auto back = io::read_scenario_file(path.string(), d);
  ASSERT_TRUE(back) << d.to_string();
  auto orig = read_default();
  ASSERT_TRUE(orig);
  EXPECT_EQ(describe(*back), describe(*orig));
  // And the file is the single source: the embedded text is the repository's YAML file.
  EXPECT_EQ(test::read_file(test::source_dir() / "src/io/scenarios/default.yaml"), r.out);
}

TEST(ScenarioDefault, CliListsAndRejectsUnknownNames) {
  const auto list = test::run_osatsim({"scenario", "list"});
  EXPECT_EQ(list.exit_code, 0);
  // Factory scenarios first, then the planner's networks.
  EXPECT_EQ(list.out.rfind("default\n", 0), 0u) << list.out;
  EXPECT_NE(list.out.find("buildout (network: osatsim plan buildout)\n"), std::string::npos)
      << list.out;
  const auto bad = test::run_osatsim({"scenario", "export", "nope"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_TRUE(bad.out.empty());
  EXPECT_NE(bad.err.find("no built-in scenario 'nope'"), std::string::npos) << bad.err;
}

TEST(ScenarioDefault, LoadFactoryAcceptsBuiltinNameAndYamlFile) {
  Diagnostics d;
  auto f = io::load_factory("default", d);
  ASSERT_TRUE(f) << d.to_string();
  EXPECT_EQ(f->name, "default");
  const auto v = test::run_osatsim({"validate", "default"});
  EXPECT_EQ(v.exit_code, 0) << v.err;
  Diagnostics d2;
  EXPECT_FALSE(io::load_factory("no_such_scenario", d2));
  ASSERT_EQ(d2.size(), 1u);
  EXPECT_NE(d2.items()[0].message.find("built in: default"), std::string::npos) << d2.to_string();
}

}  // namespace
}  // namespace osatsim
