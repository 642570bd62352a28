// MarketSnapshot: what the prompt shows about one coin at decision time t, and how it is built
// from candles without look-ahead.
//
// The Alpha Arena user prompt needs, per coin: the current (mid) price, intraday EMA20, MACD,
// RSI7 and RSI14 with their last 10 values, open interest and funding, and a 4-hour context
// (EMA20 vs EMA50, ATR3 vs ATR14, current vs average volume, MACD and RSI14 series). Our data
// has no bid/ask: the mid price is the candle close. Open interest is optional (absent in
// backtests) and is then printed as "not available", never invented.
//
// No look-ahead: at decision time t only candles whose close time (open_time + interval) is
// <= t are used, for the intraday series and for the 4h series alike (so the 4h context lags
// by up to four hours). Funding is the rate of the latest settlement at or before t.
//
// CoinFeatures precomputes, once per coin, the indicator columns over the whole candle
// history with the TA-Lib-exact batch functions of indicators/; At(t) then finds the last
// closed candles and copies the last 10 values — no allocation. The candle index is computed
// from the regular spacing of open times ((t − interval − first open) / interval), checked
// against its neighbours, with a binary search where the data has a gap: O(1) on regular
// data, O(log n) at worst.
// The batch indicators are causal (row i depends only on rows <= i), so At(t) equals what
// BuildSnapshot() computes from the candles closed by t alone (tested).
//
// Indicator settings: EMA(20), MACD(12, 26, 9) line, RSI(7), RSI(14) intraday; EMA(20), EMA(50),
// ATR(3), ATR(14), MACD(12, 26, 9) line, RSI(14) and SMA(20) of volume ("average volume") on 4h.
// Values not yet defined (too little history) are NaN and print as "n/a".
//
// Thread safety: CoinFeatures is immutable after Build(); At() may be called from any number
// of threads. MarketSnapshot is a plain value.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/fixed.hpp"
#include "core/status.hpp"
#include "core/time.hpp"
#include "market/candle.hpp"

namespace aitrader::market {
class FundingSeries;
}

namespace aitrader::agent {

inline constexpr int kSeriesLength = 10;

struct MarketSnapshot {
  std::string coin;            // "BTC"
  int price_decimals = 2;      // decimals of the instrument's tick (BTC 1, DOGE 5)
  UnixMs as_of = 0;            // the decision time t
  UnixMs interval = 0;         // intraday interval (5m)
  UnixMs last_close_time = 0;  // close time of the newest intraday candle used (<= as_of)

  // Intraday, newest values.
  Price current_price;  // mid = close of the newest closed candle
  double ema20 = 0, macd = 0, rsi7 = 0;

  // Derivatives data; nullopt = not available.
  std::optional<double> open_interest_latest;
  std::optional<double> open_interest_average;
  std::optional<double> funding_rate;  // raw fraction per funding period (1.25e-05)

  // Intraday series, oldest → newest; series_length (< 10 only at the start of the data)
  // entries are filled.
  int series_length = 0;
  std::array<Price, kSeriesLength> mid_prices{};
  std::array<double, kSeriesLength> ema20_series{}, macd_series{}, rsi7_series{}, rsi14_series{};

  // 4-hour context (has_4h false when no 4h candle has closed by t).
  bool has_4h = false;
  UnixMs h4_last_close_time = 0;
  double h4_ema20 = 0, h4_ema50 = 0, h4_atr3 = 0, h4_atr14 = 0;
  double h4_volume = 0, h4_volume_average = 0;
  int h4_series_length = 0;
  std::array<double, kSeriesLength> h4_macd_series{}, h4_rsi14_series{};
};

// Index one past the last candle of `series` closed by t (open_time + interval <= t).
std::size_t ClosedCount(const market::CandleSeries& series, UnixMs t);

class CoinFeatures {
 public:
  // intraday and h4 must have their interval set (CandleSeries::interval() > 0). funding may be
  // null. Errors: InvalidArgument for an empty intraday series or an unknown interval.
  static Result<CoinFeatures> Build(std::string coin, int price_decimals, const market::CandleSeries& intraday,
                                    const market::CandleSeries& h4, const market::FundingSeries* funding = nullptr);

  // The snapshot at decision time t. NotFound when no intraday candle has closed by t.
  Status At(UnixMs t, MarketSnapshot& out) const;
  Result<MarketSnapshot> At(UnixMs t) const;

  const std::string& coin() const { return coin_; }
  // The first decision time with a closed intraday candle, and the last candle's close time.
  UnixMs first_time() const;
  UnixMs last_time() const;

 private:
  std::string coin_;
  int price_decimals_ = 2;
  UnixMs interval_ = 0, h4_interval_ = 0;
  std::vector<UnixMs> open_time_;
  std::vector<Price> close_;
  std::vector<double> ema20_, macd_, rsi7_, rsi14_;
  std::vector<UnixMs> h4_open_time_;
  std::vector<double> h4_ema20_, h4_ema50_, h4_atr3_, h4_atr14_, h4_volume_, h4_volume_avg_, h4_macd_, h4_rsi14_;
  std::vector<UnixMs> funding_time_;
  std::vector<double> funding_rate_;
  UnixMs funding_step_ = 0;  // mean spacing of funding_time_ (0: fewer than two settlements)
};

// The reference definition of "no look-ahead": computes the snapshot at t from only the candles
// closed by t (the series are cut first, then the indicators run). O(n) per call: for tests,
// the prompt command and one-off use; the engine keeps a CoinFeatures (or streaming state).
Result<MarketSnapshot> BuildSnapshot(std::string coin, int price_decimals, const market::CandleSeries& intraday,
                                     const market::CandleSeries& h4, UnixMs t,
                                     const market::FundingSeries* funding = nullptr);

}  // namespace aitrader::agent
