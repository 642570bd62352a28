// A dry run rules as the real cycle does (issue 10): Bot::EvaluateCycle and Bot::FinishCycle
// share their steps (the record's header, the venue re-read, the risk rulings, the status), so
// for the same decisions a dry run's verdicts are the real cycle's — approvals, every kind of
// denial with the same reasons and words, the rulings that depend on earlier decisions of the
// same cycle — while it places no order and changes nothing. The venue is the real paper
// simulator over the bundled candles; the decisions come from a scripted source.
#include <gtest/gtest.h>

#include <functional>
#include <span>

#include "engine/bot.hpp"
#include "exchange/paper/paper_exchange.hpp"
#include "exchange/paper/simulator.hpp"

namespace aitrader::engine {
namespace {

using Decisions = std::vector<agent::Decision>;
using Coins = std::span<const agent::MarketSnapshot>;
using Script = std::function<Decisions(int call, Coins coins)>;

// The decisions of the n-th call (0-based) from a script; no prompt.
class ScriptedSource final : public DecisionSource {
 public:
  explicit ScriptedSource(Script script) : script_(std::move(script)) {}
  std::string provider() const override { return "scripted"; }
  std::string model() const override { return "scripted"; }
  bool needs_prompt() const override { return false; }
  agent::DecisionOutcome Decide(const DecisionInput& in, CycleUsage&, const llm::CancelToken*) override {
    agent::DecisionOutcome out;
    out.decisions = script_(calls_++, in.coins);
    out.attempts.emplace_back();
    return out;
  }

 private:
  Script script_;
  int calls_ = 0;
};

// The simulator's account, read only: every order, cancel and setting is refused (and
// counted), and no event is taken from the account's queue — the venue of Service's dry runs.
class ReadOnlyVenue final : public exchange::Exchange {
 public:
  ReadOnlyVenue(exchange::paper::PaperSimulator& sim, exchange::paper::AccountIndex a) : inner_(sim, a) {}
  int writes = 0;

  Result<std::vector<market::Candle>> FetchOhlcv(std::string_view s, UnixMs i, UnixMs since, std::size_t n) override {
    return inner_.FetchOhlcv(s, i, since, n);
  }
  Result<exchange::Ticker> FetchTicker(std::string_view s) override { return inner_.FetchTicker(s); }
  Result<Price> FetchMarkPrice(std::string_view s) override { return inner_.FetchMarkPrice(s); }
  Result<exchange::FundingRateInfo> FetchFundingRate(std::string_view s) override { return inner_.FetchFundingRate(s); }
  Result<exchange::OpenInterest> FetchOpenInterest(std::string_view s) override { return inner_.FetchOpenInterest(s); }
  Result<exchange::Balance> FetchBalance() override { return inner_.FetchBalance(); }
  Result<std::vector<exchange::Position>> FetchPositions() override { return inner_.FetchPositions(); }
  Result<std::vector<exchange::Order>> FetchOpenOrders(std::string_view s) override {
    return inner_.FetchOpenOrders(s);
  }
  Result<exchange::Order> FetchOrder(std::string_view s, const ClientOrderId& id) override {
    return inner_.FetchOrder(s, id);
  }
  Result<exchange::Order> CreateOrder(const exchange::OrderRequest&) override { return Refused(); }
  Result<exchange::Order> CancelOrder(std::string_view, const ClientOrderId&) override { return Refused(); }
  Result<std::vector<exchange::Order>> CancelAllOrders(std::string_view) override { return Refused(); }
  Status SetLeverage(std::string_view, int) override { return Refused(); }
  Status SetMarginMode(std::string_view, MarginMode) override { return Refused(); }
  std::size_t PollEvents(std::vector<exchange::ExecutionEvent>&, std::size_t) override { return 0; }

