// Candles and column-oriented candle series.
//
// Prices are exact fixed-point (Price); volume is a double (a market statistic, not money,
// and too large for the fixed-point range on some coins' 4h candles). open_time is the
// candle's open time in UTC ms, as Binance reports it; a candle is closed at
// open_time + interval.
//
// CandleSeries stores each field in its own contiguous array (hot loops read one column).
// Invariant: all columns have the same length. Thread safety: a series is a value; share
// const references freely, mutate from one thread.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/fixed.hpp"
#include "core/time.hpp"

namespace aitrader::market {

struct Candle {
  UnixMs open_time = 0;
  Price open, high, low, close;
  double volume = 0;
};

class CandleSeries {
 public:
  CandleSeries() = default;
  CandleSeries(std::string symbol, UnixMs interval) : symbol_(std::move(symbol)), interval_(interval) {}

  const std::string& symbol() const { return symbol_; }
  UnixMs interval() const { return interval_; }  // 0 when unknown
  void set_symbol(std::string s) { symbol_ = std::move(s); }
  void set_interval(UnixMs i) { interval_ = i; }

  std::size_t size() const { return open_time_.size(); }
  bool empty() const { return open_time_.empty(); }
  void reserve(std::size_t n);
  void clear();
  void push_back(const Candle& c);
  Candle operator[](std::size_t i) const {
    return Candle{open_time_[i], open_[i], high_[i], low_[i], close_[i], volume_[i]};
  }
  Candle back() const { return (*this)[size() - 1]; }

  const std::vector<UnixMs>& open_time() const { return open_time_; }
  const std::vector<Price>& open() const { return open_; }
  const std::vector<Price>& high() const { return high_; }
  const std::vector<Price>& low() const { return low_; }
  const std::vector<Price>& close() const { return close_; }
  const std::vector<double>& volume() const { return volume_; }

  // Columns as doubles for indicators (exact: the double strtod gives for the decimal text).
  std::vector<double> OpenF64() const;
  std::vector<double> HighF64() const;
  std::vector<double> LowF64() const;
  std::vector<double> CloseF64() const;

  // Index of the first candle with open_time >= t (size() if none).
  std::size_t LowerBound(UnixMs t) const;
  // The candles with open_time in [from, to).
  CandleSeries Slice(UnixMs from, UnixMs to) const;

 private:
  std::string symbol_;
  UnixMs interval_ = 0;
  std::vector<UnixMs> open_time_;
  std::vector<Price> open_, high_, low_, close_;
  std::vector<double> volume_;
};

}  // namespace aitrader::market
