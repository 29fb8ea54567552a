// The results store from the command line (docs/results.md "Results store", docs/cli.md):
// simulate/capacity store their runs, a killed run leaves the store as it was, runs
// show/compare/export/delete, report --db.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "store/sqlite.h"
#include "store/store.h"
#include "support/test_support.h"

extern char** environ;

namespace osatsim {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

json read_json(const fs::path& p) { return json::parse(test::read_file(p)); }

std::vector<std::string> sim(const std::string& scenario, const std::string& seed,
                             const fs::path& out, const fs::path& db) {
  return {"simulate", scenario, "--days", "40", "--warmup-days", "10", "--seed", seed,
          "--out", out.string(), "--db", db.string()};
}

// The figure `metric` of the compare table's row, for run column `col` (0-based).
double compare_cell(const std::string& text, const std::string& metric, int col) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(metric + " ", 0) != 0) continue;
    std::istringstream cells(line.substr(metric.size()));
    std::string c;
    for (int i = 0; i <= col; ++i) cells >> c;
    return std::stod(c);
  }
  ADD_FAILURE() << "no row '" << metric << "' in\n" << text;
  return 0;
}

std::vector<std::vector<std::string>> read_csv(const fs::path& p) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(test::read_file(p));
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::istringstream ls(line);
    std::string c;
    while (std::getline(ls, c, ',')) cells.push_back(c);
    rows.push_back(cells);
  }
  return rows;
}

