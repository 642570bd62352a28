// MarketStream: Binance's kline and mark-price WebSocket streams for a set of symbols at one
// interval, turned into a gap-free sequence of closed candles.
//
// Streams: <base>/market/stream?streams=<sym>@kline_<interval>/<sym>@markPrice (the URL layout
// since April 2026; the base is configurable). Only closed klines ("x": true) are delivered.
// Never missed, never doubled: per symbol the open time of the last delivered candle is kept;
// a kline at or before it is dropped; a kline after a gap first back-fills the missing candles
// over REST (GET /fapi/v1/klines, startTime..endTime); after every reconnect the candles closed
// while disconnected are back-filled the same way before live ones. Heartbeat and reconnect are
// the WsClient's.
//
// Thread safety: Start/Stop/Poll*/LatestMark may be called from any thread; the stream and its
// back-fills run on the WebSocket thread.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "exchange/binance/rest_client.hpp"
#include "exchange/binance/wire.hpp"
#include "exchange/binance/ws_client.hpp"
#include "market/candle.hpp"

namespace aitrader::exchange::binance {

struct MarketStreamOptions {
  std::string ws_url;                 // base, e.g. wss://fstream.binance.com
  std::vector<std::string> symbols;   // "BTCUSDT"
  UnixMs interval = 60'000;
  WsOptions ws;
  std::size_t max_queue = 100'000;
};

struct ClosedCandle {
  std::string symbol;
  market::Candle candle;
  bool backfilled = false;  // came over REST (a gap or a reconnect), not the stream
};

class MarketStream {
 public:
  // `rest` (for back-fills) must outlive the stream.
  MarketStream(MarketStreamOptions options, RestClient& rest);
  ~MarketStream();

  // resume_after: per symbol, the open time of the last candle the caller already has (the
  // stream back-fills from the next one); symbols not named start with the first live candle.
  Status Start(const std::map<std::string, UnixMs>& resume_after = {});
  void Stop();

  std::size_t PollCandles(std::vector<ClosedCandle>& out, std::size_t max);
  std::optional<MarkPriceEvent> LatestMark(const std::string& symbol) const;
  std::int64_t connects() const;
  std::int64_t backfilled() const;
  std::vector<std::string> errors() const;  // back-fill and parse failures, most recent last

 private:
  void OnOpen();
  void OnMessage(const std::string& text);
  void Backfill(const std::string& symbol, UnixMs from_open, UnixMs to_open);  // under mu_
  void Deliver(const std::string& symbol, const market::Candle& c, bool backfilled);  // under mu_

  MarketStreamOptions options_;
  RestClient& rest_;
  std::unique_ptr<WsClient> ws_;
  mutable std::mutex mu_;
  std::map<std::string, UnixMs> last_;  // symbol → open time of the last delivered candle
  std::map<std::string, MarkPriceEvent> marks_;
  std::deque<ClosedCandle> queue_;
  std::int64_t opens_ = 0, backfilled_ = 0;
  std::vector<std::string> errors_;
};

}  // namespace aitrader::exchange::binance
