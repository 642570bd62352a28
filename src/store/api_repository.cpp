#include "store/api_repository.hpp"
#include "store/bot_rows.hpp"

namespace aitrader::store {
namespace {

Value Text(std::string_view s) { return Value{std::string(s)}; }
Value Int(std::int64_t v) { return Value{v}; }
std::optional<std::int64_t> OptInt64(const Row& r, std::size_t i) {
  if (r.IsNull(i)) return std::nullopt;
  return r.Int(i);
}

constexpr const char* kBacktestCols =
    "id, user_id, status, progress_permille, spec, from_ms, to_ms, created_at, finished_at, error";
BacktestRecord ToBacktest(const Row& r) {
  BacktestRecord b;
  b.id = r.Int(0);
  b.user_id = r.Int(1);
  b.status = r.Text(2);
  b.progress_permille = r.Int(3);
  b.spec = r.Text(4);
  b.from = r.Int(5);
  b.to = r.Int(6);
  b.created_at = r.Int(7);
  b.finished_at = OptInt64(r, 8);
  if (!r.IsNull(9)) b.error = r.Text(9);
  return b;
}

}  // namespace

Result<std::int64_t> ApiRepository::InsertBacktest(std::int64_t user_id, std::string_view spec, UnixMs from, UnixMs to,
                                                   UnixMs created_at) {
  Value p[] = {Int(user_id), Text(spec), Int(from), Int(to), Int(created_at)};
  return db_.QueryInt(
      "INSERT INTO api_backtests (user_id, status, progress_permille, spec, from_ms, to_ms, created_at) "
      "VALUES (?, 'queued', 0, ?, ?, ?, ?) RETURNING id",
      p);
}

Status ApiRepository::UpdateBacktestProgress(std::int64_t id, std::string_view status, std::int64_t progress_permille) {
  Value p[] = {Text(status), Int(progress_permille), Int(id)};
  return db_.Execute("UPDATE api_backtests SET status = ?, progress_permille = ? WHERE id = ?", p);
}

Status ApiRepository::FinishBacktest(std::int64_t id, std::string_view status, const std::optional<std::string>& report,
                                     const std::optional<std::string>& error, UnixMs at) {
  Value p[] = {Text(status), Int(status == "done" ? 1000 : 0), report ? Text(*report) : Value{},
               error ? Text(*error) : Value{}, Int(at), Int(id)};
  return db_.Execute(
      "UPDATE api_backtests SET status = ?, progress_permille = CASE WHEN ? = 1000 THEN 1000 ELSE progress_permille "
      "END, report = ?, error = ?, finished_at = ? WHERE id = ?",
      p);
}

Result<BacktestRecord> ApiRepository::GetUserBacktest(std::int64_t user_id, std::int64_t id, bool with_report) {
  Value p[] = {Int(id), Int(user_id)};
  auto rows = db_.Query(std::string("SELECT ") + kBacktestCols + ", report FROM api_backtests WHERE id = ? AND user_id = ?", p);
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return NotFound("backtest not found");
  BacktestRecord b = ToBacktest(rows->front());
  if (with_report && !rows->front().IsNull(10)) b.report = rows->front().Text(10);
  return b;
}

Result<std::vector<BacktestRecord>> ApiRepository::BacktestsPage(std::int64_t user_id, std::int64_t before, int limit) {
  Value p[] = {Int(user_id), Int(before), Int(before), Int(limit)};
  auto rows = db_.Query(std::string("SELECT ") + kBacktestCols +
                            " FROM api_backtests WHERE user_id = ? AND (? = 0 OR id < ?) ORDER BY id DESC LIMIT ?",
                        p);
  if (!rows.ok()) return rows.status();
  std::vector<BacktestRecord> out;
  for (const auto& r : *rows) out.push_back(ToBacktest(r));
  return out;
}

Result<std::int64_t> ApiRepository::FailUnfinishedBacktests(std::string_view error, UnixMs at) {
  Value p[] = {Text(error), Int(at)};
  auto n = db_.QueryInt("SELECT COUNT(*) FROM api_backtests WHERE status IN ('queued', 'running')");
  if (!n.ok()) return n.status();
  AITRADER_RETURN_IF_ERROR(db_.Execute(
      "UPDATE api_backtests SET status = 'failed', error = ?, finished_at = ? WHERE status IN ('queued', 'running')", p));
  return *n;
}

Result<std::int64_t> ApiRepository::InsertRefreshToken(std::int64_t user_id, std::string_view family,
                                                       std::string_view token_hash, UnixMs created_at,
                                                       UnixMs expires_at) {
  Value p[] = {Int(user_id), Text(family), Text(token_hash), Int(created_at), Int(expires_at)};
  return db_.QueryInt(
      "INSERT INTO refresh_tokens (user_id, family, token_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?) "
      "RETURNING id",
      p);
}

Result<RefreshTokenRecord> ApiRepository::FindRefreshToken(std::string_view token_hash) {
  Value p[] = {Text(token_hash)};
  auto rows = db_.Query(
      "SELECT id, user_id, family, created_at, expires_at, used_at, revoked_at FROM refresh_tokens WHERE token_hash = ?",
      p);
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return NotFound("refresh token not found");
  const Row& r = rows->front();
  return RefreshTokenRecord{r.Int(0), r.Int(1), r.Text(2), r.Int(3), r.Int(4), OptInt64(r, 5), OptInt64(r, 6)};
}

Result<bool> ApiRepository::ClaimRefreshToken(std::int64_t id, UnixMs at) {
  Value p[] = {Int(at), Int(id)};
  auto rows = db_.Query(
      "UPDATE refresh_tokens SET used_at = ? WHERE id = ? AND used_at IS NULL AND revoked_at IS NULL RETURNING id", p);
  if (!rows.ok()) return rows.status();
  return !rows->empty();
}

Status ApiRepository::RevokeTokenFamily(std::string_view family, UnixMs at) {
  Value p[] = {Int(at), Text(family)};
  return db_.Execute("UPDATE refresh_tokens SET revoked_at = ? WHERE family = ? AND revoked_at IS NULL", p);
}

Status ApiRepository::SaveCredential(std::int64_t user_id, std::string_view name, std::string_view key_sealed,
                                     std::string_view secret_sealed, std::string_view last4, UnixMs at) {
  Value p[] = {Int(user_id), Text(name), Text("default"), Text(key_sealed), Text(secret_sealed), Int(at), Text(last4)};
  return db_.Execute(
      "INSERT INTO exchange_credentials (user_id, venue, label, api_key_enc, api_secret_enc, created_at, last4) "
      "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (user_id, venue, label) DO UPDATE SET "
      "api_key_enc = excluded.api_key_enc, api_secret_enc = excluded.api_secret_enc, "
      "created_at = excluded.created_at, last4 = excluded.last4",
      p);
}

Result<std::vector<CredentialInfo>> ApiRepository::ListCredentials(std::int64_t user_id) {
  Value p[] = {Int(user_id)};
  auto rows = db_.Query(
      "SELECT venue, COALESCE(last4, ''), api_secret_enc, created_at FROM exchange_credentials "
      "WHERE user_id = ? AND label = 'default' ORDER BY venue",
      p);
  if (!rows.ok()) return rows.status();
  std::vector<CredentialInfo> out;
  for (const auto& r : *rows) out.push_back({r.Text(0), r.Text(1), !r.Text(2).empty(), r.Int(3)});
  return out;
}

Result<bool> ApiRepository::DeleteCredential(std::int64_t user_id, std::string_view name) {
  Value p[] = {Int(user_id), Text(name)};
  auto rows = db_.Query(
      "DELETE FROM exchange_credentials WHERE user_id = ? AND venue = ? AND label = 'default' RETURNING id", p);
  if (!rows.ok()) return rows.status();
  return !rows->empty();
}

Result<std::vector<BotRecord>> ApiRepository::ListUserBots(std::int64_t user_id, std::int64_t after_id, int limit) {
  Value p[] = {Int(user_id), Int(after_id), Int(limit)};
  auto rows = db_.Query(std::string("SELECT ") + kBotColumns +
                            " FROM bots WHERE user_id = ? AND id > ? AND status <> 'deleted' ORDER BY id LIMIT ?",
                        p);
  if (!rows.ok()) return rows.status();
  std::vector<BotRecord> out;
  for (const auto& r : *rows) out.push_back(BotFromRow(r));
  return out;
}

Result<BotRecord> ApiRepository::GetUserBot(std::int64_t user_id, std::int64_t bot_id) {
  Value p[] = {Int(bot_id), Int(user_id)};
  auto rows = db_.Query(std::string("SELECT ") + kBotColumns +
                            " FROM bots WHERE id = ? AND user_id = ? AND status <> 'deleted'",
                        p);
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return NotFound("bot not found");
  return BotFromRow(rows->front());
}

Status ApiRepository::UpdateBotSpec(const BotRecord& b) {
  Value p[] = {Text(b.name),      Text(b.provider), Text(b.model), Text(b.mode), Int(b.capital.raw()),
               Text(b.config_json), Int(b.updated_at), Int(b.id)};
  return db_.Execute(
      "UPDATE bots SET name = ?, provider = ?, model = ?, mode = ?, capital = ?, config_json = ?, updated_at = ? "
      "WHERE id = ?",
      p);
}

Result<std::vector<PositionRecord>> ApiRepository::UserBotOpenPositions(std::int64_t user_id, std::int64_t bot_id) {
  Value p[] = {Int(bot_id), Int(user_id)};
  auto rows = db_.Query(
      "SELECT p.id, p.bot_id, p.symbol, p.side, p.quantity, p.entry_price, p.leverage, p.exit_plan_json, p.opened_at, "
      "p.realized_pnl, p.fees, p.funding FROM bots b LEFT JOIN positions p ON p.bot_id = b.id AND p.closed_at IS NULL "
      "WHERE b.id = ? AND b.user_id = ? AND b.status <> 'deleted' ORDER BY p.id",
      p);
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return NotFound("bot not found");
  std::vector<PositionRecord> out;
  for (const auto& r : *rows) {
    if (r.IsNull(0)) continue;  // the bot, without positions
    PositionRecord x;
    x.id = r.Int(0);
    x.bot_id = r.Int(1);
    x.symbol = r.Text(2);
    x.side = r.Text(3);
    x.quantity = Quantity::FromRaw(r.Int(4));
    x.entry_price = Price::FromRaw(r.Int(5));
    x.leverage = static_cast<int>(r.Int(6));
    x.exit_plan_json = r.Text(7);
    x.opened_at = r.Int(8);
    x.realized_pnl = Money::FromRaw(r.Int(9));
    x.fees = Money::FromRaw(r.Int(10));
    x.funding = Money::FromRaw(r.Int(11));
    out.push_back(std::move(x));
  }
  return out;
}

Result<BotSummary> ApiRepository::GetBotSummary(std::int64_t bot_id) {
  BotSummary out;
  Value p[] = {Int(bot_id)};
  auto eq = db_.Query("SELECT equity FROM equity_snapshots WHERE bot_id = ? ORDER BY at DESC LIMIT 1", p);
  if (!eq.ok()) return eq.status();
  if (!eq->empty()) out.equity = Money::FromRaw(eq->front().Int(0));
  auto open = db_.QueryInt("SELECT COUNT(*) FROM positions WHERE bot_id = ? AND closed_at IS NULL", p);
  if (!open.ok()) return open.status();
  out.open_positions = *open;
  auto last = db_.Query("SELECT MAX(decided_at) FROM llm_decisions WHERE bot_id = ? AND dry_run = 0", p);
  if (!last.ok()) return last.status();
  if (!last->empty() && !last->front().IsNull(0)) out.last_decision_at = last->front().Int(0);
  return out;
}

namespace {
template <class F>
std::optional<F> OptFixed(const Row& r, std::size_t i) {
  if (r.IsNull(i)) return std::nullopt;
  return F::FromRaw(r.Int(i));
}
constexpr std::int64_t kNoLimit = INT64_MAX;
}  // namespace

Result<std::vector<TradeRecord>> ApiRepository::TradesPage(std::int64_t bot_id, std::int64_t before, int limit) {
  Value p[] = {Int(bot_id), Int(before > 0 ? before : kNoLimit), Int(limit)};
  auto rows = db_.Query(
      "SELECT id, bot_id, order_id, venue_trade_id, symbol, side, quantity, price, fee, realized_pnl, is_maker, at "
      "FROM trades WHERE bot_id = ? AND id < ? ORDER BY id DESC LIMIT ?",
      p);
  if (!rows.ok()) return rows.status();
  std::vector<TradeRecord> out;
  for (const auto& r : *rows) {
    TradeRecord t;
    t.id = r.Int(0);
    t.bot_id = r.Int(1);
    t.order_id = OptInt64(r, 2);
    t.venue_trade_id = r.Text(3);
    t.symbol = r.Text(4);
    t.side = r.Text(5);
    t.quantity = Quantity::FromRaw(r.Int(6));
    t.price = Price::FromRaw(r.Int(7));
    t.fee = Money::FromRaw(r.Int(8));
    t.realized_pnl = Money::FromRaw(r.Int(9));
    t.is_maker = r.Int(10) != 0;
    t.at = r.Int(11);
    out.push_back(std::move(t));
  }
  return out;
}

Result<std::vector<OrderRecord>> ApiRepository::OrdersPage(std::int64_t bot_id, std::int64_t before, int limit,
                                                           bool open_only) {
  Value p[] = {Int(bot_id), Int(before > 0 ? before : kNoLimit), Int(limit)};
  auto rows = db_.Query(
      std::string("SELECT ") + kOrderColumns + " FROM orders WHERE bot_id = ? AND id < ?" +
          (open_only ? " AND status IN ('NEW', 'PARTIALLY_FILLED', 'TRIGGERED')" : "") + " ORDER BY id DESC LIMIT ?",
      p);
  if (!rows.ok()) return rows.status();
  std::vector<OrderRecord> out;
  for (const auto& r : *rows) out.push_back(OrderFromRow(r));
  return out;
}


Result<std::vector<DecisionRecord>> ApiRepository::DecisionsPage(std::int64_t bot_id, std::int64_t before, int limit,
                                                                 bool with_prompt, std::optional<bool> dry_run) {
  Value p[] = {Int(bot_id), Int(before > 0 ? before : kNoLimit), Int(limit)};
  const char* filter = !dry_run ? "" : *dry_run ? " AND dry_run = 1" : " AND dry_run = 0";
  auto rows = db_.Query("SELECT " + DecisionColumns(with_prompt) + " FROM llm_decisions WHERE bot_id = ? AND id < ?" +
                            filter + " ORDER BY id DESC LIMIT ?",
                        p);
  if (!rows.ok()) return rows.status();
  std::vector<DecisionRecord> out;
  for (const auto& r : *rows) out.push_back(DecisionFromRow(r));
  return out;
}

Result<DecisionRecord> ApiRepository::GetDecision(std::int64_t bot_id, std::int64_t decision_id, bool with_prompt) {
  Value p[] = {Int(decision_id), Int(bot_id)};
  auto rows = db_.Query("SELECT " + DecisionColumns(with_prompt) + " FROM llm_decisions WHERE id = ? AND bot_id = ?", p);
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return NotFound("decision not found");
  return DecisionFromRow(rows->front());
}

Result<UsageRecord> ApiRepository::DecisionUsage(std::int64_t decision_id) {
  Value p[] = {Int(decision_id)};
  auto rows = db_.Query(
      "SELECT COALESCE(SUM(input_tokens), 0), COALESCE(SUM(output_tokens), 0), COALESCE(SUM(cost_usd), 0) "
      "FROM llm_usage WHERE decision_id = ?",
      p);
  if (!rows.ok()) return rows.status();
  UsageRecord u;
  if (!rows->empty()) {
    u.input_tokens = rows->front().Int(0);
    u.output_tokens = rows->front().Int(1);
    u.cost_usd = Money::FromRaw(rows->front().Int(2));
  }
  return u;
}

namespace {
constexpr const char* kAlertCols = "id, user_id, bot_id, at, severity, kind, message, acknowledged, acknowledged_at";
// An alert is the user's when it names the user or one of the user's bots.
constexpr const char* kUserAlert = "(user_id = ? OR bot_id IN (SELECT id FROM bots WHERE user_id = ?))";
AlertRecord AlertFromRow(const Row& r) {
  AlertRecord a;
  a.id = r.Int(0);
  a.user_id = OptInt64(r, 1);
  a.bot_id = OptInt64(r, 2);
  a.at = r.Int(3);
  a.severity = r.Text(4);
  a.kind = r.Text(5);
  a.message = r.Text(6);
  a.acknowledged = r.Int(7) != 0;
  a.acknowledged_at = OptInt64(r, 8);
  return a;
}
}  // namespace

Result<std::vector<AlertRecord>> ApiRepository::AlertsPage(std::int64_t user_id, std::int64_t before, int limit,
                                                           bool unacknowledged_only) {
  Value p[] = {Int(user_id), Int(user_id), Int(before > 0 ? before : kNoLimit), Int(limit)};
  auto rows = db_.Query(std::string("SELECT ") + kAlertCols + " FROM alerts WHERE " + kUserAlert + " AND id < ?" +
                            (unacknowledged_only ? " AND acknowledged = 0" : "") + " ORDER BY id DESC LIMIT ?",
                        p);
  if (!rows.ok()) return rows.status();
  std::vector<AlertRecord> out;
  for (const auto& r : *rows) out.push_back(AlertFromRow(r));
  return out;
}

Result<AlertRecord> ApiRepository::AcknowledgeUserAlert(std::int64_t user_id, std::int64_t alert_id, UnixMs at) {
  Value p[] = {Int(at), Int(alert_id), Int(user_id), Int(user_id)};
  auto rows = db_.Query(std::string("UPDATE alerts SET acknowledged = 1, acknowledged_at = COALESCE(acknowledged_at, ?) "
                                    "WHERE id = ? AND ") +
                            kUserAlert + " RETURNING " + kAlertCols,
                        p);
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return NotFound("alert not found");
  return AlertFromRow(rows->front());
}

std::optional<std::int64_t> ParsePromptTemplateId(std::string_view v) {
  if (v.substr(0, kPromptTemplatePrefix.size()) != kPromptTemplatePrefix) return std::nullopt;
  const std::string_view digits = v.substr(kPromptTemplatePrefix.size());
  if (digits.empty() || digits.size() > 18 || digits.front() == '0') return std::nullopt;
  std::int64_t id = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    id = id * 10 + (c - '0');
  }
  return id;
}

