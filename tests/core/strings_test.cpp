#include "core/strings.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace aitrader {
namespace {

TEST(Strings, JsonStringEscapesWhatJsonRequires) {
  std::string out;
  AppendJsonString(out, "a\"b\\c\nd\re\tf\x01g");
  EXPECT_EQ(out, R"("a\"b\\c\nd\re\tf\u0001g")");
  out.clear();
  AppendJsonString(out, "café ✓");  // UTF-8 passes through
  EXPECT_EQ(out, "\"café ✓\"");
}

TEST(Strings, ShortestRoundTripDoubles) {
  EXPECT_EQ(FormatDouble(0.1), "0.1");
  EXPECT_EQ(FormatDouble(136.90999999999985), "136.90999999999985");
  EXPECT_EQ(FormatDouble(std::nan("")), "NaN");
}

TEST(Strings, SplitTrimAndCase) {
  auto parts = Split("a,,b", ',');
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[1], "");
  EXPECT_EQ(Trim("  x \r\n"), "x");
  EXPECT_TRUE(EqualsIgnoreCase("BtcUsdt", "BTCUSDT"));
  EXPECT_FALSE(EqualsIgnoreCase("BTC", "BTCUSDT"));
  EXPECT_EQ(ToUpper("doge"), "DOGE");
}

}  // namespace
}  // namespace aitrader
