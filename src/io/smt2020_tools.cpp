// SMT2020 reader: tool groups (tool.txt.1l), setups (setup.txt), setup groups (setupgrp.txt),
// down and PM calendars (downcal.txt, pmcal.txt), their attachments (attach.txt) and transport
// (fromto.txt); docs/smt2020.md.
#include "io/smt2020_reader.h"

#include <fmt/format.h>

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/time.h"
#include "model/factory.h"

namespace osatsim::io::smt2020_detail {

void Reader::read_tools() {
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

void Reader::read_setups() {
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

void Reader::read_setup_groups() {
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

void Reader::read_downcal() {
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

void Reader::read_pmcal() {
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

void Reader::read_attach() {
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

void Reader::read_fromto() {
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

}  // namespace osatsim::io::smt2020_detail