TEST(StoreCli, RunsStoredWithTheirSummaryFigures) {
  test::TempDir dir;
  const fs::path db = dir.path() / "r.sqlite";
  for (const char* seed : {"1", "2"}) {
    const auto r = test::run_osatsim(sim("default", seed, dir.path() / seed, db));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("stored run " + std::string(seed) + " in "), std::string::npos) << r.out;
  }
  store::Store s(db.string(), false);
  ASSERT_EQ(s.list().size(), 2u);
  for (int id : {1, 2}) {
    const json summary = read_json(dir.path() / std::to_string(id) / "summary.json");
    EXPECT_EQ(s.document(id), summary);
    const auto info = s.info(id);
    ASSERT_TRUE(info);
    EXPECT_EQ(info->command, "simulate");
    EXPECT_EQ(info->seed, static_cast<std::uint64_t>(id));
    EXPECT_EQ(info->status, "ok");
    const store::Rows lt = s.rows("lot_type_kpis", id);
    ASSERT_EQ(lt.rows.size(), summary["lot_types"].size());
    for (std::size_t i = 0; i < lt.rows.size(); ++i) {
      EXPECT_EQ(lt.rows[i][1], summary["lot_types"][i]["name"]);
      EXPECT_EQ(lt.rows[i][6].get<double>(), summary["lot_types"][i]["throughput_per_day"].get<double>());
      EXPECT_EQ(lt.rows[i][9].get<double>(), summary["lot_types"][i]["cycle_time_days"]["mean"].get<double>());
    }
    std::size_t wip_days = 0;
    for (const auto& row : s.rows("series", id).rows) wip_days += row[0] == "wip_lots" ? 1 : 0;
    EXPECT_EQ(wip_days, summary["wip"]["lots_per_day"].size());
  }
  // --no-db leaves the store alone.
  const auto r = test::run_osatsim({"simulate", "default", "--days", "5", "--db", db.string(), "--no-db"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(s.list().size(), 2u);
}

TEST(StoreCli, KilledRunLeavesTheStoreAsItWas) {
  test::TempDir dir;
  const fs::path db = dir.path() / "r.sqlite";
  ASSERT_EQ(test::run_osatsim({"simulate", "default", "--days", "20", "--db", db.string()}).exit_code, 0);
  // A long run: the SMT2020 HVLM model over two years when the data is there, else a long run
  // of the built-in scenario. Either way it is far from done after half a second.
  std::vector<std::string> args{OSATSIM_BINARY, "simulate"};
  const fs::path smt = test::smt2020_dir();
  if (!smt.empty()) {
    args.insert(args.end(), {(smt / "HVLM").string(), "--days", "730", "--warmup-days", "365"});
  } else {
    args.insert(args.end(), {"default", "--days", "50000"});
  }
  args.insert(args.end(), {"--db", db.string()});
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  ASSERT_EQ(posix_spawn(&pid, OSATSIM_BINARY, &fa, nullptr, argv.data(), environ), 0);
  posix_spawn_file_actions_destroy(&fa);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  ASSERT_EQ(kill(pid, SIGKILL), 0);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the run ended before it was killed";
  store::Db d(db.string(), false);
  store::Stmt check(d, "PRAGMA integrity_check");
  ASSERT_TRUE(check.step());
  EXPECT_EQ(check.text(0), "ok");
  store::Stmt n(d, "SELECT count(*), min(id) FROM runs");
  ASSERT_TRUE(n.step());
  EXPECT_EQ(n.int64(0), 1);
  EXPECT_EQ(n.int64(1), 1);
}

TEST(StoreCli, ExportRoundTrip) {
  test::TempDir dir;
  const fs::path db = dir.path() / "r.sqlite";
  ASSERT_EQ(test::run_osatsim(sim("default", "3", dir.path() / "o", db)).exit_code, 0);
  const json summary = read_json(dir.path() / "o" / "summary.json");
  auto r = test::run_osatsim({"runs", "export", "1", "--json", (dir.path() / "e.json").string(),
                              "--db", db.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // The stored document is the one simulate wrote (summary.json keeps its long series on one
  // line each; the export is indented throughout).
  EXPECT_EQ(read_json(dir.path() / "e.json"), summary);
  r = test::run_osatsim({"runs", "export", "1", "--csv", (dir.path() / "csv").string(), "--db", db.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto lt = read_csv(dir.path() / "csv" / "lot_types.csv");
  ASSERT_EQ(lt.size(), summary["lot_types"].size() + 1);
  for (const auto& row : lt) ASSERT_EQ(row.size(), 13u);
  EXPECT_EQ(lt[0][6], "throughput_per_day");
  EXPECT_EQ(lt[0][9], "ct_mean_days");
  for (std::size_t i = 1; i < lt.size(); ++i) {
    const json& t = summary["lot_types"][i - 1];
    EXPECT_EQ(lt[i][1], t["name"].get<std::string>());
    EXPECT_EQ(std::stod(lt[i][6]), t["throughput_per_day"].get<double>());
    EXPECT_EQ(std::stod(lt[i][9]), t["cycle_time_days"]["mean"].get<double>());
    EXPECT_EQ(std::stod(lt[i][12]), t["on_time_pct"].get<double>());
  }
  const auto tg = read_csv(dir.path() / "csv" / "tool_groups.csv");
  ASSERT_EQ(tg.size(), summary["tool_groups"].size() + 1);
  EXPECT_EQ(tg[0][4], "busy");
  for (std::size_t i = 1; i < tg.size(); ++i)
    EXPECT_EQ(std::stod(tg[i][4]), summary["tool_groups"][i - 1]["busy"].get<double>());
  const auto series = read_csv(dir.path() / "csv" / "series.csv");
  ASSERT_FALSE(series.empty());
  EXPECT_EQ(series[0], (std::vector<std::string>{"name", "day", "value"}));
  std::map<std::string, std::size_t> counts;
  for (std::size_t i = 1; i < series.size(); ++i) {
    ASSERT_EQ(series[i].size(), 3u);
    const std::size_t day = std::stoul(series[i][1]);
    EXPECT_EQ(day, counts[series[i][0]]++);
    const json& values = series[i][0] == "wip_lots" ? summary["wip"]["lots_per_day"]
                                                    : summary["flow_per_day"][series[i][0]];
    EXPECT_EQ(std::stod(series[i][2]), values[day].get<double>()) << series[i][0];
  }
  EXPECT_EQ(counts["wip_lots"], summary["wip"]["lots_per_day"].size());
  EXPECT_EQ(counts["starts"], summary["flow_per_day"]["starts"].size());
  EXPECT_EQ(counts["outs"], summary["flow_per_day"]["outs"].size());
}

TEST(StoreCli, BadStoresAndIdsRefused) {
  test::TempDir dir;
  const fs::path v99 = dir.path() / "v99.sqlite";
  {
    store::Db d(v99.string(), true);
    d.exec("PRAGMA user_version = 99");
  }
  const std::string msg = v99.string() + ": results store schema version 99 is newer than this osatsim understands (1)";
  auto r = test::run_osatsim({"simulate", "default", "--days", "5", "--db", v99.string(),
                              "--out", (dir.path() / "o").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(msg), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir.path() / "o"));
  r = test::run_osatsim({"runs", "list", "--db", v99.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(msg), std::string::npos) << r.err;
  r = test::run_osatsim({"runs", "list", "--db", (dir.path() / "missing.sqlite").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("missing.sqlite: no such results store"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir.path() / "missing.sqlite"));
  const fs::path db = dir.path() / "r.sqlite";
  ASSERT_EQ(test::run_osatsim({"simulate", "default", "--days", "5", "--db", db.string()}).exit_code, 0);
  for (const std::string action : {"show", "delete", "export"}) {
    std::vector<std::string> args{"runs", action, "7", "--db", db.string()};
    if (action == "export") args.insert(args.end(), {"--json", (dir.path() / "e.json").string()});
    r = test::run_osatsim(args);
    EXPECT_EQ(r.exit_code, 2) << action;
    EXPECT_NE(r.err.find("no run 7"), std::string::npos) << r.err;
  }
  EXPECT_FALSE(fs::exists(dir.path() / "e.json"));
  r = test::run_osatsim({"runs", "delete", "1", "--db", db.string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(test::run_osatsim({"runs", "show", "1", "--db", db.string()}).exit_code, 2);
}

TEST(StoreCli, CompareSeedsAndScenarios) {
  test::TempDir dir;
  const fs::path db = dir.path() / "r.sqlite";
  const std::string example = (test::source_dir() / "examples" / "mini_cowos.yaml").string();
  ASSERT_EQ(test::run_osatsim(sim("default", "1", dir.path() / "a", db)).exit_code, 0);
  ASSERT_EQ(test::run_osatsim(sim("default", "2", dir.path() / "b", db)).exit_code, 0);
  ASSERT_EQ(test::run_osatsim(sim(example, "1", dir.path() / "c", db)).exit_code, 0);
  const json a = read_json(dir.path() / "a" / "summary.json");
  const json b = read_json(dir.path() / "b" / "summary.json");
  const json c = read_json(dir.path() / "c" / "summary.json");
  auto r = test::run_osatsim({"runs", "compare", "1", "2", "--db", db.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string lt = a["lot_types"][0]["name"];
  const double ta = a["lot_types"][0]["throughput_per_day"], tb = b["lot_types"][0]["throughput_per_day"];
  EXPECT_NEAR(compare_cell(r.out, "lots/day " + lt, 0), ta, 5e-4);
  EXPECT_NEAR(compare_cell(r.out, "lots/day " + lt, 1), tb, 5e-4);
  EXPECT_NEAR(compare_cell(r.out, "lots/day " + lt, 2), tb - ta, 1e-3);
  EXPECT_NEAR(compare_cell(r.out, "CT mean days " + lt, 1),
              b["lot_types"][0]["cycle_time_days"]["mean"].get<double>(), 5e-4);
  EXPECT_NEAR(compare_cell(r.out, "WIP mean lots", 0), a["wip"]["mean_lots"].get<double>(), 5e-4);
  EXPECT_NEAR(compare_cell(r.out, "WIP mean lots", 1), b["wip"]["mean_lots"].get<double>(), 5e-4);
  r = test::run_osatsim({"runs", "compare", "1", "3", "--db", db.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("cowos.yaml"), std::string::npos) << r.out;
  EXPECT_NEAR(compare_cell(r.out, "WIP mean lots", 1), c["wip"]["mean_lots"].get<double>(), 5e-4);
  const std::string ltc = c["lot_types"][0]["name"];
  EXPECT_NEAR(compare_cell(r.out, "on-time % " + ltc, 1), c["lot_types"][0]["on_time_pct"].get<double>(), 5e-4);
}

TEST(StoreCli, CompareReplicationsSaysWhetherBeyondTheIntervals) {
  test::TempDir dir;
  const fs::path db = dir.path() / "r.sqlite";
  const auto reps = [&](const std::vector<std::string>& extra) {
    std::vector<std::string> args{"simulate", "default", "--days", "40", "--warmup-days", "10",
                                  "--replications", "3", "--db", db.string()};
    args.insert(args.end(), extra.begin(), extra.end());
    return test::run_osatsim(args).exit_code;
  };
  ASSERT_EQ(reps({}), 0);
  ASSERT_EQ(reps({"--seed", "10"}), 0);
  ASSERT_EQ(reps({"--scale", "1.3"}), 0);
  auto r = test::run_osatsim({"runs", "compare", "1", "2", "3", "--db", db.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("beyond CI"), std::string::npos) << r.out;
  const json doc = store::Store(db.string(), false).document(1);
  EXPECT_NEAR(compare_cell(r.out, "WIP mean lots", 0),
              doc["replications"]["wip_mean_lots"]["mean"].get<double>(), 5e-4);
  // 30 % more load raises the WIP far beyond the replications' spread.
  std::istringstream in(r.out);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("WIP mean lots", 0) == 0) {
      EXPECT_EQ(line.substr(line.size() - 3), "yes") << line;
    }
  }
}

TEST(StoreCli, ReportFromTheStore) {
  test::TempDir dir;
  const fs::path db = dir.path() / "r.sqlite";
  ASSERT_EQ(test::run_osatsim(sim("default", "1", dir.path() / "a", db)).exit_code, 0);
  ASSERT_EQ(test::run_osatsim(sim("default", "2", dir.path() / "b", db)).exit_code, 0);
  ASSERT_EQ(test::run_osatsim({"capacity", "default", "--db", db.string()}).exit_code, 0);
  const fs::path html = dir.path() / "report.html";
  auto r = test::run_osatsim({"report", "--db", db.string(), "--run", "1", "--run", "2", "--run",
                              "3", "-o", html.string()});
  if (r.exit_code != 0 && r.err.find("chart libraries") != std::string::npos)
    GTEST_SKIP() << "osatsim built without the chart libraries (run scripts/setup)";
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string page = test::read_file(html);
  for (const char* id : {"run1-wip", "run1-states", "run1-cycle-time", "run2-wip", "overlay-wip",
                         "overlay-cycle-time"})
    EXPECT_NE(page.find(std::string("id=\"") + id + "\""), std::string::npos) << id;
  EXPECT_NE(page.find("run 3: capacity default"), std::string::npos);
  // Without --run: the newest run only.
  r = test::run_osatsim({"report", "--db", db.string(), "-o", (dir.path() / "newest.html").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(test::read_file(dir.path() / "newest.html").find("run 3: capacity default"), std::string::npos);
  r = test::run_osatsim({"report", "--db", db.string(), "--run", "9", "-o", (dir.path() / "x.html").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_FALSE(fs::exists(dir.path() / "x.html"));
}


TEST(StoreCli, LockedStoreFailsClearlyAndKeepsTheResultFiles) {
  test::TempDir dir;
  const std::filesystem::path db = dir.path() / "r.sqlite";
  ASSERT_EQ(test::run_osatsim({"simulate", "default", "--days", "5", "--db", db.string()}).exit_code, 0);
  store::Db holder(db.string(), false);
  holder.exec("BEGIN IMMEDIATE");  // another writer holds the lock for the whole run
  const auto out = dir.path() / "o";
  const auto r = test::run_osatsim({"simulate", "default", "--days", "5", "--db", db.string(),
                                    "--out", out.string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("database is locked"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("the run is not stored"), std::string::npos) << r.err;
  EXPECT_TRUE(std::filesystem::exists(out / "summary.json"));
  holder.exec("ROLLBACK");
  EXPECT_EQ(store::Store(db.string(), false).list().size(), 1u);
  // A file that is not SQLite is refused before the run.
  const auto bad = dir.write("bad.sqlite", "not a database\n");
  const auto b = test::run_osatsim({"capacity", "default", "--db", bad.string()});
  EXPECT_EQ(b.exit_code, 2);
  EXPECT_NE(b.err.find("bad.sqlite: not an SQLite database"), std::string::npos) << b.err;
}


TEST(StoreCli, CapacityRunStoredAsTables) {
  test::TempDir dir;
  const std::filesystem::path db = dir.path() / "r.sqlite";
  const auto cap = dir.path() / "cap.json";
  auto r = test::run_osatsim({"capacity", "default", "--json", cap.string(), "--db", db.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json doc = nlohmann::json::parse(test::read_file(cap));
  store::Store s(db.string(), false);
  EXPECT_EQ(s.document(1), doc);
  const auto info = s.info(1);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->command, "capacity");
  EXPECT_NE(info->headline.find(doc["bottleneck"].get<std::string>()), std::string::npos);
  r = test::run_osatsim({"runs", "export", "1", "--csv", (dir.path() / "csv").string(), "--db", db.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "csv" / "lot_types.csv"));
  const store::Rows rows = s.rows("tables", 1);
  std::size_t groups = 0;
  for (const auto& row : rows.rows) {
    if (row[0] != "groups") continue;
    const auto i = row[1].get<std::size_t>();
    EXPECT_EQ(nlohmann::json::parse(row[2].get<std::string>()), doc["groups"][i]);
    ++groups;
  }
  EXPECT_EQ(groups, doc["groups"].size());
  const std::string csv = test::read_file(dir.path() / "csv" / "tables.csv");
  EXPECT_EQ(csv.rfind("table_name,row_index,row\n", 0), 0u);
  EXPECT_EQ(static_cast<std::size_t>(std::count(csv.begin(), csv.end(), '\n')), rows.rows.size() + 1);
}

}  // namespace
}  // namespace osatsim
