// Invalidation conditions: the model's own "this trade is wrong if…" rule, made
// machine-checkable so code tests it on every closed candle, not only when the model is
// called. The model writes free text ("If the price closes below 105000 on a 3-minute
// candle"); ParseInvalidation() recognises the forms models actually use:
//   "closes below X" / "close below X" / "closes under X" / "breaks below X" / "falls below X"
//   "closes above X" / "close above X" / "closes over X" / "breaks above X" / "rises above X"
// optionally with "on a N-minute|hour candle" / "on the 4h", and numbers with thousands
// separators or a leading '$'. Anything else is kept as text and reported as not
// machine-checkable (the position then relies on its stop-loss and take-profit orders).
// Thread safety: pure functions and value types.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/fixed.hpp"
#include "core/time.hpp"

namespace aitrader::engine {

struct Invalidation {
  enum class Direction { kBelow, kAbove };
  Direction direction = Direction::kBelow;
  Price level;
  UnixMs interval = 0;  // the candle interval named in the text; 0 = the bot's interval
  std::string text;     // the original text

  // True when a candle of the right interval closing at `close` breaks the condition.
  bool BrokenBy(Price close) const {
    return direction == Direction::kBelow ? close < level : close > level;
  }
};

// nullopt when the text has no recognisable condition.
std::optional<Invalidation> ParseInvalidation(std::string_view text);

}  // namespace aitrader::engine
