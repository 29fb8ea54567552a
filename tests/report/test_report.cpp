// Reports (docs/report.md): the charts' data against the result documents, the page's
// structure, `osatsim report` on bad input, the plan's own report.html, and the page rendered in
// a real browser (headless chromium) with every chart drawn and no JavaScript error.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "report/report.h"
#include "support/test_support.h"

namespace osatsim {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const char* kNetwork =
    "name: t\n"
    "start: 2026-01\n"
    "horizon: 4\n"
    "lines:\n"
    "  - name: tiny\n"
    "    model: tiny_line.yaml\n"
    "    tools: [{group: bond, price: 300000, lead_months: 1}]\n"
    "products:\n"
    "  - {name: A, margin: 1000}\n"
    "customers:\n"
    "  - name: c1\n"
    "    demand: [{product: A, per_month: 150}]\n"
    "  - name: c2\n"
    "    demand: [{product: A, per_month: 90}]\n"
    "components:\n"
    "  - {name: die, per_month: 500}\n"
    "sites:\n"
    "  - name: s1\n"
    "    region: Taiwan\n"
    "    lines:\n"
    "      - {name: l1, line: tiny, status: in_place}\n";

// Result documents made once by the real commands: a plan (with verification), two simulations
// of different seeds and a capacity analysis.
struct Docs {
  test::TempDir tmp;
  fs::path plan, sim1, sim2, cap, pkg, trace;
  std::string error;
  Docs() {
    tmp.write("tiny_line.yaml", test::read_file(test::source_dir() / "tests/planner/fixtures/tiny_line.yaml"));
    const auto net = tmp.write("n.yaml", kNetwork);
    auto run = [&](const std::vector<std::string>& args) {
      const auto r = test::run_osatsim(args);
      if (r.exit_code != 0) error += args[0] + ": " + r.err;
    };
    run({"plan", net.string(), "--out", (tmp.path() / "plan").string(), "--verify-days", "40", "--verify-replications", "1"});
    run({"simulate", "default", "--days", "30", "--seed", "1", "--out", (tmp.path() / "sim1").string(),
         "--trace", "grinder,litho", "--trace-window", "10:12"});
    run({"simulate", "default", "--days", "30", "--seed", "2", "--out", (tmp.path() / "sim2").string()});
    run({"capacity", "default", "--json", (tmp.path() / "cap.json").string()});
    run({"package", "--site", "52x54.5", "--json", (tmp.path() / "pkg.json").string()});
    plan = tmp.path() / "plan" / "plan.json";
    sim1 = tmp.path() / "sim1" / "summary.json";
    sim2 = tmp.path() / "sim2" / "summary.json";
    cap = tmp.path() / "cap.json";
    pkg = tmp.path() / "pkg.json";
    trace = tmp.path() / "sim1" / "trace.json";
  }
};

const Docs& docs() {
  static const Docs d;
  return d;
}

json load(const fs::path& p) { return json::parse(test::read_file(p)); }

TEST(Report, KindsOfResultDocuments) {
  ASSERT_TRUE(docs().error.empty()) << docs().error;
  EXPECT_EQ(report::kind_of(load(docs().plan)), report::Kind::Plan);
  EXPECT_EQ(report::kind_of(load(docs().sim1)), report::Kind::Simulation);
  EXPECT_EQ(report::kind_of(load(docs().cap)), report::Kind::Capacity);
  EXPECT_EQ(report::kind_of(load(docs().pkg)), report::Kind::Package);
  EXPECT_THROW(report::kind_of(json{{"a", 1}}), std::invalid_argument);
  EXPECT_THROW(report::kind_of(json::array()), std::invalid_argument);
}

// The shipments chart carries, per customer and month, the probability-weighted shipments and
// demand of the plan; the capex chart the purchases' cost.
TEST(Report, PlanChartsCarryThePlansFigures) {
  ASSERT_TRUE(docs().error.empty()) << docs().error;
  const report::Run run{"p", load(docs().plan)};
  const auto charts = report::charts_for(run, "r");
  std::map<std::string, const report::Chart*> by_id;
  for (const auto& c : charts) by_id[c.id] = &c;
  ASSERT_TRUE(by_id.count("r-shipments"));
  ASSERT_TRUE(by_id.count("r-capex"));
  ASSERT_TRUE(by_id.count("r-utilisation"));
  ASSERT_TRUE(by_id.count("r-verification"));
  std::map<std::string, double> shipped, demand;
  for (const auto& s : run.doc.at("scenarios"))
    for (const auto& x : s.at("shipments")) {
      const std::string k = x.at("customer").get<std::string>() + "|" + x.at("month").get<std::string>();
      shipped[k] += s.at("probability").get<double>() * x.at("shipped").get<double>();
      demand[k] += s.at("probability").get<double>() * x.at("demand").get<double>();
    }
  const json& values = by_id["r-shipments"]->spec.at("data").at("values");
  ASSERT_EQ(values.size(), shipped.size());
  for (const auto& v : values) {
    const std::string k = v.at("customer").get<std::string>() + "|" + v.at("month").get<std::string>();
    EXPECT_NEAR(v.at("shipped").get<double>(), shipped.at(k), 1e-6) << k;
    EXPECT_NEAR(v.at("demand").get<double>(), demand.at(k), 1e-6) << k;
  }
  double cost = 0, charted = 0;
  for (const auto& p : run.doc.at("purchases")) cost += p.at("cost").get<double>();
  for (const auto& b : run.doc.at("buildings_opened")) cost += b.at("capex").get<double>();
  for (const auto& v : by_id["r-capex"]->spec.at("data").at("values")) charted += v.at("capex_musd").get<double>() * 1e6;
  EXPECT_NEAR(charted, cost, 1e-3);
  EXPECT_EQ(by_id["r-utilisation"]->spec.at("data").at("values").size(), run.doc.at("lines").size());
}

// The wafer map: one rectangle per package site, where the geometry placed it, inside the wafer.
TEST(Report, WaferMapDrawsEverySite) {
  ASSERT_TRUE(docs().error.empty()) << docs().error;
  const report::Run run{"g", load(docs().pkg)};
  const auto charts = report::charts_for(run, "r");
  ASSERT_EQ(charts.size(), 1u);
  const json& sites = charts[0].spec.at("layer")[1].at("data").at("values");
  ASSERT_EQ(sites.size(), run.doc.at("sites_per_wafer").get<std::size_t>());
  const double r = run.doc.at("wafer").at("diameter_mm").get<double>() / 2;
  for (std::size_t i = 0; i < sites.size(); ++i) {
    const json& s = run.doc.at("sites")[i];
    EXPECT_DOUBLE_EQ(sites[i].at("x").get<double>(), s.at("x_mm").get<double>());
    EXPECT_DOUBLE_EQ(sites[i].at("y2").get<double>() - sites[i].at("y").get<double>(), s.at("h_mm").get<double>());
    for (const char* cx : {"x", "x2"})
      for (const char* cy : {"y", "y2"})
        EXPECT_LE(std::hypot(sites[i].at(cx).get<double>(), sites[i].at(cy).get<double>()), r) << i;
  }
}

TEST(Report, SimulationChartsCarryTheRunsFigures) {
  ASSERT_TRUE(docs().error.empty()) << docs().error;
  const report::Run run{"s", load(docs().sim1)};
  const auto charts = report::charts_for(run, "r");
  ASSERT_EQ(charts.size(), 5u);
  // WIP: one point per simulated day, the run's own series.
  const json& wip = charts[1].spec.at("data").at("values");
  const json& series = run.doc.at("wip").at("lots_per_day");
  ASSERT_EQ(wip.size(), series.size());
  for (std::size_t i = 0; i < wip.size(); ++i) EXPECT_DOUBLE_EQ(wip[i].at("lots").get<double>(), series[i].get<double>());
  // Tool states: the 15 most loaded groups, five states each, shares summing to the group's total.
  const json& states = charts[0].spec.at("data").at("values");
  EXPECT_EQ(states.size(), 15u * 5u);
  std::map<std::string, double> total;
  for (const auto& v : states) total[v.at("group").get<std::string>()] += v.at("share").get<double>();
  for (const auto& [g, t] : total) EXPECT_NEAR(t, 1.0, 0.02) << g;
  // Heatmap: the 25 most loaded groups (all 30 of the default line have fewer), one cell per
  // group and week, busy + setup of the run's series.
  const json& tgs = run.doc.at("tool_group_series");
  const json& cells = charts[3].spec.at("data").at("values");
  const std::size_t periods = tgs.at("start_day").size();
  ASSERT_EQ(periods, 5u);  // 30 days: four weeks and two days
  ASSERT_EQ(cells.size(), 25u * periods);
  std::map<std::string, const json*> by_name;
  for (const auto& g : tgs.at("groups")) by_name[g.at("name").get<std::string>()] = &g;
  for (const auto& c : cells) {
    const json& g = *by_name.at(c.at("group").get<std::string>());
    const auto p = static_cast<std::size_t>(std::lround((c.at("from").get<double>() - tgs.at("start_day")[0].get<double>()) / 7));
    EXPECT_DOUBLE_EQ(c.at("utilisation").get<double>(), g.at("busy")[p].get<double>() + g.at("setup")[p].get<double>());
  }
  // States over time: five states per period.
  EXPECT_EQ(charts[4].spec.at("data").at("values").size(), 5u * periods);
}

// The Gantt chart of a trace: every job and outage of the traced tools in the window, on the
// traced tools' rows, and nothing outside the window.
TEST(Report, GanttChartOfATrace) {
  ASSERT_TRUE(docs().error.empty()) << docs().error;
  const json t = load(docs().trace);
  EXPECT_EQ(report::kind_of(t), report::Kind::Trace);
  const auto charts = report::charts_for({"t", t}, "g");
  ASSERT_EQ(charts.size(), 1u);
  const json& bars = charts[0].spec.at("data").at("values");
  ASSERT_EQ(bars.size(), t.at("jobs").size() + t.at("outages").size());
  EXPECT_GT(t.at("jobs").size(), 20u);
  std::set<std::string> tools;
  for (const auto& tool : t.at("tools")) tools.insert(tool.at("name").get<std::string>());
  for (const auto& b : bars) {
    EXPECT_TRUE(tools.count(b.at("tool").get<std::string>())) << b.dump();
    EXPECT_GE(b.at("start").get<double>(), 10.0);
    EXPECT_LE(b.at("end").get<double>(), 12.0);
    EXPECT_LE(b.at("start").get<double>(), b.at("end").get<double>());
  }
}

TEST(Report, OverlaysOnlyForSeveralRunsOfAKind) {
  ASSERT_TRUE(docs().error.empty()) << docs().error;
  const std::vector<report::Run> one{{"a", load(docs().sim1)}, {"p", load(docs().plan)}};
  EXPECT_TRUE(report::overlay_charts(one).empty());
  const std::vector<report::Run> two{{"a", load(docs().sim1)}, {"b", load(docs().sim2)}};
  const auto o = report::overlay_charts(two);
  ASSERT_EQ(o.size(), 2u);
  std::set<std::string> runs;
  for (const auto& v : o[0].spec.at("data").at("values")) runs.insert(v.at("run").get<std::string>());
  EXPECT_EQ(runs, (std::set<std::string>{"a", "b"}));
}

// The capacity analysis's operating curve with one simulated point per simulation of its model:
// the bottleneck's share of working time in its available time, the lots' mean cycle time.
TEST(Report, OperatingCurveWithSimulatedPoints) {
  ASSERT_TRUE(docs().error.empty()) << docs().error;
  const json cap = load(docs().cap), sim = load(docs().sim1);
  const std::vector<report::Run> runs{{"cap", cap}, {"s1", sim}, {"p", load(docs().plan)}};
  const auto o = report::overlay_charts(runs);
  ASSERT_EQ(o.size(), 1u);
  const json& values = o[0].spec.at("data").at("values");
  ASSERT_EQ(values.size(), cap.at("curve").size() + 1);
  const json& pt = values.back();
  EXPECT_EQ(pt.at("source"), "simulation s1");
  for (const auto& g : sim.at("tool_groups"))
    if (g.at("name") == cap.at("bottleneck")) {
      const double w = g.at("busy").get<double>() + g.at("setup").get<double>();
      EXPECT_NEAR(pt.at("utilisation").get<double>(), w / (w + g.at("idle").get<double>()), 1e-12);
    }
  double ct = 0, n = 0;
  for (const auto& t : sim.at("lot_types")) {
    ct += t.at("cycle_time_days").at("n").get<double>() * t.at("cycle_time_days").at("mean").get<double>();
    n += t.at("cycle_time_days").at("n").get<double>();
  }
  EXPECT_NEAR(pt.at("cycle_time_days").get<double>(), ct / n, 1e-9);
  // Another model's simulation adds no point.
  json other = sim;
  other["run"]["model"] = "elsewhere";
  EXPECT_TRUE(report::overlay_charts({{"cap", cap}, {"o", other}}).empty());
}

TEST(Report, PageIsSelfContainedAndEscapesLabels) {
  ASSERT_TRUE(docs().error.empty()) << docs().error;
  if (!report::libraries_available()) GTEST_SKIP() << "built without the chart libraries (scripts/setup installs them)";
  const std::vector<report::Run> runs{{"</script><b>x</b>", load(docs().sim1)}, {"cap", load(docs().cap)}};
  const std::string h = report::render_html(runs, report::Meta{"v", "today"});
  EXPECT_EQ(h.find("</script><b>"), std::string::npos);
  EXPECT_NE(h.find("&lt;/script&gt;&lt;b&gt;x&lt;/b&gt;"), std::string::npos);
  // The markup (scripts aside) loads nothing: no src= or href= attribute, no <link>; the
  // libraries are inline, and nothing names a CDN.
  std::string markup;
  for (std::size_t at = 0;;) {
    const std::size_t open = h.find("<script>", at);
    markup += h.substr(at, open == std::string::npos ? std::string::npos : open - at);
    if (open == std::string::npos) break;
    at = h.find("</script>", open);
    if (at == std::string::npos) break;
    at += 9;
  }
  EXPECT_LT(markup.size(), 100000u);
  EXPECT_EQ(markup.find(" src="), std::string::npos);
  EXPECT_EQ(markup.find("href="), std::string::npos);
  EXPECT_EQ(markup.find("<link"), std::string::npos);
  EXPECT_EQ(h.find("cdn.jsdelivr"), std::string::npos);
  EXPECT_EQ(h.find("unpkg.com"), std::string::npos);
  EXPECT_GT(h.size(), 500000u);  // the three libraries are in the page
  // Every chart has its container.
  for (const auto& r : runs)
    for (const auto& c : report::charts_for(r, r.label == "cap" ? "run2" : "run1"))
      EXPECT_NE(h.find("id=\"" + c.id + "\""), std::string::npos) << c.id;
  EXPECT_THROW(report::render_html({}, report::Meta{}), std::invalid_argument);
}

TEST(ReportCli, BadInputExitsTwoAndWritesNothing) {
  test::TempDir tmp;
  const auto out = tmp.path() / "r.html";
  const auto bad = tmp.write("bad.json", "{\"a\":\n");
  const auto other = tmp.write("other.json", "{\"a\": 1}\n");
  struct Case {
    std::vector<std::string> args;
    std::string message;
  } cases[] = {
      {{"report", (tmp.path() / "missing.json").string(), "-o", out.string()}, "missing.json: cannot read"},
      {{"report", bad.string(), "-o", out.string()}, "bad.json:2:1: not JSON"},
      {{"report", other.string(), "-o", out.string()}, "other.json: not an osatsim result"},
      {{"report", other.string(), "--label", "a", "--label", "b", "-o", out.string()}, "--label: 2 label(s) for 1 file(s)"},
      {{"report", "-o", out.string()}, "files is required"},
  };
  for (const auto& c : cases) {
    const auto r = test::run_osatsim(c.args);
    EXPECT_EQ(r.exit_code, 2) << c.message;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(out)) << c.message;
  }
}

