#pragma once
// Presentation of a CapacityResult: a readable table and the JSON document (docs/capacity.md §5).
#include <string>

#include "analysis/capacity.h"

namespace osatsim::analysis {

// Human-readable summary: top `top` bottlenecks, maximum start rate, cycle times per lot type at
// the nominal load, and the operating curve.
std::string format_table(const CapacityResult& r, int top = 15);

// The JSON document (keys in docs/capacity.md §5). Non-finite numbers are written as null.
std::string to_json_text(const CapacityResult& r);

}  // namespace osatsim::analysis
