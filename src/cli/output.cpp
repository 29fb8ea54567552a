#include "cli/output.h"

#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace osatsim::cli {

namespace fs = std::filesystem;

bool write_atomically(const std::string& path, const std::string& text, std::string& why) {
  const fs::path target(path);
  const fs::path tmp =
      target.parent_path() / (target.filename().string() + fmt::format(".tmp.{}", ::getpid()));
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) {
      why = "cannot create " + tmp.string();
      return false;
    }
    out << text;
    out.flush();
    if (!out) {
      why = "cannot write " + tmp.string();
      std::error_code ec;
      fs::remove(tmp, ec);
      return false;
    }
  }
  std::error_code ec;
  fs::rename(tmp, target, ec);
  if (ec) {
    why = fmt::format("cannot rename {} to {}: {}", tmp.string(), path, ec.message());
    fs::remove(tmp, ec);
    return false;
  }
  return true;
}

}  // namespace osatsim::cli
