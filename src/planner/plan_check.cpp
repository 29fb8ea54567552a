// The plan seen by the other fidelities: the capacity analysis of every line and month, and the
// discrete-event simulation of the most loaded month of each line (docs/planner.md).
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <thread>

#include "analysis/capacity.h"
#include "engine/engine.h"
#include "model/flow.h"
#include "planner/plan.h"

namespace osatsim::planner {
namespace {

// Expected starts per month of every product on instance i in month t (over the scenarios).
std::vector<double> expected_starts(const Network& n, const Plan& p, int i, int t) {
  std::vector<double> s(n.products.size(), 0.0);
  for (const auto& sc : p.scenarios)
    for (std::size_t q = 0; q < n.products.size(); ++q)
      s[q] += sc.probability * sc.starts[static_cast<std::size_t>(i)][q][static_cast<std::size_t>(t)];
  return s;
}

double ramp_in(const Network& n, const Plan& p, int i, int t) {
  const auto& li = n.instances[static_cast<std::size_t>(i)];
  switch (li.status) {
    case LineStatus::InPlace:
      return 1.0;
    case LineStatus::Construction:
      return li.ramp_at(t, li.first_month);
    case LineStatus::Option:
      for (const auto& op : p.openings)
        if (op.instance == i) return li.ramp_at(t, op.first_output);
      return 0.0;
  }
  return 0.0;
}

}  // namespace

model::Factory line_in_month(const Network& n, const Plan& p, int instance, int month) {
  const auto& li = n.instances[static_cast<std::size_t>(instance)];
  const auto& lm = n.lines[static_cast<std::size_t>(li.line)];
  model::Factory f = *lm.factory;
  const double r = ramp_in(n, p, instance, month);
  for (std::size_t g = 0; g < f.tool_groups.size(); ++g) {
    if (f.tool_groups[g].is_delay) continue;
    int tools = ramped_tools(li.base_tools[g], r);
    for (const auto& pu : p.purchases)
      if (pu.instance == instance && pu.group == static_cast<int>(g) && pu.in_service <= month)
        tools += pu.tools;
    f.tool_groups[g].tools = tools;
  }
  const std::vector<double> starts = expected_starts(n, p, instance, month);
  std::vector<model::ReleaseStream> keep;
  for (const auto& st : f.streams) {
    const auto& prod = f.products[static_cast<std::size_t>(st.product)];
    int q = -1;
    for (std::size_t k = 0; k < n.products.size(); ++k)
      if (n.products[k].name == prod.name) q = static_cast<int>(k);
    if (q < 0) continue;
    double nominal = 0;  // starts per month of this product's streams in the line model
    for (const auto& s2 : f.streams)
      if (s2.product == st.product) nominal += model::lots_per_day(s2) * s2.wafers_per_lot * 30.0;
    const double want = starts[static_cast<std::size_t>(q)];
    if (!(nominal > 0) || want < 1e-6 * nominal) continue;
    model::ReleaseStream s = st;
    s.interval = s.interval.scaled(nominal / want);
    keep.push_back(s);
  }
  f.streams = std::move(keep);
  f.initial_wip.clear();
  // Kits are the plan's business (component rows): the line checks run with ample stock.
  for (auto& c : f.components) c.initial_stock = 1e15;
  return f;
}

void evaluate_lines(const Network& n, const std::vector<LineProfile>& prof, Plan& p) {
  analysis::CapacityOptions co;
  co.curve.clear();
  for (std::size_t i = 0; i < n.instances.size(); ++i) {
    const auto& li = n.instances[i];
    const auto& lp = prof[static_cast<std::size_t>(li.line)];
    for (int t = 0; t < n.horizon; ++t) {
      LineMonth lmth;
      lmth.instance = static_cast<int>(i);
      lmth.month = t;
      lmth.starts = expected_starts(n, p, static_cast<int>(i), t);
      lmth.cycle_time_days.assign(n.products.size(), 0.0);
      double total = 0;
      for (double s : lmth.starts) total += s;
      if (total > 0) {
        const model::Factory f = line_in_month(n, p, static_cast<int>(i), t);
        if (!f.streams.empty()) {
          const auto cap = analysis::analyse(f, co);
          for (const auto& g : cap.groups)
            if (!g.is_delay && g.required_hours_per_day > 0 && g.utilisation > lmth.max_utilisation) {
              lmth.max_utilisation = g.utilisation;
              lmth.bottleneck = g.name;
            }
          for (std::size_t q = 0; q < n.products.size(); ++q) {
            double w = 0, ct = 0;
            for (const auto& sc : cap.nominal.streams) {
              const auto& st = f.streams[static_cast<std::size_t>(sc.id)];
              if (f.products[static_cast<std::size_t>(st.product)].name != n.products[q].name) continue;
              w += sc.lots_out_per_day;
              ct += sc.lots_out_per_day * sc.cycle_time_days;
            }
            lmth.cycle_time_days[q] = w > 0 ? ct / w : 0.0;
          }
        }
      }
      (void)lp;
      p.line_months.push_back(std::move(lmth));
    }
  }
}

void verify_plan(const Network& n, const std::vector<LineProfile>& prof, Plan& p) {
  // The most loaded month of every line (by the capacity analysis of the plan), its line model
  // and the replications to run: all (line, replication) runs share a small pool of threads
  // (each run is deterministic with its own seed, so the results do not depend on the threads).
  struct Job {
    std::size_t instance;
    const LineMonth* month;
    model::Factory factory;
  };
  std::vector<Job> jobs;
  for (std::size_t i = 0; i < n.instances.size(); ++i) {
    const LineMonth* best = nullptr;
    for (const auto& lm : p.line_months)
      if (lm.instance == static_cast<int>(i) && (!best || lm.max_utilisation > best->max_utilisation))
        best = &lm;
    if (!best || best->max_utilisation <= 0) continue;
    jobs.push_back(Job{i, best, line_in_month(n, p, static_cast<int>(i), best->month)});
  }
  const int reps = std::max(1, p.options.verify_replications);
  engine::Options eo;
  eo.days = p.options.verify_days;
  eo.warmup_days = p.options.verify_warmup_days;
  std::vector<std::vector<engine::Results>> runs(jobs.size(), std::vector<engine::Results>(static_cast<std::size_t>(reps)));
  std::atomic<std::size_t> next{0};
  const std::size_t total = jobs.size() * static_cast<std::size_t>(reps);
  auto work = [&] {
    for (std::size_t k = next++; k < total; k = next++) {
      const std::size_t j = k / static_cast<std::size_t>(reps), r = k % static_cast<std::size_t>(reps);
      engine::Options o = eo;
      o.seed = p.options.seed + r;
      runs[j][r] = engine::simulate(jobs[j].factory, o);
    }
  };
  const int threads = std::max(1, std::min<int>(p.options.verify_threads, static_cast<int>(total)));
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();

  for (std::size_t j = 0; j < jobs.size(); ++j) {
    const std::size_t i = jobs[j].instance;
    const LineMonth* best = jobs[j].month;
    const model::Factory& f = jobs[j].factory;
    Verification v;
    v.instance = static_cast<int>(i);
    v.month = best->month;
    const auto& lp = prof[static_cast<std::size_t>(n.instances[i].line)];
    const double window = eo.days - eo.warmup_days;
    for (std::size_t q = 0; q < n.products.size(); ++q) {
      if (best->starts[q] <= 0) continue;
      v.products.push_back(n.products[q].name);
      v.planned_units.push_back(best->starts[q] * lp.products[q].good_units);
      v.planned_ct.push_back(best->cycle_time_days[q]);
      double units = 0, ctw = 0, ct = 0;
      for (const auto& r : runs[j])
        for (std::size_t k = 0; k < r.lot_types.size(); ++k) {
          const auto& st = f.streams[k];
          if (f.products[static_cast<std::size_t>(st.product)].name != n.products[q].name) continue;
          const auto& lt = r.lot_types[k];
          units += (lt.units_out + lt.wafers_out) / window * 30.0;
          ct += lt.cycle_time_days.mean * static_cast<double>(lt.cycle_time_days.n);
          ctw += static_cast<double>(lt.cycle_time_days.n);
        }
      v.simulated_units.push_back(units / static_cast<double>(runs[j].size()));
      v.simulated_ct.push_back(ctw > 0 ? ct / ctw : 0.0);
      const double du = v.planned_units.back() > 0 ? v.simulated_units.back() / v.planned_units.back() - 1 : 0;
      const double dc = v.planned_ct.back() > 0 ? v.simulated_ct.back() / v.planned_ct.back() - 1 : 0;
      if (std::abs(du) > 0.05 || std::abs(dc) > 0.15) {
        v.flagged = true;
        v.note += fmt::format("{}{}: output {:+.1f} %, cycle time {:+.1f} %", v.note.empty() ? "" : "; ",
                              n.products[q].name, 100 * du, 100 * dc);
      }
    }
    p.verification.push_back(std::move(v));
  }
}

}  // namespace osatsim::planner
