#include "store/repository.hpp"

#include "store/base64.hpp"
#include "store/bot_rows.hpp"

#include <algorithm>

namespace aitrader::store {
namespace {

template <class F>
Value Raw(F v) { return Value{v.raw()}; }
template <class F>
Value OptRaw(const std::optional<F>& v) { return v ? Value{v->raw()} : Value{Null{}}; }
Value OptText(const std::optional<std::string>& v) { return v ? Value{*v} : Value{Null{}}; }
Value OptInt(const std::optional<std::int64_t>& v) { return v ? Value{*v} : Value{Null{}}; }
Value Text(std::string_view s) { return Value{std::string(s)}; }
Value Int(std::int64_t v) { return Value{v}; }

template <class F>
std::optional<F> OptFixed(const Row& r, std::size_t i) {
  if (r.IsNull(i)) return std::nullopt;
  return F::FromRaw(r.Int(i));
}
std::optional<std::string> OptString(const Row& r, std::size_t i) {
  if (r.IsNull(i)) return std::nullopt;
  return r.Text(i);
}
std::optional<std::int64_t> OptInt64(const Row& r, std::size_t i) {
  if (r.IsNull(i)) return std::nullopt;
  return r.Int(i);
}

template <class T, class Fn>
Result<std::vector<T>> MapRows(Result<std::vector<Row>> rows, Fn fn) {
  if (!rows.ok()) return rows.status();
  std::vector<T> out;
  out.reserve(rows->size());
  for (const Row& r : *rows) out.push_back(fn(r));
  return out;
}

template <class T, class Fn>
Result<T> OneRow(Result<std::vector<Row>> rows, Fn fn, std::string what) {
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return NotFound(what + " not found");
  return fn(rows->front());
}

constexpr const char* kUserCols = "id, email, password_hash, created_at";
UserRecord ToUser(const Row& r) { return {r.Int(0), r.Text(1), r.Text(2), r.Int(3)}; }


constexpr const char* kPositionCols =
    "id, bot_id, symbol, side, quantity, entry_price, leverage, exit_plan_json, opened_at, closed_at, exit_price, "
    "exit_reason, realized_pnl, fees, funding";
PositionRecord ToPosition(const Row& r) {
  PositionRecord p;
  p.id = r.Int(0);
  p.bot_id = r.Int(1);
  p.symbol = r.Text(2);
  p.side = r.Text(3);
  p.quantity = Quantity::FromRaw(r.Int(4));
  p.entry_price = Price::FromRaw(r.Int(5));
  p.leverage = static_cast<int>(r.Int(6));
  p.exit_plan_json = r.Text(7);
  p.opened_at = r.Int(8);
  p.closed_at = OptInt64(r, 9);
  p.exit_price = OptFixed<Price>(r, 10);
  p.exit_reason = OptString(r, 11);
  p.realized_pnl = Money::FromRaw(r.Int(12));
  p.fees = Money::FromRaw(r.Int(13));
  p.funding = Money::FromRaw(r.Int(14));
  return p;
}

}  // namespace

// Shared with ApiRepository (store/bot_rows.hpp): one mapping of a bots row.
const char* const kBotColumns =
    "id, user_id, name, provider, model, mode, status, capital, config_json, created_at, updated_at";

const char* const kOrderColumns =
    "id, bot_id, client_order_id, venue_order_id, symbol, side, type, quantity, price, stop_price, reduce_only, "
    "status, filled_quantity, avg_price, created_at, updated_at";
OrderRecord OrderFromRow(const Row& r) {
  OrderRecord o;
  o.id = r.Int(0);
  o.bot_id = r.Int(1);
  o.client_order_id = r.Text(2);
  o.venue_order_id = OptString(r, 3);
  o.symbol = r.Text(4);
  o.side = r.Text(5);
  o.type = r.Text(6);
  o.quantity = Quantity::FromRaw(r.Int(7));
  o.price = OptFixed<Price>(r, 8);
  o.stop_price = OptFixed<Price>(r, 9);
  o.reduce_only = r.Int(10) != 0;
  o.status = r.Text(11);
  o.filled_quantity = Quantity::FromRaw(r.Int(12));
  o.avg_price = OptFixed<Price>(r, 13);
  o.created_at = r.Int(14);
  o.updated_at = r.Int(15);
  return o;
}

BotRecord BotFromRow(const Row& r) {
  BotRecord b;
  b.id = r.Int(0);
  b.user_id = r.Int(1);
  b.name = r.Text(2);
  b.provider = r.Text(3);
  b.model = r.Text(4);
  b.mode = r.Text(5);
  b.status = r.Text(6);
  b.capital = Money::FromRaw(r.Int(7));
  b.config_json = r.Text(8);
  b.created_at = r.Int(9);
  b.updated_at = r.Int(10);
  return b;
}

Result<std::int64_t> Repository::CreateUser(const UserRecord& u) {
  Value p[] = {Text(u.email), Text(u.password_hash), Int(u.created_at)};
  return db_.QueryInt("INSERT INTO users (email, password_hash, created_at) VALUES (?, ?, ?) RETURNING id", p);
}

Result<UserRecord> Repository::FindUserByEmail(std::string_view email) {
  Value p[] = {Text(email)};
  return OneRow<UserRecord>(db_.Query(std::string("SELECT ") + kUserCols + " FROM users WHERE email = ?", p), ToUser,
                            "user");
}

Result<UserRecord> Repository::GetUser(std::int64_t id) {
  Value p[] = {Int(id)};
  return OneRow<UserRecord>(db_.Query(std::string("SELECT ") + kUserCols + " FROM users WHERE id = ?", p), ToUser,
                            "user " + std::to_string(id));
}

Result<std::int64_t> Repository::CreateBot(const BotRecord& b) {
  Value p[] = {Int(b.user_id), Text(b.name), Text(b.provider), Text(b.model), Text(b.mode), Text(b.status),
               Raw(b.capital), Text(b.config_json), Int(b.created_at), Int(b.updated_at)};
  return db_.QueryInt(
      "INSERT INTO bots (user_id, name, provider, model, mode, status, capital, config_json, created_at, updated_at) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
      p);
}

Result<BotRecord> Repository::GetBot(std::int64_t id) {
  Value p[] = {Int(id)};
  return OneRow<BotRecord>(db_.Query(std::string("SELECT ") + kBotColumns + " FROM bots WHERE id = ?", p), BotFromRow,
                           "bot " + std::to_string(id));
}

Result<std::vector<BotRecord>> Repository::ListBots(std::optional<std::int64_t> user_id) {
  if (user_id) {
    Value p[] = {Int(*user_id)};
    return MapRows<BotRecord>(
        db_.Query(std::string("SELECT ") + kBotColumns + " FROM bots WHERE user_id = ? AND status <> 'deleted' ORDER BY id",
                  p),
        BotFromRow);
  }
  return MapRows<BotRecord>(
      db_.Query(std::string("SELECT ") + kBotColumns + " FROM bots WHERE status <> 'deleted' ORDER BY id"), BotFromRow);
}

Status Repository::UpdateBotStatus(std::int64_t id, std::string_view status, UnixMs at) {
  Value p[] = {Text(status), Int(at), Int(id)};
  auto rows = db_.Query("UPDATE bots SET status = ?, updated_at = ? WHERE id = ? RETURNING id", p);
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return NotFound("bot " + std::to_string(id) + " not found");
  return Status::Ok();
}

Result<std::int64_t> Repository::SaveCredentials(std::int64_t user_id, std::string_view venue, std::string_view label,
                                                 std::string_view api_key_enc, std::string_view api_secret_enc,
                                                 UnixMs at) {
  Value p[] = {Int(user_id), Text(venue), Text(label), Text(api_key_enc), Text(api_secret_enc), Int(at)};
  return db_.QueryInt(
      "INSERT INTO exchange_credentials (user_id, venue, label, api_key_enc, api_secret_enc, created_at) "
      "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (user_id, venue, label) DO UPDATE SET "
      "api_key_enc = excluded.api_key_enc, api_secret_enc = excluded.api_secret_enc RETURNING id",
      p);
}

Result<std::pair<std::string, std::string>> Repository::LoadCredentials(std::int64_t user_id, std::string_view venue,
                                                                        std::string_view label) {
  Value p[] = {Int(user_id), Text(venue), Text(label)};
  return OneRow<std::pair<std::string, std::string>>(
      db_.Query("SELECT api_key_enc, api_secret_enc FROM exchange_credentials WHERE user_id = ? AND venue = ? AND "
                "label = ?",
                p),
      [](const Row& r) { return std::make_pair(r.Text(0), r.Text(1)); }, "credentials");
}

Result<std::int64_t> Repository::InsertDecision(const DecisionRecord& d) {
  const bool dry = dry_runs_ || d.dry_run;
  Value p[] = {Int(d.bot_id),        Int(d.cycle),        Int(d.decided_at),      Text(d.prompt_version),
               Text(d.prompt_hash),  OptText(d.prompt),   Text(d.raw_answer),     Text(d.decisions_json),
               Text(d.verdicts_json), Text(d.outcome),    OptText(d.error),       Int(d.latency_ms),
               d.account_value && !dry ? Raw(*d.account_value) : Value{Null{}}, Int(dry ? 1 : 0)};
  auto id = db_.QueryInt(
      "INSERT INTO llm_decisions (bot_id, cycle, decided_at, prompt_version, prompt_hash, prompt, raw_answer, "
      "decisions_json, verdicts_json, outcome, error, latency_ms, account_value, dry_run) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
      p);
  if (id.ok()) last_decision_id_ = *id;
  return id;
}

std::string DecisionColumns(bool with_prompt) {
  return std::string("id, bot_id, cycle, decided_at, prompt_version, prompt_hash, ") + (with_prompt ? "prompt" : "NULL") +
         ", raw_answer, decisions_json, verdicts_json, outcome, error, latency_ms, account_value, dry_run";
}

DecisionRecord DecisionFromRow(const Row& r) {
  DecisionRecord d;
  d.id = r.Int(0);
  d.bot_id = r.Int(1);
  d.cycle = r.Int(2);
  d.decided_at = r.Int(3);
  d.prompt_version = r.Text(4);
  d.prompt_hash = r.Text(5);
  d.prompt = OptString(r, 6);
  d.raw_answer = r.Text(7);
  d.decisions_json = r.Text(8);
  d.verdicts_json = r.Text(9);
  d.outcome = r.Text(10);
  d.error = OptString(r, 11);
  d.latency_ms = r.Int(12);
  if (auto v = OptInt64(r, 13)) d.account_value = Money::FromRaw(*v);
  d.dry_run = r.Int(14) != 0;
  return d;
}

Result<std::vector<DecisionRecord>> Repository::ListDecisions(std::int64_t bot_id, int limit) {
  Value p[] = {Int(bot_id), Int(limit)};
  return MapRows<DecisionRecord>(
      db_.Query("SELECT " + DecisionColumns(true) +
                    " FROM llm_decisions WHERE bot_id = ? AND dry_run = 0 ORDER BY cycle DESC LIMIT ?",
                p),
      DecisionFromRow);
}

Result<std::int64_t> Repository::InsertUsage(const UsageRecord& u) {
  Value p[] = {Int(u.bot_id),        OptInt(u.decision_id),  Int(u.at),           OptInt(u.called_at),
               Text(u.provider),     Text(u.model),          Int(u.input_tokens),
               Int(u.output_tokens), Int(u.reasoning_tokens), Int(u.cached_tokens),
               Raw(u.cost_usd)};
  return db_.QueryInt(
      "INSERT INTO llm_usage (bot_id, decision_id, at, called_at, provider, model, input_tokens, output_tokens, "
      "reasoning_tokens, cached_tokens, cost_usd) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
      p);
}

Result<Money> Repository::CostSince(std::int64_t bot_id, UnixMs since) {
  Value p[] = {Int(bot_id), Int(since)};
  // CAST keeps PostgreSQL's SUM(bigint) (a numeric) an integer on the wire.
  auto v = db_.QueryInt(
      "SELECT CAST(COALESCE(SUM(cost_usd), 0) AS BIGINT) FROM llm_usage WHERE bot_id = ? AND COALESCE(called_at, at) >= ?",
      p);
  if (!v.ok()) return v.status();
  return Money::FromRaw(*v);
}

Result<std::int64_t> Repository::UpsertOrder(const OrderRecord& o, std::string_view reason) {
  auto previous = FindOrder(o.client_order_id);
  if (!previous.ok() && previous.status().code() != StatusCode::kNotFound) return previous.status();
  Value p[] = {Int(o.bot_id),          Text(o.client_order_id), OptText(o.venue_order_id), Text(o.symbol),
               Text(o.side),           Text(o.type),            Raw(o.quantity),           OptRaw(o.price),
               OptRaw(o.stop_price),   Int(o.reduce_only ? 1 : 0), Text(o.status),         Raw(o.filled_quantity),
               OptRaw(o.avg_price),    Int(o.created_at),       Int(o.updated_at)};
  auto id = db_.QueryInt(
      "INSERT INTO orders (bot_id, client_order_id, venue_order_id, symbol, side, type, quantity, price, stop_price, "
      "reduce_only, status, filled_quantity, avg_price, created_at, updated_at) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (client_order_id) DO UPDATE SET "
      "venue_order_id = COALESCE(excluded.venue_order_id, orders.venue_order_id), "
      // An event seen before the submission's own record carries no limit or trigger price.
      "price = COALESCE(orders.price, excluded.price), stop_price = COALESCE(orders.stop_price, excluded.stop_price), "
      // A terminal status is final: a late, older view of the order never regresses it.
      "status = CASE WHEN orders.status IN ('FILLED', 'CANCELED', 'EXPIRED', 'REJECTED') THEN orders.status "
      "ELSE excluded.status END, "
      "filled_quantity = CASE WHEN excluded.filled_quantity > orders.filled_quantity THEN excluded.filled_quantity "
      "ELSE orders.filled_quantity END, avg_price = COALESCE(excluded.avg_price, orders.avg_price), "
      "updated_at = CASE WHEN excluded.updated_at > orders.updated_at THEN excluded.updated_at ELSE orders.updated_at "
      "END RETURNING id",
      p);
  if (!id.ok()) return id.status();
  const bool terminal = previous.ok() && (previous->status == "FILLED" || previous->status == "CANCELED" ||
                                          previous->status == "EXPIRED" || previous->status == "REJECTED");
  if (!terminal && (!previous.ok() || previous->status != o.status)) {
    Value h[] = {Int(*id), Text(o.status), reason.empty() ? Value{Null{}} : Text(reason), Int(o.updated_at)};
    AITRADER_RETURN_IF_ERROR(
        db_.Execute("INSERT INTO order_status_history (order_id, status, reason, at) VALUES (?, ?, ?, ?)", h));
  }
  return id;
}

Result<OrderRecord> Repository::FindOrder(std::string_view client_order_id) {
  Value p[] = {Text(client_order_id)};
  return OneRow<OrderRecord>(
      db_.Query(std::string("SELECT ") + kOrderColumns + " FROM orders WHERE client_order_id = ?", p), OrderFromRow,
      "order " + std::string(client_order_id));
}

Result<std::vector<OrderRecord>> Repository::ListOrders(std::int64_t bot_id, bool open_only) {
  Value p[] = {Int(bot_id)};
  std::string sql = std::string("SELECT ") + kOrderColumns + " FROM orders WHERE bot_id = ?";
  if (open_only) sql += " AND status IN ('NEW', 'PARTIALLY_FILLED', 'TRIGGERED')";
  sql += " ORDER BY id";
  return MapRows<OrderRecord>(db_.Query(sql, p), OrderFromRow);
}

Result<std::vector<std::pair<std::string, UnixMs>>> Repository::OrderHistory(std::int64_t order_id) {
  Value p[] = {Int(order_id)};
  return MapRows<std::pair<std::string, UnixMs>>(
      db_.Query("SELECT status, at FROM order_status_history WHERE order_id = ? ORDER BY id", p),
      [](const Row& r) { return std::make_pair(r.Text(0), r.Int(1)); });
}

Result<bool> Repository::InsertTrade(const TradeRecord& t) {
  Value p[] = {Int(t.bot_id),     OptInt(t.order_id), Text(t.venue_trade_id), Text(t.symbol),
               Text(t.side),      Raw(t.quantity),    Raw(t.price),           Raw(t.fee),
               Raw(t.realized_pnl), Int(t.is_maker ? 1 : 0), Int(t.at)};
  auto rows = db_.Query(
      "INSERT INTO trades (bot_id, order_id, venue_trade_id, symbol, side, quantity, price, fee, realized_pnl, "
      "is_maker, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (bot_id, venue_trade_id) DO NOTHING "
      "RETURNING id",
      p);
  if (!rows.ok()) return rows.status();
  return !rows->empty();
}

Result<std::vector<TradeRecord>> Repository::ListTrades(std::int64_t bot_id) {
  Value p[] = {Int(bot_id)};
  return MapRows<TradeRecord>(
      db_.Query("SELECT id, bot_id, order_id, venue_trade_id, symbol, side, quantity, price, fee, realized_pnl, "
                "is_maker, at FROM trades WHERE bot_id = ? ORDER BY at, id",
                p),
      [](const Row& r) {
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
        return t;
      });
}

Result<std::int64_t> Repository::OpenPosition(const PositionRecord& p) {
  Value v[] = {Int(p.bot_id),      Text(p.symbol),     Text(p.side),           Raw(p.quantity),
               Raw(p.entry_price), Int(p.leverage),    Text(p.exit_plan_json), Int(p.opened_at),
               Raw(p.realized_pnl), Raw(p.fees),       Raw(p.funding)};
  return db_.QueryInt(
      "INSERT INTO positions (bot_id, symbol, side, quantity, entry_price, leverage, exit_plan_json, opened_at, "
      "realized_pnl, fees, funding) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
      v);
}

Status Repository::ClosePosition(std::int64_t position_id, UnixMs at, Price exit_price, std::string_view reason,
                                 Money realized_pnl, Money fees, Money funding) {
  Value p[] = {Int(at), Raw(exit_price), Text(reason), Raw(realized_pnl), Raw(fees), Raw(funding), Int(position_id)};
  auto rows = db_.Query(
      "UPDATE positions SET closed_at = ?, exit_price = ?, exit_reason = ?, realized_pnl = ?, fees = ?, funding = ? "
      "WHERE id = ? AND closed_at IS NULL RETURNING id",
      p);
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return NotFound("open position " + std::to_string(position_id) + " not found");
  return Status::Ok();
}

Result<std::vector<PositionRecord>> Repository::ListPositions(std::int64_t bot_id, bool open_only) {
  Value p[] = {Int(bot_id)};
  std::string sql = std::string("SELECT ") + kPositionCols + " FROM positions WHERE bot_id = ?";
  if (open_only) sql += " AND closed_at IS NULL";
  sql += " ORDER BY id";
  return MapRows<PositionRecord>(db_.Query(sql, p), ToPosition);
}

Status Repository::InsertEquity(const EquitySnapshot& e) {
  Value p[] = {Int(e.bot_id), Int(e.at), Raw(e.equity), Raw(e.wallet_balance), Raw(e.unrealized_pnl)};
  return db_.Execute(
      "INSERT INTO equity_snapshots (bot_id, at, equity, wallet_balance, unrealized_pnl) VALUES (?, ?, ?, ?, ?) "
      "ON CONFLICT (bot_id, at) DO UPDATE SET equity = excluded.equity, wallet_balance = excluded.wallet_balance, "
      "unrealized_pnl = excluded.unrealized_pnl",
      p);
}

Result<std::vector<EquitySnapshot>> Repository::ListEquity(std::int64_t bot_id, UnixMs from, UnixMs to) {
  Value p[] = {Int(bot_id), Int(from), Int(to)};
  return MapRows<EquitySnapshot>(
      db_.Query("SELECT bot_id, at, equity, wallet_balance, unrealized_pnl FROM equity_snapshots WHERE bot_id = ? "
                "AND at >= ? AND at < ? ORDER BY at",
                p),
      [](const Row& r) {
        return EquitySnapshot{r.Int(0), r.Int(1), Money::FromRaw(r.Int(2)), Money::FromRaw(r.Int(3)),
                              Money::FromRaw(r.Int(4))};
      });
}

Status Repository::InsertCandles(const std::vector<StoredCandle>& candles) {
  for (const auto& c : candles) {
    Value p[] = {Text(c.symbol), Int(c.interval_ms), Int(c.open_time), Raw(c.open), Raw(c.high),
                 Raw(c.low),     Raw(c.close),       Value{c.volume}};
    AITRADER_RETURN_IF_ERROR(db_.Execute(
        "INSERT INTO market_data_snapshots (symbol, interval_ms, open_time, open, high, low, close, volume) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (symbol, interval_ms, open_time) DO NOTHING",
        p));
  }
  return Status::Ok();
}

Result<std::vector<StoredCandle>> Repository::LoadCandles(std::string_view symbol, UnixMs interval_ms, UnixMs from,
                                                          UnixMs to) {
  Value p[] = {Text(symbol), Int(interval_ms), Int(from), Int(to)};
  return MapRows<StoredCandle>(
      db_.Query("SELECT symbol, interval_ms, open_time, open, high, low, close, volume FROM market_data_snapshots "
                "WHERE symbol = ? AND interval_ms = ? AND open_time >= ? AND open_time < ? ORDER BY open_time",
                p),
      [](const Row& r) {
        return StoredCandle{r.Text(0),
                            r.Int(1),
                            r.Int(2),
                            Price::FromRaw(r.Int(3)),
                            Price::FromRaw(r.Int(4)),
                            Price::FromRaw(r.Int(5)),
                            Price::FromRaw(r.Int(6)),
                            r.Double(7)};
      });
}

Result<std::int64_t> Repository::InsertAlert(const AlertRecord& a) {
  Value p[] = {OptInt(a.user_id), OptInt(a.bot_id), Int(a.at), Text(a.severity), Text(a.kind), Text(a.message),
               Int(a.acknowledged ? 1 : 0)};
  return db_.QueryInt(
      "INSERT INTO alerts (user_id, bot_id, at, severity, kind, message, acknowledged) VALUES (?, ?, ?, ?, ?, ?, ?) "
      "RETURNING id",
      p);
}

Result<std::vector<AlertRecord>> Repository::ListAlerts(std::optional<std::int64_t> user_id, int limit) {
  std::vector<Value> p;
  std::string sql = "SELECT id, user_id, bot_id, at, severity, kind, message, acknowledged, acknowledged_at FROM alerts";
  if (user_id) {
    sql += " WHERE user_id = ?";
    p.push_back(Int(*user_id));
  }
  sql += " ORDER BY at DESC, id DESC LIMIT ?";
  p.push_back(Int(limit));
  return MapRows<AlertRecord>(db_.Query(sql, p), [](const Row& r) {
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
  });
}

Status Repository::AcknowledgeAlert(std::int64_t id) {
  Value p[] = {Int(id)};
  return db_.Execute("UPDATE alerts SET acknowledged = 1 WHERE id = ?", p);
}

Result<BotRecord> Repository::FindBot(std::int64_t user_id, std::string_view name) {
  Value p[] = {Int(user_id), Text(name)};
  return OneRow<BotRecord>(
      db_.Query(std::string("SELECT ") + kBotColumns + " FROM bots WHERE user_id = ? AND name = ?", p), BotFromRow,
      "bot '" + std::string(name) + "'");
}

Result<std::vector<std::pair<std::int64_t, Money>>> Repository::CycleAccountValues(std::int64_t bot_id) {
  Value p[] = {Int(bot_id)};
  return MapRows<std::pair<std::int64_t, Money>>(
      db_.Query("SELECT cycle, account_value FROM llm_decisions WHERE bot_id = ? AND account_value IS NOT NULL "
                "AND dry_run = 0 ORDER BY cycle",
                p),
      [](const Row& r) { return std::make_pair(r.Int(0), Money::FromRaw(r.Int(1))); });
}

Result<std::int64_t> Repository::MaxDecisionCycle(std::int64_t bot_id) {
  Value p[] = {Int(bot_id)};
  return db_.QueryInt("SELECT COALESCE(MAX(cycle), 0) FROM llm_decisions WHERE bot_id = ? AND dry_run = 0", p);
}

Result<PositionRecord> Repository::FindOpenPosition(std::int64_t bot_id, std::string_view symbol) {
  Value p[] = {Int(bot_id), Text(symbol)};
  return OneRow<PositionRecord>(
      db_.Query(std::string("SELECT ") + kPositionCols +
                    " FROM positions WHERE bot_id = ? AND symbol = ? AND closed_at IS NULL ORDER BY id DESC LIMIT 1",
                p),
      ToPosition, "open position " + std::string(symbol));
}

Status Repository::UpdateExitPlan(std::int64_t position_id, std::string_view exit_plan_json) {
  Value p[] = {Text(exit_plan_json), Int(position_id)};
  return db_.Execute("UPDATE positions SET exit_plan_json = ? WHERE id = ?", p);
}

Status Repository::AddPositionFunding(std::int64_t position_id, Money amount) {
  Value p[] = {Raw(amount), Int(position_id)};
  return db_.Execute("UPDATE positions SET funding = funding + ? WHERE id = ?", p);
}

Status Repository::SavePaperAccount(const PaperAccountRecord& a, UnixMs at) {
  auto opt = [](std::optional<int> v) { return v ? Value{std::int64_t{*v}} : Value{Null{}}; };
  Value p[] = {Int(a.bot_id), Int(a.account_index), Raw(a.deposit), Int(at), opt(a.max_leverage), opt(a.default_leverage)};
  return db_.Execute(
      "INSERT INTO paper_accounts (bot_id, account_index, deposit, created_at, max_leverage, default_leverage) "
      "VALUES (?, ?, ?, ?, ?, ?)",
      p);
}

Result<std::vector<PaperAccountRecord>> Repository::ListPaperAccounts() {
  return MapRows<PaperAccountRecord>(
      db_.Query("SELECT bot_id, account_index, deposit, max_leverage, default_leverage FROM paper_accounts "
                "ORDER BY account_index"),
      [](const Row& r) {
        PaperAccountRecord a;
        a.bot_id = r.Int(0);
        a.account_index = r.Int(1);
        a.deposit = Money::FromRaw(r.Int(2));
        if (auto v = OptInt64(r, 3)) a.max_leverage = static_cast<int>(*v);
        if (auto v = OptInt64(r, 4)) a.default_leverage = static_cast<int>(*v);
        return a;
      });
}

Status Repository::AppendJournal(const JournalEntry& e) {
  Value p[] = {Int(e.seq), Int(e.bot_id), Int(e.bar_time), Text(e.kind), Text(e.payload)};
  return db_.Execute("INSERT INTO paper_journal (seq, bot_id, bar_time, kind, payload) VALUES (?, ?, ?, ?, ?)", p);
}

Result<std::vector<JournalEntry>> Repository::LoadJournal() {
  return MapRows<JournalEntry>(
      db_.Query("SELECT seq, bot_id, bar_time, kind, payload FROM paper_journal ORDER BY seq"),
      [](const Row& r) { return JournalEntry{r.Int(0), r.Int(1), r.Int(2), r.Text(3), r.Text(4)}; });
}

Result<std::vector<JournalEntry>> Repository::LoadJournalFrom(std::int64_t first_seq) {
  Value p[] = {Int(first_seq)};
  return MapRows<JournalEntry>(
      db_.Query("SELECT seq, bot_id, bar_time, kind, payload FROM paper_journal WHERE seq >= ? ORDER BY seq", p),
      [](const Row& r) { return JournalEntry{r.Int(0), r.Int(1), r.Int(2), r.Text(3), r.Text(4)}; });
}

Status Repository::SavePaperCheckpoint(const PaperCheckpoint& c, int keep) {
  Value del[] = {Int(c.bar_time)};
  AITRADER_RETURN_IF_ERROR(db_.Execute("DELETE FROM paper_checkpoints WHERE bar_time = ?", del));
  Value p[] = {Int(c.bar_time), Int(c.journal_seq), Int(c.accounts), Text(ToBase64(c.data)), Int(c.created_at)};
  AITRADER_RETURN_IF_ERROR(db_.Execute(
      "INSERT INTO paper_checkpoints (bar_time, journal_seq, accounts, data, created_at) VALUES (?, ?, ?, ?, ?)", p));
  Value k[] = {Int(keep)};
  return db_.Execute(
      "DELETE FROM paper_checkpoints WHERE bar_time NOT IN "
      "(SELECT bar_time FROM paper_checkpoints ORDER BY bar_time DESC LIMIT ?)",
      k);
}

Result<std::optional<PaperCheckpoint>> Repository::LatestPaperCheckpoint(UnixMs max_bar_time) {
  Value p[] = {Int(max_bar_time)};
  auto rows = db_.Query(
      "SELECT bar_time, journal_seq, accounts, data, created_at FROM paper_checkpoints WHERE bar_time <= ? "
      "ORDER BY bar_time DESC LIMIT 1",
      p);
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<PaperCheckpoint>();
  const Row& r = rows->front();
  PaperCheckpoint c;
  c.bar_time = r.Int(0);
  c.journal_seq = r.Int(1);
  c.accounts = r.Int(2);
  auto bytes = FromBase64(r.Text(3));
  if (!bytes) return ParseError("paper checkpoint of " + std::to_string(c.bar_time) + ": the stored data is not base64");
  c.data = std::move(*bytes);
  c.created_at = r.Int(4);
  return std::optional<PaperCheckpoint>(std::move(c));
}

Status Repository::SetRunState(std::string_view name, std::int64_t value) {
  Value p[] = {Text(name), Int(value)};
  return db_.Execute(
      "INSERT INTO run_state (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value", p);
}

Result<std::optional<std::int64_t>> Repository::GetRunState(std::string_view name) {
  Value p[] = {Text(name)};
  auto rows = db_.Query("SELECT value FROM run_state WHERE name = ?", p);
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<std::int64_t>();
  return std::optional<std::int64_t>(rows->front().Int(0));
}

Result<std::int64_t> Repository::AddBotCommand(std::optional<std::int64_t> bot_id, std::string_view command,
                                               std::string_view reason, UnixMs at, std::optional<std::int64_t> user_id) {
  Value p[] = {OptInt(bot_id), OptInt(user_id), Text(command), Text(reason), Int(at)};
  return db_.QueryInt(
      "INSERT INTO bot_commands (bot_id, user_id, command, reason, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id", p);
}

Result<std::vector<BotCommand>> Repository::PendingCommands() {
  return MapRows<BotCommand>(
      db_.Query("SELECT id, bot_id, user_id, command, reason, created_at FROM bot_commands WHERE done_at IS NULL "
                "ORDER BY id"),
      [](const Row& r) { return BotCommand{r.Int(0), OptInt64(r, 1), OptInt64(r, 2), r.Text(3), r.Text(4), r.Int(5), {}, {}}; });
}

Status Repository::MarkCommandDone(std::int64_t id, UnixMs at, std::string_view result) {
  Value p[] = {Int(at), Text(result), Int(id)};
  return db_.Execute("UPDATE bot_commands SET done_at = ?, result = ? WHERE id = ?", p);
}

Result<std::vector<BotCommand>> Repository::ListCommands(std::size_t limit) {
  Value p[] = {Int(static_cast<std::int64_t>(std::min<std::size_t>(limit, 1'000'000)))};
  auto rows = MapRows<BotCommand>(
      db_.Query("SELECT id, bot_id, user_id, command, reason, created_at, done_at, result FROM bot_commands "
                "ORDER BY id DESC LIMIT ?",
                p),
      [](const Row& r) {
        return BotCommand{r.Int(0), OptInt64(r, 1), OptInt64(r, 2), r.Text(3), r.Text(4), r.Int(5), OptInt64(r, 6),
                          r.IsNull(7) ? std::string() : r.Text(7)};
      });
  if (rows.ok()) std::reverse(rows->begin(), rows->end());
  return rows;
}

}  // namespace aitrader::store