std::string PromptTemplateId(std::int64_t id) { return std::string(kPromptTemplatePrefix) + std::to_string(id); }

Result<std::int64_t> ApiRepository::InsertPromptTemplate(std::int64_t user_id, std::string_view name,
                                                         std::string_view text, UnixMs created_at) {
  Value p[] = {Int(user_id), Text(name), Text(text), Int(created_at)};
  return db_.QueryInt(
      "INSERT INTO prompt_templates (user_id, name, text, created_at) VALUES (?, ?, ?, ?) RETURNING id", p);
}

namespace {
PromptTemplateRecord TemplateFromRow(const Row& r) {
  return PromptTemplateRecord{r.Int(0), r.Int(1), r.Text(2), r.Text(3), r.Int(4)};
}
}  // namespace

Result<std::vector<PromptTemplateRecord>> ApiRepository::ListUserPromptTemplates(std::int64_t user_id) {
  Value p[] = {Int(user_id)};
  auto rows = db_.Query("SELECT id, user_id, name, text, created_at FROM prompt_templates WHERE user_id = ? ORDER BY id", p);
  if (!rows.ok()) return rows.status();
  std::vector<PromptTemplateRecord> out;
  for (const auto& r : *rows) out.push_back(TemplateFromRow(r));
  return out;
}

