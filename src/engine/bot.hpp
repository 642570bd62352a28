// Bot: one trading agent — the nine-step cycle of docs/architecture.md over the exchange port.
//
//  1 market data  MarketData (shared, precomputed, causal) → one MarketSnapshot per coin at t
//  2 indicators   part of the snapshot (TA-Lib-exact, closed candles only)
//  3 portfolio    venue FetchBalance / FetchPositions (the exchange is the source of truth)
//  4 prompt       agent::PromptBuilder (LLM sources only)
//  5 decide       DecisionSource (baseline, or LLM with parse/validate/retry) — may run on a worker
//  6 validate     agent validation (inside the source) → risk::RiskEngine per entry/close
//  7 execute      Executor: entry + reduce-only stop-loss + take-profit, deterministic client ids
//  8 persist      BotObserver::OnCycle (the store observer writes one transaction)
//  9 publish      observers run in order: the store first, then the event hub
//
// In code: BeginCycle (1–4) → Decide (5–6a, may run on a worker) → FinishCycle (6b–9), one
// private function per step, in this order: OpenRecord (the record's header), CountDecision
// (statistics, budget alert), RereadVenue (unless the cycle ran synchronously), RuleOnDecisions
// (RuleOn per decision: the risk verdict; then ExecuteClose / ExecuteEntry), SettleCycle
// (immediate fills, equity, HaltOnDrawdown), the record's status, the observers. A dry run
// (EvaluateCycle) takes the same steps up to the rulings and previews (PreviewRuling) where
// FinishCycle executes: the same rulings, nothing sent, nothing changed.
//
// Between cycles, every closed bar: venue events are drained (fills, SL/TP triggers,
// liquidations, funding) into round-trip trades, and each open position's machine-readable
// invalidation condition is checked against the bar's close — by code, not by the model.
//
// Lifecycle: created → running ⇄ paused → stopped; halted when the risk engine says so
// (drawdown past the halt threshold). Paused: no new decisions, positions and their SL/TP
// stay, invalidations are still enforced. Stop: no new decisions; positions closed at market
// when close_on_stop, else left to their SL/TP. EmergencyStop: from any state — cancel every
// order, close every position reduce-only at market, verify flat at the venue, alert.
//
// Thread safety: a Bot lives on one strand; every method must be called from it. Decide()
// of a PendingCycle touches only the PendingCycle and the source, so it may run on a worker.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "agent/decision.hpp"
#include "agent/prompt.hpp"
#include "agent/snapshot.hpp"
#include "core/clock.hpp"
#include "core/instrument.hpp"
#include "engine/config.hpp"
#include "engine/decision_source.hpp"
#include "engine/executor.hpp"
#include "engine/invalidation.hpp"
#include "engine/llm_budget.hpp"
#include "engine/market_data.hpp"
#include "engine/sharpe.hpp"
#include "exchange/exchange.hpp"
#include "risk/risk_engine.hpp"

