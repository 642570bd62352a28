#include "engine/invalidation.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace aitrader::engine {
namespace {

const std::vector<std::string> kCoins = {"BTC", "ETH", "SOL", "BNB", "XRP", "DOGE"};

InvalidationParse Parse(std::string_view text, std::string_view coin = "ETH", UnixMs interval = 5 * kMinuteMs) {
  return ParseInvalidation(text, coin, kCoins, interval);
}

TEST(Invalidation, ReadsTheFormsModelsWrite) {
  auto a = Parse("If the price closes below 105000 on a 15-minute candle", "BTC");
  ASSERT_TRUE(a.check) << a.unchecked_reason;
  EXPECT_EQ(a.check->direction, Invalidation::Direction::kBelow);
  EXPECT_EQ(a.check->quantity, Invalidation::Quantity::kPrice);
  EXPECT_EQ(a.check->coin, "BTC");
  EXPECT_EQ(a.check->price_level.ToString(), "105000");
  EXPECT_EQ(a.check->interval, 15 * kMinuteMs);

  auto b = Parse("Invalidate if BTC closes above $112,500.5 on the 4h", "BTC");
  ASSERT_TRUE(b.check) << b.unchecked_reason;
  EXPECT_EQ(b.check->direction, Invalidation::Direction::kAbove);
  EXPECT_EQ(b.check->price_level.ToString(), "112500.5");
  EXPECT_EQ(b.check->interval, 4 * kHourMs);

  auto c = Parse("exit if price breaks below 0.1825", "DOGE");
  ASSERT_TRUE(c.check) << c.unchecked_reason;
  EXPECT_EQ(c.check->coin, "DOGE");
  EXPECT_EQ(c.check->price_level.ToString(), "0.1825");
  EXPECT_EQ(c.check->interval, 0);

  auto d = Parse("If ETH closes under 4000 on a 1-hour candle");
  ASSERT_TRUE(d.check) << d.unchecked_reason;
  EXPECT_EQ(d.check->interval, kHourMs);
}

// Issue 9 item 5: the condition is about what it names, not about the position's price.
TEST(Invalidation, WatchesTheCoinNamedNotThePositions) {
  auto a = Parse("If BTC breaks below 100000, exit the ETH long", "ETH");
  ASSERT_TRUE(a.check) << a.unchecked_reason;
  EXPECT_EQ(a.check->coin, "BTC");
  EXPECT_EQ(a.check->quantity, Invalidation::Quantity::kPrice);
  EXPECT_EQ(a.check->price_level.ToString(), "100000");
  for (const char* text : {"Exit the ETH long if BTC breaks below 100000", "Close if bitcoin falls below 100,000",
                           "If BTCUSDT drops below 100000", "If BTC's price closes below 100000 on a 5m candle"}) {
    auto p = Parse(text, "ETH");
    ASSERT_TRUE(p.check) << text << ": " << p.unchecked_reason;
    EXPECT_EQ(p.check->coin, "BTC") << text;
    EXPECT_EQ(p.check->price_level.ToString(), "100000") << text;
  }
  // No coin named: the position's own.
  auto own = Parse("If price closes below 3500", "ETH");
  ASSERT_TRUE(own.check);
  EXPECT_EQ(own.check->coin, "ETH");
}

TEST(Invalidation, ReadsTheIndicatorsTheEngineComputes) {
  struct Case {
    const char* text;
    Invalidation::Quantity q;
    int period;
    bool h4;
    const char* coin;
  };
  for (const Case& c : std::vector<Case>{
           {"If RSI(7) falls below 30", Invalidation::Quantity::kRsi, 7, false, "DOGE"},
           {"exit if the 7-period RSI drops below 30", Invalidation::Quantity::kRsi, 7, false, "DOGE"},
           {"If RSI14 falls below 30", Invalidation::Quantity::kRsi, 14, false, "DOGE"},
           {"If the 4h RSI falls below 40", Invalidation::Quantity::kRsi, 14, true, "DOGE"},
           {"If BTC 4-hour RSI 14 drops below 40", Invalidation::Quantity::kRsi, 14, true, "BTC"},
           {"If the EMA20 falls below 0.18", Invalidation::Quantity::kEma, 20, false, "DOGE"},
           {"If the 4h EMA 50 rises above 0.25", Invalidation::Quantity::kEma, 50, true, "DOGE"},
           {"If MACD falls below 0", Invalidation::Quantity::kMacd, 0, false, "DOGE"},
           {"If ETH 4h MACD drops below 0", Invalidation::Quantity::kMacd, 0, true, "ETH"},
       }) {
    auto p = Parse(c.text, "DOGE");
    ASSERT_TRUE(p.check) << c.text << ": " << p.unchecked_reason;
    EXPECT_EQ(p.check->quantity, c.q) << c.text;
    EXPECT_EQ(p.check->period, c.period) << c.text;
    EXPECT_EQ(p.check->h4, c.h4) << c.text;
    EXPECT_EQ(p.check->coin, c.coin) << c.text;
  }
  // A negative level is not read as a positive one.
  EXPECT_FALSE(Parse("If MACD drops below -5").check);
}

// What cannot be read with certainty is recorded, never guessed.
TEST(Invalidation, WhatIsNotCertainIsNotMachineChecked) {
  for (const char* text : {
           "RSI falls below 30",                          // intraday RSI 7 or 14?
           "if momentum fades",                           // no comparison
           "closes below the 20 EMA",                     // the level is an indicator
           "",                                            //
           "If BTC or ETH breaks below 3000",             // two coins
           "If SPX breaks below 5000",                    // not a coin of the bot
           "If volume falls below 1000",                  // a quantity the engine does not check
           "If open interest drops below 5000000",        //
           "If the 1h RSI(14) falls below 30",            // no 1h indicators
           "If the 4h RSI(7) falls below 30",             // the 4h series has RSI 14 only
           "If price breaks below 3000 or above 4000",    // compound
           "If price closes below 3000 for two candles",  // a duration
           "If price does not close above 3000",          // negated
           "If price falls below 100k",                   // "100k" is not a plain number
           "If price closes below 3000 on a 3-minute candle",  // no 3m candles on a 5m bot
       }) {
    auto p = Parse(text, "ETH");
    EXPECT_FALSE(p.check) << text;
    EXPECT_FALSE(p.unchecked_reason.empty()) << text;
  }
  // A coin the bot does not trade is named, even in lower case.
  auto other = ParseInvalidation("If btc breaks below 100000", "ETH", std::vector<std::string>{"ETH", "SOL"},
                                 5 * kMinuteMs);
  EXPECT_FALSE(other.check);
  EXPECT_NE(other.unchecked_reason.find("BTC"), std::string::npos) << other.unchecked_reason;
}

TEST(Invalidation, ChecksCloses) {
  auto a = Parse("closes below 100").check;
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->BrokenBy(*Price::Parse("99.99")));
  EXPECT_FALSE(a->BrokenBy(*Price::Parse("100")));
  auto b = Parse("closes above 100").check;
  ASSERT_TRUE(b);
  EXPECT_TRUE(b->BrokenBy(*Price::Parse("100.01")));
  EXPECT_FALSE(b->BrokenBy(*Price::Parse("100")));
  auto r = Parse("If RSI(7) falls below 30").check;
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->BrokenByValue(29.9));
  EXPECT_FALSE(r->BrokenByValue(30));
}

}  // namespace
}  // namespace aitrader::engine
