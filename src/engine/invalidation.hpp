// Invalidation conditions: the model's own "this trade is wrong if…" rule, made
// machine-checkable so code tests it on every closed candle, not only when the model is
// called. The model writes free text; ParseInvalidation() reads what the condition is about
// and checks exactly that, or records why it cannot:
//
//   [coin] [quantity] <comparison> <number> [on a N-minute|hour candle | on the 4h]
//
//  - coin: any coin the bot trades, named in the subject before the comparison ("If BTC
//    breaks below 100000, exit the ETH long" watches BTC); none named: the position's coin.
//    Two coins in the subject, or a ticker the bot does not trade: not machine-checked.
//  - quantity: the price (default: "price", "close", or nothing) or an indicator the engine
//    computes (agent/snapshot.hpp): on the intraday series RSI 7, RSI 14, EMA 20, MACD; on the
//    4h series ("4h", "4-hour", "on the 4h") RSI 14, EMA 20, EMA 50, MACD. The parameter is
//    required where the series has more than one ("RSI falls below 30" names no period: not
//    checked); "RSI(7)", "RSI 7", "7-period RSI", "RSI7" all name 7. Other quantities
//    (volume, open interest, funding, ATR, SMA, VWAP, dominance, trendlines, support…) and
//    another interval's indicators are not machine-checked.
//  - comparison: closes/close/breaks/falls/drops/dips/crosses/moves/goes/trades below|under,
//    closes/close/breaks/rises/climbs/crosses/moves/goes/trades above|over.
//  - number: thousands separators and a leading '$' allowed. A level that is not a number
//    ("below the 4h EMA50", "100k", "30%") is not machine-checked, nor is anything after the
//    number that adds a condition ("for two candles", "and …", "or …", "then …").
//  - negations and second comparisons ("does not close below", "breaks below 3000 or above
//    4000") are not machine-checked.
//
// What is not machine-checked keeps its text and the reason; the bot records it in the
// entry's verdict and the position relies on its stop-loss and take-profit orders.
// Thread safety: pure functions and value types.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/fixed.hpp"
#include "core/time.hpp"

namespace aitrader::engine {

class MarketData;

struct Invalidation {
  enum class Direction { kBelow, kAbove };
  enum class Quantity { kPrice, kRsi, kEma, kMacd };
  Direction direction = Direction::kBelow;
  Quantity quantity = Quantity::kPrice;
  int period = 0;           // RSI / EMA period (0 for price and MACD)
  bool h4 = false;          // an indicator of the 4h series
  std::string coin;         // the coin watched ("BTC")
  double level = 0;         // the threshold (exact decimal in price_level for prices)
  Price price_level;
  UnixMs interval = 0;      // price: the candle interval named; 0 = the bot's interval
  std::string text;         // the original text

  // True when a close of the watched price breaks the condition.
  bool BrokenBy(Price close) const {
    return direction == Direction::kBelow ? close < price_level : close > price_level;
  }
  bool BrokenByValue(double value) const { return direction == Direction::kBelow ? value < level : value > level; }
  // "BTC price", "DOGE RSI 7", "ETH 4h EMA 50".
  std::string Describe() const;
};

struct InvalidationParse {
  std::optional<Invalidation> check;  // set when machine-checkable
  std::string unchecked_reason;       // else why not ("names no number to compare with", …)
};

// position_coin: the coin of the position the condition belongs to; coins: every coin the
// bot trades; bot_interval: its intraday candle interval (a price condition on candles that
// are not a multiple of it is not machine-checked).
InvalidationParse ParseInvalidation(std::string_view text, std::string_view position_coin,
                                    std::span<const std::string> coins, UnixMs bot_interval);

// The watched quantity's value at close_time (a candle of the watched series closed then),
// nullopt when none closed then or the data has none. bot_interval: the intraday interval.
struct InvalidationReading {
  bool broken = false;
  std::string value;  // for the alert ("99850.5", "28.4")
};
std::optional<InvalidationReading> EvaluateInvalidation(const Invalidation& inv, const MarketData& market,
                                                        UnixMs close_time, UnixMs bot_interval);

}  // namespace aitrader::engine
