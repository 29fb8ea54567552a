#include "report/published.h"

#include <fmt/format.h>

#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace osatsim::report {

using nlohmann::json;

std::vector<PublishedGroup> read_published(const std::string& file, Diagnostics& diags) {
  std::vector<PublishedGroup> out;
  std::ifstream in(file);
  if (!in) {
    diags.add(file, 0, "cannot read the published table");
    return out;
  }
  std::string line;
  int n = 0;
  bool header = false;
  std::set<std::string> seen;
  while (std::getline(in, line)) {
    ++n;
    std::istringstream ss(line);
    std::vector<std::string> cols;
    for (std::string c; ss >> c;) cols.push_back(c);
    if (cols.empty()) continue;
    if (!header) {
      const std::vector<std::string> want{"name", "avail", "util", "br", "pm", "setup"};
      if (cols != want) {
        diags.add(file, n, "the header must be 'name avail util br pm setup'");
        return out;
      }
      header = true;
      continue;
    }
    if (cols.size() != 6) {
      diags.add(file, n, fmt::format("{} columns; a row has 6 (name avail util br pm setup)", cols.size()));
      continue;
    }
    PublishedGroup g;
    g.name = cols[0];
    g.line = n;
    double* fields[] = {&g.avail, &g.util, &g.br, &g.pm, &g.setup};
    const char* names[] = {"avail", "util", "br", "pm", "setup"};
    bool ok = true;
    for (int k = 0; k < 5; ++k) {
      std::size_t used = 0;
      double v = 0;
      try {
        v = std::stod(cols[static_cast<std::size_t>(k) + 1], &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used != cols[static_cast<std::size_t>(k) + 1].size() || !std::isfinite(v) || v < 0 || v > 100) {
        diags.add(file, n, fmt::format("{} '{}' is not a percentage (0..100)", names[k], cols[static_cast<std::size_t>(k) + 1]));
        ok = false;
      }
      *fields[k] = v;
    }
    if (!ok) continue;
    if (!seen.insert(g.name).second) {
      diags.add(file, n, fmt::format("group '{}' appears twice", g.name));
      continue;
    }
    out.push_back(g);
  }
  if (!header) diags.add(file, n, "empty: no header 'name avail util br pm setup'");
  return out;
}

Comparison compare_published(const json& summary, const std::vector<PublishedGroup>& published, const Tolerances& tol) {
  Comparison c;
  // With replications, the means of their state shares; else replication 0's (the only run).
  std::map<std::string, json> sim;
  for (const auto& g : summary.at("tool_groups")) sim[g.at("name").get<std::string>()] = g;
  if (summary.contains("replications"))
    for (const auto& g : summary.at("replications").value("tool_groups", json::array())) {
      auto it = sim.find(g.value("name", std::string()));
      if (it == sim.end() || !g.contains("busy")) continue;
      for (const char* k : {"busy", "setup", "down", "pm"}) it->second[k] = g.at(k).at("mean");
    }
  int n = 0;
  for (const auto& p : published) {
    GroupComparison g;
    g.name = p.name;
    g.published = p;
    const auto it = sim.find(p.name);
    if (it == sim.end()) {
      c.missing.push_back(p.name);
      c.groups.push_back(g);
      continue;
    }
    const json& s = it->second;
    const double busy = s.value("busy", 0.0), setup = s.value("setup", 0.0), down = s.value("down", 0.0), pm = s.value("pm", 0.0);
    const double avail = 1.0 - down - pm;
    g.simulated = true;
    g.avail = 100 * avail;
    g.br = 100 * down;
    g.pm = 100 * pm;
    g.util = avail > 0 ? 100 * (busy + setup) / avail : 0;
    g.setup_total = 100 * setup;
    g.setup_available = avail > 0 ? 100 * setup / avail : 0;
    ++n;
    c.mean_avail += g.avail - p.avail;
    c.mean_br += g.br - p.br;
    c.mean_pm += g.pm - p.pm;
    c.beyond_avail += std::abs(g.avail - p.avail) > tol.avail;
    c.beyond_br += std::abs(g.br - p.br) > tol.br;
    c.beyond_pm += std::abs(g.pm - p.pm) > tol.pm;
    if (p.util >= tol.util_min_published) {
      ++c.checked_util;
      c.mean_util += g.util - p.util;
      c.beyond_util += std::abs(g.util - p.util) > tol.util;
    }
    if (p.setup > 0) {
      ++c.checked_setup;
      c.mean_setup += g.setup_total - p.setup;
      c.beyond_setup += std::abs(g.setup_total - p.setup) > tol.setup;
    }
    c.groups.push_back(g);
  }
  if (n > 0) {
    c.mean_avail /= n;
    c.mean_br /= n;
    c.mean_pm /= n;
  }
  if (c.checked_util > 0) c.mean_util /= c.checked_util;
  if (c.checked_setup > 0) c.mean_setup /= c.checked_setup;
  return c;
}

namespace {

std::string cell(double sim, double pub, double tol, bool checked) {
  const double d = sim - pub;
  return fmt::format("{:6.1f} {:6.1f} {:+6.1f}{}", sim, pub, d, checked && std::abs(d) > tol ? "*" : " ");
}

}  // namespace

std::string comparison_text(const Comparison& c, const Tolerances& tol) {
  std::string t;
  t += fmt::format("{:<18} {:^22} {:^22} {:^22} {:^22} {:^22}\n", "tool group", "availability %", "breakdown %", "PM %",
                   "util. of avail. %", "setup % (of total)");
  t += fmt::format("{:<18} {:^22} {:^22} {:^22} {:^22} {:^22}\n", "", "sim    pub    diff", "sim    pub    diff",
                   "sim    pub    diff", "sim    pub    diff", "sim    pub    diff");
  for (const auto& g : c.groups) {
    if (!g.simulated) {
      t += fmt::format("{:<18} not in the simulation\n", g.name);
      continue;
    }
    const auto& p = g.published;
    t += fmt::format("{:<18} {} {} {} {} {}\n", g.name, cell(g.avail, p.avail, tol.avail, true), cell(g.br, p.br, tol.br, true),
                     cell(g.pm, p.pm, tol.pm, true), cell(g.util, p.util, tol.util, p.util >= tol.util_min_published),
                     cell(g.setup_total, p.setup, tol.setup, p.setup > 0));
  }
  const int n = static_cast<int>(c.groups.size() - c.missing.size());
  t += fmt::format(
      "\n{} groups compared ({} missing). Beyond tolerance (*): availability {} (±{} pt), breakdown {} (±{} pt), PM {} (±{} pt), "
      "utilisation {} of {} groups published at ≥ {:.0f} % (±{} pt), setup {} of {} groups with published setup (±{} pt).\n"
      "Mean difference (sim - pub): availability {:+.2f}, breakdown {:+.2f}, PM {:+.2f}, utilisation {:+.2f}, setup {:+.2f} points.\n",
      n, c.missing.size(), c.beyond_avail, tol.avail, c.beyond_br, tol.br, c.beyond_pm, tol.pm, c.beyond_util, c.checked_util,
      tol.util_min_published, tol.util, c.beyond_setup, c.checked_setup, tol.setup, c.mean_avail, c.mean_br, c.mean_pm, c.mean_util,
      c.mean_setup);
  return t;
}

json comparison_json(const Comparison& c, const Tolerances& tol) {
  json groups = json::array();
  for (const auto& g : c.groups) {
    const auto& p = g.published;
    json j = {{"name", g.name}, {"simulated", g.simulated},
              {"published", {{"avail", p.avail}, {"util", p.util}, {"br", p.br}, {"pm", p.pm}, {"setup", p.setup}}}};
    if (g.simulated)
      j["sim"] = {{"avail", g.avail}, {"util", g.util}, {"br", g.br}, {"pm", g.pm}, {"setup_of_total", g.setup_total},
                  {"setup_of_available", g.setup_available}};
    groups.push_back(std::move(j));
  }
  return {{"tolerances", {{"avail", tol.avail}, {"br", tol.br}, {"pm", tol.pm}, {"util", tol.util}, {"setup", tol.setup},
                          {"util_min_published", tol.util_min_published}}},
          {"groups", groups},
          {"missing", c.missing},
          {"beyond", {{"avail", c.beyond_avail}, {"br", c.beyond_br}, {"pm", c.beyond_pm}, {"util", c.beyond_util}, {"setup", c.beyond_setup}}},
          {"checked", {{"util", c.checked_util}, {"setup", c.checked_setup}}},
          {"mean_difference", {{"avail", c.mean_avail}, {"br", c.mean_br}, {"pm", c.mean_pm}, {"util", c.mean_util}, {"setup", c.mean_setup}}}};
}

}  // namespace osatsim::report
