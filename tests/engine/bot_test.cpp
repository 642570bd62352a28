// The bot's cycle against things a review found wrong (issue 9): invalidation conditions that
// name another coin or an indicator (item 5), the daily LLM budget on the wall clock, checked
// before every call (item 6), and the Sharpe ratio the prompt shows (item 7). The LLM is a
// scripted client (no network); the venue is the real paper simulator over the bundled candles.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <functional>
#include <map>

#include "engine/backtest.hpp"

namespace aitrader::engine {
namespace {

// Answers from a script: answer(n) for the n-th call (0-based), each costing `cost`.
class ScriptedClient final : public llm::Client {
 public:
  ScriptedClient(std::function<std::string(int)> answer, Money cost, std::atomic<int>* calls)
      : answer_(std::move(answer)), cost_(cost), calls_(calls) {}
  std::string provider() const override { return "scripted"; }
  Result<llm::Response> Complete(const llm::Request&, const llm::CancelToken*) override {
    llm::Response r;
    r.text = answer_(calls_->fetch_add(1));
    r.cost_usd = cost_;
    r.usage.input_tokens = 1000;
    r.usage.output_tokens = 100;
    return r;
  }

 private:
  std::function<std::string(int)> answer_;
  Money cost_;
  std::atomic<int>* calls_;
};

const char* kHold = R"({"BTC": {"trade_signal_args": {"coin": "BTC", "signal": "hold"}}})";

std::string Entry(const std::string& coin, const char* qty, const char* target, const char* stop,
                  const std::string& invalidation) {
  return R"({")" + coin + R"(": {"trade_signal_args": {"coin": ")" + coin +
         R"(", "signal": "buy_to_enter", "quantity": )" + qty + R"(, "leverage": 2, "profit_target": )" + target +
         R"(, "stop_loss": )" + stop + R"(, "invalidation_condition": ")" + invalidation +
         R"(", "confidence": 0.6, "risk_usd": 100, "justification": "test"}}})";
}

BotConfig LlmBot(const std::string& name, std::vector<std::string> symbols) {
  BotConfig b;
  b.name = b.label = name;
  b.symbols = std::move(symbols);
  b.model = ModelKind::kLlm;
  llm::ProviderConfig pc;
  pc.provider = "openai-compatible";
  pc.model = "scripted";
  pc.base_url = "http://127.0.0.1:9";  // never called: the client is injected
  b.llm = pc;
  b.risk.min_reward_risk = *Ratio::Parse("1");
  return b;
}

struct Outcome {
  RunReport report;
  std::map<std::string, std::vector<CycleRecord>> cycles;
  std::map<std::string, int> calls;
};

// Each bot's answers by name; all calls cost `cost`.
Outcome RunScripted(RunConfig cfg, std::map<std::string, std::function<std::string(int)>> scripts, Money cost,
            const Clock* wall_clock = nullptr, bool keep_prompts = false) {
  Outcome out;
  std::map<std::string, std::atomic<int>> counters;
  for (const auto& [name, fn] : scripts) counters[name] = 0;
  BacktestOptions o;
  o.config = std::move(cfg);
  o.timing = false;
  o.wall_clock = wall_clock;
  o.keep_prompts = keep_prompts;
  o.on_cycle = [&](const Bot& b, const CycleRecord& r) { out.cycles[b.config().name].push_back(r); };
  o.make_client = [&](const BotConfig& b) -> Result<std::unique_ptr<llm::Client>> {
    return std::unique_ptr<llm::Client>(std::make_unique<ScriptedClient>(scripts.at(b.name), cost, &counters[b.name]));
  };
  auto r = RunBacktest(o);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  if (r.ok()) out.report = std::move(*r);
  for (auto& [name, n] : counters) out.calls[name] = n.load();
  return out;
}

const BotReport* Find(const RunReport& r, const std::string& name) {
  for (const auto& b : r.bots) {
    if (b.name == name) return &b;
  }
  return nullptr;
}

RunConfig Period(const char* from, const char* to, std::vector<BotConfig> bots) {
  RunConfig c;
  c.from = *ParseUtc(from);
  c.to = *ParseUtc(to);
  c.bots = std::move(bots);
  return c;
}

