// SMT2020 reader: text files, tab-separated tables with checked cells, and dates
// (docs/smt2020.md).
#include "io/smt2020_table.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include "core/time.h"

namespace osatsim::io::smt2020_detail {

// Reads the whole file; on failure adds a whole-file diagnostic and returns false.
bool read_text(const fs::path& p, const std::string& display, std::string& out,
               Diagnostics& diags) {
  std::error_code ec;
  const fs::file_status st = fs::status(p, ec);
  if (st.type() == fs::file_type::not_found) {
    diags.add(display, 0, "file not found");
    return false;
  }
  if (ec) {
    diags.add(display, 0, fmt::format("cannot read: {}", ec.message()));
    return false;
  }
  if (fs::is_directory(st)) {
    diags.add(display, 0, "is a directory, expected a file");
    return false;
  }
  if (!fs::is_regular_file(st)) {
    diags.add(display, 0, "not a regular file");
    return false;
  }
  std::FILE* f = std::fopen(p.c_str(), "rb");
  if (f == nullptr) {
    diags.add(display, 0, fmt::format("cannot read: {}", std::strerror(errno)));
    return false;
  }
  out.clear();
  char buf[1 << 16];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  const bool failed = std::ferror(f) != 0;
  std::fclose(f);
  if (failed) {
    diags.add(display, 0, "cannot read: I/O error");
    return false;
  }
  return true;
}

// Position of the first byte that is not part of valid UTF-8 text (NUL counts as invalid), or
// npos.
std::size_t invalid_utf8(std::string_view s) {
  const auto* b = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = s.size();
  std::size_t i = 0;
  while (i < n) {
    const unsigned char c = b[i];
    if (c == 0) return i;
    if (c < 0x80) {
      ++i;
      continue;
    }
    int len = 0;
    unsigned lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 2;
      if (c == 0xE0) lo = 0xA0;
      if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 3;
      if (c == 0xF0) lo = 0x90;
      if (c == 0xF4) hi = 0x8F;
    } else {
      return i;
    }
    if (i + static_cast<std::size_t>(len) >= n) return i;
    if (b[i + 1] < lo || b[i + 1] > hi) return i;
    for (int k = 2; k <= len; ++k) {
      if (b[i + k] < 0x80 || b[i + k] > 0xBF) return i;
    }
    i += static_cast<std::size_t>(len) + 1;
  }
  return std::string_view::npos;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

bool blank(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v'; });
}

// ---------------------------------------------------------------------------------------------
// Tables

int Table::col(std::string_view name, bool required) {
  if (!ok_) return -1;
  auto it = std::find(header_.begin(), header_.end(), name);
  if (it == header_.end()) {
    if (required) {
      diags_.add(file_, header_line_, fmt::format("missing required column '{}'", name));
      missing_required_ = true;
    }
    return -1;
  }
  if (std::find(it + 1, header_.end(), name) != header_.end())
    diags_.add(file_, header_line_,
               fmt::format("column '{}' appears more than once in the header", name));
  return static_cast<int>(it - header_.begin());
}

bool Table::text(const Row& r, int c, std::string& out) {
  std::string_view v = str(r, c);
  if (v.empty()) {
    error(r, c, "missing value");
    return false;
  }
  out.assign(v);
  return true;
}

Got Table::number(const Row& r, int c, double& v) {
  std::string_view s = str(r, c);
  if (s.empty()) return Got::Empty;
  std::string_view t = s;
  if (!t.empty() && t.front() == '+') t.remove_prefix(1);
  double x = 0;
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), x);
  if (ec != std::errc() || p != t.data() + t.size()) {
    error(r, c, fmt::format("not a number: '{}'", s));
    return Got::Bad;
  }
  if (!std::isfinite(x)) {
    error(r, c, fmt::format("not a finite number: '{}'", s));
    return Got::Bad;
  }
  v = x;
  return Got::Ok;
}

Got Table::nonneg(const Row& r, int c, double& v) {
  Got g = number(r, c, v);
  if (g == Got::Ok && v < 0) {
    error(r, c, fmt::format("must not be negative: '{}'", str(r, c)));
    return Got::Bad;
  }
  return g;
}

