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

#include "analysis/report.h"
#include "cli/command.h"
#include "cli/model_options.h"
#include "cli/options.h"
#include "cli/output.h"
#include "cli/progress.h"
#include "cli/store_output.h"
#include "cli/trace.h"
#include "core/version.h"
#include "engine/engine.h"
#include "engine/options.h"
#include "engine/replications.h"
#include "io/load.h"

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
  std::string idle_tool = "first";
  std::string lssu_switch = "immediate";
  bool reservation = false;
  double batch_wait_min = -1;
  double series_days = 7;
  std::string pm_nesting = "model";
  std::string initial_wip = "model";  // model | none
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

json summary_json(const engine::Summary& s) {
  return json{{"n", s.n},     {"mean", s.mean}, {"std", s.std}, {"p5", s.p5},  {"p50", s.p50},
              {"p90", s.p90}, {"p95", s.p95},   {"min", s.min}, {"max", s.max}};
}

// The "CT WIP" column: the cycle time implied by the initial WIP, "-" without one.
std::string implied_ct_text(const engine::LotTypeKpi& t) {
  return t.wip_implied_lots > 0 ? fmt::format("{:.2f}", t.wip_implied_ct_days) : "-";
}

json estimate_json(const engine::Estimate& e) {
  return json{{"n", e.n},       {"mean", e.mean}, {"std", e.std},
              {"ci95", e.ci95}, {"min", e.min},   {"max", e.max}};
}

// A share or percentage: the interval is also given clipped to [lo, hi] (docs/results.md).
json bounded_estimate_json(const engine::Estimate& e, double lo, double hi) {
  json j = estimate_json(e);
  const engine::Interval iv = engine::clipped_ci(e, lo, hi);
  j["ci95_low"] = iv.lo;
  j["ci95_high"] = iv.hi;
  return j;
}

// "92.1 [75.1, 100.0]": the mean and its 95 % interval clipped to [lo, hi].
std::string bounded_text(const engine::Estimate& e, double lo, double hi, double scale = 1.0) {
  const engine::Interval iv = engine::clipped_ci(e, lo, hi);
  return fmt::format("{:.1f} [{:.1f}, {:.1f}]", scale * e.mean, scale * iv.lo, scale * iv.hi);
}

