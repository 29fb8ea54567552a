#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/test_support.h"

namespace {

using osatsim::test::read_file;
using osatsim::test::run_osatsim;
using osatsim::test::TempDir;
namespace fs = std::filesystem;

std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++n;
  return n;
}

// Minimal XML well-formedness: every element opened is closed in order, quotes balanced.
bool well_formed_xml(const std::string& s) {
  std::vector<std::string> stack;
  std::size_t i = 0;
  bool root_seen = false;
  while ((i = s.find('<', i)) != std::string::npos) {
    const auto end = s.find('>', i);
    if (end == std::string::npos) return false;
    const std::string tag = s.substr(i + 1, end - i - 1);
    i = end + 1;
    if (tag.empty()) return false;
    if (tag[0] == '?' || tag[0] == '!') continue;
    if (count_of(tag, "\"") % 2 != 0) return false;
    if (tag[0] == '/') {
      if (stack.empty() || stack.back() != tag.substr(1)) return false;
      stack.pop_back();
      continue;
    }
    const std::string name = tag.substr(0, tag.find_first_of(" \t\n/"));
    if (tag.back() == '/') {
      if (stack.empty()) return false;
      continue;
    }
    if (stack.empty()) {
      if (root_seen) return false;
      root_seen = true;
    }
    stack.push_back(name);
  }
  return root_seen && stack.empty();
}

