// osatsim simulate: lot-by-lot discrete-event simulation of a factory (SMT2020 directory, YAML
// scenario or built-in name). Prints a compact table and writes DIR/summary.json (docs/results.md).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "cli/command.h"
#include "cli/model_options.h"
#include "cli/options.h"
#include "cli/output.h"
#include "cli/progress.h"
#include "cli/trace.h"
#include "cli/store_output.h"
#include "core/version.h"
#include "engine/engine.h"
#include "engine/options.h"
#include "engine/replications.h"
#include "io/load.h"
#include "results/simulation.h"

namespace osatsim::cli {
namespace {

using json = nlohmann::ordered_json;

struct SimArgs {
  std::string path;
  double days = 0;
  double warmup_days = 0;
  std::uint64_t seed = 0;
  std::string dispatch = "model";
  std::string out;
  std::int64_t max_wip = 0;
  double time_limit = 0;
  bool same_pm = false;
  bool stagger_wafer_pm = false;
  std::string idle_tool = "model";
  std::string wafer_pm_start = "model";
  std::string lssu_switch = "model";
  std::string setup_state = "model";
  std::string wake = "model";
  std::string cascade_setup = "model";
  bool reservation = false;
  double batch_wait_min = -1;
  double series_days = 7;
  std::string pm_nesting = "model";
  std::string initial_wip = "model";  // model | none
  double lssu_cover = 1.0;
  int lssu_refusals = 5;
  std::vector<std::string> scales;  // --scale F and --scale PRODUCT=F
  std::vector<std::string> tools;   // --tools GROUP=N and --tools GROUP=+N
  int replications = 1;
  int jobs = 0;  // 0 (not given): min(replications, hardware threads)
  bool out_given = false;
  std::string trace;         // --trace GROUP[,GROUP]
  std::string trace_window;  // --trace-window A:B
};

// Upper bounds of the numeric options (docs/cli.md, docs/errors.md).
inline constexpr double kMaxDays = 1e5;          // about 274 years
inline constexpr double kMaxBatchWaitMin = 1e6;  // about 694 days
inline constexpr double kMaxTimeLimitS = 1e7;    // about 116 days
inline constexpr long long kMaxWipLots = 1'000'000'000;

// The "CT WIP" column: the cycle time implied by the initial WIP, "-" without one.
std::string implied_ct_text(const engine::LotTypeKpi& t) {
  return t.wip_implied_lots > 0 ? fmt::format("{:.2f}", t.wip_implied_ct_days) : "-";
}

// "92.1 [75.1, 100.0]": the mean and its 95 % interval clipped to [lo, hi].
std::string bounded_text(const engine::Estimate& e, double lo, double hi, double scale = 1.0) {
  const engine::Interval iv = engine::clipped_ci(e, lo, hi);
  return fmt::format("{:.1f} [{:.1f}, {:.1f}]", scale * e.mean, scale * iv.lo, scale * iv.hi);
}

void warn_unstable(const engine::WipTrend& t, const std::string& which) {
  std::fprintf(stderr,
               "simulate: warning: unstable run%s: WIP grows over the KPI window (%.0f lots in "
               "its first quarter, %.0f in its last; trend %+.2f lots/day, %+.0f %% of the mean "
               "over %d days): the line does not carry this load, and cycle times and output are "
               "not steady-state figures\n",
               which.c_str(), t.first_quarter_lots, t.last_quarter_lots, t.slope_lots_per_day,
               100.0 * t.growth, t.days);
}

// Replications: means with 95 % confidence half-widths; shares and percentages with their
// interval clipped to the range they can take ("92.1 [75.1, 100.0]").
void print_replications(const std::vector<engine::Results>& runs,
                        const engine::ReplicationSummary& s, const std::string& what_if_line) {
  const engine::Results& first = runs.front();
  fmt::print(
      "{} | {:.0f} days (warm-up {:.0f}) | {} replications, seeds {}..{} | dispatch {} | "
      "{:.2f} s in total\n",
      first.model, first.simulated_days, first.warmup_days, s.seeds.size(), s.seeds.front(),
      s.seeds.back(), first.dispatch, s.wall_seconds);
  if (!what_if_line.empty()) fmt::print("{}\n", what_if_line);
  fmt::print("{:<16} {:>5} {:>17} {:>9} {:>16} {:>8} {:>20}\n", "lot type", "prio",
             "CT mean (95% CI)", "CT p95", "lots/day", "CT WIP", "ontime% [95% CI]");
  for (std::size_t i = 0; i < s.lot_types.size(); ++i) {
    const auto& t = s.lot_types[i];
    const std::string implied = implied_ct_text(first.lot_types[i]);
    fmt::print("{:<16} {:>5} {:>8.2f} ± {:<6.2f} {:>9.2f} {:>7.3f} ± {:<6.3f} {:>8} {:>20}\n",
               t.name, t.priority, t.ct_mean_days.mean, t.ct_mean_days.ci95, t.ct_p95_days.mean,
               t.throughput_per_day.mean, t.throughput_per_day.ci95, implied,
               bounded_text(t.on_time_pct, 0.0, 100.0));
  }
  // Packaging: good units per product and month, and per wafer, over the replications.
  if (first.packaging.present) {
    fmt::print("\n{:<16} {:>14} {:>22} {:>18}\n", "product", "wafers/month",
               "good units/month (CI)", "units per wafer");
    for (std::size_t p = 0; p < first.packaging.units_out_per_month.size(); ++p) {
      std::vector<double> units, upw, starts;
      for (const auto& r : runs) {
        const double window = r.simulated_days - r.warmup_days;
        units.push_back(r.packaging.units_out_per_month[p].second);
        upw.push_back(r.packaging.units_per_wafer[p].second);
        starts.push_back(window > 0 ? r.packaging.wafer_starts[p].second * 30.0 / window : 0.0);
      }
      const auto u = engine::estimate(units), w = engine::estimate(upw),
                 st = engine::estimate(starts);
      fmt::print("{:<16} {:>14} {:>22} {:>18}\n", first.packaging.units_out_per_month[p].first,
                 st.mean > 0 ? fmt::format("{:.0f}", st.mean) : "-",
                 fmt::format("{:.0f} ± {:.0f}", u.mean, u.ci95),
                 w.mean > 0 ? fmt::format("{:.2f} ± {:.2f}", w.mean, w.ci95) : "-");
    }
  }
  // Tool groups: the ten busiest by mean utilisation.
  std::vector<std::size_t> order(s.tool_groups.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return s.tool_groups[a].utilisation.mean > s.tool_groups[b].utilisation.mean;
  });
  fmt::print("\n{:<22} {:>5} {:>20} {:>20} {:>16}\n", "tool group (top 10)", "tools",
             "busy+setup% [95% CI]", "available% [95% CI]", "queue h (CI)");
  for (std::size_t k = 0; k < order.size() && k < 10; ++k) {
    const auto& g = s.tool_groups[order[k]];
    fmt::print("{:<22} {:>5} {:>20} {:>20} {:>16}\n", g.name, first.tool_groups[order[k]].tools,
               bounded_text(g.utilisation, 0.0, 1.0, 100.0),
               bounded_text(g.available, 0.0, 1.0, 100.0),
               fmt::format("{:.2f} ± {:.2f}", g.mean_queue_hours.mean, g.mean_queue_hours.ci95));
  }
  fmt::print("\nWIP mean {:.1f} ± {:.1f} lots; CQT violations {} of windows\n",
             s.wip_mean_lots.mean, s.wip_mean_lots.ci95,
             bounded_text(s.cqt_violation_pct, 0.0, 100.0) + " %");
}

// Packaging runs: what a planner asks first — good units shipped per product and month, the
// wafer starts behind them, and whether a component ran short.
void print_packaging(const engine::Results& r) {
  const double window_days = r.simulated_days - r.warmup_days;
  const double per_month = window_days > 0 ? 30.0 / window_days : 0.0;
  // Units per wafer: good units shipped over the wafers those units came from (a wafer counts
  // once its units ship), so that WIP still in the line does not read as yield loss.
  fmt::print("\n{:<16} {:>14} {:>16} {:>16}\n", "product", "wafers/month", "good units/month",
             "units per wafer");
  const auto& pkg = r.packaging;
  for (std::size_t i = 0; i < pkg.units_out_per_month.size(); ++i) {
    const auto& [name, units] = pkg.units_out_per_month[i];
    const double wafers = pkg.wafer_starts[i].second * per_month;
    const double upw = pkg.units_per_wafer[i].second;
    fmt::print("{:<16} {:>14} {:>16.0f} {:>16}\n", name,
               wafers > 0 ? fmt::format("{:.0f}", wafers) : "-", units,
               upw > 0 ? fmt::format("{:.2f}", upw) : "-");
  }
  std::int64_t stockouts = 0;
  std::string short_of;
  for (const auto& c : r.packaging.components) {
    if (c.stockouts == 0) continue;
    stockouts += c.stockouts;
    short_of += (short_of.empty() ? "" : ", ") + c.name;
  }
  if (stockouts == 0) {
    fmt::print("components: no stock-outs ({} components)\n", r.packaging.components.size());
  } else {
    fmt::print("components: {} stock-outs ({})\n", stockouts, short_of);
  }
}

void print_table(const engine::Results& r, const std::string& what_if_line) {
  fmt::print("{} | {:.0f} days (warm-up {:.0f}) | seed {} | dispatch {} | {:.2f} s, {} events\n",
             r.model, r.simulated_days, r.warmup_days, r.seed, r.dispatch, r.wall_seconds,
             r.events);
  if (!what_if_line.empty()) fmt::print("{}\n", what_if_line);
  // "CT WIP": the cycle time implied by the initial WIP (engine::wip_implied_cycle_time).
  // "released" counts the lots started; "split+" the assembly lots made from them by splits at
  // transform steps (whole run); "done" counts completed lots of both kinds.
  fmt::print("{:<16} {:>5} {:>8} {:>7} {:>8} {:>9} {:>8} {:>8} {:>8} {:>8} {:>6} {:>7} {:>6}\n",
             "lot type", "prio", "released", "split+", "done", "lots/day", "rel/day", "CT mean",
             "CT p95", "CT WIP", "CTF", "ontime%", "CQTvio");
  std::int64_t splits = 0;
  for (const auto& t : r.lot_types) {
    const std::string implied = implied_ct_text(t);
    splits += t.split_children;
    fmt::print(
        "{:<16} {:>5} {:>8} {:>7} {:>8} {:>9.3f} {:>8.3f} {:>8.2f} {:>8.2f} {:>8} {:>6.2f} "
        "{:>7.1f} {:>6}\n",
        t.name, t.priority, t.released, t.split_children, t.completed, t.throughput_per_day,
        t.release_rate_per_day, t.cycle_time_days.mean, t.cycle_time_days.p95, implied, t.ct_factor,
        t.on_time_pct, t.cqt_violations);
  }
  if (splits > 0)
    fmt::print(
        "(released: lots started, split+: assembly lots split from them at transform steps, "
        "both over the whole run; done, lots/day and CT: completed lots of both kinds in the "
        "KPI window; rel/day: released lots)\n");
  if (r.packaging.present) print_packaging(r);
  std::vector<const engine::ToolGroupKpi*> g;
  for (const auto& x : r.tool_groups) g.push_back(&x);
  std::stable_sort(g.begin(), g.end(),
                   [](auto* a, auto* b) { return a->busy + a->setup > b->busy + b->setup; });
  fmt::print("\n{:<22} {:>5} {:>6} {:>6} {:>6} {:>6} {:>6} {:>9}\n", "tool group (top 10)", "tools",
             "busy%", "setup%", "down%", "pm%", "idle%", "queue h");
  for (std::size_t i = 0; i < g.size() && i < 10; ++i) {
    const auto& x = *g[i];
    fmt::print("{:<22} {:>5} {:>6.1f} {:>6.1f} {:>6.1f} {:>6.1f} {:>6.1f} {:>9.2f}\n", x.name,
               x.tools, 100 * x.busy, 100 * x.setup, 100 * x.down, 100 * x.pm, 100 * x.idle,
               x.mean_queue_hours);
  }
  fmt::print("\nWIP mean {:.1f} lots; in fab at end {}; CQT violations {} of {} windows\n",
             r.mean_wip_lots, r.lots_in_fab_end, r.cqt_violations, r.cqt_windows);
}

// DIR/summary.json and, with --trace, DIR/trace.json (each written atomically).
bool write_outputs(const std::string& dir, const json& out, const TraceRecorder* trace,
                   double end_day) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(dir, ec);
  std::vector<std::pair<fs::path, std::string>> files = {{fs::path(dir) / "summary.json", results::summary_text(out)}};
  if (trace) files.emplace_back(fs::path(dir) / "trace.json", trace->to_json(end_day).dump(1) + "\n");
  for (const auto& [path, text] : files) {
    std::string why;
    if (!write_atomically(path.string(), text, why)) {
      std::fprintf(stderr, "simulate: %s\n", why.c_str());
      return false;
    }
    if (!common_options().quiet) fmt::print("wrote {}\n", path.string());
  }
  return true;
}

