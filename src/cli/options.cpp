#include "cli/options.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <system_error>

namespace osatsim::cli {

namespace fs = std::filesystem;

namespace {

std::string allowed_text(const std::string& kind, const std::string& what) {
  return what.empty() ? kind : kind + " of " + what;
}

}  // namespace

CLI::Validator finite_range(double lo, double hi, const std::string& what, bool lo_open) {
  const std::string allowed = fmt::format(
      "{} in {}{:g}, {:g}]", allowed_text("a finite number", what), lo_open ? "(" : "[", lo, hi);
  return CLI::Validator(
      [lo, hi, lo_open, allowed](std::string& text) -> std::string {
        char* end = nullptr;
        const double v = text.empty() ? 0.0 : std::strtod(text.c_str(), &end);
        const bool number = !text.empty() && end == text.c_str() + text.size() &&
                            !std::isspace(static_cast<unsigned char>(text.front()));
        if (!number || !std::isfinite(v) || (lo_open ? !(v > lo) : !(v >= lo)) || !(v <= hi))
          return fmt::format("'{}' refused (allowed: {})", text, allowed);
        return {};
      },
      allowed, "FINITE_RANGE");
}

CLI::Validator whole_range(long long lo, long long hi, const std::string& what) {
  const std::string allowed =
      fmt::format("{} in {}..{}", allowed_text("a whole number", what), lo, hi);
  return CLI::Validator(
      [lo, hi, allowed](std::string& text) -> std::string {
        const char* b = text.data();
        const char* e = b + text.size();
        if (b != e && *b == '+') ++b;
        long long v = 0;
        const auto [p, ec] = std::from_chars(b, e, v);
        if (b == e || ec != std::errc{} || p != e || v < lo || v > hi)
          return fmt::format("'{}' refused (allowed: {})", text, allowed);
        return {};
      },
      allowed, "WHOLE_RANGE");
}

CLI::Validator seed_value() {
  const std::string allowed =
      fmt::format("a whole number in 0..{}", std::numeric_limits<std::uint64_t>::max());
  return CLI::Validator(
      [allowed](std::string& text) -> std::string {
        const char* b = text.data();
        const char* e = b + text.size();
        if (b != e && *b == '+') ++b;
        std::uint64_t v = 0;
        const auto [p, ec] = std::from_chars(b, e, v);
        if (b == e || ec != std::errc{} || p != e)
          return fmt::format("'{}' refused (allowed: {})", text, allowed);
        return {};
      },
      allowed, "SEED");
}

namespace {

bool fail(const char* cmd, const char* option, const std::string& what) {
  std::fprintf(stderr, "%s: %s: %s\n", cmd, option, what.c_str());
  return false;
}

// The nearest existing ancestor of `p` (p itself when it exists), "." for a relative path
// without one.
fs::path existing_ancestor(const fs::path& p) {
  std::error_code ec;
  fs::path cur = p;
  while (!cur.empty() && !fs::exists(cur, ec)) cur = cur.parent_path();
  return cur.empty() ? fs::path(".") : cur;
}

}  // namespace

bool check_output_file(const char* cmd, const char* option, const std::string& path) {
  if (path.empty()) return fail(cmd, option, "empty path (allowed: a file name)");
  std::error_code ec;
  const fs::path p(path);
  const auto st = fs::status(p, ec);
  if (fs::is_directory(st))
    return fail(cmd, option, fmt::format("'{}' is a directory (allowed: a file name)", path));
  if (fs::exists(st) && !fs::is_regular_file(st))
    return fail(cmd, option,
                fmt::format("'{}' exists and is not a regular file (allowed: a file name)", path));
  const fs::path dir = p.has_parent_path() ? p.parent_path() : fs::path(".");
  if (!fs::is_directory(dir, ec))
    return fail(cmd, option, fmt::format("no directory '{}' to write '{}' in", dir.string(), path));
  if (::access(dir.c_str(), W_OK) != 0)
    return fail(cmd, option, fmt::format("directory '{}' is not writable", dir.string()));
  return true;
}

bool check_output_dir(const char* cmd, const char* option, const std::string& path) {
  if (path.empty()) return fail(cmd, option, "empty path (allowed: a directory name)");
  std::error_code ec;
  const fs::path p(path);
  const auto st = fs::status(p, ec);
  if (fs::exists(st) && !fs::is_directory(st))
    return fail(cmd, option,
                fmt::format("'{}' exists and is not a directory (allowed: a directory, made if "
                            "missing)",
                            path));
  const fs::path base = existing_ancestor(p);
  if (!fs::is_directory(base, ec))
    return fail(cmd, option,
                fmt::format("'{}' cannot be made: '{}' is not a directory", path, base.string()));
  if (::access(base.c_str(), W_OK) != 0)
    return fail(cmd, option, fmt::format("directory '{}' is not writable", base.string()));
  if (fs::is_directory(p / "summary.json", ec))
    return fail(cmd, option, fmt::format("'{}' is a directory", (p / "summary.json").string()));
  return true;
}

namespace {

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

}  // namespace

std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_d = std::max<std::size_t>(2, word.size() / 3) + 1;
  for (const auto& c : candidates) {
    const std::size_t d = edit_distance(word, c);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  return best.empty() ? std::string() : fmt::format(" (did you mean '{}'?)", best);
}

}  // namespace osatsim::cli
