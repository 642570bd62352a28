// engine::EstimateLlmCost, the one estimate of `aitrader backtest/arena` (--yes) and of
// POST /api/backtests (confirm_cost): exact Money figures against the bundled price table.
// The expected figures are computed here from the table's own text (data/llm_prices.csv read
// and split by this test, the per-token arithmetic done in 128-bit integers below), not by
// asking llm::PriceTable — so a wrong price lookup, token count or multiplication shows.
#include "engine/cost_estimate.hpp"

#include <gtest/gtest.h>

#include <climits>

#include "core/io.hpp"
#include "core/strings.hpp"

namespace aitrader::engine {
namespace {

struct Row {
  Money input, cached, output;  // USD per 1M tokens
};

// The CSV row "provider,pattern,..." of the bundled table, read by hand.
Row PriceRow(const std::string& provider, const std::string& pattern) {
  auto text = ReadFile(std::string(AITRADER_DATA_DIR) + "/llm_prices.csv");
  EXPECT_TRUE(text.ok());
  if (!text.ok()) return {};
  for (std::string_view line : Split(*text, '\n')) {
    auto f = Split(Trim(line), ',');
    if (f.size() != 5 || Trim(f[0]) != provider || Trim(f[1]) != pattern) continue;
    return Row{*Money::Parse(Trim(f[2])), *Money::Parse(Trim(f[3])), *Money::Parse(Trim(f[4]))};
  }
  ADD_FAILURE() << "no row " << provider << "," << pattern << " in data/llm_prices.csv";
  return {};
}

// calls × (in × input + out × output) / 1e6, exact (the test's figures divide evenly).
Money Expected(const Row& r, std::int64_t in, std::int64_t out, std::int64_t calls) {
  const __int128 per_call_e6 = static_cast<__int128>(in) * r.input.raw() + static_cast<__int128>(out) * r.output.raw();
  EXPECT_EQ(static_cast<std::int64_t>(per_call_e6 % 1'000'000), 0) << "pick figures that divide evenly";
  return Money::FromRaw(static_cast<std::int64_t>(per_call_e6 / 1'000'000 * calls));
}

BotConfig LlmBot(const std::string& name, const std::string& provider, const std::string& model, int coins,
                 const std::string& base_url = "") {
  BotConfig b = DefaultBotConfig();
  b.name = name;
  b.model = ModelKind::kLlm;
  llm::ProviderConfig pc;
  pc.provider = provider;
  pc.model = model;
  pc.base_url = base_url;
  b.llm = pc;
  b.symbols.resize(static_cast<std::size_t>(coins), "BTCUSDT");
  return b;
}

RunConfig Day(std::vector<BotConfig> bots) {
  RunConfig run;
  run.from = 1'700'000'000'000;
  run.to = *run.from + kDayMs;  // 288 five-minute cycles
  run.bots = std::move(bots);
  return run;
}

TEST(CostEstimate, TheTypicalCallScalesWithTheCoins) {
  EXPECT_EQ(TypicalCallUsage(1).input_tokens, 1800);
  EXPECT_EQ(TypicalCallUsage(1).output_tokens, 230);
  EXPECT_EQ(TypicalCallUsage(6).input_tokens, 4800);
  EXPECT_EQ(TypicalCallUsage(6).output_tokens, 630);
  EXPECT_EQ(TypicalCallUsage(6).cached_tokens, 0);
}

TEST(CostEstimate, APaidModelCostsCallsTimesTheListPrice) {
  const Row sonnet = PriceRow("anthropic", "claude-sonnet-4-5*");
  auto est = EstimateLlmCost(Day({LlmBot("claude", "anthropic", "claude-sonnet-4-5", 2)}));
  ASSERT_TRUE(est.ok()) << est.status().message();
  ASSERT_EQ(est->bots.size(), 1u);
  const auto& b = est->bots[0];
  EXPECT_EQ(b.bot, "claude");
  EXPECT_EQ(b.calls, 288);
  EXPECT_EQ(b.per_call.input_tokens, 2400);
  EXPECT_EQ(b.per_call.output_tokens, 310);
  EXPECT_TRUE(b.priced);
  const Money want = Expected(sonnet, 2400, 310, 288);
  EXPECT_EQ(b.cost, want) << b.cost.ToString() << " vs " << want.ToString();
  EXPECT_EQ(est->total, want);
  EXPECT_TRUE(want.IsPositive());
  // The CLI's detail line under the total, unchanged.
  EXPECT_EQ(est->Detail(), "  claude: 288 calls × ~2400 in / 310 out tokens ≈ $" + want.ToString(2) + "\n");

  // A dated model name takes its prefix row; a cadence of an hour makes 24 calls.
  RunConfig hourly = Day({LlmBot("dated", "anthropic", "claude-sonnet-4-5-20250929", 2)});
  hourly.bots[0].cadence = kHourMs;
  est = EstimateLlmCost(hourly);
  ASSERT_TRUE(est.ok());
  ASSERT_EQ(est->bots.size(), 1u);
  EXPECT_EQ(est->bots[0].calls, 24);
  EXPECT_EQ(est->total, Expected(sonnet, 2400, 310, 24));
}

TEST(CostEstimate, AnArenaAddsItsBotsAndRuns) {
  const Row mini = PriceRow("openai", "gpt-5-mini*");
  const Row chat = PriceRow("deepseek", "deepseek-chat");
  RunConfig run = Day({BotConfig(DefaultBotConfig()), LlmBot("mini", "openai", "gpt-5-mini", 6),
                       LlmBot("ds", "deepseek", "deepseek-chat", 1)});
  run.runs = 3;
  auto est = EstimateLlmCost(run);
  ASSERT_TRUE(est.ok());
  ASSERT_EQ(est->bots.size(), 2u) << "the baseline is left out";
  const Money a = Expected(mini, 4800, 630, 288 * 3);
  const Money b = Expected(chat, 1800, 230, 288 * 3);
  EXPECT_EQ(est->bots[0].cost, a);
  EXPECT_EQ(est->bots[1].cost, b);
  EXPECT_EQ(est->total, a + b);
  EXPECT_EQ(est->Detail(), "  mini: 864 calls × ~4800 in / 630 out tokens ≈ $" + a.ToString(2) +
                               "\n  ds: 864 calls × ~1800 in / 230 out tokens ≈ $" + b.ToString(2) + "\n");
}

TEST(CostEstimate, TheBaselineAndReplaysCostNothing) {
  auto est = EstimateLlmCost(Day({DefaultBotConfig()}));
  ASSERT_TRUE(est.ok());
  EXPECT_EQ(est->total, Money::Zero());
  EXPECT_TRUE(est->bots.empty());
  EXPECT_EQ(est->Detail(), "");
  BotConfig replay = LlmBot("replay", "replay", "replay", 6);
  replay.llm->replay_file = "answers.jsonl";
  est = EstimateLlmCost(Day({replay}));
  ASSERT_TRUE(est.ok());
  EXPECT_EQ(est->total, Money::Zero());
  EXPECT_TRUE(est->bots.empty());
}

TEST(CostEstimate, ALoopbackEndpointCostsNothingAndOnlyALoopbackOne) {
  for (const std::string url : {"http://127.0.0.1:8080/v1", "http://localhost/v1", "http://[::1]:9000/v1",
                                "https://LOCALHOST:1", "http://127.0.0.1"}) {
    auto est = EstimateLlmCost(Day({LlmBot("local", "openai", "gpt-5-mini", 6, url)}));
    ASSERT_TRUE(est.ok());
    EXPECT_EQ(est->total, Money::Zero()) << url;
    EXPECT_TRUE(est->bots.empty()) << url;
  }
  // A host that merely starts like one is somebody else's server: priced.
  const Money want = Expected(PriceRow("openai", "gpt-5-mini*"), 4800, 630, 288);
  for (const std::string url : {"http://localhost.example.com/v1", "http://127.0.0.1.nip.io/v1",
                                "https://api.openai.com/v1", "http://user@127.0.0.1:80/v1", "ftp://127.0.0.1/"}) {
    auto est = EstimateLlmCost(Day({LlmBot("remote", "openai", "gpt-5-mini", 6, url)}));
    ASSERT_TRUE(est.ok());
    EXPECT_EQ(est->total, want) << url;
  }
  EXPECT_TRUE(IsLoopbackUrl("http://[::1]/"));
  EXPECT_FALSE(IsLoopbackUrl(""));
  EXPECT_FALSE(IsLoopbackUrl("http://[::1"));
  EXPECT_FALSE(IsLoopbackUrl("http://localhost:8080evil"));
}

// Today's rule, explicit: a model the table does not know counts as free (the table treats
// unknown models as local ones), so a run on it needs no confirmation; the estimate still lists
// the bot, with priced = false and its calls, so a caller can say it is unpriced.
TEST(CostEstimate, AnUnknownModelIsListedUnpricedAtZero) {
  RunConfig run = Day({LlmBot("new", "openai", "gpt-9-ultra", 6), LlmBot("claude", "anthropic", "claude-sonnet-4-5", 2)});
  auto est = EstimateLlmCost(run);
  ASSERT_TRUE(est.ok());
  ASSERT_EQ(est->bots.size(), 2u);
  EXPECT_FALSE(est->bots[0].priced);
  EXPECT_EQ(est->bots[0].calls, 288);
  EXPECT_EQ(est->bots[0].cost, Money::Zero());
  EXPECT_EQ(est->total, Expected(PriceRow("anthropic", "claude-sonnet-4-5*"), 2400, 310, 288));
  est = EstimateLlmCost(Day({LlmBot("new", "openai", "gpt-9-ultra", 6)}));
  ASSERT_TRUE(est.ok());
  EXPECT_EQ(est->total, Money::Zero()) << "nothing to confirm";
}

TEST(CostEstimate, AnOpenPeriodCountsNoCallsAndAnAbsurdOneIsAnErrorNotAnAbort) {
  RunConfig open = Day({LlmBot("claude", "anthropic", "claude-sonnet-4-5", 2)});
  open.to.reset();
  auto est = EstimateLlmCost(open);
  ASSERT_TRUE(est.ok());
  ASSERT_EQ(est->bots.size(), 1u);
  EXPECT_EQ(est->bots[0].calls, 0);
  EXPECT_EQ(est->total, Money::Zero());

  RunConfig absurd = Day({LlmBot("opus", "anthropic", "claude-opus-4-1", 6)});
  absurd.to = *absurd.from + 3650 * kDayMs;
  absurd.bots[0].cadence = kMinuteMs;
  absurd.runs = INT_MAX;
  est = EstimateLlmCost(absurd);
  ASSERT_FALSE(est.ok());
  EXPECT_EQ(est.status().code(), StatusCode::kOutOfRange);
  EXPECT_NE(est.status().message().find("opus"), std::string::npos) << est.status().message();
}

}  // namespace
}  // namespace aitrader::engine
