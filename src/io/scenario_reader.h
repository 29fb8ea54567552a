#pragma once
// Internals of the YAML scenario reader (docs/scenario.md), shared by its files: the reader
// class and its helpers. One file per section of a scenario:
//   scenario.cpp            the document, the two passes, the public functions (io/scenario.h)
//   scenario_supplies.cpp   transport lanes, components and supplies
//   scenario_calendars.cpp  down and PM calendars, setup changes and setup groups
//   scenario_tools.cpp      tool groups (batching, dispatch, attached downs and PMs)
//   scenario_routes.cpp     routes and their steps; the check of routes against products
//   scenario_products.cpp   products (site dimensions, dies) and release streams
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "io/yaml_read.h"
#include "model/factory.h"

namespace osatsim::io::scenario_detail {

using namespace yaml;  // NOLINT: the shared YAML reading helpers (io/yaml_read.h)
using model::kNone;

inline constexpr double kMonthDays = 30.0;  // per-month rates: 720 h (FACTS.md section 8.1)

// Upper bounds of counts (docs/scenario.md), as the SMT2020 reader's (1,000,000 for tool
// capacity, batch sizes, wafers or units per lot, lots per release); tools per group as the
// --tools option allows; sites per wafer and dies per package far above any real package.
inline constexpr long long kMaxCount = 1'000'000;
inline constexpr long long kMaxTools = 100'000;
inline constexpr long long kMaxSitesPerWafer = 100'000;
inline constexpr long long kMaxDiesPerPackage = 1'000;

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
  // The document (scenario.cpp).
  void read_header(const Map& top, const YAML::Node& root);
  void register_names(const Map& top);
  void read_sequences(const Map& top);
  void read_details(const Map& top);
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
  // Tool groups (scenario_tools.cpp).
  void read_tool_group(const YAML::Node& v, int id);
  void read_batching(const Map& m, const YAML::Node& b, int id);
  void read_dispatch(const Map& m, model::ToolGroup& g);
  void read_group_downs(const Map& m, int id, const std::string& gname);
  bool read_inline_down(const Map& dm, const YAML::Node& e, const std::string& k,
                        const std::string& gname, std::size_t i, model::DownAttachment& a);
  void read_group_pms(const Map& m, int id, const std::string& gname);
  bool read_inline_pm(const Map& pm, const YAML::Node& e, const std::string& k,
                      const std::string& gname, std::size_t i, model::PmAttachment& a);
  // Routes and steps (scenario_routes.cpp).
  void read_route(const YAML::Node& v, int id);
  void read_step(const YAML::Node& v, const std::string& key, model::Step& s,
                 const Names& step_names, int index, std::vector<YAML::Node>& step_nodes);
  void read_step_basics(const Map& m, const YAML::Node& v, const std::string& key,
                        model::Step& s);
  void read_step_batch(const Map& m, const YAML::Node& v, const std::string& key, model::Step& s);
  void read_step_links(const Map& m, model::Step& s, const Names& step_names, int index);
  void read_step_transform(const Map& m, model::Step& s);
  void read_step_kit(const Map& m, model::Step& s);
  // Products and releases (scenario_products.cpp).
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
  std::vector<YAML::Node> component_nodes_, down_nodes_, pm_nodes_, sgroup_nodes_;
  std::vector<YAML::Node> group_nodes_, route_nodes_, product_nodes_, stream_nodes_;
  std::vector<std::vector<YAML::Node>> step_nodes_;  // per route, per step
  std::vector<std::pair<int, int>> group_batch_;     // per group: default min, max
  std::vector<bool> group_batch_given_;
  std::vector<bool> group_batch_bad_;  // the group's batching had problems (no follow-on errors)
  std::vector<bool> product_ok_;
  std::vector<YAML::Node> product_sites_node_;
};

}  // namespace osatsim::io::scenario_detail
