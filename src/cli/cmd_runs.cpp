// osatsim runs list|show ID|compare ID ID...|export ID (--csv DIR | --json FILE)|delete ID:
// the runs kept in the results store (docs/results.md "Results store", docs/cli.md).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/options.h"
#include "cli/output.h"
#include "engine/replications.h"
#include "store/sqlite.h"
#include "store/store.h"

namespace osatsim::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct Options {
  std::string action;
  std::vector<std::int64_t> ids;
  std::string db = store::kDefaultPath;
  std::string csv_dir;
  std::string json_file;
};

// ---- compare ------------------------------------------------------------------------------

// A replication estimate: n, mean and sample standard deviation.
struct Est {
  double n = 0, mean = 0, std = 0;
};

// One row of the comparison: a figure of every run (absent when the run has none) and, where a
// run has replications, its estimate.
struct Metric {
  std::string name;
  std::vector<std::optional<double>> value;
  std::vector<std::optional<Est>> est;
};

std::optional<double> number_at(const json& j, const std::string& key) {
  const auto it = j.find(key);
  if (it == j.end() || !it->is_number()) return std::nullopt;
  return it->get<double>();
}

const json* named(const json& arr, const std::string& name) {
  if (!arr.is_array()) return nullptr;
  for (const auto& x : arr)
    if (x.is_object() && x.value("name", "") == name) return &x;
  return nullptr;
}

std::optional<Est> est_of(const json* parent, const char* key, double scale = 1.0) {
  if (parent == nullptr || !parent->contains(key) || !(*parent)[key].is_object())
    return std::nullopt;
  const json& e = (*parent)[key];
  return Est{e.value("n", 0.0), scale * e.value("mean", 0.0), scale * e.value("std", 0.0)};
}

// doc[key] when it is an array, else an empty array (a reference, never a copy).
const json& array_at(const json& doc, const char* key) {
  static const json kEmpty = json::array();
  const auto it = doc.find(key);
  return it != doc.end() && it->is_array() ? *it : kEmpty;
}

const json& replications(const json& doc) {
  static const json kEmpty = json::object();
  const auto it = doc.find("replications");
  return it != doc.end() && it->is_object() ? *it : kEmpty;
}

// Welch's t test at 5 %: is the difference of the means beyond what the two replication sets'
// spreads allow? (Equivalent to comparing with both 95 % confidence intervals, but exact.)
bool beyond_ci(const Est& a, const Est& b) {
  if (a.n < 2 || b.n < 2) return false;
  const double va = a.std * a.std / a.n, vb = b.std * b.std / b.n;
  const double se = std::sqrt(va + vb);
  if (se == 0) return a.mean != b.mean;
  const double df = (va + vb) * (va + vb) / (va * va / (a.n - 1) + vb * vb / (b.n - 1));
  const double t = std::abs(a.mean - b.mean) / se;
  return t > engine::t_quantile_975(std::max<std::int64_t>(1, static_cast<std::int64_t>(df)));
}

// Adds one metric read from every run by `get` (value and optional estimate).
template <class Get>
void add_metric(std::vector<Metric>& out, const std::string& name, const std::vector<json>& docs,
                Get get) {
  Metric m;
  m.name = name;
  bool any = false;
  for (const auto& d : docs) {
    auto [v, e] = get(d);
    if (e) v = e->mean;  // with replications, the mean over them
    any = any || v.has_value();
    m.value.push_back(v);
    m.est.push_back(e);
  }
  if (any) out.push_back(std::move(m));
}

using Pair = std::pair<std::optional<double>, std::optional<Est>>;

std::vector<std::string> union_names(const std::vector<json>& docs, const char* key) {
  std::vector<std::string> names;
  for (const auto& d : docs) {
    if (!d.contains(key) || !d[key].is_array()) continue;
    for (const auto& x : d[key]) {
      const std::string n = x.value("name", "");
      if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
    }
  }
  return names;
}

void lot_type_metrics(std::vector<Metric>& out, const std::vector<json>& docs) {
  for (const std::string& lt : union_names(docs, "lot_types")) {
    const auto field = [&](const json& d, const char* key, const char* est_key, double scale) {
      const json* t = named(array_at(d, "lot_types"), lt);
      const json* r = named(array_at(replications(d), "lot_types"), lt);
      std::optional<double> v;
      if (t != nullptr) {
        if (auto x = number_at(*t, key)) v = scale * *x;
      }
      return Pair{v, est_of(r, est_key, scale)};
    };
    add_metric(out, "lots/day " + lt, docs,
               [&](const json& d) { return field(d, "throughput_per_day", "throughput_per_day", 1); });
    add_metric(out, "lots/month " + lt, docs,
               [&](const json& d) { return field(d, "throughput_per_day", "throughput_per_day", 30); });
    add_metric(out, "CT mean days " + lt, docs, [&](const json& d) {
      const json* t = named(array_at(d, "lot_types"), lt);
      const json* r = named(array_at(replications(d), "lot_types"), lt);
      std::optional<double> v;
      if (t != nullptr && t->contains("cycle_time_days"))
        v = number_at((*t)["cycle_time_days"], "mean");
      return Pair{v, est_of(r, "ct_mean_days")};
    });
    add_metric(out, "on-time % " + lt, docs,
               [&](const json& d) { return field(d, "on_time_pct", "on_time_pct", 1); });
  }
}

