#include <gtest/gtest.h>
TEST(ScenarioErrors, Placeholder) {}
