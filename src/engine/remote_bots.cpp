#include "engine/remote_bots.hpp"

#include <algorithm>
#include <map>

namespace aitrader::engine {
namespace {

// What the store says a testnet/live bot holds at its venue: its open positions (signed) and
// its open orders (the bracket legs), as the adapter's reconciliation compares them.
Status StoredVenueState(store::Database& db, store::Repository& repo, std::int64_t bot_id,
                        std::vector<exchange::Position>& positions, std::vector<exchange::Order>& orders) {
  auto open = repo.ListPositions(bot_id, true);
  if (!open.ok()) return open.status();
  for (const auto& p : *open) {
    exchange::Position x;
    x.symbol = p.symbol;
    x.quantity = p.side == "LONG" ? p.quantity : -p.quantity;
    x.entry_price = p.entry_price;
    x.leverage = p.leverage;
    positions.push_back(std::move(x));
  }
  auto resting = repo.ListOrders(bot_id, true);
  if (!resting.ok()) return resting.status();
  // Their fills recorded so far (a partly filled order): a later reconciliation reports the rest.
  std::map<std::int64_t, Quantity> filled;
  if (!resting->empty()) {
    store::Value p[] = {std::int64_t{bot_id}};
    auto sums = db.Query("SELECT order_id, SUM(quantity) FROM trades WHERE bot_id = ? AND order_id IS NOT NULL "
                         "GROUP BY order_id", p);
    if (!sums.ok()) return sums.status();
    for (const auto& row : *sums) filled[row.Int(0)] = Quantity::FromRaw(row.Int(1));
  }
  for (const auto& r : *resting) {
    auto type = ParseOrderType(r.type);
    auto side = ParseSide(r.side);
    if (!type || !side) continue;  // not an order this engine places
    exchange::Order o;
    o.client_id = ClientOrderId(r.client_order_id);
    o.symbol = r.symbol;
    o.side = *side;
    o.type = *type;
    o.quantity = r.quantity;
    o.price = r.price.value_or(Price());
    o.stop_price = r.stop_price.value_or(Price());
    o.reduce_only = r.reduce_only;
    if (auto f = filled.find(r.id); f != filled.end()) o.filled_quantity = f->second;
    // the bot's stop-loss / take-profit legs are closePosition orders
    o.close_position = *type == OrderType::kStopMarket || *type == OrderType::kTakeProfitMarket;
    o.created_at = r.created_at;
    o.updated_at = r.updated_at;
    orders.push_back(std::move(o));
  }
  return Status::Ok();
}

// The positions open before a testnet/live bot's restart that its reconciliation closed (a
// stop-loss or take-profit that filled while the process was down): one info alert each.
Status RecordClosedWhileDown(store::Repository& repo, std::int64_t user_id, std::int64_t bot_id, UnixMs at,
                             const std::vector<store::PositionRecord>& before) {
  if (before.empty()) return Status::Ok();
  auto all = repo.ListPositions(bot_id, false);
  if (!all.ok()) return all.status();
  for (const auto& p : *all) {
    if (!p.closed_at) continue;
    const bool was_open = std::any_of(before.begin(), before.end(), [&](const auto& b) { return b.id == p.id; });
    if (!was_open) continue;
    AITRADER_RETURN_IF_ERROR(RecordBotAlert(
        repo, user_id, bot_id, at, "info",
        p.symbol + " " + p.side + " was closed at the venue while the process was down (" +
            p.exit_reason.value_or("close") + " at " + (p.exit_price ? p.exit_price->ToString() : "?") + ", " +
            FormatUtc(*p.closed_at) + ", net " + (p.realized_pnl - p.fees + p.funding).ToString() + " USDT); recorded",
        "reconcile"));
  }
  return Status::Ok();
}

// The venue's positions against the store's open ones; each difference (a position the store
// does not know, a close the reconciliation could not explain) is an alert. The bot itself
// goes on from the venue's quantities.
Status ComparePositions(store::Repository& repo, std::int64_t user_id, std::int64_t bot_id, UnixMs at,
                        exchange::Exchange& venue) {
  auto stored = repo.ListPositions(bot_id, true);
  if (!stored.ok()) return stored.status();
  auto held = venue.FetchPositions();
  if (!held.ok()) {
    return RecordBotAlert(repo, user_id, bot_id, at, "warning",
                          "could not compare the venue's positions with the store: " + held.status().message());
  }
  std::vector<std::string> drift;
  for (const auto& p : *stored) {
    Quantity venue_qty;
    for (const auto& v : *held) {
      if (v.symbol == p.symbol) venue_qty = v.quantity;
    }
    const Quantity want = p.side == "LONG" ? p.quantity : -p.quantity;
    if (venue_qty != want) {
      drift.push_back(p.symbol + " " + want.ToString() + " in the store, " + venue_qty.ToString() + " at the venue");
    }
  }
  for (const auto& v : *held) {
    if (v.quantity.IsZero()) continue;
    const bool known = std::any_of(stored->begin(), stored->end(), [&](const auto& p) { return p.symbol == v.symbol; });
    if (!known) drift.push_back(v.symbol + " " + v.quantity.ToString() + " at the venue, none in the store");
  }
  for (const auto& d : drift) {
    AITRADER_RETURN_IF_ERROR(RecordBotAlert(repo, user_id, bot_id, at, "warning",
                                            "the venue and the store differ after the restart: " + d, "reconcile"));
  }
  return Status::Ok();
}

}  // namespace

Result<Venue> OpenRemoteVenue(const RemoteVenueRequest& request, store::Database& db, store::Repository& repo,
                              const Clock& wall) {
  VenueRequest vr = request.venue;
  if (request.from_store) {
    AITRADER_RETURN_IF_ERROR(StoredVenueState(db, repo, request.bot_id, vr.expected_positions, vr.expected_orders));
  }
  if (vr.mode == TradingMode::kLive) {
    store::Value p[] = {std::int64_t{request.bot_id}};
    auto first = db.Query("SELECT MIN(at) FROM trades WHERE bot_id = ?", p);
    if (!first.ok()) return first.status();
    if (!first->empty() && !first->front().IsNull(0)) vr.first_trade_time = first->front().Int(0);
  }
  auto venue = MakeVenue(vr, wall);
  if (!venue.ok()) return FailedPrecondition(venue.status().message());
  for (const auto& sym : request.symbols) {
    if (venue->binance->symbol_info(sym) == nullptr) {
      return FailedPrecondition(sym + " is not listed by the " + std::string(ToString(vr.mode)) + " venue");
    }
  }
  return venue;
}

Status RecordBotAlert(store::Repository& repo, std::int64_t user_id, std::int64_t bot_id, UnixMs at,
                      std::string severity, std::string message, std::string kind) {
  store::AlertRecord a;
  a.user_id = user_id;
  a.bot_id = bot_id;
  a.at = at;
  a.severity = std::move(severity);
  a.kind = std::move(kind);
  a.message = std::move(message);
  auto id = repo.InsertAlert(a);
  return id.ok() ? Status::Ok() : id.status();
}

Result<bool> ReconnectRemoteBot(Bot& bot, const BotConfig& config, const RestoreInput& in, store::Repository& repo,
                                const InstrumentTable& venue_instruments, exchange::Exchange& venue,
                                std::int64_t user_id, UnixMs now) {
  auto held = repo.ListPositions(in.bot_id, true);
  if (!held.ok()) return held.status();
  auto again = RestoreBotFromStore(bot, config, in, repo, venue_instruments, venue);
  if (!again.ok()) return again.status().WithContext("restoring bot " + std::to_string(in.bot_id));
  // What ended at the venue while the process was down (a stop-loss or take-profit that
  // filled, found by its client id, with the venue's fills) is recorded now.
  bot.ProcessVenueEvents(now);
  AITRADER_RETURN_IF_ERROR(RecordClosedWhileDown(repo, user_id, in.bot_id, now, *held));
  AITRADER_RETURN_IF_ERROR(ComparePositions(repo, user_id, in.bot_id, now, venue));
  return *again;
}

}  // namespace aitrader::engine
