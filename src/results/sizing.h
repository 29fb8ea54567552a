#pragma once
// Presentation of a sizing result (capacity --size, docs/capacity.md §7): its table and the
// `sizing` object of the capacity JSON.
#include <string>

#include "analysis/sizing.h"

namespace osatsim::results {

// Readable sizing report: tools added per group (before -> after, cost), the total, utilisation
// before and after of the changed and most loaded groups, cycle time per product against target.
std::string format_sizing(const analysis::SizingResult& r, int top = 15);

// The `sizing` object of the capacity JSON (docs/capacity.md §7.4), as JSON text.
std::string sizing_json_text(const analysis::SizingResult& r);

// The capacity JSON document (to_json_text) with the `sizing` object added.
std::string to_json_text(const analysis::CapacityResult& c, const analysis::SizingResult& r);

}  // namespace osatsim::results
