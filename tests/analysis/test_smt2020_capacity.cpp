// Capacity analysis on the full SMT2020 models and the capacity command line.
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "analysis/capacity.h"
#include "io/load.h"
#include "support/test_support.h"

namespace osatsim::analysis {
namespace {

std::shared_ptr<const model::Factory> load(const std::filesystem::path& dir) {
  Diagnostics d;
  auto f = io::load_factory(dir.string(), d);
  EXPECT_TRUE(f) << d.to_string();
  return f;
}

class Smt2020 : public ::testing::TestWithParam<const char*> {};

TEST_P(Smt2020, NominalLoadIsFeasible) {
  OSATSIM_REQUIRE_SMT2020(dir);
  auto f = load(dir / GetParam());
  ASSERT_TRUE(f);
  const auto r = analyse(*f);
  // 57.2 lots/day, 25 wafers each (FORMAT.md §14).
  EXPECT_NEAR(r.nominal_lots_per_day, 57.2, 0.01);
  EXPECT_NEAR(r.nominal_wafers_per_day, 25 * 57.2, 0.3);
  for (const auto& g : r.groups) {
    EXPECT_LT(g.utilisation, 1.0) << g.name;
    EXPECT_GE(g.availability, 0.0) << g.name;
  }
  EXPECT_GT(r.max_scale, 1.0);
  ASSERT_NE(r.bottleneck, model::kNone);
  EXPECT_FALSE(r.groups[r.bottleneck].is_delay);
  // Finite cycle times, above the raw process time, and the curve rises with the load.
  for (const auto& s : r.nominal.streams) {
    EXPECT_TRUE(std::isfinite(s.cycle_time_days)) << s.name;
    EXPECT_GT(s.cycle_time_factor, 1.0) << s.name;
  }
  // From 70 % of the maximum start rate up, queueing dominates and the curve rises; below, the
  // wait to form batches (shrinking with the load) can make it fall (docs/capacity.md §3.4).
  ASSERT_EQ(r.curve.size(), 5u);
  for (std::size_t i = 2; i < r.curve.size(); ++i)
    EXPECT_GT(r.curve[i].mean_cycle_time_days, r.curve[i - 1].mean_cycle_time_days);
  EXPECT_GT(r.curve[4].mean_cycle_time_days, 1.1 * r.curve[0].mean_cycle_time_days);
}

INSTANTIATE_TEST_SUITE_P(Models, Smt2020, ::testing::Values("HVLM", "LVHM"));

TEST(Smt2020Capacity, RawProcessTimesMatchTheKeyFigures) {
  OSATSIM_REQUIRE_SMT2020(dir);
  auto f = load(dir / "HVLM");
  ASSERT_TRUE(f);
  const auto r = analyse(*f);
  // FORMAT.md §14: RPT smp route_3 24.68 d, route_4 14.48 d; moves x 7.5 min 2.79 / 1.68 d.
  for (const auto& s : r.nominal.streams) {
    const auto& route = f->routes[f->products[f->streams[s.id].product].route].name;
    const bool r3 = route.find('3') != std::string::npos;
    EXPECT_NEAR(s.raw_process_sampled_days, r3 ? 24.68 : 14.48, 0.01) << s.name;
    // §14 counts every Fab->Fab transition; the analysis counts moves between performed steps
    // (skipped metrology steps cause none, rework repeats add some): 10-15 % fewer.
    EXPECT_LT(s.transport_days, r3 ? 2.79 : 1.68) << s.name;
    EXPECT_GT(s.transport_days, r3 ? 0.85 * 2.79 : 0.85 * 1.68) << s.name;
  }
}

TEST(Smt2020Capacity, CommandLine) {
  OSATSIM_REQUIRE_SMT2020(dir);
  test::TempDir tmp;
  for (const char* model : {"HVLM", "LVHM"}) {
    const auto json_path = tmp.path() / (std::string(model) + ".json");
    const auto r = test::run_osatsim(
        {"capacity", (dir / model).string(), "--json", json_path.string(), "--curve", "0.5,0.9"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("Maximum start rate"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("Operating curve"), std::string::npos) << r.out;
    const auto j = nlohmann::json::parse(test::read_file(json_path));
    EXPECT_EQ(j["groups"].size(), 106u);
    EXPECT_EQ(j["curve"].size(), 2u);
    EXPECT_GT(j["max_scale"].get<double>(), 1.0);
  }
}

TEST(CapacityCli, BadInputAndOptions) {
  test::TempDir tmp;
  auto r = test::run_osatsim({"capacity", (tmp.path() / "missing").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_FALSE(r.err.empty());
  r = test::run_osatsim({"capacity", "x", "--curve", "0.5,1.5"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--curve"), std::string::npos) << r.err;
  r = test::run_osatsim({"capacity", "x", "--target-util", "2"});
  EXPECT_EQ(r.exit_code, 2);
  r = test::run_osatsim({"capacity", "x", "--batch-size", "huge"});
  EXPECT_EQ(r.exit_code, 2);
  // A broken SMT2020 directory: file:line messages, no JSON written.
  const auto bad = tmp.path() / "bad";
  tmp.write("bad/tool.txt.1l", "STNFAM\tSTNQTY\nG\tnot-a-number\n");
  const auto json_path = tmp.path() / "out.json";
  r = test::run_osatsim({"capacity", bad.string(), "--json", json_path.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(".txt"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(json_path));
  // A scenario with problems: every problem as file:line, exit 2.
  const auto yaml = tmp.write("bad.yaml", "name: x\nfoo: 1\n");
  r = test::run_osatsim({"capacity", yaml.string(), "--json", json_path.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("bad.yaml:2:"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(json_path));
}

TEST(CapacityCli, DefaultScenarioTableAndJson) {
  test::TempDir tmp;
  const auto json_path = tmp.path() / "cap.json";
  const auto r = test::run_osatsim(
      {"capacity", "default", "--json", json_path.string(), "--target-util", "0.8", "--top", "3"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Bottlenecks (top 3 of"), std::string::npos) << r.out;
  const auto j = nlohmann::json::parse(test::read_file(json_path));
  EXPECT_EQ(j["options"]["target_utilisation"].get<double>(), 0.8);
  // The ranking is by utilisation, highest first, and starts with the bottleneck.
  ASSERT_FALSE(j["ranking"].empty());
  EXPECT_EQ(j["ranking"][0], j["bottleneck"]);
  double prev = 2.0;
  for (const auto& name : j["ranking"]) {
    for (const auto& g : j["groups"]) {
      if (g["name"] != name) continue;
      EXPECT_LE(g["utilisation"].get<double>(), prev);
      prev = g["utilisation"].get<double>();
    }
  }
  // 5 curve points by default, at increasing start rates.
  ASSERT_EQ(j["curve"].size(), 5u);
  for (std::size_t i = 1; i < 5; ++i)
    EXPECT_GT(j["curve"][i]["scale"].get<double>(), j["curve"][i - 1]["scale"].get<double>());
}

}  // namespace
}  // namespace osatsim::analysis

namespace osatsim::analysis {
namespace {

// The built-in packaging scenario against FACTS.md §8.4: load per month and "Calc" =
// load / (720 h x availability x 0.85), for the wafer-level groups whose load the scenario
// reproduces (the table rounds loads to the hour and Calc to 0.01).
TEST(DefaultScenario, ReproducesTheFactsCapacityTable) {
  Diagnostics d;
  auto f = io::load_factory("default", d);
  ASSERT_TRUE(f) << d.to_string();
  const auto r = analyse(*f);
  struct Row {
    const char* group;
    double load, calc;
  };
  const Row rows[] = {{"iqc_aoi", 400, 0.67},
                      {"mass_reflow", 775, 1.30},
                      {"flux_clean", 500, 0.86},
                      {"uf_dispense_wafer", 1331, 2.28},
                      {"uf_cure_oven", 467, 0.78},
                      {"compression_molder", 1200, 2.12},
                      {"grinder", 1667, 2.87},
                      {"temp_bond_debond", 1500, 2.59},
                      {"tsv_reveal", 1600, 2.81},
                      {"litho", 1067, 1.93},
                      {"pvd", 750, 1.32},
                      {"ecd_plating", 933, 1.66},
                      {"wet_strip_etch", 1400, 2.41},
                      {"cow_test", 2848, 4.89},
                      {"dicing", 2083, 3.57}};
  for (const auto& row : rows) {
    const auto id = f->find_tool_group(row.group);
    ASSERT_NE(id, model::kNone) << row.group;
    const auto& g = r.groups[id];
    EXPECT_NEAR(g.required_hours_per_period / row.load, 1.0, 0.01) << row.group;
    EXPECT_NEAR(g.tools_needed, row.calc, 0.02) << row.group;
  }
}

}  // namespace
}  // namespace osatsim::analysis
