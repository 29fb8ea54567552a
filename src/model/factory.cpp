#include "model/factory.h"

#include "model/flow.h"

#include <fmt/format.h>

#include <cmath>
#include <map>
#include <unordered_set>
#include <utility>

namespace osatsim::model {
namespace {

template <typename V>
std::int32_t find_by_name(const V& items, const std::string& name) {
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (items[i].name == name) return static_cast<std::int32_t>(i);
  }
  return kNone;
}

bool finite_nonneg(double v) {
  return std::isfinite(v) && v >= 0.0;
}

bool dist_ok(const Dist& d) {
  return finite_nonneg(d.mean) && finite_nonneg(d.half_width) &&
         (d.kind != DistKind::Uniform || d.half_width <= d.mean);
}

}  // namespace

ToolGroupId Factory::find_tool_group(const std::string& n) const {
  return find_by_name(tool_groups, n);
}
ProductId Factory::find_product(const std::string& n) const {
  return find_by_name(products, n);
}
RouteId Factory::find_route(const std::string& n) const {
  return find_by_name(routes, n);
}
StreamId Factory::find_stream(const std::string& n) const {
  return find_by_name(streams, n);
}
LocationId Factory::find_location(const std::string& n) const {
  return find_by_name(locations, n);
}
ComponentId Factory::find_component(const std::string& n) const {
  return find_by_name(components, n);
}
DownCalendarId Factory::find_down_calendar(const std::string& n) const {
  return find_by_name(down_calendars, n);
}
PmCalendarId Factory::find_pm_calendar(const std::string& n) const {
  return find_by_name(pm_calendars, n);
}

SetupId Factory::find_setup(const std::string& n) const {
  for (std::size_t i = 0; i < setups.size(); ++i) {
    if (setups[i] == n) return static_cast<SetupId>(i);
  }
  return kNone;
}

SetupId Factory::intern_setup(const std::string& n) {
  SetupId id = find_setup(n);
  if (id != kNone) return id;
  setups.push_back(n);
  setup_group_of.push_back(kNone);
  return static_cast<SetupId>(setups.size() - 1);
}

LocationId Factory::intern_location(const std::string& n) {
  LocationId id = find_location(n);
  if (id != kNone) return id;
  locations.push_back(Location{n});
  return static_cast<LocationId>(locations.size() - 1);
}

Ticks Factory::setup_time(SetupId from, const Step& step) const {
  if (step.setup == kNone || step.setup == from) return 0;
  if (step.setup_time >= 0) return step.setup_time;
  return setup_change_time(*this, from, step.setup);
}

const Dist* Factory::transport_time(LocationId from, LocationId to) const {
  for (const auto& lane : transport) {
    if (lane.from == from && lane.to == to) return &lane.time;
  }
  return nullptr;
}

int Factory::total_tools(bool include_delay) const {
  int n = 0;
  for (const auto& g : tool_groups) {
    if (include_delay || !g.is_delay) n += g.tools;
  }
  return n;
}

