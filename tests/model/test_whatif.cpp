// What-if edits of a factory (model/whatif.h): scaled release rates, tool counts, named problems.
#include "model/whatif.h"

#include <gtest/gtest.h>

#include <string>

namespace osatsim::model {
namespace {

// Two products on one route over two tool groups; product A has two release streams.
Factory two_products() {
  Factory f;
  f.name = "two";
  ToolGroup g;
  g.name = "bond";
  g.tools = 3;
  f.tool_groups.push_back(g);
  g.name = "oven";
  g.tools = 2;
  f.tool_groups.push_back(g);
  Route r;
  r.name = "r";
  Step s;
  s.name = "s1";
  s.tool_group = 0;
  s.time = Dist::constant(minutes(10));
  r.steps.push_back(s);
  s.name = "s2";
  s.tool_group = 1;
  r.steps.push_back(s);
  f.routes.push_back(r);
  f.products.push_back(Product{"A", 0, 0, 1.0, {}, {}});
  f.products.push_back(Product{"B", 0, 0, 1.0, {}, {}});
  ReleaseStream st;
  st.product = 0;
  st.name = "A_hot";
  st.interval = Dist::exponential(static_cast<double>(hours(4)));
  f.streams.push_back(st);
  st.name = "A";
  st.interval = Dist::uniform(static_cast<double>(hours(2)), static_cast<double>(hours(1)));
  f.streams.push_back(st);
  st.name = "B";
  st.product = 1;
  st.interval = Dist::constant(static_cast<double>(hours(1)));
  f.streams.push_back(st);
  return f;
}

std::string joined(const std::vector<WhatIfProblem>& ps) {
  std::string s;
  for (const auto& p : ps) s += std::string(p.tools ? "tools: " : "scale: ") + p.what + "\n";
  return s;
}

TEST(WhatIf, NothingGivenChangesNothing) {
  const Factory f = two_products();
  const WhatIf w;
  EXPECT_FALSE(w.any());
  EXPECT_TRUE(check(w, f).empty());
  const Factory g = apply(f, w);
  for (std::size_t i = 0; i < f.streams.size(); ++i)
    EXPECT_EQ(lots_per_day(g.streams[i]), lots_per_day(f.streams[i]));
  EXPECT_EQ(describe(w), "");
}

TEST(WhatIf, ProductScaleMultipliesEveryStreamOfThatProductOnly) {
  const Factory f = two_products();
  WhatIf w;
  w.product_scales.push_back({"A", 2.0});
  ASSERT_TRUE(check(w, f).empty()) << joined(check(w, f));
  const Factory g = apply(f, w);
  EXPECT_NEAR(lots_per_day(g.streams[0]), 2.0 * lots_per_day(f.streams[0]), 1e-9);
  EXPECT_NEAR(lots_per_day(g.streams[1]), 2.0 * lots_per_day(f.streams[1]), 1e-9);
  EXPECT_EQ(lots_per_day(g.streams[2]), lots_per_day(f.streams[2]));
  // The shape of each interval distribution is kept, only its scale changes.
  EXPECT_EQ(g.streams[0].interval.kind, f.streams[0].interval.kind);
  EXPECT_EQ(g.streams[1].interval.kind, f.streams[1].interval.kind);
  EXPECT_NEAR(g.streams[1].interval.half_width, f.streams[1].interval.half_width / 2.0, 1e-9);
  EXPECT_EQ(g.name, f.name);
  EXPECT_TRUE(g.validate().ok()) << g.validate().to_string();
}

TEST(WhatIf, GlobalAndProductScalesMultiply) {
  const Factory f = two_products();
  WhatIf w;
  w.scale = 1.5;
  w.product_scales.push_back({"B", 0.5});
  ASSERT_TRUE(check(w, f).empty()) << joined(check(w, f));
  const Factory g = apply(f, w);
  EXPECT_NEAR(lots_per_day(g.streams[0]), 1.5 * lots_per_day(f.streams[0]), 1e-9);
  EXPECT_NEAR(lots_per_day(g.streams[2]), 0.75 * lots_per_day(f.streams[2]), 1e-9);
  EXPECT_EQ(describe(w), "what-if: scale 1.5, B x0.5");
}

TEST(WhatIf, ToolsAreSetOrAdded) {
  const Factory f = two_products();
  WhatIf w;
  w.tools.push_back({"bond", false, 7});
  w.tools.push_back({"oven", true, 2});
  ASSERT_TRUE(check(w, f).empty()) << joined(check(w, f));
  const Factory g = apply(f, w);
  EXPECT_EQ(g.tool_groups[0].tools, 7);
  EXPECT_EQ(g.tool_groups[1].tools, 4);
  EXPECT_EQ(g.total_tools(), 11);
  for (std::size_t i = 0; i < f.streams.size(); ++i)
    EXPECT_EQ(lots_per_day(g.streams[i]), lots_per_day(f.streams[i]));
  EXPECT_EQ(to_string(w.tools[0]), "7");
  EXPECT_EQ(to_string(w.tools[1]), "+2");
  EXPECT_EQ(describe(w), "what-if: bond tools 7, oven tools +2");
}

TEST(WhatIf, ProblemsNameTheValueAndTheKnownNames) {
  const Factory f = two_products();
  WhatIf w;
  w.scale = 0.0;
  w.product_scales.push_back({"C", 2.0});
  w.product_scales.push_back({"A", 2.0});
  w.product_scales.push_back({"A", 3.0});
  w.product_scales.push_back({"B", 2e6});
  w.tools.push_back({"ovn", true, 1});
  w.tools.push_back({"bond", false, -1});
  w.tools.push_back({"oven", true, kWhatIfMaxTools});
  EXPECT_EQ(joined(check(w, f)),
            "scale: factor 0 outside [1e-06, 1e+06]\n"
            "scale: unknown product 'C' (known: A, B)\n"
            "scale: product 'A' given twice\n"
            "scale: B: factor 2000000 outside [1e-06, 1e+06]\n"
            "tools: unknown tool group 'ovn' (known: bond, oven)\n"
            "tools: bond: negative tool count -1 (allowed: N or +N, 0..100000)\n"
            "tools: oven: 100002 tools exceed the limit 100000\n");
}

TEST(WhatIf, ManyGroupsSuggestTheClosestName) {
  Factory f = two_products();
  for (int i = 0; i < 20; ++i) {
    ToolGroup g;
    g.name = "group_" + std::to_string(i);
    f.tool_groups.push_back(g);
  }
  WhatIf w;
  w.tools.push_back({"ovne", false, 1});
  w.tools.push_back({"zzzzzzzz", false, 1});
  EXPECT_EQ(joined(check(w, f)),
            "tools: unknown tool group 'ovne' (did you mean 'oven'?)\n"
            "tools: unknown tool group 'zzzzzzzz' (22 known; names are case-sensitive)\n");
}

}  // namespace
}  // namespace osatsim::model
