// Reader of YAML scenarios (docs/scenario.md). Two passes over the document: the first registers
// the names of every entity (so references may point forward), the second reads the details and
// resolves references. Every problem is reported with the yaml-cpp mark of the offending node.
#include "io/scenario.h"

#include "io/yaml_read.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <unordered_map>
#include <utility>

#if defined(OSATSIM_HAVE_PACKAGING)
#include "packaging/geometry.h"
#endif

namespace osatsim::io {

// Generated at build time from src/io/scenarios/*.yaml (see src/io/scenarios/embed.cmake).
namespace embedded {
struct Scenario {
  const char* name;
  const unsigned char* data;
  std::size_t size;
};
extern const Scenario kScenarios[];
extern const std::size_t kScenarioCount;
}  // namespace embedded

namespace {

using model::kNone;

constexpr double kMonthDays = 30.0;  // per-month rates: 720 h (FACTS.md section 8.1)

// Upper bounds of counts (docs/scenario.md), as the SMT2020 reader's (1,000,000 for tool
// capacity, batch sizes, wafers or units per lot, lots per release); tools per group as the
// --tools option allows; sites per wafer and dies per package far above any real package.
constexpr long long kMaxCount = 1'000'000;
constexpr long long kMaxTools = 100'000;
constexpr long long kMaxSitesPerWafer = 100'000;
constexpr long long kMaxDiesPerPackage = 1'000;

}  // namespace

}  // namespace osatsim::io

namespace osatsim::io::yaml {

bool Reader::dist(const YAML::Node& v, const std::string& key, Dist& out) {
  if (v.IsScalar()) {
    double t = 0;
    if (!duration_ticks(v, key, t)) return false;
    out = Dist::constant(t);
    return true;
  }
  Map m(*this, v, key, {"dist", "mean", "half_width", "value"});
  if (!m.ok()) return false;
  DistKind kind = DistKind::Constant;
  const YAML::Node* kn = m.get("dist");
  if (!kn) {
    err(v, key, "a distribution needs 'dist: constant | exponential | uniform'");
    return false;
  }
  if (!word<DistKind>(*kn, m.sub("dist"),
                      {{"constant", DistKind::Constant},
                       {"exponential", DistKind::Exponential},
                       {"uniform", DistKind::Uniform}},
                      kind))
    return false;
  double mean = 0, hw = 0;
  bool good = true;
  const YAML::Node* mean_n = m.get("mean");
  const YAML::Node* value_n = m.get("value");
  if (kind == DistKind::Constant && value_n && mean_n) {
    err(*value_n, m.sub("value"), "give either 'value' or 'mean', not both");
    return false;
  }
  if (kind != DistKind::Constant && value_n) {
    err(*value_n, m.sub("value"), "'value' is for constant distributions; use 'mean'");
    good = false;
  }
  const YAML::Node* mn = kind == DistKind::Constant && value_n ? value_n : mean_n;
  if (!mn) {
    err(v, key, "the distribution needs its 'mean'");
    return false;
  }
  good = duration_ticks(*mn, m.sub(mn == value_n ? "value" : "mean"), mean) && good;
  if (const YAML::Node* h = m.get("half_width")) {
    if (kind != DistKind::Uniform) {
      err(*h, m.sub("half_width"), "'half_width' is only for uniform distributions");
      good = false;
    } else if (duration_ticks(*h, m.sub("half_width"), hw)) {
      if (good && hw > mean) {
        err(*h, m.sub("half_width"), "half-width exceeds the mean (negative durations)");
        good = false;
      }
    } else {
      good = false;
    }
  } else if (kind == DistKind::Uniform) {
    err(v, key, "a uniform distribution needs its 'half_width'");
    good = false;
  }
  if (kind == DistKind::Exponential && good && mean <= 0) {
    err(*mn, m.sub("mean"), "an exponential distribution needs a mean > 0");
    good = false;
  }
  if (!good) return false;
  out = Dist{kind, mean, hw};
  return true;
}

}  // namespace osatsim::io::yaml

namespace osatsim::io {
namespace {

using namespace yaml;  // NOLINT: the shared YAML reading helpers (io/yaml_read.h)


// Name -> index for one kind of entity; duplicates are reported and keep the first definition.
class Names {
 public:
  // Registers `name` for index `id`; false (and an error) when it exists.
  bool add(Reader& r, const YAML::Node& at, const std::string& key, const std::string& name, int id,
           const char* what) {
    auto [it, fresh] = ids_.emplace(name, id);
    if (!fresh) {
      r.err(at, key, fmt::format("duplicate {} name '{}'", what, name));
      return false;
    }
    names_.push_back(name);
    return true;
  }
  int find(const std::string& name) const {
    auto it = ids_.find(name);
    return it == ids_.end() ? kNone : it->second;
  }
  // Resolves a reference; reports an unknown one with a hint.
  int resolve(Reader& r, const YAML::Node& v, const std::string& key, const char* what) {
    std::string s;
    if (!r.name(v, key, s)) return kNone;
    const int id = find(s);
    if (id == kNone)
      r.err(v, key, fmt::format("unknown {} '{}'{}", what, s, did_you_mean(s, names_)));
    return id;
  }
  const std::vector<std::string>& names() const { return names_; }

 private:
  std::unordered_map<std::string, int> ids_;
  std::vector<std::string> names_;
};

// Reads a whole scenario document into a Factory.
class ScenarioReader {
 public:
  ScenarioReader(Reader& r, model::Factory& f) : r_(r), f_(f) {}
  void read(const YAML::Node& root);

 private:
  // Pass 1.
  void register_list(const Map& top, const char* key, const char* what, Names& names,
                     const std::function<void(const std::string&, const YAML::Node&)>& push);
  // Pass 2.
  void read_transport(const YAML::Node& v);
  void read_component(const YAML::Node& v, int id);
  void read_supply(const YAML::Node& v, const std::string& key);
  void read_down_calendar(const YAML::Node& v, int id);
  void read_pm_calendar(const YAML::Node& v, int id);
  void read_setup_change(const YAML::Node& v, const std::string& key);
  void read_setup_group(const YAML::Node& v, int id);
  void read_tool_group(const YAML::Node& v, int id);
  void read_route(const YAML::Node& v, int id);
  void read_step(const YAML::Node& v, const std::string& key, model::Step& s,
                 const Names& step_names, int index, std::vector<YAML::Node>& step_nodes);
  void read_product(const YAML::Node& v, int id);
  void read_release(const YAML::Node& v, int id);
  void check_routes_against_products();

  std::string item_key(const char* list, const YAML::Node& v, std::size_t i) {
    if (v.IsMap() && v["name"] && v["name"].IsScalar())
      return fmt::format("{}.{}", list, v["name"].Scalar());
    return fmt::format("{}[{}]", list, i);
  }

