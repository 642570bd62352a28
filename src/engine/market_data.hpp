// MarketData: the candles and precomputed indicator features of every symbol a run trades,
// loaded once and shared by all its bots (principle: shared work is done once — a thousand
// bots on BTC use one series and one feature table).
//
// For each symbol: the intraday series at the run's interval, the 4h series (read, or
// resampled from a lower interval when the folder has none), the funding series if any, and
// an agent::CoinFeatures over them (its funding columns from FundingEvents(), the series the
// paper venue charges too) (causal indicator columns: the snapshot at t uses only
// candles closed by t). Bars() merges the intraday candles of all symbols by open time, the
// shape the paper simulator consumes.
// Thread safety: immutable after Load(); share a const reference across threads.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "agent/snapshot.hpp"
#include "core/instrument.hpp"
#include "exchange/paper/simulator.hpp"
#include "market/candle.hpp"
#include "market/funding.hpp"

namespace aitrader::engine {

struct SymbolData {
  std::string symbol;  // "BTCUSDT"
  std::string coin;    // "BTC"
  market::CandleSeries intraday;
  market::CandleSeries h4;
  std::vector<market::FundingSeries> funding;
  std::unique_ptr<agent::CoinFeatures> features;
  // The funding-event series the prompt shows (the first of `funding`), null when none: the
  // paper venue charges the same rates (engine/paper_venue.hpp).
  const market::FundingSeries* FundingEvents() const;
};

// One bar time of the merged feed: the candles of every symbol that has one at open_time.
struct MergedBar {
  UnixMs open_time = 0;
  std::vector<exchange::paper::SymbolBar> bars;  // symbol index = position in MarketData::symbols()
};

class MarketData {
 public:
  // Loads `symbols` from a folder laid out as data/binance-usdm (see market/data_dir.hpp).
  // Errors name the symbol and the file.
  static Result<std::shared_ptr<const MarketData>> Load(const std::string& data_dir,
                                                        const std::vector<std::string>& symbols, UnixMs interval,
                                                        const InstrumentTable& instruments);

  // The series of one symbol, as read from a folder or received from a venue.
  struct Series {
    std::string symbol;  // "BTCUSDT"
    market::CandleSeries intraday, h4;
    std::vector<market::FundingSeries> funding;
  };
  // Builds the data (and its features) from series already in memory — what Load does once it
  // has read the files, and what the live feed (engine/live_market.hpp) does at every bar.
  // Errors name the symbol.
  static Result<std::shared_ptr<const MarketData>> FromSeries(std::vector<Series> series, UnixMs interval,
                                                              const InstrumentTable& instruments);

  const std::vector<SymbolData>& symbols() const { return symbols_; }
  const SymbolData* Find(std::string_view symbol) const;
  UnixMs interval() const { return interval_; }

  // [the earliest open time, the latest close time) over every symbol's intraday candles: the
  // span a replay can cover. InvalidArgument naming the symbol when one has no candles.
  struct Span {
    UnixMs from = 0, to = 0;
  };
  Result<Span> DataSpan() const;

  // Bars with open_time in [from, to), merged across symbols and in time order. Symbol indices
  // follow the order of `sim_symbols` (the simulator's symbol list); symbols not listed there
  // are skipped.
  std::vector<MergedBar> Bars(UnixMs from, UnixMs to, const std::vector<std::string>& sim_symbols) const;

 private:
  UnixMs interval_ = 0;
  std::vector<SymbolData> symbols_;
};

}  // namespace aitrader::engine
