// PaperRuntime: `aitrader run` — the configured bots trading on the paper venue over
// replayed candles, with everything stored in the database, resumable after a crash.
//
// Decisions: baseline bots decide inline (microseconds). LLM bots decide on a worker pool:
// at a bar the runtime takes the cycle's first steps (snapshot, portfolio, prompt) in the bar's
// transaction, hands the model call to a worker, and finishes the cycle (validation, risk,
// orders, storage — its own transaction) on the runtime thread when the answer is back.
// A bot whose previous decision is still running when its next cycle is due misses that cycle
// (counted and logged). At --speed 0 the runtime waits for every answer before the next bar,
// so a replay is deterministic; with pacing it does not wait. Operator commands apply between
// bars; an emergency stop cancels the bot's call in flight and its late answer is discarded.
//
// Time: bars of the run's period are replayed in order; --speed N paces them at N× real time
// (a 5-minute bar every 300/N s), 0 = as fast as possible. The bars come through the engine's
// driver (engine/bar_driver.hpp), as in backtests and `serve`; a stop request is seen within
// 200 ms while it waits. The venue fills market orders at once at the current mark
// (live-like), unlike backtests (next bar's open).
//
// Per bar, one database transaction holds: the venue's journaled calls, every bot's records
// (decisions, orders, fills, positions, equity, alerts) and the run's position ("last_bar").
// Events are published only after the commit.
//
// Crash recovery (kill -9 at any point): on start the runtime finds the run in the database,
// rebuilds the paper venue by replaying the bars up to the last committed one with the
// journaled calls at the same points (the simulator is deterministic), checks every ledger,
// restores each bot's status, cycle counter, open positions with their exit plans and risk
// memory from the store, and continues with the next bar. A bar that was cut short is
// processed again from scratch; deterministic client order ids mean a repeated order is the
// same order. Nothing is placed twice, no fill is lost, and the ledgers reconcile.
//
// Operator commands (pause, resume, stop, emergency_stop; per bot or global) are read from the
// bot_commands table at every bar, so `aitrader bots …` works from another process or machine.
// Each is marked done with its result: "applied", "refused: …" (per bot: resume of a halted
// bot, pause of a bot not running…) or "not applicable: …" (no bot of this run matches).
// resume restarts a paused or stopped bot; a halted one is refused (Bot::ResumeTrading).
//
// The daily LLM budget of each bot continues from the spend stored for the current wall-clock
// UTC day (llm_usage.called_at) and the Sharpe ratio from the stored cycle account values.
//
// Testnet and live bots (mode "testnet" / "live", issue 12) need the live feed (--market
// binance): each trades on the Binance adapter (engine/remote_bots.hpp) with the key pair of
// the environment (BINANCE_TESTNET_API_KEY / BINANCE_TESTNET_API_SECRET, live: BINANCE_API_KEY
// / BINANCE_API_SECRET); live also needs allow_live and the paper/testnet record of
// live_min_record_days. Their venue is the record (no journal, no replay): between bars their
// fills, exchange-side stops and liquidations are recorded every venue_poll_ms, and after a
// restart each is reconnected and reconciled with the store (differences are alerts). On the
// live feed, operator commands are also read between bars (every venue_poll_ms), so an
// emergency stop does not wait for the next bar. A bot's mode is fixed once it is stored.
//
// Crash injection for tests: AITRADER_CRASH_AT="bar:N" kills the process (SIGKILL) while the
// N-th bar of this process is half processed; "commit:N" right after the N-th commit.
// Thread safety: one thread runs the loop; RequestStop() may be called from a signal handler.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/clock.hpp"
#include "engine/config.hpp"
#include "engine/live_market.hpp"
#include "exchange/binance/config.hpp"
#include "exchange/paper/simulator.hpp"
#include "store/repository.hpp"

namespace aitrader::engine {

struct RuntimeOptions {
  RunConfig config;
  double speed = 0;                      // 0 = as fast as possible; N = N× real time
  std::function<void(const std::string&)> log;  // progress and events, one line each
  bool publish_events = false;           // log every published event (JSON lines)
  // LLM bots decide on a pool of this many worker threads while the runtime thread keeps
  // processing bars and finished cycles (0: decide inline, one bot after another).
  int decision_workers = 32;
  // The system clock of the daily LLM budget and the calls' timestamps (null: the real one).
  const Clock* wall_clock = nullptr;
  // Binance's live market data instead of the candle files (engine/live_market.hpp): the run
  // starts at the newest closed bar, ignores from/to and runs until stopped; after a restart
  // the bars missed meanwhile are caught up (processed by the venue, no decision on them).
  std::optional<LiveFeedOptions> live = std::nullopt;
  // Testnet / live bots: the adapter's URLs and receive window; live trading's permission.
  exchange::binance::BinanceConfig binance = {};
  bool allow_live = false;
  int live_min_record_days = 7;
};

struct RuntimeSummary {
  std::int64_t bars = 0;                 // bars processed by this process
  std::int64_t cycles = 0;               // cycles finished by this process
  std::int64_t missed_cycles = 0;        // due while the bot's previous decision was still running
  bool resumed = false;                  // continued a run found in the database
  UnixMs last_bar = 0;
};

class PaperRuntime {
 public:
  static Result<std::unique_ptr<PaperRuntime>> Open(RuntimeOptions options);
  ~PaperRuntime();

  // Runs to the end of the period (or until RequestStop). Errors: database write failures
  // (the bar is rolled back and the run stops; restart to continue), venue errors.
  Result<RuntimeSummary> Run();
  void RequestStop() { stop_.store(true); }

  // For inspection and tests, never while Run() runs: the paper simulator and account of a
  // configured bot (sim null when no configured bot has that name).
  struct VenueAccount {
    exchange::paper::PaperSimulator* sim = nullptr;
    exchange::paper::AccountIndex account = 0;
  };
  VenueAccount PaperAccountOf(std::string_view bot_name);

  struct Impl;

 private:
  explicit PaperRuntime(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  std::atomic<bool> stop_{false};
};

// Deletes a bot from the database: refused while it is running or paused, or while it has
// open positions. Its history (decisions, orders, fills, positions, equity) stays; it is no
// longer listed and a run naming it is refused. Errors: NotFound, FailedPrecondition.
Status DeleteBot(store::Repository& repo, std::string_view name, UnixMs now);

}  // namespace aitrader::engine
