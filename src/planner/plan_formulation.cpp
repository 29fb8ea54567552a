// The planner's mixed-integer program (docs/planner.md "Formulation"): first-stage purchases and
// openings, second-stage starts, capacity and WIP, components, shipments and demand per scenario.
#include <fmt/format.h>

#include <algorithm>
#include <cstddef>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "planner/mip.h"
#include "planner/network.h"
#include "planner/plan.h"
#include "planner/plan_internal.h"

namespace osatsim::planner::plan_detail {

std::vector<Demand> merge_demand(const Network& n) {
  std::map<std::pair<int, int>, Demand> m;
  for (const auto& d : n.demand) {
    auto& e = m[{d.customer, d.product}];
    e.customer = d.customer;
    e.product = d.product;
    if (e.units.empty()) e.units.assign(static_cast<std::size_t>(n.horizon), 0.0);
    for (int t = 0; t < n.horizon; ++t) e.units[static_cast<std::size_t>(t)] += d.units[static_cast<std::size_t>(t)];
    e.penalty = std::max(e.penalty, d.penalty);
    e.min_service = std::max(e.min_service, d.min_service);
    e.backlog = e.backlog || d.backlog;
  }
  std::vector<Demand> out;
  for (auto& [k, v] : m) out.push_back(std::move(v));
  return out;
}

double scenario_factor(const DemandScenario& s, int customer) {
  const auto it = s.customer_factor.find(customer);
  return s.factor * (it == s.customer_factor.end() ? 1.0 : it->second);
}

Model Builder::build() {
  Model m;
  const int nI = static_cast<int>(n.instances.size());
  loaded.assign(static_cast<std::size_t>(nI), {});
  for (int i = 0; i < nI; ++i) {
    const auto& li = n.instances[static_cast<std::size_t>(i)];
    const auto& lp = prof[static_cast<std::size_t>(li.line)];
    const auto ng = lp.availability.size();
    loaded[static_cast<std::size_t>(i)].assign(ng, 0);
    for (const auto& sp : lp.products)
      if (sp.makes)
        for (std::size_t g = 0; g < ng; ++g)
          if (sp.hours[g] > 0) loaded[static_cast<std::size_t>(i)][g] = 1;
  }
  const double charge = n.monthly_capital_charge();
  const bool min_capex = o.objective == Objective::MinCapex;
  // --- first stage: buildings opened, tools bought
  for (int i = 0; i < nI; ++i) {
    const auto& li = n.instances[static_cast<std::size_t>(i)];
    if (li.status != LineStatus::Option) continue;
    for (int t = li.earliest; t + li.build_months < H(); ++t) {
      const double cost = shortage_objective ? 0.0 : min_capex ? li.capex : li.capex * charge * (H() - t);
      const int c = m.mip.add_col(fmt::format("open[{},{}]", li.name, t), 0, 1, cost, true);
      m.open[{i, t}] = c;
      if (fix_open) {
        const auto it = fix_open->find({i, t});
        const double v = it == fix_open->end() ? 0.0 : static_cast<double>(it->second);
        m.mip.set_bounds(c, v, v);
      }
    }
    std::vector<std::pair<int, double>> once;
    for (const auto& [k, c] : m.open)
      if (k.first == i) once.emplace_back(c, 1.0);
    if (!once.empty()) m.mip.add_row(fmt::format("once[{}]", li.name), once, -kInf, 1.0);
  }
  for (int i = 0; i < nI; ++i) {
    const auto& li = n.instances[static_cast<std::size_t>(i)];
    const auto& lm = n.lines[static_cast<std::size_t>(li.line)];
    for (std::size_t g = 0; g < lm.terms.size(); ++g) {
      const auto& tt = lm.terms[g];
      if (!tt.buyable || !loaded[static_cast<std::size_t>(i)][g]) continue;
      for (int t = 0; t + tt.lead_months < H(); ++t) {
        const double cost = shortage_objective ? 0.0 : min_capex ? tt.price : tt.price * charge * (H() - t);
        const double hi = tt.max_per_month >= 0 ? tt.max_per_month : 1000.0;
        const int c = m.mip.add_col(
            fmt::format("buy[{},{},{}]", li.name, lm.factory->tool_groups[g].name, t), 0, hi,
            cost, true);
        m.buy[{i, static_cast<int>(g), t}] = c;
        if (fix_buy) {
          const auto it = fix_buy->find({i, static_cast<int>(g), t});
          const double v = it == fix_buy->end() ? 0.0 : static_cast<double>(it->second);
          m.mip.set_bounds(c, v, v);
        }
      }
    }
    // Tools for an option line only once it is open.
    if (li.status == LineStatus::Option) {
      for (int t = 0; t < H(); ++t) {
        std::vector<std::pair<int, double>> e;
        for (const auto& [k, c] : m.buy)
          if (std::get<0>(k) == i && std::get<2>(k) <= t) e.emplace_back(c, 1.0);
        if (e.empty()) continue;
        for (const auto& [k, c] : m.open)
          if (k.first == i && k.second <= t) e.emplace_back(c, -1000.0);
        m.mip.add_row(fmt::format("buy_if_open[{},{}]", li.name, t), e, -kInf, 0.0);
      }
    }
  }
  // Purchase limits per line model, group and month.
  for (std::size_t l = 0; l < n.lines.size(); ++l) {
    const auto& lm = n.lines[l];
    for (std::size_t g = 0; g < lm.terms.size(); ++g) {
      if (!lm.terms[g].buyable || lm.terms[g].max_per_month < 0) continue;
      for (int t = 0; t < H(); ++t) {
        std::vector<std::pair<int, double>> e;
        for (const auto& [k, c] : m.buy)
          if (std::get<1>(k) == static_cast<int>(g) && std::get<2>(k) == t &&
              n.instances[static_cast<std::size_t>(std::get<0>(k))].line == static_cast<int>(l))
            e.emplace_back(c, 1.0);
        if (e.size() > 1)
          m.mip.add_row(fmt::format("max_buy[{},{},{}]", lm.name, lm.factory->tool_groups[g].name, t),
                        e, -kInf, lm.terms[g].max_per_month);
      }
    }
  }
  // Budget per calendar year.
  for (const auto& [year, amount] : n.budget) {
    std::vector<std::pair<int, double>> e;
    for (const auto& [k, c] : m.buy) {
      const int t = std::get<2>(k);
      if (n.month(t).year() != year) continue;
      const auto& li = n.instances[static_cast<std::size_t>(std::get<0>(k))];
      e.emplace_back(c, n.lines[static_cast<std::size_t>(li.line)].terms[static_cast<std::size_t>(std::get<1>(k))].price);
    }
    for (const auto& [k, c] : m.open)
      if (n.month(k.second).year() == year)
        e.emplace_back(c, n.instances[static_cast<std::size_t>(k.first)].capex);
    if (e.empty()) continue;
    const int r = m.mip.add_row(fmt::format("budget[{}]", year), e, -kInf, amount);
    m.budget_row[year] = r;
    slack(m, r, "budget", -1.0);
  }
  // --- second stage, per scenario
  const std::size_t nS = scenario_ids.size();
  m.x.resize(nS);
  m.ship.resize(nS);
  m.backlog.resize(nS);
  m.lost.resize(nS);
  m.inv.resize(nS);
  m.extra.resize(nS);
  m.stock.resize(nS);
  m.wip.resize(nS);
  m.cap_row.resize(nS);
  m.comp_row.resize(nS);
  for (std::size_t s = 0; s < nS; ++s) build_scenario(m, s);
  if (shortage_cap >= 0) m.mip.add_row("shortage_cap", m.shortage, -kInf, shortage_cap);
  return m;
}

void Builder::slack(Model& m, int r, const std::string& family, double sign) {
  if (!slack_families.count(family)) return;
  const int c = m.mip.add_col(fmt::format("slack[{}]", m.mip.rows()[static_cast<std::size_t>(r)].name), 0, kInf, 1e6);
  m.mip.add_coef(r, c, sign);
  m.slack_cols.push_back(c);
  m.slack_family.push_back(family);
}

void Builder::build_scenario(Model& m, std::size_t s) {
  const std::string sn = n.scenarios[static_cast<std::size_t>(scenario_ids[s])].name;
  scenario_starts(m, s, sn);
  scenario_capacity(m, s, sn);
  scenario_components(m, s, sn);
  scenario_products(m, s, sn);
}

// Starts per instance, product and month.
void Builder::scenario_starts(Model& m, std::size_t s, const std::string& sn) {
  const int nI = static_cast<int>(n.instances.size());
  const int nP = static_cast<int>(n.products.size());
  // Starts.
  for (int i = 0; i < nI; ++i) {
    const auto& li = n.instances[static_cast<std::size_t>(i)];
    const auto& lp = prof[static_cast<std::size_t>(li.line)];
    for (int p = 0; p < nP; ++p) {
      if (!lp.products[static_cast<std::size_t>(p)].makes) continue;
      for (int t = 0; t < H(); ++t)
        m.x[s][{i, p, t}] = m.mip.add_col(fmt::format("x[{},{},{},{}]", sn, li.name, n.products[static_cast<std::size_t>(p)].name, t), 0, kInf, 0.0);
    }
  }
}

// Capacity and WIP per instance, group, month.
void Builder::scenario_capacity(Model& m, std::size_t s, const std::string& sn) {
  const double pr = probability[s];
  const bool min_capex = o.objective == Objective::MinCapex;
  const int nI = static_cast<int>(n.instances.size());
  const int nP = static_cast<int>(n.products.size());
  // Capacity and WIP per instance, group, month.
  for (int i = 0; i < nI; ++i) {
    const auto& li = n.instances[static_cast<std::size_t>(i)];
    const auto& lm = n.lines[static_cast<std::size_t>(li.line)];
    const auto& lp = prof[static_cast<std::size_t>(li.line)];
    const auto ng = lp.availability.size();
    // The WIP curve's groups: the most loaded ones of the line model (docs/planner.md).
    std::vector<std::size_t> order;
    for (std::size_t g = 0; g < ng; ++g)
      if (loaded[static_cast<std::size_t>(i)][g]) order.push_back(g);
    std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return lp.nominal_util[a] > lp.nominal_util[b]; });
    std::set<std::size_t> wip_groups;
    if (n.wip_cost > 0)
      for (std::size_t k = 0; k < order.size() && k < 8; ++k) wip_groups.insert(order[k]);
    for (std::size_t g = 0; g < ng; ++g) {
      if (!loaded[static_cast<std::size_t>(i)][g]) continue;
      const double ah = lp.availability[g] * lm.hours_per_month;  // hours per tool per month
      const double base = li.base_tools[g];
      for (int t = 0; t < H(); ++t) {
        std::vector<std::pair<int, double>> load;
        for (int p = 0; p < nP; ++p) {
          const auto& sp = lp.products[static_cast<std::size_t>(p)];
          if (sp.makes && sp.hours[g] > 0) load.emplace_back(m.x[s][{i, p, t}], sp.hours[g]);
        }
        if (load.empty()) continue;
        // capacity: load - ah * (tools in service) <= rhs
        std::vector<std::pair<int, double>> capv;  // the capacity expression's columns (hours)
        double cap_const = 0;
        // Tools in service: the base tools along the ramp, in whole tools (ramped_tools, as the
        // verification's line model has them), plus purchases after their lead time.
        const int bt = li.base_tools[g];
        if (li.status == LineStatus::InPlace) cap_const = ah * bt;
        if (li.status == LineStatus::Construction) cap_const = ah * ramped_tools(bt, li.ramp_at(t, li.first_month));
        if (li.status == LineStatus::Option)
          for (const auto& [k, c] : m.open)
            if (k.first == i) {
              const int rt = ramped_tools(bt, li.ramp_at(t, k.second + li.build_months));
              if (rt > 0) capv.emplace_back(c, ah * rt);
            }
        const int lead = lm.terms[g].lead_months;
        for (int tau = 0; tau + lead <= t; ++tau) {
          const auto it = m.buy.find({i, static_cast<int>(g), tau});
          if (it != m.buy.end()) capv.emplace_back(it->second, ah);
        }
        // The clearing function's flat end: load within the saturation share of the hours.
        const double us = o.max_utilisation;
        std::vector<std::pair<int, double>> row = load;
        for (const auto& [c, v] : capv) row.emplace_back(c, -us * v);
        const int r = m.mip.add_row(fmt::format("cap[{},{},{},{}]", sn, li.name, lm.factory->tool_groups[g].name, t), row, -kInf, us * cap_const);
        m.cap_row[s][{i, static_cast<int>(g), t}] = r;
        if (!wip_groups.count(g)) continue;
        // WIP >= a_k load + b_k capacity (tangents of capacity * phi(load / capacity)).
        WipCurve wc;
        wc.te = lp.te_hours[g];
        wc.v = lp.variability[g];
        wc.m = std::max(1.0, base);
        wc.hours = lm.hours_per_month;
        double hsum = 0, wsum = 0;
        for (const auto& sp : lp.products)
          if (sp.makes && sp.hours[g] > 0) {
            hsum += sp.hours[g];
            wsum += 1;
          }
        wc.hbar = wsum > 0 ? hsum / wsum : 1.0;
        const int w = m.mip.add_col(fmt::format("wip[{},{},{},{}]", sn, li.name, lm.factory->tool_groups[g].name, t), 0, kInf,
                                    shortage_objective ? 0.0 : pr * n.wip_cost * (min_capex ? 1e-3 : 1.0));
        m.wip[s][{i, static_cast<int>(g), t}] = w;
        const int K = std::max(1, o.wip_segments);
        for (int k = 0; k < K; ++k) {
          const double uk = 0.5 + (o.max_utilisation - 0.5) * (K == 1 ? 1.0 : static_cast<double>(k) / (K - 1));
          const double d = 1e-4;
          const double slope = (wc.phi(uk + d) - wc.phi(uk - d)) / (2 * d);
          const double a = slope, b = wc.phi(uk) - slope * uk;
          // w - a load - b cap >= 0, cap = cap_const + capv
          std::vector<std::pair<int, double>> e{{w, 1.0}};
          for (const auto& [c, v] : load) e.emplace_back(c, -a * v);
          for (const auto& [c, v] : capv) e.emplace_back(c, -b * v);
          m.mip.add_row(fmt::format("wipcurve[{},{},{},{},{}]", sn, li.name, lm.factory->tool_groups[g].name, t, k), e, b * cap_const, kInf);
        }
      }
    }
  }
}

