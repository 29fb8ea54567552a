#include "io/smt2020.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <map>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

namespace osatsim::io {
namespace {

namespace fs = std::filesystem;
using model::kNone;
using osatsim::Dist;

// ---------------------------------------------------------------------------------------------
// Text files and tab-separated tables

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

struct Row {
  int line = 0;
  bool garbled = false;  // not UTF-8: reported once, further problems of the row are not
  std::vector<std::string_view> cells;
};

enum class Got { Empty, Ok, Bad };

// Largest time (ticks, about 31,700 years) or count accepted: keeps every conversion to Ticks and
// every sum of a few such values far from int64 overflow.
constexpr double kMaxValue = 1e15;
// Largest tool count, tool capacity, wafers per lot or lots per release accepted.
constexpr long long kMaxCount = 1'000'000;

// A header-driven tab-separated table. Cells are views into the owned text.
class Table {
 public:
  Table(const fs::path& dir, const std::string& name, Diagnostics& diags)
      : file_((dir / name).string()), diags_(diags) {
    ok_ = read_text(dir / name, file_, text_, diags_);
    if (ok_) parse();
  }
  Table(const fs::path& path, std::string display, Diagnostics& diags, bool)
      : file_(std::move(display)), diags_(diags) {
    ok_ = read_text(path, file_, text_, diags_);
    if (ok_) parse();
  }

  bool ok() const { return ok_; }
  const std::string& file() const { return file_; }
  const std::vector<Row>& rows() const { return rows_; }