namespace aitrader::engine {

enum class BotStatus { kCreated, kRunning, kPaused, kStopped, kHalted };
std::string_view ToString(BotStatus s);  // "created", "running", …
std::optional<BotStatus> ParseBotStatus(std::string_view s);

enum class ExitReason { kSignal, kStopLoss, kTakeProfit, kInvalidation, kLiquidation, kEndOfTest, kEmergencyStop, kStop };
std::string_view ToString(ExitReason r);  // "signal", "stop_loss", "take_profit", …

// A position from entry to exit, as the reports and the dashboard show it.
struct ClosedTrade {
  std::string symbol;
  std::string coin;
  Side side = Side::kBuy;  // kBuy = long
  Quantity quantity;       // the size entered
  UnixMs entry_time = 0;
  Price entry_price;
  UnixMs exit_time = 0;
  Price exit_price;        // average of the closing fills
  ExitReason exit_reason = ExitReason::kSignal;
  Money realized_pnl;      // price PnL of the closing fills (before fees and funding), plus the
                           // insurance fund's credit when a liquidation gapped past bankruptcy
  Money fees;              // entry and exit commissions (and liquidation fee)
  Money funding;           // > 0 received, < 0 paid, while open
  int leverage = 1;
  double confidence = 0;
  Money net() const { return realized_pnl - fees + funding; }
};

// What happened to one coin's decision this cycle.
struct CoinVerdict {
  std::string coin;
  std::string signal;   // "buy_to_enter", …
  std::string action;   // "entered", "closed", "held", "denied", "failed", "skipped"
  std::string detail;   // the risk denials or execution problems, in words
  std::vector<risk::DenialReason> denials;
};

struct CycleRecord {
  std::int64_t cycle = 0;
  UnixMs time = 0;
  std::string prompt_version;
  std::string prompt_hash;        // SHA-256 of system + user prompt (hex), empty for the baseline fast path
  std::string system_prompt;      // kept when BotOptions::keep_prompts
  std::string user_prompt;
  agent::DecisionOutcome outcome;
  std::vector<CoinVerdict> verdicts;
  std::vector<exchange::Order> orders;
  CycleUsage usage;
  Money account_value;            // the account value the prompt showed (margin balance at the start)
  std::optional<double> sharpe;   // the Sharpe ratio the prompt showed (engine/sharpe.hpp)
  std::int64_t latency_ms = 0;    // decision latency by the bot's clock
  std::string status;             // "executed", "hold", "parse_failed", "denied", "llm_error", "budget_exhausted", "truncated"
  Money equity;
};

class Bot;

// Receives everything a bot does, in order: store first, then publishers.
class BotObserver {
 public:
  virtual ~BotObserver() = default;
  virtual void OnCycle(const Bot&, const CycleRecord&) {}
  virtual void OnTradeOpened(const Bot&, const ClosedTrade& /*open part only*/) {}
  virtual void OnTradeClosed(const Bot&, const ClosedTrade&) {}
  virtual void OnExecutionEvent(const Bot&, const exchange::ExecutionEvent&) {}
  virtual void OnEquity(const Bot&, UnixMs, const exchange::Balance&) {}
  virtual void OnAlert(const Bot&, std::string_view /*severity*/, std::string_view /*kind*/, const std::string&) {}
  virtual void OnStatus(const Bot&, BotStatus /*from*/, BotStatus /*to*/) {}
};

struct BotStats {
  std::int64_t cycles = 0;
  std::int64_t llm_calls = 0;
  std::int64_t parse_failures = 0;   // cycles whose answer was refused and fell back to hold
  std::int64_t truncated_answers = 0;  // cycles whose answer was cut off at the output-token budget
  std::int64_t risk_denials = 0;     // entries the risk engine refused
  std::int64_t entries = 0;
  std::int64_t invalidations = 0;    // positions closed by their invalidation condition
  Money llm_cost;
  double confidence_sum = 0;         // over entries, for "confidence vs hit rate"
  std::int64_t confident_wins = 0;
};

struct BotOptions {
  bool keep_prompts = false;         // store full prompts in the cycle record
  std::optional<agent::PromptBuilder> prompt_builder;  // required by LLM sources
  // The daily LLM budget (wall clock, checked before every call); null = unlimited.
  std::shared_ptr<DailyLlmBudget> budget;
  // The system clock (never the market clock): stamps each LLM call; null = calls unstamped.
  const Clock* wall_clock = nullptr;
};

// Steps 1–4 done, waiting for the decision.
struct PendingCycle {
  std::int64_t cycle = 0;
  UnixMs time = 0;
  std::vector<agent::MarketSnapshot> coins;
  agent::AccountState account;
  std::vector<agent::PositionInfo> positions;
  agent::ValidationContext context;
  std::optional<agent::BuiltPrompt> prompt;
  agent::DecisionOutcome outcome;
  CycleUsage usage;
  CallBudget* budget = nullptr;       // asked before every LLM call of Decide()
  const Clock* wall_clock = nullptr;
  bool decided = false;
  // The venue state read in BeginCycle (FinishCycle reuses it when nothing can have changed
  // in between, i.e. when the cycle runs synchronously).
  exchange::Balance balance;
  std::vector<exchange::Position> venue_positions;
  std::vector<const Instrument*> coin_instruments;  // parallel to coins (nullptr: unknown)
};

class Bot {
 public:
  Bot(std::int64_t id, BotConfig config, exchange::Exchange& venue, std::shared_ptr<const MarketData> market,
      const InstrumentTable& instruments, std::unique_ptr<DecisionSource> source, risk::RiskEngine risk,
      const Clock& clock, BotOptions options = {});

  std::int64_t id() const { return id_; }
  const BotConfig& config() const { return config_; }
  BotStatus status() const { return status_; }
  const BotStats& stats() const { return stats_; }
  const DecisionSource& source() const { return *source_; }
  const std::vector<ClosedTrade>& closed_trades() const { return closed_; }
  std::int64_t cycle() const { return cycle_; }
  UnixMs started_at() const { return started_at_; }
  void AddObserver(BotObserver* o) { observers_.push_back(o); }
  // A newer snapshot of the same market (the live feed's, engine/live_market.hpp: the same
  // symbols with more closed candles); the bot reads it from its next step on.
  void SetMarket(std::shared_ptr<const MarketData> market);

