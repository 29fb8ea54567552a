// The planner on small networks whose optima are worked out by hand (docs/planner.md). The line
// model tests/planner/fixtures/tiny_line.yaml has one bonder that takes 7.2 h per start (one
// wafer per lot, no downs or PM): one tool carries 100 starts in a 720-hour month, each start
// draws one `die` and ships one good unit.
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "planner/plan.h"
#include "support/test_support.h"

namespace osatsim::planner {
namespace {

class PlanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tmp_.write("tiny_line.yaml",
               test::read_file(test::source_dir() / "tests/planner/fixtures/tiny_line.yaml"));
  }
  // A network with the tiny line; `body` holds the keys after `lines`.
  std::shared_ptr<const Network> net(const std::string& head, const std::string& tools,
                                     const std::string& body) {
    const std::string text = "name: t\nstart: 2026-01\n" + head +
                             "capital: {rate: 0, life_years: 1}\n"
                             "lines:\n  - name: tiny\n    model: tiny_line.yaml\n    tools: " +
                             tools + "\nproducts:\n  - {name: A, margin: 1000}\n" + body;
    const auto path = tmp_.write("n.yaml", text);
    Diagnostics d;
    auto n = load_network(path.string(), d);
    EXPECT_TRUE(n) << d.to_string() << "\n" << text;
    return n;
  }
  static Plan run(const Network& n, Objective obj = Objective::Profit) {
    PlanOptions o;
    o.objective = obj;
    o.verify = false;
    // The hand-worked optima load the deterministic bonder to all of its hours (the clearing
    // function's saturation has a test of its own).
    o.max_utilisation = 1.0;
    o.solve.time_limit_seconds = 30;
    o.solve.relative_gap = 1e-6;
    return make_plan(n, o);
  }
  static double shipped(const Plan& p, int month, std::size_t scenario = 0) {
    double s = 0;
    for (const auto& c : p.scenarios[scenario].shipped) s += c[0][static_cast<std::size_t>(month)];
    return s;
  }
  static int tools_bought(const Plan& p) {
    int n = 0;
    for (const auto& u : p.purchases) n += u.tools;
    return n;
  }
  test::TempDir tmp_;
};

const char* kOneSite =
    "customers:\n  - name: c1\n    demand: [{product: A, per_month: 150}]\n"
    "sites:\n  - name: s1\n    region: Taiwan\n    lines: [{name: l1, line: tiny, status: in_place}]\n";

// One tool ships 100 a month; a second (charged 300k / 12 per month over 2 months = 50k) adds 50
// a month at a margin of 1000 (100k): buy one in month 0, ship 150 + 150, profit 250k.
TEST_F(PlanTest, OneSiteOneGroupTwoMonths) {
  auto n = net("horizon: 2\n", "[{group: bond, price: 300000, lead_months: 0}]", kOneSite);
  ASSERT_TRUE(n);
  const Plan p = run(*n);
  ASSERT_EQ(p.call, SolveStatus::Optimal) << p.plan_status;
  EXPECT_EQ(tools_bought(p), 1);
  ASSERT_EQ(p.purchases.size(), 1u);
  EXPECT_EQ(p.purchases[0].month, 0);
  EXPECT_NEAR(shipped(p, 0), 150, 1e-6);
  EXPECT_NEAR(shipped(p, 1), 150, 1e-6);
  EXPECT_NEAR(p.expected_profit, 250000, 1e-3);
  // At a price whose charge (1.5 M / 12 x 2 = 250k) exceeds the extra margin, nothing is bought.
  auto dear = net("horizon: 2\n", "[{group: bond, price: 1500000, lead_months: 0}]", kOneSite);
  const Plan q = run(*dear);
  EXPECT_EQ(tools_bought(q), 0);
  EXPECT_NEAR(shipped(q, 0) + shipped(q, 1), 200, 1e-6);
  EXPECT_NEAR(q.expected_profit, 200000, 1e-3);
  // The tool-hours bind: one more hour of the bonder is worth 1000 / 7.2 per month.
  ASSERT_FALSE(q.binding.empty());
  EXPECT_EQ(q.binding[0].kind, "tool-hours");
  EXPECT_NEAR(q.binding[0].value, 1000 / 7.2, 1e-6);
}

