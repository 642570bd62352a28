// Repository: typed reads and writes of aitrader's tables over a store::Database, the same
// code for SQLite and PostgreSQL. Records use core types (Money, Price, Quantity, UnixMs);
// the conversion to the schema's integer columns happens here and nowhere else.
//
// Errors: Status/Result as in database.hpp; NotFound when a looked-up row does not exist;
// AlreadyExists for a duplicate unique key (e-mail, bot name, client order id).
// Idempotency: InsertTrade ignores a fill already stored (same bot and venue trade id) and
// UpsertOrder updates the order with the same client order id, so replaying a venue's
// events after a crash never duplicates a row.
// Thread safety: as the Database it wraps (one thread at a time).
#pragma once

#include <optional>
#include <tuple>
#include <string>
#include <vector>

#include "core/fixed.hpp"
#include "core/time.hpp"
#include "store/database.hpp"

namespace aitrader::store {

struct UserRecord {
  std::int64_t id = 0;
  std::string email;
  std::string password_hash;
  UnixMs created_at = 0;
};

struct BotRecord {
  std::int64_t id = 0;
  std::int64_t user_id = 0;
  std::string name;
  std::string provider;
  std::string model;
  std::string mode = "paper";     // paper | testnet | live
  std::string status = "created"; // created | running | paused | stopped | halted | deleted
  Money capital;
  std::string config_json = "{}";
  UnixMs created_at = 0;
  UnixMs updated_at = 0;
};

struct DecisionRecord {
  std::int64_t id = 0;
  std::int64_t bot_id = 0;
  std::int64_t cycle = 0;
  UnixMs decided_at = 0;
  std::string prompt_version;
  std::string prompt_hash;
  std::optional<std::string> prompt;  // the full prompt, when configured to keep it
  std::string raw_answer;
  std::string decisions_json;
  std::string verdicts_json;
  std::string outcome;                // e.g. "executed", "hold", "parse_failed", "denied"
  std::optional<std::string> error;
  std::int64_t latency_ms = 0;
  // The account value the cycle's prompt showed (margin balance at the cycle's start): the
  // per-cycle returns of the Sharpe ratio are restored from it after a restart.
  std::optional<Money> account_value;
  // A dry run (POST /api/bots/{id}/dry-run, v7): `cycle` is the number of the cycle it
  // previewed; no order was placed; never part of the bot's cycle count, Sharpe ratio or
  // performance (the queries below that serve those skip dry runs).
  bool dry_run = false;
};

struct UsageRecord {
  std::int64_t id = 0;
  std::int64_t bot_id = 0;
  std::optional<std::int64_t> decision_id;
  UnixMs at = 0;                       // the bot's clock (the cycle's time; simulated in a replay)
  std::optional<UnixMs> called_at;     // the wall clock when the call was made (the daily budget's day)
  std::string provider;
  std::string model;
  std::int64_t input_tokens = 0;
  std::int64_t output_tokens = 0;
  std::int64_t reasoning_tokens = 0;
  std::int64_t cached_tokens = 0;
  Money cost_usd;
};

struct OrderRecord {
  std::int64_t id = 0;
  std::int64_t bot_id = 0;
  std::string client_order_id;
  std::optional<std::string> venue_order_id;
  std::string symbol;
  std::string side;    // BUY | SELL
  std::string type;    // MARKET | LIMIT | STOP_MARKET | TAKE_PROFIT_MARKET
  Quantity quantity;
  std::optional<Price> price;
  std::optional<Price> stop_price;
  bool reduce_only = false;
  std::string status;  // NEW | PARTIALLY_FILLED | FILLED | CANCELED | REJECTED | EXPIRED
  Quantity filled_quantity;
  std::optional<Price> avg_price;
  UnixMs created_at = 0;
  UnixMs updated_at = 0;
};

struct TradeRecord {
  std::int64_t id = 0;
  std::int64_t bot_id = 0;
  std::optional<std::int64_t> order_id;
  std::string venue_trade_id;
  std::string symbol;
  std::string side;
  Quantity quantity;
  Price price;
  Money fee;
  Money realized_pnl;
  bool is_maker = false;
  UnixMs at = 0;
};

struct PositionRecord {
  std::int64_t id = 0;
  std::int64_t bot_id = 0;
  std::string symbol;
  std::string side;  // LONG | SHORT
  Quantity quantity;
  Price entry_price;
  int leverage = 1;
  std::string exit_plan_json = "{}";
  UnixMs opened_at = 0;
  std::optional<UnixMs> closed_at;
  std::optional<Price> exit_price;
  std::optional<std::string> exit_reason;
  Money realized_pnl;
  Money fees;
  Money funding;
};

struct EquitySnapshot {
  std::int64_t bot_id = 0;
  UnixMs at = 0;
  Money equity;
  Money wallet_balance;
  Money unrealized_pnl;
};

struct AlertRecord {
  std::int64_t id = 0;
  std::optional<std::int64_t> user_id;
  std::optional<std::int64_t> bot_id;
  UnixMs at = 0;
  std::string severity;  // info | warning | critical
  std::string kind;      // e.g. "budget_exhausted", "emergency_stop", "drawdown_halt"
  std::string message;
  bool acknowledged = false;
  std::optional<UnixMs> acknowledged_at;  // v7: when the owner acknowledged it (the API)
};

struct StoredCandle {
  std::string symbol;
  UnixMs interval_ms = 0;
  UnixMs open_time = 0;
  Price open, high, low, close;
  double volume = 0;
};

struct JournalEntry {
  std::int64_t seq = 0;
  std::int64_t bot_id = 0;
  UnixMs bar_time = 0;   // the last bar the venue had processed when the call was made
  std::string kind;      // "create_order", "cancel_order", "cancel_all", "set_leverage", "set_margin_mode"
  std::string payload;   // JSON
};

struct BotCommand {
  std::int64_t id = 0;
  std::optional<std::int64_t> bot_id;  // one bot; with user_id unset too: every bot (global)
  std::optional<std::int64_t> user_id; // every bot of one user
  std::string command;   // "pause", "resume", "stop", "emergency_stop"
  std::string reason;
  UnixMs created_at = 0;
  std::optional<UnixMs> done_at;       // set once the runtime handled it
  // What the runtime did: "applied", "refused: …" (e.g. resume of a halted bot), "not
  // applicable: …" (no bot of the run matches). Empty while pending.
  std::string result;
};

// The paper venue after the bar that closed at bar_time (exchange/paper SaveCheckpoint bytes):
// the journal entries before journal_seq and the first `accounts` accounts are in it.
struct PaperCheckpoint {
  UnixMs bar_time = 0;
  std::int64_t journal_seq = 1;
  std::int64_t accounts = 0;
  std::string data;  // binary
  UnixMs created_at = 0;
};

// A bot's paper account as the runtime created it; the leverage values are null in rows
// written before schema version 4 (the bot's configuration then applies).
struct PaperAccountRecord {
  std::int64_t bot_id = 0;
  std::int64_t account_index = 0;
  Money deposit;
  std::optional<int> max_leverage;
  std::optional<int> default_leverage;
};

class Repository {
 public:
  explicit Repository(Database& db) : db_(db) {}
  Database& db() { return db_; }

