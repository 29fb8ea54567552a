// YAML scenario reader: tool groups, their batching, dispatch rules and attached downs and PMs
// (docs/scenario.md).
#include "io/scenario_reader.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <string>

#include "core/dist.h"
#include "model/factory.h"

namespace osatsim::io::scenario_detail {

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

  if (const YAML::Node* b = m.get("batching")) read_batching(m, *b, id);

  read_dispatch(m, g);

  const std::string gname = g.name;  // g may move when calendars are added? (no: other vectors)
  read_group_downs(m, id, gname);
  read_group_pms(m, id, gname);
}

// The group's `batching:` map: criterion, unit, default minimum and maximum, maximum wait.
void ScenarioReader::read_batching(const Map& m, const YAML::Node& batching, int id) {
  model::ToolGroup& g = f_.tool_groups[id];
  const YAML::Node* b = &batching;
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

// The group's `dispatch:` list of ranking criteria.
void ScenarioReader::read_dispatch(const Map& m, model::ToolGroup& g) {
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
}

// The downs attached to a tool group: named calendars or inline definitions.
void ScenarioReader::read_group_downs(const Map& m, int id, const std::string& gname) {
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
      } else if (!read_inline_down(dm, e, k, gname, i, a)) {
        continue;
      }
      // First failure: by default drawn from the time-to-failure distribution itself.
      a.first_occurrence = f_.down_calendars[a.calendar].time_to_failure;
      if (const YAML::Node* n = dm.get("first")) {
        if (!r_.dist(*n, dm.sub("first"), a.first_occurrence)) continue;
      }
      f_.tool_groups[id].downs.push_back(a);
    }
  }
}

// An inline down calendar of a tool group, named "<group>.down<i>"; false when it has problems.
bool ScenarioReader::read_inline_down(const Map& dm, const YAML::Node& e, const std::string& k,
                                      const std::string& gname, std::size_t i,
                                      model::DownAttachment& a) {
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
    return false;
  }
  if ((mttr != nullptr) == (ttr != nullptr)) {
    r_.err(e, k, "a down needs its repair time: 'mttr' or 'time_to_repair'");
    return false;
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
  if (!good) return false;
  f_.down_calendars.push_back(c);
  a.calendar = static_cast<int>(f_.down_calendars.size() - 1);
  return true;
}

// The PMs attached to a tool group: named calendars or inline definitions.
void ScenarioReader::read_group_pms(const Map& m, int id, const std::string& gname) {
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
      } else if (!read_inline_pm(pm, e, k, gname, i, a)) {
        continue;
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

// An inline PM calendar of a tool group, named "<group>.pm<i>"; false when it has problems.
bool ScenarioReader::read_inline_pm(const Map& pm, const YAML::Node& e, const std::string& k,
                                    const std::string& gname, std::size_t i,
                                    model::PmAttachment& a) {
  model::PmCalendar c;
  c.name = fmt::format("{}.pm{}", gname, i + 1);
  c.src = r_.src(e);
  const YAML::Node* ev = pm.get("every");
  const YAML::Node* ew = pm.get("every_wafers");
  const YAML::Node* du = pm.get("duration");
  if ((ev != nullptr) == (ew != nullptr) || !du) {
    r_.err(e, k, "a PM needs 'calendar', or 'every' (or 'every_wafers') and 'duration'");
    return false;
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
  if (!good) return false;
  f_.pm_calendars.push_back(c);
  a.calendar = static_cast<int>(f_.pm_calendars.size() - 1);
  return true;
}

}  // namespace osatsim::io::scenario_detail
