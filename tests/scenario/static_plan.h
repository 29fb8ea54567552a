#pragma once
// A static (expected-value) reading of a factory's release plan, computed here in the tests
// independently of the engine: monthly tool load per group, good units per product. Month =
// 30 days. Batches are counted full (batch maximum) or at their minimum fill.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "model/factory.h"

namespace osatsim::test {

struct StaticPlan {
  std::vector<double> busy_full_h;  // per group: tool-hours per month, batches at maximum
  std::vector<double> busy_min_h;   // per group: batches at their minimum fill
  std::vector<double> wafers;       // per group: wafers processed per month (wafer-count PMs)
  std::vector<double> available_h;  // per group: tool-hours per month after downs and PMs
  std::vector<double> modules;      // per product: units per month after the first unit step
                                    // that is named "module_sort" (or after the transform)
  std::vector<double> shipped;      // per product: units per month at the end of the route
  std::vector<double> starts;       // per product: wafers (or units) released per month
};

inline double dies_of(const model::Product& p, model::ComponentId c) {
  for (const auto& d : p.dies)
    if (d.component == c) return d.count;
  return 0;
}

inline StaticPlan static_plan(const model::Factory& f) {
  using B = model::TimeBasis;
  const double month = static_cast<double>(days(30));
  StaticPlan sp;
  const std::size_t ng = f.tool_groups.size();
  sp.busy_full_h.assign(ng, 0);
  sp.busy_min_h.assign(ng, 0);
  sp.wafers.assign(ng, 0);
  sp.available_h.assign(ng, 0);
  sp.modules.assign(f.products.size(), 0);
  sp.shipped.assign(f.products.size(), 0);
  sp.starts.assign(f.products.size(), 0);

  for (const auto& s : f.streams) {
    const model::Product& p = f.products[s.product];
    const model::Route& r = f.routes[p.route];
    const double lots = month / s.interval.expected() * s.lots_per_release;
    sp.starts[s.product] += lots * s.wafers_per_lot;
    // Visits per step: a rework from step i back to j repeats steps j..i 1/(1-p) times.
    std::vector<double> visits(r.steps.size(), 1.0);
    for (std::size_t i = 0; i < r.steps.size(); ++i) {
      const auto& st = r.steps[i];
      if (st.rework_step != model::kNone && st.rework_probability > 0)
        for (int k = st.rework_step; k <= static_cast<int>(i); ++k)
          visits[k] /= 1.0 - st.rework_probability;
    }
    bool units = p.starts_as_units;
    double pieces = s.wafers_per_lot;  // per released lot
    double jobs = 1;                   // lots the released lot has become
    bool modules_set = false;
    for (std::size_t i = 0; i < r.steps.size(); ++i) {
      const auto& st = r.steps[i];
      const model::ToolGroup& g = f.tool_groups[st.tool_group];
      const double v = visits[i] * st.sample_probability;
      const double t = st.time.expected();
      const double placements =
          st.basis == B::PerDie
              ? (units ? pieces : pieces * p.sites_per_wafer) * dies_of(p, st.die_component)
              : 0;
      double busy_full = 0, busy_min = 0;
      if (st.basis == B::PerBatch) {
        const double in_units = g.batch_unit == model::BatchUnit::Lot ? jobs : pieces;
        busy_full = in_units / st.batch_max * t;
        busy_min = in_units / std::max(1, st.batch_min) * t;
        const double lot_size = pieces / jobs;  // whole lots per batch
        if (g.batch_unit != model::BatchUnit::Lot) {
          busy_full = jobs / std::max(1.0, std::floor(st.batch_max / lot_size)) * t;
          busy_min = jobs / std::max(1.0, std::ceil(st.batch_min / lot_size)) * t;
        }
      } else {
        double q = 0;
        switch (st.basis) {
          case B::PerLot:
            q = jobs;
            break;
          case B::PerWafer:
          case B::PerUnit:
            q = pieces;
            break;
          case B::PerSite:
            q = pieces * p.sites_per_wafer;
            break;
          case B::PerDie:
            q = placements;
            break;
          case B::PerBatch:
            break;
        }
        busy_full =
            q * t + static_cast<double>(st.overhead) * (st.overhead_per_wafer ? pieces : jobs);
        busy_min = busy_full;
      }
      const double lu = static_cast<double>(g.load_time + g.unload_time) * jobs;
      sp.busy_full_h[st.tool_group] += lots * v * (busy_full + lu) / kTicksPerHour;
      sp.busy_min_h[st.tool_group] += lots * v * (busy_min + lu) / kTicksPerHour;
      if (!units) sp.wafers[st.tool_group] += lots * v * pieces;
      pieces *= st.yield;
      if (st.transform_to_units) {
        pieces = pieces * p.sites_per_wafer * p.site_yield;
        units = true;
        jobs = st.split_units > 0 ? std::ceil(pieces / st.split_units) : 1;
      }
      if (units && !modules_set && (st.name == "module_sort" || p.starts_as_units)) {
        sp.modules[s.product] += lots * pieces;
        modules_set = true;
      }
    }
    sp.shipped[s.product] += lots * pieces;
  }

  for (std::size_t gi = 0; gi < ng; ++gi) {
    const model::ToolGroup& g = f.tool_groups[gi];
    double up = 1.0;
    for (const auto& d : g.downs) {
      const auto& c = f.down_calendars[d.calendar];
      up *= c.time_to_failure.expected() /
            (c.time_to_failure.expected() + c.time_to_repair.expected());
    }
    double hours = g.tools * 720.0 * up;
    for (const auto& a : g.pms) {
      const auto& c = f.pm_calendars[a.calendar];
      const double dur_h = c.duration.expected() / kTicksPerHour;
      if (c.trigger == model::PmTrigger::Calendar) {
        hours -= g.tools * 720.0 * up * dur_h / (c.interval / kTicksPerHour);
      } else {
        hours -= sp.wafers[gi] / c.interval * dur_h;
      }
    }
    sp.available_h[gi] = hours;
  }
  return sp;
}

}  // namespace osatsim::test