// Components: stock carried over months.
void Builder::scenario_components(Model& m, std::size_t s, const std::string& sn) {
  const double pr = probability[s];
  const int nI = static_cast<int>(n.instances.size());
  const int nP = static_cast<int>(n.products.size());
  // Components: stock carried over months.
  for (std::size_t c = 0; c < n.components.size(); ++c) {
    const auto& cs = n.components[c];
    for (int t = 0; t < H(); ++t) {
      std::vector<std::pair<int, double>> e;
      for (int i = 0; i < nI; ++i) {
        const auto& lp = prof[static_cast<std::size_t>(n.instances[static_cast<std::size_t>(i)].line)];
        for (int p = 0; p < nP; ++p) {
          const auto& sp = lp.products[static_cast<std::size_t>(p)];
          if (sp.makes && sp.components[c] > 0) e.emplace_back(m.x[s][{i, p, t}], sp.components[c]);
        }
      }
      if (e.empty()) continue;
      const int st = m.mip.add_col(fmt::format("stock[{},{},{}]", sn, cs.name, t), 0, kInf, 0.0);
      m.stock[s][{static_cast<int>(c), t}] = st;
      e.emplace_back(st, 1.0);
      if (t > 0) {
        const auto it = m.stock[s].find({static_cast<int>(c), t - 1});
        if (it != m.stock[s].end()) e.emplace_back(it->second, -1.0);
      }
      if (cs.extra_price >= 0) {
        const int ex = m.mip.add_col(fmt::format("extra[{},{},{}]", sn, cs.name, t), 0,
                                     cs.extra_max >= 0 ? cs.extra_max : kInf, pr * cs.extra_price);
        m.extra[s][{static_cast<int>(c), t}] = ex;
        e.emplace_back(ex, -1.0);
      }
      // use + stock_t - stock_{t-1} - extra <= supply
      const int r = m.mip.add_row(fmt::format("comp[{},{},{}]", sn, cs.name, t), e, -kInf, cs.supply[static_cast<std::size_t>(t)]);
      m.comp_row[s][{static_cast<int>(c), t}] = r;
      slack(m, r, "components", -1.0);
    }
  }
}