  Reader& r_;
  model::Factory& f_;
  Names locations_, components_, downs_, pms_, setups_, setup_groups_, groups_, routes_, products_,
      streams_;
  std::map<std::string, YAML::Node> sequences_;
  std::vector<YAML::Node> group_nodes_, route_nodes_, product_nodes_, stream_nodes_;
  std::vector<std::vector<YAML::Node>> step_nodes_;  // per route, per step
  std::vector<std::pair<int, int>> group_batch_;     // per group: default min, max
  std::vector<bool> group_batch_given_;
  std::vector<bool> group_batch_bad_;  // the group's batching had problems (no follow-on errors)
  std::vector<bool> product_ok_;
  std::vector<YAML::Node> product_sites_node_;
};

void ScenarioReader::register_list(
    const Map& top, const char* key, const char* what, Names& names,
    const std::function<void(const std::string&, const YAML::Node&)>& push) {
  const YAML::Node* lst = top.get(key);
  if (!lst) return;
  if (lst->IsNull()) return;
  if (!r_.list(*lst, key)) return;
  for (std::size_t i = 0; i < lst->size(); ++i) {
    const YAML::Node v = (*lst)[i];
    std::string nm;
    const std::string ik = item_key(key, v, i);
    if (std::string_view(key) == "locations" || std::string_view(key) == "setups") {
      // Plain names.
      if (!r_.name(v, ik, nm)) continue;
      if (names.find(nm) != kNone) {
        names.add(r_, v, ik, nm, 0, what);
        continue;
      }
      names.add(r_, v, ik, nm, static_cast<int>(names.names().size()), what);
      push(nm, v);
      continue;
    }
    if (!v.IsMap()) {
      r_.err(v, ik, fmt::format("expected a map with a name, got {}", node_kind(v)));
      continue;
    }
    const YAML::Node n = v["name"];
    if (!n) {
      r_.err(v, ik, fmt::format("{} without a 'name'", what));
      continue;
    }
    if (!r_.name(n, ik + ".name", nm)) continue;
    // Duplicates are reported and their definitions skipped (the first one counts).
    if (names.find(nm) != kNone) {
      names.add(r_, n, ik + ".name", nm, 0, what);
      continue;
    }
    names.add(r_, n, ik + ".name", nm, static_cast<int>(names.names().size()), what);
    push(nm, v);
  }
}

void ScenarioReader::read(const YAML::Node& root) {
  Map top(r_, root, "",
          {"name", "description", "locations", "transport", "components", "supplies",
           "down_calendars", "pm_calendars", "setups", "setup_changes", "setup_groups",
           "tool_groups", "sequences", "routes", "products", "releases", "pm_nesting"});
  if (!top.ok()) return;
  if (const YAML::Node* n = top.get("pm_nesting")) {
    r_.word<model::PmNesting>(*n, "pm_nesting",
                              {{"independent", model::PmNesting::Independent},
                               {"nested", model::PmNesting::Nested}},
                              f_.pm_nesting);
  }

  if (const YAML::Node* n = top.get("name")) {
    r_.name(*n, "name", f_.name);
  } else {
    r_.err(root, "name", "the scenario needs a 'name'");
  }
  if (const YAML::Node* n = top.get("description")) {
    std::string ignored;
    r_.scalar(*n, "description", ignored);
  }

  // ---- pass 1: names ----
  register_list(
      top, "locations", "location", locations_,
      [&](const std::string& n, const YAML::Node&) { f_.locations.push_back(model::Location{n}); });
  std::vector<YAML::Node> component_nodes, down_nodes, pm_nodes, sgroup_nodes;
  register_list(top, "components", "component", components_,
                [&](const std::string& n, const YAML::Node& v) {
                  model::Component c;
                  c.name = n;
                  c.src = r_.src(v);
                  f_.components.push_back(c);
                  component_nodes.push_back(v);
                });
  register_list(top, "down_calendars", "down calendar", downs_,
                [&](const std::string& n, const YAML::Node& v) {
                  model::DownCalendar c;
                  c.name = n;
                  c.src = r_.src(v);
                  f_.down_calendars.push_back(c);
                  down_nodes.push_back(v);
                });
  register_list(top, "pm_calendars", "PM calendar", pms_,
                [&](const std::string& n, const YAML::Node& v) {
                  model::PmCalendar c;
                  c.name = n;
                  c.src = r_.src(v);
                  f_.pm_calendars.push_back(c);
                  pm_nodes.push_back(v);
                });
  register_list(top, "setups", "setup", setups_, [&](const std::string& n, const YAML::Node&) {
    f_.setups.push_back(n);
    f_.setup_group_of.push_back(kNone);
  });
  register_list(top, "setup_groups", "setup group", setup_groups_,
                [&](const std::string& n, const YAML::Node& v) {
                  model::SetupGroup g;
                  g.name = n;
                  g.src = r_.src(v);
                  f_.setup_groups.push_back(g);
                  sgroup_nodes.push_back(v);
                });
  register_list(top, "tool_groups", "tool group", groups_,
                [&](const std::string& n, const YAML::Node& v) {
                  model::ToolGroup g;
                  g.name = n;
                  g.src = r_.src(v);
                  f_.tool_groups.push_back(g);
                  group_nodes_.push_back(v);
                });
  register_list(top, "routes", "route", routes_, [&](const std::string& n, const YAML::Node& v) {
    model::Route rt;
    rt.name = n;
    rt.src = r_.src(v);
    f_.routes.push_back(rt);
    route_nodes_.push_back(v);
  });
  register_list(top, "products", "product", products_,
                [&](const std::string& n, const YAML::Node& v) {
                  model::Product p;
                  p.name = n;
                  p.src = r_.src(v);
                  f_.products.push_back(p);
                  product_nodes_.push_back(v);
                });
  register_list(top, "releases", "release stream", streams_,
                [&](const std::string& n, const YAML::Node& v) {
                  model::ReleaseStream s;
                  s.name = n;
                  s.src = r_.src(v);
                  f_.streams.push_back(s);
                  stream_nodes_.push_back(v);
                });
  if (const YAML::Node* seq = top.get("sequences")) {
    if (!seq->IsMap()) {
      r_.err(*seq, "sequences",
             fmt::format("expected a map of named step lists, got {}", node_kind(*seq)));
    } else {
      for (const auto& kv : *seq) {
        const std::string nm = kv.first.IsScalar() ? kv.first.Scalar() : std::string();
        const std::string key = fmt::format("sequences.{}", nm);
        if (nm.empty()) {
          r_.err(kv.first, "sequences", "sequence names must be plain words");
        } else if (sequences_.count(nm)) {
          r_.err(kv.first, key, fmt::format("duplicate sequence name '{}'", nm));
        } else if (!kv.second.IsSequence() || kv.second.size() == 0) {
          r_.err(kv.second, key, "a sequence must be a non-empty list of steps");
        } else {
          sequences_.emplace(nm, kv.second);
        }
      }
    }
  }

  // ---- pass 2: details ----
  if (const YAML::Node* t = top.get("transport"); t && !t->IsNull() && r_.list(*t, "transport")) {
    for (std::size_t i = 0; i < t->size(); ++i) read_transport((*t)[i]);
  }
  for (std::size_t i = 0; i < component_nodes.size(); ++i)
    read_component(component_nodes[i], static_cast<int>(i));
  if (const YAML::Node* s = top.get("supplies"); s && !s->IsNull() && r_.list(*s, "supplies")) {
    for (std::size_t i = 0; i < s->size(); ++i)
      read_supply((*s)[i], fmt::format("supplies[{}]", i));
  }
  for (std::size_t i = 0; i < down_nodes.size(); ++i)
    read_down_calendar(down_nodes[i], static_cast<int>(i));
  for (std::size_t i = 0; i < pm_nodes.size(); ++i)
    read_pm_calendar(pm_nodes[i], static_cast<int>(i));
  if (const YAML::Node* s = top.get("setup_changes");
      s && !s->IsNull() && r_.list(*s, "setup_changes")) {
    for (std::size_t i = 0; i < s->size(); ++i)
      read_setup_change((*s)[i], fmt::format("setup_changes[{}]", i));
  }
  for (std::size_t i = 0; i < sgroup_nodes.size(); ++i)
    read_setup_group(sgroup_nodes[i], static_cast<int>(i));
  group_batch_.assign(group_nodes_.size(), {0, 0});
  group_batch_given_.assign(group_nodes_.size(), false);
  group_batch_bad_.assign(group_nodes_.size(), false);
  // Tool groups may add inline calendars, so iterate by the count registered in pass 1.
  for (std::size_t i = 0; i < group_nodes_.size(); ++i)
    read_tool_group(group_nodes_[i], static_cast<int>(i));
  step_nodes_.resize(route_nodes_.size());
  for (std::size_t i = 0; i < route_nodes_.size(); ++i)
    read_route(route_nodes_[i], static_cast<int>(i));
  product_ok_.assign(product_nodes_.size(), false);
  product_sites_node_.resize(product_nodes_.size());
  for (std::size_t i = 0; i < product_nodes_.size(); ++i)
    read_product(product_nodes_[i], static_cast<int>(i));
  for (std::size_t i = 0; i < stream_nodes_.size(); ++i)
    read_release(stream_nodes_[i], static_cast<int>(i));

  if (f_.tool_groups.empty()) r_.err(root, "tool_groups", "the scenario has no tool groups");
  if (f_.routes.empty()) r_.err(root, "routes", "the scenario has no routes");
  if (f_.products.empty()) r_.err(root, "products", "the scenario has no products");
  if (f_.streams.empty()) r_.err(root, "releases", "the scenario has no release streams");

  check_routes_against_products();
}

void ScenarioReader::read_transport(const YAML::Node& v) {
  Map m(r_, v, "transport", {"from", "to", "time"});
  if (!m.ok()) return;
  model::TransportLane lane;
  lane.src = r_.src(v);
  bool good = true;
  for (const char* k : {"from", "to", "time"}) {
    if (!m.has(k)) {
      r_.err(v, m.sub(k), fmt::format("a transport lane needs '{}'", k));
      good = false;
    }
  }
  if (!good) return;
  lane.from = locations_.resolve(r_, *m.get("from"), m.sub("from"), "location");
  lane.to = locations_.resolve(r_, *m.get("to"), m.sub("to"), "location");
  good = r_.dist(*m.get("time"), m.sub("time"), lane.time);
  if (good && lane.from != kNone && lane.to != kNone) f_.transport.push_back(lane);
}

void ScenarioReader::read_component(const YAML::Node& v, int id) {
  model::Component& c = f_.components[id];
  const std::string key = fmt::format("components.{}", c.name);
  Map m(r_, v, key, {"name", "description", "initial_stock", "unit_cost"});
  if (!m.ok()) return;
  if (const YAML::Node* n = m.get("initial_stock"))
    r_.nonneg(*n, m.sub("initial_stock"), c.initial_stock);
  if (const YAML::Node* n = m.get("unit_cost")) r_.nonneg(*n, m.sub("unit_cost"), c.unit_cost);
}

void ScenarioReader::read_supply(const YAML::Node& v, const std::string& key0) {
  Map m(r_, v, key0, {"component", "quantity", "every", "per_week", "per_month", "first", "count"});
  if (!m.ok()) return;
  model::Supply s;
  s.src = r_.src(v);
  bool good = true;
  const YAML::Node* cn = m.get("component");
  if (!cn) {
    r_.err(v, m.sub("component"), "a supply needs its 'component'");
    good = false;
  } else {
    s.component = components_.resolve(r_, *cn, m.sub("component"), "component");
    good = s.component != kNone;
  }
  const YAML::Node* q = m.get("quantity");
  const YAML::Node* every = m.get("every");
  const YAML::Node* pw = m.get("per_week");
  const YAML::Node* pm = m.get("per_month");
  const int forms = (q || every ? 1 : 0) + (pw ? 1 : 0) + (pm ? 1 : 0);
  if (forms != 1) {
    r_.err(v, key0, "give the rate as 'quantity' + 'every', or 'per_week', or 'per_month'");
    good = false;
  } else if (q || every) {
    if (!q || !every) {
      r_.err(v, key0, "'quantity' and 'every' go together");
      good = false;
    } else {
      good = r_.nonneg(*q, m.sub("quantity"), s.quantity) && good;
      good = r_.duration(*every, m.sub("every"), s.interval) && good;
      if (good && s.interval <= 0) {
        r_.err(*every, m.sub("every"), "the supply interval must be > 0");
        good = false;
      }
    }
  } else if (pw) {
    good = r_.nonneg(*pw, m.sub("per_week"), s.quantity) && good;
    s.interval = days(7);
  } else {
    good = r_.nonneg(*pm, m.sub("per_month"), s.quantity) && good;
    s.interval = days(kMonthDays);
  }
  if (const YAML::Node* n = m.get("first")) good = r_.duration(*n, m.sub("first"), s.first) && good;
  if (const YAML::Node* n = m.get("count")) {
    long long c = 0;
    if (r_.integer(*n, m.sub("count"), c, -1)) {
      s.count = c;
    } else {
      good = false;
    }
  }
  if (good) f_.supplies.push_back(s);
}

void ScenarioReader::read_down_calendar(const YAML::Node& v, int id) {
  model::DownCalendar& c = f_.down_calendars[id];
  const std::string key = fmt::format("down_calendars.{}", c.name);
  Map m(r_, v, key,
        {"name", "description", "mttf", "mttr", "time_to_failure", "time_to_repair", "clock"});
  if (!m.ok()) return;
  // `mean_key` (an exponential mean) or `dist_key` (any distribution), exactly one.
  auto one_of = [&](const char* mean_key, const char* dist_key, Dist& out, const char* what,
                    bool positive) {
    const YAML::Node* a = m.get(mean_key);
    const YAML::Node* b = m.get(dist_key);
    if (a && b) {
      r_.err(*b, m.sub(dist_key), fmt::format("give either '{}' or '{}'", mean_key, dist_key));
      return;
    }
    if (!a && !b) {
      r_.err(v, key,
             fmt::format("a down calendar needs its {} ('{}' or '{}')", what, mean_key, dist_key));
      return;
    }
    bool good = false;
    if (a) {
      double t = 0;
      good = r_.duration_ticks(*a, m.sub(mean_key), t);
      out = t > 0 ? Dist::exponential(t) : Dist::constant(0);
    } else {
      good = r_.dist(*b, m.sub(dist_key), out);
    }
    if (good && positive && out.mean <= 0)
      r_.err(a ? *a : *b, m.sub(a ? mean_key : dist_key), fmt::format("the {} must be > 0", what));
  };
  one_of("mttf", "time_to_failure", c.time_to_failure, "time to failure", true);
  one_of("mttr", "time_to_repair", c.time_to_repair, "time to repair", false);
  if (const YAML::Node* n = m.get("clock")) {
    r_.word<model::FailureClock>(
        *n, m.sub("clock"),
        {{"calendar", model::FailureClock::Calendar}, {"busy", model::FailureClock::Busy}},
        c.clock);
  }
}

void ScenarioReader::read_pm_calendar(const YAML::Node& v, int id) {
  model::PmCalendar& c = f_.pm_calendars[id];
  const std::string key = fmt::format("pm_calendars.{}", c.name);
  Map m(r_, v, key, {"name", "description", "every", "every_wafers", "duration"});
  if (!m.ok()) return;
  const YAML::Node* e = m.get("every");
  const YAML::Node* w = m.get("every_wafers");
  if ((e != nullptr) == (w != nullptr)) {
    r_.err(v, key, "a PM calendar needs either 'every' (a duration) or 'every_wafers'");
  } else if (e) {
    double t = 0;
    c.trigger = model::PmTrigger::Calendar;
    if (r_.duration_ticks(*e, m.sub("every"), t)) {
      if (t <= 0) {
        r_.err(*e, m.sub("every"), "the PM interval must be > 0");
      } else {
        c.interval = t;
      }
    }
  } else {
    long long n = 0;
    c.trigger = model::PmTrigger::WaferCount;
    if (r_.integer(*w, m.sub("every_wafers"), n, 1)) c.interval = static_cast<double>(n);
  }
  if (const YAML::Node* d = m.get("duration")) {
    r_.dist(*d, m.sub("duration"), c.duration);
  } else {
    r_.err(v, key, "a PM calendar needs its 'duration'");
  }
}

void ScenarioReader::read_setup_change(const YAML::Node& v, const std::string& key) {
  Map m(r_, v, key, {"from", "to", "time"});
  if (!m.ok()) return;
  model::SetupChange c;
  c.src = r_.src(v);
  bool good = true;
  if (const YAML::Node* n = m.get("from")) {
    if (n->IsScalar() && n->Scalar() == "any") {
      c.from = kNone;
    } else {
      c.from = setups_.resolve(r_, *n, m.sub("from"), "setup");
      good = c.from != kNone;
    }
  }
  if (const YAML::Node* n = m.get("to")) {
    c.to = setups_.resolve(r_, *n, m.sub("to"), "setup");
    good = c.to != kNone && good;
  } else {
    r_.err(v, key, "a setup change needs 'to'");
    good = false;
  }
  if (const YAML::Node* n = m.get("time")) {
    good = r_.duration(*n, m.sub("time"), c.time) && good;
  } else {
    r_.err(v, key, "a setup change needs its 'time'");
    good = false;
  }
  if (good) f_.setup_changes.push_back(c);
}

void ScenarioReader::read_setup_group(const YAML::Node& v, int id) {
  model::SetupGroup& g = f_.setup_groups[id];
  const std::string key = fmt::format("setup_groups.{}", g.name);
  Map m(r_, v, key, {"name", "description", "members", "min_run"});
  if (!m.ok()) return;
  if (const YAML::Node* n = m.get("members"); n && r_.list(*n, m.sub("members"))) {
    for (std::size_t i = 0; i < n->size(); ++i) {
      const YAML::Node mn = (*n)[i];
      const int s = setups_.resolve(r_, mn, fmt::format("{}[{}]", m.sub("members"), i), "setup");
      if (s == kNone) continue;
      if (f_.setup_group_of[s] != kNone) {
        r_.err(mn, m.sub("members"),
               fmt::format("setup '{}' is already in setup group '{}'", f_.setups[s],
                           f_.setup_groups[f_.setup_group_of[s]].name));
        continue;
      }
      f_.setup_group_of[s] = id;
      g.members.push_back(s);
    }
  }
  if (const YAML::Node* n = m.get("min_run"))
    r_.integer(*n, m.sub("min_run"), g.min_run, 0, kMaxCount);
}

void ScenarioReader::read_tool_group(const YAML::Node& v, int id) {
  model::ToolGroup& g = f_.tool_groups[id];
  const std::string key = fmt::format("tool_groups.{}", g.name);
  Map m(r_, v, key,
        {"name", "description", "area", "location", "tools", "capacity", "load", "unload", "delay",
         "batching", "dispatch", "wake_least_setup", "lssu", "setup_group", "downs", "pms",
         "tool_cost"});
  if (!m.ok()) return;
  if (const YAML::Node* n = m.get("area")) r_.scalar(*n, m.sub("area"), g.area);
  if (const YAML::Node* n = m.get("location")) {
    g.location = locations_.resolve(r_, *n, m.sub("location"), "location");
    // The area (SMT2020 STNGRP, used in reports) defaults to the location's name.
    if (g.location != kNone && !m.has("area")) g.area = f_.locations[g.location].name;
  }
  if (const YAML::Node* n = m.get("tools")) r_.integer(*n, m.sub("tools"), g.tools, 0, kMaxTools);
  if (const YAML::Node* n = m.get("capacity"))
    r_.integer(*n, m.sub("capacity"), g.capacity, 1, kMaxCount);
  if (const YAML::Node* n = m.get("load")) r_.duration(*n, m.sub("load"), g.load_time);
  if (const YAML::Node* n = m.get("unload")) r_.duration(*n, m.sub("unload"), g.unload_time);
  if (const YAML::Node* n = m.get("delay")) r_.boolean(*n, m.sub("delay"), g.is_delay);
  if (const YAML::Node* n = m.get("lssu")) r_.boolean(*n, m.sub("lssu"), g.lssu);
  if (const YAML::Node* n = m.get("wake_least_setup"))
    r_.boolean(*n, m.sub("wake_least_setup"), g.wake_least_setup);
  if (const YAML::Node* n = m.get("tool_cost")) r_.nonneg(*n, m.sub("tool_cost"), g.tool_cost);
  if (const YAML::Node* n = m.get("setup_group"))
    g.setup_group = setup_groups_.resolve(r_, *n, m.sub("setup_group"), "setup group");

  if (const YAML::Node* b = m.get("batching")) {
    const std::size_t errors_before = r_.errors();
    Map bm(r_, *b, m.sub("batching"), {"criterion", "unit", "min", "max", "max_wait"});
    if (bm.ok()) {
      if (const YAML::Node* n = bm.get("criterion")) {
        r_.word<model::BatchCriterion>(*n, bm.sub("criterion"),
                                       {{"same_route_step", model::BatchCriterion::SameRouteStep},
                                        {"same_step_name", model::BatchCriterion::SameStepName}},
                                       g.batch_criterion);
      } else {
        r_.err(*b, bm.path(), "batching needs its 'criterion' (same_route_step | same_step_name)");
      }
      if (const YAML::Node* n = bm.get("unit")) {
        r_.word<model::BatchUnit>(*n, bm.sub("unit"),
                                  {{"wafer", model::BatchUnit::Wafer},
                                   {"lot", model::BatchUnit::Lot},
                                   {"unit", model::BatchUnit::Unit}},
                                  g.batch_unit);
      }
      int mn = 0, mx = 0;
      const YAML::Node* mnn = bm.get("min");
      const YAML::Node* mxn = bm.get("max");
      bool both = true;
      if (mnn) both = r_.integer(*mnn, bm.sub("min"), mn, 1, kMaxCount) && both;
      if (mxn) both = r_.integer(*mxn, bm.sub("max"), mx, 1, kMaxCount) && both;
      if (mnn && mxn && both && mn > mx)
        r_.err(*mnn, bm.sub("min"), fmt::format("batch minimum {} exceeds maximum {}", mn, mx));
      if ((mnn || mxn) && both) {
        group_batch_[id] = {mnn ? mn : 1, mxn ? mx : 0};
        group_batch_given_[id] = mxn != nullptr;
      }
      if (const YAML::Node* n = bm.get("max_wait"))
        r_.duration(*n, bm.sub("max_wait"), g.batch_max_wait);
    }
    group_batch_bad_[id] = r_.errors() != errors_before;
  }

  if (const YAML::Node* d = m.get("dispatch"); d && r_.list(*d, m.sub("dispatch"))) {
    g.ranking.clear();
    for (std::size_t i = 0; i < d->size(); ++i) {
      model::RankCriterion rc{};
      if (r_.word<model::RankCriterion>((*d)[i], fmt::format("{}[{}]", m.sub("dispatch"), i),
                                        {{"priority", model::RankCriterion::HighPriority},
                                         {"setup", model::RankCriterion::LeastSetup},
                                         {"fifo", model::RankCriterion::Fifo},
                                         {"cr", model::RankCriterion::CriticalRatio},
                                         {"edd", model::RankCriterion::EarliestDue},
                                         {"spt", model::RankCriterion::ShortestProcessing}},
                                        rc))
        g.ranking.push_back(rc);
    }
  }

  const std::string gname = g.name;  // g may move when calendars are added? (no: other vectors)
  if (const YAML::Node* d = m.get("downs"); d && r_.list(*d, m.sub("downs"))) {
    for (std::size_t i = 0; i < d->size(); ++i) {
      const YAML::Node e = (*d)[i];
      const std::string k = fmt::format("{}[{}]", m.sub("downs"), i);
      Map dm(r_, e, k,
             {"calendar", "mttf", "mttr", "time_to_failure", "time_to_repair", "clock", "first"});
      if (!dm.ok()) continue;
      model::DownAttachment a;
      a.src = r_.src(e);
      if (const YAML::Node* cn = dm.get("calendar")) {
        for (const char* inl : {"mttf", "mttr", "time_to_failure", "time_to_repair", "clock"}) {
          if (dm.has(inl))
            r_.err(*dm.get(inl), dm.sub(inl),
                   "give either a named 'calendar' or an inline definition, not both");
        }
        a.calendar = downs_.resolve(r_, *cn, dm.sub("calendar"), "down calendar");
        if (a.calendar == kNone) continue;
      } else {
        // Inline calendar, named "<group>.down<i>".
        model::DownCalendar c;
        c.name = fmt::format("{}.down{}", gname, i + 1);
        c.src = r_.src(e);
        bool good = true;
        const YAML::Node* mttf = dm.get("mttf");
        const YAML::Node* ttf = dm.get("time_to_failure");
        const YAML::Node* mttr = dm.get("mttr");
        const YAML::Node* ttr = dm.get("time_to_repair");
        if ((mttf != nullptr) == (ttf != nullptr)) {
          r_.err(e, k, "a down needs 'calendar', or 'mttf' (or 'time_to_failure') and 'mttr'");
          continue;
        }
        if ((mttr != nullptr) == (ttr != nullptr)) {
          r_.err(e, k, "a down needs its repair time: 'mttr' or 'time_to_repair'");
          continue;
        }
        double t = 0;
        if (mttf) {
          good = r_.duration_ticks(*mttf, dm.sub("mttf"), t);
          if (good && t <= 0) {
            r_.err(*mttf, dm.sub("mttf"), "the mean time to failure must be > 0");
            good = false;
          }
          c.time_to_failure = Dist::exponential(t);
        } else {
          good = r_.dist(*ttf, dm.sub("time_to_failure"), c.time_to_failure);
          if (good && c.time_to_failure.mean <= 0) {
            r_.err(*ttf, dm.sub("time_to_failure"), "the time to failure must be > 0");
            good = false;
          }
        }
        if (mttr) {
          good = r_.duration_ticks(*mttr, dm.sub("mttr"), t) && good;
          c.time_to_repair = t > 0 ? Dist::exponential(t) : Dist::constant(0);
        } else {
          good = r_.dist(*ttr, dm.sub("time_to_repair"), c.time_to_repair) && good;
        }
        if (const YAML::Node* n = dm.get("clock")) {
          good = r_.word<model::FailureClock>(*n, dm.sub("clock"),
                                              {{"calendar", model::FailureClock::Calendar},
                                               {"busy", model::FailureClock::Busy}},
                                              c.clock) &&
                 good;
        }
        if (!good) continue;
        f_.down_calendars.push_back(c);
        a.calendar = static_cast<int>(f_.down_calendars.size() - 1);
      }
      // First failure: by default drawn from the time-to-failure distribution itself.
      a.first_occurrence = f_.down_calendars[a.calendar].time_to_failure;
      if (const YAML::Node* n = dm.get("first")) {
        if (!r_.dist(*n, dm.sub("first"), a.first_occurrence)) continue;
      }
      f_.tool_groups[id].downs.push_back(a);
    }
  }
  if (const YAML::Node* d = m.get("pms"); d && r_.list(*d, m.sub("pms"))) {
    for (std::size_t i = 0; i < d->size(); ++i) {
      const YAML::Node e = (*d)[i];
      const std::string k = fmt::format("{}[{}]", m.sub("pms"), i);
      Map pm(r_, e, k, {"calendar", "every", "every_wafers", "duration", "first"});
      if (!pm.ok()) continue;
      model::PmAttachment a;
      a.src = r_.src(e);
      if (const YAML::Node* cn = pm.get("calendar")) {
        for (const char* inl : {"every", "every_wafers", "duration"}) {
          if (pm.has(inl))
            r_.err(*pm.get(inl), pm.sub(inl),
                   "give either a named 'calendar' or an inline definition, not both");
        }
        a.calendar = pms_.resolve(r_, *cn, pm.sub("calendar"), "PM calendar");
        if (a.calendar == kNone) continue;
      } else {
        model::PmCalendar c;
        c.name = fmt::format("{}.pm{}", gname, i + 1);
        c.src = r_.src(e);
        const YAML::Node* ev = pm.get("every");
        const YAML::Node* ew = pm.get("every_wafers");
        const YAML::Node* du = pm.get("duration");
        if ((ev != nullptr) == (ew != nullptr) || !du) {
          r_.err(e, k, "a PM needs 'calendar', or 'every' (or 'every_wafers') and 'duration'");
          continue;
        }
        bool good = true;
        if (ev) {
          double t = 0;
          good = r_.duration_ticks(*ev, pm.sub("every"), t);
          if (good && t <= 0) {
            r_.err(*ev, pm.sub("every"), "the PM interval must be > 0");
            good = false;
          }
          c.trigger = model::PmTrigger::Calendar;
          c.interval = t;
        } else {
          long long n = 0;
          good = r_.integer(*ew, pm.sub("every_wafers"), n, 1);
          c.trigger = model::PmTrigger::WaferCount;
          c.interval = static_cast<double>(n);
        }
        good = r_.dist(*du, pm.sub("duration"), c.duration) && good;
        if (!good) continue;
        f_.pm_calendars.push_back(c);
        a.calendar = static_cast<int>(f_.pm_calendars.size() - 1);
      }
      // First PM: by default uniform over the first interval, so tools are staggered.
      const double iv = f_.pm_calendars[a.calendar].interval;
      a.first_occurrence = Dist::uniform(iv / 2, iv / 2);
      if (const YAML::Node* n = pm.get("first")) {
        if (f_.pm_calendars[a.calendar].trigger == model::PmTrigger::WaferCount) {
          double w = 0;
          if (!r_.nonneg(*n, pm.sub("first"), w)) continue;
          a.first_occurrence = Dist::constant(w);
        } else if (!r_.dist(*n, pm.sub("first"), a.first_occurrence)) {
          continue;
        }
      }
      f_.tool_groups[id].pms.push_back(a);
    }
  }
}

// Expands `use:` entries into the step nodes of a route.
void ScenarioReader::read_route(const YAML::Node& v, int id) {
  model::Route& rt = f_.routes[id];
  const std::string key = fmt::format("routes.{}", rt.name);
  Map m(r_, v, key, {"name", "description", "steps"});
  if (!m.ok()) return;
  const YAML::Node* steps = m.get("steps");
  if (!steps || steps->IsNull() || (steps->IsSequence() && steps->size() == 0)) {
    r_.err(steps ? *steps : v, m.sub("steps"), fmt::format("route '{}' has no steps", rt.name));
    return;
  }
  if (!r_.list(*steps, m.sub("steps"))) return;

  // Flatten.
  std::vector<YAML::Node> nodes;
  for (std::size_t i = 0; i < steps->size(); ++i) {
    const YAML::Node e = (*steps)[i];
    if (e.IsMap() && e["use"]) {
      const std::string k = fmt::format("{}[{}].use", m.sub("steps"), i);
      if (e.size() != 1) {
        r_.err(e, k, "a 'use' entry takes no other keys");
        continue;
      }
      std::string nm;
      if (!r_.name(e["use"], k, nm)) continue;
      auto it = sequences_.find(nm);
      if (it == sequences_.end()) {
        std::vector<std::string> names;
        for (const auto& [n, _] : sequences_) names.push_back(n);
        r_.err(e["use"], k, fmt::format("unknown sequence '{}'{}", nm, did_you_mean(nm, names)));
        continue;
      }
      for (std::size_t j = 0; j < it->second.size(); ++j) {
        const YAML::Node s = it->second[j];
        if (s.IsMap() && s["use"]) {
          r_.err(s, fmt::format("sequences.{}[{}].use", nm, j),
                 "sequences cannot use other sequences");
          continue;
        }
        nodes.push_back(s);
      }
      continue;
    }
    nodes.push_back(e);
  }

  // Step names first (references to later steps), then the steps.
  Names step_names;
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const YAML::Node& e = nodes[i];
    std::string nm;
    if (e.IsMap() && e["name"] && e["name"].IsScalar()) nm = e["name"].Scalar();
    if (!nm.empty() && step_names.find(nm) != kNone) {
      r_.err(e["name"], fmt::format("{}.steps.{}.name", key, nm),
             fmt::format("duplicate step name '{}' in route '{}'", nm, rt.name));
      continue;
    }
    if (!nm.empty()) step_names.add(r_, e["name"], "", nm, static_cast<int>(i), "step");
  }
  rt.steps.resize(nodes.size());
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const YAML::Node& e = nodes[i];
    std::string sk;
    if (e.IsMap() && e["name"] && e["name"].IsScalar()) {
      sk = fmt::format("{}.steps.{}", key, e["name"].Scalar());
    } else {
      sk = fmt::format("{}.steps[{}]", key, i);
    }
    read_step(e, sk, rt.steps[i], step_names, static_cast<int>(i), step_nodes_[id]);
  }
  if (nodes.empty())
    r_.err(*steps, m.sub("steps"), fmt::format("route '{}' has no steps", rt.name));
}