// --- item 5 ---------------------------------------------------------------------------

// On 2025-10-20 BTC trades near 108,000, ETH near 3,970, DOGE near 0.195.
TEST(BotInvalidation, AConditionOnBtcWatchesBtcNotTheEthPosition) {
  auto once = [](std::string entry) { return [entry](int n) { return n == 0 ? entry : std::string(kHold); }; };
  RunConfig cfg = Period("2025-10-20", "2025-10-20T06:00",
                         {LlmBot("btc-holds", {"BTCUSDT", "ETHUSDT"}), LlmBot("btc-breaks", {"BTCUSDT", "ETHUSDT"})});
  Outcome o = RunScripted(cfg,
                  {{"btc-holds", once(Entry("ETH", "0.5", "4300", "3750", "If BTC breaks below 100000, exit the ETH long"))},
                   {"btc-breaks", once(Entry("ETH", "0.5", "4300", "3750", "If BTC breaks below 200000, exit the ETH long"))}},
                  Money());
  const BotReport* holds = Find(o.report, "btc-holds");
  const BotReport* breaks = Find(o.report, "btc-breaks");
  ASSERT_TRUE(holds && breaks);
  ASSERT_EQ(holds->trades.size(), 1u);
  EXPECT_EQ(holds->trades[0].coin, "ETH");
  EXPECT_EQ(holds->trades[0].exit_reason, ExitReason::kEndOfTest) << "BTC stayed above 100000";
  EXPECT_EQ(holds->stats.invalidations, 0);
  ASSERT_EQ(breaks->trades.size(), 1u);
  EXPECT_EQ(breaks->trades[0].exit_reason, ExitReason::kInvalidation) << "BTC is below 200000";
  EXPECT_LE(breaks->trades[0].exit_time - breaks->trades[0].entry_time, 15 * kMinuteMs);
}

TEST(BotInvalidation, AnRsiConditionWithoutAPeriodIsRecordedNotGuessed) {
  auto once = [](std::string entry) { return [entry](int n) { return n == 0 ? entry : std::string(kHold); }; };
  RunConfig cfg = Period("2025-10-20", "2025-10-20T06:00",
                         {LlmBot("rsi", {"DOGEUSDT"}), LlmBot("rsi7", {"DOGEUSDT"})});
  Outcome o = RunScripted(cfg,
                  {{"rsi", once(Entry("DOGE", "5000", "0.22", "0.18", "RSI falls below 30"))},
                   {"rsi7", once(Entry("DOGE", "5000", "0.22", "0.18", "If RSI(7) falls below 101"))}},
                  Money());
  const BotReport* rsi = Find(o.report, "rsi");
  const BotReport* rsi7 = Find(o.report, "rsi7");
  ASSERT_TRUE(rsi && rsi7);
  ASSERT_EQ(rsi->trades.size(), 1u);
  EXPECT_EQ(rsi->trades[0].exit_reason, ExitReason::kEndOfTest) << "an RSI of DOGE is not a price of 30";
  // The entry's verdict says the condition is not machine-checked, and why.
  bool recorded = false;
  for (const auto& r : o.cycles["rsi"]) {
    for (const auto& v : r.verdicts) {
      if (v.action == "entered") {
        recorded = v.detail.find("not machine-checked") != std::string::npos &&
                   v.detail.find("RSI without a period") != std::string::npos;
      }
    }
  }
  EXPECT_TRUE(recorded);
  // RSI(7) is always below 101: that condition, machine-checked, closes at once.
  ASSERT_EQ(rsi7->trades.size(), 1u);
  EXPECT_EQ(rsi7->trades[0].exit_reason, ExitReason::kInvalidation);
}

// --- item 6 ---------------------------------------------------------------------------

