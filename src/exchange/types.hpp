// Domain types of the exchange port: order requests, orders, positions, balances, fills,
// execution events and reject reasons. Venue-neutral and free of any wire format (a venue
// adapter converts its JSON to these types beside, not inside, this module).
//
// Money, prices and quantities are fixed-point (core/fixed.hpp). Symbols are venue symbols
// ("BTCUSDT"). Positions are one-way (Binance "BOTH"): a signed quantity, > 0 long, < 0 short.
//
// Order state is one transition table (OrderStatusTransitionAllowed): every status change in
// every venue implementation goes through TransitionOrder(), which aborts on an illegal move.
//
// Thread safety: plain value types and pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/enums.hpp"
#include "core/fixed.hpp"
#include "core/ids.hpp"
#include "core/status.hpp"
#include "core/time.hpp"

namespace aitrader::exchange {

// Why a venue refused a request. Each reason carries Binance's USDⓈ-M error code and message
// (futures_rest_spec.md §3 and Binance's error-code page), so a paper reject and a live reject
// read the same on the dashboard.
enum class RejectReason : std::uint8_t {
  kNone = 0,
  kUnknownSymbol,            // -1121 Invalid symbol.
  kMandatoryParam,           // -1102 Mandatory parameter was not sent, was empty/null, or malformed.
  kParamNotRequired,         // -1106 Parameter sent when not required.
  kIllegalClientOrderId,     // -1100 Illegal characters found in parameter 'newClientOrderId'.
  kPriceNotPositive,         // -4001 Price less than 0.
  kQuantityNotPositive,      // -4003 Quantity less than or equal to zero.
  kQuantityBelowMin,         // -4004 Quantity less than min quantity.
  kStopPriceNotPositive,     // -4006 Stop price less than zero.
  kPriceNotTickMultiple,     // -4014 Price not increased by tick size.
  kQuantityNotStepMultiple,  // -4023 Qty not increased by step size.
  kNotionalTooSmall,         // -4164 Order's notional must be no smaller than the minimum.
  kMarginInsufficient,       // -2019 Margin is insufficient.
  kOrderWouldTrigger,        // -2021 Order would immediately trigger.
  kReduceOnlyRejected,       // -2022 ReduceOnly Order is rejected.
  kTooManyOpenOrders,        // -2025 Reach max open order limit.
  kUnknownOrder,             // -2011 Unknown order sent.
  kNoSuchOrder,              // -2013 Order does not exist.
  kPostOnlyRejected,         // -5022 Post Only order would be executed as taker.
  kInvalidLeverage,          // -4028 Leverage is not valid.
  kLeverageMarginInsufficient,  // -2028 Leverage is smaller than permitted: insufficient margin balance.
  kMarginTypeHasOpenOrders,  // -4047 Margin type cannot be changed if there exists open orders.
  kMarginTypeHasPosition,    // -4048 Margin type cannot be changed if there exists position.
  kInvalidTimeInForce,       // -4000 Invalid time in force for this order type.
  // Venue-only reasons (the paper simulator has no position mode, no price band and one
  // endpoint for every type, so only a Binance venue gives these):
  kPositionSideMismatch,     // -4061 Order's position side does not match user's setting.
  kPriceAboveBand,           // -4016 Price is higher than mark price multiplier cap (PERCENT_PRICE).
  kPriceBelowBand,           // -4024 Price is lower than mark price multiplier floor (PERCENT_PRICE).
  kConditionalOnOrderEndpoint,  // -4120 Order type not supported for this endpoint (use the algo endpoint).
};
// The last reason, for loops and range checks over all of them (new reasons are appended, so
// the numeric value of a stored reason never changes).
inline constexpr RejectReason kLastRejectReason = RejectReason::kConditionalOnOrderEndpoint;

// Binance's numeric code (e.g. -2019); 0 for kNone.
int RejectCode(RejectReason r);
// Binance's message text (e.g. "Margin is insufficient.").
std::string_view RejectMessage(RejectReason r);
// Enum name without the k ("MarginInsufficient"), for logs and storage.
std::string_view RejectName(RejectReason r);
// A kRejected Status whose message is "[-2019] Margin is insufficient." (plus detail).
Status RejectStatus(RejectReason r, std::string_view detail = {});
// The reason back from a Status made by RejectStatus (nullopt for any other Status).
std::optional<RejectReason> RejectReasonOf(const Status& s);

// Order life cycle (Binance statuses; kTriggered is the algo-order state between a stop's
// trigger and its market fill).
enum class OrderStatus : std::uint8_t {
  kNew,
  kTriggered,
  kPartiallyFilled,
  kFilled,
  kCanceled,
  kExpired,
  kRejected,
};
std::string_view ToString(OrderStatus s);
bool IsTerminal(OrderStatus s);
// The transition table. A new order starts in kNew or kRejected.
bool OrderStatusTransitionAllowed(OrderStatus from, OrderStatus to);

// What the caller asks for (CCXT create_order). quantity is in base units and must be a
// multiple of the instrument's step; price (limit) and stop_price (trigger) multiples of tick.
struct OrderRequest {
  ClientOrderId client_id;   // required, ^[.A-Z:/a-z0-9_-]{1,36}$, idempotent per account
  std::string symbol;        // "BTCUSDT"
  Side side = Side::kBuy;
  OrderType type = OrderType::kMarket;
  Quantity quantity;         // > 0 unless close_position
  Price price;               // kLimit only
  Price stop_price;          // kStopMarket / kTakeProfitMarket trigger
  TimeInForce time_in_force = TimeInForce::kGtc;  // kLimit only
  bool reduce_only = false;
  bool close_position = false;  // kStopMarket / kTakeProfitMarket: close the whole position
};

// Maker: the order rested on the book and was hit. Taker: it crossed the book.
enum class Liquidity : std::uint8_t { kMaker, kTaker };
std::string_view ToString(Liquidity l);

struct Order {
  OrderId id;
  ClientOrderId client_id;
  std::string symbol;
  Side side = Side::kBuy;
  OrderType type = OrderType::kMarket;
  TimeInForce time_in_force = TimeInForce::kGtc;
  Quantity quantity;           // requested (0 for close_position until triggered)
  Price price;                 // limit price (0 if none)
  Price stop_price;            // trigger (0 if none)
  bool reduce_only = false;
  bool close_position = false;
  OrderStatus status = OrderStatus::kNew;
  Quantity filled_quantity;
  Price average_price;         // of the fills (0 if none)
  Money fee_paid;              // commission charged on the fills
  RejectReason reason = RejectReason::kNone;  // why rejected / expired / cancelled by the venue
  UnixMs created_at = 0;
  UnixMs updated_at = 0;
};

// One-way position on one symbol.
struct Position {
  std::string symbol;
  Quantity quantity;          // signed: > 0 long, < 0 short
  Price entry_price;          // average entry
  Price mark_price;
  Money unrealized_pnl;       // at mark
  Money notional;             // |quantity| × mark
  int leverage = 1;
  MarginMode margin_mode = MarginMode::kCross;
  Money initial_margin;       // notional / leverage
  Money maintenance_margin;   // notional × MMR − maintenance amount
  Money isolated_margin;      // isolated wallet of the position (0 in cross)
  Price liquidation_price;    // 0 when the position cannot be liquidated
};

// Account-wide balance in the quote asset (USDT). margin_balance = wallet + unrealized.
struct Balance {
  std::string asset = "USDT";
  Money wallet_balance;       // deposits + realized PnL − fees ± funding (+ insurance credits)
  Money unrealized_pnl;
  Money margin_balance;       // equity
  Money initial_margin;       // positions + open orders
  Money maintenance_margin;
  Money available_balance;
};

// One execution.
struct Fill {
  TradeId trade_id;
  OrderId order_id;
  ClientOrderId client_id;
  std::string symbol;
  Side side = Side::kBuy;
  Quantity quantity;
  Price price;
  Money fee;
  Money realized_pnl;
  Liquidity liquidity = Liquidity::kTaker;
  UnixMs time = 0;
};

struct Ticker {
  std::string symbol;
  Price last;        // close of the latest candle
  Price mark;        // paper: = last (see docs/paper-exchange.md)
  UnixMs time = 0;
};

struct FundingRateInfo {
  std::string symbol;
  Ratio rate;                  // the rate that will be applied at next_funding_time
  UnixMs next_funding_time = 0;
  Price mark;
};

struct OpenInterest {
  std::string symbol;
  Quantity open_interest;      // base units
  UnixMs time = 0;
};

enum class EventKind : std::uint8_t {
  kOrderAccepted,
  kOrderRejected,
  kOrderFilled,
  kOrderCanceled,
  kOrderExpired,
  kOrderTriggered,
  kPositionChanged,
  kFundingPaid,
  kLiquidation,
  kEventsDropped,   // the bounded queue overflowed: `count` events were lost; reconcile
};
std::string_view ToString(EventKind k);

// An execution event. Fields not meaningful for a kind are left at their defaults.
struct ExecutionEvent {
  EventKind kind = EventKind::kOrderAccepted;
  UnixMs time = 0;
  std::uint64_t seq = 0;            // per account, strictly increasing
  std::int64_t trade_id = 0;        // fills: the venue's trade id when it names one (Binance), else 0
  std::string symbol;
  OrderId order_id;
  ClientOrderId client_id;
  OrderStatus order_status = OrderStatus::kNew;
  RejectReason reason = RejectReason::kNone;
  Side side = Side::kBuy;
  Quantity quantity;                // fill / liquidation quantity
  Price price;                      // fill / liquidation / trigger price
  Money fee;                        // commission or liquidation fee
  Money realized_pnl;
  Money insurance;                  // kLiquidation: the insurance fund's credit (>= 0)
  Money funding;                    // > 0 received, < 0 paid
  Money funding_due;                // kFundingPaid: what the rate asked; |funding| is less only
                                    // when an isolated margin could not pay it all (then 0 left)
  Ratio funding_rate;
  Quantity position_after;          // signed, after the event
  Price entry_after;
  Liquidity liquidity = Liquidity::kTaker;
  std::uint64_t count = 0;          // kEventsDropped
};

// Moves order.status to `to` through the transition table; an illegal move is a broken
// invariant and aborts.
void TransitionOrder(Order& order, OrderStatus to);

// Binance's client order id rule: ^[.A-Z:/a-z0-9_-]{1,36}$.
bool IsValidClientOrderId(std::string_view id);

}  // namespace aitrader::exchange
