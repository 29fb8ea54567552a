// Reader of planner networks (docs/planner.md), with the checked YAML helpers of io/yaml_read.h.
#include "planner/network.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "io/load.h"
#include "io/yaml_read.h"

namespace osatsim::planner {

// Generated at build time from src/planner/networks/*.yaml (src/io/scenarios/embed.cmake).
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

namespace fs = std::filesystem;
using io::yaml::Map;
using io::yaml::Reader;

constexpr int kMaxHorizon = 120;

class NetworkReader {
 public:
  NetworkReader(Reader& r, std::string base_dir) : r_(r), base_dir_(std::move(base_dir)) {}
  std::shared_ptr<Network> read(const YAML::Node& root);

 private:
  bool month(const YAML::Node& v, const std::string& key, Month& out) {
    std::string s;
    if (!r_.scalar(v, key, s)) return false;
    if (!parse_month(s, out)) {
      r_.err(v, key, fmt::format("expected a month as YYYY-MM, got '{}'", s));
      return false;
    }
    return true;
  }
  // A month inside the horizon (or `allow_before`: any month from 10 years before the start).
  bool horizon_month(const YAML::Node& v, const std::string& key, int& t, bool allow_before) {
    Month m;
    if (!month(v, key, m)) return false;
    t = m.index - n_->start.index;
    if (t >= n_->horizon || (!allow_before && t < 0) || t < -kMaxHorizon) {
      r_.err(v, key,
             fmt::format("month {} is outside the horizon {} .. {}", m.to_string(),
                         n_->start.to_string(), n_->month(n_->horizon - 1).to_string()));
      return false;
    }
    return true;
  }
  bool ramp(const YAML::Node& v, const std::string& key, std::vector<double>& out) {
    if (!r_.list(v, key)) return false;
    bool good = true;
    for (std::size_t i = 0; i < v.size(); ++i) {
      double x = 0;
      if (r_.probability(v[i], fmt::format("{}[{}]", key, i), x, false))
        out.push_back(x);
      else
        good = false;
    }
    return good;
  }
  template <typename T>
  int find(const std::vector<T>& items, const std::string& name) const {
    for (std::size_t i = 0; i < items.size(); ++i)
      if (items[i].name == name) return static_cast<int>(i);
    return -1;
  }
  template <typename T>
  bool ref(const YAML::Node& v, const std::string& key, const std::vector<T>& items,
           const char* what, int& out) {
    std::string s;
    if (!r_.name(v, key, s)) return false;
    out = find(items, s);
    if (out < 0) {
      std::vector<std::string> names;
      for (const auto& it : items) names.push_back(it.name);
      r_.err(v, key, fmt::format("unknown {} '{}'{}", what, s, io::yaml::did_you_mean(s, names)));
      return false;
    }
    return true;
  }
  template <typename T>
  bool unique(const YAML::Node& v, const std::string& key, const std::vector<T>& items,
              const std::string& name, const char* what) {
    if (find(items, name) >= 0) {
      r_.err(v, key, fmt::format("duplicate {} '{}'", what, name));
      return false;
    }
    return true;
  }

  void read_line(const YAML::Node& v, const std::string& key);
  bool read_terms(const YAML::Node& v, const std::string& key, ToolTerms& t);
  void read_product(const YAML::Node& v, const std::string& key);
  void read_customer(const YAML::Node& v, const std::string& key);
  void read_demand(const YAML::Node& v, const std::string& key, int customer);
  void read_scenario(const YAML::Node& v, const std::string& key);
  void read_component(const YAML::Node& v, const std::string& key);
  void read_site(const YAML::Node& v, const std::string& key);
  void read_instance(const YAML::Node& v, const std::string& key, int site);
  // Monthly series from `per_month` (+ `growth`, `from`, `to`) or a `monthly` list.
  bool series(const Map& m, std::vector<double>& out, bool allow_monthly);

