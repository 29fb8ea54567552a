// YAML scenario reader: down and PM calendars, setup changes and setup groups (docs/scenario.md).
#include "io/scenario_reader.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <string>

#include "core/dist.h"
#include "model/factory.h"

namespace osatsim::io::scenario_detail {

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

}  // namespace osatsim::io::scenario_detail
