#include "core/instrument.hpp"

#include <gtest/gtest.h>

namespace aitrader {
namespace {

TEST(Instruments, BundledTableHasTheSixCoins) {
  auto t = InstrumentTable::LoadDefault();
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  for (const char* coin : {"BTC", "ETH", "SOL", "BNB", "XRP", "DOGE"}) {
    const Instrument* i = t->Find(coin);
    ASSERT_NE(i, nullptr) << coin;
    EXPECT_EQ(i->symbol, std::string(coin) + "USDT");
    EXPECT_TRUE(i->tick_size.IsPositive());
  }
  EXPECT_EQ(t->Find("btcusdt")->PriceDecimals(), 1);
  EXPECT_EQ(t->Find("BTC")->QuantityDecimals(), 3);
  EXPECT_EQ(t->Find("DOGE")->PriceDecimals(), 5);
  EXPECT_EQ(t->Find("PEPE"), nullptr);
}

TEST(Instruments, ErrorsNameLineAndField) {
  const char* header =
      "symbol,base,quote,tick_size,step_size,min_qty,min_notional,max_leverage,maint_margin_rate,maint_amount,"
      "liquidation_fee_rate\n";
  auto r = InstrumentTable::ParseCsv(std::string(header) + "BTCUSDT,BTC,USDT,abc,0.001,0.001,100,125,0.004,0,0.01\n",
                                     "x.csv");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("x.csv:2: tick_size"), std::string::npos) << r.status().message();
  auto dup = InstrumentTable::ParseCsv(std::string(header) + "A,A,U,1,1,1,1,1,0,0,0\nA,A,U,1,1,1,1,1,0,0,0\n", "y");
  EXPECT_FALSE(dup.ok());
  EXPECT_FALSE(InstrumentTable::ParseCsv("symbol,wrong\n", "z").ok());
}

}  // namespace
}  // namespace aitrader
