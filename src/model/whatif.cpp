#include "model/whatif.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>

namespace osatsim::model {
namespace {

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

// " (known: a, b, c)" for short lists, else " (did you mean 'x'?)" for a close name, else
// " (N known; names are case-sensitive)".
template <typename V>
std::string known_names(const V& items, const std::string& name) {
  constexpr std::size_t kListUpTo = 12;
  if (items.size() <= kListUpTo) {
    std::string s;
    for (const auto& it : items) s += (s.empty() ? "" : ", ") + it.name;
    return fmt::format(" (known: {})", s);
  }
  std::string best;
  std::size_t best_d = std::max<std::size_t>(2, name.size() / 3) + 1;
  for (const auto& it : items) {
    const std::size_t d = edit_distance(name, it.name);
    if (d < best_d) {
      best_d = d;
      best = it.name;
    }
  }
  if (!best.empty()) return fmt::format(" (did you mean '{}'?)", best);
  return fmt::format(" ({} known; names are case-sensitive)", items.size());
}

bool factor_ok(double v) {
  return std::isfinite(v) && v >= kWhatIfMinScale && v <= kWhatIfMaxScale;
}

}  // namespace

std::vector<WhatIfProblem> check(const WhatIf& w, const Factory& f) {
  std::vector<WhatIfProblem> out;
  const auto bad = [&out](bool tools, std::string what) {
    out.push_back({tools, std::move(what)});
  };
  if (!factor_ok(w.scale))
    bad(false,
        fmt::format("factor {} outside [{:g}, {:g}]", w.scale, kWhatIfMinScale, kWhatIfMaxScale));
  std::set<std::string> seen;
  for (const auto& p : w.product_scales) {
    if (f.find_product(p.product) == kNone)
      bad(false,
          fmt::format("unknown product '{}'{}", p.product, known_names(f.products, p.product)));
    else if (!seen.insert(p.product).second)
      bad(false, fmt::format("product '{}' given twice", p.product));
    if (!factor_ok(p.factor))
      bad(false, fmt::format("{}: factor {} outside [{:g}, {:g}]", p.product, p.factor,
                             kWhatIfMinScale, kWhatIfMaxScale));
  }
  seen.clear();
  for (const auto& t : w.tools) {
    const ToolGroupId g = f.find_tool_group(t.group);
    if (g == kNone) {
      bad(true,
          fmt::format("unknown tool group '{}'{}", t.group, known_names(f.tool_groups, t.group)));
      continue;
    }
    if (!seen.insert(t.group).second) {
      bad(true, fmt::format("tool group '{}' given twice", t.group));
      continue;
    }
    if (t.n < 0) {
      bad(true, fmt::format("{}: negative tool count {} (allowed: N or +N, 0..{})", t.group, t.n,
                            kWhatIfMaxTools));
      continue;
    }
    const long long after = (t.add ? static_cast<long long>(f.tool_groups[g].tools) : 0LL) + t.n;
    if (after > kWhatIfMaxTools)
      bad(true, fmt::format("{}: {} tools exceed the limit {}", t.group, after, kWhatIfMaxTools));
  }
  return out;
}

Factory apply(const Factory& f, const WhatIf& w) {
  Factory out = f;
  std::vector<double> factor(out.products.size(), w.scale);
  for (const auto& p : w.product_scales) {
    const ProductId id = out.find_product(p.product);
    if (id != kNone) factor[id] *= p.factor;
  }
  for (auto& s : out.streams) {
    const double k =
        s.product >= 0 && s.product < static_cast<int>(factor.size()) ? factor[s.product] : w.scale;
    if (k != 1.0) s.interval = s.interval.scaled(1.0 / k);
  }
  for (const auto& t : w.tools) {
    const ToolGroupId g = out.find_tool_group(t.group);
    if (g == kNone) continue;
    auto& group = out.tool_groups[g];
    group.tools = t.add ? group.tools + t.n : t.n;
  }
  return out;
}

std::string to_string(const WhatIf::ToolChange& c) {
  return c.add ? fmt::format("+{}", c.n) : fmt::format("{}", c.n);
}

std::string describe(const WhatIf& w) {
  if (!w.any()) return {};
  std::string s;
  const auto add = [&s](const std::string& part) { s += (s.empty() ? "" : ", ") + part; };
  if (w.scale != 1.0) add(fmt::format("scale {:g}", w.scale));
  for (const auto& p : w.product_scales) add(fmt::format("{} x{:g}", p.product, p.factor));
  for (const auto& t : w.tools) add(fmt::format("{} tools {}", t.group, to_string(t)));
  return "what-if: " + s;
}

}  // namespace osatsim::model
