// Internal: the arithmetic steps shared by the batch kernels and the streaming states.
//
// Bitwise equality between batch and streaming results (and with TA-Lib C 0.6.0) depends on
// performing the same IEEE-754 operations in the same order. Every step whose order matters
// is written once here and used by both forms; the comments give the exact order.
//
// Not a public API: include only from src/indicators/*.cpp and the tests.
// Thread safety: pure inline functions.
#pragma once

#include <cmath>

namespace aitrader::indicators::detail {

// TA-Lib's TA_IS_ZERO / TA_IS_ZERO_OR_NEG (epsilon 1e-14).
inline constexpr double kEpsilon = 1e-14;
inline bool IsZero(double v) { return -kEpsilon < v && v < kEpsilon; }
inline bool IsZeroOrNeg(double v) { return v < kEpsilon; }

// Smoothing factor of an EMA of `period` bars: 2 / (period + 1), with the sum done in int.
inline double EmaK(int period) { return 2.0 / static_cast<double>(period + 1); }

// One EMA step: ((x − prev) · k) + prev. Not k·x + (1−k)·prev, which rounds differently.
inline double EmaStep(double prev, double x, double k) { return ((x - prev) * k) + prev; }

// One Wilder step as RSI and ATR do it: v·(n−1), plus the new value, divided by n.
inline double WilderStep(double prev, double add, double n_minus_1, double n) {
  return (prev * n_minus_1 + add) / n;
}

// True range of a bar given the previous close: H−L, replaced by |H−C₋₁| then |L−C₋₁| when
// larger (strictly).
inline double TrueRange(double high, double low, double prev_close) {
  double tr = high - low;
  const double a = std::fabs(high - prev_close);
  if (a > tr) tr = a;
  const double b = std::fabs(low - prev_close);
  if (b > tr) tr = b;
  return tr;
}

// RSI's split of a price change into gain and loss, without a branch. TA-Lib adds a
// non-negative change to the gain sum and subtracts a negative one from the loss sum; adding
// +0.0 to the other (non-negative) sum leaves it bitwise unchanged, so this is identical.
inline double GainPart(double d) { return d < 0.0 ? 0.0 : d; }
inline double LossPart(double d) { return d < 0.0 ? -d : 0.0; }

// RSI from smoothed gain and loss: 100·(g/(g+l)), or 0 when g+l is zero within epsilon.
inline double RsiValue(double gain, double loss) {
  const double s = gain + loss;
  return IsZero(s) ? 0.0 : 100.0 * (gain / s);
}

// Population variance from the two window means: E[x²] − E[x]².
inline double Variance(double mean, double mean_sq) { return mean_sq - mean * mean; }
// Standard deviation, clamped to 0 when the variance is below epsilon (or negative).
inline double StdDevFromVariance(double var) { return IsZeroOrNeg(var) ? 0.0 : std::sqrt(var); }

// Directional movement of a bar: dp = H − H₋₁, dm = L₋₁ − L. At most one side counts: −DM
// when dm > 0 and dp < dm, else +DM when dp > 0 and dp > dm. Ties count for neither.
inline void DirectionalMove(double dp, double dm, double& plus, double& minus) {
  plus = 0.0;
  minus = 0.0;
  if (dm > 0.0 && dp < dm) {
    minus = dm;
  } else if (dp > 0.0 && dp > dm) {
    plus = dp;
  }
}

// Stochastic %K from the close and the window's extremes: (C − LL) / ((HH − LL) / 100),
// or 0 when HH − LL is exactly 0.
inline double FastK(double close, double highest, double lowest) {
  const double diff = (highest - lowest) / 100.0;
  return diff != 0.0 ? (close - lowest) / diff : 0.0;
}

// CCI from the newest typical price, the window average and the summed absolute deviation:
// (tp − avg) / (0.015 · (md / n)), or 0 when either the numerator or md is exactly 0.
inline double CciValue(double tp, double avg, double md_sum, double n) {
  const double num = tp - avg;
  return (num != 0.0 && md_sum != 0.0) ? num / (0.015 * (md_sum / n)) : 0.0;
}

}  // namespace aitrader::indicators::detail
