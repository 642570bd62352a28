// LiveCoinFeatures: the incremental form of CoinFeatures for live trading — the indicator
// states of one coin updated once per closed candle (O(1), no allocation), and the last 10
// values of every series kept in small rings, so a MarketSnapshot is one copy away.
//
// Fed the same candles from the start of a series, it gives exactly (bitwise) the snapshot
// BuildSnapshot() computes from those candles: the streaming states of indicators/ perform the
// batch functions' floating-point operations in the same order (tested).
//
// No look-ahead is the caller's contract made checkable: feed only closed candles, in order;
// Snapshot(t) refuses (FailedPrecondition) when the newest candle fed had not closed by t.
//
// Thread safety: a plain value; use from one thread (a bot's strand or the shared feed's).
#pragma once

#include <array>
#include <optional>
#include <string>

#include "agent/snapshot.hpp"
#include "indicators/streaming.hpp"

namespace aitrader::agent {

class LiveCoinFeatures {
 public:
  // Errors: InvalidArgument for a non-positive interval.
  static Result<LiveCoinFeatures> Create(std::string coin, int price_decimals, UnixMs interval,
                                         UnixMs h4_interval = 4 * kHourMs);

  // Adds the next closed candle. InvalidArgument when its open time is not after the previous one.
  Status AddIntraday(const market::Candle& c);
  Status Add4h(const market::Candle& c);
  // Derivatives data shown with the next snapshots (nullopt = not available).
  void SetFundingRate(std::optional<double> rate) { funding_rate_ = rate; }
  void SetOpenInterest(std::optional<double> latest, std::optional<double> average) {
    oi_latest_ = latest;
    oi_average_ = average;
  }

  // The snapshot at t from the candles fed so far. NotFound before the first intraday candle;
  // FailedPrecondition when a candle fed closes after t (it would be look-ahead).
  Status Snapshot(UnixMs t, MarketSnapshot& out) const;

 private:
  template <class T>
  struct Ring {
    std::array<T, kSeriesLength> v{};
    int size = 0, head = 0;  // head: index of the oldest
    void Push(T x) {
      if (size < kSeriesLength) {
        v[static_cast<std::size_t>((head + size) % kSeriesLength)] = x;
        ++size;
      } else {
        v[static_cast<std::size_t>(head)] = x;
        head = (head + 1) % kSeriesLength;
      }
    }
    void CopyTo(std::array<T, kSeriesLength>& out) const {
      for (int i = 0; i < size; ++i) out[static_cast<std::size_t>(i)] = v[static_cast<std::size_t>((head + i) % kSeriesLength)];
    }
    T Last() const { return v[static_cast<std::size_t>((head + size - 1) % kSeriesLength)]; }
  };

  LiveCoinFeatures() = default;

  std::string coin_;
  int price_decimals_ = 2;
  UnixMs interval_ = 0, h4_interval_ = 0;
  std::optional<UnixMs> last_open_, h4_last_open_;

  indicators::EmaState ema20_ = indicators::EmaState::Create(20).value();
  indicators::MacdState macd_ = indicators::MacdState::Create(12, 26, 9).value();
  indicators::RsiState rsi7_ = indicators::RsiState::Create(7).value();
  indicators::RsiState rsi14_ = indicators::RsiState::Create(14).value();
  Ring<Price> mid_;
  Ring<double> ema20_ring_, macd_ring_, rsi7_ring_, rsi14_ring_;

  indicators::EmaState h4_ema20_ = indicators::EmaState::Create(20).value();
  indicators::EmaState h4_ema50_ = indicators::EmaState::Create(50).value();
  indicators::AtrState h4_atr3_ = indicators::AtrState::Create(3).value();
  indicators::AtrState h4_atr14_ = indicators::AtrState::Create(14).value();
  indicators::SmaState h4_vol_sma_ = indicators::SmaState::Create(20).value();
  indicators::MacdState h4_macd_ = indicators::MacdState::Create(12, 26, 9).value();
  indicators::RsiState h4_rsi14_ = indicators::RsiState::Create(14).value();
  double h4_e20_ = 0, h4_e50_ = 0, h4_a3_ = 0, h4_a14_ = 0, h4_vol_ = 0, h4_vol_avg_ = 0;
  Ring<double> h4_macd_ring_, h4_rsi14_ring_;

  std::optional<double> funding_rate_, oi_latest_, oi_average_;
};

}  // namespace aitrader::agent
