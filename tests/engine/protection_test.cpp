// Every open position keeps its stop (issue 9, items 3 and 4): when the venue drops a
// stop-loss or take-profit (expired, cancelled by a cross liquidation of another symbol,
// rejected), the bot re-places it, or closes the position at market when it would trigger at
// once or cannot be placed, and alerts; the prompt shows only the stops working at the venue;
// an insurance-fund credit reaches the trade's net PnL.
#include <gtest/gtest.h>

#include "core/io.hpp"
#include "engine/bot.hpp"
#include "exchange/paper/paper_exchange.hpp"
#include "exchange/paper/simulator.hpp"

namespace aitrader::engine {
namespace {

using exchange::EventKind;
using exchange::Order;
using exchange::OrderStatus;

// Enters BTC and ETH long on its first decision (BTC: notional btc_usd at btc_leverage; ETH:
// 1500 at 3x), stops 3% below, targets 6% above; then holds.
class EnterOnce final : public DecisionSource {
 public:
  EnterOnce(Money btc_usd, int btc_leverage) : btc_usd_(btc_usd), btc_leverage_(btc_leverage) {}
  std::string provider() const override { return "scripted"; }
  std::string model() const override { return "scripted"; }
  bool needs_prompt() const override { return false; }
  agent::DecisionOutcome Decide(const DecisionInput& in, CycleUsage&, const llm::CancelToken*) override {
    agent::DecisionOutcome out;
    for (const auto& s : in.coins) {
      agent::Decision d;
      d.coin = s.coin;
      const bool enter = !entered_ && (s.coin == "BTC" || s.coin == "ETH");
      d.signal = enter ? agent::Signal::kBuyToEnter : agent::Signal::kHold;
      if (enter) {
        const Price px = s.current_price;
        d.quantity = QuantityFor(s.coin == "BTC" ? btc_usd_ : Money::FromUnits(1500), px, Rounding::kTowardZero);
        d.leverage = s.coin == "BTC" ? btc_leverage_ : 3;
        d.stop_loss = ApplyRatio(px, *Ratio::Parse("0.97"));
        d.profit_target = ApplyRatio(px, *Ratio::Parse("1.06"));
        d.confidence = 0.6;
        d.invalidation_condition = "closes below 1";
      }
      out.decisions.push_back(d);
    }
    entered_ = true;
    out.attempts.emplace_back();
    return out;
  }

 private:
  Money btc_usd_;
  int btc_leverage_;
  bool entered_ = false;
};

// The paper venue, with two faults a real venue can show: it can expire an order (the event
// reports kOrderExpired, as the simulator did to a stop evaluated before its entry filled), and
// refuse new stop-loss / take-profit orders.
class FaultyVenue final : public exchange::Exchange {
 public:
  FaultyVenue(exchange::paper::PaperSimulator& sim, exchange::paper::AccountIndex a) : inner_(sim, a), sim_(sim), a_(a) {}
  void Expire(const std::string& symbol, const ClientOrderId& id) {
    ASSERT_TRUE(sim_.CancelOrder(a_, symbol, id).ok());
    expire_.push_back(id.value());
  }
  bool reject_stops = false, reject_take_profits = false;

