#include "core/enums.hpp"

#include "core/strings.hpp"

namespace aitrader {

std::string_view ToString(Side v) { return v == Side::kBuy ? "BUY" : "SELL"; }

std::string_view ToString(OrderType v) {
  switch (v) {
    case OrderType::kMarket: return "MARKET";
    case OrderType::kLimit: return "LIMIT";
    case OrderType::kStopMarket: return "STOP_MARKET";
    case OrderType::kTakeProfitMarket: return "TAKE_PROFIT_MARKET";
  }
  return "?";
}

std::string_view ToString(TimeInForce v) {
  switch (v) {
    case TimeInForce::kGtc: return "GTC";
    case TimeInForce::kIoc: return "IOC";
    case TimeInForce::kFok: return "FOK";
    case TimeInForce::kGtx: return "GTX";
  }
  return "?";
}

std::string_view ToString(MarginMode v) { return v == MarginMode::kIsolated ? "ISOLATED" : "CROSSED"; }

std::string_view ToString(TradingMode v) {
  switch (v) {
    case TradingMode::kPaper: return "paper";
    case TradingMode::kTestnet: return "testnet";
    case TradingMode::kLive: return "live";
  }
  return "?";
}

std::optional<Side> ParseSide(std::string_view s) {
  if (EqualsIgnoreCase(s, "BUY") || EqualsIgnoreCase(s, "LONG")) return Side::kBuy;
  if (EqualsIgnoreCase(s, "SELL") || EqualsIgnoreCase(s, "SHORT")) return Side::kSell;
  return std::nullopt;
}

std::optional<OrderType> ParseOrderType(std::string_view s) {
  for (auto v : {OrderType::kMarket, OrderType::kLimit, OrderType::kStopMarket, OrderType::kTakeProfitMarket}) {
    if (EqualsIgnoreCase(s, ToString(v))) return v;
  }
  return std::nullopt;
}

std::optional<TimeInForce> ParseTimeInForce(std::string_view s) {
  for (auto v : {TimeInForce::kGtc, TimeInForce::kIoc, TimeInForce::kFok, TimeInForce::kGtx}) {
    if (EqualsIgnoreCase(s, ToString(v))) return v;
  }
  return std::nullopt;
}

std::optional<MarginMode> ParseMarginMode(std::string_view s) {
  if (EqualsIgnoreCase(s, "ISOLATED")) return MarginMode::kIsolated;
  if (EqualsIgnoreCase(s, "CROSSED") || EqualsIgnoreCase(s, "CROSS")) return MarginMode::kCross;
  return std::nullopt;
}

std::optional<TradingMode> ParseTradingMode(std::string_view s) {
  for (auto v : {TradingMode::kPaper, TradingMode::kTestnet, TradingMode::kLive}) {
    if (EqualsIgnoreCase(s, ToString(v))) return v;
  }
  return std::nullopt;
}

}  // namespace aitrader