  Reader& r_;
  std::string base_dir_;
  std::shared_ptr<Network> n_;
};

bool NetworkReader::series(const Map& m, std::vector<double>& out, bool allow_monthly) {
  out.assign(static_cast<std::size_t>(n_->horizon), 0.0);
  bool good = true;
  int from = 0, to = n_->horizon - 1;
  if (const auto* f = m.get("from")) good = horizon_month(*f, m.sub("from"), from, false) && good;
  if (const auto* t = m.get("to")) good = horizon_month(*t, m.sub("to"), to, false) && good;
  if (good && to < from) {
    r_.err(*m.get("to"), m.sub("to"), "must not lie before 'from'");
    return false;
  }
  const YAML::Node* pm = m.get("per_month");
  const YAML::Node* ml = allow_monthly ? m.get("monthly") : nullptr;
  if ((pm != nullptr) == (ml != nullptr)) {
    r_.err(m.node(), m.path(),
           allow_monthly ? "give the quantity once: 'per_month' or 'monthly'" : "needs 'per_month'");
    return false;
  }
  if (pm) {
    double q = 0, g = 0;
    good = r_.nonneg(*pm, m.sub("per_month"), q) && good;
    if (const auto* gn = m.get("growth")) {
      good = r_.number(*gn, m.sub("growth"), g) && good;
      if (good && !(g > -1.0 && g <= 1.0)) {
        r_.err(*gn, m.sub("growth"), "must lie in (-1, 1] (a monthly rate)");
        good = false;
      }
    }
    if (!good) return false;
    for (int t = from; t <= to; ++t) out[static_cast<std::size_t>(t)] = q * std::pow(1.0 + g, t - from);
    return true;
  }
  if (m.get("growth")) {
    r_.err(*m.get("growth"), m.sub("growth"), "'growth' goes with 'per_month'");
    good = false;
  }
  if (!r_.list(*ml, m.sub("monthly"))) return false;
  if (static_cast<int>(ml->size()) > n_->horizon - from) {
    r_.err(*ml, m.sub("monthly"),
           fmt::format("{} values from {} run past the horizon ({} months)", ml->size(),
                       n_->month(from).to_string(), n_->horizon - from));
    return false;
  }
  for (std::size_t i = 0; i < ml->size(); ++i) {
    double q = 0;
    if (r_.nonneg((*ml)[i], fmt::format("{}[{}]", m.sub("monthly"), i), q))
      out[static_cast<std::size_t>(from) + i] = q;
    else
      good = false;
  }
  return good;
}

bool NetworkReader::read_terms(const YAML::Node& v, const std::string& key, ToolTerms& t) {
  Map m(r_, v, key, {"group", "price", "lead_months", "max_per_month"});
  if (!m.ok()) return false;
  bool good = true;
  if (!m.get("price") || !m.get("lead_months")) {
    r_.err(v, key, "tool terms need 'price' and 'lead_months'");
    return false;
  }
  good = r_.nonneg(*m.get("price"), m.sub("price"), t.price) && good;
  good = r_.integer(*m.get("lead_months"), m.sub("lead_months"), t.lead_months, 0) && good;
  if (good && t.lead_months > kMaxHorizon) {
    r_.err(*m.get("lead_months"), m.sub("lead_months"), fmt::format("must be <= {}", kMaxHorizon));
    good = false;
  }
  if (const auto* mx = m.get("max_per_month"))
    good = r_.integer(*mx, m.sub("max_per_month"), t.max_per_month, 0) && good;
  t.buyable = good;
  return good;
}

void NetworkReader::read_line(const YAML::Node& v, const std::string& key) {
  Map m(r_, v, key, {"name", "model", "tools", "default_tool", "hours_per_month", "description"});
  if (!m.ok()) return;
  LineModel lm;
  lm.src = r_.src(v);
  if (!m.get("name") || !m.get("model")) {
    r_.err(v, key, "a line needs 'name' and 'model'");
    return;
  }
  if (!r_.name(*m.get("name"), m.sub("name"), lm.name)) return;
  if (!unique(*m.get("name"), m.sub("name"), n_->lines, lm.name, "line")) return;
  if (!r_.name(*m.get("model"), m.sub("model"), lm.model)) return;
  std::string path = lm.model;
  const fs::path p(path);
  if ((p.extension() == ".yaml" || p.extension() == ".yml") && p.is_relative() && !base_dir_.empty())
    path = (fs::path(base_dir_) / p).string();
  Diagnostics inner;
  lm.factory = io::load_factory(path, inner);
  if (!lm.factory) {
    r_.err(*m.get("model"), m.sub("model"),
           fmt::format("cannot load line model '{}': {}", lm.model,
                       inner.empty() ? std::string("unknown") : inner.items().front().to_string()));
    return;
  }
  const auto& f = *lm.factory;
  lm.terms.assign(f.tool_groups.size(), ToolTerms{});
  if (const auto* dt = m.get("default_tool")) {
    ToolTerms t;
    Map dm(r_, *dt, m.sub("default_tool"), {"price", "lead_months", "max_per_month"});
    if (dm.ok() && read_terms(*dt, m.sub("default_tool"), t))
      for (std::size_t g = 0; g < f.tool_groups.size(); ++g)
        if (!f.tool_groups[g].is_delay) lm.terms[g] = t;
  }
  if (const auto* tl = m.get("tools"); tl && r_.list(*tl, m.sub("tools"))) {
    std::set<int> seen;
    for (std::size_t i = 0; i < tl->size(); ++i) {
      const std::string k = fmt::format("{}[{}]", m.sub("tools"), i);
      const YAML::Node& row = (*tl)[i];
      if (!row.IsMap() || !row["group"]) {
        r_.err(row, k, "a tool row needs 'group'");
        continue;
      }
      std::string g;
      if (!r_.name(row["group"], k + ".group", g)) continue;
      const int gi = f.find_tool_group(g);
      if (gi < 0) {
        std::vector<std::string> names;
        for (const auto& tg : f.tool_groups) names.push_back(tg.name);
        r_.err(row["group"], k + ".group",
               fmt::format("unknown tool group '{}' of line model '{}'{}", g, lm.model,
                           io::yaml::did_you_mean(g, names)));
        continue;
      }
      if (!seen.insert(gi).second) {
        r_.err(row["group"], k + ".group", fmt::format("tool group '{}' given twice", g));
        continue;
      }
      ToolTerms t;
      if (read_terms(row, k, t)) lm.terms[static_cast<std::size_t>(gi)] = t;
    }
  }
  if (const auto* h = m.get("hours_per_month")) {
    if (r_.nonneg(*h, m.sub("hours_per_month"), lm.hours_per_month) &&
        !(lm.hours_per_month > 0 && lm.hours_per_month <= 744)) {
      r_.err(*h, m.sub("hours_per_month"), "must lie in (0, 744]");
    }
  }
  n_->lines.push_back(std::move(lm));
}

void NetworkReader::read_product(const YAML::Node& v, const std::string& key) {
  Map m(r_, v, key, {"name", "margin", "description"});
  if (!m.ok()) return;
  Product p;
  p.src = r_.src(v);
  if (!m.get("name") || !m.get("margin")) {
    r_.err(v, key, "a product needs 'name' and 'margin'");
    return;
  }
  if (!r_.name(*m.get("name"), m.sub("name"), p.name)) return;
  if (!unique(*m.get("name"), m.sub("name"), n_->products, p.name, "product")) return;
  if (!r_.nonneg(*m.get("margin"), m.sub("margin"), p.margin)) return;
  bool made = false;
  for (const auto& l : n_->lines) made = made || (l.factory && l.factory->find_product(p.name) >= 0);
  if (!made) {
    r_.err(*m.get("name"), m.sub("name"),
           fmt::format("product '{}' is made by no line model", p.name));
    return;
  }
  n_->products.push_back(std::move(p));
}

void NetworkReader::read_demand(const YAML::Node& v, const std::string& key, int customer) {
  Map m(r_, v, key,
        {"product", "per_month", "monthly", "from", "to", "growth", "penalty", "backlog",
         "min_service", "description"});
  if (!m.ok()) return;
  DemandRow d;
  d.customer = customer;
  d.src = r_.src(v);
  if (!m.get("product")) {
    r_.err(v, key, "a demand row needs 'product'");
    return;
  }
  bool good = ref(*m.get("product"), m.sub("product"), n_->products, "product", d.product);
  good = series(m, d.units, true) && good;
  if (const auto* pn = m.get("penalty")) good = r_.nonneg(*pn, m.sub("penalty"), d.penalty) && good;
  if (const auto* b = m.get("backlog")) good = r_.boolean(*b, m.sub("backlog"), d.backlog) && good;
  if (const auto* s = m.get("min_service"))
    good = r_.probability(*s, m.sub("min_service"), d.min_service, false) && good;
  if (good) n_->demand.push_back(std::move(d));
}

void NetworkReader::read_customer(const YAML::Node& v, const std::string& key) {
  Map m(r_, v, key, {"name", "demand", "description"});
  if (!m.ok()) return;
  Customer c;
  c.src = r_.src(v);
  if (!m.get("name") || !m.get("demand")) {
    r_.err(v, key, "a customer needs 'name' and 'demand'");
    return;
  }
  if (!r_.name(*m.get("name"), m.sub("name"), c.name)) return;
  if (!unique(*m.get("name"), m.sub("name"), n_->customers, c.name, "customer")) return;
  n_->customers.push_back(c);
  const int ci = static_cast<int>(n_->customers.size()) - 1;
  const YAML::Node& dl = *m.get("demand");
  if (!r_.list(dl, m.sub("demand"))) return;
  for (std::size_t i = 0; i < dl.size(); ++i)
    read_demand(dl[i], fmt::format("{}[{}]", m.sub("demand"), i), ci);
}

void NetworkReader::read_scenario(const YAML::Node& v, const std::string& key) {
  Map m(r_, v, key, {"name", "probability", "factor", "customers", "description"});
  if (!m.ok()) return;
  DemandScenario s;
  s.src = r_.src(v);
  if (!m.get("name") || !m.get("probability")) {
    r_.err(v, key, "a demand scenario needs 'name' and 'probability'");
    return;
  }
  if (!r_.name(*m.get("name"), m.sub("name"), s.name)) return;
  if (!unique(*m.get("name"), m.sub("name"), n_->scenarios, s.name, "demand scenario")) return;
  bool good = r_.probability(*m.get("probability"), m.sub("probability"), s.probability, false);
  if (const auto* f = m.get("factor")) good = r_.nonneg(*f, m.sub("factor"), s.factor) && good;
  if (const auto* cs = m.get("customers")) {
    if (!cs->IsMap()) {
      r_.err(*cs, m.sub("customers"), "expected a map customer: factor");
      good = false;
    } else {
      for (const auto& kv : *cs) {
        int ci = -1;
        double x = 0;
        const std::string k = m.sub("customers") + "." + kv.first.Scalar();
        if (ref(kv.first, k, n_->customers, "customer", ci) && r_.nonneg(kv.second, k, x))
          s.customer_factor[ci] = x;
        else
          good = false;
      }
    }
  }
  if (good) n_->scenarios.push_back(std::move(s));
}

void NetworkReader::read_component(const YAML::Node& v, const std::string& key) {
  Map m(r_, v, key,
        {"name", "per_month", "growth", "from", "to", "extra_price", "extra_max_per_month",
         "description"});
  if (!m.ok()) return;
  ComponentSupply c;
  c.src = r_.src(v);
  if (!m.get("name")) {
    r_.err(v, key, "a component needs 'name'");
    return;
  }
  if (!r_.name(*m.get("name"), m.sub("name"), c.name)) return;
  if (!unique(*m.get("name"), m.sub("name"), n_->components, c.name, "component")) return;
  bool known = false;
  for (const auto& l : n_->lines) known = known || (l.factory && l.factory->find_component(c.name) >= 0);
  if (!known) {
    std::vector<std::string> names;
    for (const auto& l : n_->lines)
      if (l.factory)
        for (const auto& k : l.factory->components) names.push_back(k.name);
    r_.err(*m.get("name"), m.sub("name"),
           fmt::format("unknown component '{}': no line model draws it{}", c.name,
                       io::yaml::did_you_mean(c.name, names)));
    return;
  }
  bool good = series(m, c.supply, false);
  if (const auto* p = m.get("extra_price")) good = r_.nonneg(*p, m.sub("extra_price"), c.extra_price) && good;
  if (const auto* x = m.get("extra_max_per_month")) {
    good = r_.nonneg(*x, m.sub("extra_max_per_month"), c.extra_max) && good;
    if (!m.get("extra_price")) {
      r_.err(*x, m.sub("extra_max_per_month"), "goes with 'extra_price'");
      good = false;
    }
  }
  if (good) n_->components.push_back(std::move(c));
}

void NetworkReader::read_instance(const YAML::Node& v, const std::string& key, int site) {
  Map m(r_, v, key,
        {"name", "line", "status", "tool_scale", "tools", "first_month", "ramp", "capex",
         "build_months", "earliest", "description"});
  if (!m.ok()) return;
  LineInstance li;
  li.site = site;
  li.src = r_.src(v);
  for (const char* k : {"name", "line", "status"})
    if (!m.get(k)) {
      r_.err(v, key, fmt::format("a site line needs '{}'", k));
      return;
    }
  if (!r_.name(*m.get("name"), m.sub("name"), li.name)) return;
  if (!unique(*m.get("name"), m.sub("name"), n_->instances, li.name, "site line")) return;
  bool good = ref(*m.get("line"), m.sub("line"), n_->lines, "line", li.line);
  good = r_.word<LineStatus>(*m.get("status"), m.sub("status"),
                             {{"in_place", LineStatus::InPlace},
                              {"construction", LineStatus::Construction},
                              {"option", LineStatus::Option}},
                             li.status) &&
         good;
  if (!good) return;
  const auto& f = *n_->lines[static_cast<std::size_t>(li.line)].factory;
  double scale = 1.0;
  if (const auto* s = m.get("tool_scale")) {
    good = r_.nonneg(*s, m.sub("tool_scale"), scale) && good;
    if (good && scale > 100) {
      r_.err(*s, m.sub("tool_scale"), "must be <= 100");
      good = false;
    }
  }
  li.base_tools.resize(f.tool_groups.size());
  for (std::size_t g = 0; g < f.tool_groups.size(); ++g)
    li.base_tools[g] = static_cast<int>(std::lround(f.tool_groups[g].tools * scale));
  if (const auto* tl = m.get("tools")) {
    if (!tl->IsMap()) {
      r_.err(*tl, m.sub("tools"), "expected a map group: count");
      good = false;
    } else {
      for (const auto& kv : *tl) {
        const std::string g = kv.first.Scalar();
        const std::string k = m.sub("tools") + "." + g;
        const int gi = f.find_tool_group(g);
        int n = 0;
        if (gi < 0) {
          std::vector<std::string> names;
          for (const auto& tg : f.tool_groups) names.push_back(tg.name);
          r_.err(kv.first, k,
                 fmt::format("unknown tool group '{}'{}", g, io::yaml::did_you_mean(g, names)));
          good = false;
        } else if (r_.integer(kv.second, k, n, 0)) {
          if (n > 100000) {
            r_.err(kv.second, k, "must be <= 100000");
            good = false;
          } else {
            li.base_tools[static_cast<std::size_t>(gi)] = n;
          }
        } else {
          good = false;
        }
      }
    }
  }
  if (const auto* rp = m.get("ramp")) good = ramp(*rp, m.sub("ramp"), li.ramp) && good;
  const bool construction = li.status == LineStatus::Construction;
  const bool option = li.status == LineStatus::Option;
  if (construction) {
    if (!m.get("first_month")) {
      r_.err(v, key, "a line under construction needs 'first_month'");
      good = false;
    } else {
      good = horizon_month(*m.get("first_month"), m.sub("first_month"), li.first_month, true) && good;
    }
  } else if (const auto* fm = m.get("first_month")) {
    r_.err(*fm, m.sub("first_month"), "only a line under construction has 'first_month'");
    good = false;
  }
  for (const char* k : {"capex", "build_months", "earliest"}) {
    if (m.get(k) && !option) {
      r_.err(*m.get(k), m.sub(k), fmt::format("only an option has '{}'", k));
      good = false;
    }
  }
  if (option) {
    if (!m.get("capex") || !m.get("build_months")) {
      r_.err(v, key, "an option needs 'capex' and 'build_months'");
      good = false;
    } else {
      good = r_.nonneg(*m.get("capex"), m.sub("capex"), li.capex) && good;
      good = r_.integer(*m.get("build_months"), m.sub("build_months"), li.build_months, 0) && good;
    }
    if (const auto* e = m.get("earliest"))
      good = horizon_month(*e, m.sub("earliest"), li.earliest, false) && good;
  }
  if (good) n_->instances.push_back(std::move(li));
}

void NetworkReader::read_site(const YAML::Node& v, const std::string& key) {
  Map m(r_, v, key, {"name", "region", "lines", "description"});
  if (!m.ok()) return;
  Site s;
  s.src = r_.src(v);
  if (!m.get("name") || !m.get("region") || !m.get("lines")) {
    r_.err(v, key, "a site needs 'name', 'region' and 'lines'");
    return;
  }
  if (!r_.name(*m.get("name"), m.sub("name"), s.name)) return;
  if (!unique(*m.get("name"), m.sub("name"), n_->sites, s.name, "site")) return;
  if (!r_.name(*m.get("region"), m.sub("region"), s.region)) return;
  n_->sites.push_back(s);
  const int si = static_cast<int>(n_->sites.size()) - 1;
  const YAML::Node& ll = *m.get("lines");
  if (!r_.list(ll, m.sub("lines"))) return;
  for (std::size_t i = 0; i < ll.size(); ++i)
    read_instance(ll[i], fmt::format("{}[{}]", m.sub("lines"), i), si);
}

std::shared_ptr<Network> NetworkReader::read(const YAML::Node& root) {
  n_ = std::make_shared<Network>();
  Map top(r_, root, "",
          {"name", "description", "start", "horizon", "capital", "wip_cost", "budget", "lines",
           "products", "customers", "demand_scenarios", "components", "sites"});
  if (!top.ok()) return nullptr;
  for (const char* k : {"name", "start", "horizon", "lines", "products", "customers", "sites"}) {
    if (!top.get(k)) r_.err(root, k, fmt::format("missing '{}'", k));
  }
  if (r_.errors() > 0) return nullptr;
  r_.name(*top.get("name"), "name", n_->name);
  month(*top.get("start"), "start", n_->start);
  if (r_.integer(*top.get("horizon"), "horizon", n_->horizon, 1) && n_->horizon > kMaxHorizon)
    r_.err(*top.get("horizon"), "horizon", fmt::format("must lie in [1, {}]", kMaxHorizon));
  if (r_.errors() > 0) return nullptr;
  if (const auto* c = top.get("capital")) {
    Map cm(r_, *c, "capital", {"rate", "life_years"});
    if (cm.ok()) {
      if (const auto* x = cm.get("rate")) {
        if (r_.nonneg(*x, "capital.rate", n_->capital_rate) && n_->capital_rate > 1)
          r_.err(*x, "capital.rate", "must lie in [0, 1] (a yearly rate)");
      }
      if (const auto* x = cm.get("life_years")) {
        if (r_.nonneg(*x, "capital.life_years", n_->life_years) &&
            !(n_->life_years >= 1 && n_->life_years <= 50))
          r_.err(*x, "capital.life_years", "must lie in [1, 50]");
      }
    }
  }
  if (const auto* w = top.get("wip_cost")) r_.nonneg(*w, "wip_cost", n_->wip_cost);
  if (const auto* b = top.get("budget")) {
    if (!b->IsMap()) {
      r_.err(*b, "budget", "expected a map year: capex");
    } else {
      for (const auto& kv : *b) {
        long long y = 0;
        double x = 0;
        const std::string k = "budget." + kv.first.Scalar();
        if (r_.integer(kv.first, k, y, 1900, 2200) && r_.nonneg(kv.second, k, x))
          n_->budget[static_cast<int>(y)] = x;
      }
    }
  }
  auto each = [&](const char* k, auto fn) {
    const YAML::Node* l = top.get(k);
    if (!l || l->IsNull() || !r_.list(*l, k)) return;
    for (std::size_t i = 0; i < l->size(); ++i) fn((*l)[i], fmt::format("{}[{}]", k, i));
  };
  each("lines", [&](const YAML::Node& v, const std::string& k) { read_line(v, k); });
  each("products", [&](const YAML::Node& v, const std::string& k) { read_product(v, k); });
  each("customers", [&](const YAML::Node& v, const std::string& k) { read_customer(v, k); });
  each("demand_scenarios", [&](const YAML::Node& v, const std::string& k) { read_scenario(v, k); });
  each("components", [&](const YAML::Node& v, const std::string& k) { read_component(v, k); });
  each("sites", [&](const YAML::Node& v, const std::string& k) { read_site(v, k); });
  if (r_.errors() > 0) return nullptr;
  if (n_->scenarios.empty()) {
    DemandScenario s;
    s.name = "base";
    n_->scenarios.push_back(s);
  } else {
    double p = 0;
    for (const auto& s : n_->scenarios) p += s.probability;
    if (std::abs(p - 1.0) > 1e-6)
      r_.err(*top.get("demand_scenarios"), "demand_scenarios",
             fmt::format("probabilities must sum to 1, got {:g}", p));
  }
  if (n_->instances.empty()) r_.err(*top.get("sites"), "sites", "no line at any site");
  // Every product with demand must be made by a line model some site has.
  for (const auto& d : n_->demand) {
    bool made = false;
    for (const auto& li : n_->instances)
      made = made || n_->line_product(li.line, d.product) != model::kNone;
    if (!made) {
      r_.err(YAML::Mark::null_mark(), "demand",
             fmt::format("product '{}' has demand but no site has a line that makes it",
                         n_->products[static_cast<std::size_t>(d.product)].name));
      break;
    }
  }
  if (r_.errors() > 0) return nullptr;
  return n_;
}

}  // namespace