  Result<std::vector<market::Candle>> FetchOhlcv(std::string_view s, UnixMs i, UnixMs since, std::size_t n) override {
    return inner_.FetchOhlcv(s, i, since, n);
  }
  Result<exchange::Ticker> FetchTicker(std::string_view s) override { return inner_.FetchTicker(s); }
  Result<Price> FetchMarkPrice(std::string_view s) override { return inner_.FetchMarkPrice(s); }
  Result<exchange::FundingRateInfo> FetchFundingRate(std::string_view s) override { return inner_.FetchFundingRate(s); }
  Result<exchange::OpenInterest> FetchOpenInterest(std::string_view s) override { return inner_.FetchOpenInterest(s); }
  Result<exchange::Balance> FetchBalance() override { return inner_.FetchBalance(); }
  Result<std::vector<exchange::Position>> FetchPositions() override { return inner_.FetchPositions(); }
  Result<std::vector<Order>> FetchOpenOrders(std::string_view s) override { return inner_.FetchOpenOrders(s); }
  Result<Order> FetchOrder(std::string_view s, const ClientOrderId& id) override { return inner_.FetchOrder(s, id); }
  Result<Order> CreateOrder(const exchange::OrderRequest& r) override {
    if ((reject_stops && r.type == OrderType::kStopMarket) ||
        (reject_take_profits && r.type == OrderType::kTakeProfitMarket)) {
      Order o;
      o.client_id = r.client_id;
      o.symbol = r.symbol;
      o.type = r.type;
      o.status = OrderStatus::kRejected;
      o.reason = exchange::RejectReason::kTooManyOpenOrders;
      return o;
    }
    return inner_.CreateOrder(r);
  }
  Result<Order> CancelOrder(std::string_view s, const ClientOrderId& id) override { return inner_.CancelOrder(s, id); }
  Result<std::vector<Order>> CancelAllOrders(std::string_view s) override { return inner_.CancelAllOrders(s); }
  Status SetLeverage(std::string_view s, int l) override { return inner_.SetLeverage(s, l); }
  Status SetMarginMode(std::string_view s, MarginMode m) override { return inner_.SetMarginMode(s, m); }
  std::size_t PollEvents(std::vector<exchange::ExecutionEvent>& out, std::size_t max_events) override {
    const std::size_t from = out.size();
    const std::size_t n = inner_.PollEvents(out, max_events);
    for (std::size_t i = from; i < out.size(); ++i) {
      auto& e = out[i];
      if (e.kind == EventKind::kOrderCanceled &&
          std::find(expire_.begin(), expire_.end(), e.client_id.value()) != expire_.end()) {
        e.kind = EventKind::kOrderExpired;
        e.order_status = OrderStatus::kExpired;
        e.reason = exchange::RejectReason::kReduceOnlyRejected;
      }
    }
    return n;
  }

 private:
  exchange::paper::PaperExchange inner_;
  exchange::paper::PaperSimulator& sim_;
  exchange::paper::AccountIndex a_;
  std::vector<std::string> expire_;
};

class Alerts final : public BotObserver {
 public:
  void OnAlert(const Bot&, std::string_view, std::string_view kind, const std::string& message) override {
    kinds.emplace_back(kind);
    messages.push_back(std::string(kind) + ": " + message);
  }
  bool Has(const std::string& k) const { return std::find(kinds.begin(), kinds.end(), k) != kinds.end(); }
  std::vector<std::string> kinds, messages;
};

class ProtectionTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // The bundled rules, with BTC's clearance fee lowered to 0.1% (below its 0.4% maintenance
    // rate) so a cross liquidation of BTC leaves the ETH position margin-compliant.
    auto text = ReadFile(DataDir() + "/instruments.csv");
    ASSERT_TRUE(text.ok());
    std::string csv = *text;
    const std::string btc = "BTCUSDT,BTC,USDT,0.10,0.001,0.001,100,125,0.004,0,0.0125";
    ASSERT_NE(csv.find(btc), std::string::npos);
    csv.replace(csv.find(btc), btc.size(), "BTCUSDT,BTC,USDT,0.10,0.001,0.001,100,125,0.004,0,0.001");
    instruments_ = new InstrumentTable(*InstrumentTable::ParseCsv(csv, "test"));
    auto md = MarketData::Load(DataDir() + "/binance-usdm", {"BTCUSDT", "ETHUSDT"}, 5 * kMinuteMs, *instruments_);
    ASSERT_TRUE(md.ok()) << md.status().ToString();
    market_ = new std::shared_ptr<const MarketData>(*md);
  }
  static void TearDownTestSuite() {
    delete market_;
    delete instruments_;
  }

  void Make(Money btc_usd, int btc_leverage, MarginMode mode = MarginMode::kCross) {
    from_ = *ParseUtc("2025-10-20");
    clock_ = std::make_unique<SimulatedClock>(from_);
    exchange::paper::SimulatorConfig sc;
    sc.symbols = {"BTCUSDT", "ETHUSDT"};
    sc.market_fill = exchange::paper::MarketFillMode::kImmediate;
    auto sim = exchange::paper::PaperSimulator::Create(*clock_, *instruments_, sc);
    ASSERT_TRUE(sim.ok()) << sim.status().ToString();
    sim_ = std::move(*sim);
    bars_ = (*market_)->Bars(from_, from_ + kDayMs, sc.symbols);
    exchange::paper::AccountConfig ac;
    ac.deposit = Money::FromUnits(10000);
    ac.default_margin_mode = mode;
    acct_ = *sim_->AddAccount(ac);
    venue_ = std::make_unique<FaultyVenue>(*sim_, acct_);
    BotConfig cfg;
    cfg.name = "bot";
    cfg.symbols = {"BTCUSDT", "ETHUSDT"};
    cfg.risk.min_reward_risk = *Ratio::Parse("1");
    auto risk = risk::RiskEngine::Create(cfg.risk, *instruments_);
    ASSERT_TRUE(risk.ok());
    bot_ = std::make_unique<Bot>(1, cfg, *venue_, *market_, *instruments_, std::make_unique<EnterOnce>(btc_usd, btc_leverage),
                                 std::move(*risk), *clock_);
    bot_->AddObserver(&alerts_);
    bot_->Start(from_);
    Feed(2);  // the first bar sets the marks, the second cycle enters
    ASSERT_EQ(venue_->FetchPositions()->size(), 2u);
  }
  void Feed(std::size_t n) {
    for (std::size_t k = 0; k < n; ++k, ++next_) {
      const UnixMs close = bars_[next_].open_time + 5 * kMinuteMs;
      clock_->SetMs(close);
      ASSERT_TRUE(sim_->OnBars(bars_[next_].bars).ok());
      bot_->OnBarClosed(close);
    }
  }
  std::optional<Order> Working(const std::string& symbol, OrderType type) {
    for (const auto& o : *venue_->FetchOpenOrders(symbol)) {
      if (o.type == type) return o;
    }
    return std::nullopt;
  }
  Price LastClose(std::size_t symbol) const { return bars_[next_ - 1].bars[symbol].candle.close; }

