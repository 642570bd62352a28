// ApiRepository: the tables and queries of the API server (src/api), apart from the engine's
// Repository so the two evolve separately: rotating refresh tokens, write-only credentials
// with their last-4 hint, bots as the API edits and pages them, the per-bot event log of
// the WebSocket streams, backtests, users' prompt templates and alert acknowledgement. Same conventions as repository.hpp: bound parameters only, core
// types in, NotFound for a missing row, AlreadyExists for a unique-key clash.
// Thread safety: as the Database it wraps (one thread at a time).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/fixed.hpp"
#include "core/time.hpp"
#include "store/database.hpp"
#include "store/repository.hpp"

namespace aitrader::store {

struct RefreshTokenRecord {
  std::int64_t id = 0;
  std::int64_t user_id = 0;
  std::string family;
  UnixMs created_at = 0;
  UnixMs expires_at = 0;
  std::optional<UnixMs> used_at;     // rotated: this token was exchanged for a new one
  std::optional<UnixMs> revoked_at;  // its family was revoked (logout or reuse)
};

struct CredentialInfo {
  std::string name;
  std::string last4;
  bool has_secret = false;
  UnixMs created_at = 0;
};

// What the API shows of a bot beside its row: the latest equity, open positions, last decision.
struct BotSummary {
  std::optional<Money> equity;
  std::int64_t open_positions = 0;
  std::optional<UnixMs> last_decision_at;
};

struct EventRecord {
  std::int64_t bot_id = 0;
  std::int64_t seq = 0;
  std::string type;
  UnixMs at = 0;
  std::string data;  // JSON
};

struct BacktestRecord {
  std::int64_t id = 0;
  std::int64_t user_id = 0;
  std::string status;  // queued | running | done | failed
  std::int64_t progress_permille = 0;
  std::string spec;    // the bot spec JSON it ran
  UnixMs from = 0, to = 0;
  UnixMs created_at = 0;
  std::optional<UnixMs> finished_at;
  std::optional<std::string> report;  // the report JSON (done)
  std::optional<std::string> error;   // what failed (failed)
};

// A user's own system prompt template (POST /api/prompts, v7). Bots name it "user:<id>" in
// their prompt_version; it is the owner's alone and never changes once stored.
struct PromptTemplateRecord {
  std::int64_t id = 0;
  std::int64_t user_id = 0;
  std::string name;
  std::string text;
  UnixMs created_at = 0;
};
inline constexpr std::string_view kPromptTemplatePrefix = "user:";
// "user:12" → 12; nullopt for anything else (a system prompt version such as "aa-v1").
std::optional<std::int64_t> ParsePromptTemplateId(std::string_view prompt_version);
std::string PromptTemplateId(std::int64_t id);  // 12 → "user:12"

class ApiRepository {
 public:
  explicit ApiRepository(Database& db) : db_(db) {}

  // refresh tokens (token_hash: a hash of the token; the token itself is never stored)
  Result<std::int64_t> InsertRefreshToken(std::int64_t user_id, std::string_view family, std::string_view token_hash,
                                          UnixMs created_at, UnixMs expires_at);
  Result<RefreshTokenRecord> FindRefreshToken(std::string_view token_hash);
  // Marks the token used if it is neither used nor revoked; false when another request got
  // there first (the caller treats that as reuse).
  Result<bool> ClaimRefreshToken(std::int64_t id, UnixMs at);
  Status RevokeTokenFamily(std::string_view family, UnixMs at);

  // credentials, by name ("binance", "anthropic", a named endpoint…); sealed values only
  Status SaveCredential(std::int64_t user_id, std::string_view name, std::string_view key_sealed,
                        std::string_view secret_sealed, std::string_view last4, UnixMs at);
  Result<std::vector<CredentialInfo>> ListCredentials(std::int64_t user_id);
  // false when there was none
  Result<bool> DeleteCredential(std::int64_t user_id, std::string_view name);

  // bots as the API sees them: not deleted, owned by user_id, ordered by id, after `after_id`
  Result<std::vector<BotRecord>> ListUserBots(std::int64_t user_id, std::int64_t after_id, int limit);
  // The bot when it exists, is not deleted and belongs to user_id; NotFound otherwise (the
  // same answer for "does not exist" and "someone else's").
  Result<BotRecord> GetUserBot(std::int64_t user_id, std::int64_t bot_id);
  Status UpdateBotSpec(const BotRecord& b);
  // The open positions of the user's bot in one query; NotFound when the bot is not the
  // user's (or deleted, or does not exist).
  Result<std::vector<PositionRecord>> UserBotOpenPositions(std::int64_t user_id, std::int64_t bot_id);
  Result<BotSummary> GetBotSummary(std::int64_t bot_id);
  // What the bot's LLM calls for its real cycles cost so far (0 for the baseline; dry runs'
  // calls are not counted: they are not trading).
  Result<Money> BotLlmCost(std::int64_t bot_id);