Got Table::integer(const Row& r, int c, long long& v, long long lo,
                   long long hi) {
  double x = 0;
  Got g = number(r, c, x);
  if (g != Got::Ok) return g;
  if (x < static_cast<double>(lo) - 0.5 || x > static_cast<double>(hi) + 0.5) {
    error(r, c, fmt::format("out of range [{}, {}]: '{}'", lo, hi, str(r, c)));
    return Got::Bad;
  }
  v = std::llround(x);
  return Got::Ok;
}

Got Table::req_integer(const Row& r, int c, long long& v, long long lo,
                       long long hi) {
  Got g = integer(r, c, v, lo, hi);
  if (g == Got::Empty) {
    error(r, c, "missing value");
    return Got::Bad;
  }
  return g;
}

double Table::time_unit(const Row& r, int uc) {
  std::string_view u = str(r, uc);
  if (u.empty()) {
    error(r, uc, "missing time unit");
    return 0;
  }
  const double f = ticks_per_unit(std::string(u).c_str());
  if (f <= 0) error(r, uc, fmt::format("unknown time unit '{}' (sec, min, hr, day)", u));
  return f;
}

Got Table::duration(const Row& r, int vc, int uc, double& ticks) {
  double v = 0;
  Got g = nonneg(r, vc, v);
  if (g != Got::Ok) return g;
  const double f = time_unit(r, uc);
  if (f <= 0) return Got::Bad;
  ticks = v * f;
  if (ticks > kMaxValue) {
    error(r, vc, fmt::format("too large: '{}' (limit about 30,000 years)", str(r, vc)));
    return Got::Bad;
  }
  return Got::Ok;
}

Got Table::req_duration(const Row& r, int vc, int uc, double& ticks) {
  Got g = duration(r, vc, uc, ticks);
  if (g == Got::Empty) {
    error(r, vc, "missing value");
    return Got::Bad;
  }
  return g;
}

Got Table::dist(const Row& r, int kc, int vc, int hc, double scale, Dist& out) {
  double mean = 0;
  Got g = nonneg(r, vc, mean);
  if (g != Got::Ok) return g;
  DistKind kind = DistKind::Constant;
  std::string_view k = str(r, kc);
  if (!k.empty() && !parse_dist_kind(std::string(k), kind)) {
    error(r, kc, fmt::format("unknown distribution '{}' (constant, exponential, uniform)", k));
    return Got::Bad;
  }
  double half = 0;
  if (kind == DistKind::Uniform) {
    if (nonneg(r, hc, half) == Got::Bad) return Got::Bad;
    if (half > mean) {
      error(
          r, hc,
          fmt::format("uniform half-width {} exceeds the mean {} (negative times)", half, mean));
      return Got::Bad;
    }
  }
  if (mean * scale > kMaxValue) {
    error(r, vc, fmt::format("too large: '{}'", str(r, vc)));
    return Got::Bad;
  }
  switch (kind) {
    case DistKind::Constant:
      out = Dist::constant(mean * scale);
      break;
    case DistKind::Exponential:
      out = Dist::exponential(mean * scale);
      break;
    case DistKind::Uniform:
      out = Dist::uniform(mean * scale, half * scale);
      break;
  }
  return Got::Ok;
}

Got Table::time_dist(const Row& r, int kc, int vc, int hc, int uc, Dist& out,
                     bool required) {
  if (str(r, vc).empty()) {
    if (required) {
      error(r, vc, "missing value");
      return Got::Bad;
    }
    return Got::Empty;
  }
  const double f = time_unit(r, uc);
  Got g = dist(r, kc, vc, hc, f > 0 ? f : 1.0, out);
  return f > 0 ? g : Got::Bad;
}

