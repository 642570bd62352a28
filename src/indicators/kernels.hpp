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

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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

// RSI's split of a price change d into the amounts added to the gain and loss sums, without
// a branch (a random walk makes the sign unpredictable). TA-Lib does `if (d < 0) loss -= d;
// else gain += d;`. Here gain += max(0, d) and loss += max(0, −d) with max(a, b) = a > b ? a : b
// (SSE2 maxsd): the side that TA-Lib leaves alone receives +0.0 or −0.0, which leaves a
// non-negative sum bitwise unchanged, and loss + (−d) is the same operation as loss − d.
inline double GainPart(double d) {
#if defined(__SSE2__)
  return _mm_cvtsd_f64(_mm_max_sd(_mm_setzero_pd(), _mm_set_sd(d)));
#else
  return 0.0 > d ? 0.0 : d;
#endif
}
inline double LossPart(double d) {
#if defined(__SSE2__)
  return _mm_cvtsd_f64(_mm_max_sd(_mm_setzero_pd(), _mm_set_sd(-d)));
#else
  return 0.0 > -d ? 0.0 : -d;
#endif
}

// RSI from smoothed gain and loss: 100·(g/(g+l)), or 0 when g+l is zero within epsilon.
inline double RsiValue(double gain, double loss) {
  const double s = gain + loss;
  return IsZero(s) ? 0.0 : 100.0 * (gain / s);
}

// OBV's change for a bar: +volume on an up close, −volume on a down close, and −0.0 when the
// close is unchanged (adding −0.0 leaves any sum bitwise unchanged, as TA-Lib leaves it
// alone). Branch-free, since up and down closes alternate unpredictably.
inline double ObvDelta(double close, double prev_close, double volume) {
#if defined(__SSE2__)
  const __m128d c = _mm_set_sd(close), p = _mm_set_sd(prev_close), v = _mm_set_sd(volume);
  const __m128d sign = _mm_set_sd(-0.0);
  const __m128d up = _mm_cmpgt_sd(c, p), down = _mm_cmplt_sd(c, p);
  __m128d r = _mm_or_pd(_mm_and_pd(up, v), _mm_and_pd(down, _mm_xor_pd(v, sign)));
  r = _mm_or_pd(r, _mm_andnot_pd(_mm_or_pd(up, down), sign));
  return _mm_cvtsd_f64(r);
#else
  return close > prev_close ? volume : close < prev_close ? -volume : -0.0;
#endif
}

// Population variance from the two window means: E[x²] − E[x]².
inline double Variance(double mean, double mean_sq) { return mean_sq - mean * mean; }
// Standard deviation, clamped to 0 when the variance is below epsilon (or negative).
inline double StdDevFromVariance(double var) { return IsZeroOrNeg(var) ? 0.0 : std::sqrt(var); }

// Directional movement of a bar: dp = H − H₋₁, dm = L₋₁ − L. At most one side counts: −DM
// when dm > 0 and dp < dm, else +DM when dp > 0 and dp > dm. Ties count for neither; a side
// that does not count is +0.0. Branch-free: the sides are compared as a pair of lanes
// [dp, dm] against [dm, dp] (dp < dm is dm > dp), which also makes the "else" implicit since
// both conditions cannot hold at once.
#if defined(__SSE2__)
inline __m128d DirectionalMovePair(double dp, double dm) {  // returns [plus, minus]
  const __m128d v = _mm_set_pd(dm, dp), other = _mm_set_pd(dp, dm);
  const __m128d mask = _mm_and_pd(_mm_cmpgt_pd(v, _mm_setzero_pd()), _mm_cmpgt_pd(v, other));
  return _mm_and_pd(mask, v);
}
#endif
inline void DirectionalMove(double dp, double dm, double& plus, double& minus) {
#if defined(__SSE2__)
  const __m128d pm = DirectionalMovePair(dp, dm);
  plus = _mm_cvtsd_f64(pm);
  minus = _mm_cvtsd_f64(_mm_unpackhi_pd(pm, pm));
#else
  plus = 0.0;
  minus = 0.0;
  if (dm > 0.0 && dp < dm) {
    minus = dm;
  } else if (dp > 0.0 && dp > dm) {
    plus = dp;
  }
#endif
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