std::string Month::to_string() const {
  return fmt::format("{:04d}-{:02d}", year(), month());
}

bool parse_month(std::string_view text, Month& out) {
  if (text.size() != 7 || text[4] != '-') return false;
  int y = 0, m = 0;
  for (int i = 0; i < 4; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(text[static_cast<std::size_t>(i)]))) return false;
    y = y * 10 + (text[static_cast<std::size_t>(i)] - '0');
  }
  for (int i = 5; i < 7; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(text[static_cast<std::size_t>(i)]))) return false;
    m = m * 10 + (text[static_cast<std::size_t>(i)] - '0');
  }
  if (m < 1 || m > 12 || y < 1900 || y > 2200) return false;
  out.index = y * 12 + m - 1;
  return true;
}

const char* to_string(LineStatus s) {
  switch (s) {
    case LineStatus::InPlace:
      return "in_place";
    case LineStatus::Construction:
      return "construction";
    case LineStatus::Option:
      return "option";
  }
  return "?";
}

double LineInstance::ramp_at(int t, int f) const {
  if (t < f) return 0.0;
  const auto k = static_cast<std::size_t>(t - f);
  return k < ramp.size() ? ramp[k] : 1.0;
}

int ramped_tools(int base, double share) {
  const double b = base * share;
  return b > 0 ? std::max(1, static_cast<int>(std::lround(b))) : 0;
}

