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


// Tiered maintenance margin (BTCUSDT: tier 1 below 50,000 USDT at 0.4% and amount 0, tier 2
// 50,000–600,000 at 0.5% and amount 50). A 10x long of 1 BTC at 100000, isolated: margin
// 10000, maintenance margin at the mark 100000 × 0.005 − 50 = 450 (tier 1 alone said 400).
// LP = (10000 + 50 − 100000) / (1 × 0.005 − 1) = 89950 / 0.995 = 90402.01005025125…, rounded up
// to 90402.010050252 (its notional, 90402, lies in tier 2). Tier 1 alone gave 90361.445783133.
TEST(PaperProtection, TieredMaintenanceIsolatedLongInTheSecondTier) {
  PaperEnv env({"BTCUSDT"}, M("20000"));
  ASSERT_TRUE(env.sim->SetMarginMode(env.acct, "BTCUSDT", MarginMode::kIsolated).ok());
  ASSERT_TRUE(env.sim->SetLeverage(env.acct, "BTCUSDT", 10).ok());
  env.Flat("BTCUSDT", "100000");
  env.Market("L", "BTCUSDT", Side::kBuy, "1");
  env.Flat("BTCUSDT", "100000");
  EXPECT_EQ(env.Pos("BTCUSDT").isolated_margin, M("10000"));
  EXPECT_EQ(env.Pos("BTCUSDT").maintenance_margin, M("450"));
  EXPECT_EQ(env.sim->FetchBalance(env.acct)->maintenance_margin, M("450"));
  EXPECT_EQ(env.Pos("BTCUSDT").liquidation_price, P("90402.010050252"));
  env.Bar("BTCUSDT", "95000", "95000", "90402.1", "90500");  // above LP: survives
  EXPECT_EQ(env.Pos("BTCUSDT").quantity, Q("1"));
  env.Bar("BTCUSDT", "90500", "90600", "90000", "90100");
  EXPECT_TRUE(env.Pos("BTCUSDT").quantity.IsZero());
  // Realized 1 × (90402.010050252 − 100000) = −9597.989949748 → −9597.98994975; the margin
  // left, 402.01005025 (= 90402.01 × 0.005 − 50, the maintenance margin there), goes to the
  // clearance fee (1.25% of 90402 = 1130 would be more).
  const auto& e = env.sim->ledger(env.acct).entries();
  ASSERT_EQ(e.size(), 4u) << env.sim->SerializeLedger(env.acct);
  EXPECT_EQ(e[2].amount, M("-9597.98994975"));
  EXPECT_EQ(e[3].kind, LedgerKind::kLiquidationFee);
  EXPECT_EQ(e[3].amount, M("-402.01005025"));
  EXPECT_EQ(env.Wallet(), M("9950"));
}

// Cross, tier 2 at the mark: 1 BTC long at 100000 on 12000 USDT (wallet 11950 after the fee):
// LP = (11950 + 50 − 100000) / (0.005 − 1) = 88000 / 0.995 = 88442.2110552763… → 88442.211055277.
TEST(PaperProtection, TieredMaintenanceCrossLong) {
  PaperEnv env({"BTCUSDT"}, M("12000"));
  env.Flat("BTCUSDT", "100000");
  env.Market("L", "BTCUSDT", Side::kBuy, "1");
  env.Flat("BTCUSDT", "100000");
  EXPECT_EQ(env.Pos("BTCUSDT").liquidation_price, P("88442.211055277"));
  env.Bar("BTCUSDT", "95000", "95000", "88442.3", "88500");
  EXPECT_EQ(env.Pos("BTCUSDT").quantity, Q("1"));
  env.Bar("BTCUSDT", "88500", "88600", "88442.2", "88450");
  EXPECT_TRUE(env.Pos("BTCUSDT").quantity.IsZero());
}

