// The planner's mixed-integer program (docs/planner.md "Formulation").
#include "planner/plan.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <map>
#include <set>

#include "analysis/capacity.h"
#include "model/flow.h"

namespace osatsim::planner {
namespace {

using analysis::CapacityOptions;

// The factory with only the release streams of line product `lp` (nullopt-like: empty streams
// when it has none).
model::Factory only_product(const model::Factory& f, model::ProductId lp) {
  model::Factory g = f;
  g.streams.clear();
  for (const auto& s : f.streams)
    if (s.product == lp) g.streams.push_back(s);
  g.initial_wip.clear();
  return g;
}

// Starts (wafers, or units of a unit-start product) released per day by the streams of `f`.
double starts_per_day(const model::Factory& f, model::ProductId lp) {
  double s = 0;
  for (const auto& st : f.streams)
    if (st.product == lp) s += model::lots_per_day(st) * st.wafers_per_lot;
  return s;
}

}  // namespace

const char* to_string(Objective o) {
  return o == Objective::MinCapex ? "min-capex" : "profit";
}

std::vector<LineProfile> line_profiles(const Network& n) {
  std::vector<LineProfile> out;
  CapacityOptions co;
  co.curve.clear();
  for (std::size_t l = 0; l < n.lines.size(); ++l) {
    const auto& f = *n.lines[l].factory;
    LineProfile lp;
    const auto full = analysis::analyse(f, co);
    const auto ng = f.tool_groups.size();
    lp.availability.resize(ng);
    lp.nominal_util.resize(ng);
    lp.te_hours.resize(ng);
    lp.variability.resize(ng);
    for (std::size_t g = 0; g < ng; ++g) {
      const auto& gc = full.groups[g];
      lp.availability[g] = gc.availability;
      lp.nominal_util[g] = std::isfinite(gc.utilisation) ? gc.utilisation : 0.0;
      lp.te_hours[g] = gc.te;
      lp.variability[g] = 0.5 * (gc.ca2 + gc.ce2);
    }
    std::vector<double> spd_of;
    for (std::size_t p = 0; p < n.products.size(); ++p) {
      StartProfile sp;
      sp.hours.assign(ng, 0.0);
      sp.components.assign(n.components.size(), 0.0);
      const model::ProductId fp = n.line_product(static_cast<int>(l), static_cast<int>(p));
      const double spd = fp == model::kNone ? 0.0 : starts_per_day(f, fp);
      if (fp != model::kNone && spd > 0) {
        sp.makes = true;
        sp.unit_start = f.products[static_cast<std::size_t>(fp)].starts_as_units;
        const model::Factory one = only_product(f, fp);
        const auto cap = analysis::analyse(one, co);
        for (std::size_t g = 0; g < ng; ++g)
          if (!f.tool_groups[g].is_delay) sp.hours[g] = cap.groups[g].required_hours_per_day / spd;
        // Good units and component draws per start from the model's flow, lot-weighted over the
        // product's streams.
        double lots = 0, units = 0, ct = 0, rpt = 0, ctw = 0;
        for (std::size_t si = 0; si < f.streams.size(); ++si) {
          const auto& st = f.streams[si];
          if (st.product != fp) continue;
          const double lpd = model::lots_per_day(st);
          const model::StreamFlow fl = model::stream_flow(f, static_cast<model::StreamId>(si));
          lots += lpd;
          units += lpd * (fl.units_out + fl.wafers_out);
          for (const auto& step : fl.steps)
            for (const auto& [comp, q] : step.kit) {
              const std::string& name = f.components[static_cast<std::size_t>(comp)].name;
              for (std::size_t c = 0; c < n.components.size(); ++c)
                if (n.components[c].name == name)
                  sp.components[c] += lpd * step.load_visits * q / spd;
            }
          const auto& sc = full.nominal.streams[si];
          ct += sc.lots_out_per_day * sc.cycle_time_days;
          rpt += sc.lots_out_per_day * sc.raw_process_days;
          ctw += sc.lots_out_per_day;
        }
        (void)lots;
        sp.good_units = units / spd;
        sp.cycle_time_days = ctw > 0 ? ct / ctw : 0;
        sp.raw_process_days = ctw > 0 ? rpt / ctw : 0;
      }
      spd_of.push_back(spd);
      lp.products.push_back(std::move(sp));
    }
    // Hours per start at the line model's own mix: each product alone misses the changeovers
    // between products and fills batches differently; scale every product's hours at a group so
    // that the model's own starts need the hours the analysis of the whole model finds.
    for (std::size_t g = 0; g < ng; ++g) {
      double alone = 0;
      for (std::size_t p = 0; p < lp.products.size(); ++p)
        if (lp.products[p].makes) alone += lp.products[p].hours[g] * spd_of[p];
      const double whole = full.groups[g].required_hours_per_day;
      if (alone > 0 && whole > 0 && std::isfinite(whole))
        for (auto& sp : lp.products) sp.hours[g] *= whole / alone;
    }
    out.push_back(std::move(lp));
  }
  return out;
}

namespace {

// Demand merged per (customer, product): quantities add up; backlog if any row says so; the
// largest penalty and minimum service.
struct Demand {
  int customer = -1, product = -1;
  std::vector<double> units;
  double penalty = 0, min_service = 0;
  bool backlog = false;
};

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

// WIP waiting at one group as a function of its utilisation, per hour of capacity (pieces):
// phi(u) = u * Wq(u) / (hbar * H), Wq the multi-server queue wait at the model's variability.
struct WipCurve {
  double te = 0, v = 0, m = 1, hbar = 1, hours = 720;
  double wq(double u) const {
    const double expo = std::sqrt(2.0 * (m + 1.0)) - 1.0;
    return v * std::pow(u, expo) / (m * (1.0 - u)) * te;
  }
  double phi(double u) const { return u * wq(u) / (hbar * hours); }
};

// Column and row bookkeeping of one model.
struct Model {
  Mip mip;
  // first stage
  std::map<std::tuple<int, int, int>, int> buy;  // (instance, group, month) -> col
  std::map<std::pair<int, int>, int> open;       // (instance, month) -> col
  // second stage, per scenario
  std::vector<std::map<std::tuple<int, int, int>, int>> x;  // (instance, product, month)
  std::vector<std::map<std::tuple<int, int>, int>> ship, backlog, lost;  // (demand idx, month)
  std::vector<std::map<std::pair<int, int>, int>> inv;     // (product, month)
  std::vector<std::map<std::pair<int, int>, int>> extra;   // (component, month)
  std::vector<std::map<std::pair<int, int>, int>> stock;   // (component, month)
  std::vector<std::map<std::tuple<int, int, int>, int>> wip;  // (instance, group, month)
  // rows for duals
  std::vector<std::map<std::tuple<int, int, int>, int>> cap_row;  // (instance, group, month)
  std::vector<std::map<std::pair<int, int>, int>> comp_row;       // (component, month)
  std::map<int, int> budget_row;                                  // year -> row
  std::vector<int> slack_cols;                                    // conflict analysis
  std::vector<std::string> slack_family;
  std::vector<std::pair<int, double>> shortage;  // backlog and lost columns, probability-weighted
};

struct Builder {
  const Network& n;
  const PlanOptions& o;
  const std::vector<LineProfile>& prof;
  const std::vector<Demand>& dem;
  // Per (instance, group): relevant (some product needs hours there).
  std::vector<std::vector<char>> loaded;
  // With conflict slacks: families that get a penalised slack.
  std::set<std::string> slack_families;
  // First-stage decisions fixed (EV evaluation): col values by key.
  const std::map<std::tuple<int, int, int>, int>* fix_buy = nullptr;
  const std::map<std::pair<int, int>, int>* fix_open = nullptr;
  std::vector<int> scenario_ids;  // which scenarios to include
  std::vector<double> probability;
  std::vector<std::vector<double>> demand_factor;  // [scenario][customer]
  // min-capex, first pass: the least expected shortage (backlog unit-months and lost units) any
  // plan can reach; second pass: the least capex at that shortage (shortage_cap >= 0).
  bool shortage_objective = false;
  double shortage_cap = -1;

