// Time of `osatsim capacity default` (the analysis with its 5-point operating curve) and of
// `osatsim capacity default --size` (analysis::size_line with the default targets) on the
// built-in default scenario with product P1's release rate doubled. The factory is loaded once,
// outside the timed loop.
#include <benchmark/benchmark.h>

#include "analysis/capacity.h"
#include "analysis/sizing.h"
#include "io/load.h"

namespace {

osatsim::model::Factory default_p1_doubled(bool& ok) {
  osatsim::Diagnostics diags;
  auto f = osatsim::io::load_factory("default", diags);
  ok = static_cast<bool>(f);
  if (!ok) return {};
  osatsim::model::Factory g = *f;
  const auto p1 = g.find_product("P1");
  for (auto& s : g.streams) {
    if (s.product == p1) s.interval = s.interval.scaled(0.5);
  }
  return g;
}

void BM_CapacityDefault(benchmark::State& state) {
  osatsim::Diagnostics diags;
  auto f = osatsim::io::load_factory("default", diags);
  if (!f) {
    state.SkipWithError("default scenario not loaded");
    return;
  }
  for (auto _ : state) {
    auto r = osatsim::analysis::analyse(*f);
    benchmark::DoNotOptimize(r);
  }
}

void BM_CapacityDefaultP1Doubled(benchmark::State& state) {
  bool ok = false;
  const auto f = default_p1_doubled(ok);
  if (!ok) {
    state.SkipWithError("default scenario not loaded");
    return;
  }
  for (auto _ : state) {
    auto r = osatsim::analysis::analyse(f);
    benchmark::DoNotOptimize(r);
  }
}

void BM_SizeDefaultP1Doubled(benchmark::State& state) {
  bool ok = false;
  const auto f = default_p1_doubled(ok);
  if (!ok) {
    state.SkipWithError("default scenario not loaded");
    return;
  }
  int evaluations = 0, added = 0;
  for (auto _ : state) {
    auto r = osatsim::analysis::size_line(f, osatsim::analysis::CapacityOptions{},
                                          osatsim::analysis::SizingOptions{});
    evaluations = r.evaluations;
    added = r.tools_added;
    benchmark::DoNotOptimize(r);
  }
  state.counters["evaluations"] = evaluations;
  state.counters["tools_added"] = added;
}

BENCHMARK(BM_CapacityDefault)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_CapacityDefaultP1Doubled)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SizeDefaultP1Doubled)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
