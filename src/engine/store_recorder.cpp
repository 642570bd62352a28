#include "engine/store_recorder.hpp"

#include <boost/json.hpp>

#include "engine/client_ids.hpp"

namespace aitrader::engine {
namespace json = boost::json;
namespace {

std::string OrderTypeForLeg(std::string_view client_id) {
  auto id = ParseClientOrderId(client_id);
  if (id && id->leg == OrderLeg::kStopLoss) return "STOP_MARKET";
  if (id && id->leg == OrderLeg::kTakeProfit) return "TAKE_PROFIT_MARKET";
  return "MARKET";
}

store::OrderRecord ToRecord(std::int64_t bot_id, const exchange::Order& o) {
  store::OrderRecord r;
  r.bot_id = bot_id;
  r.client_order_id = o.client_id.value();
  if (o.id.value() != 0) r.venue_order_id = std::to_string(o.id.value());
  r.symbol = o.symbol;
  r.side = std::string(ToString(o.side));
  r.type = std::string(ToString(o.type));
  r.quantity = o.quantity;
  if (o.price.IsPositive()) r.price = o.price;
  if (o.stop_price.IsPositive()) r.stop_price = o.stop_price;
  r.reduce_only = o.reduce_only || o.close_position;
  r.status = std::string(exchange::ToString(o.status));
  r.filled_quantity = o.filled_quantity;
  if (o.average_price.IsPositive()) r.avg_price = o.average_price;
  r.created_at = o.created_at;
  r.updated_at = o.updated_at;
  return r;
}

// A fill or a liquidation as a trades row; the event's per-account sequence number is the
// venue trade id, so a replayed event is stored once.
store::TradeRecord TradeFromEvent(std::int64_t bot_id, const exchange::ExecutionEvent& e) {
  store::TradeRecord t;
  t.bot_id = bot_id;
  // The venue's trade id where it gives one (Binance): unique for the account, across restarts
  // of the adapter — whose event sequence starts again at 1. The paper venue's sequence is
  // rebuilt exactly by its replay, so it identifies a paper fill for good.
  t.venue_trade_id = e.trade_id != 0 ? "t-" + std::to_string(e.trade_id) : "seq-" + std::to_string(e.seq);
  t.symbol = e.symbol;
  t.side = std::string(ToString(e.side));
  t.quantity = e.quantity;
  t.price = e.price;
  t.fee = e.fee;
  t.realized_pnl = e.realized_pnl;
  t.is_maker = e.kind == exchange::EventKind::kOrderFilled && e.liquidity == exchange::Liquidity::kMaker;
  t.at = e.time;
  return t;
}

}  // namespace

std::string VerdictsJson(const std::vector<CoinVerdict>& verdicts) {
  json::array a;
  for (const auto& v : verdicts) {
    json::object o;
    o["coin"] = v.coin;
    o["signal"] = v.signal;
    o["action"] = v.action;
    if (!v.detail.empty()) o["detail"] = v.detail;
    if (!v.denials.empty()) {
      json::array d;
      for (auto r : v.denials) d.emplace_back(std::string(risk::ToString(r)));
      o["denials"] = std::move(d);
    }
    a.emplace_back(std::move(o));
  }
  return json::serialize(a);
}

void StoreRecorder::Check(Status s) {
  if (!s.ok() && status_.ok()) status_ = std::move(s);
}

void StoreRecorder::Publish(std::string type, std::int64_t bot_id, std::string payload) {
  pending_.push_back({std::move(type), bot_id, std::move(payload)});
}

void StoreRecorder::OnCycle(const Bot& bot, const CycleRecord& r) {
  store::DecisionRecord d;
  d.bot_id = bot.id();
  d.cycle = r.cycle;
  d.decided_at = r.time;
  d.prompt_version = r.prompt_version;
  d.prompt_hash = r.prompt_hash;
  if (!r.user_prompt.empty()) d.prompt = r.system_prompt + "\n\n" + r.user_prompt;
  std::string decisions_json = agent::DecisionsToJson(r.outcome.decisions);
  for (std::size_t i = 0; i < r.outcome.attempts.size(); ++i) {
    const auto& a = r.outcome.attempts[i];
    if (i > 0) d.raw_answer += "\n\n--- retry ---\n\n";
    d.raw_answer += a.transport.ok() ? a.raw_text : "[transport error] " + a.transport.message();
  }
  if (d.raw_answer.empty()) d.raw_answer = decisions_json;
  d.decisions_json = decisions_json;
  d.verdicts_json = VerdictsJson(r.verdicts);
  d.outcome = r.status;
  if (r.outcome.fell_back_to_hold) d.error = r.outcome.fallback_reason;
  d.latency_ms = r.latency_ms;
  d.account_value = r.account_value;
  auto id = repo_.InsertDecision(d);
  Check(id.status());
  // One llm_usage row per call (attempts and retries each), stamped with the wall clock.
  for (const auto& call : r.usage.per_call) {
    store::UsageRecord u;
    u.bot_id = bot.id();
    if (id.ok()) u.decision_id = *id;
    u.at = r.time;
    if (call.called_at > 0) u.called_at = call.called_at;
    u.provider = bot.source().provider();
    u.model = call.model.empty() ? r.usage.model : call.model;
    u.input_tokens = call.usage.input_tokens;
    u.output_tokens = call.usage.output_tokens;
    u.reasoning_tokens = call.usage.reasoning_tokens;
    u.cached_tokens = call.usage.cached_tokens;
    u.cost_usd = call.cost_usd;
    Check(repo_.InsertUsage(u).status());
  }
  for (const auto& o : r.orders) Check(repo_.UpsertOrder(ToRecord(bot.id(), o), "submitted").status());
  // Exit plans of the positions this cycle opened.
  for (const auto& v : r.verdicts) {
    if (v.action != "entered") continue;
    for (const auto& dec : r.outcome.decisions) {
      if (dec.coin != v.coin) continue;
      json::object plan;
      if (dec.profit_target) plan["profit_target"] = dec.profit_target->ToString();
      if (dec.stop_loss) plan["stop_loss"] = dec.stop_loss->ToString();
      plan["invalidation_condition"] = dec.invalidation_condition;
      if (dec.confidence) plan["confidence"] = *dec.confidence;
      if (dec.risk_usd) plan["risk_usd"] = dec.risk_usd->ToString();
      for (const auto& sym : bot.config().symbols) {
        if (sym.rfind(dec.coin, 0) != 0) continue;
        auto pos = repo_.FindOpenPosition(bot.id(), sym);
        if (pos.ok()) Check(repo_.UpdateExitPlan(pos->id, json::serialize(plan)));
      }
    }
  }
  json::object ev;
  ev["cycle"] = r.cycle;
  ev["time"] = r.time;
  ev["decided_at"] = r.time;  // the name GET /api/bots/{id}/decisions uses
  ev["status"] = r.status;
  ev["equity"] = r.equity.ToString();
  ev["decisions"] = json::parse(decisions_json);
  ev["verdicts"] = json::parse(d.verdicts_json);
  Publish("decision", bot.id(), json::serialize(ev));
}

void StoreRecorder::OnTradeOpened(const Bot& bot, const ClosedTrade& t) {
  store::PositionRecord p;
  p.bot_id = bot.id();
  p.symbol = t.symbol;
  p.side = t.side == Side::kBuy ? "LONG" : "SHORT";
  p.quantity = t.quantity;
  p.entry_price = t.entry_price;
  p.leverage = t.leverage;
  p.opened_at = t.entry_time;
  p.fees = t.fees;
  Check(repo_.OpenPosition(p).status());
  json::object ev;
  ev["symbol"] = t.symbol;
  ev["side"] = p.side;
  ev["quantity"] = t.quantity.ToString();
  ev["entry_price"] = t.entry_price.ToString();
  ev["state"] = "open";
  Publish("position", bot.id(), json::serialize(ev));
}

void StoreRecorder::OnTradeClosed(const Bot& bot, const ClosedTrade& t) {
  auto pos = repo_.FindOpenPosition(bot.id(), t.symbol);
  if (!pos.ok()) {
    Check(pos.status().WithContext("closing trade " + t.symbol));
    return;
  }
  Check(repo_.ClosePosition(pos->id, t.exit_time, t.exit_price, ToString(t.exit_reason), t.realized_pnl, t.fees,
                            t.funding));
  json::object ev;
  ev["symbol"] = t.symbol;
  ev["state"] = "closed";
  ev["exit_price"] = t.exit_price.ToString();
  ev["exit_reason"] = std::string(ToString(t.exit_reason));
  ev["net_pnl"] = t.net().ToString();
  Publish("position", bot.id(), json::serialize(ev));
}

void StoreRecorder::OnExecutionEvent(const Bot& bot, const exchange::ExecutionEvent& e) {
  using exchange::EventKind;
  switch (e.kind) {
    case EventKind::kOrderAccepted:
    case EventKind::kOrderRejected:
    case EventKind::kOrderFilled:
    case EventKind::kOrderCanceled:
    case EventKind::kOrderExpired:
    case EventKind::kOrderTriggered: {
      store::OrderRecord r;
      r.bot_id = bot.id();
      r.client_order_id = e.client_id.value();
      if (e.order_id.value() != 0) r.venue_order_id = std::to_string(e.order_id.value());
      r.symbol = e.symbol;
      r.side = std::string(ToString(e.side));
      r.type = OrderTypeForLeg(e.client_id.value());
      r.quantity = e.quantity;
      r.reduce_only = r.type != "MARKET" || (ParseClientOrderId(e.client_id.value()) &&
                                             ParseClientOrderId(e.client_id.value())->leg != OrderLeg::kEntry);
      r.status = std::string(exchange::ToString(e.order_status));
      if (e.kind == EventKind::kOrderFilled) {
        r.filled_quantity = e.quantity;
        r.avg_price = e.price;
      }
      r.created_at = r.updated_at = e.time;
      std::string reason = e.reason != exchange::RejectReason::kNone
                               ? "[" + std::to_string(exchange::RejectCode(e.reason)) + "] " +
                                     std::string(exchange::RejectMessage(e.reason))
                               : std::string(exchange::ToString(e.kind));
      Check(repo_.UpsertOrder(r, reason).status());
      if (e.kind == EventKind::kOrderFilled) {
        store::TradeRecord t = TradeFromEvent(bot.id(), e);
        if (auto o = repo_.FindOrder(e.client_id.value()); o.ok()) t.order_id = o->id;
        Check(repo_.InsertTrade(t).status());
        json::object ev;
        ev["symbol"] = e.symbol;
        ev["side"] = t.side;
        ev["quantity"] = e.quantity.ToString();
        ev["price"] = e.price.ToString();
        ev["fee"] = e.fee.ToString();
        ev["realized_pnl"] = e.realized_pnl.ToString();
        ev["client_order_id"] = e.client_id.value();
        Publish("fill", bot.id(), json::serialize(ev));
      } else {
        json::object ev;
        ev["client_order_id"] = e.client_id.value();
        ev["symbol"] = e.symbol;
        ev["status"] = r.status;
        Publish("order", bot.id(), json::serialize(ev));
      }
      break;
    }
    case EventKind::kFundingPaid: {
      auto pos = repo_.FindOpenPosition(bot.id(), e.symbol);
      if (pos.ok()) Check(repo_.AddPositionFunding(pos->id, e.funding));
      break;
    }
    case EventKind::kLiquidation:
      Check(repo_.InsertTrade(TradeFromEvent(bot.id(), e)).status());
      break;
    default:
      break;
  }
}

void StoreRecorder::OnEquity(const Bot& bot, UnixMs t, const exchange::Balance& b) {
  if (!every_bar_) return;
  Check(repo_.InsertEquity({bot.id(), t, b.margin_balance, b.wallet_balance, b.unrealized_pnl}));
  json::object ev;
  ev["time"] = t;
  ev["equity"] = b.margin_balance.ToString();
  Publish("equity", bot.id(), json::serialize(ev));
}

void StoreRecorder::OnAlert(const Bot& bot, std::string_view severity, std::string_view kind,
                            const std::string& message) {
  store::AlertRecord a;
  auto rec = repo_.GetBot(bot.id());
  if (rec.ok()) a.user_id = rec->user_id;
  a.bot_id = bot.id();
  a.at = bot.now();  // (was the last equity point: 0 for a bot stopped before its first bar)
  a.severity = std::string(severity);
  a.kind = std::string(kind);
  a.message = message;
  Check(repo_.InsertAlert(a).status());
  json::object ev;
  ev["severity"] = a.severity;
  ev["kind"] = a.kind;
  ev["message"] = message;
  Publish("alert", bot.id(), json::serialize(ev));
}

void StoreRecorder::OnStatus(const Bot& bot, BotStatus /*from*/, BotStatus to) {
  UnixMs at = bot.equity_curve().empty() ? bot.started_at() : bot.equity_curve().back().first;
  Check(repo_.UpdateBotStatus(bot.id(), ToString(to), at));
  json::object ev;
  ev["status"] = std::string(ToString(to));
  Publish("status", bot.id(), json::serialize(ev));
}

}  // namespace aitrader::engine
