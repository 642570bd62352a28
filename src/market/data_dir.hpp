// A folder of market data laid out as data/binance-usdm/ is:
//   DIR/<interval>/<SYMBOL>.csv[.gz]      candles ("5m", "1h", "4h", ... as ParseInterval reads)
//   DIR/funding/<SYMBOL>_*.csv[.gz]       funding events and/or daily funding statistics
//
// LoadCandles(symbol, interval) reads DIR/<interval>/<SYMBOL>.csv(.gz) when it exists
// (plain .csv preferred when both exist). Otherwise it resamples from the lowest available
// interval that divides the requested one (e.g. 15m from 5m, 2h from 1h if there is no 5m),
// with the resampling rules of market/resample.hpp (incomplete buckets dropped unless
// options say otherwise). The file's candles are validated against the folder's interval.
//
// Thread safety: a DataDir holds only its path; calls read the file system and may run
// concurrently.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.hpp"
#include "market/candle.hpp"
#include "market/csv.hpp"
#include "market/funding.hpp"
#include "market/resample.hpp"

namespace aitrader::market {

struct DirLoadReport {
  std::string path;          // the candle file read
  UnixMs file_interval = 0;  // its interval
  bool resampled = false;    // true when the series was resampled from file_interval
  ImportReport import;
  ResampleReport resample;
};

class DataDir {
 public:
  explicit DataDir(std::string root) : root_(std::move(root)) {}
  const std::string& root() const { return root_; }

  // Intervals with a candle file for symbol, ascending.
  std::vector<UnixMs> Intervals(std::string_view symbol) const;
  // Symbols with a candle file at some interval, sorted.
  std::vector<std::string> Symbols() const;

  // The symbol's candles at interval (see above). NotFound when neither the interval nor a
  // divisor of it exists for the symbol; parse errors of the file as LoadCandlesCsv gives them.
  Result<CandleSeries> LoadCandles(std::string_view symbol, UnixMs interval, const ResampleOptions& options = {},
                                   DirLoadReport* report = nullptr) const;

  // Every DIR/funding/<SYMBOL>_*.csv[.gz], parsed; events before daily statistics, then by
  // file name. Empty when there is none (not an error).
  Result<std::vector<FundingSeries>> LoadFunding(std::string_view symbol) const;

 private:
  // The candle file for (symbol, interval), or "" when absent.
  std::string CandleFile(std::string_view symbol, UnixMs interval) const;

  std::string root_;
};

}  // namespace aitrader::market
