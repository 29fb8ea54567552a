// osatsim plan on bad network files and bad options: exit 2, one `file:line:column: ...` line per
// problem, nothing written (docs/planner.md, docs/errors.md).
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "support/test_support.h"

namespace osatsim {
namespace {

namespace fs = std::filesystem;

// A valid network on the tiny line; each case replaces one piece of it.
const char* kGood =
    "name: t\n"
    "start: 2026-01\n"
    "horizon: 3\n"
    "lines:\n"
    "  - name: tiny\n"
    "    model: tiny_line.yaml\n"
    "    tools: [{group: bond, price: 300000, lead_months: 1}]\n"
    "products:\n"
    "  - {name: A, margin: 1000}\n"
    "customers:\n"
    "  - name: c1\n"
    "    demand: [{product: A, per_month: 150}]\n"
    "components:\n"
    "  - {name: die, per_month: 500}\n"
    "sites:\n"
    "  - name: s1\n"
    "    region: Taiwan\n"
    "    lines:\n"
    "      - {name: l1, line: tiny, status: in_place}\n"
    "      - {name: l2, line: tiny, status: option, capex: 1.0e6, build_months: 1, ramp: [0.5]}\n";

struct Case {
  const char* what;
  const char* from;
  const char* to;
  const char* message;  // expected in the error line
};

std::string replaced(const Case& c) {
  std::string s = kGood;
  const auto at = s.find(c.from);
  EXPECT_NE(at, std::string::npos) << c.what;
  if (at != std::string::npos) s.replace(at, std::string(c.from).size(), c.to);
  return s;
}

TEST(PlanCli, GoodNetworkRunsAndWritesPlanJson) {
  test::TempDir tmp;
  tmp.write("tiny_line.yaml",
            test::read_file(test::source_dir() / "tests/planner/fixtures/tiny_line.yaml"));
  const auto file = tmp.write("n.yaml", kGood);
  const auto out = tmp.path() / "out";
  const auto r = test::run_osatsim({"plan", file.string(), "--out", out.string(), "--no-verify"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::exists(out / "plan.json"));
  EXPECT_NE(r.out.find("solver: optimal"), std::string::npos) << r.out;
}

TEST(PlanCli, BadNetworksExitTwoNameFileLineAndWriteNothing) {
  const Case cases[] = {
      {"unknown line", "line: tiny, status: in_place", "line: tinny, status: in_place",
       "unknown line 'tinny' (did you mean 'tiny'?)"},
      {"unknown product", "demand: [{product: A,", "demand: [{product: B,", "unknown product 'B'"},
      {"product no line makes", "{name: A, margin: 1000}", "{name: Z, margin: 1000}",
       "product 'Z' is made by no line model"},
      {"unknown component", "{name: die, per_month: 500}", "{name: dye, per_month: 500}",
       "unknown component 'dye'"},
      {"unknown tool group", "{group: bond,", "{group: bnd,", "unknown tool group 'bnd'"},
      {"negative demand", "per_month: 150", "per_month: -150", "must be >= 0"},
      {"negative capex", "capex: 1.0e6", "capex: -1.0e6", "must be >= 0"},
      {"ramp above 100 %", "ramp: [0.5]", "ramp: [1.5]", "must lie in [0, 1]"},
      {"horizon of 0", "horizon: 3", "horizon: 0", "must be >= 1"},
      {"horizon too long", "horizon: 3", "horizon: 500", "must lie in [1, 120]"},
      {"unknown key", "region: Taiwan", "regoin: Taiwan", "unknown key (did you mean 'region'?)"},
      {"bad month", "start: 2026-01", "start: 2026-13", "expected a month as YYYY-MM"},
      {"line model missing", "model: tiny_line.yaml", "model: nothere.yaml",
       "cannot load line model 'nothere.yaml'"},
      {"duplicate site line", "{name: l2, line: tiny, status: option",
       "{name: l1, line: tiny, status: option", "duplicate site line 'l1'"},
      {"unknown status", "status: in_place", "status: built", "unknown value 'built'"},
  };
  for (const auto& c : cases) {
    test::TempDir tmp;
    tmp.write("tiny_line.yaml",
              test::read_file(test::source_dir() / "tests/planner/fixtures/tiny_line.yaml"));
    const auto file = tmp.write("n.yaml", replaced(c));
    const auto out = tmp.path() / "out";
    const auto r = test::run_osatsim({"plan", file.string(), "--out", out.string()});
    EXPECT_EQ(r.exit_code, 2) << c.what << "\n" << r.err;
    EXPECT_NE(r.err.find(file.string() + ":"), std::string::npos) << c.what << "\n" << r.err;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << c.what << "\n" << r.err;
    EXPECT_TRUE(r.out.empty()) << c.what;
    EXPECT_FALSE(fs::exists(out)) << c.what;
  }
}

// Re-planning: the first plan's tools and buildings start the second solve, which says so and
// finds the same plan; a start naming a line the network does not have is refused (exit 2, the
// entry named, nothing written).
TEST(PlanCli, ReplanStartsFromAnEarlierPlan) {
  test::TempDir tmp;
  tmp.write("tiny_line.yaml",
            test::read_file(test::source_dir() / "tests/planner/fixtures/tiny_line.yaml"));
  const auto file = tmp.write("n.yaml", kGood);
  const auto a = tmp.path() / "a";
  auto r = test::run_osatsim({"plan", file.string(), "--out", a.string(), "--no-verify"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string first = test::read_file(a / "plan.json");
  const auto b = tmp.path() / "b";
  r = test::run_osatsim({"plan", file.string(), "--out", b.string(), "--no-verify", "--start",
                         (a / "plan.json").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Re-planned"), std::string::npos) << r.out;
  const std::string second = test::read_file(b / "plan.json");
  const auto purchases = [](const std::string& t) {
    const auto at = t.find("\"purchases\"");
    return t.substr(at, t.find(']', at) - at);
  };
  EXPECT_EQ(purchases(first), purchases(second));
  EXPECT_NE(second.find("\"start\""), std::string::npos);

  std::string bad = first;
  const auto at = bad.find("\"line\": \"l1\"");
  ASSERT_NE(at, std::string::npos) << "the first plan buys a tool for l1";
  bad.replace(at, std::string("\"line\": \"l1\"").size(), "\"line\": \"l9\"");
  const auto bad_file = tmp.write("bad.json", bad);
  const auto c = tmp.path() / "c";
  r = test::run_osatsim({"plan", file.string(), "--out", c.string(), "--no-verify", "--start",
                         bad_file.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("purchases[0]: line 'l9' is not in network"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(c));
}

TEST(PlanCli, BadOptionsExitTwo) {
  test::TempDir tmp;
  const auto out = tmp.path() / "out";
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"plan", "buildout", "--objective", "max-profit"},
        {"plan", "buildout", "--gap", "2"},
        {"plan", "buildout", "--time-limit", "0"},
        {"plan", "buildout", "--max-utilisation", "1.2"},
        {"plan", "buildout", "--max-utilisation", "0.1"},
        {"plan", "no_such_network"}}) {
    std::vector<std::string> a = args;
    a.push_back("--out");
    a.push_back(out.string());
    const auto r = test::run_osatsim(a);
    EXPECT_EQ(r.exit_code, 2) << args.back() << "\n" << r.err;
    EXPECT_FALSE(fs::exists(out)) << args.back();
  }
}

}  // namespace
}  // namespace osatsim