  // --- lifecycle ---
  void Start(UnixMs now);
  // Resumes from a stored state after a restart: the cycle counter and start time continue.
  void Resume(UnixMs started_at, std::int64_t cycle, BotStatus status);
  void Pause();
  void Unpause();
  // The operator's "resume": paused or stopped → running. Refused (kFailedPrecondition, the
  // message says why) when halted by the drawdown rule — the drawdown that halted it is still
  // there — and when already running.
  Status ResumeTrading(UnixMs now);
  void Stop(UnixMs now);
  // Cancel all, close all, verify flat. Returns the problems (empty = flat and clean): venue
  // errors, resting non-closing orders, and every position still open without a closing order
  // ("position still open: BTCUSDT 0.5 (no closing order)").
  std::vector<std::string> EmergencyStop(UnixMs now, const std::string& reason);

  // --- driving ---
  // After the venue processed the bar closing at close_time: drain events, enforce
  // invalidations, and run a cycle when close_time is on the cadence (synchronously).
  void OnBarClosed(UnixMs close_time);
  // The same bar work without the cycle, for runtimes that decide off the strand (LLM calls on
  // a worker pool): returns true when a cycle is due at close_time (then BeginCycle / Decide /
  // FinishCycle follow).
  bool OnBarClosedWithoutCycle(UnixMs close_time);
  // Steps 1–4; nullopt when not running or no data has closed yet.
  std::optional<PendingCycle> BeginCycle(UnixMs now);
  // Step 5–6a; may run on a worker thread.
  static void Decide(DecisionSource& source, PendingCycle& pending, const llm::CancelToken* cancel);
  // Steps 6b–9 (re-reads the venue: the decision may have taken a while).
  CycleRecord FinishCycle(PendingCycle pending);
  CycleRecord RunCycle(UnixMs now);  // all of it, synchronously
  // RunCycle, then hands the record's decisions back to the source for reuse (the bar path).
  void RunCycleAndRecycle(UnixMs now);
  DecisionSource& source_for_worker() { return *source_; }

  // --- recovery after a restart (engine/runtime.cpp) ---
  // An open position the store knows, with its exit plan, so invalidations and the prompt's
  // position lines continue. `open` holds the entry part (symbol, side, quantity, entry).
  void RestoreOpenTrade(const ClosedTrade& open, Quantity open_qty, std::optional<Price> stop_loss,
                        std::optional<Price> take_profit, const std::string& invalidation, Money risk_usd);
  // The risk engine's memory: peak equity and the equity at the start of the current UTC day.
  void RestoreRiskState(Money peak_equity, Money day_start_equity, UnixMs now, Money equity);
  // The last losing close per symbol (the cool-down rule's memory).
  void RestoreLossTimes(std::vector<std::pair<std::string, UnixMs>> last_loss) { last_loss_ = std::move(last_loss); }
  // The Sharpe ratio's memory: the account values of the past cycles, in order.
  void RestoreSharpe(const std::vector<Money>& cycle_account_values);

  // Drains venue events into trades (also called by OnBarClosed).
  void ProcessVenueEvents(UnixMs now);
  // Closes every position at market (fills on the venue's next price) with this reason.
  void CloseAll(UnixMs now, ExitReason reason);
  // Marks open trades closed at the last price with `reason` once their closing fills arrived
  // (call ProcessVenueEvents first). Used at the end of a backtest.
  Money Equity() const { return last_equity_; }
  // The bot's clock (market time in replays and backtests).
  UnixMs now() const { return clock_.NowMs(); }
  // The prompt's Sharpe ratio: per-cycle returns of the account value at each cycle's start,
  // from the capital on, annualised by the cadence (engine/sharpe.hpp).
  std::optional<double> Sharpe() const { return sharpe_.Value(config_.cadence); }
  const std::vector<std::pair<UnixMs, Money>>& equity_curve() const { return equity_curve_; }