TEST(CmdPackage, TextOutput) {
  const auto r = run_osatsim({"package", "--site", "52x54.5"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("sites per wafer       16"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("gross-die formula     11.55"), std::string::npos) << r.out;
}

TEST(CmdPackage, JsonKeysAndValues) {
  TempDir tmp;
  const fs::path json = tmp.path() / "out.json";
  const auto r = run_osatsim({"package",
                              "--site",
                              "52x54.5",
                              "--d0",
                              "0.0018",
                              "--model",
                              "negbin",
                              "--alpha",
                              "2",
                              "--dies",
                              "logic=2,hbm=8",
                              "--kgd",
                              "logic=0.999,hbm=0.99",
                              "--bond-yield",
                              "0.998",
                              "--module-test-yield",
                              "0.985",
                              "--assembly-yield",
                              "0.99",
                              "--test-yield",
                              "0.97",
                              "--ramp-months",
                              "6",
                              "--json",
                              json.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(read_file(json));
  EXPECT_EQ(j.at("sites_per_wafer").get<int>(), 16);
  EXPECT_EQ(j.at("method"), "grid");
  EXPECT_EQ(j.at("orientation"), "as_given");
  EXPECT_EQ(j.at("grid_sites_per_wafer").get<int>(), 16);
  EXPECT_GE(j.at("staggered_sites_per_wafer").get<int>(), 16);
  EXPECT_NEAR(j.at("gross_die_formula").get<double>(), 11.553029, 1e-5);
  // Site yield: A = 52 * 54.5 mm^2 = 28.34 cm^2, (1 + 28.34 * 0.0018 / 2)^-2.
  const double site = std::pow(1.0 + 28.34 * 0.0018 / 2.0, -2.0);
  EXPECT_NEAR(j.at("site_yield").get<double>(), site, 1e-12);
  const double compound =
      0.999 * 0.999 * std::pow(0.99, 8) * std::pow(0.998, 10) * 0.985 * 0.99 * 0.97;
  EXPECT_NEAR(j.at("compound_yield").get<double>(), compound, 1e-12);
  EXPECT_NEAR(j.at("good_packages_per_wafer").get<double>(), 16 * site * compound, 1e-9);
  EXPECT_EQ(j.at("dies_per_package").get<int>(), 10);
  EXPECT_NEAR(j.at("kgd_yield").get<double>(), 0.999 * 0.999 * std::pow(0.99, 8), 1e-12);
  EXPECT_EQ(j.at("sites").size(), 16u);
  EXPECT_EQ(j.at("ramp").at("by_month").size(), 7u);
  EXPECT_DOUBLE_EQ(j.at("ramp").at("by_month").at(0).at("fraction_of_mature").get<double>(), 0.85);
  for (const char* key : {"wafer", "site", "offset_x_mm", "offset_y_mm", "area_utilisation",
                          "bond_yield", "assembly_yield", "test_yield", "module_test_yield"})
    EXPECT_TRUE(j.contains(key)) << key;
}

TEST(CmdPackage, SiteYieldGivenAndBestPacking) {
  TempDir tmp;
  const fs::path json = tmp.path() / "o.json";
  const auto r =
      run_osatsim({"package", "--site", "66X71.5", "--packing", "best", "--site-yield", "0.9",
                   "--dies", "none", "--bond-yield", "1", "--module-test-yield", "1",
                   "--assembly-yield", "1", "--test-yield", "1", "--json", json.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(read_file(json));
  EXPECT_EQ(j.at("grid_sites_per_wafer").get<int>(), 9);
  const int best = j.at("sites_per_wafer").get<int>();
  EXPECT_EQ(best, std::max(9, j.at("staggered_sites_per_wafer").get<int>()));
  EXPECT_DOUBLE_EQ(j.at("compound_yield").get<double>(), 1.0);
  EXPECT_NEAR(j.at("good_packages_per_wafer").get<double>(), best * 0.9, 1e-12);
}

TEST(CmdPackage, SvgMap) {
  TempDir tmp;
  for (const std::string packing : {"grid", "staggered"}) {
    const fs::path svg = tmp.path() / (packing + ".svg");
    const fs::path json = tmp.path() / (packing + ".json");
    const auto r = run_osatsim({"package", "--site", "46x52", "--packing", packing, "--map",
                                svg.string(), "--json", json.string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const std::string text = read_file(svg);
    const auto j = nlohmann::json::parse(read_file(json));
    EXPECT_TRUE(well_formed_xml(text));
    EXPECT_EQ(text.rfind("<?xml", 0), 0u);
    EXPECT_NE(text.find("<svg"), std::string::npos);
    EXPECT_EQ(count_of(text, "class=\"site\""), j.at("sites_per_wafer").get<std::size_t>());
    EXPECT_EQ(count_of(text, "class=\"wafer\""), 1u);
    EXPECT_EQ(count_of(text, "class=\"usable\""), 1u);
  }
}

void expect_bad(const std::vector<std::string>& extra, const std::string& message) {
  TempDir tmp;
  const fs::path json = tmp.path() / "out.json";
  const fs::path svg = tmp.path() / "out.svg";
  std::vector<std::string> args{"package"};
  args.insert(args.end(), extra.begin(), extra.end());
  args.insert(args.end(), {"--json", json.string(), "--map", svg.string()});
  const auto r = run_osatsim(args);
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find(message), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(json));
  EXPECT_FALSE(fs::exists(svg));
  EXPECT_TRUE(fs::is_empty(tmp.path()));  // no temporary left behind either
}

TEST(CmdPackage, BadOptionsExit2AndWriteNothing) {
  expect_bad({"--site", "52by54.5"}, "--site: '52by54.5' is not WIDTHxHEIGHT");
  expect_bad({"--site", "52x"}, "is not WIDTHxHEIGHT");
  expect_bad({"--site", "-52x54.5"}, "width must be > 0");
  expect_bad({"--site", "52x0"}, "height must be > 0");
  expect_bad({"--site", "250x250"}, "does not fit in the usable circle");
  expect_bad({"--site", "20x20", "--wafer", "100", "--edge", "50"}, "leaves nothing");
  expect_bad({"--site", "52x54.5", "--street", "-0.1"}, "--street");
  expect_bad({"--site", "52x54.5", "--kgd", "1.2"}, "--kgd");
  expect_bad({"--site", "52x54.5", "--kgd", "gpu=0.9"}, "kind 'gpu' is not in --dies");
  expect_bad({"--site", "52x54.5", "--bond-yield", "0"},
             "--bond-yield: '0' refused (allowed: a finite number in (0, 1])");
  expect_bad({"--site", "0x0"}, "--site: width must be > 0 mm (got 0)");
  expect_bad({"--site", "52x54.5", "--test-yield", "1.01"}, "--test-yield");
  expect_bad({"--site", "52x54.5", "--assembly-yield", "-0.5"}, "--assembly-yield");
  expect_bad({"--site", "52x54.5", "--site-yield", "0"}, "--site-yield");
  expect_bad({"--site", "52x54.5", "--model", "bose"}, "--model");
  expect_bad({"--site", "52x54.5", "--dies", "hbm=eight"}, "--dies");
  expect_bad({"--site", "52x54.5", "--d0", "-1"}, "--d0");
  expect_bad({"--site", "52x54.5", "--packing", "hex"}, "--packing");
  expect_bad({"--site", "52x54.5", "--wafer", "abc"}, "--wafer");
  expect_bad({"--site", "0.1x0.1"}, "too small for explicit packing");
  expect_bad({"--site", "52x54.5", "--ramp-months", "1e9"}, "--ramp-months");
  expect_bad({}, "--site");
}

TEST(CmdPackage, ReportsEveryProblem) {
  const auto r = run_osatsim(
      {"package", "--site", "0x5", "--kgd", "2", "--dies", "hbm=eight", "--model", "x"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(count_of(r.err, "\n"), 4u) << r.err;
}

}  // namespace
