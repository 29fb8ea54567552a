// Sites-per-wafer packing time per site size (docs/performance.md, "Package geometry").
#include <benchmark/benchmark.h>

#include "packaging/geometry.h"

namespace {

using osatsim::packaging::pack_sites;
using osatsim::packaging::PackingMode;
using osatsim::packaging::WaferSpec;

// Site sizes in tenths of a millimetre (benchmark arguments are integers).
void BM_PackBest(benchmark::State& state) {
  const double w = static_cast<double>(state.range(0)) / 10.0;
  const double h = static_cast<double>(state.range(1)) / 10.0;
  int count = 0;
  for (auto _ : state) {
    const auto p = pack_sites(WaferSpec{}, w, h, PackingMode::Best);
    count = p.count;
    benchmark::DoNotOptimize(count);
  }
  state.counters["sites"] = count;
}
BENCHMARK(BM_PackBest)
    ->Args({850, 960})
    ->Args({660, 715})
    ->Args({520, 545})
    ->Args({360, 450})
    ->Args({260, 330})
    ->Args({100, 100})
    ->Args({50, 50})
    ->Args({20, 20})
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
