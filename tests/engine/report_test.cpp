// Report metrics against hand calculations on a small fixed equity curve and trade list, and
// the JSON report's fields.
#include "engine/report.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace aitrader::engine {
namespace {

Money M(const char* s) { return *Money::Parse(s); }
Price P(const char* s) { return *Price::Parse(s); }

ClosedTrade Trade(const char* symbol, const char* realized, const char* fees, const char* funding) {
  ClosedTrade t;
  t.symbol = symbol;
  t.coin = std::string(symbol).substr(0, 3);
  t.side = Side::kBuy;
  t.quantity = *Quantity::Parse("0.5");
  t.entry_time = *ParseUtc("2025-10-17T00:05:00Z");
  t.entry_price = P("100");
  t.exit_time = *ParseUtc("2025-10-17T01:00:00Z");
  t.exit_price = P("120");
  t.exit_reason = ExitReason::kTakeProfit;
  t.realized_pnl = M(realized);
  t.fees = M(fees);
  t.funding = M(funding);
  t.confidence = 0.65;
  return t;
}

// Equity 100 → 110 → 99 → 108.9, one point per day: returns +10 %, −10 %, +10 %.
std::vector<std::pair<UnixMs, Money>> Curve() {
  const UnixMs t0 = *ParseUtc("2025-10-18");
  return {{t0, M("110")}, {t0 + kDayMs, M("99")}, {t0 + 2 * kDayMs, M("108.9")}};
}

std::vector<ClosedTrade> Trades() {
  return {Trade("BTCUSDT", "10", "1", "-0.5"),   // net +8.5
          Trade("ETHUSDT", "-4", "1", "0.2"),    // net −4.8
          Trade("SOLUSDT", "0.3", "0.3", "0")};  // net 0: neither a win nor a loss
}

TEST(Metrics, HandCalculatedCurveAndTrades) {
  Metrics m = ComputeMetrics(M("100"), Curve(), Trades(), kDayMs);
  EXPECT_EQ(m.initial_equity.ToString(), "100");
  EXPECT_EQ(m.final_equity.ToString(), "108.9");
  EXPECT_NEAR(m.total_return_pct, 8.9, 1e-9);
  // mean = 0.1/3; sample variance = ((0.2/3)² × 2 + (0.4/3)²) / 2 = 0.04/3.
  const double mean = 0.1 / 3;
  ASSERT_TRUE(m.sharpe.has_value());
  EXPECT_NEAR(*m.sharpe, mean / std::sqrt(0.04 / 3) * std::sqrt(365.0), 1e-9);
  // downside deviation = sqrt(0.01 / 3) (one negative return of three).
  ASSERT_TRUE(m.sortino.has_value());
  EXPECT_NEAR(*m.sortino, mean / std::sqrt(0.01 / 3) * std::sqrt(365.0), 1e-9);
  EXPECT_NEAR(m.max_drawdown_pct, 10.0, 1e-9);  // peak 110 → 99
  EXPECT_EQ(m.trades, 3);
  ASSERT_TRUE(m.win_rate.has_value());
  EXPECT_NEAR(*m.win_rate, 1.0 / 3, 1e-12);
  ASSERT_TRUE(m.profit_factor.has_value());
  EXPECT_NEAR(*m.profit_factor, 8.5 / 4.8, 1e-12);
  EXPECT_EQ(m.net_pnl.ToString(), "3.7");
  EXPECT_EQ(m.fees_paid.ToString(), "2.3");
  EXPECT_EQ(m.funding_paid.ToString(), "0.3");  // paid 0.5, received 0.2
}

TEST(Metrics, FlatCurveHasNoRatios) {
  const UnixMs t0 = *ParseUtc("2025-10-18");
  Metrics m = ComputeMetrics(M("100"), {{t0, M("100")}, {t0 + kDayMs, M("100")}}, {}, kDayMs);
  EXPECT_FALSE(m.sharpe.has_value());
  EXPECT_FALSE(m.sortino.has_value());
  EXPECT_FALSE(m.win_rate.has_value());
  EXPECT_FALSE(m.profit_factor.has_value());
  EXPECT_EQ(m.max_drawdown_pct, 0);
  EXPECT_EQ(m.total_return_pct, 0);
}

TEST(Metrics, DrawdownUsesTheRunningPeak) {
  const UnixMs t0 = *ParseUtc("2025-10-18");
  // 100 → 120 → 90 (−25 %) → 130 → 117 (−10 %): the deepest is 25 %.
  std::vector<std::pair<UnixMs, Money>> c = {
      {t0, M("120")}, {t0 + 1, M("90")}, {t0 + 2, M("130")}, {t0 + 3, M("117")}};
  EXPECT_NEAR(ComputeMetrics(M("100"), c, {}, kDayMs).max_drawdown_pct, 25.0, 1e-9);
}

RunReport SmallReport() {
  RunReport r;
  r.from = *ParseUtc("2025-10-17");
  r.to = *ParseUtc("2025-10-20");
  r.interval = 5 * kMinuteMs;
  r.symbols = {"BTCUSDT", "ETHUSDT", "SOLUSDT"};
  r.candles_processed = 2592;
  r.cycles = 864;
  BotReport b;
  b.name = "baseline";
  b.label = "baseline";
  b.provider = "baseline";
  b.model = "baseline-v1";
  b.prompt_version = "baseline";
  b.candles_processed = 2592;
  b.stats.cycles = 864;
  b.stats.llm_calls = 0;
  b.stats.parse_failures = 1;
  b.stats.risk_denials = 2;
  b.trades = Trades();
  b.equity_curve = Curve();
  b.metrics = ComputeMetrics(M("100"), b.equity_curve, b.trades, kDayMs);
  r.bots.push_back(b);
  return r;
}

TEST(Report, JsonHasEveryFieldOfTheIssue) {
  RunReport r = SmallReport();
  r.elapsed_seconds = 1.5;
  const std::string json = ReportToJson(r);
  for (const char* field :
       {"\"candles_processed\":2592", "\"cycles\":864", "\"elapsed_seconds\":1.5", "\"final_equity\":\"108.9\"",
        "\"total_return_pct\":8.9", "\"sharpe\":", "\"sortino\":", "\"max_drawdown_pct\":10", "\"trade_count\":3",
        "\"win_rate\":0.333333", "\"profit_factor\":1.770833", "\"fees_paid\":\"2.3\"", "\"funding_paid\":\"0.3\"",
        "\"llm_calls\":0", "\"llm_cost_usd\":\"0\"", "\"parse_failures\":1", "\"risk_denials\":2",
        "\"equity_curve\":[[\"2025-10-18T00:00:00Z\",\"110\"]", "\"trades\":[{", "\"symbol\":\"BTCUSDT\"",
        "\"side\":\"long\"", "\"quantity\":\"0.5\"", "\"entry_time\":\"2025-10-17T00:05:00Z\"",
        "\"entry_price\":\"100\"", "\"exit_time\":\"2025-10-17T01:00:00Z\"", "\"exit_price\":\"120\"",
        "\"exit_reason\":\"take_profit\"", "\"realized_pnl\":\"-4\"", "\"fees\":\"0.3\"", "\"funding\":\"-0.5\"",
        "\"leaderboard\":[{\"rank\":1"}) {
    EXPECT_NE(json.find(field), std::string::npos) << field << "\n" << json;
  }
  // Every key appears once per object: the trade count and the trade list have distinct names
  // (a strict JSON reader keeps only one of two equal keys).
  EXPECT_EQ(json.find("\"trades\":3"), std::string::npos);
  EXPECT_EQ(json.find("\"trades\":["), json.rfind("\"trades\":[")) << "one trade list per bot";
  r.elapsed_seconds.reset();
  EXPECT_EQ(ReportToJson(r).find("elapsed_seconds"), std::string::npos);
  EXPECT_EQ(ReportToJson(r), ReportToJson(SmallReport()));
}

TEST(Report, ExitReasonNames) {
  EXPECT_EQ(ToString(ExitReason::kSignal), "signal");
  EXPECT_EQ(ToString(ExitReason::kStopLoss), "stop_loss");
  EXPECT_EQ(ToString(ExitReason::kTakeProfit), "take_profit");
  EXPECT_EQ(ToString(ExitReason::kInvalidation), "invalidation");
  EXPECT_EQ(ToString(ExitReason::kLiquidation), "liquidation");
  EXPECT_EQ(ToString(ExitReason::kEndOfTest), "end_of_test");
}

TEST(Report, EquityCurveThinningKeepsTheLastPoint) {
  RunReport r = SmallReport();
  const std::string json = ReportToJson(r, 2);
  EXPECT_NE(json.find("[\"2025-10-18T00:00:00Z\",\"110\"]"), std::string::npos);
  EXPECT_NE(json.find("[\"2025-10-20T00:00:00Z\",\"108.9\"]"), std::string::npos);
  EXPECT_EQ(json.find("[\"2025-10-19T00:00:00Z\",\"99\"]"), std::string::npos);
}

TEST(Report, SummaryAndSvg) {
  RunReport r = SmallReport();
  r.bots[0].warnings.push_back("the period starts before the model's training cut-off");
  const std::string s = ReportSummary(r);
  EXPECT_NE(s.find("baseline"), std::string::npos);
  EXPECT_NE(s.find("108.90"), std::string::npos);
  EXPECT_NE(s.find("warning: the period starts before"), std::string::npos);
  const std::string svg = EquitySvg(r);
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  EXPECT_NE(svg.find("<polyline"), std::string::npos);
}

}  // namespace
}  // namespace aitrader::engine
