// Option checks of every subcommand (docs/errors.md, "Options"): NaN, infinities, negatives
// where they mean nothing and absurd sizes are refused before any work, with exit code 2, one
// line on stderr naming the option and what it allows, and nothing written. Output paths are
// checked before the run.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "support/test_support.h"

namespace osatsim {
namespace {

namespace fs = std::filesystem;

struct Bad {
  std::vector<std::string> args;  // OUT in an argument is replaced by a fresh output path
  std::string says;               // a part of the one line on stderr
};

std::size_t lines(const std::string& s) {
  return static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n'));
}

void expect_refused(const Bad& c) {
  test::TempDir dir;
  const fs::path out = dir.path() / "out";
  std::vector<std::string> args;
  std::string shown;
  for (const auto& a : c.args) {
    args.push_back(a == "OUT" ? out.string() : a);
    shown += a + " ";
  }
  const test::RunResult r = test::run_osatsim(args);
  EXPECT_EQ(r.exit_code, 2) << shown << "\n" << r.err;
  EXPECT_EQ(lines(r.err), 1u) << shown << "\n" << r.err;
  EXPECT_NE(r.err.find(c.says), std::string::npos) << shown << "\n" << r.err;
  EXPECT_TRUE(r.out.empty()) << shown << "\n" << r.out;
  EXPECT_FALSE(fs::exists(out)) << shown;
  EXPECT_TRUE(fs::is_empty(dir.path())) << shown;
}

TEST(OptionsCli, SimulateNumbersRefusedBeforeAnyWork) {
  const std::vector<Bad> cases = {
      {{"simulate", "default", "--days", "inf", "--out", "OUT"},
       "--days: 'inf' refused (allowed: a finite number of days in (0, 100000])"},
      {{"simulate", "default", "--days", "1e15", "--out", "OUT"}, "--days: '1e15' refused"},
      {{"simulate", "default", "--days", "1e300", "--out", "OUT"}, "--days: '1e300' refused"},
      {{"simulate", "default", "--days", "nan", "--out", "OUT"}, "--days: 'nan' refused"},
      {{"simulate", "default", "--days", "-3", "--out", "OUT"}, "--days: '-3' refused"},
      // One clear line, no second complaint about --warmup-days.
      {{"simulate", "default", "--days", "0", "--out", "OUT"}, "--days: '0' refused"},
      {{"simulate", "default", "--days", "10", "--warmup-days", "nan", "--out", "OUT"},
       "--warmup-days: 'nan' refused"},
      {{"simulate", "default", "--days", "10", "--warmup-days", "20", "--out", "OUT"},
       "--warmup-days: 20 is not less than --days 10"},
      {{"simulate", "default", "--days", "10", "--batch-max-wait", "-5", "--out", "OUT"},
       "--batch-max-wait: '-5' refused (allowed: a finite number of minutes in [0, 1e+06])"},
      {{"simulate", "default", "--days", "10", "--batch-max-wait", "nan", "--out", "OUT"},
       "--batch-max-wait: 'nan' refused"},
      {{"simulate", "default", "--days", "10", "--jobs", "0", "--out", "OUT"},
       "--jobs: '0' refused (allowed: a whole number in 1..1024)"},
      {{"simulate", "default", "--days", "10", "--jobs", "-2", "--out", "OUT"},
       "--jobs: '-2' refused"},
      {{"simulate", "default", "--days", "10", "--seed", "-1", "--out", "OUT"},
       "--seed: '-1' refused (allowed: a whole number in 0..18446744073709551615)"},
      {{"simulate", "default", "--days", "10", "--seed", "1.5", "--out", "OUT"},
       "--seed: '1.5' refused"},
      {{"simulate", "default", "--days", "10", "--seed", "18446744073709551616", "--out", "OUT"},
       "--seed: '18446744073709551616' refused"},
      {{"simulate", "default", "--days", "10", "--time-limit", "inf", "--out", "OUT"},
       "--time-limit: 'inf' refused"},
      {{"simulate", "default", "--days", "10", "--time-limit", "-1", "--out", "OUT"},
       "--time-limit: '-1' refused"},
      {{"simulate", "default", "--days", "10", "--max-wip", "-1", "--out", "OUT"},
       "--max-wip: '-1' refused"},
      {{"simulate", "default", "--days", "10", "--replications", "0", "--out", "OUT"},
       "--replications: '0' refused (allowed: a whole number in 1..10000)"},
      {{"simulate", "default", "--days", "10", "--replications", "1e9", "--out", "OUT"},
       "--replications: '1e9' refused"},
      {{"simulate", "default", "--days", "10", "--out", ""},
       "--out: empty path (allowed: a directory name)"},
      {{"simulate", "defualt", "--days", "10", "--out", "OUT"},
       "defualt: not found: no such file or directory, and no built-in scenario of that name "
       "(did you mean 'default'?)"},
  };
  for (const auto& c : cases) expect_refused(c);
}

TEST(OptionsCli, CapacityNumbersRefused) {
  const std::vector<Bad> cases = {
      {{"capacity", "default", "--period-days", "nan", "--json", "OUT"},
       "--period-days: 'nan' refused (allowed: a finite number of days in [0.001, 100000])"},
      {{"capacity", "default", "--period-days", "inf", "--json", "OUT"},
       "--period-days: 'inf' refused"},
      {{"capacity", "default", "--target-util", "nan", "--json", "OUT"},
       "--target-util: 'nan' refused"},
      {{"capacity", "default", "--top", "0", "--json", "OUT"}, "--top: '0' refused"},
      {{"capacity", "default", "--size", "--verify", "--verify-days", "inf", "--json", "OUT"},
       "--verify-days: 'inf' refused"},
      {{"capacity", "default", "--size", "--verify", "--verify-seed", "-1", "--json", "OUT"},
       "--verify-seed: '-1' refused"},
      {{"capacity", "default", "--json", ""}, "--json: empty path (allowed: a file name)"},
      {{"capacity", "default", "--size", "--target-ct", "1e300", "--json", "OUT"},
       "--target-ct: '1e300' is not a number of days in (0, 100000]"},
      {{"capacity", "default", "--size", "--target-ct", "P1=nan", "--json", "OUT"},
       "--target-ct: 'P1=nan' is not PRODUCT=D with D in (0, 100000] days"},
      {{"validate", "default", "--json", ""}, "--json: empty path (allowed: a file name)"},
  };
  for (const auto& c : cases) expect_refused(c);
}

TEST(OptionsCli, PackageNumbersRefused) {
  const std::vector<Bad> cases = {
      {{"package", "--site", "52x54.5", "--wafer", "inf", "--map", "OUT"},
       "--wafer: 'inf' refused (allowed: a finite number of mm in (0, 1000])"},
      {{"package", "--site", "52x54.5", "--wafer", "1e9", "--map", "OUT"},
       "--wafer: '1e9' refused"},
      {{"package", "--site", "52x54.5", "--street", "nan", "--map", "OUT"},
       "--street: 'nan' refused"},
      {{"package", "--site", "52x54.5", "--d0", "nan", "--map", "OUT"}, "--d0: 'nan' refused"},
      {{"package", "--site", "52x54.5", "--alpha", "0", "--map", "OUT"}, "--alpha: '0' refused"},
      {{"package", "--site", "52x54.5", "--ramp-months", "nan", "--map", "OUT"},
       "--ramp-months: 'nan' refused"},
      {{"package", "--site", "52x54.5", "--dies", "hbm=100000", "--map", "OUT"},
       "--dies: hbm: count must be in 0..1000"},
      {{"package", "--site", "52x54.5", "--map", ""}, "--map: empty path (allowed: a file name)"},
  };
  for (const auto& c : cases) expect_refused(c);
}

TEST(OptionsCli, PackageZeroSiteRefusedLikeZeroWidth) {
  test::TempDir dir;
  const fs::path svg = dir.path() / "p.svg";
  const auto r = test::run_osatsim({"package", "--site", "0x0", "--map", svg.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--site: width must be > 0 mm (got 0)"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--site: height must be > 0 mm (got 0)"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty());
  EXPECT_FALSE(fs::exists(svg));
}

TEST(OptionsCli, OutputNamingAnExistingFileIsRefusedBeforeTheRun) {
  test::TempDir dir;
  const fs::path file = dir.write("taken", "keep me\n");
  const auto r =
      test::run_osatsim({"simulate", "default", "--days", "100000", "--out", file.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "simulate: --out: '" + file.string() +
                       "' exists and is not a directory (allowed: a directory, made if missing)\n");
  EXPECT_TRUE(r.out.empty());  // refused before the (long) run
  EXPECT_EQ(test::read_file(file), "keep me\n");
  // An output file in a folder that does not exist: refused before loading, exit 2.
  const fs::path nowhere = dir.path() / "no" / "such" / "x.json";
  const auto c = test::run_osatsim({"capacity", "default", "--json", nowhere.string()});
  EXPECT_EQ(c.exit_code, 2);
  EXPECT_NE(c.err.find("capacity: --json: no directory"), std::string::npos) << c.err;
  EXPECT_TRUE(c.out.empty());
  // A directory given as an output file.
  const auto d = test::run_osatsim({"validate", "default", "--json", dir.path().string()});
  EXPECT_EQ(d.exit_code, 2);
  EXPECT_NE(d.err.find("validate: --json: '" + dir.path().string() + "' is a directory"),
            std::string::npos)
      << d.err;
}

TEST(OptionsCli, UnknownSubcommandIsNamedAndTheSubcommandsListed) {
  auto r = test::run_osatsim({"bogus"});
  EXPECT_EQ(r.exit_code, 2);
  // Every subcommand listed, in --help order (the main job first).
  const std::string head = "osatsim: unknown subcommand 'bogus' (subcommands: plan, validate, capacity, simulate, ";
  EXPECT_EQ(r.err.substr(0, head.size()), head) << r.err;
  EXPECT_EQ(r.err.substr(r.err.size() - std::string("; see --help)\n").size()), "; see --help)\n") << r.err;
  for (const char* name : {"package", "scenario", "report", "compare-published"})
    EXPECT_NE(r.err.find(std::string(", ") + name), std::string::npos) << name << ": " << r.err;
  r = test::run_osatsim({"simulat", "default", "--days", "5"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown subcommand 'simulat' (did you mean 'simulate'?)"),
            std::string::npos)
      << r.err;
  EXPECT_TRUE(r.out.empty());
}

TEST(OptionsCli, TimeLimitStopsALongRun) {
  test::TempDir dir;
  const fs::path out = dir.path() / "out";
  const auto r = test::run_osatsim(
      {"simulate", "default", "--days", "100000", "--time-limit", "1", "--out", out.string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("wall-time limit of 1.000000 s reached"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(out / "summary.json"));
}

TEST(OptionsCli, FifoScenarioIsRefusedNotRead) {
  test::TempDir dir;
  const fs::path fifo = dir.path() / "x.yaml";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"validate", fifo.string()},
        std::vector<std::string>{"capacity", fifo.string()},
        std::vector<std::string>{"simulate", fifo.string(), "--days", "5"}}) {
    const auto r = test::run_osatsim(args);  // would block forever if the FIFO were opened
    EXPECT_EQ(r.exit_code, 2) << args[0];
    EXPECT_EQ(r.err, fifo.string() + ": not a regular file\n") << args[0];
  }
}

}  // namespace
}  // namespace osatsim
