#include "indicators/batch.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "indicators/kernels.hpp"
#include "indicators/streaming.hpp"

namespace aitrader::indicators {
namespace {

using detail::EmaK;
using detail::EmaStep;
using detail::TrueRange;
using detail::WilderStep;

bool Overlaps(const double* a, std::size_t na, const double* b, std::size_t nb) {
  if (na == 0 || nb == 0) return false;
  const auto pa = reinterpret_cast<std::uintptr_t>(a);
  const auto pb = reinterpret_cast<std::uintptr_t>(b);
  return pa < pb + nb * sizeof(double) && pb < pa + na * sizeof(double);
}

// Inputs must share one length; outputs must have it too (or be empty when allowed) and
// must not overlap an input or each other.
Status CheckSpans(std::initializer_list<In> ins, std::initializer_list<Out> outs, bool allow_empty_out = false) {
  const std::size_t n = ins.begin()->size();
  for (const In& in : ins) {
    if (in.size() != n) {
      return InvalidArgument("input columns differ in length (" + std::to_string(n) + " vs " +
                             std::to_string(in.size()) + ")");
    }
  }
  for (const Out* o = outs.begin(); o != outs.end(); ++o) {
    if (o->empty() && allow_empty_out && n != 0) continue;
    if (o->size() != n) {
      return InvalidArgument("output length " + std::to_string(o->size()) + " differs from input length " +
                             std::to_string(n));
    }
    for (const In& in : ins) {
      if (Overlaps(o->data(), o->size(), in.data(), in.size())) return InvalidArgument("an output overlaps an input");
    }
    for (const Out* p = outs.begin(); p != o; ++p) {
      if (Overlaps(o->data(), o->size(), p->data(), p->size())) return InvalidArgument("two outputs overlap");
    }
  }
  return Status::Ok();
}

// Writes NaN to the first min(lookback, size) rows of `out`.
void FillWarmup(Out out, int lookback) {
  const std::size_t k = std::min(out.size(), static_cast<std::size_t>(lookback));
  std::fill(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(k), kNaN);
}

}  // namespace

Status Sma(In x, int period, Out out) {
  AITRADER_RETURN_IF_ERROR(CheckSma(period));
  AITRADER_RETURN_IF_ERROR(CheckSpans({x}, {out}));
  FillWarmup(out, period - 1);
  const std::size_t n = x.size(), p = static_cast<std::size_t>(period);
  if (n < p) return Status::Ok();
  const double pf = period;
  const double* in = x.data();
  double* o = out.data();
  double sum = 0.0;
  for (std::size_t i = 0; i + 1 < p; ++i) sum += in[i];
  for (std::size_t i = p - 1; i < n; ++i) {
    sum += in[i];
    o[i] = sum / pf;
    sum -= in[i + 1 - p];
  }
  return Status::Ok();
}

Status Ema(In x, int period, Out out) {
  AITRADER_RETURN_IF_ERROR(CheckEma(period));
  AITRADER_RETURN_IF_ERROR(CheckSpans({x}, {out}));
  FillWarmup(out, period - 1);
  const std::size_t n = x.size(), p = static_cast<std::size_t>(period);
  if (n < p) return Status::Ok();
  const double k = EmaK(period);
  const double* in = x.data();
  double* o = out.data();
  double sum = 0.0;
  for (std::size_t i = 0; i < p; ++i) sum += in[i];
  double ema = sum / static_cast<double>(period);
  o[p - 1] = ema;
  for (std::size_t i = p; i < n; ++i) {
    ema = EmaStep(ema, in[i], k);
    o[i] = ema;
  }
  return Status::Ok();
}

Status Rsi(In x, int period, Out out) {
  AITRADER_RETURN_IF_ERROR(CheckRsi(period));
  AITRADER_RETURN_IF_ERROR(CheckSpans({x}, {out}));
  FillWarmup(out, period);
  const std::size_t n = x.size(), p = static_cast<std::size_t>(period);
  if (n <= p) return Status::Ok();
  const double pf = period, pm1 = period - 1;
  const double* in = x.data();
  double* o = out.data();
  double prev = in[0], gain = 0.0, loss = 0.0;
  for (std::size_t i = 1; i <= p; ++i) {
    const double d = in[i] - prev;
    prev = in[i];
    gain += detail::GainPart(d);
    loss += detail::LossPart(d);
  }
  gain /= pf;
  loss /= pf;
  o[p] = detail::RsiValue(gain, loss);
#if defined(__SSE2__)
  // Gain and loss side by side in one register: one packed multiply, add and divide per row
  // on the loop-carried chain instead of two of each. Lane for lane these are the scalar
  // operations of detail::WilderStep / GainPart / LossPart, so the results are identical.
  const __m128d zero = _mm_setzero_pd(), pm1v = _mm_set1_pd(pm1), pfv = _mm_set1_pd(pf);
  __m128d gl = _mm_set_pd(loss, gain);  // low lane: gain, high lane: loss
  double prev_x = prev;
  for (std::size_t i = p + 1; i < n; ++i) {
    const double d = in[i] - prev_x;
    prev_x = in[i];
    const __m128d parts = _mm_max_pd(zero, _mm_set_pd(-d, d));
    gl = _mm_div_pd(_mm_add_pd(_mm_mul_pd(gl, pm1v), parts), pfv);
    o[i] = detail::RsiValue(_mm_cvtsd_f64(gl), _mm_cvtsd_f64(_mm_unpackhi_pd(gl, gl)));
  }
#else
  for (std::size_t i = p + 1; i < n; ++i) {
    const double d = in[i] - prev;
    prev = in[i];
    gain = WilderStep(gain, detail::GainPart(d), pm1, pf);
    loss = WilderStep(loss, detail::LossPart(d), pm1, pf);
    o[i] = detail::RsiValue(gain, loss);
  }
#endif
  return Status::Ok();
}

Status Macd(In x, int fast, int slow, int signal, Out macd, Out macd_signal, Out macd_hist) {
  AITRADER_RETURN_IF_ERROR(CheckMacd(fast, slow, signal));
  AITRADER_RETURN_IF_ERROR(CheckSpans({x}, {macd, macd_signal, macd_hist}));
  if (slow < fast) std::swap(slow, fast);
  const int lookback = (slow - 1) + (signal - 1);
  FillWarmup(macd, lookback);
  FillWarmup(macd_signal, lookback);
  FillWarmup(macd_hist, lookback);
  const std::size_t n = x.size(), s = static_cast<std::size_t>(slow), f = static_cast<std::size_t>(fast);
  const std::size_t g = static_cast<std::size_t>(signal), first = static_cast<std::size_t>(lookback);
  if (n <= first) return Status::Ok();
  const double* in = x.data();
  const double kf = EmaK(fast), ks = EmaK(slow), kg = EmaK(signal);
  // Seeds: the slow EMA from rows [0, s), the fast EMA from the f rows ending at row s−1.
  double slow_sum = 0.0, fast_sum = 0.0;
  for (std::size_t i = 0; i < s; ++i) slow_sum += in[i];
  for (std::size_t i = s - f; i < s; ++i) fast_sum += in[i];
  double slow_ema = slow_sum / static_cast<double>(slow);
  double fast_ema = fast_sum / static_cast<double>(fast);
  // The signal EMA is seeded with the mean of the first g MACD values (rows s−1 .. first).
  double line = fast_ema - slow_ema;
  double signal_sum = 0.0 + line;  // TA-Lib sums from 0.0 (matters only for −0.0)
  for (std::size_t i = s; i <= first; ++i) {
    slow_ema = EmaStep(slow_ema, in[i], ks);
    fast_ema = EmaStep(fast_ema, in[i], kf);
    line = fast_ema - slow_ema;
    signal_sum += line;
  }
  double sig = signal_sum / static_cast<double>(g);
  double* om = macd.data();
  double* os = macd_signal.data();
  double* oh = macd_hist.data();
  om[first] = line;
  os[first] = sig;
  oh[first] = line - sig;
  for (std::size_t i = first + 1; i < n; ++i) {
    slow_ema = EmaStep(slow_ema, in[i], ks);
    fast_ema = EmaStep(fast_ema, in[i], kf);
    line = fast_ema - slow_ema;
    sig = EmaStep(sig, line, kg);
    om[i] = line;
    os[i] = sig;
    oh[i] = line - sig;
  }
  return Status::Ok();
}

Status Trange(In high, In low, In close, Out out) {
  AITRADER_RETURN_IF_ERROR(CheckSpans({high, low, close}, {out}));
  FillWarmup(out, 1);
  const std::size_t n = high.size();
  for (std::size_t i = 1; i < n; ++i) out[i] = TrueRange(high[i], low[i], close[i - 1]);
  return Status::Ok();
}

Status Atr(In high, In low, In close, int period, Out out) {
  AITRADER_RETURN_IF_ERROR(CheckAtr(period));
  AITRADER_RETURN_IF_ERROR(CheckSpans({high, low, close}, {out}));
  if (period == 1) return Trange(high, low, close, out);
  FillWarmup(out, period);
  const std::size_t n = high.size(), p = static_cast<std::size_t>(period);
  if (n <= p) return Status::Ok();
  const double pf = period, pm1 = period - 1;
  const double* h = high.data();
  const double* l = low.data();
  const double* c = close.data();
  double* o = out.data();
  double atr = 0.0;
  for (std::size_t i = 1; i <= p; ++i) atr += TrueRange(h[i], l[i], c[i - 1]);
  atr /= pf;
  o[p] = atr;
  for (std::size_t i = p + 1; i < n; ++i) {
    atr = WilderStep(atr, TrueRange(h[i], l[i], c[i - 1]), pm1, pf);
    o[i] = atr;
  }
  return Status::Ok();
}

// The running sums of x and x² behind BBANDS and STDDEV, in TA-Lib's order (add the new
// value, take the sums, subtract the value leaving the window). The sequential part only
// fills per-chunk arrays of the two sums; `emit(s1, s2, first_row, count)` then turns a chunk
// into outputs with element-wise arithmetic that can use packed SIMD, which rounds exactly as
// the scalar operations do.
namespace {
template <class Emit>
void RunningMoments(const double* in, std::size_t n, std::size_t p, Emit emit) {
  constexpr std::size_t kChunk = 512;
  alignas(16) double s1[kChunk];
  alignas(16) double s2[kChunk];
  double sum = 0.0, sum_sq = 0.0;
  for (std::size_t i = 0; i + 1 < p; ++i) {
    sum += in[i];
    sum_sq += in[i] * in[i];
  }
  for (std::size_t start = p - 1; start < n; start += kChunk) {
    const std::size_t m = std::min(kChunk, n - start);
    for (std::size_t j = 0; j < m; ++j) {
      const double v = in[start + j];
      sum += v;
      sum_sq += v * v;
      s1[j] = sum;
      s2[j] = sum_sq;
      const double old = in[start + j + 1 - p];
      sum -= old;
      sum_sq -= old * old;
    }
    emit(s1, s2, start, m);
  }
}
}  // namespace

Status Bbands(In x, int period, double dev_up, double dev_down, Out upper, Out middle, Out lower) {
  AITRADER_RETURN_IF_ERROR(CheckBbands(period, dev_up, dev_down));
  AITRADER_RETURN_IF_ERROR(CheckSpans({x}, {upper, middle, lower}));
  FillWarmup(upper, period - 1);
  FillWarmup(middle, period - 1);
  FillWarmup(lower, period - 1);
  const std::size_t n = x.size(), p = static_cast<std::size_t>(period);
  if (n < p) return Status::Ok();
  const double pf = period;
  double* ou = upper.data();
  double* om = middle.data();
  double* ol = lower.data();
  RunningMoments(x.data(), n, p, [&](const double* s1, const double* s2, std::size_t start, std::size_t m) {
    std::size_t j = 0;
#if defined(__SSE2__)
    const __m128d pfv = _mm_set1_pd(pf), eps = _mm_set1_pd(detail::kEpsilon);
    const __m128d up = _mm_set1_pd(dev_up), dn = _mm_set1_pd(dev_down);
    for (; j + 2 <= m; j += 2) {
      const __m128d mean = _mm_div_pd(_mm_load_pd(s1 + j), pfv);
      const __m128d mean_sq = _mm_div_pd(_mm_load_pd(s2 + j), pfv);
      const __m128d var = _mm_sub_pd(mean_sq, _mm_mul_pd(mean, mean));
      const __m128d sd = _mm_andnot_pd(_mm_cmplt_pd(var, eps), _mm_sqrt_pd(var));  // 0 when var < eps
      _mm_storeu_pd(ou + start + j, _mm_add_pd(mean, _mm_mul_pd(sd, up)));
      _mm_storeu_pd(om + start + j, mean);
      _mm_storeu_pd(ol + start + j, _mm_sub_pd(mean, _mm_mul_pd(sd, dn)));
    }
#endif
    for (; j < m; ++j) {
      const double mean = s1[j] / pf;
      const double sd = detail::StdDevFromVariance(detail::Variance(mean, s2[j] / pf));
      ou[start + j] = mean + sd * dev_up;
      om[start + j] = mean;
      ol[start + j] = mean - sd * dev_down;
    }
  });
  return Status::Ok();
}

Status StdDev(In x, int period, double dev, Out out) {
  AITRADER_RETURN_IF_ERROR(CheckStdDev(period, dev));
  AITRADER_RETURN_IF_ERROR(CheckSpans({x}, {out}));
  FillWarmup(out, period - 1);
  const std::size_t n = x.size(), p = static_cast<std::size_t>(period);
  if (n < p) return Status::Ok();
  const double pf = period;
  double* o = out.data();
  RunningMoments(x.data(), n, p, [&](const double* s1, const double* s2, std::size_t start, std::size_t m) {
    std::size_t j = 0;
#if defined(__SSE2__)
    const __m128d pfv = _mm_set1_pd(pf), eps = _mm_set1_pd(detail::kEpsilon), devv = _mm_set1_pd(dev);
    for (; j + 2 <= m; j += 2) {
      const __m128d mean = _mm_div_pd(_mm_load_pd(s1 + j), pfv);
      const __m128d mean_sq = _mm_div_pd(_mm_load_pd(s2 + j), pfv);
      const __m128d var = _mm_sub_pd(mean_sq, _mm_mul_pd(mean, mean));
      const __m128d sd = _mm_mul_pd(_mm_sqrt_pd(var), devv);
      _mm_storeu_pd(o + start + j, _mm_andnot_pd(_mm_cmplt_pd(var, eps), sd));  // 0 when var < eps
    }
#endif
    for (; j < m; ++j) {
      const double mean = s1[j] / pf;
      const double var = detail::Variance(mean, s2[j] / pf);
      o[start + j] = detail::IsZeroOrNeg(var) ? 0.0 : std::sqrt(var) * dev;
    }
  });
  return Status::Ok();
}

Status Obv(In close, In volume, Out out) {
  AITRADER_RETURN_IF_ERROR(CheckSpans({close, volume}, {out}));
  const std::size_t n = close.size();
  if (n == 0) return Status::Ok();
  double obv = volume[0];
  out[0] = obv;
  const double* c = close.data();
  const double* v = volume.data();
  double* o = out.data();
  for (std::size_t i = 1; i < n; ++i) {
    obv += detail::ObvDelta(c[i], c[i - 1], v[i]);
    o[i] = obv;
  }
  return Status::Ok();
}

Status Dmi(In high, In low, In close, int period, Out adx, Out plus_di, Out minus_di) {
  AITRADER_RETURN_IF_ERROR(CheckDmi(period));
  AITRADER_RETURN_IF_ERROR(CheckSpans({high, low, close}, {adx, plus_di, minus_di}, /*allow_empty_out=*/true));
  FillWarmup(adx, 2 * period - 1);
  FillWarmup(plus_di, period);
  FillWarmup(minus_di, period);
  const std::size_t n = high.size(), p = static_cast<std::size_t>(period);
  if (n <= p) return Status::Ok();
  const bool want_adx = !adx.empty(), want_plus = !plus_di.empty(), want_minus = !minus_di.empty();
  const double pf = period, pm1 = period - 1;
  const double* h = high.data();
  const double* l = low.data();
  const double* c = close.data();
  double plus_dm = 0.0, minus_dm = 0.0, tr = 0.0;
  for (std::size_t i = 1; i < p; ++i) {  // bars 1..period−1: plain sums
    double plus, minus;
    detail::DirectionalMove(h[i] - h[i - 1], l[i - 1] - l[i], plus, minus);
    plus_dm += plus;
    minus_dm += minus;
    tr += TrueRange(h[i], l[i], c[i - 1]);
  }
  const std::size_t last_seed = 2 * p - 1;
  double sum_dx = 0.0, adx_value = 0.0;
#if defined(__SSE2__)
  // +DM and −DM side by side: one packed divide for their decay and one for the DIs. Lane for
  // lane these are the scalar operations DmiState performs.
  const __m128d pfv = _mm_set1_pd(pf), hundred = _mm_set1_pd(100.0);
  __m128d dm_pair = _mm_set_pd(minus_dm, plus_dm);
#endif
  for (std::size_t i = p; i < n; ++i) {
    const double dp = h[i] - h[i - 1], dmv = l[i - 1] - l[i];
    tr = (tr - tr / pf) + TrueRange(h[i], l[i], c[i - 1]);
    double pdi = 0.0, mdi = 0.0, dx = 0.0;
    bool has_dx = false;
#if defined(__SSE2__)
    dm_pair = _mm_add_pd(_mm_sub_pd(dm_pair, _mm_div_pd(dm_pair, pfv)), detail::DirectionalMovePair(dp, dmv));
    if (!detail::IsZero(tr)) {
      const __m128d di = _mm_mul_pd(hundred, _mm_div_pd(dm_pair, _mm_set1_pd(tr)));
      pdi = _mm_cvtsd_f64(di);
      mdi = _mm_cvtsd_f64(_mm_unpackhi_pd(di, di));
#else
    {
      double plus, minus;
      detail::DirectionalMove(dp, dmv, plus, minus);
      plus_dm = (plus_dm - plus_dm / pf) + plus;
      minus_dm = (minus_dm - minus_dm / pf) + minus;
    }
    if (!detail::IsZero(tr)) {
      pdi = 100.0 * (plus_dm / tr);
      mdi = 100.0 * (minus_dm / tr);
#endif
      const double di_sum = mdi + pdi;
      if (!detail::IsZero(di_sum)) {
        dx = 100.0 * (std::fabs(mdi - pdi) / di_sum);
        has_dx = true;
      }
    }
    if (want_plus) plus_di[i] = pdi;
    if (want_minus) minus_di[i] = mdi;
    if (i < last_seed) {
      if (has_dx) sum_dx += dx;
    } else if (i == last_seed) {
      if (has_dx) sum_dx += dx;
      adx_value = sum_dx / pf;
      if (want_adx) adx[i] = adx_value;
    } else {
      if (has_dx) adx_value = (adx_value * pm1 + dx) / pf;
      if (want_adx) adx[i] = adx_value;
    }
  }
  return Status::Ok();
}

Status Adx(In high, In low, In close, int period, Out out) { return Dmi(high, low, close, period, out, {}, {}); }
Status PlusDi(In high, In low, In close, int period, Out out) { return Dmi(high, low, close, period, {}, out, {}); }
Status MinusDi(In high, In low, In close, int period, Out out) { return Dmi(high, low, close, period, {}, {}, out); }

namespace {
// a > b ? a : b and a < b ? a : b, branch-free (maxsd/minsd have exactly these semantics).
inline double MaxOf(double a, double b) {
#if defined(__SSE2__)
  return _mm_cvtsd_f64(_mm_max_sd(_mm_set_sd(a), _mm_set_sd(b)));
#else
  return a > b ? a : b;
#endif
}
inline double MinOf(double a, double b) {
#if defined(__SSE2__)
  return _mm_cvtsd_f64(_mm_min_sd(_mm_set_sd(a), _mm_set_sd(b)));
#else
  return a < b ? a : b;
#endif
}
// Windows up to this length are rescanned each row (branch-free, faster than a monotonic
// queue whose pops mispredict on random data); longer ones use StochState's queue.
constexpr int kStochScanMax = 64;
}  // namespace

Status Stoch(In high, In low, In close, int fast_k, int slow_k, int slow_d, Out slow_k_out, Out slow_d_out) {
  AITRADER_RETURN_IF_ERROR(CheckStoch(fast_k, slow_k, slow_d));
  AITRADER_RETURN_IF_ERROR(CheckSpans({high, low, close}, {slow_k_out, slow_d_out}));
  const std::size_t n = high.size();
  if (fast_k > kStochScanMax) {
    AITRADER_ASSIGN_OR_RETURN(StochState state, StochState::Create(fast_k, slow_k, slow_d));
    for (std::size_t i = 0; i < n; ++i) {
      const StochValue v = state.Update(high[i], low[i], close[i]);
      slow_k_out[i] = v.slow_k;
      slow_d_out[i] = v.slow_d;
    }
    return Status::Ok();
  }
  const int lookback = StochLookback(fast_k, slow_k, slow_d);
  FillWarmup(slow_k_out, lookback);
  FillWarmup(slow_d_out, lookback);
  const std::size_t fk = static_cast<std::size_t>(fast_k);
  if (n < fk) return Status::Ok();
  // The same running-sum SMAs StochState uses, so the two forms agree bitwise.
  detail::RunningSma k_sma(slow_k), d_sma(slow_d);
  const std::size_t k_first = fk - 1 + static_cast<std::size_t>(slow_k - 1);
  const std::size_t first = static_cast<std::size_t>(lookback);
  const double* h = high.data();
  const double* l = low.data();
  const double* c = close.data();
  for (std::size_t i = fk - 1; i < n; ++i) {
    const std::size_t w = i + 1 - fk;
    double hh = h[w], ll = l[w];
    for (std::size_t j = w + 1; j <= i; ++j) {
      hh = MaxOf(h[j], hh);
      ll = MinOf(l[j], ll);
    }
    const double k = k_sma.Push(detail::FastK(c[i], hh, ll));
    if (i < k_first) continue;
    const double d = d_sma.Push(k);
    if (i < first) continue;
    slow_k_out[i] = k;
    slow_d_out[i] = d;
  }
  return Status::Ok();
}

Status Cci(In high, In low, In close, int period, Out out) {
  AITRADER_RETURN_IF_ERROR(CheckCci(period));
  AITRADER_RETURN_IF_ERROR(CheckSpans({high, low, close}, {out}));
  FillWarmup(out, period - 1);
  const std::size_t n = high.size(), p = static_cast<std::size_t>(period);
  if (n < p) return Status::Ok();
  const double pf = period;
  const double* h = high.data();
  const double* l = low.data();
  const double* c = close.data();
  double* o = out.data();
  auto typical = [&](std::size_t i) { return (h[i] + l[i] + c[i]) / 3.0; };
  // The circular buffer of CciState: slot = row % period. Its sums run over slots 0..p−1 in
  // order and are sequential by definition, so two consecutive rows are computed in the same
  // loops (two independent dependency chains). Row t+1's buffer differs from row t's only in
  // slot s1 = (t+1) % p, which holds row t+1−p for row t and row t+1 for row t+1.
  std::vector<double> ring(p);
  for (std::size_t i = 0; i + 1 < p; ++i) ring[i] = typical(i);
  std::size_t slot = p - 1;  // slot of row t
  std::size_t t = p - 1;
  for (; t + 1 < n; t += 2) {
    const double tp0 = typical(t), tp1 = typical(t + 1);
    ring[slot] = tp0;
    const std::size_t s1 = slot + 1 == p ? 0 : slot + 1;
    double a0 = 0.0, a1 = 0.0;
    for (std::size_t j = 0; j < s1; ++j) {
      a0 += ring[j];
      a1 += ring[j];
    }
    a0 += ring[s1];
    a1 += tp1;
    for (std::size_t j = s1 + 1; j < p; ++j) {
      a0 += ring[j];
      a1 += ring[j];
    }
    a0 /= pf;
    a1 /= pf;
    double m0 = 0.0, m1 = 0.0;
    for (std::size_t j = 0; j < s1; ++j) {
      m0 += std::fabs(ring[j] - a0);
      m1 += std::fabs(ring[j] - a1);
    }
    m0 += std::fabs(ring[s1] - a0);
    m1 += std::fabs(tp1 - a1);
    for (std::size_t j = s1 + 1; j < p; ++j) {
      m0 += std::fabs(ring[j] - a0);
      m1 += std::fabs(ring[j] - a1);
    }
    o[t] = detail::CciValue(tp0, a0, m0, pf);
    o[t + 1] = detail::CciValue(tp1, a1, m1, pf);
    ring[s1] = tp1;
    slot = s1 + 1 == p ? 0 : s1 + 1;
  }
  if (t < n) {  // one row left
    const double tp = typical(t);
    ring[slot] = tp;
    double avg = 0.0;
    for (double v : ring) avg += v;
    avg /= pf;
    double md = 0.0;
    for (double v : ring) md += std::fabs(v - avg);
    o[t] = detail::CciValue(tp, avg, md, pf);
  }
  return Status::Ok();
}

}  // namespace aitrader::indicators
