#include <gtest/gtest.h>

#include "model/factory.h"

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
