#include "analysis/sizing.h"

#include "model/flow.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace osatsim::analysis {
namespace {

using model::Factory;

// Per-product cycle times and per-group utilisation of one candidate line.
struct Eval {
  std::vector<double> ct;          // per product slot
  std::vector<double> queue_free;  // per product slot: CT minus queueing
  std::vector<double> raw;         // per product slot
  std::vector<double> util;        // per group
  std::vector<double> required;    // per group, hours/day
  std::vector<double> availability;
};

struct Ctx {
  const Factory* base = nullptr;
  CapacityOptions opt;
  std::vector<model::ProductId> products;     // slots -> product id
  std::vector<int> slot_of_product;           // product id -> slot (-1: no streams)
  std::vector<double> lots;                   // per slot
  std::vector<double> target;                 // per slot
  std::vector<std::vector<char>> on_route;    // slot -> group -> on the product's route
  int evaluations = 0;

  Eval eval(const Factory& f) {
    ++evaluations;
    std::vector<GroupCapacity> groups;
    const CurvePoint p = evaluate_at_scale(f, opt, opt.scale, &groups);
    Eval e;
    const auto np = products.size();
    e.ct.assign(np, 0.0);
    e.queue_free.assign(np, 0.0);
    e.raw.assign(np, 0.0);
    std::vector<double> w(np, 0.0);
    for (std::size_t i = 0; i < p.streams.size(); ++i) {
      const auto& s = p.streams[i];
      const int slot = slot_of_product[f.streams[i].product];
      if (slot < 0 || s.lots_per_day <= 0) continue;
      w[slot] += s.lots_per_day;
      e.ct[slot] += s.lots_per_day * s.cycle_time_days;
      e.queue_free[slot] += s.lots_per_day * (s.cycle_time_days - s.queue_days);
      e.raw[slot] += s.lots_per_day * s.raw_process_days;
    }
    for (std::size_t k = 0; k < np; ++k) {
      if (!std::isfinite(e.ct[k])) e.ct[k] = kInfinity;
      if (w[k] > 0) {
        e.ct[k] /= w[k];
        e.queue_free[k] /= w[k];
        e.raw[k] /= w[k];
      }
      if (!std::isfinite(e.queue_free[k])) e.queue_free[k] = kInfinity;
    }
    for (const auto& g : groups) {
      e.util.push_back(g.utilisation);
      e.required.push_back(g.required_hours_per_day);
      e.availability.push_back(g.availability);
    }
    return e;
  }