void ScenarioReader::read_step(const YAML::Node& v, const std::string& key, model::Step& s,
                               const Names& step_names, int index,
                               std::vector<YAML::Node>& step_nodes) {
  step_nodes.push_back(v);
  s.src = r_.src(v);
  Map m(r_, v, key, {"name",       "description",  "group",       "basis", "time",
                     "overhead",   "overhead_per", "die",         "batch", "setup",
                     "setup_time", "sampling",     "rework",      "cqt",   "dedicate",
                     "yield",      "transform",    "split_units", "kit",   "cascade"});
  if (!m.ok()) return;
  if (const YAML::Node* n = m.get("name")) {
    r_.name(*n, m.sub("name"), s.name);
  } else {
    r_.err(v, key, "a step needs a 'name'");
  }
  if (const YAML::Node* n = m.get("group")) {
    s.tool_group = groups_.resolve(r_, *n, m.sub("group"), "tool group");
  } else {
    r_.err(v, key, "a step needs its tool 'group'");
  }
  if (const YAML::Node* n = m.get("basis")) {
    r_.word<model::TimeBasis>(*n, m.sub("basis"),
                              {{"per_lot", model::TimeBasis::PerLot},
                               {"per_wafer", model::TimeBasis::PerWafer},
                               {"per_batch", model::TimeBasis::PerBatch},
                               {"per_site", model::TimeBasis::PerSite},
                               {"per_die", model::TimeBasis::PerDie},
                               {"per_unit", model::TimeBasis::PerUnit}},
                              s.basis);
  } else {
    r_.err(v, key,
           "a step needs its time 'basis' (per_lot, per_wafer, per_batch, per_site, per_die, "
           "per_unit)");
  }
  if (const YAML::Node* n = m.get("time")) {
    r_.dist(*n, m.sub("time"), s.time);
  } else {
    r_.err(v, key, "a step needs its processing 'time'");
  }
  if (const YAML::Node* n = m.get("overhead")) r_.duration(*n, m.sub("overhead"), s.overhead);
  if (const YAML::Node* n = m.get("overhead_per")) {
    int per = 0;
    if (r_.word<int>(*n, m.sub("overhead_per"), {{"job", 0}, {"wafer", 1}, {"unit", 2}}, per))
      s.overhead_per_wafer = per != 0;
    if (!m.has("overhead")) r_.err(*n, m.sub("overhead_per"), "'overhead_per' without 'overhead'");
  }
  if (const YAML::Node* n = m.get("die")) {
    s.die_component = components_.resolve(r_, *n, m.sub("die"), "component");
    if (s.basis != model::TimeBasis::PerDie && m.has("basis"))
      r_.err(*n, m.sub("die"), "'die' is only for per_die steps");
  } else if (s.basis == model::TimeBasis::PerDie) {
    r_.err(v, key, "a per_die step needs its 'die' component");
  }
  const model::ToolGroupId gid = s.tool_group;
  const bool batching =
      gid != kNone && f_.tool_groups[gid].batch_criterion != model::BatchCriterion::None;
  if (const YAML::Node* b = m.get("batch")) {
    Map bm(r_, *b, m.sub("batch"), {"min", "max"});
    if (bm.ok()) {
      if (gid != kNone && !batching)
        r_.err(*b, m.sub("batch"),
               fmt::format("tool group '{}' does not batch (no 'batching' key)",
                           f_.tool_groups[gid].name));
      bool good = true;
      if (const YAML::Node* n = bm.get("min"))
        good = r_.integer(*n, bm.sub("min"), s.batch_min, 1, kMaxCount);
      if (const YAML::Node* n = bm.get("max"))
        good = r_.integer(*n, bm.sub("max"), s.batch_max, 1, kMaxCount) && good;
      if (good && s.batch_max > 0 && s.batch_min > s.batch_max)
        r_.err(*b, m.sub("batch"),
               fmt::format("batch minimum {} exceeds maximum {}", s.batch_min, s.batch_max));
    }
  }
  if (batching && !group_batch_bad_[gid]) {
    const auto [dmin, dmax] = group_batch_[gid];
    if (s.batch_min == 0) s.batch_min = dmin;
    if (s.batch_max == 0) s.batch_max = dmax;
    if (s.batch_min == 0) s.batch_min = 1;
    if (s.batch_max == 0) {
      r_.err(v, key,
             fmt::format("a step on batching tool group '{}' needs a batch maximum (step "
                         "'batch: {{max: N}}' or the group's 'batching.max')",
                         f_.tool_groups[gid].name));
    } else if (s.batch_min > s.batch_max && !m.has("batch")) {
      r_.err(v, key, fmt::format("batch minimum {} exceeds maximum {}", s.batch_min, s.batch_max));
    }
  }
  if (s.basis == model::TimeBasis::PerBatch && gid != kNone && !batching && m.has("basis"))
    r_.err(*m.get("basis"), m.sub("basis"), "per_batch needs a batching tool group");
  if (const YAML::Node* n = m.get("setup"))
    s.setup = setups_.resolve(r_, *n, m.sub("setup"), "setup");
  if (const YAML::Node* n = m.get("setup_time")) {
    r_.duration(*n, m.sub("setup_time"), s.setup_time);
    if (!m.has("setup")) r_.err(*n, m.sub("setup_time"), "'setup_time' without 'setup'");
  }
  if (const YAML::Node* n = m.get("sampling"))
    r_.probability(*n, m.sub("sampling"), s.sample_probability, false);
  if (const YAML::Node* n = m.get("yield")) r_.probability(*n, m.sub("yield"), s.yield, true);

  auto step_ref = [&](const YAML::Node& n, const std::string& k) -> int {
    std::string nm;
    if (!r_.name(n, k, nm)) return kNone;
    const int t = step_names.find(nm);
    if (t == kNone)
      r_.err(n, k,
             fmt::format("no step '{}' in this route{}", nm, did_you_mean(nm, step_names.names())));
    return t;
  };
  if (const YAML::Node* n = m.get("rework")) {
    Map rm(r_, *n, m.sub("rework"), {"to", "probability"});
    if (rm.ok()) {
      const YAML::Node* to = rm.get("to");
      const YAML::Node* p = rm.get("probability");
      if (!to || !p) {
        r_.err(*n, m.sub("rework"), "rework needs 'to' (a step) and 'probability'");
      } else {
        const int t = step_ref(*to, rm.sub("to"));
        if (t != kNone && t > index) {
          r_.err(*to, rm.sub("to"), "the rework target must be this or an earlier step");
        } else if (t != kNone) {
          s.rework_step = t;
        }
        if (r_.probability(*p, rm.sub("probability"), s.rework_probability, false) &&
            s.rework_probability >= 1.0) {
          // Every lot sent back every time: a loop that never exits.
          r_.err(*p, rm.sub("probability"),
                 fmt::format("must lie in [0, 1) (a rework of probability 1 never lets a lot "
                             "pass), got {}",
                             p->Scalar()));
          s.rework_probability = 0;
        }
      }
    }
  }
  if (const YAML::Node* n = m.get("cqt")) {
    Map cm(r_, *n, m.sub("cqt"), {"until", "limit"});
    if (cm.ok()) {
      const YAML::Node* to = cm.get("until");
      const YAML::Node* lim = cm.get("limit");
      if (!to || !lim) {
        r_.err(*n, m.sub("cqt"), "a queue-time limit needs 'until' (a later step) and 'limit'");
      } else {
        const int t = step_ref(*to, cm.sub("until"));
        if (t != kNone && t <= index) {
          r_.err(*to, cm.sub("until"), "the queue-time exit must be a later step");
        } else if (t != kNone) {
          s.cqt_exit_step = t;
        }
        r_.duration(*lim, cm.sub("limit"), s.cqt_limit);
      }
    }
  }
  if (const YAML::Node* n = m.get("dedicate")) {
    const int t = step_ref(*n, m.sub("dedicate"));
    if (t != kNone && t <= index) {
      r_.err(*n, m.sub("dedicate"), "the dedicated step must be a later step");
    } else if (t != kNone) {
      s.dedicate_step = t;
    }
  }
  if (const YAML::Node* n = m.get("transform")) {
    std::string w;
    if (r_.scalar(*n, m.sub("transform"), w)) {
      if (w == "units") {
        s.transform_to_units = true;
      } else {
        r_.err(*n, m.sub("transform"), fmt::format("unknown transform '{}'; expected: units", w));
      }
    }
  }
  if (const YAML::Node* n = m.get("split_units")) {
    r_.integer(*n, m.sub("split_units"), s.split_units, 1, kMaxCount);
    if (!m.has("transform"))
      r_.err(*n, m.sub("split_units"), "'split_units' is only for 'transform: units' steps");
  }
  if (const YAML::Node* n = m.get("cascade")) {
    Map cm(r_, *n, m.sub("cascade"), {"per", "interval"});
    if (cm.ok()) {
      if (const YAML::Node* p = cm.get("per")) {
        r_.word<model::CascadeBasis>(
            *p, cm.sub("per"),
            {{"lot", model::CascadeBasis::PerLot}, {"wafer", model::CascadeBasis::PerWafer}},
            s.cascade_basis);
      } else {
        r_.err(*n, m.sub("cascade"), "cascading needs 'per' (lot | wafer) and 'interval'");
      }
      if (const YAML::Node* iv = cm.get("interval")) {
        r_.duration(*iv, cm.sub("interval"), s.cascade_interval);
      } else {
        r_.err(*n, m.sub("cascade"), "cascading needs its 'interval'");
      }
    }
  }
  if (const YAML::Node* k = m.get("kit"); k && r_.list(*k, m.sub("kit"))) {
    for (std::size_t i = 0; i < k->size(); ++i) {
      const YAML::Node e = (*k)[i];
      const std::string kk = fmt::format("{}[{}]", m.sub("kit"), i);
      Map km(r_, e, kk, {"component", "quantity", "per"});
      if (!km.ok()) continue;
      model::KitItem item;
      bool good = true;
      if (const YAML::Node* c = km.get("component")) {
        item.component = components_.resolve(r_, *c, km.sub("component"), "component");
        good = item.component != kNone;
      } else {
        r_.err(e, kk, "a kit item needs its 'component'");
        good = false;
      }
      if (const YAML::Node* q = km.get("quantity")) {
        good = r_.nonneg(*q, km.sub("quantity"), item.quantity) && good;
      } else {
        r_.err(e, kk, "a kit item needs its 'quantity'");
        good = false;
      }
      if (const YAML::Node* p = km.get("per")) {
        good = r_.word<model::TimeBasis>(*p, km.sub("per"),
                                         {{"lot", model::TimeBasis::PerLot},
                                          {"wafer", model::TimeBasis::PerWafer},
                                          {"site", model::TimeBasis::PerSite},
                                          {"die", model::TimeBasis::PerDie},
                                          {"unit", model::TimeBasis::PerUnit}},
                                         item.basis) &&
               good;
      } else {
        r_.err(e, kk, "a kit item needs 'per' (lot, wafer, site, die, unit)");
        good = false;
      }
      if (good && item.basis == model::TimeBasis::PerDie && s.die_component == kNone)
        r_.err(*km.get("per"), km.sub("per"),
               "'per: die' needs a per_die step (it counts the step's die placements)");
      if (good) s.kit.push_back(item);
    }
  }
}

