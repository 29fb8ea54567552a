#include "cli/report_output.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <cstdio>
#include <ctime>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "cli/output.h"
#include "core/version.h"

namespace osatsim::cli {

bool read_result_document(const std::string& file, nlohmann::json& doc, std::string& why) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    why = file + ": cannot read";
    return false;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  try {
    doc = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    // Line and column of the character where parsing stopped (e.byte counts from 1; past the
    // end of the text when it ended too early).
    std::size_t line = 1, col = 1;
    for (std::size_t i = 0; i + 1 < e.byte && i < text.size(); ++i) {
      if (text[i] == '\n') {
        ++line;
        col = 1;
      } else {
        ++col;
      }
    }
    why = fmt::format("{}:{}:{}: not JSON", file, line, col);
    return false;
  }
  try {
    (void)report::kind_of(doc);
  } catch (const std::invalid_argument& e) {
    why = file + ": " + e.what();
    return false;
  }
  return true;
}

bool write_report(const std::vector<report::Run>& runs, const std::string& out, const char* command) {
  report::Meta meta;
  meta.version = kVersion;
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  meta.generated = fmt::format("{:%Y-%m-%d %H:%M} UTC", utc);
  std::string html;
  try {
    html = report::render_html(runs, meta);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: %s: %s\n", command, out.c_str(), e.what());
    return false;
  }
  std::string why;
  if (!write_atomically(out, html, why)) {
    std::fprintf(stderr, "%s: %s: %s\n", command, out.c_str(), why.c_str());
    return false;
  }
  return true;
}

}  // namespace osatsim::cli
