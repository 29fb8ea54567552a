// The capacity plan of a network (docs/planner.md): the line profiles, the solves, and the plan
// read from the solution. The formulation and its solving are in plan_formulation.cpp and
// plan_solve.cpp (see planner/plan_internal.h).
#include "planner/plan.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "analysis/capacity.h"
#include "model/flow.h"
#include "planner/mip.h"
#include "planner/network.h"
#include "planner/plan_internal.h"

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

using namespace plan_detail;  // NOLINT: the planner's internals (planner/plan_internal.h)

namespace {

// The first-stage decisions of an earlier plan (--start) as column values of model m; empty
// without one.
std::vector<double> start_hint(const PlanOptions& o, const Model& m) {
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
  return hint;
}

// Which hard constraint families conflict: re-solve with a penalised slack on each family.
void find_conflicts(const Network& n, const PlanOptions& o, const Builder& b, Plan& plan) {
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
}

// The first stage of solution x: purchases, openings, capex by year.
void read_first_stage(const Network& n, const Model& m, const std::vector<double>& x, Plan& plan) {
  auto val = [&](int c) { return x[static_cast<std::size_t>(c)]; };
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
}

// The second stage of scenario s in solution x: demand, shipments, backlog, lost demand,
// starts, components and the scenario's costs.
ScenarioPlan read_scenario(const Network& n, const Model& m, const std::vector<Demand>& dem,
                           const std::vector<double>& demand_factor, std::size_t s,
                           const std::vector<double>& x) {
  auto val = [&](int c) { return x[static_cast<std::size_t>(c)]; };
  const int nP = static_cast<int>(n.products.size());
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
      sp.demand[cu][pu][tu] += dd.units[tu] * demand_factor[cu];
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
  return sp;
}

// Shadow prices: the LP with the integer decisions of x fixed.
void shadow_prices(const Network& n, const PlanOptions& o, const Model& m,
                   const std::vector<double>& x, Plan& plan) {
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

// Value of the stochastic solution: the single-forecast (expected demand) plan's first-stage
// decisions evaluated under every scenario.
void stochastic_value(const Network& n, const PlanOptions& o, const Builder& b, Plan& plan) {
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
  const std::vector<double> hint = start_hint(o, m);
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
    find_conflicts(n, o, b, plan);
    plan.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - w0).count();
    return plan;
  }
  if (plan.solver.x.empty()) {
    plan.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - w0).count();
    return plan;
  }
  const auto& x = plan.solver.x;
  read_first_stage(n, m, x, plan);
  // Second stage per scenario.
  for (std::size_t s = 0; s < n.scenarios.size(); ++s) {
    ScenarioPlan sp = read_scenario(n, m, dem, b.demand_factor[s], s, x);
    plan.expected_profit += sp.probability * (sp.margin - sp.penalties - sp.wip_cost - sp.extra_cost);
    plan.scenarios.push_back(std::move(sp));
  }
  const double charge = n.monthly_capital_charge();
  for (const auto& pu : plan.purchases) plan.expected_profit -= pu.cost * charge * (n.horizon - pu.month);
  for (const auto& op : plan.openings) plan.expected_profit -= op.capex * charge * (n.horizon - op.month);
  plan.objective_value = o.objective == Objective::MinCapex ? plan.capex_total : plan.expected_profit;

  if (o.shadow_prices) shadow_prices(n, o, m, x, plan);

  evaluate_lines(n, prof, plan);
  if (o.verify) verify_plan(n, prof, plan);

  if (o.vss && n.scenarios.size() > 1 && o.objective == Objective::Profit)
    stochastic_value(n, o, b, plan);
  plan.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - w0).count();
  return plan;
}

}  // namespace osatsim::planner