TEST(BotBudget, RetriesStopAtTheBudget) {
  // Every answer is refused (not JSON), so the bot retries up to 5 times per cycle; each call
  // costs $1 and the budget is $2: two calls in all, then every cycle holds without calling.
  BotConfig b = LlmBot("spender", {"BTCUSDT"});
  b.max_decision_retries = 5;
  b.daily_budget_usd = Money::FromUnits(2);
  SimulatedClock wall(*ParseUtc("2026-12-01T10:00"));
  Outcome o = RunScripted(Period("2025-10-20", "2025-10-20T01:00", {b}), {{"spender", [](int) { return std::string("no"); }}},
                  Money::FromUnits(1), &wall);
  EXPECT_EQ(o.calls["spender"], 2);
  const auto& cycles = o.cycles["spender"];
  ASSERT_GE(cycles.size(), 3u);
  EXPECT_EQ(cycles[0].usage.calls, 2);
  EXPECT_EQ(cycles[0].usage.per_call.size(), 2u);
  EXPECT_EQ(cycles[0].status, "budget_exhausted");
  EXPECT_EQ(cycles[1].status, "budget_exhausted");
  EXPECT_EQ(cycles[1].usage.calls, 0);
  EXPECT_EQ(cycles[0].usage.per_call[0].called_at, wall.NowMs());
}

TEST(BotBudget, AReplayOfManySimulatedDaysSpendsOneWallClockDay) {
  BotConfig b = LlmBot("replayer", {"BTCUSDT"});
  b.cadence = kHourMs;
  b.daily_budget_usd = Money::FromUnits(5);
  SimulatedClock wall(*ParseUtc("2026-12-01T10:00"));
  Outcome o = RunScripted(Period("2025-10-20", "2025-10-24", {b}), {{"replayer", [](int) { return std::string(kHold); }}},
                  Money::FromUnits(1), &wall);
  EXPECT_EQ(o.calls["replayer"], 5) << "four simulated days, one wall-clock day";
  EXPECT_GT(o.cycles["replayer"].size(), 90u);
}

// A reasoning model that spends its output budget thinking returns a cut-off answer with the
// vendor's "length" finish reason: the cycle is recorded as truncated, counted apart from parse
// failures (the model did not answer badly; it had no room), and not retried.
TEST(BotTruncation, ACutOffAnswerIsCountedApartFromParseFailures) {
  class Truncating final : public llm::Client {
   public:
    explicit Truncating(std::atomic<int>* calls) : calls_(calls) {}
    std::string provider() const override { return "scripted"; }
    Result<llm::Response> Complete(const llm::Request&, const llm::CancelToken*) override {
      calls_->fetch_add(1);
      llm::Response r;
      r.text = R"({"BTC": {"trade_signal_args": {"coin": "BTC", "sig)";
      r.finish_reason = "length";
      r.usage.output_tokens = 4096;
      return r;
    }

   private:
    std::atomic<int>* calls_;
  };
  std::atomic<int> calls{0};
  BotConfig b = LlmBot("thinker", {"BTCUSDT"});
  b.max_decision_retries = 3;
  BacktestOptions o;
  o.config = Period("2025-10-20", "2025-10-20T01:00", {b});
  o.timing = false;
  std::vector<CycleRecord> cycles;
  o.on_cycle = [&](const Bot&, const CycleRecord& r) { cycles.push_back(r); };
  o.make_client = [&](const BotConfig&) -> Result<std::unique_ptr<llm::Client>> {
    return std::unique_ptr<llm::Client>(std::make_unique<Truncating>(&calls));
  };
  auto r = RunBacktest(o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const BotReport* bot = Find(*r, "thinker");
  ASSERT_NE(bot, nullptr);
  ASSERT_FALSE(cycles.empty());
  EXPECT_EQ(bot->stats.truncated_answers, static_cast<std::int64_t>(cycles.size()));
  EXPECT_EQ(bot->stats.parse_failures, 0);
  EXPECT_EQ(calls.load(), static_cast<int>(cycles.size())) << "a truncated answer is not retried";
  for (const auto& c : cycles) EXPECT_EQ(c.status, "truncated");
}

// --- item 7 ---------------------------------------------------------------------------

