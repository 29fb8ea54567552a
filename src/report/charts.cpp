// The report's charts and key-figure tables, one set per kind of result document
// (docs/report.md). Each chart is a vega-lite specification with its data inline.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "report/report.h"
#include "report/spec.h"

namespace osatsim::report {

using nlohmann::json;

namespace {

// A number as text for the tables: fixed decimals, or "-" when absent.
std::string num(const json& v, int decimals = 1) {
  if (!v.is_number()) return "-";
  return fmt::format("{:.{}f}", v.get<double>(), decimals);
}

std::string money(double v) {
  const double a = std::abs(v);
  if (a >= 1e9) return fmt::format("{:.2f} B", v / 1e9);
  if (a >= 1e6) return fmt::format("{:.1f} M", v / 1e6);
  if (a >= 1e3) return fmt::format("{:.1f} k", v / 1e3);
  return fmt::format("{:.0f}", v);
}

std::string text(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "-";
  return v.dump();
}

// --- plan

std::vector<Chart> plan_charts(const json& d, const std::string& id) {
  std::vector<Chart> out;
  // Shipments against demand per customer and month, expected over the demand scenarios.
  {
    std::map<std::pair<std::string, std::string>, std::pair<double, double>> agg;  // (customer, month)
    for (const auto& s : d.at("scenarios")) {
      const double p = s.value("probability", 1.0);
      for (const auto& x : s.at("shipments")) {
        auto& a = agg[{x.at("customer").get<std::string>(), x.at("month").get<std::string>()}];
        a.first += p * x.value("shipped", 0.0);
        a.second += p * x.value("demand", 0.0);
      }
    }
    json values = json::array();
    for (const auto& [k, v] : agg)
      values.push_back({{"customer", k.first}, {"month", k.second}, {"shipped", v.first}, {"demand", v.second}});
    json spec = base_spec("Good units shipped against demand per month and customer");
    spec["data"] = {{"values", values}};
    spec["facet"] = {{"row", {{"field", "customer"}, {"type", "nominal"}, {"title", nullptr}}}};
    spec["resolve"] = {{"scale", {{"y", "independent"}}}};
    const json x = {{"field", "month"}, {"type", "ordinal"}, {"title", "month"}};
    spec["spec"] = {
        {"width", 640},
        {"height", 110},
        {"layer",
         json::array({{{"mark", {{"type", "bar"}, {"color", "#4c78a8"}}},
                       {"encoding",
                        {{"x", x},
                         {"y", {{"field", "shipped"}, {"type", "quantitative"}, {"title", "good units"}}},
                         {"tooltip", json::array({{{"field", "month"}}, {{"field", "shipped"}, {"format", ",.0f"}}, {{"field", "demand"}, {"format", ",.0f"}}})}}}},
                      {{"mark", {{"type", "line"}, {"color", "#e45756"}, {"point", true}}},
                       {"encoding", {{"x", x}, {"y", {{"field", "demand"}, {"type", "quantitative"}}}}}}})}};
    out.push_back({id + "-shipments", "Shipments (bars) against demand (line), good units per month, expected over the scenarios", std::move(spec)});
  }
  // Capex timeline: tools by order month and line, buildings by decision month.
  {
    json values = json::array();
    for (const auto& p : d.at("purchases"))
      values.push_back({{"month", p.at("order_month")}, {"what", p.at("line").get<std::string>() + " tools"}, {"capex_musd", p.value("cost", 0.0) / 1e6}});
    for (const auto& b : d.at("buildings_opened"))
      values.push_back({{"month", b.at("decision_month")}, {"what", b.at("line").get<std::string>() + " building"}, {"capex_musd", b.value("capex", 0.0) / 1e6}});
    json spec = base_spec("Capex by order month: tools per line, buildings");
    spec["data"] = {{"values", values}};
    spec["width"] = 640;
    spec["height"] = 220;
    spec["mark"] = "bar";
    spec["encoding"] = {{"x", {{"field", "month"}, {"type", "ordinal"}, {"title", "order month"}}},
                        {"y", {{"aggregate", "sum"}, {"field", "capex_musd"}, {"type", "quantitative"}, {"title", "capex (US$ M)"}}},
                        {"color", {{"field", "what"}, {"type", "nominal"}, {"title", nullptr}}},
                        {"tooltip", json::array({{{"field", "what"}}, {{"field", "month"}}, {{"aggregate", "sum"}, {"field", "capex_musd"}, {"format", ".1f"}, {"title", "US$ M"}}})}};
    out.push_back({id + "-capex", "Capex timeline (US$ M by order month)", std::move(spec)});
  }
  // Utilisation of the most loaded group per line and month.
  {
    json values = json::array();
    for (const auto& l : d.at("lines"))
      values.push_back({{"line", l.at("line")}, {"month", l.at("month")}, {"utilisation", l.value("max_utilisation", 0.0)}, {"bottleneck", l.value("bottleneck", "")}});
    json spec = base_spec("Utilisation of the most loaded tool group per line and month");
    spec["data"] = {{"values", values}};
    spec["width"] = 640;
    spec["mark"] = "rect";
    spec["encoding"] = {{"x", {{"field", "month"}, {"type", "ordinal"}}},
                        {"y", {{"field", "line"}, {"type", "nominal"}, {"title", nullptr}}},
                        {"color", {{"field", "utilisation"}, {"type", "quantitative"}, {"scale", {{"domain", json::array({0, 1})}, {"scheme", "orangered"}}}}},
                        {"tooltip", json::array({{{"field", "line"}}, {{"field", "month"}}, {{"field", "utilisation"}, {"format", ".1%"}}, {{"field", "bottleneck"}}})}};
    out.push_back({id + "-utilisation", "Utilisation of each line's most loaded group by month (planned)", std::move(spec)});
  }
  // Verification: planned against simulated good output.
  if (d.contains("verification") && d.at("verification").is_array() && !d.at("verification").empty()) {
    json values = json::array();
    for (const auto& v : d.at("verification"))
      for (const auto& p : v.at("products")) {
        const std::string what = fmt::format("{} {} {}", v.at("line").get<std::string>(), v.at("month").get<std::string>(), p.at("product").get<std::string>());
        values.push_back({{"what", what}, {"source", "plan"}, {"units", p.value("planned_units_per_month", 0.0)}});
        values.push_back({{"what", what}, {"source", "simulation"}, {"units", p.value("simulated_units_per_month", 0.0)}});
      }
    json spec = base_spec("Planned against simulated good output per line, month and product");
    spec["data"] = {{"values", values}};
    spec["width"] = 640;
    spec["mark"] = "bar";
    spec["encoding"] = {{"y", {{"field", "what"}, {"type", "nominal"}, {"title", nullptr}}},
                        {"yOffset", {{"field", "source"}}},
                        {"x", {{"field", "units"}, {"type", "quantitative"}, {"title", "good units per month"}}},
                        {"color", {{"field", "source"}, {"type", "nominal"}, {"title", nullptr}}},
                        {"tooltip", json::array({{{"field", "what"}}, {{"field", "source"}}, {{"field", "units"}, {"format", ",.0f"}}})}};
    out.push_back({id + "-verification", "Verification: planned and simulated good output", std::move(spec)});
  }
  return out;
}

std::vector<Table> plan_tables(const json& d) {
  std::vector<Table> out;
  const json& s = d.at("status");
  out.push_back({"Solve",
                 {"", ""},
                 {{"network", text(d.value("network", json()))},
                  {"objective", text(d.value("objective", json()))},
                  {"plan", text(s.value("plan", json()))},
                  {"gap", s.contains("gap") && s.at("gap").is_number() ? fmt::format("{:.2f} %", 100 * s.at("gap").get<double>()) : "-"},
                  {"solve", num(s.value("solve_seconds", json())) + " s"},
                  {"expected profit", d.contains("expected_profit") && d.at("expected_profit").is_number() ? money(d.at("expected_profit").get<double>()) : "-"}}});
  Table capex{"Capex by year (US$)", {"year", "capex", "budget"}, {}};
  for (const auto& [year, v] : d.at("capex_by_year").items())
    capex.rows.push_back({year, money(v.value("capex", 0.0)), v.at("budget").is_number() ? money(v.at("budget").get<double>()) : "-"});
  out.push_back(std::move(capex));
  Table bind{"What binds (top shadow prices)", {"kind", "what", "scenario", "value"}, {}};
  for (const auto& b : d.at("binding")) {
    if (bind.rows.size() >= 8) break;
    bind.rows.push_back({text(b.at("kind")), text(b.at("what")), text(b.value("scenario", json())), num(b.at("value"), 2)});
  }
  out.push_back(std::move(bind));
  return out;
}

// --- simulation

std::vector<Chart> simulation_charts(const json& d, const std::string& id) {
  std::vector<Chart> out;
  // Tool-state breakdown of the most loaded groups.
  {
    const std::vector<const json*> groups = top(
        d.at("tool_groups"), 15, [](const json& g) { return g.value("busy", 0.0) + g.value("setup", 0.0); },
        [](const json&) { return true; });
    json values = json::array();
    const char* states[] = {"busy", "setup", "down", "pm", "idle"};
    for (std::size_t i = 0; i < groups.size(); ++i)
      for (int k = 0; k < 5; ++k)
        values.push_back({{"group", groups[i]->at("name")}, {"rank", i}, {"state", states[k]}, {"order", k}, {"share", groups[i]->value(states[k], 0.0)}});
    json spec = base_spec("Tool-state shares of the most loaded tool groups");
    spec["data"] = {{"values", values}};
    spec["width"] = 560;
    spec["mark"] = "bar";
    spec["encoding"] = {{"y", {{"field", "group"}, {"type", "nominal"}, {"sort", {{"field", "rank"}}}, {"title", nullptr}}},
                        {"x", {{"field", "share"}, {"type", "quantitative"}, {"stack", "normalize"}, {"axis", {{"format", "%"}}}, {"title", "share of time"}}},
                        {"color", {{"field", "state"}, {"type", "nominal"}, {"sort", json::array({"busy", "setup", "down", "pm", "idle"})},
                                   {"scale", {{"domain", json::array({"busy", "setup", "down", "pm", "idle"})}, {"range", json::array({"#4c78a8", "#f58518", "#e45756", "#b279a2", "#d9d9d9"})}}}}},
                        {"order", {{"field", "order"}}},
                        {"tooltip", json::array({{{"field", "group"}}, {{"field", "state"}}, {{"field", "share"}, {"format", ".1%"}}})}};
    out.push_back({id + "-states", "Tool-state breakdown of the 15 most loaded groups", std::move(spec)});
  }
  // WIP over time.
  {
    json values = json::array();
    const json& w = d.at("wip").at("lots_per_day");
    for (std::size_t day = 0; day < w.size(); ++day) values.push_back({{"day", day}, {"lots", w[day]}});
    json spec = base_spec("Lots in the fab, daily mean");
    spec["data"] = {{"values", values}};
    spec["width"] = 560;
    spec["height"] = 200;
    spec["mark"] = {{"type", "line"}};
    spec["encoding"] = {{"x", {{"field", "day"}, {"type", "quantitative"}, {"title", "simulated day"}}},
                        {"y", {{"field", "lots"}, {"type", "quantitative"}, {"title", "WIP (lots)"}}}};
    out.push_back({id + "-wip", "WIP over time (lots in the fab per day)", std::move(spec)});
  }
  // Cycle-time distribution per lot type: min-max, 5-95 %, median and mean.
  {
    json values = json::array();
    for (const auto& t : d.at("lot_types")) {
      const json& c = t.at("cycle_time_days");
      if (!c.is_object() || c.value("n", 0) == 0) continue;
      values.push_back({{"lot_type", t.at("name")}, {"min", c.at("min")}, {"p5", c.at("p5")}, {"p50", c.at("p50")}, {"p95", c.at("p95")}, {"max", c.at("max")}, {"mean", c.at("mean")}, {"n", c.at("n")}});
    }
    json spec = base_spec("Cycle-time distribution per lot type");
    spec["data"] = {{"values", values}};
    spec["width"] = 560;
    const json y = {{"field", "lot_type"}, {"type", "nominal"}, {"title", nullptr}};
    spec["layer"] = json::array(
        {{{"mark", "rule"}, {"encoding", {{"y", y}, {"x", {{"field", "min"}, {"type", "quantitative"}, {"title", "cycle time (days)"}}}, {"x2", {{"field", "max"}}}}}},
         {{"mark", {{"type", "bar"}, {"size", 12}}}, {"encoding", {{"y", y}, {"x", {{"field", "p5"}, {"type", "quantitative"}}}, {"x2", {{"field", "p95"}}}}}},
         {{"mark", {{"type", "tick"}, {"color", "white"}, {"size", 12}}}, {"encoding", {{"y", y}, {"x", {{"field", "p50"}, {"type", "quantitative"}}}}}},
         {{"mark", {{"type", "point"}, {"color", "#e45756"}, {"filled", true}}},
          {"encoding", {{"y", y}, {"x", {{"field", "mean"}, {"type", "quantitative"}}},
                        {"tooltip", json::array({{{"field", "lot_type"}}, {{"field", "n"}}, {{"field", "mean"}, {"format", ".2f"}}, {{"field", "p50"}, {"format", ".2f"}}, {{"field", "p95"}, {"format", ".2f"}}})}}}}});
    out.push_back({id + "-cycle-time", "Cycle time per lot type (line: min-max, bar: 5-95 %, white: median, dot: mean)", std::move(spec)});
  }
  for (Chart& c : state_series_charts(d, id)) out.push_back(std::move(c));
  return out;
}

std::vector<Table> simulation_tables(const json& d) {
  std::vector<Table> out;
  const json& r = d.at("run");
  out.push_back({"Run",
                 {"", ""},
                 {{"model", text(r.value("model", json()))},
                  {"days", num(r.value("days", json()), 0) + " (warm-up " + num(r.value("warmup_days", json()), 0) + ")"},
                  {"seed", text(r.value("seed", json()))},
                  {"dispatch", text(r.value("dispatch", json()))},
                  {"pm nesting", text(r.value("pm_nesting", json()))},
                  {"version", text(r.value("osatsim_version", json()))}}});
  Table lt{"Lot types", {"lot type", "out/day", "CT mean (d)", "CT p95 (d)", "on time %"}, {}};
  for (const auto& t : d.at("lot_types")) {
    const json& c = t.at("cycle_time_days");
    lt.rows.push_back({text(t.at("name")), num(t.value("throughput_per_day", json()), 2), c.is_object() ? num(c.value("mean", json()), 2) : "-",
                       c.is_object() ? num(c.value("p95", json()), 2) : "-", num(t.value("on_time_pct", json()), 1)});
  }
  out.push_back(std::move(lt));
  return out;
}

// --- capacity

std::vector<Chart> capacity_charts(const json& d, const std::string& id) {
  std::vector<Chart> out;
  {
    json values = json::array();
    for (const auto& c : d.at("curve"))
      values.push_back({{"utilisation", c.at("max_utilisation")}, {"cycle_time_days", c.at("mean_cycle_time_days")}, {"good_units_per_day", c.value("good_units_per_day", 0.0)}, {"level", c.at("level")}});
    json spec = base_spec("Operating curve: mean cycle time against the bottleneck's utilisation");
    spec["data"] = {{"values", values}};
    spec["width"] = 420;
    spec["height"] = 260;
    spec["mark"] = {{"type", "line"}, {"point", true}};
    spec["encoding"] = {{"x", {{"field", "utilisation"}, {"type", "quantitative"}, {"axis", {{"format", "%"}}}, {"title", "bottleneck utilisation"}}},
                        {"y", {{"field", "cycle_time_days"}, {"type", "quantitative"}, {"title", "mean cycle time (days)"}}},
                        {"tooltip", json::array({{{"field", "level"}}, {{"field", "utilisation"}, {"format", ".1%"}}, {{"field", "cycle_time_days"}, {"format", ".2f"}}, {{"field", "good_units_per_day"}, {"format", ",.0f"}}})}};
    out.push_back({id + "-curve", "Operating curve (static queueing analysis)", std::move(spec)});
  }
  {
    const std::vector<const json*> groups = top(
        d.at("groups"), 15, [](const json& g) { return g.value("utilisation", 0.0); },
        [](const json& g) { return !g.value("is_delay", false); });
    json values = json::array();
    for (std::size_t i = 0; i < groups.size(); ++i)
      values.push_back({{"group", groups[i]->at("name")}, {"rank", i}, {"utilisation", groups[i]->value("utilisation", 0.0)}});
    json spec = base_spec("Utilisation of the most loaded groups at the nominal start rate");
    spec["data"] = {{"values", values}};
    spec["width"] = 420;
    spec["mark"] = "bar";
    spec["encoding"] = {{"y", {{"field", "group"}, {"type", "nominal"}, {"sort", {{"field", "rank"}}}, {"title", nullptr}}},
                        {"x", {{"field", "utilisation"}, {"type", "quantitative"}, {"axis", {{"format", "%"}}}}},
                        {"tooltip", json::array({{{"field", "group"}}, {{"field", "utilisation"}, {"format", ".1%"}}})}};
    out.push_back({id + "-groups", "Group utilisation at the nominal start rate (15 most loaded)", std::move(spec)});
  }
  return out;
}

std::vector<Table> capacity_tables(const json& d) {
  const json& nom = d.at("nominal");
  return {{"Capacity",
           {"", ""},
           {{"model", text(d.value("factory", json()))},
            {"bottleneck", text(d.value("bottleneck", json()))},
            {"maximum start rate", "x " + num(d.value("max_scale", json()), 3) + " of nominal"},
            {"max good units/day", num(d.value("max_units_per_day", json()), 0)},
            {"nominal cycle time", num(nom.value("mean_cycle_time_days", json()), 2) + " d"},
            {"binding component", text(d.value("binding_component", json()))}}}};
}

// --- package geometry

std::vector<Chart> package_charts(const json& d, const std::string& id) {
  const json& w = d.at("wafer");
  const double r = w.value("diameter_mm", 300.0) / 2, ru = w.value("usable_diameter_mm", 2 * r) / 2;
  json sites = json::array();
  for (const auto& s : d.at("sites")) {
    const double x = s.at("x_mm").get<double>(), y = s.at("y_mm").get<double>();
    sites.push_back({{"x", x}, {"x2", x + s.at("w_mm").get<double>()}, {"y", y}, {"y2", y + s.at("h_mm").get<double>()}});
  }
  json rim = json::array();
  for (int k = 0; k <= 180; ++k) {
    const double a = 2 * 3.14159265358979323846 * k / 180;
    rim.push_back({{"edge", "wafer"}, {"k", k}, {"x", r * std::cos(a)}, {"y", r * std::sin(a)}});
    rim.push_back({{"edge", "usable"}, {"k", k}, {"x", ru * std::cos(a)}, {"y", ru * std::sin(a)}});
  }
  const json dom = json::array({-r - 2, r + 2});
  json spec = base_spec("Wafer map: package sites on the wafer");
  spec["width"] = 360;
  spec["height"] = 360;
  spec["layer"] = json::array(
      {{{"data", {{"values", rim}}},
        {"mark", {{"type", "line"}, {"strokeWidth", 1}}},
        {"encoding", {{"x", {{"field", "x"}, {"type", "quantitative"}, {"scale", {{"domain", dom}, {"nice", false}}}, {"title", "mm"}}},
                      {"y", {{"field", "y"}, {"type", "quantitative"}, {"scale", {{"domain", dom}, {"nice", false}}}, {"title", "mm"}}},
                      {"detail", {{"field", "edge"}}},
                      {"strokeDash", {{"field", "edge"}, {"type", "nominal"}, {"title", nullptr}}},
                      {"order", {{"field", "k"}}},
                      {"color", {{"value", "#555"}}}}}},
       {{"data", {{"values", sites}}},
        {"mark", {{"type", "rect"}, {"color", "#4c78a8"}, {"opacity", 0.8}, {"stroke", "white"}}},
        {"encoding", {{"x", {{"field", "x"}, {"type", "quantitative"}}}, {"x2", {{"field", "x2"}}},
                      {"y", {{"field", "y"}, {"type", "quantitative"}}}, {"y2", {{"field", "y2"}}}}}}});
  const std::string title = fmt::format("Wafer map: {} sites of {:.1f} x {:.1f} mm on a {:.0f} mm wafer", d.at("sites").size(),
                                        d.at("site").value("width_mm", 0.0), d.at("site").value("height_mm", 0.0), 2 * r);
  return {{id + "-wafer-map", title, std::move(spec)}};
}

std::vector<Table> package_tables(const json& d) {
  const json& s = d.at("site");
  return {{"Package",
           {"", ""},
           {{"site", num(s.value("width_mm", json()), 1) + " x " + num(s.value("height_mm", json()), 1) + " mm"},
            {"sites per wafer", text(d.value("sites_per_wafer", json()))},
            {"packing", text(d.value("packing_mode", json()))},
            {"dies per package", text(d.value("dies_per_package", json()))},
            {"compound yield", num(d.value("compound_yield", json()), 3)},
            {"good packages per wafer", num(d.value("good_packages_per_wafer", json()), 2)}}}};
}

}  // namespace

Kind kind_of(const json& doc) {
  if (!doc.is_object()) throw std::invalid_argument("not a JSON object");
  if (doc.contains("purchases") && doc.contains("scenarios") && doc.contains("status")) return Kind::Plan;
  if (doc.contains("run") && doc.contains("lot_types") && doc.contains("tool_groups")) return Kind::Simulation;
  if (doc.contains("curve") && doc.contains("groups") && doc.contains("nominal")) return Kind::Capacity;
  if (doc.contains("sites") && doc.contains("wafer") && doc.contains("site")) return Kind::Package;
  if (doc.contains("trace") && doc.contains("tools") && doc.contains("jobs")) return Kind::Trace;
  throw std::invalid_argument(
      "not an osatsim result: expected a plan (plan.json: purchases, scenarios, status), a simulation "
      "(summary.json: run, lot_types, tool_groups), a capacity analysis (capacity --json: curve, groups, nominal), "
      "a package geometry (package --json: site, sites, wafer) or a trace (trace.json: trace, tools, jobs)");
}

const char* to_string(Kind k) {
  switch (k) {
    case Kind::Plan: return "plan";
    case Kind::Simulation: return "simulation";
    case Kind::Capacity: return "capacity";
    case Kind::Package: return "package";
    case Kind::Trace: return "trace";
  }
  return "?";
}

std::vector<Chart> charts_for(const Run& run, const std::string& id_prefix) {
  switch (kind_of(run.doc)) {
    case Kind::Plan: return plan_charts(run.doc, id_prefix);
    case Kind::Simulation: return simulation_charts(run.doc, id_prefix);
    case Kind::Capacity: return capacity_charts(run.doc, id_prefix);
    case Kind::Package: return package_charts(run.doc, id_prefix);
    case Kind::Trace: return trace_charts(run.doc, id_prefix);
  }
  return {};
}

std::vector<Table> tables_for(const Run& run) {
  switch (kind_of(run.doc)) {
    case Kind::Plan: return plan_tables(run.doc);
    case Kind::Simulation: return simulation_tables(run.doc);
    case Kind::Capacity: return capacity_tables(run.doc);
    case Kind::Package: return package_tables(run.doc);
    case Kind::Trace: return trace_tables(run.doc);
  }
  return {};
}

std::vector<Chart> overlay_charts(const std::vector<Run>& runs) {
  std::vector<Chart> out;
  // Simulations: WIP over time, one line per run.
  json wip = json::array();
  json ct = json::array();
  int sims = 0;
  for (const auto& r : runs) {
    if (kind_of(r.doc) != Kind::Simulation) continue;
    ++sims;
    const json& w = r.doc.at("wip").at("lots_per_day");
    for (std::size_t day = 0; day < w.size(); ++day) wip.push_back({{"run", r.label}, {"day", day}, {"lots", w[day]}});
    for (const auto& t : r.doc.at("lot_types")) {
      const json& c = t.at("cycle_time_days");
      if (c.is_object() && c.value("n", 0) > 0) ct.push_back({{"run", r.label}, {"lot_type", t.at("name")}, {"mean", c.at("mean")}});
    }
  }
  if (sims >= 2) {
    json spec = base_spec("WIP over time, the runs overlaid");
    spec["data"] = {{"values", wip}};
    spec["width"] = 640;
    spec["height"] = 220;
    spec["mark"] = "line";
    spec["encoding"] = {{"x", {{"field", "day"}, {"type", "quantitative"}, {"title", "simulated day"}}},
                        {"y", {{"field", "lots"}, {"type", "quantitative"}, {"title", "WIP (lots)"}}},
                        {"color", {{"field", "run"}, {"type", "nominal"}}}};
    out.push_back({"overlay-wip", "WIP over time, runs overlaid", std::move(spec)});
    json s2 = base_spec("Mean cycle time per lot type, the runs side by side");
    s2["data"] = {{"values", ct}};
    s2["width"] = 640;
    s2["mark"] = "bar";
    s2["encoding"] = {{"y", {{"field", "lot_type"}, {"type", "nominal"}, {"title", nullptr}}},
                      {"yOffset", {{"field", "run"}}},
                      {"x", {{"field", "mean"}, {"type", "quantitative"}, {"title", "mean cycle time (days)"}}},
                      {"color", {{"field", "run"}, {"type", "nominal"}}}};
    out.push_back({"overlay-cycle-time", "Mean cycle time per lot type, runs side by side", std::move(s2)});
  }
  // Capacity analyses against simulations of the same model: the operating curve with the
  // simulated points (the analysis's bottleneck group's utilisation of its available time, the
  // mean cycle time over completed lots).
  for (const auto& c : runs) {
    if (kind_of(c.doc) != Kind::Capacity) continue;
    const std::string model = c.doc.value("factory", std::string());
    const std::string bottleneck = c.doc.value("bottleneck", std::string());
    json values = json::array();
    for (const auto& p : c.doc.at("curve"))
      values.push_back({{"source", "analysis " + c.label}, {"utilisation", p.at("max_utilisation")}, {"cycle_time_days", p.at("mean_cycle_time_days")}});
    int points = 0;
    for (const auto& r : runs) {
      if (kind_of(r.doc) != Kind::Simulation || r.doc.at("run").value("model", std::string()) != model) continue;
      double u = -1, ct = 0, n = 0;
      for (const auto& g : r.doc.at("tool_groups"))
        if (g.value("name", std::string()) == bottleneck) {
          const double work = g.value("busy", 0.0) + g.value("setup", 0.0);
          const double avail = work + g.value("idle", 0.0);
          if (avail > 0) u = work / avail;
        }
      for (const auto& t : r.doc.at("lot_types")) {
        const json& cd = t.at("cycle_time_days");
        if (!cd.is_object() || cd.value("n", 0) == 0) continue;
        ct += cd.value("n", 0) * cd.value("mean", 0.0);
        n += cd.value("n", 0);
      }
      if (u < 0 || n == 0) continue;
      values.push_back({{"source", "simulation " + r.label}, {"utilisation", u}, {"cycle_time_days", ct / n}});
      ++points;
    }
    if (points == 0) continue;
    json spec = base_spec("Operating curve of the analysis with the simulated points of the same model");
    spec["data"] = {{"values", values}};
    spec["width"] = 480;
    spec["height"] = 280;
    spec["mark"] = {{"type", "line"}, {"point", {{"size", 60}}}};
    spec["encoding"] = {{"x", {{"field", "utilisation"}, {"type", "quantitative"}, {"axis", {{"format", "%"}}}, {"title", "utilisation of " + bottleneck + " (of available time)"}}},
                        {"y", {{"field", "cycle_time_days"}, {"type", "quantitative"}, {"title", "mean cycle time (days)"}}},
                        {"color", {{"field", "source"}, {"type", "nominal"}, {"title", nullptr}}},
                        {"tooltip", json::array({{{"field", "source"}}, {{"field", "utilisation"}, {"format", ".1%"}}, {{"field", "cycle_time_days"}, {"format", ".2f"}}})}};
    out.push_back({"overlay-curve-" + std::to_string(out.size()), "Operating curve (" + c.label + ") against simulated points", std::move(spec)});
  }
  // Plans: total expected shipments per month, one line per run.
  json ship = json::array();
  int plans = 0;
  for (const auto& r : runs) {
    if (kind_of(r.doc) != Kind::Plan) continue;
    ++plans;
    std::map<std::string, double> per_month;
    for (const auto& s : r.doc.at("scenarios"))
      for (const auto& x : s.at("shipments")) per_month[x.at("month").get<std::string>()] += s.value("probability", 1.0) * x.value("shipped", 0.0);
    for (const auto& [m, v] : per_month) ship.push_back({{"run", r.label}, {"month", m}, {"shipped", v}});
  }
  if (plans >= 2) {
    json spec = base_spec("Expected good units shipped per month, the plans overlaid");
    spec["data"] = {{"values", ship}};
    spec["width"] = 640;
    spec["height"] = 220;
    spec["mark"] = {{"type", "line"}, {"point", true}};
    spec["encoding"] = {{"x", {{"field", "month"}, {"type", "ordinal"}}},
                        {"y", {{"field", "shipped"}, {"type", "quantitative"}, {"title", "good units shipped"}}},
                        {"color", {{"field", "run"}, {"type", "nominal"}}}};
    out.push_back({"overlay-shipments", "Shipments per month, plans overlaid", std::move(spec)});
  }
  return out;
}

}  // namespace osatsim::report