  double excess(const Eval& e) const {
    double x = 0.0;
    for (std::size_t k = 0; k < products.size(); ++k) {
      if (!std::isfinite(e.ct[k])) return kInfinity;
      x += lots[k] * std::max(0.0, e.ct[k] - target[k]);
    }
    return x;
  }
  double worst_ratio(const Eval& e) const {
    double r = 0.0;
    for (std::size_t k = 0; k < products.size(); ++k) r = std::max(r, e.ct[k] / target[k]);
    return r;
  }
  bool all_met(const Eval& e) const {
    for (std::size_t k = 0; k < products.size(); ++k) {
      if (!(e.ct[k] <= target[k] * (1.0 + 1e-12))) return false;
    }
    return true;
  }
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const auto n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// The products with release streams (sorted), their lots per day and the groups on their routes.
void sizing_products(const Factory& factory, const CapacityOptions& options, Ctx& c) {
  const auto ng = factory.tool_groups.size();
  c.slot_of_product.assign(factory.products.size(), -1);
  for (const auto& st : factory.streams) {
    if (st.product < 0 || static_cast<std::size_t>(st.product) >= factory.products.size()) continue;
    if (model::lots_per_day(st) <= 0) continue;
    if (c.slot_of_product[st.product] < 0) {
      c.slot_of_product[st.product] = static_cast<int>(c.products.size());
      c.products.push_back(st.product);
    }
  }
  std::sort(c.products.begin(), c.products.end());
  for (std::size_t k = 0; k < c.products.size(); ++k)
    c.slot_of_product[c.products[k]] = static_cast<int>(k);
  const auto np = c.products.size();
  c.lots.assign(np, 0.0);
  for (const auto& st : factory.streams) {
    const int slot = st.product >= 0 ? c.slot_of_product[st.product] : -1;
    if (slot >= 0) c.lots[slot] += options.scale * model::lots_per_day(st);
  }
  c.on_route.assign(np, std::vector<char>(ng, 0));
  for (std::size_t k = 0; k < np; ++k) {
    const auto& route = factory.routes[factory.products[c.products[k]].route];
    for (const auto& s : route.steps) c.on_route[k][s.tool_group] = 1;
  }

}

// Named targets must name products; false (with the error in r) when one does not.
bool check_target_names(const Factory& factory, const SizingOptions& so, SizingResult& r) {
  for (const auto& [name, t] : so.product_targets) {
    if (factory.find_product(name) == model::kNone) {
      r.error = fmt::format("unknown product '{}'", name);
      r.error_product = name;
      return false;
    }
  }
  for (const auto& [id, t] : so.product_target_ids) {
    if (id < 0 || static_cast<std::size_t>(id) >= factory.products.size()) {
      r.error = fmt::format("unknown product id {}", id);
      return false;
    }
  }
  return true;
}

// The target cycle time of every product (given, or a factor of its raw process time);
// false (with the error in r) when one is not positive or below the raw process time.
bool sizing_targets(const Factory& factory, const SizingOptions& so, const Eval& before, Ctx& c,
                    std::vector<char>& is_default, SizingResult& r) {
  const auto np = c.products.size();
  c.target.assign(np, 0.0);
  for (std::size_t k = 0; k < np; ++k) {
    const auto id = c.products[k];
    const std::string& name = factory.products[id].name;
    double t = so.target_ct_days;
    if (auto it = so.product_targets.find(name); it != so.product_targets.end()) t = it->second;
    else if (auto jt = so.product_target_ids.find(id); jt != so.product_target_ids.end())
      t = jt->second;
    else if (!(so.target_ct_days > 0)) {
      t = so.default_target_factor * before.raw[k];
      is_default[k] = 1;
    }
    if (!(t > 0) || !std::isfinite(t)) {
      r.error = fmt::format("product {}: target cycle time must be a positive number of days", name);
      r.error_product = name;
      return false;
    }
    if (t < before.raw[k]) {
      r.error = fmt::format(
          "product {}: target {:.3g} d is below its raw process time {:.3g} d (no line reaches it)",
          name, t, before.raw[k]);
      r.error_product = name;
      return false;
    }
    c.target[k] = t;
  }

  return true;
}

// The cost of one more tool per group (scenario tool_cost, else the given or median cost, else 1
// per tool), the candidate groups, and the cost rule in r.
std::vector<double> tool_costs(const Factory& factory, const SizingOptions& so, const Eval& before,
                               std::vector<char>& candidate, SizingResult& r) {
  const auto ng = factory.tool_groups.size();
  std::vector<double> known;
  for (std::size_t g = 0; g < ng; ++g) {
    const auto& tg = factory.tool_groups[g];
    candidate[g] = !tg.is_delay && before.required[g] > 0;
    if (tg.tool_cost > 0) known.push_back(tg.tool_cost);
  }
  double unknown_cost = 1.0;
  if (known.empty()) {
    r.cost_rule = "tools (no tool_cost in the scenario: every tool costs 1)";
  } else {
    unknown_cost = so.unknown_tool_cost > 0 ? so.unknown_tool_cost : median(known);
    bool mixed = false;
    for (std::size_t g = 0; g < ng; ++g) {
      if (candidate[g] && !(factory.tool_groups[g].tool_cost > 0)) mixed = true;
    }
    r.cost_rule = mixed ? fmt::format("scenario tool_cost; groups without one: {} per tool ({})",
                                      unknown_cost,
                                      so.unknown_tool_cost > 0 ? "given" : "median of the known")
                        : "scenario tool_cost";
  }
  std::vector<double> cost(ng, 1.0);
  for (std::size_t g = 0; g < ng; ++g) {
    const double tc = factory.tool_groups[g].tool_cost;
    cost[g] = known.empty() ? 1.0 : tc > 0 ? tc : unknown_cost;
  }

  return cost;
}

// Phase 1: stability. The fewest tools that bring each group below the cap, repeated because
// load-dependent batch sizes and setups move the utilisation a little. Returns why it stopped
// (empty: it did not).
std::string stabilise(const SizingOptions& so, const std::vector<char>& candidate,
                      const std::vector<double>& cost, Ctx& c, Factory& work, Eval& cur,
                      SizingResult& r) {
  const auto ng = work.tool_groups.size();
  std::string stop;
  for (int round = 0; round < 20 && stop.empty(); ++round) {
    bool changed = false;
    const std::size_t first_step = r.steps.size();
    for (std::size_t g = 0; g < ng; ++g) {
      if (!candidate[g] || cur.util[g] < so.stability_cap) continue;
      auto& tg = work.tool_groups[g];
      int need = 0;
      if (tg.tools > 0 && std::isfinite(cur.util[g])) {
        need = static_cast<int>(std::ceil(tg.tools * cur.util[g] / so.stability_cap - 1e-9));
      } else if (cur.availability[g] > 0) {
        need = static_cast<int>(
            std::ceil(cur.required[g] / (24.0 * cur.availability[g] * so.stability_cap) - 1e-9));
      } else {
        stop = fmt::format("group {} has no available time (availability 0)", tg.name);
        break;
      }
      need = std::max(need, tg.tools + 1);
      const int add = need - tg.tools;
      if (r.tools_added + add > so.max_tools_added) {
        stop = fmt::format("limit of {} tools added reached while stabilising group {}",
                           so.max_tools_added, tg.name);
        break;
      }
      tg.tools = need;
      r.tools_added += add;
      r.total_cost += add * cost[g];
      r.steps.push_back(SizingStep{static_cast<model::ToolGroupId>(g), add, true, 0.0, 0.0});
      changed = true;
    }
    if (!changed) break;
    cur = c.eval(work);
    // The steps of one round share the line after the round.
    for (std::size_t i = first_step; i < r.steps.size(); ++i) {
      r.steps[i].excess_after = c.excess(cur);
      r.steps[i].worst_ratio_after = c.worst_ratio(cur);
    }
  }

  return stop;
}

// Phase 2: marginal allocation, one tool at a time where it lowers the excess cycle time most
// per cost. Returns why it stopped (empty: every target holds).
std::string allocate(const SizingOptions& so, const std::vector<char>& candidate,
                     const std::vector<double>& cost, Ctx& c, Factory& work, Eval& cur,
                     SizingResult& r) {
  const auto ng = work.tool_groups.size();
  const auto np = c.products.size();
  std::string stop;
  constexpr double kTiny = 1e-9;
  while (stop.empty() && !c.all_met(cur)) {
    if (r.iterations >= so.max_iterations) {
      stop = fmt::format("iteration limit {} reached", so.max_iterations);
      break;
    }
    if (r.tools_added + 1 > so.max_tools_added) {
      stop = fmt::format("limit of {} tools added reached", so.max_tools_added);
      break;
    }
    const double ex = c.excess(cur);
    if (!std::isfinite(ex)) {
      stop = "a product's cycle time is infinite after stabilisation";
      break;
    }
    // The worst product (largest CT / target) for the fallback measure.
    std::size_t worst = 0;
    for (std::size_t k = 1; k < np; ++k) {
      if (cur.ct[k] / c.target[k] > cur.ct[worst] / c.target[worst]) worst = k;
    }
    int best = -1, best_fb = -1;
    double best_gain = 0.0, best_fb_gain = 0.0;
    Eval best_eval, best_fb_eval;
    for (std::size_t g = 0; g < ng; ++g) {
      if (!candidate[g]) continue;
      bool relevant = false;
      for (std::size_t k = 0; k < np && !relevant; ++k) {
        relevant = c.on_route[k][g] && cur.ct[k] > c.target[k];
      }
      if (!relevant) continue;
      ++work.tool_groups[g].tools;
      Eval e = c.eval(work);
      --work.tool_groups[g].tools;
      const double gain = (ex - c.excess(e)) / cost[g];
      const double fb = (cur.ct[worst] - e.ct[worst]) / cost[g];
      if (gain > best_gain * (1.0 + 1e-12) && gain * cost[g] > kTiny * std::max(ex, 1e-12)) {
        best = static_cast<int>(g);
        best_gain = gain;
        best_eval = std::move(e);
      } else if (fb > best_fb_gain * (1.0 + 1e-12) && fb * cost[g] > kTiny * cur.ct[worst]) {
        best_fb = static_cast<int>(g);
        best_fb_gain = fb;
        best_fb_eval = std::move(e);
      }
    }
    if (best < 0 && best_fb < 0) {
      stop = "no added tool reduces the cycle time of the products above target";
      break;
    }
    const int g = best >= 0 ? best : best_fb;
    ++work.tool_groups[g].tools;
    ++r.tools_added;
    r.total_cost += cost[g];
    ++r.iterations;
    cur = best >= 0 ? std::move(best_eval) : std::move(best_fb_eval);
    r.steps.push_back(SizingStep{static_cast<model::ToolGroupId>(g), 1, false, c.excess(cur),
                                 c.worst_ratio(cur)});
  }

  return stop;
}

// The result's groups and products before and after, and the reason when not reachable.
void sizing_report(const Factory& factory, const Factory& work, const Eval& before,
                   const Eval& cur, const std::vector<char>& candidate,
                   const std::vector<double>& cost, const std::vector<char>& is_default,
                   std::string stop, Ctx& c, SizingResult& r) {
  const auto ng = factory.tool_groups.size();
  const auto np = c.products.size();
  r.reachable = stop.empty() && c.all_met(cur);
  r.evaluations = c.evaluations;
  r.excess_before = c.excess(before);
  r.excess_after = c.excess(cur);
  for (std::size_t g = 0; g < ng; ++g) {
    GroupSizing gs;
    gs.id = static_cast<model::ToolGroupId>(g);
    gs.name = factory.tool_groups[g].name;
    gs.tools_before = factory.tool_groups[g].tools;
    gs.tools_after = work.tool_groups[g].tools;
    gs.cost_per_tool = cost[g];
    gs.cost_known = factory.tool_groups[g].tool_cost > 0;
    gs.cost_added = (gs.tools_after - gs.tools_before) * cost[g];
    gs.utilisation_before = before.util[g];
    gs.utilisation_after = cur.util[g];
    gs.candidate = candidate[g];
    r.groups.push_back(std::move(gs));
  }
  for (std::size_t k = 0; k < np; ++k) {
    ProductSizing ps;
    ps.id = c.products[k];
    ps.name = factory.products[ps.id].name;
    ps.lots_per_day = c.lots[k];
    ps.raw_process_days = before.raw[k];
    ps.queue_free_days = cur.queue_free[k];
    ps.target_days = c.target[k];
    ps.default_target = is_default[k];
    ps.cycle_time_before = before.ct[k];
    ps.cycle_time_after = cur.ct[k];
    ps.met = cur.ct[k] <= c.target[k] * (1.0 + 1e-12);
    r.products.push_back(std::move(ps));
  }
  if (!r.reachable) {
    if (stop.empty()) stop = "not every target holds";
    // Name the products whose target lies below what a queue-free line allows.
    std::string below;
    for (const auto& p : r.products) {
      if (!p.met && p.target_days < p.queue_free_days) {
        below += fmt::format("{}{} (target {:.3g} d < {:.3g} d without queueing)",
                             below.empty() ? "" : ", ", p.name, p.target_days, p.queue_free_days);
      }
    }
    r.reason = below.empty() ? stop
                             : fmt::format("{}; below the queue-free cycle time: {}", stop, below);
  }
}

}  // namespace

SizingResult size_line(const Factory& factory, const CapacityOptions& options,
                       const SizingOptions& so) {
  SizingResult r;
  Ctx c;
  c.base = &factory;
  c.opt = options;
  c.opt.curve.clear();
  const auto ng = factory.tool_groups.size();
  sizing_products(factory, options, c);

  // Targets.
  if (!check_target_names(factory, so, r)) return r;
  Factory work = factory;
  const Eval before = c.eval(work);
  std::vector<char> is_default(c.products.size(), 0);
  if (!sizing_targets(factory, so, before, c, is_default, r)) return r;

  std::vector<char> candidate(ng, 0);
  const std::vector<double> cost = tool_costs(factory, so, before, candidate, r);

  Eval cur = before;
  std::string stop = stabilise(so, candidate, cost, c, work, cur, r);
  // A product whose target lies below its cycle time without any queueing cannot be helped by
  // tools (the queue-free time hardly moves with tool counts): stop before adding useless tools.
  if (stop.empty()) {
    for (std::size_t k = 0; k < c.products.size(); ++k) {
      if (cur.ct[k] > c.target[k] && c.target[k] < cur.queue_free[k]) {
        stop = "no tool count reaches a target";
        break;
      }
    }
  }

  if (stop.empty()) stop = allocate(so, candidate, cost, c, work, cur, r);

  sizing_report(factory, work, before, cur, candidate, cost, is_default, stop, c, r);
  return r;
}

model::Factory sized_factory(const model::Factory& factory, const SizingResult& r) {
  model::Factory f = factory;
  for (const auto& g : r.groups) {
    if (g.id >= 0 && static_cast<std::size_t>(g.id) < f.tool_groups.size())
      f.tool_groups[g.id].tools = g.tools_after;
  }
  return f;
}

double expected_good_pieces_per_lot(const model::Factory& f, model::StreamId stream) {
  const model::StreamFlow fl = model::stream_flow(f, stream);  // the model's one flow
  return fl.wafers_out + fl.units_out;
}

}  // namespace osatsim::analysis
