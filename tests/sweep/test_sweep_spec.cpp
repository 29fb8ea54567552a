// sweep::read_spec: grids, variant lists and the error catalogue (file:line).
#include <gtest/gtest.h>

#include "support/test_support.h"
#include "sweep/spec.h"

namespace osatsim::test {
namespace {

sweep::Spec read_ok(const TempDir& dir, const std::string& text) {
  sweep::Spec spec;
  std::vector<std::string> errors;
  EXPECT_TRUE(sweep::read_spec(dir.write("s.yaml", text).string(), spec, errors))
      << (errors.empty() ? "" : errors.front());
  return spec;
}

std::vector<std::string> read_bad(const TempDir& dir, const std::string& text) {
  sweep::Spec spec;
  std::vector<std::string> errors;
  EXPECT_FALSE(sweep::read_spec(dir.write("s.yaml", text).string(), spec, errors));
  return errors;
}

TEST(SweepSpec, GridIsAllCombinationsFirstFactorSlowest) {
  TempDir dir;
  const auto s = read_ok(dir,
                         "model: default\ndays: 30\nreplications: 3\nseed: 7\ngrid:\n"
                         "  dispatch: [fifo, cr]\n  tools.g: [1, 2, 3]\n");
  ASSERT_EQ(s.variants.size(), 6u);
  EXPECT_EQ(s.replications, 3);
  EXPECT_EQ(s.seed, 7u);
  EXPECT_EQ(s.factors, (std::vector<std::string>{"dispatch", "tools.g"}));
  EXPECT_EQ(s.variants[0].settings[0].value, "fifo");
  EXPECT_EQ(s.variants[0].settings[1].value, "1");
  EXPECT_EQ(s.variants[4].settings[0].value, "cr");
  EXPECT_EQ(s.variants[4].settings[1].value, "2");
  EXPECT_EQ(s.variants[4].settings[1].line, 7);
}

TEST(SweepSpec, VariantsListFillsMissingFactorsWithBase) {
  TempDir dir;
  const auto s = read_ok(dir,
                         "model: default\ndays: 30\nvariants:\n  - {dispatch: fifo}\n"
                         "  - {scale: 1.2}\n");
  ASSERT_EQ(s.variants.size(), 2u);
  EXPECT_EQ(s.factors.size(), 2u);
  EXPECT_EQ(s.variants[0].settings[1].value, "");
  EXPECT_EQ(s.variants[1].settings[1].value, "1.2");
}

TEST(SweepSpec, ErrorsNameFileAndLine) {
  TempDir dir;
  auto e = read_bad(dir, "model: default\ndays: 30\nwarmup: 3\ngrid: {dispatch: [fifo]}\n");
  ASSERT_FALSE(e.empty());
  EXPECT_NE(e.front().find("s.yaml:3: unknown field 'warmup'"), std::string::npos) << e.front();
  e = read_bad(dir, "model: default\ndays: 30\ngrid: {}\n");
  ASSERT_FALSE(e.empty());
  EXPECT_NE(e.front().find("s.yaml:3: grid: empty"), std::string::npos) << e.front();
  e = read_bad(dir, "model: default\ndays: 30\ngrid:\n  dispatch: []\n");
  ASSERT_FALSE(e.empty());
  EXPECT_NE(e.front().find("s.yaml:4:"), std::string::npos) << e.front();
  e = read_bad(dir, "model: default\ndays: 30\ngrid:\n  colour: [red]\n");
  ASSERT_FALSE(e.empty());
  EXPECT_NE(e.front().find("s.yaml:4: unknown factor 'colour'"), std::string::npos) << e.front();
  e = read_bad(dir, "model: default\ndays: -1\ngrid: {dispatch: [fifo]}\n");
  ASSERT_FALSE(e.empty());
  EXPECT_NE(e.front().find("s.yaml:2: days"), std::string::npos) << e.front();
}

}  // namespace
}  // namespace osatsim::test
