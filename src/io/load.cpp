#include "io/load.h"

#include <fmt/format.h>

#include <filesystem>
#include <utility>

#include "io/scenario.h"
#include "io/smt2020.h"

namespace osatsim::io {
namespace {

namespace fs = std::filesystem;

bool has_yaml_extension(const fs::path& p) {
  const std::string ext = p.extension().string();
  return ext == ".yaml" || ext == ".yml";
}

// A name of the built-in scenario catalogue: letters, digits, '-' and '_' only, no path parts.
bool looks_like_scenario_name(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

// YAML scenario files (docs/scenario.md) and built-in scenarios ("default", ...).
std::shared_ptr<model::Factory> load_scenario_or_builtin(const std::string& path,
                                                         Diagnostics& diags) {
  if (has_yaml_extension(fs::path(path))) return read_scenario_file(path, diags);
  const std::string_view text = builtin_scenario_text(path);
  if (text.empty()) {
    std::string names;
    for (const auto& n : builtin_scenario_names()) names += (names.empty() ? "" : ", ") + n;
    diags.add(path, 0,
              fmt::format("not found: no such file or directory, and no built-in scenario of that "
                          "name{} (built in: {})",
                          builtin_scenario_suggestion(path), names));
    return nullptr;
  }
  return read_scenario_text(text, fmt::format("builtin:{}", path), diags);
}

}  // namespace

std::shared_ptr<const model::Factory> load_factory(const std::string& path, Diagnostics& diags) {
  Diagnostics found;
  std::shared_ptr<model::Factory> factory;
  try {
    const fs::path p(path);
    std::error_code ec;
    const auto st = fs::status(p, ec);
    if (path.empty()) {
      found.add("<input>", 0,
                "no factory given (an SMT2020 directory, a .yaml scenario or a "
                "built-in scenario name)");
    } else if (fs::is_directory(st)) {
      factory = std::make_shared<model::Factory>(read_smt2020(p, found));
    } else if (has_yaml_extension(p) ||
               (st.type() == fs::file_type::not_found && looks_like_scenario_name(path))) {
      factory = load_scenario_or_builtin(path, found);
    } else if (st.type() == fs::file_type::not_found) {
      found.add(path, 0, "not found (expected an SMT2020 directory or a .yaml scenario file)");
    } else {
      found.add(path, 0,
                "not a factory input (expected an SMT2020 directory, a .yaml/.yml scenario file "
                "or a built-in scenario name)");
    }
    // The model's own checks, once the reader found nothing: a partly read model would fail
    // them again for the problems already reported (the reader checks everything they check).
    if (factory && found.ok()) found.append(factory->validate());
  } catch (const std::bad_alloc&) {
    found.add(path, 0, "out of memory while reading");
  } catch (const std::exception& e) {
    found.add(path, 0, fmt::format("cannot read: {}", e.what()));
  }
  diags.append(found);
  if (!found.ok() || !factory) return nullptr;
  return factory;
}

}  // namespace osatsim::io
