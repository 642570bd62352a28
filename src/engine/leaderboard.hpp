// Leaderboard: the arena's ranking of bots, computed from a RunReport. One row per bot name
// (a bot repeated over `runs` seeds is one row); every column carries the mean over the runs
// and the [min, max] spread, because one run proves little.
//
// Columns (per run, then aggregated):
//  - total_return_pct, sharpe, max_drawdown_pct, trades, win_rate, fees_paid, llm_cost_usd:
//    as in the bot's report (engine/report.hpp);
//  - pnl_net_of_llm_cost = net trading PnL (realized − fees + funding) − LLM cost, in USD;
//  - parse_failure_rate = parse_failures / cycles (0 when there was no cycle);
//  - average_confidence = mean confidence of the closed trades' entries, hit_rate = share of
//    those trades with net PnL > 0 — side by side they show whether a model's confidence
//    means anything (calibration_gap = average_confidence − hit_rate);
// Values that are undefined for a run (Sharpe of a flat curve, win rate without trades) are
// left out of that column's mean and spread; `n` says how many runs the column has.
// Rows are sorted by mean total return, best first (ties by name, for determinism).
// Thread safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "engine/report.hpp"

namespace aitrader::engine {

struct Spread {
  int n = 0;  // runs with a value
  double mean = 0, min = 0, max = 0;
  void Add(double v);  // folds one run's value in (mean over all added)
  bool has_value() const { return n > 0; }

 private:
  double sum_ = 0;
};

struct LeaderboardRow {
  int rank = 0;  // 1 = best mean return
  std::string name;
  std::string label;
  std::string provider;
  std::string model;
  std::string prompt_version;
  int runs = 0;
  Spread total_return_pct;
  Spread sharpe;
  Spread max_drawdown_pct;
  Spread trades;
  Spread win_rate;
  Spread fees_paid;             // USD
  Spread llm_cost_usd;
  Spread pnl_net_of_llm_cost;   // USD
  Spread parse_failure_rate;
  Spread average_confidence;
  Spread hit_rate;
  std::vector<std::string> ledger_problems;  // any run whose ledger check failed
};

// Per-run column values of one bot report (exposed for tests).
double ParseFailureRate(const BotReport& b);
std::optional<double> AverageConfidence(const BotReport& b);  // over closed trades
std::optional<double> HitRate(const BotReport& b);            // share of closed trades with net > 0

std::vector<LeaderboardRow> ComputeLeaderboard(const RunReport& report);

// A fixed-width table for the terminal: one line of means per bot and, for bots with several
// runs, a second line with each column's min..max.
std::string LeaderboardTable(const std::vector<LeaderboardRow>& rows);
// The rows as a JSON array (each column {"mean", "min", "max", "n"}, null when n = 0).
std::string LeaderboardToJson(const std::vector<LeaderboardRow>& rows);

}  // namespace aitrader::engine
