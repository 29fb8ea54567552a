// Speed of the simulation engine on the SMT2020 models (a benchmark, not a test).
//
//   build/release/bench/bench_engine [HVLM_DAYS [LVHM_DAYS [SEED]]]     (defaults 730 365 0)
//
// Prints, per model: simulated days, wall time of the simulation (loading excluded), events and
// lot-steps processed and their rates, and the process's peak resident memory. Data:
// $OSATSIM_SMT2020_DIR (holding HVLM/ and LVHM/), else /work/shared/smt2020/data.
#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "engine/engine.h"
#include "io/load.h"

int main(int argc, char** argv) {
  const double hv_days = argc > 1 ? std::atof(argv[1]) : 730.0;
  const double lv_days = argc > 2 ? std::atof(argv[2]) : 365.0;
  const std::uint64_t seed = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 0;
  const char* env = std::getenv("OSATSIM_SMT2020_DIR");
  const std::filesystem::path root = env && *env ? env : "/work/shared/smt2020/data";
  int rc = 0;
  for (const auto& [model, d] : {std::pair<const char*, double>{"HVLM", hv_days},
                                 std::pair<const char*, double>{"LVHM", lv_days}}) {
    if (d <= 0) continue;
    osatsim::Diagnostics diags;
    const auto t0 = std::chrono::steady_clock::now();
    const auto f = osatsim::io::load_factory((root / model).string(), diags);
    const double load_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!f) {
      fmt::print(stderr, "{}: cannot load {}\n{}", model, (root / model).string(),
                 diags.to_string());
      rc = 2;
      continue;
    }
    osatsim::engine::Options o;
    o.days = d;
    o.seed = seed;
    const auto r = osatsim::engine::simulate(*f, o);
    fmt::print(
        "{:<5} {:>5.0f} days  load {:.2f} s  simulate {:.2f} s  events {:>10} ({:.2f} M/s)  "
        "lot-steps {:>10} ({:.2f} M/s)  peak RSS {:.0f} MB\n",
        model, r.simulated_days, load_s, r.wall_seconds, r.events,
        r.events / r.wall_seconds / 1e6, r.lot_steps, r.lot_steps / r.wall_seconds / 1e6,
        static_cast<double>(r.peak_rss_kb) / 1024.0);
  }
  return rc;
}