double Network::monthly_capital_charge() const {
  // Capital recovery factor r (1 + r)^n / ((1 + r)^n - 1) per year, spread over 12 months.
  const double r = capital_rate, n = life_years;
  const double crf = r > 0 ? r * std::pow(1 + r, n) / (std::pow(1 + r, n) - 1) : 1.0 / n;
  return crf / 12.0;
}

model::ProductId Network::line_product(int line, int product) const {
  const auto& f = lines[static_cast<std::size_t>(line)].factory;
  return f ? f->find_product(products[static_cast<std::size_t>(product)].name) : model::kNone;
}

std::shared_ptr<const Network> read_network_text(std::string_view text, const std::string& file,
                                                 const std::string& base_dir, Diagnostics& diags) {
  Reader r(file, diags);
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    r.err(e.mark, "", e.msg);
    return nullptr;
  }
  NetworkReader nr(r, base_dir);
  auto n = nr.read(root);
  if (!n) return nullptr;
  n->source = file;
  return n;
}

std::shared_ptr<const Network> load_network(const std::string& path, Diagnostics& diags) {
  const fs::path p(path);
  const std::string ext = p.extension().string();
  if (ext == ".yaml" || ext == ".yml") {
    std::error_code ec;
    if (!fs::is_regular_file(p, ec)) {
      diags.add(path, 0, fs::exists(p, ec) ? "not a regular file" : "not found");
      return nullptr;
    }
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    if (!in.good() && !in.eof()) {
      diags.add(path, 0, "cannot be read");
      return nullptr;
    }
    return read_network_text(ss.str(), path, p.parent_path().string(), diags);
  }
  const std::string_view text = builtin_network_text(path);
  if (text.empty()) {
    std::string names;
    for (const auto& n : builtin_network_names()) names += (names.empty() ? "" : ", ") + n;
    diags.add(path, 0,
              fmt::format("not a network (expected a .yaml network file or a built-in network: {})",
                          names));
    return nullptr;
  }
  return read_network_text(text, fmt::format("builtin:{}", path), "", diags);
}

std::string_view builtin_network_text(std::string_view name) {
  for (std::size_t i = 0; i < embedded::kScenarioCount; ++i) {
    const auto& s = embedded::kScenarios[i];
    if (name == s.name) return {reinterpret_cast<const char*>(s.data), s.size};
  }
  return {};
}

std::vector<std::string> builtin_network_names() {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < embedded::kScenarioCount; ++i)
    out.emplace_back(embedded::kScenarios[i].name);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace osatsim::planner
