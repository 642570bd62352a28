#include "indicators/streaming.hpp"

#include <cmath>

#include "indicators/kernels.hpp"

namespace aitrader::indicators {

using detail::EmaK;
using detail::EmaStep;
using detail::WilderStep;

// ---- SMA ----------------------------------------------------------------------------------
Result<SmaState> SmaState::Create(int period) {
  AITRADER_RETURN_IF_ERROR(CheckSma(period));
  return SmaState(period);
}

// ---- EMA ----------------------------------------------------------------------------------
Result<EmaState> EmaState::Create(int period) {
  AITRADER_RETURN_IF_ERROR(CheckEma(period));
  return EmaState(period);
}

EmaState::EmaState(int period) : period_(period), period_f_(period), k_(EmaK(period)) {}

double EmaState::Update(double x) {
  if (count_ >= period_) {
    ema_ = EmaStep(ema_, x, k_);
    return ema_;
  }
  sum_ += x;
  if (++count_ < period_) return kNaN;
  ema_ = sum_ / period_f_;  // seed: the SMA of the first `period` rows
  return ema_;
}

// ---- RSI ----------------------------------------------------------------------------------
Result<RsiState> RsiState::Create(int period) {
  AITRADER_RETURN_IF_ERROR(CheckRsi(period));
  return RsiState(period);
}

RsiState::RsiState(int period) : period_(period), period_f_(period), period_minus_1_f_(period - 1) {}

double RsiState::Update(double x) {
  if (count_ == 0) {
    prev_ = x;
    count_ = 1;
    return kNaN;
  }
  const double d = x - prev_;
  prev_ = x;
  if (count_ > period_) {
    gain_ = WilderStep(gain_, detail::GainPart(d), period_minus_1_f_, period_f_);
    loss_ = WilderStep(loss_, detail::LossPart(d), period_minus_1_f_, period_f_);
    return detail::RsiValue(gain_, loss_);
  }
  gain_ += detail::GainPart(d);
  loss_ += detail::LossPart(d);
  if (count_++ < period_) return kNaN;
  gain_ /= period_f_;  // seed: simple means of the first `period` gains and losses
  loss_ /= period_f_;
  return detail::RsiValue(gain_, loss_);
}

// ---- MACD ---------------------------------------------------------------------------------
Result<MacdState> MacdState::Create(int fast, int slow, int signal) {
  AITRADER_RETURN_IF_ERROR(CheckMacd(fast, slow, signal));
  return MacdState(fast, slow, signal);
}

MacdState::MacdState(int fast, int slow, int signal)
    : fast_(slow < fast ? slow : fast),
      slow_(slow < fast ? fast : slow),
      signal_(signal),
      fast_k_(EmaK(fast_)),
      slow_k_(EmaK(slow_)),
      signal_k_(EmaK(signal)) {}

MacdValue MacdState::Update(double x) {
  const std::int64_t t = count_++;
  if (t >= slow_) {
    slow_ema_ = EmaStep(slow_ema_, x, slow_k_);
    fast_ema_ = EmaStep(fast_ema_, x, fast_k_);
  } else {
    slow_sum_ += x;
    // TA-Lib seeds the fast EMA with the SMA of the `fast` rows ending where the slow EMA's
    // seed ends, not with the first `fast` rows.
    if (t >= slow_ - fast_) fast_sum_ += x;
    if (t < slow_ - 1) return {};
    slow_ema_ = slow_sum_ / static_cast<double>(slow_);
    fast_ema_ = fast_sum_ / static_cast<double>(fast_);
  }
  const double macd = fast_ema_ - slow_ema_;
  const std::int64_t j = t - (slow_ - 1);  // row within the MACD line
  if (j >= signal_) {
    signal_ema_ = EmaStep(signal_ema_, macd, signal_k_);
  } else {
    signal_sum_ += macd;
    if (j < signal_ - 1) return {};
    signal_ema_ = signal_sum_ / static_cast<double>(signal_);
  }
  return {macd, signal_ema_, macd - signal_ema_};
}

// ---- TRANGE -------------------------------------------------------------------------------
double TrangeState::Update(double high, double low, double close) {
  double out = kNaN;
  if (has_prev_) out = detail::TrueRange(high, low, prev_close_);
  has_prev_ = true;
  prev_close_ = close;
  return out;
}

// ---- ATR ----------------------------------------------------------------------------------
Result<AtrState> AtrState::Create(int period) {
  AITRADER_RETURN_IF_ERROR(CheckAtr(period));
  return AtrState(period);
}

AtrState::AtrState(int period) : period_(period), period_f_(period), period_minus_1_f_(period - 1) {}

double AtrState::Update(double high, double low, double close) {
  if (count_ == 0) {
    prev_close_ = close;
    count_ = 1;
    return kNaN;
  }
  const double tr = detail::TrueRange(high, low, prev_close_);
  prev_close_ = close;
  if (count_ > period_) {
    atr_ = WilderStep(atr_, tr, period_minus_1_f_, period_f_);
    return atr_;
  }
  if (period_ == 1) return tr;  // TA-Lib returns TRANGE for period 1
  atr_ += tr;
  if (count_++ < period_) return kNaN;
  atr_ /= period_f_;  // seed: the mean of TR[1..period]
  return atr_;
}

// ---- BBANDS / STDDEV ----------------------------------------------------------------------
Result<BbandsState> BbandsState::Create(int period, double dev_up, double dev_down) {
  AITRADER_RETURN_IF_ERROR(CheckBbands(period, dev_up, dev_down));
  return BbandsState(period, dev_up, dev_down);
}

BbandsState::BbandsState(int period, double dev_up, double dev_down)
    : ring_(static_cast<std::size_t>(period)),
      period_(period),
      period_f_(period),
      dev_up_(dev_up),
      dev_down_(dev_down) {}

BbandsValue BbandsState::Update(double x) {
  ring_[pos_] = x;
  sum_ += x;
  sum_sq_ += x * x;
  if (++pos_ == ring_.size()) pos_ = 0;
  if (filled_ < period_ && ++filled_ < period_) return {};
  const double mean = sum_ / period_f_;
  const double mean_sq = sum_sq_ / period_f_;
  const double old = ring_[pos_];
  sum_ -= old;
  sum_sq_ -= old * old;
  const double sd = detail::StdDevFromVariance(detail::Variance(mean, mean_sq));
  return {mean + sd * dev_up_, mean, mean - sd * dev_down_};
}

Result<StdDevState> StdDevState::Create(int period, double dev) {
  AITRADER_RETURN_IF_ERROR(CheckStdDev(period, dev));
  return StdDevState(period, dev);
}

StdDevState::StdDevState(int period, double dev)
    : ring_(static_cast<std::size_t>(period)), period_(period), period_f_(period), dev_(dev) {}

double StdDevState::Update(double x) {
  ring_[pos_] = x;
  sum_ += x;
  sum_sq_ += x * x;
  if (++pos_ == ring_.size()) pos_ = 0;
  if (filled_ < period_ && ++filled_ < period_) return kNaN;
  const double mean = sum_ / period_f_;
  const double mean_sq = sum_sq_ / period_f_;
  const double old = ring_[pos_];
  sum_ -= old;
  sum_sq_ -= old * old;
  const double var = detail::Variance(mean, mean_sq);
  return detail::IsZeroOrNeg(var) ? 0.0 : std::sqrt(var) * dev_;
}

// ---- OBV ----------------------------------------------------------------------------------
double ObvState::Update(double close, double volume) {
  if (!started_) {
    started_ = true;
    obv_ = volume;
  } else {
    obv_ += detail::ObvDelta(close, prev_close_, volume);
  }
  prev_close_ = close;
  return obv_;
}

// ---- ADX / +DI / −DI ----------------------------------------------------------------------
Result<DmiState> DmiState::Create(int period) {
  AITRADER_RETURN_IF_ERROR(CheckDmi(period));
  return DmiState(period);
}

DmiState::DmiState(int period) : period_(period), period_f_(period), period_minus_1_f_(period - 1) {}

DmiValue DmiState::Update(double high, double low, double close) {
  const std::int64_t t = count_++;
  if (t == 0) {
    prev_high_ = high;
    prev_low_ = low;
    prev_close_ = close;
    return {};
  }
  double plus = 0.0, minus = 0.0;
  detail::DirectionalMove(high - prev_high_, prev_low_ - low, plus, minus);
  const double tr = detail::TrueRange(high, low, prev_close_);
  prev_high_ = high;
  prev_low_ = low;
  prev_close_ = close;
  if (t < period_) {  // bars 1..period−1: plain sums
    plus_dm_ += plus;
    minus_dm_ += minus;
    tr_ += tr;
    return {};
  }
  plus_dm_ = (plus_dm_ - plus_dm_ / period_f_) + plus;
  minus_dm_ = (minus_dm_ - minus_dm_ / period_f_) + minus;
  tr_ = (tr_ - tr_ / period_f_) + tr;
  DmiValue v;
  double dx = 0.0;
  bool has_dx = false;  // false: this bar's DX is skipped (zero range or zero DI sum)
  if (!detail::IsZero(tr_)) {
    v.plus_di = 100.0 * (plus_dm_ / tr_);
    v.minus_di = 100.0 * (minus_dm_ / tr_);
    const double di_sum = v.minus_di + v.plus_di;
    if (!detail::IsZero(di_sum)) {
      dx = 100.0 * (std::fabs(v.minus_di - v.plus_di) / di_sum);
      has_dx = true;
    }
  } else {
    v.plus_di = 0.0;
    v.minus_di = 0.0;
  }
  const std::int64_t last_seed_row = 2 * static_cast<std::int64_t>(period_) - 1;
  if (t < last_seed_row) {
    if (has_dx) sum_dx_ += dx;
  } else if (t == last_seed_row) {
    if (has_dx) sum_dx_ += dx;
    adx_ = sum_dx_ / period_f_;
    v.adx = adx_;
  } else {
    if (has_dx) adx_ = (adx_ * period_minus_1_f_ + dx) / period_f_;
    v.adx = adx_;
  }
  return v;
}

// ---- STOCH --------------------------------------------------------------------------------
Result<StochState> StochState::Create(int fast_k, int slow_k, int slow_d) {
  AITRADER_RETURN_IF_ERROR(CheckStoch(fast_k, slow_k, slow_d));
  return StochState(fast_k, slow_k, slow_d);
}

StochState::StochState(int fast_k, int slow_k, int slow_d)
    : fast_k_(fast_k), slow_k_(slow_k), slow_d_(slow_d), k_sma_(slow_k), d_sma_(slow_d) {
  for (Extreme* e : {&max_high_, &min_low_}) {
    e->rows.resize(static_cast<std::size_t>(fast_k));
    e->values.resize(static_cast<std::size_t>(fast_k));
  }
}

double StochState::Extreme::Push(std::int64_t row, double value, std::int64_t window, bool is_max) {
  const std::size_t cap = rows.size();
  // Drop rows that left the window [row − window + 1, row].
  while (size > 0 && rows[head] <= row - window) {
    if (++head == cap) head = 0;
    --size;
  }
  // Drop candidates the new value dominates (ties too: only values matter).
  while (size > 0) {
    std::size_t back = head + size - 1;
    if (back >= cap) back -= cap;
    if (is_max ? !(value >= values[back]) : !(value <= values[back])) break;
    --size;
  }
  std::size_t slot = head + size;
  if (slot >= cap) slot -= cap;
  rows[slot] = row;
  values[slot] = value;
  ++size;
  return values[head];
}

StochValue StochState::Update(double high, double low, double close) {
  const std::int64_t t = count_++;
  const double hh = max_high_.Push(t, high, fast_k_, /*is_max=*/true);
  const double ll = min_low_.Push(t, low, fast_k_, /*is_max=*/false);
  if (t < fast_k_ - 1) return {};
  const double slow_k = k_sma_.Push(detail::FastK(close, hh, ll));
  if (t < (fast_k_ - 1) + (slow_k_ - 1)) return {};
  const double slow_d = d_sma_.Push(slow_k);
  if (t < lookback()) return {};
  return {slow_k, slow_d};
}

// ---- CCI ----------------------------------------------------------------------------------
Result<CciState> CciState::Create(int period) {
  AITRADER_RETURN_IF_ERROR(CheckCci(period));
  return CciState(period);
}

CciState::CciState(int period) : ring_(static_cast<std::size_t>(period)), period_(period), period_f_(period) {}

double CciState::Update(double high, double low, double close) {
  const double tp = (high + low + close) / 3.0;
  ring_[pos_] = tp;
  if (++pos_ == ring_.size()) pos_ = 0;
  if (filled_ < period_ && ++filled_ < period_) return kNaN;
  // Sum in slot order 0..period−1 (TA-Lib's circular-buffer order), not chronologically.
  double avg = 0.0;
  for (double v : ring_) avg += v;
  avg /= period_f_;
  double md = 0.0;
  for (double v : ring_) md += std::fabs(v - avg);
  return detail::CciValue(tp, avg, md, period_f_);
}

}  // namespace aitrader::indicators