// A lead time of one month: the tool ordered in month 0 serves from month 1 (100, 150, 150);
// charged from its order over 3 months: 75k for 100k more margin.
// The clearing function's flat end: a group is planned to at most max_utilisation of its hours
// (0.92 by default), so the one bonder (100 starts at all of its hours) carries 92, or 80 at 0.8;
// the tool is too dear to buy.
TEST_F(PlanTest, SaturationKeepsTheLoadOffTheWall) {
  auto n = net("horizon: 2\n", "[{group: bond, price: 1.0e12, lead_months: 0}]", kOneSite);
  ASSERT_TRUE(n);
  PlanOptions o;
  o.verify = false;
  o.solve.relative_gap = 1e-6;
  EXPECT_DOUBLE_EQ(o.max_utilisation, 0.92);
  const Plan p = make_plan(*n, o);
  ASSERT_EQ(p.call, SolveStatus::Optimal);
  EXPECT_NEAR(shipped(p, 0), 92, 1e-6);
  EXPECT_NEAR(shipped(p, 1), 92, 1e-6);
  o.max_utilisation = 0.8;
  const Plan q = make_plan(*n, o);
  EXPECT_NEAR(shipped(q, 0), 80, 1e-6);
  EXPECT_TRUE(q.purchases.empty());
}

TEST_F(PlanTest, LeadTimeDelaysCapacity) {
  auto n = net("horizon: 3\n", "[{group: bond, price: 300000, lead_months: 1}]", kOneSite);
  ASSERT_TRUE(n);
  const Plan p = run(*n);
  ASSERT_EQ(p.call, SolveStatus::Optimal);
  ASSERT_EQ(p.purchases.size(), 1u);
  EXPECT_EQ(p.purchases[0].month, 0);
  EXPECT_EQ(p.purchases[0].in_service, 1);
  EXPECT_NEAR(shipped(p, 0), 100, 1e-6);
  EXPECT_NEAR(shipped(p, 1), 150, 1e-6);
  EXPECT_NEAR(shipped(p, 2), 150, 1e-6);
  EXPECT_NEAR(p.expected_profit, 400000 - 75000, 1e-3);
}

// A die supply of 120 a month (stock carried over) binds below the two tools' 200. Buying the
// second tool in month 1 costs one month of charge (25k) against two (50k) in month 0, and the
// 20 dies left in month 0 carry over: ship 240 in all (e.g. 100 then 140), profit 240k - 25k. One more die, in
// either month, is worth the margin.
TEST_F(PlanTest, ComponentSupplyBinds) {
  auto n = net("horizon: 2\n", "[{group: bond, price: 300000, lead_months: 0}]",
               std::string(kOneSite) + "components:\n  - {name: die, per_month: 120}\n");
  ASSERT_TRUE(n);
  const Plan p = run(*n);
  ASSERT_EQ(p.call, SolveStatus::Optimal);
  // (100 then 140, or any split within month 0's one tool: the 240 dies are the limit.)
  EXPECT_LE(shipped(p, 0), 100 + 1e-6);
  EXPECT_NEAR(shipped(p, 0) + shipped(p, 1), 240, 1e-6);
  ASSERT_EQ(p.purchases.size(), 1u);
  EXPECT_EQ(p.purchases[0].month, 1);
  EXPECT_NEAR(p.expected_profit, 215000, 1e-3);
  int dies = 0;
  for (const auto& b : p.binding)
    if (b.kind == "component" && b.what.rfind("die", 0) == 0) {
      ++dies;
      EXPECT_NEAR(b.value, 1000, 1e-6) << b.what;
    }
  EXPECT_GE(dies, 1);
  EXPECT_NEAR(p.scenarios[0].component_use[0][0] + p.scenarios[0].component_use[0][1], 240, 1e-6);
}

// A 2026 budget of 250k cannot pay for a 300k tool: 100 a month.
TEST_F(PlanTest, BudgetBinds) {
  auto n = net("horizon: 2\nbudget: {2026: 250000}\n",
               "[{group: bond, price: 300000, lead_months: 0}]", kOneSite);
  ASSERT_TRUE(n);
  const Plan p = run(*n);
  ASSERT_EQ(p.call, SolveStatus::Optimal);
  EXPECT_EQ(tools_bought(p), 0);
  EXPECT_NEAR(shipped(p, 0) + shipped(p, 1), 200, 1e-6);
  EXPECT_LE(p.capex_total, 250000);
}

// A second line under construction from month 1 with a ramp of 0.5 then 1: capacity 100, 150
// (100 + 0.5 x 100), 200; demand 150: ships 100, 150, 150 without buying.
TEST_F(PlanTest, RampOfALineUnderConstruction) {
  auto n = net("horizon: 3\n", "[{group: bond, price: 9000000, lead_months: 0}]",
               "customers:\n  - name: c1\n    demand: [{product: A, per_month: 150}]\n"
               "sites:\n  - name: s1\n    region: Taiwan\n    lines:\n"
               "      - {name: l1, line: tiny, status: in_place}\n"
               "      - {name: l2, line: tiny, status: construction, first_month: 2026-02, "
               "ramp: [0.5, 1.0]}\n");
  ASSERT_TRUE(n);
  const Plan p = run(*n);
  ASSERT_EQ(p.call, SolveStatus::Optimal);
  EXPECT_EQ(tools_bought(p), 0);
  EXPECT_NEAR(shipped(p, 0), 100, 1e-6);
  EXPECT_NEAR(shipped(p, 1), 150, 1e-6);
  EXPECT_NEAR(shipped(p, 2), 150, 1e-6);
}

