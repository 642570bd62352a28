// A real engine::Bot runs full cycles in testnet mode against BinanceExchange on the fake
// Binance (issue 12): market data → snapshot → decision → risk → entry with exchange-side
// stop-loss / take-profit (algo orders) → venue events → trade recorded; the stop triggers AT
// THE VENUE (the fake walks the candle as the mark price) and the bot records the close with
// the exchange's exit reason, the sibling cancelled; an injected failure mid-cycle (503
// "Unknown error" after the venue accepted, on the entry and on both bracket legs; -1007 or a
// client timeout after the venue accepted the entry) duplicates no order; a user-data stream
// that drops (the stop fills while it is down, or right after it is back) or whose listen key
// expires loses no close and records none twice; a venue-only reject (-4061) of the entry is a
// recorded failure with its reason.
//
// Market data (documented in docs/binance.md): the Bot reads engine::MarketData (precomputed,
// causal features). Here it is the repository's recorded BTCUSDT 5m series, and the fake
// Binance serves and walks exactly the same candles (CloseCandle of the same bar before the
// bot's OnBarClosed) — one source of candles for the bot's snapshot and the venue's fills.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <thread>

#include "core/io.hpp"
#include "engine/bot.hpp"
#include "engine/client_ids.hpp"
#include "exchange/binance/binance_exchange.hpp"
#include "exchange/binance/market_stream.hpp"
#include "exchange/paper/paper_exchange.hpp"
#include "exchange/paper/simulator.hpp"
#include "support/fake_binance.hpp"

namespace aitrader::engine {
namespace {

using exchange::binance::BinanceExchange;
using exchange::binance::BinanceExchangeOptions;

// Enters BTC long once (1500 USD at 3x), stop `stop` below, target 6% above; then holds.
class EnterOnceTight final : public DecisionSource {
 public:
  explicit EnterOnceTight(Ratio stop) : stop_(stop) {}
  std::string provider() const override { return "scripted"; }
  std::string model() const override { return "scripted"; }
  bool needs_prompt() const override { return false; }
  agent::DecisionOutcome Decide(const DecisionInput& in, CycleUsage&, const llm::CancelToken*) override {
    agent::DecisionOutcome out;
    for (const auto& s : in.coins) {
      agent::Decision d;
      d.coin = s.coin;
      const bool enter = !entered_ && s.coin == "BTC";
      d.signal = enter ? agent::Signal::kBuyToEnter : agent::Signal::kHold;
      if (enter) {
        const Price px = s.current_price;
        d.quantity = QuantityFor(Money::FromUnits(1500), px, Rounding::kTowardZero);
        d.leverage = 3;
        d.stop_loss = ApplyRatio(px, stop_);
        d.profit_target = ApplyRatio(px, *Ratio::Parse("1.06"));
        d.confidence = 0.6;
        d.invalidation_condition = "closes below 1";
        entered_ = true;
      }
      out.decisions.push_back(d);
    }
    out.attempts.emplace_back();
    return out;
  }

 private:
  Ratio stop_;
  bool entered_ = false;
};

class Recorder final : public BotObserver {
 public:
  void OnCycle(const Bot&, const CycleRecord& c) override { cycles.push_back(c); }
  void OnTradeOpened(const Bot&, const ClosedTrade& t) override { opened.push_back(t); }
  void OnTradeClosed(const Bot&, const ClosedTrade& t) override { closed.push_back(t); }
  void OnExecutionEvent(const Bot&, const exchange::ExecutionEvent& e) override { events.push_back(e); }
  void OnAlert(const Bot&, std::string_view, std::string_view kind, const std::string& m) override {
    alerts.push_back(std::string(kind) + ": " + m);
  }
  int Count(exchange::EventKind kind, const std::string& cid) const {
    int n = 0;
    for (const auto& e : events) n += e.kind == kind && e.client_id.value() == cid ? 1 : 0;
    return n;
  }
  std::vector<CycleRecord> cycles;
  std::vector<ClosedTrade> opened, closed;
  std::vector<exchange::ExecutionEvent> events;
  std::vector<std::string> alerts;
};

constexpr UnixMs kInterval = 5 * kMinuteMs;

class BinanceBotTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    instruments_ = new InstrumentTable(*InstrumentTable::LoadDefault());
    auto md = MarketData::Load(DataDir() + "/binance-usdm", {"BTCUSDT"}, kInterval, *instruments_);
    ASSERT_TRUE(md.ok()) << md.status().ToString();
    market_ = new std::shared_ptr<const MarketData>(*md);
  }
  static void TearDownTestSuite() {
    delete market_;
    delete instruments_;
  }