  // Pages of a bot's history, newest first: rows with id < before (0: from the newest).
  Result<std::vector<TradeRecord>> TradesPage(std::int64_t bot_id, std::int64_t before, int limit);
  Result<std::vector<OrderRecord>> OrdersPage(std::int64_t bot_id, std::int64_t before, int limit, bool open_only);
  // dry_run: only dry runs (true), only real cycles (false), both (nullopt).
  Result<std::vector<DecisionRecord>> DecisionsPage(std::int64_t bot_id, std::int64_t before, int limit,
                                                    bool with_prompt, std::optional<bool> dry_run = std::nullopt);
  // One decision of the bot; NotFound when it has none with this id.
  Result<DecisionRecord> GetDecision(std::int64_t bot_id, std::int64_t decision_id, bool with_prompt);
  // Token counts and cost of a decision's LLM calls (summed).
  Result<UsageRecord> DecisionUsage(std::int64_t decision_id);
  // The user's alerts (their own and their bots'), newest first; only the unacknowledged ones
  // when unacknowledged_only.
  Result<std::vector<AlertRecord>> AlertsPage(std::int64_t user_id, std::int64_t before, int limit,
                                              bool unacknowledged_only = false);
  // Acknowledges the user's alert at `at` (an alert acknowledged before keeps its time) and
  // returns it; NotFound when it is not the user's (the same answer as "does not exist").
  Result<AlertRecord> AcknowledgeUserAlert(std::int64_t user_id, std::int64_t alert_id, UnixMs at);
  // Equity points with at in (after, to], oldest first.
  Result<std::vector<EquitySnapshot>> EquityPage(std::int64_t bot_id, UnixMs after, UnixMs to, int limit);

  // backtests (status queued at insert)
  Result<std::int64_t> InsertBacktest(std::int64_t user_id, std::string_view spec, UnixMs from, UnixMs to,
                                      UnixMs created_at);
  Status UpdateBacktestProgress(std::int64_t id, std::string_view status, std::int64_t progress_permille);
  // status done with the report, or failed with the error
  Status FinishBacktest(std::int64_t id, std::string_view status, const std::optional<std::string>& report,
                        const std::optional<std::string>& error, UnixMs at);
  // NotFound when it is not the user's (same answer as "does not exist")
  Result<BacktestRecord> GetUserBacktest(std::int64_t user_id, std::int64_t id, bool with_report);
  // The user's backtests with id < before (0: from the newest), newest first, without reports.
  Result<std::vector<BacktestRecord>> BacktestsPage(std::int64_t user_id, std::int64_t before, int limit);
  // Backtests left queued or running by a previous process become failed; returns how many.
  Result<std::int64_t> FailUnfinishedBacktests(std::string_view error, UnixMs at);

  // prompt templates: AlreadyExists when the user has one with this name
  Result<std::int64_t> InsertPromptTemplate(std::int64_t user_id, std::string_view name, std::string_view text,
                                            UnixMs created_at);
  // The user's templates, oldest first.
  Result<std::vector<PromptTemplateRecord>> ListUserPromptTemplates(std::int64_t user_id);
  Result<std::int64_t> CountUserPromptTemplates(std::int64_t user_id);
  // NotFound when it is not the user's.
  Result<PromptTemplateRecord> GetUserPromptTemplate(std::int64_t user_id, std::int64_t id);
  // false when the user has none with this id.
  Result<bool> DeleteUserPromptTemplate(std::int64_t user_id, std::int64_t id);

  // events: the next seq of the bot, stored in the caller's transaction
  Result<std::int64_t> AppendEvent(std::int64_t bot_id, std::string_view type, UnixMs at, std::string_view data);
  // Events of the bots with seq > since (per bot), oldest first, at most limit.
  Result<std::vector<EventRecord>> ListEvents(std::int64_t bot_id, std::int64_t since, int limit);
  Result<std::int64_t> LastEventSeq(std::int64_t bot_id);

 private:
  Database& db_;
};

}  // namespace aitrader::store
