// Streaming indicators: one state object per indicator, updated once per closed candle.
//
// Each state is created by a static Create(...) that validates the parameters (an error
// Result, InvalidArgument, for the ranges in lookback.hpp) and sizes its ring buffers once;
// Update() then never allocates. Update() returns the indicator's value for the row just
// added, or NaN while the state is warming up (the first lookback() updates). Fed the rows
// 0..k one by one, a state returns exactly — bitwise — what the batch function in batch.hpp
// writes at row k: both forms perform the same floating-point operations in the same order.
//
// Cost per Update: O(1) for all states except StochState (amortised O(1): a monotonic
// window of highs and lows) and CciState (O(period): TA-Lib's CCI re-sums the whole window of
// typical prices in buffer-slot order each bar, and that order is what makes it exact).
//
// States start at the first row they see, like TA-Lib starts at row 0 of its input: a state
// fed the last 500 candles differs from one fed the full history until the seeding effect
// decays (see docs/indicators.md). Feed every closed candle, once, in order.
//
// Thread safety: a state is a plain value with no shared data; use each object from one
// thread at a time (copying a state is allowed and copies its history).
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

#include "core/status.hpp"
#include "indicators/lookback.hpp"

namespace aitrader::indicators {

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

namespace detail {
// Running-sum SMA over a ring of `period` values (TA-Lib's order: add the new value, divide,
// subtract the value leaving the window). Period 1 passes values through, as TA_MA does.
class RunningSma {
 public:
  RunningSma() = default;
  explicit RunningSma(int period)
      : ring_(static_cast<std::size_t>(period)), period_(period), period_f_(period) {}
  double Push(double x) {
    if (period_ == 1) return x;
    ring_[pos_] = x;
    sum_ += x;
    if (++pos_ == ring_.size()) pos_ = 0;
    if (filled_ < period_) {
      if (++filled_ < period_) return kNaN;
    }
    const double out = sum_ / period_f_;
    sum_ -= ring_[pos_];  // the oldest value of the window just averaged
    return out;
  }

 private:
  std::vector<double> ring_;
  std::size_t pos_ = 0;
  int period_ = 1;
  int filled_ = 0;
  double period_f_ = 1.0;
  double sum_ = 0.0;
};
}  // namespace detail

class SmaState {
 public:
  static Result<SmaState> Create(int period);
  double Update(double x) { return sma_.Push(x); }
  int lookback() const { return period_ - 1; }

 private:
  explicit SmaState(int period) : sma_(period), period_(period) {}
  detail::RunningSma sma_;
  int period_;
};

class EmaState {
 public:
  static Result<EmaState> Create(int period);
  double Update(double x);
  int lookback() const { return period_ - 1; }

 private:
  explicit EmaState(int period);
  int period_;
  std::int64_t count_ = 0;
  double period_f_;
  double k_;
  double sum_ = 0.0;
  double ema_ = kNaN;
};

class RsiState {
 public:
  static Result<RsiState> Create(int period);
  double Update(double x);
  int lookback() const { return period_; }

 private:
  explicit RsiState(int period);
  int period_;
  std::int64_t count_ = 0;
  double period_f_;
  double period_minus_1_f_;
  double prev_ = 0.0;
  double gain_ = 0.0;
  double loss_ = 0.0;
};

struct MacdValue {
  double macd = kNaN;
  double signal = kNaN;
  double hist = kNaN;
};

class MacdState {
 public:
  static Result<MacdState> Create(int fast, int slow, int signal);
  // All three outputs appear together, after lookback() updates.
  MacdValue Update(double x);
  int lookback() const { return slow_ - 1 + signal_ - 1; }

 private:
  MacdState(int fast, int slow, int signal);
  int fast_, slow_, signal_;  // after TA-Lib's swap: fast_ <= slow_
  std::int64_t count_ = 0;
  double fast_k_, slow_k_, signal_k_;
  double fast_sum_ = 0.0, slow_sum_ = 0.0, signal_sum_ = 0.0;
  double fast_ema_ = 0.0, slow_ema_ = 0.0, signal_ema_ = 0.0;
};

class TrangeState {
 public:
  static Result<TrangeState> Create() { return TrangeState(); }
  double Update(double high, double low, double close);
  int lookback() const { return TrangeLookback(); }

