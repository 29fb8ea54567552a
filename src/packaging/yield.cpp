#include "packaging/yield.h"

#include <fmt/format.h>
#include <cmath>

namespace osatsim::packaging {

const char* to_string(YieldModel m) {
  switch (m) {
    case YieldModel::Poisson:
      return "poisson";
    case YieldModel::Murphy:
      return "murphy";
    case YieldModel::NegativeBinomial:
      return "negbin";
    case YieldModel::Seeds:
      return "seeds";
  }
  return "poisson";
}

std::optional<YieldModel> parse_yield_model(const std::string& s) {
  if (s == "poisson") return YieldModel::Poisson;
  if (s == "murphy") return YieldModel::Murphy;
  if (s == "negbin" || s == "negative-binomial") return YieldModel::NegativeBinomial;
  if (s == "seeds") return YieldModel::Seeds;
  return std::nullopt;
}

double poisson_yield(double area_cm2, double d0_per_cm2) {
  return std::exp(-area_cm2 * d0_per_cm2);
}

double murphy_yield(double area_cm2, double d0_per_cm2) {
  const double ad = area_cm2 * d0_per_cm2;
  if (ad < 1e-8) return 1.0 - ad;  // series: ((1 - e^-x)/x)^2 = 1 - x + O(x^2)
  const double f = -std::expm1(-ad) / ad;
  return f * f;
}

double negbin_yield(double area_cm2, double d0_per_cm2, double alpha) {
  return std::pow(1.0 + area_cm2 * d0_per_cm2 / alpha, -alpha);
}

double seeds_yield(double area_cm2, double d0_per_cm2) {
  return 1.0 / (1.0 + area_cm2 * d0_per_cm2);
}

double defect_yield(YieldModel m, double area_cm2, double d0_per_cm2, double alpha) {
  switch (m) {
    case YieldModel::Poisson:
      return poisson_yield(area_cm2, d0_per_cm2);
    case YieldModel::Murphy:
      return murphy_yield(area_cm2, d0_per_cm2);
    case YieldModel::NegativeBinomial:
      return negbin_yield(area_cm2, d0_per_cm2, alpha);
    case YieldModel::Seeds:
      return seeds_yield(area_cm2, d0_per_cm2);
  }
  return 1.0;
}

CompoundYield compound_yield(const PackageYieldSpec& spec) {
  CompoundYield y;
  for (const auto& d : spec.dies) {
    y.dies_per_package += d.count;
    y.kgd *= std::pow(d.kgd_quality, d.count);
  }
  y.bond = std::pow(spec.bond_yield_per_die, y.dies_per_package);
  y.module_test = spec.module_test_yield;
  y.assembly = spec.assembly_yield;
  y.test = spec.test_yield;
  y.total = y.kgd * y.bond * y.module_test * y.assembly * y.test;
  return y;
}

namespace {
bool in_unit(double v) {
  return std::isfinite(v) && v > 0.0 && v <= 1.0;
}
}  // namespace

std::vector<std::string> check_yield_spec(const PackageYieldSpec& spec) {
  std::vector<std::string> problems;
  for (const auto& d : spec.dies) {
    if (d.name.empty()) problems.push_back("die kind without a name");
    if (d.count < 0) problems.push_back(fmt::format("die kind '{}': count must be >= 0", d.name));
    if (!in_unit(d.kgd_quality))
      problems.push_back(
          fmt::format("die kind '{}': known-good-die quality must be in (0, 1]", d.name));
  }
  if (!in_unit(spec.bond_yield_per_die)) problems.push_back("bond yield must be in (0, 1]");
  if (!in_unit(spec.module_test_yield)) problems.push_back("module test yield must be in (0, 1]");
  if (!in_unit(spec.assembly_yield)) problems.push_back("assembly yield must be in (0, 1]");
  if (!in_unit(spec.test_yield)) problems.push_back("test yield must be in (0, 1]");
  return problems;
}

const char* to_string(RampShape s) {
  return s == RampShape::Linear ? "linear" : "exponential";
}

std::optional<RampShape> parse_ramp_shape(const std::string& s) {
  if (s == "linear") return RampShape::Linear;
  if (s == "exponential" || s == "exp") return RampShape::Exponential;
  return std::nullopt;
}

double ramp_fraction(const YieldRamp& ramp, double months) {
  const double s = ramp.start_fraction;
  const double n = ramp.ramp_months;
  if (n <= 0 || months >= n) return 1.0;
  if (months <= 0) return s;
  const double u = months / n;
  if (ramp.shape == RampShape::Linear) return s + (1.0 - s) * u;
  const double k = ramp.rate;
  return s + (1.0 - s) * (-std::expm1(-k * u)) / (-std::expm1(-k));
}

}  // namespace osatsim::packaging