void ScenarioReader::read_product(const YAML::Node& v, int id) {
  model::Product& p = f_.products[id];
  const std::string key = fmt::format("products.{}", p.name);
  Map m(r_, v, key,
        {"name", "description", "route", "starts_as", "sites_per_wafer", "site", "wafer",
         "edge_exclusion", "street", "site_yield", "dies"});
  if (!m.ok()) return;
  bool good = true;
  if (const YAML::Node* n = m.get("route")) {
    p.route = routes_.resolve(r_, *n, m.sub("route"), "route");
    good = p.route != kNone;
  } else {
    r_.err(v, key, "a product needs its 'route'");
    good = false;
  }
  if (const YAML::Node* n = m.get("starts_as")) {
    good = r_.word<bool>(*n, m.sub("starts_as"), {{"wafers", false}, {"units", true}},
                         p.starts_as_units) &&
           good;
  }
  const YAML::Node* spw = m.get("sites_per_wafer");
  const YAML::Node* site = m.get("site");
  if (spw && site) {
    r_.err(*site, m.sub("site"), "give either 'sites_per_wafer' or 'site', not both");
    good = false;
  } else if (spw) {
    good =
        r_.integer(*spw, m.sub("sites_per_wafer"), p.sites_per_wafer, 1, kMaxSitesPerWafer) && good;
    for (const char* k : {"wafer", "edge_exclusion", "street"}) {
      if (m.has(k)) r_.err(*m.get(k), m.sub(k), "only with 'site' (site dimensions)");
    }
  } else if (site) {
    std::string text;
    double w = 0, h = 0;
    bool dims = false;
    if (r_.scalar(*site, m.sub("site"), text)) {
      const auto x = text.find_first_of("xX");
      dims = x != std::string::npos && parse_number(text.substr(0, x), w) &&
             parse_number(text.substr(x + 1), h) && w > 0 && h > 0;
      if (!dims)
        r_.err(*site, m.sub("site"),
               fmt::format("expected site dimensions 'WIDTHxHEIGHT' in mm, e.g. '52x54.5', got "
                           "'{}'",
                           text));
    }
    double wafer = 300, edge = 3, street = 0.2;
    if (const YAML::Node* n = m.get("wafer")) dims = r_.nonneg(*n, m.sub("wafer"), wafer) && dims;
    if (const YAML::Node* n = m.get("edge_exclusion"))
      dims = r_.nonneg(*n, m.sub("edge_exclusion"), edge) && dims;
    if (const YAML::Node* n = m.get("street"))
      dims = r_.nonneg(*n, m.sub("street"), street) && dims;
#if defined(OSATSIM_HAVE_PACKAGING)
    if (dims) {
      packaging::WaferSpec spec;
      spec.diameter_mm = wafer;
      spec.edge_exclusion_mm = edge;
      spec.street_mm = street;
      const auto problems = packaging::check_geometry(spec, w, h);
      for (const auto& pr : problems) r_.err(*site, m.sub("site"), pr);
      if (problems.empty()) {
        const packaging::Packing packed = packaging::pack_sites(spec, w, h);
        p.sites_per_wafer = packed.count;
        p.site_packing = fmt::format(
            "site {:g}x{:g} mm on a {:g} mm wafer, edge exclusion {:g} mm, street {:g} mm: {} "
            "packing{}",
            w, h, wafer, edge, street, packaging::to_string(packed.method),
            packed.rotated ? ", site turned 90 degrees" : "");
        if (p.sites_per_wafer <= 0)
          r_.err(*site, m.sub("site"),
                 fmt::format("no {}x{} mm site fits on a {} mm wafer with {} mm edge exclusion", w,
                             h, wafer, edge));
      }
    }
#else
    if (dims)
      r_.err(*site, m.sub("site"),
             "site dimensions need the packaging module, which this build lacks; give "
             "'sites_per_wafer'");
#endif
    good = good && dims && p.sites_per_wafer > 0;
  } else {
    for (const char* k : {"wafer", "edge_exclusion", "street"}) {
      if (m.has(k)) r_.err(*m.get(k), m.sub(k), "only with 'site' (site dimensions)");
    }
  }
  if (p.starts_as_units && (spw || site)) {
    r_.err(spw ? *spw : *site, m.sub(spw ? "sites_per_wafer" : "site"),
           "a product that starts as units has no sites per wafer");
    good = false;
  }
  if (const YAML::Node* n = m.get("site_yield"))
    good = r_.probability(*n, m.sub("site_yield"), p.site_yield, true) && good;
  if (const YAML::Node* d = m.get("dies")) {
    if (!d->IsMap()) {
      r_.err(*d, m.sub("dies"), "expected a map 'component: count per package'");
    } else {
      for (const auto& kv : *d) {
        const std::string k = fmt::format("{}.{}", m.sub("dies"), kv.first.Scalar());
        const int c = components_.resolve(r_, kv.first, k, "component");
        int count = 0;
        // A bad count is reported here; the component still counts as listed (no follow-on
        // "no dies of component" at the steps that place it).
        if (!r_.integer(kv.second, k, count, 1, kMaxDiesPerPackage)) count = 1;
        if (c == kNone) continue;
        bool dup = false;
        for (const auto& dc : p.dies) dup = dup || dc.component == c;
        if (dup) {
          r_.err(kv.first, k, "component listed twice");
          continue;
        }
        p.dies.push_back(model::DieCount{c, count});
      }
    }
  }
  product_ok_[id] = good;
  if (spw) product_sites_node_[id] = *spw;
  if (site) product_sites_node_[id] = *site;
}

