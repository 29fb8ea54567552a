// The main job's cost: `osatsim plan buildout` in-process, with the default options (20 s solver
// limit, 1 % gap, one thread, verification by simulation). Counters: the solver's wall time, the
// gap reached, the LP relaxation's and the rounded start's share. One iteration per repetition:
// each run takes tens of seconds.
#include <benchmark/benchmark.h>

#include <cmath>

#include "planner/plan.h"

namespace {

using namespace osatsim::planner;

void run(benchmark::State& state, bool verify) {
  osatsim::Diagnostics d;
  const auto n = load_network("buildout", d);
  if (!n) {
    state.SkipWithError("the built-in network did not load");
    return;
  }
  PlanOptions o;
  o.verify = verify;
  o.solve.time_limit_seconds = 20;
  o.solve.relative_gap = 0.01;
  Plan p;
  for (auto _ : state) {
    p = make_plan(*n, o);
    benchmark::DoNotOptimize(p);
  }
  state.counters["solve_s"] = p.solver.seconds;
  state.counters["gap_pct"] = 100 * p.solver.gap;
  state.counters["start_gap_pct"] =
      std::isfinite(p.start_objective) && std::isfinite(p.lp_bound)
          ? 100 * (p.start_objective - p.lp_bound) / std::abs(p.start_objective)
          : -1;
  state.counters["columns"] = p.columns;
  state.counters["integers"] = p.integers;
}

void BM_PlanBuildout(benchmark::State& state) { run(state, true); }
void BM_PlanBuildoutNoVerify(benchmark::State& state) { run(state, false); }

}  // namespace

BENCHMARK(BM_PlanBuildout)->Unit(benchmark::kSecond)->Iterations(1)->UseRealTime();
BENCHMARK(BM_PlanBuildoutNoVerify)->Unit(benchmark::kSecond)->Iterations(1)->UseRealTime();

BENCHMARK_MAIN();
