#pragma once
// SVG wafer map of a packing: wafer outline with notch (at the bottom), edge-exclusion ring,
// usable circle and the placed sites (numbered when large enough), with a caption.
#include <string>
#include <vector>

#include "packaging/geometry.h"

namespace osatsim::packaging {

// Returns a standalone SVG document. Every site is one <rect class="site" .../>; `caption` lines
// are printed under the wafer (they are XML-escaped here).
std::string wafer_map_svg(const WaferSpec& wafer, const Packing& packing,
                          const std::vector<std::string>& caption);

}  // namespace osatsim::packaging
