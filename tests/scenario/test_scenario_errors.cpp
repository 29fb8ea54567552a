// Catalogue of bad scenarios: each is a small valid scenario with one change, and the exact
// problem lines `osatsim validate FILE.yaml` prints (exit code 2). Positions are yaml-cpp marks,
// 1-based; the columns were checked by hand against the text below.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "io/scenario.h"
#include "support/test_support.h"

namespace osatsim {
namespace {

// Line numbers of the base (1-based) are given in the comments of each case.
const char* const kBase =
    "name: t\n"                                                                           // 1
    "components:\n"                                                                       // 2
    "  - {name: die, initial_stock: 100}\n"                                               // 3
    "tool_groups:\n"                                                                      // 4
    "  - name: bond\n"                                                                    // 5
    "    tools: 2\n"                                                                      // 6
    "  - name: oven\n"                                                                    // 7
    "    batching: {criterion: same_step_name, unit: wafer, min: 1, max: 25}\n"           // 8
    "routes:\n"                                                                           // 9
    "  - name: r\n"                                                                       // 10
    "    steps:\n"                                                                        // 11
    "      - {name: s1, group: bond, basis: per_die, die: die, time: 4 s}\n"              // 12
    "      - {name: s2, group: oven, basis: per_batch, time: 2 h}\n"                      // 13
    "      - {name: s3, group: bond, basis: per_wafer, time: 5 min, transform: units}\n"  // 14
    "      - {name: s4, group: bond, basis: per_unit, time: 30 s}\n"                      // 15
    "products:\n"                                                                         // 16
    "  - {name: p, route: r, sites_per_wafer: 16, dies: {die: 2}}\n"                      // 17
    "releases:\n"                                                                         // 18
    "  - {name: p, product: p, wafers_per_lot: 25, wafers_per_month: 100, due: 10 d}\n";  // 19

struct Edit {
  std::string from, to;
};
struct Case {
  const char* name;
  std::vector<Edit> edits;
  std::vector<std::string> problems;  // without the "FILE:" prefix
};

std::string apply(const std::vector<Edit>& edits) {
  std::string s = kBase;
  for (const auto& e : edits) {
    const auto at = s.find(e.from);
    EXPECT_NE(at, std::string::npos) << e.from;
    if (at != std::string::npos) s.replace(at, e.from.size(), e.to);
  }
  return s;
}

const std::string kDuration =
    "expected a duration >= 0 with its unit (ms, s, min, h, d, wk), e.g. '12 min', got ";

const std::vector<Case>& catalogue() {
  static const std::vector<Case> cases = {
      {"unknown_key",
       {{"    tools: 2\n", "    tool: 2\n"}},
       {"6:5: tool_groups.bond.tool: unknown key (did you mean 'tools'?)"}},
      {"unknown_key_far",
       {{"    tools: 2\n", "    colour: red\n"}},
       {"6:5: tool_groups.bond.colour: unknown key"}},
      {"wrong_type",
       {{"    tools: 2\n", "    tools: two\n"}},
       {"6:12: tool_groups.bond.tools: expected a finite number, got 'two'"}},
      {"quoted_number",
       {{"    tools: 2\n", "    tools: \"2\"\n"}},
       {"6:12: tool_groups.bond.tools: expected a finite number, got '2'"}},
      {"fractional_count",
       {{"    tools: 2\n", "    tools: 2.5\n"}},
       {"6:12: tool_groups.bond.tools: expected a whole number, got '2.5'"}},
      {"list_for_number",
       {{"    tools: 2\n", "    tools: [2]\n"}},
       {"6:12: tool_groups.bond.tools: expected a number, got a list"}},
      {"negative",
       {{"    tools: 2\n", "    tools: -1\n"}},
       {"6:12: tool_groups.bond.tools: must be >= 0, got -1"}},
      {"nan_duration",
       {{"time: 4 s}", "time: .nan s}"}},
       {"12:65: routes.r.steps.s1.time: " + kDuration + "'.nan s'"}},
      {"inf_number",
       {{"min: 1, max: 25", "min: 1, max: .inf"}},
       {"8:69: tool_groups.oven.batching.max: expected a finite number, got '.inf'"}},
      {"negative_duration",
       {{"due: 10 d", "due: -3 d"}},
       {"19:75: releases.p.due: " + kDuration + "'-3 d'"}},
      {"duration_without_unit",
       {{"time: 2 h}", "time: 2}"}},
       {"13:57: routes.r.steps.s2.time: " + kDuration + "'2'"}},
      {"unknown_unit",
       {{"time: 2 h}", "time: 2 fortnights}"}},
       {"13:57: routes.r.steps.s2.time: " + kDuration + "'2 fortnights'"}},
      {"unknown_basis",
       {{"basis: per_batch", "basis: per_bach"}},
       {"13:40: routes.r.steps.s2.basis: unknown value 'per_bach'; expected one of: per_lot, "
        "per_wafer, per_batch, per_site, per_die, per_unit (did you mean 'per_batch'?)"}},
      {"unknown_pm_nesting",
       {{"name: t\n", "name: t\npm_nesting: nestd\n"}},
       {"2:13: pm_nesting: unknown value 'nestd'; expected one of: independent, nested (did you "
        "mean 'nested'?)"}},
      {"unknown_cascade_setup",
       {{"name: t\n", "name: t\ncascade_setup: overlp\n"}},
       {"2:16: cascade_setup: unknown value 'overlp'; expected one of: after, overlap (did you "
        "mean 'overlap'?)"}},
      {"unknown_idle_tool",
       {{"name: t\n", "name: t\nidle_tool: randm\n"}},
       {"2:12: idle_tool: unknown value 'randm'; expected one of: first, longest-idle, "
        "empty-first, random (did you mean 'random'?)"}},
      {"unknown_wafer_pm_start",
       {{"name: t\n", "name: t\nwafer_pm_start: stagger\n"}},
       {"2:17: wafer_pm_start: unknown value 'stagger'; expected one of: same, staggered (did you "
        "mean 'staggered'?)"}},
      {"unknown_lssu_switch",
       {{"name: t\n", "name: t\nlssu_switch: refuses\n"}},
       {"2:14: lssu_switch: unknown value 'refuses'; expected one of: immediate, group-aware, "
        "clear-time, refuse (did you mean 'refuse'?)"}},
      {"unknown_group",
       {{"group: oven,", "group: ovn,"}},
       {"13:27: routes.r.steps.s2.group: unknown tool group 'ovn' (did you mean 'oven'?)"}},
      {"unknown_route",
       {{"route: r,", "route: q,"}},
       {"17:22: products.p.route: unknown route 'q' (did you mean 'r'?)"}},
      {"unknown_product",
       {{"product: p,", "product: x,"}},
       {"19:24: releases.p.product: unknown product 'x' (did you mean 'p'?)"}},
      {"unknown_component",
       {{"die: die, time", "die: dye, time"}},
       {"12:54: routes.r.steps.s1.die: unknown component 'dye' (did you mean 'die'?)"}},
      {"unknown_calendar",
       {{"    tools: 2\n", "    tools: 2\n    pms: [{calendar: pm_x}]\n"}},
       {"7:22: tool_groups.bond.pms[0].calendar: unknown PM calendar 'pm_x'"}},
      {"unknown_down_calendar",
       {{"    tools: 2\n", "    tools: 2\n    downs: [{calendar: dn}]\n"}},
       {"7:24: tool_groups.bond.downs[0].calendar: unknown down calendar 'dn'"}},
      {"unknown_setup",
       {{"time: 4 s}", "time: 4 s, setup: tcb}"}},
       {"12:77: routes.r.steps.s1.setup: unknown setup 'tcb'"}},
      {"unknown_location",
       {{"    tools: 2\n", "    tools: 2\n    location: fab\n"}},
       {"7:15: tool_groups.bond.location: unknown location 'fab'"}},
      // Rows given twice are caught by Factory::validate() (line of the second, then the first).
      {"duplicate_setup_change_from_any",
       {{"name: t\n",
         "name: t\nsetups: [tcb]\nsetup_changes:\n  - {to: tcb, time: 45 min}\n"
         "  - {to: tcb, time: 30 min}\n"}},
       {"5: duplicate setup change 'any' -> 'tcb' (first on line 4)"}},
      {"duplicate_setup_change",
       {{"name: t\n",
         "name: t\nsetups: [tcb, mr]\nsetup_changes:\n  - {from: mr, to: tcb, time: 45 min}\n"
         "  - {to: tcb, time: 1 h}\n  - {from: mr, to: tcb, time: 30 min}\n"}},
       {"6: duplicate setup change 'mr' -> 'tcb' (first on line 4)"}},
      {"duplicate_lane",
       {{"name: t\n",
         "name: t\nlocations: [a, b]\ntransport:\n  - {from: a, to: b, time: 1 min}\n"
         "  - {from: b, to: a, time: 1 min}\n  - {from: a, to: b, time: 2 min}\n"}},
       {"6: duplicate lane 'a' -> 'b' (first on line 4)"}},
      {"duplicate_name",
       {{"  - name: oven\n", "  - name: bond\n"}},
       {"7:11: tool_groups.bond.name: duplicate tool group name 'bond'",
        "13:27: routes.r.steps.s2.group: unknown tool group 'oven'"}},
      {"duplicate_key",
       {{"    tools: 2\n", "    tools: 2\n    tools: 3\n"}},
       {"7:5: tool_groups.bond.tools: key given twice"}},
      {"duplicate_step",
       {{"{name: s2, group: oven", "{name: s1, group: oven"}},
       {"13:16: routes.r.steps.s1.name: duplicate step name 's1' in route 'r'"}},
      {"empty_route",
       {{"    steps:\n      - {name: s1", "    steps: []\n    x:\n      - {name: s1"}},
       {"12:5: routes.r.x: unknown key", "11:12: routes.r.steps: route 'r' has no steps"}},
      {"rework_outside_route",
       {{"time: 30 s}", "time: 30 s, rework: {to: s9, probability: 0.1}}"}},
       {"15:75: routes.r.steps.s4.rework.to: no step 's9' in this route (did you mean 's1'?)"}},
      {"rework_to_later_step",
       {{"time: 4 s}", "time: 4 s, rework: {to: s2, probability: 0.1}}"}},
       {"12:83: routes.r.steps.s1.rework.to: the rework target must be this or an earlier "
        "step"}},
      {"rework_probability",
       {{"time: 30 s}", "time: 30 s, rework: {to: s4, probability: 1.5}}"}},
       {"15:92: routes.r.steps.s4.rework.probability: must lie in [0, 1], got 1.5"}},
      {"rework_probability_one",
       {{"time: 30 s}", "time: 30 s, rework: {to: s4, probability: 1.0}}"}},
       {"15:92: routes.r.steps.s4.rework.probability: must lie in [0, 1) (a rework of "
        "probability 1 never lets a lot pass), got 1.0"}},
      {"too_many_tools",
       {{"    tools: 2\n", "    tools: 1000000000\n"}},
       {"6:12: tool_groups.bond.tools: must lie in [0, 100000], got 1000000000"}},
      {"too_many_sites",
       {{"sites_per_wafer: 16,", "sites_per_wafer: 100000000,"}},
       {"17:42: products.p.sites_per_wafer: must lie in [1, 100000], got 100000000"}},
      {"too_many_dies",
       {{"dies: {die: 2}", "dies: {die: 2000}"}},
       {"17:58: products.p.dies.die: must lie in [1, 1000], got 2000"}},
      {"too_many_wafers_per_lot",
       {{"wafers_per_lot: 25", "wafers_per_lot: 25000000"}},
       {"19:43: releases.p.wafers_per_lot: must lie in [1, 1000000], got 25000000"}},
      {"too_many_lots_per_release",
       {{"wafers_per_lot: 25,", "wafers_per_lot: 25, lots_per_release: 1e9,"}},
       {"19:65: releases.p.lots_per_release: must lie in [1, 1000000], got 1e9"}},
      {"batch_max_too_large",
       {{"min: 1, max: 25", "min: 1, max: 1e9"}},
       {"8:69: tool_groups.oven.batching.max: must lie in [1, 1000000], got 1e9"}},
      {"group_batch_min_above_max",
       {{"min: 1, max: 25", "min: 30, max: 25"}},
       {"8:61: tool_groups.oven.batching.min: batch minimum 30 exceeds maximum 25"}},
      {"step_batch_min_above_max",
       {{"time: 2 h}", "time: 2 h, batch: {min: 5, max: 2}}"}},
       {"13:69: routes.r.steps.s2.batch: batch minimum 5 exceeds maximum 2"}},
      {"batch_on_non_batching_group",
       {{"time: 4 s}", "time: 4 s, batch: {max: 4}}"}},
       {"12:77: routes.r.steps.s1.batch: tool group 'bond' does not batch (no 'batching' "
        "key)"}},
      {"yield_zero",
       {{"time: 30 s}", "time: 30 s, yield: 0}"}},
       {"15:69: routes.r.steps.s4.yield: must lie in (0, 1], got 0"}},
      {"yield_above_one",
       {{"time: 30 s}", "time: 30 s, yield: 1.2}"}},
       {"15:69: routes.r.steps.s4.yield: must lie in (0, 1], got 1.2"}},
      {"site_yield_above_one",
       {{"sites_per_wafer: 16,", "sites_per_wafer: 16, site_yield: 2,"}},
       {"17:58: products.p.site_yield: must lie in (0, 1], got 2"}},
      {"per_unit_before_transform",
       {{"basis: per_wafer, time: 5 min", "basis: per_unit, time: 5 min"}},
       {"14:9: routes.r.steps.s3.basis: per_unit step, but lots of product 'p' count wafers "
        "here (before any 'transform: units' step)"}},
      {"per_wafer_after_transform",
       {{"basis: per_unit, time: 30 s", "basis: per_wafer, time: 30 s"}},
       {"15:9: routes.r.steps.s4.basis: per_wafer step, but lots of product 'p' count units "
        "here (after the transform)"}},
      {"die_not_in_product",
       {{"dies: {die: 2}", "dies: {}"}},
       {"12:9: routes.r.steps.s1.die: product 'p' has no dies of component 'die' (its 'dies' "
        "map)"}},
      {"missing_sites",
       {{"sites_per_wafer: 16, ", ""}},
       {"17:5: products.p: product 'p' needs 'sites_per_wafer' (or 'site' dimensions): its "
        "route has per-site, per-die or transform steps"}},
      {"units_per_lot_on_wafer_product",
       {{"wafers_per_lot: 25", "units_per_lot: 25"}},
       {"19:42: releases.p.units_per_lot: product 'p' starts as wafers: use 'wafers_per_lot'"}},
      {"two_rates",
       {{"wafers_per_month: 100,", "wafers_per_month: 100, interval: 8 h,"}},
       {"19:5: releases.p: give the release rate once: 'interval', 'wafers_per_month', "
        "'units_per_month' or 'lots_per_month'"}},
      {"syntax_error",
       {{"    tools: 2\n", "    tools: [2\n"}},
       {"7:9: YAML syntax error: end of sequence flow not found"}},
      {"uniform_half_width_above_mean",
       {{"time: 2 h}", "time: {dist: uniform, mean: 2 h, half_width: 3 h}}"}},
       {"13:96: routes.r.steps.s2.time.half_width: half-width exceeds the mean (negative "
        "durations)"}},
      {"unknown_sequence",
       {{"      - {name: s4,", "      - use: tail\n      - {name: s4,"}},
       {"15:14: routes.r.steps[3].use: unknown sequence 'tail'"}},
  };
  return cases;
}

TEST(ScenarioErrors, CatalogueThroughValidateCli) {
  test::TempDir dir;
  for (const Case& c : catalogue()) {
    const auto path = dir.write(std::string(c.name) + ".yaml", apply(c.edits));
    const auto r = test::run_osatsim({"validate", path.string()});
    std::string expected;
    for (const auto& p : c.problems) expected += path.string() + ":" + p + "\n";
    EXPECT_EQ(r.exit_code, 2) << c.name;
    EXPECT_EQ(r.err, expected) << c.name;
    EXPECT_TRUE(r.out.empty()) << c.name << ": " << r.out;
  }
}

TEST(ScenarioErrors, BaseIsValid) {
  Diagnostics d;
  EXPECT_TRUE(io::read_scenario_text(kBase, "t.yaml", d)) << d.to_string();
  EXPECT_TRUE(d.ok());
}

TEST(ScenarioErrors, SeveralProblemsOfOneFileAreAllReported) {
  Diagnostics d;
  const std::string text = apply({{"    tools: 2\n", "    tool: 2\n"},
                                  {"group: oven,", "group: ovn,"},
                                  {"time: 30 s}", "time: 30 s, yield: 1.5}"},
                                  {"due: 10 d", "due: -3 d"}});
  EXPECT_FALSE(io::read_scenario_text(text, "s.yaml", d));
  EXPECT_EQ(d.to_string(),
            "s.yaml:6:5: tool_groups.bond.tool: unknown key (did you mean 'tools'?)\n"
            "s.yaml:13:27: routes.r.steps.s2.group: unknown tool group 'ovn' (did you mean "
            "'oven'?)\n"
            "s.yaml:15:69: routes.r.steps.s4.yield: must lie in (0, 1], got 1.5\n"
            "s.yaml:19:75: releases.p.due: " +
                kDuration + "'-3 d'\n");
  // Structured fields as well as the text.
  ASSERT_EQ(d.size(), 4u);
  EXPECT_EQ(d.items()[1].line, 13);
  EXPECT_EQ(d.items()[1].column, 27);
  EXPECT_EQ(d.items()[1].field, "routes.r.steps.s2.group");
}

TEST(ScenarioErrors, OddDocumentsNeverThrow) {
  struct Odd {
    const char* text;
    const char* problem;
  };
  for (const Odd& o :
       {Odd{"", "odd.yaml: the scenario is empty"},
        Odd{"# only a comment\n", "odd.yaml: the scenario is empty"},
        Odd{"- a\n- b\n", "odd.yaml:1:1: expected a map of keys, got a list"},
        Odd{"name: [\n", "odd.yaml:2:1: YAML syntax error: end of sequence flow not found"},
        Odd{"\x01\x02\x03", nullptr},
        Odd{"name: x\ntool_groups: {a: 1}\n",
            "odd.yaml:2:14: tool_groups: expected a list, got a map"}}) {
    Diagnostics d;
    std::shared_ptr<model::Factory> f;
    EXPECT_NO_THROW(f = io::read_scenario_text(o.text, "odd.yaml", d));
    EXPECT_FALSE(f);
    ASSERT_FALSE(d.ok());
    if (o.problem) {
      EXPECT_EQ(d.items()[0].to_string(), o.problem) << o.text;
    }
  }
}

TEST(ScenarioErrors, MissingFileIsReported) {
  Diagnostics d;
  EXPECT_FALSE(io::read_scenario_file("/nonexistent/dir/x.yaml", d));
  EXPECT_EQ(d.to_string(), "/nonexistent/dir/x.yaml: cannot open the scenario file\n");
  const auto r = test::run_osatsim({"validate", "/nonexistent/dir/x.yaml"});
  EXPECT_EQ(r.exit_code, 2);
}

// Mutations of the default scenario (deleted, duplicated or truncated lines, changed characters)
// never make the reader throw or crash: it returns a valid Factory, or nullptr with problems that
// each name a place in the file.
TEST(ScenarioErrors, MutatedDefaultNeverThrows) {
  const std::string base(io::builtin_scenario_text("default"));
  std::vector<std::string> lines;
  for (std::size_t at = 0; at < base.size();) {
    const auto nl = base.find('\n', at);
    lines.push_back(base.substr(at, nl == std::string::npos ? std::string::npos : nl - at + 1));
    at = nl == std::string::npos ? base.size() : nl + 1;
  }
  const std::string glyphs = ":-[]{}#,0x\n\t'\"&*!|>% 9.";
  int rejected = 0;
  for (unsigned seed = 0; seed < 300; ++seed) {
    std::mt19937 rng(seed);
    std::vector<std::string> ls = lines;
    const std::size_t i = rng() % ls.size();
    std::string text;
    switch (seed % 4) {
      case 0:
        ls.erase(ls.begin() + static_cast<long>(i));
        break;
      case 1:
        ls.insert(ls.begin() + static_cast<long>(i), ls[i]);
        break;
      case 2:
        if (!ls[i].empty()) ls[i][rng() % ls[i].size()] = glyphs[rng() % glyphs.size()];
        break;
      default:
        ls.resize(i);
        break;
    }
    for (const auto& l : ls) text += l;
    Diagnostics d;
    std::shared_ptr<model::Factory> f;
    ASSERT_NO_THROW(f = io::read_scenario_text(text, "m.yaml", d)) << "seed " << seed;
    if (f) {
      EXPECT_TRUE(d.ok()) << "seed " << seed;
      EXPECT_TRUE(f->validate().ok()) << "seed " << seed << ": " << f->validate().to_string();
    } else {
      ++rejected;
      ASSERT_FALSE(d.ok()) << "seed " << seed;
      for (const auto& p : d.items()) EXPECT_EQ(p.file, "m.yaml") << "seed " << seed;
    }
  }
  EXPECT_GT(rejected, 50);  // the mutations do break the file most of the time
}

}  // namespace
}  // namespace osatsim
