// Service: the paper runtime of `aitrader serve` — a long-lived thread that replays the
// market feed and runs the bots users create, start, pause, stop and emergency-stop through
// the API at any time.
//
// One runtime thread owns every Bot, the paper simulator, the market clock and a database
// connection of its own. Other threads never touch them: they post work to the runtime's
// executor (Call) and wait for the answer — commands (start, pause, resume, stop, emergency
// stop) — or read what the runtime thread published after its last commit (the venue's
// positions per bot, copied under a mutex). The thread processes posted work while it waits
// for the next bar, so a command takes effect within milliseconds, not at the next bar (the
// bars come through the engine's driver, engine/bar_driver.hpp, whose waits are here a
// condition-variable wait that posted work and Stop interrupt).
//
// Market feed, one of two:
// - replay (the default): the bundled (or given) candles of every symbol at one interval, replayed from
// `from` at `speed`× real time (bar k of a new run is due at start + k × interval / speed; after a
// restart the next bar comes one paced interval after the start, as in real time; 0 = no pacing).
// Once the data ends, market time stands still and commands keep working. A bot started
// mid-run trades from the current market time: it gets a fresh paper account with its
// capital and cycles on its cadence from the next bar on.
// - live (ServiceOptions::live, `serve --market binance`): Binance's market data
//   (engine/live_market.hpp) — history over REST at start, then each bar as it closes on the
//   kline stream; market time is the close of the last bar, `from` and `speed` do not apply.
//   Paper bots trade on the paper venue fed by those bars; testnet and live bots trade on
//   Binance itself (engine/venue_factory.hpp: the user's stored key pair, the server config's
//   URLs; live also needs allow_live and the paper-first record), their fills and exchange-side
//   closes arriving on the user-data stream and recorded within seconds (the runtime polls
//   their venues between bars). After a restart the bars missed while the server was down
//   are caught up: the venue processes them (stops and targets trigger on their path) but no
//   bot decides on them; the newest bar gets the cycle. A testnet/live bot is reconciled with
//   the store when it comes back (drift raises an alert). A database keeps the feed it was
//   started with (stored "serve.feed"): replay and live never mix.
//
// Storage: each bar is one transaction (every bot's decisions, orders, fills, positions,
// equity, alerts and status — the StoreRecorder — plus the bar's stream events in
// bot_events with a per-bot seq); so is each command. Events are handed to on_events only
// after the commit (state is stored before it is published).
//
// LLM bots: at a bar the runtime takes the cycle's first steps (snapshot, portfolio, prompt)
// in the bar's transaction and hands the model call to a worker pool; the answer comes back
// as posted work and the cycle finishes (validation, risk, orders, storage) in its own
// transaction. A bot whose decision is still running when its next cycle is due misses that
// cycle. Pause, stop and emergency stop act at once; stop and emergency stop cancel the call in
// flight, and an answer arriving for a bot that is no longer running is discarded (no order).
//
// Restart and kill -9: the paper venue is journaled (engine/journaled_exchange.hpp: every
// order, cancel and leverage call is stored in the transaction of the bar or command that made
// it) and its accounts are stored with their index, so Start rebuilds the venue exactly as it
// was at the last commit (engine/venue_replay.hpp) and the market run continues from the
// stored position ("serve.start", "serve.last_bar" in run_state). Recover then brings every
// bot back with its stored status — running and paused bots continue, stopped ones keep their
// account for a later start — with its cycle counter (client order ids continue, so nothing is
// placed twice), open positions with their exit plans and risk memory (engine/bot_restore.hpp);
// an LLM decision that was in flight is begun again. A bot that cannot be rebuilt (its stored
// key deleted, its spec no longer valid) is stopped with an alert that says why. Bars wait for
// Recover. A crash mid-bar loses that bar only; it is processed again. AITRADER_CRASH_AT
// ("bar:N", "commit:N"; engine/crash_points.hpp) kills the process at those points for tests.
// A database holds either this runtime or a headless `aitrader run`, never both.
//
// Thread safety: Start/Stop from one thread; Call, market_time, ready from any thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/status.hpp"
#include "core/time.hpp"
#include "engine/bot_factory.hpp"
#include "engine/config.hpp"
#include "engine/live_market.hpp"
#include "engine/market_data.hpp"
#include "exchange/binance/config.hpp"
#include "exchange/types.hpp"
#include "store/repository.hpp"