TEST(ReportCli, PlanWritesItsReport) {
  ASSERT_TRUE(docs().error.empty()) << docs().error;
  if (!report::libraries_available()) GTEST_SKIP() << "built without the chart libraries (scripts/setup installs them)";
  const fs::path html = docs().plan.parent_path() / "report.html";
  ASSERT_TRUE(fs::exists(html));
  const std::string h = test::read_file(html);
  EXPECT_NE(h.find("id=\"run1-shipments\""), std::string::npos);
  EXPECT_NE(h.find("id=\"run1-verification\""), std::string::npos);
}

// chromium with the flags this sandbox needs (no network, no GPU, a fresh profile).
std::string chromium() {
  for (const char* p : {"/usr/bin/chromium", "/usr/bin/chromium-browser"})
    if (fs::exists(p)) return p;
  return {};
}

TEST(ReportBrowser, EveryChartRendersWithoutJavaScriptErrors) {
  ASSERT_TRUE(docs().error.empty()) << docs().error;
  if (!report::libraries_available()) GTEST_SKIP() << "built without the chart libraries (scripts/setup installs them)";
  const std::string browser = chromium();
  if (browser.empty()) GTEST_SKIP() << "chromium not installed (scripts/setup installs it)";
  test::TempDir tmp;
  const auto html = tmp.path() / "report.html";
  const auto r = test::run_osatsim({"report", docs().plan.string(), docs().sim1.string(), docs().sim2.string(),
                                    docs().cap.string(), docs().pkg.string(), docs().trace.string(), "-o", html.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto dom = tmp.path() / "dom.html";
  const auto profile = tmp.path() / "profile";
  const std::string cmd = browser +
                          " --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking"
                          " --disable-component-update --disable-sync --user-data-dir=" + profile.string() +
                          " --virtual-time-budget=30000 --dump-dom file://" + html.string() + " > " + dom.string() + " 2>/dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  const std::string d = test::read_file(dom);
  // The page's own record: every chart rendered, no error recorded.
  const std::string page = test::read_file(html);
  const std::size_t containers = [&] {
    std::size_t n = 0;
    for (std::size_t at = page.find("class=\"chart\""); at != std::string::npos; at = page.find("class=\"chart\"", at + 1)) ++n;
    return n;
  }();
  // plan, two simulations, capacity, wafer map, Gantt chart, overlays
  EXPECT_EQ(containers, 4u + 5u + 5u + 2u + 1u + 1u + 3u);
  EXPECT_NE(d.find("data-charts=\"rendered " + std::to_string(containers) + "\""), std::string::npos)
      << d.substr(0, std::min<std::size_t>(d.size(), 400));
  const std::string pre = "<pre id=\"js-errors\">";
  const std::size_t e0 = d.find(pre);
  ASSERT_NE(e0, std::string::npos);
  EXPECT_EQ(d.substr(e0 + pre.size(), d.find("</pre>", e0) - e0 - pre.size()), "") << "JavaScript errors in the page";
  // Each chart container holds an SVG with marks in it.
  std::size_t checked = 0;
  for (std::size_t at = d.find("<figure>"); at != std::string::npos; at = d.find("<figure>", at + 1)) {
    const std::size_t end = d.find("</figure>", at);
    ASSERT_NE(end, std::string::npos);
    const std::string fig = d.substr(at, end - at);
    const auto id_at = fig.find("id=\"");
    const std::string id = fig.substr(id_at + 4, fig.find('"', id_at + 4) - id_at - 4);
    EXPECT_NE(fig.find("<svg"), std::string::npos) << id;
    EXPECT_NE(fig.find("role-mark"), std::string::npos) << id;
    EXPECT_TRUE(fig.find("<path") != std::string::npos || fig.find("<rect") != std::string::npos) << id;
    ++checked;
  }
  EXPECT_EQ(checked, containers);
}

}  // namespace
}  // namespace osatsim
