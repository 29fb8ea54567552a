// The MIP adapter on problems solved by hand.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "planner/mip.h"

namespace osatsim::planner {
namespace {

// "prefix<i>" (appending, which keeps GCC 12's -Wrestrict false positive on "lit" + string away).
std::string name(std::string prefix, int i) {
  prefix += std::to_string(i);
  return prefix;
}

// max 8a + 11b + 6c + 4d s.t. 5a + 7b + 4c + 3d <= 14, binaries.
// LP relaxation: a = b = 1, c = 0.5 -> 22; integer optimum: b = c = d = 1 -> 21 (a = 0).
// Minimised as the negation.
Mip knapsack() {
  Mip m;
  const double value[] = {8, 11, 6, 4};
  const double weight[] = {5, 7, 4, 3};
  std::vector<std::pair<int, double>> row;
  for (int i = 0; i < 4; ++i) {
    const int c = m.add_col(name("x", i), 0, 1, -value[i], true);
    row.emplace_back(c, weight[i]);
  }
  m.add_row("weight", row, -kInf, 14);
  return m;
}

// max 3x + 5y s.t. x <= 4, 2y <= 12, 3x + 2y <= 18 (x, y >= 0): x = 2, y = 6, objective 36,
// duals (maximisation) 0, 1.5, 1. Minimised as -3x - 5y.
Mip wyndor(bool integer = false) {
  Mip m;
  const int x = m.add_col("x", 0, kInf, -3, integer);
  const int y = m.add_col("y", 0, kInf, -5);
  m.add_row("plant1", {{x, 1}}, -kInf, 4);
  m.add_row("plant2", {{y, 2}}, -kInf, 12);
  m.add_row("plant3", {{x, 3}, {y, 2}}, -kInf, 18);
  return m;
}

// Capacity expansion: n_int integer tool counts, products routed over (group, product) pairs.
Mip random_mip(int groups, int products, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  Mip m;
  std::vector<int> tools;
  for (int g = 0; g < groups; ++g) {
    tools.push_back(m.add_col(name("tools", g), 0, 20, 50 + 100 * u(rng), true));
  }
  std::vector<std::vector<std::pair<int, double>>> cap(static_cast<std::size_t>(groups));
  for (int p = 0; p < products; ++p) {
    std::vector<std::pair<int, double>> demand;
    for (int k = 0; k < 2; ++k) {
      const int g = static_cast<int>(u(rng) * groups) % groups;
      const int f = m.add_col(name(name("flow", p) + "_", k), 0, kInf,
                              1 + 5 * u(rng));
      demand.emplace_back(f, 1.0);
      cap[static_cast<std::size_t>(g)].emplace_back(f, 0.5 + u(rng));
    }
    m.add_row(name("demand", p), demand, 5 + 10 * u(rng), kInf);
  }
  for (int g = 0; g < groups; ++g) {
    auto row = cap[static_cast<std::size_t>(g)];
    row.emplace_back(tools[static_cast<std::size_t>(g)], -(30 + 20 * u(rng)));
    m.add_row(name("capacity", g), row, -kInf, 0);
  }
  return m;
}

TEST(Mip, BuildsRowsWithUniqueColumnsAndDropsZeros) {
  Mip m;
  const int a = m.add_col("a", 0, 1, 1);
  const int b = m.add_col("b", 0, 1, 1);
  const int r = m.add_row("r", {{a, 1}, {b, 0}, {a, 2}}, 0, 3);
  ASSERT_EQ(m.rows()[0].entries.size(), 1u);
  EXPECT_EQ(m.rows()[0].entries[0].second, 3);
  m.add_coef(r, b, 2);
  m.add_coef(r, a, -3);
  ASSERT_EQ(m.rows()[0].entries.size(), 1u);
  EXPECT_EQ(m.rows()[0].entries[0].first, b);
  EXPECT_DOUBLE_EQ(m.max_violation({0, 1}), 0);
  EXPECT_DOUBLE_EQ(m.max_violation({0, 1.5}), 0.5);  // column bound
  EXPECT_DOUBLE_EQ(m.objective({1, 1}), 2);
}

TEST(Mip, StatusNames) {
  EXPECT_STREQ(to_string(SolveStatus::Optimal), "optimal");
  EXPECT_STREQ(to_string(SolveStatus::NoSolution), "no-solution");
  EXPECT_STREQ(to_string(SolveStatus::Infeasible), "infeasible");
}

TEST(Solve, KnapsackIntegerOptimumBelowTheRelaxation) {
  const Mip m = knapsack();
  const SolveResult r = solve(m);
  ASSERT_EQ(r.status, SolveStatus::Optimal) << r.message;
  ASSERT_EQ(r.x.size(), 4u);
  EXPECT_NEAR(r.objective, -21, 1e-9);  // the LP relaxation is -22
  EXPECT_NEAR(r.x[0], 0, 1e-9);
  EXPECT_NEAR(r.x[1], 1, 1e-9);
  EXPECT_NEAR(r.x[2], 1, 1e-9);
  EXPECT_NEAR(r.x[3], 1, 1e-9);
  EXPECT_LE(m.max_violation(r.x), 1e-6);
  EXPECT_LE(r.bound, r.objective + 1e-9);
  EXPECT_LE(r.gap, 1e-4);
  EXPECT_GE(r.seconds, 0);
}

// SolveOptions::on_progress: called during the search, the last report is the result's
// incumbent, and the bound never passes the incumbent.
TEST(Solve, ProgressReportsIncumbentAndBound) {
  const Mip m = knapsack();
  std::vector<std::pair<double, double>> calls;
  SolveOptions o;
  o.on_progress = [&calls](double incumbent, double bound) { calls.emplace_back(incumbent, bound); };
  const SolveResult r = solve(m, o);
  ASSERT_EQ(r.status, SolveStatus::Optimal) << r.message;
  ASSERT_FALSE(calls.empty());
  EXPECT_NEAR(calls.back().first, r.objective, 1e-6);
  for (const auto& [inc, bound] : calls)
    if (std::isfinite(inc)) {
      EXPECT_LE(bound, inc + 1e-6);
    }
}

TEST(Solve, LpWithoutIntegersHasKnownSolutionAndDuals) {
  const Mip m = wyndor();
  const SolveResult r = solve(m);
  ASSERT_EQ(r.status, SolveStatus::Optimal) << r.message;
  EXPECT_NEAR(r.objective, -36, 1e-7);
  EXPECT_NEAR(r.x[0], 2, 1e-7);
  EXPECT_NEAR(r.x[1], 6, 1e-7);
  EXPECT_EQ(r.nodes, 0);

  // Duals in the minimisation's sign: d(-3x - 5y) / d(row bound) = -(0, 1.5, 1), the negation of
  // the textbook shadow prices 0, 1.5, 1 of the maximisation.
  const LpDuals d = fixed_lp_duals(m, r.x);
  ASSERT_TRUE(d.ok) << d.message;
  ASSERT_EQ(d.row_dual.size(), 3u);
  EXPECT_NEAR(d.row_dual[0], 0, 1e-7);
  EXPECT_NEAR(d.row_dual[1], -1.5, 1e-7);
  EXPECT_NEAR(d.row_dual[2], -1, 1e-7);
  ASSERT_EQ(d.reduced_cost.size(), 2u);
  EXPECT_NEAR(d.reduced_cost[0], 0, 1e-7);
  EXPECT_NEAR(d.reduced_cost[1], 0, 1e-7);
  EXPECT_NEAR(d.objective, -36, 1e-7);
}

TEST(Solve, FixedLpDualsOfAMipAreThoseOfTheLpWithIntegersFixed) {
  // min -3x - 5y, x integer: x <= 4, 2y <= 12, 3x + 2y <= 19. LP: x = 7/3, y = 6; MIP: x = 2,
  // y = 6 (x = 3 allows only y = 5: -34 > -36).
  Mip m = wyndor(/*integer=*/true);
  m.set_row_bounds(2, -kInf, 19);
  const SolveResult r = solve(m);
  ASSERT_EQ(r.status, SolveStatus::Optimal) << r.message;
  EXPECT_NEAR(r.objective, -36, 1e-7);
  EXPECT_NEAR(r.x[0], 2, 1e-9);
  EXPECT_NEAR(r.x[1], 6, 1e-7);
  // With x fixed at 2: only 2y <= 12 binds (3x + 2y = 18 < 19). Its dual is -5 / 2; x's reduced
  // cost is its whole cost (no binding row holds it); y is basic.
  const LpDuals d = fixed_lp_duals(m, {2.2, 0});  // integers rounded: x = 2
  ASSERT_TRUE(d.ok) << d.message;
  EXPECT_NEAR(d.x[0], 2, 1e-9);
  EXPECT_NEAR(d.x[1], 6, 1e-7);
  EXPECT_NEAR(d.row_dual[0], 0, 1e-7);
  EXPECT_NEAR(d.row_dual[1], -2.5, 1e-7);
  EXPECT_NEAR(d.row_dual[2], 0, 1e-7);
  EXPECT_NEAR(d.reduced_cost[0], -3, 1e-7);
  EXPECT_NEAR(d.reduced_cost[1], 0, 1e-7);
  EXPECT_NEAR(d.objective, -36, 1e-7);

  // Integers fixed where the LP is infeasible: x = 7 breaks 3x + 2y <= 19 with y >= 0.
  const LpDuals bad = fixed_lp_duals(m, {7, 0});
  EXPECT_FALSE(bad.ok);
  EXPECT_FALSE(bad.message.empty());
  EXPECT_FALSE(fixed_lp_duals(m, {1}).ok);  // wrong size
}

TEST(LpSession, ReSolvesFromItsBasisAndStopsAtACutoff) {
  LpSession lp(wyndor());
  ASSERT_TRUE(lp.solve());
  EXPECT_NEAR(lp.objective(), -36, 1e-7);
  // x fixed at 0: the optimum is -30 (y = 6). A cutoff of -35 stops the re-solve (no better
  // than -35 is possible) and keeps the last optimal solution.
  lp.set_bounds(0, 0, 0);
  EXPECT_FALSE(lp.solve(1e9, -35));
  EXPECT_NEAR(lp.objective(), -36, 1e-7);
  EXPECT_NEAR(lp.x()[0], 2, 1e-7);
  ASSERT_TRUE(lp.solve());
  EXPECT_NEAR(lp.objective(), -30, 1e-7);
  // x free again: -36 is below the cutoff, solved to the end.
  lp.set_bounds(0, 0, kInf);
  ASSERT_TRUE(lp.solve(1e9, -35));
  EXPECT_NEAR(lp.objective(), -36, 1e-7);
  EXPECT_NEAR(lp.x()[1], 6, 1e-7);
}

TEST(Solve, InfeasibleModels) {
  Mip m = knapsack();
  m.add_row("too much", {{0, 1}, {1, 1}, {2, 1}, {3, 1}}, 4.5, kInf);  // 4 binaries sum >= 4.5
  const SolveResult r = solve(m);
  EXPECT_EQ(r.status, SolveStatus::Infeasible) << r.message;
  EXPECT_TRUE(r.x.empty());

  Mip lp = wyndor();
  lp.add_row("x big", {{0, 1}}, 5, kInf);  // x >= 5 and x <= 4
  EXPECT_EQ(solve(lp).status, SolveStatus::Infeasible);

  // Integer infeasible, LP feasible: 2a = 1.
  Mip parity;
  const int a = parity.add_col("a", 0, 10, 1, true);
  parity.add_row("odd", {{a, 2}}, 1, 1);
  EXPECT_EQ(solve(parity).status, SolveStatus::Infeasible);
}

TEST(Solve, UnboundedModels) {
  Mip lp;
  const int x = lp.add_col("x", 0, kInf, -1);
  const int y = lp.add_col("y", 0, kInf, 0);
  lp.add_row("r", {{x, 1}, {y, -1}}, -kInf, 1);
  EXPECT_EQ(solve(lp).status, SolveStatus::Unbounded);

  // With an integer column CBC reports the unbounded relaxation (secondary status 7).
  Mip mip = lp;
  mip.add_col("z", 0, 3, 1, true);
  const SolveResult r = solve(mip);
  EXPECT_EQ(r.status, SolveStatus::Unbounded) << to_string(r.status) << " " << r.message;
  EXPECT_TRUE(r.x.empty());
}

TEST(Solve, TinyTimeLimitOnAHarderMipDoesNotCrash) {
  const Mip m = random_mip(50, 250, 7);  // 50 integer + 500 continuous columns
  // Several limits, since where the limit falls (preprocessing, root cuts, heuristics) matters:
  // CBC may claim "infeasible" when it stops in preprocessing, which the adapter must not report.
  for (const double limit : {0.001, 0.005, 0.008, 0.01, 0.02}) {
    SolveOptions o;
    o.time_limit_seconds = limit;
    const SolveResult r = solve(m, o);
    EXPECT_TRUE(r.status == SolveStatus::Feasible || r.status == SolveStatus::NoSolution ||
                r.status == SolveStatus::Optimal)
        << limit << ": " << to_string(r.status) << " " << r.message;
    if (r.status == SolveStatus::NoSolution) {
      EXPECT_TRUE(r.x.empty());
    }
    if (!r.x.empty()) {
      EXPECT_LE(m.max_violation(r.x), 1e-6);
      EXPECT_NEAR(r.objective, m.objective(r.x), 1e-9);
    }
    EXPECT_LT(r.seconds, 10.0);
  }
}

TEST(Solve, StartSolutionIsAccepted) {
  const Mip m = random_mip(12, 60, 3);
  SolveOptions o;
  o.time_limit_seconds = 30;
  const SolveResult first = solve(m, o);
  ASSERT_EQ(first.status, SolveStatus::Optimal) << first.message;

  // The optimum as a start on a time limit too short to find much: the answer is at least as good.
  SolveOptions again;
  again.time_limit_seconds = 0.001;
  again.start = first.x;
  const SolveResult r = solve(m, again);
  ASSERT_TRUE(r.status == SolveStatus::Optimal || r.status == SolveStatus::Feasible)
      << to_string(r.status) << " " << r.message;
  EXPECT_LE(r.objective, first.objective + 1e-6 * std::abs(first.objective));
  EXPECT_LE(m.max_violation(r.x), 1e-6);

  // A start on the knapsack: the optimum is kept.
  SolveOptions k;
  k.start = {0, 1, 1, 1};
  const SolveResult kr = solve(knapsack(), k);
  ASSERT_EQ(kr.status, SolveStatus::Optimal);
  EXPECT_NEAR(kr.objective, -21, 1e-9);

  // An infeasible start is ignored, not fatal.
  k.start = {1, 1, 1, 1};
  EXPECT_EQ(solve(knapsack(), k).status, SolveStatus::Optimal);
}

TEST(Solve, DeterministicWithOneThread) {
  const Mip m = random_mip(15, 80, 11);
  const SolveResult a = solve(m);
  const SolveResult b = solve(m);
  ASSERT_EQ(a.status, SolveStatus::Optimal) << a.message;
  ASSERT_EQ(b.status, a.status);
  EXPECT_EQ(a.x, b.x);
  EXPECT_EQ(a.objective, b.objective);
  EXPECT_EQ(a.nodes, b.nodes);
  EXPECT_LE(m.max_violation(a.x), 1e-6);
  EXPECT_NEAR(a.objective, m.objective(a.x), 1e-9);
}

TEST(Solve, PrintsNothingWithoutLog) {
  const Mip mip = random_mip(12, 60, 5);
  testing::internal::CaptureStdout();
  testing::internal::CaptureStderr();
  const SolveResult a = solve(knapsack());
  const SolveResult b = solve(mip);
  const SolveResult c = solve(wyndor());
  Mip infeasible = knapsack();
  infeasible.add_row("too much", {{0, 1}, {1, 1}, {2, 1}, {3, 1}}, 4.5, kInf);
  const SolveResult d = solve(infeasible);
  SolveOptions o;
  o.start = b.x;
  const SolveResult e = solve(mip, o);
  const LpDuals f = fixed_lp_duals(mip, b.x);
  const std::string out = testing::internal::GetCapturedStdout();
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_EQ(out, "");
  EXPECT_EQ(err, "");
  EXPECT_EQ(a.status, SolveStatus::Optimal);
  EXPECT_EQ(b.status, SolveStatus::Optimal);
  EXPECT_EQ(c.status, SolveStatus::Optimal);
  EXPECT_EQ(d.status, SolveStatus::Infeasible);
  EXPECT_EQ(e.status, SolveStatus::Optimal);
  EXPECT_TRUE(f.ok);
}

TEST(Solve, LogGoesToStderr) {
  SolveOptions o;
  o.log = true;
  testing::internal::CaptureStdout();
  testing::internal::CaptureStderr();
  const SolveResult r = solve(knapsack(), o);
  const std::string out = testing::internal::GetCapturedStdout();
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_EQ(r.status, SolveStatus::Optimal);
  EXPECT_EQ(out, "");
  EXPECT_NE(err, "");
}

TEST(Solve, MoreThreads) {
  const Mip m = random_mip(12, 60, 3);
  SolveOptions o;
  o.threads = 2;
  const SolveResult r = solve(m, o);
  ASSERT_EQ(r.status, SolveStatus::Optimal) << r.message;
  EXPECT_NEAR(r.objective, solve(m).objective, 1e-4 * std::abs(r.objective));
  EXPECT_LE(m.max_violation(r.x), 1e-6);
}

TEST(Solve, EmptyProblem) {
  Mip m;
  EXPECT_EQ(solve(m).status, SolveStatus::Optimal);
  m.add_row("impossible", {}, 1, 2);
  EXPECT_EQ(solve(m).status, SolveStatus::Infeasible);
}

}  // namespace
}  // namespace osatsim::planner
