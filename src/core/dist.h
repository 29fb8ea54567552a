#pragma once
// Distributions of durations (in ticks) and other non-negative quantities.
#include <string>

#include "core/rng.h"

namespace osatsim {

enum class DistKind : unsigned char { Constant, Exponential, Uniform };

// uniform(mean, half_width) means U[mean - half_width, mean + half_width] (SMT2020 reading, see
// docs/smt2020.md). Draws are clamped at 0.
struct Dist {
  DistKind kind = DistKind::Constant;
  double mean = 0.0;
  double half_width = 0.0;  // Uniform only

  static Dist constant(double v) { return {DistKind::Constant, v, 0.0}; }
  static Dist exponential(double mean) { return {DistKind::Exponential, mean, 0.0}; }
  static Dist uniform(double mean, double half_width) {
    return {DistKind::Uniform, mean, half_width};
  }

  double sample(Rng& rng) const {  // inline: on the simulator's hot path
    switch (kind) {
      case DistKind::Constant:
        return mean;
      case DistKind::Exponential:
        return rng.exponential(mean);
      case DistKind::Uniform: {
        const double x = rng.uniform(mean - half_width, mean + half_width);
        return x > 0.0 ? x : 0.0;  // std::max(0.0, x)
      }
    }
    return mean;
  }
  double expected() const { return mean; }
  // Squared coefficient of variation (variance / mean^2); 0 when the mean is 0.
  double scv() const;
  // Same shape, every value multiplied by f.
  Dist scaled(double f) const { return {kind, mean * f, half_width * f}; }
  bool is_zero() const { return mean == 0.0 && half_width == 0.0; }

  std::string to_string() const;
};

// Parses a distribution name of the input formats ("constant", "exponential", "uniform"; also
// "const", "exp", "uni"). Returns false for an unknown name.
bool parse_dist_kind(const std::string& word, DistKind& kind);

}  // namespace osatsim