void ScenarioReader::read_release(const YAML::Node& v, int id) {
  model::ReleaseStream& s = f_.streams[id];
  const std::string key = fmt::format("releases.{}", s.name);
  Map m(r_, v, key,
        {"name", "description", "product", "priority", "wafers_per_lot", "units_per_lot",
         "interval", "wafers_per_month", "units_per_month", "lots_per_month", "lots_per_release",
         "first", "due", "max_releases"});
  if (!m.ok()) return;
  bool units = false;
  if (const YAML::Node* n = m.get("product")) {
    s.product = products_.resolve(r_, *n, m.sub("product"), "product");
    if (s.product != kNone) units = f_.products[s.product].starts_as_units;
  } else {
    r_.err(v, key, "a release stream needs its 'product'");
  }
  if (const YAML::Node* n = m.get("priority")) r_.integer(*n, m.sub("priority"), s.priority, 0);
  const YAML::Node* wpl = m.get("wafers_per_lot");
  const YAML::Node* upl = m.get("units_per_lot");
  if (wpl && upl) {
    r_.err(*upl, m.sub("units_per_lot"), "give either 'wafers_per_lot' or 'units_per_lot'");
  } else if (wpl || upl) {
    const char* k = wpl ? "wafers_per_lot" : "units_per_lot";
    r_.integer(wpl ? *wpl : *upl, m.sub(k), s.wafers_per_lot, 1, kMaxCount);
    if (s.product != kNone && units != (upl != nullptr))
      r_.err(wpl ? *wpl : *upl, m.sub(k),
             fmt::format("product '{}' starts as {}: use '{}'", f_.products[s.product].name,
                         units ? "units" : "wafers", units ? "units_per_lot" : "wafers_per_lot"));
  } else {
    r_.err(v, key, "a release stream needs 'wafers_per_lot' (or 'units_per_lot')");
  }
  if (const YAML::Node* n = m.get("lots_per_release"))
    r_.integer(*n, m.sub("lots_per_release"), s.lots_per_release, 1, kMaxCount);
  const YAML::Node* iv = m.get("interval");
  const YAML::Node* wpm = m.get("wafers_per_month");
  const YAML::Node* upm = m.get("units_per_month");
  const YAML::Node* lpm = m.get("lots_per_month");
  const int forms = (iv ? 1 : 0) + (wpm ? 1 : 0) + (upm ? 1 : 0) + (lpm ? 1 : 0);
  if (forms != 1) {
    r_.err(v, key,
           "give the release rate once: 'interval', 'wafers_per_month', 'units_per_month' or "
           "'lots_per_month'");
  } else if (iv) {
    if (r_.dist(*iv, m.sub("interval"), s.interval) && s.interval.mean <= 0)
      r_.err(*iv, m.sub("interval"), "the release interval must be > 0");
  } else {
    const YAML::Node& n = wpm ? *wpm : upm ? *upm : *lpm;
    const char* k = wpm ? "wafers_per_month" : upm ? "units_per_month" : "lots_per_month";
    double rate = 0;
    if (r_.number(n, m.sub(k), rate)) {
      if (rate <= 0) {
        r_.err(n, m.sub(k), fmt::format("must be > 0, got {}", n.Scalar()));
      } else {
        if (s.product != kNone && ((wpm && units) || (upm && !units)))
          r_.err(n, m.sub(k),
                 fmt::format("product '{}' starts as {}: use '{}'", f_.products[s.product].name,
                             units ? "units" : "wafers",
                             units ? "units_per_month" : "wafers_per_month"));
        const double lots = lpm ? rate : rate / std::max(1, s.wafers_per_lot);
        const double releases = lots / std::max(1, s.lots_per_release);
        s.interval = Dist::constant(static_cast<double>(days(kMonthDays)) / releases);
      }
    }
  }
  if (const YAML::Node* n = m.get("first")) r_.duration(*n, m.sub("first"), s.first_release);
  if (const YAML::Node* n = m.get("due")) {
    r_.duration(*n, m.sub("due"), s.due_offset);
  } else {
    r_.err(v, key, "a release stream needs its 'due' offset (release to due date)");
  }
  if (const YAML::Node* n = m.get("max_releases")) {
    long long x = 0;
    if (r_.integer(*n, m.sub("max_releases"), x, -1, 9'000'000'000'000'000LL)) s.max_releases = x;
  }
}

// Checks every route against the products that use it: wafer steps before the transform, unit
// steps after it, per-die components present in the product, batch units matching.
void ScenarioReader::check_routes_against_products() {
  std::set<std::pair<std::string, std::string>> reported;  // (place, message) once
  auto err_once = [&](const YAML::Node& n, const std::string& key, const std::string& msg) {
    const auto mk = n.Mark();
    const std::string place = fmt::format("{}:{}", mk.line, mk.column);
    if (reported.insert({place, msg}).second) r_.err(n, key, msg);
  };
  for (std::size_t pi = 0; pi < f_.products.size(); ++pi) {
    const model::Product& p = f_.products[pi];
    if (!product_ok_[pi] || p.route == kNone) continue;
    const model::Route& rt = f_.routes[p.route];
    const auto& nodes = step_nodes_[p.route];
    if (nodes.size() != rt.steps.size()) continue;
    bool units = p.starts_as_units;
    bool needs_sites = false;
    int transforms = 0;
    for (std::size_t i = 0; i < rt.steps.size(); ++i) {
      const model::Step& s = rt.steps[i];
      const YAML::Node& n = nodes[i];
      const std::string key = fmt::format("routes.{}.steps.{}", rt.name, s.name);
      const char* state = units ? "units" : "wafers";
      using B = model::TimeBasis;
      if (units && (s.basis == B::PerWafer || s.basis == B::PerSite)) {
        err_once(n, key + ".basis",
                 fmt::format("{} step, but lots of product '{}' count units here{}",
                             model::to_string(s.basis), p.name,
                             p.starts_as_units ? "" : " (after the transform)"));
      }
      if (!units && s.basis == B::PerUnit) {
        err_once(n, key + ".basis",
                 fmt::format("per_unit step, but lots of product '{}' count wafers here (before "
                             "any 'transform: units' step)",
                             p.name));
      }
      if (!units && (s.basis == B::PerSite || s.basis == B::PerDie)) needs_sites = true;
      if (s.overhead_per_wafer && units && n["overhead_per"] &&
          n["overhead_per"].Scalar() == "wafer")
        err_once(
            n["overhead_per"], key + ".overhead_per",
            fmt::format("lots of product '{}' count units here: use 'overhead_per: unit'", p.name));
      if (s.overhead_per_wafer && !units && n["overhead_per"] &&
          n["overhead_per"].Scalar() == "unit")
        err_once(n["overhead_per"], key + ".overhead_per",
                 fmt::format("lots of product '{}' count wafers here: use 'overhead_per: wafer'",
                             p.name));
      if (s.basis == B::PerDie && s.die_component != kNone) {
        bool found = false;
        for (const auto& dc : p.dies) found = found || dc.component == s.die_component;
        if (!found)
          err_once(n, key + ".die",
                   fmt::format("product '{}' has no dies of component '{}' (its 'dies' map)",
                               p.name, f_.components[s.die_component].name));
      }
      for (std::size_t k = 0; k < s.kit.size(); ++k) {
        const auto b = s.kit[k].basis;
        if ((units && (b == B::PerWafer || b == B::PerSite)) || (!units && b == B::PerUnit))
          err_once(n, fmt::format("{}.kit[{}].per", key, k),
                   fmt::format("kit per {} but lots of product '{}' count {} here",
                               b == B::PerUnit   ? "unit"
                               : b == B::PerSite ? "site"
                                                 : "wafer",
                               p.name, state));
        if (!units && b == B::PerSite) needs_sites = true;
      }
      if (s.tool_group != kNone) {
        const model::ToolGroup& g = f_.tool_groups[s.tool_group];
        if (g.batch_criterion != model::BatchCriterion::None) {
          if (units && g.batch_unit == model::BatchUnit::Wafer)
            err_once(n, key + ".group",
                     fmt::format("tool group '{}' batches wafers, but lots of product '{}' count "
                                 "units here",
                                 g.name, p.name));
          if (!units && g.batch_unit == model::BatchUnit::Unit)
            err_once(n, key + ".group",
                     fmt::format("tool group '{}' batches units, but lots of product '{}' count "
                                 "wafers here",
                                 g.name, p.name));
        }
      }
      if (s.transform_to_units) {
        ++transforms;
        if (units) {
          err_once(n, key + ".transform",
                   fmt::format("lots of product '{}' already count units here{}", p.name,
                               p.starts_as_units ? " (it starts as units)" : ""));
        } else {
          needs_sites = true;
        }
        units = true;
      }
    }
    if (needs_sites && p.sites_per_wafer <= 0)
      r_.err(product_nodes_[pi], fmt::format("products.{}", p.name),
             fmt::format("product '{}' needs 'sites_per_wafer' (or 'site' dimensions): its "
                         "route has per-site, per-die or transform steps",
                         p.name));
    (void)transforms;
  }
}

}  // namespace

bool parse_duration(std::string_view text, double& ticks) {
  const std::string s = trim(text);
  if (s.empty()) return false;
  std::size_t i = 0;
  while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.' ||
                          s[i] == '+' || s[i] == '-' || s[i] == 'e' || s[i] == 'E')) {
    // Stop before a unit that starts with 'e'? No unit does; but "1e3 s" is a number.
    ++i;
  }
  // Back off an exponent marker that is not followed by digits (e.g. "5 e" is not valid anyway).
  double value = 0;
  if (!parse_number(s.substr(0, i), value)) return false;
  if (value < 0) return false;
  const std::string unit = trim(s.substr(i));
  if (unit.empty()) {
    if (value != 0) return false;  // only zero may omit its unit
    ticks = 0;
    return true;
  }
  const double per = ticks_per_unit(unit.c_str());
  if (per <= 0) return false;
  const double t = value * per;
  if (!std::isfinite(t) || t > 9.0e18) return false;
  ticks = t;
  return true;
}

