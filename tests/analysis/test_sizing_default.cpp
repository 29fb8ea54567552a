// Sizing on the built-in `default` scenario with product P1's release rate doubled: the sized
// line meets the targets by the analysis, and a short simulation of it (docs/capacity.md §7).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "results/sizing.h"
#include "analysis/sizing.h"
#include "engine/engine.h"
#include "engine/replications.h"
#include "io/load.h"
#include "support/test_support.h"

namespace osatsim::analysis {
namespace {
using results::format_sizing;
using results::sizing_json_text;

// The default scenario with every P1 stream releasing twice as often, and the supply of the
// components kitted on P1's route doubled with it (the scenario's supplies are 1.25 x the draw of
// the nominal plan, so without this P1 waits for dies, which no tool fixes).
model::Factory default_p1_doubled() {
  Diagnostics d;
  auto f = io::load_factory("default", d);
  EXPECT_TRUE(f) << d.to_string();
  model::Factory g = *f;
  const auto p1 = g.find_product("P1");
  EXPECT_NE(p1, model::kNone);
  for (auto& s : g.streams) {
    if (s.product == p1) s.interval = s.interval.scaled(0.5);
  }
  std::vector<char> kitted(g.components.size(), 0);
  for (const auto& st : g.routes[g.products[p1].route].steps) {
    for (const auto& k : st.kit) kitted[k.component] = 1;
  }
  for (auto& s : g.supplies) {
    if (kitted[s.component]) s.quantity *= 2;
  }
  EXPECT_TRUE(g.validate().ok());
  return g;
}

TEST(SizingDefault, P1DoubledMeetsTheTargetsByTheAnalysis) {
  const model::Factory f = default_p1_doubled();
  const auto t0 = std::chrono::steady_clock::now();
  const SizingResult r = size_line(f, CapacityOptions{}, SizingOptions{});
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  std::printf("%s", format_sizing(r).c_str());
  std::printf("sizing: %.1f ms, %d evaluations, %d iterations\n", ms, r.evaluations, r.iterations);
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_TRUE(r.reachable) << r.reason;
  EXPECT_GT(r.tools_added, 0);
  for (const auto& p : r.products) {
    EXPECT_TRUE(p.met) << p.name;
    EXPECT_LE(p.cycle_time_after, p.target_days * (1 + 1e-12)) << p.name;
  }
  // The sized line analysed from scratch gives the same cycle times.
  const model::Factory sized = sized_factory(f, r);
  const CapacityResult c = analyse(sized);
  for (const auto& g : c.groups) {
    if (g.required_hours_per_day > 0 && !g.is_delay) {
      EXPECT_LT(g.utilisation, 0.98) << g.name;
    }
  }
  for (const auto& p : r.products) {
    double n = 0, ct = 0;
    for (std::size_t i = 0; i < sized.streams.size(); ++i) {
      if (sized.streams[i].product != p.id) continue;
      n += c.nominal.streams[i].lots_per_day;
      ct += c.nominal.streams[i].lots_per_day * c.nominal.streams[i].cycle_time_days;
    }
    EXPECT_NEAR(ct / n, p.cycle_time_after, 1e-9 * p.cycle_time_after) << p.name;
  }
  // Determinism.
  const SizingResult again = size_line(f, CapacityOptions{}, SizingOptions{});
  EXPECT_EQ(sizing_json_text(r), sizing_json_text(again));
}

// Simulates the sized line: 4 replications of 240 days (60-day warm-up), about 2 s.
TEST(SizingDefault, SizedLineMeetsTheTargetsInSimulation) {
  const model::Factory f = default_p1_doubled();
  const SizingResult r = size_line(f, CapacityOptions{}, SizingOptions{});
  ASSERT_TRUE(r.reachable) << r.reason;
  const model::Factory sized = sized_factory(f, r);
  engine::Options eo;
  eo.days = 240;
  eo.warmup_days = 60;
  eo.seed = 1;
  const auto runs = engine::simulate_replications(sized, eo, 4, 2);
  // Output in good pieces (wafers, or units after the transform): assembly lots split at the
  // transform, so lot counts are no measure of throughput.
  std::printf("%-8s %10s %10s %9s %11s %11s\n", "product", "CT pred d", "CT sim d", "sim/pred",
              "plan out/d", "sim out/d");
  for (const auto& p : r.products) {
    std::vector<double> ct, tp;
    double planned = 0;
    for (std::size_t i = 0; i < sized.streams.size(); ++i) {
      if (sized.streams[i].product != p.id) continue;
      planned += model::lots_per_day(sized.streams[i]) *
                 expected_good_pieces_per_lot(sized, static_cast<model::StreamId>(i));
    }
    for (const auto& run : runs) {
      double n = 0, sum = 0, pieces = 0;
      for (std::size_t i = 0; i < run.lot_types.size(); ++i) {
        if (sized.streams[i].product != p.id) continue;
        const auto& lt = run.lot_types[i];
        n += lt.throughput_per_day;
        sum += lt.throughput_per_day * lt.cycle_time_days.mean;
        pieces += lt.wafers_out + lt.units_out;
      }
      tp.push_back(pieces / (eo.days - eo.warmup_days));
      ct.push_back(n > 0 ? sum / n : 0.0);
    }
    const auto e_ct = engine::estimate(ct), e_tp = engine::estimate(tp);
    std::printf("%-8s %10.2f %10.2f %9.3f %11.1f %11.1f\n", p.name.c_str(), p.cycle_time_after,
                e_ct.mean, e_ct.mean / p.cycle_time_after, planned, e_tp.mean);
    // The sized line ships its plan (within 5 %) and meets the cycle-time target within 10 %.
    EXPECT_NEAR(e_tp.mean / planned, 1.0, 0.05) << p.name;
    EXPECT_LE(e_ct.mean, 1.10 * p.target_days) << p.name;
  }
  // No group of the sized line is the simulated bottleneck above 95 % of its available time.
  for (std::size_t g = 0; g < sized.tool_groups.size(); ++g) {
    if (sized.tool_groups[g].is_delay) continue;
    std::vector<double> u;
    for (const auto& run : runs) {
      const auto& k = run.tool_groups[g];
      const double avail = 1.0 - k.down - k.pm;
      u.push_back(avail > 0 ? (k.busy + k.setup) / avail : 0.0);
    }
    EXPECT_LE(engine::estimate(u).mean, 0.95) << sized.tool_groups[g].name;
  }
}

TEST(SizingCli, BadOptionsExitTwoAndWriteNothing) {
  test::TempDir dir;
  const auto json = (dir.path() / "cap.json").string();
  const std::vector<std::vector<std::string>> bad = {
      {"capacity", "default", "--target-ct", "10", "--json", json},
      {"capacity", "default", "--verify", "--json", json},
      {"capacity", "default", "--size", "--target-ct", "0", "--json", json},
      {"capacity", "default", "--size", "--target-ct", "nan", "--json", json},
      {"capacity", "default", "--size", "--target-ct", "NOPE=10", "--json", json},
      {"capacity", "default", "--size", "--target-ct", "P1=0.01", "--json", json},
      {"capacity", "default", "--size", "--verify-days", "10", "--json", json},
  };
  for (const auto& args : bad) {
    const auto r = test::run_osatsim(args);
    EXPECT_EQ(r.exit_code, 2) << args[3] << ": " << r.err;
    EXPECT_NE(r.err.find("--"), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_TRUE(r.out.empty());
    EXPECT_FALSE(std::filesystem::exists(json));
  }
  const auto r = test::run_osatsim({"capacity", "default", "--size", "--target-ct", "P1=0.01"});
  EXPECT_NE(r.err.find("--target-ct"), std::string::npos);
  EXPECT_NE(r.err.find("P1"), std::string::npos);
}

TEST(SizingCli, SizeWritesTheSizingObject) {
  test::TempDir dir;
  const auto json = (dir.path() / "cap.json").string();
  const auto r = test::run_osatsim({"capacity", "default", "--size", "--target-ct", "30",
                                    "--target-ct", "P4=10", "--json", json});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Sizing:"), std::string::npos);
  std::ifstream in(json);
  const auto j = nlohmann::json::parse(in);
  ASSERT_TRUE(j.contains("sizing"));
  EXPECT_TRUE(j["groups"].is_array());
  for (const auto& p : j["sizing"]["products"]) {
    EXPECT_DOUBLE_EQ(p["target_days"].get<double>(), p["name"] == "P4" ? 10.0 : 30.0);
  }
}

}  // namespace
}  // namespace osatsim::analysis