namespace aitrader::engine {

struct ServiceEvent {
  std::int64_t bot_id = 0;
  std::int64_t user_id = 0;  // the bot's owner
  std::int64_t seq = 0;
  std::string type;
  UnixMs at = 0;
  std::string data;  // JSON
};

struct ServiceOptions {
  std::string database;
  std::string data_dir;                       // empty: the bundled data
  UnixMs interval = 60 * kMinuteMs;
  std::optional<UnixMs> from;                 // default: 10 days into the data
  double speed = 60;
  std::function<void(const std::string&)> log;
  // After each commit, on the runtime thread: the events just stored (keep it short).
  std::function<void(const std::vector<ServiceEvent>&)> on_events;
  ClientFactory make_client;                  // LLM clients (tests); default llm::MakeClient
  std::optional<LiveFeedOptions> live;        // set: the live feed instead of the replay
  // Testnet and live bots (live feed only): the venues' URLs, and the paper-first rule.
  exchange::binance::BinanceConfig binance;
  bool allow_live = false;
  int live_min_record_days = 7;
};

enum class BotCommandKind { kStart, kPause, kResume, kStop, kEmergencyStop };
std::string_view ToString(BotCommandKind k);  // "start", "pause", …

class Service {
 public:
  // Loads the feed, opens the database, starts the runtime thread. Errors: data and
  // database failures.
  static Result<std::unique_ptr<Service>> Start(ServiceOptions options);
  ~Service();
  // Graceful: the bar in progress finishes and is committed; posted work still queued fails
  // with kCancelled. Idempotent.
  void Stop();

  UnixMs market_time() const { return market_time_.load(); }
  bool ready() const { return ready_.load(); }
  UnixMs interval() const { return interval_; }
  // The market data as of the last bar (the live feed replaces it at every bar).
  std::shared_ptr<const MarketData> shared_market() const {
    std::lock_guard lock(market_mu_);
    return market_;
  }
  // "replay" or the live feed's name ("binance").
  const std::string& feed() const { return feed_; }

  // What start needs: the bot's config and its stored spec text (a changed spec rebuilds the
  // bot on its existing paper account).
  struct BotSpec {
    BotConfig config;
    std::string spec_json;
    // testnet / live: the owner's key pair for the venue (null: none stored).
    std::optional<exchange::binance::BinanceCredentials> binance;
  };
  // Brings back the bots the database holds (see the header comment), then lets the bars
  // flow; call once, after Start, before taking commands. `resolve` turns a stored bot into
  // what start needs (the caller validates the stored spec and opens the owner's keys, as for
  // a start through the API); a bot it refuses is stopped with an alert naming the reason.
  using SpecResolver = std::function<Result<BotSpec>(const store::BotRecord&)>;
  Status Recover(const SpecResolver& resolve, std::chrono::milliseconds timeout = std::chrono::seconds(60));