  int H() const { return n.horizon; }

  Model build() {
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

  // Adds a penalised slack column to row r when its family is relaxed (conflict analysis).
  void slack(Model& m, int r, const std::string& family, double sign) {
    if (!slack_families.count(family)) return;
    const int c = m.mip.add_col(fmt::format("slack[{}]", m.mip.rows()[static_cast<std::size_t>(r)].name), 0, kInf, 1e6);
    m.mip.add_coef(r, c, sign);
    m.slack_cols.push_back(c);
    m.slack_family.push_back(family);
  }

  void build_scenario(Model& m, std::size_t s) {
    const double pr = probability[s];
    const bool min_capex = o.objective == Objective::MinCapex;
    const int nI = static_cast<int>(n.instances.size());
    const int nP = static_cast<int>(n.products.size());
    const std::string sn = n.scenarios[static_cast<std::size_t>(scenario_ids[s])].name;
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
};

std::string status_text(const SolveResult& r) {
  switch (r.status) {
    case SolveStatus::Optimal:
      return "optimal";
    case SolveStatus::Feasible:
      return fmt::format("feasible at gap {:.2f} %", 100 * r.gap);
    case SolveStatus::NoSolution:
      return "no solution in time";
    case SolveStatus::Infeasible:
      return "infeasible";
    case SolveStatus::Unbounded:
      return "unbounded";
    case SolveStatus::Error:
      return "solver error: " + r.message;
  }
  return "?";
}

// Rounds the first stage of an LP solution x to integers (a start for the MIP): each option
// building opens in the first month where its cumulative LP opening reaches one half; each
// group's purchases follow its cumulative LP purchases rounded up (`up`) or down, month by
// month, within the per-month limit (the rest carried to the next month), and never before the
// building opens. Returns x with the integer columns rounded.
std::vector<double> round_first_stage(const Network& n, const Model& m, const std::vector<double>& x, double up,
                                      int until = std::numeric_limits<int>::max()) {
  std::vector<double> r = x;
  std::map<int, int> opened;  // instance -> month
  {
    std::map<int, double> cum;
    for (const auto& [k, c] : m.open) {  // ordered by (instance, month)
      double& acc = cum[k.first];
      const bool before = acc >= 0.5;
      acc += x[static_cast<std::size_t>(c)];
      const bool now = !before && acc >= 0.5 - 1e-9;
      r[static_cast<std::size_t>(c)] = now ? 1.0 : 0.0;
      if (now) opened[k.first] = k.second;
    }
  }
  // Purchases per (line model, group): the vendors' monthly limit is shared by the instances of
  // a line model, so the bucket's cumulative LP purchases are rounded and each tool goes to the
  // instance furthest behind its own cumulative LP purchases.
  struct Slot {
    int instance, col;
  };
  std::map<std::pair<int, int>, std::map<int, std::vector<Slot>>> buckets;  // (line, g) -> t -> slots
  for (const auto& [k, c] : m.buy) {
    const int i = std::get<0>(k);
    buckets[{n.instances[static_cast<std::size_t>(i)].line, std::get<1>(k)}][std::get<2>(k)].push_back(Slot{i, c});
  }
  for (auto& [lg, months] : buckets) {
    const auto& tt = n.lines[static_cast<std::size_t>(lg.first)].terms[static_cast<std::size_t>(lg.second)];
    std::map<int, double> cum;  // instance -> cumulative LP purchases
    std::map<int, int> have;    // instance -> tools given
    double total = 0;
    int given = 0;
    for (auto& [t, slots] : months) {
      if (t >= until) break;  // left as they are (relax-and-fix: later windows)
      for (const auto& sl : slots) {
        const double v = x[static_cast<std::size_t>(sl.col)];
        cum[sl.instance] += v;
        total += v;
        r[static_cast<std::size_t>(sl.col)] = 0;
      }
      // up = 1: rounded up; 0.5: to the nearest; 0: down
      const double rounded = up >= 1.0 ? std::ceil(total - 1e-6) : up <= 0.0 ? std::floor(total + 1e-6) : std::floor(total + up);
      int want = static_cast<int>(rounded) - given;
      if (tt.max_per_month >= 0) want = std::min(want, tt.max_per_month);
      for (; want > 0; --want) {
        const Slot* pick = nullptr;
        double behind = -kInf;
        for (const auto& sl : slots) {
          const auto& li = n.instances[static_cast<std::size_t>(sl.instance)];
          if (li.status == LineStatus::Option) {
            const auto it = opened.find(sl.instance);
            if (it == opened.end() || t < it->second) continue;
          }
          if (r[static_cast<std::size_t>(sl.col)] + 1 > m.mip.cols()[static_cast<std::size_t>(sl.col)].hi) continue;
          const double b = cum[sl.instance] - have[sl.instance];
          if (b > behind) {
            behind = b;
            pick = &sl;
          }
        }
        if (pick == nullptr) break;
        r[static_cast<std::size_t>(pick->col)] += 1;
        ++have[pick->instance];
        ++given;
      }
    }
  }
  return r;
}

// Solves a plan's MIP (docs/planner.md "Solving"): the LP relaxation, a rounded start, then CBC
// with the start for the rest of the time limit when the start is not within the gap.
struct PlanSolve {
  SolveResult result;
  double lp_bound = kInf, start_objective = kInf;
  int hint = 0;  // the given start: 0 none, 1 used (it was the better start), -1 did not fit, 2 fit but worse
  double lp_seconds = 0, rounding_seconds = 0;
  int moves_tried = 0;
  bool cut = false;  // the time limit cut the start's search short (the plan depends on the machine's speed)
};

// `hint` (optional, size n_cols): first-stage values of an earlier plan (re-planning), tried as
// a start beside the rounded one.
PlanSolve solve_plan_mip(const Network& n, const Model& m, const SolveOptions& o,
                         int moves, const std::vector<double>* hint = nullptr) {
  PlanSolve out;
  bool has_integers = false;
  for (const auto& c : m.mip.cols()) has_integers = has_integers || c.integer;
  // A start for the solver from the LP relaxation (docs/planner.md "Solving"): buildings rounded
  // and tried both ways, then tools rounded cumulatively, production re-solved each time from
  // the last basis. On the built-in network CBC's own heuristics find no good plan within the
  // time limit; from this start the search begins close to the bound, and when the start is
  // already within the gap of the LP bound it is the plan, proven within the gap.
  const auto t_start = std::chrono::steady_clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count(); };
  const double limit = o.time_limit_seconds;
  SolveOptions so = o;
  if (so.start.empty() && has_integers) {
    LpSession lp(m.mip, o.log);
    if (lp.solve(limit)) {
      out.lp_bound = lp.objective();
      out.lp_seconds = elapsed();
      std::vector<double> best;
      double best_obj = kInf;
      // Buildings: the LP's rounded openings, then each option line flipped (opened at the
      // month its LP opening first reaches 0.2, or not opened), kept when better.
      std::vector<double> r = round_first_stage(n, m, lp.x(), 1.0);
      auto fix_open = [&](const std::vector<double>& v) {
        for (const auto& [k, c] : m.open) lp.set_bounds(c, v[static_cast<std::size_t>(c)], v[static_cast<std::size_t>(c)]);
      };
      fix_open(r);
      if (lp.solve(std::max(10.0, limit - elapsed()))) {
        std::vector<double> open_now(r);
        double obj = lp.objective();
        std::vector<double> xlp = lp.x();
        std::set<int> options;
        for (const auto& [k, c] : m.open) options.insert(k.first);
        for (const int i : options) {
          if (elapsed() > 0.6 * limit) {
            out.cut = true;
            break;
          }
          std::vector<double> alt = open_now;
          bool is_open = false;
          for (const auto& [k, c] : m.open)
            if (k.first == i && open_now[static_cast<std::size_t>(c)] > 0.5) is_open = true;
          double cum = 0;
          bool set = false;
          for (const auto& [k, c] : m.open) {
            if (k.first != i) continue;
            cum += xlp[static_cast<std::size_t>(c)];
            alt[static_cast<std::size_t>(c)] = 0;
            if (!is_open && !set && cum >= 0.2) {
              alt[static_cast<std::size_t>(c)] = 1;
              set = true;
            }
          }
          if (!is_open && !set) continue;
          fix_open(alt);
          const bool okf = lp.solve(std::max(10.0, limit - elapsed()));
          if (okf && lp.objective() < obj - 1e-9 * std::abs(obj)) {
            obj = lp.objective();
            open_now = alt;
          }
        }
        fix_open(open_now);
        if (lp.solve(std::max(10.0, limit - elapsed()))) {
          const std::vector<double> xo = lp.x();
          // Tools, relax-and-fix over windows of months: the window's cumulative purchases
          // rounded (up, then in a second try down) and fixed, the later months re-solved as
          // LP so that they make up for the rounding; production re-solved at the end.
          // (Month by month while time allows; in half-year steps when the LP took most of it.)
          const int window = elapsed() < 0.5 * limit ? 1 : 6;
          out.cut = out.cut || window > 1;
          for (const double up : {1.0}) {
            if (!best.empty() && elapsed() > 0.75 * limit) break;
            for (const auto& [k, c] : m.buy) lp.set_bounds(c, m.mip.cols()[static_cast<std::size_t>(c)].lo, m.mip.cols()[static_cast<std::size_t>(c)].hi);
            std::vector<double> cur = xo;
            bool ok = true;
            for (int t1 = window; ok; t1 += window) {
              const int until = std::min(t1, n.horizon);
              const std::vector<double> fx = round_first_stage(n, m, cur, up, until);
              for (const auto& [k, c] : m.buy)
                if (std::get<2>(k) < until) lp.set_bounds(c, fx[static_cast<std::size_t>(c)], fx[static_cast<std::size_t>(c)]);
              ok = lp.solve(std::max(10.0, limit - elapsed()));
              if (ok) cur = lp.x();
              if (until >= n.horizon) break;
            }
            if (!ok) continue;
            out.rounding_seconds = elapsed() - out.lp_seconds;
            // Local search by reduced costs: one tool more or less, or one tool moved to another
            // line of the same model or up to two months earlier (the vendors' limit is shared),
            // largest estimated gain first, kept when the re-solved plan is better.
            {
              std::vector<double> rc = lp.reduced_cost();
              double obj = lp.objective();
              std::set<std::pair<int, int>> tried;
              // Purchase columns by (line model, group, month).
              std::map<std::tuple<int, int, int>, std::vector<int>> by_bucket;
              for (const auto& [k, c] : m.buy)
                by_bucket[{n.instances[static_cast<std::size_t>(std::get<0>(k))].line, std::get<1>(k), std::get<2>(k)}].push_back(c);
              auto used = [&](const std::vector<int>& cols) {
                double u = 0;
                for (int c : cols) u += std::round(cur[static_cast<std::size_t>(c)]);
                return u;
              };
              for (int iter = 0; iter < moves; ++iter) {
                // Done once the plan is within the gap of the LP bound.
                if (obj - out.lp_bound <= o.relative_gap * std::abs(obj)) break;
                if (elapsed() > 0.85 * limit) {
                  out.cut = true;
                  break;
                }
                int take = -1, give = -1;  // one less at take, one more at give (-1: none)
                double gain = 1e-6 * std::abs(obj) + 1.0;
                for (const auto& [k, c] : m.buy) {
                  const double v = std::round(cur[static_cast<std::size_t>(c)]), d = rc[static_cast<std::size_t>(c)];
                  const int l = n.instances[static_cast<std::size_t>(std::get<0>(k))].line;
                  const auto& tt = n.lines[static_cast<std::size_t>(l)].terms[static_cast<std::size_t>(std::get<1>(k))];
                  const double hi = m.mip.cols()[static_cast<std::size_t>(c)].hi;
                  const double room = tt.max_per_month < 0 ? kInf : tt.max_per_month - used(by_bucket[{l, std::get<1>(k), std::get<2>(k)}]);
                  if (v >= 1 && d > gain && !tried.count({c, -1})) {
                    gain = d;
                    take = c;
                    give = -1;
                  }
                  if (v + 1 <= hi && room >= 1 && -d > gain && !tried.count({-1, c})) {
                    gain = -d;
                    take = -1;
                    give = c;
                  }
                  if (v < 1) continue;
                  for (int dt = 0; dt <= 2; ++dt) {
                    const auto it = by_bucket.find({l, std::get<1>(k), std::get<2>(k) - dt});
                    if (it == by_bucket.end()) continue;
                    const double room2 = tt.max_per_month < 0 ? kInf : tt.max_per_month - used(it->second) + (dt == 0 ? 1 : 0);
                    if (room2 < 1) continue;
                    for (int c2 : it->second) {
                      if (c2 == c || std::round(cur[static_cast<std::size_t>(c2)]) + 1 > m.mip.cols()[static_cast<std::size_t>(c2)].hi) continue;
                      const double g2 = d - rc[static_cast<std::size_t>(c2)];
                      if (g2 > gain && !tried.count({c, c2})) {
                        gain = g2;
                        take = c;
                        give = c2;
                      }
                    }
                  }
                }
                if (take < 0 && give < 0) break;
                tried.insert({take, give});
                ++out.moves_tried;
                const double tv = take >= 0 ? std::round(cur[static_cast<std::size_t>(take)]) : 0;
                const double gv = give >= 0 ? std::round(cur[static_cast<std::size_t>(give)]) : 0;
                if (take >= 0) lp.set_bounds(take, tv - 1, tv - 1);
                if (give >= 0) lp.set_bounds(give, gv + 1, gv + 1);
                if (lp.solve(std::max(10.0, limit - elapsed())) && lp.objective() < obj - 1e-9 * std::abs(obj)) {
                  obj = lp.objective();
                  cur = lp.x();
                  rc = lp.reduced_cost();
                } else {
                  if (take >= 0) lp.set_bounds(take, tv, tv);
                  if (give >= 0) lp.set_bounds(give, gv, gv);
                }
              }
            }
            std::vector<double> cand = cur;
            for (int j = 0; j < m.mip.n_cols(); ++j)
              if (m.mip.cols()[static_cast<std::size_t>(j)].integer) cand[static_cast<std::size_t>(j)] = std::round(cand[static_cast<std::size_t>(j)]);
            const double co = m.mip.objective(cand);
            if (m.mip.max_violation(cand) < 1e-4 && co < best_obj) {
              best_obj = co;
              best = std::move(cand);
            }
          }
        }
      }
      if (hint != nullptr) {
        // The earlier plan's tools and buildings, production re-solved.
        for (const auto& [k, c] : m.open) lp.set_bounds(c, (*hint)[static_cast<std::size_t>(c)], (*hint)[static_cast<std::size_t>(c)]);
        for (const auto& [k, c] : m.buy) {
          const double v = std::min((*hint)[static_cast<std::size_t>(c)], m.mip.cols()[static_cast<std::size_t>(c)].hi);
          lp.set_bounds(c, v, v);
        }
        out.hint = -1;
        if (lp.solve(std::max(10.0, limit - elapsed()))) {
          std::vector<double> cand = lp.x();
          for (int j = 0; j < m.mip.n_cols(); ++j)
            if (m.mip.cols()[static_cast<std::size_t>(j)].integer) cand[static_cast<std::size_t>(j)] = std::round(cand[static_cast<std::size_t>(j)]);
          const double co = m.mip.objective(cand);
          if (m.mip.max_violation(cand) < 1e-4) {
            out.hint = 2;
            if (co < best_obj) {
              out.hint = 1;
              best_obj = co;
              best = std::move(cand);
            }
          }
        }
      }
      if (!best.empty()) {
        so.start = best;
        out.start_objective = best_obj;
      }
    }
  }
  const double bound0 = out.lp_bound;
  const double start_gap = std::isfinite(out.start_objective) && std::isfinite(bound0)
                               ? std::max(0.0, (out.start_objective - bound0) / std::max(1e-9, std::abs(out.start_objective)))
                               : kInf;
  const bool within_gap = start_gap <= o.relative_gap;
  if (!so.start.empty() && (within_gap || limit - elapsed() < 0.25 * limit)) {
    // Within the gap, the start is the plan, proven; with too little time left for CBC's root
    // (its LP alone takes seconds on the built-in network), it is the plan at its gap.
    out.result.status = within_gap ? SolveStatus::Optimal : SolveStatus::Feasible;
    out.result.x = so.start;
    out.result.objective = out.start_objective;
    out.result.bound = bound0;
    out.result.gap = start_gap;
    out.result.message = within_gap ? "the rounded LP relaxation is within the gap; branch and bound not needed"
                                    : "the rounded LP relaxation; no time left for branch and bound";
  } else {
    so.time_limit_seconds = std::max(1.0, limit - elapsed());
    out.result = solve(m.mip, so);
    // The better of the solver's plan and the start (CBC may stop on its time limit with a worse
    // incumbent than the start it was given).
    if (!so.start.empty() && (out.result.x.empty() || out.start_objective < out.result.objective)) {
      out.result.x = so.start;
      out.result.objective = out.start_objective;
      if (out.result.status == SolveStatus::NoSolution || out.result.status == SolveStatus::Error)
        out.result.status = SolveStatus::Feasible;
    }
    if (std::isfinite(bound0)) out.result.bound = std::max(out.result.bound, bound0);
    if (!out.result.x.empty() && std::isfinite(out.result.bound)) {
      out.result.gap = std::max(0.0, (out.result.objective - out.result.bound) / std::max(1e-9, std::abs(out.result.objective)));
      if (out.result.status == SolveStatus::Feasible && out.result.gap <= o.relative_gap) out.result.status = SolveStatus::Optimal;
    }
  }
  out.result.seconds = elapsed();

  return out;
}

}  // namespace

Plan make_plan(const Network& n, const PlanOptions& o) {
  const auto w0 = std::chrono::steady_clock::now();
  Plan plan;
  plan.network = n.name;
  plan.options = o;
  const auto prof = line_profiles(n);
  const auto dem = merge_demand(n);
  Builder b{n, o, prof, dem, {}, {}, nullptr, nullptr, {}, {}, {}};
  for (std::size_t s = 0; s < n.scenarios.size(); ++s) {
    b.scenario_ids.push_back(static_cast<int>(s));
    b.probability.push_back(n.scenarios[s].probability);
    std::vector<double> f;
    for (std::size_t c = 0; c < n.customers.size(); ++c) f.push_back(scenario_factor(n.scenarios[s], static_cast<int>(c)));
    b.demand_factor.push_back(f);
  }
  if (o.objective == Objective::MinCapex) {
    // Meet the demand as far as any plan can, then with the least capital (two solves).
    Builder sb = b;
    sb.shortage_objective = true;
    const Model sm = sb.build();
    const SolveResult sr = solve_plan_mip(n, sm, o.solve, o.search_moves).result;
    if (!sr.x.empty()) b.shortage_cap = sr.objective * (1 + 1e-7) + 1e-6;
  }
  Model m = b.build();
  plan.columns = m.mip.n_cols();
  plan.rows = m.mip.n_rows();
  for (const auto& c : m.mip.cols()) plan.integers += c.integer;
  std::vector<double> hint;
  if (o.start.given) {
    hint.assign(static_cast<std::size_t>(m.mip.n_cols()), 0.0);
    for (const auto& pu : o.start.purchases) {
      const auto it = m.buy.find({pu.instance, pu.group, pu.month});
      if (it != m.buy.end()) hint[static_cast<std::size_t>(it->second)] += pu.tools;
    }
    for (const auto& op : o.start.openings) {
      const auto it = m.open.find({op.instance, op.month});
      if (it != m.open.end()) hint[static_cast<std::size_t>(it->second)] = 1;
    }
  }
  const PlanSolve ps = solve_plan_mip(n, m, o.solve, o.search_moves, o.start.given ? &hint : nullptr);
  plan.search_cut = ps.cut;
  plan.start_hint = ps.hint;
  plan.solver = ps.result;
  plan.lp_bound = ps.lp_bound;
  plan.lp_seconds = ps.lp_seconds;
  plan.rounding_seconds = ps.rounding_seconds;
  plan.moves_tried = ps.moves_tried;
  plan.start_objective = ps.start_objective;
  plan.call = plan.solver.status;
  plan.plan_status = status_text(plan.solver);
  if (plan.solver.status == SolveStatus::Infeasible) {
    // Which hard constraint families conflict: re-solve with a penalised slack on each family.
    for (const char* fam : {"min_service", "budget", "components"}) {
      Builder rb = b;
      rb.slack_families = {fam};
      Model rm = rb.build();
      const SolveResult rr = solve_plan_mip(n, rm, o.solve, o.search_moves).result;
      if (rr.status == SolveStatus::Optimal || rr.status == SolveStatus::Feasible) {
        double used = 0;
        for (int c : rm.slack_cols) used += rr.x[static_cast<std::size_t>(c)];
        if (used > 1e-6) plan.conflicts.push_back(fmt::format("{} (relaxed by {:.6g} in total)", fam, used));
      }
    }
    plan.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - w0).count();
    return plan;
  }
  if (plan.solver.x.empty()) {
    plan.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - w0).count();
    return plan;
  }
  const auto& x = plan.solver.x;
  auto val = [&](int c) { return x[static_cast<std::size_t>(c)]; };
  // First stage.
  std::map<std::tuple<int, int, int>, int> buys;
  std::map<std::pair<int, int>, int> opens;
  plan.first_year = n.start.year();
  plan.capex_by_year.assign(static_cast<std::size_t>(n.month(n.horizon - 1).year() - plan.first_year + 1), 0.0);
  for (const auto& [k, c] : m.buy) {
    const int v = static_cast<int>(std::lround(val(c)));
    if (v <= 0) continue;
    buys[k] = v;
    const auto& li = n.instances[static_cast<std::size_t>(std::get<0>(k))];
    const auto& tt = n.lines[static_cast<std::size_t>(li.line)].terms[static_cast<std::size_t>(std::get<1>(k))];
    Purchase pu{std::get<0>(k), std::get<1>(k), std::get<2>(k), v, std::get<2>(k) + tt.lead_months, v * tt.price};
    plan.purchases.push_back(pu);
    plan.capex_by_year[static_cast<std::size_t>(n.month(pu.month).year() - plan.first_year)] += pu.cost;
  }
  for (const auto& [k, c] : m.open) {
    if (val(c) < 0.5) continue;
    opens[k] = 1;
    const auto& li = n.instances[static_cast<std::size_t>(k.first)];
    Opening op{k.first, k.second, k.second + li.build_months, li.capex};
    plan.openings.push_back(op);
    plan.capex_by_year[static_cast<std::size_t>(n.month(op.month).year() - plan.first_year)] += op.capex;
  }
  for (double c : plan.capex_by_year) plan.capex_total += c;
  // Second stage per scenario.
  const int nP = static_cast<int>(n.products.size());
  for (std::size_t s = 0; s < n.scenarios.size(); ++s) {
    ScenarioPlan sp;
    sp.name = n.scenarios[s].name;
    sp.probability = n.scenarios[s].probability;
    const std::size_t nC = n.customers.size();
    auto grid = [&](std::size_t a) {
      return std::vector<std::vector<std::vector<double>>>(a, std::vector<std::vector<double>>(static_cast<std::size_t>(nP), std::vector<double>(static_cast<std::size_t>(n.horizon), 0.0)));
    };
    sp.demand = grid(nC);
    sp.shipped = grid(nC);
    sp.backlog = grid(nC);
    sp.lost = grid(nC);
    sp.starts = grid(n.instances.size());
    for (std::size_t d = 0; d < dem.size(); ++d) {
      const auto& dd = dem[d];
      for (int t = 0; t < n.horizon; ++t) {
        const auto cu = static_cast<std::size_t>(dd.customer), pu = static_cast<std::size_t>(dd.product), tu = static_cast<std::size_t>(t);
        sp.demand[cu][pu][tu] += dd.units[tu] * b.demand_factor[s][cu];
        const double sh = val(m.ship[s].at({static_cast<int>(d), t}));
        sp.shipped[cu][pu][tu] += sh;
        sp.margin += sh * n.products[pu].margin;
        if (dd.backlog) {
          const double bl = val(m.backlog[s].at({static_cast<int>(d), t}));
          sp.backlog[cu][pu][tu] += bl;
          sp.penalties += bl * dd.penalty;
        } else {
          const double lo = val(m.lost[s].at({static_cast<int>(d), t}));
          sp.lost[cu][pu][tu] += lo;
          sp.penalties += lo * dd.penalty;
        }
      }
    }
    for (const auto& [k, c] : m.x[s])
      sp.starts[static_cast<std::size_t>(std::get<0>(k))][static_cast<std::size_t>(std::get<1>(k))][static_cast<std::size_t>(std::get<2>(k))] = val(c);
    sp.component_use.assign(n.components.size(), std::vector<double>(static_cast<std::size_t>(n.horizon), 0.0));
    sp.component_extra = sp.component_use;
    for (const auto& [k, r] : m.comp_row[s]) {
      double use = 0;
      for (const auto& [c, v] : m.mip.rows()[static_cast<std::size_t>(r)].entries)
        if (m.mip.cols()[static_cast<std::size_t>(c)].name.rfind("x[", 0) == 0) use += v * val(c);
      sp.component_use[static_cast<std::size_t>(k.first)][static_cast<std::size_t>(k.second)] = use;
    }
    for (const auto& [k, c] : m.extra[s]) {
      sp.component_extra[static_cast<std::size_t>(k.first)][static_cast<std::size_t>(k.second)] = val(c);
      sp.extra_cost += val(c) * n.components[static_cast<std::size_t>(k.first)].extra_price;
    }
    for (const auto& [k, c] : m.wip[s]) sp.wip_cost += val(c) * n.wip_cost;
    plan.expected_profit += sp.probability * (sp.margin - sp.penalties - sp.wip_cost - sp.extra_cost);
    plan.scenarios.push_back(std::move(sp));
  }
  const double charge = n.monthly_capital_charge();
  for (const auto& pu : plan.purchases) plan.expected_profit -= pu.cost * charge * (n.horizon - pu.month);
  for (const auto& op : plan.openings) plan.expected_profit -= op.capex * charge * (n.horizon - op.month);
  plan.objective_value = o.objective == Objective::MinCapex ? plan.capex_total : plan.expected_profit;

