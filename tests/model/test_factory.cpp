#include <gtest/gtest.h>

#include <filesystem>

#include "model/factory.h"
#include "support/test_support.h"

namespace osatsim::model {
namespace {

Factory tiny() {
  Factory f;
  f.name = "tiny";
  ToolGroup g;
  g.name = "G1";
  g.tools = 2;
  g.src = {"tools", 2};
  f.tool_groups.push_back(g);
  Route r;
  r.name = "r1";
  Step s;
  s.name = "s1";
  s.tool_group = 0;
  s.time = Dist::constant(minutes(10));
  s.src = {"route", 2};
  r.steps.push_back(s);
  s.name = "s2";
  s.src = {"route", 3};
  r.steps.push_back(s);
  f.routes.push_back(r);
  f.products.push_back(Product{"p1", 0, 0, 1.0, {}, {"parts", 2}});
  ReleaseStream st;
  st.name = "Lot_1";
  st.product = 0;
  st.interval = Dist::constant(static_cast<double>(hours(1)));
  f.streams.push_back(st);
  return f;
}

TEST(Factory, ValidTinyFactoryHasNoProblems) {
  const Factory f = tiny();
  EXPECT_TRUE(f.validate().ok()) << f.validate().to_string();
  EXPECT_EQ(f.find_tool_group("G1"), 0);
  EXPECT_EQ(f.find_tool_group("nope"), kNone);
  EXPECT_EQ(f.total_tools(), 2);
  EXPECT_NEAR(lots_per_day(f.streams[0]), 24.0, 1e-12);
}

TEST(Factory, ValidateReportsDuplicateSetupChangesAndLanes) {
  Factory f = tiny();
  const SetupId a = f.intern_setup("a");
  const SetupId b = f.intern_setup("b");
  f.setup_changes.push_back({a, b, minutes(5), {"setups", 2}});
  f.setup_changes.push_back({kNone, b, minutes(9), {"setups", 3}});
  f.setup_changes.push_back({b, a, minutes(5), {"setups", 4}});
  const LocationId x = f.intern_location("x");
  const LocationId y = f.intern_location("y");
  f.transport.push_back({x, y, Dist::constant(minutes(1)), {"lanes", 2}});
  f.transport.push_back({y, x, Dist::constant(minutes(1)), {"lanes", 3}});
  ASSERT_TRUE(f.validate().ok()) << f.validate().to_string();
  f.setup_changes.push_back({a, b, minutes(7), {"setups", 5}});
  f.setup_changes.push_back({kNone, b, minutes(8), {"setups", 6}});
  f.transport.push_back({x, y, Dist::constant(minutes(2)), {"lanes", 4}});
  EXPECT_EQ(f.validate().to_string(),
            "setups:5: duplicate setup change 'a' -> 'b' (first on line 2)\n"
            "setups:6: duplicate setup change 'any' -> 'b' (first on line 3)\n"
            "lanes:4: duplicate lane 'x' -> 'y' (first on line 2)\n");
}

TEST(Factory, ValidateReportsEveryProblemWithItsSource) {
  Factory f = tiny();
  f.routes[0].steps[0].tool_group = 5;
  f.routes[0].steps[1].rework_step = 1;  // itself: allowed
  f.routes[0].steps[1].sample_probability = 1.5;
  f.routes[0].steps[1].batch_min = 6;
  f.routes[0].steps[1].batch_max = 4;
  f.routes[0].steps[1].basis = TimeBasis::PerBatch;
  f.tool_groups.push_back(f.tool_groups[0]);  // duplicate name
  f.tool_groups[1].src.line = 3;
  const Diagnostics d = f.validate();
  const std::string all = d.to_string();
  EXPECT_NE(all.find("tools:3: duplicate tool group 'G1'"), std::string::npos) << all;
  EXPECT_NE(all.find("route:2: route 'r1' step 1 ('s1'): unknown tool group"), std::string::npos)
      << all;
  EXPECT_NE(all.find("route:3: route 'r1' step 2 ('s2'): sampling probability outside [0, 1]"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("batch minimum 6 exceeds maximum 4"), std::string::npos) << all;
  EXPECT_EQ(d.size(), 4u) << all;
}

TEST(Factory, SetupTimeLookupOrder) {
  Factory f = tiny();
  const SetupId a = f.intern_setup("A");
  const SetupId b = f.intern_setup("B");
  EXPECT_EQ(f.intern_setup("A"), a);
  f.setup_changes.push_back({a, b, minutes(7), {}});
  f.setup_changes.push_back({kNone, b, minutes(20), {}});
  Step s;
  s.setup = b;
  EXPECT_EQ(f.setup_time(a, s), minutes(7));      // specific row
  EXPECT_EQ(f.setup_time(kNone, s), minutes(20)); // any-state row
  EXPECT_EQ(f.setup_time(b, s), 0);               // already in state
  s.setup_time = minutes(3);
  EXPECT_EQ(f.setup_time(a, s), minutes(3));      // step override first
  Step none;
  EXPECT_EQ(f.setup_time(a, none), 0);            // no requirement
  Step to_a;
  to_a.setup = a;
  EXPECT_EQ(f.setup_time(b, to_a), 0);            // no row at all
}

TEST(Factory, TransportLookup) {
  Factory f = tiny();
  const LocationId fab = f.intern_location("Fab");
  const LocationId delay = f.intern_location("Delay");
  f.transport.push_back({fab, fab, Dist::uniform(minutes(7.5), minutes(2.5)), {}});
  ASSERT_NE(f.transport_time(fab, fab), nullptr);
  EXPECT_EQ(f.transport_time(fab, fab)->mean, static_cast<double>(minutes(7.5)));
  EXPECT_EQ(f.transport_time(fab, delay), nullptr);
}

}  // namespace
}  // namespace osatsim::model

namespace osatsim::model {
namespace {

TEST(Factory, ZeroToolsInALoadedGroupIsAnError) {
  Factory f = tiny();
  f.tool_groups[0].tools = 0;
  const Diagnostics d = f.validate();
  ASSERT_EQ(d.size(), 1u) << d.to_string();
  EXPECT_EQ(d.items()[0].to_string(),
            "tools:2: tool group 'G1' has no tools but step 's1' of route 'r1' (product 'p1') "
            "needs it");
}

TEST(Factory, ZeroToolsInAnUnusedGroupIsFine) {
  Factory f = tiny();
  ToolGroup spare;
  spare.name = "future_bonders";
  spare.tools = 0;
  f.tool_groups.push_back(spare);
  EXPECT_TRUE(f.validate().ok()) << f.validate().to_string();
  // Nor is a group only a product without releases or WIP would visit.
  f.streams.clear();
  f.tool_groups[0].tools = 0;
  EXPECT_TRUE(f.validate().ok()) << f.validate().to_string();
}

}  // namespace
}  // namespace osatsim::model

namespace osatsim::model {
namespace {

// Through the CLI on the mini-fab: exit code 2 and the tool file's line.
TEST(Factory, ZeroToolsRejectedByValidate) {
  namespace fs = std::filesystem;
  test::TempDir dir;
  const fs::path fab = dir.path() / "fab";
  fs::copy(fs::path(OSATSIM_MINIFAB_DIR), fab);
  std::string tools = test::read_file(fab / "tool.txt.1l");
  const auto line2 = tools.find('\n') + 1;
  // STNQTY is the 13th column of the fixture's tool file.
  std::size_t pos = line2;
  for (int tab = 0; tab < 12; ++tab) pos = tools.find('\t', pos) + 1;
  const auto end = tools.find('\t', pos);
  tools.replace(pos, end - pos, "0");
  dir.write("fab/tool.txt.1l", tools);
  const auto r = test::run_osatsim({"validate", fab.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("tool.txt.1l:2: tool group 'Diff_1' has no tools but step '001_Diffusion'"),
            std::string::npos)
      << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
}

}  // namespace
}  // namespace osatsim::model
