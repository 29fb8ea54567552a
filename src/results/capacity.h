#pragma once
// Presentation of a CapacityResult: a readable table and the JSON document (docs/capacity.md §5).
#include <string>

#include "analysis/capacity.h"
#include "model/whatif.h"

namespace osatsim::results {

// Human-readable summary: top `top` bottlenecks, maximum start rate, cycle times per lot type at
// the nominal load, and the operating curve. With a what-if (`--scale`, `--tools`) that changes
// something, a line naming it follows the header.
std::string format_table(const analysis::CapacityResult& r, int top = 15,
                         const model::WhatIf* what_if = nullptr);

// The JSON document (keys in docs/capacity.md §5). Non-finite numbers are written as null.
// With a what-if, the key `what_if` records it (what_if_json).
std::string to_json_text(const analysis::CapacityResult& r, const model::WhatIf* what_if = nullptr);

// {"scale": F, "product_scale": {PRODUCT: F, ...}, "tools": {GROUP: "+N" or "N", ...}}: the
// record of a what-if in the capacity JSON and simulate's summary.json (docs/results.md).
std::string what_if_json_text(const model::WhatIf& w);

}  // namespace osatsim::results
