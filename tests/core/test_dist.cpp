#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/dist.h"
#include "core/time.h"

namespace osatsim {
namespace {

TEST(Dist, UniformMeansMeanPlusMinusHalfWidth) {
  const Dist d = Dist::uniform(100.0, 20.0);
  Rng r(1, 2);
  double lo = 1e9, hi = -1e9, sum = 0;
  const int n = 100000;
  for (int i = 0; i < n; ++i) {
    const double x = d.sample(r);
    lo = std::min(lo, x);
    hi = std::max(hi, x);
    sum += x;
  }
  EXPECT_GE(lo, 80.0);
  EXPECT_LT(hi, 120.0);
  EXPECT_LT(lo, 80.5);  // the full width is used, not half of it
  EXPECT_GT(hi, 119.5);
  EXPECT_NEAR(sum / n, 100.0, 0.2);
}

TEST(Dist, ConstantAndScv) {
  Rng r(1, 2);
  EXPECT_EQ(Dist::constant(5).sample(r), 5.0);
  EXPECT_EQ(Dist::constant(5).scv(), 0.0);
  EXPECT_DOUBLE_EQ(Dist::exponential(3).scv(), 1.0);
  // U[80,120]: variance 40^2/12, scv = 133.33/10000.
  EXPECT_NEAR(Dist::uniform(100, 20).scv(), 1600.0 / 12.0 / 10000.0, 1e-12);
  EXPECT_EQ(Dist::uniform(10, 2).scaled(3).mean, 30.0);
  EXPECT_EQ(Dist::uniform(10, 2).scaled(3).half_width, 6.0);
}

TEST(Dist, ParseKind) {
  DistKind k;
  EXPECT_TRUE(parse_dist_kind("uniform", k));
  EXPECT_EQ(k, DistKind::Uniform);
  EXPECT_TRUE(parse_dist_kind("Exponential", k));
  EXPECT_EQ(k, DistKind::Exponential);
  EXPECT_TRUE(parse_dist_kind("constant", k));
  EXPECT_EQ(k, DistKind::Constant);
  EXPECT_FALSE(parse_dist_kind("normal", k));
}

TEST(Time, UnitConversions) {
  EXPECT_EQ(minutes(1.5), 90000);
  EXPECT_EQ(hours(2), 2 * kTicksPerHour);
  EXPECT_EQ(days(1), 86400000);
  EXPECT_DOUBLE_EQ(to_days(days(3.5)), 3.5);
  EXPECT_EQ(ticks_per_unit("min"), 60000.0);
  EXPECT_EQ(ticks_per_unit("hr"), 3600000.0);
  EXPECT_EQ(ticks_per_unit("day"), 86400000.0);
  EXPECT_EQ(ticks_per_unit("fortnight"), 0.0);
}

}  // namespace
}  // namespace osatsim

// round_ticks is a hand-inlined llround: halves away from zero, exact near representable
// boundaries, and identical to std::llround on a sweep of awkward values.
TEST(Time, RoundTicksIsLlround) {
  EXPECT_EQ(osatsim::round_ticks(0.5), 1);
  EXPECT_EQ(osatsim::round_ticks(-0.5), -1);
  EXPECT_EQ(osatsim::round_ticks(2.5), 3);
  EXPECT_EQ(osatsim::round_ticks(-2.5), -3);
  EXPECT_EQ(osatsim::round_ticks(0.49999999999999994), 0);  // x + 0.5 would round up to 1
  EXPECT_EQ(osatsim::round_ticks(-0.49999999999999994), 0);
  EXPECT_EQ(osatsim::round_ticks(4503599627370497.0), 4503599627370497);  // 2^52 + 1
  std::vector<double> xs = {0.0,    -0.0,     1e-300,    1.4999999999999998,
                            1.5,    123456.5, -123456.5, 9007199254740991.0,
                            0x1p61, -0x1p61,  0x1p62,    0x1p63 / 2 + 0.5};
  for (int i = -4000; i <= 4000; ++i) {
    xs.push_back(i * 0.25);
    xs.push_back(i * 0.25 + i * 1e-7);
  }
  osatsim::Rng rng(3, 7);
  for (int i = 0; i < 20000; ++i) xs.push_back(rng.uniform(-1e12, 1e12));
  for (double x : xs) EXPECT_EQ(osatsim::round_ticks(x), std::llround(x)) << x;
}