Result<std::int64_t> ApiRepository::CountUserPromptTemplates(std::int64_t user_id) {
  Value p[] = {Int(user_id)};
  return db_.QueryInt("SELECT COUNT(*) FROM prompt_templates WHERE user_id = ?", p);
}

Result<PromptTemplateRecord> ApiRepository::GetUserPromptTemplate(std::int64_t user_id, std::int64_t id) {
  Value p[] = {Int(id), Int(user_id)};
  auto rows =
      db_.Query("SELECT id, user_id, name, text, created_at FROM prompt_templates WHERE id = ? AND user_id = ?", p);
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return NotFound("prompt template not found");
  return TemplateFromRow(rows->front());
}

Result<bool> ApiRepository::DeleteUserPromptTemplate(std::int64_t user_id, std::int64_t id) {
  Value p[] = {Int(id), Int(user_id)};
  auto rows = db_.Query("DELETE FROM prompt_templates WHERE id = ? AND user_id = ? RETURNING id", p);
  if (!rows.ok()) return rows.status();
  return !rows->empty();
}

Result<std::vector<EquitySnapshot>> ApiRepository::EquityPage(std::int64_t bot_id, UnixMs after, UnixMs to, int limit) {
  Value p[] = {Int(bot_id), Int(after), Int(to), Int(limit)};
  auto rows = db_.Query(
      "SELECT bot_id, at, equity, wallet_balance, unrealized_pnl FROM equity_snapshots "
      "WHERE bot_id = ? AND at > ? AND at <= ? ORDER BY at LIMIT ?",
      p);
  if (!rows.ok()) return rows.status();
  std::vector<EquitySnapshot> out;
  for (const auto& r : *rows) {
    out.push_back({r.Int(0), r.Int(1), Money::FromRaw(r.Int(2)), Money::FromRaw(r.Int(3)), Money::FromRaw(r.Int(4))});
  }
  return out;
}

