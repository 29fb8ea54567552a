// plan.json and the printed summary of a plan (docs/planner.md "Outputs").
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>

#include "planner/plan.h"

namespace osatsim::planner {
namespace {

using json = nlohmann::ordered_json;

json num(double v) {
  return std::isfinite(v) ? json(v) : json(nullptr);
}

std::string group_name(const Network& n, int instance, int group) {
  const auto& li = n.instances[static_cast<std::size_t>(instance)];
  return n.lines[static_cast<std::size_t>(li.line)].factory->tool_groups[static_cast<std::size_t>(group)].name;
}

std::string money(double v) {
  if (std::abs(v) >= 1e9) return fmt::format("{:.2f} B", v / 1e9);
  if (std::abs(v) >= 1e6) return fmt::format("{:.1f} M", v / 1e6);
  if (std::abs(v) >= 1e3) return fmt::format("{:.1f} k", v / 1e3);
  return fmt::format("{:.0f}", v);
}

std::string qty(double v) {
  return std::abs(v) >= 1e4 ? fmt::format("{:.0f}k", v / 1e3) : fmt::format("{:.0f}", v);
}

// One scenario of plan.json: costs, shipments against demand, starts, components.
json scenario_json(const Network& n, const ScenarioPlan& s) {
  json sj;
  sj["name"] = s.name;
  sj["probability"] = s.probability;
  sj["margin"] = s.margin;
  sj["penalties"] = s.penalties;
  sj["wip_cost"] = s.wip_cost;
  sj["component_extra_cost"] = s.extra_cost;
  json ship = json::array();
  for (std::size_t c = 0; c < n.customers.size(); ++c)
    for (std::size_t q = 0; q < n.products.size(); ++q)
      for (int t = 0; t < n.horizon; ++t) {
        const auto tu = static_cast<std::size_t>(t);
        if (s.demand[c][q][tu] <= 0 && s.shipped[c][q][tu] <= 0) continue;
        ship.push_back({{"customer", n.customers[c].name},
                        {"product", n.products[q].name},
                        {"month", n.month(t).to_string()},
                        {"demand", s.demand[c][q][tu]},
                        {"shipped", s.shipped[c][q][tu]},
                        {"backlog", s.backlog[c][q][tu]},
                        {"lost", s.lost[c][q][tu]}});
      }
  sj["shipments"] = std::move(ship);
  json st = json::array();
  for (std::size_t i = 0; i < n.instances.size(); ++i)
    for (std::size_t q = 0; q < n.products.size(); ++q)
      for (int t = 0; t < n.horizon; ++t) {
        const double v = s.starts[i][q][static_cast<std::size_t>(t)];
        if (v > 1e-9)
          st.push_back({{"line", n.instances[i].name},
                        {"product", n.products[q].name},
                        {"month", n.month(t).to_string()},
                        {"starts", v}});
      }
  sj["starts"] = std::move(st);
  json comp = json::array();
  for (std::size_t c = 0; c < n.components.size(); ++c)
    for (int t = 0; t < n.horizon; ++t) {
      const auto tu = static_cast<std::size_t>(t);
      comp.push_back({{"component", n.components[c].name},
                      {"month", n.month(t).to_string()},
                      {"supply", n.components[c].supply[tu]},
                      {"use", s.component_use[c][tu]},
                      {"extra", s.component_extra[c][tu]}});
    }
  sj["components"] = std::move(comp);
  return sj;
}

// Per line and month: the most loaded group and the cycle time per product.
json lines_json(const Network& n, const Plan& p) {
  json lines = json::array();
  for (const auto& lm : p.line_months) {
    json ct = json::object();
    for (std::size_t q = 0; q < n.products.size(); ++q)
      if (lm.starts[q] > 0) ct[n.products[q].name] = lm.cycle_time_days[q];
    lines.push_back({{"line", n.instances[static_cast<std::size_t>(lm.instance)].name},
                     {"month", n.month(lm.month).to_string()},
                     {"max_utilisation", lm.max_utilisation},
                     {"bottleneck", lm.bottleneck},
                     {"cycle_time_days", ct}});
  }
  return lines;
}

// The verification by simulation: planned against simulated output and cycle time.
json verification_json(const Network& n, const Plan& p) {
  json ver = json::array();
  for (const auto& v : p.verification) {
    json prods = json::array();
    for (std::size_t k = 0; k < v.products.size(); ++k)
      prods.push_back({{"product", v.products[k]},
                       {"planned_units_per_month", v.planned_units[k]},
                       {"simulated_units_per_month", v.simulated_units[k]},
                       {"planned_cycle_time_days", v.planned_ct[k]},
                       {"simulated_cycle_time_days", v.simulated_ct[k]}});
    ver.push_back({{"line", n.instances[static_cast<std::size_t>(v.instance)].name},
                   {"month", n.month(v.month).to_string()},
                   {"products", prods},
                   {"flagged", v.flagged},
                   {"note", v.note}});
  }
  return ver;
}

// Shipments against demand by quarter and customer (expected over the scenarios).
std::string shipments_text(const Network& n, const Plan& p) {
  std::string s;
  s += "Shipments against demand, good units by quarter (expected over the scenarios)\n";
  s += fmt::format("{:<14} {:<6}", "customer", "prod");
  const int q0 = n.start.index / 3;
  const int q1 = n.month(n.horizon - 1).index / 3;
  for (int q = q0; q <= q1; ++q) s += fmt::format(" {:>15}", fmt::format("{}Q{}", q / 4, q % 4 + 1));
  s += "\n";
  for (std::size_t c = 0; c < n.customers.size(); ++c)
    for (std::size_t pr = 0; pr < n.products.size(); ++pr) {
      std::vector<double> d(static_cast<std::size_t>(q1 - q0 + 1), 0.0), sh = d;
      for (const auto& sc : p.scenarios)
        for (int t = 0; t < n.horizon; ++t) {
          const auto k = static_cast<std::size_t>(n.month(t).index / 3 - q0);
          d[k] += sc.probability * sc.demand[c][pr][static_cast<std::size_t>(t)];
          sh[k] += sc.probability * sc.shipped[c][pr][static_cast<std::size_t>(t)];
        }
      double any = 0;
      for (double v : d) any += v;
      if (any <= 0) continue;
      s += fmt::format("{:<14} {:<6}", n.customers[c].name, n.products[pr].name);
      for (std::size_t k = 0; k < d.size(); ++k)
        s += fmt::format(" {:>15}", d[k] > 0 ? fmt::format("{}/{}", qty(sh[k]), qty(d[k])) : "-");
      s += "\n";
    }
  s += "(shipped/demand, good units; k = thousand)\n\n";
  return s;
}

// The capex plan: by year against the budget, buildings opened and tools bought.
std::string capex_text(const Network& n, const Plan& p) {
  std::string s;
  s += fmt::format("Capex: {} in total", money(p.capex_total));
  for (std::size_t y = 0; y < p.capex_by_year.size(); ++y) {
    const int year = p.first_year + static_cast<int>(y);
    const auto b = n.budget.find(year);
    s += fmt::format("; {} {}{}", year, money(p.capex_by_year[y]),
                     b == n.budget.end() ? "" : fmt::format(" of {} budget", money(b->second)));
  }
  s += "\n";
  for (const auto& o : p.openings) {
    const auto& li = n.instances[static_cast<std::size_t>(o.instance)];
    s += fmt::format("  open {} at {} ({}): decide by {}, first output {}, capex {}\n", li.name,
                     n.sites[static_cast<std::size_t>(li.site)].name,
                     n.sites[static_cast<std::size_t>(li.site)].region, n.month(o.month).to_string(),
                     n.month(o.first_output).to_string(), money(o.capex));
  }
  std::vector<Purchase> pur = p.purchases;
  std::stable_sort(pur.begin(), pur.end(), [](const Purchase& a, const Purchase& b) { return a.month < b.month; });
  if (!pur.empty()) {
    s += fmt::format("  {:<14} {:<22} {:>5} {:>9} {:>11} {:>10}\n", "line", "tool group", "tools",
                     "order by", "in service", "cost");
    for (const auto& u : pur)
      s += fmt::format("  {:<14} {:<22} {:>5} {:>9} {:>11} {:>10}\n",
                       n.instances[static_cast<std::size_t>(u.instance)].name,
                       group_name(n, u.instance, u.group), u.tools, n.month(u.month).to_string(),
                       n.month(u.in_service).to_string(), money(u.cost));
  }
  return s;
}

// What binds: one line per constraint (line / group, component, budget year), at its most
// valuable month and scenario, with the number of months and scenarios in which it binds.
std::string binding_text(const Plan& p) {
  std::string s;
  struct Agg {
    const Binding* top = nullptr;
    int count = 0;
  };
  std::vector<std::pair<std::string, Agg>> agg;
  for (const auto& b : p.binding) {
    const auto cut = b.kind == "budget" ? std::string::npos : b.what.rfind(" / ");
    const std::string key = b.kind + "|" + b.what.substr(0, cut);
    auto it = std::find_if(agg.begin(), agg.end(), [&](const auto& e) { return e.first == key; });
    if (it == agg.end()) {
      agg.push_back({key, Agg{&b, 0}});
      it = agg.end() - 1;
    }
    ++it->second.count;
  }
  s += "What binds (shadow prices with the integer decisions fixed, probability-weighted; US$ per "
       "tool-hour, component unit or budget dollar; highest month shown)\n";
  for (std::size_t k = 0; k < agg.size() && k < 12; ++k) {
    const auto& b = *agg[k].second.top;
    s += fmt::format("  {:<11} {:<48} {:>12.2f}  binding in {} month-scenario(s){}\n", b.kind, b.what,
                     b.value, agg[k].second.count,
                     b.scenario.empty() ? "" : ", top in " + b.scenario);
  }
  s += "\n";
  return s;
}

// The verification by simulation, most loaded month of each line.
std::string verification_text(const Network& n, const Plan& p) {
  std::string s;
  s += "Verification by simulation (most loaded month of each line; good units/month, cycle time d)\n";
  s += fmt::format("  {:<14} {:<8} {:<6} {:>10} {:>10} {:>7} {:>8} {:>8} {:>7}\n", "line", "month",
                   "prod", "plan out", "sim out", "diff", "plan CT", "sim CT", "diff");
  for (const auto& v : p.verification)
    for (std::size_t k = 0; k < v.products.size(); ++k) {
      const double du = v.planned_units[k] > 0 ? v.simulated_units[k] / v.planned_units[k] - 1 : 0;
      const double dc = v.planned_ct[k] > 0 ? v.simulated_ct[k] / v.planned_ct[k] - 1 : 0;
      s += fmt::format("  {:<14} {:<8} {:<6} {:>10.0f} {:>10.0f} {:>+6.1f}% {:>8.2f} {:>8.2f} {:>+6.1f}%{}\n",
                       n.instances[static_cast<std::size_t>(v.instance)].name,
                       n.month(v.month).to_string(), v.products[k], v.planned_units[k],
                       v.simulated_units[k], 100 * du, v.planned_ct[k], v.simulated_ct[k], 100 * dc,
                       (std::abs(du) > 0.05 || std::abs(dc) > 0.15) ? "  FLAG" : "");
    }
  return s;
}

}  // namespace

json plan_json(const Network& n, const Plan& p) {
  json j;
  j["network"] = n.name;
  j["objective"] = to_string(p.options.objective);
  j["horizon"] = {{"start", n.start.to_string()}, {"months", n.horizon}};
  j["status"] = {{"call", to_string(p.call)},
                 {"plan", p.plan_status},
                 {"objective", num(p.solver.objective)},
                 {"bound", num(p.solver.bound)},
                 {"gap", num(p.solver.gap)},
                 {"solve_seconds", p.solver.seconds},
                 {"nodes", p.solver.nodes},
                 {"columns", p.columns},
                 {"rows", p.rows},
                 {"integers", p.integers},
                 {"wall_seconds", p.wall_seconds},
                 {"lp_bound", num(p.lp_bound)},
                 {"start_objective", num(p.start_objective)},
                 {"start", p.start_hint == 0   ? "LP relaxation rounded"
                           : p.start_hint == 1 ? "given plan"
                           : p.start_hint == 2 ? "LP relaxation rounded (given plan fit, worse)"
                                               : "LP relaxation rounded (given plan did not fit)"},
                 {"max_utilisation", p.options.max_utilisation},
                 {"search_cut_by_time_limit", p.search_cut},
                 {"lp_seconds", p.lp_seconds},
                 {"rounding_seconds", p.rounding_seconds},
                 {"search_moves_tried", p.moves_tried}};
  j["conflicts"] = p.conflicts;
  json pur = json::array();
  for (const auto& u : p.purchases) {
    const auto& li = n.instances[static_cast<std::size_t>(u.instance)];
    pur.push_back({{"site", n.sites[static_cast<std::size_t>(li.site)].name},
                   {"line", li.name},
                   {"group", group_name(n, u.instance, u.group)},
                   {"order_month", n.month(u.month).to_string()},
                   {"in_service_month", n.month(u.in_service).to_string()},
                   {"tools", u.tools},
                   {"cost", u.cost}});
  }
  j["purchases"] = std::move(pur);
  json bld = json::array();
  for (const auto& o : p.openings) {
    const auto& li = n.instances[static_cast<std::size_t>(o.instance)];
    bld.push_back({{"site", n.sites[static_cast<std::size_t>(li.site)].name},
                   {"line", li.name},
                   {"decision_month", n.month(o.month).to_string()},
                   {"first_output_month", n.month(o.first_output).to_string()},
                   {"capex", o.capex}});
  }
  j["buildings_opened"] = std::move(bld);
  json cy = json::object();
  for (std::size_t y = 0; y < p.capex_by_year.size(); ++y) {
    const int year = p.first_year + static_cast<int>(y);
    const auto b = n.budget.find(year);
    cy[std::to_string(year)] = {{"capex", p.capex_by_year[y]},
                                {"budget", b == n.budget.end() ? json(nullptr) : json(b->second)}};
  }
  j["capex_by_year"] = std::move(cy);
  j["capex_total"] = p.capex_total;
  j["expected_profit"] = num(p.expected_profit);
  if (n.scenarios.size() > 1) {
    j["value_of_stochastic_solution"] = num(p.vss);
    j["single_forecast_plan_profit"] = num(p.ev_profit);
  }
  json scs = json::array();
  for (const auto& s : p.scenarios) scs.push_back(scenario_json(n, s));
  j["scenarios"] = std::move(scs);
  json bind = json::array();
  for (const auto& b : p.binding)
    bind.push_back({{"kind", b.kind}, {"what", b.what}, {"scenario", b.scenario}, {"value", b.value}});
  j["binding"] = std::move(bind);
  j["lines"] = lines_json(n, p);
  j["verification"] = verification_json(n, p);
  return j;
}

std::string plan_summary_text(const Network& n, const Plan& p) {
  std::string s;
  s += fmt::format("Plan of {}: {} months from {} ({} sites, {} lines, {} scenario(s)), objective {}\n",
                   n.name, n.horizon, n.start.to_string(), n.sites.size(), n.instances.size(),
                   n.scenarios.size(), to_string(p.options.objective));
  s += fmt::format(
      "solver: {} | plan: {} | objective {} bound {} gap {} | {:.1f} s solve, {:.1f} s total | "
      "{} columns ({} integer), {} rows\n",
      to_string(p.call), p.plan_status, std::isfinite(p.solver.objective) ? fmt::format("{:.6g}", p.solver.objective) : "-",
      std::isfinite(p.solver.bound) ? fmt::format("{:.6g}", p.solver.bound) : "-",
      std::isfinite(p.solver.gap) ? fmt::format("{:.2f} %", 100 * p.solver.gap) : "-", p.solver.seconds,
      p.wall_seconds, p.columns, p.integers, p.rows);
  if (std::isfinite(p.lp_bound))
    s += fmt::format("LP relaxation {:.6g} ({:.1f} s); start {} (rounding {:.1f} s, {} search moves){}\n", p.lp_bound, p.lp_seconds,
                     std::isfinite(p.start_objective) ? fmt::format("{:.6g}", p.start_objective) : "none",
                     p.rounding_seconds, p.moves_tried,
                     p.solver.message.empty() ? "" : "; " + p.solver.message);
  if (p.search_cut)
    s += "Note: the time limit cut the search for a start short; another machine may find another plan (raise --time-limit)\n";
  if (p.start_hint != 0)
    s += p.start_hint == 1   ? "Re-planned from the given plan: its tools and buildings were the better start\n"
         : p.start_hint == 2 ? "Re-planned: the given plan fits this network; the rounded LP relaxation was the better start\n"
                             : "Re-planned: the given plan does not fit this network (purchase limits, lead times, budget or openings); started from the LP relaxation\n";
  s += "\n";
  if (!p.conflicts.empty()) {
    s += "The hard constraints conflict; relaxing one family at a time, these make the plan feasible:\n";
    for (const auto& c : p.conflicts) s += "  " + c + "\n";
    return s;
  }
  if (p.scenarios.empty()) return s + "No plan.\n";
  s += shipments_text(n, p);
  s += capex_text(n, p);
  s += fmt::format("Expected profit over the horizon (margin - penalties - WIP - extra components - "
                   "annualised capex): {}\n",
                   money(p.expected_profit));
  if (n.scenarios.size() > 1 && p.options.objective == Objective::Profit)
    s += fmt::format("Value of the stochastic solution: {} (the single-forecast plan's tools and "
                     "buildings earn {} across the scenarios){}\n",
                     money(p.vss), money(p.ev_profit),
                     p.call == SolveStatus::Optimal
                         ? ""
                         : "; not meaningful here: the plan is not proven optimal");
  s += "\n";
  if (!p.binding.empty()) s += binding_text(p);
  if (!p.verification.empty()) s += verification_text(n, p);
  return s;
}

}  // namespace osatsim::planner
