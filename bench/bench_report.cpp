// Report rendering (docs/report.md): the HTML page of N result documents.
//   OSATSIM_REPORT_BENCH_DIR=DIR bench_report   (DIR holds the documents, e.g. */summary.json)
// docs/performance.md "Report" has the commands that make the documents.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "report/report.h"

namespace {

std::vector<osatsim::report::Run> load_runs() {
  std::vector<osatsim::report::Run> runs;
  const char* dir = std::getenv("OSATSIM_REPORT_BENCH_DIR");
  if (dir == nullptr) return runs;
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir))
    if (e.is_regular_file() && e.path().extension() == ".json") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    std::ifstream in(f);
    std::stringstream ss;
    ss << in.rdbuf();
    runs.push_back({f.string(), nlohmann::json::parse(ss.str())});
  }
  return runs;
}

void BM_ReportRender(benchmark::State& state) {
  static const std::vector<osatsim::report::Run> runs = load_runs();
  if (runs.empty()) {
    state.SkipWithError("set OSATSIM_REPORT_BENCH_DIR to a folder of result documents (docs/performance.md \"Report\")");
    return;
  }
  if (!osatsim::report::libraries_available()) {
    state.SkipWithError("built without the chart libraries (scripts/setup)");
    return;
  }
  std::size_t bytes = 0;
  for (auto _ : state) {
    const std::string h = osatsim::report::render_html(runs, {"bench", "bench"});
    bytes = h.size();
    benchmark::DoNotOptimize(h.data());
  }
  state.counters["runs"] = static_cast<double>(runs.size());
  state.counters["html_mb"] = static_cast<double>(bytes) / 1e6;
}
BENCHMARK(BM_ReportRender)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
