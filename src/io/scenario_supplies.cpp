// YAML scenario reader: transport lanes, components and supplies (docs/scenario.md).
#include "io/scenario_reader.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <string>

#include "core/time.h"
#include "model/factory.h"

namespace osatsim::io::scenario_detail {

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

}  // namespace osatsim::io::scenario_detail
