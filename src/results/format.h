#pragma once
// Number formats shared by the result documents (internal to src/results): JSON numbers with
// null for non-finite values, and fixed-point text with "inf".
#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <string>

namespace osatsim::results::format {

inline nlohmann::json num(double v) {
  return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
}

inline std::string fnum(double v, int prec) {
  if (!std::isfinite(v)) return "inf";
  return fmt::format("{:.{}f}", v, prec);
}

inline std::string pct(double v) {
  if (!std::isfinite(v)) return "inf";
  return fmt::format("{:.1f}%", 100.0 * v);
}

}  // namespace osatsim::results::format
