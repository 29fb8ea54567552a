// The engine's option words (options.h): the conversions declared in engine.h, read off the
// tables.
#include "engine/options.h"

namespace osatsim::engine {

const char* to_string(DispatchRule r) { return word_of(kDispatchRules, r).data(); }

bool parse_dispatch_rule(const std::string& word, DispatchRule& rule) {
  const auto v = parse_choice(kDispatchRules, word);
  if (v) rule = *v;
  return v.has_value();
}

}  // namespace osatsim::engine