// The Sharpe ratio shown at each cycle, computed by hand from the account values the prompts
// showed: returns from the capital on, sample standard deviation, × sqrt(365 × cycles per day).
TEST(BotSharpe, MatchesAHandComputationFromTheAccountValuesShown) {
  auto trade = [](int n) {
    // Enter a BTC long now and then, so the account value moves.
    return n % 12 == 0 ? Entry("BTC", "0.05", "130000", "100000", "If price closes below 90000") : std::string(kHold);
  };
  BotConfig b = LlmBot("sharpe", {"BTCUSDT"});
  b.cadence = 15 * kMinuteMs;
  Outcome o = RunScripted(Period("2025-10-20", "2025-10-22", {b}), {{"sharpe", trade}}, Money());
  const auto& cycles = o.cycles["sharpe"];
  ASSERT_GT(cycles.size(), 100u);
  std::vector<double> values = {b.capital.ToDouble()};
  int checked = 0;
  for (const auto& c : cycles) {
    values.push_back(c.account_value.ToDouble());
    const std::size_t n = values.size() - 1;  // returns so far
    double mean = 0;
    for (std::size_t i = 1; i <= n; ++i) mean += values[i] / values[i - 1] - 1;
    mean /= static_cast<double>(n);
    double ss = 0;
    for (std::size_t i = 1; i <= n; ++i) ss += std::pow(values[i] / values[i - 1] - 1 - mean, 2);
    if (n < 2 || ss == 0) {
      EXPECT_FALSE(c.sharpe.has_value()) << c.cycle;
      continue;
    }
    const double expected = mean / std::sqrt(ss / static_cast<double>(n - 1)) * std::sqrt(365.0 * 96);
    ASSERT_TRUE(c.sharpe.has_value()) << c.cycle;
    EXPECT_NEAR(*c.sharpe, expected, 1e-9 * std::max(1.0, std::fabs(expected))) << "cycle " << c.cycle;
    ++checked;
  }
  EXPECT_GT(checked, 50);
}

// The same from the prompt text alone: the Sharpe ratio the model reads agrees with one
// computed by hand from the account values the model read (rounded to cents in the prompt,
// hence the tolerance).
TEST(BotSharpe, ThePromptsSharpeMatchesItsOwnAccountValues) {
  auto trade = [](int n) {
    return n % 12 == 0 ? Entry("BTC", "0.05", "130000", "100000", "If price closes below 90000") : std::string(kHold);
  };
  BotConfig b = LlmBot("sharpe", {"BTCUSDT"});
  b.cadence = 15 * kMinuteMs;
  Outcome o = RunScripted(Period("2025-10-20", "2025-10-22", {b}), {{"sharpe", trade}}, Money(), nullptr, true);
  auto field = [](const std::string& text, const std::string& key) -> std::optional<double> {
    auto at = text.find(key);
    if (at == std::string::npos) return std::nullopt;
    std::string v;
    for (std::size_t i = at + key.size(); i < text.size() && text[i] != '\n'; ++i) {
      if (text[i] != ',' && text[i] != '$') v += text[i];
    }
    if (v.empty() || !(std::isdigit(static_cast<unsigned char>(v[0])) || v[0] == '-')) return std::nullopt;
    return std::stod(v);
  };
  std::vector<double> values = {b.capital.ToDouble()};
  int checked = 0;
  for (const auto& c : o.cycles["sharpe"]) {
    auto value = field(c.user_prompt, "Current Account Value: ");
    ASSERT_TRUE(value) << c.user_prompt;
    values.push_back(*value);
    const std::size_t n = values.size() - 1;
    double mean = 0, ss = 0;
    for (std::size_t i = 1; i <= n; ++i) mean += values[i] / values[i - 1] - 1;
    mean /= static_cast<double>(n);
    for (std::size_t i = 1; i <= n; ++i) ss += std::pow(values[i] / values[i - 1] - 1 - mean, 2);
    auto shown = field(c.user_prompt, "Sharpe Ratio: ");
    if (n < 10 || ss < 1e-12) continue;
    const double expected = mean / std::sqrt(ss / static_cast<double>(n - 1)) * std::sqrt(365.0 * 96);
    ASSERT_TRUE(shown) << "cycle " << c.cycle;
    EXPECT_NEAR(*shown, expected, 0.01 + 0.02 * std::fabs(expected)) << "cycle " << c.cycle;
    ++checked;
  }
  EXPECT_GT(checked, 50);
}

}  // namespace
}  // namespace aitrader::engine
