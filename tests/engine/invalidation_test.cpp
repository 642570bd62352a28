#include "engine/invalidation.hpp"

#include <gtest/gtest.h>

namespace aitrader::engine {
namespace {

TEST(Invalidation, ReadsTheFormsModelsWrite) {
  auto a = ParseInvalidation("If the price closes below 105000 on a 3-minute candle");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->direction, Invalidation::Direction::kBelow);
  EXPECT_EQ(a->level.ToString(), "105000");
  EXPECT_EQ(a->interval, 3 * kMinuteMs);

  auto b = ParseInvalidation("Invalidate if BTC closes above $112,500.5 on the 4h");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->direction, Invalidation::Direction::kAbove);
  EXPECT_EQ(b->level.ToString(), "112500.5");
  EXPECT_EQ(b->interval, 4 * kHourMs);

  auto c = ParseInvalidation("exit if price breaks below 0.1825");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->level.ToString(), "0.1825");
  EXPECT_EQ(c->interval, 0);

  auto d = ParseInvalidation("If ETH closes under 4000 on a 1-hour candle");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->interval, kHourMs);
}

TEST(Invalidation, ChecksCloses) {
  auto a = ParseInvalidation("closes below 100");
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->BrokenBy(*Price::Parse("99.99")));
  EXPECT_FALSE(a->BrokenBy(*Price::Parse("100")));
  auto b = ParseInvalidation("closes above 100");
  EXPECT_TRUE(b->BrokenBy(*Price::Parse("100.01")));
  EXPECT_FALSE(b->BrokenBy(*Price::Parse("100")));
}

TEST(Invalidation, TextWithoutAConditionIsNotMachineCheckable) {
  EXPECT_FALSE(ParseInvalidation("if momentum fades"));
  EXPECT_FALSE(ParseInvalidation("closes below the 20 EMA"));
  EXPECT_FALSE(ParseInvalidation(""));
}

}  // namespace
}  // namespace aitrader::engine
