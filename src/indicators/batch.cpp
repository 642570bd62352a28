#include "indicators/batch.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <string>

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
  for (std::size_t i = p + 1; i < n; ++i) {
    const double d = in[i] - prev;
    prev = in[i];
    gain = WilderStep(gain, detail::GainPart(d), pm1, pf);
    loss = WilderStep(loss, detail::LossPart(d), pm1, pf);
    o[i] = detail::RsiValue(gain, loss);
  }
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

Status Bbands(In x, int period, double dev_up, double dev_down, Out upper, Out middle, Out lower) {
  AITRADER_RETURN_IF_ERROR(CheckBbands(period, dev_up, dev_down));
  AITRADER_RETURN_IF_ERROR(CheckSpans({x}, {upper, middle, lower}));
  FillWarmup(upper, period - 1);
  FillWarmup(middle, period - 1);
  FillWarmup(lower, period - 1);
  const std::size_t n = x.size(), p = static_cast<std::size_t>(period);
  if (n < p) return Status::Ok();
  const double pf = period;
  const double* in = x.data();
  double sum = 0.0, sum_sq = 0.0;
  for (std::size_t i = 0; i + 1 < p; ++i) {
    sum += in[i];
    sum_sq += in[i] * in[i];
  }
  double* ou = upper.data();
  double* om = middle.data();
  double* ol = lower.data();
  for (std::size_t i = p - 1; i < n; ++i) {
    const double v = in[i];
    sum += v;
    sum_sq += v * v;
    const double mean = sum / pf;
    const double mean_sq = sum_sq / pf;
    const double old = in[i + 1 - p];
    sum -= old;
    sum_sq -= old * old;
    const double sd = detail::StdDevFromVariance(detail::Variance(mean, mean_sq));
    ou[i] = mean + sd * dev_up;
    om[i] = mean;
    ol[i] = mean - sd * dev_down;
  }
  return Status::Ok();
}

Status StdDev(In x, int period, double dev, Out out) {
  AITRADER_RETURN_IF_ERROR(CheckStdDev(period, dev));
  AITRADER_RETURN_IF_ERROR(CheckSpans({x}, {out}));
  FillWarmup(out, period - 1);
  const std::size_t n = x.size(), p = static_cast<std::size_t>(period);
  if (n < p) return Status::Ok();
  const double pf = period;
  const double* in = x.data();
  double* o = out.data();
  double sum = 0.0, sum_sq = 0.0;
  for (std::size_t i = 0; i + 1 < p; ++i) {
    sum += in[i];
    sum_sq += in[i] * in[i];
  }
  for (std::size_t i = p - 1; i < n; ++i) {
    const double v = in[i];
    sum += v;
    sum_sq += v * v;
    const double mean = sum / pf;
    const double mean_sq = sum_sq / pf;
    const double old = in[i + 1 - p];
    sum -= old;
    sum_sq -= old * old;
    const double var = detail::Variance(mean, mean_sq);
    o[i] = detail::IsZeroOrNeg(var) ? 0.0 : std::sqrt(var) * dev;
  }
  return Status::Ok();
}

Status Obv(In close, In volume, Out out) {
  AITRADER_RETURN_IF_ERROR(CheckSpans({close, volume}, {out}));
  const std::size_t n = close.size();
  if (n == 0) return Status::Ok();
  double obv = volume[0];
  out[0] = obv;
  for (std::size_t i = 1; i < n; ++i) {
    if (close[i] > close[i - 1]) {
      obv += volume[i];
    } else if (close[i] < close[i - 1]) {
      obv -= volume[i];
    }
    out[i] = obv;
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
  for (std::size_t i = p; i < n; ++i) {
    double plus, minus;
    detail::DirectionalMove(h[i] - h[i - 1], l[i - 1] - l[i], plus, minus);
    plus_dm = (plus_dm - plus_dm / pf) + plus;
    minus_dm = (minus_dm - minus_dm / pf) + minus;
    tr = (tr - tr / pf) + TrueRange(h[i], l[i], c[i - 1]);
    double pdi = 0.0, mdi = 0.0, dx = 0.0;
    bool has_dx = false;
    if (!detail::IsZero(tr)) {
      pdi = 100.0 * (plus_dm / tr);
      mdi = 100.0 * (minus_dm / tr);
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

Status Stoch(In high, In low, In close, int fast_k, int slow_k, int slow_d, Out slow_k_out, Out slow_d_out) {
  AITRADER_ASSIGN_OR_RETURN(StochState state, StochState::Create(fast_k, slow_k, slow_d));
  AITRADER_RETURN_IF_ERROR(CheckSpans({high, low, close}, {slow_k_out, slow_d_out}));
  for (std::size_t i = 0; i < high.size(); ++i) {
    const StochValue v = state.Update(high[i], low[i], close[i]);
    slow_k_out[i] = v.slow_k;
    slow_d_out[i] = v.slow_d;
  }
  return Status::Ok();
}

Status Cci(In high, In low, In close, int period, Out out) {
  AITRADER_ASSIGN_OR_RETURN(CciState state, CciState::Create(period));
  AITRADER_RETURN_IF_ERROR(CheckSpans({high, low, close}, {out}));
  for (std::size_t i = 0; i < high.size(); ++i) out[i] = state.Update(high[i], low[i], close[i]);
  return Status::Ok();
}

}  // namespace aitrader::indicators