 private:
  Status Refused() {
    ++writes;
    return FailedPrecondition("read-only venue");
  }
  exchange::paper::PaperExchange inner_;
};

const std::vector<std::string> kSymbols = {"BTCUSDT", "ETHUSDT", "SOLUSDT", "BNBUSDT", "XRPUSDT", "DOGEUSDT"};

const agent::MarketSnapshot& Coin(Coins coins, const std::string& coin) {
  for (const auto& s : coins) {
    if (s.coin == coin) return s;
  }
  ADD_FAILURE() << "no snapshot of " << coin;
  return coins.front();
}

// A long of `usd` notional at `leverage`, stop 3% below, target 6% above.
agent::Decision Long(Coins coins, const std::string& coin, Money usd,
                     int leverage, const std::string& invalidation) {
  const Price px = Coin(coins, coin).current_price;
  agent::Decision d;
  d.coin = coin;
  d.signal = agent::Signal::kBuyToEnter;
  d.quantity = QuantityFor(usd, px, Rounding::kTowardZero);
  d.leverage = leverage;
  d.stop_loss = ApplyRatio(px, *Ratio::Parse("0.97"));
  d.profit_target = ApplyRatio(px, *Ratio::Parse("1.06"));
  d.confidence = 0.6;
  d.risk_usd = Money::FromUnits(45);
  d.invalidation_condition = invalidation;
  return d;
}

agent::Decision SignalOnly(const std::string& coin, agent::Signal s) {
  agent::Decision d;
  d.coin = coin;
  d.signal = s;
  return d;
}

// The decisions both cycles rule on, with a BTC long open and at most two positions: every
// kind of ruling, one of them (XRP) depending on an earlier decision of the same cycle.
Decisions Compared(Coins coins) {
  const Money usd = Money::FromUnits(1500);
  return {
      SignalOnly("BTC", agent::Signal::kClosePosition),                           // approved: BTC is open
      Long(coins, "ETH", usd, 15, "If price closes below 1000"),                  // leverage above the cap
      Long(coins, "SOL", Money::FromUnits(100000), 2, "If price closes below 10"),  // size over 3x equity
      Long(coins, "BNB", usd, 3, "if the mood of the market sours"),              // approved; not machine-checked
      Long(coins, "XRP", usd, 3, "If price closes below 0.1"),                    // BTC + BNB: two positions now
      SignalOnly("DOGE", agent::Signal::kClosePosition),                          // no DOGE position
      SignalOnly("ADA", agent::Signal::kBuyToEnter),                              // not an instrument: held
      SignalOnly("SOL", agent::Signal::kHold),                                    // held
      SignalOnly("DOGE", agent::Signal::kBuyToEnter),                             // no quantity: skipped
  };
}

class CycleTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    instruments_ = new InstrumentTable(*InstrumentTable::LoadDefault());
    auto md = MarketData::Load(DataDir() + "/binance-usdm", kSymbols, 5 * kMinuteMs, *instruments_);
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
    sc.symbols = kSymbols;
    sc.market_fill = exchange::paper::MarketFillMode::kImmediate;
    auto sim = exchange::paper::PaperSimulator::Create(*clock_, *instruments_, sc);
    ASSERT_TRUE(sim.ok()) << sim.status().ToString();
    sim_ = std::move(*sim);
    bars_ = (*market_)->Bars(from_, from_ + kDayMs, sc.symbols);
    exchange::paper::AccountConfig ac;
    ac.deposit = Money::FromUnits(10000);
    acct_ = *sim_->AddAccount(ac);
    venue_ = std::make_unique<exchange::paper::PaperExchange>(*sim_, acct_);
    config_.name = "bot";
    config_.symbols = kSymbols;
    config_.risk.min_reward_risk = *Ratio::Parse("1");
    config_.risk.max_open_positions = 2;
  }

  std::unique_ptr<Bot> MakeBot(exchange::Exchange& venue, Script script) {
    auto risk = risk::RiskEngine::Create(config_.risk, *instruments_);
    EXPECT_TRUE(risk.ok());
    return std::make_unique<Bot>(1, config_, venue, *market_, *instruments_,
                                 std::make_unique<ScriptedSource>(std::move(script)), std::move(*risk), *clock_);
  }

  // The next bar at the venue; returns its close time.
  UnixMs NextBar() {
    const UnixMs close = bars_[next_].open_time + 5 * kMinuteMs;
    clock_->SetMs(close);
    EXPECT_TRUE(sim_->OnBars(bars_[next_].bars).ok());
    ++next_;
    return close;
  }

  static InstrumentTable* instruments_;
  static std::shared_ptr<const MarketData>* market_;
  UnixMs from_ = 0;
  BotConfig config_;
  std::unique_ptr<SimulatedClock> clock_;
  std::unique_ptr<exchange::paper::PaperSimulator> sim_;
  exchange::paper::AccountIndex acct_ = 0;
  std::vector<MergedBar> bars_;
  std::size_t next_ = 0;
  std::unique_ptr<exchange::paper::PaperExchange> venue_;
};
InstrumentTable* CycleTest::instruments_ = nullptr;
std::shared_ptr<const MarketData>* CycleTest::market_ = nullptr;

