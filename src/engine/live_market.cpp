#include "engine/live_market.hpp"

#include <algorithm>

#include "exchange/binance/convert.hpp"
#include "exchange/binance/wire.hpp"
#include "market/resample.hpp"

namespace aitrader::engine {

namespace bn = exchange::binance;

namespace {

constexpr UnixMs kH4 = 4 * kHourMs;
constexpr std::size_t kKlinesPerCall = 1500;  // Binance's maximum `limit`

bool IsLiveInterval(UnixMs i) {
  // Binance kline intervals that divide 4h (the 4h series is resampled from them).
  for (UnixMs m : {1, 3, 5, 15, 30, 60, 120, 240}) {
    if (i == m * kMinuteMs) return true;
  }
  return false;
}

// A candle a venue may send: positive prices, low <= open, close <= high.
bool Plausible(const market::Candle& c) {
  return c.low.IsPositive() && c.low <= c.high && c.open >= c.low && c.open <= c.high && c.close >= c.low &&
         c.close <= c.high && c.volume >= 0;
}

int KlineWeight(std::size_t limit) { return limit < 100 ? 1 : limit < 500 ? 2 : limit <= 1000 ? 5 : 10; }

// The most common step between settlements (8h for the majors); 8h with fewer than two.
UnixMs FundingStep(const market::FundingSeries& f) {
  std::map<UnixMs, int> steps;
  for (std::size_t i = 1; i < f.size(); ++i) ++steps[f.funding_time()[i] - f.funding_time()[i - 1]];
  UnixMs best = 8 * kHourMs;
  int n = 0;
  for (const auto& [step, count] : steps) {
    if (count > n && step > 0) best = step, n = count;
  }
  return best;
}

}  // namespace

LiveMarket::LiveMarket(LiveMarketOptions options, const InstrumentTable& instruments, const Clock& wall)
    : options_(std::move(options)), instruments_(instruments), wall_(wall) {}

LiveMarket::~LiveMarket() {
  if (stream_) stream_->Stop();
}

Result<std::unique_ptr<LiveMarket>> LiveMarket::Open(LiveMarketOptions options, const InstrumentTable& instruments,
                                                      std::optional<UnixMs> from, const Clock& wall) {
  if (!IsLiveInterval(options.interval)) {
    return InvalidArgument("the live feed trades 1m, 3m, 5m, 15m, 30m, 1h, 2h or 4h bars, not " +
                           FormatInterval(options.interval));
  }
  if (options.symbols.empty()) return InvalidArgument("the live feed needs at least one symbol");
  auto live = std::unique_ptr<LiveMarket>(new LiveMarket(std::move(options), instruments, wall));
  LiveMarketOptions& o = live->options_;
  bn::RestOptions ro;
  ro.base_url = o.rest_url;
  while (!ro.base_url.empty() && ro.base_url.back() == '/') ro.base_url.pop_back();
  ro.http = o.http;
  auto transport = o.make_transport ? o.make_transport() : bn::MakeCurlTransport();
  live->rest_ = std::make_unique<bn::RestClient>(ro, "", bn::Secret(""), std::move(transport), wall);
  if (Status s = live->rest_->SyncTime(); !s.ok()) return s.WithContext("Binance market data at " + ro.base_url);
  AITRADER_RETURN_IF_ERROR(live->LoadHistory(from));
  return live;
}

Result<std::vector<market::Candle>> LiveMarket::FetchKlines(const std::string& symbol, UnixMs interval,
                                                            UnixMs from_open, UnixMs to_open) {
  std::vector<market::Candle> out;
  const UnixMs now = rest_->ServerNowMs();
  while (from_open <= to_open) {
    const std::size_t want =
        std::min<std::size_t>(kKlinesPerCall, static_cast<std::size_t>((to_open - from_open) / interval + 1));
    bn::Params p;
    p.Add("symbol", symbol).Add("interval", FormatInterval(interval));
    p.Add("startTime", std::to_string(from_open)).Add("endTime", std::to_string(to_open));
    p.Add("limit", std::to_string(want));
    bn::RestRequest r;
    r.path = "/fapi/v1/klines";
    r.params = std::move(p);
    r.weight = KlineWeight(want);
    auto body = rest_->Call(r);
    if (!body.ok()) return body.status().WithContext(symbol + " " + FormatInterval(interval) + " klines");
    auto klines = bn::ParseKlines(*body);
    if (!klines.ok()) return klines.status().WithContext(symbol + " " + FormatInterval(interval) + " klines");
    if (klines->empty()) break;
    for (const auto& k : *klines) {
      if (k.open_time < from_open || k.open_time > to_open) continue;
      if (k.open_time + interval > now) break;  // still open
      if (k.open_time % interval != 0) {
        return InvalidArgument(symbol + " kline at " + std::to_string(k.open_time) + " is not on the " +
                               FormatInterval(interval) + " grid");
      }
      if (!out.empty() && k.open_time <= out.back().open_time) continue;  // the venue repeated one
      const market::Candle c = bn::ToCandle(k);
      if (!Plausible(c)) {
        return InvalidArgument(symbol + " kline at " + FormatUtc(k.open_time) +
                               " is not a candle (low above high, a price outside its range, or a negative volume)");
      }
      out.push_back(c);
    }
    const UnixMs next = klines->back().open_time + interval;
    if (next <= from_open) break;  // no progress: the venue ignored startTime
    from_open = next;
  }
  return out;
}

Status LiveMarket::FetchFunding(MarketData::Series& s, UnixMs since) {
  bn::Params p;
  p.Add("symbol", s.symbol).Add("startTime", std::to_string(since)).Add("limit", "1000");
  bn::RestRequest r;
  r.path = "/fapi/v1/fundingRate";
  r.params = std::move(p);
  auto body = rest_->Call(r);
  if (!body.ok()) return body.status().WithContext(s.symbol + " funding rates");
  auto records = bn::ParseFundingRates(*body);
  if (!records.ok()) return records.status().WithContext(s.symbol + " funding rates");
  std::sort(records->begin(), records->end(),
            [](const bn::FundingRateRecord& a, const bn::FundingRateRecord& b) { return a.funding_time < b.funding_time; });
  if (s.funding.empty()) s.funding.emplace_back(s.symbol, market::FundingSeries::Kind::kEvents);
  market::FundingSeries& f = s.funding.front();
  for (const auto& rec : *records) {
    // Binance stamps a settlement a few ms after its hour: the funding time is the hour.
    const UnixMs hour = (rec.funding_time + kHourMs / 2) / kHourMs * kHourMs;
    if (!f.empty() && hour <= f.funding_time().back()) continue;
    if (rec.funding_rate >= Ratio::FromUnits(1) || rec.funding_rate <= Ratio::FromUnits(-1)) {
      return InvalidArgument(s.symbol + " funding rate " + rec.funding_rate.ToString() + " at " +
                             std::to_string(rec.funding_time) + " is not a rate");
    }
    f.push_back({rec.funding_time, hour, rec.funding_rate});
  }
  f.set_interval(FundingStep(f));
  return Status::Ok();
}

Status LiveMarket::LoadHistory(std::optional<UnixMs> from) {
  const UnixMs now = rest_->ServerNowMs();
  const UnixMs interval = options_.interval;
  // A new run starts at the newest bar the venue has closed (by its own clock); a resumed one
  // at its stored start.
  const UnixMs last_closed = FloorTo(now, interval) - interval;
  UnixMs newest = INT64_MAX;
  if (!from) {
    for (const auto& sym : options_.symbols) {
      // The venue's newest klines (no startTime: the most recent, the open one included).
      bn::Params p;
      p.Add("symbol", sym).Add("interval", FormatInterval(interval)).Add("limit", "3");
      bn::RestRequest r;
      r.path = "/fapi/v1/klines";
      r.params = std::move(p);
      auto body = rest_->Call(r);
      if (!body.ok()) return body.status().WithContext(sym + " klines");
      auto klines = bn::ParseKlines(*body);
      if (!klines.ok()) return klines.status().WithContext(sym + " klines");
      std::optional<UnixMs> last;
      for (const auto& k : *klines) {
        if (k.open_time + interval <= now && k.open_time % interval == 0) last = std::max(last.value_or(k.open_time), k.open_time);
      }
      if (!last) return NotFound(sym + ": the venue has no closed " + FormatInterval(interval) + " candle");
      newest = std::min(newest, *last);
    }
  }
  first_open_ = from ? std::min(FloorTo(*from, interval), last_closed) : newest;
  const UnixMs intraday_from = first_open_ - static_cast<UnixMs>(options_.warmup_bars) * interval;
  const UnixMs h4_from = FloorTo(first_open_, kH4) - static_cast<UnixMs>(options_.warmup_h4_bars) * kH4;
  for (const auto& sym : options_.symbols) {
    if (instruments_.Find(sym) == nullptr) return NotFound("unknown instrument " + sym);
    MarketData::Series s;
    s.symbol = sym;
    s.intraday = market::CandleSeries(sym, interval);
    s.h4 = market::CandleSeries(sym, kH4);
    auto intraday = FetchKlines(sym, interval, intraday_from, last_closed);
    if (!intraday.ok()) return intraday.status();
    if (intraday->empty() || intraday->back().open_time < first_open_) {
      return NotFound(sym + ": the venue has no closed " + FormatInterval(interval) + " candle since " +
                      FormatUtc(first_open_));
    }
    for (const auto& c : *intraday) s.intraday.push_back(c);
    auto h4 = FetchKlines(sym, kH4, h4_from, FloorTo(now, kH4) - kH4);
    if (!h4.ok()) return h4.status();
    for (const auto& c : *h4) s.h4.push_back(c);
    if (Status f = FetchFunding(s, first_open_ - options_.funding_history); !f.ok()) {
      // Funding shows in the prompt only; a venue without the history still trades.
      if (options_.log) options_.log("live feed: " + f.message() + " (the prompt shows no funding until it loads)");
    }
    series_.push_back(std::move(s));
  }
  // The last bar every symbol has (a symbol that lags starts its stream where its data ends).
  last_open_ = INT64_MAX;
  for (const auto& s : series_) last_open_ = std::min(last_open_, s.intraday.open_time().back());
  return Rebuild();
}

Status LiveMarket::Rebuild() {
  auto md = MarketData::FromSeries(series_, options_.interval, instruments_);
  if (!md.ok()) return md.status().WithContext("live market data");
  market_ = std::move(*md);
  return Status::Ok();
}

Status LiveMarket::StartStream() {
  if (stream_) return FailedPrecondition("the live stream runs already");
  bn::MarketStreamOptions so;
  so.ws_url = options_.ws_url;
  so.symbols = options_.symbols;
  so.interval = options_.interval;
  so.ws = options_.ws;
  stream_ = std::make_unique<bn::MarketStream>(so, *rest_);
  std::map<std::string, UnixMs> resume;
  for (const auto& s : series_) resume[s.symbol] = s.intraday.open_time().back();
  return stream_->Start(resume);
}

std::int64_t LiveMarket::stream_connects() const { return stream_ ? stream_->connects() : 0; }

void LiveMarket::Extend(MarketData::Series& s, const market::Candle& c) {
  s.intraday.push_back(c);
  const UnixMs interval = options_.interval;
  // A 4h candle ends with this one: from the bucket's intraday candles, else from the venue.
  const UnixMs bucket = FloorTo(c.open_time, kH4);
  if (c.open_time + interval == bucket + kH4 && (s.h4.empty() || s.h4.open_time().back() < bucket)) {
    const auto slice = s.intraday.Slice(bucket, bucket + kH4);
    std::optional<market::Candle> h4;
    if (static_cast<UnixMs>(slice.size()) * interval == kH4) {
      auto r = market::Resample(slice, kH4);
      if (r.ok() && r->size() == 1) h4 = r->back();
    }
    if (!h4) {
      auto fetched = FetchKlines(s.symbol, kH4, bucket, bucket);
      if (fetched.ok() && fetched->size() == 1) {
        h4 = fetched->front();
      } else if (options_.log) {
        options_.log("live feed: " + s.symbol + " 4h candle of " + FormatUtc(bucket) + " is missing (" +
                     (fetched.ok() ? std::string("not served") : fetched.status().message()) + ")");
      }
    }
    if (h4) s.h4.push_back(*h4);
  }
  // Funding settlements due by this bar's close.
  const UnixMs close = c.open_time + interval;
  const market::FundingSeries* f = s.funding.empty() ? nullptr : &s.funding.front();
  const UnixMs last = f == nullptr || f->empty() ? close - options_.funding_history : f->funding_time().back();
  const UnixMs step = f == nullptr ? 8 * kHourMs : FundingStep(*f);
  if (close >= last + step) {
    if (Status st = FetchFunding(s, last + 1); !st.ok() && options_.log) {
      options_.log("live feed: " + st.message() + " (retried at the next bar)");
    }
  }
}

std::vector<MergedBar> LiveMarket::Poll(const std::vector<std::string>& sim_symbols) {
  std::vector<MergedBar> out;
  if (!stream_) return out;
  std::vector<bn::ClosedCandle> candles;
  stream_->PollCandles(candles, 100'000);
  const auto now = std::chrono::steady_clock::now();
  for (auto& c : candles) {
    if (!Plausible(c.candle) || c.candle.open_time % options_.interval != 0) {
      ++bad_candles_;
      if (options_.log) options_.log("live feed: dropped an implausible " + c.symbol + " candle at " + FormatUtc(c.candle.open_time));
      continue;
    }
    if (c.candle.open_time <= last_open_) {
      ++late_dropped_;  // its bar went without it (or it is one the history already had)
      continue;
    }
    auto [it, fresh] = pending_.try_emplace(c.candle.open_time);
    if (fresh) it->second.first_seen = now;
    it->second.candles[c.symbol] = c.candle;
  }
  std::vector<UnixMs> done;
  while (!pending_.empty()) {
    auto& [open, bar] = *pending_.begin();
    const bool complete = bar.candles.size() == options_.symbols.size();
    const bool given_up = now - bar.first_seen >= std::chrono::milliseconds(options_.grace_ms);
    // A later bar already complete means this one's missing candles are not coming.
    const bool overtaken = std::any_of(std::next(pending_.begin()), pending_.end(), [&](const auto& kv) {
      return kv.second.candles.size() == options_.symbols.size();
    });
    if (!complete && !given_up && !overtaken) break;
    if (!complete && options_.log) {
      options_.log("live feed: the bar of " + FormatUtc(open) + " goes with " + std::to_string(bar.candles.size()) +
                   " of " + std::to_string(options_.symbols.size()) + " symbols (the others' candles are late)");
    }
    for (auto& s : series_) {
      auto c = bar.candles.find(s.symbol);
      if (c != bar.candles.end()) Extend(s, c->second);
    }
    last_open_ = open;
    done.push_back(open);
    pending_.erase(pending_.begin());
  }
  if (done.empty()) return out;
  if (Status s = Rebuild(); !s.ok()) {
    // The series only grew by closed candles; a failure here is the engine's own bug.
    AITRADER_CHECK(false, s.message().c_str());
  }
  for (const UnixMs open : done) {
    auto bars = market_->Bars(open, open + options_.interval, sim_symbols);
    if (!bars.empty()) out.push_back(std::move(bars.front()));
  }
  return out;
}

}  // namespace aitrader::engine
