#include "sweep/spec.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

namespace osatsim::sweep {
namespace {

constexpr const char* kTopKeys[] = {"model", "days", "warmup_days", "replications", "seed",
                                    "grid", "variants"};
constexpr const char* kOptionFactors[] = {
    "dispatch",       "lssu-switch", "setup-state",    "wake",  "cascade-setup", "idle-tool",
    "wafer-pm-start", "pm-nesting",  "batch-max-wait", "scale"};

std::string fnv1a(const std::string& bytes) {
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return fmt::format("{:016x}", h);
}

struct Reader {
  const std::string& file;
  std::vector<std::string>& errors;
  void bad(const YAML::Node& n, const std::string& what) {
    errors.push_back(fmt::format("{}:{}: {}", file, n.Mark().line + 1, what));
  }
  bool number(const YAML::Node& n, const char* key, double lo, double hi, double& out) {
    if (!n.IsScalar()) {
      bad(n, fmt::format("{}: not a number", key));
      return false;
    }
    const std::string s = n.Scalar();
    char* end = nullptr;
    const double v = std::strtod(s.c_str(), &end);
    if (s.empty() || end != s.c_str() + s.size() || !std::isfinite(v) || v < lo || v > hi) {
      bad(n, fmt::format("{}: '{}' is not a number in [{:g}, {:g}]", key, s, lo, hi));
      return false;
    }
    out = v;
    return true;
  }
  // One factor's level: a scalar (numbers and words alike, kept as text).
  bool level(const YAML::Node& n, const std::string& key, Setting& s) {
    if (!n.IsScalar() || n.Scalar().empty()) {
      bad(n, fmt::format("{}: a level must be a single value", key));
      return false;
    }
    s = Setting{key, n.Scalar(), n.Mark().line + 1};
    return true;
  }
  bool factor_key(const YAML::Node& k) {
    const std::string key = k.as<std::string>();
    if (known_factor(key)) return true;
    bad(k, fmt::format("unknown factor '{}' (dispatch, lssu-switch, setup-state, wake, "
                       "cascade-setup, idle-tool, wafer-pm-start, pm-nesting, batch-max-wait, "
                       "scale, tools.GROUP, scale.PRODUCT, yield.STEP, rule.GROUP)",
                       key));
    return false;
  }
};

void read_grid(Reader& r, const YAML::Node& grid, Spec& spec) {
  if (!grid.IsMap() || grid.size() == 0) {
    r.bad(grid, "grid: empty (give at least one factor with at least one level)");
    return;
  }
  std::vector<std::vector<Setting>> levels;
  for (const auto& kv : grid) {
    if (!r.factor_key(kv.first)) continue;
    const std::string key = kv.first.as<std::string>();
    if (!kv.second.IsSequence() || kv.second.size() == 0) {
      r.bad(kv.second, fmt::format("grid: {}: give a non-empty list of levels", key));
      continue;
    }
    spec.factors.push_back(key);
    levels.emplace_back();
    for (const auto& v : kv.second) {
      Setting s;
      if (r.level(v, key, s)) levels.back().push_back(s);
    }
  }
  for (const auto& l : levels)
    if (l.empty()) return;
  if (levels.empty()) return;
  // All combinations, the first factor varying slowest.
  std::vector<std::size_t> idx(levels.size(), 0);
  while (true) {
    Variant v;
    for (std::size_t f = 0; f < levels.size(); ++f) v.settings.push_back(levels[f][idx[f]]);
    spec.variants.push_back(std::move(v));
    std::size_t f = levels.size();
    while (f > 0 && ++idx[f - 1] == levels[f - 1].size()) idx[--f] = 0;
    if (f == 0) break;
  }
}

void read_variants(Reader& r, const YAML::Node& list, Spec& spec) {
  if (!list.IsSequence() || list.size() == 0) {
    r.bad(list, "variants: empty (give a list of maps factor: level)");
    return;
  }
  std::vector<std::vector<Setting>> rows;
  for (const auto& item : list) {
    if (!item.IsMap() || item.size() == 0) {
      r.bad(item, "variants: each variant is a non-empty map factor: level");
      continue;
    }
    rows.emplace_back();
    for (const auto& kv : item) {
      if (!r.factor_key(kv.first)) continue;
      const std::string key = kv.first.as<std::string>();
      Setting s;
      if (!r.level(kv.second, key, s)) continue;
      if (std::find(spec.factors.begin(), spec.factors.end(), key) == spec.factors.end())
        spec.factors.push_back(key);
      rows.back().push_back(s);
    }
  }
  for (const auto& row : rows) {
    Variant v;
    for (const auto& f : spec.factors) {
      auto it = std::find_if(row.begin(), row.end(), [&](const Setting& s) { return s.key == f; });
      v.settings.push_back(it != row.end() ? *it : Setting{f, "", 0});  // "": the base model's
    }
    spec.variants.push_back(std::move(v));
  }
}

void read_settings(Reader& r, const YAML::Node& root, Spec& spec) {
  for (const auto& kv : root) {
    const std::string key = kv.first.as<std::string>();
    if (std::find(std::begin(kTopKeys), std::end(kTopKeys), key) == std::end(kTopKeys))
      r.bad(kv.first, fmt::format("unknown field '{}' (model, days, warmup_days, replications, "
                                  "seed, grid, variants)",
                                  key));
  }
  if (!root["model"] || !root["model"].IsScalar()) {
    r.bad(root, "model: missing (a scenario file, an SMT2020 folder or a built-in name)");
  } else {
    spec.model = root["model"].Scalar();
    spec.model_line = root["model"].Mark().line + 1;
  }
  if (!root["days"]) r.bad(root, "days: missing");
  else r.number(root["days"], "days", 1e-9, 1e5, spec.days);
  if (root["warmup_days"] && r.number(root["warmup_days"], "warmup_days", 0, 1e5, spec.warmup_days) &&
      spec.days > 0 && spec.warmup_days >= spec.days)
    r.bad(root["warmup_days"], "warmup_days: not less than days");
  double x = 1;
  if (root["replications"] && r.number(root["replications"], "replications", 1, 10000, x)) {
    if (x != std::floor(x)) r.bad(root["replications"], "replications: not a whole number");
    spec.replications = static_cast<int>(x);
  }
  x = 0;
  if (root["seed"] && r.number(root["seed"], "seed", 0, 9e15, x)) {
    if (x != std::floor(x)) r.bad(root["seed"], "seed: not a whole number");
    spec.seed = static_cast<std::uint64_t>(x);
  }
  const bool grid = static_cast<bool>(root["grid"]), variants = static_cast<bool>(root["variants"]);
  if (grid == variants) r.bad(root, "give either grid (all combinations) or variants (a list)");
  else if (grid) read_grid(r, root["grid"], spec);
  else read_variants(r, root["variants"], spec);
}

}  // namespace

bool known_factor(const std::string& key) {
  if (std::find(std::begin(kOptionFactors), std::end(kOptionFactors), key) !=
      std::end(kOptionFactors))
    return true;
  for (const char* prefix : {"tools.", "scale.", "yield.", "rule."}) {
    const std::string p(prefix);
    if (key.size() > p.size() && key.compare(0, p.size(), p) == 0) return true;
  }
  return false;
}

bool read_spec(const std::string& path, Spec& spec, std::vector<std::string>& errors) {
  spec = Spec{};
  spec.file = path;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    errors.push_back(fmt::format("{}: cannot read the sweep file", path));
    return false;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  spec.hash = fnv1a(text);
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    errors.push_back(fmt::format("{}:{}: {}", path, e.mark.line + 1, e.msg));
    return false;
  }
  if (!root.IsMap()) {
    errors.push_back(fmt::format("{}:1: a sweep file is a map (model, days, grid, ...)", path));
    return false;
  }
  const std::size_t before = errors.size();
  Reader r{path, errors};
  try {
    read_settings(r, root, spec);
  } catch (const YAML::Exception& e) {
    errors.push_back(fmt::format("{}:{}: {}", path, e.mark.line + 1, e.msg));
  }
  return errors.size() == before;
}

}  // namespace osatsim::sweep