int run(const SimArgs& a, DbTarget& db) {
  bool bad = false;
  engine::Options o;
  o.days = a.days;
  o.warmup_days = a.warmup_days;
  o.seed = a.seed;
  o.max_wip_lots = a.max_wip;
  o.time_limit_seconds = a.time_limit;
  o.stagger_first_pm = !a.same_pm;
  // Checked against the same tables while parsing (setup()); "model": none.
  o.idle_tool = parse_choice(engine::kIdleTools, a.idle_tool);
  o.wafer_pm_start = a.stagger_wafer_pm ? engine::WaferPmStart::Staggered
                                        : parse_choice(engine::kWaferPmStarts, a.wafer_pm_start);
  o.lssu_switch = parse_choice(engine::kLssuSwitches, a.lssu_switch);  // "model": none
  o.setup_state = parse_choice(engine::kSetupStates, a.setup_state);
  o.wake = parse_choice(engine::kWakeRules, a.wake);
  o.cascade_setup = parse_choice(engine::kCascadeSetups, a.cascade_setup);
  o.super_hot_reservation = a.reservation;
  if (a.batch_wait_min >= 0) o.batch_max_wait = minutes(a.batch_wait_min);
  o.series_days = a.series_days;
  o.lssu_cover = a.lssu_cover;
  o.lssu_refusals = a.lssu_refusals;
  if (!engine::parse_dispatch_rule(a.dispatch, o.dispatch)) {
    std::fprintf(stderr, "simulate: --dispatch: unknown rule '%s' (%s)\n", a.dispatch.c_str(),
                 choice_list(engine::kDispatchRules).c_str());
    bad = true;
  }
  bool nest_override = false;
  model::PmNesting nesting = model::PmNesting::Independent;
  if (!parse_pm_nesting(a.pm_nesting, "simulate", nest_override, nesting)) bad = true;
  model::WhatIf what_if;
  if (!parse_what_if(a.scales, a.tools, "simulate", what_if)) bad = true;
  // Ranges and types of the numeric options are checked while parsing (setup()); what remains
  // are the relations between options and the output directory.
  if (a.warmup_days >= a.days) {
    std::fprintf(stderr, "simulate: --warmup-days: %g is not less than --days %g\n", a.warmup_days,
                 a.days);
    bad = true;
  }
  if (a.out_given && !check_output_dir("simulate", "--out", a.out)) bad = true;
  if (!a.trace.empty() && (a.replications != 1 || !a.out_given)) {
    std::fprintf(stderr, "simulate: --trace: needs --out DIR (trace.json goes there) and one "
                         "replication\n");
    bad = true;
  }
  if (a.trace.empty() && !a.trace_window.empty()) {
    std::fprintf(stderr, "simulate: --trace-window: needs --trace GROUP[,GROUP]\n");
    bad = true;
  }
  if (!db_check(db)) bad = true;
  if (bad) return kExitBadInput;

  Diagnostics diags;
  auto factory = with_pm_nesting(io::load_factory(a.path, diags), nest_override, nesting);
  if (!factory) {
    for (const auto& d : diags.items()) std::fprintf(stderr, "%s\n", d.to_string().c_str());
    if (diags.empty()) std::fprintf(stderr, "%s: cannot load the factory\n", a.path.c_str());
    return kExitBadInput;
  }
  factory = with_what_if(factory, what_if, "simulate");
  if (!factory) return kExitBadInput;
  if (a.initial_wip == "none" && !factory->initial_wip.empty()) {
    auto empty = std::make_shared<model::Factory>(*factory);
    empty->initial_wip.clear();  // an empty fab at time 0
    factory = empty;
  }
  TraceRequest trace_req;
  if (!a.trace.empty() &&
      !parse_trace(a.trace, a.trace_window, *factory, a.warmup_days, a.days, trace_req))
    return kExitBadInput;
  std::unique_ptr<TraceRecorder> trace;
  if (!a.trace.empty()) {
    trace = std::make_unique<TraceRecorder>(*factory, trace_req);
    o.observer = trace.get();
  }
  int jobs = a.jobs;
  if (jobs == 0)
    jobs = std::min(a.replications,
                    static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
  ProgressLine progress("simulate", "days", a.days * a.replications);
  o.on_day = [&progress](double) { progress.add(1); };
  const std::vector<engine::Results> runs =
      engine::simulate_replications(*factory, o, a.replications, jobs);
  progress.finish();
  for (const auto& x : runs) {
    if (x.status != engine::RunStatus::Ok) {
      // The engine names its option; the command line names the flag that set it.
      const char* flag = x.status == engine::RunStatus::WipLimit ? "--max-wip" : "--time-limit";
      std::fprintf(stderr, "simulate: run stopped (seed %llu, %s): %s\n",
                   static_cast<unsigned long long>(x.seed), flag, x.message.c_str());
      return kExitFailure;
    }
  }
  const engine::Results& r = runs.front();
  json out = results::simulation_json(r, what_if);
  // Stability: does the WIP settle over the KPI window? (docs/results.md, "Stability")
  int unstable = 0;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const engine::WipTrend t = engine::wip_trend(runs[i]);
    if (i == 0) {
      out["wip"]["stable"] = t.stable;
      out["wip"]["trend"] = results::stability_json(t);
    }
    if (t.stable) continue;
    ++unstable;
    warn_unstable(t, runs.size() > 1 ? fmt::format(" (seed {})", runs[i].seed) : std::string());
  }
  const std::string what_if_line = model::describe(what_if);
  if (runs.size() > 1) {
    const engine::ReplicationSummary sum = engine::summarize(runs);
    if (!common_options().quiet) print_replications(runs, sum, what_if_line);
    out["replications"] = results::replications_json(sum);
    out["replications"]["unstable"] = unstable;
  } else {
    if (!common_options().quiet) print_table(r, what_if_line);
  }
  if (a.out_given && !write_outputs(a.out, out, trace.get(), r.simulated_days)) return kExitFailure;
  if (!db_record(db, a.path, a.seed, out)) return kExitFailure;  // the results store
  return kExitOk;
}

