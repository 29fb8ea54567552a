#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/rng.h"

namespace osatsim {
namespace {

TEST(Rng, SameSeedAndStreamGiveSameSequence) {
  Rng a(42, 7), b(42, 7);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(a.next_u64(), b.next_u64());
}

TEST(Rng, StreamsAreIndependentOfEachOther) {
  Rng a(42, 7), b(42, 8), c(43, 7);
  int same_ab = 0, same_ac = 0;
  for (int i = 0; i < 1000; ++i) {
    const auto x = a.next_u64();
    same_ab += x == b.next_u64();
    same_ac += x == c.next_u64();
  }
  EXPECT_EQ(same_ab, 0);
  EXPECT_EQ(same_ac, 0);
}

TEST(Rng, Uniform01HasMeanHalfAndStaysInRange) {
  Rng r(1, 1);
  double sum = 0;
  const int n = 200000;
  for (int i = 0; i < n; ++i) {
    const double u = r.uniform01();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    sum += u;
  }
  EXPECT_NEAR(sum / n, 0.5, 0.005);
}

TEST(Rng, ExponentialMeanMatches) {
  Rng r(3, 0);
  double sum = 0;
  const int n = 200000;
  for (int i = 0; i < n; ++i) sum += r.exponential(10.0);
  EXPECT_NEAR(sum / n, 10.0, 0.15);
  EXPECT_EQ(r.exponential(0.0), 0.0);
}

TEST(Rng, BinomialMeanAndVarianceMatch) {
  for (double p : {0.02, 0.3, 0.95}) {
    Rng r(5, static_cast<std::uint64_t>(p * 100));
    const int n = 400, reps = 20000;
    double sum = 0, sum2 = 0;
    for (int i = 0; i < reps; ++i) {
      const auto k = r.binomial(n, p);
      ASSERT_GE(k, 0);
      ASSERT_LE(k, n);
      sum += static_cast<double>(k);
      sum2 += static_cast<double>(k) * static_cast<double>(k);
    }
    const double mean = sum / reps;
    const double var = sum2 / reps - mean * mean;
    EXPECT_NEAR(mean, n * p, 0.03 * n * p + 0.2) << "p=" << p;
    EXPECT_NEAR(var, n * p * (1 - p), 0.08 * n * p * (1 - p) + 0.2) << "p=" << p;
  }
  Rng r(1, 1);
  EXPECT_EQ(r.binomial(10, 0.0), 0);
  EXPECT_EQ(r.binomial(10, 1.0), 10);
  EXPECT_EQ(r.binomial(0, 0.5), 0);
}

TEST(Rng, BelowIsUniform) {
  Rng r(9, 9);
  std::vector<int> counts(7, 0);
  const int n = 70000;
  for (int i = 0; i < n; ++i) counts[r.below(7)]++;
  for (int c : counts) EXPECT_NEAR(c, n / 7, 400);
}

TEST(Rng, StreamIdMixesAllArguments) {
  EXPECT_NE(stream_id(1, 2, 3), stream_id(1, 2, 4));
  EXPECT_NE(stream_id(1, 2), stream_id(2, 1));
  EXPECT_EQ(stream_id(5, 6, 7), stream_id(5, 6, 7));
}

}  // namespace
}  // namespace osatsim
