// Backtests and arenas: the same Bot code as live trading, driven by a simulated clock over
// historical candles, against the paper simulator (principle: one engine, two clocks).
//
// One run = one PaperSimulator over the union of the bots' symbols, one paper account per bot
// (an arena is simply a run with several bots; `runs` > 1 repeats every bot with another
// slippage seed so the spread of results shows). For each bar in [from, to): the clock moves
// to the bar's close, the simulator processes the bar (fills, triggers, funding,
// liquidations), then every bot drains its events, enforces invalidations and, on its
// cadence, runs a cycle — seeing only candles closed by then (no look-ahead). Before the last
// bar every bot closes its positions at market (exit reason end_of_test); the last bar fills
// them. Each account's ledger self-check is in the report.
// Thread safety: RunBacktest is self-contained; it may run concurrently with other runs.
#pragma once

#include <functional>

#include "engine/config.hpp"
#include "llm/client.hpp"
#include "engine/report.hpp"

namespace aitrader::engine {

struct BacktestOptions {
  RunConfig config;
  bool keep_prompts = false;   // keep every prompt in the cycle records (memory!)
  bool timing = true;          // put elapsed_seconds in the report (off: byte-identical reports)
  std::function<void(double done_fraction)> progress;  // called at most ~200 times
  // Polled before every bar: true stops the run with Cancelled (a server shutting down).
  std::function<bool()> cancelled;
  // Called for every cycle of every bot (e.g. to print or store decisions).
  std::function<void(const Bot&, const CycleRecord&)> on_cycle;
  // Builds the client of an LLM bot instead of llm::MakeClient(bot.llm) — tests and benchmarks
  // (e.g. agent::BaselineClient wrapped in a recorder, or a fake client answering from memory).
  std::function<Result<std::unique_ptr<llm::Client>>(const BotConfig&)> make_client;
  // Candles and features already loaded (MarketData::Load over the bots' symbols at the run's
  // interval), shared by several runs; null: loaded from config.data_dir.
  std::shared_ptr<const MarketData> market;
  // The system clock of the daily LLM budget (null: the real one). The budget counts real
  // days, never simulated ones: a replay of a month spends at most one day's budget per day
  // it takes to run.
  const Clock* wall_clock = nullptr;
};

// Errors: InvalidArgument (bots with different intervals, an empty period, unknown symbols),
// data errors naming the file, LLM client configuration errors naming the bot.
Result<RunReport> RunBacktest(const BacktestOptions& options);

// The period a config covers when from/to are not set: from = the first intraday candle + 10
// days (indicator warm-up on 4h data), to = the close of the last candle.
struct Period {
  UnixMs from = 0, to = 0;
};

}  // namespace aitrader::engine