// What the venue holds, to see that a dry run changed none of it.
std::string VenueState(exchange::Exchange& venue) {
  std::string s = "equity " + venue.FetchBalance()->margin_balance.ToString();
  for (const auto& p : *venue.FetchPositions()) s += "; " + p.symbol + " " + p.quantity.ToString();
  for (const auto& o : *venue.FetchOpenOrders("")) s += "; order " + o.client_id.value();
  return s;
}

const CoinVerdict* VerdictOf(const CycleRecord& rec, const std::string& coin) {
  for (const auto& v : rec.verdicts) {
    if (v.coin == coin) return &v;
  }
  return nullptr;
}

TEST_F(CycleTest, ADryRunRulesOnTheSameDecisionsAsTheRealCycle) {
  // The real bot enters BTC on its first decision, holds until the compared cycle, then rules
  // on Compared(). The dry run's bot, mirrored from it, rules on Compared() at once.
  bool compare = false;
  auto bot = MakeBot(*venue_, [&compare](int call, Coins coins) {
    if (compare) return Compared(coins);
    if (call == 0) return Decisions{Long(coins, "BTC", Money::FromUnits(1500), 3, "If price closes below 90000")};
    return Decisions{};
  });
  bot->Start(from_);
  for (int i = 0; i < 6 && venue_->FetchPositions()->empty(); ++i) bot->OnBarClosed(NextBar());
  ASSERT_EQ(venue_->FetchPositions()->size(), 1u) << "the BTC long is open";

  const UnixMs close = NextBar();
  ASSERT_TRUE(bot->OnBarClosedWithoutCycle(close));
  const std::string venue_before = VenueState(*venue_);
  const BotStats stats_before = bot->stats();
  const std::int64_t cycle_before = bot->cycle();

  // The dry run, as Service::DryRun takes it.
  ReadOnlyVenue dry_venue(*sim_, acct_);
  auto dry = MakeBot(dry_venue, [](int, Coins coins) { return Compared(coins); });
  dry->MirrorForDryRun(*bot);
  auto dry_pending = dry->BeginCycle(close);
  ASSERT_TRUE(dry_pending.has_value());
  Bot::Decide(dry->source_for_worker(), *dry_pending, nullptr);
  const CycleRecord preview = dry->EvaluateCycle(std::move(*dry_pending));

  EXPECT_EQ(dry_venue.writes, 0) << "a dry run tries no order";
  EXPECT_EQ(VenueState(*venue_), venue_before) << "a dry run changes nothing at the venue";
  EXPECT_EQ(bot->cycle(), cycle_before);
  EXPECT_EQ(bot->stats().risk_denials, stats_before.risk_denials);
  EXPECT_EQ(bot->stats().entries, stats_before.entries);

  // The real cycle on the same bar.
  compare = true;
  auto pending = bot->BeginCycle(close);
  ASSERT_TRUE(pending.has_value());
  Bot::Decide(bot->source_for_worker(), *pending, nullptr);
  const CycleRecord real = bot->FinishCycle(std::move(*pending));

  EXPECT_EQ(preview.cycle, real.cycle) << "the dry run previews the next cycle";
  EXPECT_EQ(preview.time, real.time);
  EXPECT_EQ(preview.account_value, real.account_value);
  EXPECT_EQ(preview.sharpe, real.sharpe);
  EXPECT_EQ(preview.prompt_version, real.prompt_version);
  EXPECT_EQ(preview.outcome.decisions, real.outcome.decisions);
  EXPECT_EQ(preview.status, "would_execute");
  EXPECT_EQ(real.status, "executed");
  EXPECT_TRUE(preview.orders.empty());
  EXPECT_FALSE(real.orders.empty());

  ASSERT_EQ(preview.verdicts.size(), real.verdicts.size());
  for (std::size_t i = 0; i < real.verdicts.size(); ++i) {
    const CoinVerdict& p = preview.verdicts[i];
    const CoinVerdict& r = real.verdicts[i];
    SCOPED_TRACE("verdict " + std::to_string(i) + " (" + r.coin + ")");
    EXPECT_EQ(p.coin, r.coin);
    EXPECT_EQ(p.signal, r.signal);
    const std::string expected_action = r.action == "entered" ? "would_enter"
                                        : r.action == "closed" ? "would_close"
                                                               : r.action;
    EXPECT_EQ(p.action, expected_action);
    EXPECT_EQ(p.detail, r.detail);
    EXPECT_EQ(p.denials, r.denials);
  }

  // And the rulings are the ones meant (so the comparison above compares something).
  auto has = [](const CoinVerdict* v, risk::DenialReason reason) {
    return v != nullptr && std::find(v->denials.begin(), v->denials.end(), reason) != v->denials.end();
  };
  ASSERT_NE(VerdictOf(real, "BTC"), nullptr);
  EXPECT_EQ(VerdictOf(real, "BTC")->action, "closed");
  ASSERT_NE(VerdictOf(real, "BNB"), nullptr);
  EXPECT_EQ(VerdictOf(real, "BNB")->action, "entered");
  EXPECT_NE(VerdictOf(preview, "BNB")->detail.find("invalidation not machine-checked"), std::string::npos)
      << VerdictOf(preview, "BNB")->detail;
  EXPECT_EQ(VerdictOf(real, "ETH")->action, "denied");
  EXPECT_EQ(VerdictOf(real, "ETH")->denials, std::vector<risk::DenialReason>{risk::DenialReason::kLeverageOutOfRange})
      << VerdictOf(real, "ETH")->detail;
  EXPECT_EQ(VerdictOf(real, "SOL")->action, "denied");
  EXPECT_TRUE(has(VerdictOf(real, "SOL"), risk::DenialReason::kNotionalTooLarge)) << VerdictOf(real, "SOL")->detail;
  EXPECT_EQ(VerdictOf(real, "XRP")->action, "denied");
  EXPECT_EQ(VerdictOf(real, "XRP")->denials, std::vector<risk::DenialReason>{risk::DenialReason::kMaxOpenPositions})
      << "denied only because BNB was entered earlier in the cycle: " << VerdictOf(real, "XRP")->detail;
  EXPECT_EQ(VerdictOf(real, "DOGE")->action, "denied");
  EXPECT_TRUE(has(VerdictOf(real, "DOGE"), risk::DenialReason::kNoPositionToClose));
  EXPECT_EQ(VerdictOf(real, "ADA")->action, "held");
  EXPECT_EQ(real.verdicts.back().action, "skipped");
  // Entry denials count in the real bot's statistics (ETH, SOL, XRP), close denials do not.
  EXPECT_EQ(bot->stats().risk_denials, stats_before.risk_denials + 3);
}