  // --- dry runs (POST /api/bots/{id}/dry-run, engine/service.cpp) ---
  // A dry run is a throwaway Bot on a venue that refuses orders: BeginCycle, Decide, then
  // EvaluateCycle instead of FinishCycle. These make it one:
  // Continue from `from`'s memory — cycle count, start time, open trades with their exit
  // plans, the risk engine's memory (peak and day-start equity, last losing closes), the
  // Sharpe ratio's returns, and the daily LLM budget itself (shared: the dry run's calls count
  // against the same day) — with status running, so BeginCycle takes the steps `from`'s next
  // cycle would take. Reads `from`, changes nothing of it.
  void MirrorForDryRun(const Bot& from);
  // Step 6b without 7–9, through FinishCycle's own steps (OpenRecord, RereadVenue,
  // RuleOnDecisions): each decision's ruling against the venue as it is now, as FinishCycle
  // would rule — where it would send orders "would_enter" / "would_close" (an entry with the
  // same note on its invalidation condition), else "denied" with the same reasons and words,
  // "held" or "skipped"; a later decision sees an earlier one's entry open, as in a real cycle.
  // The record's status is "would_execute" where FinishCycle's would be "executed". Places no
  // order, notifies no observer, counts nothing, changes nothing.
  CycleRecord EvaluateCycle(PendingCycle pending) const;
  // The daily LLM budget (null: unlimited, or the baseline).
  const std::shared_ptr<DailyLlmBudget>& llm_budget() const { return options_.budget; }

 private:
  struct OpenTrade {
    ClosedTrade trade;        // open part filled
    Quantity open_qty;        // signed
    Money exit_notional;      // Σ exit price × qty (for the average exit price)
    Quantity exit_qty;
    std::optional<Price> stop_loss, take_profit;
    std::string invalidation_text;
    std::optional<Invalidation> invalidation;
    Money risk_usd;
    std::optional<ExitReason> pending_exit;   // why a close was sent
  };

  // --- the cycle after the decision, one step per function (bot.cpp, "the cycle's steps") ---
  // FinishCycle runs them all; EvaluateCycle (a dry run) runs the shared ones — the record's
  // header, the venue re-read, the rulings and the status — and previews where FinishCycle
  // executes.
  //
  // What the rules make of one decision, before anything is sent: held (hold, no signal, no
  // instrument), skipped (no market price), denied (by the risk engine: the reasons are in the
  // verdict), or a close / an entry the risk engine approved.
  struct Ruling {
    enum class Kind { kHeld, kSkipped, kDenied, kClose, kEnter };
    Kind kind = Kind::kHeld;
    bool entry = false;                      // an entry signal (a denied one counts in stats)
    const Instrument* instrument = nullptr;  // set unless held for want of one
    risk::EntryProposal proposal;            // entries: what the risk engine checked
  };
  // What the rulings of one cycle came to.
  struct CycleTally {
    bool acted = false;            // an order went through (dry run: a close or entry approved)
    bool denied = false;           // the risk engine refused a close or an entry
    bool venue_touched = false;    // an order was sent or tried: the venue state may differ now
    std::int64_t entry_denials = 0;
  };
  CycleRecord FinishCycleImpl(PendingCycle pending, bool venue_unchanged);
  // The record's header: cycle, time, usage, the account value and Sharpe ratio shown, the
  // decision latency, the prompt's version and hash (and text with keep_prompts).
  CycleRecord OpenRecord(const PendingCycle& pending) const;
  // The decision's statistics (cycles, LLM calls and cost, parse failures, truncations) and the
  // budget alert when the budget ran out during the cycle's retries.
  void CountDecision(const PendingCycle& pending);
  // Re-reads balance and positions into `pending`; false (pending untouched) when either fails.
  bool RereadVenue(PendingCycle& pending) const;
  // Step 6b for every decision in order: RuleOn, then `dispose(decision, ruling, view, verdict)`
  // for an approved close or entry — it executes (FinishCycle) or previews (EvaluateCycle) and
  // returns whether it acted; a verdict per decision goes into rec.verdicts.
  template <typename Dispose>
  CycleTally RuleOnDecisions(const PendingCycle& pending, CycleRecord& rec, Dispose&& dispose) const;
  // One decision's ruling against the account view (built into `view` on the first decision
  // that needs one); fills the verdict's coin and signal, and its action unless approved.
  Ruling RuleOn(const PendingCycle& pending, std::size_t index, std::optional<risk::AccountView>& view,
                CoinVerdict& v) const;
  // A risk verdict on a close or entry: a refusal makes the ruling a denial, with the reasons.
  static void Judge(const risk::Verdict& rv, Ruling& r, CoinVerdict& v);
  // The exit plan an approved entry's position keeps; `note` says when its invalidation
  // condition is not machine-checked (the verdict shows it).
  OpenTrade PlanEntry(const agent::Decision& d, const Ruling& r, std::string& note) const;
  // Step 7: an approved close or entry at the venue (orders into `orders`); true when it went
  // through. An entry's plan is kept, and later decisions of the cycle see its symbol open.
  bool ExecuteClose(std::int64_t cycle, const std::string& symbol, CoinVerdict& v,
                    std::vector<exchange::Order>& orders);
  bool ExecuteEntry(std::int64_t cycle, const agent::Decision& d, const Ruling& r, risk::AccountView& view,
                    CoinVerdict& v, std::vector<exchange::Order>& orders);
  // A dry run's step 7: "would_close" / "would_enter" (with PlanEntry's note); later decisions
  // see the entry's symbol open, as in a real cycle.
  bool PreviewRuling(const agent::Decision& d, const Ruling& r, risk::AccountView& view, CoinVerdict& v) const;
  // Steps 7b–8a: the venue's immediate fills, the new equity (the state read before the rulings
  // when nothing was sent and no event arrived), then the drawdown halt.
  void SettleCycle(const PendingCycle& pending, bool venue_ok, const CycleTally& tally);
  // Halts the bot and closes everything when the risk engine's state for `b` is halted.
  void HaltOnDrawdown(UnixMs now, const exchange::Balance& b);
  // ProcessVenueEvents; returns the number of events handled.
  std::size_t DrainVenueEvents();
  // One pass of PollEvents until empty; sets protection_lost when a position may have lost a
  // protective order (an SL/TP leg ended unfilled, a liquidation).
  std::size_t DrainVenueEventsOnce(bool& protection_lost);
  // The stop-loss / take-profit working at the venue for a position (from its open orders).
  struct VenueProtection {
    std::optional<Price> stop_loss, take_profit;
    bool closing = false;  // a reduce-only market close is pending
  };
  static VenueProtection ProtectionAt(const std::vector<exchange::Order>& resting, const std::string& symbol,
                                      Quantity position);
  // Every open position of a plan keeps its stop: a missing stop-loss is re-placed at the plan's
  // price, or the position is closed at market when it would trigger at once or cannot be
  // placed; a missing take-profit is re-placed (closed at market when already reached). Alerts.
  void RestoreProtection();
  enum class PlaceResult { kPlaced, kWouldTrigger, kFailed };
  // Bundled instrument of a coin ("BTC") or symbol ("BTCUSDT") the bot trades, else a table
  // lookup (nullptr when unknown).
  const Instrument* InstrumentFor(std::string_view coin_or_symbol) const;
  void SetStatus(BotStatus s);
  void Alert(std::string_view severity, std::string_view kind, const std::string& message);
  agent::ValidationContext MakeContext(const std::vector<agent::MarketSnapshot>& coins,
                                       const std::vector<const Instrument*>& coin_instruments,
                                       const std::vector<exchange::Position>& positions) const;
  risk::AccountView MakeAccountView(const exchange::Balance& b, const std::vector<exchange::Position>& positions,
                                    UnixMs now) const;
  void ObserveEquity(UnixMs now, const exchange::Balance& b);
  PlaceResult PlaceProtective(const OpenTrade& t, const std::string& symbol, Side exit_side, OrderLeg leg,
                              Price level, std::string& why);
  void OnFill(const exchange::ExecutionEvent& e);
  void FinishTrade(const std::string& symbol, UnixMs time);
  void CheckInvalidations(UnixMs close_time);
  InvalidationParse ParseInvalidationFor(const std::string& text, const std::string& coin) const;

