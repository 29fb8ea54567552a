#pragma once
// Small text helpers shared by the readers and the commands (one home for trimming, which
// was written once per reader).

#include <cctype>
#include <string_view>

namespace osatsim::core {

// `s` without leading and trailing white space (std::isspace: space, \t, \n, \v, \f, \r).
inline std::string_view trim(std::string_view s) {
  std::size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

}  // namespace osatsim::core
