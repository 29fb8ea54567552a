// The engine on the full SMT2020 models (skipped when the data is absent).
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "engine/engine.h"
#include "engine/replications.h"
#include "io/load.h"
#include "support/test_support.h"

namespace osatsim::engine {
namespace {

std::shared_ptr<const model::Factory> load(const std::filesystem::path& dir) {
  Diagnostics d;
  auto f = io::load_factory(dir.string(), d);
  EXPECT_TRUE(f) << d.to_string();
  return f;
}

void check_invariants(const Results& r) {
  ASSERT_EQ(r.status, RunStatus::Ok) << r.message;
  for (const auto& t : r.lot_types)
    EXPECT_EQ(t.released + t.initial_wip + t.split_children,
              t.completed_total + t.in_fab_end + t.scrapped_total)
        << t.name;
  EXPECT_EQ(r.lots_released + r.initial_wip_lots + r.lots_split_children,
            r.lots_completed + r.lots_scrapped + r.lots_in_fab_end);
  for (const auto& g : r.tool_groups) {
    EXPECT_NEAR(g.busy + g.setup + g.down + g.pm + g.idle, 1.0, 1e-9) << g.name;
    EXPECT_LE(g.max_parallel, g.tools * 2) << g.name;
  }
}

// HVLM over 200 days (warm-up 100): plausible flow factors (regular > hot > 1), Delay_32 within
// its 400 slots, throughput near the release rate. HVLM is not in steady state in its first
// months (the initial WIP settles), so the throughput bound is loose here;
// FidelityAgainstInitialWip checks the second year.
TEST(EngineSmt2020, HvlmSteadyState) {
  OSATSIM_REQUIRE_SMT2020(dir);
  const auto f = load(dir / "HVLM");
  ASSERT_TRUE(f);
  Options o;
  o.days = 200;
  o.warmup_days = 100;
  const Results r = simulate(*f, o);
  check_invariants(r);
  for (const auto& t : r.lot_types) {
    if (t.priority < 30) {
      EXPECT_LE(t.throughput_per_day, 1.05 * t.release_rate_per_day) << t.name;
      EXPECT_GE(t.throughput_per_day, 0.85 * t.release_rate_per_day) << t.name;
    }
    EXPECT_GT(t.ct_factor, 1.0) << t.name;
    EXPECT_LT(t.ct_factor, 4.0) << t.name;
  }
  EXPECT_GT(r.lot_types[0].ct_factor, r.lot_types[2].ct_factor);  // Lot_3 vs HotLot_3
  for (const auto& g : r.tool_groups) {
    if (g.name == "Delay_32") {
      EXPECT_LE(g.max_parallel, 400);
    }
  }
  EXPECT_GT(r.cqt_windows, 0);
  EXPECT_GT(r.rework_passes, 0);
}

TEST(EngineSmt2020, LvhmRunsAndIsDeterministic) {
  OSATSIM_REQUIRE_SMT2020(dir);
  const auto f = load(dir / "LVHM");
  ASSERT_TRUE(f);
  Options o;
  o.days = 40;
  const Results a = simulate(*f, o);
  check_invariants(a);
  const Results b = simulate(*f, o);
  EXPECT_EQ(a.events, b.events);
  EXPECT_EQ(a.lots_completed, b.lots_completed);
  ASSERT_EQ(a.lot_types.size(), b.lot_types.size());
  for (std::size_t i = 0; i < a.lot_types.size(); ++i)
    EXPECT_EQ(a.lot_types[i].cycle_time_days.mean, b.lot_types[i].cycle_time_days.mean);
  EXPECT_EQ(a.wip_per_day, b.wip_per_day);
}

// Fidelity: the files' initial WIP is a snapshot of the original model, and the ages of its lots
// imply the original's cycle time per lot type (wip_implied_cycle_time, docs/validation.md).
// Over 2 years (KPIs over the second) and `replications` replications (seeds 0, 1, ...), the
// mean over the replications of every regular lot type's mean cycle time must lie within `ct_tol` of it and
// the throughput within `th_tol` of the release rate. Hot lot types rest on 2 to 23 initial lots
// each; they are printed, not asserted. `earlier`: the readings chosen before the published
// per-group figures were known (nested PM calendars, immediate gas changes, setup state kept,
// least-setup wake rule, setups after the entry frees, list order among idle tools, the same first
// wafer-count PM threshold for every tool), fitted to these implied cycle times.
void check_fidelity(const char* model, bool earlier, int replications, double ct_tol, double th_tol) {
  OSATSIM_REQUIRE_SMT2020(dir);
  auto f = load(dir / model);
  ASSERT_TRUE(f);
  model::Factory g = *f;
  if (earlier) g.pm_nesting = model::PmNesting::Nested;
  Options o;
  o.days = 730;
  o.warmup_days = 365;
  if (earlier) {
    o.lssu_switch = LssuSwitch::Immediate;
    o.setup_state = SetupState::Keep;
    o.wake = WakeRule::LeastSetup;
    o.cascade_setup = CascadeSetup::After;
    o.idle_tool = IdleTool::First;
    o.wafer_pm_start = WaferPmStart::Same;
  }
  const std::vector<Results> runs = simulate_replications(g, o, replications, 2);
  for (const auto& r : runs) check_invariants(r);
  const ReplicationSummary s = summarize(runs);
  int checked = 0;
  for (std::size_t i = 0; i < s.lot_types.size(); ++i) {
    const auto& t = runs[0].lot_types[i];
    const auto& e = s.lot_types[i];
    std::printf("%-14s CT %6.2f ± %4.2f d, implied by %4lld initial lots %6.2f d (%+5.1f %%), "
                "throughput %+5.2f %% of the release rate\n",
                t.name.c_str(), e.ct_mean_days.mean, e.ct_mean_days.ci95,
                static_cast<long long>(t.wip_implied_lots), t.wip_implied_ct_days,
                100.0 * (e.ct_mean_days.mean / t.wip_implied_ct_days - 1.0),
                100.0 * (e.throughput_per_day.mean / t.release_rate_per_day - 1.0));
    if (t.priority != 10 || t.wip_implied_lots < 100) continue;
    ++checked;
    EXPECT_NEAR(e.ct_mean_days.mean / t.wip_implied_ct_days, 1.0, ct_tol) << t.name;
    EXPECT_NEAR(e.throughput_per_day.mean / t.release_rate_per_day, 1.0, th_tol) << t.name;
  }
  EXPECT_EQ(checked, model == std::string("HVLM") ? 2 : 10);
}

// The defaults (the readings of the published per-group figures), five replications as in
// docs/validation.md: throughput within 1 % of the release rate (the fidelity issue; one year of
// a lot type's throughput scatters by a few tenths of a percent over five replications, so fewer
// do not resolve 1 %); cycle times within 10 % of the implied ones (HVLM Lot_3 is 7.9 % above).
TEST(EngineSmt2020, HvlmFidelityAgainstInitialWip) { check_fidelity("HVLM", false, 5, 0.10, 0.01); }
TEST(EngineSmt2020, LvhmFidelityAgainstInitialWip) { check_fidelity("LVHM", false, 5, 0.10, 0.01); }
// The earlier readings stay reachable and keep their fit: cycle times within 10 %.
TEST(EngineSmt2020, HvlmEarlierReadingsFidelityAgainstInitialWip) {
  check_fidelity("HVLM", true, 3, 0.10, 0.02);
}

}  // namespace
}  // namespace osatsim::engine
