// Static capacity and queueing cycle times against the discrete-event simulator on the full
// SMT2020 models (docs/validation.md, "Capacity vs simulation").
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>

#include "analysis/capacity.h"
#include "engine/engine.h"
#include "io/load.h"
#include "support/test_support.h"

namespace osatsim::analysis {
namespace {

std::shared_ptr<const model::Factory> load(const std::filesystem::path& dir) {
  Diagnostics d;
  auto f = io::load_factory(dir.string(), d);
  EXPECT_TRUE(f) << d.to_string();
  return f;
}

// The factory with every release stream's rate multiplied by `scale`.
model::Factory scaled(const model::Factory& f, double scale) {
  model::Factory g = f;
  for (auto& s : g.streams) s.interval = s.interval.scaled(1.0 / scale);
  return g;
}

struct GroupRow {
  std::string name;
  double sim = 0, cap = 0;            // BUSY + SETUP share of total time
  double sim_util = 0, cap_util = 0;  // of available time
};

struct Comparison {
  std::vector<GroupRow> rows;     // by simulated share, highest first
  double sim_ct = 0, cap_ct = 0;  // lot-weighted mean cycle time (days) of completed lots
  std::string cap_bottleneck, sim_bottleneck;
  double sim_util_of_cap_bottleneck = 0, sim_max_util = 0;
  std::string table;
};

Comparison compare(const model::Factory& f, double scale, double days, double warmup) {
  CapacityOptions o;
  o.scale = scale;
  const CapacityResult cap = analyse(f, o);
  const model::Factory fs = scaled(f, scale);
  engine::Options eo;
  eo.days = days;
  eo.warmup_days = warmup;
  eo.seed = 1;
  const engine::Results sim = engine::simulate(fs, eo);
  Comparison c;
  std::map<std::string, const engine::ToolGroupKpi*> by_name;
  for (const auto& g : sim.tool_groups) by_name[g.name] = &g;
  for (const auto& g : cap.groups) {
    if (g.is_delay) continue;
    const auto* s = by_name.at(g.name);
    GroupRow r{g.name, s->busy + s->setup, g.state_share, 0, g.utilisation};
    const double avail = 1.0 - s->down - s->pm;
    r.sim_util = avail > 0 ? r.sim / avail : 0.0;
    c.rows.push_back(r);
    if (r.sim_util > c.sim_max_util) {
      c.sim_max_util = r.sim_util;
      c.sim_bottleneck = g.name;
    }
  }
  std::sort(c.rows.begin(), c.rows.end(),
            [](const GroupRow& a, const GroupRow& b) { return a.sim > b.sim; });
  c.cap_bottleneck = cap.groups[cap.bottleneck].name;
  for (const auto& r : c.rows)
    if (r.name == c.cap_bottleneck) c.sim_util_of_cap_bottleneck = r.sim_util;
  double n = 0, ct = 0, cct = 0;
  for (const auto& lt : sim.lot_types) {
    const auto& cs = *std::find_if(cap.nominal.streams.begin(), cap.nominal.streams.end(),
                                   [&](const StreamCycleTime& s) { return s.name == lt.name; });
    const double k = static_cast<double>(lt.cycle_time_days.n);
    n += k;
    ct += k * lt.cycle_time_days.mean;
    cct += k * cs.cycle_time_days;
  }
  c.sim_ct = n > 0 ? ct / n : 0;
  c.cap_ct = n > 0 ? cct / n : 0;
  c.table = fmt::format("{:<20} {:>7} {:>7} {:>7} {:>8} {:>8}\n", "tool group", "sim", "static",
                        "diff", "sim/A", "static/A");
  for (std::size_t i = 0; i < c.rows.size() && i < 20; ++i) {
    const auto& r = c.rows[i];
    c.table += fmt::format("{:<20} {:>6.1f}% {:>6.1f}% {:>+6.1f} {:>7.1f}% {:>7.1f}%\n", r.name,
                           100 * r.sim, 100 * r.cap, 100 * (r.cap - r.sim), 100 * r.sim_util,
                           100 * r.cap_util);
  }
  c.table += fmt::format(
      "bottleneck: static {} (simulated {:.1f}% of available time); simulated {} ({:.1f}%)\n",
      c.cap_bottleneck, 100 * c.sim_util_of_cap_bottleneck, c.sim_bottleneck, 100 * c.sim_max_util);
  c.table += fmt::format("mean cycle time of completed lots: simulated {:.2f} d, static {:.2f} d\n",
                         c.sim_ct, c.cap_ct);
  return c;
}

int within(const Comparison& c, double tol, std::size_t top = 20) {
  int n = 0;
  for (std::size_t i = 0; i < c.rows.size() && i < top; ++i)
    n += std::abs(c.rows[i].cap - c.rows[i].sim) <= tol;
  return n;
}

class VsSim : public ::testing::TestWithParam<const char*> {};

// One simulated year (120-day warm-up) at the nominal release rates.
TEST_P(VsSim, NominalLoad) {
  OSATSIM_REQUIRE_SMT2020(dir);
  auto f = load(dir / GetParam());
  ASSERT_TRUE(f);
  const Comparison c = compare(*f, 1.0, 365, 120);
  std::printf("%s at nominal load\n%s", GetParam(), c.table.c_str());
  // Utilisation (BUSY + SETUP share) of the 20 most loaded groups. Groups whose steps need setups
  // (the gas-implant groups with setup runs, the litho tracks' per-layer setups) depend on the
  // simulated setup frequency, which the static heuristic underestimates at light queues
  // (docs/validation.md): within 8 points. Every other group within 5 points, and all but one of
  // them within 3.
  std::vector<bool> has_setups(f->tool_groups.size(), false);
  for (const auto& route : f->routes)
    for (const auto& st : route.steps)
      if (st.setup != model::kNone) has_setups[st.tool_group] = true;
  int plain = 0, plain_within = 0;
  for (std::size_t i = 0; i < c.rows.size() && i < 20; ++i) {
    const auto& r = c.rows[i];
    const auto gi = f->find_tool_group(r.name);
    const bool setups = has_setups[gi] || f->tool_groups[gi].lssu;
    EXPECT_LE(std::abs(r.cap - r.sim), setups ? 0.08 : 0.05) << r.name;
    if (!setups) {
      ++plain;
      plain_within += std::abs(r.cap - r.sim) <= 0.03;
    }
  }
  EXPECT_GE(plain_within, plain - 1);
  // Bottleneck: the static bottleneck is simulated within 2 points of the most utilised group.
  EXPECT_GE(c.sim_util_of_cap_bottleneck, c.sim_max_util - 0.02)
      << c.cap_bottleneck << " vs " << c.sim_bottleneck;
  // Mean cycle time within 25 %.
  EXPECT_NEAR(c.cap_ct / c.sim_ct, 1.0, 0.25);
}

INSTANTIATE_TEST_SUITE_P(Models, VsSim, ::testing::Values("HVLM", "LVHM"));

// PM shares under both readings of the WK/MN/QT calendars (model::PmNesting): the simulated PM
// share of the calendar-PM scanners and of the wafer-count-PM etchers matches the static formula
// within 0.6 points, and nesting lowers it by more than a point (HVLM, 240 days, 60 warm-up).
TEST(VsSimPm, NestedAndIndependentCalendars) {
  OSATSIM_REQUIRE_SMT2020(dir);
  auto f = load(dir / "HVLM");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->pm_nesting, model::PmNesting::Independent);  // the SMT2020 reader's reading
  std::map<std::string, double> share[2];
  for (const auto n : {model::PmNesting::Independent, model::PmNesting::Nested}) {
    model::Factory g = *f;
    g.pm_nesting = n;
    const CapacityResult cap = analyse(g, CapacityOptions{});
    engine::Options eo;
    eo.days = 240;
    eo.warmup_days = 60;
    const engine::Results sim = engine::simulate(g, eo);
    std::int64_t absorbed = 0;
    for (const auto& k : sim.tool_groups) absorbed += k.pms_absorbed;
    EXPECT_EQ(absorbed > 0, n == model::PmNesting::Nested);
    for (const char* name : {"Litho_FE_92", "Litho_BE_110", "Litho_FE_111", "DE_FE_86"}) {
      const auto& sg = *std::find_if(sim.tool_groups.begin(), sim.tool_groups.end(),
                                     [&](const auto& k) { return k.name == name; });
      const auto& cg = cap.groups[g.find_tool_group(name)];
      EXPECT_NEAR(sg.pm, cg.pm_share, 0.006) << name << (n == model::PmNesting::Nested ? " nested"
                                                                                        : "");
      share[static_cast<int>(n)][name] = sg.pm;
    }
  }
  for (const auto& [name, independent] : share[0])
    EXPECT_LT(share[1][name], independent - 0.01) << name;
}

// The operating curves side by side at 5 start-rate scale factors (slow: 10 simulated years).
// Run with OSATSIM_VALIDATION_CURVES=1; prints the table of docs/validation.md.
TEST(VsSimCurves, FiveLoadLevels) {
  OSATSIM_REQUIRE_SMT2020(dir);
  if (std::getenv("OSATSIM_VALIDATION_CURVES") == nullptr)
    GTEST_SKIP() << "set OSATSIM_VALIDATION_CURVES=1 to run (several minutes)";
  for (const char* model : {"HVLM", "LVHM"}) {
    auto f = load(dir / model);
    ASSERT_TRUE(f);
    std::printf("%s\n%6s %9s %9s %9s %7s %9s %9s\n", model, "scale", "lots/d", "sim CT",
                "static CT", "ratio", "sim max", "stat max");
    for (double s : {0.6, 0.7, 0.8, 0.9, 1.0}) {
      const Comparison c = compare(*f, s, 365, 120);
      std::printf("%6.2f %9.2f %9.2f %9.2f %7.3f %8.1f%% %8.1f%%  within 3 pts: %d/20\n", s,
                  57.2 * s, c.sim_ct, c.cap_ct, c.cap_ct / c.sim_ct, 100 * c.sim_max_util,
                  100 * std::max_element(c.rows.begin(), c.rows.end(),
                                         [](const GroupRow& a, const GroupRow& b) {
                                           return a.cap_util < b.cap_util;
                                         })
                            ->cap_util,
                  within(c, 0.03));
      std::printf("       simulated bottleneck %s; beyond 3 points:", c.sim_bottleneck.c_str());
      for (std::size_t i = 0; i < c.rows.size() && i < 20; ++i) {
        const auto& r = c.rows[i];
        if (std::abs(r.cap - r.sim) > 0.03)
          std::printf(" %s %.1f/%.1f", r.name.c_str(), 100 * r.sim, 100 * r.cap);
      }
      std::printf("\n");
      std::fflush(stdout);
    }
  }
}

}  // namespace
}  // namespace osatsim::analysis