Runner setup(CLI::App* app) {
  auto a = std::make_shared<SimArgs>();
  app->add_option("path", a->path, "SMT2020 directory, YAML scenario, or built-in scenario name")
      ->required();
  app->add_option("--days", a->days, "simulated days, in (0, 100000]")
      ->required()
      ->check(finite_range(0, kMaxDays, "days", true));
  app->add_option("--seed", a->seed, "random seed (default 0)")->check(seed_value());
  app->add_option("--warmup-days", a->warmup_days,
                  "KPIs count after this many days (default 0; less than --days)")
      ->check(finite_range(0, kMaxDays, "days"));
  app->add_option("--dispatch", a->dispatch,
                  "dispatching: " + choice_help(engine::kDispatchRules, {engine::DispatchRule::Model}));
  CLI::Option* out = app->add_option(
      "--out", a->out, "directory for summary.json (made if missing; checked before the run)");
  app->add_option("--max-wip", a->max_wip,
                  "stop (exit 1) when more lots are in the fab (0: no limit)")
      ->check(whole_range(0, kMaxWipLots, "lots"));
  app->add_option("--time-limit", a->time_limit,
                  "stop (exit 1) after this many wall seconds (0: no limit)")
      ->check(finite_range(0, kMaxTimeLimitS, "seconds"));
  app->add_flag("--same-pm", a->same_pm,
                "first calendar PM of every tool of a group at the same instant (default: "
                "staggered, tool k of N at FOA*k/N)");
  auto* wafer_pm = add_reading_option(app, "--wafer-pm-start", a->wafer_pm_start,
                                      engine::kWaferPmStarts,
                                      "each tool's first wafer-count PM threshold", "staggered",
                                      "same");
  app->add_flag("--stagger-wafer-pm", a->stagger_wafer_pm,
                "the same as --wafer-pm-start staggered")
      ->excludes(wafer_pm);
  add_reading_option(app, "--idle-tool", a->idle_tool, engine::kIdleTools,
                     "which idle tool takes an arriving lot when several could (after the "
                     "group's wake rule)",
                     "random", "first");
  add_reading_option(app, "--lssu-switch", a->lssu_switch, engine::kLssuSwitches,
                     "when a setup-run (LSSU) tool changes gas", "refuse", "immediate");
  add_reading_option(app, "--setup-state", a->setup_state, engine::kSetupStates,
                     "a tool's setup state after a step without setup", "reset", "keep");
  add_reading_option(app, "--wake", a->wake, engine::kWakeRules,
                     "which idle tool takes an arriving lot on groups with the least-setup wake "
                     "rule",
                     "none", "least-setup");
  add_reading_option(app, "--cascade-setup", a->cascade_setup, engine::kCascadeSetups,
                     "when a cascading tool's setup may run", "overlap", "after");
  app->add_flag("--super-hot-reservation", a->reservation,
                "reserve a tool at the next step of super hot lots");
  app->add_option("--trace", a->trace,
                  "record the jobs and outages of these tool groups' tools (GROUP[,GROUP]) into "
                  "DIR/trace.json, drawn as a Gantt chart by osatsim report");
  app->add_option("--trace-window", a->trace_window,
                  "the days traced, A:B (default: the first day after the warm-up)");
  app->add_option("--series-days", a->series_days,
                  "tool-state shares of every tool group per period of this many days after the "
                  "warm-up, in summary.json's tool_group_series (default 7; 0: none)")
      ->check(finite_range(0, kMaxDays, "days"));
  app->add_option("--batch-max-wait", a->batch_wait_min,
                  "minutes a partial batch (>= min) may wait for more lots (default: model, 0)")
      ->check(finite_range(0, kMaxBatchWaitMin, "minutes"));
  app->add_option("--pm-nesting", a->pm_nesting, kPmNestingHelp);
  app->add_option("--lssu-cover", a->lssu_cover,
                  "with --lssu-switch group-aware or clear-time: a tool changes gas only when more "
                  "than F x MINRUN lots of the wanted gas wait per tool already in it (group-aware), "
                  "or when their mean lot times per such tool exceed F x the setup time "
                  "(clear-time) (default 1), F in [0, 100]")
      ->check(finite_range(0, 100, "a factor"));
  app->add_option("--lssu-refusals", a->lssu_refusals,
                  "with --lssu-switch refuse: decisions in a row a tool refuses lots of another gas "
                  "before it accepts them (default 5), 0 to 1000")
      ->check(CLI::Range(0, 1000));
  app->add_option("--initial-wip", a->initial_wip,
                  "the model's initial WIP at time 0: model (default) or none (an empty fab)")
      ->check(CLI::IsMember({"model", "none"}));
  app->add_option("--scale", a->scales, kScaleHelp)->allow_extra_args(false);
  app->add_option("--tools", a->tools, kToolsHelp)->allow_extra_args(false);
  app->add_option("--replications", a->replications,
                  "independent replications, seeds SEED, SEED+1, ... (default 1); summary.json "
                  "keeps the first in full and adds 'replications' (means, 95 % CIs)")
      ->check(whole_range(1, 10000));
  app->add_option("--jobs", a->jobs,
                  "replications run at once, 1..1024 (default: min(replications, hardware "
                  "threads))")
      ->check(whole_range(1, 1024));
  auto db = add_db_options(app);
  return [a, out, db] {
    a->out_given = out->count() > 0;
    return run(*a, *db);
  };
}

const Registrar reg{"simulate", "discrete-event simulation of a factory (lot by lot)", setup, 30};

}  // namespace
}  // namespace osatsim::cli
