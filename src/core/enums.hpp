// Trading enums shared by every module, with their wire names.
// Thread safety: pure functions over constants.
#pragma once

#include <optional>
#include <string_view>

namespace aitrader {

enum class Side { kBuy, kSell };
enum class OrderType { kMarket, kLimit, kStopMarket, kTakeProfitMarket };
enum class TimeInForce { kGtc, kIoc, kFok, kGtx /* post-only */ };
enum class MarginMode { kIsolated, kCross };
enum class TradingMode { kPaper, kTestnet, kLive };

constexpr Side Opposite(Side s) { return s == Side::kBuy ? Side::kSell : Side::kBuy; }

// Binance spellings: "BUY", "MARKET", "STOP_MARKET", "GTC", "ISOLATED"/"CROSSED"; modes are
// lower case ("paper").
std::string_view ToString(Side v);
std::string_view ToString(OrderType v);
std::string_view ToString(TimeInForce v);
std::string_view ToString(MarginMode v);
std::string_view ToString(TradingMode v);

// Case-insensitive; also accepts common aliases ("long"/"short" for sides, "cross" for
// CROSSED). nullopt when the text names none.
std::optional<Side> ParseSide(std::string_view s);
std::optional<OrderType> ParseOrderType(std::string_view s);
std::optional<TimeInForce> ParseTimeInForce(std::string_view s);
std::optional<MarginMode> ParseMarginMode(std::string_view s);
std::optional<TradingMode> ParseTradingMode(std::string_view s);

}  // namespace aitrader
