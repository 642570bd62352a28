// Wire DTOs and conversion against Binance's recorded bodies (tests/data/binance/), the signing
// vectors, and malformed bodies.
#include <gtest/gtest.h>

#include <map>

#include <boost/json.hpp>

#include "core/io.hpp"
#include "exchange/binance/convert.hpp"
#include "exchange/binance/signing.hpp"
#include "exchange/binance/wire.hpp"

namespace aitrader::exchange::binance {
namespace {

std::string Fixture(const std::string& name) {
  auto r = ReadFile(std::string(AITRADER_TEST_DATA_DIR) + "/binance/" + name);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : std::string();
}

Price P(std::string_view s) { return *Price::Parse(s); }
Quantity Q(std::string_view s) { return *Quantity::Parse(s); }
Money M(std::string_view s) { return *Money::Parse(s); }
Ratio R(std::string_view s) { return *Ratio::Parse(s); }

TEST(BinanceSigning, ReferenceVectors) {
  namespace json = boost::json;
  const json::value v = json::parse(Fixture("signing_vectors.json"));
  int checked = 0;
  for (const auto& vec : v.at("vectors").as_array()) {
    const auto& o = vec.as_object();
    const std::string secret(o.at("secret").as_string().c_str());
    if (o.contains("payload")) {
      EXPECT_EQ(HmacSha256Hex(secret, std::string(o.at("payload").as_string().c_str())),
                std::string(o.at("signature").as_string().c_str()));
      ++checked;
    } else {
      // Mixed query + body: the two concatenated with no '&' (the docs' value needs their typo).
      const std::string msg = std::string(o.at("query").as_string().c_str()) + std::string(o.at("body").as_string().c_str());
      EXPECT_EQ(HmacSha256Hex(secret, msg), "30baaf0fab549bbeda7f5ef201898b34122da25fd23c646cac2c529aebe670a4");
      EXPECT_NE(HmacSha256Hex(secret, msg), std::string(o.at("doc_signature").as_string().c_str()));
      ++checked;
    }
  }
  EXPECT_EQ(checked, 3);
  // futures_rest_spec.md vectors 2 (percent-encoded non-ASCII symbol) and 4 (ccxt).
  EXPECT_EQ(HmacSha256Hex("NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j",
                          "symbol=" + PercentEncode("１２３４５６") +
                              "&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559"),
            "e1353ec6b14d888f1164ae9af8228a3dbd508bc82eb867db8ab6046442f33ef3");
  EXPECT_EQ(HmacSha256Hex("secretsecret", "timestamp=1702887258875&recvWindow=10000"),
            "a9795caccb458e83f728210d51abeb6c51d5e6b67ced6562a9f4839910e189fd");
}

TEST(BinanceSigning, ParamsEncodeAndDecode) {
  Params p;
  p.Add("symbol", "BTCUSDT").Add("list", "[\"a\",\"b\"]");
  EXPECT_EQ(p.Encode(), "symbol=BTCUSDT&list=%5B%22a%22%2C%22b%22%5D");
  std::vector<std::pair<std::string, std::string>> out;
  ASSERT_TRUE(DecodeParams(p.Encode(), &out));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[1].second, "[\"a\",\"b\"]");
  EXPECT_FALSE(DecodeParams("a=%2", &out));
  EXPECT_FALSE(DecodeParams("a=%zz", &out));
  Secret s("abc");
  EXPECT_EQ(s.Redacted(), "(3 chars)");
}

TEST(BinanceWire, ExchangeInfoFilters) {
  auto info = ParseExchangeInfo(Fixture("exchange_info.json"));
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  const SymbolInfo* btc = info->Find("BTCUSDT");
  ASSERT_NE(btc, nullptr);
  EXPECT_EQ(btc->tick_size, P("0.10"));
  EXPECT_EQ(btc->min_price, P("402"));
  EXPECT_EQ(btc->step_size, Q("0.001"));
  EXPECT_EQ(btc->min_qty, Q("0.001"));
  EXPECT_EQ(btc->max_qty, Q("1000"));
  EXPECT_EQ(btc->min_notional, M("10"));
  EXPECT_EQ(btc->multiplier_up, R("1.1"));
  EXPECT_EQ(btc->multiplier_down, R("0.5454"));
  EXPECT_EQ(btc->max_num_algo_orders, 10);
  EXPECT_EQ(btc->liquidation_fee, R("0.012"));
  ASSERT_EQ(info->rate_limits.size(), 3u);
  EXPECT_EQ(info->rate_limits[0].type, "REQUEST_WEIGHT");
  EXPECT_EQ(info->rate_limits[0].limit, 6000);
  EXPECT_EQ(info->rate_limits[2].WindowMs(), 10'000);
  const Instrument ins = ToInstrument(*btc, nullptr);
  EXPECT_EQ(ins.base, "BTC");
  EXPECT_EQ(ins.maint_margin_rate, R("0.025"));
}

TEST(BinanceWire, ExchangeInfoWithoutTickIsAnError) {
  const std::string body =
      R"({"serverTime":1,"rateLimits":[],"symbols":[{"symbol":"X","status":"TRADING","baseAsset":"X","quoteAsset":"USDT",)"
      R"("filters":[{"filterType":"LOT_SIZE","stepSize":"1","minQty":"1","maxQty":"9"}]}]})";
  auto info = ParseExchangeInfo(body);
  ASSERT_FALSE(info.ok());
  EXPECT_NE(info.status().message().find("PRICE_FILTER"), std::string::npos) << info.status().message();
}

TEST(BinanceWire, LeverageBracketsArrayAndObject) {
  const std::string one =
      R"({"symbol":"ETHUSDT","notionalCoef":1.5,"brackets":[{"bracket":1,"initialLeverage":75,"notionalCap":10000,)"
      R"("notionalFloor":0,"maintMarginRatio":0.0065,"cum":0.0},{"bracket":2,"initialLeverage":50,"notionalCap":50000,)"
      R"("notionalFloor":10000,"maintMarginRatio":0.0075,"cum":10}]})";
  auto b = ParseLeverageBrackets(one);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  ASSERT_EQ(b->size(), 1u);
  ASSERT_EQ((*b)[0].brackets.size(), 2u);
  EXPECT_EQ((*b)[0].brackets[0].maint_margin_ratio, R("0.0065"));
  EXPECT_EQ((*b)[0].brackets[1].cum, M("10"));
  EXPECT_EQ((*b)[0].brackets[1].notional_floor, M("10000"));
  auto arr = ParseLeverageBrackets("[" + one + "," + one + "]");
  ASSERT_TRUE(arr.ok());
  EXPECT_EQ(arr->size(), 2u);
  EXPECT_FALSE(ParseLeverageBrackets(R"({"symbol":"ETHUSDT"})").ok());
}

TEST(BinanceWire, MarketData) {
  auto k = ParseKlines(Fixture("klines.json"));
  ASSERT_TRUE(k.ok()) << k.status().ToString();
  ASSERT_EQ(k->size(), 1u);
  EXPECT_EQ((*k)[0].open_time, 1499040000000);
  EXPECT_EQ((*k)[0].open, P("0.01634790"));
  EXPECT_EQ((*k)[0].high, P("0.8"));
  EXPECT_EQ((*k)[0].close_time, 1499644799999);
  EXPECT_EQ((*k)[0].trades, 308);
  EXPECT_DOUBLE_EQ((*k)[0].volume, 148976.11427815);
  EXPECT_EQ(ToCandle((*k)[0]).close, P("0.015771"));

  auto pi = ParsePremiumIndex(Fixture("premium_index.json"));
  ASSERT_TRUE(pi.ok()) << pi.status().ToString();
  EXPECT_EQ(pi->mark_price, P("11793.63104562"));
  EXPECT_EQ(pi->last_funding_rate, R("0.00038246"));
  EXPECT_EQ(pi->next_funding_time, 1597392000000);

  auto fr = ParseFundingRates(Fixture("funding_rate.json"));
  ASSERT_TRUE(fr.ok()) << fr.status().ToString();
  ASSERT_EQ(fr->size(), 2u);
  EXPECT_EQ((*fr)[0].funding_rate, R("-0.0375"));
  EXPECT_TRUE((*fr)[0].mark_price.IsZero());

  auto oi = ParseOpenInterest(Fixture("open_interest.json"));
  ASSERT_TRUE(oi.ok());
  EXPECT_EQ(oi->open_interest, Q("10659.509"));

  auto dual = ParsePositionModeDual(Fixture("position_side_dual.json"));
  ASSERT_TRUE(dual.ok());
  EXPECT_TRUE(*dual);
}

TEST(BinanceWire, OrdersAndAlgoOrders) {
  auto o = ParseOrder(Fixture("order_response.json"));
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  auto order = ToOrder(*o);
  ASSERT_TRUE(order.ok()) << order.status().ToString();
  EXPECT_EQ(order->id.value(), 12345678);
  EXPECT_EQ(order->client_id.value(), "testOrder123");
  EXPECT_EQ(order->type, OrderType::kLimit);
  EXPECT_EQ(order->status, OrderStatus::kNew);
  EXPECT_EQ(order->price, P("50000"));
  EXPECT_EQ(order->quantity, Q("0.001"));

  auto algos = ParseAlgoOrders(Fixture("open_algo_orders.json"));
  ASSERT_TRUE(algos.ok()) << algos.status().ToString();
  ASSERT_EQ(algos->size(), 1u);
  auto algo = ToOrder((*algos)[0]);
  ASSERT_TRUE(algo.ok()) << algo.status().ToString();
  EXPECT_EQ(algo->type, OrderType::kStopMarket);
  EXPECT_EQ(algo->stop_price, P("45000"));
  EXPECT_EQ(algo->client_id.value(), "test-algo-order-1");

  auto placed = ParseAlgoOrder(Fixture("new_algo_order.json"));
  ASSERT_TRUE(placed.ok()) << placed.status().ToString();
  EXPECT_EQ(placed->order_type, "TAKE_PROFIT");
  EXPECT_EQ(placed->trigger_price, P("750"));
  // TAKE_PROFIT (a limit take-profit) is not a type aitrader trades: a clear error.
  auto conv = ToOrder(*placed);
  ASSERT_FALSE(conv.ok());
  EXPECT_NE(conv.status().message().find("TAKE_PROFIT"), std::string::npos);
}

TEST(BinanceWire, AccountAndPositions) {
  auto a = ParseAccount(Fixture("account_v2.json"));
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  const Balance b = ToBalance(*a);
  EXPECT_EQ(b.wallet_balance, M("23.72469206"));
  EXPECT_EQ(b.available_balance, M("23.72469206"));
  ASSERT_EQ(a->assets.size(), 1u);

  auto v2 = ParsePositionRisk(Fixture("position_risk_v2.json"));
  ASSERT_TRUE(v2.ok()) << v2.status().ToString();
  auto pos = ToPosition((*v2)[0]);
  ASSERT_TRUE(pos.ok());
  EXPECT_EQ(pos->quantity, Q("0.001"));
  EXPECT_EQ(pos->leverage, 20);
  EXPECT_EQ(pos->liquidation_price, P("45000"));
  EXPECT_EQ(pos->margin_mode, MarginMode::kCross);

  auto v3 = ParsePositionRisk(Fixture("position_risk_v3.json"));
  ASSERT_TRUE(v3.ok()) << v3.status().ToString();
  EXPECT_EQ((*v3)[0].maint_margin, M("0.0800428"));

  auto hedge = ParsePositionRisk(Fixture("positions_hedge.json"));
  ASSERT_TRUE(hedge.ok()) << hedge.status().ToString();
  auto refused = ToPosition((*hedge)[0]);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("hedge mode"), std::string::npos);
}

TEST(BinanceWire, UserDataEvents) {
  auto trade = ParseUserDataEvent(Fixture("order_update_trade.json"));
  ASSERT_TRUE(trade.ok()) << trade.status().ToString();
  const auto& u = std::get<OrderTradeUpdate>(*trade);
  EXPECT_EQ(u.execution_type, "TRADE");
  EXPECT_EQ(u.last_filled_price, P("7100.5"));
  EXPECT_EQ(u.commission, M("0.01"));
  EXPECT_EQ(u.realized_profit, M("12.34"));
  EXPECT_TRUE(u.maker);

  auto algo = ParseUserDataEvent(Fixture("algo_update_new.json"));
  ASSERT_TRUE(algo.ok()) << algo.status().ToString();
  EXPECT_EQ(std::get<AlgoUpdate>(*algo).status, "NEW");
  EXPECT_EQ(std::get<AlgoUpdate>(*algo).algo_id, 2148719);
  auto canceled = ParseUserDataEvent(Fixture("algo_update_canceled.json"));
  ASSERT_TRUE(canceled.ok());
  EXPECT_EQ(std::get<AlgoUpdate>(*canceled).status, "CANCELED");

  auto acct = ParseUserDataEvent(Fixture("account_update.json"));
  ASSERT_TRUE(acct.ok()) << acct.status().ToString();
  const auto& au = std::get<AccountUpdate>(*acct);
  EXPECT_EQ(au.reason, "ORDER");
  ASSERT_EQ(au.positions.size(), 3u);
  EXPECT_EQ(au.positions[2].position_amt, Q("-10"));
  EXPECT_EQ(au.balances[0].wallet_balance, M("122624.12345678"));

  // "E" as a string, in the combined-stream envelope.
  auto expired = ParseUserDataEvent(R"({"stream":"k","data":{"e":"listenKeyExpired","E":"1576653824250","listenKey":"abc"}})");
  ASSERT_TRUE(expired.ok()) << expired.status().ToString();
  EXPECT_EQ(std::get<ListenKeyExpired>(*expired).event_time, 1576653824250);
  auto other = ParseUserDataEvent(R"({"e":"TRADE_LITE","E":1})");
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(std::get<OtherUserEvent>(*other).name, "TRADE_LITE");
}

TEST(BinanceWire, MarketEvents) {
  auto k = ParseMarketEvent(Fixture("kline_stream_closed.json"));
  ASSERT_TRUE(k.ok()) << k.status().ToString();
  const auto& ke = std::get<KlineEvent>(*k);
  EXPECT_TRUE(ke.closed);
  EXPECT_EQ(ke.interval, "1m");
  EXPECT_EQ(ke.kline.high, P("0.0025"));
  auto m = ParseMarketEvent(Fixture("mark_price_stream.json"));
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(std::get<MarkPriceEvent>(*m).mark_price, P("11794.15"));
  EXPECT_EQ(std::get<MarkPriceEvent>(*m).funding_rate, R("0.00038167"));
}

TEST(BinanceWire, MalformedBodiesAreClearErrors) {
  struct Case {
    std::string body;
    std::string expect;
  };
  const std::vector<Case> cases = {
      {"", "not JSON"},
      {"{\"symbol\":", "not JSON"},
      {"[]", "not an object"},
      {R"({"orderId":1,"clientOrderId":"a","symbol":"BTCUSDT","status":"NEW","type":"LIMIT","side":"BUY","origQty":"1.2.3"})", "origQty"},
      {R"({"orderId":1,"clientOrderId":"a","symbol":"BTCUSDT","status":"NEW","type":"LIMIT","side":"BUY","origQty":"0.0000000001"})", "origQty"},
      {R"({"orderId":"x1","clientOrderId":"a","symbol":"BTCUSDT","status":"NEW","type":"LIMIT","side":"BUY","origQty":"1"})", "orderId"},
      {R"({"clientOrderId":"a"})", "orderId"},
      {R"({"orderId":1,"clientOrderId":"a","symbol":"BTCUSDT","status":"NEW","type":"LIMIT","side":"BUY","origQty":"99999999999"})", "origQty"},
  };
  for (const auto& c : cases) {
    auto r = ParseOrder(c.body);
    ASSERT_FALSE(r.ok()) << c.body;
    EXPECT_EQ(r.status().code(), StatusCode::kParseError);
    EXPECT_NE(r.status().message().find(c.expect), std::string::npos) << r.status().message();
  }
  // An error body where a list was expected names the venue's code.
  auto l = ParseOrders(R"({"code":-1021,"msg":"Timestamp for this request is outside of the recvWindow."})");
  ASSERT_FALSE(l.ok());
  EXPECT_NE(l.status().message().find("-1021"), std::string::npos);
  EXPECT_FALSE(ParseKlines(R"([[1,"1","2","0.5","1.5","10",2,"1",1,"1","1","0"],[1,"1","2","0.5","1.5","10",2,"1",1,"1","1","0"]])").ok());
  EXPECT_FALSE(ParseKlines(R"([[1,"1","0.5","2","1.5","10",2,"1",1,"1","1","0"]])").ok());  // high < low
  EXPECT_FALSE(ParseKlines(R"([[1,"1"]])").ok());
  EXPECT_FALSE(ParseUserDataEvent(R"({"e":"ORDER_TRADE_UPDATE","E":1,"o":{"s":"BTCUSDT"}})").ok());
  EXPECT_FALSE(ParseMarketEvent(R"({"e":"kline","E":1,"s":"X","k":{"t":1}})").ok());
  EXPECT_FALSE(ParseExchangeInfo(std::string(kMaxBodyBytes + 1, ' ')).ok());
}

TEST(BinanceWire, ErrorBodiesRecorded) {
  namespace json = boost::json;
  const json::value v = json::parse(Fixture("errors_recorded.json"));
  int parsed = 0;
  for (const auto& e : v.at("errors").as_array()) {
    const auto& o = e.as_object();
    if (!o.contains("body")) continue;
    auto err = ParseApiError(std::string(o.at("body").as_string().c_str()));
    ASSERT_TRUE(err.ok()) << err.status().ToString();
    EXPECT_EQ(err->code, o.at("code").as_int64());
    EXPECT_FALSE(err->msg.empty());
    ++parsed;
  }
  EXPECT_GE(parsed, 10);
  EXPECT_EQ(ReasonFromCode(-2019), RejectReason::kMarginInsufficient);
  EXPECT_EQ(ReasonFromCode(-4164), RejectReason::kNotionalTooSmall);
  EXPECT_EQ(ReasonFromCode(-4061), RejectReason::kPositionSideMismatch);
  EXPECT_EQ(ReasonFromCode(-4016), RejectReason::kPriceAboveBand);
  EXPECT_EQ(ReasonFromCode(-4024), RejectReason::kPriceBelowBand);
  EXPECT_EQ(ReasonFromCode(-4120), RejectReason::kConditionalOnOrderEndpoint);
  EXPECT_FALSE(ReasonFromCode(-4118).has_value());  // reduce-only orders already cover the position: unmapped
  Status s = ApiErrorStatus(ApiError{-2022, "ReduceOnly Order is rejected."}, "close BTCUSDT");
  EXPECT_EQ(RejectReasonOf(s), RejectReason::kReduceOnlyRejected);
}

// The recorded bodies of the venue-only rejects (-4061 position side, -4120 conditional type on
// /fapi/v1/order) become the port's reasons, and the port's message is Binance's own text.
TEST(BinanceWire, RecordedVenueOnlyRejectsMapToTheirReasons) {
  namespace json = boost::json;
  const json::value v = json::parse(Fixture("errors_recorded.json"));
  std::map<std::int64_t, std::string> bodies;
  for (const auto& e : v.at("errors").as_array()) {
    const auto& o = e.as_object();
    if (o.contains("body")) bodies[o.at("code").as_int64()] = std::string(o.at("body").as_string().c_str());
  }
  for (auto [code, want] : {std::pair{-4061, RejectReason::kPositionSideMismatch},
                            std::pair{-4120, RejectReason::kConditionalOnOrderEndpoint}}) {
    SCOPED_TRACE(code);
    ASSERT_TRUE(bodies.count(code)) << "errors_recorded.json has no body for " << code;
    auto err = ParseApiError(bodies[code]);
    ASSERT_TRUE(err.ok()) << err.status().ToString();
    EXPECT_EQ(err->code, code);
    EXPECT_EQ(err->msg, RejectMessage(want));
    const Status s = ApiErrorStatus(*err, "POST /fapi/v1/order");
    EXPECT_EQ(s.code(), StatusCode::kRejected);
    EXPECT_EQ(ReasonFromCode(err->code), want);
    EXPECT_EQ(RejectReasonOf(s), want) << s.ToString();
  }
  // Every recorded code the port maps round-trips through the Status.
  for (const auto& [code, body] : bodies) {
    auto err = ParseApiError(body);
    ASSERT_TRUE(err.ok());
    const auto reason = ReasonFromCode(err->code);
    if (reason) {
      EXPECT_EQ(RejectCode(*reason), code);
      EXPECT_EQ(RejectReasonOf(ApiErrorStatus(*err, "")), reason) << body;
    }
  }
}

TEST(BinanceWire, FormatsAtTickAndStep) {
  SymbolInfo s;
  s.symbol = "DOGEUSDT";
  s.tick_size = P("0.00001");
  s.step_size = Q("1");
  EXPECT_EQ(*FormatPrice(P("0.35"), s), "0.35000");
  EXPECT_EQ(*FormatQuantity(Q("120"), s), "120");
  // The float formatting that gave users -1111 cannot happen: off-tick values are refused.
  auto bad = FormatPrice(P("0.349999999"), s);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("tick"), std::string::npos);
  EXPECT_FALSE(FormatQuantity(Q("1.5"), s).ok());
  s.tick_size = P("0.10");
  s.step_size = Q("0.001");
  EXPECT_EQ(*FormatPrice(P("110001"), s), "110001.0");
  EXPECT_EQ(*FormatQuantity(Q("0.2"), s), "0.200");
  EXPECT_EQ(StepDecimals(Price::FromUnits(10).raw()), 0);
}

