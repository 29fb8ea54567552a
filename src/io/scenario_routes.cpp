// YAML scenario reader: routes (with `use:` of sequences) and their steps, and the check of every
// route against the products that use it (docs/scenario.md).
#include "io/scenario_reader.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "model/factory.h"

namespace osatsim::io::scenario_detail {

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
  read_step_basics(m, v, key, s);
  read_step_batch(m, v, key, s);
  if (const YAML::Node* n = m.get("setup"))
    s.setup = setups_.resolve(r_, *n, m.sub("setup"), "setup");
  if (const YAML::Node* n = m.get("setup_time")) {
    r_.duration(*n, m.sub("setup_time"), s.setup_time);
    if (!m.has("setup")) r_.err(*n, m.sub("setup_time"), "'setup_time' without 'setup'");
  }
  if (const YAML::Node* n = m.get("sampling"))
    r_.probability(*n, m.sub("sampling"), s.sample_probability, false);
  if (const YAML::Node* n = m.get("yield")) r_.probability(*n, m.sub("yield"), s.yield, true);

  read_step_links(m, s, step_names, index);
  read_step_transform(m, s);
  read_step_kit(m, s);
}

// A step's name, tool group, time basis and time, overhead and die component.
void ScenarioReader::read_step_basics(const Map& m, const YAML::Node& v, const std::string& key,
                                      model::Step& s) {
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
}

// A step's batch sizes (its own `batch:` or its tool group's defaults).
void ScenarioReader::read_step_batch(const Map& m, const YAML::Node& v, const std::string& key,
                                     model::Step& s) {
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
}

// A step's references to steps of its route: rework target, queue-time exit, dedication.
void ScenarioReader::read_step_links(const Map& m, model::Step& s, const Names& step_names,
                                     int index) {
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
}

// A step's transform to units, units per wafer and cascading.
void ScenarioReader::read_step_transform(const Map& m, model::Step& s) {
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
}

// A step's kit: the components it consumes.
void ScenarioReader::read_step_kit(const Map& m, model::Step& s) {
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

}  // namespace osatsim::io::scenario_detail