std::shared_ptr<model::Factory> read_scenario_text(std::string_view text, const std::string& name,
                                                   Diagnostics& diags) {
  const std::size_t before = diags.size();
  auto f = std::make_shared<model::Factory>();
  f->source = name;
  try {
    YAML::Node root;
    try {
      root = YAML::Load(std::string(text));
    } catch (const YAML::Exception& e) {
      const bool known = !e.mark.is_null();
      diags.add(name, known ? e.mark.line + 1 : 0, known ? e.mark.column + 1 : 0, "",
                fmt::format("YAML syntax error: {}", e.msg));
      return nullptr;
    }
    if (!root || root.IsNull()) {
      diags.add(name, 0, "the scenario is empty");
      return nullptr;
    }
    Reader r(name, diags);
    ScenarioReader sr(r, *f);
    sr.read(root);
    if (diags.size() == before) {
      // The model's own checks, as a safety net (the reader should have caught everything).
      diags.append(f->validate());
    }
  } catch (const YAML::Exception& e) {
    const bool known = !e.mark.is_null();
    diags.add(name, known ? e.mark.line + 1 : 0, known ? e.mark.column + 1 : 0, "",
              fmt::format("cannot read the scenario: {}", e.msg));
  } catch (const std::exception& e) {
    diags.add(name, 0, fmt::format("cannot read the scenario: {}", e.what()));
  }
  if (diags.size() != before) return nullptr;
  return f;
}

