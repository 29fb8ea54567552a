#pragma once
// What-if edits of a factory without editing its files (issue 12): release rates scaled for the
// whole line and per product, tool counts of tool groups set or increased. The CLI options
// `--scale` and `--tools` of `capacity` and `simulate` build a WhatIf; check() names every
// problem against the factory, apply() returns the edited copy (docs/cli.md).
#include <string>
#include <vector>

#include "model/factory.h"

namespace osatsim::model {

// Bounds of the values a what-if accepts.
inline constexpr double kWhatIfMinScale = 1e-6;
inline constexpr double kWhatIfMaxScale = 1e6;
inline constexpr int kWhatIfMaxTools = 100000;

struct WhatIf {
  // Release-rate multiplier on every release stream (1: unchanged).
  double scale = 1.0;

  // Release-rate multiplier on every release stream of one product (multiplies `scale`).
  struct ProductScale {
    std::string product;
    double factor = 1.0;
  };
  std::vector<ProductScale> product_scales;

  // Tools of a tool group: set to `n` (add = false) or increased by `n` (add = true).
  struct ToolChange {
    std::string group;
    bool add = false;
    int n = 0;
  };
  std::vector<ToolChange> tools;

  // True when the what-if changes anything (a scale other than 1, a product scale or a tool
  // change).
  bool any() const { return scale != 1.0 || !product_scales.empty() || !tools.empty(); }
};

// One problem of a what-if; `tools` tells which option it belongs to (false: the scales).
struct WhatIfProblem {
  bool tools = false;
  std::string what;
};

// Every problem of `w` against `f`: unknown product or tool group (with the known names or the
// closest one), a name given twice, a factor that is not finite or outside
// [kWhatIfMinScale, kWhatIfMaxScale], a negative count or a count above kWhatIfMaxTools (also
// after adding). Empty when apply() may be called.
std::vector<WhatIfProblem> check(const WhatIf& w, const Factory& f);

// The factory with the what-if applied: each release stream's interval distribution divided by
// scale x its product's factor (its release rate multiplied), tool counts set or increased.
// Everything else, the name included, is kept. Precondition: check(w, f) is empty.
Factory apply(const Factory& f, const WhatIf& w);

// The tool change as written on the command line and in the results: "+2" (added) or "6" (set).
std::string to_string(const WhatIf::ToolChange& c);

// One short line for table headers, e.g. "what-if: scale 1.5, P1 x2, burn_in_oven +2"; empty
// when !w.any().
std::string describe(const WhatIf& w);

}  // namespace osatsim::model
