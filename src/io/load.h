#pragma once
// One entry point for every kind of factory input.
#include <memory>
#include <string>

#include "core/diagnostics.h"
#include "model/factory.h"

namespace osatsim::io {

// Loads and validates a factory from `path`:
// - a directory: an SMT2020 model (tool.txt.1l, route_N.txt, ...; see docs/smt2020.md);
// - a file ending in .yaml or .yml: a scenario (docs/scenario.md);
// - the name of a built-in scenario, e.g. "default".
// Returns nullptr and fills `diags` with every problem found (file:line: what) when the input
// cannot be read or is inconsistent. Never throws for bad input.
std::shared_ptr<const model::Factory> load_factory(const std::string& path, Diagnostics& diags);

}  // namespace osatsim::io
