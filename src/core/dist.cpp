#include "core/dist.h"

#include <fmt/format.h>

#include <algorithm>

namespace osatsim {

double Dist::scv() const {
  if (mean <= 0.0) return 0.0;
  switch (kind) {
    case DistKind::Constant:
      return 0.0;
    case DistKind::Exponential:
      return 1.0;
    case DistKind::Uniform: {
      const double var = (2.0 * half_width) * (2.0 * half_width) / 12.0;
      return var / (mean * mean);
    }
  }
  return 0.0;
}

std::string Dist::to_string() const {
  switch (kind) {
    case DistKind::Constant:
      return fmt::format("constant({})", mean);
    case DistKind::Exponential:
      return fmt::format("exponential({})", mean);
    case DistKind::Uniform:
      return fmt::format("uniform({}, {})", mean, half_width);
  }
  return "?";
}

bool parse_dist_kind(const std::string& word, DistKind& kind) {
  std::string w = word;
  std::transform(w.begin(), w.end(), w.begin(), [](unsigned char c) { return std::tolower(c); });
  if (w == "constant" || w == "const" || w == "fixed") {
    kind = DistKind::Constant;
  } else if (w == "exponential" || w == "exp" || w == "expo") {
    kind = DistKind::Exponential;
  } else if (w == "uniform" || w == "uni") {
    kind = DistKind::Uniform;
  } else {
    return false;
  }
  return true;
}

}  // namespace osatsim