namespace {

// Names: none empty, none twice per kind.
void check_names(const Factory& f, Diagnostics& d) {
  const auto& tool_groups = f.tool_groups;
  const auto& routes = f.routes;
  const auto& products = f.products;
  const auto& streams = f.streams;
  const auto& down_calendars = f.down_calendars;
  const auto& pm_calendars = f.pm_calendars;
  const auto& components = f.components;
  auto err = [&d](const SourceRef& s, std::string msg) { d.add(s.file, s.line, std::move(msg)); };
  auto check_unique = [&](const auto& items, const char* what) {
    std::unordered_set<std::string> seen;
    for (const auto& it : items) {
      if (it.name.empty()) err(it.src, fmt::format("{} with an empty name", what));
      if (!seen.insert(it.name).second)
        err(it.src, fmt::format("duplicate {} '{}'", what, it.name));
    }
  };
  check_unique(tool_groups, "tool group");
  check_unique(routes, "route");
  check_unique(products, "product");
  check_unique(streams, "release stream");
  check_unique(down_calendars, "down calendar");
  check_unique(pm_calendars, "PM calendar");
  check_unique(components, "component");
}

// Tool groups, their attached calendars, and the calendars.
void check_groups_and_calendars(const Factory& f, Diagnostics& d) {
  const auto& tool_groups = f.tool_groups;
  const auto& down_calendars = f.down_calendars;
  const auto& pm_calendars = f.pm_calendars;
  const auto& locations = f.locations;
  const auto& setup_groups = f.setup_groups;
  auto err = [&d](const SourceRef& s, std::string msg) { d.add(s.file, s.line, std::move(msg)); };
  for (const auto& g : tool_groups) {
    if (g.tools < 0) err(g.src, fmt::format("tool group '{}': negative tool count", g.name));
    if (g.capacity < 1) err(g.src, fmt::format("tool group '{}': capacity must be >= 1", g.name));
    if (g.load_time < 0 || g.unload_time < 0)
      err(g.src, fmt::format("tool group '{}': negative load or unload time", g.name));
    if (g.location != kNone && (g.location < 0 || g.location >= static_cast<int>(locations.size())))
      err(g.src, fmt::format("tool group '{}': unknown location", g.name));
    if (g.setup_group != kNone &&
        (g.setup_group < 0 || g.setup_group >= static_cast<int>(setup_groups.size())))
      err(g.src, fmt::format("tool group '{}': unknown setup group", g.name));
    for (const auto& a : g.downs) {
      if (a.calendar < 0 || a.calendar >= static_cast<int>(down_calendars.size()))
        err(a.src, fmt::format("tool group '{}': unknown down calendar", g.name));
      if (!dist_ok(a.first_occurrence))
        err(a.src, fmt::format("tool group '{}': invalid first occurrence", g.name));
    }
    for (const auto& a : g.pms) {
      if (a.calendar < 0 || a.calendar >= static_cast<int>(pm_calendars.size()))
        err(a.src, fmt::format("tool group '{}': unknown PM calendar", g.name));
      if (!dist_ok(a.first_occurrence))
        err(a.src, fmt::format("tool group '{}': invalid first occurrence", g.name));
    }
  }

  for (const auto& c : down_calendars) {
    if (!dist_ok(c.time_to_failure) || c.time_to_failure.mean <= 0)
      err(c.src, fmt::format("down calendar '{}': time to failure must be > 0", c.name));
    if (!dist_ok(c.time_to_repair))
      err(c.src, fmt::format("down calendar '{}': invalid repair time", c.name));
  }
  for (const auto& c : pm_calendars) {
    if (!(std::isfinite(c.interval) && c.interval > 0))
      err(c.src, fmt::format("PM calendar '{}': interval must be > 0", c.name));
    if (!dist_ok(c.duration)) err(c.src, fmt::format("PM calendar '{}': invalid duration", c.name));
  }
}

// Every step of every route.
void check_routes(const Factory& f, Diagnostics& d) {
  const auto& tool_groups = f.tool_groups;
  const auto& routes = f.routes;
  const auto& components = f.components;
  const auto& setups = f.setups;
  const auto n_groups = static_cast<std::int32_t>(tool_groups.size());
  auto err = [&d](const SourceRef& s, std::string msg) { d.add(s.file, s.line, std::move(msg)); };
  for (const auto& r : routes) {
    if (r.steps.empty()) err(r.src, fmt::format("route '{}' has no steps", r.name));
    const int n = static_cast<int>(r.steps.size());
    std::unordered_set<std::string> names;
    for (int i = 0; i < n; ++i) {
      const Step& s = r.steps[i];
      const auto where = [&](const std::string& m) {
        err(s.src, fmt::format("route '{}' step {} ('{}'): {}", r.name, i + 1, s.name, m));
      };
      if (!s.name.empty() && !names.insert(s.name).second) where("duplicate step name");
      if (s.tool_group < 0 || s.tool_group >= n_groups) {
        where("unknown tool group");
        continue;
      }
      const ToolGroup& g = tool_groups[s.tool_group];
      if (!dist_ok(s.time))
        where("invalid processing time (negative, not finite, or half-width > mean)");
      if (s.overhead < 0) where("negative overhead");
      if (g.batch_criterion != BatchCriterion::None || s.basis == TimeBasis::PerBatch) {
        if (s.batch_max > 0 && s.batch_min > s.batch_max)
          where(fmt::format("batch minimum {} exceeds maximum {}", s.batch_min, s.batch_max));
        if (s.batch_min < 0 || s.batch_max < 0) where("negative batch size");
      }
      if (s.setup != kNone && (s.setup < 0 || s.setup >= static_cast<int>(setups.size())))
        where("unknown setup");
      if (s.dedicate_step != kNone && (s.dedicate_step <= i || s.dedicate_step >= n))
        where("dedication target must be a later step of the route");
      if (s.rework_step != kNone && (s.rework_step > i || s.rework_step < 0))
        where("rework target must be this or an earlier step of the route");
      if (!(s.rework_probability >= 0.0 && s.rework_probability <= 1.0))
        where("rework probability outside [0, 1]");
      if (!(s.sample_probability >= 0.0 && s.sample_probability <= 1.0))
        where("sampling probability outside [0, 1]");
      if (s.cqt_exit_step != kNone && (s.cqt_exit_step <= i || s.cqt_exit_step >= n))
        where("queue-time exit must be a later step of the route");
      if (s.cqt_limit < 0) where("negative queue-time limit");
      if (!(s.yield > 0.0 && s.yield <= 1.0)) where("yield outside (0, 1]");
      if (s.cascade_interval < 0) where("negative cascading interval");
      if (s.basis == TimeBasis::PerDie &&
          (s.die_component < 0 || s.die_component >= static_cast<int>(components.size())))
        where("per-die time needs a known die component");
      for (const auto& k : s.kit) {
        if (k.component < 0 || k.component >= static_cast<int>(components.size()))
          where("kit names an unknown component");
        if (!finite_nonneg(k.quantity)) where("kit quantity must be >= 0");
      }
    }
  }
}

void check_needed_tools(const Factory& f, Diagnostics& d) {
  const auto& tool_groups = f.tool_groups;
  const auto& routes = f.routes;
  const auto& products = f.products;
  const auto& streams = f.streams;
  const auto& initial_wip = f.initial_wip;
  const auto n_groups = static_cast<std::int32_t>(tool_groups.size());
  auto err = [&d](const SourceRef& s, std::string msg) { d.add(s.file, s.line, std::move(msg)); };
  // A tool group with no tools that some released or initial lot must visit can never finish
  // its work: the line would fill up silently. (A group without tools that no lot visits is fine,
  // e.g. tools not bought yet.)
  {
    std::vector<char> product_loaded(products.size(), 0);
    for (const auto& s : streams) {
      if (s.product >= 0 && s.product < static_cast<int>(products.size()))
        product_loaded[s.product] = 1;
    }
    for (const auto& l : initial_wip) {
      if (l.product >= 0 && l.product < static_cast<int>(products.size()))
        product_loaded[l.product] = 1;
    }
    std::vector<std::string> first_user(tool_groups.size());
    for (std::size_t p = 0; p < products.size(); ++p) {
      const RouteId r = products[p].route;
      if (!product_loaded[p] || r < 0 || r >= static_cast<int>(routes.size())) continue;
      for (const auto& s : routes[r].steps) {
        if (s.tool_group >= 0 && s.tool_group < n_groups && first_user[s.tool_group].empty() &&
            s.sample_probability > 0.0) {
          first_user[s.tool_group] = fmt::format("step '{}' of route '{}' (product '{}')", s.name,
                                                 routes[r].name, products[p].name);
        }
      }
    }
    for (std::size_t g = 0; g < tool_groups.size(); ++g) {
      if (tool_groups[g].tools == 0 && !first_user[g].empty()) {
        err(tool_groups[g].src, fmt::format("tool group '{}' has no tools but {} needs it",
                                            tool_groups[g].name, first_user[g]));
      }
    }
  }
}

// Products, release streams and the initial WIP.
void check_products_and_lots(const Factory& f, Diagnostics& d) {
  const auto& routes = f.routes;
  const auto& products = f.products;
  const auto& streams = f.streams;
  const auto& components = f.components;
  const auto& initial_wip = f.initial_wip;
  auto err = [&d](const SourceRef& s, std::string msg) { d.add(s.file, s.line, std::move(msg)); };
  for (const auto& p : products) {
    if (p.route < 0 || p.route >= static_cast<int>(routes.size()))
      err(p.src, fmt::format("product '{}': unknown route", p.name));
    if (p.sites_per_wafer < 0)
      err(p.src, fmt::format("product '{}': negative sites per wafer", p.name));
    if (!(p.site_yield > 0.0 && p.site_yield <= 1.0))
      err(p.src, fmt::format("product '{}': site yield outside (0, 1]", p.name));
    for (const auto& dc : p.dies) {
      if (dc.component < 0 || dc.component >= static_cast<int>(components.size()))
        err(p.src, fmt::format("product '{}': unknown die component", p.name));
      if (dc.count < 0) err(p.src, fmt::format("product '{}': negative die count", p.name));
    }
  }

  for (const auto& s : streams) {
    if (s.product < 0 || s.product >= static_cast<int>(products.size()))
      err(s.src, fmt::format("release stream '{}': unknown product", s.name));
    if (s.wafers_per_lot <= 0)
      err(s.src, fmt::format("release stream '{}': wafers per lot must be > 0", s.name));
    if (s.lots_per_release <= 0)
      err(s.src, fmt::format("release stream '{}': lots per release must be > 0", s.name));
    if (!dist_ok(s.interval) || s.interval.mean <= 0)
      err(s.src, fmt::format("release stream '{}': interval must be > 0", s.name));
    if (s.first_release < 0)
      err(s.src, fmt::format("release stream '{}': first release before time 0", s.name));
  }

  for (const auto& l : initial_wip) {
    if (l.product < 0 || l.product >= static_cast<int>(products.size())) {
      err(l.src, fmt::format("WIP lot '{}': unknown product", l.name));
      continue;
    }
    const Route& r = routes[products[l.product].route];
    if (l.step < 0 || l.step >= static_cast<int>(r.steps.size()))
      err(l.src, fmt::format("WIP lot '{}': step {} outside route '{}' (1..{})", l.name, l.step + 1,
                             r.name, r.steps.size()));
    if (l.wafers <= 0) err(l.src, fmt::format("WIP lot '{}': wafers must be > 0", l.name));
  }
}

// Setup changes and groups, transport lanes, supplies.
void check_setups_transport_supplies(const Factory& f, Diagnostics& d) {
  const auto& components = f.components;
  const auto& locations = f.locations;
  const auto& setup_groups = f.setup_groups;
  const auto& setups = f.setups;
  const auto& setup_changes = f.setup_changes;
  const auto& transport = f.transport;
  const auto& supplies = f.supplies;
  auto err = [&d](const SourceRef& s, std::string msg) { d.add(s.file, s.line, std::move(msg)); };
  const auto setup_name = [&](SetupId id) -> std::string {
    if (id == kNone) return "any";
    return id >= 0 && id < static_cast<int>(setups.size()) ? setups[id] : fmt::format("#{}", id);
  };
  std::map<std::pair<SetupId, SetupId>, std::size_t> first_change;
  for (std::size_t i = 0; i < setup_changes.size(); ++i) {
    const SetupChange& c = setup_changes[i];
    if (c.time < 0) err(c.src, "negative setup time");
    if (c.to < 0 || c.to >= static_cast<int>(setups.size())) err(c.src, "unknown target setup");
    // Two rows for the same change: setup_time() would silently take one of them.
    const auto [it, fresh] = first_change.emplace(std::make_pair(c.from, c.to), i);
    if (!fresh)
      err(c.src,
          fmt::format("duplicate setup change '{}' -> '{}' (first on line {})", setup_name(c.from),
                      setup_name(c.to), setup_changes[it->second].src.line));
  }
  for (const auto& g : setup_groups) {
    if (g.min_run < 0) err(g.src, fmt::format("setup group '{}': negative minimum run", g.name));
  }
  const auto location_name = [&](LocationId id) -> std::string {
    return id >= 0 && id < static_cast<int>(locations.size()) ? locations[id].name
                                                              : fmt::format("#{}", id);
  };
  std::map<std::pair<LocationId, LocationId>, std::size_t> first_lane;
  for (std::size_t i = 0; i < transport.size(); ++i) {
    const TransportLane& t = transport[i];
    if (!dist_ok(t.time)) err(t.src, "invalid transport time");
    // Two lanes between the same locations: transport_time() would silently take the first.
    const auto [it, fresh] = first_lane.emplace(std::make_pair(t.from, t.to), i);
    if (!fresh)
      err(t.src,
          fmt::format("duplicate lane '{}' -> '{}' (first on line {})", location_name(t.from),
                      location_name(t.to), transport[it->second].src.line));
  }
  for (const auto& s : supplies) {
    if (s.component < 0 || s.component >= static_cast<int>(components.size()))
      err(s.src, "supply of an unknown component");
    if (!finite_nonneg(s.quantity)) err(s.src, "supply quantity must be >= 0");
    if (s.interval < 0) err(s.src, "negative supply interval");
  }
}

}  // namespace

