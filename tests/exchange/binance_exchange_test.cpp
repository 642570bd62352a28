// BinanceExchange (the port on Binance) against the fake Binance: start-up checks, MARKET/LIMIT
// entries with SL/TP on the algo endpoint, rejects (local and the venue's, with their reasons),
// cancel(-all) of both kinds, the failures that leave an order's fate unknown (no order
// duplicated or lost), the user-data stream (fills of exchange-side stops, the sibling
// cancelled, a dropped stream and an expired listen key reconciled, an order's end reported
// once), keep-alive and drift.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <thread>

#include "core/io.hpp"
#include "exchange/binance/binance_exchange.hpp"
#include "exchange/binance/convert.hpp"
#include "support/fake_binance.hpp"

namespace aitrader::exchange::binance {
namespace {

using testing::FakeBinance;
using testing::FakeFault;
using testing::FakeFaultSpec;

constexpr UnixMs kStart = 1'767'225'600'000;

Price P(std::string_view s) { return *Price::Parse(s); }
Quantity Q(std::string_view s) { return *Quantity::Parse(s); }

struct Env {
  SimulatedClock clock{kStart};
  FakeBinance fake{clock};
  std::unique_ptr<BinanceExchange> ex;
  std::vector<ExecutionEvent> events;

  explicit Env(bool start = true, std::int64_t timeout_ms = 2000) {
    EXPECT_TRUE(fake.Start().ok());
    BinanceExchangeOptions o;
    o.rest.base_url = fake.rest_url();
    o.rest.http.timeout_ms = timeout_ms;
    o.ws_url = fake.ws_url();
    o.ws.reconnect_delay_ms = 20;
    o.ws.max_reconnect_delay_ms = 100;
    ex = std::make_unique<BinanceExchange>(o, fake.options().api_key, Secret(fake.options().api_secret), clock);
    if (start) {
      Status s = ex->Start();
      EXPECT_TRUE(s.ok()) << s.ToString();
    }
  }
  ~Env() {
    ex.reset();
    fake.Stop();
  }
  // Polls events until pred holds (deadline 10 s, no fixed sleeps in the assertions).
  bool WaitFor(const std::function<bool()>& pred) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      ex->PollEvents(events, 1000);
      if (pred()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    ex->PollEvents(events, 1000);
    return pred();
  }
  int Count(EventKind kind, const std::string& cid = "") const {
    int n = 0;
    for (const auto& e : events) n += e.kind == kind && (cid.empty() || e.client_id.value() == cid) ? 1 : 0;
    return n;
  }
  bool HasPosition(const std::string& symbol, Quantity q) const {
    for (const auto& e : events) {
      if (e.kind == EventKind::kPositionChanged && e.symbol == symbol && e.position_after == q) return true;
    }
    return false;
  }
  std::string FakeStatus(const std::string& cid) const {
    for (const auto& o : fake.Orders()) {
      if (o.client_id == cid) return o.status;
    }
    return "";
  }
};

OrderRequest Market(const std::string& cid, Side side, std::string_view qty) {
  OrderRequest r;
  r.client_id = ClientOrderId(cid);
  r.symbol = "BTCUSDT";
  r.side = side;
  r.type = OrderType::kMarket;
  r.quantity = Q(qty);
  return r;
}
OrderRequest Limit(const std::string& cid, Side side, std::string_view qty, std::string_view price) {
  OrderRequest r = Market(cid, side, qty);
  r.type = OrderType::kLimit;
  r.price = P(price);
  return r;
}
OrderRequest Conditional(const std::string& cid, OrderType type, Side side, std::string_view trigger) {
  OrderRequest r;
  r.client_id = ClientOrderId(cid);
  r.symbol = "BTCUSDT";
  r.side = side;
  r.type = type;
  r.stop_price = P(trigger);
  r.close_position = true;
  return r;
}
market::Candle Bar(UnixMs t, std::string_view o, std::string_view h, std::string_view l, std::string_view c) {
  return market::Candle{t, P(o), P(h), P(l), P(c), 10.0};
}

TEST(BinanceExchange, StartRefusesHedgeMode) {
  Env env(false);
  env.fake.SetDualSidePosition(true);
  Status s = env.ex->Start();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("hedge mode"), std::string::npos) << s.message();
}

TEST(BinanceExchange, StartReadsInstrumentsFromExchangeInfo) {
  Env env;
  const Instrument* btc = env.ex->instruments().Find("BTCUSDT");
  ASSERT_NE(btc, nullptr);
  EXPECT_EQ(btc->tick_size, P("0.1"));
  EXPECT_EQ(btc->min_notional, Money::FromUnits(100));
  EXPECT_EQ(btc->max_leverage, 125);  // the first leverage bracket
  EXPECT_TRUE(env.ex->user_stream_connected());
}

TEST(BinanceExchange, EntryWithBracketAndExchangeSideStop) {
  Env env;
  ASSERT_TRUE(env.ex->SetLeverage("BTCUSDT", 5).ok());
  EXPECT_EQ(env.fake.Leverage("BTCUSDT"), 5);
  ASSERT_TRUE(env.ex->SetMarginMode("BTCUSDT", MarginMode::kIsolated).ok());
  ASSERT_TRUE(env.ex->SetMarginMode("BTCUSDT", MarginMode::kIsolated).ok());  // -4046 "no need" is success

  auto entry = env.ex->CreateOrder(Market("at1-1-BTC-e", Side::kBuy, "0.010"));
  ASSERT_TRUE(entry.ok()) << entry.status().ToString();
  EXPECT_EQ(entry->status, OrderStatus::kFilled);
  EXPECT_EQ(entry->average_price, P("50000"));
  EXPECT_EQ(env.fake.PositionAmt("BTCUSDT"), Q("0.01"));
  auto sl = env.ex->CreateOrder(Conditional("at1-1-BTC-sl", OrderType::kStopMarket, Side::kSell, "49000"));
  ASSERT_TRUE(sl.ok()) << sl.status().ToString();
  EXPECT_EQ(sl->status, OrderStatus::kNew);
  EXPECT_TRUE(sl->close_position);
  auto tp = env.ex->CreateOrder(Conditional("at1-1-BTC-tp", OrderType::kTakeProfitMarket, Side::kSell, "52000"));
  ASSERT_TRUE(tp.ok()) << tp.status().ToString();
  auto open = env.ex->FetchOpenOrders("BTCUSDT");
  ASSERT_TRUE(open.ok()) << open.status().ToString();
  EXPECT_EQ(open->size(), 2u);  // conditional orders are listed through openAlgoOrders
  auto positions = env.ex->FetchPositions();
  ASSERT_TRUE(positions.ok()) << positions.status().ToString();
  ASSERT_EQ(positions->size(), 1u);
  EXPECT_EQ((*positions)[0].leverage, 5);
  EXPECT_EQ((*positions)[0].margin_mode, MarginMode::kIsolated);
  auto fetched = env.ex->FetchOrder("BTCUSDT", ClientOrderId("at1-1-BTC-sl"));
  ASSERT_TRUE(fetched.ok()) << fetched.status().ToString();
  EXPECT_EQ(fetched->type, OrderType::kStopMarket);

  ASSERT_TRUE(env.WaitFor([&] { return env.Count(EventKind::kOrderAccepted, "at1-1-BTC-tp") == 1; }));
  EXPECT_EQ(env.Count(EventKind::kOrderFilled, "at1-1-BTC-e"), 1);

  // The mark falls through the stop at the venue: recorded, position flat, the take-profit cancelled.
  env.fake.CloseCandle("BTCUSDT", Bar(kStart, "50000", "50100", "48900", "49100"));
  ASSERT_TRUE(env.WaitFor([&] { return env.Count(EventKind::kOrderCanceled, "at1-1-BTC-tp") == 1; }));
  EXPECT_EQ(env.Count(EventKind::kOrderTriggered, "at1-1-BTC-sl"), 1);
  ASSERT_EQ(env.Count(EventKind::kOrderFilled, "at1-1-BTC-sl"), 1);
  for (const auto& e : env.events) {
    if (e.kind == EventKind::kOrderFilled && e.client_id.value() == "at1-1-BTC-sl") {
      EXPECT_EQ(e.price, P("49000"));
      EXPECT_EQ(e.quantity, Q("0.01"));
      EXPECT_EQ(e.realized_pnl, Money::FromUnits(-10));
      EXPECT_TRUE(e.fee.IsPositive());
    }
  }
  EXPECT_TRUE(env.HasPosition("BTCUSDT", Quantity()));
  EXPECT_EQ(env.fake.PositionAmt("BTCUSDT"), Quantity());
  EXPECT_EQ(env.FakeStatus("at1-1-BTC-tp"), "CANCELED");
  EXPECT_EQ(env.FakeStatus("at1-1-BTC-sl"), "FINISHED");
  for (std::size_t i = 1; i < env.events.size(); ++i) EXPECT_GT(env.events[i].seq, env.events[i - 1].seq);
}

TEST(BinanceExchange, RejectsAreData) {
  Env env;
  const auto posts = env.fake.requests_on("POST", "/fapi/v1/order");
  auto off_step = env.ex->CreateOrder(Market("r1", Side::kBuy, "0.0105"));
  ASSERT_TRUE(off_step.ok());
  EXPECT_EQ(off_step->status, OrderStatus::kRejected);
  EXPECT_EQ(off_step->reason, RejectReason::kQuantityNotStepMultiple);
  EXPECT_EQ(env.fake.requests_on("POST", "/fapi/v1/order"), posts);  // never sent (no -1111)

  auto small = env.ex->CreateOrder(Market("r2", Side::kBuy, "0.001"));  // 50 USDT < 100
  ASSERT_TRUE(small.ok());
  EXPECT_EQ(small->reason, RejectReason::kNotionalTooSmall);

  OrderRequest ro = Market("r3", Side::kSell, "0.010");
  ro.reduce_only = true;
  auto nothing = env.ex->CreateOrder(ro);
  ASSERT_TRUE(nothing.ok());
  EXPECT_EQ(nothing->reason, RejectReason::kReduceOnlyRejected);

  auto now_stop = env.ex->CreateOrder(Conditional("r4", OrderType::kStopMarket, Side::kSell, "50500"));
  ASSERT_TRUE(now_stop.ok());
  EXPECT_EQ(now_stop->reason, RejectReason::kOrderWouldTrigger);

  OrderRequest limit = Market("r5", Side::kBuy, "0.010");
  limit.type = OrderType::kLimit;
  limit.price = P("60000");  // above the PERCENT_PRICE band
  auto band = env.ex->CreateOrder(limit);
  ASSERT_TRUE(band.ok()) << band.status().ToString();
  EXPECT_EQ(band->reason, RejectReason::kPriceAboveBand);

  ASSERT_TRUE(env.WaitFor([&] { return env.Count(EventKind::kOrderRejected) == 5; }));
  EXPECT_EQ(env.fake.Orders().size(), 0u);
}

// The venue-only codes (no local check can see them): the venue answers, and the port returns
// a rejected order with the mapped reason and a kOrderRejected event carrying it.
TEST(BinanceExchange, VenueOnlyRejectsCarryTheirReason) {
  Env env;
  auto reason_of_event = [&](const std::string& cid) {
    for (const auto& e : env.events) {
      if (e.kind == EventKind::kOrderRejected && e.client_id.value() == cid) return e.reason;
    }
    return RejectReason::kNone;
  };
  auto expect_rejected = [&](const Result<Order>& o, RejectReason want, const std::string& cid) {
    ASSERT_TRUE(o.ok()) << o.status().ToString();
    EXPECT_EQ(o->status, OrderStatus::kRejected);
    EXPECT_EQ(o->reason, want) << RejectName(o->reason);
    EXPECT_EQ(o->client_id.value(), cid);
    ASSERT_TRUE(env.WaitFor([&] { return env.Count(EventKind::kOrderRejected, cid) == 1; })) << cid;
    EXPECT_EQ(reason_of_event(cid), want) << cid;
  };

  // -4016 / -4024: a LIMIT price outside the PERCENT_PRICE band (mark 50000 × 1.05 / 0.95).
  const auto posts = env.fake.requests_on("POST", "/fapi/v1/order");
  OrderRequest high = Market("v-high", Side::kBuy, "0.010");
  high.type = OrderType::kLimit;
  high.price = P("52600");
  expect_rejected(env.ex->CreateOrder(high), RejectReason::kPriceAboveBand, "v-high");
  OrderRequest low = Market("v-low", Side::kSell, "0.010");
  low.type = OrderType::kLimit;
  low.price = P("47400");
  expect_rejected(env.ex->CreateOrder(low), RejectReason::kPriceBelowBand, "v-low");
  EXPECT_EQ(env.fake.requests_on("POST", "/fapi/v1/order"), posts + 2) << "the band is the venue's check";
  // Inside the band the same orders rest.
  high.client_id = ClientOrderId("v-in");
  high.price = P("49000");
  auto in_band = env.ex->CreateOrder(high);
  ASSERT_TRUE(in_band.ok()) << in_band.status().ToString();
  EXPECT_EQ(in_band->status, OrderStatus::kNew);

  // -4061: the account was switched to hedge mode after Start (one-way orders carry no
  // positionSide = BOTH), on both endpoints.
  env.fake.SetDualSidePosition(true);
  expect_rejected(env.ex->CreateOrder(Market("v-side", Side::kBuy, "0.010")), RejectReason::kPositionSideMismatch,
                  "v-side");
  OrderRequest stop = Conditional("v-side-sl", OrderType::kStopMarket, Side::kSell, "49000");
  expect_rejected(env.ex->CreateOrder(stop), RejectReason::kPositionSideMismatch, "v-side-sl");
  env.fake.SetDualSidePosition(false);

  // -4120: CreateOrder never sends a conditional type to /fapi/v1/order (it uses the algo
  // endpoint), so the venue's answer is provoked through the adapter's REST client; the status
  // carries the reason.
  Params p;
  p.Add("symbol", "BTCUSDT").Add("side", "SELL").Add("type", "STOP_MARKET").Add("stopPrice", "49000");
  p.Add("closePosition", "true").Add("newClientOrderId", "v-4120");
  RestRequest rr;
  rr.method = "POST";
  rr.path = "/fapi/v1/order";
  rr.params = p;
  rr.security = Security::kSigned;
  rr.weight = 0;
  rr.is_order = true;
  auto body = env.ex->rest().Call(rr);
  ASSERT_FALSE(body.ok());
  EXPECT_EQ(body.status().code(), StatusCode::kRejected);
  EXPECT_EQ(RejectReasonOf(body.status()), RejectReason::kConditionalOnOrderEndpoint) << body.status().ToString();
  EXPECT_EQ(ReasonFromCode(-4120), RejectReason::kConditionalOnOrderEndpoint);

  EXPECT_EQ(env.fake.OrdersWithClientId("v-high") + env.fake.OrdersWithClientId("v-low") +
                env.fake.OrdersWithClientId("v-side") + env.fake.OrdersWithClientId("v-side-sl") +
                env.fake.OrdersWithClientId("v-4120"),
            0);
}

TEST(BinanceExchange, CancelAndCancelAllCoverBothKinds) {
  Env env;
  ASSERT_TRUE(env.ex->CreateOrder(Market("c-e", Side::kBuy, "0.010")).ok());
  OrderRequest limit = Market("c-l", Side::kBuy, "0.010");
  limit.type = OrderType::kLimit;
  limit.price = P("49500");
  auto resting = env.ex->CreateOrder(limit);
  ASSERT_TRUE(resting.ok()) << resting.status().ToString();
  EXPECT_EQ(resting->status, OrderStatus::kNew);
  ASSERT_TRUE(env.ex->CreateOrder(Conditional("c-sl", OrderType::kStopMarket, Side::kSell, "48000")).ok());
  ASSERT_TRUE(env.ex->CreateOrder(Conditional("c-tp", OrderType::kTakeProfitMarket, Side::kSell, "53000")).ok());

  auto one = env.ex->CancelOrder("BTCUSDT", ClientOrderId("c-tp"));
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  EXPECT_EQ(one->status, OrderStatus::kCanceled);
  auto unknown = env.ex->CancelOrder("BTCUSDT", ClientOrderId("nope"));
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(RejectReasonOf(unknown.status()), RejectReason::kUnknownOrder) << unknown.status().ToString();

  auto all = env.ex->CancelAllOrders("BTCUSDT");
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(all->size(), 2u);
  EXPECT_EQ(env.FakeStatus("c-l"), "CANCELED");
  EXPECT_EQ(env.FakeStatus("c-sl"), "CANCELED");
  auto open = env.ex->FetchOpenOrders("");
  ASSERT_TRUE(open.ok());
  EXPECT_TRUE(open->empty());
}

// Each failure that leaves the outcome unknown: the order exists exactly once afterwards.
TEST(BinanceExchange, UnknownOutcomesNeverDuplicateOrLose) {
  struct Case {
    FakeFault fault;
    bool algo;
  };
  const std::vector<Case> cases = {
      {FakeFault::kUnknown503AfterAccept, false}, {FakeFault::k1007AfterAccept, false}, {FakeFault::kSlowAfterAccept, false},
      {FakeFault::kUnknown503AfterAccept, true},  {FakeFault::k1007AfterAccept, true},  {FakeFault::kSlowAfterAccept, true},
  };
  int i = 0;
  for (const auto& c : cases) {
    SCOPED_TRACE(i);
    Env env(true, 300);
    if (c.algo) {
      ASSERT_TRUE(env.ex->CreateOrder(Market("u-e", Side::kBuy, "0.010")).ok());
    }
    const std::string cid = "u-" + std::to_string(i++);
    env.fake.PushFault(FakeFaultSpec{c.fault, "POST", c.algo ? "/fapi/v1/algoOrder" : "/fapi/v1/order", 0, 1500});
    auto placed = c.algo ? env.ex->CreateOrder(Conditional(cid, OrderType::kStopMarket, Side::kSell, "49000"))
                         : env.ex->CreateOrder(Market(cid, Side::kBuy, "0.010"));
    ASSERT_TRUE(placed.ok()) << placed.status().ToString();
    EXPECT_EQ(placed->client_id.value(), cid);
    EXPECT_EQ(placed->status, c.algo ? OrderStatus::kNew : OrderStatus::kFilled);
    EXPECT_EQ(env.fake.OrdersWithClientId(cid), 1);
    // A retry with the same id (the caller's) returns the same order, places nothing.
    auto again = c.algo ? env.ex->CreateOrder(Conditional(cid, OrderType::kStopMarket, Side::kSell, "49000"))
                        : env.ex->CreateOrder(Market(cid, Side::kBuy, "0.010"));
    ASSERT_TRUE(again.ok()) << again.status().ToString();
    EXPECT_EQ(again->id, placed->id);
    EXPECT_EQ(env.fake.OrdersWithClientId(cid), 1);
    EXPECT_EQ(env.fake.PositionAmt("BTCUSDT"), Q("0.01"));
  }
}

TEST(BinanceExchange, NotAcceptedIsReportedAndRetrySafe) {
  Env env(true, 300);
  env.fake.PushFault(FakeFaultSpec{FakeFault::kSlowNotAccepted, "POST", "/fapi/v1/order", 0, 1500});
  auto lost = env.ex->CreateOrder(Market("n-1", Side::kBuy, "0.010"));
  ASSERT_FALSE(lost.ok());
  EXPECT_EQ(lost.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(lost.status().message().find("not placed"), std::string::npos) << lost.status().message();
  EXPECT_EQ(env.fake.OrdersWithClientId("n-1"), 0);
  auto retry = env.ex->CreateOrder(Market("n-1", Side::kBuy, "0.010"));
  ASSERT_TRUE(retry.ok()) << retry.status().ToString();
  EXPECT_EQ(env.fake.OrdersWithClientId("n-1"), 1);
  // 503 "Service Unavailable." is a certain failure: reported, nothing placed.
  env.fake.PushFault(FakeFaultSpec{FakeFault::k503Unavailable, "POST", "/fapi/v1/order"});
  auto failed = env.ex->CreateOrder(Market("n-2", Side::kBuy, "0.010"));
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(env.fake.OrdersWithClientId("n-2"), 0);
}

TEST(BinanceExchange, DroppedStreamIsReconciledAndTheMissedStopRecorded) {
  Env env;
  ASSERT_TRUE(env.ex->CreateOrder(Market("d-e", Side::kBuy, "0.010")).ok());
  ASSERT_TRUE(env.ex->CreateOrder(Conditional("d-sl", OrderType::kStopMarket, Side::kSell, "49000")).ok());
  ASSERT_TRUE(env.ex->CreateOrder(Conditional("d-tp", OrderType::kTakeProfitMarket, Side::kSell, "52000")).ok());
  ASSERT_TRUE(env.WaitFor([&] { return env.Count(EventKind::kOrderAccepted, "d-tp") == 1; }));
  env.fake.RefuseWebSockets(true);
  env.fake.DropWebSockets();
  ASSERT_TRUE(env.WaitFor([&] { return !env.ex->user_stream_connected(); }));
  env.fake.CloseCandle("BTCUSDT", Bar(kStart, "50000", "50000", "48800", "48900"));  // nobody hears it
  env.fake.RefuseWebSockets(false);
  ASSERT_TRUE(env.WaitFor([&] { return env.Count(EventKind::kOrderFilled, "d-sl") == 1 && env.FakeStatus("d-tp") == "CANCELED"; }));
  EXPECT_GE(env.ex->user_stream_connects(), 2);
  EXPECT_TRUE(env.HasPosition("BTCUSDT", Quantity()));
  EXPECT_GE(env.Count(EventKind::kEventsDropped), 1);  // drift: the bot re-reads the venue
  bool reported = false;
  for (const auto& d : env.ex->DriftReports()) reported = reported || d.what.find("d-sl") != std::string::npos;
  EXPECT_TRUE(reported);
  EXPECT_EQ(env.Count(EventKind::kOrderFilled, "d-sl"), 1);
}

// The stream can deliver an order's end after a reconciliation reported it (the order ended
// while the reconciliation read the venue): the late events are dropped, so the port reports
// the end once. Here the late delivery is replayed by hand, deterministically.
TEST(BinanceExchange, AnEndReportedByReconciliationIsNotReportedAgain) {
  Env env;
  ASSERT_TRUE(env.ex->CreateOrder(Market("l-e", Side::kBuy, "0.010")).ok());
  ASSERT_TRUE(env.ex->CreateOrder(Conditional("l-sl", OrderType::kStopMarket, Side::kSell, "49000")).ok());
  ASSERT_TRUE(env.ex->CreateOrder(Conditional("l-tp", OrderType::kTakeProfitMarket, Side::kSell, "52000")).ok());
  ASSERT_TRUE(env.WaitFor([&] { return env.Count(EventKind::kOrderAccepted, "l-tp") == 1; }));
  env.fake.RefuseWebSockets(true);
  env.fake.DropWebSockets();
  ASSERT_TRUE(env.WaitFor([&] { return !env.ex->user_stream_connected(); }));
  env.fake.CloseCandle("BTCUSDT", Bar(kStart, "50000", "50000", "48800", "48900"));  // nobody hears it
  env.fake.RefuseWebSockets(false);
  ASSERT_TRUE(env.WaitFor([&] { return env.Count(EventKind::kOrderFilled, "l-sl") == 1 && env.FakeStatus("l-tp") == "CANCELED"; }));
  // The stop's own events, late: triggered, the fill, finished; then a marker (a funding fee).
  env.fake.PushUserEvent(R"({"e":"ALGO_UPDATE","E":2,"T":2,"o":{"caid":"l-sl","aid":1,"at":"CONDITIONAL","o":"STOP_MARKET","s":"BTCUSDT","S":"SELL","ps":"BOTH","f":"GTC","q":"0","X":"TRIGGERED","ai":"777","tp":"49000","p":"0","cp":true}})");
  env.fake.PushUserEvent(R"({"e":"ORDER_TRADE_UPDATE","E":3,"T":3,"o":{"s":"BTCUSDT","c":"l-sl-actual","S":"SELL","o":"MARKET","f":"GTC","q":"0.010","p":"0","ap":"49000","sp":"0","x":"TRADE","X":"FILLED","i":777,"l":"0.010","z":"0.010","L":"49000","N":"USDT","n":"0.196","T":3,"t":1,"m":false,"R":true,"ot":"MARKET","ps":"BOTH","rp":"-10"}})");
  env.fake.PushUserEvent(R"({"e":"ALGO_UPDATE","E":4,"T":4,"o":{"caid":"l-sl","aid":1,"at":"CONDITIONAL","o":"STOP_MARKET","s":"BTCUSDT","S":"SELL","ps":"BOTH","f":"GTC","q":"0","X":"FINISHED","ai":"777","tp":"49000","p":"0","cp":true}})");
  env.fake.PushUserEvent(R"({"e":"ACCOUNT_UPDATE","E":5,"T":5,"a":{"m":"FUNDING_FEE","B":[{"a":"USDT","wb":"9989.5","cw":"9989.5","bc":"-0.5"}],"P":[]}})");
  ASSERT_TRUE(env.WaitFor([&] { return env.Count(EventKind::kFundingPaid) == 1; }));
  EXPECT_EQ(env.Count(EventKind::kOrderFilled, "l-sl"), 1) << "the stop's end was reported twice";
  EXPECT_EQ(env.Count(EventKind::kOrderTriggered, "l-sl"), 0);
  EXPECT_EQ(env.Count(EventKind::kOrderFilled, "l-sl-actual"), 0);
  // A new order placed under the same id is the caller's: its events are reported.
  ASSERT_TRUE(env.ex->CreateOrder(Market("l-sl", Side::kBuy, "0.010")).ok());
  ASSERT_TRUE(env.WaitFor([&] { return env.Count(EventKind::kOrderFilled, "l-sl") == 2; }));
}

// A LIMIT order that fills in parts (the fake fills at most 0.004 per crossing): the first part
// while the stream is up, the rest while it is down. The reconciliation after the reconnect
// reports only the rest (the order's later trades, with their own price and fee), so the
// order's fills add up to its quantity exactly and their fees to what the venue charged.
TEST(BinanceExchange, APartlyFilledOrderFinishedWhileUnobservedIsNotCountedTwice) {
  Env env;
  env.fake.SetLimitFillCap(Q("0.004"));
  const OrderRequest limit = Limit("pf-e", Side::kBuy, "0.010", "49500");
  ASSERT_TRUE(env.ex->CreateOrder(limit).ok());
  env.fake.CloseCandle("BTCUSDT", Bar(kStart, "50000", "50000", "49400", "50000"));
  ASSERT_TRUE(env.WaitFor([&] { return env.FakeStatus("pf-e") == "PARTIALLY_FILLED" && env.Count(EventKind::kOrderFilled, "pf-e") >= 1; }));
  auto filled_events = [&] {
    Quantity q;
    Money fee;
    for (const auto& e : env.events) {
      if (e.kind == EventKind::kOrderFilled && e.client_id.value() == "pf-e") {
        q += e.quantity;
        fee += e.fee;
      }
    }
    return std::pair(q, fee);
  };
  ASSERT_TRUE(env.WaitFor([&] {
    for (const auto& o : env.fake.Orders()) {
      if (o.client_id == "pf-e") return filled_events().first == o.filled;
    }
    return false;
  }));
  const Quantity observed = filled_events().first;
  ASSERT_TRUE(observed.IsPositive() && observed < Q("0.010")) << observed.ToString();

  env.fake.RefuseWebSockets(true);
  env.fake.DropWebSockets();
  ASSERT_TRUE(env.WaitFor([&] { return !env.ex->user_stream_connected(); }));
  for (int i = 1; i <= 4 && env.FakeStatus("pf-e") != "FILLED"; ++i) {
    env.fake.CloseCandle("BTCUSDT", Bar(kStart + i * 60'000, "50000", "50000", "49400", "50000"));  // nobody hears it
  }
  ASSERT_EQ(env.FakeStatus("pf-e"), "FILLED");
  env.fake.RefuseWebSockets(false);
  ASSERT_TRUE(env.WaitFor([&] { return env.ex->user_stream_connects() >= 2 && filled_events().first >= Q("0.010"); }));
  ASSERT_TRUE(env.WaitFor([&] { return env.Count(EventKind::kEventsDropped) >= 1; }));
  const auto [quantity, fee] = filled_events();
  EXPECT_EQ(quantity, Q("0.010")) << "the part reported before the outage was reported again";
  EXPECT_EQ(fee, Money::FromUnits(10'000) - env.fake.WalletBalance()) << "the fees are the venue's, once each";
  int reconciled = 0;
  for (const auto& e : env.events) {
    if (e.kind != EventKind::kOrderFilled || e.client_id.value() != "pf-e" || e.order_status != OrderStatus::kFilled) continue;
    ++reconciled;
    EXPECT_EQ(e.quantity, Q("0.010") - observed);
    EXPECT_EQ(e.price, P("49500"));
  }
  EXPECT_EQ(reconciled, 1);
}

// The same after a restart: a new adapter learns from the store (Expect) that the order had
// filled 0.004 — the first trade — and its start's reconciliation reports only the rest.
TEST(BinanceExchange, AfterARestartOnlyTheFillsTheStoreLacksAreReported) {
  Env env;
  env.fake.SetLimitFillCap(Q("0.004"));
  const OrderRequest limit = Limit("rs-e", Side::kBuy, "0.010", "49500");
  auto placed = env.ex->CreateOrder(limit);
  ASSERT_TRUE(placed.ok());
  env.ex.reset();  // the process stops
  for (int i = 0; i < 4 && env.FakeStatus("rs-e") != "FILLED"; ++i) {
    env.fake.CloseCandle("BTCUSDT", Bar(kStart + i * 60'000, "50000", "50000", "49400", "50000"));
  }
  ASSERT_EQ(env.FakeStatus("rs-e"), "FILLED");
  BinanceExchangeOptions o;
  o.rest.base_url = env.fake.rest_url();
  o.ws_url = env.fake.ws_url();
  env.ex = std::make_unique<BinanceExchange>(o, env.fake.options().api_key, Secret(env.fake.options().api_secret), env.clock);
  Order stored = *placed;
  stored.status = OrderStatus::kPartiallyFilled;
  stored.filled_quantity = Q("0.004");  // the store recorded the first trade
  Position held;
  held.symbol = "BTCUSDT";
  held.quantity = Q("0.004");
  env.ex->Expect({held}, {stored});
  ASSERT_TRUE(env.ex->Start().ok());
  ASSERT_TRUE(env.WaitFor([&] { return env.Count(EventKind::kOrderFilled, "rs-e") == 1; }));
  for (const auto& e : env.events) {
    if (e.kind == EventKind::kOrderFilled) {
      EXPECT_EQ(e.quantity, Q("0.006")) << "only the trades after the stored one";
      EXPECT_EQ(e.price, P("49500"));
    }
  }
}

// A fill whose commission is paid in BNB (the fee discount) costs no USDT: the fill's fee is
// zero and a drift report names the commission.
TEST(BinanceExchange, ACommissionPaidInBnbIsNotCountedAsAUsdtFee) {
  Env env;
  env.fake.PushUserEvent(R"({"e":"ORDER_TRADE_UPDATE","E":3,"T":3,"o":{"s":"BTCUSDT","c":"bnb-e","S":"BUY","o":"MARKET","f":"GTC","q":"0.010","p":"0","ap":"50000","sp":"0","x":"TRADE","X":"FILLED","i":991,"l":"0.010","z":"0.010","L":"50000","N":"BNB","n":"0.0003","T":3,"t":77,"m":false,"R":false,"ot":"MARKET","ps":"BOTH","rp":"0"}})");
  ASSERT_TRUE(env.WaitFor([&] { return env.Count(EventKind::kOrderFilled, "bnb-e") == 1; }));
  for (const auto& e : env.events) {
    if (e.kind == EventKind::kOrderFilled) {
      EXPECT_TRUE(e.fee.IsZero()) << e.fee.ToString();
    }
  }
  bool reported = false;
  for (const auto& d : env.ex->DriftReports()) reported = reported || d.what.find("0.0003 BNB") != std::string::npos;
  EXPECT_TRUE(reported);
}

TEST(BinanceExchange, ExpiredListenKeyIsReplaced) {
  Env env;
  ASSERT_EQ(env.fake.listen_keys_created(), 1);
  env.fake.ExpireListenKeys();
  ASSERT_TRUE(env.WaitFor([&] { return env.fake.listen_keys_created() == 2 && env.fake.user_streams_open() >= 1 &&
                                       env.ex->user_stream_connects() >= 2; }));
  ASSERT_TRUE(env.ex->CreateOrder(Market("k-e", Side::kBuy, "0.010")).ok());
  ASSERT_TRUE(env.WaitFor([&] { return env.Count(EventKind::kOrderFilled, "k-e") == 1; }));
}

TEST(BinanceExchange, ListenKeyKeptAlive) {
  Env env;
  std::vector<ExecutionEvent> sink;
  env.ex->PollEvents(sink, 100);
  EXPECT_EQ(env.fake.requests_on("PUT", "/fapi/v1/listenKey"), 0);
  env.clock.AdvanceMs(31 * 60'000);
  env.ex->PollEvents(sink, 100);
  EXPECT_EQ(env.fake.requests_on("PUT", "/fapi/v1/listenKey"), 1);
  env.ex->PollEvents(sink, 100);
  EXPECT_EQ(env.fake.requests_on("PUT", "/fapi/v1/listenKey"), 1);
  // exchangeInfo (filters, limits) is re-read every hour.
  EXPECT_EQ(env.fake.requests_on("GET", "/fapi/v1/exchangeInfo"), 1);
  env.clock.AdvanceMs(30 * 60'000);
  env.ex->PollEvents(sink, 100);
  EXPECT_EQ(env.fake.requests_on("GET", "/fapi/v1/exchangeInfo"), 2);
  EXPECT_EQ(env.fake.requests_on("PUT", "/fapi/v1/listenKey"), 2);
}

TEST(BinanceExchange, StoreDriftRaisesEvents) {
  Env env;
  ASSERT_TRUE(env.ex->CreateOrder(Market("s-e", Side::kBuy, "0.010")).ok());
  ASSERT_TRUE(env.WaitFor([&] { return env.HasPosition("BTCUSDT", Q("0.01")); }));  // the stream's own view
  env.events.clear();
  // The caller's records say flat with no orders: the venue's position is drift.
  ASSERT_TRUE(env.ex->ReconcileWith({}, {}).ok());
  ASSERT_TRUE(env.WaitFor([&] { return env.Count(EventKind::kEventsDropped) >= 1; }));
  EXPECT_TRUE(env.HasPosition("BTCUSDT", Q("0.01")));
  ASSERT_FALSE(env.ex->DriftReports().empty());
  EXPECT_NE(env.ex->DriftReports().back().what.find("BTCUSDT position 0.01"), std::string::npos)
      << env.ex->DriftReports().back().what;
}

// Forced closes arrive as x=CALCULATED (liquidation "autoclose-", ADL "adl_autoclose"): recorded.
TEST(BinanceExchange, LiquidationAndAdlAreRecorded) {
  Env env;
  const std::string dir = std::string(AITRADER_TEST_DATA_DIR) + "/binance/";
  env.fake.PushUserEvent(*ReadFile(dir + "ws_order_update_liquidation.json"));
  env.fake.PushUserEvent(*ReadFile(dir + "order_update_adl.json"));
  env.fake.PushUserEvent(R"({"e":"ACCOUNT_UPDATE","E":1,"T":1,"a":{"m":"FUNDING_FEE","B":[{"a":"USDT","wb":"9999.5","cw":"9999.5","bc":"-0.5"}],"P":[]}})");
  ASSERT_TRUE(env.WaitFor([&] { return env.Count(EventKind::kLiquidation) == 2 && env.Count(EventKind::kFundingPaid) == 1; }));
  for (const auto& e : env.events) {
    if (e.kind == EventKind::kLiquidation && e.client_id.value() == "autoclose-1234567890123456") {
      EXPECT_EQ(e.quantity, Q("0.1"));
      EXPECT_EQ(e.price, P("50000"));
      EXPECT_EQ(e.fee, Money::FromUnits(5));
      EXPECT_EQ(e.realized_pnl, Money::FromUnits(-100));
      EXPECT_EQ(e.order_status, OrderStatus::kFilled);
    }
    if (e.kind == EventKind::kFundingPaid) {
      EXPECT_EQ(e.funding, *Money::Parse("-0.5"));
    }
  }
}

TEST(BinanceExchange, MarketDataThroughThePort) {
  Env env;
  std::vector<market::Candle> history;
  for (int i = 0; i < 5; ++i) history.push_back(Bar(kStart - (5 - i) * 60'000, "50000", "50010", "49990", "50000"));
  env.fake.AddHistory("BTCUSDT", history);
  auto candles = env.ex->FetchOhlcv("BTCUSDT", 60'000, kStart - 3 * 60'000, 10);
  ASSERT_TRUE(candles.ok()) << candles.status().ToString();
  EXPECT_EQ(candles->size(), 3u);
  auto last2 = env.ex->FetchOhlcv("BTCUSDT", 60'000, 0, 2);
  ASSERT_TRUE(last2.ok());
  ASSERT_EQ(last2->size(), 2u);
  EXPECT_EQ((*last2)[1].open_time, kStart - 60'000);
  EXPECT_EQ(env.ex->FetchOhlcv("BTCUSDT", 7 * 60'000, 0, 2).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(env.ex->FetchOhlcv("NOPEUSDT", 60'000, 0, 2).status().code(), StatusCode::kNotFound);
  auto mark = env.ex->FetchMarkPrice("BTCUSDT");
  ASSERT_TRUE(mark.ok());
  EXPECT_EQ(*mark, P("50000"));
  auto funding = env.ex->FetchFundingRate("BTCUSDT");
  ASSERT_TRUE(funding.ok());
  EXPECT_EQ(funding->rate, *Ratio::Parse("0.0001"));
  auto oi = env.ex->FetchOpenInterest("BTCUSDT");
  ASSERT_TRUE(oi.ok());
  auto balance = env.ex->FetchBalance();
  ASSERT_TRUE(balance.ok());
  EXPECT_EQ(balance->wallet_balance, Money::FromUnits(10'000));
}

}  // namespace
}  // namespace aitrader::exchange::binance
