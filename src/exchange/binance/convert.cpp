#include "exchange/binance/convert.hpp"

namespace aitrader::exchange::binance {

Instrument ToInstrument(const SymbolInfo& s, const SymbolBrackets* brackets) {
  Instrument i;
  i.symbol = s.symbol;
  i.base = s.base_asset;
  i.quote = s.quote_asset;
  i.tick_size = s.tick_size;
  i.step_size = s.step_size;
  i.min_qty = s.min_qty;
  i.min_notional = s.min_notional;
  i.liquidation_fee_rate = s.liquidation_fee;
  i.max_leverage = 1;
  if (brackets != nullptr && !brackets->brackets.empty()) {
    const BracketTier& t = brackets->brackets.front();
    i.max_leverage = t.initial_leverage;
    i.maint_margin_rate = t.maint_margin_ratio;
    i.maint_amount = t.cum;
  } else {
    // Binance's percent field: "2.5000" means 2.5 %.
    i.maint_margin_rate = Ratio::FromRaw(s.maint_margin_percent.raw() / 100);
  }
  return i;
}

market::Candle ToCandle(const Kline& k) { return market::Candle{k.open_time, k.open, k.high, k.low, k.close, k.volume}; }

Result<OrderStatus> OrderStatusFromWire(std::string_view s) {
  if (s == "NEW") return OrderStatus::kNew;
  if (s == "PARTIALLY_FILLED") return OrderStatus::kPartiallyFilled;
  if (s == "FILLED") return OrderStatus::kFilled;
  if (s == "CANCELED") return OrderStatus::kCanceled;
  if (s == "EXPIRED" || s == "EXPIRED_IN_MATCH") return OrderStatus::kExpired;
  if (s == "REJECTED") return OrderStatus::kRejected;
  return ParseError("unknown order status '" + std::string(s) + "'");
}

Result<OrderStatus> AlgoStatusFromWire(std::string_view s) {
  if (s == "NEW") return OrderStatus::kNew;
  if (s == "TRIGGERING" || s == "TRIGGERED") return OrderStatus::kTriggered;
  if (s == "FINISHED") return OrderStatus::kFilled;
  if (s == "CANCELED") return OrderStatus::kCanceled;
  if (s == "EXPIRED") return OrderStatus::kExpired;
  if (s == "REJECTED") return OrderStatus::kRejected;
  return ParseError("unknown algo status '" + std::string(s) + "'");
}

Result<Side> SideFromWire(std::string_view s) {
  if (s == "BUY") return Side::kBuy;
  if (s == "SELL") return Side::kSell;
  return ParseError("unknown side '" + std::string(s) + "'");
}

Result<OrderType> OrderTypeFromWire(std::string_view s) {
  if (s == "MARKET") return OrderType::kMarket;
  if (s == "LIMIT") return OrderType::kLimit;
  if (s == "STOP_MARKET") return OrderType::kStopMarket;
  if (s == "TAKE_PROFIT_MARKET") return OrderType::kTakeProfitMarket;
  return ParseError("order type '" + std::string(s) + "' is not one aitrader trades");
}

TimeInForce TimeInForceFromWire(std::string_view s) {
  if (s == "IOC") return TimeInForce::kIoc;
  if (s == "FOK") return TimeInForce::kFok;
  if (s == "GTX") return TimeInForce::kGtx;
  return TimeInForce::kGtc;
}

Result<Order> ToOrder(const OrderDto& o) {
  Order out;
  AITRADER_ASSIGN_OR_RETURN(out.status, OrderStatusFromWire(o.status));
  AITRADER_ASSIGN_OR_RETURN(out.side, SideFromWire(o.side));
  AITRADER_ASSIGN_OR_RETURN(out.type, OrderTypeFromWire(o.orig_type.empty() ? o.type : o.orig_type));
  out.id = OrderId(o.order_id);
  out.client_id = ClientOrderId(o.client_order_id);
  out.symbol = o.symbol;
  out.time_in_force = TimeInForceFromWire(o.time_in_force);
  out.quantity = o.orig_qty;
  out.price = o.price;
  out.stop_price = o.stop_price;
  out.reduce_only = o.reduce_only;
  out.close_position = o.close_position;
  out.filled_quantity = o.executed_qty;
  out.average_price = o.avg_price;
  out.created_at = o.time != 0 ? o.time : o.update_time;
  out.updated_at = o.update_time;
  return out;
}

Result<Order> ToOrder(const AlgoOrderDto& o) {
  Order out;
  AITRADER_ASSIGN_OR_RETURN(out.status, AlgoStatusFromWire(o.algo_status));
  AITRADER_ASSIGN_OR_RETURN(out.side, SideFromWire(o.side));
  AITRADER_ASSIGN_OR_RETURN(out.type, OrderTypeFromWire(o.order_type));
  out.id = OrderId(o.algo_id);
  out.client_id = ClientOrderId(o.client_algo_id);
  out.symbol = o.symbol;
  out.time_in_force = TimeInForceFromWire(o.time_in_force);
  out.quantity = o.quantity;
  out.stop_price = o.trigger_price;
  out.reduce_only = o.reduce_only;
  out.close_position = o.close_position;
  out.created_at = o.create_time;
  out.updated_at = o.update_time;
  return out;
}

Result<Position> ToPosition(const PositionRiskDto& p) {
  if (!p.position_side.empty() && p.position_side != "BOTH") {
    return FailedPrecondition("position " + p.symbol + " has positionSide " + p.position_side +
                              ": the account is in hedge mode, aitrader trades one-way (BOTH) only");
  }
  Position out;
  out.symbol = p.symbol;
  out.quantity = p.position_amt;
  out.entry_price = p.entry_price;
  out.mark_price = p.mark_price;
  out.unrealized_pnl = p.unrealized_profit;
  out.notional = p.notional.Abs();
  out.leverage = p.leverage > 0 ? p.leverage : 1;
  out.margin_mode = p.margin_type == "isolated" ? MarginMode::kIsolated : MarginMode::kCross;
  out.initial_margin = p.initial_margin;
  out.maintenance_margin = p.maint_margin;
  out.isolated_margin = p.isolated_wallet.IsZero() ? p.isolated_margin : p.isolated_wallet;
  out.liquidation_price = p.liquidation_price;
  return out;
}

Balance ToBalance(const AccountDto& a) {
  Balance b;
  b.asset = "USDT";
  b.wallet_balance = a.total_wallet_balance;
  b.unrealized_pnl = a.total_unrealized_profit;
  b.margin_balance = a.total_margin_balance;
  b.initial_margin = a.total_initial_margin;
  b.maintenance_margin = a.total_maint_margin;
  b.available_balance = a.available_balance;
  return b;
}

std::optional<RejectReason> ReasonFromCode(int code) {
  for (int i = 1; i <= static_cast<int>(kLastRejectReason); ++i) {
    const auto r = static_cast<RejectReason>(i);
    if (RejectCode(r) == code) return r;
  }
  return std::nullopt;
}

Status ApiErrorStatus(const ApiError& e, std::string_view context) {
  std::string m = "[" + std::to_string(e.code) + "] " + e.msg;
  if (!context.empty()) m += " (" + std::string(context) + ")";
  return Status(StatusCode::kRejected, std::move(m));
}

}  // namespace aitrader::exchange::binance
