// The built-in default scenario simulated for 90 days (30-day warm-up): good units shipped per
// product and month against the sanity figures of FACTS.md section 8.6, and the table a planner
// reads first.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/test_support.h"

namespace osatsim {
namespace {

using nlohmann::json;

// FACTS.md 8.6: good modules per month 33k (P1), 31k (P2), 26k (P3), ~89k in all, of which ~86k
// ship after burn-in and test. Shipped per product = modules x 86/89.
constexpr double kShippedShare = 86.0 / 89.0;

TEST(ScenarioSimulate, DefaultShipsWithinFifteenPercentOfFactsSanityFigures) {
  test::TempDir out;
  const auto r = test::run_osatsim(
      {"simulate", "default", "--days", "90", "--warmup-days", "30", "--out", out.path().string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json s = json::parse(test::read_file(out.path() / "summary.json"));
  const json& good = s.at("packaging").at("good_units_per_month");
  const std::pair<const char*, double> facts[] = {
      {"P1", 33000 * kShippedShare}, {"P2", 31000 * kShippedShare}, {"P3", 26000 * kShippedShare}};
  double total = 0;
  for (const auto& [product, expected] : facts) {
    const double got = good.at(product).get<double>();
    total += got;
    EXPECT_NEAR(got, expected, 0.15 * expected) << product;
  }
  EXPECT_NEAR(total, 86000.0, 0.15 * 86000.0);
  // P4 (CPO): 2,000 packages a month planned (FACTS 8.2); a few percent are lost in test.
  EXPECT_NEAR(good.at("P4").get<double>(), 2000.0, 0.15 * 2000.0);
  // No component runs short with the default supplies, and no lot is lost or invented.
  for (const auto& c : s.at("packaging").at("components")) {
    EXPECT_EQ(c.at("stockouts").get<int>(), 0) << c.at("name");
  }
  const json& k = s.at("packaging").at("conservation");
  EXPECT_DOUBLE_EQ(k.at("wafers_released").get<double>(),
                   k.at("wafers_scrapped").get<double>() + k.at("wafers_transformed").get<double>() +
                       k.at("wafers_out").get<double>() + k.at("wafers_in_fab").get<double>());
  EXPECT_DOUBLE_EQ(k.at("units_created").get<double>(),
                   k.at("units_scrapped").get<double>() + k.at("units_out").get<double>() +
                       k.at("units_in_fab").get<double>());
}

TEST(ScenarioSimulate, TableShowsGoodUnitsPerMonthPerProduct) {
  const auto r = test::run_osatsim({"simulate", "default", "--days", "60", "--warmup-days", "20"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("good units/month"), std::string::npos) << r.out;
  for (const char* p : {"P1", "P2", "P3", "P4"}) {
    EXPECT_NE(r.out.find(std::string("\n") + p + " "), std::string::npos) << p << "\n" << r.out;
  }
  EXPECT_NE(r.out.find("components: no stock-outs"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace osatsim
