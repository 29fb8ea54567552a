// Fuzz target for the YAML scenario reader: the input is a scenario file's text. Any crash,
// sanitizer report, hang or escaping exception is a bug: bad input must only produce diagnostics.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "io/scenario.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  osatsim::Diagnostics diags;
  auto factory = osatsim::io::read_scenario_text(text, "fuzz.yaml", diags);
  // Contract: either a factory and no problems, or no factory and at least one problem.
  if ((factory == nullptr) == diags.ok()) __builtin_trap();
  for (const auto& d : diags.items()) {
    if (d.message.empty()) __builtin_trap();
  }
  return 0;
}
