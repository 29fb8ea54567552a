// Sizing (docs/capacity.md §7) on small fixture lines built in code.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "results/sizing.h"
#include "analysis/sizing.h"

namespace osatsim::analysis {
namespace {
using results::format_sizing;
using results::sizing_json_text;

using model::Factory;

// A one-product line: times in hours, Poisson releases.
struct Line {
  Factory f;
  model::ToolGroupId group(const std::string& name, int tools, double cost = 0.0) {
    model::ToolGroup g;
    g.name = name;
    g.tools = tools;
    g.load_time = 0;
    g.unload_time = 0;
    g.tool_cost = cost;
    f.tool_groups.push_back(g);
    return static_cast<model::ToolGroupId>(f.tool_groups.size() - 1);
  }
  void step(model::ToolGroupId g, Dist time_hours) {
    if (f.routes.empty()) f.routes.push_back(model::Route{"r", {}, {}});
    model::Step s;
    s.name = fmt::format("s{}", f.routes[0].steps.size() + 1);
    s.tool_group = g;
    s.time = time_hours.scaled(static_cast<double>(kTicksPerHour));
    f.routes[0].steps.push_back(s);
  }
  void stream(double every_hours) {
    if (f.products.empty()) f.products.push_back(model::Product{"p", 0, 0, 1.0, {}, {}});
    model::ReleaseStream s;
    s.name = "Lot";
    s.product = 0;
    s.wafers_per_lot = 25;
    s.interval = Dist::exponential(every_hours * kTicksPerHour);
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
  SizingResult size(double target_hours, SizingOptions so = {}) {
    const auto d = f.validate();
    EXPECT_TRUE(d.ok()) << d.to_string();
    CapacityOptions o;
    o.transport = false;
    so.target_ct_days = target_hours / 24.0;
    return size_line(f, o, so);
  }
};

int added(const SizingResult& r, const std::string& group) {
  for (const auto& g : r.groups) {
    if (g.name == group) return g.tools_after - g.tools_before;
  }
  ADD_FAILURE() << "no group " << group;
  return -1;
}

// A (1 tool, u = 0.9) is the bottleneck; B (2 tools, u = 0.3) is not. CT on 1 A tool is about
// 10 h; one more A tool brings it to about 1.9 h.
Line two_group_line() {
  Line l;
  const auto a = l.group("A", 1);
  const auto b = l.group("B", 2);
  l.step(a, Dist::exponential(0.9));
  l.step(b, Dist::exponential(0.6));
  l.stream(1.0);
  return l;
}

TEST(Sizing, AddsToTheBottleneckOnly) {
  Line l = two_group_line();
  const auto r = l.size(3.0);
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_TRUE(r.reachable) << r.reason;
  EXPECT_EQ(added(r, "A"), 1);
  EXPECT_EQ(added(r, "B"), 0);
  EXPECT_EQ(r.tools_added, 1);
  EXPECT_DOUBLE_EQ(r.total_cost, 1.0);  // no tool_cost: one per tool
  ASSERT_EQ(r.products.size(), 1u);
  EXPECT_GT(r.products[0].cycle_time_before * 24, 3.0);
  EXPECT_LE(r.products[0].cycle_time_after * 24, 3.0);
  EXPECT_TRUE(r.products[0].met);
  EXPECT_NEAR(r.groups[0].utilisation_before, 0.9, 1e-9);
  EXPECT_NEAR(r.groups[0].utilisation_after, 0.45, 1e-9);
  const auto text = format_sizing(r);
  EXPECT_NE(text.find("A"), std::string::npos);
  const auto sized = sized_factory(l.f, r);
  EXPECT_EQ(sized.tool_groups[0].tools, 2);
  EXPECT_EQ(sized.tool_groups[1].tools, 2);
}

TEST(Sizing, TargetAlreadyMetAddsNothing) {
  Line l = two_group_line();
  const auto r = l.size(24.0);
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_TRUE(r.reachable);
  EXPECT_EQ(r.tools_added, 0);
  EXPECT_TRUE(r.steps.empty());
  EXPECT_DOUBLE_EQ(r.total_cost, 0.0);
  for (const auto& g : r.groups) EXPECT_EQ(g.tools_after, g.tools_before);
}

// Two equal-looking stations: A (u = 0.82) gains a little more from a tool than B (u = 0.80).
Line cost_line(double cost_a, double cost_b) {
  Line l;
  const auto a = l.group("A", 1, cost_a);
  const auto b = l.group("B", 1, cost_b);
  l.step(a, Dist::exponential(0.82));
  l.step(b, Dist::exponential(0.80));
  l.stream(1.0);
  return l;
}

TEST(Sizing, ToolCostsSteerTheChoice) {
  // Same cost: the larger gain (A). Either one tool meets 6 h (CT ~ 5.5 h with one added).
  {
    Line l = cost_line(1e6, 1e6);
    const auto r = l.size(6.0);
    EXPECT_TRUE(r.reachable) << r.reason;
    EXPECT_EQ(added(r, "A"), 1);
    EXPECT_EQ(added(r, "B"), 0);
    EXPECT_DOUBLE_EQ(r.total_cost, 1e6);
  }
  // A ten times dearer: B, the cheaper tool with nearly the same gain.
  {
    Line l = cost_line(1e7, 1e6);
    const auto r = l.size(6.0);
    EXPECT_TRUE(r.reachable) << r.reason;
    EXPECT_EQ(added(r, "A"), 0);
    EXPECT_EQ(added(r, "B"), 1);
    EXPECT_DOUBLE_EQ(r.total_cost, 1e6);
    EXPECT_EQ(r.cost_rule, "scenario tool_cost");
  }
  // Only A has a cost: B is charged the median of the known costs (A's), so A's larger gain wins.
  {
    Line l = cost_line(1e7, 0.0);
    const auto r = l.size(6.0);
    EXPECT_EQ(added(r, "A"), 1);
    EXPECT_NE(r.cost_rule.find("median"), std::string::npos);
    EXPECT_DOUBLE_EQ(r.groups[1].cost_per_tool, 1e7);
    EXPECT_FALSE(r.groups[1].cost_known);
  }
}

TEST(Sizing, OverloadedGroupIsStabilisedFirst) {
  Line l;
  const auto a = l.group("A", 1);
  l.step(a, Dist::exponential(1.5));  // u = 1.5 on one tool
  l.stream(1.0);
  const auto r = l.size(48.0);
  EXPECT_TRUE(r.reachable) << r.reason;
  ASSERT_FALSE(r.steps.empty());
  EXPECT_TRUE(r.steps.front().stability);
  EXPECT_EQ(added(r, "A"), 1);  // ceil(1.5 / 0.98) = 2 tools, and 2 tools meet 48 h
  EXPECT_LT(r.groups[0].utilisation_after, 0.98);
  EXPECT_FALSE(std::isfinite(r.products[0].cycle_time_before));
}

TEST(Sizing, TargetBelowQueueFreeTimeIsNotReachable) {
  Line l;
  const auto a = l.group("A", 1);
  l.step(a, Dist::constant(1.0));
  l.down(a, 9.0, 1.0);  // a job stretches to 1.11 h on average
  l.stream(2.0);
  SizingOptions so;
  so.max_tools_added = 20;
  const auto r = l.size(1.05, so);  // above the 1 h raw process time, below 1.11 h
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_FALSE(r.reachable);
  EXPECT_NE(r.reason.find("queue-free"), std::string::npos) << r.reason;
  EXPECT_FALSE(r.products[0].met);
  EXPECT_GT(r.products[0].queue_free_days * 24, 1.05);
  EXPECT_EQ(r.tools_added, 0);  // detected before any tool is added
}

TEST(Sizing, ToolLimitIsReported) {
  Line l = two_group_line();
  SizingOptions so;
  so.max_tools_added = 0;
  const auto r = l.size(3.0, so);
  EXPECT_FALSE(r.reachable);
  EXPECT_NE(r.reason.find("limit"), std::string::npos) << r.reason;
  EXPECT_EQ(r.tools_added, 0);
}

TEST(Sizing, BadTargetsAreErrors) {
  Line l = two_group_line();
  // Below the raw process time (1.5 h).
  auto r = l.size(1.0);
  EXPECT_NE(r.error.find("raw process time"), std::string::npos) << r.error;
  EXPECT_EQ(r.error_product, "p");
  SizingOptions so;
  so.product_targets["nope"] = 1.0;
  r = l.size(3.0, so);
  EXPECT_NE(r.error.find("unknown product"), std::string::npos) << r.error;
  so.product_targets.clear();
  so.product_targets["p"] = -1.0;
  r = l.size(3.0, so);
  EXPECT_FALSE(r.error.empty());
}

TEST(Sizing, PerProductTargetOverridesAndDefault) {
  Line l = two_group_line();
  SizingOptions so;
  so.product_targets["p"] = 24.0 / 24.0;  // 24 h: met as is
  auto r = l.size(3.0, so);
  EXPECT_EQ(r.tools_added, 0);
  EXPECT_NEAR(r.products[0].target_days, 1.0, 1e-12);
  // Default: default_target_factor x RPT (1.5 h).
  CapacityOptions o;
  o.transport = false;
  r = size_line(l.f, o, SizingOptions{});
  EXPECT_TRUE(r.products[0].default_target);
  EXPECT_NEAR(r.products[0].target_days * 24, SizingOptions{}.default_target_factor * 1.5, 1e-9);
  EXPECT_TRUE(r.reachable);
}

TEST(Sizing, Deterministic) {
  Line l = cost_line(1e6, 1e6);
  const auto a = l.size(3.0);
  const auto b = l.size(3.0);
  ASSERT_EQ(a.steps.size(), b.steps.size());
  for (std::size_t i = 0; i < a.steps.size(); ++i) {
    EXPECT_EQ(a.steps[i].group, b.steps[i].group);
    EXPECT_EQ(a.steps[i].excess_after, b.steps[i].excess_after);
  }
  EXPECT_EQ(sizing_json_text(a), sizing_json_text(b));
}

}  // namespace
}  // namespace osatsim::analysis
