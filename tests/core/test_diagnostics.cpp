#include <gtest/gtest.h>

#include "core/diagnostics.h"

namespace osatsim {
namespace {

TEST(Diagnostics, FormatsFileLineColumnAndField) {
  Diagnostics d;
  EXPECT_TRUE(d.ok());
  d.add("route_3.txt", 12, "unknown tool group 'X'");
  d.add("tool.txt.1l", 4, 7, "STNQTY", "not a number: 'abc'");
  d.add("order.txt", 0, "file is empty");
  EXPECT_FALSE(d.ok());
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d.items()[0].to_string(), "route_3.txt:12: unknown tool group 'X'");
  EXPECT_EQ(d.items()[1].to_string(), "tool.txt.1l:4:7: STNQTY: not a number: 'abc'");
  EXPECT_EQ(d.items()[2].to_string(), "order.txt: file is empty");
  EXPECT_EQ(d.to_string(),
            "route_3.txt:12: unknown tool group 'X'\ntool.txt.1l:4:7: STNQTY: not a number: "
            "'abc'\norder.txt: file is empty\n");
}

}  // namespace
}  // namespace osatsim