  std::int64_t id_;
  BotConfig config_;
  exchange::Exchange& venue_;
  std::shared_ptr<const MarketData> market_;
  const InstrumentTable& instruments_;
  std::unique_ptr<DecisionSource> source_;
  risk::RiskEngine risk_;
  const Clock& clock_;
  BotOptions options_;
  Executor executor_;
  std::vector<BotObserver*> observers_;

  BotStatus status_ = BotStatus::kCreated;
  UnixMs started_at_ = 0;
  std::int64_t cycle_ = 0;
  BotStats stats_;
  std::map<std::string, OpenTrade> open_;        // by symbol
  std::vector<ClosedTrade> closed_;
  std::vector<std::pair<std::string, UnixMs>> last_loss_;
  Money peak_equity_;
  Money day_start_equity_;
  std::int64_t day_ = -1;
  Money last_equity_;
  std::int64_t budget_alert_day_ = -1;   // wall-clock day of the last budget alert
  std::vector<std::pair<UnixMs, Money>> equity_curve_;
  SharpeAccumulator sharpe_;
  Money sharpe_prev_;                    // the previous cycle's account value (capital at first)
  std::vector<exchange::ExecutionEvent> event_buffer_;
  int renewals_ = 0;  // re-placed protective orders (their client ids: "slr<n>", "tpr<n>")
  // Resolved once: the market data and instrument of each of config_.symbols (same order).
  std::vector<const SymbolData*> symbol_data_;
  std::vector<const Instrument*> symbol_instruments_;
  std::vector<std::string> coins_;  // the bases of config_.symbols ("BTC", …)
};

}  // namespace aitrader::engine