// Stability of the WIP over the KPI window (engine::wip_trend, docs/results.md "Stability").
json stability_json(const engine::WipTrend& t) {
  return json{{"judged", t.judged},
              {"window_days", t.days},
              {"mean_lots", t.mean_lots},
              {"slope_lots_per_day", t.slope_lots_per_day},
              {"growth_over_window", t.growth},
              {"first_quarter_mean_lots", t.first_quarter_lots},
              {"last_quarter_mean_lots", t.last_quarter_lots}};
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

json replications_json(const engine::ReplicationSummary& s) {
  json types = json::array();
  for (const auto& t : s.lot_types)
    types.push_back({{"name", t.name},
                     {"priority", t.priority},
                     {"ct_mean_days", estimate_json(t.ct_mean_days)},
                     {"ct_p95_days", estimate_json(t.ct_p95_days)},
                     {"throughput_per_day", estimate_json(t.throughput_per_day)},
                     {"on_time_pct", bounded_estimate_json(t.on_time_pct, 0.0, 100.0)}});
  json groups = json::array();
  for (const auto& g : s.tool_groups)
    groups.push_back({{"name", g.name},
                      {"utilisation", bounded_estimate_json(g.utilisation, 0.0, 1.0)},
                      {"available", bounded_estimate_json(g.available, 0.0, 1.0)},
                      {"mean_queue_hours", estimate_json(g.mean_queue_hours)}});
  return json{{"n", s.seeds.size()},
              {"seeds", s.seeds},
              {"wall_seconds", s.wall_seconds},
              {"wip_mean_lots", estimate_json(s.wip_mean_lots)},
              {"cqt_violation_pct", estimate_json(s.cqt_violation_pct)},
              {"lot_types", types},
              {"tool_groups", groups}};
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

// The tool-state series (docs/results.md "tool_group_series"): per group, one share per period
// and state, rounded to 1e-4 (a chart's resolution; the KPIs keep full precision).
json state_series_json(const engine::Results& r) {
  const engine::StateSeries& s = r.state_series;
  const auto round4 = [](double x) { return std::round(x * 1e4) / 1e4; };
  json groups = json::array();
  static constexpr const char* kNames[5] = {"busy", "setup", "down", "pm", "idle"};
  for (std::size_t gi = 0; gi < s.shares.size() && gi < r.tool_groups.size(); ++gi) {
    json g = {{"name", r.tool_groups[gi].name}};
    for (int k = 0; k < 5; ++k) {
      json v = json::array();
      for (const auto& p : s.shares[gi]) v.push_back(round4(p[k]));
      g[kNames[k]] = std::move(v);
    }
    groups.push_back(std::move(g));
  }
  json start = json::array(), length = json::array();
  for (double d : s.start_day) start.push_back(round4(d));
  for (double d : s.length_days) length.push_back(round4(d));
  return {{"period_days", s.period_days},
          {"start_day", std::move(start)},
          {"length_days", std::move(length)},
          {"groups", std::move(groups)}};
}

// The packaging part of summary.json: good units, wafer starts, step yields, components,
// part cycle times and the conservation of wafers and units.
json packaging_json(const engine::Results& r) {
  const auto& p = r.packaging;
  json pk;
  json upm = json::object(), ws = json::object();
  for (const auto& [n, v] : p.units_out_per_month) upm[n] = v;
  for (const auto& [n, v] : p.wafer_starts) ws[n] = v;
  pk["good_units_per_month"] = upm;
  pk["wafer_starts"] = ws;
  // Good units per wafer over the wafers whose units shipped in the window (not over starts).
  json uw = json::object(), upw = json::object();
  for (const auto& [n, v] : p.units_out_wafers) uw[n] = v;
  for (const auto& [n, v] : p.units_per_wafer) upw[n] = v;
  pk["wafers_of_units_out"] = uw;
  pk["good_units_per_wafer"] = upw;
  json ys = json::array();
  for (const auto& y : p.step_yields)
    ys.push_back({{"route", y.route},
                  {"step", y.step},
                  {"in", y.in},
                  {"out", y.out},
                  {"yield", y.in > 0 ? y.out / y.in : 1.0}});
  pk["step_yields"] = ys;
  json comps = json::array();
  for (const auto& c : p.components)
    comps.push_back({{"name", c.name},
                     {"initial_stock", c.initial_stock},
                     {"delivered", c.delivered},
                     {"consumed", c.consumed},
                     {"final_stock", c.final_stock},
                     {"stockouts", c.stockouts},
                     {"starved_lot_hours", c.starved_lot_hours}});
  pk["components"] = comps;
  pk["wafer_part_cycle_time_days"] = summary_json(p.wafer_part_ct_days);
  pk["unit_part_cycle_time_days"] = summary_json(p.unit_part_ct_days);
  pk["conservation"] = {
      {"wafers_released", p.wafers_released}, {"wafers_scrapped", p.wafers_scrapped},
      {"wafers_out", p.wafers_out},           {"wafers_transformed", p.wafers_transformed},
      {"wafers_in_fab", p.wafers_in_fab},     {"units_created", p.units_created},
      {"units_scrapped", p.units_scrapped},   {"units_out", p.units_out},
      {"units_in_fab", p.units_in_fab}};
  return pk;
}

json to_json(const engine::Results& r, const model::WhatIf& what_if) {
  json j;
  j["run"] = {{"model", r.model},
              {"days", r.days},
              {"simulated_days", r.simulated_days},
              {"warmup_days", r.warmup_days},
              {"seed", r.seed},
              {"dispatch", r.dispatch},
              {"pm_nesting", r.pm_nesting},
              {"idle_tool", r.idle_tool},
              {"lssu_switch", r.lssu_switch},
              {"wall_seconds", r.wall_seconds},
              {"events", r.events},
              {"lot_steps", r.lot_steps},
              {"peak_rss_mb", static_cast<double>(r.peak_rss_kb) / 1024.0},
              {"osatsim_version", kVersion}};
  // The what-if edits of the model (--scale, --tools), only when they change something.
  if (what_if.any()) j["what_if"] = json::parse(analysis::what_if_json_text(what_if));
  json types = json::array();
  for (const auto& t : r.lot_types) {
    types.push_back({{"name", t.name},
                     {"product", t.product},
                     {"priority", t.priority},
                     {"initial_wip_implied_ct_days",
                      t.wip_implied_lots > 0 ? json(t.wip_implied_ct_days) : json(nullptr)},
                     {"initial_wip_implied_lots", t.wip_implied_lots},
                     {"release_rate_per_day", t.release_rate_per_day},
                     {"released", t.released},
                     {"initial_wip", t.initial_wip},
                     {"completed", t.completed},
                     {"completed_total", t.completed_total},
                     {"scrapped_total", t.scrapped_total},
                     {"split_children", t.split_children},
                     {"in_fab_end", t.in_fab_end},
                     {"throughput_per_day", t.throughput_per_day},
                     {"wafers_out", t.wafers_out},
                     {"units_out", t.units_out},
                     {"cycle_time_days", summary_json(t.cycle_time_days)},
                     {"rpt_days", t.rpt_days},
                     {"rpt_sampled_days", t.rpt_sampled_days},
                     {"ct_factor", t.ct_factor},
                     {"on_time_pct", t.on_time_pct},
                     {"mean_tardiness_days", t.mean_tardiness_days},
                     {"cqt_windows", t.cqt_windows},
                     {"cqt_violations", t.cqt_violations}});
  }
  j["lot_types"] = types;
  json groups = json::array();
  for (const auto& g : r.tool_groups) {
    groups.push_back({{"name", g.name},
                      {"area", g.area},
                      {"tools", g.tools},
                      {"busy", g.busy},
                      {"setup", g.setup},
                      {"down", g.down},
                      {"pm", g.pm},
                      {"idle", g.idle},
                      {"jobs", g.jobs},
                      {"lot_starts", g.lot_starts},
                      {"batches", g.batches},
                      {"mean_batch_fill", g.mean_batch_fill},
                      {"setups", g.setups},
                      {"pms", g.pms},
                      {"pms_absorbed", g.pms_absorbed},
                      {"mean_queue_hours", g.mean_queue_hours},
                      {"max_parallel", g.max_parallel}});
  }
  j["tool_groups"] = groups;
  j["wip"] = {{"mean_lots", r.mean_wip_lots},
              {"lots_in_fab_end", r.lots_in_fab_end},
              {"lots_per_day", r.wip_per_day}};
  j["flow_per_day"] = {{"starts", r.starts_per_day}, {"outs", r.outs_per_day}};
  if (r.state_series.period_days > 0) j["tool_group_series"] = state_series_json(r);
  json areas = json::array();
  for (const auto& a : r.cqt_by_area)
    areas.push_back({{"area", a.area}, {"windows", a.windows}, {"violations", a.violations}});
  j["cqt"] = {{"windows", r.cqt_windows}, {"violations", r.cqt_violations}, {"by_area", areas}};
  j["totals"] = {{"initial_wip_lots", r.initial_wip_lots},
                 {"lots_released", r.lots_released},
                 {"lots_split_children", r.lots_split_children},
                 {"lots_completed", r.lots_completed},
                 {"lots_scrapped", r.lots_scrapped},
                 {"lots_in_fab_end", r.lots_in_fab_end},
                 {"rework_passes", r.rework_passes},
                 {"skipped_steps", r.skipped_steps}};
  if (r.packaging.present) j["packaging"] = packaging_json(r);
  return j;
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

// summary.json's text: indented, except the long series (the tool-state series, the daily flows
// and WIP), each written on one line so that the file stays readable and small.
std::string summary_text(json out) {
  std::string tail;
  for (const char* key : {"flow_per_day", "tool_group_series"}) {
    if (!out.contains(key)) continue;
    tail += fmt::format(",\n  \"{}\": {}", key, out[key].dump());
    out.erase(key);
  }
  std::string text = out.dump(2);
  text.insert(text.size() - 2, tail);  // before "\n}"
  return text + "\n";
}

// DIR/summary.json and, with --trace, DIR/trace.json (each written atomically).
bool write_outputs(const std::string& dir, const json& out, const TraceRecorder* trace,
                   double end_day) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(dir, ec);
  std::vector<std::pair<fs::path, std::string>> files = {{fs::path(dir) / "summary.json", summary_text(out)}};
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
  o.stagger_first_wafer_pm = a.stagger_wafer_pm;
  // Checked against the same tables while parsing (setup()).
  o.idle_tool = parse_choice(engine::kIdleTools, a.idle_tool).value_or(o.idle_tool);
  o.lssu_switch = parse_choice(engine::kLssuSwitches, a.lssu_switch).value_or(o.lssu_switch);
  o.super_hot_reservation = a.reservation;
  if (a.batch_wait_min >= 0) o.batch_max_wait = minutes(a.batch_wait_min);
  o.series_days = a.series_days;
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
  if (!db_check(db)) bad = true;
  if (!a.trace.empty() && (a.replications != 1 || !a.out_given)) {
    std::fprintf(stderr, "simulate: --trace: needs --out DIR (trace.json goes there) and one "
                         "replication\n");
    bad = true;
  }
  if (a.trace.empty() && !a.trace_window.empty()) {
    std::fprintf(stderr, "simulate: --trace-window: needs --trace GROUP[,GROUP]\n");
    bad = true;
  }
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
  json out = to_json(r, what_if);
  // Stability: does the WIP settle over the KPI window? (docs/results.md, "Stability")
  int unstable = 0;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const engine::WipTrend t = engine::wip_trend(runs[i]);
    if (i == 0) {
      out["wip"]["stable"] = t.stable;
      out["wip"]["trend"] = stability_json(t);
    }
    if (t.stable) continue;
    ++unstable;
    warn_unstable(t, runs.size() > 1 ? fmt::format(" (seed {})", runs[i].seed) : std::string());
  }
  const std::string what_if_line = model::describe(what_if);
  if (runs.size() > 1) {
    const engine::ReplicationSummary sum = engine::summarize(runs);
    if (!common_options().quiet) print_replications(runs, sum, what_if_line);
    out["replications"] = replications_json(sum);
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
  app->add_flag("--stagger-wafer-pm", a->stagger_wafer_pm,
                "first wafer-count PM of tool k of N after FOA*k/N wafers (default: FOA for every "
                "tool)");
  app->add_option("--idle-tool", a->idle_tool,
                  "which idle tool takes an arriving lot when several could (after the group's "
                  "wake rule): " + choice_help(engine::kIdleTools, {engine::IdleTool::First}))
      ->check(CLI::IsMember(choice_words(engine::kIdleTools)));
  app->add_option("--lssu-switch", a->lssu_switch,
                  "when a setup-run (LSSU) tool changes gas: " +
                      choice_help(engine::kLssuSwitches, {engine::LssuSwitch::Immediate}))
      ->check(CLI::IsMember(choice_words(engine::kLssuSwitches)));
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
