// What a planner reads from `osatsim simulate` on the built-in default scenario: the unstable-run
// warning (present on an overloaded line, absent on the default one), the replication tables
// (good units per product and month, tool groups, intervals clipped to their range), the
// lot-type table's released and split lots, and units per wafer over shipped wafers.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "support/test_support.h"

namespace osatsim {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

TEST(PlannerOutput, OverloadedRunIsFlaggedUnstable) {
  test::TempDir dir;
  const auto out = dir.path() / "o";
  const auto r = test::run_osatsim({"simulate", "default", "--days", "120", "--warmup-days", "30",
                                    "--scale", "P1=10", "--out", out.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("simulate: warning: unstable run: WIP grows over the KPI window"),
            std::string::npos)
      << r.err;
  const json j = json::parse(test::read_file(out / "summary.json"));
  EXPECT_FALSE(j["wip"]["stable"].get<bool>());
  const json& t = j["wip"]["trend"];
  EXPECT_TRUE(t["judged"].get<bool>());
  EXPECT_EQ(t["window_days"], 90);
  EXPECT_GT(t["slope_lots_per_day"].get<double>(), 0.0);
  EXPECT_GT(t["growth_over_window"].get<double>(), 0.3);
  EXPECT_GT(t["last_quarter_mean_lots"].get<double>(),
            1.25 * t["first_quarter_mean_lots"].get<double>());
  // Overloaded, not a yield collapse: units per wafer of P1 as on the default line (within 2 %).
  const auto base = dir.path() / "b";
  ASSERT_EQ(test::run_osatsim({"simulate", "default", "--days", "120", "--warmup-days", "30",
                               "--out", base.string()})
                .exit_code,
            0);
  const json b = json::parse(test::read_file(base / "summary.json"));
  const double upw = j["packaging"]["good_units_per_wafer"]["P1"].get<double>();
  const double upw0 = b["packaging"]["good_units_per_wafer"]["P1"].get<double>();
  EXPECT_GT(upw0, 0.0);
  EXPECT_NEAR(upw / upw0, 1.0, 0.02);
}

TEST(PlannerOutput, DefaultRunIsStableAndSaysNothing) {
  test::TempDir dir;
  const auto out = dir.path() / "o";
  const auto r = test::run_osatsim(
      {"simulate", "default", "--days", "120", "--warmup-days", "30", "--out", out.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  const json j = json::parse(test::read_file(out / "summary.json"));
  EXPECT_TRUE(j["wip"]["stable"].get<bool>());
  EXPECT_TRUE(j["wip"]["trend"]["judged"].get<bool>());
  // The lot-type table tells released lots from assembly lots split from them.
  EXPECT_NE(r.out.find("released  split+     done"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("split+: assembly lots split from them"), std::string::npos) << r.out;
  // Units per wafer: shipped good units over the wafers they came from.
  for (const auto& [name, v] : j["packaging"]["good_units_per_wafer"].items()) {
    const double wafers = j["packaging"]["wafers_of_units_out"][name].get<double>();
    if (wafers > 0) {
      EXPECT_GT(v.get<double>(), 0.0) << name;
    }
  }
}

TEST(PlannerOutput, ReplicationsKeepPlannerTablesWithClippedIntervals) {
  test::TempDir dir;
  const auto out = dir.path() / "o";
  const auto r = test::run_osatsim({"simulate", "default", "--days", "60", "--warmup-days", "20",
                                    "--replications", "3", "--out", out.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("good units/month (CI)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("units per wafer"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("busy+setup% [95% CI]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("ontime% [95% CI]"), std::string::npos) << r.out;
  const json j = json::parse(test::read_file(out / "summary.json"));
  for (const auto& t : j["replications"]["lot_types"]) {
    const auto& e = t["on_time_pct"];
    EXPECT_GE(e["ci95_low"].get<double>(), 0.0);
    EXPECT_LE(e["ci95_high"].get<double>(), 100.0);
  }
  for (const auto& g : j["replications"]["tool_groups"]) {
    EXPECT_GE(g["utilisation"]["ci95_low"].get<double>(), 0.0);
    EXPECT_LE(g["utilisation"]["ci95_high"].get<double>(), 1.0);
  }
  EXPECT_EQ(j["replications"]["unstable"], 0);
  // No printed percentage above 100 (the clipped intervals).
  EXPECT_EQ(r.out.find(", 100.1]"), std::string::npos);
}

}  // namespace
}  // namespace osatsim

namespace osatsim {
namespace {

TEST(PlannerOutput, ValidateShowsSitesSiteYieldAndDiesPerProduct) {
  const auto r = test::run_osatsim(
      {"validate", (test::source_dir() / "examples" / "mini_cowos.yaml").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("  product gpu_module: 19 sites per wafer (site 46x52 mm on a 300 mm "
                       "wafer, edge exclusion 3 mm, street 0.2 mm: grid packing), site yield "
                       "0.9500, 9 dies per package (gpu 1, hbm 8)"),
            std::string::npos)
      << r.out;
  test::TempDir dir;
  const auto out = dir.path() / "v.json";
  ASSERT_EQ(test::run_osatsim({"validate", "default", "--json", out.string()}).exit_code, 0);
  const nlohmann::json j = nlohmann::json::parse(test::read_file(out));
  const auto& p1 = j["products"][0];
  EXPECT_EQ(p1["name"], "P1");
  EXPECT_EQ(p1["sites_per_wafer"], 16);
  EXPECT_EQ(p1["dies_per_package"], 10);
  EXPECT_GT(p1["site_yield"].get<double>(), 0.0);
  EXPECT_EQ(j["products"][3]["starts_as"], "units");
}

}  // namespace
}  // namespace osatsim
