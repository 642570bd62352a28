// Indicator specifications as users write them ("ema:20,macd:12:26:9,bbands:20:2"), their
// output column names, batch computation of a list over candle columns, and CSV output.
// This is what `aitrader indicators` runs; it lives here so it is unit-tested.
//
// Entry syntax (case-insensitive, spaces around entries ignored), PERIOD an integer, DEV a
// decimal number:
//   sma:PERIOD  ema:PERIOD  rsi:PERIOD  atr:PERIOD  adx:PERIOD  plus_di:PERIOD
//   minus_di:PERIOD  cci:PERIOD  macd:FAST:SLOW:SIGNAL  bbands:PERIOD:DEV
//   stddev:PERIOD[:DEV]  stoch:FASTK:SLOWK:SLOWD  trange  obv
// Columns: sma_20 ema_20 rsi_14 macd_12_26_9 macd_signal_12_26_9 macd_hist_12_26_9 atr_14
//   trange bb_upper_20_2 bb_middle_20_2 bb_lower_20_2 stddev_20 (stddev_20_<DEV> when DEV != 1)
//   obv adx_14 plus_di_14 minus_di_14 stoch_k_5_3_3 stoch_d_5_3_3 cci_14.
//
// Errors: InvalidArgument naming the offending entry (unknown name, wrong parameter count,
// a parameter that is not a number, out of range, or a duplicate column).
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.hpp"

namespace aitrader::indicators {

// The Alpha Arena prompt's indicator set, the CLI's default list.
inline constexpr std::string_view kAlphaArenaList = "ema:20,ema:50,macd:12:26:9,rsi:7,rsi:14,atr:3,atr:14";

enum class IndicatorKind { kSma, kEma, kRsi, kMacd, kAtr, kTrange, kBbands, kStdDev, kObv, kAdx, kPlusDi, kMinusDi, kStoch, kCci };

struct IndicatorSpec {
  IndicatorKind kind = IndicatorKind::kSma;
  int p1 = 0, p2 = 0, p3 = 0;  // periods, in the order written (unused ones 0)
  double dev = 0.0;            // BBANDS / STDDEV deviation multiplier
  std::string text;            // the entry as written, for messages
};

Result<IndicatorSpec> ParseIndicatorSpec(std::string_view entry);
// A comma-separated list; at least one entry; no two entries may produce the same column.
Result<std::vector<IndicatorSpec>> ParseIndicatorList(std::string_view list);

// The output columns of one spec, in output order.
std::vector<std::string> ColumnNames(const IndicatorSpec& spec);
// Rows before the spec's first value (the longest of its columns' lookbacks).
int Lookback(const IndicatorSpec& spec);

// Candle columns as doubles, all of the same length (no indicator here reads the open).
struct OhlcvColumns {
  std::span<const double> high, low, close, volume;
};

struct IndicatorColumn {
  std::string name;
  std::vector<double> values;  // one per candle, NaN before the first value
};

// Computes every spec over the candles (batch, TA-Lib exact). Errors: InvalidArgument for
// columns of different lengths or parameters out of range.
Result<std::vector<IndicatorColumn>> ComputeIndicators(std::span<const IndicatorSpec> specs, const OhlcvColumns& candles);

// CSV text: header "timestamp,<names>", then one line per row: the timestamp, then each value
// in shortest round-trip form ("NaN" before a column's first value). Lines end with '\n'.
// Errors: InvalidArgument when a column's length differs from the number of timestamps.
Result<std::string> FormatIndicatorCsv(std::span<const std::int64_t> timestamps, std::span<const IndicatorColumn> columns);

}  // namespace aitrader::indicators