std::shared_ptr<model::Factory> read_scenario_file(const std::string& path, Diagnostics& diags) {
  // The file type first: opening a FIFO would block, a device could be read forever.
  {
    std::error_code ec;
    const auto st = std::filesystem::status(path, ec);
    if (std::filesystem::is_directory(st)) {
      diags.add(path, 0, "is a directory, expected a file");
      return nullptr;
    }
    if (std::filesystem::exists(st) && !std::filesystem::is_regular_file(st)) {
      diags.add(path, 0, "not a regular file");
      return nullptr;
    }
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    diags.add(path, 0, "cannot open the scenario file");
    return nullptr;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) {
    diags.add(path, 0, "cannot read the scenario file");
    return nullptr;
  }
  return read_scenario_text(ss.str(), path, diags);
}

std::string_view builtin_scenario_text(std::string_view name) {
  for (std::size_t i = 0; i < embedded::kScenarioCount; ++i) {
    const auto& s = embedded::kScenarios[i];
    if (name == s.name) return {reinterpret_cast<const char*>(s.data), s.size};
  }
  return {};
}

std::string builtin_scenario_suggestion(std::string_view word) {
  return did_you_mean(word, builtin_scenario_names());
}

std::vector<std::string> builtin_scenario_names() {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < embedded::kScenarioCount; ++i)
    out.emplace_back(embedded::kScenarios[i].name);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace osatsim::io
