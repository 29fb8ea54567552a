// Reader of YAML scenarios (docs/scenario.md). Two passes over the document: the first registers
// the names of every entity (so references may point forward), the second reads the details and
// resolves references. Every problem is reported with the yaml-cpp mark of the offending node.
// The sections of a scenario are read in scenario_*.cpp (see io/scenario_reader.h).
#include "io/scenario.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstddef>
#include <exception>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "core/diagnostics.h"
#include "core/dist.h"
#include "io/scenario_reader.h"
#include "io/yaml_read.h"
#include "model/factory.h"

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
namespace scenario_detail {

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
           "tool_groups", "sequences", "routes", "products", "releases", "pm_nesting",
           "lssu_switch", "setup_state", "wake", "cascade_setup", "idle_tool",
           "wafer_pm_start"});
  if (!top.ok()) return;
  read_header(top, root);
  register_names(top);
  read_sequences(top);
  read_details(top);

  if (f_.tool_groups.empty()) r_.err(root, "tool_groups", "the scenario has no tool groups");
  if (f_.routes.empty()) r_.err(root, "routes", "the scenario has no routes");
  if (f_.products.empty()) r_.err(root, "products", "the scenario has no products");
  if (f_.streams.empty()) r_.err(root, "releases", "the scenario has no release streams");

  check_routes_against_products();
}

void ScenarioReader::read_header(const Map& top, const YAML::Node& root) {
  if (const YAML::Node* n = top.get("pm_nesting")) {
    r_.word<model::PmNesting>(*n, "pm_nesting",
                              {{"independent", model::PmNesting::Independent},
                               {"nested", model::PmNesting::Nested}},
                              f_.pm_nesting);
  }
  // The setup readings (model/factory.h), in the words of their choice tables.
  const auto reading = [&](const char* key, const auto& table, auto& out) {
    const YAML::Node* n = top.get(key);
    if (!n) return;
    std::vector<std::pair<std::string_view, std::remove_reference_t<decltype(out)>>> words;
    for (const auto& c : table) words.emplace_back(c.word, c.value);
    r_.word(*n, key, words, out);
  };
  reading("lssu_switch", model::kLssuSwitches, f_.lssu_switch);
  reading("setup_state", model::kSetupStates, f_.setup_state);
  reading("wake", model::kWakeRules, f_.wake);
  reading("cascade_setup", model::kCascadeSetups, f_.cascade_setup);
  reading("idle_tool", model::kIdleTools, f_.idle_tool);
  reading("wafer_pm_start", model::kWaferPmStarts, f_.wafer_pm_start);

  if (const YAML::Node* n = top.get("name")) {
    r_.name(*n, "name", f_.name);
  } else {
    r_.err(root, "name", "the scenario needs a 'name'");
  }
  if (const YAML::Node* n = top.get("description")) {
    std::string ignored;
    r_.scalar(*n, "description", ignored);
  }
}

// Pass 1: the names of every entity, so that references may point forward.
void ScenarioReader::register_names(const Map& top) {
  register_list(
      top, "locations", "location", locations_,
      [&](const std::string& n, const YAML::Node&) { f_.locations.push_back(model::Location{n}); });
  register_list(top, "components", "component", components_,
                [&](const std::string& n, const YAML::Node& v) {
                  model::Component c;
                  c.name = n;
                  c.src = r_.src(v);
                  f_.components.push_back(c);
                  component_nodes_.push_back(v);
                });
  register_list(top, "down_calendars", "down calendar", downs_,
                [&](const std::string& n, const YAML::Node& v) {
                  model::DownCalendar c;
                  c.name = n;
                  c.src = r_.src(v);
                  f_.down_calendars.push_back(c);
                  down_nodes_.push_back(v);
                });
  register_list(top, "pm_calendars", "PM calendar", pms_,
                [&](const std::string& n, const YAML::Node& v) {
                  model::PmCalendar c;
                  c.name = n;
                  c.src = r_.src(v);
                  f_.pm_calendars.push_back(c);
                  pm_nodes_.push_back(v);
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
                  sgroup_nodes_.push_back(v);
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
}

// Named step lists, used by routes (`use:`).
void ScenarioReader::read_sequences(const Map& top) {
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
}

// Pass 2: the details of every entity, references resolved.
void ScenarioReader::read_details(const Map& top) {
  if (const YAML::Node* t = top.get("transport"); t && !t->IsNull() && r_.list(*t, "transport")) {
    for (std::size_t i = 0; i < t->size(); ++i) read_transport((*t)[i]);
  }
  for (std::size_t i = 0; i < component_nodes_.size(); ++i)
    read_component(component_nodes_[i], static_cast<int>(i));
  if (const YAML::Node* s = top.get("supplies"); s && !s->IsNull() && r_.list(*s, "supplies")) {
    for (std::size_t i = 0; i < s->size(); ++i)
      read_supply((*s)[i], fmt::format("supplies[{}]", i));
  }
  for (std::size_t i = 0; i < down_nodes_.size(); ++i)
    read_down_calendar(down_nodes_[i], static_cast<int>(i));
  for (std::size_t i = 0; i < pm_nodes_.size(); ++i)
    read_pm_calendar(pm_nodes_[i], static_cast<int>(i));
  if (const YAML::Node* s = top.get("setup_changes");
      s && !s->IsNull() && r_.list(*s, "setup_changes")) {
    for (std::size_t i = 0; i < s->size(); ++i)
      read_setup_change((*s)[i], fmt::format("setup_changes[{}]", i));
  }
  for (std::size_t i = 0; i < sgroup_nodes_.size(); ++i)
    read_setup_group(sgroup_nodes_[i], static_cast<int>(i));
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
}

}  // namespace scenario_detail

using namespace yaml;  // NOLINT: the shared YAML reading helpers (io/yaml_read.h)
using scenario_detail::ScenarioReader;

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
