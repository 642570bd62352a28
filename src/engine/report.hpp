// Performance metrics of a run and the backtest report (JSON and a terminal summary).
//
// Definitions (checked against hand calculations in tests/engine/report_test.cpp):
//  - returns r_i: simple returns between consecutive equity-curve points (one per bar);
//  - sharpe = mean(r) / stdev(r) × sqrt(points per year), sample stdev, risk-free 0;
//  - sortino = mean(r) / sqrt(Σ min(r,0)² / n) × sqrt(points per year);
//  - max_drawdown_pct = max over time of (running peak − equity) / running peak × 100;
//  - win_rate = trades with net PnL > 0 / trades; profit_factor = Σ net wins / |Σ net losses|
//    (null when there is no loss); a trade's net = realized − fees + funding;
//  - fees_paid = Σ commissions (and liquidation fees); funding_paid = −Σ funding (> 0 paid).
// Money and prices are written as exact decimal strings; ratios as JSON numbers.
// Thread safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/fixed.hpp"
#include "engine/bot.hpp"

namespace aitrader::engine {

struct Metrics {
  Money initial_equity;
  Money final_equity;
  double total_return_pct = 0;
  std::optional<double> sharpe;
  std::optional<double> sortino;
  double max_drawdown_pct = 0;
  std::int64_t trades = 0;
  std::optional<double> win_rate;
  std::optional<double> profit_factor;
  Money net_pnl;
  Money fees_paid;
  Money funding_paid;
};

// point_interval: spacing of the curve (for annualisation).
Metrics ComputeMetrics(Money initial, const std::vector<std::pair<UnixMs, Money>>& equity_curve,
                       const std::vector<ClosedTrade>& trades, UnixMs point_interval);

struct BotReport {
  std::string name;
  std::string label;
  std::string provider;
  std::string model;
  std::string prompt_version;
  int run = 0;                       // arena: which seed
  std::uint64_t seed = 0;            // the paper simulator's seed of this run (slippage draws)
  std::int64_t candles_processed = 0;  // candles of the bot's symbols in the period
  Metrics metrics;
  BotStats stats;
  std::vector<ClosedTrade> trades;
  std::vector<std::pair<UnixMs, Money>> equity_curve;
  std::optional<UnixMs> training_cutoff;
  std::vector<std::string> warnings;
  std::string ledger_check = "ok";   // the paper ledger's self-check
};

struct RunReport {
  UnixMs from = 0, to = 0;
  UnixMs interval = 0;
  std::vector<std::string> symbols;
  std::int64_t candles_processed = 0;
  std::int64_t cycles = 0;
  std::optional<double> elapsed_seconds;  // omitted when timing is off (byte-identical reports)
  std::vector<BotReport> bots;
};

// The JSON report; equity_points_max thins the equity curve (0 = all points). It ends with the
// leaderboard (engine/leaderboard.hpp) over the bots and runs.
std::string ReportToJson(const RunReport& r, std::size_t equity_points_max = 2000);
// A readable summary for the terminal: the headline (period, candles, cycles, speed) and one
// line per bot.
std::string ReportSummary(const RunReport& r);
std::string ReportHeadline(const RunReport& r);
// An SVG line chart of every bot's equity curve.
std::string EquitySvg(const RunReport& r, int width = 960, int height = 480);

}  // namespace aitrader::engine
