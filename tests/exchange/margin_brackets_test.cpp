// The maintenance-margin tier table (core/margin_brackets.hpp): the bundled file loads, the
// maintenance margin follows the tier a notional falls in, and a malformed file is refused with
// the line and field named.
#include "core/margin_brackets.hpp"

#include <gtest/gtest.h>

namespace aitrader {
namespace {

Money M(const char* s) { return *Money::Parse(s); }

TEST(MarginBrackets, BundledTableAndTieredMaintenance) {
  auto t = MarginBracketTable::LoadDefault();
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  for (const char* s : {"BTCUSDT", "ETHUSDT", "SOLUSDT", "BNBUSDT", "XRPUSDT", "DOGEUSDT"}) {
    EXPECT_GE(t->Find(s).size(), 10u) << s;
  }
  auto btc = t->Find("btcusdt");
  // 40,000 × 0.4% = 160 (tier 1); 100,000 × 0.5% − 50 = 450 (tier 2); at the boundary both agree.
  EXPECT_EQ(MaintenanceMargin(btc, M("40000")), M("160"));
  EXPECT_EQ(MaintenanceMargin(btc, M("100000")), M("450"));
  EXPECT_EQ(MaintenanceMargin(btc, M("50000")), M("200"));
  EXPECT_EQ(BracketFor(btc, M("49999.99")).maint_margin_rate, *Ratio::Parse("0.004"));
  EXPECT_EQ(BracketFor(btc, M("50000")).maint_margin_rate, *Ratio::Parse("0.005"));
  // 1,000,000 is tier 3: 0.65% − 950 = 5,550.
  EXPECT_EQ(MaintenanceMargin(btc, M("1000000")), M("5550"));
  EXPECT_TRUE(t->Find("PEPEUSDT").empty());
}

TEST(MarginBrackets, MalformedFilesAreRefusedWithLineAndField) {
  const std::string header = "symbol,tier,notional_floor,notional_cap,maint_margin_rate,maint_amount,max_leverage\n";
  auto bad = [&](const std::string& rows, const std::string& want) {
    auto r = MarginBracketTable::ParseCsv(header + rows, "b.csv");
    ASSERT_FALSE(r.ok()) << rows;
    EXPECT_NE(r.status().message().find(want), std::string::npos) << r.status().message();
  };
  bad("X,1,0,100,0.01,0,10\nX,2,200,300,0.02,1,5\n", "b.csv:3: notional_floor");
  bad("X,1,0,100,0.01,0,10\nX,2,100,300,0.02,5,5\n", "b.csv:3: maint_amount");  // jump: 100×0.01 ≠ 100×0.02 − 5
  bad("X,1,0,100,0.01,0,10\nX,2,100,300,0.005,0,5\n", "maint_margin_rate");
  bad("X,1,0,100,1.5,0,10\n", "maint_margin_rate");
  bad("X,2,0,100,0.01,0,10\n", "tier");
  bad("X,1,0,100,0.01,0\n", "fields");
  EXPECT_TRUE(MarginBracketTable::ParseCsv(header + "X,1,0,100,0.01,0,10\nX,2,100,300,0.02,1,5\n", "ok").ok());
  EXPECT_FALSE(MarginBracketTable::ParseCsv("nope\n", "h.csv").ok());
}

TEST(MarginBrackets, LiquidationPriceInTheTierItFallsIn) {
  auto t = *MarginBracketTable::LoadDefault();
  // 1 BTC long at 100,000 with 10,000 margin: tier 2, (10,000 + 50 − 100,000)/(0.005 − 1).
  auto lp = LiquidationPrice(t.Find("BTCUSDT"), Side::kBuy, *Quantity::Parse("1"), *Price::Parse("100000"), M("10000"));
  ASSERT_TRUE(lp.ok());
  EXPECT_EQ(*lp, *Price::Parse("90402.010050252"));
  // 0.1 BTC: tier 1, (1,000 − 10,000)/(0.0004 − 0.1).
  lp = LiquidationPrice(t.Find("BTCUSDT"), Side::kBuy, *Quantity::Parse("0.1"), *Price::Parse("100000"), M("1000"));
  EXPECT_EQ(*lp, *Price::Parse("90361.445783133"));
  // Unleveraged long: never liquidated.
  lp = LiquidationPrice(t.Find("BTCUSDT"), Side::kBuy, *Quantity::Parse("0.1"), *Price::Parse("100000"), M("10000"));
  EXPECT_EQ(*lp, Price::Zero());
  // Absurd sizes are an error, not an abort.
  EXPECT_FALSE(LiquidationPrice(t.Find("BTCUSDT"), Side::kBuy, *Quantity::Parse("100000000"),
                                *Price::Parse("100000000"), M("1"))
                   .ok());
}

}  // namespace
}  // namespace aitrader
