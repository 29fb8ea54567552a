// osatsim capacity PATH: static capacity (load per tool group, bottlenecks, maximum start rate)
// and queueing operating curves of a factory (docs/capacity.md).
#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "analysis/capacity.h"
#include "results/capacity.h"
#include "cli/command.h"
#include "cli/model_options.h"
#include "cli/options.h"
#include "cli/output.h"
#include "cli/store_output.h"
#include "cli/sizing_output.h"
#include "io/load.h"

namespace osatsim::cli {
namespace {

namespace fs = std::filesystem;

// "0.5,0.7,0.9" -> levels in (0, 1); false with a message on a bad list.
bool parse_curve(const std::string& text, std::vector<double>& out, std::string& why) {
  out.clear();
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    std::size_t used = 0;
    double v = 0;
    try {
      v = std::stod(item, &used);
    } catch (...) {
      used = 0;
    }
    while (used < item.size() && std::isspace(static_cast<unsigned char>(item[used]))) ++used;
    if (used == 0 || used != item.size() || !(v > 0.0 && v < 1.0)) {
      why = fmt::format("--curve: '{}' is not a level in (0, 1)", item);
      return false;
    }
    out.push_back(v);
  }
  if (out.empty()) {
    why = "--curve: empty list";
    return false;
  }
  return true;
}

struct Options {
  std::string path;
  std::string json_file;
  std::string curve = "0.5,0.7,0.8,0.9,0.95";
  std::string batch = "auto";
  std::string setup_state = "model";
  std::string arrivals = "linking";
  std::string superposition = "asymptotic";
  double target = 0.85;
  std::vector<std::string> scales;  // --scale F and --scale PRODUCT=F
  std::vector<std::string> tools;   // --tools GROUP=N and --tools GROUP=+N
  double period_days = 30.0;
  int top = 15;
  bool no_priorities = false;
  bool no_transport = false;
  bool timing = false;
  std::string pm_nesting = "model";
  SizingCliOptions sizing;  // --size and its options (cli/sizing_output.h)
};

Runner setup(CLI::App* app) {
  auto opt = std::make_shared<Options>();
  app->add_option("path", opt->path,
                  "SMT2020 model directory, .yaml scenario file or built-in scenario name")
      ->required();
  app->add_option("--json", opt->json_file, "also write the full result as JSON to this file");
  app->add_option("--target-util", opt->target,
                  "target utilisation for tools needed and the target start rate (default 0.85)")
      ->check(finite_range(0.01, 1.0));
  app->add_option("--scale", opt->scales,
                  "load multiplier: F on every release stream (default 1), PRODUCT=F on the "
                  "streams of one product (repeatable; factors multiply; F in [1e-6, 1e6])")
      ->allow_extra_args(false);
  app->add_option("--tools", opt->tools, kToolsHelp)->allow_extra_args(false);
  app->add_option("--curve", opt->curve,
                  "operating-curve levels: start rate as a fraction of the maximum "
                  "(default 0.5,0.7,0.8,0.9,0.95)");
  app->add_option("--period-days", opt->period_days, "reporting period in days (default 30)")
      ->check(finite_range(1e-3, 1e5, "days"));
  app->add_option("--top", opt->top, "bottlenecks shown in the table (default 15)")
      ->check(whole_range(1, 100000));
  app->add_option("--batch-size", opt->batch,
                  "lots per batch: auto (default, load-dependent), min, mean or max")
      ->check(CLI::IsMember({"auto", "min", "mean", "max"}));
  add_reading_option(app, "--setup-state", opt->setup_state, model::kSetupStates,
                     "a tool's setup state after a step without setup", "reset", "keep");
  app->add_option("--arrivals", opt->arrivals,
                  "arrival variability: linking (default, propagated per route step), "
                  "station-linking (station departures split at random) or poisson")
      ->check(CLI::IsMember({"linking", "station-linking", "poisson"}));
  app->add_option("--superposition", opt->superposition,
                  "merging arrival streams: asymptotic (default, rate-weighted SCV mix) or hybrid "
                  "(Whitt's QNA hybrid)")
      ->check(CLI::IsMember({"asymptotic", "hybrid"}));
  app->add_flag("--no-priorities", opt->no_priorities, "one FCFS wait for every lot type");
  app->add_flag("--no-transport", opt->no_transport, "leave transport times out of cycle times");
  app->add_flag("--timing", opt->timing, "print load and analysis wall times to stderr");
  app->add_option("--pm-nesting", opt->pm_nesting, kPmNestingHelp);
  CLI::Option* json_opt = app->get_option("--json");
  add_sizing_options(app, opt->sizing);
  auto db = add_db_options(app);
  return [opt, json_opt, db]() {
    if (json_opt->count() > 0 && !check_output_file("capacity", "--json", opt->json_file))
      return kExitBadInput;
    if (!db_check(*db)) return kExitBadInput;
    analysis::CapacityOptions o;
    std::string why;
    if (!parse_curve(opt->curve, o.curve, why)) {
      std::fprintf(stderr, "%s\n", why.c_str());
      return kExitBadInput;
    }
    o.target_utilisation = opt->target;
    o.period_days = opt->period_days;
    o.batch_size = opt->batch == "min"    ? analysis::BatchSizeRule::Min
                   : opt->batch == "max"  ? analysis::BatchSizeRule::Max
                   : opt->batch == "mean" ? analysis::BatchSizeRule::MeanMinMax
                                          : analysis::BatchSizeRule::Auto;
    o.setup_state = parse_choice(model::kSetupStates, opt->setup_state);  // "model": none
    o.arrivals = opt->arrivals == "poisson"           ? analysis::ArrivalRule::Poisson
                 : opt->arrivals == "station-linking" ? analysis::ArrivalRule::StationLinking
                                                      : analysis::ArrivalRule::Linking;
    o.superposition = opt->superposition == "hybrid" ? analysis::SuperpositionRule::Hybrid
                                                     : analysis::SuperpositionRule::Asymptotic;
    o.priorities = !opt->no_priorities;
    o.transport = !opt->no_transport;
    bool nest_override = false;
    model::PmNesting nesting = model::PmNesting::Independent;
    if (!parse_pm_nesting(opt->pm_nesting, "capacity", nest_override, nesting))
      return kExitBadInput;
    model::WhatIf what_if;
    if (!parse_what_if(opt->scales, opt->tools, "capacity", what_if)) return kExitBadInput;
    // The global factor stays the analysis' nominal scale (options.scale, max_scale relative to
    // the model's own load); product factors and tool counts edit the model.
    o.scale = what_if.scale;
    model::WhatIf model_edit = what_if;
    model_edit.scale = 1.0;
    analysis::SizingOptions sizing;
    if (!check_sizing_options(opt->sizing, sizing)) return kExitBadInput;

    using Clock = std::chrono::steady_clock;
    const auto t0 = Clock::now();
    const std::clock_t c0 = std::clock();
    Diagnostics diags;
    auto factory = with_pm_nesting(io::load_factory(opt->path, diags), nest_override, nesting);
    if (!factory) {
      for (const auto& d : diags.items()) std::fprintf(stderr, "%s\n", d.to_string().c_str());
      if (diags.empty()) std::fprintf(stderr, "%s: cannot load\n", opt->path.c_str());
      return kExitBadInput;
    }
    factory = with_what_if(factory, model_edit, "capacity");
    if (!factory) return kExitBadInput;
    const auto t1 = Clock::now();
    const std::clock_t c1 = std::clock();
    const analysis::CapacityResult r = analysis::analyse(*factory, o);
    const auto t2 = Clock::now();
    const std::clock_t c2 = std::clock();
    if (opt->timing) {
      const auto ms = [](auto d) { return std::chrono::duration<double, std::milli>(d).count(); };
      const auto cpu = [](std::clock_t a, std::clock_t b) {
        return 1000.0 * static_cast<double>(b - a) / CLOCKS_PER_SEC;
      };
      std::fprintf(stderr,
                   "timing: load %.1f ms wall (%.1f ms CPU), analysis %.1f ms wall (%.1f ms CPU)\n",
                   ms(t1 - t0), cpu(c0, c1), ms(t2 - t1), cpu(c1, c2));
    }
    if (opt->sizing.size) {
      return run_sizing(*factory, o, r, opt->sizing, sizing, opt->json_file,
                        results::format_table(r, opt->top, &what_if), opt->top);
    }
    const std::string doc = results::to_json_text(r, &what_if);
    if (!opt->json_file.empty()) {
      if (!write_atomically(opt->json_file, doc, why)) {
        std::fprintf(stderr, "%s: %s\n", opt->json_file.c_str(), why.c_str());
        return kExitFailure;
      }
    }
    const std::string text = results::format_table(r, opt->top, &what_if);
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
    if (!db_record(*db, opt->path, 0, nlohmann::ordered_json::parse(doc))) return kExitFailure;
    return kExitOk;
  };
}

const Registrar reg{
    "capacity", "static capacity, bottlenecks, maximum start rate and operating curves", setup, 20};

}  // namespace
}  // namespace osatsim::cli
