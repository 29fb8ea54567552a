// `osatsim sweep`: bad input (exit 2, file:line, nothing written), figures against `simulate`
// run one variant at a time, the same results for any --jobs, and resume after a kill.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/test_support.h"

namespace osatsim::test {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

std::string minifab() { return fs::path(OSATSIM_MINIFAB_DIR).string(); }

// A 2 x 2 grid with 2 replications on the mini-fab fixture.
std::string grid_sweep() {
  return "model: " + minifab() +
         "\ndays: 60\nwarmup_days: 20\nreplications: 2\nseed: 5\ngrid:\n"
         "  dispatch: [fifo, cr]\n  tools.Litho_1: [3, 4]\n";
}

RunResult sweep(const TempDir& dir, const std::string& text, const std::string& out,
                std::vector<std::string> extra = {}) {
  std::vector<std::string> args{"sweep", dir.write("s.yaml", text).string(), "--out",
                                (dir.path() / out).string()};
  args.insert(args.end(), extra.begin(), extra.end());
  return run_osatsim(args);
}

void expect_refused(const std::string& text, const std::string& message) {
  TempDir dir;
  const RunResult r = sweep(dir, text, "out");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find(message), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir.path() / "out")) << "nothing may be written on bad input";
}

TEST(SweepCli, ErrorCatalogue) {
  const std::string head = "model: " + minifab() + "\ndays: 30\n";
  expect_refused(head + "replicas: 2\ngrid: {dispatch: [fifo]}\n", "s.yaml:3: unknown field");
  expect_refused(head + "grid: {}\n", "s.yaml:3: grid: empty");
  expect_refused(head + "grid:\n  tools.NoSuchGroup: [2]\n", "s.yaml:4:");
  expect_refused(head + "grid:\n  tools.Litho_1: [3, -1]\n", "s.yaml:4: --tools:");
  expect_refused(head + "grid:\n  dispatch: [fifo, fastest]\n", "s.yaml:4: dispatch: unknown level");
  expect_refused("model: no-such-model\ndays: 30\ngrid: {dispatch: [fifo]}\n", "s.yaml:1: model");
}

double kpi(const json& v, const std::string& name) { return v["kpis"][name]["mean"].get<double>(); }

