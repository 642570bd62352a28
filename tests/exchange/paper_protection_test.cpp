// Issue 9 scenarios for the paper simulator: protective orders on a gapped open, what a
// cross liquidation cancels, tiered maintenance margin, funding of an isolated position.
// Numbers are hand-computed in the comments (slippage 0; fees maker 0.02%, taker 0.05%; BTCUSDT
// tick 0.1, step 0.001; brackets from data/leverage_brackets.csv).
#include <gtest/gtest.h>

#include "exchange/paper_env.hpp"

namespace aitrader::exchange::paper {
namespace {

using testing::CountKind;
using testing::M;
using testing::P;
using testing::PaperEnv;
using testing::Q;

// A position must never be open without its stop. The engine sends entry + closePosition SL +
// TP while the entry is pending (next-open fills); the next bar gaps through the stop. The
// entry fills at the open first, then its stop is evaluated at the open and closes it there.
// (Before the fix the gap was walked first: the stop of the still-flat account expired as
// -2022 and the entry then filled with no stop.)
TEST(PaperProtection, GapThroughStopFillsEntryThenStop) {
  PaperEnv env;
  env.Flat("BTCUSDT", "100000");
  env.Market("E", "BTCUSDT", Side::kBuy, "0.1");
  env.Trigger("SL", "BTCUSDT", OrderType::kStopMarket, Side::kSell, "98000");
  env.Trigger("TP", "BTCUSDT", OrderType::kTakeProfitMarket, Side::kSell, "103000");
  env.Bar("BTCUSDT", "97000", "97500", "96500", "97200");
  EXPECT_EQ(env.Get("E").status, OrderStatus::kFilled);
  EXPECT_EQ(env.Get("E").average_price, P("97000"));
  EXPECT_EQ(env.Get("SL").status, OrderStatus::kFilled) << RejectCode(env.Get("SL").reason);
  EXPECT_EQ(env.Get("SL").average_price, P("97000"));
  EXPECT_EQ(env.Get("TP").status, OrderStatus::kExpired);
  EXPECT_TRUE(env.Pos("BTCUSDT").quantity.IsZero());
  // Entry and exit at 97000: realized 0, two taker fees of 0.1 × 97000 × 0.0005 = 4.85.
  EXPECT_EQ(env.Wallet(), M("9990.3"));
}

// The same for a short whose stop is gapped through upwards, and a gap that does not reach the
// stop: the position opens and keeps its working stop.
TEST(PaperProtection, GapShortStopAndGapShortOfTheStop) {
  PaperEnv env;
  env.Flat("BTCUSDT", "100000");
  env.Market("E", "BTCUSDT", Side::kSell, "0.1");
  env.Trigger("SL", "BTCUSDT", OrderType::kStopMarket, Side::kBuy, "101000");
  env.Bar("BTCUSDT", "102000", "102500", "101500", "102200");
  EXPECT_EQ(env.Get("SL").status, OrderStatus::kFilled);
  EXPECT_EQ(env.Get("SL").average_price, P("102000"));
  EXPECT_TRUE(env.Pos("BTCUSDT").quantity.IsZero());

  env.Market("E2", "BTCUSDT", Side::kBuy, "0.1");
  env.Trigger("SL2", "BTCUSDT", OrderType::kStopMarket, Side::kSell, "100000");
  env.Bar("BTCUSDT", "101000", "101500", "100500", "101200");  // gaps down, not to 100000
  EXPECT_EQ(env.Pos("BTCUSDT").quantity, Q("0.1"));
  EXPECT_EQ(env.Get("SL2").status, OrderStatus::kNew);
}

}  // namespace
}  // namespace aitrader::exchange::paper
