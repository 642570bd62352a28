// The exchange port: the one interface the engine uses for every venue (the paper simulator,
// Binance USDⓈ-M testnet and live). Modelled on CCXT's unified API, with Binance symbols
// ("BTCUSDT") and aitrader's fixed-point types.
//
// Calls are synchronous and return Status/Result: the paper venue answers immediately, the
// network venue is called from a worker and its result posted back to the bot's strand.
//
// Expected failures:
//  - a venue rule refused the request: CreateOrder still succeeds and returns the order in
//    status kRejected with its RejectReason (a denial is data; it is also an event); the other
//    calls return a kRejected Status built by RejectStatus() ("[-2011] Unknown order sent."),
//    from which RejectReasonOf() recovers the reason;
//  - kNotFound (unknown symbol for market data), kFailedPrecondition (no market data yet),
//    kUnavailable / kTimeout (network venues only).
//
// Client order ids are chosen by the caller and idempotent: a second CreateOrder with an id the
// account has used returns the first order (whatever its state) and never creates another.
//
// Execution events (accepted, rejected, filled, cancelled, expired, triggered, position
// changed, funding paid, liquidation) are delivered through a bounded pollable queue: the
// owner's strand calls PollEvents() after each market step or call. Polling (rather than a
// callback) means the venue never re-enters the bot while it is mid-call, and a slow consumer
// cannot make the queue grow without bound: on overflow the oldest events are dropped and the
// next poll starts with one kEventsDropped event telling the bot to reconcile with the
// Fetch* calls (the exchange is the source of truth).
//
// Thread safety: an Exchange object is not thread-safe; use it from one strand.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

#include "core/status.hpp"
#include "exchange/types.hpp"
#include "market/candle.hpp"

namespace aitrader::exchange {

class Exchange {
 public:
  virtual ~Exchange() = default;

  // --- market data ---
  // Closed candles of `symbol` at `interval` with open_time >= since, at most `limit` (the
  // most recent ones when more match). Fails kInvalidArgument for an interval the venue does
  // not serve, kNotFound for an unknown symbol.
  virtual Result<std::vector<market::Candle>> FetchOhlcv(std::string_view symbol, UnixMs interval, UnixMs since,
                                                          std::size_t limit) = 0;
  virtual Result<Ticker> FetchTicker(std::string_view symbol) = 0;
  virtual Result<Price> FetchMarkPrice(std::string_view symbol) = 0;
  virtual Result<FundingRateInfo> FetchFundingRate(std::string_view symbol) = 0;
  // kFailedPrecondition when the venue has no open-interest data for the symbol.
  virtual Result<OpenInterest> FetchOpenInterest(std::string_view symbol) = 0;

  // --- account ---
  virtual Result<Balance> FetchBalance() = 0;
  // Open positions (quantity != 0) only.
  virtual Result<std::vector<Position>> FetchPositions() = 0;
  // Open orders (kNew / kTriggered / kPartiallyFilled); all symbols when symbol is empty.
  virtual Result<std::vector<Order>> FetchOpenOrders(std::string_view symbol) = 0;
  // Any order the account ever sent, by client id. [-2013] when unknown.
  virtual Result<Order> FetchOrder(std::string_view symbol, const ClientOrderId& id) = 0;

  // --- trading ---
  // The order as accepted (kNew, or already kFilled when the venue filled it at once) or as
  // rejected (kRejected with order.reason). An error Status only for a call that could not be
  // evaluated at all (e.g. no market data yet).
  virtual Result<Order> CreateOrder(const OrderRequest& request) = 0;
  // The cancelled order; [-2011] when no open order has this id.
  virtual Result<Order> CancelOrder(std::string_view symbol, const ClientOrderId& id) = 0;
  // Cancels every open order of the symbol (all symbols when empty); returns them.
  virtual Result<std::vector<Order>> CancelAllOrders(std::string_view symbol) = 0;
  // 1..cap (aitrader's hard cap is 10x, an account may set lower). [-4028] outside the range,
  // [-2028] when open positions would no longer be covered.
  virtual Status SetLeverage(std::string_view symbol, int leverage) = 0;
  // [-4048] with a position open, [-4047] with open orders. Setting the current mode is OK.
  virtual Status SetMarginMode(std::string_view symbol, MarginMode mode) = 0;

  // --- events ---
  // Moves up to max_events pending events, oldest first, to the end of `out`; returns how many.
  virtual std::size_t PollEvents(std::vector<ExecutionEvent>& out, std::size_t max_events) = 0;
};

}  // namespace aitrader::exchange
