#pragma once
// Small factories built in code for the engine tests.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "engine/engine.h"
#include "model/factory.h"

namespace osatsim::engine::test {

// A factory builder: tool groups, one route per product, streams.
struct Builder {
  model::Factory f;
  Builder() {
    f.name = "fixture";
    f.intern_location("Fab");
  }
  model::ToolGroupId group(const std::string& name, int tools, Ticks load = 0, Ticks unload = 0) {
    model::ToolGroup g;
    g.name = name;
    g.area = name;
    g.tools = tools;
    g.load_time = load;
    g.unload_time = unload;
    g.location = 0;
    g.ranking = {model::RankCriterion::Fifo};
    f.tool_groups.push_back(g);
    return static_cast<model::ToolGroupId>(f.tool_groups.size() - 1);
  }
  // A product with its own route of the given steps.
  model::ProductId product(const std::string& name, std::vector<model::Step> steps) {
    model::Route r;
    r.name = fmt::format("r_{}", name);
    r.steps = std::move(steps);
    for (std::size_t i = 0; i < r.steps.size(); ++i)
      if (r.steps[i].name.empty()) r.steps[i].name = fmt::format("s{}", i);
    f.routes.push_back(r);
    model::Product p;
    p.name = name;
    p.route = static_cast<model::RouteId>(f.routes.size() - 1);
    f.products.push_back(p);
    return static_cast<model::ProductId>(f.products.size() - 1);
  }
  model::StreamId stream(const std::string& name, model::ProductId p, Dist interval,
                         std::int64_t max_releases = -1, int priority = 10, Ticks due = 0,
                         int wafers = 25) {
    model::ReleaseStream s;
    s.name = name;
    s.product = p;
    s.interval = interval;
    s.max_releases = max_releases;
    s.priority = priority;
    s.due_offset = due;
    s.wafers_per_lot = wafers;
    f.streams.push_back(s);
    return static_cast<model::StreamId>(f.streams.size() - 1);
  }
  // A PM calendar attached to group g: every `interval` (ticks, or wafers for WaferCount), lasting
  // `duration` ticks, first after `first` (ticks or wafers).
  void pm(model::ToolGroupId g, const std::string& name, model::PmTrigger trigger, double interval,
          Ticks duration, double first) {
    f.pm_calendars.push_back(
        {name, trigger, interval, Dist::constant(static_cast<double>(duration)), {}});
    f.tool_groups[g].pms.push_back(
        {static_cast<model::PmCalendarId>(f.pm_calendars.size() - 1), Dist::constant(first), {}});
  }
  // Two setup states A and B, from any state `change` each (no setup group). Returns {A, B}.
  std::pair<model::SetupId, model::SetupId> setups(Ticks change) {
    const auto A = f.intern_setup("A");
    const auto B = f.intern_setup("B");
    f.setup_changes.push_back({model::kNone, A, change, {}});
    f.setup_changes.push_back({model::kNone, B, change, {}});
    return {A, B};
  }
  // Two gases A and B (from any state: `change` each) in one setup group with `min_run`, and the
  // setup-run rule (LSSU) on group g. Returns {A, B}.
  std::pair<model::SetupId, model::SetupId> gases(model::ToolGroupId g, Ticks change, int min_run) {
    const auto [A, B] = setups(change);
    f.setup_groups.push_back({"Gas", {A, B}, min_run, {}});
    f.setup_group_of = {0, 0};
    f.tool_groups[g].lssu = true;
    f.tool_groups[g].setup_group = 0;
    return {A, B};
  }
  void wip(const std::string& name, model::StreamId s, int step = 0, int wafers = 25) {
    model::InitialLot l;
    l.name = name;
    l.stream = s;
    l.product = f.streams[s].product;
    l.priority = f.streams[s].priority;
    l.wafers = wafers;
    l.step = step;
    f.initial_wip.push_back(l);
  }
};

inline model::Step step(model::ToolGroupId g, Ticks t,
                        model::TimeBasis b = model::TimeBasis::PerLot) {
  model::Step s;
  s.tool_group = g;
  s.time = Dist::constant(static_cast<double>(t));
  s.basis = b;
  return s;
}

// Records what happens, for hand-computed checks.
struct Recorder : Observer {
  struct Start {
    Ticks t;
    int group, tool, route, step;
    std::vector<std::int64_t> lots;
  };
  std::vector<Start> starts;
  struct Done {
    Ticks t;
    std::int64_t lot;
    int route, step, tool;
  };
  std::vector<Done> done;
  std::vector<std::pair<Ticks, std::int64_t>> exits;
  std::int64_t skipped = 0;
  std::map<int, int> inside;  // tool -> jobs occupying its entry
  int max_inside = 0;
  bool overlap_seen = false;
  void on_job_start(Ticks t, int g, int tool, int route, int st,
                    const std::vector<std::int64_t>& lots) override {
    starts.push_back({t, g, tool, route, st, lots});
    if (++inside[tool] > 1) overlap_seen = true;
    max_inside = std::max(max_inside, inside[tool]);
  }
  void on_job_release_tool(Ticks, int, int tool) override { --inside[tool]; }
  void on_step_complete(Ticks t, std::int64_t lot, int route, int st, int tool) override {
    done.push_back({t, lot, route, st, tool});
  }
  void on_step_skipped(Ticks, std::int64_t, int, int) override { ++skipped; }
  void on_lot_exit(Ticks t, std::int64_t lot, int, bool) override { exits.emplace_back(t, lot); }
};

}  // namespace osatsim::engine::test
