// Conversion from Binance wire DTOs (wire.hpp) to the exchange port's types (exchange/types.hpp)
// and core types (Instrument, Candle). Kept apart from the wire parsing so neither knows the
// other's shape. Unknown enum spellings (a status or type Binance adds later) are errors naming
// the value, never a silent default.
// Thread safety: pure functions.
#pragma once

#include <optional>
#include <string_view>

#include "core/instrument.hpp"
#include "exchange/binance/wire.hpp"
#include "exchange/types.hpp"
#include "market/candle.hpp"

namespace aitrader::exchange::binance {

// The instrument of a symbol; the first bracket (when given) supplies max leverage, the
// maintenance margin rate and amount.
Instrument ToInstrument(const SymbolInfo& s, const SymbolBrackets* brackets);
market::Candle ToCandle(const Kline& k);

// Regular order statuses (NEW, PARTIALLY_FILLED, FILLED, CANCELED, EXPIRED, EXPIRED_IN_MATCH,
// REJECTED) and algo statuses (NEW, TRIGGERING, TRIGGERED, FINISHED, CANCELED, EXPIRED, REJECTED).
Result<OrderStatus> OrderStatusFromWire(std::string_view s);
Result<OrderStatus> AlgoStatusFromWire(std::string_view s);
Result<Side> SideFromWire(std::string_view s);
Result<OrderType> OrderTypeFromWire(std::string_view s);  // LIMIT, MARKET, STOP_MARKET, TAKE_PROFIT_MARKET
TimeInForce TimeInForceFromWire(std::string_view s);      // GTC when empty or unknown

Result<Order> ToOrder(const OrderDto& o);
Result<Order> ToOrder(const AlgoOrderDto& o);
Result<Position> ToPosition(const PositionRiskDto& p);
Balance ToBalance(const AccountDto& a);

// The port's reason for a Binance error code, nullopt for codes the port has no reason for.
std::optional<RejectReason> ReasonFromCode(int code);

// Binance's own failure, as a Status: a kRejected "[code] msg" (so RejectReasonOf() recovers the
// reason of mapped codes).
Status ApiErrorStatus(const ApiError& e, std::string_view context);

}  // namespace aitrader::exchange::binance