  static InstrumentTable* instruments_;
  static std::shared_ptr<const MarketData>* market_;
  UnixMs from_ = 0;
  std::unique_ptr<SimulatedClock> clock_;
  std::unique_ptr<exchange::paper::PaperSimulator> sim_;
  exchange::paper::AccountIndex acct_ = 0;
  std::vector<MergedBar> bars_;
  std::size_t next_ = 0;
  std::unique_ptr<FaultyVenue> venue_;
  std::unique_ptr<Bot> bot_;
  Alerts alerts_;
};
InstrumentTable* ProtectionTest::instruments_ = nullptr;
std::shared_ptr<const MarketData>* ProtectionTest::market_ = nullptr;

// The venue expires BTC's stop-loss while the position stays open: the bot re-places it at the
// plan's price and alerts.
TEST_F(ProtectionTest, ExpiredStopLossIsReplaced) {
  Make(Money::FromUnits(1500), 3);
  const auto sl = Working("BTCUSDT", OrderType::kStopMarket);
  ASSERT_TRUE(sl.has_value());
  venue_->Expire("BTCUSDT", sl->client_id);
  ASSERT_FALSE(Working("BTCUSDT", OrderType::kStopMarket).has_value());
  Feed(1);
  const auto again = Working("BTCUSDT", OrderType::kStopMarket);
  ASSERT_TRUE(again.has_value()) << "BTC is open without its stop";
  EXPECT_EQ(again->stop_price, sl->stop_price);
  EXPECT_TRUE(again->close_position);
  EXPECT_NE(again->client_id, sl->client_id);
  EXPECT_TRUE(alerts_.Has("stop_replaced"));
  EXPECT_TRUE(Working("BTCUSDT", OrderType::kTakeProfitMarket).has_value());
}

// The expired stop cannot be placed again: the position is closed at market (exit reason
// stop_loss) and a critical alert is raised.
TEST_F(ProtectionTest, StopLossThatCannotBeReplacedClosesThePosition) {
  Make(Money::FromUnits(1500), 3);
  venue_->reject_stops = true;
  venue_->Expire("BTCUSDT", Working("BTCUSDT", OrderType::kStopMarket)->client_id);
  Feed(1);
  for (const auto& p : *venue_->FetchPositions()) EXPECT_NE(p.symbol, "BTCUSDT") << "BTC open without a stop";
  EXPECT_TRUE(alerts_.Has("stop_lost"));
  ASSERT_EQ(bot_->closed_trades().size(), 1u);
  EXPECT_EQ(bot_->closed_trades()[0].symbol, "BTCUSDT");
  EXPECT_EQ(bot_->closed_trades()[0].exit_reason, ExitReason::kStopLoss);
  EXPECT_TRUE(Working("BTCUSDT", OrderType::kTakeProfitMarket) == std::nullopt);
}

