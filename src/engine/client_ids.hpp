// Deterministic client order ids: the same (bot, cycle, coin, leg) always gives the same id,
// so a retried or replayed submission after a crash returns the order the venue already has
// instead of placing a second one (the exchange port's idempotency contract).
// Format: "at<bot>-<cycle>-<COIN>-<leg>", at most 36 characters of [A-Za-z0-9-] (Binance's
// newClientOrderId rule).
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/ids.hpp"

namespace aitrader::engine {

// kClose: the model's close; kInvalidation: its invalidation condition fired; kStopClose: the
// bot was stopped or halted; kEndOfRun: a backtest ended; kEmergencyClose: an emergency stop.
enum class OrderLeg { kEntry, kStopLoss, kTakeProfit, kClose, kInvalidation, kStopClose, kEndOfRun, kEmergencyClose };
std::string_view LegCode(OrderLeg leg);  // "e", "sl", "tp", "x", "iv", "st", "z", "es"

// `renewal` > 0 marks a protective order the bot re-placed after the venue dropped the first
// one (leg code + "r" + renewal: "slr1", "tpr2"); 0 for the original.
ClientOrderId MakeClientOrderId(std::int64_t bot_id, std::int64_t cycle, std::string_view coin, OrderLeg leg,
                                int renewal = 0);

struct ParsedClientOrderId {
  std::int64_t bot_id = 0;
  std::int64_t cycle = 0;
  std::string coin;
  OrderLeg leg = OrderLeg::kEntry;
  int renewal = 0;
};
// nullopt for ids aitrader did not make (orders placed by hand on the venue).
std::optional<ParsedClientOrderId> ParseClientOrderId(std::string_view id);

}  // namespace aitrader::engine
