// Time of the capacity analysis (analysis::analyse: static load, maximum start rate, nominal
// cycle times and a 5-point operating curve) on the SMT2020 models and the default scenario.
// The factory is loaded once, outside the timed loop (its import is in bench_smt2020).
// Data: $OSATSIM_SMT2020_DIR (holding HVLM/ and LVHM/), else /work/shared/smt2020/data.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "analysis/capacity.h"
#include "io/load.h"

namespace {

std::string model_path(const char* model) {
  if (std::string(model) == "default") return model;
  const char* env = std::getenv("OSATSIM_SMT2020_DIR");
  std::filesystem::path root = env && *env ? env : "/work/shared/smt2020/data";
  return (root / model).string();
}

void BM_Analyse(benchmark::State& state, const char* model) {
  osatsim::Diagnostics diags;
  auto f = osatsim::io::load_factory(model_path(model), diags);
  if (!f) {
    state.SkipWithError("model not found or invalid (set OSATSIM_SMT2020_DIR)");
    return;
  }
  for (auto _ : state) {
    auto r = osatsim::analysis::analyse(*f);
    benchmark::DoNotOptimize(r);
  }
}

BENCHMARK_CAPTURE(BM_Analyse, HVLM, "HVLM")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Analyse, LVHM, "LVHM")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Analyse, default, "default")->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