std::vector<Metric> compare_metrics(const std::vector<json>& docs) {
  std::vector<Metric> out;
  lot_type_metrics(out, docs);
  // Good units per product and month (packaging models).
  std::vector<std::string> products;
  for (const auto& d : docs)
    if (d.contains("packaging") && d["packaging"].contains("good_units_per_month"))
      for (const auto& [p, v] : d["packaging"]["good_units_per_month"].items())
        if (std::find(products.begin(), products.end(), p) == products.end()) products.push_back(p);
  for (const auto& p : products)
    add_metric(out, "good units/month " + p, docs, [&](const json& d) {
      std::optional<double> v;
      if (d.contains("packaging")) v = number_at(d["packaging"].value("good_units_per_month", json::object()), p);
      return Pair{v, std::nullopt};
    });
  add_metric(out, "WIP mean lots", docs, [](const json& d) {
    std::optional<double> v;
    if (d.contains("wip")) v = number_at(d["wip"], "mean_lots");
    return Pair{v, est_of(&replications(d), "wip_mean_lots")};
  });
  // The first run's five most utilised groups (busy + setup).
  std::vector<std::pair<double, std::string>> groups;
  for (const auto& g : array_at(docs.front(), "tool_groups"))
    groups.emplace_back(g.value("busy", 0.0) + g.value("setup", 0.0), g.value("name", ""));
  std::stable_sort(groups.begin(), groups.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  for (std::size_t k = 0; k < groups.size() && k < 5; ++k) {
    const std::string name = groups[k].second;
    add_metric(out, "util % " + name, docs, [&](const json& d) {
      const json* g = named(array_at(d, "tool_groups"), name);
      const json* r = named(array_at(replications(d), "tool_groups"), name);
      std::optional<double> v;
      if (g != nullptr) v = 100.0 * (g->value("busy", 0.0) + g->value("setup", 0.0));
      return Pair{v, est_of(r, "utilisation", 100.0)};
    });
  }
  return out;
}

std::string cell(const std::optional<double>& v) {
  return v ? fmt::format("{:.3f}", *v) : std::string("-");
}

void print_compare(const std::vector<store::RunInfo>& infos, const std::vector<json>& docs) {
  const std::vector<Metric> metrics = compare_metrics(docs);
  bool any_reps = false;
  for (const auto& i : infos) any_reps = any_reps || i.replications > 1;
  std::string head = fmt::format("{:<34}", "run");
  for (const auto& i : infos) head += fmt::format(" {:>12}", i.id);
  for (std::size_t k = 1; k < infos.size(); ++k) {
    head += fmt::format(" {:>12} {:>8}", fmt::format("{}-{}", infos[k].id, infos[0].id), "%");
    if (any_reps) head += fmt::format(" {:>10}", "beyond CI");
  }
  fmt::print("{}\n", head);
  // What was run: the scenario (its last 12 characters), seed, replications.
  std::string scen = fmt::format("{:<34}", "scenario"), seed = fmt::format("{:<34}", "seed"),
              reps = fmt::format("{:<34}", "replications");
  for (const auto& i : infos) {
    scen += fmt::format(" {:>12}", i.scenario.size() > 12 ? i.scenario.substr(i.scenario.size() - 12) : i.scenario);
    seed += fmt::format(" {:>12}", i.seed);
    reps += fmt::format(" {:>12}", i.replications);
  }
  fmt::print("{}\n{}\n{}\n", scen, seed, reps);
  for (const Metric& m : metrics) {
    std::string row = fmt::format("{:<34}", m.name);
    for (const auto& v : m.value) row += fmt::format(" {:>12}", cell(v));
    for (std::size_t k = 1; k < m.value.size(); ++k) {
      const auto& a = m.value[0];
      const auto& b = m.value[k];
      std::string d = "-", pct = "-", sig;
      if (a && b) {
        d = fmt::format("{:+.3f}", *b - *a);
        if (*a != 0) pct = fmt::format("{:+.1f}", 100.0 * (*b - *a) / std::abs(*a));
      }
      if (m.est[0] && m.est[k] && m.est[0]->n > 1 && m.est[k]->n > 1)
        sig = beyond_ci(*m.est[0], *m.est[k]) ? "yes" : "no";
      row += fmt::format(" {:>12} {:>8}", d, pct);
      if (any_reps) row += fmt::format(" {:>10}", sig.empty() ? "-" : sig);
    }
    fmt::print("{}\n", row);
  }
  if (metrics.empty())
    fmt::print("(no simulation figures to compare: {} runs)\n", infos.front().command);
  if (any_reps)
    fmt::print("(with replications: means over them; 'beyond CI': Welch's t test at 5 %, when "
               "both runs have replications)\n");
}

// ---- list, show, export ----------------------------------------------------------------

void print_list(store::Store& s) {
  const auto runs = s.list();
  if (runs.empty()) {
    fmt::print("no runs stored\n");
    return;
  }
  fmt::print("{:>5}  {:<20}  {:<8}  {:<24}  {:>6}  {:>4}  {:<6}  {:>9}  {}\n", "id", "started (UTC)",
             "command", "scenario", "seed", "reps", "status", "wall s", "headline");
  for (const auto& r : runs)
    fmt::print("{:>5}  {:<20}  {:<8}  {:<24}  {:>6}  {:>4}  {:<6}  {:>9.2f}  {}\n", r.id, r.started,
               r.command, r.scenario, r.seed, r.replications, r.status, r.wall_seconds, r.headline);
}

void print_show(const store::RunInfo& r, const json& doc) {
  fmt::print("run {}: {} {} (scenario hash {})\n", r.id, r.command, r.scenario, r.scenario_hash);
  fmt::print("started {} | wall {:.2f} s | status {} | seed {} | replications {} | osatsim {}\n",
             r.started, r.wall_seconds, r.status, r.seed, r.replications, r.version);
  fmt::print("options {}\n", r.options);
  if (!r.headline.empty()) fmt::print("{}\n", r.headline);
  if (doc.contains("lot_types") && doc["lot_types"].is_array()) {
    fmt::print("\n{:<16} {:>10} {:>10} {:>9} {:>9} {:>8}\n", "lot type", "lots/day", "lots/month",
               "CT mean", "CT p95", "ontime%");
    for (const auto& t : doc["lot_types"]) {
      const json ct = t.value("cycle_time_days", json::object());
      const double tp = t.value("throughput_per_day", 0.0);
      fmt::print("{:<16} {:>10.3f} {:>10.1f} {:>9.2f} {:>9.2f} {:>8.1f}\n", t.value("name", ""), tp,
                 30 * tp, ct.value("mean", 0.0), ct.value("p95", 0.0), t.value("on_time_pct", 0.0));
    }
    const json& all = array_at(doc, "tool_groups");
    std::vector<json> groups(all.begin(), all.end());
    const auto util = [](const json& g) { return g.value("busy", 0.0) + g.value("setup", 0.0); };
    std::stable_sort(groups.begin(), groups.end(),
                     [&](const json& a, const json& b) { return util(a) > util(b); });
    fmt::print("\n{:<22} {:>6} {:>10}\n", "tool group (top 5)", "tools", "busy+setup%");
    for (std::size_t k = 0; k < groups.size() && k < 5; ++k)
      fmt::print("{:<22} {:>6} {:>10.1f}\n", groups[k].value("name", ""),
                 groups[k].value("tools", 0), 100 * util(groups[k]));
    if (doc.contains("wip")) fmt::print("\nWIP mean {:.1f} lots\n", doc["wip"].value("mean_lots", 0.0));
  } else {
    for (const auto& [key, value] : doc.items())
      if (value.is_array()) fmt::print("{}: {} rows\n", key, value.size());
  }
}

std::string csv_cell(const json& v) {
  if (v.is_null()) return "";
  if (!v.is_string()) return v.dump();
  const std::string s = v.get<std::string>();
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string q(1, '"');
  for (char c : s) {
    q.push_back(c);
    if (c == '"') q.push_back('"');
  }
  q.push_back('"');
  return q;
}

std::string csv_text(const store::Rows& rows) {
  std::string out;
  for (std::size_t c = 0; c < rows.columns.size(); ++c) {
    if (c > 0) out.push_back(',');
    out.append(rows.columns[c]);
  }
  out.push_back('\n');
  for (const auto& r : rows.rows) {
    for (std::size_t c = 0; c < r.size(); ++c) {
      if (c > 0) out.push_back(',');
      out.append(csv_cell(r[c]));
    }
    out.push_back('\n');
  }
  return out;
}

int export_run(store::Store& s, std::int64_t id, const Options& o) {
  if (o.csv_dir.empty() == o.json_file.empty()) {
    std::fprintf(stderr, "runs export: give one of --csv DIR or --json FILE\n");
    return kExitBadInput;
  }
  if (!o.json_file.empty()) {
    if (!check_output_file("runs export", "--json", o.json_file)) return kExitBadInput;
    const std::string text = nlohmann::ordered_json::parse(s.document_text(id)).dump(2) + "\n";
    std::string why;
    if (!write_atomically(o.json_file, text, why)) {
      std::fprintf(stderr, "runs export: %s\n", why.c_str());
      return kExitFailure;
    }
    fmt::print("wrote {}\n", o.json_file);
    return kExitOk;
  }
  if (!check_output_dir("runs export", "--csv", o.csv_dir)) return kExitBadInput;
  const std::vector<std::pair<std::string, std::string>> files{
      {"lot_types.csv", "lot_type_kpis"}, {"tool_groups.csv", "tool_group_kpis"},
      {"series.csv", "series"}, {"tables.csv", "tables"}};
  // Simulations: lot_types, tool_groups, series; capacity and plan runs: tables.
  const store::Rows generic = s.rows("tables", id);
  std::vector<std::pair<std::string, std::string>> texts;
  for (const auto& [file, table] : files) {
    if ((table == "tables") != !generic.rows.empty()) continue;
    texts.emplace_back(file, csv_text(table == "tables" ? generic : s.rows(table, id)));
  }
  std::error_code ec;
  fs::create_directories(o.csv_dir, ec);
  for (const auto& [file, text] : texts) {
    const std::string path = (fs::path(o.csv_dir) / file).string();
    std::string why;
    if (!write_atomically(path, text, why)) {
      std::fprintf(stderr, "runs export: %s\n", why.c_str());
      return kExitFailure;
    }
    fmt::print("wrote {}\n", path);
  }
  return kExitOk;
}

int run(const Options& o) {
  const std::vector<std::string> actions{"list", "show", "compare", "export", "delete"};
  if (std::find(actions.begin(), actions.end(), o.action) == actions.end()) {
    std::fprintf(stderr, "runs: unknown action '%s' (list, show, compare, export, delete)%s\n",
                 o.action.c_str(), did_you_mean(o.action, actions).c_str());
    return kExitBadInput;
  }
  const std::size_t want_min = o.action == "list" ? 0 : o.action == "compare" ? 2 : 1;
  const std::size_t want_max = o.action == "list" ? 0 : o.action == "compare" ? 8 : 1;
  if (o.ids.size() < want_min || o.ids.size() > want_max) {
    std::fprintf(stderr, "runs %s: %s\n", o.action.c_str(),
                 o.action == "list"      ? "takes no run id"
                 : o.action == "compare" ? "give 2 to 8 run ids"
                                         : "give one run id");
    return kExitBadInput;
  }
  store::Store s(o.db, false);
  std::vector<store::RunInfo> infos;
  for (std::int64_t id : o.ids) {
    auto i = s.info(id);
    if (!i) {
      std::fprintf(stderr, "runs %s: %s: no run %lld (runs list shows the stored runs)\n",
                   o.action.c_str(), o.db.c_str(), static_cast<long long>(id));
      return kExitBadInput;
    }
    infos.push_back(*i);
  }
  if (o.action == "list") {
    print_list(s);
  } else if (o.action == "show") {
    print_show(infos[0], s.document(infos[0].id));
  } else if (o.action == "compare") {
    std::vector<json> docs;
    for (const auto& i : infos) docs.push_back(s.document(i.id));
    print_compare(infos, docs);
  } else if (o.action == "export") {
    return export_run(s, infos[0].id, o);
  } else {
    s.remove(infos[0].id);
    fmt::print("deleted run {} from {}\n", infos[0].id, o.db);
  }
  return kExitOk;
}

Runner setup(CLI::App* app) {
  auto o = std::make_shared<Options>();
  app->add_option("action", o->action, "list, show ID, compare ID ID..., export ID, delete ID")
      ->required();
  app->add_option("ids", o->ids, "run ids (runs list shows them)");
  app->add_option("--db", o->db, "the results store (default osatsim-out/results.sqlite)");
  app->add_option("--csv", o->csv_dir, "export: one CSV per table into this directory");
  app->add_option("--json", o->json_file, "export: the stored result document into this file");
  return [o]() -> int {
    try {
      return run(*o);
    } catch (const store::Error& e) {
      std::fprintf(stderr, "runs %s: %s\n", o->action.c_str(), e.what());
      return e.bad_input() ? kExitBadInput : kExitFailure;
    }
  };
}

const Registrar reg{"runs", "the runs kept in the results store: list, show, compare, export, delete",
                    setup, 45};

}  // namespace
}  // namespace osatsim::cli