Result<Money> ApiRepository::BotLlmCost(std::int64_t bot_id) {
  Value p[] = {Int(bot_id)};
  auto n = db_.QueryInt(
      "SELECT COALESCE(SUM(u.cost_usd), 0) FROM llm_usage u LEFT JOIN llm_decisions d ON d.id = u.decision_id "
      "WHERE u.bot_id = ? AND COALESCE(d.dry_run, 0) = 0",
      p);
  if (!n.ok()) return n.status();
  return Money::FromRaw(*n);
}

Result<std::int64_t> ApiRepository::AppendEvent(std::int64_t bot_id, std::string_view type, UnixMs at,
                                                std::string_view data) {
  Value p[] = {Int(bot_id), Int(bot_id), Text(type), Int(at), Text(data)};
  return db_.QueryInt(
      "INSERT INTO bot_events (bot_id, seq, type, at, data) "
      "VALUES (?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM bot_events WHERE bot_id = ?), ?, ?, ?) RETURNING seq",
      p);
}

Result<std::vector<EventRecord>> ApiRepository::ListEvents(std::int64_t bot_id, std::int64_t since, int limit) {
  Value p[] = {Int(bot_id), Int(since), Int(limit)};
  auto rows = db_.Query("SELECT bot_id, seq, type, at, data FROM bot_events WHERE bot_id = ? AND seq > ? ORDER BY seq LIMIT ?",
                        p);
  if (!rows.ok()) return rows.status();
  std::vector<EventRecord> out;
  for (const auto& r : *rows) out.push_back({r.Int(0), r.Int(1), r.Text(2), r.Int(3), r.Text(4)});
  return out;
}

Result<std::int64_t> ApiRepository::LastEventSeq(std::int64_t bot_id) {
  Value p[] = {Int(bot_id)};
  return db_.QueryInt("SELECT COALESCE(MAX(seq), 0) FROM bot_events WHERE bot_id = ?", p);
}

}  // namespace aitrader::store
