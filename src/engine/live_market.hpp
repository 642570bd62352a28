// LiveMarket: Binance's live market data as the feed of a runtime (`aitrader serve --market
// binance`, `aitrader run --market binance`) — the same MarketData the replay builds from the
// bundled files, here grown one closed bar at a time.
//
// Open(): the history the indicators need comes over REST first — the intraday klines from
// `warmup_bars` before `from` (default: the last closed bar) up to the last closed one, the 4h
// klines (`warmup_h4_bars` back), the funding settlements (/fapi/v1/fundingRate) — then the
// kline WebSocket stream starts right after the last candle loaded (MarketStream back-fills
// whatever closed in between, so nothing is missed or doubled).
//
// Poll(): moves the stream's closed candles in and returns the bars that are complete, in time
// order: a bar is complete when every symbol has its candle, or `grace_ms` (steady clock) after
// the first candle of that time arrived — then it goes with the symbols that have one (a
// symbol whose candle comes later than that is dropped for that bar, and counted). Each
// complete bar extends the series: the intraday candle; a 4h candle once its last intraday
// candle is in (resampled from the intraday candles when all of the bucket's are there, else
// fetched over REST); the funding settlements due by the bar's close (fetched once due, retried
// at later bars until the venue has published them). After that a new MarketData snapshot is
// built (features recomputed over the series: O(length) per bar); readers keep the snapshot
// they hold (shared_ptr), so nothing changes under them.
//
// Only closed candles are used, and a candle's open time is its identity, so a feed rebuilt
// after a restart over the same period gives the same bars — which the runtime's venue replay
// relies on (Binance's klines are final once closed).
//
// Thread safety: Open/Poll/market from one thread (the runtime's); the stream runs on its own.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/instrument.hpp"
#include "core/status.hpp"
#include "engine/market_data.hpp"
#include "exchange/binance/http_transport.hpp"
#include "exchange/binance/market_stream.hpp"
#include "exchange/binance/rest_client.hpp"

namespace aitrader::engine {

struct LiveMarketOptions {
  std::string rest_url;  // e.g. https://fapi.binance.com (unsigned market-data calls only)
  std::string ws_url;    // e.g. wss://fstream.binance.com
  std::vector<std::string> symbols;
  UnixMs interval = 60 * kMinuteMs;  // a Binance kline interval that divides 4h
  std::size_t warmup_bars = 500;     // intraday candles before `from`
  std::size_t warmup_h4_bars = 200;
  UnixMs funding_history = 30 * kDayMs;
  std::int64_t grace_ms = 15'000;
  exchange::binance::HttpLimits http;
  exchange::binance::WsOptions ws;
  std::function<void(const std::string&)> log;
  // Tests: the transport of the REST calls (null: libcurl).
  std::function<std::unique_ptr<exchange::binance::HttpTransport>()> make_transport;
};

// The live Binance feed of a runtime (engine/service.hpp, engine/runtime.hpp): what the
// command line and the server config choose.
struct LiveFeedOptions {
  std::string name = "binance";  // shown in logs and /api/health
  std::string rest_url;          // market data (unsigned), e.g. https://fapi.binance.com
  std::string ws_url;            // e.g. wss://fstream.binance.com
  std::size_t warmup_bars = 500;
  std::int64_t grace_ms = 15'000;   // a bar waits this long for its other symbols' candles
  std::int64_t venue_poll_ms = 1'000;  // testnet/live bots' venue events are recorded this often
};

class LiveMarket {
 public:
  // `from`: the open time of the first bar the caller will process (a resumed run's start);
  // nullopt: the last closed bar. `wall` is the clock of REST timestamps; both outlive this.
  // Errors: the venue unreachable or answering errors (named), an interval Binance has no
  // klines for, a symbol the venue does not list.
  static Result<std::unique_ptr<LiveMarket>> Open(LiveMarketOptions options, const InstrumentTable& instruments,
                                                  std::optional<UnixMs> from, const Clock& wall);
  ~LiveMarket();

  std::shared_ptr<const MarketData> market() const { return market_; }
  // Open time of the last bar in the data (complete for every symbol or given up on).
  UnixMs last_open() const { return last_open_; }
  // The open time of the first bar Open() loaded for the caller (from, or the last closed bar).
  UnixMs first_open() const { return first_open_; }

  // Starts the kline stream after the candles loaded.
  Status StartStream();
  // The bars completed since the last call (see the header comment), with their symbols
  // indexed as in `sim_symbols`; the new snapshot is market() afterwards. Never an error:
  // a failed REST fetch (4h, funding) is logged and retried later.
  std::vector<MergedBar> Poll(const std::vector<std::string>& sim_symbols);

  std::int64_t stream_connects() const;
  std::int64_t late_candles_dropped() const { return late_dropped_; }
  std::int64_t bad_candles_dropped() const { return bad_candles_; }

 private:
  LiveMarket(LiveMarketOptions options, const InstrumentTable& instruments, const Clock& wall);
  Status LoadHistory(std::optional<UnixMs> from);
  Result<std::vector<market::Candle>> FetchKlines(const std::string& symbol, UnixMs interval, UnixMs from_open,
                                                  UnixMs to_open);
  Status FetchFunding(MarketData::Series& s, UnixMs since);
  void Extend(MarketData::Series& s, const market::Candle& c);
  Status Rebuild();

  LiveMarketOptions options_;
  const InstrumentTable& instruments_;
  const Clock& wall_;
  std::unique_ptr<exchange::binance::RestClient> rest_;
  std::unique_ptr<exchange::binance::MarketStream> stream_;
  std::vector<MarketData::Series> series_;  // the master copies, in options_.symbols order
  std::shared_ptr<const MarketData> market_;
  UnixMs first_open_ = 0, last_open_ = 0;
  struct PendingBar {
    std::map<std::string, market::Candle> candles;
    std::chrono::steady_clock::time_point first_seen;
  };
  std::map<UnixMs, PendingBar> pending_;  // by open time
  std::int64_t late_dropped_ = 0;
  std::int64_t bad_candles_ = 0;
};

}  // namespace aitrader::engine