// Two demand scenarios: 50 (p 0.5) or 250 (p 0.5) a month, one tool in place, tools at 240k
// (charge 40k over 2 months). A first extra tool earns 200k in the high scenario (100k
// expected), a second 100k (50k expected): the plan buys two, expected profit 0.5 (100k + 500k)
// - 80k = 220k. The single-forecast plan (150 a month) buys one (the second adds nothing at 150):
// 0.5 (100k + 400k) - 40k = 210k. The value of the stochastic solution is 10k.
TEST_F(PlanTest, TwoDemandScenarios) {
  const std::string body =
      "customers:\n  - name: c1\n    demand: [{product: A, per_month: 150}]\n"
      "demand_scenarios:\n  - {name: low, probability: 0.5, factor: 0.3333333333333333}\n"
      "  - {name: high, probability: 0.5, factor: 1.6666666666666667}\n"
      "sites:\n  - name: s1\n    region: Taiwan\n    lines: [{name: l1, line: tiny, status: in_place}]\n";
  auto n = net("horizon: 2\n", "[{group: bond, price: 240000, lead_months: 0}]", body);
  ASSERT_TRUE(n);
  const Plan p = run(*n);
  ASSERT_EQ(p.call, SolveStatus::Optimal);
  ASSERT_EQ(p.scenarios.size(), 2u);
  EXPECT_EQ(tools_bought(p), 2);
  EXPECT_NEAR(shipped(p, 0, 0), 50, 1e-6);
  EXPECT_NEAR(shipped(p, 0, 1), 250, 1e-6);
  EXPECT_NEAR(p.expected_profit, 220000, 1e-3);
  EXPECT_NEAR(p.ev_profit, 210000, 1e-3);
  EXPECT_NEAR(p.vss, 10000, 1e-3);
}

// A committed minimum service of 100 % that no capacity can meet (no tool can be bought): the
// plan reports the conflicting family instead of only "infeasible".
TEST_F(PlanTest, ConflictingHardConstraintIsNamed) {
  auto n = net("horizon: 2\n", "[]",
               "customers:\n  - name: c1\n    demand: [{product: A, per_month: 150, "
               "min_service: 1.0}]\n"
               "sites:\n  - name: s1\n    region: Taiwan\n    lines: [{name: l1, line: tiny, "
               "status: in_place}]\n");
  ASSERT_TRUE(n);
  const Plan p = run(*n);
  EXPECT_EQ(p.call, SolveStatus::Infeasible);
  ASSERT_EQ(p.conflicts.size(), 1u);
  EXPECT_EQ(p.conflicts[0].rfind("min_service", 0), 0u) << p.conflicts[0];
}

// min-capex: meet the demand with the least capital: one tool.
TEST_F(PlanTest, MinCapexMeetsDemandWithTheLeastCapital) {
  auto n = net("horizon: 2\n", "[{group: bond, price: 1500000, lead_months: 0}]", kOneSite);
  ASSERT_TRUE(n);
  const Plan p = run(*n, Objective::MinCapex);
  ASSERT_EQ(p.call, SolveStatus::Optimal);
  EXPECT_EQ(tools_bought(p), 1);
  EXPECT_NEAR(p.capex_total, 1500000, 1e-6);
  EXPECT_NEAR(shipped(p, 0) + shipped(p, 1), 300, 1e-6);
}

// The JSON output carries the documented sections.
TEST_F(PlanTest, JsonHasTheDocumentedSections) {
  auto n = net("horizon: 2\n", "[{group: bond, price: 300000, lead_months: 0}]", kOneSite);
  ASSERT_TRUE(n);
  const Plan p = run(*n);
  const auto j = nlohmann::json(plan_json(*n, p));
  for (const char* k : {"status", "purchases", "buildings_opened", "capex_by_year", "scenarios",
                        "binding", "lines", "verification"})
    EXPECT_TRUE(j.contains(k)) << k;
  EXPECT_EQ(j["status"]["call"], "optimal");
  EXPECT_EQ(j["purchases"][0]["group"], "bond");
  EXPECT_EQ(j["purchases"][0]["order_month"], "2026-01");
}

}  // namespace
}  // namespace osatsim::planner