// A cross short in tier 1 at the mark whose liquidation lies in tier 2: 0.45 BTC at 100000
// (notional 45000) on 6981.25 USDT (wallet 6958.75 after the 22.5 fee). Tier 2 from 111111.11:
// LP = (6958.75 + 50 + 45000) / (0.45 × 1.005) = 52008.75 / 0.45225 = 115000 exactly. Tier 1
// alone gave 51958.75 / 0.4518 = 115004.98. The bar filter (the linear worst-case test of a
// cross account) must not use tier 1's line once the price leaves tier 1: a high of 115002
// liquidates at 115000.
TEST(PaperProtection, TieredMaintenanceCrossShortCrossesIntoTheNextTier) {
  PaperEnv env({"BTCUSDT"}, M("6981.25"));
  env.Flat("BTCUSDT", "100000");
  env.Market("S", "BTCUSDT", Side::kSell, "0.45");
  env.Flat("BTCUSDT", "100000");
  EXPECT_EQ(env.Pos("BTCUSDT").liquidation_price, P("115000"));
  env.Bar("BTCUSDT", "100000", "114999.9", "99000", "100000");
  EXPECT_EQ(env.Pos("BTCUSDT").quantity, Q("-0.45"));
  env.Bar("BTCUSDT", "100000", "115002", "99000", "100000");
  EXPECT_TRUE(env.Pos("BTCUSDT").quantity.IsZero());
  auto ev = env.Events();
  for (const auto& x : ev) {
    if (x.kind == EventKind::kLiquidation) {
      EXPECT_EQ(x.price, P("115000"));
    }
  }
  EXPECT_EQ(CountKind(ev, EventKind::kLiquidation), 1);
}


// Funding larger than an isolated position's margin: 0.1 BTC long at 100000, 10x isolated
// (margin 1000), funding rate 15% → due 0.1 × 100000 × 0.15 = 1500. The margin pays 1000, the
// cross wallet nothing (before: the margin was floored at 0 and the other 500 silently left the
// cross wallet); the event says due 1500, paid 1000. With no margin left the position is
// liquidated at the next open (100000: PnL 0, no fee left, no insurance). The account lost
// the entry fee and the isolated margin: 10000 − 5 − 1000 = 8995.
TEST(PaperProtection, IsolatedFundingBeyondTheMarginIsNotTakenFromTheCrossWallet) {
  SimulatorConfig cfg;
  cfg.funding_interval = 10 * kMinuteMs;
  PaperEnv env({"BTCUSDT"}, M("10000"), cfg, nullptr,
               std::make_unique<SeriesFundingModel>(*Ratio::Parse("0.15")));
  ASSERT_TRUE(env.sim->SetMarginMode(env.acct, "BTCUSDT", MarginMode::kIsolated).ok());
  ASSERT_TRUE(env.sim->SetLeverage(env.acct, "BTCUSDT", 10).ok());
  env.Flat("BTCUSDT", "100000");  // 00:00, funding on no position
  env.Market("L", "BTCUSDT", Side::kBuy, "0.1");
  env.Flat("BTCUSDT", "100000");  // 00:05, the entry fills
  ASSERT_EQ(env.Pos("BTCUSDT").isolated_margin, M("1000"));
  (void)env.Events();
  env.Flat("BTCUSDT", "100000");  // 00:10: funding, then the open
  const auto ev = env.Events();
  bool saw = false;
  for (const auto& e : ev) {
    if (e.kind != EventKind::kFundingPaid) continue;
    saw = true;
    EXPECT_EQ(e.funding, M("-1000"));
    EXPECT_EQ(e.funding_due, M("-1500"));
  }
  EXPECT_TRUE(saw);
  EXPECT_EQ(CountKind(ev, EventKind::kLiquidation), 1);
  EXPECT_TRUE(env.Pos("BTCUSDT").quantity.IsZero());
  EXPECT_EQ(env.Wallet(), M("8995"));
  EXPECT_TRUE(env.sim->SelfCheck(env.acct).ok());
}

}  // namespace
}  // namespace aitrader::exchange::paper
