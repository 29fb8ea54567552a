// The full SMT2020 HVLM and LVHM models against the key figures of FORMAT.md §14 (computed there
// by keyfigures.py, independently of this importer). Skipped when the data is absent.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "io/load.h"
#include "support/test_support.h"

namespace osatsim::io {
namespace {

using model::kNone;

std::shared_ptr<const model::Factory> load(const std::filesystem::path& dir) {
  Diagnostics diags;
  auto f = load_factory(dir.string(), diags);
  EXPECT_TRUE(diags.ok()) << diags.to_string();
  return f;
}

struct RouteFigures {
  const char* name;
  int steps;
  double expected;  // sum StepPercent/100, to 0.1
  int lot, piece, batch, setup, sampled, cqt, ltl, rework;
};

void check_route(const model::Factory& f, const RouteFigures& e) {
  const model::RouteId r = f.find_route(e.name);
  ASSERT_NE(r, kNone) << e.name;
  const auto& steps = f.routes[r].steps;
  int lot = 0, piece = 0, batch = 0, setup = 0, sampled = 0, cqt = 0, ltl = 0, rework = 0;
  double expected = 0;
  for (const auto& s : steps) {
    lot += s.basis == model::TimeBasis::PerLot;
    piece += s.basis == model::TimeBasis::PerWafer;
    batch += s.basis == model::TimeBasis::PerBatch;
    setup += s.setup != kNone;
    sampled += s.sample_probability < 1.0;
    cqt += s.cqt_exit_step != kNone;
    ltl += s.dedicate_step != kNone;
    rework += s.rework_step != kNone;
    expected += s.sample_probability;
  }
  EXPECT_EQ(static_cast<int>(steps.size()), e.steps) << e.name;
  EXPECT_NEAR(expected, e.expected, 0.05) << e.name;
  EXPECT_EQ(lot, e.lot) << e.name;
  EXPECT_EQ(piece, e.piece) << e.name;
  EXPECT_EQ(batch, e.batch) << e.name;
  EXPECT_EQ(setup, e.setup) << e.name;
  EXPECT_EQ(sampled, e.sampled) << e.name;
  EXPECT_EQ(cqt, e.cqt) << e.name;
  EXPECT_EQ(ltl, e.ltl) << e.name;
  EXPECT_EQ(rework, e.rework) << e.name;
}

const RouteFigures kRoute3{"r_3", 583, 522.1, 310, 256, 17, 58, 95, 41, 11, 7};
const RouteFigures kRoute4{"r_4", 343, 308.4, 180, 152, 11, 35, 54, 25, 7, 7};

struct FabFigures {
  int tools, tools_no_delay, batch_groups, batch_tools, casc_groups, casc_tools;
  std::map<std::string, int> tools_per_area;
};

void check_fab(const model::Factory& f, const FabFigures& e) {
  EXPECT_EQ(f.tool_groups.size(), 106u);
  std::set<std::string> areas;
  std::map<std::string, int> per_area;
  int batch_groups = 0, batch_tools = 0, casc_groups = 0, casc_tools = 0, delay = 0;
  for (const auto& g : f.tool_groups) {
    areas.insert(g.area);
    per_area[g.area] += g.tools;
    if (g.batch_criterion != model::BatchCriterion::None) {
      ++batch_groups;
      batch_tools += g.tools;
      EXPECT_EQ(g.batch_criterion, model::BatchCriterion::SameRouteStep);
    }
    if (g.capacity > 1) {
      ++casc_groups;
      casc_tools += g.tools;
      EXPECT_EQ(g.capacity, 2);
    }
    delay += g.is_delay;
  }
  EXPECT_EQ(areas.size(), 12u);
  EXPECT_EQ(delay, 1);
  EXPECT_EQ(f.total_tools(true), e.tools);
  EXPECT_EQ(f.total_tools(false), e.tools_no_delay);
  EXPECT_EQ(batch_groups, e.batch_groups);
  EXPECT_EQ(batch_tools, e.batch_tools);
  EXPECT_EQ(casc_groups, e.casc_groups);
  EXPECT_EQ(casc_tools, e.casc_tools);
  EXPECT_EQ(per_area, e.tools_per_area);

  const auto& d32 = f.tool_groups[f.find_tool_group("Delay_32")];
  EXPECT_TRUE(d32.is_delay);
  EXPECT_EQ(d32.tools, 400);
  EXPECT_EQ(d32.load_time, 0);
  EXPECT_TRUE(d32.downs.empty());
  EXPECT_TRUE(d32.pms.empty());

  // attach.txt rows: 11 down, 79 calendar PM, 213 wafer-count PM.
  std::set<int> down_rows, cal_rows, wafer_rows;
  for (const auto& g : f.tool_groups) {
    for (const auto& a : g.downs) down_rows.insert(a.src.line);
    for (const auto& a : g.pms)
      (f.pm_calendars[a.calendar].trigger == model::PmTrigger::Calendar ? cal_rows : wafer_rows)
          .insert(a.src.line);
    if (!g.is_delay) {
      EXPECT_EQ(g.downs.size(), 1u) << g.name;
      EXPECT_FALSE(g.pms.empty()) << g.name;
    }
  }
  EXPECT_EQ(down_rows.size(), 11u);
  EXPECT_EQ(cal_rows.size(), 79u);
  EXPECT_EQ(wafer_rows.size(), 213u);
  EXPECT_EQ(f.down_calendars.size(), 11u);
  EXPECT_EQ(f.pm_calendars.size(), 292u);

  // rule_LSSU and the setup group; wake_LeastSetupTime on 9 groups.
  std::set<std::string> lssu, wake;
  for (const auto& g : f.tool_groups) {
    if (g.lssu) lssu.insert(g.name);
    if (g.wake_least_setup) wake.insert(g.name);
    if (g.lssu) {
      EXPECT_EQ(g.setup_group, f.setup_groups.empty() ? kNone : 0) << g.name;
    }
  }
  EXPECT_EQ(lssu, (std::set<std::string>{"Implant_128", "Implant_132", "Implant_91"}));
  EXPECT_EQ(wake.size(), 9u);
  ASSERT_EQ(f.setup_groups.size(), 1u);
  EXPECT_EQ(f.setup_groups[0].name, "Implant_Gas");
  EXPECT_EQ(f.setup_groups[0].members.size(), 9u);
  EXPECT_EQ(f.setup_groups[0].min_run, 7);
  EXPECT_EQ(f.setup_changes.size(), 13u);

  ASSERT_EQ(f.transport.size(), 1u);
  EXPECT_EQ(f.transport[0].time.mean, 450'000);
  EXPECT_EQ(f.transport[0].time.half_width, 150'000);
}

void check_wip(const model::Factory& f, std::size_t lots, std::map<int, int> by_prio,
               std::map<std::string, int> by_part, int at_step1, int due_before_t0) {
  EXPECT_EQ(f.initial_wip.size(), lots);
  std::map<int, int> prio;
  std::map<std::string, int> part;
  int s1 = 0, late = 0, no_stream = 0;
  for (const auto& l : f.initial_wip) {
    ++prio[l.priority];
    ++part[f.products[l.product].name];
    s1 += l.step == 0;
    late += l.due <= 0;
    no_stream += l.stream == kNone;
    if (l.stream != kNone) {
      EXPECT_EQ(l.virtual_release, l.due - f.streams[l.stream].due_offset);
    }
  }
  EXPECT_EQ(prio, by_prio);
  EXPECT_EQ(part, by_part);
  EXPECT_EQ(s1, at_step1);
  EXPECT_EQ(late, due_before_t0);
  EXPECT_EQ(no_stream, 0);
}

TEST(Smt2020Full, Hvlm) {
  OSATSIM_REQUIRE_SMT2020(data);
  auto f = load(data / "HVLM");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->name, "HVLM");
  check_fab(*f, {1443,
                 1043,
                 10,
                 75,
                 45,
                 301,
                 {{"Def_Met", 16},
                  {"Dielectric", 59},
                  {"Diffusion", 75},
                  {"Dry_Etch", 362},
                  {"Implant", 35},
                  {"Wet_Etch", 112},
                  {"Litho", 203},
                  {"Litho_Met", 53},
                  {"Planar", 34},
                  {"TF", 90},
                  {"TF_Met", 4},
                  {"Delay_32", 400}}});
  ASSERT_EQ(f->routes.size(), 2u);
  ASSERT_EQ(f->products.size(), 2u);
  check_route(*f, kRoute3);
  check_route(*f, kRoute4);
  for (const auto& g : f->tool_groups)
    EXPECT_EQ(g.ranking, (std::vector<model::RankCriterion>{model::RankCriterion::HighPriority,
                                                            model::RankCriterion::LeastSetup,
                                                            model::RankCriterion::Fifo}));

  // Order lines: 5 streams, 57.198 lots/day; due offsets to 0.01 day.
  ASSERT_EQ(f->streams.size(), 5u);
  double total = 0;
  for (const auto& s : f->streams) {
    total += model::lots_per_day(s);
    EXPECT_EQ(s.first_release, 0);
    EXPECT_EQ(s.wafers_per_lot, 25);
  }
  EXPECT_NEAR(total, 57.198, 0.0005);
  const auto& lot3 = f->streams[f->find_stream("Lot_3")];
  EXPECT_EQ(lot3.interval.mean, 3'101'400);  // 51.69 min
  EXPECT_NEAR(to_days(lot3.due_offset), 53.84, 0.005);
  EXPECT_EQ(lot3.max_releases, 200000);
  EXPECT_NEAR(to_days(f->streams[f->find_stream("HotLot_4")].due_offset), 19.55, 0.005);
  EXPECT_EQ(f->streams[f->find_stream("SuperHotLot_3")].priority, 30);

  check_wip(*f, 2255, {{10, 2215}, {20, 37}, {30, 3}}, {{"part_3", 1432}, {"part_4", 823}}, 32, 3);

  // Spot checks of the first step of route_3 (uniform 501.33, 25.0665 min, batch 125..150).
  const auto& s = f->routes[f->find_route("r_3")].steps[0];
  EXPECT_EQ(s.time.kind, DistKind::Uniform);
  EXPECT_DOUBLE_EQ(s.time.mean, 30'079'800);
  EXPECT_DOUBLE_EQ(s.time.half_width, 1'503'990);
  EXPECT_EQ(s.batch_min, 125);
  EXPECT_EQ(s.batch_max, 150);
}

TEST(Smt2020Full, Lvhm) {
  OSATSIM_REQUIRE_SMT2020(data);
  auto f = load(data / "LVHM");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->name, "LVHM");
  check_fab(*f, {1313,
                 913,
                 10,
                 73,
                 45,
                 269,
                 {{"Def_Met", 15},
                  {"Dielectric", 54},
                  {"Diffusion", 73},
                  {"Dry_Etch", 312},
                  {"Implant", 36},
                  {"Wet_Etch", 99},
                  {"Litho", 170},
                  {"Litho_Met", 45},
                  {"Planar", 26},
                  {"TF", 79},
                  {"TF_Met", 4},
                  {"Delay_32", 400}}});
  ASSERT_EQ(f->routes.size(), 10u);
  ASSERT_EQ(f->products.size(), 10u);
  const RouteFigures routes[] = {{"r_1", 521, 463.3, 273, 233, 15, 48, 90, 29, 11, 6},
                                 {"r_2", 529, 474.8, 277, 233, 19, 54, 84, 38, 10, 6},
                                 kRoute3,
                                 kRoute4,
                                 {"r_5", 242, 216.0, 120, 113, 9, 27, 42, 11, 4, 7},
                                 {"r_6", 293, 263.1, 148, 133, 12, 30, 45, 27, 3, 3},
                                 {"r_7", 353, 314.8, 184, 157, 12, 36, 59, 24, 7, 4},
                                 {"r_8", 375, 333.7, 200, 163, 12, 40, 66, 20, 6, 5},
                                 {"r_9", 384, 337.6, 208, 163, 13, 34, 70, 23, 5, 2},
                                 {"r_10", 390, 353.5, 204, 171, 15, 39, 57, 26, 9, 5}};
  for (const auto& r : routes) check_route(*f, r);
  for (const auto& g : f->tool_groups)
    EXPECT_EQ(g.ranking.back(), model::RankCriterion::CriticalRatio) << g.name;

  ASSERT_EQ(f->streams.size(), 21u);
  double total = 0;
  for (const auto& s : f->streams) total += model::lots_per_day(s);
  EXPECT_NEAR(total, 57.194, 0.0005);
  EXPECT_NEAR(to_days(f->streams[f->find_stream("Lot_10")].due_offset), 40.10, 0.005);
  EXPECT_NEAR(to_days(f->streams[f->find_stream("HotLot_5")].due_offset), 16.87, 0.005);

  check_wip(*f, 2156, {{10, 2116}, {20, 38}, {30, 2}},
            {{"part_1", 274},
             {"part_2", 280},
             {"part_3", 310},
             {"part_4", 179},
             {"part_5", 129},
             {"part_6", 167},
             {"part_7", 190},
             {"part_8", 209},
             {"part_9", 207},
             {"part_10", 211}},
            43, 10);
}

// FORMAT.md §4.6: windows never overlap, entrance and exit are never sampled; §4.2: batch steps
// are never sampled and never inside a rework loop; §4.7 dedication stays in one tool group.
TEST(Smt2020Full, StructuralFacts) {
  OSATSIM_REQUIRE_SMT2020(data);
  for (const char* m : {"HVLM", "LVHM"}) {
    auto f = load(data / m);
    ASSERT_NE(f, nullptr);
    int windows = 0, dedications = 0;
    for (const auto& r : f->routes) {
      for (std::size_t i = 0; i < r.steps.size(); ++i) {
        const auto& s = r.steps[i];
        if (s.cqt_exit_step != kNone) {
          ++windows;
          EXPECT_EQ(s.sample_probability, 1.0);
          EXPECT_EQ(r.steps[s.cqt_exit_step].sample_probability, 1.0);
        }
        if (s.basis == model::TimeBasis::PerBatch) {
          EXPECT_EQ(s.sample_probability, 1.0);
          EXPECT_GE(s.batch_min, 75);
          EXPECT_LE(s.batch_max, 150);
        }
        if (s.rework_step != kNone) {
          EXPECT_EQ(s.rework_step, static_cast<int>(i) - 2);
          for (int k = s.rework_step; k <= static_cast<int>(i); ++k)
            EXPECT_NE(r.steps[k].basis, model::TimeBasis::PerBatch);
        }
        if (s.dedicate_step != kNone) {
          ++dedications;
          EXPECT_EQ(r.steps[s.dedicate_step].tool_group, s.tool_group);
        }
      }
    }
    EXPECT_EQ(windows, std::string(m) == "HVLM" ? 66 : 264) << m;
    EXPECT_EQ(dedications, std::string(m) == "HVLM" ? 18 : 73) << m;
  }
}

}  // namespace
}  // namespace osatsim::io
