// The package report of `osatsim package`: options checked, the wafer packed, the yields
// compounded, and the text, JSON and SVG outputs (docs/cli.md).
#include "packaging/package.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>
#include <numbers>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "core/text.h"
#include "packaging/geometry.h"
#include "packaging/wafer_map.h"
#include "packaging/yield.h"

namespace osatsim::packaging {
namespace {

// The options' own white space: spaces and tabs.
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

std::string fmt_yield(double y) {
  return fmt::format("{:.4f}", y);
}

// --site WIDTHxHEIGHT (x, X or *) as two numbers; false (and a problem) when it is not.
bool read_site(const PackageOptions& o, PackageResult& r) {
  const auto dims = core::split_dims(o.site, "xX*");
  std::optional<double> w, h;
  if (dims) {
    w = parse_double(std::string(dims->first));
    h = parse_double(std::string(dims->second));
  }
  if (!w || !h) {
    r.problems.push_back(
        fmt::format("--site: '{}' is not WIDTHxHEIGHT in mm (for example 52x54.5)", o.site));
    return false;
  }
  r.site_w = *w;
  r.site_h = *h;
  return true;
}

// The wafer, the site on it and the packing mode.
void check_geometry_options(const PackageOptions& o, bool site_read, PackageResult& r) {
  auto& problems = r.problems;
  const double site_w = r.site_w, site_h = r.site_h;
  WaferSpec& wafer = r.wafer;
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
    for (const auto& p : check_geometry(wafer, site_w, site_h)) problems.push_back("--site: " + p);
  }
  const auto mode = parse_packing_mode(o.packing);
  if (!mode)
    problems.push_back(fmt::format("--packing: '{}' is not grid, staggered or best", o.packing));
  else
    r.mode = *mode;
}

// The site yield model and the yields after the site.
void check_yield_options(const PackageOptions& o, PackageResult& r) {
  auto& problems = r.problems;
  const auto model = parse_yield_model(o.model);
  if (!model)
    problems.push_back(
        fmt::format("--model: '{}' is not poisson, murphy, negbin or seeds", o.model));
  else
    r.model = *model;
  if (!std::isfinite(o.d0) || o.d0 < 0)
    problems.push_back("--d0: defect density must be >= 0 per cm2");
  if (!std::isfinite(o.alpha) || o.alpha <= 0) problems.push_back("--alpha: must be > 0");
  if (o.site_yield && !in_unit(*o.site_yield))
    problems.push_back("--site-yield: must be in (0, 1]");

  PackageYieldSpec& spec = r.spec;
  spec.bond_yield_per_die = o.bond_yield;
  spec.module_test_yield = o.module_test_yield;
  spec.assembly_yield = o.assembly_yield;
  spec.test_yield = o.test_yield;
  if (!in_unit(o.bond_yield)) problems.push_back("--bond-yield: must be in (0, 1]");
  if (!in_unit(o.module_test_yield)) problems.push_back("--module-test-yield: must be in (0, 1]");
  if (!in_unit(o.assembly_yield)) problems.push_back("--assembly-yield: must be in (0, 1]");
  if (!in_unit(o.test_yield)) problems.push_back("--test-yield: must be in (0, 1]");
}

// --dies KIND=COUNT,... ('none' or empty: no dies).
void read_dies(const PackageOptions& o, PackageResult& r) {
  auto& problems = r.problems;
  PackageYieldSpec& spec = r.spec;
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
}

// --kgd: one quality for every kind, or KIND=QUALITY,... (kinds not named keep quality 1).
void read_kgd(const PackageOptions& o, PackageResult& r) {
  auto& problems = r.problems;
  PackageYieldSpec& spec = r.spec;
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

// The yield ramp.
void check_ramp(const PackageOptions& o, PackageResult& r) {
  auto& problems = r.problems;
  if (!std::isfinite(o.ramp_months) || o.ramp_months < 0 || o.ramp_months > 240)
    problems.push_back("--ramp-months: must be between 0 and 240");
  if (!in_unit(o.ramp_start)) problems.push_back("--ramp-start: must be in (0, 1]");
  const auto shape = parse_ramp_shape(o.ramp_shape);
  if (!shape)
    problems.push_back(
        fmt::format("--ramp-shape: '{}' is not linear or exponential", o.ramp_shape));
  else
    r.ramp.shape = *shape;
  r.ramp.start_fraction = o.ramp_start;
  r.ramp.ramp_months = o.ramp_months;
}

// The ramp's months: (month, fraction of mature yield).
std::vector<std::pair<int, double>> ramp_months(const PackageOptions& o, const PackageResult& r) {
  std::vector<std::pair<int, double>> out;
  const int last = static_cast<int>(std::ceil(o.ramp_months));
  for (int m = 0; m <= last; ++m) out.emplace_back(m, ramp_fraction(r.ramp, m));
  return out;
}

}  // namespace

PackageResult evaluate_package(const PackageOptions& o) {
  PackageResult r;
  const bool site_read = read_site(o, r);  // WIDTHxHEIGHT read as two numbers (checked: 0x0 too)
  check_geometry_options(o, site_read, r);
  check_yield_options(o, r);
  read_dies(o, r);
  read_kgd(o, r);
  check_ramp(o, r);
  if (!r.problems.empty()) return r;

  r.packing = pack_sites(r.wafer, r.site_w, r.site_h, r.mode);
  r.formula = gross_die_formula(r.wafer, r.site_w, r.site_h);
  r.area_cm2 = r.site_w * r.site_h / 100.0;
  r.site_yield = o.site_yield ? *o.site_yield : defect_yield(r.model, r.area_cm2, o.d0, o.alpha);
  r.compound = compound_yield(r.spec);
  r.good = r.packing.count * r.site_yield * r.compound.total;
  const double ru = r.wafer.usable_radius_mm();
  r.utilisation = r.packing.count * r.site_w * r.site_h / (std::numbers::pi * ru * ru);
  return r;
}

std::string package_text(const PackageOptions& o, const PackageResult& r) {
  const Packing& packing = r.packing;
  const CompoundYield& cy = r.compound;
  const double site_w = r.site_w, site_h = r.site_h, site_yield = r.site_yield, good = r.good;
  const double ru = r.wafer.usable_radius_mm();
  std::string out;
  out += fmt::format(
      "Package geometry: {:g} x {:g} mm sites on a {:g} mm wafer (edge exclusion {:g} mm, street "
      "{:g} mm)\n",
      site_w, site_h, o.wafer, o.edge, o.street);
  out += fmt::format("  sites per wafer       {}  ({} packing{}, {:.1f} % of the usable area)\n",
                     packing.count, to_string(packing.method),
                     packing.rotated ? ", site turned 90 degrees" : "", 100.0 * r.utilisation);
  out += fmt::format(
      "  grid / staggered      {} / {}{}\n", packing.grid_count, packing.staggered_count,
      packing.staggered_rotated ? " (staggered with the site turned 90 degrees)" : "");
  out += fmt::format(
      "  gross-die formula     {:.2f}  (pi (d/2)^2/S - pi d/sqrt(2S), d = {:g} mm, S = {:.2f} "
      "mm2)\n",
      r.formula, 2.0 * ru, (site_w + o.street) * (site_h + o.street));
  if (packing.method == PackingMethod::Grid)
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
        to_string(r.model),
        r.model == YieldModel::NegativeBinomial ? fmt::format(" alpha {:g}", o.alpha) : "", o.d0,
        r.area_cm2);
  std::string kinds;
  for (const auto& d : r.spec.dies)
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
  if (o.ramp_months > 0) {
    out += fmt::format("Yield ramp ({}, from {:g} x mature to mature in {:g} months)\n",
                       to_string(r.ramp.shape), r.ramp.start_fraction, r.ramp.ramp_months);
    out += "  month  fraction  good packages/wafer\n";
    for (const auto& [m, f] : ramp_months(o, r))
      out += fmt::format("  {:>5}  {:.4f}    {:.2f}\n", m, f, good * f);
  }
  return out;
}

