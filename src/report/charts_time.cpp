// The report's charts over time (docs/report.md): a simulation's tool group x period
// utilisation heatmap and the tool states of its most loaded group per period (from
// summary.json's tool_group_series), and the Gantt chart of a trace (simulate --trace).
#include <fmt/format.h>

#include <string>
#include <vector>

#include "report/spec.h"

namespace osatsim::report {

using nlohmann::json;

namespace {

const json kStates = json::array({"busy", "setup", "down", "pm", "idle"});
const json kStateColours = json::array({"#4c78a8", "#f58518", "#e45756", "#b279a2", "#d9d9d9"});

// Utilisation (busy + setup) of a series group over the whole window, weighted by the periods'
// lengths.
double utilisation(const json& g, const json& lengths) {
  double u = 0, t = 0;
  for (std::size_t p = 0; p < lengths.size(); ++p) {
    const double len = lengths[p].get<double>();
    u += (g.at("busy")[p].get<double>() + g.at("setup")[p].get<double>()) * len;
    t += len;
  }
  return t > 0 ? u / t : 0;
}

}  // namespace

std::vector<Chart> state_series_charts(const json& d, const std::string& id) {
  std::vector<Chart> out;
  if (!d.contains("tool_group_series")) return out;
  const json& s = d.at("tool_group_series");
  const json& start = s.at("start_day");
  const json& length = s.at("length_days");
  const auto groups = top(
      s.at("groups"), 25, [&](const json& g) { return utilisation(g, length); },
      [](const json&) { return true; });
  if (groups.empty() || start.empty()) return out;
  const std::string period = fmt::format("{:g}-day", s.value("period_days", 7.0));
  {
    json values = json::array();
    for (std::size_t i = 0; i < groups.size(); ++i) {
      const json& g = *groups[i];
      for (std::size_t p = 0; p < start.size(); ++p) {
        const double a = start[p].get<double>();
        values.push_back({{"group", g.at("name")}, {"rank", i}, {"from", a},
                          {"to", a + length[p].get<double>()},
                          {"utilisation", g.at("busy")[p].get<double>() + g.at("setup")[p].get<double>()}});
      }
    }
    json spec = base_spec("Utilisation (busy + setup) of the most loaded tool groups per " + period + " period");
    spec["data"] = {{"values", values}};
    spec["width"] = 560;
    spec["mark"] = "rect";
    spec["encoding"] = {
        {"y", {{"field", "group"}, {"type", "nominal"}, {"sort", {{"field", "rank"}}}, {"title", nullptr}}},
        {"x", {{"field", "from"}, {"type", "quantitative"}, {"title", "simulated day"}}},
        {"x2", {{"field", "to"}}},
        {"color", {{"field", "utilisation"}, {"type", "quantitative"}, {"scale", {{"domain", {0, 1}}, {"scheme", "viridis"}}}, {"legend", {{"format", "%"}}}}},
        {"tooltip", json::array({{{"field", "group"}}, {{"field", "from"}, {"title", "from day"}}, {{"field", "utilisation"}, {"format", ".1%"}}})}};
    out.push_back({id + "-heatmap", fmt::format("Utilisation per tool group and {} period ({} most loaded groups)", period, groups.size()), std::move(spec)});
  }
  {
    const json& g = *groups.front();
    json values = json::array();
    for (std::size_t p = 0; p < start.size(); ++p)
      for (std::size_t k = 0; k < kStates.size(); ++k)
        values.push_back({{"day", start[p]}, {"state", kStates[k]}, {"order", k},
                          {"share", g.at(kStates[k].get<std::string>())[p]}});
    json spec = base_spec("Tool states of the most loaded group per period");
    spec["data"] = {{"values", values}};
    spec["width"] = 560;
    spec["height"] = 200;
    spec["mark"] = {{"type", "area"}, {"interpolate", "step-after"}};
    spec["encoding"] = {
        {"x", {{"field", "day"}, {"type", "quantitative"}, {"title", "simulated day"}}},
        {"y", {{"field", "share"}, {"type", "quantitative"}, {"stack", "normalize"}, {"axis", {{"format", "%"}}}, {"title", "share of time"}}},
        {"color", {{"field", "state"}, {"type", "nominal"}, {"scale", {{"domain", kStates}, {"range", kStateColours}}}}},
        {"order", {{"field", "order"}}}};
    out.push_back({id + "-states-over-time", "Tool states over time: " + g.at("name").get<std::string>() + " (the most loaded group)", std::move(spec)});
  }
  return out;
}

std::vector<Chart> trace_charts(const json& d, const std::string& id) {
  json values = json::array();
  for (const auto& j : d.at("jobs"))
    values.push_back({{"tool", j.at("tool")}, {"start", j.at("start_day")}, {"end", j.at("end_day")},
                      {"what", j.at("what")}, {"kind", "job"}, {"lots", j.value("lots", 1)}});
  for (const auto& o : d.value("outages", json::array()))
    values.push_back({{"tool", o.at("tool")}, {"start", o.at("start_day")}, {"end", o.at("end_day")},
                      {"what", o.at("what")}, {"kind", o.at("what")}, {"lots", 0}});
  json order = json::array();
  for (const auto& t : d.at("tools")) order.push_back(t.at("name"));
  json spec = base_spec("Gantt chart of the traced tools");
  spec["data"] = {{"values", values}};
  spec["width"] = 620;
  spec["mark"] = {{"type", "bar"}, {"cornerRadius", 1}};
  spec["encoding"] = {
      {"y", {{"field", "tool"}, {"type", "nominal"}, {"sort", order}, {"title", nullptr}}},
      {"x", {{"field", "start"}, {"type", "quantitative"}, {"title", "simulated day"}, {"scale", {{"zero", false}}}}},
      {"x2", {{"field", "end"}}},
      {"color", {{"field", "kind"}, {"type", "nominal"}, {"scale", {{"domain", json::array({"job", "down", "pm"})}, {"range", json::array({"#4c78a8", "#e45756", "#b279a2"})}}}}},
      {"tooltip", json::array({{{"field", "tool"}}, {{"field", "what"}}, {{"field", "lots"}}, {{"field", "start"}, {"format", ".3f"}}, {{"field", "end"}, {"format", ".3f"}}})}};
  const json w = d.at("trace").value("window_days", json::array({0, 0}));
  return {{id + "-gantt", fmt::format("Gantt chart, days {} to {} (jobs by step; downs and PMs)", w.at(0).dump(), w.at(1).dump()), std::move(spec)}};
}

std::vector<Table> trace_tables(const json& d) {
  Table t{"Traced tools", {"tool", "jobs", "busy (days)", "down/PM (days)"}, {}};
  for (const auto& tool : d.at("tools")) {
    const std::string name = tool.at("name").get<std::string>();
    int jobs = 0;
    double busy = 0, out = 0;
    for (const auto& j : d.at("jobs"))
      if (j.at("tool") == name) {
        ++jobs;
        busy += j.at("end_day").get<double>() - j.at("start_day").get<double>();
      }
    for (const auto& o : d.value("outages", json::array()))
      if (o.at("tool") == name) out += o.at("end_day").get<double>() - o.at("start_day").get<double>();
    t.rows.push_back({name, std::to_string(jobs), fmt::format("{:.2f}", busy), fmt::format("{:.2f}", out)});
  }
  return {t};
}

}  // namespace osatsim::report
