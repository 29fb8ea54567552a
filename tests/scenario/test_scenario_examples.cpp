// Every scenario under examples/ validates and simulates; examples/default.yaml is the built-in
// default exactly as `osatsim scenario export default` writes it.
#include <gtest/gtest.h>

#include <filesystem>

#include "support/test_support.h"

namespace osatsim {
namespace {

namespace fs = std::filesystem;

TEST(Examples, EveryExampleValidatesAndSimulates) {
  const fs::path dir = test::source_dir() / "examples";
  int seen = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() != ".yaml") continue;
    ++seen;
    const auto v = test::run_osatsim({"validate", e.path().string()});
    EXPECT_EQ(v.exit_code, 0) << e.path() << "\n" << v.err;
    const auto s = test::run_osatsim({"simulate", e.path().string(), "--days", "30"});
    EXPECT_EQ(s.exit_code, 0) << e.path() << "\n" << s.err;
    EXPECT_NE(s.out.find("good units/month"), std::string::npos) << e.path() << "\n" << s.out;
  }
  EXPECT_GE(seen, 2);
}

TEST(Examples, DefaultExampleIsTheExportedBuiltin) {
  const auto r = test::run_osatsim({"scenario", "export", "default"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, test::read_file(test::source_dir() / "examples/default.yaml"));
}

}  // namespace
}  // namespace osatsim
