// Import time of the SMT2020 models (read_smt2020, then load_factory with Factory::validate()).
// Data: $OSATSIM_SMT2020_DIR (holding HVLM/ and LVHM/), else /work/shared/smt2020/data.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "io/load.h"
#include "io/smt2020.h"

namespace {

std::filesystem::path model_dir(const char* model) {
  const char* env = std::getenv("OSATSIM_SMT2020_DIR");
  std::filesystem::path root = env && *env ? env : "/work/shared/smt2020/data";
  return root / model;
}

void BM_ReadSmt2020(benchmark::State& state, const char* model) {
  const auto dir = model_dir(model);
  if (!std::filesystem::exists(dir)) {
    state.SkipWithError("SMT2020 data not found (set OSATSIM_SMT2020_DIR)");
    return;
  }
  for (auto _ : state) {
    osatsim::Diagnostics diags;
    auto f = osatsim::io::read_smt2020(dir, diags);
    if (!diags.ok()) state.SkipWithError("import reported problems");
    benchmark::DoNotOptimize(f);
  }
}

void BM_LoadFactory(benchmark::State& state, const char* model) {
  const auto dir = model_dir(model);
  if (!std::filesystem::exists(dir)) {
    state.SkipWithError("SMT2020 data not found (set OSATSIM_SMT2020_DIR)");
    return;
  }
  for (auto _ : state) {
    osatsim::Diagnostics diags;
    auto f = osatsim::io::load_factory(dir.string(), diags);
    if (!f) state.SkipWithError("load reported problems");
    benchmark::DoNotOptimize(f);
  }
}

BENCHMARK_CAPTURE(BM_ReadSmt2020, HVLM, "HVLM")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_ReadSmt2020, LVHM, "LVHM")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_LoadFactory, HVLM, "HVLM")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_LoadFactory, LVHM, "LVHM")->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
