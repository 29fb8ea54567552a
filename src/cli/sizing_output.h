#pragma once
// `osatsim capacity PATH --size`: options, sizing run, verification by simulation and output
// (docs/capacity.md §7). Kept apart from cmd_capacity.cpp, which only wires it in.
#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "analysis/capacity.h"
#include "analysis/sizing.h"
#include "model/factory.h"

namespace osatsim::cli {

struct SizingCliOptions {
  bool size = false;
  std::vector<std::string> target_ct;  // "D" or "PRODUCT=D"
  bool verify = false;
  double verify_days = 120.0;
  double verify_warmup_days = 40.0;
  int verify_replications = 3;
  std::uint64_t verify_seed = 1;
  CLI::Option* verify_days_opt = nullptr;
  CLI::Option* verify_warmup_opt = nullptr;
  CLI::Option* verify_reps_opt = nullptr;
  CLI::Option* verify_seed_opt = nullptr;
};

// Declares --size, --target-ct, --verify, --verify-days, --verify-warmup-days,
// --verify-replications and --verify-seed.
void add_sizing_options(CLI::App* app, SizingCliOptions& o);

// Checks the sizing options before anything is loaded; false with one line on stderr naming the
// option.
bool check_sizing_options(const SizingCliOptions& o, analysis::SizingOptions& out);

// Sizes the line, optionally verifies it by simulation, writes `json_file` (capacity + sizing;
// empty: none) and prints the capacity table `table` and the sizing report. Returns the exit code.
int run_sizing(const model::Factory& factory, const analysis::CapacityOptions& copt,
               const analysis::CapacityResult& capacity, const SizingCliOptions& o,
               const analysis::SizingOptions& so, const std::string& json_file,
               const std::string& table, int top);

}  // namespace osatsim::cli