  // Shadow prices: the LP with the integer decisions fixed.
  if (o.shadow_prices) {
    const LpDuals d = fixed_lp_duals(m.mip, x);
    if (d.ok) {
      auto add = [&](const std::string& kind, const std::string& what, int r, double scale, const std::string& sc) {
        const double v = -d.row_dual[static_cast<std::size_t>(r)] * scale;
        if (std::abs(v) > 1e-6) plan.binding.push_back(Binding{kind, what, v, sc});
      };
      for (std::size_t s = 0; s < n.scenarios.size(); ++s) {
        for (const auto& [k, r] : m.cap_row[s]) {
          // Only where the tools exist that month (a line not built yet has no hour to add).
          const auto& row = m.mip.rows()[static_cast<std::size_t>(r)];
          double capacity = row.hi;
          for (const auto& [c, v] : row.entries)
            if (v < 0) capacity -= v * x[static_cast<std::size_t>(c)];
          if (capacity <= 1e-6) continue;
          const auto& li = n.instances[static_cast<std::size_t>(std::get<0>(k))];
          // One more available tool-hour carries max_utilisation more hours of load.
          add("tool-hours", fmt::format("{} / {} / {}", li.name, n.lines[static_cast<std::size_t>(li.line)].factory->tool_groups[static_cast<std::size_t>(std::get<1>(k))].name, n.month(std::get<2>(k)).to_string()), r, o.max_utilisation, n.scenarios[s].name);
        }
        for (const auto& [k, r] : m.comp_row[s])
          add("component", fmt::format("{} / {}", n.components[static_cast<std::size_t>(k.first)].name, n.month(k.second).to_string()), r, 1.0, n.scenarios[s].name);
      }
      for (const auto& [year, r] : m.budget_row) add("budget", fmt::format("capex {}", year), r, 1.0, "");
      std::stable_sort(plan.binding.begin(), plan.binding.end(), [](const Binding& a, const Binding& b2) { return std::abs(a.value) > std::abs(b2.value); });
    }
  }

