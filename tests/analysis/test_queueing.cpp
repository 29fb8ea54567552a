// Closed forms of the queueing approximations (docs/capacity.md §3).
#include <gtest/gtest.h>

#include <cmath>

#include "analysis/queueing.h"

namespace osatsim::analysis::queueing {
namespace {

TEST(Queueing, KingmanIsExactForMM1) {
  // m = 1: the exponent sqrt(4) - 1 = 1, so Wq = (ca2 + ce2)/2 u/(1-u) te; M/M/1: u te/(1-u).
  for (double u : {0.1, 0.5, 0.8, 0.95}) {
    const double te = 2.0;
    EXPECT_NEAR(wq_ggm(1.0, 1.0, u, 1, te), u / (1 - u) * te, 1e-12);
    EXPECT_NEAR(wq_mmm_exact(u / te, te, 1), u / (1 - u) * te, 1e-12);
  }
}

TEST(Queueing, KingmanIsExactForMD1) {
  // Pollaczek-Khinchine for M/D/1: Wq = u te / (2 (1 - u)).
  const double u = 0.7, te = 0.5;
  EXPECT_NEAR(wq_ggm(1.0, 0.0, u, 1, te), u * te / (2 * (1 - u)), 1e-12);
}

TEST(Queueing, ErlangCClosedForms) {
  // M/M/2: C(a, 2) = a^2 / (2 + a) / ... ; P(wait) = 2 rho^2 / (1 + rho) with rho = a / 2.
  for (double rho : {0.3, 0.6, 0.9}) {
    EXPECT_NEAR(erlang_c(2 * rho, 2), 2 * rho * rho / (1 + rho), 1e-12);
    // Wq(M/M/2) = rho^2 / (1 - rho^2) te.
    EXPECT_NEAR(wq_mmm_exact(2 * rho, 1.0, 2), rho * rho / (1 - rho * rho), 1e-12);
  }
  EXPECT_TRUE(std::isinf(wq_mmm_exact(2.0, 1.0, 2)));
}

// Sakasegawa's approximation against Erlang C for M/M/m. Stated tolerance (docs/capacity.md §3.1):
// absolute error <= 0.04 te on the whole grid (m <= 32, 0.5 <= u <= 0.98); relative error <= 5 %
// for u >= 0.9 and <= 25 % for u >= 0.7 with m <= 10. (It overestimates small waits at low u and
// many servers: a relative error up to 25x at m = 32, u = 0.5, where Wq < 0.001 te.)
TEST(Queueing, SakasegawaTracksErlangCForMMm) {
  for (int m : {1, 2, 3, 5, 10, 20, 32}) {
    for (double u : {0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98}) {
      const double te = 1.0;
      const double exact = wq_mmm_exact(m * u / te, te, m);
      const double approx = wq_ggm(1.0, 1.0, u, m, te);
      EXPECT_NEAR(approx, exact, 0.04 * te) << "m=" << m << " u=" << u;
      if (u >= 0.9) {
        EXPECT_NEAR(approx / exact, 1.0, 0.05) << "m=" << m << " u=" << u;
      }
      if (u >= 0.7 && m <= 10) {
        EXPECT_NEAR(approx / exact, 1.0, 0.25) << "m=" << m << " u=" << u;
      }
      if (m == 1) {
        EXPECT_NEAR(approx, exact, 1e-12);
      }
    }
  }
}

TEST(Queueing, EffectiveProcessTime) {
  // Hopp & Spearman example values: t0 = 1, c0^2 = 0.25, A = 0.9, mr = 10, cr^2 = 1.
  const auto e = effective_time(1.0, 0.25, 0.9, 10.0, 1.0);
  EXPECT_NEAR(e.te, 1.0 / 0.9, 1e-12);
  EXPECT_NEAR(e.ce2, 0.25 + 2.0 * 0.9 * 0.1 * 10.0, 1e-12);
  const auto none = effective_time(1.0, 0.25, 1.0, 10.0, 1.0);
  EXPECT_DOUBLE_EQ(none.ce2, 0.25);
}

TEST(Queueing, LinkingEquation) {
  // u -> 0: departures copy arrivals; u -> 1 with m = 1: departures copy the service process.
  EXPECT_NEAR(departure_scv(0.3, 2.0, 0.0, 1), 0.3, 1e-12);
  EXPECT_NEAR(departure_scv(0.3, 2.0, 1.0, 1), 2.0, 1e-12);
  // M/M/m: Poisson out.
  EXPECT_NEAR(departure_scv(1.0, 1.0, 0.8, 4), 1.0, 1e-12);
  // General case by hand: 1 + (1 - .64)(0.5 - 1) + .64 (0.25 - 1) / 2.
  EXPECT_NEAR(departure_scv(0.5, 0.25, 0.8, 4), 1 + 0.36 * -0.5 + 0.64 * -0.75 / 2, 1e-12);
}

TEST(Queueing, SplitAndSuperpose) {
  EXPECT_NEAR(split_scv(0.0, 0.25), 0.75, 1e-12);
  // One flow passes unchanged.
  EXPECT_NEAR(superpose_scv({2.0}, {0.3}, 0.5), 0.3, 1e-12);
  // Many equal small deterministic flows at low utilisation tend to Poisson.
  std::vector<double> r(100, 1.0), c(100, 0.0);
  EXPECT_GT(superpose_scv(r, c, 0.0), 0.95);
  // At u = 1, w = 1: the rate-weighted mean.
  EXPECT_NEAR(superpose_scv({1.0, 3.0}, {2.0, 0.0}, 1.0), 0.5, 1e-12);
}

TEST(Queueing, BatchAndPriority) {
  EXPECT_NEAR(wait_to_batch(4.0, 2.0), 0.75, 1e-12);
  EXPECT_EQ(wait_to_batch(1.0, 2.0), 0.0);
  // Two classes, equal service, a = 0.2 of the load high priority: the rate-weighted mean of the
  // class waits is the FCFS wait (conservation).
  const double wq = 3.0, u = 0.8, a = 0.2;
  const double hi = priority_wait(wq, u, 0.0, a * u);
  const double lo = priority_wait(wq, u, a * u, u);
  EXPECT_LT(hi, wq);
  EXPECT_GT(lo, wq);
  EXPECT_NEAR(a * hi + (1 - a) * lo, wq, 1e-12);
}

}  // namespace
}  // namespace osatsim::analysis::queueing