  // From now on InsertDecision stores every decision as a dry run (dry_run = 1, no account
  // value) whatever its record says: the engine's dry runs write through an ordinary
  // StoreRecorder over such a repository. The id of the last decision inserted is kept.
  void StoreDecisionsAsDryRuns() { dry_runs_ = true; }
  std::optional<std::int64_t> last_decision_id() const { return last_decision_id_; }

  // users
  Result<std::int64_t> CreateUser(const UserRecord& u);
  Result<UserRecord> FindUserByEmail(std::string_view email);
  Result<UserRecord> GetUser(std::int64_t id);

  // bots
  Result<std::int64_t> CreateBot(const BotRecord& b);
  Result<BotRecord> GetBot(std::int64_t id);
  Result<std::vector<BotRecord>> ListBots(std::optional<std::int64_t> user_id = std::nullopt);
  Status UpdateBotStatus(std::int64_t id, std::string_view status, UnixMs at);

  // exchange credentials: the caller passes already-encrypted text (store/secret_box.hpp)
  Result<std::int64_t> SaveCredentials(std::int64_t user_id, std::string_view venue, std::string_view label,
                                       std::string_view api_key_enc, std::string_view api_secret_enc, UnixMs at);
  // {api_key_enc, api_secret_enc}
  Result<std::pair<std::string, std::string>> LoadCredentials(std::int64_t user_id, std::string_view venue,
                                                              std::string_view label);

  // decisions and usage
  Result<std::int64_t> InsertDecision(const DecisionRecord& d);
  // The bot's real decisions (no dry runs), the highest cycle first.
  Result<std::vector<DecisionRecord>> ListDecisions(std::int64_t bot_id, int limit = 100);
  Result<std::int64_t> InsertUsage(const UsageRecord& u);
  // The cost of the bot's LLM calls made at or after `since` by the wall clock (called_at;
  // rows without it count by `at`): the stored spend the daily budget continues from.
  Result<Money> CostSince(std::int64_t bot_id, UnixMs since);

