#include "results/capacity.h"

#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "results/format.h"

namespace osatsim::results {

using namespace analysis;  // NOLINT: the result types it presents
namespace {

using nlohmann::json;

using format::fnum;
using format::num;
using format::pct;

json point_json(const CurvePoint& p) {
  json j;
  j["level"] = num(p.level);
  j["scale"] = num(p.scale);
  j["max_utilisation"] = num(p.max_utilisation);
  j["lots_per_day"] = num(p.lots_per_day);
  j["wafers_per_day"] = num(p.wafers_per_day);
  j["units_per_day"] = num(p.units_per_day);
  j["lots_out_per_day"] = num(p.lots_out_per_day);
  j["good_units_per_day"] = num(p.good_units_per_day);
  j["mean_cycle_time_days"] = num(p.mean_cycle_time_days);
  j["mean_cycle_time_factor"] = num(p.mean_cycle_time_factor);
  json ss = json::array();
  for (const auto& s : p.streams) {
    ss.push_back({{"name", s.name},
                  {"priority", s.priority},
                  {"lots_per_day", num(s.lots_per_day)},
                  {"wafers_per_day", num(s.wafers_per_day)},
                  {"units_per_day", num(s.units_per_day)},
                  {"lots_out_per_day", num(s.lots_out_per_day)},
                  {"good_units_per_day", num(s.good_units_per_day)},
                  {"raw_process_days", num(s.raw_process_days)},
                  {"raw_process_sampled_days", num(s.raw_process_sampled_days)},
                  {"cycle_time_days", num(s.cycle_time_days)},
                  {"queue_days", num(s.queue_days)},
                  {"transport_days", num(s.transport_days)},
                  {"cycle_time_factor", num(s.cycle_time_factor)}});
  }
  j["streams"] = std::move(ss);
  return j;
}

// "167 wafers/day, 67 units/day": wafers and units of unit-start products, never added.
std::string starts(double wafers, double units) {
  std::string s = fmt::format("{} wafers/day", fnum(wafers, 0));
  if (units > 0) s += fmt::format(", {} units/day of unit-start products", fnum(units, 0));
  return s;
}

json what_if_json(const model::WhatIf& w) {
  json ps = json::object();
  for (const auto& p : w.product_scales) ps[p.product] = p.factor;
  json tools = json::object();
  for (const auto& t : w.tools) tools[t.group] = model::to_string(t);
  return json{{"scale", w.scale}, {"product_scale", ps}, {"tools", tools}};
}

}  // namespace

std::string what_if_json_text(const model::WhatIf& w) {
  return what_if_json(w).dump();
}

std::string to_json_text(const CapacityResult& r, const model::WhatIf* what_if) {
  json j;
  j["factory"] = r.factory;
  if (what_if && what_if->any()) j["what_if"] = what_if_json(*what_if);
  const auto& o = r.options;
  j["options"] = {{"scale", o.scale},
                  {"target_utilisation", o.target_utilisation},
                  {"period_days", o.period_days},
                  {"batch_size", to_string(o.batch_size)},
                  {"setup_state", word_of(model::kSetupStates, o.setup_state.value_or(model::SetupState::Keep))},
                  {"arrivals", to_string(o.arrivals)},
                  {"superposition", to_string(o.superposition)},
                  {"priorities", o.priorities},
                  {"transport", o.transport},
                  {"curve", o.curve},
                  {"pm_nesting", model::to_string(r.pm_nesting())}};
  j["nominal_lots_per_day"] = num(r.nominal_lots_per_day);
  j["nominal_wafers_per_day"] = num(r.nominal_wafers_per_day);
  j["nominal_units_per_day"] = num(r.nominal_units_per_day);
  j["max_scale"] = num(r.max_scale);
  j["max_lots_per_day"] = num(r.max_scale * r.nominal_lots_per_day);
  j["max_wafers_per_day"] = num(r.max_scale * r.nominal_wafers_per_day);
  j["target_scale"] = num(r.target_scale);
  j["target_lots_per_day"] = num(r.target_scale * r.nominal_lots_per_day);
  j["max_units_per_day"] = num(r.max_scale * r.nominal_units_per_day);
  j["bottleneck"] = r.bottleneck >= 0 ? json(r.groups[r.bottleneck].name) : json(nullptr);
  json comps = json::array();
  for (const auto& c : r.components)
    comps.push_back({{"name", c.name},
                     {"draw_per_day", num(c.draw_per_day)},
                     {"supply_per_day", num(c.supply_per_day)},
                     {"supply_ends_days", num(c.supply_ends_days)},
                     {"initial_stock", num(c.initial_stock)},
                     {"max_scale", num(c.max_scale)},
                     {"stock_days", num(c.stock_days)}});
  j["components"] = std::move(comps);
  j["component_max_scale"] = num(r.component_max_scale);
  j["binding_component"] =
      r.binding_component >= 0 ? json(r.components[r.binding_component].name) : json(nullptr);
  json groups = json::array();
  for (const auto& g : r.groups) {
    groups.push_back({{"name", g.name},
                      {"area", g.area},
                      {"tools", g.tools},
                      {"is_delay", g.is_delay},
                      {"lot_visits_per_day", num(g.lot_visits_per_day)},
                      {"jobs_per_day", num(g.jobs_per_day)},
                      {"wafers_per_day", num(g.wafers_per_day)},
                      {"busy_hours_per_day", num(g.busy_hours_per_day)},
                      {"setup_hours_per_day", num(g.setup_hours_per_day)},
                      {"required_hours_per_day", num(g.required_hours_per_day)},
                      {"required_hours_per_period", num(g.required_hours_per_period)},
                      {"down_share", num(g.down_share)},
                      {"pm_share", num(g.pm_share)},
                      {"availability", num(g.availability)},
                      {"available_hours_per_day", num(g.available_hours_per_day)},
                      {"available_hours_per_period", num(g.available_hours_per_period)},
                      {"utilisation", num(g.utilisation)},
                      {"utilisation_of_total", num(g.utilisation_of_total)},
                      {"state_share", num(g.state_share)},
                      {"tools_needed", num(g.tools_needed)},
                      {"tools_needed_int", g.tools_needed_int},
                      {"max_scale", num(g.max_scale)},
                      {"t0_hours", num(g.t0)},
                      {"c02", num(g.c02)},
                      {"te_hours", num(g.te)},
                      {"ce2", num(g.ce2)},
                      {"ca2", num(g.ca2)},
                      {"wq_hours", num(g.wq_hours)}});
  }
  j["groups"] = std::move(groups);
  json ranking = json::array();
  for (auto id : r.ranking) ranking.push_back(r.groups[id].name);
  j["ranking"] = std::move(ranking);
  j["nominal"] = point_json(r.nominal);
  json curve = json::array();
  for (const auto& p : r.curve) curve.push_back(point_json(p));
  j["curve"] = std::move(curve);
  return j.dump(2) + "\n";
}

std::string format_table(const CapacityResult& r, int top, const model::WhatIf* what_if) {
  std::string s;
  const auto& o = r.options;
  s += fmt::format("Capacity of {}: {:.2f} lots/day released ({}) at scale {:g}\n", r.factory,
                   o.scale * r.nominal_lots_per_day,
                   starts(o.scale * r.nominal_wafers_per_day, o.scale * r.nominal_units_per_day),
                   o.scale);
  if (what_if && what_if->any()) s += model::describe(*what_if) + "\n";
  s += fmt::format(
      "assumptions: batch size {}, setup state {}, arrivals {} ({} superposition), priorities {}, "
      "PM calendars {}, period {:g} days\n\n",
      to_string(o.batch_size), word_of(model::kSetupStates, o.setup_state.value_or(model::SetupState::Keep)), to_string(o.arrivals),
      to_string(o.superposition), o.priorities ? "on" : "off", model::to_string(r.pm_nesting()),
      o.period_days);
  s += fmt::format("Bottlenecks (top {} of {} loaded groups)\n",
                   std::min<int>(top, r.ranking.size()), r.ranking.size());
  s += fmt::format("{:<4} {:<22} {:<12} {:>5} {:>9} {:>9} {:>7} {:>7} {:>7} {:>13} {:>7}\n", "rank",
                   "tool group", "area", "tools", "req h/d", "req h/per", "avail", "util", "of tot",
                   "need@tgt", "max x");
  int rank = 0;
  for (auto id : r.ranking) {
    if (rank >= top) break;
    const auto& g = r.groups[id];
    ++rank;
    s += fmt::format(
        "{:<4} {:<22} {:<12} {:>5} {:>9.1f} {:>9.0f} {:>7} {:>7} {:>7} {:>13} {:>7}\n", rank,
        g.name, g.area, g.tools, g.required_hours_per_day, g.required_hours_per_period,
        pct(g.availability), pct(g.utilisation), pct(g.utilisation_of_total),
        g.tools_needed_int >= 0 ? fmt::format("{} ({:.2f})", g.tools_needed_int, g.tools_needed)
                                : std::string("inf"),
        fnum(g.max_scale, 3));
  }
  s += "\n";
  if (r.bottleneck >= 0) {
    s += fmt::format("Maximum start rate: scale {} = {} lots/day ({}), bottleneck {}\n",
                     fnum(r.max_scale, 4), fnum(r.max_scale * r.nominal_lots_per_day, 2),
                     starts(r.max_scale * r.nominal_wafers_per_day,
                            r.max_scale * r.nominal_units_per_day),
                     r.groups[r.bottleneck].name);
    s += fmt::format("Start rate at {:.0f}% target utilisation: scale {} = {} lots/day\n\n",
                     100.0 * o.target_utilisation, fnum(r.target_scale, 4),
                     fnum(r.target_scale * r.nominal_lots_per_day, 2));
  } else {
    s += "No loaded tool group: the release plan is empty.\n\n";
  }
  bool any_kits = false;
  for (const auto& c : r.components) any_kits = any_kits || c.draw_per_day > 0;
  if (any_kits) {
    s += fmt::format("Components at scale {:g} (kit draws of the release plan against supply)\n",
                     o.scale);
    s += fmt::format("{:<22} {:>12} {:>12} {:>9} {:>12} {:>12}\n", "component", "draw/day",
                     "supply/day", "max x", "stock days", "supply ends");
    for (const auto& c : r.components) {
      if (c.draw_per_day <= 0) continue;
      s += fmt::format("{:<22} {:>12.1f} {:>12.1f} {:>9} {:>12} {:>12}\n", c.name, c.draw_per_day,
                       c.supply_per_day, fnum(c.max_scale, 3), fnum(c.stock_days, 1),
                       std::isfinite(c.supply_ends_days) ? fmt::format("day {:.0f}", c.supply_ends_days)
                                                         : std::string("-"));
    }
    if (r.binding_component >= 0 && r.component_max_scale < r.max_scale)
      s += fmt::format("Components bind before the tools: {} at scale {} (tools: {})\n",
                       r.components[r.binding_component].name, fnum(r.component_max_scale, 4),
                       fnum(r.max_scale, 4));
    s += "\n";
  }
  s += fmt::format("Cycle time per lot type at scale {:g} (most loaded group at {})\n", o.scale,
                   pct(r.nominal.max_utilisation));
  s += fmt::format("{:<18} {:>5} {:>8} {:>9} {:>9} {:>9} {:>8} {:>8} {:>8} {:>8} {:>7}\n",
                   "lot type", "prio", "lots/d", "wafers/d", "units/d", "good u/d", "lots out",
                   "RPT d", "queue d", "CT d", "CT/RPT");
  for (const auto& c : r.nominal.streams) {
    s += fmt::format("{:<18} {:>5} {:>8.3f} {:>9} {:>9} {:>9} {:>8.2f} {:>8.2f} {:>8} {:>8} {:>7}\n",
                     c.name, c.priority, c.lots_per_day,
                     c.wafers_per_day > 0 ? fnum(c.wafers_per_day, 1) : std::string("-"),
                     c.units_per_day > 0 ? fnum(c.units_per_day, 1) : std::string("-"),
                     c.good_units_per_day > 0 ? fnum(c.good_units_per_day, 0) : std::string("-"),
                     c.lots_out_per_day, c.raw_process_days, fnum(c.queue_days, 2),
                     fnum(c.cycle_time_days, 2), fnum(c.cycle_time_factor, 2));
  }
  s += fmt::format("{:<18} {:>5} {:>8.3f} {:>9} {:>9} {:>9} {:>8.2f} {:>8} {:>8} {:>8} {:>7}\n",
                   "all", "", r.nominal.lots_per_day,
                   r.nominal.wafers_per_day > 0 ? fnum(r.nominal.wafers_per_day, 1) : std::string("-"),
                   r.nominal.units_per_day > 0 ? fnum(r.nominal.units_per_day, 1) : std::string("-"),
                   r.nominal.good_units_per_day > 0 ? fnum(r.nominal.good_units_per_day, 0)
                                                    : std::string("-"),
                   r.nominal.lots_out_per_day, "", "", fnum(r.nominal.mean_cycle_time_days, 2),
                   fnum(r.nominal.mean_cycle_time_factor, 2));
  s += "RPT: raw process time, every step once (validate and simulate report the same); CT and "
       "the 'all' row are weighted by completed lots.\n\n";
  if (!r.curve.empty()) {
    s += "Operating curve (start rate as a fraction of the maximum)\n";
    s += fmt::format("{:>6} {:>8} {:>9} {:>10} {:>9} {:>9} {:>9} {:>7}\n", "level", "scale",
                     "lots/d", "wafers/d", "units/d", "max util", "CT d", "CT/RPT");
    for (const auto& p : r.curve) {
      s += fmt::format("{:>6} {:>8.4f} {:>9.2f} {:>10.0f} {:>9.0f} {:>9} {:>9} {:>7}\n",
                       pct(p.level), p.scale, p.lots_per_day, p.wafers_per_day, p.units_per_day,
                       pct(p.max_utilisation), fnum(p.mean_cycle_time_days, 2),
                       fnum(p.mean_cycle_time_factor, 2));
    }
  }
  return s;
}

}  // namespace osatsim::results
