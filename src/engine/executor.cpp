#include "engine/executor.hpp"

namespace aitrader::engine {
namespace {

std::string Describe(const exchange::Order& o) {
  return "[" + std::to_string(exchange::RejectCode(o.reason)) + "] " + std::string(exchange::RejectMessage(o.reason));
}

}  // namespace

void ExecutionReport::Append(ExecutionReport other) {
  for (auto& o : other.orders) orders.push_back(std::move(o));
  for (auto& p : other.problems) problems.push_back(std::move(p));
}

ExecutionReport Executor::Enter(const EntryRequest& r) {
  ExecutionReport rep;
  const Instrument* ins = instruments_.Find(r.symbol);
  if (ins == nullptr) {
    rep.problems.push_back(r.coin + ": unknown instrument " + r.symbol);
    return rep;
  }
  Quantity qty = r.quantity.RoundToStep(ins->step_size, Rounding::kTowardZero);
  if (!qty.IsPositive()) {
    rep.problems.push_back(r.coin + ": quantity " + r.quantity.ToString() + " rounds to 0 at step " +
                           ins->step_size.ToString());
    return rep;
  }
  if (Status s = venue_.SetLeverage(r.symbol, r.leverage); !s.ok()) {
    rep.problems.push_back(r.coin + ": set leverage " + std::to_string(r.leverage) + ": " + s.message());
    return rep;
  }
  const Side exit_side = Opposite(r.side);
  exchange::OrderRequest entry;
  entry.client_id = MakeClientOrderId(bot_id_, r.cycle, r.coin, OrderLeg::kEntry);
  entry.symbol = r.symbol;
  entry.side = r.side;
  entry.type = OrderType::kMarket;
  entry.quantity = qty;
  auto placed = venue_.CreateOrder(entry);
  if (!placed.ok()) {
    rep.problems.push_back(r.coin + ": entry: " + placed.status().message());
    return rep;
  }
  rep.orders.push_back(*placed);
  if (placed->status == exchange::OrderStatus::kRejected) {
    rep.problems.push_back(r.coin + ": entry rejected " + Describe(*placed));
    return rep;
  }

  exchange::OrderRequest sl;
  sl.client_id = MakeClientOrderId(bot_id_, r.cycle, r.coin, OrderLeg::kStopLoss);
  sl.symbol = r.symbol;
  sl.side = exit_side;
  sl.type = OrderType::kStopMarket;
  sl.stop_price = r.stop_loss.RoundToStep(ins->tick_size, Rounding::kHalfEven);
  sl.close_position = true;
  auto sl_order = venue_.CreateOrder(sl);
  const bool sl_ok = sl_order.ok() && sl_order->status != exchange::OrderStatus::kRejected;
  if (sl_order.ok()) rep.orders.push_back(*sl_order);
  if (!sl_ok) {
    rep.problems.push_back(r.coin + ": stop-loss " + sl.stop_price.ToString() + " not placed (" +
                           (sl_order.ok() ? Describe(*sl_order) : sl_order.status().message()) +
                           "): closing the position");
    rep.Append(Close(r.cycle, r.symbol, OrderLeg::kClose));
    return rep;
  }

  exchange::OrderRequest tp;
  tp.client_id = MakeClientOrderId(bot_id_, r.cycle, r.coin, OrderLeg::kTakeProfit);
  tp.symbol = r.symbol;
  tp.side = exit_side;
  tp.type = OrderType::kTakeProfitMarket;
  tp.stop_price = r.take_profit.RoundToStep(ins->tick_size, Rounding::kHalfEven);
  tp.close_position = true;
  auto tp_order = venue_.CreateOrder(tp);
  if (tp_order.ok()) rep.orders.push_back(*tp_order);
  if (!tp_order.ok() || tp_order->status == exchange::OrderStatus::kRejected) {
    // The stop protects the position; a missing target is reported, not fatal.
    rep.problems.push_back(r.coin + ": take-profit " + tp.stop_price.ToString() + " not placed (" +
                           (tp_order.ok() ? Describe(*tp_order) : tp_order.status().message()) + ")");
  }
  return rep;
}

ExecutionReport Executor::Close(std::int64_t cycle, const std::string& symbol, OrderLeg leg) {
  ExecutionReport rep;
  const Instrument* ins = instruments_.Find(symbol);
  const std::string coin = ins ? ins->base : symbol;
  auto cancelled = venue_.CancelAllOrders(symbol);
  if (!cancelled.ok()) {
    rep.problems.push_back(coin + ": cancel orders: " + cancelled.status().message());
  } else {
    for (auto& o : *cancelled) rep.orders.push_back(std::move(o));
  }
  auto positions = venue_.FetchPositions();
  if (!positions.ok()) {
    rep.problems.push_back(coin + ": fetch positions: " + positions.status().message());
    return rep;
  }
  for (const auto& p : *positions) {
    if (p.symbol != symbol || p.quantity.IsZero()) continue;
    exchange::OrderRequest close;
    close.client_id = MakeClientOrderId(bot_id_, cycle, coin, leg);
    close.symbol = symbol;
    close.side = p.quantity.IsPositive() ? Side::kSell : Side::kBuy;
    close.type = OrderType::kMarket;
    close.quantity = p.quantity.Abs();
    close.reduce_only = true;
    auto placed = venue_.CreateOrder(close);
    if (!placed.ok()) {
      rep.problems.push_back(coin + ": close: " + placed.status().message());
    } else {
      if (placed->status == exchange::OrderStatus::kRejected) {
        rep.problems.push_back(coin + ": close rejected " + Describe(*placed));
      }
      rep.orders.push_back(*placed);
    }
  }
  return rep;
}

ExecutionReport Executor::FlattenAll(std::int64_t cycle) {
  ExecutionReport rep;
  auto cancelled = venue_.CancelAllOrders("");
  if (!cancelled.ok()) {
    rep.problems.push_back("cancel all orders: " + cancelled.status().message());
  } else {
    for (auto& o : *cancelled) rep.orders.push_back(std::move(o));
  }
  auto positions = venue_.FetchPositions();
  if (!positions.ok()) {
    rep.problems.push_back("fetch positions: " + positions.status().message());
    return rep;
  }
  for (const auto& p : *positions) {
    if (p.quantity.IsZero()) continue;
    rep.Append(Close(cycle, p.symbol, OrderLeg::kEmergencyClose));
  }
  return rep;
}

}  // namespace aitrader::engine
