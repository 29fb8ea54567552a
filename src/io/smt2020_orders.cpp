// SMT2020 reader: release orders (order.txt) and the initial WIP (WIP.txt); docs/smt2020.md.
#include "io/smt2020_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/time.h"
#include "model/factory.h"

namespace osatsim::io::smt2020_detail {

model::ProductId Reader::product_of(Table& t, const Row& r, int c) {
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

// order.txt: the release streams, with their START and DUE dates (converted in
// read_orders_and_wip, once time 0 is known).
std::vector<Reader::OrderRow> Reader::read_orders() {
  std::vector<OrderRow> orders;
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
  return orders;
}

// WIP.txt: the initial lots, with their START and DUE dates.
std::vector<Reader::WipRow> Reader::read_wip() {
  std::vector<WipRow> wips;
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
  return wips;
}

void Reader::read_orders_and_wip() {
  std::vector<OrderRow> orders = read_orders();
  std::vector<WipRow> wips = read_wip();
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

model::StreamId Reader::stream_of_wip_lot(const std::string& lot) const {
  std::string_view s(lot);
  if (s.substr(0, 5) != "Init_") return kNone;
  s.remove_prefix(5);
  const std::size_t us = s.rfind('_');
  if (us == std::string_view::npos || us + 1 >= s.size()) return kNone;
  const std::string_view k = s.substr(us + 1);
  if (!std::all_of(k.begin(), k.end(), [](char c) { return c >= '0' && c <= '9'; })) return kNone;
  return f_.find_stream(std::string(s.substr(0, us)));
}

}  // namespace osatsim::io::smt2020_detail
