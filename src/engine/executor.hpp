// Executor: turns approved decisions into venue orders through the exchange port.
//  - Enter: set the leverage, send the market entry, then the protective orders — a
//    reduce-only STOP_MARKET (closePosition) at the stop-loss and a TAKE_PROFIT_MARKET
//    (closePosition) at the target, so the exchange closes the position even if aitrader is
//    down. If the stop-loss cannot be placed, the position is closed at once: aitrader never
//    holds a position without its stop.
//  - Close: cancel the symbol's resting orders (the SL/TP), then a reduce-only market order
//    for the whole position.
//  - FlattenAll: the emergency stop's venue part — cancel every open order, close every
//    position reduce-only at market.
// Quantities are rounded down to the step, prices to the nearest tick. Client order ids are
// deterministic (client_ids.hpp): re-running a step after a crash returns the venue's existing
// order instead of placing another.
// Results are data: every order the venue returned (accepted or rejected) and every problem in
// words; nothing throws.
// Thread safety: use from the bot's strand only (the venue is not thread-safe).
#pragma once

#include <string>
#include <vector>

#include "core/instrument.hpp"
#include "engine/client_ids.hpp"
#include "exchange/exchange.hpp"

namespace aitrader::engine {

struct ExecutionReport {
  std::vector<exchange::Order> orders;  // as the venue returned them, in submission order
  std::vector<std::string> problems;    // rejects and failures, each naming the coin and leg
  bool ok() const { return problems.empty(); }
  void Append(ExecutionReport other);
};

struct EntryRequest {
  std::int64_t cycle = 0;
  std::string symbol;       // "BTCUSDT"
  std::string coin;         // "BTC" (for ids and messages)
  Side side = Side::kBuy;   // kBuy = long
  Quantity quantity;
  int leverage = 1;
  Price stop_loss;
  Price take_profit;
};

class Executor {
 public:
  Executor(exchange::Exchange& venue, const InstrumentTable& instruments, std::int64_t bot_id)
      : venue_(venue), instruments_(instruments), bot_id_(bot_id) {}

  ExecutionReport Enter(const EntryRequest& r);
  // `leg` is kClose for a model's close or an invalidation, kEmergencyClose for a stop.
  ExecutionReport Close(std::int64_t cycle, const std::string& symbol, OrderLeg leg);
  ExecutionReport FlattenAll(std::int64_t cycle);

 private:
  exchange::Exchange& venue_;
  const InstrumentTable& instruments_;
  std::int64_t bot_id_;
};

}  // namespace aitrader::engine