void Table::parse() {
  std::string_view all(text_);
  if (all.size() >= 3 && all.substr(0, 3) == "\xEF\xBB\xBF") all.remove_prefix(3);
  int line = 0;
  bool have_header = false;
  std::size_t pos = 0;
  while (pos <= all.size()) {
    std::size_t nl = all.find('\n', pos);
    if (nl == std::string_view::npos) nl = all.size();
    std::string_view ln = all.substr(pos, nl - pos);
    pos = nl + 1;
    ++line;
    if (!ln.empty() && ln.back() == '\r') ln.remove_suffix(1);
    if (blank(ln)) continue;
    if (std::size_t bad = invalid_utf8(ln); bad != std::string_view::npos) {
      const auto byte = static_cast<unsigned char>(ln[bad]);
      diags_.add(file_, line, static_cast<int>(bad) + 1, {},
                 byte == 0 ? std::string("not text (NUL byte)")
                           : fmt::format("not UTF-8 text (byte 0x{:02X})", byte));
      if (!have_header) {
        ok_ = false;
        return;
      }
    }
    Row r;
    r.line = line;
    r.garbled = invalid_utf8(ln) != std::string_view::npos;
    std::size_t s = 0;
    while (true) {
      std::size_t t = ln.find('\t', s);
      if (t == std::string_view::npos) {
        r.cells.push_back(trim(ln.substr(s)));
        break;
      }
      r.cells.push_back(trim(ln.substr(s, t - s)));
      s = t + 1;
    }
    if (!have_header) {
      header_ = std::move(r.cells);
      header_line_ = line;
      have_header = true;
      continue;
    }
    if (r.cells.size() < header_.size()) r.cells.resize(header_.size());
    rows_.push_back(std::move(r));
  }
  if (!have_header) {
    diags_.add(file_, 0, "empty file (no header line)");
    ok_ = false;
  }
}

// ---------------------------------------------------------------------------------------------
// Dates: MM/DD/YY HH:MM:SS, YY = 20YY. Seconds since 2000-01-01 00:00:00.

namespace {

std::int64_t days_from_civil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return static_cast<std::int64_t>(era) * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

}  // namespace

bool parse_date(std::string_view s, std::int64_t& seconds, std::string& why) {
  // Fields: MM/DD/YY HH:MM:SS, each 1 or 2 digits (the year exactly 2).
  int v[6] = {0, 0, 0, 0, 0, 0};
  const char seps[6] = {'/', '/', ' ', ':', ':', '\0'};
  std::size_t i = 0;
  for (int k = 0; k < 6; ++k) {
    std::size_t start = i;
    int x = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9' && i - start < 4) x = x * 10 + (s[i++] - '0');
    const std::size_t digits = i - start;
    if (digits == 0 || digits > 2 || (k == 2 && digits != 2)) {
      why = "malformed date (expected MM/DD/YY HH:MM:SS)";
      return false;
    }
    v[k] = x;
    if (k < 5) {
      if (i >= s.size() || s[i] != seps[k]) {
        why = "malformed date (expected MM/DD/YY HH:MM:SS)";
        return false;
      }
      ++i;
    }
  }
  if (i != s.size()) {
    why = "malformed date (expected MM/DD/YY HH:MM:SS)";
    return false;
  }
  const int year = 2000 + v[2];
  const int month = v[0], day = v[1];
  static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (month < 1 || month > 12) {
    why = fmt::format("month {} out of range 1..12", month);
    return false;
  }
  const int dim = mdays[month - 1] + (month == 2 && leap ? 1 : 0);
  if (day < 1 || day > dim) {
    why = fmt::format("day {} out of range 1..{}", day, dim);
    return false;
  }
  if (v[3] > 23 || v[4] > 59 || v[5] > 59) {
    why = fmt::format("time {:02}:{:02}:{:02} out of range", v[3], v[4], v[5]);
    return false;
  }
  seconds =
      days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) * 86400 +
      v[3] * 3600 + v[4] * 60 + v[5];
  return true;
}

Got date_cell(Table& t, const Row& r, int c, std::int64_t& seconds) {
  std::string_view s = t.str(r, c);
  if (s.empty()) {
    t.error(r, c, "missing value");
    return Got::Bad;
  }
  std::string why;
  if (!parse_date(s, seconds, why)) {
    t.error(r, c, fmt::format("{}: '{}'", why, s));
    return Got::Bad;
  }
  return Got::Ok;
}

}  // namespace osatsim::io::smt2020_detail
