#pragma once
// Internals of the SMT2020 reader (docs/smt2020.md): the text files, the tab-separated tables
// with their checked cells, and the dates of orders and WIP. The reader's files:
//   smt2020.cpp         the directory and the order of the files (io/smt2020.h)
//   smt2020_table.cpp   text files, tables and dates (this header)
//   smt2020_tools.cpp   tool groups, setups, setup groups, down and PM calendars, attachments,
//                       transport (tool.txt.1l, setup.txt, setupgrp.txt, downcal.txt, pmcal.txt,
//                       attach.txt, fromto.txt)
//   smt2020_parts.cpp   parts and their route files (part.txt)
//   smt2020_orders.cpp  release orders and the initial WIP (order.txt, WIP.txt)
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/diagnostics.h"
#include "core/dist.h"
#include "model/factory.h"

namespace osatsim::io::smt2020_detail {

namespace fs = std::filesystem;
using model::kNone;
using osatsim::Dist;

// Reads the whole file; on failure adds a whole-file diagnostic and returns false.
bool read_text(const fs::path& p, const std::string& display, std::string& out,
               Diagnostics& diags);

// Offset of the first byte that is not valid UTF-8 (or a NUL byte); npos when none.
std::size_t invalid_utf8(std::string_view s);

// `s` without leading and trailing spaces and carriage returns (cells are separated by tabs).
std::string_view trim(std::string_view s);

// Whether the line holds nothing but spaces, tabs, carriage returns and vertical tabs.
bool blank(std::string_view s);

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
  int col(std::string_view name, bool required = false);
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
  bool text(const Row& r, int c, std::string& out);

  Got number(const Row& r, int c, double& v);
  Got nonneg(const Row& r, int c, double& v);
  // An integer quantity; decimals are rounded (STNQTY 10.0).
  Got integer(const Row& r, int c, long long& v, long long lo = 0,
              long long hi = std::numeric_limits<int>::max());
  Got req_integer(const Row& r, int c, long long& v, long long lo = 0,
                  long long hi = std::numeric_limits<int>::max());
  // Ticks per unit of the time unit in column uc; 0 (with an error) when empty or unknown.
  double time_unit(const Row& r, int uc);
  // A non-negative duration: value in column vc, unit in uc, converted to ticks.
  Got duration(const Row& r, int vc, int uc, double& ticks);
  Got req_duration(const Row& r, int vc, int uc, double& ticks);
  // A distribution: kind in kc (empty = constant), mean in vc, half-width in hc (uniform),
  // scaled by `scale` (ticks per unit, or 1 for counts).
  Got dist(const Row& r, int kc, int vc, int hc, double scale, Dist& out);
  // A time distribution with its unit column.
  Got time_dist(const Row& r, int kc, int vc, int hc, int uc, Dist& out, bool required);

 private:
  void parse();

  std::string file_;
  Diagnostics& diags_;
  std::string text_;
  bool ok_ = false;
  bool missing_required_ = false;
  std::vector<std::string_view> header_;
  int header_line_ = 1;
  std::vector<Row> rows_;
};

// Dates: MM/DD/YY HH:MM:SS, YY = 20YY. Seconds since 2000-01-01 00:00:00.
bool parse_date(std::string_view s, std::int64_t& seconds, std::string& why);
// A required date cell; reported when empty or bad.
Got date_cell(Table& t, const Row& r, int c, std::int64_t& seconds);

template <typename T>
using NameMap = std::unordered_map<std::string, T>;

}  // namespace osatsim::io::smt2020_detail