  // A command for one bot. Returns the bot's status afterwards. Errors: FailedPrecondition
  // when the command does not apply to the bot's state or the runtime cannot run it (409),
  // Timeout, Cancelled (shutting down).
  Result<std::string> Command(std::int64_t bot_id, std::int64_t user_id, BotCommandKind kind,
                              const std::optional<BotSpec>& spec,
                              std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Emergency stop of every bot of the user that the runtime holds; returns how many.
  Result<int> EmergencyStopUser(std::int64_t user_id, std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // The venue's open positions of a bot as of the last commit (empty when the runtime does
  // not hold it): a snapshot the runtime thread publishes after each bar and command, read
  // without a round trip to the runtime thread.
  std::vector<exchange::Position> Positions(std::int64_t bot_id) const;
  // Changes each time the runtime commits (after the commit, with the snapshot above): what a
  // reader derived from the store and the snapshot at version v is current while the version
  // is still v (the API's cached positions answers).
  std::uint64_t CommitVersion() const { return commit_version_.load(std::memory_order_acquire); }

  struct Impl;

  // --- dry runs (POST /api/bots/{id}/dry-run; the end of service.cpp) ---
  // One real decision of the bot at the current market time that places no order: a
  // throwaway Bot built from `spec` (its prompt_version resolved as start resolves it) on a
  // venue that refuses every order and takes no event from any account — over the bot's paper
  // account when the runtime holds it (its positions and balance as they are, and, when the
  // spec is the one it runs, its memory: cycle count, exit plans, risk memory, Sharpe ratio,
  // daily LLM budget), else over a fresh account with the spec's capital (the cycle count
  // continuing from the stored decisions, the budget from the stored spend of the day). Steps
  // 1–4 run on the runtime thread, the model call on the decision pool (the baseline decides
  // at once), the risk verdicts (Bot::EvaluateCycle) and the storage back on the runtime
  // thread, in one transaction: the decision as a dry run (its cycle = the cycle it previews)
  // with its LLM usage, nothing else, no stream event. The bot, its venue and its stored state
  // are left as they were. A model failure is recorded in the decision like a cycle's.
  // Returns the stored decision's id. Errors: FailedPrecondition (mode not paper, a symbol
  // without candles, the spec cannot be built, e.g. an unknown prompt template — 409),
  // AlreadyExists (a dry run of this bot is in progress), NotFound (no candle closed for the
  // bot's coins by the market time), Timeout (the model did not answer within `timeout`: its
  // call is cancelled, and the stored outcome returned if it arrives within 10 s more),
  // Cancelled (shutting down: CancelDryRuns or Stop).
  Result<std::int64_t> DryRun(std::int64_t bot_id, std::int64_t user_id, const BotSpec& spec,
                              std::chrono::milliseconds timeout);
  // The first step of a shutdown, before the HTTP server waits for its handlers (a dry run
  // waits for a model that may take minutes, or never answer): every dry run in flight has its
  // model call cancelled at once (within 100 ms), waits at most 10 s for that cancelled call to
  // be stored as its failed decision (the runtime still runs), and returns Cancelled ("the server
  // is shutting down: …", naming the stored decision); later dry runs are Cancelled at once.
  // Bars and commands go on until Stop. Idempotent; from any thread.
  void CancelDryRuns();

 private:
  explicit Service(std::unique_ptr<Impl> impl);
  // Runs fn on the runtime thread and waits for its result.
  template <class T>
  Result<T> Call(std::function<Result<T>()> fn, std::chrono::milliseconds timeout);
  void Post(std::function<void()> task);

  std::unique_ptr<Impl> impl_;
  UnixMs interval_ = 0;
  mutable std::mutex market_mu_;
  std::shared_ptr<const MarketData> market_;  // guarded by market_mu_
  std::string feed_ = "replay";
  std::atomic<UnixMs> market_time_{0};
  std::atomic<bool> ready_{false};
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
  mutable std::mutex positions_mu_;
  std::map<std::int64_t, std::vector<exchange::Position>> positions_;  // by bot, as of the last commit
  std::atomic<std::uint64_t> commit_version_{0};
  std::thread thread_;
  // Dry runs (the end of service.cpp).
  struct DryRunJob;
  void FinishDryRun(const std::shared_ptr<DryRunJob>& job);  // on the runtime thread
  std::set<std::int64_t> dry_runs_;  // bots with a dry run in progress (runtime thread only)
  std::atomic<bool> dry_runs_cancelled_{false};  // CancelDryRuns was called
};

}  // namespace aitrader::engine
