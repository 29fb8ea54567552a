// Solving the planner's mixed-integer program (docs/planner.md "Solving"): the LP relaxation, a
// rounded start improved by a local search, then CBC with the start.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "planner/mip.h"
#include "planner/network.h"
#include "planner/plan_internal.h"

namespace osatsim::planner::plan_detail {

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

namespace {

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

// What the search for a start shares: the model, the options, the clock and the result.
struct StartSearch {
  const Network& n;
  const Model& m;
  const SolveOptions& o;
  int moves;
  PlanSolve& out;
  std::chrono::steady_clock::time_point t_start;
  double limit;

  double elapsed() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count();
  }
  void fix_open(LpSession& lp, const std::vector<double>& v) const {
    for (const auto& [k, c] : m.open) lp.set_bounds(c, v[static_cast<std::size_t>(c)], v[static_cast<std::size_t>(c)]);
  }
};

// Buildings: from the LP's rounded openings `r` (solved in lp), each option line flipped (opened
// at the month its LP opening first reaches 0.2, or not opened), kept when better. Returns the
// openings.
std::vector<double> flip_buildings(const StartSearch& ss, LpSession& lp,
                                   const std::vector<double>& r) {
  const Model& m = ss.m;
  std::vector<double> open_now(r);
  double obj = lp.objective();
  std::vector<double> xlp = lp.x();
  std::set<int> options;
  for (const auto& [k, c] : m.open) options.insert(k.first);
  for (const int i : options) {
    if (ss.elapsed() > 0.6 * ss.limit) {
      ss.out.cut = true;
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
    ss.fix_open(lp, alt);
    const bool okf = lp.solve(std::max(10.0, ss.limit - ss.elapsed()));
    if (okf && lp.objective() < obj - 1e-9 * std::abs(obj)) {
      obj = lp.objective();
      open_now = alt;
    }
  }
  return open_now;
}

// Tools, relax-and-fix over windows of months from the LP solution xo: the window's cumulative
// purchases rounded (`up`) and fixed, the later months re-solved as LP so that they make up for
// the rounding. The last solution in cur; false when an LP failed.
bool relax_and_fix(const StartSearch& ss, LpSession& lp, const std::vector<double>& xo, int window,
                   double up, std::vector<double>& cur) {
  const Network& n = ss.n;
  const Model& m = ss.m;
  for (const auto& [k, c] : m.buy) lp.set_bounds(c, m.mip.cols()[static_cast<std::size_t>(c)].lo, m.mip.cols()[static_cast<std::size_t>(c)].hi);
  cur = xo;
  bool ok = true;
  for (int t1 = window; ok; t1 += window) {
    const int until = std::min(t1, n.horizon);
    const std::vector<double> fx = round_first_stage(n, m, cur, up, until);
    for (const auto& [k, c] : m.buy)
      if (std::get<2>(k) < until) lp.set_bounds(c, fx[static_cast<std::size_t>(c)], fx[static_cast<std::size_t>(c)]);
    ok = lp.solve(std::max(10.0, ss.limit - ss.elapsed()));
    if (ok) cur = lp.x();
    if (until >= n.horizon) break;
  }
  return ok;
}

// Local search by reduced costs from the plan cur (solved in lp): one tool more or less, or one
// tool moved to another line of the same model or up to four months earlier (the vendors' limit
// is shared), moves within a line first, largest estimated gain first, kept when the re-solved
// plan is better.
void local_search(const StartSearch& ss, LpSession& lp, std::vector<double>& cur) {
  const Network& n = ss.n;
  const Model& m = ss.m;
  std::vector<double> rc = lp.reduced_cost();
  double obj = lp.objective();
  std::set<std::pair<int, int>> tried;
  // Purchase columns by (line model, group, month).
  std::map<std::tuple<int, int, int>, std::vector<int>> by_bucket;
  for (const auto& [k, c] : m.buy)
    by_bucket[{n.instances[static_cast<std::size_t>(std::get<0>(k))].line, std::get<1>(k), std::get<2>(k)}].push_back(c);
  // An option line's tools only from its opening month (buy_if_open): other moves are
  // infeasible and not tried.
  std::map<int, int> opened;  // option instance -> month opened in cur
  for (const auto& [k, c] : m.open)
    if (cur[static_cast<std::size_t>(c)] > 0.5) opened[k.first] = k.second;
  auto can_buy = [&](const std::tuple<int, int, int>& k) {
    const int i = std::get<0>(k);
    if (n.instances[static_cast<std::size_t>(i)].status != LineStatus::Option) return true;
    const auto it = opened.find(i);
    return it != opened.end() && it->second <= std::get<2>(k);
  };
  std::map<int, std::tuple<int, int, int>> key_of;  // purchase column -> (instance, group, month)
  for (const auto& [k, c] : m.buy) key_of[c] = k;
  auto used = [&](const std::vector<int>& cols) {
    double u = 0;
    for (int c : cols) u += std::round(cur[static_cast<std::size_t>(c)]);
    return u;
  };
  for (int iter = 0; iter < ss.moves; ++iter) {
    // Done once the plan is within the gap of the LP bound.
    if (obj - ss.out.lp_bound <= ss.o.relative_gap * std::abs(obj)) break;
    if (ss.elapsed() > 0.95 * ss.limit) {
      ss.out.cut = true;
      break;
    }
    // The move of largest estimated gain, first among the moves within one line (a tool less,
    // or one bought earlier at the same line), whose reduced-cost estimate holds best, then
    // among the others (a tool more, or one moved to another line): one less at take, one more
    // at give (-1: none). On the built-in network, of 296 moves by estimate alone, 14 of the 60
    // within a line were kept and 1 of the 236 others.
    int best_take[2] = {-1, -1}, best_give[2] = {-1, -1};
    double best_gain[2] = {1e-6 * std::abs(obj) + 1.0, 1e-6 * std::abs(obj) + 1.0};
    auto consider = [&](int cls, int tk, int gv, double g) {
      if (g > best_gain[cls] && !tried.count({tk, gv})) {
        best_gain[cls] = g;
        best_take[cls] = tk;
        best_give[cls] = gv;
      }
    };
    for (const auto& [k, c] : m.buy) {
      const double v = std::round(cur[static_cast<std::size_t>(c)]), d = rc[static_cast<std::size_t>(c)];
      const int l = n.instances[static_cast<std::size_t>(std::get<0>(k))].line;
      const auto& tt = n.lines[static_cast<std::size_t>(l)].terms[static_cast<std::size_t>(std::get<1>(k))];
      const double hi = m.mip.cols()[static_cast<std::size_t>(c)].hi;
      const double room = tt.max_per_month < 0 ? kInf : tt.max_per_month - used(by_bucket[{l, std::get<1>(k), std::get<2>(k)}]);
      if (v >= 1) consider(0, c, -1, d);
      if (v + 1 <= hi && room >= 1 && can_buy(k)) consider(1, -1, c, -d);
      if (v < 1) continue;
      for (int dt = 0; dt <= 4; ++dt) {
        const auto it = by_bucket.find({l, std::get<1>(k), std::get<2>(k) - dt});
        if (it == by_bucket.end()) continue;
        const double room2 = tt.max_per_month < 0 ? kInf : tt.max_per_month - used(it->second) + (dt == 0 ? 1 : 0);
        if (room2 < 1) continue;
        for (int c2 : it->second) {
          if (c2 == c || std::round(cur[static_cast<std::size_t>(c2)]) + 1 > m.mip.cols()[static_cast<std::size_t>(c2)].hi || !can_buy(key_of[c2])) continue;
          const int cls = std::get<0>(key_of[c2]) == std::get<0>(k) ? 0 : 1;
          consider(cls, c, c2, d - rc[static_cast<std::size_t>(c2)]);
        }
      }
    }
    const int cls = best_take[0] >= 0 || best_give[0] >= 0 ? 0 : 1;
    const int take = best_take[cls], give = best_give[cls];
    if (take < 0 && give < 0) break;
    tried.insert({take, give});
    ++ss.out.moves_tried;
    const double tv = take >= 0 ? std::round(cur[static_cast<std::size_t>(take)]) : 0;
    const double gv = give >= 0 ? std::round(cur[static_cast<std::size_t>(give)]) : 0;
    if (take >= 0) lp.set_bounds(take, tv - 1, tv - 1);
    if (give >= 0) lp.set_bounds(give, gv + 1, gv + 1);
    // Only a better plan is kept: the re-solve stops as soon as its bound shows it is not.
    const double cutoff = obj - 1e-9 * std::abs(obj);
    if (lp.solve(std::max(10.0, ss.limit - ss.elapsed()), cutoff) && lp.objective() < cutoff) {
      obj = lp.objective();
      cur = lp.x();
      rc = lp.reduced_cost();
    } else {
      if (take >= 0) lp.set_bounds(take, tv, tv);
      if (give >= 0) lp.set_bounds(give, gv, gv);
    }
  }
}

// The rounded LP relaxation (solved in lp), improved by the local search: the best candidate in
// best and best_obj.
void rounded_start(const StartSearch& ss, LpSession& lp, std::vector<double>& best,
                   double& best_obj) {
  const Network& n = ss.n;
  const Model& m = ss.m;
  std::vector<double> r = round_first_stage(n, m, lp.x(), 1.0);
  ss.fix_open(lp, r);
  if (!lp.solve(std::max(10.0, ss.limit - ss.elapsed()))) return;
  const std::vector<double> open_now = flip_buildings(ss, lp, r);
  ss.fix_open(lp, open_now);
  if (!lp.solve(std::max(10.0, ss.limit - ss.elapsed()))) return;
  const std::vector<double> xo = lp.x();
  // Tools: relax-and-fix (month by month while time allows; in half-year steps when the LP took
  // most of it), then the local search; production re-solved at the end.
  const int window = ss.elapsed() < 0.5 * ss.limit ? 1 : 6;
  ss.out.cut = ss.out.cut || window > 1;
  for (const double up : {1.0}) {
    if (!best.empty() && ss.elapsed() > 0.75 * ss.limit) break;
    std::vector<double> cur;
    if (!relax_and_fix(ss, lp, xo, window, up, cur)) continue;
    ss.out.rounding_seconds = ss.elapsed() - ss.out.lp_seconds;
    local_search(ss, lp, cur);
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

// The earlier plan's tools and buildings, production re-solved: a candidate start.
void hint_start(const StartSearch& ss, LpSession& lp, const std::vector<double>* hint,
                std::vector<double>& best, double& best_obj) {
  const Model& m = ss.m;
  // The earlier plan's tools and buildings, production re-solved.
  for (const auto& [k, c] : m.open) lp.set_bounds(c, (*hint)[static_cast<std::size_t>(c)], (*hint)[static_cast<std::size_t>(c)]);
  for (const auto& [k, c] : m.buy) {
    const double v = std::min((*hint)[static_cast<std::size_t>(c)], m.mip.cols()[static_cast<std::size_t>(c)].hi);
    lp.set_bounds(c, v, v);
  }
  ss.out.hint = -1;
  if (lp.solve(std::max(10.0, ss.limit - ss.elapsed()))) {
    std::vector<double> cand = lp.x();
    for (int j = 0; j < m.mip.n_cols(); ++j)
      if (m.mip.cols()[static_cast<std::size_t>(j)].integer) cand[static_cast<std::size_t>(j)] = std::round(cand[static_cast<std::size_t>(j)]);
    const double co = m.mip.objective(cand);
    if (m.mip.max_violation(cand) < 1e-4) {
      ss.out.hint = 2;
      if (co < best_obj) {
        ss.out.hint = 1;
        best_obj = co;
        best = std::move(cand);
      }
    }
  }
}

}  // namespace

PlanSolve solve_plan_mip(const Network& n, const Model& m, const SolveOptions& o,
                         int moves, const std::vector<double>* hint) {
  PlanSolve out;
  bool has_integers = false;
  for (const auto& c : m.mip.cols()) has_integers = has_integers || c.integer;
  // A start for the solver from the LP relaxation (docs/planner.md "Solving"): buildings rounded
  // and tried both ways, then tools rounded cumulatively, production re-solved each time from
  // the last basis. On the built-in network CBC's own heuristics find no good plan within the
  // time limit; from this start the search begins close to the bound, and when the start is
  // already within the gap of the LP bound it is the plan, proven within the gap.
  const StartSearch search{n,   m, o, moves, out, std::chrono::steady_clock::now(),
                           o.time_limit_seconds};
  auto elapsed = [&] { return search.elapsed(); };
  const double limit = o.time_limit_seconds;
  SolveOptions so = o;
  if (so.start.empty() && has_integers) {
    LpSession lp(m.mip, o.log);
    if (lp.solve(limit)) {
      out.lp_bound = lp.objective();
      out.lp_seconds = elapsed();
      std::vector<double> best;
      double best_obj = kInf;
      rounded_start(search, lp, best, best_obj);
      if (hint != nullptr) hint_start(search, lp, hint, best, best_obj);
      if (!best.empty()) {
        so.start = best;
        out.start_objective = best_obj;
      }
      if (o.on_progress) o.on_progress(best.empty() ? kInf : best_obj, out.lp_bound);
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

}  // namespace osatsim::planner::plan_detail