// Two cross positions; BTC (10x, notional 25,000) is liquidated — its stop had been removed at the
// venue, the only way a liquidation precedes a stop the risk rules accept. The liquidation
// cancels the account's open orders (Binance does); ETH keeps its position and gets its stop
// and target back, and the prompt shows the stops the venue has — with the target refused,
// none.
TEST_F(ProtectionTest, CrossLiquidationLeavesTheOtherPositionProtected) {
  Make(Money::FromUnits(25000), 10);
  const auto eth_sl = Working("ETHUSDT", OrderType::kStopMarket);
  ASSERT_TRUE(eth_sl.has_value());
  ASSERT_TRUE(sim_->CancelAllOrders(acct_, "BTCUSDT").ok());
  venue_->reject_take_profits = true;
  Price lp;
  for (const auto& p : *venue_->FetchPositions()) {
    if (p.symbol == "BTCUSDT") lp = p.liquidation_price;
  }
  ASSERT_TRUE(lp.IsPositive());
  // A BTC bar from the last close down through the liquidation price (ETH's bar as recorded).
  const UnixMs open = bars_[next_].open_time;
  const Price btc = LastClose(0);
  std::vector<exchange::paper::SymbolBar> bars = bars_[next_].bars;
  bars[0].candle = market::Candle{open, btc, btc, ApplyRatio(lp, *Ratio::Parse("0.99")), btc, 100};
  clock_->SetMs(open + 5 * kMinuteMs);
  ASSERT_TRUE(sim_->OnBars(bars).ok());
  ++next_;
  // The venue events only: the cycle after this loss would halt the bot on its drawdown.
  bot_->ProcessVenueEvents(open + 5 * kMinuteMs);

  auto positions = *venue_->FetchPositions();
  ASSERT_EQ(positions.size(), 1u) << sim_->SerializeLedger(acct_) << alerts_.messages.back();
  EXPECT_EQ(positions[0].symbol, "ETHUSDT");
  const auto sl = Working("ETHUSDT", OrderType::kStopMarket);
  ASSERT_TRUE(sl.has_value()) << "ETH open without its stop after BTC's liquidation";
  EXPECT_EQ(sl->stop_price, eth_sl->stop_price);
  EXPECT_FALSE(Working("ETHUSDT", OrderType::kTakeProfitMarket).has_value());
  EXPECT_TRUE(alerts_.Has("liquidation"));
  EXPECT_TRUE(alerts_.Has("take_profit_lost"));
  ASSERT_EQ(bot_->closed_trades().size(), 1u);
  EXPECT_EQ(bot_->closed_trades()[0].exit_reason, ExitReason::kLiquidation);

  auto pending = bot_->BeginCycle(clock_->NowMs());
  ASSERT_TRUE(pending.has_value());
  ASSERT_EQ(pending->positions.size(), 1u);
  EXPECT_EQ(pending->positions[0].coin, "ETH");
  ASSERT_TRUE(pending->positions[0].stop_loss.has_value());
  EXPECT_EQ(*pending->positions[0].stop_loss, sl->stop_price);
  EXPECT_FALSE(pending->positions[0].profit_target.has_value()) << "the prompt shows a target the venue does not have";
}

// An isolated BTC long gapped far past its bankruptcy price: the insurance fund covers the
// deficit, and the trade's net PnL is what the account lost on BTC — the sum of the ledger's
// BTC entries (PnL, fees, funding, clearance fee, insurance credit).
TEST_F(ProtectionTest, InsuranceCreditReachesTheTradesNetPnl) {
  Make(Money::FromUnits(25000), 10, MarginMode::kIsolated);
  ASSERT_TRUE(sim_->CancelAllOrders(acct_, "BTCUSDT").ok());
  const UnixMs open = bars_[next_].open_time;
  const Price half = ApplyRatio(LastClose(0), *Ratio::Parse("0.5"));
  std::vector<exchange::paper::SymbolBar> bars = bars_[next_].bars;
  bars[0].candle = market::Candle{open, half, half, half, half, 100};
  clock_->SetMs(open + 5 * kMinuteMs);
  ASSERT_TRUE(sim_->OnBars(bars).ok());
  ++next_;
  bot_->OnBarClosed(open + 5 * kMinuteMs);
  Money insurance, btc_ledger;
  for (const auto& e : sim_->ledger(acct_).entries()) {
    if (e.symbol != 0) continue;
    btc_ledger += e.amount;
    if (e.kind == exchange::paper::LedgerKind::kInsuranceCredit) insurance += e.amount;
  }
  ASSERT_TRUE(insurance.IsPositive()) << sim_->SerializeLedger(acct_);
  ASSERT_EQ(bot_->closed_trades().size(), 1u);
  EXPECT_EQ(bot_->closed_trades()[0].exit_reason, ExitReason::kLiquidation);
  EXPECT_EQ(bot_->closed_trades()[0].net(), btc_ledger) << sim_->SerializeLedger(acct_);
}

}  // namespace
}  // namespace aitrader::engine
