// Hand-computed scenarios for the paper simulator. Every number below is worked out in the
// comments from the rules in docs/paper-exchange.md (slippage 0 unless stated; Binance default
// fees: maker 0.02%, taker 0.05%; BTCUSDT rules from data/instruments.csv: tick 0.1, step
// 0.001, min notional 100, MMR 0.4%, maintenance amount 0, liquidation fee 1.25%).
#include <gtest/gtest.h>

#include "exchange/paper_env.hpp"

namespace aitrader::exchange::paper {
namespace {

using testing::CountKind;
using testing::kT0;
using testing::M;
using testing::P;
using testing::PaperEnv;
using testing::Q;
using testing::R;

struct Entry {
  LedgerKind kind;
  const char* amount;
};

void ExpectLedger(const PaperSimulator& sim, AccountIndex a, std::vector<Entry> want) {
  const auto& got = sim.ledger(a).entries();
  ASSERT_EQ(got.size(), want.size()) << sim.SerializeLedger(a);
  for (std::size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(got[i].kind, want[i].kind) << "entry " << i << "\n" << sim.SerializeLedger(a);
    EXPECT_EQ(got[i].amount, M(want[i].amount)) << "entry " << i << "\n" << sim.SerializeLedger(a);
  }
}

TEST(PaperScenario, LongWithPartialCloseAndMakerExit) {
  PaperEnv env;
  env.Flat("BTCUSDT", "100000");
  // Market buy 0.1 fills at the next open, 100000. Fee 0.1 × 100000 × 0.0005 = 5.
  Order buy = env.Market("L-1", "BTCUSDT", Side::kBuy, "0.1");
  EXPECT_EQ(buy.status, OrderStatus::kNew);
  env.Bar("BTCUSDT", "100000", "100500", "99800", "100200");
  EXPECT_EQ(env.Get("L-1").status, OrderStatus::kFilled);
  EXPECT_EQ(env.Get("L-1").average_price, P("100000"));
  EXPECT_EQ(env.Pos("BTCUSDT").quantity, Q("0.1"));
  EXPECT_EQ(env.Pos("BTCUSDT").entry_price, P("100000"));
  EXPECT_EQ(env.Wallet(), M("9995"));
  // Mark 100200: uPnL 0.1 × 200 = 20; equity 10015.
  EXPECT_EQ(env.Pos("BTCUSDT").unrealized_pnl, M("20"));
  EXPECT_EQ(env.sim->Equity(env.acct), M("10015"));

  // Partial close 0.04 at the next open 101000: realized 0.04 × 1000 = 40, fee 4040 × 0.0005 = 2.02.
  env.Market("L-2", "BTCUSDT", Side::kSell, "0.04", /*reduce_only=*/true);
  env.Bar("BTCUSDT", "101000", "101200", "100900", "101100");
  EXPECT_EQ(env.Pos("BTCUSDT").quantity, Q("0.06"));
  EXPECT_EQ(env.Pos("BTCUSDT").entry_price, P("100000"));
  EXPECT_EQ(env.Wallet(), M("10032.98"));
  // uPnL 0.06 × 1100 = 66.
  EXPECT_EQ(env.sim->Equity(env.acct), M("10098.98"));

  // Reduce-only limit sell 0.06 at 102000 rests (maker); the bar's high 102100 trades through it.
  // Realized 0.06 × 2000 = 120; maker fee 6120 × 0.0002 = 1.224.
  env.Limit("L-3", "BTCUSDT", Side::kSell, "0.06", "102000", TimeInForce::kGtc, /*reduce_only=*/true);
  env.Bar("BTCUSDT", "101100", "102100", "101000", "101900");
  EXPECT_EQ(env.Get("L-3").status, OrderStatus::kFilled);
  EXPECT_EQ(env.Get("L-3").average_price, P("102000"));
  EXPECT_TRUE(env.Pos("BTCUSDT").quantity.IsZero());
  EXPECT_EQ(env.Wallet(), M("10151.756"));
  EXPECT_EQ(env.sim->Equity(env.acct), M("10151.756"));

  ExpectLedger(*env.sim, env.acct,
               {{LedgerKind::kDeposit, "10000"},
                {LedgerKind::kFee, "-5"},
                {LedgerKind::kRealizedPnl, "40"},
                {LedgerKind::kFee, "-2.02"},
                {LedgerKind::kRealizedPnl, "120"},
                {LedgerKind::kFee, "-1.224"}});
  auto ev = env.Events();
  EXPECT_EQ(CountKind(ev, EventKind::kOrderAccepted), 3);
  EXPECT_EQ(CountKind(ev, EventKind::kOrderFilled), 3);
  EXPECT_EQ(CountKind(ev, EventKind::kPositionChanged), 3);
  for (const auto& e : ev) {
    if (e.kind != EventKind::kOrderFilled) continue;
    EXPECT_EQ(e.liquidity, e.client_id.value() == "L-3" ? Liquidity::kMaker : Liquidity::kTaker) << e.client_id.value();
  }
  EXPECT_TRUE(env.sim->SelfCheck(env.acct).ok());
}

TEST(PaperScenario, ShortTakeProfit) {
  PaperEnv env;
  env.Flat("BTCUSDT", "100000");
  env.Market("S-1", "BTCUSDT", Side::kSell, "0.2");
  env.Bar("BTCUSDT", "100000", "100100", "99900", "100000");
  // Short 0.2 @ 100000, fee 20000 × 0.0005 = 10.
  EXPECT_EQ(env.Pos("BTCUSDT").quantity, Q("-0.2"));
  EXPECT_EQ(env.Wallet(), M("9990"));
  env.Trigger("S-TP", "BTCUSDT", OrderType::kTakeProfitMarket, Side::kBuy, "98000");
  env.Bar("BTCUSDT", "99900", "100000", "97500", "97800");
  // TP triggers at 98000 (slippage 0): realized 0.2 × 2000 = 400; fee 19600 × 0.0005 = 9.8.
  EXPECT_EQ(env.Get("S-TP").status, OrderStatus::kFilled);
  EXPECT_EQ(env.Get("S-TP").average_price, P("98000"));
  EXPECT_EQ(env.Wallet(), M("10380.2"));
  auto ev = env.Events();
  EXPECT_EQ(CountKind(ev, EventKind::kOrderTriggered), 1);
}

TEST(PaperScenario, StopLossAndTakeProfitInOneCandleStopFirst) {
  // Short: the path goes up first (open → high → low → close), so the stop fires at 101000
  // before the take-profit at 99000, although both lie inside the bar.
  {
    PaperEnv env;
    env.Flat("BTCUSDT", "100000");
    env.Market("S-1", "BTCUSDT", Side::kSell, "0.1");
    env.Bar("BTCUSDT", "100000", "100000", "100000", "100000");
    env.Trigger("S-SL", "BTCUSDT", OrderType::kStopMarket, Side::kBuy, "101000");
    env.Trigger("S-TP", "BTCUSDT", OrderType::kTakeProfitMarket, Side::kBuy, "99000");
    env.Bar("BTCUSDT", "100000", "101500", "98500", "99500");
    EXPECT_EQ(env.Get("S-SL").status, OrderStatus::kFilled);
    EXPECT_EQ(env.Get("S-SL").average_price, P("101000"));
    EXPECT_EQ(env.Get("S-TP").status, OrderStatus::kExpired);  // reduce-only, position gone
    EXPECT_EQ(env.Get("S-TP").reason, RejectReason::kReduceOnlyRejected);
    // 10000 − 5 (open fee) − 100 (0.1 × 1000 loss) − 5.05 (10100 × 0.0005).
    EXPECT_EQ(env.Wallet(), M("9889.95"));
    EXPECT_TRUE(env.Pos("BTCUSDT").quantity.IsZero());
  }
  // Long, same bar: down first, stop at 99000 fires; the bar closes up but TP never fills.
  {
    PaperEnv env;
    env.Flat("BTCUSDT", "100000");
    env.Market("L-1", "BTCUSDT", Side::kBuy, "0.1");
    env.Bar("BTCUSDT", "100000", "100000", "100000", "100000");
    env.Trigger("L-SL", "BTCUSDT", OrderType::kStopMarket, Side::kSell, "99000");
    env.Trigger("L-TP", "BTCUSDT", OrderType::kTakeProfitMarket, Side::kSell, "101000");
    env.Bar("BTCUSDT", "100000", "101500", "98500", "101200");
    EXPECT_EQ(env.Get("L-SL").status, OrderStatus::kFilled);
    EXPECT_EQ(env.Get("L-TP").status, OrderStatus::kExpired);
    // 10000 − 5 − 100 − 4.95 (9900 × 0.0005).
    EXPECT_EQ(env.Wallet(), M("9890.05"));
  }
}

TEST(PaperScenario, StopFillsWithSlippageAndGapFillsAtOpen) {
  SimulatorConfig cfg;
  PaperEnv env({"BTCUSDT"}, M("10000"), cfg, std::make_unique<FixedBpsSlippage>(2.0));
  env.Flat("BTCUSDT", "100000");
  // Market buy at the open 100000 + 2 bps = 100020 (rounded up to the 0.1 tick).
  env.Market("L-1", "BTCUSDT", Side::kBuy, "0.1");
  env.Bar("BTCUSDT", "100000", "100100", "99950", "100050");
  EXPECT_EQ(env.Get("L-1").average_price, P("100020"));
  // A stop at 99000; the next bar opens at 98000 (a gap): it fills at the open minus 2 bps
  // = 97980.4, never at the stop price the market jumped over.
  env.Trigger("L-SL", "BTCUSDT", OrderType::kStopMarket, Side::kSell, "99000");
  env.Bar("BTCUSDT", "98000", "98200", "97900", "98100");
  EXPECT_EQ(env.Get("L-SL").average_price, P("97980.4"));
}

TEST(PaperScenario, FundingDefaultRateAndSeries) {
  // Bars 07:50, 07:55, 08:00 on 2025-10-17. Long 0.1 from the 07:55 open.
  SimulatorConfig cfg;
  auto funding = std::make_unique<SeriesFundingModel>(R("0.0001"));
  PaperEnv env({"BTCUSDT", "ETHUSDT"}, M("10000"), cfg, nullptr, std::move(funding));
  env.next_open = kT0 + 8 * kHourMs - 10 * kMinuteMs;
  env.clock.SetMs(env.next_open);
  env.Flat("BTCUSDT", "100000");
  env.Market("L-1", "BTCUSDT", Side::kBuy, "0.1");
  env.Bar("BTCUSDT", "100000", "100000", "100000", "100000");
  ASSERT_EQ(env.Pos("BTCUSDT").quantity, Q("0.1"));
  // The 08:00 bar: funding on 0.1 × 100000 (mark at 08:00) × 0.0001 = 1.00, paid by the long.
  env.Bar("BTCUSDT", "100000", "100000", "100000", "100000");
  EXPECT_EQ(env.Wallet(), M("9994"));  // 10000 − 5 fee − 1 funding
  const auto& entries = env.sim->ledger(env.acct).entries();
  ASSERT_FALSE(entries.empty());
  EXPECT_EQ(entries.back().kind, LedgerKind::kFunding);
  EXPECT_EQ(entries.back().time, kT0 + 8 * kHourMs);
  auto ev = env.Events();
  ASSERT_EQ(CountKind(ev, EventKind::kFundingPaid), 1);
  for (const auto& e : ev) {
    if (e.kind == EventKind::kFundingPaid) {
      EXPECT_EQ(e.funding, M("-1"));
      EXPECT_EQ(e.funding_rate, R("0.0001"));
    }
  }

  // A funding history covering 16:00 with a negative rate, −0.0003: shorts pay longs.
  auto model = std::make_unique<SeriesFundingModel>(R("0.0001"));
  model->Add("BTCUSDT", kT0 + 16 * kHourMs + 7, R("-0.0003"));  // Binance stamps a few ms late
  PaperEnv env2({"BTCUSDT"}, M("10000"), cfg, nullptr, std::move(model));
  env2.next_open = kT0 + 16 * kHourMs - 10 * kMinuteMs;
  env2.clock.SetMs(env2.next_open);
  env2.Flat("BTCUSDT", "100000");
  env2.Market("S-1", "BTCUSDT", Side::kSell, "0.1");
  env2.Bar("BTCUSDT", "100000", "100000", "100000", "100000");
  env2.Bar("BTCUSDT", "100000", "100000", "100000", "100000");
  // Short 0.1 at rate −0.0003 pays 0.1 × 100000 × 0.0003 = 3.
  EXPECT_EQ(env2.Wallet(), M("9992"));
}

TEST(PaperScenario, FundingFromBundledSeries) {
  SeriesFundingModel m(R("0.0001"));
  ASSERT_TRUE(m.LoadCsv(DataDir() + "/binance-usdm/funding/BTCUSDT_8h_2026.csv.gz").ok());
  // First event in the file: 1768233600000 (2026-01-12 16:00), 0.00004650.
  EXPECT_EQ(m.Rate({"BTCUSDT", 1768233600000}), R("0.0000465"));
  EXPECT_EQ(m.Rate({"BTCUSDT", kT0}), R("0.0001"));  // not covered: the default
  EXPECT_EQ(m.Rate({"ETHUSDT", 1768233600000}), R("0.0001"));
}

TEST(PaperScenario, IsolatedLiquidationAtBinanceFormulaPrice) {
  PaperEnv env;
  ASSERT_TRUE(env.sim->SetMarginMode(env.acct, "BTCUSDT", MarginMode::kIsolated).ok());
  ASSERT_TRUE(env.sim->SetLeverage(env.acct, "BTCUSDT", 10).ok());
  env.Flat("BTCUSDT", "100000");
  env.Market("L-1", "BTCUSDT", Side::kBuy, "0.1");
  env.Bar("BTCUSDT", "100000", "100000", "100000", "100000");
  // Isolated wallet WB = 0.1 × 100000 / 10 = 1000.
  // LP = (WB + cum − side·size·entry) / (size·MMR − side·size)
  //    = (1000 + 0 − 10000) / (0.1 × 0.004 − 0.1) = −9000 / −0.0996 = 90361.4457831325…
  // rounded up (toward the long's liquidation) to 1e-9: 90361.445783133.
  EXPECT_EQ(env.Pos("BTCUSDT").isolated_margin, M("1000"));
  EXPECT_EQ(env.Pos("BTCUSDT").liquidation_price, P("90361.445783133"));
  EXPECT_EQ(env.sim->LiquidationPrice(env.acct, "BTCUSDT"), P("90361.445783133"));
  env.Bar("BTCUSDT", "95000", "95000", "90361.5", "90400");  // low above LP: survives
  EXPECT_EQ(env.Pos("BTCUSDT").quantity, Q("0.1"));
  env.Bar("BTCUSDT", "90400", "90500", "90000", "90200");
  // Liquidated at LP. Realized 0.1 × (90361.445783133 − 100000) = −963.8554216867 → −963.85542169.
  // Left in the isolated wallet: 1000 − 963.85542169 = 36.14457831 (= the maintenance margin,
  // 0.1 × LP × 0.004); the clearance fee (1.25% × 9036.14 = 112.95) takes all of it.
  EXPECT_TRUE(env.Pos("BTCUSDT").quantity.IsZero());
  ExpectLedger(*env.sim, env.acct,
               {{LedgerKind::kDeposit, "10000"},
                {LedgerKind::kFee, "-5"},
                {LedgerKind::kRealizedPnl, "-963.85542169"},
                {LedgerKind::kLiquidationFee, "-36.14457831"}});
  EXPECT_EQ(env.Wallet(), M("8995"));  // lost the isolated margin and nothing else
  auto ev = env.Events();
  ASSERT_EQ(CountKind(ev, EventKind::kLiquidation), 1);
  for (const auto& e : ev) {
    if (e.kind == EventKind::kLiquidation) {
      EXPECT_EQ(e.price, P("90361.445783133"));
      EXPECT_EQ(e.quantity, Q("0.1"));
      EXPECT_EQ(e.side, Side::kSell);
    }
  }
}

TEST(PaperScenario, ShortIsolatedLiquidationPrice) {
  PaperEnv env;
  ASSERT_TRUE(env.sim->SetMarginMode(env.acct, "BTCUSDT", MarginMode::kIsolated).ok());
  ASSERT_TRUE(env.sim->SetLeverage(env.acct, "BTCUSDT", 5).ok());
  env.Flat("BTCUSDT", "100000");
  env.Market("S-1", "BTCUSDT", Side::kSell, "0.1");
  env.Bar("BTCUSDT", "100000", "100000", "100000", "100000");
  // WB = 10000 / 5 = 2000. LP = (2000 + 10000) / (0.0004 + 0.1) = 12000 / 0.1004
  //    = 119521.9123505976…, rounded down to 1e-9: 119521.912350597.
  EXPECT_EQ(env.Pos("BTCUSDT").liquidation_price, P("119521.912350597"));
}

TEST(PaperScenario, GapThroughLiquidationIsCoveredByInsurance) {
  PaperEnv env;
  ASSERT_TRUE(env.sim->SetMarginMode(env.acct, "BTCUSDT", MarginMode::kIsolated).ok());
  env.Flat("BTCUSDT", "100000");
  env.Market("L-1", "BTCUSDT", Side::kBuy, "0.1");
  env.Bar("BTCUSDT", "100000", "100000", "100000", "100000");
  // Next bar opens at 85000, far below LP 90361.4: liquidated at the open. Realized −1500;
  // the isolated wallet (1000) cannot pay it: no fee, the insurance fund covers 500.
  env.Bar("BTCUSDT", "85000", "86000", "84000", "85500");
  ExpectLedger(*env.sim, env.acct,
               {{LedgerKind::kDeposit, "10000"},
                {LedgerKind::kFee, "-5"},
                {LedgerKind::kRealizedPnl, "-1500"},
                {LedgerKind::kInsuranceCredit, "500"}});
  EXPECT_EQ(env.Wallet(), M("8995"));
}

TEST(PaperScenario, IsolatedVersusCross) {
  // The same long (0.1 BTC at 100000, 10x) on 1100 USDT: isolated risks 1000, cross all 1095.
  PaperEnv iso({"BTCUSDT"}, M("1100"));
  PaperEnv cross({"BTCUSDT"}, M("1100"));
  ASSERT_TRUE(iso.sim->SetMarginMode(iso.acct, "BTCUSDT", MarginMode::kIsolated).ok());
  for (PaperEnv* e : {&iso, &cross}) {
    e->Flat("BTCUSDT", "100000");
    e->Market("L-1", "BTCUSDT", Side::kBuy, "0.1");
    e->Bar("BTCUSDT", "100000", "100000", "100000", "100000");
    ASSERT_EQ(e->Pos("BTCUSDT").quantity, Q("0.1"));
  }
  // Isolated LP 90361.445783133 (above). Cross: WB = cross wallet 1100 − 5 = 1095,
  // LP = (1095 − 10000) / −0.0996 = 89407.6305220883… → 89407.630522089.
  EXPECT_EQ(iso.Pos("BTCUSDT").liquidation_price, P("90361.445783133"));
  EXPECT_EQ(cross.Pos("BTCUSDT").liquidation_price, P("89407.630522089"));
  for (PaperEnv* e : {&iso, &cross}) e->Bar("BTCUSDT", "95000", "95000", "90000", "90100");
  EXPECT_TRUE(iso.Pos("BTCUSDT").quantity.IsZero());
  EXPECT_EQ(cross.Pos("BTCUSDT").quantity, Q("0.1"));
  EXPECT_EQ(iso.Wallet(), M("95"));  // 1095 − 963.85542169 − 36.14457831
  cross.Bar("BTCUSDT", "90100", "90100", "89000", "89500");
  EXPECT_TRUE(cross.Pos("BTCUSDT").quantity.IsZero());
  // Realized 0.1 × (89407.630522089 − 100000) = −1059.2369477911 → −1059.23694779; the cross
  // wallet left (35.76305221) goes to the clearance fee: nothing remains.
  ExpectLedger(*cross.sim, cross.acct,
               {{LedgerKind::kDeposit, "1100"},
                {LedgerKind::kFee, "-5"},
                {LedgerKind::kRealizedPnl, "-1059.23694779"},
                {LedgerKind::kLiquidationFee, "-35.76305221"}});
  EXPECT_EQ(cross.Wallet(), M("0"));
}

TEST(PaperScenario, CrossLiquidationPriceCountsOtherPositions) {
  PaperEnv env({"BTCUSDT", "ETHUSDT"}, M("10000"));
  env.Flat("ETHUSDT", "4000");
  env.Flat("BTCUSDT", "100000");
  env.Market("E-1", "ETHUSDT", Side::kSell, "1");
  env.Market("B-1", "BTCUSDT", Side::kBuy, "0.1");
  std::vector<SymbolBar> bars = {
      {*env.sim->FindSymbol("BTCUSDT"), {env.next_open, P("100000"), P("100000"), P("100000"), P("100000"), 1}},
      {*env.sim->FindSymbol("ETHUSDT"), {env.next_open, P("4000"), P("4000"), P("4000"), P("4000"), 1}}};
  env.clock.SetMs(env.next_open + 5 * kMinuteMs);
  ASSERT_TRUE(env.sim->OnBars(bars).ok());
  env.next_open += 5 * kMinuteMs;
  // Fees: BTC 5, ETH 4000 × 0.0005 = 2 → cross wallet 9993. ETH's maintenance margin
  // TMM1 = 1 × 4000 × 0.004 = 16, its uPnL 0. BTC's LP = (9993 − 16 + 0 − 10000) / −0.0996
  // = 230.9236947791… → 230.92369478 (rounded up at 1e-9: 230.923694780).
  EXPECT_EQ(env.Pos("BTCUSDT").liquidation_price, P("230.92369478"));
  EXPECT_TRUE(env.sim->SelfCheck(env.acct).ok());
}

// FetchPositions computes the cross liquidation prices from one sum over the account's cross
// positions (each position's own term taken out): the same prices as FetchPosition, which
// sums the other positions one by one, for cross and isolated positions side by side.
TEST(PaperScenario, FetchPositionsLiquidationPricesMatchFetchPosition) {
  PaperEnv env({"BTCUSDT", "ETHUSDT", "SOLUSDT"}, M("2000"));
  ASSERT_TRUE(env.sim->SetMarginMode(env.acct, "SOLUSDT", MarginMode::kIsolated).ok());
  env.Flat("ETHUSDT", "4000");
  env.Flat("BTCUSDT", "100000");
  env.Flat("SOLUSDT", "200");
  env.Market("E-1", "ETHUSDT", Side::kSell, "1");
  env.Market("B-1", "BTCUSDT", Side::kBuy, "0.1");
  env.Market("S-1", "SOLUSDT", Side::kBuy, "10");
  const char* btc[] = {"100000", "101234.5", "98765.4", "99999.9"};
  const char* eth[] = {"4000", "3987.65", "4123.45", "4001.01"};
  const char* sol[] = {"200", "201.23", "197.65", "205.5"};
  for (int bar = 0; bar < 4; ++bar) {
    std::vector<SymbolBar> bars = {
        {*env.sim->FindSymbol("BTCUSDT"), {env.next_open, P(btc[bar]), P(btc[bar]), P(btc[bar]), P(btc[bar]), 1}},
        {*env.sim->FindSymbol("ETHUSDT"), {env.next_open, P(eth[bar]), P(eth[bar]), P(eth[bar]), P(eth[bar]), 1}},
        {*env.sim->FindSymbol("SOLUSDT"), {env.next_open, P(sol[bar]), P(sol[bar]), P(sol[bar]), P(sol[bar]), 1}}};
    env.clock.SetMs(env.next_open + 5 * kMinuteMs);
    ASSERT_TRUE(env.sim->OnBars(bars).ok());
    env.next_open += 5 * kMinuteMs;
    auto all = env.sim->FetchPositions(env.acct);
    ASSERT_TRUE(all.ok());
    ASSERT_EQ(all->size(), 3U);
    for (const Position& p : *all) {
      SCOPED_TRACE(p.symbol);
      const Position one = env.Pos(p.symbol.c_str());
      EXPECT_TRUE(p.liquidation_price.IsPositive());
      EXPECT_EQ(p.liquidation_price, one.liquidation_price);
      EXPECT_EQ(p.liquidation_price, env.sim->LiquidationPrice(env.acct, p.symbol));
      EXPECT_EQ(p.initial_margin, one.initial_margin);
      EXPECT_EQ(p.maintenance_margin, one.maintenance_margin);
      EXPECT_EQ(p.unrealized_pnl, one.unrealized_pnl);
    }
  }
}

TEST(PaperScenario, ClientOrderIdsAreIdempotent) {
  PaperEnv env;
  env.Flat("BTCUSDT", "100000");
  Order a = env.Market("dup-1", "BTCUSDT", Side::kBuy, "0.01");
  Order b = env.Market("dup-1", "BTCUSDT", Side::kBuy, "0.05");  // same id, different request
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(b.quantity, Q("0.01"));
  EXPECT_EQ(env.sim->FetchOpenOrders(env.acct, "")->size(), 1U);
  env.Bar("BTCUSDT", "100000", "100000", "100000", "100000");
  Order c = env.Market("dup-1", "BTCUSDT", Side::kBuy, "0.01");  // after the fill
  EXPECT_EQ(c.id, a.id);
  EXPECT_EQ(c.status, OrderStatus::kFilled);
  env.Bar("BTCUSDT", "100000", "100000", "100000", "100000");
  EXPECT_EQ(env.Pos("BTCUSDT").quantity, Q("0.01"));  // one fill, never two
  // A rejected id stays rejected: resubmitting returns the rejection, not a new order.
  Order r1 = env.Market("dup-2", "BTCUSDT", Side::kBuy, "5");  // -2019
  ASSERT_EQ(r1.status, OrderStatus::kRejected);
  Order r2 = env.Market("dup-2", "BTCUSDT", Side::kBuy, "0.01");
  EXPECT_EQ(r2.id, r1.id);
  EXPECT_EQ(r2.status, OrderStatus::kRejected);
}

TEST(PaperScenario, NoLookAhead) {
  PaperEnv env;
  env.Flat("BTCUSDT", "100000");
  env.Market("L-1", "BTCUSDT", Side::kBuy, "0.1");
  env.Bar("BTCUSDT", "100000", "100000", "100000", "100000");
  // The clock runs ahead of the feed (a live feed's bar arrives late): an order placed now must
  // not be triggered by a bar that opened before it was placed.
  env.clock.SetMs(env.next_open + 2 * kMinuteMs);
  env.Trigger("L-SL", "BTCUSDT", OrderType::kStopMarket, Side::kSell, "99000");
  market::Candle k{env.next_open, P("100000"), P("100000"), P("98000"), P("99500"), 1};
  ASSERT_TRUE(env.sim->OnCandle("BTCUSDT", k).ok());
  env.next_open += 5 * kMinuteMs;
  env.clock.SetMs(env.next_open);
  EXPECT_EQ(env.Get("L-SL").status, OrderStatus::kNew);
  env.Bar("BTCUSDT", "99500", "99600", "98900", "99000");
  EXPECT_EQ(env.Get("L-SL").status, OrderStatus::kFilled);
}

TEST(PaperScenario, LimitOrdersMakerVersusTaker) {
  PaperEnv env;
  env.Flat("BTCUSDT", "100000");
  // Not marketable (below the mark): rests, fills as maker at its price when crossed.
  env.Limit("B-1", "BTCUSDT", Side::kBuy, "0.01", "99000");
  env.Bar("BTCUSDT", "100000", "100200", "99000", "99500");  // touches 99000, no trade-through
  EXPECT_EQ(env.Get("B-1").status, OrderStatus::kNew);
  env.Bar("BTCUSDT", "99500", "99600", "98900", "99100");
  EXPECT_EQ(env.Get("B-1").status, OrderStatus::kFilled);
  EXPECT_EQ(env.Get("B-1").average_price, P("99000"));
  EXPECT_EQ(env.Get("B-1").fee_paid, M("0.198"));  // 990 × 0.0002
  // Marketable (above the mark 99100): a taker at the next open, never worse than its limit.
  env.Limit("B-2", "BTCUSDT", Side::kBuy, "0.01", "99500");
  env.Bar("BTCUSDT", "99200", "99300", "99100", "99250");
  EXPECT_EQ(env.Get("B-2").average_price, P("99200"));
  EXPECT_EQ(env.Get("B-2").fee_paid, M("0.496"));  // 992 × 0.0005
  // IOC that is not marketable expires at once.
  Order ioc = env.Limit("B-3", "BTCUSDT", Side::kBuy, "0.01", "90000", TimeInForce::kIoc);
  EXPECT_EQ(ioc.status, OrderStatus::kExpired);
}

TEST(PaperScenario, ImmediateMarketFillMode) {
  SimulatorConfig cfg;
  cfg.market_fill = MarketFillMode::kImmediate;
  PaperEnv env({"BTCUSDT"}, M("10000"), cfg);
  env.Flat("BTCUSDT", "100000");
  Order o = env.Market("I-1", "BTCUSDT", Side::kBuy, "0.1");
  EXPECT_EQ(o.status, OrderStatus::kFilled);
  EXPECT_EQ(o.average_price, P("100000"));
  EXPECT_EQ(env.Pos("BTCUSDT").quantity, Q("0.1"));
  // Reduce-only SL is accepted right away because the position exists.
  Order sl = env.Trigger("I-SL", "BTCUSDT", OrderType::kStopMarket, Side::kSell, "95000");
  EXPECT_EQ(sl.status, OrderStatus::kNew);
}

TEST(PaperScenario, BracketPlacedWithPendingEntry) {
  // The engine sends entry + reduce-only SL + TP at once; with next-open fills the entry is
  // still pending, and the brackets are checked against the position it will open.
  PaperEnv env;
  env.Flat("BTCUSDT", "100000");
  env.Market("E", "BTCUSDT", Side::kBuy, "0.1");
  EXPECT_EQ(env.Trigger("SL", "BTCUSDT", OrderType::kStopMarket, Side::kSell, "98000").status, OrderStatus::kNew);
  EXPECT_EQ(env.Trigger("TP", "BTCUSDT", OrderType::kTakeProfitMarket, Side::kSell, "103000").status, OrderStatus::kNew);
  env.Bar("BTCUSDT", "100000", "103500", "99900", "103200");
  EXPECT_EQ(env.Get("TP").status, OrderStatus::kFilled);
  EXPECT_EQ(env.Get("SL").status, OrderStatus::kExpired);
  EXPECT_TRUE(env.Pos("BTCUSDT").quantity.IsZero());

  // If the entry never fills (cancelled, or expired at the open), the brackets go with it.
  env.Market("E2", "BTCUSDT", Side::kBuy, "0.05");
  env.Trigger("SL2", "BTCUSDT", OrderType::kStopMarket, Side::kSell, "100000");
  ASSERT_TRUE(env.sim->CancelOrder(env.acct, "BTCUSDT", ClientOrderId("E2")).ok());
  EXPECT_EQ(env.Get("SL2").status, OrderStatus::kExpired);
  env.Market("E3", "BTCUSDT", Side::kBuy, "0.9");  // fits at 103200, not at a 40% higher open
  env.Trigger("TP3", "BTCUSDT", OrderType::kTakeProfitMarket, Side::kSell, "150000");
  env.Bar("BTCUSDT", "145000", "146000", "144000", "145500");
  EXPECT_EQ(RejectCode(env.Get("E3").reason), -2019);
  EXPECT_EQ(env.Get("TP3").status, OrderStatus::kExpired);
  EXPECT_TRUE(env.sim->FetchOpenOrders(env.acct, "")->empty());
}

TEST(PaperScenario, EventQueueIsBounded) {
  SimulatorConfig cfg;
  cfg.event_queue_capacity = 4;
  PaperEnv env({"BTCUSDT"}, M("10000"), cfg);
  env.Flat("BTCUSDT", "100000");
  for (int i = 0; i < 5; ++i) env.Limit(("q-" + std::to_string(i)).c_str(), "BTCUSDT", Side::kBuy, "0.001", "90000");
  auto ev = env.Events();
  ASSERT_EQ(ev.size(), 5U);
  EXPECT_EQ(ev[0].kind, EventKind::kEventsDropped);
  EXPECT_EQ(ev[0].count, 1U);
  EXPECT_EQ(ev[1].client_id.value(), "q-1");
}

TEST(PaperScenario, PortViewForwardsToTheAccount) {
  PaperEnv env;
  PaperExchange ex(*env.sim, env.acct);
  Exchange& port = ex;
  env.Flat("BTCUSDT", "100000");
  EXPECT_EQ(*port.FetchMarkPrice("BTCUSDT"), P("100000"));
  auto ohlcv = port.FetchOhlcv("BTCUSDT", 5 * kMinuteMs, 0, 10);
  ASSERT_TRUE(ohlcv.ok());
  EXPECT_EQ(ohlcv->size(), 1U);
  EXPECT_FALSE(port.FetchOhlcv("BTCUSDT", kHourMs, 0, 10).ok());
  auto fr = port.FetchFundingRate("BTCUSDT");
  ASSERT_TRUE(fr.ok());
  EXPECT_EQ(fr->next_funding_time, kT0 + 8 * kHourMs);
  EXPECT_EQ(port.FetchOpenInterest("BTCUSDT").status().code(), StatusCode::kFailedPrecondition);
  OrderRequest r;
  r.client_id = ClientOrderId("p-1");
  r.symbol = "BTCUSDT";
  r.side = Side::kBuy;
  r.type = OrderType::kLimit;
  r.quantity = Q("0.01");
  r.price = P("95000");
  ASSERT_EQ(port.CreateOrder(r)->status, OrderStatus::kNew);
  EXPECT_EQ(port.FetchOpenOrders("BTCUSDT")->size(), 1U);
  auto bal = port.FetchBalance();
  ASSERT_TRUE(bal.ok());
  EXPECT_EQ(bal->wallet_balance, M("10000"));
  EXPECT_EQ(bal->initial_margin, M("95"));  // open-order margin: 950 / 10
  EXPECT_EQ(bal->available_balance, M("9905"));
  ASSERT_TRUE(port.CancelOrder("BTCUSDT", ClientOrderId("p-1")).ok());
  EXPECT_TRUE(port.FetchOpenOrders("")->empty());
  std::vector<ExecutionEvent> ev;
  EXPECT_EQ(port.PollEvents(ev, 100), 2U);
  EXPECT_EQ(ev[1].kind, EventKind::kOrderCanceled);
  EXPECT_TRUE(port.FetchPositions()->empty());
}

}  // namespace
}  // namespace aitrader::exchange::paper
