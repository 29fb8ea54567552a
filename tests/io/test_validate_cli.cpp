// `osatsim validate`: the text summary and --json, on the mini-fab and on the full SMT2020 models
// (key figures of FORMAT.md §14).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "io_test_util.h"

namespace osatsim::test {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

void expect_line(const std::string& out, const std::string& line) {
  EXPECT_NE(out.find("\n" + line + "\n"), std::string::npos) << "missing line: " << line << "\n"
                                                             << out;
}

TEST(ValidateCli, MinifabText) {
  const RunResult r = run_osatsim({"validate", minifab_dir().string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(r.out.rfind("model: minifab (", 0), 0u);
  expect_line(r.out, "tool groups: 7 in 7 areas (1 delay groups)");
  expect_line(r.out, "tools: 61 (without delay groups: 11)");
  expect_line(r.out, "batch groups: 1 (2 tools)");
  expect_line(r.out, "cascading groups: 2 (3 tools)");
  // route A: 12 steps, 10 + 0.25 + 0.5 performed; 11 transitions, 2 of them into/out of Delay.
  // RPT (25-wafer lots, load + unload per job): see docs/cli.md.
  EXPECT_NE(r.out.find("  route r_A (route_A.txt, part_A): 12 steps, expected performed 10.8, "
                       "per lot/wafer/batch 7/3/2, setup 4, sampled 2, CQT 1, dedication 1, "
                       "rework 1, moves 9, "),
            std::string::npos)
      << r.out;
  // 12 + 0.5 + 16 + 1/7 lots per day.
  expect_line(r.out,
              "release streams: 4, 28.643 lots/day, 200.5 lots/week, 716.1 wafers/day, "
              "5012.5 wafers/week");
  expect_line(r.out, "initial WIP: 5 lots (120 wafers)");
  expect_line(r.out, "  by product: part_A 2, part_B 3");
  expect_line(r.out, "  by priority: 10: 3, 20: 1, 30: 1");
  expect_line(r.out, "setups: 5 states, 4 changes, 1 setup groups");
  expect_line(r.out, "  setup group Gas: 2 setups, min run 7, tool groups Imp_1");
  expect_line(r.out, "down calendars: 3 calendars, 3 attach rows, 3 tool groups, 7 tools");
  expect_line(r.out, "calendar PM: 2 calendars, 2 attach rows, 2 tool groups, 5 tools");
  expect_line(r.out, "wafer-count PM: 1 calendars, 1 attach rows, 1 tool groups, 2 tools");
  expect_line(r.out, "  Fab -> Fab: uniform(7.5, 2.5) min");
}

TEST(ValidateCli, MinifabJson) {
  TempDir tmp;
  const fs::path out = tmp.path() / "summary.json";
  const RunResult r = run_osatsim({"validate", minifab_dir().string(), "--json", out.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = json::parse(read_file(out));
  EXPECT_EQ(j["name"], "minifab");
  EXPECT_EQ(j["tool_groups"]["count"], 7);
  EXPECT_EQ(j["tool_groups"]["tools"], 61);
  EXPECT_EQ(j["tool_groups"]["tools_without_delay"], 11);
  EXPECT_EQ(j["tool_groups"]["by_area"]["Litho"]["tools"], 3);
  EXPECT_EQ(j["batching"]["tools"], 2);
  EXPECT_EQ(j["cascading"]["groups"], 2);
  ASSERT_EQ(j["routes"].size(), 2u);
  const auto& ra = j["routes"][0];
  EXPECT_EQ(ra["steps"], 12);
  EXPECT_DOUBLE_EQ(ra["expected_steps"].get<double>(), 10.75);
  EXPECT_EQ(ra["per_wafer"], 3);
  EXPECT_EQ(ra["moves"], 9);
  // RPT of route B (25 wafers; load + unload 2 min except Litho 1 min and Delay 0):
  // 300+2, 0.8+24*0.6+2, 30+2, 25*1.2+1, 10+2, 180 -> 574.2 min.
  EXPECT_NEAR(j["routes"][1]["rpt_days"].get<double>(), 574.2 / 1440, 1e-9);
  EXPECT_NEAR(j["release_streams"]["lots_per_day"].get<double>(), 28.5 + 1.0 / 7, 1e-9);
  EXPECT_EQ(j["release_streams"]["streams"][2]["lots_per_release"], 2);
  EXPECT_DOUBLE_EQ(j["release_streams"]["streams"][2]["first_release_days"].get<double>(), 1.0);
  EXPECT_EQ(j["initial_wip"]["lots"], 5);
  EXPECT_EQ(j["initial_wip"]["without_stream"], 1);
  EXPECT_EQ(j["initial_wip"]["by_priority"]["20"], 1);
  EXPECT_EQ(j["setups"]["groups"][0]["min_run"], 7);
  EXPECT_EQ(j["calendars"]["wafer_pm"]["attach_rows"], 1);
  EXPECT_EQ(j["transport"]["lanes"][0]["mean_min"], 7.5);
  // Only the JSON file is left behind (no temporary file).
  int files = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(tmp.path())) ++files;
  EXPECT_EQ(files, 1);
}

TEST(ValidateCli, NothingWrittenOnBadInput) {
  TempDir tmp;
  copy_minifab(tmp.path());
  set_cell(tmp.path(), "route_A.txt", 2, "PTIME", "x");
  const fs::path out = tmp.path() / "summary.json";
  const RunResult r = run_osatsim({"validate", tmp.path().string(), "--json", out.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_FALSE(fs::exists(out));
  int tmp_files = 0;
  for (const auto& e : fs::directory_iterator(tmp.path()))
    tmp_files += e.path().filename().string().find(".tmp") != std::string::npos;
  EXPECT_EQ(tmp_files, 0);
}

TEST(ValidateCli, JsonInAMissingFolderIsRefusedBeforeReading) {
  TempDir tmp;
  const fs::path out = tmp.path() / "no" / "such" / "dir" / "summary.json";
  const RunResult r = run_osatsim({"validate", minifab_dir().string(), "--json", out.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "validate: --json: no directory '" + out.parent_path().string() +
                       "' to write '" + out.string() + "' in\n");
  EXPECT_TRUE(r.out.empty());
  EXPECT_TRUE(fs::is_empty(tmp.path()));
}

TEST(ValidateCli, Hvlm) {
  OSATSIM_REQUIRE_SMT2020(data);
  TempDir tmp;
  const fs::path out = tmp.path() / "hvlm.json";
  const RunResult r = run_osatsim({"validate", (data / "HVLM").string(), "--json", out.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_line(r.out, "tool groups: 106 in 12 areas (1 delay groups)");
  expect_line(r.out, "tools: 1443 (without delay groups: 1043)");
  expect_line(r.out, "batch groups: 10 (75 tools)");
  expect_line(r.out, "cascading groups: 45 (301 tools)");
  expect_line(r.out, "products: 2");
  expect_line(r.out,
              "  route r_3 (route_3.txt, part_3): 583 steps, expected performed 522.1, per "
              "lot/wafer/batch 310/256/17, setup 58, sampled 95, CQT 41, dedication 11, rework 7, "
              "moves 535, RPT 25.52 d (sampled 24.68 d)");
  expect_line(r.out,
              "  route r_4 (route_4.txt, part_4): 343 steps, expected performed 308.4, per "
              "lot/wafer/batch 180/152/11, setup 35, sampled 54, CQT 25, dedication 7, rework 7, "
              "moves 322, RPT 15.00 d (sampled 14.48 d)");
  EXPECT_NE(r.out.find("\nrelease streams: 5, 57.198 lots/day, 400.4 lots/week"),
            std::string::npos);
  expect_line(r.out,
              "  stream Lot_3: part_3, priority 10, every 51.69 min, 1 lot(s) of 25 wafers, "
              "27.8584 lots/day, due offset 53.84 d, RPT 25.52 d (sampled 24.68 d)");
  expect_line(r.out, "initial WIP: 2255 lots (56375 wafers)");
  expect_line(r.out, "  by product: part_3 1432, part_4 823");
  expect_line(r.out, "  by priority: 10: 2215, 20: 37, 30: 3");
  EXPECT_NE(r.out.find("\ndown calendars: 11 calendars, 11 attach rows,"), std::string::npos);
  EXPECT_NE(r.out.find("\ncalendar PM: 79 calendars, 79 attach rows,"), std::string::npos);
  EXPECT_NE(r.out.find("\nwafer-count PM: 213 calendars, 213 attach rows,"), std::string::npos);
  const json j = json::parse(read_file(out));
  EXPECT_EQ(j["tool_groups"]["areas"], 12);
  EXPECT_EQ(j["tool_groups"]["by_area"]["Dry_Etch"]["tools"], 362);
  EXPECT_NEAR(j["release_streams"]["lots_per_day"].get<double>(), 57.198, 0.0005);
}

TEST(ValidateCli, Lvhm) {
  OSATSIM_REQUIRE_SMT2020(data);
  const RunResult r = run_osatsim({"validate", (data / "LVHM").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_line(r.out, "tool groups: 106 in 12 areas (1 delay groups)");
  expect_line(r.out, "tools: 1313 (without delay groups: 913)");
  expect_line(r.out, "batch groups: 10 (73 tools)");
  expect_line(r.out, "cascading groups: 45 (269 tools)");
  expect_line(r.out, "products: 10");
  const char* routes[] = {
      "  route r_1 (route_1.txt, part_1): 521 steps, expected performed 463.3, per "
      "lot/wafer/batch 273/233/15, setup 48, sampled 90, CQT 29, dedication 11, rework 6, moves "
      "477, RPT 22.44 d (sampled 21.64 d)",
      "  route r_5 (route_5.txt, part_5): 242 steps, expected performed 216.0, per "
      "lot/wafer/batch 120/113/9, setup 27, sampled 42, CQT 11, dedication 4, rework 7, moves "
      "227, RPT 10.43 d (sampled 10.06 d)",
      "  route r_10 (route_10.txt, part_10): 390 steps, expected performed 353.5, per "
      "lot/wafer/batch 204/171/15, setup 39, sampled 57, CQT 26, dedication 9, rework 5, moves "
      "363, RPT 17.84 d (sampled 17.31 d)"};
  for (const char* l : routes) expect_line(r.out, l);
  EXPECT_NE(r.out.find("\nrelease streams: 21, 57.194 lots/day, 400.4 lots/week"),
            std::string::npos);
  expect_line(r.out, "initial WIP: 2156 lots (53900 wafers)");
  expect_line(r.out, "  by priority: 10: 2116, 20: 38, 30: 2");
  EXPECT_NE(r.out.find("\ndown calendars: 11 calendars, 11 attach rows,"), std::string::npos);
  EXPECT_NE(r.out.find("\ncalendar PM: 79 calendars, 79 attach rows,"), std::string::npos);
  EXPECT_NE(r.out.find("\nwafer-count PM: 213 calendars, 213 attach rows,"), std::string::npos);
}

}  // namespace
}  // namespace osatsim::test
