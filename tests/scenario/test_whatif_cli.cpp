// What-if options of `osatsim capacity` and `osatsim simulate` (--scale F, --scale PRODUCT=F,
// --tools GROUP=N, --tools GROUP=+N) on the built-in default scenario: bad values are refused
// before any work with nothing written, and good ones change the model the run sees.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/test_support.h"

namespace osatsim {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const json& group(const json& capacity, const std::string& name) {
  for (const auto& g : capacity.at("groups"))
    if (g.at("name") == name) return g;
  ADD_FAILURE() << "no group " << name;
  static const json none;
  return none;
}

const json& lot_type(const json& summary, const std::string& name) {
  for (const auto& t : summary.at("lot_types"))
    if (t.at("name") == name) return t;
  ADD_FAILURE() << "no lot type " << name;
  static const json none;
  return none;
}

struct Bad {
  std::vector<std::string> args;
  const char* option;  // the option the one line of stderr names
  const char* says;    // and a part of what it says
};

const std::vector<Bad>& bad_cases() {
  static const std::vector<Bad> cases = {
      {{"--scale", "P9=2"}, "--scale", "unknown product 'P9' (known: P1, P2, P3, P4)"},
      {{"--scale", "p1=2"}, "--scale", "unknown product 'p1'"},
      {{"--tools", "burn_in_ovn=+2"}, "--tools", "(did you mean 'burn_in_oven'?)"},
      {{"--tools", "burn_in_oven"}, "--tools", "missing '='"},
      {{"--tools", "burn_in_oven+2"}, "--tools", "missing '='"},
      {{"--scale", "P1"}, "--scale", "not a factor"},
      {{"--scale", "P1=two"}, "--scale", "not a factor"},
      {{"--scale", "P1="}, "--scale", "not a factor"},
      {{"--scale", "=2"}, "--scale", "no product before '='"},
      {{"--scale", "P1=nan"}, "--scale", "not a factor"},
      {{"--scale", "P1=inf"}, "--scale", "not a factor"},
      {{"--scale", "P1=0"}, "--scale", "factor outside [1e-06, 1e+06]"},
      {{"--scale", "P1=-2"}, "--scale", "factor outside"},
      {{"--scale", "P1=1e7"}, "--scale", "factor outside"},
      {{"--scale", "0"}, "--scale", "factor outside"},
      {{"--scale", "2", "--scale", "3"}, "--scale", "the global factor F given twice"},
      {{"--scale", "P1=2", "--scale", "P1=3"}, "--scale", "product 'P1' given twice"},
      {{"--tools", "burn_in_oven=-1"}, "--tools", "negative count"},
      {{"--tools", "burn_in_oven=2.5"}, "--tools", "not a whole number of tools"},
      {{"--tools", "burn_in_oven=+x"}, "--tools", "not a whole number of tools"},
      {{"--tools", "burn_in_oven=100001"}, "--tools", "more than 100000 tools"},
      {{"--tools", "burn_in_oven=99999999999999999999"}, "--tools", "more than 100000 tools"},
      {{"--tools", "burn_in_oven=+99999"}, "--tools", "tools exceed the limit 100000"},
      {{"--tools", "litho=1", "--tools", "litho=+1"}, "--tools", "tool group 'litho' given twice"},
      {{"--tools", "litho=0"}, "--tools", "tool group 'litho' has no tools but step"},
  };
  return cases;
}

TEST(WhatIfCli, BadValuesExitTwoWithOneLineAndWriteNothing) {
  test::TempDir dir;
  int k = 0;
  for (const Bad& c : bad_cases()) {
    ++k;
    const fs::path json_file = dir.path() / ("cap" + std::to_string(k) + ".json");
    const fs::path out_dir = dir.path() / ("sim" + std::to_string(k));
    std::vector<std::string> cap{"capacity", "default", "--json", json_file.string()};
    std::vector<std::string> sim{"simulate", "default", "--days", "5", "--out", out_dir.string()};
    cap.insert(cap.end(), c.args.begin(), c.args.end());
    sim.insert(sim.end(), c.args.begin(), c.args.end());
    for (const auto& [args, cmd] : {std::pair{cap, "capacity"}, std::pair{sim, "simulate"}}) {
      const auto r = test::run_osatsim(args);
      const std::string label = std::string(cmd) + " " + c.args.back();
      EXPECT_EQ(r.exit_code, 2) << label << "\n" << r.out << r.err;
      EXPECT_EQ(r.err.rfind(std::string(cmd) + ": " + c.option + ": ", 0), 0u) << label << r.err;
      EXPECT_NE(r.err.find(c.says), std::string::npos) << label << ": " << r.err;
      EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << label << ": " << r.err;
      EXPECT_TRUE(r.out.empty()) << label << ": " << r.out;
    }
    EXPECT_FALSE(fs::exists(json_file)) << c.args.back();
    EXPECT_FALSE(fs::exists(out_dir)) << c.args.back();
  }
}

TEST(WhatIfCli, CapacityWithMoreBurnInOvensShowsMoreToolsAndLessUtilisation) {
  test::TempDir dir;
  const fs::path base_file = dir.path() / "base.json", more_file = dir.path() / "more.json";
  const auto base = test::run_osatsim({"capacity", "default", "--json", base_file.string()});
  ASSERT_EQ(base.exit_code, 0) << base.err;
  const auto more = test::run_osatsim(
      {"capacity", "default", "--tools", "burn_in_oven=+2", "--json", more_file.string()});
  ASSERT_EQ(more.exit_code, 0) << more.err;
  const json b = json::parse(test::read_file(base_file));
  const json m = json::parse(test::read_file(more_file));
  const json& gb = group(b, "burn_in_oven");
  const json& gm = group(m, "burn_in_oven");
  EXPECT_EQ(gm.at("tools").get<int>(), gb.at("tools").get<int>() + 2);
  EXPECT_LT(gm.at("utilisation").get<double>(), gb.at("utilisation").get<double>());
  // Same load: the required hours do not depend on the tool count.
  EXPECT_NEAR(gm.at("required_hours_per_day").get<double>(),
              gb.at("required_hours_per_day").get<double>(), 1e-9);
  // The factory keeps its name; the what-if is recorded and named in the table.
  EXPECT_EQ(m.at("factory"), b.at("factory"));
  EXPECT_FALSE(b.contains("what_if"));
  EXPECT_EQ(m.at("what_if"),
            json::parse(R"({"scale": 1.0, "product_scale": {}, "tools": {"burn_in_oven": "+2"}})"));
  EXPECT_EQ(base.out.find("what-if"), std::string::npos);
  EXPECT_NE(more.out.find("what-if: burn_in_oven tools +2"), std::string::npos) << more.out;

  // Setting the count works the same way, and the global scale is kept in options.scale.
  const fs::path set_file = dir.path() / "set.json";
  const auto set =
      test::run_osatsim({"capacity", "default", "--tools",
                         "burn_in_oven=" + std::to_string(gb.at("tools").get<int>() + 2), "--scale",
                         "1.1", "--json", set_file.string()});
  ASSERT_EQ(set.exit_code, 0) << set.err;
  const json s = json::parse(test::read_file(set_file));
  EXPECT_EQ(group(s, "burn_in_oven").at("tools"), gm.at("tools"));
  EXPECT_EQ(s.at("options").at("scale").get<double>(), 1.1);
  EXPECT_EQ(s.at("what_if").at("scale").get<double>(), 1.1);
}

TEST(WhatIfCli, CapacityProductScaleRaisesTheNominalLoad) {
  test::TempDir dir;
  const fs::path base_file = dir.path() / "base.json", p1_file = dir.path() / "p1.json";
  ASSERT_EQ(test::run_osatsim({"capacity", "default", "--json", base_file.string()}).exit_code, 0);
  const auto r =
      test::run_osatsim({"capacity", "default", "--scale", "P1=2", "--json", p1_file.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json b = json::parse(test::read_file(base_file));
  const json p = json::parse(test::read_file(p1_file));
  EXPECT_GT(p.at("nominal_lots_per_day").get<double>(), b.at("nominal_lots_per_day").get<double>());
  EXPECT_EQ(p.at("what_if").at("product_scale").at("P1").get<double>(), 2.0);
  EXPECT_EQ(p.at("options").at("scale").get<double>(), 1.0);
}

TEST(WhatIfCli, SimulateProductScaleReleasesTwiceTheLotsAndIsRecorded) {
  test::TempDir dir;
  const fs::path base_dir = dir.path() / "base", p1_dir = dir.path() / "p1";
  const auto base = test::run_osatsim(
      {"simulate", "default", "--days", "20", "--seed", "4", "--out", base_dir.string()});
  ASSERT_EQ(base.exit_code, 0) << base.err;
  const auto run = test::run_osatsim({"simulate", "default", "--days", "20", "--seed", "4",
                                      "--scale", "P1=2", "--out", p1_dir.string()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("what-if: P1 x2"), std::string::npos) << run.out;
  const json b = json::parse(test::read_file(base_dir / "summary.json"));
  const json s = json::parse(test::read_file(p1_dir / "summary.json"));
  EXPECT_FALSE(b.contains("what_if"));
  EXPECT_EQ(s.at("what_if"),
            json::parse(R"({"scale": 1.0, "product_scale": {"P1": 2.0}, "tools": {}})"));
  EXPECT_EQ(s.at("run").at("model"), b.at("run").at("model"));
  const double p1_base = lot_type(b, "P1").at("released").get<double>();
  const double p1_twice = lot_type(s, "P1").at("released").get<double>();
  ASSERT_GT(p1_base, 20);
  EXPECT_NEAR(p1_twice / p1_base, 2.0, 0.1) << p1_base << " -> " << p1_twice;
  EXPECT_NEAR(lot_type(s, "P1").at("release_rate_per_day").get<double>(),
              2.0 * lot_type(b, "P1").at("release_rate_per_day").get<double>(), 1e-6);
  // The other products are released as before.
  for (const char* other : {"P2", "P3", "P4"})
    EXPECT_EQ(lot_type(s, other).at("released"), lot_type(b, other).at("released")) << other;
}

TEST(WhatIfCli, SimulateGlobalScaleAndToolsAreRecorded) {
  test::TempDir dir;
  const auto run = test::run_osatsim({"simulate", "default", "--days", "5", "--scale", "0.5",
                                      "--scale", "P2=3", "--tools", "burn_in_oven=+2", "--tools",
                                      "final_test=9", "--out", dir.path().string()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const json s = json::parse(test::read_file(dir.path() / "summary.json"));
  EXPECT_EQ(s.at("what_if"), json::parse(R"({"scale": 0.5, "product_scale": {"P2": 3.0},
      "tools": {"burn_in_oven": "+2", "final_test": "9"}})"));
  for (const auto& g : s.at("tool_groups")) {
    if (g.at("name") == "final_test") {
      EXPECT_EQ(g.at("tools").get<int>(), 9);
    }
  }
  EXPECT_NE(run.out.find("what-if: scale 0.5, P2 x3, burn_in_oven tools +2, final_test tools 9"),
            std::string::npos)
      << run.out;
}

}  // namespace
}  // namespace osatsim
