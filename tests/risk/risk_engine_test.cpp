// Each hard rule with a case that passes and one that is denied.
#include "risk/risk_engine.hpp"

#include <gtest/gtest.h>

namespace aitrader::risk {
namespace {

Price P(const char* s) { return *Price::Parse(s); }
Money M(const char* s) { return *Money::Parse(s); }
Quantity Q(const char* s) { return *Quantity::Parse(s); }

class RiskTest : public ::testing::Test {
 protected:
  void SetUp() override { engine_ = Make(RiskLimits{}); }
  static RiskEngine Make(RiskLimits limits) {
    auto e = RiskEngine::Create(std::move(limits), *InstrumentTable::LoadDefault());
    EXPECT_TRUE(e.ok()) << e.status().ToString();
    return std::move(*e);
  }
  // A sound BTC long: notional 1,000, risk 20 + fees 1, reward 50 − fees 1.
  static EntryProposal Long() {
    return {"BTCUSDT", Side::kBuy, Q("0.01"), 5, P("100000"), P("98000"), P("105000")};
  }
  static AccountView Account() {
    AccountView a;
    a.equity = a.available_margin = a.day_start_equity = a.peak_equity = M("10000");
    a.now = 1'000'000'000;
    return a;
  }
  Verdict Check(const EntryProposal& p, const AccountView& a = Account(), const char* mark = "100000") {
    return engine_->CheckEntry(p, a, P(mark));
  }
  std::optional<RiskEngine> engine_;
};

TEST_F(RiskTest, ASoundEntryIsApproved) {
  Verdict v = Check(Long());
  EXPECT_TRUE(v.approved()) << v.Summary();
  auto s = Long();
  s.side = Side::kSell;
  s.stop_loss = P("102000");
  s.take_profit = P("95000");
  EXPECT_TRUE(Check(s).approved()) << Check(s).Summary();
}

TEST_F(RiskTest, LeverageNeverAboveTen) {
  auto p = Long();
  p.leverage = 10;
  EXPECT_TRUE(Check(p).approved());
  p.leverage = 11;
  Verdict v = Check(p);
  EXPECT_TRUE(v.Has(DenialReason::kLeverageOutOfRange)) << v.Summary();
  EXPECT_NE(v.Summary().find("BTC: leverage 11 outside 1..10"), std::string::npos) << v.Summary();
  p.leverage = 0;
  EXPECT_TRUE(Check(p).Has(DenialReason::kLeverageOutOfRange));
  RiskLimits too_high;
  too_high.max_leverage = 20;
  EXPECT_FALSE(RiskEngine::Create(too_high, *InstrumentTable::LoadDefault()).ok());
  RiskLimits lower;
  lower.max_leverage = 3;
  auto e = Make(lower);
  p.leverage = 4;
  EXPECT_TRUE(e.CheckEntry(p, Account(), P("100000")).Has(DenialReason::kLeverageOutOfRange));
  p.leverage = 3;
  EXPECT_TRUE(e.CheckEntry(p, Account(), P("100000")).approved());
}

TEST_F(RiskTest, NotionalIsCappedByEquity) {
  auto p = Long();
  p.quantity = Q("0.3");  // 30,000 = 3 × equity: allowed
  p.leverage = 10;
  EXPECT_FALSE(Check(p).Has(DenialReason::kNotionalTooLarge));
  p.quantity = Q("0.301");
  EXPECT_TRUE(Check(p).Has(DenialReason::kNotionalTooLarge));
}

TEST_F(RiskTest, MarginMustCoverTheEntryAndFees) {
  auto p = Long();  // margin 200 + fees 1
  auto a = Account();
  a.available_margin = M("201");
  EXPECT_FALSE(Check(p, a).Has(DenialReason::kInsufficientMargin)) << Check(p, a).Summary();
  a.available_margin = M("200.99");
  EXPECT_TRUE(Check(p, a).Has(DenialReason::kInsufficientMargin));
}

TEST_F(RiskTest, StopLossPresentAndOnTheRightSide) {
  auto p = Long();
  p.stop_loss.reset();
  EXPECT_TRUE(Check(p).Has(DenialReason::kStopLossMissing));
  p = Long();
  p.stop_loss = P("100500");
  EXPECT_TRUE(Check(p).Has(DenialReason::kStopLossWrongSide));
  auto s = Long();
  s.side = Side::kSell;
  s.stop_loss = P("99000");
  s.take_profit = P("95000");
  EXPECT_TRUE(Check(s).Has(DenialReason::kStopLossWrongSide));
  // A long stop below the price but above the mark would trigger at once.
  p = Long();
  p.price = P("100500");
  p.stop_loss = P("100200");
  p.take_profit = P("110000");
  EXPECT_TRUE(Check(p, Account(), "100100").Has(DenialReason::kStopLossWrongSide));
}

TEST_F(RiskTest, TakeProfitOnTheRightSide) {
  auto p = Long();
  p.take_profit = P("99000");
  EXPECT_TRUE(Check(p).Has(DenialReason::kTakeProfitWrongSide));
}

TEST_F(RiskTest, RewardRiskAfterFees) {
  auto p = Long();
  // risk 20 + 1 = 21 → needs reward ≥ 31.5: target 103250 gives 32.5 − 1 = 31.5 (passes).
  p.take_profit = P("103250");
  EXPECT_TRUE(Check(p).approved()) << Check(p).Summary();
  p.take_profit = P("103249");
  Verdict v = Check(p);
  EXPECT_TRUE(v.Has(DenialReason::kRewardRiskTooLow)) << v.Summary();
  p.take_profit.reset();
  EXPECT_TRUE(Check(p).Has(DenialReason::kRewardRiskTooLow));
}

TEST_F(RiskTest, MaxOpenPositionsAndNoPyramiding) {
  auto a = Account();
  a.open_symbols = {"ETHUSDT", "SOLUSDT", "BNBUSDT", "XRPUSDT", "DOGEUSDT"};
  EXPECT_TRUE(Check(Long(), a).approved());
  a.open_symbols.push_back("ADAUSDT");
  EXPECT_TRUE(Check(Long(), a).Has(DenialReason::kMaxOpenPositions));
  a = Account();
  a.open_symbols = {"BTCUSDT"};
  EXPECT_TRUE(Check(Long(), a).Has(DenialReason::kPositionAlreadyOpen));
}

TEST_F(RiskTest, DailyLossLimitOnlyAllowsCloses) {
  auto a = Account();
  a.equity = M("9500.01");  // lost 499.99 < 5%
  EXPECT_FALSE(Check(Long(), a).Has(DenialReason::kDailyLossLimit));
  EXPECT_EQ(engine_->StateFor(a), TradingState::kActive);
  a.equity = M("9500");
  EXPECT_TRUE(Check(Long(), a).Has(DenialReason::kDailyLossLimit));
  EXPECT_EQ(engine_->StateFor(a), TradingState::kReducing);
  a.open_symbols = {"BTCUSDT"};
  EXPECT_TRUE(engine_->CheckClose("BTC", a).approved());
}

TEST_F(RiskTest, DrawdownReducesThenHalts) {
  auto a = Account();
  a.peak_equity = M("20000");
  a.day_start_equity = M("17000");
  a.equity = M("17001");  // 14.995% below peak
  EXPECT_EQ(engine_->StateFor(a), TradingState::kActive);
  EXPECT_TRUE(Check(Long(), a).approved());
  a.equity = M("17000");
  EXPECT_EQ(engine_->StateFor(a), TradingState::kReducing);
  EXPECT_TRUE(Check(Long(), a).Has(DenialReason::kDrawdownReducing));
  a.day_start_equity = M("15000");
  a.equity = M("15000");
  EXPECT_EQ(engine_->StateFor(a), TradingState::kHalted);
  EXPECT_TRUE(Check(Long(), a).Has(DenialReason::kHalted));
}

TEST_F(RiskTest, PriceSanityAgainstMark) {
  auto p = Long();
  EXPECT_TRUE(Check(p, Account(), "98040").approved()) << Check(p, Account(), "98040").Summary();
  EXPECT_TRUE(Check(p, Account(), "98000").Has(DenialReason::kPriceInsane));
}

TEST_F(RiskTest, SymbolWhitelist) {
  RiskLimits l;
  l.symbol_whitelist = {"ETH", "SOLUSDT"};
  auto e = Make(l);
  EXPECT_TRUE(e.CheckEntry(Long(), Account(), P("100000")).Has(DenialReason::kSymbolNotAllowed));
  auto p = Long();
  p.symbol = "PEPEUSDT";
  EXPECT_TRUE(Check(p).Has(DenialReason::kSymbolNotAllowed));
  l.symbol_whitelist = {"NOPE"};
  EXPECT_FALSE(RiskEngine::Create(l, *InstrumentTable::LoadDefault()).ok());
}

TEST_F(RiskTest, CoolDownAfterALoss) {
  auto a = Account();
  a.last_loss_at = {{"BTCUSDT", a.now - 29 * kMinuteMs}};
  EXPECT_TRUE(Check(Long(), a).Has(DenialReason::kCoolDown));
  a.last_loss_at = {{"BTCUSDT", a.now - 30 * kMinuteMs}};
  EXPECT_TRUE(Check(Long(), a).approved());
  a.last_loss_at = {{"ETHUSDT", a.now}};
  EXPECT_TRUE(Check(Long(), a).approved());
}

TEST_F(RiskTest, QuantityMustMeetTheInstrumentMinimums) {
  auto p = Long();
  p.quantity = Q("0");
  EXPECT_TRUE(Check(p).Has(DenialReason::kInvalidQuantity));
  p.quantity = Q("0.0009");
  EXPECT_TRUE(Check(p).Has(DenialReason::kInvalidQuantity));
  p.quantity = Q("0.001");  // notional 100 = BTC's minimum
  p.take_profit = P("106000");
  EXPECT_FALSE(Check(p).Has(DenialReason::kInvalidQuantity)) << Check(p).Summary();
}

TEST_F(RiskTest, CloseNeedsAPosition) {
  auto a = Account();
  Verdict v = engine_->CheckClose("ETHUSDT", a);
  EXPECT_TRUE(v.Has(DenialReason::kNoPositionToClose));
  EXPECT_NE(v.Summary().find("ETH: no open position"), std::string::npos);
}

TEST_F(RiskTest, EveryFailedRuleIsListed) {
  auto p = Long();
  p.leverage = 50;
  p.stop_loss.reset();
  p.symbol = "ETH";
  p.price = P("100000");
  auto a = Account();
  a.open_symbols = {"ETHUSDT"};
  Verdict v = engine_->CheckEntry(p, a, P("3000"));
  EXPECT_TRUE(v.Has(DenialReason::kLeverageOutOfRange));
  EXPECT_TRUE(v.Has(DenialReason::kStopLossMissing));
  EXPECT_TRUE(v.Has(DenialReason::kPositionAlreadyOpen));
  EXPECT_TRUE(v.Has(DenialReason::kPriceInsane));
}


// Issue 9 item 1: a model's untrusted magnitudes must become denials, never a fixed-point
// abort. 100000 "BTC" (dollars given as coins) at ~114k is 11.4 billion of notional: more than
// Money can hold (9.2 billion), which used to abort in Notional().
TEST_F(RiskTest, AbsurdMagnitudesAreDeniedNotAborted) {
  struct Case {
    const char* what;
    EntryProposal p;
    const char* mark;
  };
  auto with_qty = [](const char* q) {
    EntryProposal p = Long();
    p.quantity = Q(q);
    p.price = P("113975.5");
    p.stop_loss = P("112000");
    p.take_profit = P("118000");
    return p;
  };
  std::vector<Case> cases = {
      {"100000 BTC (dollars as coins)", with_qty("100000"), "113975.5"},
      {"the largest quantity", with_qty("9223372036.854775807"), "113975.5"},
      {"a tiny quantity", with_qty("0.000000001"), "113975.5"},
  };
  {
    EntryProposal p = Long();  // a short whose stop is near the top of the range
    p.side = Side::kSell;
    p.quantity = Q("1");
    p.stop_loss = P("9223372036.854775807");
    p.take_profit = P("95000");
    cases.push_back({"a stop at the top of the range", p, "100000"});
  }
  {
    EntryProposal p = Long();
    p.take_profit = P("9223372036.854775807");
    p.quantity = Q("5");
    cases.push_back({"a target at the top of the range", p, "100000"});
  }
  {
    EntryProposal p = Long();
    p.leverage = 1'000'000'000;
    p.quantity = Q("1000");
    cases.push_back({"leverage 1e9", p, "100000"});
  }
  {
    EntryProposal p = Long();
    p.price = P("9223372036.854775807");
    p.stop_loss = P("9000000000");
    p.take_profit = std::nullopt;
    p.quantity = Q("2");
    cases.push_back({"a price at the top of the range", p, "9223372036.854775807"});
  }
  AccountView rich = Account();
  rich.equity = rich.available_margin = rich.day_start_equity = rich.peak_equity = Money::Max();
  for (const auto& c : cases) {
    for (const AccountView& a : {Account(), rich}) {
      Verdict v = engine_->CheckEntry(c.p, a, P(c.mark));
      EXPECT_FALSE(v.approved()) << c.what;
      for (const auto& d : v.denials) EXPECT_FALSE(d.message.empty()) << c.what;
    }
  }
  // The dollars-as-coins case says why.
  Verdict v = Check(with_qty("100000"), Account(), "113975.5");
  EXPECT_TRUE(v.Has(DenialReason::kNotionalTooLarge)) << v.Summary();
  EXPECT_NE(v.Summary().find("100000"), std::string::npos) << v.Summary();
}

// A stop or target absurdly far from the mark is denied (it would overflow tick rounding or
// the reward:risk arithmetic downstream).
TEST_F(RiskTest, ExitPricesFarFromTheMarkAreDenied) {
  auto p = Long();
  p.take_profit = P("100000000");  // 1000 x the price
  EXPECT_TRUE(Check(p).Has(DenialReason::kPriceInsane)) << Check(p).Summary();
  p = Long();
  p.stop_loss = P("0.000000001");
  EXPECT_TRUE(Check(p).Has(DenialReason::kPriceInsane)) << Check(p).Summary();
  EXPECT_TRUE(Check(Long()).approved());
}

}  // namespace
}  // namespace aitrader::risk
