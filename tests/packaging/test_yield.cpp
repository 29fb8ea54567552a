#include <gtest/gtest.h>

#include <cmath>

#include "packaging/yield.h"

namespace osatsim::packaging {
namespace {

TEST(Yield, DefectModelsByHand) {
  // A = 1 cm^2, D0 = 0.5 /cm^2, A D0 = 0.5.
  EXPECT_NEAR(poisson_yield(1.0, 0.5), 0.6065306597, 1e-9);  // e^-0.5
  EXPECT_NEAR(murphy_yield(1.0, 0.5), 0.6192724870, 1e-9);   // ((1 - e^-0.5) / 0.5)^2
  EXPECT_NEAR(negbin_yield(1.0, 0.5, 2.0), 0.64, 1e-12);     // 1.25^-2
  EXPECT_NEAR(seeds_yield(1.0, 0.5), 2.0 / 3.0, 1e-12);      // 1 / 1.5
  // A = 2 cm^2, D0 = 0.1: A D0 = 0.2.
  EXPECT_NEAR(poisson_yield(2.0, 0.1), 0.8187307531, 1e-9);
  EXPECT_NEAR(negbin_yield(2.0, 0.1, 0.5), 1.0 / std::sqrt(1.4), 1e-12);  // (1 + 0.4)^-0.5
  EXPECT_NEAR(seeds_yield(2.0, 0.1), 1.0 / 1.2, 1e-12);
  // FACTS 8.5: 95 % good sites ~ D0 0.0018 /cm^2 on a 28 cm^2 interposer.
  EXPECT_NEAR(poisson_yield(28.0, 0.0018), 0.9508, 5e-4);
}

TEST(Yield, ModelRelations) {
  for (const double ad : {0.01, 0.1, 0.5, 1.0, 3.0}) {
    // Negative binomial: alpha = 1 is Seeds, alpha -> infinity is Poisson.
    EXPECT_NEAR(negbin_yield(1.0, ad, 1.0), seeds_yield(1.0, ad), 1e-12);
    EXPECT_NEAR(negbin_yield(1.0, ad, 1e7), poisson_yield(1.0, ad), 1e-6);
    // Poisson is the most pessimistic, Seeds the most optimistic of the four.
    EXPECT_LT(poisson_yield(1.0, ad), murphy_yield(1.0, ad));
    EXPECT_LT(murphy_yield(1.0, ad), seeds_yield(1.0, ad));
  }
  for (const YieldModel m :
       {YieldModel::Poisson, YieldModel::Murphy, YieldModel::NegativeBinomial, YieldModel::Seeds}) {
    EXPECT_DOUBLE_EQ(defect_yield(m, 10.0, 0.0), 1.0) << to_string(m);
    EXPECT_EQ(parse_yield_model(to_string(m)), m);
    // Continuous near zero (Murphy's series branch) and decreasing in area.
    EXPECT_NEAR(defect_yield(m, 1.0, 1e-9), 1.0, 1e-8);
    EXPECT_GT(defect_yield(m, 1.0, 0.2), defect_yield(m, 2.0, 0.2));
  }
  EXPECT_EQ(defect_yield(YieldModel::NegativeBinomial, 1.0, 0.5, 2.0), 0.64);
  EXPECT_FALSE(parse_yield_model("bose").has_value());
}

TEST(Yield, CompoundYieldByHand) {
  // FACTS 3.2: 4 dies at 99 % KGD -> 96 %, 8 -> 92 %; at 95 %: 81 % and 66 %.
  EXPECT_NEAR(compound_yield({{{"d", 4, 0.99}}}).kgd, 0.9606, 1e-4);
  EXPECT_NEAR(compound_yield({{{"d", 8, 0.99}}}).kgd, 0.9227, 1e-4);
  EXPECT_NEAR(compound_yield({{{"d", 4, 0.95}}}).kgd, 0.8145, 1e-4);
  EXPECT_NEAR(compound_yield({{{"d", 8, 0.95}}}).kgd, 0.6634, 1e-4);

  PackageYieldSpec spec;
  spec.dies = {{"logic", 2, 0.999}, {"hbm", 8, 0.99}};
  spec.bond_yield_per_die = 0.998;
  spec.module_test_yield = 0.985;
  spec.assembly_yield = 0.99;
  spec.test_yield = 0.97;
  const CompoundYield y = compound_yield(spec);
  EXPECT_EQ(y.dies_per_package, 10);
  EXPECT_NEAR(y.kgd, 0.998001 * 0.9227446944, 1e-9);  // 0.999^2 * 0.99^8
  EXPECT_NEAR(y.bond, 0.9801790433, 1e-9);            // 0.998^10 (FACTS 8.5: 98.0 %)
  EXPECT_NEAR(y.total, y.kgd * y.bond * 0.985 * 0.99 * 0.97, 1e-12);
  EXPECT_TRUE(check_yield_spec(spec).empty());

  EXPECT_DOUBLE_EQ(compound_yield(PackageYieldSpec{}).total, 1.0);
}

TEST(Yield, SpecChecks) {
  PackageYieldSpec bad;
  bad.dies = {{"hbm", -1, 1.2}};
  bad.bond_yield_per_die = 0.0;
  bad.test_yield = 1.5;
  EXPECT_EQ(check_yield_spec(bad).size(), 4u);  // count, quality, bond, test
}

TEST(Yield, RampEndpointsAndShape) {
  for (const RampShape shape : {RampShape::Linear, RampShape::Exponential}) {
    YieldRamp r{0.85, 6.0, shape, 3.0};
    EXPECT_DOUBLE_EQ(ramp_fraction(r, 0.0), 0.85);
    EXPECT_DOUBLE_EQ(ramp_fraction(r, -2.0), 0.85);
    EXPECT_NEAR(ramp_fraction(r, 6.0), 1.0, 1e-15);
    EXPECT_DOUBLE_EQ(ramp_fraction(r, 9.0), 1.0);
    double prev = 0;
    for (double t = 0; t <= 6.0; t += 0.25) {
      const double f = ramp_fraction(r, t);
      EXPECT_GT(f, prev - 1e-15);
      EXPECT_LE(f, 1.0 + 1e-15);
      prev = f;
    }
    EXPECT_EQ(parse_ramp_shape(to_string(shape)), shape);
  }
  // Midpoints by hand: linear (1 + s)/2; exponential s + (1-s)(1-e^-1.5)/(1-e^-3).
  EXPECT_NEAR(ramp_fraction({0.85, 6.0, RampShape::Linear, 3.0}, 3.0), 0.925, 1e-12);
  EXPECT_NEAR(ramp_fraction({0.85, 6.0, RampShape::Exponential, 3.0}, 3.0), 0.9726361714, 1e-9);
  // Learning front-loads the gain: the exponential curve is above the linear one inside.
  EXPECT_GT(ramp_fraction({0.5, 4.0, RampShape::Exponential, 3.0}, 1.0),
            ramp_fraction({0.5, 4.0, RampShape::Linear, 3.0}, 1.0));
  // No ramp: mature from the start.
  EXPECT_DOUBLE_EQ(ramp_fraction({0.5, 0.0, RampShape::Linear, 3.0}, 0.0), 1.0);
  EXPECT_FALSE(parse_ramp_shape("sigmoid").has_value());
}

}  // namespace
}  // namespace osatsim::packaging
