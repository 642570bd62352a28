#include "agent/live_features.hpp"

namespace aitrader::agent {

Result<LiveCoinFeatures> LiveCoinFeatures::Create(std::string coin, int price_decimals, UnixMs interval,
                                                  UnixMs h4_interval) {
  if (interval <= 0 || h4_interval <= 0) return InvalidArgument(coin + ": intervals must be positive");
  LiveCoinFeatures f;
  f.coin_ = std::move(coin);
  f.price_decimals_ = price_decimals;
  f.interval_ = interval;
  f.h4_interval_ = h4_interval;
  return f;
}

Status LiveCoinFeatures::AddIntraday(const market::Candle& c) {
  if (last_open_ && c.open_time <= *last_open_) {
    return InvalidArgument(coin_ + ": intraday candle at " + FormatUtc(c.open_time) + " is not after the previous one");
  }
  last_open_ = c.open_time;
  const double close = c.close.ToDouble();
  mid_.Push(c.close);
  ema20_ring_.Push(ema20_.Update(close));
  macd_ring_.Push(macd_.Update(close).macd);
  rsi7_ring_.Push(rsi7_.Update(close));
  rsi14_ring_.Push(rsi14_.Update(close));
  return Status::Ok();
}

Status LiveCoinFeatures::Add4h(const market::Candle& c) {
  if (h4_last_open_ && c.open_time <= *h4_last_open_) {
    return InvalidArgument(coin_ + ": 4h candle at " + FormatUtc(c.open_time) + " is not after the previous one");
  }
  h4_last_open_ = c.open_time;
  const double close = c.close.ToDouble(), high = c.high.ToDouble(), low = c.low.ToDouble();
  h4_e20_ = h4_ema20_.Update(close);
  h4_e50_ = h4_ema50_.Update(close);
  h4_a3_ = h4_atr3_.Update(high, low, close);
  h4_a14_ = h4_atr14_.Update(high, low, close);
  h4_vol_ = c.volume;
  h4_vol_avg_ = h4_vol_sma_.Update(c.volume);
  h4_macd_ring_.Push(h4_macd_.Update(close).macd);
  h4_rsi14_ring_.Push(h4_rsi14_.Update(close));
  return Status::Ok();
}

Status LiveCoinFeatures::Snapshot(UnixMs t, MarketSnapshot& out) const {
  if (!last_open_) return NotFound(coin_ + ": no intraday candle yet");
  if (*last_open_ + interval_ > t || (h4_last_open_ && *h4_last_open_ + h4_interval_ > t)) {
    return FailedPrecondition(coin_ + ": a candle fed closes after " + FormatUtc(t) + " (look-ahead)");
  }
  out.coin = coin_;
  out.price_decimals = price_decimals_;
  out.as_of = t;
  out.interval = interval_;
  out.last_close_time = *last_open_ + interval_;
  out.current_price = mid_.Last();
  out.ema20 = ema20_ring_.Last();
  out.macd = macd_ring_.Last();
  out.rsi7 = rsi7_ring_.Last();
  out.open_interest_latest = oi_latest_;
  out.open_interest_average = oi_average_;
  out.funding_rate = funding_rate_;
  out.series_length = mid_.size;
  mid_.CopyTo(out.mid_prices);
  ema20_ring_.CopyTo(out.ema20_series);
  macd_ring_.CopyTo(out.macd_series);
  rsi7_ring_.CopyTo(out.rsi7_series);
  rsi14_ring_.CopyTo(out.rsi14_series);
  out.has_4h = h4_last_open_.has_value();
  if (out.has_4h) {
    out.h4_last_close_time = *h4_last_open_ + h4_interval_;
    out.h4_ema20 = h4_e20_;
    out.h4_ema50 = h4_e50_;
    out.h4_atr3 = h4_a3_;
    out.h4_atr14 = h4_a14_;
    out.h4_volume = h4_vol_;
    out.h4_volume_average = h4_vol_avg_;
    out.h4_series_length = h4_macd_ring_.size;
    h4_macd_ring_.CopyTo(out.h4_macd_series);
    h4_rsi14_ring_.CopyTo(out.h4_rsi14_series);
  } else {
    out.h4_last_close_time = 0;
    out.h4_series_length = 0;
  }
  return Status::Ok();
}

}  // namespace aitrader::agent
