#include "core/diagnostics.h"

#include <fmt/format.h>

#include <cstring>
#include <string_view>

#include "core/time.h"

namespace osatsim {

std::string Diagnostic::to_string() const {
  std::string out = file.empty() ? std::string("<input>") : file;
  if (line > 0) out += fmt::format(":{}", line);
  if (line > 0 && column > 0) out += fmt::format(":{}", column);
  out += ": ";
  if (!field.empty()) out += fmt::format("{}: ", field);
  out += message;
  return out;
}

void Diagnostics::add(std::string file, int line, std::string message) {
  items_.push_back(Diagnostic{std::move(file), line, 0, {}, std::move(message)});
}

void Diagnostics::add(std::string file, int line, int column, std::string field,
                      std::string message) {
  items_.push_back(Diagnostic{std::move(file), line, column, std::move(field), std::move(message)});
}

void Diagnostics::append(const Diagnostics& other) {
  items_.insert(items_.end(), other.items_.begin(), other.items_.end());
}

std::string Diagnostics::to_string() const {
  std::string out;
  for (const auto& d : items_) {
    out += d.to_string();
    out += '\n';
  }
  return out;
}

double ticks_per_unit(const char* unit_word) {
  std::string_view u(unit_word);
  if (u == "ms") return 1.0;
  if (u == "s" || u == "sec" || u == "second" || u == "seconds") return kTicksPerSecond;
  if (u == "min" || u == "minute" || u == "minutes") return kTicksPerMinute;
  if (u == "h" || u == "hr" || u == "hour" || u == "hours") return kTicksPerHour;
  if (u == "d" || u == "day" || u == "days") return kTicksPerDay;
  if (u == "wk" || u == "week" || u == "weeks") return 7.0 * kTicksPerDay;
  return 0.0;
}

}  // namespace osatsim
