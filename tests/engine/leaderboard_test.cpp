// Leaderboard: aggregation over runs (mean and spread), ranking, the parse-failure rate and
// confidence vs hit rate, on hand-made reports.
#include "engine/leaderboard.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace aitrader::engine {
namespace {

Money M(const char* s) { return *Money::Parse(s); }

ClosedTrade T(const char* net_realized, double confidence) {
  ClosedTrade t;
  t.symbol = "BTCUSDT";
  t.realized_pnl = M(net_realized);
  t.confidence = confidence;
  return t;
}

BotReport Bot(const std::string& name, int run, double ret, std::optional<double> sharpe, std::int64_t cycles,
              std::int64_t parse_failures, const char* llm_cost, std::vector<ClosedTrade> trades) {
  BotReport b;
  b.name = name;
  b.label = name + " label";
  b.provider = name == "base" ? "baseline" : "anthropic";
  b.model = name == "base" ? "baseline-v1" : "claude-sonnet-4-5";
  b.prompt_version = "aa-v1";
  b.run = run;
  b.stats.cycles = cycles;
  b.stats.parse_failures = parse_failures;
  b.stats.llm_cost = M(llm_cost);
  b.trades = std::move(trades);
  b.metrics.total_return_pct = ret;
  b.metrics.sharpe = sharpe;
  b.metrics.max_drawdown_pct = 5 + run;
  b.metrics.trades = static_cast<std::int64_t>(b.trades.size());
  b.metrics.fees_paid = M("3");
  for (const auto& t : b.trades) b.metrics.net_pnl += t.net();
  std::int64_t wins = 0;
  for (const auto& t : b.trades) wins += t.net().IsPositive();
  if (!b.trades.empty()) b.metrics.win_rate = static_cast<double>(wins) / static_cast<double>(b.trades.size());
  return b;
}

TEST(Spread, MeanMinMaxSkippingUndefined) {
  Spread s;
  EXPECT_FALSE(s.has_value());
  s.Add(2);
  s.Add(-1);
  s.Add(std::nan(""));
  s.Add(5);
  EXPECT_EQ(s.n, 3);
  EXPECT_DOUBLE_EQ(s.mean, 2);
  EXPECT_DOUBLE_EQ(s.min, -1);
  EXPECT_DOUBLE_EQ(s.max, 5);
}

TEST(Leaderboard, AggregatesRunsAndRanksByMeanReturn) {
  RunReport r;
  // Two runs each; the LLM bot is better on average.
  r.bots.push_back(Bot("base", 0, 1.0, 0.5, 100, 0, "0", {T("10", 0.6), T("-5", 0.6)}));
  r.bots.push_back(Bot("llm", 0, 5.0, 1.5, 100, 10, "2.5", {T("10", 0.9), T("-2", 0.8), T("-1", 0.7)}));
  r.bots.push_back(Bot("base", 1, 3.0, std::nullopt, 100, 0, "0", {}));
  r.bots.push_back(Bot("llm", 1, 0.0, 0.5, 200, 20, "1.5", {T("4", 0.8)}));
  auto rows = ComputeLeaderboard(r);
  ASSERT_EQ(rows.size(), 2u);
  const LeaderboardRow& llm = rows[0];
  const LeaderboardRow& base = rows[1];
  EXPECT_EQ(llm.name, "llm");
  EXPECT_EQ(llm.rank, 1);
  EXPECT_EQ(base.rank, 2);
  EXPECT_EQ(llm.runs, 2);
  EXPECT_DOUBLE_EQ(llm.total_return_pct.mean, 2.5);
  EXPECT_DOUBLE_EQ(llm.total_return_pct.min, 0.0);
  EXPECT_DOUBLE_EQ(llm.total_return_pct.max, 5.0);
  EXPECT_DOUBLE_EQ(llm.sharpe.mean, 1.0);
  EXPECT_DOUBLE_EQ(llm.max_drawdown_pct.mean, 5.5);
  EXPECT_DOUBLE_EQ(llm.trades.mean, 2.0);
  // parse-failure rate per run: 10/100 and 20/200.
  EXPECT_DOUBLE_EQ(llm.parse_failure_rate.mean, 0.1);
  EXPECT_DOUBLE_EQ(llm.llm_cost_usd.mean, 2.0);
  // net PnL − LLM cost: run 0: 7 − 2.5 = 4.5; run 1: 4 − 1.5 = 2.5.
  EXPECT_DOUBLE_EQ(llm.pnl_net_of_llm_cost.mean, 3.5);
  EXPECT_DOUBLE_EQ(llm.pnl_net_of_llm_cost.min, 2.5);
  // confidence vs hit rate: run 0: mean 0.8 vs 1/3 won; run 1: 0.8 vs 1.
  EXPECT_NEAR(llm.average_confidence.mean, 0.8, 1e-12);
  EXPECT_NEAR(llm.hit_rate.min, 1.0 / 3, 1e-12);
  EXPECT_NEAR(llm.hit_rate.max, 1.0, 1e-12);
  // The baseline's second run has no trades and no Sharpe: left out, not counted as zero.
  EXPECT_EQ(base.sharpe.n, 1);
  EXPECT_DOUBLE_EQ(base.sharpe.mean, 0.5);
  EXPECT_EQ(base.win_rate.n, 1);
  EXPECT_EQ(base.hit_rate.n, 1);
  EXPECT_DOUBLE_EQ(base.hit_rate.mean, 0.5);
  EXPECT_DOUBLE_EQ(base.parse_failure_rate.mean, 0);
}

TEST(Leaderboard, TiesAreOrderedByName) {
  RunReport r;
  r.bots.push_back(Bot("zeta", 0, 1.0, 0.5, 10, 0, "0", {}));
  r.bots.push_back(Bot("alpha", 0, 1.0, 0.5, 10, 0, "0", {}));
  auto rows = ComputeLeaderboard(r);
  EXPECT_EQ(rows[0].name, "alpha");
  EXPECT_EQ(rows[1].name, "zeta");
}

TEST(Leaderboard, PerRunHelpers) {
  BotReport none = Bot("b", 0, 0, std::nullopt, 0, 0, "0", {});
  EXPECT_EQ(ParseFailureRate(none), 0);
  EXPECT_FALSE(AverageConfidence(none).has_value());
  EXPECT_FALSE(HitRate(none).has_value());
  BotReport some = Bot("b", 0, 0, std::nullopt, 8, 2, "0", {T("1", 0.5), T("0", 0.7), T("-1", 0.9)});
  EXPECT_DOUBLE_EQ(ParseFailureRate(some), 0.25);
  EXPECT_NEAR(*AverageConfidence(some), 0.7, 1e-12);
  EXPECT_NEAR(*HitRate(some), 1.0 / 3, 1e-12);  // a zero-net trade is not a hit
}

TEST(Leaderboard, TableAndJson) {
  RunReport r;
  r.bots.push_back(Bot("base", 0, 1.0, 0.5, 100, 0, "0", {T("10", 0.6)}));
  r.bots.push_back(Bot("base", 1, 3.0, 0.7, 100, 0, "0", {T("10", 0.6)}));
  r.bots[1].ledger_check = "balance mismatch";
  auto rows = ComputeLeaderboard(r);
  const std::string table = LeaderboardTable(rows);
  for (const char* col : {"return", "sharpe", "max dd", "trades", "win rate", "fees $", "llm cost $", "net-llm $",
                          "parse fail", "confidence", "hit rate"}) {
    EXPECT_NE(table.find(col), std::string::npos) << col;
  }
  EXPECT_NE(table.find("2.00%"), std::string::npos) << table;
  EXPECT_NE(table.find("min..max"), std::string::npos) << table;
  EXPECT_NE(table.find("1.00..3.00"), std::string::npos) << table;
  EXPECT_NE(table.find("LEDGER CHECK FAILED run 1: balance mismatch"), std::string::npos) << table;
  const std::string json = LeaderboardToJson(rows);
  EXPECT_NE(json.find("\"total_return_pct\":{\"mean\":2,\"min\":1,\"max\":3,\"n\":2}"), std::string::npos) << json;
  EXPECT_NE(json.find("\"ledger_ok\":false"), std::string::npos);
  EXPECT_NE(json.find("\"average_confidence\":{\"mean\":0.6"), std::string::npos);
}

}  // namespace
}  // namespace aitrader::engine