  evaluate_lines(n, prof, plan);
  if (o.verify) verify_plan(n, prof, plan);

  // Value of the stochastic solution: the single-forecast (expected demand) plan's first-stage
  // decisions evaluated under every scenario.
  if (o.vss && n.scenarios.size() > 1 && o.objective == Objective::Profit) {
    Builder eb = b;
    eb.scenario_ids = {0};
    eb.probability = {1.0};
    std::vector<double> f(n.customers.size(), 0.0);
    for (std::size_t s = 0; s < n.scenarios.size(); ++s)
      for (std::size_t c = 0; c < n.customers.size(); ++c) f[c] += n.scenarios[s].probability * b.demand_factor[s][c];
    eb.demand_factor = {f};
    Model em = eb.build();
    SolveOptions eo = o.solve;
    eo.time_limit_seconds = 0.5 * o.solve.time_limit_seconds;
    const SolveResult er = solve_plan_mip(n, em, eo, o.search_moves).result;
    if (!er.x.empty()) {
      std::map<std::tuple<int, int, int>, int> eb_buy;
      std::map<std::pair<int, int>, int> eb_open;
      for (const auto& [k, c] : em.buy) eb_buy[k] = static_cast<int>(std::lround(er.x[static_cast<std::size_t>(c)]));
      for (const auto& [k, c] : em.open) eb_open[k] = static_cast<int>(std::lround(er.x[static_cast<std::size_t>(c)]));
      Builder fb = b;
      fb.fix_buy = &eb_buy;
      fb.fix_open = &eb_open;
      Model fm = fb.build();
      // Its decisions fixed, only production is left: an LP.
      std::vector<double> fixed(static_cast<std::size_t>(fm.mip.n_cols()), 0.0);
      for (int j = 0; j < fm.mip.n_cols(); ++j) fixed[static_cast<std::size_t>(j)] = fm.mip.cols()[static_cast<std::size_t>(j)].lo;
      const LpDuals fr = fixed_lp_duals(fm.mip, fixed);
      if (fr.ok) {
        plan.ev_profit = -fr.objective;
        plan.vss = -plan.solver.objective - plan.ev_profit;
      }
    }
  }
  plan.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - w0).count();
  return plan;
}

}  // namespace osatsim::planner
