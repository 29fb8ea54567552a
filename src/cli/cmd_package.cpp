// osatsim package: sites per wafer (explicit rectangle packing, textbook formula beside it), the
// package yield breakdown and good packages per wafer; optional JSON and SVG wafer map.
#include <fmt/format.h>
#include <unistd.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <numbers>
#include <optional>
#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/options.h"
#include "packaging/geometry.h"
#include "packaging/wafer_map.h"
#include "packaging/yield.h"

namespace osatsim::cli {
namespace {

namespace pk = osatsim::packaging;

// Upper bounds of the numeric options (docs/cli.md): a 450 mm wafer is the largest made; the
// bounds leave room and keep the packing finite.
inline constexpr double kMaxWaferMm = 1000.0;
inline constexpr double kMaxD0 = 1000.0;  // defects per cm2
inline constexpr double kMaxAlpha = 1e6;  // clustering parameter (large: Poisson)
inline constexpr int kMaxDiesPerKind = 1000;

struct Options {
  std::string site;
  double wafer = 300.0;
  double edge = 3.0;
  double street = 0.2;
  std::string packing = "grid";
  double d0 = 0.0018;
  std::string model = "negbin";
  double alpha = 2.0;
  std::optional<double> site_yield;
  std::string dies = "logic=2,hbm=8";
  std::string kgd = "0.995";
  double bond_yield = 0.998;
  double module_test_yield = 0.985;
  double assembly_yield = 0.99;
  double test_yield = 0.97;
  double ramp_months = 0.0;
  double ramp_start = 0.85;
  std::string ramp_shape = "exponential";
  std::string json_path;
  std::string map_path;
  CLI::Option* json_opt = nullptr;
  CLI::Option* map_opt = nullptr;
};

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return {};
  const auto e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

std::optional<double> parse_double(const std::string& text) {
  const std::string t = trim(text);
  double v = 0;
  const auto* end = t.data() + t.size();
  const auto [p, ec] = std::from_chars(t.data(), end, v);
  if (t.empty() || ec != std::errc{} || p != end || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::optional<int> parse_int(const std::string& text) {
  const std::string t = trim(text);
  int v = 0;
  const auto* end = t.data() + t.size();
  const auto [p, ec] = std::from_chars(t.data(), end, v);
  if (t.empty() || ec != std::errc{} || p != end) return std::nullopt;
  return v;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  for (const char c : s) {
    if (c == sep) {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  out.push_back(cur);
  return out;
}

bool in_unit(double v) {
  return std::isfinite(v) && v > 0.0 && v <= 1.0;
}

// Writes every (path, content) pair or none: all go to temporary files beside their targets
// first, and are renamed into place only when all were written.
bool write_all_atomically(const std::vector<std::pair<std::string, std::string>>& files,
                          std::string& error) {
  namespace fs = std::filesystem;
  std::vector<fs::path> temps;
  auto cleanup = [&] {
    std::error_code ec;
    for (const auto& t : temps) fs::remove(t, ec);
  };
  for (const auto& [path, content] : files) {
    const fs::path target(path);
    fs::path tmp = target;
    tmp += fmt::format(".tmp-{}", static_cast<long>(::getpid()));
    temps.push_back(tmp);
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (f) f.write(content.data(), static_cast<std::streamsize>(content.size()));
    if (f) f.close();
    if (!f) {
      error = fmt::format("{}: cannot write", path);
      cleanup();
      return false;
    }
  }
  for (std::size_t i = 0; i < files.size(); ++i) {
    std::error_code ec;
    fs::rename(temps[i], files[i].first, ec);
    if (ec) {
      error = fmt::format("{}: cannot write: {}", files[i].first, ec.message());
      cleanup();
      return false;
    }
  }
  return true;
}

std::string fmt_yield(double y) {
  return fmt::format("{:.4f}", y);
}

int run(const Options& o) {
  std::vector<std::string> problems;

  // --- site --------------------------------------------------------------------------------
  double site_w = 0, site_h = 0;
  bool site_read = false;  // WIDTHxHEIGHT read as two numbers (checked below: 0x0 too)
  {
    std::string s = o.site;
    for (auto& c : s)
      if (c == 'X' || c == '*') c = 'x';
    const auto parts = split(s, 'x');
    std::optional<double> w, h;
    if (parts.size() == 2) {
      w = parse_double(parts[0]);
      h = parse_double(parts[1]);
    }
    if (!w || !h) {
      problems.push_back(
          fmt::format("--site: '{}' is not WIDTHxHEIGHT in mm (for example 52x54.5)", o.site));
    } else {
      site_w = *w;
      site_h = *h;
      site_read = true;
    }
  }
  pk::WaferSpec wafer;
  wafer.diameter_mm = o.wafer;
  wafer.edge_exclusion_mm = o.edge;
  wafer.street_mm = o.street;
  if (!std::isfinite(o.wafer) || o.wafer <= 0)
    problems.push_back("--wafer: diameter must be > 0 mm");
  if (!std::isfinite(o.edge) || o.edge < 0)
    problems.push_back("--edge: edge exclusion must be >= 0 mm");
  if (!std::isfinite(o.street) || o.street < 0)
    problems.push_back("--street: street width must be >= 0 mm");
  const bool wafer_ok = problems.empty() || (std::isfinite(o.wafer) && o.wafer > 0 &&
                                             std::isfinite(o.edge) && o.edge >= 0);
  if (std::isfinite(o.wafer) && o.wafer > 0 && std::isfinite(o.edge) && o.edge >= 0 &&
      wafer.usable_radius_mm() <= 0)
    problems.push_back(fmt::format(
        "--edge: an edge exclusion of {:g} mm leaves nothing of a {:g} mm wafer", o.edge, o.wafer));
  if (site_read) {
    if (!(site_w > 0))
      problems.push_back(fmt::format("--site: width must be > 0 mm (got {:g})", site_w));
    if (!(site_h > 0))
      problems.push_back(fmt::format("--site: height must be > 0 mm (got {:g})", site_h));
    if (site_w > 0 && site_h > 0 && wafer_ok && wafer.usable_radius_mm() > 0 &&
        std::hypot(site_w, site_h) > 2.0 * wafer.usable_radius_mm())
      problems.push_back(fmt::format(
          "--site: a {:g} x {:g} mm site does not fit in the usable circle of {:g} mm diameter "
          "({:g} mm wafer, {:g} mm edge exclusion)",
          site_w, site_h, 2.0 * wafer.usable_radius_mm(), o.wafer, o.edge));
  }
  if (site_w > 0 && site_h > 0 && problems.empty()) {
    for (const auto& p : pk::check_geometry(wafer, site_w, site_h))
      problems.push_back("--site: " + p);
  }
  const auto mode = pk::parse_packing_mode(o.packing);
  if (!mode)
    problems.push_back(fmt::format("--packing: '{}' is not grid, staggered or best", o.packing));

  // --- yields ------------------------------------------------------------------------------
  const auto model = pk::parse_yield_model(o.model);
  if (!model)
    problems.push_back(
        fmt::format("--model: '{}' is not poisson, murphy, negbin or seeds", o.model));
  if (!std::isfinite(o.d0) || o.d0 < 0)
    problems.push_back("--d0: defect density must be >= 0 per cm2");
  if (!std::isfinite(o.alpha) || o.alpha <= 0) problems.push_back("--alpha: must be > 0");
  if (o.site_yield && !in_unit(*o.site_yield))
    problems.push_back("--site-yield: must be in (0, 1]");

  pk::PackageYieldSpec spec;
  spec.bond_yield_per_die = o.bond_yield;
  spec.module_test_yield = o.module_test_yield;
  spec.assembly_yield = o.assembly_yield;
  spec.test_yield = o.test_yield;
  if (!in_unit(o.bond_yield)) problems.push_back("--bond-yield: must be in (0, 1]");
  if (!in_unit(o.module_test_yield)) problems.push_back("--module-test-yield: must be in (0, 1]");
  if (!in_unit(o.assembly_yield)) problems.push_back("--assembly-yield: must be in (0, 1]");
  if (!in_unit(o.test_yield)) problems.push_back("--test-yield: must be in (0, 1]");

  const std::string dies_text = trim(o.dies);
  if (!dies_text.empty() && dies_text != "none") {
    for (const auto& item : split(dies_text, ',')) {
      const auto kv = split(item, '=');
      const auto count = kv.size() == 2 ? parse_int(kv[1]) : std::nullopt;
      const std::string name = kv.empty() ? "" : trim(kv[0]);
      if (kv.size() != 2 || name.empty() || !count) {
        problems.push_back(
            fmt::format("--dies: '{}' is not KIND=COUNT (for example hbm=8)", trim(item)));
        continue;
      }
      if (*count < 0 || *count > kMaxDiesPerKind) {
        problems.push_back(
            fmt::format("--dies: {}: count must be in 0..{}", name, kMaxDiesPerKind));
        continue;
      }
      bool dup = false;
      for (const auto& d : spec.dies) dup = dup || d.name == name;
      if (dup) {
        problems.push_back(fmt::format("--dies: kind '{}' given twice", name));
        continue;
      }
      spec.dies.push_back({name, *count, 1.0});
    }
  }
  {
    const std::string k = trim(o.kgd);
    if (const auto all = parse_double(k)) {
      if (!in_unit(*all)) problems.push_back("--kgd: known-good-die quality must be in (0, 1]");
      for (auto& d : spec.dies) d.kgd_quality = *all;
    } else {
      // Kinds not named keep quality 1.
      for (const auto& item : split(k, ',')) {
        const auto kv = split(item, '=');
        const auto q = kv.size() == 2 ? parse_double(kv[1]) : std::nullopt;
        if (!q) {
          problems.push_back(fmt::format(
              "--kgd: '{}' is not a quality or KIND=QUALITY (for example hbm=0.99)", trim(item)));
          continue;
        }
        const std::string name = trim(kv[0]);
        if (!in_unit(*q)) {
          problems.push_back(fmt::format("--kgd: {}: quality must be in (0, 1]", name));
          continue;
        }
        bool found = false;
        for (auto& d : spec.dies) {
          if (d.name == name) {
            d.kgd_quality = *q;
            found = true;
          }
        }
        if (!found) problems.push_back(fmt::format("--kgd: kind '{}' is not in --dies", name));
      }
    }
  }
  if (!std::isfinite(o.ramp_months) || o.ramp_months < 0 || o.ramp_months > 240)
    problems.push_back("--ramp-months: must be between 0 and 240");
  if (!in_unit(o.ramp_start)) problems.push_back("--ramp-start: must be in (0, 1]");
  const auto shape = pk::parse_ramp_shape(o.ramp_shape);
  if (!shape)
    problems.push_back(
        fmt::format("--ramp-shape: '{}' is not linear or exponential", o.ramp_shape));
  if (!o.json_path.empty() && o.json_path == o.map_path)
    problems.push_back("--json and --map name the same file");
  // Output files are checked before any work (empty name, a directory, no folder to write in).
  if (o.json_opt && o.json_opt->count() > 0 &&
      !check_output_file("osatsim package", "--json", o.json_path))
    return kExitBadInput;
  if (o.map_opt && o.map_opt->count() > 0 &&
      !check_output_file("osatsim package", "--map", o.map_path))
    return kExitBadInput;

  if (!problems.empty()) {
    for (const auto& p : problems) std::fprintf(stderr, "osatsim package: %s\n", p.c_str());
    return kExitBadInput;
  }

  // --- compute -----------------------------------------------------------------------------
  const pk::Packing packing = pk::pack_sites(wafer, site_w, site_h, *mode);
  const double formula = pk::gross_die_formula(wafer, site_w, site_h);
  const double area_cm2 = site_w * site_h / 100.0;
  const double site_yield =
      o.site_yield ? *o.site_yield : pk::defect_yield(*model, area_cm2, o.d0, o.alpha);
  const pk::CompoundYield cy = pk::compound_yield(spec);
  const double good = packing.count * site_yield * cy.total;
  const double ru = wafer.usable_radius_mm();
  const double utilisation = packing.count * site_w * site_h / (std::numbers::pi * ru * ru);

  pk::YieldRamp ramp;
  ramp.start_fraction = o.ramp_start;
  ramp.ramp_months = o.ramp_months;
  ramp.shape = *shape;

  // --- text --------------------------------------------------------------------------------
  std::string out;
  out += fmt::format(
      "Package geometry: {:g} x {:g} mm sites on a {:g} mm wafer (edge exclusion {:g} mm, street "
      "{:g} mm)\n",
      site_w, site_h, o.wafer, o.edge, o.street);
  out += fmt::format("  sites per wafer       {}  ({} packing{}, {:.1f} % of the usable area)\n",
                     packing.count, pk::to_string(packing.method),
                     packing.rotated ? ", site turned 90 degrees" : "", 100.0 * utilisation);
  out += fmt::format(
      "  grid / staggered      {} / {}{}\n", packing.grid_count, packing.staggered_count,
      packing.staggered_rotated ? " (staggered with the site turned 90 degrees)" : "");
  out += fmt::format(
      "  gross-die formula     {:.2f}  (pi (d/2)^2/S - pi d/sqrt(2S), d = {:g} mm, S = {:.2f} "
      "mm2)\n",
      formula, 2.0 * ru, (site_w + o.street) * (site_h + o.street));
  if (packing.method == pk::PackingMethod::Grid)
    out += fmt::format(
        "  lattice offset        x {:.4f} mm, y {:.4f} mm (lower-left corner of site (0,0))\n",
        packing.offset_x_mm, packing.offset_y_mm);
  else
    out += fmt::format("  row offset            y {:.4f} mm; rows centred\n", packing.offset_y_mm);
  out += "Yield\n";
  if (o.site_yield)
    out += fmt::format("  site yield            {}  (given)\n", fmt_yield(site_yield));
  else
    out += fmt::format(
        "  site yield            {}  ({}{}, D0 {:g} /cm2, A {:.2f} cm2)\n", fmt_yield(site_yield),
        pk::to_string(*model),
        *model == pk::YieldModel::NegativeBinomial ? fmt::format(" alpha {:g}", o.alpha) : "", o.d0,
        area_cm2);
  std::string kinds;
  for (const auto& d : spec.dies)
    kinds +=
        fmt::format("{}{} {} x {:g}", kinds.empty() ? "" : ", ", d.name, d.count, d.kgd_quality);
  out += fmt::format("  known-good dies       {}  ({})\n", fmt_yield(cy.kgd),
                     kinds.empty() ? "no dies" : kinds);
  out += fmt::format("  bond                  {}  ({} dies x {:g})\n", fmt_yield(cy.bond),
                     cy.dies_per_package, o.bond_yield);
  out += fmt::format("  module test           {}\n", fmt_yield(cy.module_test));
  out += fmt::format("  assembly              {}\n", fmt_yield(cy.assembly));
  out += fmt::format("  test                  {}\n", fmt_yield(cy.test));
  out += fmt::format("  compound              {}\n", fmt_yield(cy.total));
  out += fmt::format("Good packages per wafer {:.2f}  (= {} sites x {} x {})\n", good,
                     packing.count, fmt_yield(site_yield), fmt_yield(cy.total));

  nlohmann::json ramp_json = nlohmann::json::array();
  if (o.ramp_months > 0) {
    out += fmt::format("Yield ramp ({}, from {:g} x mature to mature in {:g} months)\n",
                       pk::to_string(ramp.shape), ramp.start_fraction, ramp.ramp_months);
    out += "  month  fraction  good packages/wafer\n";
    const int last = static_cast<int>(std::ceil(o.ramp_months));
    for (int m = 0; m <= last; ++m) {
      const double f = pk::ramp_fraction(ramp, m);
      out += fmt::format("  {:>5}  {:.4f}    {:.2f}\n", m, f, good * f);
      ramp_json.push_back(
          {{"month", m}, {"fraction_of_mature", f}, {"good_packages_per_wafer", good * f}});
    }
  }
  std::fputs(out.c_str(), stdout);

  // --- files -------------------------------------------------------------------------------
  std::vector<std::pair<std::string, std::string>> files;
  if (!o.json_path.empty()) {
    nlohmann::json j;
    j["wafer"] = {{"diameter_mm", o.wafer},
                  {"edge_exclusion_mm", o.edge},
                  {"street_mm", o.street},
                  {"usable_diameter_mm", 2.0 * ru}};
    j["site"] = {{"width_mm", site_w},
                 {"height_mm", site_h},
                 {"area_mm2", site_w * site_h},
                 {"pitch_x_mm", site_w + o.street},
                 {"pitch_y_mm", site_h + o.street}};
    j["packing_mode"] = pk::to_string(*mode);
    j["sites_per_wafer"] = packing.count;
    j["method"] = pk::to_string(packing.method);
    j["orientation"] = packing.rotated ? "rotated" : "as_given";
    j["placed_width_mm"] = packing.placed_w_mm;
    j["placed_height_mm"] = packing.placed_h_mm;
    j["offset_x_mm"] = packing.offset_x_mm;
    j["offset_y_mm"] = packing.offset_y_mm;
    j["row_offsets_x_mm"] = packing.row_offsets_x_mm;
    j["grid_sites_per_wafer"] = packing.grid_count;
    j["staggered_sites_per_wafer"] = packing.staggered_count;
    j["staggered_orientation"] = packing.staggered_rotated ? "rotated" : "as_given";
    j["gross_die_formula"] = formula;
    j["area_utilisation"] = utilisation;
    j["site_yield"] = site_yield;
    if (o.site_yield)
      j["site_yield_source"] = "given";
    else
      j["site_yield_source"] = {{"model", pk::to_string(*model)},
                                {"d0_per_cm2", o.d0},
                                {"alpha", o.alpha},
                                {"area_cm2", area_cm2}};
    nlohmann::json dies = nlohmann::json::array();
    for (const auto& d : spec.dies)
      dies.push_back({{"kind", d.name}, {"count", d.count}, {"kgd_quality", d.kgd_quality}});
    j["dies"] = dies;
    j["dies_per_package"] = cy.dies_per_package;
    j["kgd_yield"] = cy.kgd;
    j["bond_yield_per_die"] = o.bond_yield;
    j["bond_yield"] = cy.bond;
    j["module_test_yield"] = cy.module_test;
    j["assembly_yield"] = cy.assembly;
    j["test_yield"] = cy.test;
    j["compound_yield"] = cy.total;
    j["good_packages_per_wafer"] = good;
    if (o.ramp_months > 0)
      j["ramp"] = {{"shape", pk::to_string(ramp.shape)},
                   {"start_fraction", ramp.start_fraction},
                   {"months", ramp.ramp_months},
                   {"by_month", ramp_json}};
    nlohmann::json sites = nlohmann::json::array();
    for (const auto& r : packing.sites)
      sites.push_back({{"x_mm", r.x}, {"y_mm", r.y}, {"w_mm", r.w}, {"h_mm", r.h}});
    j["sites"] = sites;
    files.emplace_back(o.json_path, j.dump(2) + "\n");
  }
  if (!o.map_path.empty()) {
    std::vector<std::string> caption{
        fmt::format("Site {:g} x {:g} mm{}, street {:g} mm.", site_w, site_h,
                    packing.rotated ? " (placed turned 90 degrees)" : "", o.street),
        packing.method == pk::PackingMethod::Grid
            ? fmt::format("Grid packing: lattice offset x {:.3f} mm, y {:.3f} mm.",
                          packing.offset_x_mm, packing.offset_y_mm)
            : fmt::format("Row-staggered packing: rows centred, row offset y {:.3f} mm.",
                          packing.offset_y_mm),
        fmt::format("Grid {} / row-staggered {} sites; textbook formula {:.1f}; {:.1f} % of the "
                    "usable area.",
                    packing.grid_count, packing.staggered_count, formula, 100.0 * utilisation),
        fmt::format("Site yield {:.4f} x compound {:.4f} = {:.2f} good packages per wafer.",
                    site_yield, cy.total, good)};
    files.emplace_back(o.map_path, pk::wafer_map_svg(wafer, packing, caption));
  }
  if (!files.empty()) {
    std::string error;
    if (!write_all_atomically(files, error)) {
      std::fprintf(stderr, "osatsim package: %s\n", error.c_str());
      return kExitFailure;
    }
  }
  return kExitOk;
}

Runner setup(CLI::App* app) {
  auto o = std::make_shared<Options>();
  app->add_option("--site", o->site,
                  "Site (interposer / module) size WIDTHxHEIGHT in mm, e.g. 52x54.5")
      ->required();
  app->add_option("--wafer", o->wafer, "Wafer diameter, mm")
      ->capture_default_str()
      ->check(finite_range(0, kMaxWaferMm, "mm", true));
  app->add_option("--edge", o->edge, "Edge exclusion, mm")
      ->capture_default_str()
      ->check(finite_range(0, kMaxWaferMm / 2, "mm"));
  app->add_option("--street", o->street, "Street (scribe) width between sites, mm")
      ->capture_default_str()
      ->check(finite_range(0, kMaxWaferMm, "mm"));
  app->add_option("--packing", o->packing,
                  "grid (straight streets; default), staggered (rows shifted independently) or "
                  "best (whichever fits more)")
      ->capture_default_str();
  app->add_option("--d0", o->d0, "Site defect density, defects per cm2 (site yield from the model)")
      ->capture_default_str()
      ->check(finite_range(0, kMaxD0, "defects per cm2"));
  app->add_option("--model", o->model, "Site yield model: poisson, murphy, negbin or seeds")
      ->capture_default_str();
  app->add_option("--alpha", o->alpha, "Negative-binomial clustering parameter")
      ->capture_default_str()
      ->check(finite_range(0, kMaxAlpha, "", true));
  app->add_option("--site-yield", o->site_yield,
                  "Site yield given directly (overrides --d0/--model)")
      ->check(finite_range(0, 1, "", true));
  app->add_option("--dies", o->dies, "Dies per package by kind, KIND=COUNT,... ('none' for none)")
      ->capture_default_str();
  app->add_option("--kgd", o->kgd, "Known-good-die quality: one value for all kinds, or KIND=Q,...")
      ->capture_default_str();
  app->add_option("--bond-yield", o->bond_yield, "Bond yield per placed die")
      ->capture_default_str()
      ->check(finite_range(0, 1, "", true));
  app->add_option("--module-test-yield", o->module_test_yield,
                  "CoW / module test yield (fallout not caused by bonding)")
      ->capture_default_str()
      ->check(finite_range(0, 1, "", true));
  app->add_option("--assembly-yield", o->assembly_yield, "On-substrate assembly yield")
      ->capture_default_str()
      ->check(finite_range(0, 1, "", true));
  app->add_option("--test-yield", o->test_yield, "Burn-in + final test + SLT yield")
      ->capture_default_str()
      ->check(finite_range(0, 1, "", true));
  app->add_option(
         "--ramp-months", o->ramp_months,
         "Print a yield-learning ramp reaching mature yield after this many months (0: none)")
      ->capture_default_str()
      ->check(finite_range(0, 240, "months"));
  app->add_option("--ramp-start", o->ramp_start, "Ramp start as a fraction of mature yield")
      ->capture_default_str()
      ->check(finite_range(0, 1, "", true));
  app->add_option("--ramp-shape", o->ramp_shape, "Ramp shape: exponential or linear")
      ->capture_default_str();
  o->json_opt = app->add_option("--json", o->json_path, "Write the results as JSON to this file");
  o->map_opt = app->add_option("--map", o->map_path, "Write an SVG wafer map to this file");
  return [o] { return run(*o); };
}

const Registrar reg{
    "package", "sites per wafer (rectangle packing), package yield and good packages per wafer",
    setup, 40};

}  // namespace
}  // namespace osatsim::cli