// When every decision is refused, both say "denied", and the dry run still tries nothing.
TEST_F(CycleTest, ADryRunOfOnlyDenialsIsDeniedAsTheRealCycle) {
  auto only_denials = [](int, Coins coins) {
    return Decisions{Long(coins, "ETH", Money::FromUnits(1500), 11, "If price closes below 1000"),
                     SignalOnly("DOGE", agent::Signal::kClosePosition)};
  };
  auto bot = MakeBot(*venue_, only_denials);
  bot->Start(from_);
  UnixMs close = NextBar();
  ASSERT_TRUE(bot->OnBarClosedWithoutCycle(close));
  close = NextBar();
  ASSERT_TRUE(bot->OnBarClosedWithoutCycle(close));

  ReadOnlyVenue dry_venue(*sim_, acct_);
  auto dry = MakeBot(dry_venue, only_denials);
  dry->MirrorForDryRun(*bot);
  auto dry_pending = dry->BeginCycle(close);
  ASSERT_TRUE(dry_pending.has_value());
  Bot::Decide(dry->source_for_worker(), *dry_pending, nullptr);
  const CycleRecord preview = dry->EvaluateCycle(std::move(*dry_pending));
  const CycleRecord real = bot->RunCycle(close);

  EXPECT_EQ(dry_venue.writes, 0);
  EXPECT_EQ(preview.status, "denied");
  EXPECT_EQ(real.status, "denied");
  ASSERT_EQ(preview.verdicts.size(), 2u);
  ASSERT_EQ(real.verdicts.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(preview.verdicts[i].action, "denied");
    EXPECT_EQ(real.verdicts[i].action, "denied");
    EXPECT_EQ(preview.verdicts[i].detail, real.verdicts[i].detail);
    EXPECT_EQ(preview.verdicts[i].denials, real.verdicts[i].denials);
  }
  EXPECT_EQ(real.verdicts[0].denials, std::vector<risk::DenialReason>{risk::DenialReason::kLeverageOutOfRange})
      << real.verdicts[0].detail;
  EXPECT_EQ(preview.equity, real.equity);
}

}  // namespace
}  // namespace aitrader::engine