 private:
  TrangeState() = default;
  bool has_prev_ = false;
  double prev_close_ = 0.0;
};

class AtrState {
 public:
  static Result<AtrState> Create(int period);
  double Update(double high, double low, double close);
  int lookback() const { return period_; }

 private:
  explicit AtrState(int period);
  int period_;
  std::int64_t count_ = 0;
  double period_f_;
  double period_minus_1_f_;
  double prev_close_ = 0.0;
  double atr_ = 0.0;
};

struct BbandsValue {
  double upper = kNaN;
  double middle = kNaN;
  double lower = kNaN;
};

class BbandsState {
 public:
  static Result<BbandsState> Create(int period, double dev_up, double dev_down);
  BbandsValue Update(double x);
  int lookback() const { return period_ - 1; }

 private:
  BbandsState(int period, double dev_up, double dev_down);
  std::vector<double> ring_;
  std::size_t pos_ = 0;
  int period_;
  int filled_ = 0;
  double period_f_;
  double dev_up_, dev_down_;
  double sum_ = 0.0, sum_sq_ = 0.0;
};

class StdDevState {
 public:
  static Result<StdDevState> Create(int period, double dev);
  double Update(double x);
  int lookback() const { return period_ - 1; }

 private:
  StdDevState(int period, double dev);
  std::vector<double> ring_;
  std::size_t pos_ = 0;
  int period_;
  int filled_ = 0;
  double period_f_;
  double dev_;
  double sum_ = 0.0, sum_sq_ = 0.0;
};

class ObvState {
 public:
  static Result<ObvState> Create() { return ObvState(); }
  double Update(double close, double volume);
  int lookback() const { return ObvLookback(); }

 private:
  ObvState() = default;
  bool started_ = false;
  double prev_close_ = 0.0;
  double obv_ = 0.0;
};

struct DmiValue {
  double adx = kNaN;      // from update 2·period − 1
  double plus_di = kNaN;  // from update period
  double minus_di = kNaN; // from update period
};

// ADX, +DI and −DI of one period (they share their smoothed sums).
class DmiState {
 public:
  static Result<DmiState> Create(int period);
  DmiValue Update(double high, double low, double close);
  int lookback() const { return AdxLookback(period_); }
  int di_lookback() const { return period_; }

 private:
  explicit DmiState(int period);
  int period_;
  std::int64_t count_ = 0;
  double period_f_;
  double period_minus_1_f_;
  double prev_high_ = 0.0, prev_low_ = 0.0, prev_close_ = 0.0;
  double plus_dm_ = 0.0, minus_dm_ = 0.0, tr_ = 0.0;
  double sum_dx_ = 0.0;
  double adx_ = 0.0;
};

struct StochValue {
  double slow_k = kNaN;
  double slow_d = kNaN;
};

class StochState {
 public:
  static Result<StochState> Create(int fast_k, int slow_k, int slow_d);
  // slow %K and slow %D appear together, after lookback() updates.
  StochValue Update(double high, double low, double close);
  int lookback() const { return StochLookback(fast_k_, slow_k_, slow_d_); }

 private:
  StochState(int fast_k, int slow_k, int slow_d);
  // Monotonic queue (a ring of capacity fast_k) of the rows that can still become the
  // window's extreme, with their values; the front holds the extreme.
  struct Extreme {
    std::vector<std::int64_t> rows;
    std::vector<double> values;
    std::size_t head = 0, size = 0;
    double Push(std::int64_t row, double value, std::int64_t window, bool is_max);
  };
  int fast_k_, slow_k_, slow_d_;
  std::int64_t count_ = 0;
  Extreme max_high_, min_low_;
  detail::RunningSma k_sma_, d_sma_;
};

class CciState {
 public:
  static Result<CciState> Create(int period);
  double Update(double high, double low, double close);
  int lookback() const { return period_ - 1; }

 private:
  explicit CciState(int period);
  std::vector<double> ring_;  // typical prices; slot = row % period
  std::size_t pos_ = 0;
  int period_;
  int filled_ = 0;
  double period_f_;
};

}  // namespace aitrader::indicators
