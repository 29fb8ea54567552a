// The solver adapter's cost on a mid-size capacity-expansion MIP (50 integer tool counts, 500
// continuous routing columns, 300 rows), solved to the default gap with one thread; and the
// building of the Mip and the fixed-integer LP duals alone, so the adapter's own overhead
// (loading, driver start-up) can be told apart from the search.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "planner/mip.h"

namespace {

using osatsim::planner::kInf;
using osatsim::planner::Mip;

std::string name(std::string prefix, int i) {
  prefix += std::to_string(i);
  return prefix;
}

// groups integer tool counts; each of `products` products is split over two groups (two
// continuous columns) to meet its demand; each group's flow is limited by its tools' capacity.
Mip capacity_expansion(int groups, int products, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  Mip m;
  std::vector<int> tools;
  for (int g = 0; g < groups; ++g) {
    tools.push_back(m.add_col(name("tools", g), 0, 20, 50 + 100 * u(rng), true));
  }
  std::vector<std::vector<std::pair<int, double>>> cap(static_cast<std::size_t>(groups));
  for (int p = 0; p < products; ++p) {
    std::vector<std::pair<int, double>> demand;
    for (int k = 0; k < 2; ++k) {
      const int g = static_cast<int>(u(rng) * groups) % groups;
      const int f = m.add_col(name(name("flow", p) + "_", k), 0, kInf, 1 + 5 * u(rng));
      demand.emplace_back(f, 1.0);
      cap[static_cast<std::size_t>(g)].emplace_back(f, 0.5 + u(rng));
    }
    m.add_row(name("demand", p), demand, 5 + 10 * u(rng), kInf);
  }
  for (int g = 0; g < groups; ++g) {
    auto row = cap[static_cast<std::size_t>(g)];
    row.emplace_back(tools[static_cast<std::size_t>(g)], -(30 + 20 * u(rng)));
    m.add_row(name("capacity", g), row, -kInf, 0);
  }
  return m;
}

void BM_MipBuild(benchmark::State& state) {
  for (auto _ : state) {
    Mip m = capacity_expansion(50, 250, 1);
    benchmark::DoNotOptimize(m);
  }
}

void BM_MipSolveCapacityExpansion(benchmark::State& state) {
  const Mip m = capacity_expansion(50, 250, 1);
  osatsim::planner::SolveOptions o;
  o.time_limit_seconds = 60;
  for (auto _ : state) {
    auto r = osatsim::planner::solve(m, o);
    if (r.status != osatsim::planner::SolveStatus::Optimal) {
      state.SkipWithError(osatsim::planner::to_string(r.status));
      return;
    }
    state.counters["nodes"] = static_cast<double>(r.nodes);
    state.counters["gap"] = r.gap;
    benchmark::DoNotOptimize(r);
  }
}

void BM_MipFixedLpDuals(benchmark::State& state) {
  const Mip m = capacity_expansion(50, 250, 1);
  const auto r = osatsim::planner::solve(m);
  if (r.x.empty()) {
    state.SkipWithError("no solution");
    return;
  }
  for (auto _ : state) {
    auto d = osatsim::planner::fixed_lp_duals(m, r.x);
    benchmark::DoNotOptimize(d);
  }
}

}  // namespace

BENCHMARK(BM_MipBuild)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_MipSolveCapacityExpansion)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_MipFixedLpDuals)->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();
