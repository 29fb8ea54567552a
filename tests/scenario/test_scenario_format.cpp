#include <gtest/gtest.h>
TEST(ScenarioFormat, Placeholder) {}
