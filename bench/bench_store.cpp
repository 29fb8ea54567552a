// Results store (docs/results.md "Results store"): the time to store one run — its result
// document, per-lot-type and per-group rows and daily WIP series, in one transaction on a
// WAL-mode file — against the simulation's own wall time (run.wall_seconds of the document).
//   OSATSIM_STORE_BENCH_SUMMARY=FILE bench_store   (FILE: summary.json of e.g. a 2-year HVLM run)
// docs/performance.md "Results store" has the commands.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "store/store.h"

namespace {

namespace fs = std::filesystem;

nlohmann::ordered_json load_summary() {
  const char* file = std::getenv("OSATSIM_STORE_BENCH_SUMMARY");
  if (file == nullptr) return {};
  std::ifstream in(file);
  std::stringstream ss;
  ss << in.rdbuf();
  return nlohmann::ordered_json::parse(ss.str());
}

void BM_StoreRun(benchmark::State& state) {
  static const nlohmann::ordered_json doc = load_summary();
  if (doc.is_null()) {
    state.SkipWithError("set OSATSIM_STORE_BENCH_SUMMARY to a summary.json (docs/performance.md \"Results store\")");
    return;
  }
  const fs::path dir = fs::temp_directory_path() / "osatsim-bench-store";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string db = (dir / "results.sqlite").string();
  osatsim::store::RunRecord r;
  r.command = "simulate";
  r.scenario = "bench";
  r.scenario_hash = osatsim::store::scenario_hash("bench");
  r.version = "bench";
  r.started = osatsim::store::now_utc();
  r.result = doc;
  for (auto _ : state) benchmark::DoNotOptimize(osatsim::store::record_run(db, r));
  const double sim_s = doc["run"].value("wall_seconds", 0.0);
  state.counters["sim_wall_s"] = sim_s;
  state.counters["series_days"] = static_cast<double>(doc["wip"]["lots_per_day"].size());
  fs::remove_all(dir);
}
BENCHMARK(BM_StoreRun)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
