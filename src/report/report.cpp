// The HTML page of a report (docs/report.md): the embedded chart libraries, one section
// per run (key figures beside its charts), overlay charts when several runs share a kind, and a
// small script that renders every chart as SVG and records any JavaScript error in the page (the
// browser test reads both).
#include <fmt/format.h>

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "report/report.h"

namespace osatsim::report {

namespace embedded {
extern const unsigned char k_vega[], k_vega_lite[], k_vega_embed[];
extern const std::size_t k_vega_size, k_vega_lite_size, k_vega_embed_size;
extern const bool kHaveLibraries;
}  // namespace embedded

using nlohmann::json;

namespace {

std::string_view bytes(const unsigned char* p, std::size_t n) { return {reinterpret_cast<const char*>(p), n}; }

std::string escape_html(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (const char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

// JSON text safe inside a <script> element (no "</" that could close it).
std::string script_json(const json& j) {
  std::string s = j.dump();
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '<' && i + 1 < s.size() && s[i + 1] == '/') {
      out += "<\\/";
      ++i;
    } else {
      out += s[i];
    }
  }
  return out;
}

// A line under a run's heading: what was run, with which settings.
std::string run_meta(const Run& r, Kind k) {
  const json& d = r.doc;
  switch (k) {
    case Kind::Plan: {
      const json h = d.value("horizon", json::object());
      return fmt::format("network {}, objective {}, {} months from {}", d.value("network", std::string("?")),
                         d.value("objective", std::string("?")), h.value("months", 0), h.value("start", std::string("?")));
    }
    case Kind::Simulation: {
      const json& run = d.at("run");
      return fmt::format("model {}, {} days, seed {}, dispatch {}, osatsim {}", run.value("model", std::string("?")),
                         run.value("days", 0.0), run.value("seed", 0), run.value("dispatch", std::string("?")),
                         run.value("osatsim_version", std::string("?")));
    }
    case Kind::Capacity: {
      return fmt::format("model {}, options {}", d.value("factory", std::string("?")), d.value("options", json::object()).dump());
    }
    case Kind::Package: {
      return fmt::format("packing {}, wafer {} mm, edge exclusion {} mm", d.value("method", std::string("?")),
                         d.at("wafer").value("diameter_mm", 0.0), d.at("wafer").value("edge_exclusion_mm", 0.0));
    }
    case Kind::Trace: {
      const json& t = d.at("trace");
      const json w = t.value("window_days", json::array({0, 0}));
      return fmt::format("model {}, groups {}, days {} to {}", t.value("model", std::string("?")),
                         t.value("groups", json::array()).dump(), w.at(0).dump(), w.at(1).dump());
    }
  }
  return {};
}

void append_table(std::string& h, const Table& t) {
  h += "<table><caption>" + escape_html(t.title) + "</caption>";
  bool header = false;
  for (const auto& c : t.header) header = header || !c.empty();
  if (header) {
    h += "<tr>";
    for (const auto& c : t.header) h += "<th>" + escape_html(c) + "</th>";
    h += "</tr>";
  }
  for (const auto& row : t.rows) {
    h += "<tr>";
    for (std::size_t i = 0; i < row.size(); ++i) h += (i == 0 && !header ? "<th>" : "<td>") + escape_html(row[i]) + (i == 0 && !header ? "</th>" : "</td>");
    h += "</tr>";
  }
  h += "</table>";
}

void append_charts(std::string& h, const std::vector<Chart>& charts, json& specs) {
  h += "<div class=\"charts\">";
  for (const auto& c : charts) {
    h += "<figure><figcaption>" + escape_html(c.title) + "</figcaption><div class=\"chart\" id=\"" + escape_html(c.id) + "\"></div></figure>";
    specs[c.id] = c.spec;
  }
  h += "</div>";
}

constexpr const char* kStyle = R"(
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 2em 2em;color:#222}
header{border-bottom:2px solid #4c78a8;margin-bottom:1em}
h1{margin:.6em 0 .2em}h2{margin:1.2em 0 .2em;color:#2c4f7a}
.meta{color:#555;margin:.2em 0 .8em}
.row{display:flex;flex-wrap:wrap;gap:2em;align-items:flex-start}
.tables{flex:0 0 auto;max-width:32em}
.charts{flex:1 1 40em;display:flex;flex-wrap:wrap;gap:1.5em}
figure{margin:0}figcaption{font-weight:600;margin-bottom:.3em}
table{border-collapse:collapse;margin-bottom:1em;font-size:90%}
caption{text-align:left;font-weight:600;padding-bottom:.2em}
th,td{border-bottom:1px solid #ddd;padding:.15em .6em;text-align:left}
td{text-align:right;white-space:nowrap}
#js-errors:empty{display:none}#js-errors{color:#b00;white-space:pre-wrap}
)";

// Records errors in the page (window.onerror, unhandled promise rejections, console.error).
constexpr const char* kErrorHook = R"(
window.osatsimErrors=[];
function osatsimRecord(m){window.osatsimErrors.push(String(m));var e=document.getElementById('js-errors');if(e)e.textContent=window.osatsimErrors.join('\n');}
window.addEventListener('error',function(e){osatsimRecord('error: '+e.message);});
window.addEventListener('unhandledrejection',function(e){osatsimRecord('unhandled rejection: '+(e.reason&&e.reason.message||e.reason));});
(function(){var ce=console.error;console.error=function(){osatsimRecord('console.error: '+Array.prototype.join.call(arguments,' '));return ce.apply(console,arguments);};})();
)";

// Renders every chart as SVG; the body's data-charts attribute says when all are done.
constexpr const char* kRender = R"(
(function(){var ids=Object.keys(osatsimSpecs);var done=0,failed=0;
document.body.setAttribute('data-charts','rendering');
Promise.all(ids.map(function(id){return vegaEmbed('#'+id,osatsimSpecs[id],{renderer:'svg',actions:false})
 .then(function(){done++;},function(e){failed++;osatsimRecord('chart '+id+': '+(e&&e.message||e));});}))
 .then(function(){document.body.setAttribute('data-charts',failed?('failed '+failed+' of '+ids.length):('rendered '+done));});})();
)";

}  // namespace

bool libraries_available() { return embedded::kHaveLibraries; }

std::string render_html(const std::vector<Run>& runs, const Meta& meta) {
  if (!libraries_available())
    throw std::runtime_error("this osatsim was built without the report's chart libraries: run scripts/setup (it installs them with npm), then rebuild");
  if (runs.empty()) throw std::invalid_argument("a report needs at least one run");
  json specs = json::object();
  std::string body;
  body += "<header><h1>osatsim report</h1><p class=\"meta\">" + std::to_string(runs.size()) + (runs.size() == 1 ? " run" : " runs") +
          " &middot; generated " + escape_html(meta.generated) + " &middot; osatsim " + escape_html(meta.version) + "</p></header>";
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const Run& r = runs[i];
    const Kind k = kind_of(r.doc);
    body += "<section class=\"run\"><h2>" + escape_html(r.label) + " &mdash; " + to_string(k) + "</h2>";
    body += "<p class=\"meta\">" + escape_html(run_meta(r, k)) + "</p><div class=\"row\"><div class=\"tables\">";
    for (const auto& t : tables_for(r)) append_table(body, t);
    body += "</div>";
    append_charts(body, charts_for(r, fmt::format("run{}", i + 1)), specs);
    body += "</div></section>";
  }
  const std::vector<Chart> overlays = overlay_charts(runs);
  if (!overlays.empty()) {
    body += "<section class=\"run\"><h2>The runs compared</h2><div class=\"row\">";
    append_charts(body, overlays, specs);
    body += "</div></section>";
  }
  body += "<pre id=\"js-errors\"></pre>";

  std::string h;
  h.reserve(embedded::k_vega_size + embedded::k_vega_lite_size + embedded::k_vega_embed_size + body.size() + specs.size() * 2048 + 4096);
  h += "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>osatsim report</title>\n<style>";
  h += kStyle;
  h += "</style>\n<script>";
  h += kErrorHook;
  h += "</script>\n<script>";
  h += bytes(embedded::k_vega, embedded::k_vega_size);
  h += "</script>\n<script>";
  h += bytes(embedded::k_vega_lite, embedded::k_vega_lite_size);
  h += "</script>\n<script>";
  h += bytes(embedded::k_vega_embed, embedded::k_vega_embed_size);
  h += "</script>\n</head><body>\n";
  h += body;
  h += "\n<script>var osatsimSpecs=" + script_json(specs) + ";";
  h += kRender;
  h += "</script>\n</body></html>\n";
  return h;
}

}  // namespace osatsim::report
