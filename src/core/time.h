#pragma once
// Simulation time: 64-bit integer ticks of one millisecond. Never floating point in the event
// queue.
#include <cmath>
#include <cstdint>

namespace osatsim {

using Ticks = std::int64_t;

inline constexpr Ticks kTicksPerSecond = 1000;
inline constexpr Ticks kTicksPerMinute = 60 * kTicksPerSecond;
inline constexpr Ticks kTicksPerHour = 60 * kTicksPerMinute;
inline constexpr Ticks kTicksPerDay = 24 * kTicksPerHour;
inline constexpr Ticks kNever = INT64_MAX;

// Rounds a duration in (possibly fractional) ticks to the nearest tick, halves away from zero:
// exactly std::llround, without its library call on the simulator's hot path. Below 2^62 the
// truncation is exact and `ticks - truncation` is the exact fractional part; larger, infinite
// or NaN values take std::llround itself.
[[gnu::always_inline]] inline Ticks round_ticks(double ticks) {
  if (!(std::fabs(ticks) < 0x1p62)) [[unlikely]]
    return static_cast<Ticks>(std::llround(ticks));
  const auto whole = static_cast<Ticks>(ticks);  // toward zero
  const double frac = ticks - static_cast<double>(whole);
  return whole + (frac >= 0.5 ? 1 : 0) - (frac <= -0.5 ? 1 : 0);
}
inline Ticks minutes(double m) {
  return round_ticks(m * kTicksPerMinute);
}
inline Ticks hours(double h) {
  return round_ticks(h * kTicksPerHour);
}
inline Ticks days(double d) {
  return round_ticks(d * kTicksPerDay);
}
inline double to_minutes(Ticks t) {
  return static_cast<double>(t) / kTicksPerMinute;
}
inline double to_hours(Ticks t) {
  return static_cast<double>(t) / kTicksPerHour;
}
inline double to_days(Ticks t) {
  return static_cast<double>(t) / kTicksPerDay;
}

// Multiplier from a time-unit word of the input formats ("sec", "min", "hr", "day", and common
// spellings) to ticks. Returns 0 for an unknown word.
double ticks_per_unit(const char* unit_word);

}  // namespace osatsim
