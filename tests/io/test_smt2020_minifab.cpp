// The SMT2020 importer on the mini-fab fixture (tests/fixtures/minifab): every feature of the
// format, with hand-computed expectations (ticks are milliseconds).
#include <gtest/gtest.h>

#include <sstream>

#include "io/load.h"
#include "io/smt2020.h"
#include "io_test_util.h"

namespace osatsim::io {
namespace {

using model::kNone;
using test::copy_minifab;
using test::minifab_dir;
using test::TempDir;

void expect_dist(const Dist& d, DistKind kind, double mean, double half) {
  EXPECT_EQ(d.kind, kind);
  EXPECT_DOUBLE_EQ(d.mean, mean);
  EXPECT_DOUBLE_EQ(d.half_width, half);
}

model::Factory read_ok(const std::filesystem::path& dir) {
  Diagnostics diags;
  model::Factory f = read_smt2020(dir, diags);
  EXPECT_TRUE(diags.ok()) << diags.to_string();
  EXPECT_TRUE(f.validate().ok()) << f.validate().to_string();
  return f;
}

TEST(Smt2020Minifab, ToolGroups) {
  const model::Factory f = read_ok(minifab_dir());
  EXPECT_EQ(f.name, "minifab");
  ASSERT_EQ(f.tool_groups.size(), 7u);
  const char* names[] = {"Diff_1", "Imp_1", "Litho_1", "Met_1", "Etch_1", "CMP_1", "Delay_32"};
  for (int i = 0; i < 7; ++i) EXPECT_EQ(f.tool_groups[i].name, names[i]);
  ASSERT_EQ(f.locations.size(), 2u);
  EXPECT_EQ(f.locations[0].name, "Fab");
  EXPECT_EQ(f.locations[1].name, "Delay");

  const auto& diff = f.tool_groups[0];
  EXPECT_EQ(diff.area, "Diffusion");
  EXPECT_EQ(diff.tools, 2);
  EXPECT_EQ(diff.capacity, 1);
  EXPECT_EQ(diff.load_time, 60'000);
  EXPECT_EQ(diff.unload_time, 60'000);
  EXPECT_EQ(diff.batch_criterion, model::BatchCriterion::SameRouteStep);
  EXPECT_EQ(diff.batch_unit, model::BatchUnit::Wafer);
  EXPECT_FALSE(diff.lssu);
  EXPECT_FALSE(diff.wake_least_setup);
  EXPECT_FALSE(diff.is_delay);
  EXPECT_EQ(diff.location, 0);
  EXPECT_EQ(diff.setup_group, kNone);
  EXPECT_EQ(diff.ranking, (std::vector<model::RankCriterion>{model::RankCriterion::HighPriority,
                                                             model::RankCriterion::LeastSetup,
                                                             model::RankCriterion::Fifo}));
  EXPECT_EQ(diff.src.line, 2);
  EXPECT_EQ(std::filesystem::path(diff.src.file).filename(), "tool.txt.1l");

  const auto& imp = f.tool_groups[1];
  EXPECT_EQ(imp.capacity, 2);  // STNCAP 2.0: cascading
  EXPECT_EQ(imp.tools, 2);     // STNQTY 2.0
  EXPECT_TRUE(imp.lssu);
  EXPECT_TRUE(imp.wake_least_setup);
  EXPECT_EQ(imp.setup_group, 0);
  EXPECT_EQ(imp.batch_criterion, model::BatchCriterion::None);

  const auto& litho = f.tool_groups[2];
  EXPECT_EQ(litho.tools, 3);
  EXPECT_EQ(litho.load_time, 30'000);    // 0.5 min
  EXPECT_EQ(litho.unload_time, 30'000);  // 30 sec
  EXPECT_EQ(litho.ranking, (std::vector<model::RankCriterion>{
                               model::RankCriterion::HighPriority, model::RankCriterion::LeastSetup,
                               model::RankCriterion::CriticalRatio}));

  EXPECT_TRUE(f.tool_groups[4].wake_least_setup);
  EXPECT_EQ(f.tool_groups[5].capacity, 2);

  const auto& delay = f.tool_groups[6];
  EXPECT_TRUE(delay.is_delay);
  EXPECT_EQ(delay.location, 1);
  EXPECT_EQ(delay.tools, 50);
  EXPECT_EQ(delay.load_time, 0);
  EXPECT_TRUE(delay.downs.empty());
  EXPECT_TRUE(delay.pms.empty());

  EXPECT_EQ(f.total_tools(false), 2 + 2 + 3 + 1 + 2 + 1);
  EXPECT_EQ(f.total_tools(true), 11 + 50);
}

TEST(Smt2020Minifab, CalendarsAndAttachments) {
  const model::Factory f = read_ok(minifab_dir());
  ASSERT_EQ(f.down_calendars.size(), 3u);
  const auto& bd = f.down_calendars[0];
  EXPECT_EQ(bd.name, "BREAK_Diffusion");
  EXPECT_EQ(bd.clock, model::FailureClock::Calendar);
  expect_dist(bd.time_to_failure, DistKind::Exponential, 604'800'000, 0);  // 10080 min
  expect_dist(bd.time_to_repair, DistKind::Exponential, 9'072'000, 0);     // 151.2 min
  expect_dist(f.down_calendars[1].time_to_failure, DistKind::Exponential, 604'800'000, 0);  // 7 d
  expect_dist(f.down_calendars[1].time_to_repair, DistKind::Exponential, 42'335'400, 0);

  ASSERT_EQ(f.pm_calendars.size(), 3u);
  const auto& mn = f.pm_calendars[0];
  EXPECT_EQ(mn.name, "Diff_1_MN");
  EXPECT_EQ(mn.trigger, model::PmTrigger::Calendar);
  EXPECT_DOUBLE_EQ(mn.interval, 2'592'000'000.0);                      // 30 days
  expect_dist(mn.duration, DistKind::Uniform, 36'000'000, 7'200'000);  // 10 h +- 2 h
  const auto& wk = f.pm_calendars[2];
  EXPECT_EQ(wk.name, "Imp_1_WK");
  EXPECT_EQ(wk.trigger, model::PmTrigger::WaferCount);
  EXPECT_DOUBLE_EQ(wk.interval, 5000.0);  // wafers
  expect_dist(wk.duration, DistKind::Uniform, 21'600'000, 4'320'000);

  // Downs by area (RESTYPE stngrp), PMs by tool group (stnfam).
  const auto& diff = f.tool_groups[0];
  ASSERT_EQ(diff.downs.size(), 1u);
  EXPECT_EQ(diff.downs[0].calendar, 0);
  expect_dist(diff.downs[0].first_occurrence, DistKind::Exponential, 604'800'000, 0);
  EXPECT_EQ(diff.downs[0].src.line, 2);
  ASSERT_EQ(diff.pms.size(), 1u);
  EXPECT_EQ(diff.pms[0].calendar, 0);
  expect_dist(diff.pms[0].first_occurrence, DistKind::Constant, 2'548'800'000, 0);  // 29.5 d

  const auto& imp = f.tool_groups[1];
  ASSERT_EQ(imp.downs.size(), 1u);
  EXPECT_EQ(imp.downs[0].calendar, 2);
  ASSERT_EQ(imp.pms.size(), 1u);
  EXPECT_EQ(imp.pms[0].calendar, 2);
  expect_dist(imp.pms[0].first_occurrence, DistKind::Constant, 4500, 0);  // wafers, empty unit

  const auto& litho = f.tool_groups[2];
  ASSERT_EQ(litho.downs.size(), 1u);
  EXPECT_EQ(litho.downs[0].calendar, 1);
  ASSERT_EQ(litho.pms.size(), 1u);
  expect_dist(litho.pms[0].first_occurrence, DistKind::Constant, 648'000'000, 0);  // 7.5 d

  for (int g = 3; g < 7; ++g) {
    EXPECT_TRUE(f.tool_groups[g].downs.empty()) << f.tool_groups[g].name;
    EXPECT_TRUE(f.tool_groups[g].pms.empty()) << f.tool_groups[g].name;
  }
}

TEST(Smt2020Minifab, RouteA) {
  const model::Factory f = read_ok(minifab_dir());
  ASSERT_EQ(f.routes.size(), 2u);
  const auto& r = f.routes[0];
  EXPECT_EQ(r.name, "r_A");
  ASSERT_EQ(r.steps.size(), 12u);
  ASSERT_EQ(f.setups, (std::vector<std::string>{"Gas_1", "L_A1", "Etch_A", "Etch_B", "Gas_2"}));

  const auto& s0 = r.steps[0];
  EXPECT_EQ(s0.name, "001_Diffusion");
  EXPECT_EQ(s0.tool_group, 0);
  EXPECT_EQ(s0.basis, model::TimeBasis::PerBatch);
  expect_dist(s0.time, DistKind::Uniform, 18'000'000, 900'000);  // uniform(300, 15) min
  EXPECT_EQ(s0.batch_min, 50);
  EXPECT_EQ(s0.batch_max, 100);
  EXPECT_EQ(s0.setup, kNone);
  EXPECT_DOUBLE_EQ(s0.sample_probability, 1.0);
  EXPECT_EQ(s0.src.line, 2);

  const auto& s1 = r.steps[1];
  EXPECT_EQ(s1.basis, model::TimeBasis::PerWafer);
  expect_dist(s1.time, DistKind::Uniform, 48'000, 2'400);
  EXPECT_EQ(s1.setup, 0);
  EXPECT_EQ(s1.setup_time, -1);
  EXPECT_EQ(s1.cascade_basis, model::CascadeBasis::PerWafer);
  EXPECT_EQ(s1.cascade_interval, 36'000);  // PartInterval 0.6 min

  const auto& s2 = r.steps[2];
  EXPECT_EQ(s2.tool_group, 2);
  EXPECT_EQ(s2.setup, 1);
  EXPECT_EQ(s2.setup_time, 900'000);  // STIME 15 min
  EXPECT_EQ(s2.dedicate_step, 6);     // FORSTEP 7
  EXPECT_EQ(s2.cascade_basis, model::CascadeBasis::None);

  EXPECT_DOUBLE_EQ(r.steps[3].sample_probability, 0.25);
  const auto& s4 = r.steps[4];
  EXPECT_DOUBLE_EQ(s4.sample_probability, 0.5);
  EXPECT_EQ(s4.rework_step, 2);  // RWKSTEP 3
  EXPECT_DOUBLE_EQ(s4.rework_probability, 0.015);

  EXPECT_EQ(r.steps[5].tool_group, 6);
  expect_dist(r.steps[5].time, DistKind::Uniform, 7'200'000, 360'000);
  EXPECT_EQ(r.steps[6].dedicate_step, kNone);

  const auto& s7 = r.steps[7];
  EXPECT_EQ(s7.setup, 2);
  EXPECT_EQ(s7.cqt_exit_step, 9);       // STEP_CQT 10
  EXPECT_EQ(s7.cqt_limit, 14'400'000);  // 4 hr

  const auto& s8 = r.steps[8];
  expect_dist(s8.time, DistKind::Uniform, 3'600'000, 180'000);  // 1 hr +- 0.05 hr
  EXPECT_EQ(s8.cascade_basis, model::CascadeBasis::PerLot);
  EXPECT_EQ(s8.cascade_interval, 2'520'000);  // BatchInterval 42 min

  EXPECT_EQ(r.steps[9].setup, 3);
  EXPECT_EQ(r.steps[10].batch_min, 75);
  EXPECT_EQ(r.steps[10].batch_max, 100);
  for (const auto& s : r.steps) {
    EXPECT_EQ(s.yield, 1.0);
    if (&s != &r.steps[4]) {
      EXPECT_EQ(s.rework_step, kNone);
    }
  }

  const auto& rb = f.routes[1];
  EXPECT_EQ(rb.name, "r_B");
  ASSERT_EQ(rb.steps.size(), 6u);
  EXPECT_EQ(rb.steps[1].setup, 4);
  EXPECT_DOUBLE_EQ(rb.steps[4].sample_probability, 1.0);  // StepPercent 100
  EXPECT_EQ(rb.steps[0].batch_max, 75);
  ASSERT_EQ(f.products.size(), 2u);
  EXPECT_EQ(f.products[0].name, "part_A");
  EXPECT_EQ(f.products[0].route, 0);
  EXPECT_EQ(f.products[1].name, "part_B");
  EXPECT_EQ(f.products[1].route, 1);
}

TEST(Smt2020Minifab, Setups) {
  const model::Factory f = read_ok(minifab_dir());
  ASSERT_EQ(f.setup_changes.size(), 4u);
  EXPECT_EQ(f.setup_changes[0].from, 2);
  EXPECT_EQ(f.setup_changes[0].to, 3);
  EXPECT_EQ(f.setup_changes[0].time, 420'000);
  EXPECT_EQ(f.setup_changes[1].from, 3);
  EXPECT_EQ(f.setup_changes[1].to, 2);
  EXPECT_EQ(f.setup_changes[1].time, 720'000);
  EXPECT_EQ(f.setup_changes[2].from, kNone);  // empty CURSETUP: from any state
  EXPECT_EQ(f.setup_changes[2].to, 0);
  EXPECT_EQ(f.setup_changes[2].time, 4'320'000);
  EXPECT_EQ(f.setup_changes[3].time, 3'600'000);  // 1 hr

  ASSERT_EQ(f.setup_groups.size(), 1u);
  EXPECT_EQ(f.setup_groups[0].name, "Gas");
  EXPECT_EQ(f.setup_groups[0].members, (std::vector<model::SetupId>{0, 4}));  // continued row
  EXPECT_EQ(f.setup_groups[0].min_run, 7);
  EXPECT_EQ(f.setup_group_of, (std::vector<model::SetupGroupId>{0, kNone, kNone, kNone, 0}));

  // The lookup order of the model (override, from->to, any->to, 0) on the imported tables.
  const auto& ra = f.routes[0];
  EXPECT_EQ(f.setup_time(kNone, ra.steps[7]), 0);        // none -> Etch_A: no row
  EXPECT_EQ(f.setup_time(3, ra.steps[7]), 720'000);      // Etch_B -> Etch_A
  EXPECT_EQ(f.setup_time(2, ra.steps[9]), 420'000);      // Etch_A -> Etch_B
  EXPECT_EQ(f.setup_time(2, ra.steps[7]), 0);            // already in Etch_A
  EXPECT_EQ(f.setup_time(3, ra.steps[1]), 4'320'000);    // any -> Gas_1
  EXPECT_EQ(f.setup_time(kNone, ra.steps[2]), 900'000);  // STIME override
}

TEST(Smt2020Minifab, ReleaseStreams) {
  const model::Factory f = read_ok(minifab_dir());
  ASSERT_EQ(f.streams.size(), 4u);
  const auto& a = f.streams[0];
  EXPECT_EQ(a.name, "Lot_A");
  EXPECT_EQ(a.product, 0);
  EXPECT_EQ(a.priority, 10);
  EXPECT_EQ(a.wafers_per_lot, 25);
  EXPECT_EQ(a.first_release, 0);
  expect_dist(a.interval, DistKind::Constant, 7'200'000, 0);  // 120 min
  EXPECT_EQ(a.lots_per_release, 1);
  EXPECT_EQ(a.max_releases, 200000);
  EXPECT_EQ(a.due_offset, 864'000'000);  // 10 days

  const auto& h = f.streams[1];
  EXPECT_EQ(h.priority, 20);
  expect_dist(h.interval, DistKind::Constant, 172'800'000, 0);  // 2 day
  EXPECT_EQ(h.max_releases, 500);
  EXPECT_EQ(h.due_offset, 475'200'000);  // 5.5 days

  const auto& b = f.streams[2];
  EXPECT_EQ(b.product, 1);
  EXPECT_EQ(b.first_release, 86'400'000);  // START one day after the earliest START
  expect_dist(b.interval, DistKind::Constant, 10'800'000, 0);  // 3 hr
  EXPECT_EQ(b.lots_per_release, 2);
  EXPECT_EQ(b.due_offset, 540'000'000);  // 6.25 days after its own START

  const auto& s = f.streams[3];
  EXPECT_EQ(s.priority, 30);
  EXPECT_EQ(s.due_offset, 1'209'600'000);

  double total = 0;
  for (const auto& st : f.streams) total += model::lots_per_day(st);
  EXPECT_NEAR(total, 12.0 + 0.5 + 16.0 + 1.0 / 7.0, 1e-12);
}

TEST(Smt2020Minifab, InitialWip) {
  const model::Factory f = read_ok(minifab_dir());
  ASSERT_EQ(f.initial_wip.size(), 5u);
  const auto& l0 = f.initial_wip[0];  // a short row (8 of 10 cells)
  EXPECT_EQ(l0.name, "Init_Lot_A_1");
  EXPECT_EQ(l0.stream, 0);
  EXPECT_EQ(l0.product, 0);
  EXPECT_EQ(l0.priority, 10);
  EXPECT_EQ(l0.wafers, 25);
  EXPECT_EQ(l0.step, 4);  // CURSTEP 5
  EXPECT_EQ(l0.due, 259'200'000);
  EXPECT_EQ(l0.virtual_release, 259'200'000 - 864'000'000);
  EXPECT_EQ(l0.src.line, 2);

  const auto& l1 = f.initial_wip[1];  // hot lot
  EXPECT_EQ(l1.stream, 1);
  EXPECT_EQ(l1.priority, 20);
  EXPECT_EQ(l1.step, 7);
  EXPECT_EQ(l1.due, 216'000'000);
  EXPECT_EQ(l1.virtual_release, 216'000'000 - 475'200'000);

  const auto& l2 = f.initial_wip[2];  // super hot lot, due before time 0
  EXPECT_EQ(l2.stream, 3);
  EXPECT_EQ(l2.product, 1);
  EXPECT_EQ(l2.priority, 30);
  EXPECT_EQ(l2.step, 1);
  EXPECT_EQ(l2.due, -21'600'000);
  EXPECT_EQ(l2.virtual_release, -21'600'000 - 1'209'600'000);

  const auto& l3 = f.initial_wip[3];  // virtual release after time 0
  EXPECT_EQ(l3.stream, 2);
  EXPECT_EQ(l3.due, 691'200'000);
  EXPECT_EQ(l3.virtual_release, 151'200'000);

  const auto& l4 = f.initial_wip[4];  // no order line "Other"; PIECES 20.0
  EXPECT_EQ(l4.stream, kNone);
  EXPECT_EQ(l4.wafers, 20);
  EXPECT_EQ(l4.step, 0);
  EXPECT_EQ(l4.due, 345'600'000);
  EXPECT_EQ(l4.virtual_release, 0);
}

TEST(Smt2020Minifab, Transport) {
  const model::Factory f = read_ok(minifab_dir());
  ASSERT_EQ(f.transport.size(), 1u);
  EXPECT_EQ(f.transport[0].from, 0);
  EXPECT_EQ(f.transport[0].to, 0);
  expect_dist(f.transport[0].time, DistKind::Uniform, 450'000, 150'000);  // U[5, 10] min
  EXPECT_NE(f.transport_time(0, 0), nullptr);
  EXPECT_EQ(f.transport_time(0, 1), nullptr);  // no lane into Delay: no move time
  EXPECT_EQ(f.transport_time(1, 0), nullptr);
}

TEST(Smt2020Minifab, LoadFactoryValidates) {
  Diagnostics diags;
  auto f = load_factory(minifab_dir().string(), diags);
  ASSERT_NE(f, nullptr) << diags.to_string();
  EXPECT_TRUE(diags.ok());
  EXPECT_EQ(f->name, "minifab");
  EXPECT_EQ(f->source, minifab_dir().string());
  // A trailing slash names the directory the same way.
  auto g = load_factory(minifab_dir().string() + "/", diags);
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(g->name, "minifab");
}

// Everything but source positions, for comparing imports of equivalent files.
std::string fingerprint(const model::Factory& f) {
  std::ostringstream o;
  auto d = [&o](const Dist& x) { o << x.to_string() << ';'; };
  for (const auto& g : f.tool_groups) {
    o << g.name << ',' << g.area << ',' << g.location << ',' << g.tools << ',' << g.capacity << ','
      << g.load_time << ',' << g.unload_time << ',' << g.is_delay << ',' << int(g.batch_criterion)
      << ',' << int(g.batch_unit) << ',' << g.lssu << ',' << g.wake_least_setup << ','
      << g.setup_group << ',';
    for (auto r : g.ranking) o << int(r);
    for (const auto& a : g.downs) {
      o << 'D' << a.calendar;
      d(a.first_occurrence);
    }
    for (const auto& a : g.pms) {
      o << 'P' << a.calendar;
      d(a.first_occurrence);
    }
    o << '\n';
  }
  for (const auto& r : f.routes) {
    o << r.name << '\n';
    for (const auto& s : r.steps) {
      o << s.name << ',' << s.tool_group << ',' << int(s.basis) << ',';
      d(s.time);
      o << s.batch_min << ',' << s.batch_max << ',' << s.setup << ',' << s.setup_time << ','
        << int(s.cascade_basis) << ',' << s.cascade_interval << ',' << s.dedicate_step << ','
        << s.rework_step << ',' << s.rework_probability << ',' << s.sample_probability << ','
        << s.cqt_exit_step << ',' << s.cqt_limit << '\n';
    }
  }
  for (const auto& p : f.products) o << p.name << ',' << p.route << '\n';
  for (const auto& s : f.streams) {
    o << s.name << ',' << s.product << ',' << s.priority << ',' << s.wafers_per_lot << ','
      << s.first_release << ',' << s.lots_per_release << ',' << s.max_releases << ','
      << s.due_offset << ',';
    d(s.interval);
    o << '\n';
  }
  for (const auto& l : f.initial_wip)
    o << l.name << ',' << l.stream << ',' << l.product << ',' << l.priority << ',' << l.wafers
      << ',' << l.step << ',' << l.due << ',' << l.virtual_release << '\n';
  for (const auto& s : f.setups) o << s << ',';
  for (const auto& c : f.setup_changes) o << c.from << '>' << c.to << ':' << c.time << ',';
  for (const auto& g : f.setup_groups) {
    o << g.name << ',' << g.min_run;
    for (auto m : g.members) o << ',' << m;
  }
  for (const auto& c : f.down_calendars) {
    o << c.name << int(c.clock);
    d(c.time_to_failure);
    d(c.time_to_repair);
  }
  for (const auto& c : f.pm_calendars) {
    o << c.name << int(c.trigger) << c.interval;
    d(c.duration);
  }
  for (const auto& l : f.locations) o << l.name << ',';
  for (const auto& t : f.transport) {
    o << t.from << '>' << t.to;
    d(t.time);
  }
  return o.str();
}

TEST(Smt2020Minifab, CrlfBomAndBlankLinesReadTheSame) {
  const std::string expected = fingerprint(read_ok(minifab_dir()));
  TempDir tmp;
  copy_minifab(tmp.path());
  for (const auto& e : std::filesystem::directory_iterator(tmp.path())) {
    auto lines = test::lines_of(test::read_file(e.path()));
    std::string text = "\xEF\xBB\xBF";
    for (std::size_t i = 0; i < lines.size(); ++i) {
      text += lines[i] + "\r\n";
      if (i == 1) text += "\r\n   \r\n";  // blank lines inside the data
    }
    test::write_text(e.path(), text);
  }
  EXPECT_EQ(fingerprint(read_ok(tmp.path())), expected);
}

TEST(Smt2020Minifab, ColumnsAreFoundByNameInAnyOrder) {
  const std::string expected = fingerprint(read_ok(minifab_dir()));
  TempDir tmp;
  copy_minifab(tmp.path());
  // Reverse the column order of every file and add an unknown column.
  for (const auto& e : std::filesystem::directory_iterator(tmp.path())) {
    auto lines = test::lines_of(test::read_file(e.path()));
    const std::size_t width = test::cells_of(lines[0]).size();
    for (std::size_t i = 0; i < lines.size(); ++i) {
      auto cells = test::cells_of(lines[i]);
      cells.resize(width);  // pad short rows so that reversing keeps the columns aligned
      std::reverse(cells.begin(), cells.end());
      cells.push_back(i == 0 ? "EXTRA_UNKNOWN" : "whatever");
      lines[i] = test::join_cells(cells);
    }
    test::write_text(e.path(), test::join_lines(lines));
  }
  EXPECT_EQ(fingerprint(read_ok(tmp.path())), expected);
}

TEST(Smt2020Minifab, NoTrailingNewlineAndSpacesAroundCells) {
  const std::string expected = fingerprint(read_ok(minifab_dir()));
  TempDir tmp;
  copy_minifab(tmp.path());
  std::string text = test::read_file(tmp.path() / "fromto.txt");
  text.pop_back();  // drop the final newline
  test::write_text(tmp.path() / "fromto.txt", text);
  test::set_cell(tmp.path(), "order.txt", 2, "REPEAT", " 120 ");
  EXPECT_EQ(fingerprint(read_ok(tmp.path())), expected);
}

}  // namespace
}  // namespace osatsim::io