  // Column index by name; -1 when absent (an error when required).
  int col(std::string_view name, bool required = false) {
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
  // False when a required column was missing (rows are then not interpreted).
  bool columns_ok() const { return ok_ && !missing_required_; }

  std::string_view str(const Row& r, int c) const {
    if (c < 0 || c >= static_cast<int>(r.cells.size())) return {};
    return r.cells[c];
  }
  const char* name(int c) const { return c >= 0 ? header_[c].data() : "?"; }
  std::string colname(int c) const { return c >= 0 ? std::string(header_[c]) : std::string(); }

  void error(const Row& r, int c, std::string msg) {
    if (r.garbled) return;
    diags_.add(file_, r.line, 0, colname(c), std::move(msg));
  }
  void error(int line, std::string msg) { diags_.add(file_, line, std::move(msg)); }

  // A required non-empty text cell.
  bool text(const Row& r, int c, std::string& out) {
    std::string_view v = str(r, c);
    if (v.empty()) {
      error(r, c, "missing value");
      return false;
    }
    out.assign(v);
    return true;
  }

  Got number(const Row& r, int c, double& v) {
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
  Got nonneg(const Row& r, int c, double& v) {
    Got g = number(r, c, v);
    if (g == Got::Ok && v < 0) {
      error(r, c, fmt::format("must not be negative: '{}'", str(r, c)));
      return Got::Bad;
    }
    return g;
  }
  // An integer quantity; decimals are rounded (STNQTY 10.0).
  Got integer(const Row& r, int c, long long& v, long long lo = 0,
              long long hi = std::numeric_limits<int>::max()) {
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
  Got req_integer(const Row& r, int c, long long& v, long long lo = 0,
                  long long hi = std::numeric_limits<int>::max()) {
    Got g = integer(r, c, v, lo, hi);
    if (g == Got::Empty) {
      error(r, c, "missing value");
      return Got::Bad;
    }
    return g;
  }
  // Ticks per unit of the time unit in column uc; 0 (with an error) when empty or unknown.
  double time_unit(const Row& r, int uc) {
    std::string_view u = str(r, uc);
    if (u.empty()) {
      error(r, uc, "missing time unit");
      return 0;
    }
    const double f = ticks_per_unit(std::string(u).c_str());
    if (f <= 0) error(r, uc, fmt::format("unknown time unit '{}' (sec, min, hr, day)", u));
    return f;
  }
  // A non-negative duration: value in column vc, unit in uc, converted to ticks.
  Got duration(const Row& r, int vc, int uc, double& ticks) {
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
  Got req_duration(const Row& r, int vc, int uc, double& ticks) {
    Got g = duration(r, vc, uc, ticks);
    if (g == Got::Empty) {
      error(r, vc, "missing value");
      return Got::Bad;
    }
    return g;
  }
  // A distribution: kind in kc (empty = constant), mean in vc, half-width in hc (uniform),
  // scaled by `scale` (ticks per unit, or 1 for counts).
  Got dist(const Row& r, int kc, int vc, int hc, double scale, Dist& out) {
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
  // A time distribution with its unit column.
  Got time_dist(const Row& r, int kc, int vc, int hc, int uc, Dist& out, bool required) {
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

 private:
  void parse() {
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

  std::string file_;
  Diagnostics& diags_;
  std::string text_;
  bool ok_ = false;
  bool missing_required_ = false;
  std::vector<std::string_view> header_;
  int header_line_ = 1;
  std::vector<Row> rows_;
};

// ---------------------------------------------------------------------------------------------
// Dates: MM/DD/YY HH:MM:SS, YY = 20YY. Seconds since 2000-01-01 00:00:00.

std::int64_t days_from_civil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return static_cast<std::int64_t>(era) * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

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

// ---------------------------------------------------------------------------------------------
// The reader

template <typename T>
using NameMap = std::unordered_map<std::string, T>;

class Reader {
 public:
  Reader(const fs::path& dir, Diagnostics& diags) : dir_(dir), diags_(diags) {}

  model::Factory run() {
    fs::path norm = dir_.lexically_normal();
    std::string name = norm.filename().string();
    if (name.empty() || name == ".") name = norm.parent_path().filename().string();
    if (name.empty() || name == "." || name == "..") {
      std::error_code ec;
      name = fs::weakly_canonical(dir_, ec).filename().string();
    }
    f_.name = name;
    f_.source = dir_.string();
    // The WK/MN/QT calendars of a tool nest (docs/engine.md "Downs and PM", docs/validation.md):
    // the reading that reproduces the cycle times implied by the files' own initial WIP.
    f_.pm_nesting = model::PmNesting::Nested;

    std::error_code ec;
    const auto st = fs::status(dir_, ec);
    if (st.type() == fs::file_type::not_found) {
      diags_.add(dir_.string(), 0, "directory not found");
      return std::move(f_);
    }
    if (!fs::is_directory(st)) {
      diags_.add(dir_.string(), 0, "not a directory (an SMT2020 model is a directory of files)");
      return std::move(f_);
    }

    read_tools();
    read_parts();
    read_setups();
    read_setup_groups();
    read_downcal();
    read_pmcal();
    read_attach();
    read_fromto();
    read_orders_and_wip();
    return std::move(f_);
  }

 private:
  // --- tool.txt.1l ---
  void read_tools() {
    Table t(dir_, "tool.txt.1l", diags_);
    const int c_fam = t.col("STNFAM", true), c_qty = t.col("STNQTY", true),
              c_grp = t.col("STNGRP", true);
    const int c_rule = t.col("RULE"), c_rank = t.col("FWLRANK"), c_wake = t.col("WAKERESRANK"),
              c_bcrit = t.col("BATCHCRITF"), c_bper = t.col("BATCHPER"), c_lt = t.col("LTIME"),
              c_ltu = t.col("LTUNITS"), c_ult = t.col("ULTIME"), c_ultu = t.col("ULTUNITS"),
              c_cap = t.col("STNCAP"), c_loc = t.col("STNFAMLOC"), c_sgrp = t.col("SETUPGRP");
    if (!t.columns_ok()) return;
    tools_file_ = t.file();
    if (t.rows().empty()) {
      // A header and no rows: say so here, not as "unknown tool group" in every route file.
      diags_.add(t.file(), 0, "empty tool file (a header line and no tool group rows)");
      return;
    }
    tools_ok_ = true;
    for (const Row& r : t.rows()) {
      model::ToolGroup g;
      g.src = {t.file(), r.line};
      if (!t.text(r, c_fam, g.name)) continue;
      if (auto it = group_line_.find(g.name); it != group_line_.end()) {
        t.error(r, c_fam,
                fmt::format("duplicate tool group '{}' (first on line {})", g.name, it->second));
        continue;
      }
      t.text(r, c_grp, g.area);
      long long v = 0;
      if (t.req_integer(r, c_qty, v, 0, kMaxCount) == Got::Ok) g.tools = static_cast<int>(v);
      if (t.integer(r, c_cap, v, 1, kMaxCount) == Got::Ok) g.capacity = static_cast<int>(v);
      double ticks = 0;
      if (t.duration(r, c_lt, c_ltu, ticks) == Got::Ok) g.load_time = round_ticks(ticks);
      if (t.duration(r, c_ult, c_ultu, ticks) == Got::Ok) g.unload_time = round_ticks(ticks);

      std::string_view rule = t.str(r, c_rule);
      if (rule == "rule_LSSU") {
        g.lssu = true;
      } else if (!rule.empty() && rule != "rule_HotLotFIRST") {
        t.error(r, c_rule, fmt::format("unknown rule '{}' (rule_HotLotFIRST, rule_LSSU)", rule));
      }
      std::string_view ranks = t.str(r, c_rank);
      if (!ranks.empty()) {
        std::vector<model::RankCriterion> list;
        std::size_t s = 0;
        while (s <= ranks.size()) {
          std::size_t e = ranks.find(';', s);
          if (e == std::string_view::npos) e = ranks.size();
          std::string_view w = trim(ranks.substr(s, e - s));
          s = e + 1;
          if (w.empty()) continue;
          if (w == "rank_HP") {
            list.push_back(model::RankCriterion::HighPriority);
          } else if (w == "rank_RSETUP") {
            list.push_back(model::RankCriterion::LeastSetup);
          } else if (w == "rank_FIFO") {
            list.push_back(model::RankCriterion::Fifo);
          } else if (w == "rank_CR") {
            list.push_back(model::RankCriterion::CriticalRatio);
          } else {
            t.error(r, c_rank,
                    fmt::format("unknown ranking criterion '{}' (rank_HP, rank_RSETUP, "
                                "rank_FIFO, rank_CR)",
                                w));
          }
        }
        if (!list.empty()) g.ranking = std::move(list);
      }
      std::string_view wake = t.str(r, c_wake);
      if (wake == "wake_LeastSetupTime") {
        g.wake_least_setup = true;
      } else if (!wake.empty()) {
        t.error(r, c_wake, fmt::format("unknown wake rule '{}' (wake_LeastSetupTime)", wake));
      }
      std::string_view bc = t.str(r, c_bcrit);
      if (bc == "crit_sameroutestep") {
        g.batch_criterion = model::BatchCriterion::SameRouteStep;
      } else if (bc == "crit_samepartfam|crit_samestepname" || bc == "crit_samestepname") {
        g.batch_criterion = model::BatchCriterion::SameStepName;
      } else if (!bc.empty()) {
        t.error(r, c_bcrit,
                fmt::format("unknown batch criterion '{}' (crit_sameroutestep, "
                            "crit_samepartfam|crit_samestepname)",
                            bc));
      }
      std::string_view bp = t.str(r, c_bper);
      if (bp == "lot") {
        g.batch_unit = model::BatchUnit::Lot;
      } else if (!bp.empty() && bp != "piece" && bp != "pieces") {
        t.error(r, c_bper, fmt::format("unknown batch unit '{}' (piece, lot)", bp));
      }
      std::string_view loc = t.str(r, c_loc);
      if (!loc.empty()) {
        g.location = f_.intern_location(std::string(loc));
        g.is_delay = loc == "Delay";
      }
      std::string_view sg = t.str(r, c_sgrp);
      const auto id = static_cast<model::ToolGroupId>(f_.tool_groups.size());
      if (!sg.empty()) pending_setup_group_.push_back({id, std::string(sg), r.line, c_sgrp});
      group_line_.emplace(g.name, r.line);
      group_id_.emplace(g.name, id);
      f_.tool_groups.push_back(std::move(g));
    }
    sgrp_col_name_ = t.colname(c_sgrp);
  }

  // --- part.txt and the route files ---
  void read_parts() {
    Table t(dir_, "part.txt", diags_);
    const int c_part = t.col("PART", true), c_file = t.col("ROUTEFILE", true),
              c_route = t.col("ROUTE", true);
    if (!t.columns_ok()) {
      routes_ok_ = false;
      return;
    }
    parts_ok_ = true;
    NameMap<int> part_line;
    NameMap<model::RouteId> route_by_file;
    for (const Row& r : t.rows()) {
      std::string part, file, route;
      bool ok = t.text(r, c_part, part);
      ok = t.text(r, c_file, file) && ok;
      ok = t.text(r, c_route, route) && ok;
      if (!ok) {
        if (!part.empty()) broken_part_.insert(part);
        continue;
      }
      if (auto it = part_line.find(part); it != part_line.end()) {
        t.error(r, c_part, fmt::format("duplicate part '{}' (first on line {})", part, it->second));
        continue;
      }
      part_line.emplace(part, r.line);
      model::RouteId rid = kNone;
      if (auto it = route_by_file.find(file); it != route_by_file.end()) {
        rid = it->second;
        if (f_.routes[rid].name != route)
          t.error(r, c_route,
                  fmt::format("route '{}' differs from '{}' named earlier for '{}'", route,
                              f_.routes[rid].name, file));
      } else {
        if (route_ids_.count(route))
          t.error(r, c_route, fmt::format("route '{}' is already read from another file", route));
        rid = static_cast<model::RouteId>(f_.routes.size());
        f_.routes.push_back(read_route(file, route, t, r, c_file));
        route_by_file.emplace(file, rid);
        route_ids_.emplace(route, rid);
      }
      model::Product p;
      p.name = part;
      p.route = rid;
      p.src = {t.file(), r.line};
      if (!f_.routes[rid].steps.empty()) good_product_.insert(part);
      product_id_.emplace(part, static_cast<model::ProductId>(f_.products.size()));
      f_.products.push_back(std::move(p));
    }
  }

  struct StepRef {
    int step;    // 0-based step holding the reference
    int target;  // 1-based target as written
    int line;
    int col;
  };

  model::Route read_route(const std::string& file, const std::string& route_name, Table& parts,
                          const Row& part_row, int c_file) {
    model::Route route;
    route.name = route_name;
    const fs::path path = dir_ / file;
    std::error_code ec;
    const auto st = fs::status(path, ec);
    if (st.type() == fs::file_type::not_found) {
      parts.error(part_row, c_file, fmt::format("route file '{}' not found", file));
      routes_ok_ = false;
      route.src = {parts.file(), part_row.line};
      return route;
    }
    Table t(path, path.string(), diags_, true);
    route.src = {t.file(), 0};
    if (!t.ok()) {
      routes_ok_ = false;
      route.src = {parts.file(), part_row.line};
      return route;
    }
    const int c_route = t.col("ROUTE"), c_step = t.col("STEP", true), c_desc = t.col("DESC", true),
              c_fam = t.col("STNFAM", true), c_pdist = t.col("PDIST"), c_pt = t.col("PTIME", true),
              c_pt2 = t.col("PTIME2"), c_ptu = t.col("PTUNITS", true), c_per = t.col("PTPER", true),
              c_bmn = t.col("BATCHMN"), c_bmx = t.col("BATCHMX"), c_setup = t.col("SETUP"),
              c_when = t.col("WHEN"), c_st = t.col("STIME"), c_stu = t.col("STUNITS"),
              c_sve = t.col("SVESTN"), c_for = t.col("FORSTEP"), c_bi = t.col("BatchInterval"),
              c_biu = t.col("BatchIntUnits"), c_pi = t.col("PartInterval"),
              c_piu = t.col("PartIntUnits"), c_rwk = t.col("RWKSTEP"), c_rw = t.col("REWORK"),
              c_rwt = t.col("RWKTYPE"), c_pct = t.col("StepPercent"), c_cqs = t.col("STEP_CQT"),
              c_cq = t.col("CQT"), c_cqu = t.col("CQTUNITS");
    if (!t.columns_ok()) {
      routes_ok_ = false;
      route.src = {parts.file(), part_row.line};
      return route;
    }
    std::vector<StepRef> dedic, rework, cqt;
    NameMap<int> desc_line;
    for (const Row& r : t.rows()) {
      model::Step s;
      const int idx = static_cast<int>(route.steps.size());
      s.src = {t.file(), r.line};
      long long v = 0;
      if (t.req_integer(r, c_step, v, 1) == Got::Ok && v != idx + 1)
        t.error(r, c_step, fmt::format("step {} out of sequence (expected {})", v, idx + 1));
      std::string_view rn = t.str(r, c_route);
      if (!rn.empty() && rn != route_name)
        t.error(r, c_route,
                fmt::format("route '{}' differs from '{}' named in part.txt", rn, route_name));
      if (t.text(r, c_desc, s.name)) {
        if (auto it = desc_line.find(s.name); it != desc_line.end())
          t.error(r, c_desc,
                  fmt::format("duplicate step name '{}' (first on line {})", s.name, it->second));
        else
          desc_line.emplace(s.name, r.line);
      }
      std::string fam;
      if (t.text(r, c_fam, fam)) {
        auto it = group_id_.find(fam);
        if (it == group_id_.end()) {
          if (tools_ok_) t.error(r, c_fam, fmt::format("unknown tool group '{}'", fam));
        } else {
          s.tool_group = it->second;
        }
      }
      std::string_view per = t.str(r, c_per);
      if (per == "per_lot") {
        s.basis = model::TimeBasis::PerLot;
      } else if (per == "per_piece") {
        s.basis = model::TimeBasis::PerWafer;
      } else if (per == "per_batch") {
        s.basis = model::TimeBasis::PerBatch;
      } else if (per.empty()) {
        t.error(r, c_per, "missing value");
      } else {
        t.error(r, c_per,
                fmt::format("unknown time basis '{}' (per_lot, per_piece, per_batch)", per));
      }
      t.time_dist(r, c_pdist, c_pt, c_pt2, c_ptu, s.time, true);

      long long bmn = 0, bmx = 0;
      const Got gmn = t.integer(r, c_bmn, bmn), gmx = t.integer(r, c_bmx, bmx);
      if (gmn == Got::Ok) s.batch_min = static_cast<int>(bmn);
      if (gmx == Got::Ok) s.batch_max = static_cast<int>(bmx);
      if (gmn == Got::Ok && gmx == Got::Ok && bmn > bmx)
        t.error(r, c_bmn, fmt::format("batch minimum {} exceeds maximum {}", bmn, bmx));
      if (gmn == Got::Empty && gmx == Got::Ok) s.batch_min = 1;
      if (per == "per_batch") {
        if (gmx == Got::Empty) t.error(r, c_bmx, "a per_batch step needs BATCHMX");
        if (s.tool_group != kNone &&
            f_.tool_groups[s.tool_group].batch_criterion == model::BatchCriterion::None)
          t.error(r, c_per,
                  fmt::format("per_batch step on tool group '{}', which has no BATCHCRITF",
                              f_.tool_groups[s.tool_group].name));
      }

      std::string_view setup = t.str(r, c_setup);
      if (!setup.empty()) s.setup = f_.intern_setup(std::string(setup));
      std::string_view when = t.str(r, c_when);
      if (!when.empty() && when != "need")
        t.error(r, c_when, fmt::format("unknown setup rule '{}' (need)", when));
      double ticks = 0;
      if (t.duration(r, c_st, c_stu, ticks) == Got::Ok) s.setup_time = round_ticks(ticks);

      std::string_view sve = t.str(r, c_sve);
      long long fs_ = 0;
      const Got gfor = t.integer(r, c_for, fs_, 1);
      if (sve == "yes") {
        if (gfor == Got::Ok)
          dedic.push_back({idx, static_cast<int>(fs_), r.line, c_for});
        else if (gfor == Got::Empty)
          t.error(r, c_for, "SVESTN 'yes' needs a FORSTEP");
      } else if (!sve.empty() && sve != "no") {
        t.error(r, c_sve, fmt::format("unknown value '{}' (yes, no)", sve));
      } else if (gfor == Got::Ok) {
        t.error(r, c_for, "FORSTEP without SVESTN 'yes'");
      }

      const bool has_bi = !t.str(r, c_bi).empty(), has_pi = !t.str(r, c_pi).empty();
      if (has_bi && has_pi) {
        t.error(r, c_pi, "both BatchInterval and PartInterval are given");
      } else if (has_bi) {
        if (t.duration(r, c_bi, c_biu, ticks) == Got::Ok) {
          s.cascade_basis = model::CascadeBasis::PerLot;
          s.cascade_interval = round_ticks(ticks);
        }
      } else if (has_pi) {
        if (t.duration(r, c_pi, c_piu, ticks) == Got::Ok) {
          s.cascade_basis = model::CascadeBasis::PerWafer;
          s.cascade_interval = round_ticks(ticks);
        }
      }

      long long rw_step = 0;
      double rw_pct = 0;
      const Got grs = t.integer(r, c_rwk, rw_step, 1);
      const Got grp = t.nonneg(r, c_rw, rw_pct);
      if (grp == Got::Ok && rw_pct > 100)
        t.error(r, c_rw, fmt::format("rework {} % exceeds 100", rw_pct));
      else if (grp == Got::Ok && rw_pct == 100)
        t.error(r, c_rw, "rework 100 % sends every lot back: no lot would ever pass (below 100)");
      if (grs == Got::Ok && grp == Got::Empty)
        t.error(r, c_rw, "RWKSTEP without REWORK percentage");
      if (grs == Got::Empty && grp == Got::Ok && rw_pct > 0)
        t.error(r, c_rwk, "REWORK percentage without RWKSTEP");
      if (grs == Got::Ok && grp == Got::Ok && rw_pct < 100) {
        s.rework_probability = rw_pct / 100.0;
        rework.push_back({idx, static_cast<int>(rw_step), r.line, c_rwk});
      }
      std::string_view rwt = t.str(r, c_rwt);
      if (!rwt.empty() && rwt != "lot")
        t.error(r, c_rwt, fmt::format("unknown rework type '{}' (lot)", rwt));

      double pct = 0;
      const Got gpct = t.nonneg(r, c_pct, pct);
      if (gpct == Got::Ok) {
        if (pct > 100)
          t.error(r, c_pct, fmt::format("sampling {} % exceeds 100", pct));
        else
          s.sample_probability = pct / 100.0;
      }

      long long cq_step = 0;
      const Got gcs = t.integer(r, c_cqs, cq_step, 1);
      const Got gcq = t.duration(r, c_cq, c_cqu, ticks);
      if (gcs == Got::Ok && gcq == Got::Empty) t.error(r, c_cq, "STEP_CQT without a CQT limit");
      if (gcs == Got::Empty && gcq == Got::Ok) t.error(r, c_cqs, "CQT limit without STEP_CQT");
      if (gcs == Got::Ok && gcq == Got::Ok) {
        s.cqt_limit = round_ticks(ticks);
        cqt.push_back({idx, static_cast<int>(cq_step), r.line, c_cqs});
      }
      route.steps.push_back(std::move(s));
    }
    const int n = static_cast<int>(route.steps.size());
    if (n == 0) t.error(0, "route file has no steps");
    for (const auto& d : dedic) {
      if (d.target <= d.step + 1 || d.target > n)
        diags_.add(t.file(), d.line, 0, t.colname(d.col),
                   fmt::format("dedication target step {} outside the later steps of the route "
                               "({}..{})",
                               d.target, d.step + 2, n));
      else
        route.steps[d.step].dedicate_step = d.target - 1;
    }
    for (const auto& d : rework) {
      if (d.target > d.step + 1)
        diags_.add(t.file(), d.line, 0, t.colname(d.col),
                   fmt::format("rework target step {} outside the route before this step (1..{})",
                               d.target, d.step + 1));
      else
        route.steps[d.step].rework_step = d.target - 1;
    }
    for (const auto& d : cqt) {
      if (d.target <= d.step + 1 || d.target > n)
        diags_.add(t.file(), d.line, 0, t.colname(d.col),
                   fmt::format("queue-time exit step {} outside the later steps of the route "
                               "({}..{})",
                               d.target, d.step + 2, n));
      else
        route.steps[d.step].cqt_exit_step = d.target - 1;
    }
    return route;
  }

  // --- setup.txt ---
  void read_setups() {
    Table t(dir_, "setup.txt", diags_);
    const int c_cur = t.col("CURSETUP", true), c_new = t.col("NEWSETUP", true),
              c_st = t.col("STIME", true), c_stu = t.col("STUNITS", true);
    if (!t.columns_ok()) return;
    std::map<std::pair<int, int>, int> seen;
    for (const Row& r : t.rows()) {
      model::SetupChange c;
      c.src = {t.file(), r.line};
      bool ok = true;
      std::string_view cur = t.str(r, c_cur);
      if (!cur.empty()) {
        c.from = f_.find_setup(std::string(cur));
        if (c.from == kNone) {
          if (routes_ok_)
            t.error(r, c_cur, fmt::format("unknown setup '{}' (no route step needs it)", cur));
          ok = false;
        }
      }
      std::string nw;
      if (t.text(r, c_new, nw)) {
        c.to = f_.find_setup(nw);
        if (c.to == kNone) {
          if (routes_ok_)
            t.error(r, c_new, fmt::format("unknown setup '{}' (no route step needs it)", nw));
          ok = false;
        }
      } else {
        ok = false;
      }
      double ticks = 0;
      if (t.req_duration(r, c_st, c_stu, ticks) == Got::Ok)
        c.time = round_ticks(ticks);
      else
        ok = false;
      if (!ok) continue;
      auto [it, fresh] = seen.emplace(std::make_pair(c.from, c.to), r.line);
      if (!fresh) {
        t.error(r, c_new,
                fmt::format("duplicate setup change '{}' -> '{}' (first on line {})",
                            cur.empty() ? "(any)" : std::string(cur), nw, it->second));
        continue;
      }
      f_.setup_changes.push_back(c);
    }
  }

  // --- setupgrp.txt ---
  void read_setup_groups() {
    Table t(dir_, "setupgrp.txt", diags_);
    const int c_grp = t.col("SETUPGRP", true), c_setup = t.col("SETUP", true),
              c_min = t.col("MINRUN", true);
    if (t.columns_ok()) {
      setup_groups_ok_ = true;
      NameMap<model::SetupGroupId> by_name;
      std::string current;
      for (const Row& r : t.rows()) {
        std::string_view g = t.str(r, c_grp);
        if (!g.empty()) current.assign(g);
        if (current.empty()) {
          // Reported once: the rows below continue the same unnamed group. Its name is unknown,
          // so tool groups naming a setup group are not checked either.
          if (setup_groups_ok_)
            t.error(r, c_grp, "missing value (no setup group above to continue)");
          setup_groups_ok_ = false;
          continue;
        }
        model::SetupGroupId gid = kNone;
        if (auto it = by_name.find(current); it != by_name.end()) {
          gid = it->second;
        } else {
          gid = static_cast<model::SetupGroupId>(f_.setup_groups.size());
          model::SetupGroup sg;
          sg.name = current;
          sg.min_run = -1;
          sg.src = {t.file(), r.line};
          f_.setup_groups.push_back(sg);
          by_name.emplace(current, gid);
        }
        model::SetupGroup& sg = f_.setup_groups[gid];
        long long mr = 0;
        if (t.req_integer(r, c_min, mr) == Got::Ok) {
          if (sg.min_run < 0)
            sg.min_run = static_cast<int>(mr);
          else if (sg.min_run != mr)
            t.error(r, c_min,
                    fmt::format("MINRUN {} differs from {} of setup group '{}'", mr, sg.min_run,
                                sg.name));
        }
        std::string setup;
        if (!t.text(r, c_setup, setup)) continue;
        const model::SetupId sid = f_.find_setup(setup);
        if (sid == kNone) {
          if (routes_ok_)
            t.error(r, c_setup, fmt::format("unknown setup '{}' (no route step needs it)", setup));
          continue;
        }
        if (f_.setup_group_of[sid] != kNone) {
          t.error(r, c_setup,
                  fmt::format("setup '{}' is already in setup group '{}'", setup,
                              f_.setup_groups[f_.setup_group_of[sid]].name));
          continue;
        }
        f_.setup_group_of[sid] = gid;
        sg.members.push_back(sid);
      }
      for (auto& sg : f_.setup_groups)
        if (sg.min_run < 0) sg.min_run = 0;
    }
    // Tool groups naming a setup group (tool.txt.1l SETUPGRP).
    for (const auto& p : pending_setup_group_) {
      model::SetupGroupId gid = kNone;
      for (std::size_t i = 0; i < f_.setup_groups.size(); ++i)
        if (f_.setup_groups[i].name == p.name) gid = static_cast<model::SetupGroupId>(i);
      if (gid == kNone && setup_groups_ok_)
        diags_.add(tools_file_, p.line, 0, sgrp_col_name_,
                   fmt::format("unknown setup group '{}'", p.name));
      else
        f_.tool_groups[p.group].setup_group = gid;
    }
  }

  // --- downcal.txt ---
  void read_downcal() {
    Table t(dir_, "downcal.txt", diags_);
    const int c_name = t.col("DOWNCALNAME", true), c_type = t.col("DOWNCALTYPE"),
              c_fd = t.col("MTTFDIST"), c_f = t.col("MTTF", true), c_f2 = t.col("MTTF2"),
              c_fu = t.col("MTTFUNITS", true), c_rd = t.col("MTTRDIST"), c_r = t.col("MTTR", true),
              c_r2 = t.col("MTTR2"), c_ru = t.col("MTTRUNITS", true);
    if (!t.columns_ok()) return;
    down_ok_ = true;
    NameMap<int> line_of;
    for (const Row& r : t.rows()) {
      model::DownCalendar c;
      c.src = {t.file(), r.line};
      if (!t.text(r, c_name, c.name)) continue;
      broken_cal_.insert(c.name);  // until read completely
      if (auto it = line_of.find(c.name); it != line_of.end()) {
        t.error(r, c_name,
                fmt::format("duplicate down calendar '{}' (first on line {})", c.name, it->second));
        continue;
      }
      bool ok = true;
      std::string_view type = t.str(r, c_type);
      if (type == "mttf_by_busy" || type == "mttf_by_busytime") {
        c.clock = model::FailureClock::Busy;
      } else if (!type.empty() && type != "mttf_by_cal") {
        t.error(r, c_type, fmt::format("unknown down calendar type '{}' (mttf_by_cal)", type));
        ok = false;
      }
      if (t.time_dist(r, c_fd, c_f, c_f2, c_fu, c.time_to_failure, true) != Got::Ok) {
        ok = false;
      } else if (c.time_to_failure.mean <= 0) {
        t.error(r, c_f, "time to failure must be > 0");
        ok = false;
      }
      if (t.time_dist(r, c_rd, c_r, c_r2, c_ru, c.time_to_repair, true) != Got::Ok) ok = false;
      if (!ok) continue;
      line_of.emplace(c.name, r.line);
      broken_cal_.erase(c.name);
      down_id_.emplace(c.name, static_cast<model::DownCalendarId>(f_.down_calendars.size()));
      f_.down_calendars.push_back(std::move(c));
    }
  }

  // --- pmcal.txt ---
  void read_pmcal() {
    Table t(dir_, "pmcal.txt", diags_);
    const int c_name = t.col("PMCALNAME", true), c_type = t.col("PMCALTYPE", true),
              c_mtb = t.col("MTBPM", true), c_mtbu = t.col("MTBPMUNITS"), c_rd = t.col("MTTRDIST"),
              c_r = t.col("MTTR", true), c_r2 = t.col("MTTR2"), c_ru = t.col("MTTRUNITS", true);
    if (!t.columns_ok()) return;
    pm_ok_ = true;
    NameMap<int> line_of;
    for (const Row& r : t.rows()) {
      model::PmCalendar c;
      c.src = {t.file(), r.line};
      if (!t.text(r, c_name, c.name)) continue;
      broken_cal_.insert(c.name);  // until read completely
      if (auto it = line_of.find(c.name); it != line_of.end()) {
        t.error(r, c_name,
                fmt::format("duplicate PM calendar '{}' (first on line {})", c.name, it->second));
        continue;
      }
      bool ok = true;
      std::string_view type = t.str(r, c_type);
      if (type == "mtbpm_by_cal") {
        c.trigger = model::PmTrigger::Calendar;
        double ticks = 0;
        if (t.req_duration(r, c_mtb, c_mtbu, ticks) == Got::Ok)
          c.interval = ticks;
        else
          ok = false;
      } else if (type == "mtbpm_by_pieces") {
        c.trigger = model::PmTrigger::WaferCount;
        std::string_view u = t.str(r, c_mtbu);
        if (!u.empty() && u != "pieces" && u != "piece") {
          t.error(r, c_mtbu, fmt::format("unit '{}' of a wafer-count PM must be 'pieces'", u));
          ok = false;
        }
        double v = 0;
        const Got g = t.nonneg(r, c_mtb, v);
        if (g == Got::Empty) t.error(r, c_mtb, "missing value");
        if (g == Got::Ok)
          c.interval = v;
        else
          ok = false;
      } else {
        t.error(r, c_type,
                type.empty() ? std::string("missing value")
                             : fmt::format("unknown PM calendar type '{}' (mtbpm_by_cal, "
                                           "mtbpm_by_pieces)",
                                           type));
        ok = false;
      }
      if (ok && c.interval <= 0) {
        t.error(r, c_mtb, "PM interval must be > 0");
        ok = false;
      }
      if (t.time_dist(r, c_rd, c_r, c_r2, c_ru, c.duration, true) != Got::Ok) ok = false;
      if (!ok) continue;
      line_of.emplace(c.name, r.line);
      broken_cal_.erase(c.name);
      pm_id_.emplace(c.name, static_cast<model::PmCalendarId>(f_.pm_calendars.size()));
      f_.pm_calendars.push_back(std::move(c));
    }
  }

  // --- attach.txt ---
  void read_attach() {
    Table t(dir_, "attach.txt", diags_);
    const int c_cal = t.col("CALNAME", true), c_type = t.col("CALTYPE", true),
              c_rt = t.col("RESTYPE", true), c_rn = t.col("RESNAME", true), c_fd = t.col("FOADIST"),
              c_foa = t.col("FOA"), c_foa2 = t.col("FOA2"), c_fu = t.col("FOAUNITS");
    if (!t.columns_ok()) return;
    for (const Row& r : t.rows()) {
      std::string cal, type, rt, rn;
      bool ok = t.text(r, c_cal, cal);
      ok = t.text(r, c_type, type) && ok;
      ok = t.text(r, c_rt, rt) && ok;
      ok = t.text(r, c_rn, rn) && ok;
      if (!ok) continue;
      // Targets.
      std::vector<model::ToolGroupId> targets;
      if (rt == "stngrp") {
        for (std::size_t i = 0; i < f_.tool_groups.size(); ++i)
          if (f_.tool_groups[i].area == rn) targets.push_back(static_cast<model::ToolGroupId>(i));
        if (targets.empty()) {
          if (tools_ok_) t.error(r, c_rn, fmt::format("unknown area '{}'", rn));
          ok = false;
        }
      } else if (rt == "stnfam") {
        auto it = group_id_.find(rn);
        if (it == group_id_.end()) {
          if (tools_ok_) t.error(r, c_rn, fmt::format("unknown tool group '{}'", rn));
          ok = false;
        } else {
          targets.push_back(it->second);
        }
      } else {
        t.error(r, c_rt, fmt::format("unknown resource type '{}' (stngrp, stnfam)", rt));
        ok = false;
      }
      if (type == "down") {
        auto it = down_id_.find(cal);
        if (it == down_id_.end()) {
          if (down_ok_ && !broken_cal_.count(cal))
            t.error(r, c_cal, fmt::format("unknown down calendar '{}'", cal));
          continue;
        }
        model::DownAttachment a;
        a.calendar = it->second;
        a.src = {t.file(), r.line};
        const Got g = t.time_dist(r, c_fd, c_foa, c_foa2, c_fu, a.first_occurrence, false);
        if (g == Got::Bad) continue;
        if (g == Got::Empty) a.first_occurrence = f_.down_calendars[a.calendar].time_to_failure;
        if (!ok) continue;
        for (auto g_id : targets) f_.tool_groups[g_id].downs.push_back(a);
      } else if (type == "pm") {
        auto it = pm_id_.find(cal);
        if (it == pm_id_.end()) {
          if (pm_ok_ && !broken_cal_.count(cal))
            t.error(r, c_cal, fmt::format("unknown PM calendar '{}'", cal));
          continue;
        }
        model::PmAttachment a;
        a.calendar = it->second;
        a.src = {t.file(), r.line};
        const model::PmCalendar& pc = f_.pm_calendars[a.calendar];
        Got g = Got::Empty;
        if (pc.trigger == model::PmTrigger::Calendar) {
          g = t.time_dist(r, c_fd, c_foa, c_foa2, c_fu, a.first_occurrence, false);
        } else {
          std::string_view u = t.str(r, c_fu);
          if (!u.empty() && u != "pieces" && u != "piece") {
            t.error(r, c_fu,
                    fmt::format("unit '{}' given for the first occurrence of wafer-count PM "
                                "'{}' (a wafer count has no unit)",
                                u, cal));
            g = Got::Bad;
          } else if (!t.str(r, c_foa).empty()) {
            g = t.dist(r, c_fd, c_foa, c_foa2, 1.0, a.first_occurrence);
          }
        }
        if (g == Got::Bad) continue;
        if (g == Got::Empty) a.first_occurrence = Dist::constant(pc.interval);
        if (!ok) continue;
        for (auto g_id : targets) f_.tool_groups[g_id].pms.push_back(a);
      } else {
        t.error(r, c_type, fmt::format("unknown calendar type '{}' (down, pm)", type));
      }
    }
  }

  // --- fromto.txt ---
  void read_fromto() {
    Table t(dir_, "fromto.txt", diags_);
    const int c_from = t.col("FROMLOC", true), c_to = t.col("TOLOC", true), c_d = t.col("DDIST"),
              c_t = t.col("DTIME", true), c_t2 = t.col("DTIME2"), c_u = t.col("DUNITS", true);
    if (!t.columns_ok()) return;
    std::map<std::pair<int, int>, int> seen;
    for (const Row& r : t.rows()) {
      model::TransportLane lane;
      lane.src = {t.file(), r.line};
      std::string from, to;
      bool ok = t.text(r, c_from, from);
      ok = t.text(r, c_to, to) && ok;
      if (ok) {
        lane.from = f_.find_location(from);
        lane.to = f_.find_location(to);
        if (lane.from == kNone) {
          if (tools_ok_)
            t.error(r, c_from, fmt::format("unknown location '{}' (no tool group is there)", from));
          ok = false;
        }
        if (lane.to == kNone) {
          if (tools_ok_)
            t.error(r, c_to, fmt::format("unknown location '{}' (no tool group is there)", to));
          ok = false;
        }
      }
      if (t.time_dist(r, c_d, c_t, c_t2, c_u, lane.time, true) != Got::Ok) ok = false;
      if (!ok) continue;
      auto [it, fresh] = seen.emplace(std::make_pair(lane.from, lane.to), r.line);
      if (!fresh) {
        t.error(
            r, c_from,
            fmt::format("duplicate lane '{}' -> '{}' (first on line {})", from, to, it->second));
        continue;
      }
      f_.transport.push_back(lane);
    }
  }

  // --- order.txt and WIP.txt ---
  struct OrderRow {
    model::ReleaseStream s;
    std::int64_t start = 0, due = 0;  // seconds since 2000
  };
  struct WipRow {
    model::InitialLot lot;
    std::int64_t start = 0, due = 0;
    bool has_start = false;
  };

  model::ProductId product_of(Table& t, const Row& r, int c) {
    std::string part;
    if (!t.text(r, c, part)) return kNone;
    auto it = product_id_.find(part);
    if (it == product_id_.end()) {
      if (parts_ok_ && !broken_part_.count(part))
        t.error(r, c, fmt::format("unknown part '{}'", part));
      return kNone;
    }
    return it->second;
  }

  void read_orders_and_wip() {
    std::vector<OrderRow> orders;
    std::vector<WipRow> wips;
    {
      Table t(dir_, "order.txt", diags_);
      const int c_lot = t.col("LOT", true), c_part = t.col("PART", true), c_prio = t.col("PRIOR"),
                c_pcs = t.col("PIECES"), c_start = t.col("START", true), c_rd = t.col("RDIST"),
                c_rep = t.col("REPEAT", true), c_rep2 = t.col("REPEAT2"),
                c_ru = t.col("RUNITS", true), c_n = t.col("RPT#"), c_lpr = t.col("LOTSPERRPT"),
                c_due = t.col("DUE", true);
      if (t.columns_ok()) {
        NameMap<int> line_of;
        for (const Row& r : t.rows()) {
          OrderRow o;
          model::ReleaseStream& s = o.s;
          s.src = {t.file(), r.line};
          bool ok = t.text(r, c_lot, s.name);
          if (ok) {
            if (auto it = line_of.find(s.name); it != line_of.end()) {
              t.error(
                  r, c_lot,
                  fmt::format("duplicate order line '{}' (first on line {})", s.name, it->second));
              ok = false;
            } else {
              line_of.emplace(s.name, r.line);
            }
          }
          const std::string part(t.str(r, c_part));
          s.product = product_of(t, r, c_part);
          if (s.product == kNone) ok = false;
          long long v = 0;
          if (Got g = t.integer(r, c_prio, v, -1000000, 1000000); g == Got::Ok)
            s.priority = static_cast<int>(v);
          else if (g == Got::Bad)
            ok = false;
          if (Got g = t.integer(r, c_pcs, v, 1, kMaxCount); g == Got::Ok)
            s.wafers_per_lot = static_cast<int>(v);
          else if (g == Got::Bad)
            ok = false;
          if (Got g = t.integer(r, c_lpr, v, 1, kMaxCount); g == Got::Ok)
            s.lots_per_release = static_cast<int>(v);
          else if (g == Got::Bad)
            ok = false;
          if (Got g = t.integer(r, c_n, v, 0, std::numeric_limits<std::int64_t>::max() / 2);
              g == Got::Ok)
            s.max_releases = v;
          else if (g == Got::Bad)
            ok = false;
          if (t.time_dist(r, c_rd, c_rep, c_rep2, c_ru, s.interval, true) != Got::Ok) {
            ok = false;
          } else if (s.interval.mean <= 0) {
            t.error(r, c_rep, "release interval must be > 0");
            ok = false;
          }
          if (date_cell(t, r, c_start, o.start) != Got::Ok) ok = false;
          if (date_cell(t, r, c_due, o.due) != Got::Ok) ok = false;
          if (ok && o.due < o.start) {
            t.error(r, c_due, "due date before START");
            ok = false;
          }
          if (ok && !good_product_.count(part)) ok = false;  // its route is broken (reported)
          if (ok) orders.push_back(std::move(o));
        }
      }
    }
    {
      Table t(dir_, "WIP.txt", diags_);
      const int c_lot = t.col("LOT", true), c_part = t.col("PART", true), c_prio = t.col("PRIOR"),
                c_pcs = t.col("PIECES"), c_start = t.col("START"), c_cur = t.col("CURSTEP", true),
                c_due = t.col("DUE", true);
      if (t.columns_ok()) {
        NameMap<int> line_of;
        for (const Row& r : t.rows()) {
          WipRow w;
          model::InitialLot& l = w.lot;
          l.src = {t.file(), r.line};
          bool ok = t.text(r, c_lot, l.name);
          if (ok) {
            if (auto it = line_of.find(l.name); it != line_of.end()) {
              t.error(r, c_lot,
                      fmt::format("duplicate WIP lot '{}' (first on line {})", l.name, it->second));
              ok = false;
            } else {
              line_of.emplace(l.name, r.line);
            }
          }
          const std::string part(t.str(r, c_part));
          l.product = product_of(t, r, c_part);
          if (l.product == kNone) ok = false;
          long long v = 0;
          if (Got g = t.integer(r, c_prio, v, -1000000, 1000000); g == Got::Ok)
            l.priority = static_cast<int>(v);
          else if (g == Got::Bad)
            ok = false;
          if (Got g = t.integer(r, c_pcs, v, 1, kMaxCount); g == Got::Ok)
            l.wafers = static_cast<int>(v);
          else if (g == Got::Bad)
            ok = false;
          if (t.req_integer(r, c_cur, v, 1) == Got::Ok) {
            l.step = static_cast<int>(v) - 1;
            if (l.product != kNone && good_product_.count(part)) {
              const auto n = f_.routes[f_.products[l.product].route].steps.size();
              if (static_cast<std::size_t>(v) > n) {
                t.error(r, c_cur,
                        fmt::format("step {} outside route '{}' (1..{})", v,
                                    f_.routes[f_.products[l.product].route].name, n));
                ok = false;
              }
            }
          } else {
            ok = false;
          }
          if (!t.str(r, c_start).empty()) {
            if (date_cell(t, r, c_start, w.start) == Got::Ok)
              w.has_start = true;
            else
              ok = false;
          }
          if (date_cell(t, r, c_due, w.due) != Got::Ok) ok = false;
          if (ok && !good_product_.count(part)) ok = false;  // its route is broken (reported)
          if (ok) wips.push_back(std::move(w));
        }
      }
    }
    // Time 0: the earliest START of the order lines (else of the WIP lots).
    std::int64_t t0 = 0;
    bool have_t0 = false;
    for (const auto& o : orders) {
      if (!have_t0 || o.start < t0) t0 = o.start;
      have_t0 = true;
    }
    if (!have_t0) {
      for (const auto& w : wips) {
        if (w.has_start && (!have_t0 || w.start < t0)) t0 = w.start;
        have_t0 = have_t0 || w.has_start;
      }
    }
    for (auto& o : orders) {
      o.s.first_release = (o.start - t0) * kTicksPerSecond;
      o.s.due_offset = (o.due - o.start) * kTicksPerSecond;
      f_.streams.push_back(std::move(o.s));
    }
    for (auto& w : wips) {
      model::InitialLot& l = w.lot;
      l.due = (w.due - t0) * kTicksPerSecond;
      l.stream = stream_of_wip_lot(l.name);
      l.virtual_release = l.stream != kNone ? l.due - f_.streams[l.stream].due_offset : 0;
      f_.initial_wip.push_back(std::move(l));
    }
  }

  // "Init_<type>_<k>" -> the stream named <type>, or kNone.
  model::StreamId stream_of_wip_lot(const std::string& lot) const {
    std::string_view s(lot);
    if (s.substr(0, 5) != "Init_") return kNone;
    s.remove_prefix(5);
    const std::size_t us = s.rfind('_');
    if (us == std::string_view::npos || us + 1 >= s.size()) return kNone;
    const std::string_view k = s.substr(us + 1);
    if (!std::all_of(k.begin(), k.end(), [](char c) { return c >= '0' && c <= '9'; })) return kNone;
    return f_.find_stream(std::string(s.substr(0, us)));
  }

  struct PendingSetupGroup {
    model::ToolGroupId group;
    std::string name;
    int line;
    int col;
  };

  fs::path dir_;
  Diagnostics& diags_;
  model::Factory f_;
  std::string tools_file_;
  std::string sgrp_col_name_ = "SETUPGRP";
  NameMap<int> group_line_;
  NameMap<model::ToolGroupId> group_id_;
  NameMap<model::RouteId> route_ids_;
  NameMap<model::ProductId> product_id_;
  std::unordered_set<std::string> good_product_;
  NameMap<model::DownCalendarId> down_id_;
  NameMap<model::PmCalendarId> pm_id_;
  std::vector<PendingSetupGroup> pending_setup_group_;
  std::unordered_set<std::string> broken_part_;  // parts defined with problems (reported)
  std::unordered_set<std::string> broken_cal_;   // calendars defined with problems (reported)
  // Whether a file was read with its required columns; when not, references into it are not
  // reported as unknown (the missing file is the one problem to fix).
  bool tools_ok_ = false, parts_ok_ = false, routes_ok_ = true, setup_groups_ok_ = false,
       down_ok_ = false, pm_ok_ = false;
};

}  // namespace

model::Factory read_smt2020(const std::filesystem::path& dir, Diagnostics& diags) {
  try {
    return Reader(dir, diags).run();
  } catch (const std::bad_alloc&) {
    diags.add(dir.string(), 0, "out of memory while reading");
  } catch (const std::exception& e) {
    diags.add(dir.string(), 0, fmt::format("cannot read: {}", e.what()));
  }
  return {};
}

}  // namespace osatsim::io
