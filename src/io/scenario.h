#pragma once
// YAML scenarios of packaging factories (format: docs/scenario.md) and the scenarios built into
// the binary (src/io/scenarios/*.yaml, embedded at build time).
//
// The readers collect every problem of a file as `file:line:column: key: what` and never throw
// for bad input; they return nullptr when any problem was found.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/diagnostics.h"
#include "model/factory.h"

namespace osatsim::io {

// Reads and validates the scenario in the file at `path`.
std::shared_ptr<model::Factory> read_scenario_file(const std::string& path, Diagnostics& diags);

// Reads and validates scenario text; `name` is used as the file name in diagnostics and as the
// Factory's source.
std::shared_ptr<model::Factory> read_scenario_text(std::string_view text, const std::string& name,
                                                   Diagnostics& diags);

// The YAML text of a built-in scenario ("default", ...), or an empty view when there is none.
std::string_view builtin_scenario_text(std::string_view name);

// Names of the built-in scenarios, sorted.
std::vector<std::string> builtin_scenario_names();

// " (did you mean 'NAME'?)" for the built-in scenario closest to `word` (small edit distance),
// else "".
std::string builtin_scenario_suggestion(std::string_view word);

// Parses a duration with its unit: "12 min", "4 s", "2.5 h", "7 d", "1 wk", "250 ms" (also
// "0" without a unit). Returns false for anything else (negative, NaN, inf, unknown unit).
bool parse_duration(std::string_view text, double& ticks);

}  // namespace osatsim::io
