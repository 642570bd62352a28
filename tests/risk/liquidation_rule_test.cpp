// The stop-before-liquidation rule with the tiered maintenance margin of
// data/leverage_brackets.csv (BTCUSDT tier 1 below 50,000 USDT: 0.4%, amount 0; tier 2 up to
// 600,000: 0.5%, amount 50). Numbers are hand-computed in the comments.
#include <gtest/gtest.h>

#include "risk/risk_engine.hpp"

namespace aitrader::risk {
namespace {

Price P(const char* s) { return *Price::Parse(s); }
Money M(const char* s) { return *Money::Parse(s); }
Quantity Q(const char* s) { return *Quantity::Parse(s); }

RiskEngine Make() {
  auto b = MarginBracketTable::LoadDefault();
  EXPECT_TRUE(b.ok()) << b.status().ToString();
  auto e = RiskEngine::Create(RiskLimits{}, *InstrumentTable::LoadDefault(), *b);
  EXPECT_TRUE(e.ok()) << e.status().ToString();
  return std::move(*e);
}

AccountView Account(const char* equity) {
  AccountView a;
  a.equity = a.available_margin = a.day_start_equity = a.peak_equity = M(equity);
  a.now = 1'000'000'000;
  return a;
}

// Tier 1: 0.1 BTC at 100000, 10x: margin 1000, LP = (1000 − 10000) / (0.1 × 0.004 − 0.1)
// = 90361.445783133 (notional 9036, tier 1). A stop at 90300 is past it; 90400 is not.
TEST(LiquidationRule, LongInTheFirstTier) {
  RiskEngine e = Make();
  EntryProposal p{"BTCUSDT", Side::kBuy, Q("0.1"), 10, P("100000"), P("90300"), P("120000")};
  Verdict v = e.CheckEntry(p, Account("10000"), P("100000"));
  EXPECT_TRUE(v.Has(DenialReason::kStopBeyondLiquidation)) << v.Summary();
  EXPECT_NE(v.Summary().find("liquidation price 90361.45"), std::string::npos) << v.Summary();
  p.stop_loss = P("90400");
  v = e.CheckEntry(p, Account("10000"), P("100000"));
  EXPECT_TRUE(v.approved()) << v.Summary();
}

// Tier 2: 1 BTC at 100000, 10x: margin 10000, LP = (10000 + 50 − 100000) / (0.005 − 1)
// = 90402.010050252 (notional 90402, tier 2). Tier 1 alone would say 90361.45 and let a stop at
// 90400 through; with the tiers it is denied, and 90410 passes.
TEST(LiquidationRule, LongInTheSecondTier) {
  RiskEngine e = Make();
  EntryProposal p{"BTCUSDT", Side::kBuy, Q("1"), 10, P("100000"), P("90400"), P("120000")};
  Verdict v = e.CheckEntry(p, Account("50000"), P("100000"));
  EXPECT_TRUE(v.Has(DenialReason::kStopBeyondLiquidation)) << v.Summary();
  EXPECT_EQ(v.denials.size(), 1u) << v.Summary();
  EXPECT_NE(v.Summary().find("liquidation price 90402.01"), std::string::npos) << v.Summary();
  p.stop_loss = P("90410");
  v = e.CheckEntry(p, Account("50000"), P("100000"));
  EXPECT_TRUE(v.approved()) << v.Summary();
  // Without the tiers (the instrument's first tier only) the engine would allow 90400.
  auto first_tier_only = RiskEngine::Create(RiskLimits{}, *InstrumentTable::LoadDefault());
  p.stop_loss = P("90400");
  EXPECT_TRUE(first_tier_only->CheckEntry(p, Account("50000"), P("100000")).approved());
}

// A short: 1 BTC at 100000, 10x: LP = (10000 + 50 + 100000) / (0.005 + 1) = 110050 / 1.005
// = 109502.487562189 (rounded down; 109502.49 in the message). A stop at 109600 is past it; 109500 is not.
TEST(LiquidationRule, ShortInTheSecondTier) {
  RiskEngine e = Make();
  EntryProposal p{"BTCUSDT", Side::kSell, Q("1"), 10, P("100000"), P("109600"), P("80000")};
  Verdict v = e.CheckEntry(p, Account("50000"), P("100000"));
  EXPECT_TRUE(v.Has(DenialReason::kStopBeyondLiquidation)) << v.Summary();
  EXPECT_NE(v.Summary().find("liquidation price 109502.49"), std::string::npos) << v.Summary();
  p.stop_loss = P("109500");
  v = e.CheckEntry(p, Account("50000"), P("100000"));
  EXPECT_TRUE(v.approved()) << v.Summary();
  EXPECT_EQ(ToString(DenialReason::kStopBeyondLiquidation), "stop_beyond_liquidation");
}

// 1x cannot be liquidated long (LP 0): any stop below the price passes this rule.
TEST(LiquidationRule, UnleveragedLongHasNoLiquidationPrice) {
  RiskEngine e = Make();
  EntryProposal p{"BTCUSDT", Side::kBuy, Q("0.1"), 1, P("100000"), P("1000"), P("300000")};
  Verdict v = e.CheckEntry(p, Account("20000"), P("100000"));
  EXPECT_FALSE(v.Has(DenialReason::kStopBeyondLiquidation)) << v.Summary();
}

}  // namespace
}  // namespace aitrader::risk