Diagnostics Factory::validate() const {
  Diagnostics d;
  check_names(*this, d);
  check_groups_and_calendars(*this, d);
  check_routes(*this, d);
  check_needed_tools(*this, d);
  check_products_and_lots(*this, d);
  check_setups_transport_supplies(*this, d);
  return d;
}

double lots_per_day(const ReleaseStream& s) {
  const double mean = s.interval.expected();
  if (mean <= 0) return 0.0;
  return s.lots_per_release * static_cast<double>(kTicksPerDay) / mean;
}

const char* to_string(TimeBasis b) {
  switch (b) {
    case TimeBasis::PerLot:
      return "per_lot";
    case TimeBasis::PerWafer:
      return "per_wafer";
    case TimeBasis::PerBatch:
      return "per_batch";
    case TimeBasis::PerSite:
      return "per_site";
    case TimeBasis::PerDie:
      return "per_die";
    case TimeBasis::PerUnit:
      return "per_unit";
  }
  return "?";
}

const char* to_string(RankCriterion r) {
  switch (r) {
    case RankCriterion::HighPriority:
      return "priority";
    case RankCriterion::LeastSetup:
      return "setup";
    case RankCriterion::Fifo:
      return "fifo";
    case RankCriterion::CriticalRatio:
      return "cr";
    case RankCriterion::EarliestDue:
      return "edd";
    case RankCriterion::ShortestProcessing:
      return "spt";
  }
  return "?";
}

const char* to_string(BatchCriterion c) {
  switch (c) {
    case BatchCriterion::None:
      return "none";
    case BatchCriterion::SameRouteStep:
      return "same_route_step";
    case BatchCriterion::SameStepName:
      return "same_step_name";
  }
  return "?";
}

}  // namespace osatsim::model
