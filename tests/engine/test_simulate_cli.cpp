// `osatsim simulate`: summary.json, the table, exit codes (on the io mini-fab fixture).
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "support/test_support.h"

namespace osatsim::test {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

fs::path minifab() {
  return fs::path(OSATSIM_MINIFAB_DIR);  // laid out by CMake from tests/fixtures/minifab/*.in
}

TEST(SimulateCli, WritesSummaryJson) {
  TempDir dir;
  const auto out = dir.path() / "run";
  const RunResult r = run_osatsim({"simulate", minifab().string(), "--days", "60", "--warmup-days",
                                   "20", "--seed", "3", "--out", out.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("lot type"), std::string::npos);
  const json j = json::parse(read_file(out / "summary.json"));
  EXPECT_EQ(j["run"]["seed"], 3);
  EXPECT_EQ(j["run"]["days"], 60.0);
  EXPECT_EQ(j["run"]["warmup_days"], 20.0);
  EXPECT_EQ(j["run"]["dispatch"], "model");
  // The SMT2020 reader's readings (docs/validation.md "Tool groups against the published figures").
  EXPECT_EQ(j["run"]["pm_nesting"], "independent");
  EXPECT_EQ(j["run"]["lssu_switch"], "refuse");
  EXPECT_EQ(j["run"]["setup_state"], "reset");
  EXPECT_EQ(j["run"]["wake"], "none");
  EXPECT_EQ(j["run"]["cascade_setup"], "overlap");
  EXPECT_EQ(j["run"]["idle_tool"], "random");
  EXPECT_EQ(j["run"]["wafer_pm_start"], "staggered");
  for (const auto& g : j["tool_groups"]) {
    EXPECT_TRUE(g.contains("pms")) << g["name"];
    EXPECT_TRUE(g.contains("pms_absorbed")) << g["name"];
  }
  for (const auto& t : j["lot_types"]) {
    EXPECT_TRUE(t.contains("initial_wip_implied_ct_days")) << t["name"];
    EXPECT_TRUE(t.contains("initial_wip_implied_lots")) << t["name"];
  }
  EXPECT_GT(j["run"]["events"].get<long long>(), 0);
  EXPECT_GT(j["run"]["lot_steps"].get<long long>(), 0);
  EXPECT_TRUE(j["run"].contains("peak_rss_mb"));
  EXPECT_TRUE(j["run"].contains("osatsim_version"));
  ASSERT_FALSE(j["lot_types"].empty());
  for (const auto& t : j["lot_types"]) {
    for (const char* k :
         {"released", "completed", "throughput_per_day", "wafers_out", "cycle_time_days",
          "ct_factor", "on_time_pct", "mean_tardiness_days", "cqt_violations"})
      EXPECT_TRUE(t.contains(k)) << k;
    for (const char* k : {"mean", "p50", "p90", "p95", "std"})
      EXPECT_TRUE(t["cycle_time_days"].contains(k)) << k;
  }
  for (const auto& g : j["tool_groups"]) {
    const double sum = g["busy"].get<double>() + g["setup"].get<double>() +
                       g["down"].get<double>() + g["pm"].get<double>() + g["idle"].get<double>();
    EXPECT_NEAR(sum, 1.0, 1e-9) << g["name"];
  }
  EXPECT_EQ(j["wip"]["lots_per_day"].size(), 60u);
  EXPECT_TRUE(j["cqt"].contains("violations"));
  // Same inputs and seed: identical KPIs (wall time and memory aside).
  const auto out2 = dir.path() / "run2";
  ASSERT_EQ(run_osatsim({"simulate", minifab().string(), "--days", "60", "--warmup-days", "20",
                         "--seed", "3", "--out", out2.string()})
                .exit_code,
            0);
  json a = j, b = json::parse(read_file(out2 / "summary.json"));
  for (json* x : {&a, &b}) {
    (*x)["run"].erase("wall_seconds");
    (*x)["run"].erase("peak_rss_mb");
  }
  EXPECT_EQ(a.dump(), b.dump());
}

TEST(SimulateCli, BadInputExitsTwoAndWritesNothing) {
  TempDir dir;
  const auto out = dir.path() / "run";
  RunResult r = run_osatsim(
      {"simulate", (dir.path() / "missing").string(), "--days", "5", "--out", out.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_FALSE(r.err.empty());
  EXPECT_FALSE(fs::exists(out / "summary.json"));
  r = run_osatsim(
      {"simulate", minifab().string(), "--days", "5", "--dispatch", "lifo", "--out", out.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("lifo"), std::string::npos);
  r = run_osatsim({"simulate", minifab().string(), "--days", "5", "--warmup-days", "9"});
  EXPECT_EQ(r.exit_code, 2);
  r = run_osatsim({"simulate", minifab().string(), "--days", "0"});
  EXPECT_EQ(r.exit_code, 2);
  r = run_osatsim({"simulate", minifab().string(), "--days", "5", "--pm-nesting", "sometimes",
                   "--out", out.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--pm-nesting: unknown value 'sometimes'"), std::string::npos) << r.err;
  r = run_osatsim({"simulate", minifab().string(), "--days", "5", "--idle-tool", "randm", "--out",
                   out.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--idle-tool"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("random"), std::string::npos) << r.err;  // what is allowed
  // --stagger-wafer-pm is short for --wafer-pm-start staggered: not both.
  r = run_osatsim({"simulate", minifab().string(), "--days", "5", "--stagger-wafer-pm",
                   "--wafer-pm-start", "same", "--out", out.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--wafer-pm-start"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(out / "summary.json"));
}

// The idle-tool and first wafer-count PM readings on the command line override the model's, and
// the run records the ones it used.
TEST(SimulateCli, IdleToolAndWaferPmStartOverrideTheModel) {
  TempDir dir;
  const auto run = [&](const char* sub, std::vector<std::string> extra) {
    std::vector<std::string> args{"simulate", minifab().string(), "--days", "20", "--out",
                                  (dir.path() / sub).string()};
    args.insert(args.end(), extra.begin(), extra.end());
    const RunResult r = run_osatsim(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json::parse(read_file(dir.path() / sub / "summary.json"))["run"];
  };
  json j = run("a", {"--idle-tool", "first", "--wafer-pm-start", "same"});
  EXPECT_EQ(j["idle_tool"], "first");
  EXPECT_EQ(j["wafer_pm_start"], "same");
  j = run("b", {"--idle-tool", "empty-first", "--stagger-wafer-pm"});
  EXPECT_EQ(j["idle_tool"], "empty-first");
  EXPECT_EQ(j["wafer_pm_start"], "staggered");
  j = run("c", {"--idle-tool", "model", "--wafer-pm-start", "model"});
  EXPECT_EQ(j["idle_tool"], "random");
  EXPECT_EQ(j["wafer_pm_start"], "staggered");
}

// --replications: the first replication in full (as a lone run with that seed) plus the
// estimates over all of them; the number of threads does not change a figure.
TEST(SimulateCli, ReplicationsAddConfidenceIntervals) {
  TempDir dir;
  auto run = [&](const char* sub, std::vector<std::string> extra) {
    std::vector<std::string> args{"simulate", minifab().string(), "--days",   "40",
                                  "--warmup-days", "10",   "--seed", "5",
                                  "--out", (dir.path() / sub).string()};
    args.insert(args.end(), extra.begin(), extra.end());
    const RunResult r = run_osatsim(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    json j = json::parse(read_file(dir.path() / sub / "summary.json"));
    j["run"].erase("wall_seconds");
    j["run"].erase("peak_rss_mb");
    if (j.contains("replications")) j["replications"].erase("wall_seconds");
    return j;
  };
  const json lone = run("lone", {});
  const json three = run("three", {"--replications", "3", "--jobs", "1"});
  const json parallel = run("parallel", {"--replications", "3", "--jobs", "3"});
  EXPECT_FALSE(lone.contains("replications"));
  ASSERT_TRUE(three.contains("replications"));
  EXPECT_EQ(three["replications"]["n"], 3);
  EXPECT_EQ(three["replications"]["seeds"], json({5, 6, 7}));
  json first = three;
  first.erase("replications");
  EXPECT_EQ(first.dump(), lone.dump());
  EXPECT_EQ(three.dump(), parallel.dump());
  for (const auto& t : three["replications"]["lot_types"]) {
    EXPECT_EQ(t["ct_mean_days"]["n"], 3) << t["name"];
    EXPECT_GE(t["ct_mean_days"]["ci95"].get<double>(), 0.0) << t["name"];
    EXPECT_LE(t["ct_mean_days"]["min"].get<double>(), t["ct_mean_days"]["max"].get<double>());
  }
  const RunResult bad = run_osatsim({"simulate", minifab().string(), "--days", "5",
                                     "--replications", "0"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("--replications"), std::string::npos) << bad.err;
  for (const char* n : {"10001", "2147483647"})
    EXPECT_EQ(run_osatsim({"simulate", minifab().string(), "--days", "5", "--replications", n})
                  .exit_code,
              2)
        << n;
  EXPECT_EQ(
      run_osatsim({"simulate", minifab().string(), "--days", "5", "--jobs", "-1"}).exit_code, 2);
}

TEST(SimulateCli, GuardStopsWithExitOne) {
  TempDir dir;
  const RunResult r = run_osatsim({"simulate", minifab().string(), "--days", "60", "--max-wip", "2",
                                   "--out", (dir.path() / "x").string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("max-wip"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir.path() / "x" / "summary.json"));
}

// --trace: the catalogue of its errors (exit 2, nothing written), and a trace that holds the
// traced groups' tools only, within the window.
TEST(SimulateCli, TraceErrorsAndWindow) {
  TempDir dir;
  const auto out = (dir.path() / "t").string();
  const std::vector<std::vector<std::string>> bad = {
      {"--trace", "no_such_group", "--out", out},
      {"--trace", "grinder", "--trace-window", "5", "--out", out},
      {"--trace", "grinder", "--trace-window", "6:5", "--out", out},
      {"--trace", "grinder", "--trace-window", "1:99", "--out", out},
      {"--trace", "grinder"},
      {"--trace", "grinder", "--replications", "2", "--out", out},
      {"--trace-window", "1:2", "--out", out}};
  for (const auto& extra : bad) {
    std::vector<std::string> args = {"simulate", "default", "--days", "20"};
    args.insert(args.end(), extra.begin(), extra.end());
    const RunResult r = run_osatsim(args);
    EXPECT_EQ(r.exit_code, 2) << extra[1] << ": " << r.err;
    EXPECT_NE(r.err.find("--trace"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(dir.path() / "t" / "trace.json"));
  }
  const RunResult r = run_osatsim({"simulate", "default", "--days", "20", "--trace", "grinder",
                                   "--trace-window", "5:7", "--out", out});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto t = nlohmann::json::parse(read_file(dir.path() / "t" / "trace.json"));
  EXPECT_EQ(t.at("trace").at("groups"), nlohmann::json::array({"grinder"}));
  ASSERT_FALSE(t.at("jobs").empty());
  for (const auto& j : t.at("jobs")) {
    EXPECT_EQ(j.at("tool").get<std::string>().rfind("grinder #", 0), 0u) << j.dump();
    EXPECT_GE(j.at("start_day").get<double>(), 5.0);
    EXPECT_LE(j.at("end_day").get<double>(), 7.0);
  }
}

// --progress and --quiet: on every subcommand; never draws nothing, always draws the days done,
// their rate and the time left on standard error; --quiet leaves standard output empty while
// the files are still written; a value outside auto|always|never is refused.
TEST(SimulateCli, ProgressAndQuiet) {
  for (const char* cmd : {"simulate", "capacity", "plan", "validate", "report", "package", "scenario"}) {
    const RunResult r = run_osatsim({cmd, "--progress", "never", "--quiet", "--help"});
    EXPECT_EQ(r.exit_code, 0) << cmd << ": " << r.err;
  }
  TempDir dir;
  const auto out = (dir.path() / "q").string();
  const RunResult bad = run_osatsim({"simulate", "default", "--days", "5", "--progress", "sometimes", "--out", out});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("--progress"), std::string::npos) << bad.err;
  const RunResult quiet = run_osatsim({"simulate", "default", "--days", "20", "--quiet", "--progress", "always", "--out", out});
  ASSERT_EQ(quiet.exit_code, 0) << quiet.err;
  EXPECT_EQ(quiet.out, "");
  EXPECT_EQ(quiet.err.find('\r'), std::string::npos);
  EXPECT_TRUE(fs::exists(dir.path() / "q" / "summary.json"));
  const RunResult never = run_osatsim({"simulate", "default", "--days", "20", "--progress", "never", "--out", out});
  ASSERT_EQ(never.exit_code, 0) << never.err;
  EXPECT_NE(never.out.find("wrote"), std::string::npos);
  EXPECT_EQ(never.err.find('\r'), std::string::npos);
  // A run long enough to be drawn (a progress line is redrawn at most every 0.2 s).
  const RunResult always = run_osatsim({"simulate", "default", "--days", "1000", "--replications", "8",
                                        "--jobs", "1", "--progress", "always", "--out", out});
  ASSERT_EQ(always.exit_code, 0) << always.err;
  EXPECT_NE(always.err.find("simulate: "), std::string::npos);
  EXPECT_NE(always.err.find("/8000 days"), std::string::npos) << always.err.substr(0, 300);
  EXPECT_NE(always.err.find("days/s"), std::string::npos);
}

// --initial-wip none: the model's initial WIP left out (an empty fab at time 0); a word outside
// model|none refused.
TEST(SimulateCli, InitialWipNoneStartsEmpty) {
  TempDir dir;
  const auto a = (dir.path() / "a").string(), b = (dir.path() / "b").string();
  ASSERT_EQ(run_osatsim({"simulate", minifab().string(), "--days", "10", "--out", a}).exit_code, 0);
  ASSERT_EQ(run_osatsim({"simulate", minifab().string(), "--days", "10", "--initial-wip", "none", "--out", b}).exit_code, 0);
  const auto ja = nlohmann::json::parse(read_file(dir.path() / "a" / "summary.json"));
  const auto jb = nlohmann::json::parse(read_file(dir.path() / "b" / "summary.json"));
  EXPECT_GT(ja.at("totals").at("initial_wip_lots").get<int>(), 0);
  EXPECT_EQ(jb.at("totals").at("initial_wip_lots").get<int>(), 0);
  EXPECT_EQ(jb.at("totals").at("lots_released"), ja.at("totals").at("lots_released"));
  const RunResult bad = run_osatsim({"simulate", "default", "--days", "10", "--initial-wip", "half"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("--initial-wip"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace osatsim::test
