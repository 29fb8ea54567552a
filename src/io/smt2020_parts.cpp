// SMT2020 reader: parts (part.txt) and their route files; docs/smt2020.md.
#include "io/smt2020_reader.h"

#include <fmt/format.h>

#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "core/time.h"
#include "model/factory.h"

namespace osatsim::io::smt2020_detail {

void Reader::read_parts() {
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

model::Route Reader::read_route(const std::string& file, const std::string& route_name,
                                Table& parts, const Row& part_row, int c_file) {
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
  const RouteColumns cols{c_route, c_step, c_desc, c_fam, c_pdist, c_pt,  c_pt2,
                          c_ptu,   c_per,  c_bmn,  c_bmx, c_setup, c_when, c_st,
                          c_stu,   c_sve,  c_for,  c_bi,  c_biu,  c_pi,   c_piu,
                          c_rwk,   c_rw,   c_rwt,  c_pct, c_cqs,  c_cq,   c_cqu};
  StepRefs refs;
  NameMap<int> desc_line;
  for (const Row& r : t.rows()) {
    model::Step s;
    const int idx = static_cast<int>(route.steps.size());
    read_route_step_basics(t, r, cols, route_name, idx, desc_line, s);
    read_route_step_batch_setup(t, r, cols, idx, s, refs);
    read_route_step_flow(t, r, cols, idx, s, refs);
    route.steps.push_back(std::move(s));
  }
  resolve_step_refs(t, refs, route);
  return route;
}

// One row of a route file: the step's number, route, name (DESC), tool group, time basis and
// processing time.
void Reader::read_route_step_basics(Table& t, const Row& r, const RouteColumns& cols,
                                    const std::string& route_name, int idx,
                                    NameMap<int>& desc_line, model::Step& s) {
  s.src = {t.file(), r.line};
  long long v = 0;
  if (t.req_integer(r, cols.step, v, 1) == Got::Ok && v != idx + 1)
    t.error(r, cols.step, fmt::format("step {} out of sequence (expected {})", v, idx + 1));
  std::string_view rn = t.str(r, cols.route);
  if (!rn.empty() && rn != route_name)
    t.error(r, cols.route,
            fmt::format("route '{}' differs from '{}' named in part.txt", rn, route_name));
  if (t.text(r, cols.desc, s.name)) {
    if (auto it = desc_line.find(s.name); it != desc_line.end())
      t.error(r, cols.desc,
              fmt::format("duplicate step name '{}' (first on line {})", s.name, it->second));
    else
      desc_line.emplace(s.name, r.line);
  }
  std::string fam;
  if (t.text(r, cols.fam, fam)) {
    auto it = group_id_.find(fam);
    if (it == group_id_.end()) {
      if (tools_ok_) t.error(r, cols.fam, fmt::format("unknown tool group '{}'", fam));
    } else {
      s.tool_group = it->second;
    }
  }
  std::string_view per = t.str(r, cols.per);
  if (per == "per_lot") {
    s.basis = model::TimeBasis::PerLot;
  } else if (per == "per_piece") {
    s.basis = model::TimeBasis::PerWafer;
  } else if (per == "per_batch") {
    s.basis = model::TimeBasis::PerBatch;
  } else if (per.empty()) {
    t.error(r, cols.per, "missing value");
  } else {
    t.error(r, cols.per,
            fmt::format("unknown time basis '{}' (per_lot, per_piece, per_batch)", per));
  }
  t.time_dist(r, cols.pdist, cols.pt, cols.pt2, cols.ptu, s.time, true);
}

// One row of a route file: batch sizes, setup and the dedication of tools to a later step.
void Reader::read_route_step_batch_setup(Table& t, const Row& r, const RouteColumns& cols,
                                         int idx, model::Step& s, StepRefs& refs) {
  std::string_view per = t.str(r, cols.per);
  long long bmn = 0, bmx = 0;
  const Got gmn = t.integer(r, cols.bmn, bmn), gmx = t.integer(r, cols.bmx, bmx);
  if (gmn == Got::Ok) s.batch_min = static_cast<int>(bmn);
  if (gmx == Got::Ok) s.batch_max = static_cast<int>(bmx);
  if (gmn == Got::Ok && gmx == Got::Ok && bmn > bmx)
    t.error(r, cols.bmn, fmt::format("batch minimum {} exceeds maximum {}", bmn, bmx));
  if (gmn == Got::Empty && gmx == Got::Ok) s.batch_min = 1;
  if (per == "per_batch") {
    if (gmx == Got::Empty) t.error(r, cols.bmx, "a per_batch step needs BATCHMX");
    if (s.tool_group != kNone &&
        f_.tool_groups[s.tool_group].batch_criterion == model::BatchCriterion::None)
      t.error(r, cols.per,
              fmt::format("per_batch step on tool group '{}', which has no BATCHCRITF",
                          f_.tool_groups[s.tool_group].name));
  }

  std::string_view setup = t.str(r, cols.setup);
  if (!setup.empty()) s.setup = f_.intern_setup(std::string(setup));
  std::string_view when = t.str(r, cols.when);
  if (!when.empty() && when != "need")
    t.error(r, cols.when, fmt::format("unknown setup rule '{}' (need)", when));
  double ticks = 0;
  if (t.duration(r, cols.st, cols.stu, ticks) == Got::Ok) s.setup_time = round_ticks(ticks);

  std::string_view sve = t.str(r, cols.sve);
  long long fs_ = 0;
  const Got gfor = t.integer(r, cols.for_step, fs_, 1);
  if (sve == "yes") {
    if (gfor == Got::Ok)
      refs.dedic.push_back({idx, static_cast<int>(fs_), r.line, cols.for_step});
    else if (gfor == Got::Empty)
      t.error(r, cols.for_step, "SVESTN 'yes' needs a FORSTEP");
  } else if (!sve.empty() && sve != "no") {
    t.error(r, cols.sve, fmt::format("unknown value '{}' (yes, no)", sve));
  } else if (gfor == Got::Ok) {
    t.error(r, cols.for_step, "FORSTEP without SVESTN 'yes'");
  }
}

// One row of a route file: cascading, rework, sampling and the queue-time limit.
void Reader::read_route_step_flow(Table& t, const Row& r, const RouteColumns& cols, int idx,
                                  model::Step& s, StepRefs& refs) {
  double ticks = 0;
  const bool has_bi = !t.str(r, cols.bi).empty(), has_pi = !t.str(r, cols.pi).empty();
  if (has_bi && has_pi) {
    t.error(r, cols.pi, "both BatchInterval and PartInterval are given");
  } else if (has_bi) {
    if (t.duration(r, cols.bi, cols.biu, ticks) == Got::Ok) {
      s.cascade_basis = model::CascadeBasis::PerLot;
      s.cascade_interval = round_ticks(ticks);
    }
  } else if (has_pi) {
    if (t.duration(r, cols.pi, cols.piu, ticks) == Got::Ok) {
      s.cascade_basis = model::CascadeBasis::PerWafer;
      s.cascade_interval = round_ticks(ticks);
    }
  }

  long long rw_step = 0;
  double rw_pct = 0;
  const Got grs = t.integer(r, cols.rwk, rw_step, 1);
  const Got grp = t.nonneg(r, cols.rw, rw_pct);
  if (grp == Got::Ok && rw_pct > 100)
    t.error(r, cols.rw, fmt::format("rework {} % exceeds 100", rw_pct));
  else if (grp == Got::Ok && rw_pct == 100)
    t.error(r, cols.rw, "rework 100 % sends every lot back: no lot would ever pass (below 100)");
  if (grs == Got::Ok && grp == Got::Empty)
    t.error(r, cols.rw, "RWKSTEP without REWORK percentage");
  if (grs == Got::Empty && grp == Got::Ok && rw_pct > 0)
    t.error(r, cols.rwk, "REWORK percentage without RWKSTEP");
  if (grs == Got::Ok && grp == Got::Ok && rw_pct < 100) {
    s.rework_probability = rw_pct / 100.0;
    refs.rework.push_back({idx, static_cast<int>(rw_step), r.line, cols.rwk});
  }
  std::string_view rwt = t.str(r, cols.rwt);
  if (!rwt.empty() && rwt != "lot")
    t.error(r, cols.rwt, fmt::format("unknown rework type '{}' (lot)", rwt));

  double pct = 0;
  const Got gpct = t.nonneg(r, cols.pct, pct);
  if (gpct == Got::Ok) {
    if (pct > 100)
      t.error(r, cols.pct, fmt::format("sampling {} % exceeds 100", pct));
    else
      s.sample_probability = pct / 100.0;
  }

  long long cq_step = 0;
  const Got gcs = t.integer(r, cols.cqs, cq_step, 1);
  const Got gcq = t.duration(r, cols.cq, cols.cqu, ticks);
  if (gcs == Got::Ok && gcq == Got::Empty) t.error(r, cols.cq, "STEP_CQT without a CQT limit");
  if (gcs == Got::Empty && gcq == Got::Ok) t.error(r, cols.cqs, "CQT limit without STEP_CQT");
  if (gcs == Got::Ok && gcq == Got::Ok) {
    s.cqt_limit = round_ticks(ticks);
    refs.cqt.push_back({idx, static_cast<int>(cq_step), r.line, cols.cqs});
  }
}

// The references of a route's steps to other steps, checked once the route's length is known.
void Reader::resolve_step_refs(Table& t, const StepRefs& refs, model::Route& route) {
  const int n = static_cast<int>(route.steps.size());
  if (n == 0) t.error(0, "route file has no steps");
  for (const auto& d : refs.dedic) {
    if (d.target <= d.step + 1 || d.target > n)
      diags_.add(t.file(), d.line, 0, t.colname(d.col),
                 fmt::format("dedication target step {} outside the later steps of the route "
                             "({}..{})",
                             d.target, d.step + 2, n));
    else
      route.steps[d.step].dedicate_step = d.target - 1;
  }
  for (const auto& d : refs.rework) {
    if (d.target > d.step + 1)
      diags_.add(t.file(), d.line, 0, t.colname(d.col),
                 fmt::format("rework target step {} outside the route before this step (1..{})",
                             d.target, d.step + 1));
    else
      route.steps[d.step].rework_step = d.target - 1;
  }
  for (const auto& d : refs.cqt) {
    if (d.target <= d.step + 1 || d.target > n)
      diags_.add(t.file(), d.line, 0, t.colname(d.col),
                 fmt::format("queue-time exit step {} outside the later steps of the route "
                             "({}..{})",
                             d.target, d.step + 2, n));
    else
      route.steps[d.step].cqt_exit_step = d.target - 1;
  }
}

}  // namespace osatsim::io::smt2020_detail