TEST(SweepCli, GridMatchesSimulateRunOneByOne) {
  TempDir dir;
  const RunResult r = sweep(dir, grid_sweep(), "out", {"--jobs", "2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("common random numbers"), std::string::npos) << r.out;
  const json j = json::parse(read_file(dir.path() / "out" / "sweep.json"));
  ASSERT_EQ(j["variants"].size(), 4u);
  EXPECT_TRUE(fs::exists(dir.path() / "out" / "sweep.csv"));
  const char* dispatch[] = {"fifo", "fifo", "cr", "cr"};
  const char* tools[] = {"3", "4", "3", "4"};
  for (int v = 0; v < 4; ++v) {
    const auto out = dir.path() / ("sim" + std::to_string(v));
    const RunResult s = run_osatsim({"simulate", minifab(), "--days", "60", "--warmup-days", "20",
                                     "--seed", "5", "--replications", "2", "--dispatch",
                                     dispatch[v], "--tools", std::string("Litho_1=") + tools[v],
                                     "--out", out.string()});
    ASSERT_EQ(s.exit_code, 0) << s.err;
    const json sim = json::parse(read_file(out / "summary.json"));
    const json& var = j["variants"][v];
    EXPECT_EQ(var["factors"]["dispatch"], dispatch[v]);
    EXPECT_NEAR(kpi(var, "wip_mean_lots"), sim["replications"]["wip_mean_lots"]["mean"].get<double>(),
                1e-9);
    for (const auto& t : sim["replications"]["lot_types"]) {
      const std::string n = t["name"];
      EXPECT_NEAR(kpi(var, n + ".throughput_per_day"), t["throughput_per_day"]["mean"].get<double>(),
                  1e-9) << n;
      EXPECT_NEAR(kpi(var, n + ".ct_mean_days"), t["ct_mean_days"]["mean"].get<double>(), 1e-9)
          << n;
      EXPECT_NEAR(var["kpis"][n + ".ct_mean_days"]["ci95"].get<double>(),
                  t["ct_mean_days"]["ci95"].get<double>(), 1e-9) << n;
    }
  }
}

// The results store keeps the sweep's comparison as one run (its sweep.json), and --quiet keeps
// standard output empty.
TEST(SweepCli, StoredInTheResultsStoreAndQuiet) {
  TempDir dir;
  const std::string db = (dir.path() / "r.sqlite").string();
  const RunResult r = sweep(dir, grid_sweep(), "out", {"--db", db, "--quiet"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  const RunResult x = run_osatsim({"runs", "export", "1", "--json", (dir.path() / "x.json").string(), "--db", db});
  ASSERT_EQ(x.exit_code, 0) << x.err;
  EXPECT_EQ(json::parse(read_file(dir.path() / "x.json")), json::parse(read_file(dir.path() / "out" / "sweep.json")));
  const RunResult l = run_osatsim({"runs", "list", "--db", db});
  EXPECT_NE(l.out.find("sweep"), std::string::npos) << l.out;
}

// Model fields that are no what-if: a step's yield (every route step of that name) and a tool
// group's own dispatching rule; unknown names and bad levels refused with file:line.
TEST(SweepCli, YieldAndGroupRuleFactors) {
  TempDir dir;
  const std::string head = "model: default\ndays: 40\nwarmup_days: 10\nreplications: 1\nseed: 1\n";
  const RunResult r = sweep(dir, head + "variants:\n  - {yield.final_test: 1.0}\n  - {yield.final_test: 0.5}\n"
                                        "  - {rule.litho: fifo}\n", "out", {"--no-db"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = json::parse(read_file(dir.path() / "out" / "sweep.json"));
  const double full = j["variants"][0]["kpis"]["P1.good_units_per_month"]["mean"].get<double>();
  const double half = j["variants"][1]["kpis"]["P1.good_units_per_month"]["mean"].get<double>();
  EXPECT_GT(full, 0);
  EXPECT_NEAR(half / full, 0.5, 0.1);  // the final test keeps half of what it sees
  // Litho under FIFO instead of its own chain: the run changes.
  EXPECT_NE(j["variants"][2]["kpis"]["all.ct_mean_days"]["mean"], j["variants"][0]["kpis"]["all.ct_mean_days"]["mean"]);
  expect_refused(head + "grid:\n  yield.no_such_step: [0.5]\n", "s.yaml:7: yield.no_such_step: no route step");
  expect_refused(head + "grid:\n  yield.final_test: [1.5]\n", "s.yaml:7: yield.final_test: '1.5' is not a yield");
  expect_refused(head + "grid:\n  rule.no_such_group: [fifo]\n", "s.yaml:7: rule.no_such_group: no tool group");
  expect_refused(head + "grid:\n  rule.litho: [fastest]\n", "s.yaml:7: rule.litho: unknown level");
}

// The model's readings as factors: a variant with `idle-tool: first, wafer-pm-start: same` gives
// the figures of `simulate --idle-tool first --wafer-pm-start same`, `model` those of the
// model's own readings (SMT2020: random, staggered); bad levels refused with file:line.
TEST(SweepCli, IdleToolAndWaferPmStartFactors) {
  TempDir dir;
  const std::string head = "model: " + minifab() + "\ndays: 40\nwarmup_days: 10\nreplications: 1\nseed: 2\n";
  const RunResult r = sweep(dir, head + "variants:\n  - {idle-tool: first, wafer-pm-start: same}\n"
                                        "  - {idle-tool: model, wafer-pm-start: model}\n", "out", {"--no-db"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = json::parse(read_file(dir.path() / "out" / "sweep.json"));
  ASSERT_EQ(j["variants"].size(), 2u);
  const std::vector<std::string> extra[] = {{"--idle-tool", "first", "--wafer-pm-start", "same"}, {}};
  for (int v = 0; v < 2; ++v) {
    const auto out = dir.path() / ("sim" + std::to_string(v));
    std::vector<std::string> args{"simulate", minifab(), "--days", "40", "--warmup-days", "10",
                                  "--seed", "2", "--no-db", "--out", out.string()};
    args.insert(args.end(), extra[v].begin(), extra[v].end());
    const RunResult s = run_osatsim(args);
    ASSERT_EQ(s.exit_code, 0) << s.err;
    const json sim = json::parse(read_file(out / "summary.json"));
    ASSERT_FALSE(sim["lot_types"].empty());
    for (const auto& t : sim["lot_types"]) {
      const std::string n = t["name"];
      EXPECT_NEAR(kpi(j["variants"][v], n + ".ct_mean_days"),
                  t["cycle_time_days"]["mean"].get<double>(), 1e-9) << v << " " << n;
    }
  }
  expect_refused(head + "grid:\n  idle-tool: [randm]\n", "s.yaml:7: idle-tool: unknown level");
  expect_refused(head + "grid:\n  wafer-pm-start: [stagger]\n", "s.yaml:7: wafer-pm-start: unknown level");
}

TEST(SweepCli, SameResultsForAnyJobs) {
  TempDir dir;
  ASSERT_EQ(sweep(dir, grid_sweep(), "j1", {"--jobs", "1"}).exit_code, 0);
  ASSERT_EQ(sweep(dir, grid_sweep(), "j2", {"--jobs", "2"}).exit_code, 0);
  EXPECT_EQ(read_file(dir.path() / "j1" / "sweep.json"), read_file(dir.path() / "j2" / "sweep.json"));
  EXPECT_EQ(read_file(dir.path() / "j1" / "sweep.csv"), read_file(dir.path() / "j2" / "sweep.csv"));
}

// Two MPI ranks (rank 0 coordinates and runs items on a thread, rank 1 asks for items): the
// same sweep.json as one thread.
TEST(SweepCli, MpiRanksGiveTheSameResults) {
  if (!OSATSIM_TEST_WITH_MPI) GTEST_SKIP() << "this build has no MPI (OSATSIM_WITH_MPI off)";
  if (std::system("command -v mpirun > /dev/null 2>&1") != 0)
    GTEST_SKIP() << "mpirun not found (install openmpi-bin)";
  TempDir dir;
  ASSERT_EQ(sweep(dir, grid_sweep(), "j1", {"--jobs", "1"}).exit_code, 0);
  // Under AddressSanitizer the ranks run without leak detection: OpenMPI's runtime leaves
  // allocations of the components it unloads at MPI_Finalize, which no module name can
  // suppress (tests/lsan.supp); the thread-based runs above keep osatsim's own code checked.
  const std::string cmd = "ASAN_OPTIONS=\"${ASAN_OPTIONS:-}:detect_leaks=0\" "
                          "mpirun --oversubscribe --allow-run-as-root -np 2 " +
                          std::string(OSATSIM_BINARY) + " sweep " +
                          (dir.path() / "s.yaml").string() + " --no-db --out " +
                          (dir.path() / "mpi").string() + " > " +
                          (dir.path() / "mpi.log").string() + " 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << read_file(dir.path() / "mpi.log");
  EXPECT_EQ(read_file(dir.path() / "j1" / "sweep.json"),
            read_file(dir.path() / "mpi" / "sweep.json"));
}

TEST(SweepCli, ResumeAfterKillGivesTheSameFile) {
  TempDir dir;
  ASSERT_EQ(sweep(dir, grid_sweep(), "full").exit_code, 0);
  const RunResult killed = sweep(dir, grid_sweep(), "cut", {"--stop-after", "3"});
  EXPECT_NE(killed.exit_code, 0);
  EXPECT_FALSE(fs::exists(dir.path() / "cut" / "sweep.json"));
  const RunResult resumed = sweep(dir, grid_sweep(), "cut", {"--resume", "--jobs", "2"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(read_file(dir.path() / "full" / "sweep.json"),
            read_file(dir.path() / "cut" / "sweep.json"));
  // A changed sweep file is refused on resume.
  const RunResult changed =
      sweep(dir, grid_sweep() + "# changed\n", "cut", {"--resume"});
  EXPECT_EQ(changed.exit_code, 2);
  EXPECT_NE(changed.err.find("another sweep file"), std::string::npos) << changed.err;
}

}  // namespace
}  // namespace osatsim::test