// GET /fapi/v1/userTrades, the body of Binance's documentation (Account Trade List): every
// decimal exact, the commission with the venue's sign.
TEST(BinanceWire, UserTradesAreExact) {
  auto trades = ParseUserTrades(R"([{"buyer":false,"commission":"-0.07819010","commissionAsset":"USDT","id":698759,
    "maker":false,"orderId":25851813,"price":"7819.01","qty":"0.002","quoteQty":"15.63802",
    "realizedPnl":"-0.91539999","side":"SELL","positionSide":"SHORT","symbol":"BTCUSDT","time":1569514978020}])");
  ASSERT_TRUE(trades.ok()) << trades.status().message();
  ASSERT_EQ(trades->size(), 1u);
  const UserTradeDto& t = trades->front();
  EXPECT_EQ(t.id, 698759);
  EXPECT_EQ(t.order_id, 25851813);
  EXPECT_EQ(t.symbol, "BTCUSDT");
  EXPECT_EQ(t.side, "SELL");
  EXPECT_EQ(t.price.ToString(), "7819.01");
  EXPECT_EQ(t.qty.ToString(), "0.002");
  EXPECT_EQ(t.quote_qty.ToString(), "15.63802");
  EXPECT_EQ(t.commission.ToString(), "-0.0781901");
  EXPECT_EQ(t.commission_asset, "USDT");
  EXPECT_EQ(t.realized_pnl.ToString(), "-0.91539999");
  EXPECT_FALSE(t.maker);
  EXPECT_EQ(t.time, 1569514978020);
  // A field of the wrong shape is named with its place.
  auto bad = ParseUserTrades(R"([{"id":1,"orderId":2,"symbol":"BTCUSDT","side":"BUY","price":"12,5","qty":"1",
    "commission":"0","commissionAsset":"USDT","realizedPnl":"0","time":1}])");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("price"), std::string::npos) << bad.status().message();
  EXPECT_FALSE(ParseUserTrades(R"({"code":-1102})").ok());
}

}  // namespace
}  // namespace aitrader::exchange::binance
