#pragma once
// Small text helpers shared by the readers and the commands (one home for trimming, which
// was written once per reader, and for site dimensions WIDTHxHEIGHT).

#include <cctype>
#include <optional>
#include <string_view>
#include <utility>

namespace osatsim::core {

// `s` without leading and trailing white space (std::isspace: space, \t, \n, \v, \f, \r).
inline std::string_view trim(std::string_view s) {
  std::size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

// Site dimensions "WIDTHxHEIGHT": the text before and after its one separator (any character of
// `separators`), not yet parsed as numbers; nullopt unless exactly one separator. Used by the
// YAML reader (`site:`, separators "xX") and `osatsim package --site` ("xX*"), each parsing the
// numbers by its own rules.
inline std::optional<std::pair<std::string_view, std::string_view>> split_dims(
    std::string_view text, std::string_view separators) {
  const auto x = text.find_first_of(separators);
  if (x == std::string_view::npos) return std::nullopt;
  if (text.find_first_of(separators, x + 1) != std::string_view::npos) return std::nullopt;
  return std::pair{text.substr(0, x), text.substr(x + 1)};
}

}  // namespace osatsim::core
