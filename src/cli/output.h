#pragma once
// Output files of the subcommands: written whole or not at all.
#include <string>

namespace osatsim::cli {

// Writes `text` to `path` through a temporary file in the same directory and a rename, so that a
// reader never sees a half-written file. Returns false with the reason in `why` (and leaves no
// temporary file behind) when it cannot.
bool write_atomically(const std::string& path, const std::string& text, std::string& why);

}  // namespace osatsim::cli
