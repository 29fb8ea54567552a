#pragma once
// A sweep file (docs/sweep.md): the base model, run settings and the factors to vary, read and
// checked with file:line messages. Factor levels are kept as option texts; the command turns
// them into engine options and model edits (the same conversions as `simulate`).
#include <cstdint>
#include <string>
#include <vector>

namespace osatsim::sweep {

// One factor set to one level: `key` is a `simulate` option name without dashes (dispatch,
// lssu-switch, idle-tool, pm-nesting, batch-max-wait, scale) or a model field
// (tools.GROUP, scale.PRODUCT); `value` its text; `line` where the sweep file gives it.
struct Setting {
  std::string key;
  std::string value;
  int line = 0;
};

struct Variant {
  std::vector<Setting> settings;  // in the order of Spec::factors
};

struct Spec {
  std::string file;  // as given (messages name it)
  std::string model;
  int model_line = 0;
  double days = 0, warmup_days = 0;
  int replications = 1;
  std::uint64_t seed = 0;
  std::vector<std::string> factors;  // factor keys, the comparison table's columns
  std::vector<Variant> variants;     // grid: all combinations, first factor slowest
  std::string hash;                  // FNV-1a of the file's bytes (hex), checked on resume
};

// The keys a factor may have: these, or tools.GROUP / scale.PRODUCT.
bool known_factor(const std::string& key);

// Reads and checks `path`. Problems go to `errors` as "file:line: message"; false on any.
bool read_spec(const std::string& path, Spec& spec, std::vector<std::string>& errors);

}  // namespace osatsim::sweep
