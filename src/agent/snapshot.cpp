#include "agent/snapshot.hpp"

#include <algorithm>
#include <cstring>
#include <type_traits>

#include "indicators/batch.hpp"
#include "market/funding.hpp"

namespace aitrader::agent {

namespace ind = aitrader::indicators;

std::size_t ClosedCount(const market::CandleSeries& series, UnixMs t) {
  const auto& ot = series.open_time();
  const UnixMs interval = series.interval();
  // open_time + interval <= t  ⇔  open_time <= t − interval.
  return static_cast<std::size_t>(std::upper_bound(ot.begin(), ot.end(), t - interval) - ot.begin());
}

namespace {

std::vector<double> Column(std::size_t n) { return std::vector<double>(n); }

// std::upper_bound(v, x) as an index, for a sorted v whose values are (nearly) evenly spaced by
// `step`: the index is computed from the spacing and verified against its two neighbours (which
// pins the upper bound uniquely); when the data is irregular there (a gap), binary search.
std::size_t UpperIndex(const std::vector<UnixMs>& v, UnixMs x, UnixMs step) {
  const std::size_t n = v.size();
  if (n == 0 || x < v.front()) return 0;
  if (x >= v.back()) return n;
  // Here v[0] <= x < v[n-1]: the answer is in [1, n-1].
  if (step > 0) {
    const std::uint64_t k = (static_cast<std::uint64_t>(x) - static_cast<std::uint64_t>(v.front())) /
                            static_cast<std::uint64_t>(step);
    const std::size_t g = k >= n - 1 ? n - 1 : static_cast<std::size_t>(k) + 1;
    if (v[g - 1] > x) {
      if (g > 1 && v[g - 2] <= x) return g - 1;  // the guess is one too high (jittered or irregular times)
    } else if (v[g] > x) {
      return g;
    } else if (g + 1 < n && v[g + 1] > x) {
      return g + 1;  // the guess is one too low
    }
  }
  return static_cast<std::size_t>(std::upper_bound(v.begin(), v.end(), x) - v.begin());
}

template <class T>
void CopyLast(const std::vector<T>& src, std::size_t end, int count, std::array<T, kSeriesLength>& dst) {
  const std::size_t begin = end - static_cast<std::size_t>(count);
  if constexpr (std::is_trivially_copyable_v<T>) {
    if (count == kSeriesLength) {  // the usual case: a fixed-size copy the compiler inlines
      std::memcpy(dst.data(), src.data() + begin, sizeof(T) * kSeriesLength);
      return;
    }
  }
  for (int i = 0; i < count; ++i) dst[static_cast<std::size_t>(i)] = src[begin + static_cast<std::size_t>(i)];
}

}  // namespace

Result<CoinFeatures> CoinFeatures::Build(std::string coin, int price_decimals, const market::CandleSeries& intraday,
                                         const market::CandleSeries& h4, const market::FundingSeries* funding) {
  if (intraday.empty()) return InvalidArgument(coin + ": no intraday candles");
  if (intraday.interval() <= 0) return InvalidArgument(coin + ": intraday series has no interval");
  if (!h4.empty() && h4.interval() <= 0) return InvalidArgument(coin + ": 4h series has no interval");
  CoinFeatures f;
  f.coin_ = std::move(coin);
  f.price_decimals_ = price_decimals;
  f.interval_ = intraday.interval();
  f.h4_interval_ = h4.interval();
  f.open_time_ = intraday.open_time();
  f.close_ = intraday.close();

  const std::size_t n = intraday.size();
  std::vector<double> close = intraday.CloseF64();
  f.ema20_ = Column(n);
  f.macd_ = Column(n);
  f.rsi7_ = Column(n);
  f.rsi14_ = Column(n);
  std::vector<double> sig = Column(n), hist = Column(n);
  AITRADER_RETURN_IF_ERROR(ind::Ema(close, 20, f.ema20_));
  AITRADER_RETURN_IF_ERROR(ind::Macd(close, 12, 26, 9, f.macd_, sig, hist));
  AITRADER_RETURN_IF_ERROR(ind::Rsi(close, 7, f.rsi7_));
  AITRADER_RETURN_IF_ERROR(ind::Rsi(close, 14, f.rsi14_));

  const std::size_t m = h4.size();
  if (m > 0) {
    f.h4_open_time_ = h4.open_time();
    std::vector<double> hc = h4.CloseF64(), hh = h4.HighF64(), hl = h4.LowF64();
    f.h4_volume_ = h4.volume();
    f.h4_ema20_ = Column(m);
    f.h4_ema50_ = Column(m);
    f.h4_atr3_ = Column(m);
    f.h4_atr14_ = Column(m);
    f.h4_volume_avg_ = Column(m);
    f.h4_macd_ = Column(m);
    f.h4_rsi14_ = Column(m);
    std::vector<double> hsig = Column(m), hhist = Column(m);
    AITRADER_RETURN_IF_ERROR(ind::Ema(hc, 20, f.h4_ema20_));
    AITRADER_RETURN_IF_ERROR(ind::Ema(hc, 50, f.h4_ema50_));
    AITRADER_RETURN_IF_ERROR(ind::Atr(hh, hl, hc, 3, f.h4_atr3_));
    AITRADER_RETURN_IF_ERROR(ind::Atr(hh, hl, hc, 14, f.h4_atr14_));
    AITRADER_RETURN_IF_ERROR(ind::Sma(f.h4_volume_, 20, f.h4_volume_avg_));
    AITRADER_RETURN_IF_ERROR(ind::Macd(hc, 12, 26, 9, f.h4_macd_, hsig, hhist));
    AITRADER_RETURN_IF_ERROR(ind::Rsi(hc, 14, f.h4_rsi14_));
  }
  if (funding != nullptr) {
    f.funding_time_ = funding->funding_time();
    f.funding_rate_.reserve(funding->size());
    for (Ratio r : funding->rate()) f.funding_rate_.push_back(r.ToDouble());
    const std::size_t nf = f.funding_time_.size();
    if (nf >= 2 && f.funding_time_.back() > f.funding_time_.front()) {
      f.funding_step_ = (f.funding_time_.back() - f.funding_time_.front()) / static_cast<UnixMs>(nf - 1);
    }
  }
  return f;
}

UnixMs CoinFeatures::first_time() const { return open_time_.empty() ? 0 : open_time_.front() + interval_; }
UnixMs CoinFeatures::last_time() const { return open_time_.empty() ? 0 : open_time_.back() + interval_; }

Status CoinFeatures::At(UnixMs t, MarketSnapshot& out) const {
  const std::size_t end = UpperIndex(open_time_, t - interval_, interval_);
  if (end == 0) return NotFound(coin_ + ": no intraday candle has closed by " + FormatUtc(t));
  if (out.coin != coin_) out.coin = coin_;
  out.price_decimals = price_decimals_;
  out.as_of = t;
  out.interval = interval_;
  out.last_close_time = open_time_[end - 1] + interval_;
  out.current_price = close_[end - 1];
  out.ema20 = ema20_[end - 1];
  out.macd = macd_[end - 1];
  out.rsi7 = rsi7_[end - 1];
  out.open_interest_latest.reset();
  out.open_interest_average.reset();
  out.funding_rate.reset();
  if (!funding_time_.empty()) {
    const std::size_t k = UpperIndex(funding_time_, t, funding_step_);
    if (k > 0) out.funding_rate = funding_rate_[k - 1];
  }
  const int len = static_cast<int>(std::min<std::size_t>(end, kSeriesLength));
  out.series_length = len;
  CopyLast(close_, end, len, out.mid_prices);
  CopyLast(ema20_, end, len, out.ema20_series);
  CopyLast(macd_, end, len, out.macd_series);
  CopyLast(rsi7_, end, len, out.rsi7_series);
  CopyLast(rsi14_, end, len, out.rsi14_series);

  const std::size_t h4_end = h4_open_time_.empty() ? 0 : UpperIndex(h4_open_time_, t - h4_interval_, h4_interval_);
  out.has_4h = h4_end > 0;
  if (out.has_4h) {
    const std::size_t k = h4_end - 1;
    out.h4_last_close_time = h4_open_time_[k] + h4_interval_;
    out.h4_ema20 = h4_ema20_[k];
    out.h4_ema50 = h4_ema50_[k];
    out.h4_atr3 = h4_atr3_[k];
    out.h4_atr14 = h4_atr14_[k];
    out.h4_volume = h4_volume_[k];
    out.h4_volume_average = h4_volume_avg_[k];
    const int hlen = static_cast<int>(std::min<std::size_t>(h4_end, kSeriesLength));
    out.h4_series_length = hlen;
    CopyLast(h4_macd_, h4_end, hlen, out.h4_macd_series);
    CopyLast(h4_rsi14_, h4_end, hlen, out.h4_rsi14_series);
  } else {
    out.h4_last_close_time = 0;
    out.h4_series_length = 0;
  }
  return Status::Ok();
}

Result<MarketSnapshot> CoinFeatures::At(UnixMs t) const {
  MarketSnapshot s;
  AITRADER_RETURN_IF_ERROR(At(t, s));
  return s;
}

namespace {

market::CandleSeries ClosedBy(const market::CandleSeries& series, UnixMs t) {
  const std::size_t n = series.empty() ? 0 : ClosedCount(series, t);
  market::CandleSeries out(series.symbol(), series.interval());
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) out.push_back(series[i]);
  return out;
}

}  // namespace

Result<MarketSnapshot> BuildSnapshot(std::string coin, int price_decimals, const market::CandleSeries& intraday,
                                     const market::CandleSeries& h4, UnixMs t, const market::FundingSeries* funding) {
  market::CandleSeries closed = ClosedBy(intraday, t);
  if (closed.empty()) return NotFound(coin + ": no intraday candle has closed by " + FormatUtc(t));
  market::CandleSeries closed_h4 = ClosedBy(h4, t);
  AITRADER_ASSIGN_OR_RETURN(CoinFeatures f, CoinFeatures::Build(std::move(coin), price_decimals, closed, closed_h4, funding));
  return f.At(t);
}

}  // namespace aitrader::agent
