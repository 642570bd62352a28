// Parameter rules and lookbacks of the TA-Lib-exact indicators.
//
// The lookback of an indicator is the number of input rows consumed before its first
// output, so the first output belongs to input row `lookback` (TA-Lib's outBegIdx with
// startIdx = 0). Batch outputs hold NaN in rows [0, lookback); a streaming state returns
// NaN for its first `lookback` updates.
//
// Parameter ranges follow TA-Lib C 0.6.0 (periods up to kMaxPeriod), with two deliberate
// restrictions: +DI/−DI/ADX need period >= 2 (TA-Lib's unsmoothed period-1 DI path is not
// reproduced) and only simple moving averages are offered for BBANDS and STOCH.
//
// Each *Lookback function returns -1 when the parameters are invalid; Check* functions say
// why in a Status (InvalidArgument naming the parameter and the accepted range).
//
// Thread safety: pure functions.
#pragma once

#include <string_view>

#include "core/status.hpp"

namespace aitrader::indicators {

inline constexpr int kMaxPeriod = 100000;

// OK when min_period <= period <= kMaxPeriod; otherwise InvalidArgument naming `what`.
Status CheckPeriod(std::string_view what, int period, int min_period);
// OK when v is finite; otherwise InvalidArgument naming `what`.
Status CheckFinite(std::string_view what, double v);

Status CheckSma(int period);           // period in [2, kMaxPeriod]
Status CheckEma(int period);           // period in [2, kMaxPeriod]
Status CheckRsi(int period);           // period in [2, kMaxPeriod]
Status CheckMacd(int fast, int slow, int signal);  // fast, slow >= 2; signal >= 1
Status CheckAtr(int period);           // period in [1, kMaxPeriod]; 1 means TRANGE
Status CheckBbands(int period, double dev_up, double dev_down);  // period >= 2; finite devs
Status CheckStdDev(int period, double dev);  // period >= 2; finite dev
Status CheckDmi(int period);           // ADX, +DI, −DI: period in [2, kMaxPeriod]
Status CheckStoch(int fast_k, int slow_k, int slow_d);  // each in [1, kMaxPeriod]
Status CheckCci(int period);           // period in [2, kMaxPeriod]

int SmaLookback(int period);                      // period − 1
int EmaLookback(int period);                      // period − 1
int RsiLookback(int period);                      // period
// max(fast, slow) − 1 + signal − 1 (TA-Lib swaps fast and slow when slow < fast).
int MacdLookback(int fast, int slow, int signal);
int AtrLookback(int period);                      // period
inline constexpr int TrangeLookback() { return 1; }
int BbandsLookback(int period);                   // period − 1
int StdDevLookback(int period);                   // period − 1
inline constexpr int ObvLookback() { return 0; }
int PlusDiLookback(int period);                   // period
int MinusDiLookback(int period);                  // period
int AdxLookback(int period);                      // 2·period − 1
int StochLookback(int fast_k, int slow_k, int slow_d);  // (fast_k−1)+(slow_k−1)+(slow_d−1)
int CciLookback(int period);                      // period − 1

}  // namespace aitrader::indicators
