#pragma once
// Yield models for advanced packaging: defect-density site yield, compound package yield from
// known-good dies and per-die bonding, and yield-learning ramps. All yields are fractions in
// [0, 1]. See docs/packaging.md for the formulas and references.
#include <optional>
#include <string>
#include <vector>

namespace osatsim::packaging {

// Defect-limited yield of an area A (cm^2) at defect density D0 (defects / cm^2).
enum class YieldModel { Poisson, Murphy, NegativeBinomial, Seeds };

const char* to_string(YieldModel m);
// Accepts poisson, murphy, negbin (also negative-binomial), seeds.
std::optional<YieldModel> parse_yield_model(const std::string& s);

double poisson_yield(double area_cm2, double d0_per_cm2);               // exp(-A D0)
double murphy_yield(double area_cm2, double d0_per_cm2);                // ((1 - e^-AD) / AD)^2
double negbin_yield(double area_cm2, double d0_per_cm2, double alpha);  // (1 + A D0 / a)^-a
double seeds_yield(double area_cm2, double d0_per_cm2);                 // 1 / (1 + A D0)
// Dispatch; `alpha` is used by the negative binomial only. A D0 = 0 gives 1 for every model.
double defect_yield(YieldModel m, double area_cm2, double d0_per_cm2, double alpha = 2.0);

// Dies of one kind placed on every package (e.g. logic x 2, hbm x 8) and the probability that an
// incoming die of that kind is really good (known-good-die quality).
struct DieKind {
  std::string name;
  int count = 0;
  double kgd_quality = 1.0;
};

// The yields that multiply into the package yield after the site (interposer) itself is good.
struct PackageYieldSpec {
  std::vector<DieKind> dies;
  double bond_yield_per_die = 1.0;  // each placed die bonds correctly with this probability
  double module_test_yield = 1.0;   // CoW / module test fallout not caused by bonding
  double assembly_yield = 1.0;      // on-substrate assembly
  double test_yield = 1.0;          // burn-in + final test + system-level test
};

struct CompoundYield {
  int dies_per_package = 0;
  double kgd = 1.0;   // prod over kinds of quality^count
  double bond = 1.0;  // bond_yield_per_die ^ dies_per_package
  double module_test = 1.0;
  double assembly = 1.0;
  double test = 1.0;
  double total = 1.0;  // product of the above
};

CompoundYield compound_yield(const PackageYieldSpec& spec);

// Problems with a spec (yields outside (0, 1], negative counts, ...); empty when fine.
std::vector<std::string> check_yield_spec(const PackageYieldSpec& spec);

// Yield learning: the fraction of mature yield reached `months` after the start of a ramp that
// begins at `start_fraction` and reaches 1 at `ramp_months`.
//  Linear:      f(t) = s + (1 - s) t / N.
//  Exponential: f(t) = s + (1 - s) (1 - e^(-k t / N)) / (1 - e^(-k)), k = `rate` (default 3:
//               two thirds of the gap is closed in the first third of the ramp, as learning
//               curves do); it meets 1 exactly at t = N.
// f = s for t <= 0 and 1 for t >= N (N = 0: mature from the start).
enum class RampShape { Linear, Exponential };

const char* to_string(RampShape s);
std::optional<RampShape> parse_ramp_shape(const std::string& s);  // linear, exponential (exp)

struct YieldRamp {
  double start_fraction = 0.85;  // FACTS 8.5: start at 0.85 x mature yield
  double ramp_months = 6.0;      // ... mature after 2 quarters
  RampShape shape = RampShape::Exponential;
  double rate = 3.0;  // exponential shape only; > 0
};

double ramp_fraction(const YieldRamp& ramp, double months);

}  // namespace osatsim::packaging
