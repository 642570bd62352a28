#include "core/time.hpp"

#include <gtest/gtest.h>

#include "core/clock.hpp"

namespace aitrader {
namespace {

TEST(Time, ParsesAndFormatsUtc) {
  EXPECT_EQ(*ParseUtc("1970-01-01"), 0);
  EXPECT_EQ(*ParseUtc("2025-10-17"), 1760659200000);
  EXPECT_EQ(*ParseUtc("2025-10-17T00:05"), 1760659200000 + 5 * kMinuteMs);
  EXPECT_EQ(*ParseUtc("2025-10-17 00:00:01.5Z"), 1760659201500);
  EXPECT_EQ(FormatUtc(1760659200000), "2025-10-17T00:00:00Z");
  EXPECT_EQ(FormatUtc(1760659201500), "2025-10-17T00:00:01.500Z");
  EXPECT_EQ(*ParseUtc("2024-02-29"), *ParseUtc("2024-02-28") + kDayMs);
}

TEST(Time, RejectsBadTimesWithTheText) {
  for (const char* bad : {"", "2025", "2025-13-01", "2025-02-30", "2025-02-29", "2025-10-17T25:00", "2025-10-17X"}) {
    auto r = ParseUtc(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.status().message().find(bad), std::string::npos);
  }
}

TEST(Time, Intervals) {
  EXPECT_EQ(*ParseInterval("5m"), 5 * kMinuteMs);
  EXPECT_EQ(*ParseInterval("4h"), 4 * kHourMs);
  EXPECT_EQ(*ParseInterval("1d"), kDayMs);
  EXPECT_FALSE(ParseInterval("5x").ok());
  EXPECT_FALSE(ParseInterval("m").ok());
  EXPECT_FALSE(ParseInterval("0m").ok());
  EXPECT_EQ(FormatInterval(15 * kMinuteMs), "15m");
  EXPECT_EQ(FormatInterval(4 * kHourMs), "4h");
  EXPECT_EQ(FloorTo(*ParseUtc("2025-10-17T03:59:59"), 4 * kHourMs), *ParseUtc("2025-10-17"));
  EXPECT_EQ(FloorTo(-1, kHourMs), -kHourMs);
}

TEST(Clock, SimulatedClockMovesForwardOnly) {
  SimulatedClock c(100);
  EXPECT_EQ(c.NowMs(), 100);
  c.AdvanceMs(50);
  EXPECT_EQ(c.NowMs(), 150);
  EXPECT_DEATH(c.SetMs(10), "backwards");
  SystemClock sys;
  EXPECT_GT(sys.NowMs(), *ParseUtc("2020-01-01"));
}

}  // namespace
}  // namespace aitrader
