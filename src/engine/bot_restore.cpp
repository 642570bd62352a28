#include "engine/bot_restore.hpp"

#include <algorithm>

#include <boost/json.hpp>

namespace aitrader::engine {
namespace json = boost::json;

namespace {

std::optional<Price> PlanPrice(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  auto p = Price::Parse(v->as_string());
  if (!p.ok()) return std::nullopt;
  return *p;
}

}  // namespace

Result<bool> RestoreBotFromStore(Bot& bot, const BotConfig& config, const RestoreInput& in, store::Repository& repo,
                                 const InstrumentTable& instruments, exchange::Exchange& venue) {
  auto cycle = repo.MaxDecisionCycle(in.bot_id);
  if (!cycle.ok()) return cycle.status();
  bot.Resume(in.started_at, *cycle, in.status);
  auto values = repo.CycleAccountValues(in.bot_id);
  if (!values.ok()) return values.status();
  std::vector<Money> account_values;
  account_values.reserve(values->size());
  for (const auto& [c, v] : *values) account_values.push_back(v);
  bot.RestoreSharpe(account_values);

  // Open positions with their exit plans; the quantity is the venue's (it is the truth).
  auto open = repo.ListPositions(in.bot_id, true);
  if (!open.ok()) return open.status();
  auto positions = venue.FetchPositions();
  for (const auto& p : *open) {
    Quantity open_qty;
    if (positions.ok()) {
      for (const auto& vp : *positions) {
        if (vp.symbol == p.symbol) open_qty = vp.quantity;
      }
    }
    ClosedTrade t;
    t.symbol = p.symbol;
    const Instrument* ins = instruments.Find(p.symbol);
    t.coin = ins ? ins->base : p.symbol;
    t.side = p.side == "LONG" ? Side::kBuy : Side::kSell;
    t.quantity = p.quantity;
    t.entry_price = p.entry_price;
    t.entry_time = p.opened_at;
    t.leverage = p.leverage;
    t.fees = p.fees;
    t.funding = p.funding;
    std::optional<Price> stop, target;
    std::string invalidation;
    Money risk_usd;
    boost::system::error_code ec;
    json::value plan = json::parse(p.exit_plan_json, ec);
    if (!ec && plan.is_object()) {
      const auto& o = plan.as_object();
      stop = PlanPrice(o, "stop_loss");
      target = PlanPrice(o, "profit_target");
      if (auto* inv = o.if_contains("invalidation_condition"); inv && inv->is_string()) {
        invalidation = std::string(inv->as_string());
      }
      if (auto* c = o.if_contains("confidence"); c && c->is_number()) t.confidence = c->to_number<double>();
      if (auto* r = o.if_contains("risk_usd"); r && r->is_string()) {
        risk_usd = Money::Parse(r->as_string()).value_or(Money());
      }
    }
    bot.RestoreOpenTrade(t, open_qty, stop, target, invalidation, risk_usd);
  }

  // The risk engine's memory from the equity curve.
  auto eq = repo.ListEquity(in.bot_id, in.started_at, in.last_bar + 1);
  if (!eq.ok()) return eq.status();
  Money peak = in.capital, day_start = in.capital, last = in.capital;
  const std::int64_t today = in.last_bar / kDayMs;
  bool day_seen = false;
  for (const auto& e : *eq) {
    peak = std::max(peak, e.equity);
    if (!day_seen && e.at / kDayMs == today) {
      day_start = e.equity;
      day_seen = true;
    }
    last = e.equity;
  }
  bot.RestoreRiskState(peak, day_start, in.last_bar, last);

  // The cool-down's memory: the last losing close per symbol.
  auto all = repo.ListPositions(in.bot_id, false);
  if (!all.ok()) return all.status();
  std::vector<std::pair<std::string, UnixMs>> losses;
  for (const auto& p : *all) {
    if (!p.closed_at || !(p.realized_pnl - p.fees + p.funding).IsNegative()) continue;
    auto it = std::find_if(losses.begin(), losses.end(), [&](const auto& l) { return l.first == p.symbol; });
    if (it == losses.end()) losses.emplace_back(p.symbol, *p.closed_at);
    else it->second = std::max(it->second, *p.closed_at);
  }
  bot.RestoreLossTimes(std::move(losses));

  // An LLM cycle begun at the last committed bar whose answer was never stored.
  if (bot.source().needs_prompt() && bot.status() == BotStatus::kRunning && config.cadence > 0 &&
      in.last_bar % config.cadence == 0) {
    auto latest = repo.ListDecisions(in.bot_id, 1);
    if (!latest.ok()) return latest.status();
    if (latest->empty() || latest->front().decided_at < in.last_bar) return true;
  }
  return false;
}

}  // namespace aitrader::engine
