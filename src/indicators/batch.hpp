// Batch indicators: TA-Lib C 0.6.0 semantics over whole arrays of double.
//
// Every function reads equal-length input spans and writes full-length outputs aligned to
// the input rows: out[i] belongs to input row i, rows before the indicator's lookback (see
// lookback.hpp) hold NaN, and the values are bitwise identical to TA-Lib's (run with
// startIdx = 0, default unstable periods and compatibility). They are also bitwise identical
// to the streaming states in streaming.hpp fed the same rows one by one.
//
// Like TA-Lib, every indicator starts its computation at row 0 of what you pass: an EMA over
// the last 500 candles differs from the EMA over the full history (see docs/indicators.md).
//
// Errors (no exception is thrown; outputs are left untouched on error):
//  - InvalidArgument for parameters out of range (see lookback.hpp's Check* functions),
//  - InvalidArgument when the input spans differ in length or an output span's length
//    differs from the input's, or when an output overlaps an input or another output.
// Inputs shorter than the lookback give all-NaN outputs, not an error.
//
// Thread safety: pure functions; calls on distinct outputs may run concurrently.
#pragma once

#include <span>

#include "core/status.hpp"
#include "indicators/lookback.hpp"

namespace aitrader::indicators {

using In = std::span<const double>;
using Out = std::span<double>;

// Simple moving average as a running sum (add the new value, divide, drop the oldest).
Status Sma(In x, int period, Out out);
// Exponential moving average, k = 2/(period+1), seeded with the SMA of the first period rows.
Status Ema(In x, int period, Out out);
// Wilder's RSI, seeded with the simple means of the first period gains and losses.
Status Rsi(In x, int period, Out out);
// MACD line, signal and histogram in one pass. The fast EMA is seeded at the slow EMA's
// first row (TA-Lib's quirk), so the line is not Ema(fast) − Ema(slow) near the start.
Status Macd(In x, int fast, int slow, int signal, Out macd, Out macd_signal, Out macd_hist);
// True range, from row 1.
Status Trange(In high, In low, In close, Out out);
// Wilder's average true range, seeded with the mean of TR[1..period]; period 1 gives TRANGE.
Status Atr(In high, In low, In close, int period, Out out);
// Bollinger bands over an SMA middle and the population standard deviation.
Status Bbands(In x, int period, double dev_up, double dev_down, Out upper, Out middle, Out lower);
// Population standard deviation times dev.
Status StdDev(In x, int period, double dev, Out out);
// On-balance volume, starting at volume[0].
Status Obv(In close, In volume, Out out);
// ADX, +DI and −DI of the same period in one pass. Any output may be an empty span to skip
// it; non-empty outputs must have the input's length.
Status Dmi(In high, In low, In close, int period, Out adx, Out plus_di, Out minus_di);
Status Adx(In high, In low, In close, int period, Out out);
Status PlusDi(In high, In low, In close, int period, Out out);
Status MinusDi(In high, In low, In close, int period, Out out);
// Slow stochastic: slow %K = SMA(slow_k) of fast %K, slow %D = SMA(slow_d) of slow %K.
Status Stoch(In high, In low, In close, int fast_k, int slow_k, int slow_d, Out slow_k_out, Out slow_d_out);
// Commodity channel index over the typical price (H+L+C)/3.
Status Cci(In high, In low, In close, int period, Out out);

}  // namespace aitrader::indicators
