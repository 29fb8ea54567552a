#pragma once
// Self-contained HTML reports of osatsim results (docs/report.md).
//
// A report shows one or more result documents, each as written by a command: a plan
// (`plan.json`), a simulation (`summary.json` of `simulate`), a static capacity analysis
// (`capacity --json`), a package geometry (`package --json`, drawn as a wafer map) or a trace
// (`simulate --trace`, drawn as a Gantt chart). Every chart is a vega-lite specification with its data inline; the chart
// libraries (vega, vega-lite, vega-embed, pinned in src/report/web/package-lock.json) are
// embedded in the binary at build time and written into the page, so the file works offline and
// never loads anything from the network.
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace osatsim::report {

enum class Kind { Plan, Simulation, Capacity, Package, Trace };

// The kind of a result document; throws std::invalid_argument naming what is missing when the
// document is none of the three.
Kind kind_of(const nlohmann::json& doc);
const char* to_string(Kind k);

// One result document and the label it carries in the report (e.g. its file or run id).
struct Run {
  std::string label;
  nlohmann::json doc;
};

// One chart: a container id, a title and its vega-lite specification (data inline).
struct Chart {
  std::string id;
  std::string title;
  nlohmann::json spec;
};

// One block of key figures shown as a table beside the charts.
struct Table {
  std::string title;
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
};

// The charts and key-figure tables of one run, by its kind.
std::vector<Chart> charts_for(const Run& run, const std::string& id_prefix);
std::vector<Table> tables_for(const Run& run);
// Charts that overlay several runs of the same kind (empty with fewer than two).
std::vector<Chart> overlay_charts(const std::vector<Run>& runs);

// True when the binary was built with the chart libraries (scripts/setup installs them).
bool libraries_available();

struct Meta {
  std::string version;    // osatsim's version
  std::string generated;  // date and time of the report, ISO 8601
};

// The whole HTML page. Requires libraries_available() and at least one run.
std::string render_html(const std::vector<Run>& runs, const Meta& meta);

}  // namespace osatsim::report
