// osatsim validate PATH [--json FILE]: reads and checks a factory, prints a model summary.
#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>
#include <tuple>

#include "cli/command.h"
#include "cli/options.h"
#include "cli/output.h"
#include "io/load.h"
#include "model/factory.h"
#include "model/flow.h"

namespace osatsim::cli {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;
using model::Factory;

// Tool groups and areas, batching and cascading groups.
void summarize_tool_groups(const Factory& f, json& j) {
  std::map<std::string, std::pair<int, int>> by_area;  // groups, tools
  int delay_groups = 0, batch_groups = 0, batch_tools = 0, casc_groups = 0, casc_tools = 0;
  for (const auto& g : f.tool_groups) {
    auto& a = by_area[g.area];
    a.first += 1;
    a.second += g.tools;
    if (g.is_delay) ++delay_groups;
    if (g.batch_criterion != model::BatchCriterion::None) {
      ++batch_groups;
      batch_tools += g.tools;
    }
    if (g.capacity > 1) {
      ++casc_groups;
      casc_tools += g.tools;
    }
  }
  json areas = json::object();
  for (const auto& [name, v] : by_area) areas[name] = {{"groups", v.first}, {"tools", v.second}};
  j["tool_groups"] = {{"count", f.tool_groups.size()},
                      {"areas", by_area.size()},
                      {"delay_groups", delay_groups},
                      {"tools", f.total_tools(true)},
                      {"tools_without_delay", f.total_tools(false)},
                      {"by_area", areas}};
  j["batching"] = {{"groups", batch_groups}, {"tools", batch_tools}};
  j["cascading"] = {{"groups", casc_groups}, {"tools", casc_tools}};
}

// Products (with what a site, a wafer and a package hold) and routes.
void summarize_products_and_routes(const Factory& f, json& j) {
  std::vector<std::vector<std::string>> products_of(f.routes.size());
  std::vector<int> wafers_of(f.routes.size(), 25);
  std::vector<const model::Product*> product_of(f.routes.size(), nullptr);
  json products = json::array();
  for (std::size_t p = 0; p < f.products.size(); ++p) {
    const auto& pr = f.products[p];
    json pj{{"name", pr.name}, {"route", f.routes[pr.route].name}};
    // Packaging products: what a site, a wafer and a package hold.
    if (pr.starts_as_units || pr.sites_per_wafer > 0 || !pr.dies.empty()) {
      int dies = 0;
      json by_kind = json::object();
      for (const auto& d : pr.dies) {
        dies += d.count;
        by_kind[f.components[d.component].name] = d.count;
      }
      pj["starts_as"] = pr.starts_as_units ? "units" : "wafers";
      pj["sites_per_wafer"] = pr.sites_per_wafer;
      if (!pr.site_packing.empty()) pj["site_packing"] = pr.site_packing;
      pj["site_yield"] = pr.site_yield;
      pj["dies_per_package"] = dies;
      pj["dies"] = by_kind;
    }
    products.push_back(pj);
    products_of[pr.route].push_back(pr.name);
    if (product_of[pr.route] != nullptr) continue;
    product_of[pr.route] = &pr;
    for (const auto& s : f.streams)
      if (s.product == static_cast<int>(p)) {
        wafers_of[pr.route] = s.wafers_per_lot;
        break;
      }
  }
  json routes = json::array();
  for (std::size_t r = 0; r < f.routes.size(); ++r) {
    const auto& rt = f.routes[r];
    int lot = 0, wafer = 0, batch = 0, setup = 0, sampled = 0, cqt = 0, ded = 0, rwk = 0, moves = 0;
    double expected = 0;
    // Raw process time of the route's first product with its first stream's lot size
    // (model/flow.h: the expected lot size along the route, as capacity and simulate use it).
    static const model::Product kNoProduct{};
    const model::StreamFlow flow =
        model::route_flow(f, rt, product_of[r] ? *product_of[r] : kNoProduct, wafers_of[r]);
    const double rpt = flow.raw_process, rpt_smp = flow.raw_process_sampled;
    for (std::size_t i = 0; i < rt.steps.size(); ++i) {
      const auto& s = rt.steps[i];
      lot += s.basis == model::TimeBasis::PerLot;
      wafer += s.basis == model::TimeBasis::PerWafer;
      batch += s.basis == model::TimeBasis::PerBatch;
      setup += s.setup != model::kNone;
      sampled += s.sample_probability < 1.0;
      cqt += s.cqt_exit_step != model::kNone;
      ded += s.dedicate_step != model::kNone;
      rwk += s.rework_step != model::kNone;
      expected += s.sample_probability;
      if (i + 1 < rt.steps.size() &&
          f.transport_time(f.tool_groups[s.tool_group].location,
                           f.tool_groups[rt.steps[i + 1].tool_group].location) != nullptr)
        ++moves;
    }
    std::string file = fs::path(rt.src.file).filename().string();
    routes.push_back({{"name", rt.name},
                      {"file", file},
                      {"products", products_of[r]},
                      {"steps", rt.steps.size()},
                      {"expected_steps", expected},
                      {"per_lot", lot},
                      {"per_wafer", wafer},
                      {"per_batch", batch},
                      {"setup_steps", setup},
                      {"sampled_steps", sampled},
                      {"cqt_steps", cqt},
                      {"dedication_steps", ded},
                      {"rework_steps", rwk},
                      {"moves", moves},
                      {"rpt_days", rpt / kTicksPerDay},
                      {"rpt_sampled_days", rpt_smp / kTicksPerDay}});
  }
  j["products"] = products;
  j["routes"] = routes;
}

// Release streams.
void summarize_streams(const Factory& f, json& j) {
  json streams = json::array();
  double lots_day = 0, wafers_day = 0, units_day = 0;
  for (std::size_t si = 0; si < f.streams.size(); ++si) {
    const auto& s = f.streams[si];
    const double lpd = model::lots_per_day(s);
    const bool units = f.products[s.product].starts_as_units;
    const model::StreamFlow flow = model::stream_flow(f, static_cast<model::StreamId>(si));
    lots_day += lpd;
    (units ? units_day : wafers_day) += lpd * s.wafers_per_lot;
    streams.push_back({{"name", s.name},
                       {"product", f.products[s.product].name},
                       {"priority", s.priority},
                       {"starts_as", units ? "units" : "wafers"},
                       {"wafers_per_lot", units ? 0 : s.wafers_per_lot},
                       {"units_per_lot", units ? s.wafers_per_lot : 0},
                       {"rpt_days", flow.raw_process / kTicksPerDay},
                       {"rpt_sampled_days", flow.raw_process_sampled / kTicksPerDay},
                       {"interval_min", to_minutes(static_cast<Ticks>(s.interval.expected()))},
                       {"interval", s.interval.scaled(1.0 / kTicksPerMinute).to_string()},
                       {"lots_per_release", s.lots_per_release},
                       {"max_releases", s.max_releases},
                       {"first_release_days", to_days(s.first_release)},
                       {"lots_per_day", lpd},
                       {"due_offset_days", to_days(s.due_offset)}});
  }
  j["release_streams"] = {{"count", f.streams.size()},         {"lots_per_day", lots_day},
                          {"lots_per_week", 7 * lots_day},     {"wafers_per_day", wafers_day},
                          {"wafers_per_week", 7 * wafers_day}, {"units_per_day", units_day},
                          {"units_per_week", 7 * units_day},   {"streams", streams}};
}

// Initial WIP.
void summarize_wip(const Factory& f, json& j) {
  std::map<std::string, int> wip_product;
  std::map<int, int> wip_prio;
  long long wip_wafers = 0;
  int no_stream = 0;
  for (const auto& l : f.initial_wip) {
    ++wip_product[f.products[l.product].name];
    ++wip_prio[l.priority];
    wip_wafers += l.wafers;
    no_stream += l.stream == model::kNone;
  }
  json by_prio = json::object();
  for (const auto& [p, n] : wip_prio) by_prio[std::to_string(p)] = n;
  j["initial_wip"] = {{"lots", f.initial_wip.size()},
                      {"wafers", wip_wafers},
                      {"without_stream", no_stream},
                      {"by_product", wip_product},
                      {"by_priority", by_prio}};
}

// Setup states, changes and groups.
void summarize_setups(const Factory& f, json& j) {
  json groups = json::array();
  for (std::size_t i = 0; i < f.setup_groups.size(); ++i) {
    const auto& sg = f.setup_groups[i];
    std::vector<std::string> members, tools;
    for (auto m : sg.members) members.push_back(f.setups[m]);
    for (const auto& g : f.tool_groups)
      if (g.setup_group == static_cast<int>(i)) tools.push_back(g.name);
    groups.push_back(
        {{"name", sg.name}, {"min_run", sg.min_run}, {"setups", members}, {"tool_groups", tools}});
  }
  int lssu = 0, wake = 0;
  for (const auto& g : f.tool_groups) {
    lssu += g.lssu;
    wake += g.wake_least_setup;
  }
  j["setups"] = {{"states", f.setups.size()},
                 {"changes", f.setup_changes.size()},
                 {"lssu_tool_groups", lssu},
                 {"wake_least_setup_tool_groups", wake},
                 {"groups", groups}};
}

// Calendars and their attachments.
void summarize_calendars(const Factory& f, json& j) {
  auto attach = [&](auto member, auto keep) {
    std::set<std::pair<std::string, int>> rows;
    int groups_n = 0, tools_n = 0;
    for (const auto& g : f.tool_groups) {
      bool any = false;
      for (const auto& a : g.*member)
        if (keep(a)) {
          rows.emplace(a.src.file, a.src.line);
          any = true;
        }
      groups_n += any;
      tools_n += any ? g.tools : 0;
    }
    return std::tuple{rows.size(), groups_n, tools_n};
  };
  auto [down_rows, down_groups, down_tools] =
      attach(&model::ToolGroup::downs, [](const model::DownAttachment&) { return true; });
  auto is_cal = [&](const model::PmAttachment& a) {
    return f.pm_calendars[a.calendar].trigger == model::PmTrigger::Calendar;
  };
  auto [cpm_rows, cpm_groups, cpm_tools] = attach(&model::ToolGroup::pms, is_cal);
  auto [wpm_rows, wpm_groups, wpm_tools] =
      attach(&model::ToolGroup::pms, [&](const model::PmAttachment& a) { return !is_cal(a); });
  int cal_pm = 0, wafer_pm = 0;
  for (const auto& c : f.pm_calendars)
    (c.trigger == model::PmTrigger::Calendar ? cal_pm : wafer_pm)++;
  j["calendars"] = {{"down",
                     {{"calendars", f.down_calendars.size()},
                      {"attach_rows", down_rows},
                      {"tool_groups", down_groups},
                      {"tools", down_tools}}},
                    {"calendar_pm",
                     {{"calendars", cal_pm},
                      {"attach_rows", cpm_rows},
                      {"tool_groups", cpm_groups},
                      {"tools", cpm_tools}}},
                    {"wafer_pm",
                     {{"calendars", wafer_pm},
                      {"attach_rows", wpm_rows},
                      {"tool_groups", wpm_groups},
                      {"tools", wpm_tools}}}};
}

// Transport lanes and components.
void summarize_transport(const Factory& f, json& j) {
  auto location = [&f](model::LocationId id) {
    return id >= 0 && id < static_cast<int>(f.locations.size()) ? f.locations[id].name
                                                                : std::string("?");
  };
  json lanes = json::array();
  for (const auto& l : f.transport) {
    lanes.push_back({{"from", location(l.from)},
                     {"to", location(l.to)},
                     {"time_min", l.time.scaled(1.0 / kTicksPerMinute).to_string()},
                     {"mean_min", to_minutes(static_cast<Ticks>(l.time.expected()))}});
  }
  std::vector<std::string> locs;
  for (const auto& l : f.locations) locs.push_back(l.name);
  j["transport"] = {{"locations", locs}, {"lanes", lanes}};
  j["components"] = {{"count", f.components.size()}, {"supplies", f.supplies.size()}};
}

json summarize(const Factory& f) {
  json j;
  j["name"] = f.name;
  j["source"] = f.source;

  summarize_tool_groups(f, j);
  summarize_products_and_routes(f, j);
  summarize_streams(f, j);
  summarize_wip(f, j);
  summarize_setups(f, j);
  summarize_calendars(f, j);
  summarize_transport(f, j);
  return j;
}

std::string text_summary(const json& j) {
  std::string o;
  auto line = [&o](const std::string& s) {
    o += s;
    o += '\n';
  };
  line(fmt::format("model: {} ({})", j["name"].get<std::string>(), j["source"].get<std::string>()));
  const auto& tg = j["tool_groups"];
  line(fmt::format("tool groups: {} in {} areas ({} delay groups)", tg["count"].get<int>(),
                   tg["areas"].get<int>(), tg["delay_groups"].get<int>()));
  line(fmt::format("tools: {} (without delay groups: {})", tg["tools"].get<int>(),
                   tg["tools_without_delay"].get<int>()));
  for (const auto& [area, v] : tg["by_area"].items())
    line(fmt::format("  area {}: {} groups, {} tools", area, v["groups"].get<int>(),
                     v["tools"].get<int>()));
  line(fmt::format("batch groups: {} ({} tools)", j["batching"]["groups"].get<int>(),
                   j["batching"]["tools"].get<int>()));
  line(fmt::format("cascading groups: {} ({} tools)", j["cascading"]["groups"].get<int>(),
                   j["cascading"]["tools"].get<int>()));
  line(fmt::format("products: {}", j["products"].size()));
  for (const auto& p : j["products"]) {
    if (!p.contains("dies_per_package")) continue;
    std::string dies;
    for (const auto& [k, n] : p["dies"].items())
      dies += fmt::format("{}{} {}", dies.empty() ? "" : ", ", k, n.get<int>());
    const std::string pkg = fmt::format("{} dies per package{}", p["dies_per_package"].get<int>(),
                                        dies.empty() ? "" : " (" + dies + ")");
    if (p["starts_as"] == "units") {
      line(fmt::format("  product {}: starts as units, {}", p["name"].get<std::string>(), pkg));
      continue;
    }
    line(fmt::format("  product {}: {} sites per wafer{}, site yield {:.4f}, {}",
                     p["name"].get<std::string>(), p["sites_per_wafer"].get<int>(),
                     p.contains("site_packing") ? " (" + p["site_packing"].get<std::string>() + ")"
                                                : std::string(),
                     p["site_yield"].get<double>(), pkg));
  }
  line(fmt::format("routes: {}", j["routes"].size()));
  for (const auto& r : j["routes"]) {
    std::string prods;
    for (const auto& p : r["products"]) prods += (prods.empty() ? "" : ",") + p.get<std::string>();
    line(fmt::format(
        "  route {} ({}, {}): {} steps, expected performed {:.1f}, per lot/wafer/batch {}/{}/{}, "
        "setup {}, sampled {}, CQT {}, dedication {}, rework {}, moves {}, RPT {:.2f} d "
        "(sampled {:.2f} d)",
        r["name"].get<std::string>(), r["file"].get<std::string>(), prods, r["steps"].get<int>(),
        r["expected_steps"].get<double>(), r["per_lot"].get<int>(), r["per_wafer"].get<int>(),
        r["per_batch"].get<int>(), r["setup_steps"].get<int>(), r["sampled_steps"].get<int>(),
        r["cqt_steps"].get<int>(), r["dedication_steps"].get<int>(), r["rework_steps"].get<int>(),
        r["moves"].get<int>(), r["rpt_days"].get<double>(), r["rpt_sampled_days"].get<double>()));
  }
  const auto& rs = j["release_streams"];
  std::string starts = fmt::format("{:.1f} wafers/day, {:.1f} wafers/week",
                                   rs["wafers_per_day"].get<double>(),
                                   rs["wafers_per_week"].get<double>());
  if (rs["units_per_day"].get<double>() > 0)
    starts += fmt::format(", {:.1f} units/day (unit-start products)",
                          rs["units_per_day"].get<double>());
  line(fmt::format("release streams: {}, {:.3f} lots/day, {:.1f} lots/week, {}",
                   rs["count"].get<int>(), rs["lots_per_day"].get<double>(),
                   rs["lots_per_week"].get<double>(), starts));
  for (const auto& s : rs["streams"]) {
    const bool units = s["starts_as"].get<std::string>() == "units";
    line(fmt::format("  stream {}: {}, priority {}, every {:.2f} min, {} lot(s) of {} {}, "
                     "{:.4f} lots/day, due offset {:.2f} d, RPT {:.2f} d (sampled {:.2f} d)",
                     s["name"].get<std::string>(), s["product"].get<std::string>(),
                     s["priority"].get<int>(), s["interval_min"].get<double>(),
                     s["lots_per_release"].get<int>(),
                     s[units ? "units_per_lot" : "wafers_per_lot"].get<int>(),
                     units ? "units" : "wafers", s["lots_per_day"].get<double>(),
                     s["due_offset_days"].get<double>(), s["rpt_days"].get<double>(),
                     s["rpt_sampled_days"].get<double>()));
  }
  const auto& w = j["initial_wip"];
  line(fmt::format("initial WIP: {} lots ({} wafers)", w["lots"].get<int>(),
                   w["wafers"].get<long long>()));
  std::string byp, byr;
  for (const auto& [p, n] : w["by_product"].items())
    byp += fmt::format("{}{} {}", byp.empty() ? "" : ", ", p, n.get<int>());
  for (const auto& [p, n] : w["by_priority"].items())
    byr += fmt::format("{}{}: {}", byr.empty() ? "" : ", ", p, n.get<int>());
  line("  by product: " + (byp.empty() ? std::string("-") : byp));
  line("  by priority: " + (byr.empty() ? std::string("-") : byr));
  const auto& su = j["setups"];
  line(fmt::format("setups: {} states, {} changes, {} setup groups", su["states"].get<int>(),
                   su["changes"].get<int>(), su["groups"].size()));
  for (const auto& g : su["groups"]) {
    std::string tools;
    for (const auto& t : g["tool_groups"])
      tools += (tools.empty() ? "" : ",") + t.get<std::string>();
    line(fmt::format("  setup group {}: {} setups, min run {}, tool groups {}",
                     g["name"].get<std::string>(), g["setups"].size(), g["min_run"].get<int>(),
                     tools.empty() ? std::string("-") : tools));
  }
  const auto& c = j["calendars"];
  for (const char* k : {"down", "calendar_pm", "wafer_pm"}) {
    const auto& e = c[k];
    const char* label = std::string_view(k) == "down"          ? "down calendars"
                        : std::string_view(k) == "calendar_pm" ? "calendar PM"
                                                               : "wafer-count PM";
    line(fmt::format("{}: {} calendars, {} attach rows, {} tool groups, {} tools", label,
                     e["calendars"].get<int>(), e["attach_rows"].get<int>(),
                     e["tool_groups"].get<int>(), e["tools"].get<int>()));
  }
  if (j["components"]["count"].get<int>() > 0)
    line(fmt::format("components: {} ({} supplies)", j["components"]["count"].get<int>(),
                     j["components"]["supplies"].get<int>()));
  line(fmt::format("transport lanes: {}", j["transport"]["lanes"].size()));
  for (const auto& l : j["transport"]["lanes"])
    line(fmt::format("  {} -> {}: {} min", l["from"].get<std::string>(), l["to"].get<std::string>(),
                     l["time_min"].get<std::string>()));
  return o;
}

struct Options {
  std::string path;
  std::string json_file;
};

Runner setup(CLI::App* app) {
  auto opt = std::make_shared<Options>();
  app->add_option("path", opt->path,
                  "SMT2020 model directory, .yaml scenario file or built-in scenario name")
      ->required();
  CLI::Option* json_opt =
      app->add_option("--json", opt->json_file, "also write the summary as JSON to this file");
  return [opt, json_opt]() {
    if (json_opt->count() > 0 && !check_output_file("validate", "--json", opt->json_file))
      return kExitBadInput;
    Diagnostics diags;
    auto factory = io::load_factory(opt->path, diags);
    if (!factory) {
      for (const auto& d : diags.items()) std::fprintf(stderr, "%s\n", d.to_string().c_str());
      if (diags.empty()) std::fprintf(stderr, "%s: cannot load\n", opt->path.c_str());
      return kExitBadInput;
    }
    const json j = summarize(*factory);
    if (!opt->json_file.empty()) {
      std::string why;
      if (!write_atomically(opt->json_file, j.dump(2) + "\n", why)) {
        std::fprintf(stderr, "%s: %s\n", opt->json_file.c_str(), why.c_str());
        return kExitFailure;
      }
    }
    const std::string text = text_summary(j);
    std::fwrite(text.data(), 1, text.size(), stdout);
    return kExitOk;
  };
}

const Registrar reg{"validate", "read and check a factory model, print its summary", setup, 10};

}  // namespace
}  // namespace osatsim::cli
