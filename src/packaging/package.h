#pragma once
// The package report of `osatsim package` (docs/cli.md): sites per wafer by explicit rectangle
// packing (the textbook formula beside it), the package yield breakdown, good packages per wafer
// and an optional yield ramp; as text, JSON and an SVG wafer map.
#include <optional>
#include <string>
#include <vector>

#include "packaging/geometry.h"
#include "packaging/yield.h"

namespace osatsim::packaging {

// Upper bounds of the numeric options (docs/cli.md): a 450 mm wafer is the largest made; the
// bounds leave room and keep the packing finite.
inline constexpr double kMaxWaferMm = 1000.0;
inline constexpr double kMaxD0 = 1000.0;  // defects per cm2
inline constexpr double kMaxAlpha = 1e6;  // clustering parameter (large: Poisson)
inline constexpr int kMaxDiesPerKind = 1000;

// The options as given on the command line (texts not yet parsed).
struct PackageOptions {
  std::string site;  // WIDTHxHEIGHT in mm
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
};

struct PackageResult {
  // Problems with the options, one line each naming the option; nothing below is computed when
  // there are any.
  std::vector<std::string> problems;
  WaferSpec wafer;
  double site_w = 0, site_h = 0;
  PackingMode mode = PackingMode::Grid;
  Packing packing;
  double formula = 0;      // gross-die formula
  double area_cm2 = 0;     // site area
  YieldModel model = YieldModel::NegativeBinomial;
  double site_yield = 0;
  PackageYieldSpec spec;   // dies per package and the yields after the site
  CompoundYield compound;
  double good = 0;         // good packages per wafer
  double utilisation = 0;  // share of the usable wafer area covered by sites
  YieldRamp ramp;
};

// Checks the options and, when they are good, packs the wafer and computes the yields.
PackageResult evaluate_package(const PackageOptions& o);

// The report printed by the command, the JSON document (with a final newline) and the SVG
// wafer map of a result without problems.
std::string package_text(const PackageOptions& o, const PackageResult& r);
std::string package_json(const PackageOptions& o, const PackageResult& r);
std::string package_map_svg(const PackageOptions& o, const PackageResult& r);

}  // namespace osatsim::packaging
