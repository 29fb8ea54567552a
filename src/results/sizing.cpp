// Presentation of a SizingResult (docs/capacity.md §7).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "results/capacity.h"
#include "results/format.h"
#include "results/sizing.h"

namespace osatsim::results {

using namespace analysis;  // NOLINT: the result types it presents
namespace {

using nlohmann::json;

using format::fnum;
using format::num;
using format::pct;

std::string money(double v) {
  if (!std::isfinite(v)) return "inf";
  if (std::abs(v - std::round(v)) < 1e-9) return fmt::format("{:.0f}", v);
  return fmt::format("{:.2f}", v);
}

json to_json(const SizingResult& r) {
  json j;
  j["reachable"] = r.reachable;
  j["reason"] = r.reason;
  j["cost_rule"] = r.cost_rule;
  j["tools_added"] = r.tools_added;
  j["total_cost"] = num(r.total_cost);
  j["iterations"] = r.iterations;
  j["evaluations"] = r.evaluations;
  j["excess_before"] = num(r.excess_before);
  j["excess_after"] = num(r.excess_after);
  json gs = json::array();
  for (const auto& g : r.groups) {
    gs.push_back({{"name", g.name},
                  {"tools_before", g.tools_before},
                  {"tools_after", g.tools_after},
                  {"added", g.tools_after - g.tools_before},
                  {"cost_per_tool", num(g.cost_per_tool)},
                  {"cost_known", g.cost_known},
                  {"cost_added", num(g.cost_added)},
                  {"utilisation_before", num(g.utilisation_before)},
                  {"utilisation_after", num(g.utilisation_after)}});
  }
  j["groups"] = std::move(gs);
  json ps = json::array();
  for (const auto& p : r.products) {
    ps.push_back({{"name", p.name},
                  {"lots_per_day", num(p.lots_per_day)},
                  {"raw_process_days", num(p.raw_process_days)},
                  {"queue_free_days", num(p.queue_free_days)},
                  {"target_days", num(p.target_days)},
                  {"default_target", p.default_target},
                  {"cycle_time_before_days", num(p.cycle_time_before)},
                  {"cycle_time_after_days", num(p.cycle_time_after)},
                  {"met", p.met}});
  }
  j["products"] = std::move(ps);
  json st = json::array();
  for (const auto& s : r.steps) {
    st.push_back({{"group", r.groups.at(s.group).name},
                  {"tools", s.tools},
                  {"phase", s.stability ? "stability" : "cycle_time"},
                  {"excess_after", num(s.excess_after)},
                  {"worst_ratio_after", num(s.worst_ratio_after)}});
  }
  j["steps"] = std::move(st);
  return j;
}

}  // namespace

std::string format_sizing(const SizingResult& r, int top) {
  std::string s;
  s += fmt::format("Sizing: {} tool(s) added, cost {} ({}); {}\n", r.tools_added,
                   money(r.total_cost), r.cost_rule,
                   r.reachable ? "every target holds" : "NOT REACHABLE: " + r.reason);
  s += fmt::format("{:<24} {:>7} {:>6} {:>14} {:>14} {:>9} {:>9}\n", "tool group", "before",
                   "after", "cost/tool", "cost added", "util bef", "util aft");
  // Changed groups first, then the most loaded of the rest (up to `top` rows in all).
  std::vector<const GroupSizing*> rows;
  for (const auto& g : r.groups) {
    if (g.tools_after != g.tools_before) rows.push_back(&g);
  }
  std::vector<const GroupSizing*> rest;
  for (const auto& g : r.groups) {
    if (g.tools_after == g.tools_before && g.candidate) rest.push_back(&g);
  }
  std::stable_sort(rest.begin(), rest.end(), [](auto a, auto b) {
    return a->utilisation_after > b->utilisation_after;
  });
  for (const auto* g : rest) {
    if (static_cast<int>(rows.size()) >= std::max(top, 1)) break;
    rows.push_back(g);
  }
  for (const auto* g : rows) {
    s += fmt::format("{:<24} {:>7} {:>6} {:>14} {:>14} {:>9} {:>9}\n", g->name, g->tools_before,
                     g->tools_after, money(g->cost_per_tool) + (g->cost_known ? "" : "*"),
                     money(g->cost_added), pct(g->utilisation_before),
                     pct(g->utilisation_after));
  }
  s += "(* no tool_cost in the scenario: charged by the cost rule)\n\n";
  s += fmt::format("{:<18} {:>9} {:>9} {:>9} {:>10} {:>9} {:>9} {:>5}\n", "product", "lots/d",
                   "RPT d", "target d", "no-queue d", "CT bef d", "CT aft d", "met");
  for (const auto& p : r.products) {
    s += fmt::format("{:<18} {:>9.3f} {:>9.2f} {:>9} {:>10} {:>9} {:>9} {:>5}\n", p.name,
                     p.lots_per_day, p.raw_process_days,
                     fnum(p.target_days, 2) + (p.default_target ? "d" : ""),
                     fnum(p.queue_free_days, 2), fnum(p.cycle_time_before, 2),
                     fnum(p.cycle_time_after, 2), p.met ? "yes" : "NO");
  }
  s += "(target marked d: the default, factor x RPT)\n";
  return s;
}

std::string sizing_json_text(const SizingResult& r) {
  return to_json(r).dump(2) + "\n";
}

std::string to_json_text(const CapacityResult& c, const SizingResult& r) {
  json j = json::parse(to_json_text(c));
  j["sizing"] = to_json(r);
  return j.dump(2) + "\n";
}

}  // namespace osatsim::results