// Products: output (with the cycle-time lag) covers shipments and finished-goods stock;
// shipments, backlog and lost demand.
void Builder::scenario_products(Model& m, std::size_t s, const std::string& sn) {
  const double pr = probability[s];
  const bool min_capex = o.objective == Objective::MinCapex;
  const int nI = static_cast<int>(n.instances.size());
  const int nP = static_cast<int>(n.products.size());
  // Products: output (with the cycle-time lag) covers shipments and finished-goods stock.
  for (int p = 0; p < nP; ++p) {
    const double margin = n.products[static_cast<std::size_t>(p)].margin;
    for (int t = 0; t < H(); ++t) {
      const int iv = m.mip.add_col(fmt::format("inv[{},{},{}]", sn, n.products[static_cast<std::size_t>(p)].name, t), 0, kInf,
                                   pr * std::max(1.0, 0.005 * margin));
      m.inv[s][{p, t}] = iv;
    }
  }
  std::vector<std::vector<std::vector<std::pair<int, double>>>> out(static_cast<std::size_t>(nP), std::vector<std::vector<std::pair<int, double>>>(static_cast<std::size_t>(H())));
  for (int i = 0; i < nI; ++i) {
    const auto& lp = prof[static_cast<std::size_t>(n.instances[static_cast<std::size_t>(i)].line)];
    for (int p = 0; p < nP; ++p) {
      const auto& sp = lp.products[static_cast<std::size_t>(p)];
      if (!sp.makes) continue;
      // Starts of a month ship in that month: the cycle time (days) is short against the
      // monthly bucket; its cost is the WIP term, its value is reported per line and month.
      for (int t = 0; t < H(); ++t)
        out[static_cast<std::size_t>(p)][static_cast<std::size_t>(t)].emplace_back(m.x[s][{i, p, t}], sp.good_units);
    }
  }
  // Shipments, backlog, lost demand.
  std::vector<std::vector<std::vector<std::pair<int, double>>>> ships(static_cast<std::size_t>(nP), std::vector<std::vector<std::pair<int, double>>>(static_cast<std::size_t>(H())));
  for (std::size_t d = 0; d < dem.size(); ++d) {
    const auto& dd = dem[d];
    const double f = demand_factor[s][static_cast<std::size_t>(dd.customer)];
    const double margin = n.products[static_cast<std::size_t>(dd.product)].margin;
    const double pen = shortage_objective ? 1.0 : min_capex ? 0.0 : dd.penalty;
    std::vector<std::pair<int, double>> total;
    double dsum = 0;
    for (int t = 0; t < H(); ++t) {
      const double D = dd.units[static_cast<std::size_t>(t)] * f;
      dsum += D;
      const std::string tag = fmt::format("{},{},{},{}", sn, n.customers[static_cast<std::size_t>(dd.customer)].name, n.products[static_cast<std::size_t>(dd.product)].name, t);
      const int sc = m.mip.add_col("ship[" + tag + "]", 0, kInf, min_capex ? 0.0 : -pr * margin);
      m.ship[s][{static_cast<int>(d), t}] = sc;
      ships[static_cast<std::size_t>(dd.product)][static_cast<std::size_t>(t)].emplace_back(sc, 1.0);
      total.emplace_back(sc, 1.0);
      if (dd.backlog) {
        const int bc = m.mip.add_col("backlog[" + tag + "]", 0, kInf, pr * pen);
        m.backlog[s][{static_cast<int>(d), t}] = bc;
        m.shortage.emplace_back(bc, pr);
        std::vector<std::pair<int, double>> e{{sc, 1.0}, {bc, 1.0}};
        if (t > 0) e.emplace_back(m.backlog[s][{static_cast<int>(d), t - 1}], -1.0);
        m.mip.add_row("demand[" + tag + "]", e, D, D);
      } else {
        const int lc = m.mip.add_col("lost[" + tag + "]", 0, kInf, pr * pen);
        m.lost[s][{static_cast<int>(d), t}] = lc;
        m.shortage.emplace_back(lc, pr);
        m.mip.add_row("demand[" + tag + "]", {{sc, 1.0}, {lc, 1.0}}, D, D);
      }
    }
    if (dd.min_service > 0) {
      const int r = m.mip.add_row(fmt::format("service[{},{},{}]", sn, n.customers[static_cast<std::size_t>(dd.customer)].name, n.products[static_cast<std::size_t>(dd.product)].name), total, dd.min_service * dsum, kInf);
      slack(m, r, "min_service", 1.0);
    }
  }
  for (int p = 0; p < nP; ++p) {
    for (int t = 0; t < H(); ++t) {
      std::vector<std::pair<int, double>> e = ships[static_cast<std::size_t>(p)][static_cast<std::size_t>(t)];
      e.emplace_back(m.inv[s][{p, t}], 1.0);
      if (t > 0) e.emplace_back(m.inv[s][{p, t - 1}], -1.0);
      for (const auto& [c, v] : out[static_cast<std::size_t>(p)][static_cast<std::size_t>(t)]) e.emplace_back(c, -v);
      // Output goes to shipments or finished-goods stock (held at a cost), never lost.
      m.mip.add_row(fmt::format("flow[{},{},{}]", sn, n.products[static_cast<std::size_t>(p)].name, t), e, 0.0, 0.0);
    }
  }
}

}  // namespace osatsim::planner::plan_detail