  // orders and fills
  Result<std::int64_t> UpsertOrder(const OrderRecord& o, std::string_view reason = {});
  Result<OrderRecord> FindOrder(std::string_view client_order_id);
  Result<std::vector<OrderRecord>> ListOrders(std::int64_t bot_id, bool open_only);
  Result<std::vector<std::pair<std::string, UnixMs>>> OrderHistory(std::int64_t order_id);
  // Returns true when stored, false when this fill was already there.
  Result<bool> InsertTrade(const TradeRecord& t);
  Result<std::vector<TradeRecord>> ListTrades(std::int64_t bot_id);

  // positions
  Result<std::int64_t> OpenPosition(const PositionRecord& p);
  Status ClosePosition(std::int64_t position_id, UnixMs at, Price exit_price, std::string_view reason,
                       Money realized_pnl, Money fees, Money funding);
  Result<std::vector<PositionRecord>> ListPositions(std::int64_t bot_id, bool open_only);

  // equity, candles, alerts
  Status InsertEquity(const EquitySnapshot& e);
  Result<std::vector<EquitySnapshot>> ListEquity(std::int64_t bot_id, UnixMs from, UnixMs to);
  Status InsertCandles(const std::vector<StoredCandle>& candles);  // ignores candles already stored
  Result<std::vector<StoredCandle>> LoadCandles(std::string_view symbol, UnixMs interval_ms, UnixMs from, UnixMs to);
  Result<std::int64_t> InsertAlert(const AlertRecord& a);
  Result<std::vector<AlertRecord>> ListAlerts(std::optional<std::int64_t> user_id, int limit = 100);
  Status AcknowledgeAlert(std::int64_t id);

  // bots by name, cycles
  Result<BotRecord> FindBot(std::int64_t user_id, std::string_view name);
  // The highest cycle of the bot's real decisions (dry runs do not count); 0 when none.
  Result<std::int64_t> MaxDecisionCycle(std::int64_t bot_id);
  // (cycle, account_value) of every real decision with one, in cycle order.
  Result<std::vector<std::pair<std::int64_t, Money>>> CycleAccountValues(std::int64_t bot_id);  // 0 when none
  Result<PositionRecord> FindOpenPosition(std::int64_t bot_id, std::string_view symbol);
  Status UpdateExitPlan(std::int64_t position_id, std::string_view exit_plan_json);
  // Adds a funding payment (> 0 received) to an open position's running total.
  Status AddPositionFunding(std::int64_t position_id, Money amount);

  // paper venue persistence (engine/journaled_exchange.hpp)
  Status SavePaperAccount(const PaperAccountRecord& account, UnixMs at);
  // Ordered by account_index.
  Result<std::vector<PaperAccountRecord>> ListPaperAccounts();
  Status AppendJournal(const JournalEntry& e);
  Result<std::vector<JournalEntry>> LoadJournal();
  // The entries with seq >= first_seq (after a checkpoint).
  Result<std::vector<JournalEntry>> LoadJournalFrom(std::int64_t first_seq);
  // Paper venue checkpoints (serve): saves one (replacing any at the same bar) and keeps the
  // newest `keep`; the newest at or before max_bar_time (nullopt: none). Errors: the database;
  // a stored value that is not base64 is kParseError naming the checkpoint.
  Status SavePaperCheckpoint(const PaperCheckpoint& c, int keep);
  Result<std::optional<PaperCheckpoint>> LatestPaperCheckpoint(UnixMs max_bar_time);

  // run state (e.g. the last bar whose effects are stored) and operator commands
  Status SetRunState(std::string_view name, std::int64_t value);
  Result<std::optional<std::int64_t>> GetRunState(std::string_view name);
  Result<std::int64_t> AddBotCommand(std::optional<std::int64_t> bot_id, std::string_view command,
                                     std::string_view reason, UnixMs at,
                                     std::optional<std::int64_t> user_id = std::nullopt);
  Result<std::vector<BotCommand>> PendingCommands();
  // result: see BotCommand::result.
  Status MarkCommandDone(std::int64_t id, UnixMs at, std::string_view result = "applied");
  // Every command, oldest first (at most `limit`, the newest ones).
  Result<std::vector<BotCommand>> ListCommands(std::size_t limit = 1000);

 private:
  Database& db_;
  bool dry_runs_ = false;
  std::optional<std::int64_t> last_decision_id_;
};

}  // namespace aitrader::store
