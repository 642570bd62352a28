#include "exchange/types.hpp"

#include <array>
#include <cstdio>
#include <cstdlib>

namespace aitrader::exchange {

namespace {

struct ReasonInfo {
  int code;
  std::string_view name;
  std::string_view message;
};

constexpr std::array<ReasonInfo, 28> kReasons = {{
    {0, "None", ""},
    {-1121, "UnknownSymbol", "Invalid symbol."},
    {-1102, "MandatoryParam", "Mandatory parameter was not sent, was empty/null, or malformed."},
    {-1106, "ParamNotRequired", "Parameter sent when not required."},
    {-1100, "IllegalClientOrderId",
     "Illegal characters found in parameter 'newClientOrderId'; legal range is '^[\\.A-Z\\:/a-z0-9_-]{1,36}$'."},
    {-4001, "PriceNotPositive", "Price less than 0."},
    {-4003, "QuantityNotPositive", "Quantity less than or equal to zero."},
    {-4004, "QuantityBelowMin", "Quantity less than min quantity."},
    {-4006, "StopPriceNotPositive", "Stop price less than zero."},
    {-4014, "PriceNotTickMultiple", "Price not increased by tick size."},
    {-4023, "QuantityNotStepMultiple", "Qty not increased by step size."},
    {-4164, "NotionalTooSmall", "Order's notional must be no smaller than the minimum notional (unless you choose reduce only)."},
    {-2019, "MarginInsufficient", "Margin is insufficient."},
    {-2021, "OrderWouldTrigger", "Order would immediately trigger."},
    {-2022, "ReduceOnlyRejected", "ReduceOnly Order is rejected."},
    {-2025, "TooManyOpenOrders", "Reach max open order limit."},
    {-2011, "UnknownOrder", "Unknown order sent."},
    {-2013, "NoSuchOrder", "Order does not exist."},
    {-5022, "PostOnlyRejected", "Due to the order could not be executed as maker, the Post Only order will be rejected."},
    {-4028, "InvalidLeverage", "Leverage is not valid."},
    {-2028, "LeverageMarginInsufficient", "Leverage is smaller than permitted: insufficient margin balance."},
    {-4047, "MarginTypeHasOpenOrders", "Margin type cannot be changed if there exists open orders."},
    {-4048, "MarginTypeHasPosition", "Margin type cannot be changed if there exists position."},
    {-4000, "InvalidTimeInForce", "Invalid time in force for this order type."},
    {-4061, "PositionSideMismatch", "Order's position side does not match user's setting."},
    {-4016, "PriceAboveBand", "Price is higher than mark price multiplier cap."},
    {-4024, "PriceBelowBand", "Price is lower than mark price multiplier floor."},
    {-4120, "ConditionalOnOrderEndpoint",
     "Order type not supported for this endpoint. Please use the Algo Order API endpoints instead."},
}};
static_assert(kReasons.size() == static_cast<std::size_t>(kLastRejectReason) + 1,
              "one row of kReasons per RejectReason, in the enum's order");

const ReasonInfo& Info(RejectReason r) {
  auto i = static_cast<std::size_t>(r);
  if (i >= kReasons.size()) i = 0;
  return kReasons[i];
}

// Rows: from; columns: to. Order: New, Triggered, PartiallyFilled, Filled, Canceled, Expired, Rejected.
constexpr bool kTransitions[7][7] = {
    /* New             */ {false, true, true, true, true, true, false},
    /* Triggered       */ {false, false, true, true, true, true, false},
    /* PartiallyFilled */ {false, false, true, true, true, true, false},
    /* Filled          */ {false, false, false, false, false, false, false},
    /* Canceled        */ {false, false, false, false, false, false, false},
    /* Expired         */ {false, false, false, false, false, false, false},
    /* Rejected        */ {false, false, false, false, false, false, false},
};

}  // namespace

int RejectCode(RejectReason r) { return Info(r).code; }
std::string_view RejectMessage(RejectReason r) { return Info(r).message; }
std::string_view RejectName(RejectReason r) { return Info(r).name; }

Status RejectStatus(RejectReason r, std::string_view detail) {
  std::string m = "[" + std::to_string(RejectCode(r)) + "] " + std::string(RejectMessage(r));
  if (!detail.empty()) {
    m += " (";
    m.append(detail);
    m += ")";
  }
  return Status(StatusCode::kRejected, std::move(m));
}

std::optional<RejectReason> RejectReasonOf(const Status& s) {
  if (s.code() != StatusCode::kRejected) return std::nullopt;
  const std::string& m = s.message();
  if (m.size() < 3 || m[0] != '[') return std::nullopt;
  auto close = m.find(']');
  if (close == std::string::npos) return std::nullopt;
  const std::string code = m.substr(1, close - 1);
  for (std::size_t i = 1; i < kReasons.size(); ++i) {
    if (std::to_string(kReasons[i].code) == code) return static_cast<RejectReason>(i);
  }
  return std::nullopt;
}

std::string_view ToString(OrderStatus s) {
  switch (s) {
    case OrderStatus::kNew: return "NEW";
    case OrderStatus::kTriggered: return "TRIGGERED";
    case OrderStatus::kPartiallyFilled: return "PARTIALLY_FILLED";
    case OrderStatus::kFilled: return "FILLED";
    case OrderStatus::kCanceled: return "CANCELED";
    case OrderStatus::kExpired: return "EXPIRED";
    case OrderStatus::kRejected: return "REJECTED";
  }
  return "?";
}

bool IsTerminal(OrderStatus s) {
  return s == OrderStatus::kFilled || s == OrderStatus::kCanceled || s == OrderStatus::kExpired ||
         s == OrderStatus::kRejected;
}

bool OrderStatusTransitionAllowed(OrderStatus from, OrderStatus to) {
  return kTransitions[static_cast<int>(from)][static_cast<int>(to)];
}

void TransitionOrder(Order& order, OrderStatus to) {
  if (!OrderStatusTransitionAllowed(order.status, to)) {
    std::fprintf(stderr, "illegal order transition %s -> %s (order %s)\n", std::string(ToString(order.status)).c_str(),
                 std::string(ToString(to)).c_str(), order.client_id.value().c_str());
    std::abort();
  }
  order.status = to;
}

std::string_view ToString(Liquidity l) { return l == Liquidity::kMaker ? "MAKER" : "TAKER"; }

std::string_view ToString(EventKind k) {
  switch (k) {
    case EventKind::kOrderAccepted: return "ORDER_ACCEPTED";
    case EventKind::kOrderRejected: return "ORDER_REJECTED";
    case EventKind::kOrderFilled: return "ORDER_FILLED";
    case EventKind::kOrderCanceled: return "ORDER_CANCELED";
    case EventKind::kOrderExpired: return "ORDER_EXPIRED";
    case EventKind::kOrderTriggered: return "ORDER_TRIGGERED";
    case EventKind::kPositionChanged: return "POSITION_CHANGED";
    case EventKind::kFundingPaid: return "FUNDING_PAID";
    case EventKind::kLiquidation: return "LIQUIDATION";
    case EventKind::kEventsDropped: return "EVENTS_DROPPED";
  }
  return "?";
}

bool IsValidClientOrderId(std::string_view id) {
  if (id.empty() || id.size() > 36) return false;
  for (char c : id) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == ':' || c == '/' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace aitrader::exchange