  void SetUp() override {
    from_ = *ParseUtc("2025-10-20");
    clock_ = std::make_unique<SimulatedClock>(from_);
    bars_ = (*market_)->Bars(from_, from_ + 3 * kDayMs, {"BTCUSDT"});
    ASSERT_GT(bars_.size(), 100u);
    testing::FakeBinanceOptions fo;
    fo.kline_interval_ms = kInterval;
    fo.symbols[0].initial_mark = bars_[0].bars[0].candle.open;
    fake_ = std::make_unique<testing::FakeBinance>(*clock_, fo);
    ASSERT_TRUE(fake_->Start().ok());
    // The history before the run, as the adapter's FetchOhlcv would back-fill it.
    std::vector<market::Candle> history;
    const auto& series = (*market_)->Find("BTCUSDT")->intraday;
    for (std::size_t i = series.LowerBound(from_ - kDayMs); i < series.LowerBound(from_); ++i) {
      history.push_back(series[i]);
    }
    fake_->AddHistory("BTCUSDT", history);
    BinanceExchangeOptions o;
    o.rest.base_url = fake_->rest_url();
    o.ws_url = fake_->ws_url();
    o.rest.http.timeout_ms = 1000;  // the timeout test's slow answer takes 2.5 s
    o.ws.reconnect_delay_ms = 20;   // the user stream comes back quickly after an outage
    o.ws.max_reconnect_delay_ms = 100;
    ex_ = std::make_unique<BinanceExchange>(o, fake_->options().api_key, exchange::binance::Secret(fake_->options().api_secret), *clock_);
    Status s = ex_->Start();
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  void TearDown() override {
    bot_.reset();
    ex_.reset();
    if (fake_) fake_->Stop();
  }

  Bot& MakeBot(Ratio stop) {
    BotConfig cfg;
    cfg.name = "testnet-bot";
    cfg.mode = TradingMode::kTestnet;
    cfg.symbols = {"BTCUSDT"};
    cfg.interval = kInterval;
    cfg.cadence = kInterval;
    cfg.risk.min_reward_risk = *Ratio::Parse("1");
    auto risk = risk::RiskEngine::Create(cfg.risk, *instruments_);
    EXPECT_TRUE(risk.ok());
    bot_ = std::make_unique<Bot>(42, cfg, *ex_, *market_, ex_->instruments(), std::make_unique<EnterOnceTight>(stop),
                                 std::move(*risk), *clock_);
    bot_->AddObserver(&rec_);
    bot_->Start(from_);
    return *bot_;
  }

  // The venue closes bar `next_` (fills and triggers at the fake), then the bot sees it.
  void Feed() {
    const market::Candle& c = bars_[next_].bars[0].candle;
    const UnixMs close = c.open_time + kInterval;
    clock_->SetMs(close);
    fake_->CloseCandle("BTCUSDT", c);
    bot_->OnBarClosed(close);
    ++next_;
  }
  // Drains venue events until pred holds (the user stream is asynchronous), with a deadline.
  bool DrainUntil(const std::function<bool()>& pred) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      bot_->ProcessVenueEvents(clock_->NowMs());
      if (pred()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return pred();
  }
  // The stream's first connection (live candles start after it).
  static bool DrainUntilStream(exchange::binance::MarketStream& s) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (s.connects() < 1 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return s.connects() >= 1;
  }
  int OpenAtVenue() const {
    int n = 0;
    for (const auto& o : fake_->Orders()) n += (o.status == "NEW" || o.status == "PARTIALLY_FILLED") ? 1 : 0;
    return n;
  }
  std::string Cid(OrderLeg leg) const { return MakeClientOrderId(42, 1, "BTC", leg).value(); }
  std::string FakeStatus(OrderLeg leg) const {
    for (const auto& o : fake_->Orders()) {
      if (o.client_id == Cid(leg)) return o.status;
    }
    return "";
  }
  Price Trigger(OrderLeg leg) const {
    for (const auto& o : fake_->Orders()) {
      if (o.client_id == Cid(leg)) return o.trigger_price;
    }
    return Price();
  }
  // A candle only the venue sees (the bot is told nothing), from the last fed close 0.1% past
  // `level` and back to it: a trigger at `level` fires. It takes the next recorded bar's slot,
  // which is skipped.
  void CloseVenueCandleThrough(Price level) {
    const market::Candle& last = bars_[next_ - 1].bars[0].candle;
    market::Candle c = last;
    c.open_time = last.open_time + kInterval;
    c.open = last.close;
    c.high = std::max(last.close, ApplyRatio(level, *Ratio::Parse("1.001")));
    c.low = std::min(last.close, ApplyRatio(level, *Ratio::Parse("0.999")));
    if (level > last.close) c.low = last.close;
    if (level < last.close) c.high = last.close;
    c.close = level;
    clock_->SetMs(c.open_time + kInterval);
    fake_->CloseCandle("BTCUSDT", c);
    ++next_;
  }
  // Exactly one order per client id of the first cycle's bracket, and nothing else.
  void ExpectOneBracketAtTheVenue() const {
    EXPECT_EQ(fake_->OrdersWithClientId(Cid(OrderLeg::kEntry)), 1);
    EXPECT_EQ(fake_->OrdersWithClientId(Cid(OrderLeg::kStopLoss)), 1);
    EXPECT_EQ(fake_->OrdersWithClientId(Cid(OrderLeg::kTakeProfit)), 1);
    EXPECT_EQ(fake_->Orders().size(), 3u);
  }
  // Later cycles hold: no new order at the venue, no second record.
  void ExpectLaterCyclesQuiet() {
    const std::size_t orders = fake_->Orders().size();
    for (int k = 0; k < 3 && next_ < bars_.size(); ++k) Feed();
    EXPECT_EQ(fake_->Orders().size(), orders);
    EXPECT_EQ(rec_.opened.size(), 1u);
    EXPECT_EQ(rec_.closed.size(), 1u);
    EXPECT_EQ(bot_->closed_trades().size(), 1u);
    EXPECT_EQ(bot_->stats().entries, 1);
  }

  // Runs the first cycle (entry) and checks the venue holds one position and its bracket.
  void EnterAndCheck() {
    Feed();
    ASSERT_EQ(bot_->stats().entries, 1) << (rec_.alerts.empty() ? "" : rec_.alerts.front());
    EXPECT_EQ(fake_->OrdersWithClientId(Cid(OrderLeg::kEntry)), 1);
    EXPECT_EQ(fake_->OrdersWithClientId(Cid(OrderLeg::kStopLoss)), 1);
    EXPECT_EQ(fake_->OrdersWithClientId(Cid(OrderLeg::kTakeProfit)), 1);
    EXPECT_EQ(fake_->Orders().size(), 3u) << "one entry, one stop-loss, one take-profit";
    EXPECT_TRUE(fake_->PositionAmt("BTCUSDT").IsPositive());
    EXPECT_EQ(OpenAtVenue(), 2);
    ASSERT_TRUE(DrainUntil([&] { return rec_.opened.size() == 1; })) << "the entry fill never reached the bot";
  }

  // Feeds bars until the venue is flat (the stop triggered there), then waits for the record.
  void RunUntilVenueCloses() {
    while (next_ < bars_.size() && fake_->PositionAmt("BTCUSDT").IsPositive()) Feed();
    ASSERT_FALSE(fake_->PositionAmt("BTCUSDT").IsPositive()) << "the stop never triggered in the data";
    ASSERT_TRUE(DrainUntil([&] { return rec_.closed.size() == 1; })) << "the venue's close was never recorded";
  }

  static InstrumentTable* instruments_;
  static std::shared_ptr<const MarketData>* market_;
  UnixMs from_ = 0;
  std::unique_ptr<SimulatedClock> clock_;
  std::vector<MergedBar> bars_;
  std::size_t next_ = 0;
  std::unique_ptr<testing::FakeBinance> fake_;
  std::unique_ptr<BinanceExchange> ex_;
  std::unique_ptr<Bot> bot_;
  Recorder rec_;
};

InstrumentTable* BinanceBotTest::instruments_ = nullptr;
std::shared_ptr<const MarketData>* BinanceBotTest::market_ = nullptr;

TEST_F(BinanceBotTest, FullCycleStopLossAtTheVenueIsRecordedAndTheTargetCancelled) {
  MakeBot(*Ratio::Parse("0.997"));  // a 0.3% stop: the recorded data reaches it within the run
  ASSERT_NO_FATAL_FAILURE(EnterAndCheck());
  const ClosedTrade open = rec_.opened[0];
  EXPECT_EQ(open.symbol, "BTCUSDT");
  EXPECT_EQ(open.side, Side::kBuy);
  EXPECT_EQ(open.quantity, fake_->Orders()[0].filled);
  ASSERT_NO_FATAL_FAILURE(RunUntilVenueCloses());
  const ClosedTrade& t = rec_.closed[0];
  EXPECT_EQ(t.exit_reason, ExitReason::kStopLoss);
  EXPECT_EQ(t.quantity, open.quantity);
  EXPECT_TRUE(t.realized_pnl.IsNegative());
  // The exit price is the stop's fill at the venue.
  Price stop_fill;
  for (const auto& o : fake_->Orders()) {
    if (o.client_id == Cid(OrderLeg::kStopLoss)) stop_fill = o.trigger_price;
  }
  EXPECT_EQ(t.exit_price, stop_fill);
  ASSERT_EQ(bot_->closed_trades().size(), 1u);
  // The sibling (take-profit) is cancelled at the venue: nothing is left working.
  for (const auto& o : fake_->Orders()) {
    if (o.client_id == Cid(OrderLeg::kTakeProfit)) {
      EXPECT_EQ(o.status, "CANCELED");
    }
  }
  EXPECT_EQ(OpenAtVenue(), 0);
  // Later cycles hold: no new orders, no second record.
  const std::size_t orders = fake_->Orders().size();
  for (int k = 0; k < 3 && next_ < bars_.size(); ++k) Feed();
  EXPECT_EQ(fake_->Orders().size(), orders);
  EXPECT_EQ(rec_.closed.size(), 1u);
}

TEST_F(BinanceBotTest, Unknown503AfterTheVenueAcceptedTheEntryDuplicatesNothing) {
  MakeBot(*Ratio::Parse("0.997"));
  testing::FakeFaultSpec f;
  f.kind = testing::FakeFault::kUnknown503AfterAccept;
  f.method = "POST";
  f.path = "/fapi/v1/order";
  fake_->PushFault(f);
  ASSERT_NO_FATAL_FAILURE(EnterAndCheck());  // exactly one entry at the venue although its answer was a 503
  ASSERT_NO_FATAL_FAILURE(RunUntilVenueCloses());
  EXPECT_EQ(rec_.closed[0].exit_reason, ExitReason::kStopLoss);
  EXPECT_EQ(fake_->OrdersWithClientId(Cid(OrderLeg::kEntry)), 1);
}

TEST_F(BinanceBotTest, Unknown503OnTheStopLossAndTheTakeProfitDuplicatesNothing) {
  MakeBot(*Ratio::Parse("0.997"));
  testing::FakeFaultSpec f;
  f.kind = testing::FakeFault::kUnknown503AfterAccept;
  f.method = "POST";
  f.path = "/fapi/v1/algoOrder";
  fake_->PushFault(f);
  fake_->PushFault(f);
  ASSERT_NO_FATAL_FAILURE(EnterAndCheck());
  ASSERT_NO_FATAL_FAILURE(RunUntilVenueCloses());
  EXPECT_EQ(rec_.closed[0].exit_reason, ExitReason::kStopLoss);
  EXPECT_EQ(OpenAtVenue(), 0);
}

TEST_F(BinanceBotTest, TimeoutAfterTheVenueAcceptedTheEntryDuplicatesNothing) {
  MakeBot(*Ratio::Parse("0.997"));
  fake_->PushFault(testing::FakeFaultSpec{testing::FakeFault::kSlowAfterAccept, "POST", "/fapi/v1/order", 0, 2500});
  ASSERT_NO_FATAL_FAILURE(EnterAndCheck());  // the client timed out; the lookup found the accepted entry: one order
  ASSERT_NO_FATAL_FAILURE(RunUntilVenueCloses());
  EXPECT_EQ(rec_.closed[0].exit_reason, ExitReason::kStopLoss);
  EXPECT_EQ(fake_->OrdersWithClientId(Cid(OrderLeg::kEntry)), 1);
  EXPECT_EQ(OpenAtVenue(), 0);
}

// -1007 "Timeout waiting for response from backend server" after the venue accepted the entry:
// the adapter looks the client id up instead of resending, so the bot records one entry, the
// venue holds one entry order, and each bracket leg is placed once.
TEST_F(BinanceBotTest, Minus1007AfterTheVenueAcceptedTheEntryDuplicatesNothing) {
  MakeBot(*Ratio::Parse("0.997"));
  const auto order_posts = fake_->requests_on("POST", "/fapi/v1/order");
  const auto algo_posts = fake_->requests_on("POST", "/fapi/v1/algoOrder");
  fake_->PushFault(testing::FakeFaultSpec{testing::FakeFault::k1007AfterAccept, "POST", "/fapi/v1/order"});
  ASSERT_NO_FATAL_FAILURE(EnterAndCheck());
  EXPECT_EQ(fake_->requests_on("POST", "/fapi/v1/order"), order_posts + 1) << "the entry was looked up, not resent";
  EXPECT_EQ(fake_->requests_on("POST", "/fapi/v1/algoOrder"), algo_posts + 2) << "stop-loss and take-profit once each";
  ASSERT_EQ(rec_.cycles.size(), 1u);
  ASSERT_FALSE(rec_.cycles[0].verdicts.empty());
  EXPECT_EQ(rec_.cycles[0].verdicts[0].action, "entered") << rec_.cycles[0].verdicts[0].detail;
  EXPECT_EQ(rec_.Count(exchange::EventKind::kOrderFilled, Cid(OrderLeg::kEntry)), 1);
  ASSERT_NO_FATAL_FAILURE(RunUntilVenueCloses());
  EXPECT_EQ(rec_.closed[0].exit_reason, ExitReason::kStopLoss);
  ExpectOneBracketAtTheVenue();
  EXPECT_EQ(OpenAtVenue(), 0);
  ExpectLaterCyclesQuiet();
}

// The user-data stream drops while the position is open and stays down (upgrades refused) while
// the bot's cycles go on; the stop triggers at the venue unheard. On reconnect the adapter
// reconciles: the stop's fill reaches the bot, which records the close once, as a stop-loss at
// the stop's price; the take-profit is cancelled; nothing is placed twice.
TEST_F(BinanceBotTest, StopLossWhileTheUserStreamIsDownIsRecordedOnceAfterReconnect) {
  MakeBot(*Ratio::Parse("0.997"));
  ASSERT_NO_FATAL_FAILURE(EnterAndCheck());
  const ClosedTrade open = rec_.opened[0];
  const auto connects = ex_->user_stream_connects();
  fake_->RefuseWebSockets(true);
  fake_->DropWebSockets();
  ASSERT_TRUE(DrainUntil([&] { return !ex_->user_stream_connected(); })) << "the stream never noticed the drop";
  while (next_ < bars_.size() && fake_->PositionAmt("BTCUSDT").IsPositive()) Feed();
  ASSERT_FALSE(fake_->PositionAmt("BTCUSDT").IsPositive()) << "the stop never triggered in the data";
  EXPECT_EQ(FakeStatus(OrderLeg::kStopLoss), "FINISHED");
  EXPECT_TRUE(rec_.closed.empty()) << "the stop filled during the outage: nothing could have told the bot yet";
  EXPECT_FALSE(ex_->user_stream_connected());

  fake_->RefuseWebSockets(false);
  ASSERT_TRUE(DrainUntil([&] { return rec_.closed.size() == 1; })) << "the stop's fill was never recorded";
  EXPECT_GT(ex_->user_stream_connects(), connects);
  const ClosedTrade& t = rec_.closed[0];
  EXPECT_EQ(t.exit_reason, ExitReason::kStopLoss);
  EXPECT_EQ(t.quantity, open.quantity);
  EXPECT_EQ(t.exit_price, Trigger(OrderLeg::kStopLoss));
  ASSERT_TRUE(DrainUntil([&] { return FakeStatus(OrderLeg::kTakeProfit) == "CANCELED"; }))
      << "the take-profit sibling was left working: " << FakeStatus(OrderLeg::kTakeProfit);
  EXPECT_EQ(OpenAtVenue(), 0);
  EXPECT_EQ(rec_.Count(exchange::EventKind::kOrderFilled, Cid(OrderLeg::kStopLoss)), 1);
  ExpectOneBracketAtTheVenue();
  ExpectLaterCyclesQuiet();
}

// The stream drops and comes back by itself; the stop triggers right after the reconnect, while
// the adapter may still be reconciling on the stream thread — so the venue can show the stop
// FINISHED to the reconciliation and deliver its events on the new stream too. Either way the
// bot sees one fill and records one close as a stop-loss; the take-profit is cancelled.
// (Which of the two reports it is varies from run to run; the reconciliation's carries no PnL,
// so the PnL is not checked here.)
TEST_F(BinanceBotTest, StopLossRightAfterAUserStreamReconnectIsRecordedOnce) {
  MakeBot(*Ratio::Parse("0.99"));
  ASSERT_NO_FATAL_FAILURE(EnterAndCheck());
  const auto connects = ex_->user_stream_connects();
  fake_->DropWebSockets();
  ASSERT_TRUE(DrainUntil([&] { return ex_->user_stream_connects() > connects && ex_->user_stream_connected(); }))
      << "the user stream did not reconnect";
  const Price stop = Trigger(OrderLeg::kStopLoss);
  ASSERT_TRUE(stop.IsPositive());
  CloseVenueCandleThrough(stop);
  ASSERT_TRUE(DrainUntil([&] { return rec_.closed.size() == 1; })) << "the stop's fill was never recorded";
  EXPECT_EQ(fake_->PositionAmt("BTCUSDT"), Quantity());
  const ClosedTrade& t = rec_.closed[0];
  EXPECT_EQ(t.exit_reason, ExitReason::kStopLoss);
  EXPECT_EQ(t.exit_price, stop);
  ASSERT_TRUE(DrainUntil([&] { return FakeStatus(OrderLeg::kTakeProfit) == "CANCELED"; }))
      << "the take-profit sibling was left working: " << FakeStatus(OrderLeg::kTakeProfit);
  EXPECT_EQ(OpenAtVenue(), 0);
  ExpectOneBracketAtTheVenue();
  ExpectLaterCyclesQuiet();
  EXPECT_EQ(rec_.Count(exchange::EventKind::kOrderFilled, Cid(OrderLeg::kStopLoss)), 1)
      << "the stop's fill reached the bot twice (the reconciliation's and the stream's)";
}

// The venue expires the listen key (listenKeyExpired, then silence on that key): the adapter
// makes a new key and reconnects, and a later exchange-side take-profit is recorded once.
TEST_F(BinanceBotTest, ExpiredListenKeyIsReplacedAndALaterTakeProfitRecordedOnce) {
  MakeBot(*Ratio::Parse("0.99"));
  ASSERT_NO_FATAL_FAILURE(EnterAndCheck());
  const auto keys = fake_->listen_keys_created();
  const auto connects = ex_->user_stream_connects();
  const auto reconciles = ex_->reconciles();
  fake_->ExpireListenKeys();
  // "Later": after the reconnect's reconciliation, so the close comes on the new stream.
  ASSERT_TRUE(DrainUntil([&] {
    return fake_->listen_keys_created() > keys && ex_->user_stream_connects() > connects &&
           ex_->user_stream_connected() && ex_->reconciles() > reconciles;
  })) << "no new listen key or no reconnect: keys " << fake_->listen_keys_created() << ", connects "
      << ex_->user_stream_connects() << ", reconciles " << ex_->reconciles();
  const Price target = Trigger(OrderLeg::kTakeProfit);
  ASSERT_TRUE(target.IsPositive());
  CloseVenueCandleThrough(target);
  ASSERT_TRUE(DrainUntil([&] { return rec_.closed.size() == 1; })) << "the take-profit's fill was never recorded";
  const ClosedTrade& t = rec_.closed[0];
  EXPECT_EQ(t.exit_reason, ExitReason::kTakeProfit);
  EXPECT_EQ(t.exit_price, target);
  EXPECT_TRUE(t.realized_pnl.IsPositive());
  EXPECT_EQ(fake_->PositionAmt("BTCUSDT"), Quantity());
  ASSERT_TRUE(DrainUntil([&] { return FakeStatus(OrderLeg::kStopLoss) == "CANCELED"; }))
      << "the stop-loss sibling was left working: " << FakeStatus(OrderLeg::kStopLoss);
  EXPECT_EQ(OpenAtVenue(), 0);
  EXPECT_EQ(rec_.Count(exchange::EventKind::kOrderFilled, Cid(OrderLeg::kTakeProfit)), 1);
  ExpectOneBracketAtTheVenue();
  ExpectLaterCyclesQuiet();
}

// A venue-only reject of the entry (-4061: the account was switched to hedge mode after the bot
// started) is a recorded failure with the port's reason, like any other reject: the cycle's
// verdict says "failed" with Binance's code, the rejected order carries the reason, nothing is
// opened and no bracket leg is sent.
TEST_F(BinanceBotTest, VenueRejectOfTheEntryIsRecordedWithItsReason) {
  MakeBot(*Ratio::Parse("0.997"));
  fake_->SetDualSidePosition(true);
  const auto algo_posts = fake_->requests_on("POST", "/fapi/v1/algoOrder");
  Feed();
  EXPECT_EQ(bot_->stats().entries, 0);
  ASSERT_EQ(rec_.cycles.size(), 1u);
  const CycleRecord& c = rec_.cycles[0];
  ASSERT_FALSE(c.verdicts.empty());
  EXPECT_EQ(c.verdicts[0].coin, "BTC");
  EXPECT_EQ(c.verdicts[0].action, "failed");
  EXPECT_NE(c.verdicts[0].detail.find("[-4061]"), std::string::npos) << c.verdicts[0].detail;
  ASSERT_EQ(c.orders.size(), 1u);
  EXPECT_EQ(c.orders[0].client_id.value(), Cid(OrderLeg::kEntry));
  EXPECT_EQ(c.orders[0].status, exchange::OrderStatus::kRejected);
  EXPECT_EQ(c.orders[0].reason, exchange::RejectReason::kPositionSideMismatch);
  ASSERT_TRUE(DrainUntil([&] { return rec_.Count(exchange::EventKind::kOrderRejected, Cid(OrderLeg::kEntry)) == 1; }));
  for (const auto& e : rec_.events) {
    if (e.kind == exchange::EventKind::kOrderRejected) {
      EXPECT_EQ(e.reason, exchange::RejectReason::kPositionSideMismatch);
    }
  }
  EXPECT_TRUE(rec_.opened.empty());
  EXPECT_EQ(fake_->Orders().size(), 0u);
  EXPECT_EQ(fake_->requests_on("POST", "/fapi/v1/algoOrder"), algo_posts);
}

TEST_F(BinanceBotTest, ExchangeSideTakeProfitIsRecordedWithItsReason) {
  // Stop 1% away; the venue's candles move up past the target (the fake is told a
  // candle the recorded data does not have, and so is nothing else: the bot only sees events).
  MakeBot(*Ratio::Parse("0.99"));
  ASSERT_NO_FATAL_FAILURE(EnterAndCheck());
  Price target;
  for (const auto& o : fake_->Orders()) {
    if (o.client_id == Cid(OrderLeg::kTakeProfit)) target = o.trigger_price;
  }
  ASSERT_TRUE(target.IsPositive());
  const market::Candle& last = bars_[next_ - 1].bars[0].candle;
  market::Candle up = last;
  up.open_time = last.open_time + kInterval;
  up.open = last.close;
  up.low = last.close;
  up.high = ApplyRatio(target, *Ratio::Parse("1.001"));
  up.close = target;
  clock_->SetMs(up.open_time + kInterval);
  fake_->CloseCandle("BTCUSDT", up);
  ASSERT_TRUE(DrainUntil([&] { return rec_.closed.size() == 1; }));
  EXPECT_EQ(rec_.closed[0].exit_reason, ExitReason::kTakeProfit);
  EXPECT_EQ(rec_.closed[0].exit_price, target);
  EXPECT_TRUE(rec_.closed[0].realized_pnl.IsPositive());
  EXPECT_EQ(fake_->PositionAmt("BTCUSDT"), Quantity());
  ASSERT_TRUE(DrainUntil([&] { return OpenAtVenue() == 0; })) << "the stop-loss sibling was not cancelled";
}

// Paper on live data: a paper bot whose simulator is fed ONLY by the adapter's kline stream
// (MarketStream on the fake Binance), not by the recorded files — the venue's fills and
// triggers happen on the candles the stream delivered, including the ones it back-filled over
// REST after a dropped connection, each exactly once and in order. (The bot's snapshot still
// comes from MarketData — the same recorded candles the fake streams; a MarketData that grows
// from the stream is not built yet, docs/binance.md.)
TEST_F(BinanceBotTest, PaperBotTradesOnStreamedCandlesAcrossADroppedStream) {
  exchange::binance::RestOptions ro;
  ro.base_url = fake_->rest_url();
  exchange::binance::RestClient rest(ro, "", exchange::binance::Secret(), exchange::binance::MakeCurlTransport(),
                                     *clock_);
  exchange::binance::MarketStreamOptions mo;
  mo.ws_url = fake_->ws_url();
  mo.symbols = {"BTCUSDT"};
  mo.interval = kInterval;
  mo.ws.reconnect_delay_ms = 20;
  mo.ws.max_reconnect_delay_ms = 50;
  exchange::binance::MarketStream stream(mo, rest);
  ASSERT_TRUE(stream.Start().ok());
  ASSERT_TRUE(DrainUntilStream(stream));

  exchange::paper::SimulatorConfig sc;
  sc.symbols = {"BTCUSDT"};
  sc.bar_interval = kInterval;
  sc.market_fill = exchange::paper::MarketFillMode::kImmediate;
  auto sim = exchange::paper::PaperSimulator::Create(*clock_, *instruments_, sc);
  ASSERT_TRUE(sim.ok());
  exchange::paper::AccountConfig ac;
  ac.deposit = Money::FromUnits(10000);
  auto acct = (*sim)->AddAccount(ac);
  ASSERT_TRUE(acct.ok());
  exchange::paper::PaperExchange paper(**sim, *acct);

  BotConfig cfg;
  cfg.name = "paper-live";
  cfg.symbols = {"BTCUSDT"};
  cfg.risk.min_reward_risk = *Ratio::Parse("1");
  auto risk = risk::RiskEngine::Create(cfg.risk, *instruments_);
  ASSERT_TRUE(risk.ok());
  Bot bot(43, cfg, paper, *market_, *instruments_, std::make_unique<EnterOnceTight>(*Ratio::Parse("0.997")),
          std::move(*risk), *clock_);
  Recorder rec;
  bot.AddObserver(&rec);
  bot.Start(from_);

  std::vector<exchange::binance::ClosedCandle> got;
  std::size_t fed = 0;
  for (std::size_t k = 0; k < 200 && rec.closed.empty(); ++k) {
    const market::Candle& c = bars_[k].bars[0].candle;
    const UnixMs close = c.open_time + kInterval;
    clock_->SetMs(close);
    if (k == 2) fake_->DropWebSockets();  // bar 2 closes while the stream is down
    fake_->CloseCandle("BTCUSDT", c);
    // Wait for the stream to deliver this bar (live or back-filled), then feed the paper venue.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (got.size() == fed && std::chrono::steady_clock::now() < deadline) {
      stream.PollCandles(got, 1000);
      if (got.size() == fed) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    ASSERT_EQ(got.size(), fed + 1) << "bar " << k << " not delivered exactly once";
    ASSERT_EQ(got[fed].candle.open_time, c.open_time);
    ASSERT_EQ(got[fed].candle.close, c.close);
    ASSERT_TRUE((*sim)->OnCandle("BTCUSDT", got[fed].candle).ok());
    ++fed;
    bot.OnBarClosed(close);
  }
  EXPECT_GE(stream.connects(), 2) << "the stream reconnected after the drop (bars fed: " << fed << ")";
  ASSERT_GT(fed, 3u);
  EXPECT_TRUE(got[2].backfilled) << "the bar closed during the outage came over REST";
  ASSERT_EQ(rec.opened.size(), 1u);
  ASSERT_EQ(rec.closed.size(), 1u) << "the paper stop never triggered on the streamed candles";
  EXPECT_EQ(rec.closed[0].exit_reason, ExitReason::kStopLoss);
  // The stop filled on a streamed candle whose low reached it.
  bool reached = false;
  for (const auto& cc : got) reached |= cc.candle.low <= rec.closed[0].exit_price;
  EXPECT_TRUE(reached);
  EXPECT_EQ(fake_->Orders().size(), 0u) << "a paper bot sends nothing to the venue";
  stream.Stop();
}

}  // namespace
}  // namespace aitrader::engine
