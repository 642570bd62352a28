// Emergency stop: cancel every order (SL/TP included), close every position reduce-only at
// market, verify flat at the venue, record and alert — with open positions and resting
// orders, while paused, while an LLM call is in flight, and for 100 bots at once.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "engine/bot.hpp"
#include "exchange/paper/paper_exchange.hpp"
#include "exchange/paper/simulator.hpp"

namespace aitrader::engine {
namespace {

// Enters long BTC and ETH on its first decision (stop 3% below, target 6% above), then holds.
// With `block`, Decide() waits until its cancel token fires, then proposes a SOL entry.
class ScriptedSource final : public DecisionSource {
 public:
  explicit ScriptedSource(bool block = false) : block_(block) {}
  std::string provider() const override { return "scripted"; }
  std::string model() const override { return "scripted"; }
  bool needs_prompt() const override { return false; }
  agent::DecisionOutcome Decide(const DecisionInput& in, CycleUsage&, const llm::CancelToken* cancel) override {
    agent::DecisionOutcome out;
    if (block_) {
      entered_decide.store(true);
      while (cancel == nullptr || !cancel->cancelled()) std::this_thread::yield();
    }
    for (const auto& s : in.coins) {
      agent::Decision d;
      d.coin = s.coin;
      const bool enter = block_ ? s.coin == "SOL" : (!entered_ && (s.coin == "BTC" || s.coin == "ETH"));
      d.signal = enter ? agent::Signal::kBuyToEnter : agent::Signal::kHold;
      if (enter) {
        Price px = s.current_price;
        d.quantity = QuantityFor(Money::FromUnits(1500), px, Rounding::kTowardZero);
        d.leverage = 3;
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
  std::atomic<bool> entered_decide{false};

 private:
  bool block_;
  bool entered_ = false;
};

class AlertLog final : public BotObserver {
 public:
  void OnAlert(const Bot&, std::string_view, std::string_view kind, const std::string& message) override {
    alerts.push_back(std::string(kind) + ": " + message);
  }
  std::vector<std::string> alerts;
};

// A venue that refuses reduce-only market orders once `refuse` is set (a close that fails).
class RefusingCloses final : public exchange::Exchange {
 public:
  explicit RefusingCloses(exchange::Exchange& inner) : inner_(inner) {}
  bool refuse = false;
  Result<std::vector<market::Candle>> FetchOhlcv(std::string_view s, UnixMs i, UnixMs since, std::size_t l) override {
    return inner_.FetchOhlcv(s, i, since, l);
  }
  Result<exchange::Ticker> FetchTicker(std::string_view s) override { return inner_.FetchTicker(s); }
  Result<Price> FetchMarkPrice(std::string_view s) override { return inner_.FetchMarkPrice(s); }
  Result<exchange::FundingRateInfo> FetchFundingRate(std::string_view s) override { return inner_.FetchFundingRate(s); }
  Result<exchange::OpenInterest> FetchOpenInterest(std::string_view s) override { return inner_.FetchOpenInterest(s); }
  Result<exchange::Balance> FetchBalance() override { return inner_.FetchBalance(); }
  Result<std::vector<exchange::Position>> FetchPositions() override { return inner_.FetchPositions(); }
  Result<std::vector<exchange::Order>> FetchOpenOrders(std::string_view s) override { return inner_.FetchOpenOrders(s); }
  Result<exchange::Order> FetchOrder(std::string_view s, const ClientOrderId& id) override { return inner_.FetchOrder(s, id); }
  Result<exchange::Order> CreateOrder(const exchange::OrderRequest& r) override {
    if (refuse && r.reduce_only && r.type == OrderType::kMarket) return Unavailable("venue down for closes");
    return inner_.CreateOrder(r);
  }
  Result<exchange::Order> CancelOrder(std::string_view s, const ClientOrderId& id) override { return inner_.CancelOrder(s, id); }
  Result<std::vector<exchange::Order>> CancelAllOrders(std::string_view s) override { return inner_.CancelAllOrders(s); }
  Status SetLeverage(std::string_view s, int l) override { return inner_.SetLeverage(s, l); }
  Status SetMarginMode(std::string_view s, MarginMode m) override { return inner_.SetMarginMode(s, m); }
  std::size_t PollEvents(std::vector<exchange::ExecutionEvent>& out, std::size_t n) override {
    return inner_.PollEvents(out, n);
  }

 private:
  exchange::Exchange& inner_;
};

class EmergencyStopTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    instruments_ = new InstrumentTable(*InstrumentTable::LoadDefault());
    auto md = MarketData::Load(DataDir() + "/binance-usdm", {"BTCUSDT", "ETHUSDT", "SOLUSDT"}, 5 * kMinuteMs,
                               *instruments_);
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
    exchange::paper::SimulatorConfig sc;
    sc.symbols = {"BTCUSDT", "ETHUSDT", "SOLUSDT"};
    sc.market_fill = exchange::paper::MarketFillMode::kImmediate;
    auto sim = exchange::paper::PaperSimulator::Create(*clock_, *instruments_, sc);
    ASSERT_TRUE(sim.ok());
    sim_ = std::move(*sim);
    bars_ = (*market_)->Bars(from_, from_ + kDayMs, sc.symbols);
  }

  Bot& AddBot(std::unique_ptr<DecisionSource> source, bool refusing = false) {
    exchange::paper::AccountConfig ac;
    ac.deposit = Money::FromUnits(10000);
    auto idx = sim_->AddAccount(ac);
    EXPECT_TRUE(idx.ok());
    venues_.push_back(std::make_unique<exchange::paper::PaperExchange>(*sim_, *idx));
    exchange::Exchange* venue = venues_.back().get();
    if (refusing) {
      refusing_ = std::make_unique<RefusingCloses>(*venues_.back());
      venue = refusing_.get();
    }
    BotConfig cfg;
    cfg.name = "bot" + std::to_string(venues_.size());
    cfg.symbols = {"BTCUSDT", "ETHUSDT", "SOLUSDT"};
    cfg.risk.min_reward_risk = *Ratio::Parse("1");
    auto risk = risk::RiskEngine::Create(cfg.risk, *instruments_);
    EXPECT_TRUE(risk.ok());
    bots_.push_back(std::make_unique<Bot>(static_cast<std::int64_t>(bots_.size() + 1), cfg, *venue,
                                          *market_, *instruments_, std::move(source), std::move(*risk), *clock_));
    bots_.back()->AddObserver(&alerts_);
    bots_.back()->Start(from_);
    return *bots_.back();
  }

  // Feeds bars [next_, next_ + n) to the venue and the bots.
  void Feed(std::size_t n) {
    for (std::size_t k = 0; k < n; ++k, ++next_) {
      const UnixMs close = bars_[next_].open_time + 5 * kMinuteMs;
      clock_->SetMs(close);
      ASSERT_TRUE(sim_->OnBars(bars_[next_].bars).ok());
      for (auto& b : bots_) b->OnBarClosed(close);
    }
  }

  UnixMs Now() const { return clock_->NowMs(); }

  static void ExpectFlat(exchange::Exchange& venue) {
    auto positions = venue.FetchPositions();
    ASSERT_TRUE(positions.ok());
    EXPECT_TRUE(positions->empty());
    auto orders = venue.FetchOpenOrders("");
    ASSERT_TRUE(orders.ok());
    EXPECT_TRUE(orders->empty());
  }

  static InstrumentTable* instruments_;
  static std::shared_ptr<const MarketData>* market_;
  UnixMs from_ = 0;
  std::unique_ptr<SimulatedClock> clock_;
  std::unique_ptr<exchange::paper::PaperSimulator> sim_;
  std::vector<MergedBar> bars_;
  std::size_t next_ = 0;
  std::vector<std::unique_ptr<exchange::paper::PaperExchange>> venues_;
  std::vector<std::unique_ptr<Bot>> bots_;
  std::unique_ptr<RefusingCloses> refusing_;
  AlertLog alerts_;
};

InstrumentTable* EmergencyStopTest::instruments_ = nullptr;
std::shared_ptr<const MarketData>* EmergencyStopTest::market_ = nullptr;

TEST_F(EmergencyStopTest, FlattensPositionsAndCancelsStopLossAndTakeProfit) {
  Bot& bot = AddBot(std::make_unique<ScriptedSource>());
  Feed(1);
  auto positions = venues_[0]->FetchPositions();
  ASSERT_EQ(positions->size(), 2u) << "the scripted bot should hold BTC and ETH";
  auto orders = venues_[0]->FetchOpenOrders("");
  ASSERT_EQ(orders->size(), 4u) << "a stop-loss and a take-profit per position";
  auto problems = bot.EmergencyStop(Now(), "test");
  EXPECT_TRUE(problems.empty()) << problems.front();
  ExpectFlat(*venues_[0]);
  EXPECT_EQ(bot.status(), BotStatus::kStopped);
  ASSERT_EQ(bot.closed_trades().size(), 2u);
  for (const auto& t : bot.closed_trades()) EXPECT_EQ(t.exit_reason, ExitReason::kEmergencyStop);
  ASSERT_FALSE(alerts_.alerts.empty());
  EXPECT_NE(alerts_.alerts.back().find("emergency_stop"), std::string::npos);
  // A stopped bot decides nothing more.
  const auto cycles = bot.stats().cycles;
  Feed(3);
  EXPECT_EQ(bot.stats().cycles, cycles);
  ExpectFlat(*venues_[0]);
  EXPECT_TRUE(sim_->SelfCheck(0).ok());
}

// Issue 9 (minor): "verify flat" reports every position still open, by name.
TEST_F(EmergencyStopTest, ReportsPositionsStillOpen) {
  Bot& bot = AddBot(std::make_unique<ScriptedSource>(), /*refusing=*/true);
  Feed(1);
  ASSERT_EQ(venues_[0]->FetchPositions()->size(), 2u);
  refusing_->refuse = true;
  auto problems = bot.EmergencyStop(Now(), "venue trouble");
  std::string all;
  for (const auto& p : problems) all += p + "\n";
  EXPECT_NE(all.find("position still open: BTCUSDT"), std::string::npos) << all;
  EXPECT_NE(all.find("position still open: ETHUSDT"), std::string::npos) << all;
  ASSERT_FALSE(alerts_.alerts.empty());
  EXPECT_NE(alerts_.alerts.back().find("position still open: ETHUSDT"), std::string::npos) << alerts_.alerts.back();
}

TEST_F(EmergencyStopTest, WorksWhilePaused) {
  Bot& bot = AddBot(std::make_unique<ScriptedSource>());
  Feed(1);
  bot.Pause();
  Feed(2);
  ASSERT_EQ(venues_[0]->FetchPositions()->size(), 2u);
  EXPECT_TRUE(bot.EmergencyStop(Now(), "paused test").empty());
  ExpectFlat(*venues_[0]);
  EXPECT_EQ(bot.status(), BotStatus::kStopped);
}

TEST_F(EmergencyStopTest, WorksWhileAnLlmCallIsInFlight) {
  Bot& bot = AddBot(std::make_unique<ScriptedSource>());
  Feed(1);
  ASSERT_EQ(venues_[0]->FetchPositions()->size(), 2u);
  // The next cycle's decision blocks, as a slow LLM call would, on a worker thread.
  auto blocking = std::make_unique<ScriptedSource>(/*block=*/true);
  ScriptedSource* source = blocking.get();
  auto pending = bot.BeginCycle(Now());
  ASSERT_TRUE(pending.has_value());
  llm::CancelToken cancel;
  std::thread worker([&] { Bot::Decide(*source, *pending, &cancel); });
  while (!source->entered_decide.load()) std::this_thread::yield();
  // The operator stops everything while the model is still thinking.
  EXPECT_TRUE(bot.EmergencyStop(Now(), "in flight").empty());
  ExpectFlat(*venues_[0]);
  cancel.Cancel();  // the runtime cancels the call of a stopped bot
  worker.join();
  ASSERT_TRUE(pending->decided);
  // The late answer (a SOL entry) is not executed: the bot is stopped.
  CycleRecord rec = bot.FinishCycle(std::move(*pending));
  EXPECT_TRUE(rec.orders.empty());
  ExpectFlat(*venues_[0]);
}

TEST_F(EmergencyStopTest, OneHundredBotsAllEndFlat) {
  for (int i = 0; i < 100; ++i) AddBot(std::make_unique<ScriptedSource>());
  Feed(1);
  for (auto& v : venues_) ASSERT_EQ(v->FetchPositions()->size(), 2u);
  for (auto& b : bots_) EXPECT_TRUE(b->EmergencyStop(Now(), "global").empty());
  for (std::size_t i = 0; i < venues_.size(); ++i) {
    ExpectFlat(*venues_[i]);
    EXPECT_TRUE(sim_->SelfCheck(static_cast<exchange::paper::AccountIndex>(i)).ok());
  }
}

}  // namespace
}  // namespace aitrader::engine
