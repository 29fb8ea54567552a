// The raw process time of every lot type is the same number in `validate`, `capacity` and
// `simulate` (all three read model::stream_flow): the built-in default scenario and
// examples/mini_cowos.yaml.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "support/test_support.h"

namespace osatsim {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

using Rpt = std::pair<double, double>;  // raw process days, sampled raw process days

json read_json(const fs::path& p) { return json::parse(test::read_file(p)); }

bool same(double a, double b) {
  return std::abs(a - b) <= 1e-9 * std::max({std::abs(a), std::abs(b), 1e-300});
}

void check_scenario(const std::string& scenario) {
  SCOPED_TRACE(scenario);
  test::TempDir tmp;
  const fs::path vj = tmp.path() / "validate.json", cj = tmp.path() / "capacity.json",
                 sd = tmp.path() / "sim";
  const auto v = test::run_osatsim({"validate", scenario, "--json", vj.string()});
  ASSERT_EQ(v.exit_code, 0) << v.err;
  const auto c = test::run_osatsim({"capacity", scenario, "--json", cj.string()});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  const auto s = test::run_osatsim({"simulate", scenario, "--days", "5", "--out", sd.string()});
  ASSERT_EQ(s.exit_code, 0) << s.err;

  // Named: a range-for over a member of a temporary would dangle.
  const json vjs = read_json(vj), cjs = read_json(cj), sjs = read_json(sd / "summary.json");
  std::map<std::string, Rpt> val, cap, sim;
  for (const auto& t : vjs.at("release_streams").at("streams"))
    val[t.at("name").get<std::string>()] = {t.at("rpt_days").get<double>(),
                                            t.at("rpt_sampled_days").get<double>()};
  for (const auto& t : cjs.at("nominal").at("streams"))
    cap[t.at("name").get<std::string>()] = {t.at("raw_process_days").get<double>(),
                                            t.at("raw_process_sampled_days").get<double>()};
  for (const auto& t : sjs.at("lot_types"))
    sim[t.at("name").get<std::string>()] = {t.at("rpt_days").get<double>(),
                                            t.at("rpt_sampled_days").get<double>()};

  ASSERT_FALSE(val.empty());
  EXPECT_EQ(cap.size(), val.size());
  EXPECT_EQ(sim.size(), val.size());
  for (const auto& [name, rpt] : val) {
    SCOPED_TRACE(name);
    EXPECT_GT(rpt.first, 0.0);
    EXPECT_GE(rpt.first, rpt.second);  // sampling only removes time
    ASSERT_TRUE(cap.count(name)) << "capacity has no stream " << name;
    ASSERT_TRUE(sim.count(name)) << "simulate has no lot type " << name;
    EXPECT_PRED2(same, rpt.first, cap[name].first);
    EXPECT_PRED2(same, rpt.second, cap[name].second);
    EXPECT_PRED2(same, rpt.first, sim[name].first);
    EXPECT_PRED2(same, rpt.second, sim[name].second);
  }
}

TEST(RawProcessTime, SameInValidateCapacityAndSimulateDefault) { check_scenario("default"); }

TEST(RawProcessTime, SameInValidateCapacityAndSimulateMiniCowos) {
  check_scenario((test::source_dir() / "examples" / "mini_cowos.yaml").string());
}

}  // namespace
}  // namespace osatsim