std::string package_json(const PackageOptions& o, const PackageResult& r) {
  const Packing& packing = r.packing;
  const CompoundYield& cy = r.compound;
  const double site_w = r.site_w, site_h = r.site_h;
  nlohmann::json j;
  j["wafer"] = {{"diameter_mm", o.wafer},
                {"edge_exclusion_mm", o.edge},
                {"street_mm", o.street},
                {"usable_diameter_mm", 2.0 * r.wafer.usable_radius_mm()}};
  j["site"] = {{"width_mm", site_w},
               {"height_mm", site_h},
               {"area_mm2", site_w * site_h},
               {"pitch_x_mm", site_w + o.street},
               {"pitch_y_mm", site_h + o.street}};
  j["packing_mode"] = to_string(r.mode);
  j["sites_per_wafer"] = packing.count;
  j["method"] = to_string(packing.method);
  j["orientation"] = packing.rotated ? "rotated" : "as_given";
  j["placed_width_mm"] = packing.placed_w_mm;
  j["placed_height_mm"] = packing.placed_h_mm;
  j["offset_x_mm"] = packing.offset_x_mm;
  j["offset_y_mm"] = packing.offset_y_mm;
  j["row_offsets_x_mm"] = packing.row_offsets_x_mm;
  j["grid_sites_per_wafer"] = packing.grid_count;
  j["staggered_sites_per_wafer"] = packing.staggered_count;
  j["staggered_orientation"] = packing.staggered_rotated ? "rotated" : "as_given";
  j["gross_die_formula"] = r.formula;
  j["area_utilisation"] = r.utilisation;
  j["site_yield"] = r.site_yield;
  if (o.site_yield)
    j["site_yield_source"] = "given";
  else
    j["site_yield_source"] = {{"model", to_string(r.model)},
                              {"d0_per_cm2", o.d0},
                              {"alpha", o.alpha},
                              {"area_cm2", r.area_cm2}};
  nlohmann::json dies = nlohmann::json::array();
  for (const auto& d : r.spec.dies)
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
  j["good_packages_per_wafer"] = r.good;
  if (o.ramp_months > 0) {
    nlohmann::json ramp_json = nlohmann::json::array();
    for (const auto& [m, f] : ramp_months(o, r))
      ramp_json.push_back(
          {{"month", m}, {"fraction_of_mature", f}, {"good_packages_per_wafer", r.good * f}});
    j["ramp"] = {{"shape", to_string(r.ramp.shape)},
                 {"start_fraction", r.ramp.start_fraction},
                 {"months", r.ramp.ramp_months},
                 {"by_month", ramp_json}};
  }
  nlohmann::json sites = nlohmann::json::array();
  for (const auto& s : packing.sites)
    sites.push_back({{"x_mm", s.x}, {"y_mm", s.y}, {"w_mm", s.w}, {"h_mm", s.h}});
  j["sites"] = sites;
  return j.dump(2) + "\n";
}

std::string package_map_svg(const PackageOptions& o, const PackageResult& r) {
  const Packing& packing = r.packing;
  std::vector<std::string> caption{
      fmt::format("Site {:g} x {:g} mm{}, street {:g} mm.", r.site_w, r.site_h,
                  packing.rotated ? " (placed turned 90 degrees)" : "", o.street),
      packing.method == PackingMethod::Grid
          ? fmt::format("Grid packing: lattice offset x {:.3f} mm, y {:.3f} mm.",
                        packing.offset_x_mm, packing.offset_y_mm)
          : fmt::format("Row-staggered packing: rows centred, row offset y {:.3f} mm.",
                        packing.offset_y_mm),
      fmt::format("Grid {} / row-staggered {} sites; textbook formula {:.1f}; {:.1f} % of the "
                  "usable area.",
                  packing.grid_count, packing.staggered_count, r.formula, 100.0 * r.utilisation),
      fmt::format("Site yield {:.4f} x compound {:.4f} = {:.2f} good packages per wafer.",
                  r.site_yield, r.compound.total, r.good)};
  return wafer_map_svg(r.wafer, packing, caption);
}

}  // namespace osatsim::packaging
