// Every reject path of the paper exchange, with Binance's code.
#include <gtest/gtest.h>

#include "exchange/paper_env.hpp"

namespace aitrader::exchange::paper {
namespace {

using testing::CountKind;
using testing::M;
using testing::P;
using testing::PaperEnv;
using testing::Q;

OrderRequest Req(const char* id, OrderType type, Side side, const char* qty) {
  OrderRequest r;
  r.client_id = ClientOrderId(id);
  r.symbol = "BTCUSDT";
  r.type = type;
  r.side = side;
  r.quantity = Q(qty);
  return r;
}

class PaperReject : public ::testing::Test {
 protected:
  void SetUp() override { env.Flat("BTCUSDT", "100000"); }
  // Places r and expects a rejection with Binance's code, recorded and announced.
  void ExpectReject(const OrderRequest& r, int code) {
    auto o = env.sim->CreateOrder(env.acct, r);
    ASSERT_TRUE(o.ok()) << o.status().ToString();
    EXPECT_EQ(o->status, OrderStatus::kRejected) << r.client_id.value();
    EXPECT_EQ(RejectCode(o->reason), code) << r.client_id.value() << ": " << RejectMessage(o->reason);
    auto ev = env.Events();
    ASSERT_FALSE(ev.empty());
    EXPECT_EQ(ev.back().kind, EventKind::kOrderRejected);
    EXPECT_EQ(RejectCode(ev.back().reason), code);
    auto open = env.sim->FetchOpenOrders(env.acct, "");
    ASSERT_TRUE(open.ok());
    for (const Order& o2 : *open) EXPECT_NE(o2.client_id, r.client_id);
    EXPECT_TRUE(env.sim->SelfCheck(env.acct).ok());
  }
  PaperEnv env;
};

TEST_F(PaperReject, UnknownSymbol) {
  auto r = Req("r1", OrderType::kMarket, Side::kBuy, "0.01");
  r.symbol = "FOOUSDT";
  ExpectReject(r, -1121);
}

TEST_F(PaperReject, IllegalClientOrderId) { ExpectReject(Req("bad id!", OrderType::kMarket, Side::kBuy, "0.01"), -1100); }

TEST_F(PaperReject, QuantityNotPositive) { ExpectReject(Req("r1", OrderType::kMarket, Side::kBuy, "0"), -4003); }

TEST_F(PaperReject, QuantityOffStep) { ExpectReject(Req("r1", OrderType::kMarket, Side::kBuy, "0.0015"), -4023); }

TEST_F(PaperReject, QuantityBelowMin) {
  // An instrument whose minimum quantity is larger than its step.
  auto table = InstrumentTable::ParseCsv(
      "symbol,base,quote,tick_size,step_size,min_qty,min_notional,max_leverage,maint_margin_rate,maint_amount,"
      "liquidation_fee_rate\nTESTUSDT,TEST,USDT,0.01,0.1,1,5,20,0.01,0,0.015\n",
      "test");
  ASSERT_TRUE(table.ok());
  SimulatedClock clock(testing::kT0);
  SimulatorConfig cfg;
  cfg.symbols = {"TESTUSDT"};
  auto sim = PaperSimulator::Create(clock, *table, cfg);
  ASSERT_TRUE(sim.ok());
  AccountConfig ac;
  ac.deposit = M("1000");
  AccountIndex a = *(*sim)->AddAccount(ac);
  ASSERT_TRUE((*sim)->OnCandle("TESTUSDT", {testing::kT0, P("10"), P("10"), P("10"), P("10"), 1}).ok());
  auto r = Req("r1", OrderType::kMarket, Side::kBuy, "0.5");
  r.symbol = "TESTUSDT";
  auto o = (*sim)->CreateOrder(a, r);
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(RejectCode(o->reason), -4004);
}

TEST_F(PaperReject, PriceOffTick) {
  auto r = Req("r1", OrderType::kLimit, Side::kBuy, "0.01");
  r.price = P("99000.05");
  ExpectReject(r, -4014);
}

TEST_F(PaperReject, StopPriceOffTick) {
  auto r = Req("r1", OrderType::kStopMarket, Side::kBuy, "0.01");
  r.stop_price = P("101000.01");
  ExpectReject(r, -4014);
}

TEST_F(PaperReject, LimitWithoutPrice) { ExpectReject(Req("r1", OrderType::kLimit, Side::kBuy, "0.01"), -1102); }

TEST_F(PaperReject, NegativePrice) {
  auto r = Req("r1", OrderType::kLimit, Side::kBuy, "0.01");
  r.price = P("-1");
  ExpectReject(r, -4001);
}

TEST_F(PaperReject, StopWithoutTrigger) { ExpectReject(Req("r1", OrderType::kStopMarket, Side::kSell, "0.01"), -1102); }

TEST_F(PaperReject, NegativeStopPrice) {
  auto r = Req("r1", OrderType::kStopMarket, Side::kSell, "0.01");
  r.stop_price = P("-5");
  ExpectReject(r, -4006);
}

TEST_F(PaperReject, NotionalTooSmall) {
  // 0.001 × 99000 = 99 < 100 (BTCUSDT's minimum notional).
  auto r = Req("r1", OrderType::kLimit, Side::kBuy, "0.001");
  r.price = P("99000");
  ExpectReject(r, -4164);
}

TEST_F(PaperReject, NotionalTooSmallDoesNotApplyToReduceOnly) {
  env.Market("open", "BTCUSDT", Side::kBuy, "0.01");
  env.Bar("BTCUSDT", "100000", "100000", "100000", "100000");
  auto r = Req("r1", OrderType::kMarket, Side::kSell, "0.001");  // 100 notional would pass anyway
  r.reduce_only = true;
  auto lim = Req("r2", OrderType::kLimit, Side::kSell, "0.001");
  lim.price = P("99000");  // 99 < 100 but reduce-only
  lim.reduce_only = true;
  EXPECT_EQ(env.Place(lim).status, OrderStatus::kNew);
}

TEST_F(PaperReject, MarginInsufficient) {
  // 1 BTC at 100000 needs 10000 of initial margin at 10x plus the fee: 10000 is not enough.
  ExpectReject(Req("r1", OrderType::kMarket, Side::kBuy, "1"), -2019);
  // 0.99 BTC: margin 9900 + fee 49.5 fits.
  EXPECT_EQ(env.Market("r2", "BTCUSDT", Side::kBuy, "0.99").status, OrderStatus::kNew);
  // Open orders reserve margin: a second one does not fit any more.
  ExpectReject(Req("r3", OrderType::kMarket, Side::kBuy, "0.02"), -2019);
}

TEST_F(PaperReject, MarginInsufficientAtLowerLeverage) {
  ASSERT_TRUE(env.sim->SetLeverage(env.acct, "BTCUSDT", 2).ok());
  ExpectReject(Req("r1", OrderType::kMarket, Side::kBuy, "0.2"), -2019);  // 20000 / 2 = 10000 + fee
  EXPECT_EQ(env.Market("r2", "BTCUSDT", Side::kBuy, "0.19").status, OrderStatus::kNew);
}

TEST_F(PaperReject, StopWouldImmediatelyTrigger) {
  auto r = Req("r1", OrderType::kStopMarket, Side::kSell, "0.01");
  r.stop_price = P("100500");  // sell stop above the mark
  ExpectReject(r, -2021);
  auto tp = Req("r2", OrderType::kTakeProfitMarket, Side::kSell, "0.01");
  tp.stop_price = P("99000");  // sell take-profit below the mark
  ExpectReject(tp, -2021);
}

TEST_F(PaperReject, ReduceOnlyWithoutPosition) {
  auto r = Req("r1", OrderType::kMarket, Side::kSell, "0.01");
  r.reduce_only = true;
  ExpectReject(r, -2022);
}

TEST_F(PaperReject, ReduceOnlyThatWouldIncrease) {
  env.Market("open", "BTCUSDT", Side::kBuy, "0.01");
  env.Bar("BTCUSDT", "100000", "100000", "100000", "100000");
  auto r = Req("r1", OrderType::kMarket, Side::kBuy, "0.01");  // buying more of a long
  r.reduce_only = true;
  ExpectReject(r, -2022);
  auto sl = Req("r2", OrderType::kStopMarket, Side::kBuy, "0");
  sl.quantity = Quantity::Zero();
  sl.stop_price = P("101000");
  sl.close_position = true;  // a buy close-position on a long
  ExpectReject(sl, -2022);
}

TEST_F(PaperReject, ClosePositionWithQuantity) {
  auto r = Req("r1", OrderType::kStopMarket, Side::kSell, "0.01");
  r.stop_price = P("99000");
  r.close_position = true;
  ExpectReject(r, -1106);
}

TEST_F(PaperReject, TimeInForceOnMarket) {
  auto r = Req("r1", OrderType::kMarket, Side::kBuy, "0.01");
  r.time_in_force = TimeInForce::kIoc;
  ExpectReject(r, -4000);
}

TEST_F(PaperReject, PostOnlyWouldTake) {
  auto r = Req("r1", OrderType::kLimit, Side::kBuy, "0.01");
  r.price = P("100100");
  r.time_in_force = TimeInForce::kGtx;
  ExpectReject(r, -5022);
}

TEST_F(PaperReject, TooManyOpenOrders) {
  SimulatorConfig cfg;
  cfg.max_open_orders = 2;
  PaperEnv small({"BTCUSDT"}, M("10000"), cfg);
  small.Flat("BTCUSDT", "100000");
  small.Limit("a", "BTCUSDT", Side::kBuy, "0.01", "90000");
  small.Limit("b", "BTCUSDT", Side::kBuy, "0.01", "90000");
  Order c = small.Limit("c", "BTCUSDT", Side::kBuy, "0.01", "90000");
  EXPECT_EQ(RejectCode(c.reason), -2025);
}

TEST_F(PaperReject, LeverageOutOfRange) {
  for (int lev : {0, 11, 20, 125}) {
    Status s = env.sim->SetLeverage(env.acct, "BTCUSDT", lev);
    ASSERT_FALSE(s.ok());
    ASSERT_TRUE(RejectReasonOf(s).has_value()) << s.ToString();
    EXPECT_EQ(RejectCode(*RejectReasonOf(s)), -4028) << lev;
  }
  // An account capped lower than 10.
  AccountConfig low;
  low.deposit = M("1000");
  low.max_leverage = 3;
  AccountIndex a = *env.sim->AddAccount(low);
  EXPECT_EQ(RejectCode(*RejectReasonOf(env.sim->SetLeverage(a, "BTCUSDT", 4))), -4028);
  EXPECT_TRUE(env.sim->SetLeverage(a, "BTCUSDT", 3).ok());
  // And an account can never be configured above the hard cap.
  AccountConfig high;
  high.max_leverage = 20;
  EXPECT_FALSE(env.sim->AddAccount(high).ok());
}

TEST_F(PaperReject, LeverageLoweredBelowOpenPosition) {
  env.Market("open", "BTCUSDT", Side::kBuy, "0.5");  // 50000 notional on 10000
  env.Bar("BTCUSDT", "100000", "100000", "100000", "100000");
  Status s = env.sim->SetLeverage(env.acct, "BTCUSDT", 4);  // would need 12500
  EXPECT_EQ(RejectCode(*RejectReasonOf(s)), -2028);
  EXPECT_TRUE(env.sim->SetLeverage(env.acct, "BTCUSDT", 6).ok());
  EXPECT_EQ(env.Pos("BTCUSDT").leverage, 6);
}

TEST_F(PaperReject, MarginModeWithPositionOrOrders) {
  env.Limit("o1", "BTCUSDT", Side::kBuy, "0.01", "90000");
  EXPECT_EQ(RejectCode(*RejectReasonOf(env.sim->SetMarginMode(env.acct, "BTCUSDT", MarginMode::kIsolated))), -4047);
  ASSERT_TRUE(env.sim->CancelAllOrders(env.acct, "BTCUSDT").ok());
  env.Market("open", "BTCUSDT", Side::kBuy, "0.01");
  env.Bar("BTCUSDT", "100000", "100000", "100000", "100000");
  EXPECT_EQ(RejectCode(*RejectReasonOf(env.sim->SetMarginMode(env.acct, "BTCUSDT", MarginMode::kIsolated))), -4048);
  EXPECT_TRUE(env.sim->SetMarginMode(env.acct, "BTCUSDT", MarginMode::kCross).ok());  // already cross
}

TEST_F(PaperReject, CancelAndFetchUnknownOrder) {
  auto c = env.sim->CancelOrder(env.acct, "BTCUSDT", ClientOrderId("nope"));
  EXPECT_EQ(RejectCode(*RejectReasonOf(c.status())), -2011);
  auto f = env.sim->FetchOrder(env.acct, ClientOrderId("nope"));
  EXPECT_EQ(RejectCode(*RejectReasonOf(f.status())), -2013);
  // A filled order cannot be cancelled either.
  env.Market("m", "BTCUSDT", Side::kBuy, "0.01");
  env.Bar("BTCUSDT", "100000", "100000", "100000", "100000");
  EXPECT_EQ(RejectCode(*RejectReasonOf(env.sim->CancelOrder(env.acct, "BTCUSDT", ClientOrderId("m")).status())), -2011);
}

TEST_F(PaperReject, MarginInsufficientAtFillExpiresTheOrder) {
  // Accepted at the mark, but the next open gaps up 30%: the fill would breach 10x.
  env.Market("big", "BTCUSDT", Side::kBuy, "0.95");
  env.Bar("BTCUSDT", "130000", "130000", "130000", "130000");
  Order o = env.Get("big");
  EXPECT_EQ(o.status, OrderStatus::kExpired);
  EXPECT_EQ(RejectCode(o.reason), -2019);
  EXPECT_TRUE(env.Pos("BTCUSDT").quantity.IsZero());
}

TEST_F(PaperReject, NoMarketDataIsAnErrorNotAReject) {
  PaperEnv fresh;
  auto o = fresh.sim->CreateOrder(fresh.acct, Req("r1", OrderType::kMarket, Side::kBuy, "0.01"));
  EXPECT_EQ(o.status().code(), StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace aitrader::exchange::paper
