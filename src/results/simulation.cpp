#include "results/simulation.h"

#include <fmt/format.h>

#include <cmath>
#include <string>
#include <utility>

#include "results/capacity.h"
#include "core/version.h"

namespace osatsim::results {

using nlohmann::json;

namespace {

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

}  // namespace

json summary_json(const engine::Summary& s) {
  return json{{"n", s.n},     {"mean", s.mean}, {"std", s.std}, {"p5", s.p5},  {"p50", s.p50},
              {"p90", s.p90}, {"p95", s.p95},   {"min", s.min}, {"max", s.max}};
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
                      {"busy", bounded_estimate_json(g.busy, 0.0, 1.0)},
                      {"setup", bounded_estimate_json(g.setup, 0.0, 1.0)},
                      {"down", bounded_estimate_json(g.down, 0.0, 1.0)},
                      {"pm", bounded_estimate_json(g.pm, 0.0, 1.0)},
                      {"mean_queue_hours", estimate_json(g.mean_queue_hours)}});
  return json{{"n", s.seeds.size()},
              {"seeds", s.seeds},
              {"wall_seconds", s.wall_seconds},
              {"wip_mean_lots", estimate_json(s.wip_mean_lots)},
              {"cqt_violation_pct", estimate_json(s.cqt_violation_pct)},
              {"lot_types", types},
              {"tool_groups", groups}};
}

json simulation_json(const engine::Results& r, const model::WhatIf& what_if) {
  json j;
  j["run"] = {{"model", r.model},
              {"days", r.days},
              {"simulated_days", r.simulated_days},
              {"warmup_days", r.warmup_days},
              {"seed", r.seed},
              {"dispatch", r.dispatch},
              {"pm_nesting", r.pm_nesting},
              {"idle_tool", r.idle_tool},
              {"wafer_pm_start", r.wafer_pm_start},
              {"lssu_switch", r.lssu_switch},
              {"setup_state", r.setup_state},
              {"wake", r.wake},
              {"cascade_setup", r.cascade_setup},
              {"wall_seconds", r.wall_seconds},
              {"events", r.events},
              {"lot_steps", r.lot_steps},
              {"peak_rss_mb", static_cast<double>(r.peak_rss_kb) / 1024.0},
              {"osatsim_version", kVersion}};
  // The what-if edits of the model (--scale, --tools), only when they change something.
  if (what_if.any()) j["what_if"] = json::parse(results::what_if_json_text(what_if));
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

}  // namespace osatsim::results
