// Candle import from CSV (plain or .gz) in the three formats users bring:
//  - kBinanceArchive: Binance's data.binance.vision archive, 12 columns, no header:
//    open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,
//    taker_buy_quote_volume,ignore (some archives do carry a header line; it is skipped).
//  - kHeadered: a header starting timestamp,open,high,low,close,volume[,...] (extra columns
//    ignored), e.g. data/binance-usdm/5m/.
//  - kKlines9: timestamp,open,high,low,close,volume,quote_volume,trades,close_time, with
//    header, e.g. data/binance-usdm/4h/.
// Timestamps in milliseconds or microseconds (Binance's spot archives switched to µs in
// 2025) are detected and normalised to ms.
//
// Validation is all-or-nothing: the first broken rule fails the import with an error that
// names the file, the line and the rule (unparsable number, non-increasing or duplicate
// timestamp, high < low, open/close outside [low, high], negative volume, wrong column
// count). A bad row never yields a half-imported series. Gaps (missing candles) are not
// errors: they are reported in ImportReport::gaps.
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.hpp"
#include "market/candle.hpp"

namespace aitrader::market {

enum class CsvFormat { kAuto, kBinanceArchive, kHeadered, kKlines9 };

struct ImportOptions {
  CsvFormat format = CsvFormat::kAuto;
  std::string symbol;   // stored in the series; default: derived from the file name ("BTCUSDT")
  UnixMs interval = 0;  // expected interval; 0 = detect from the most common timestamp step
};

struct Gap {
  UnixMs from = 0;      // open time of the first missing candle
  UnixMs to = 0;        // open time of the candle after the gap
  std::int64_t missing = 0;  // number of missing candles
};

struct ImportReport {
  std::string source;
  CsvFormat format = CsvFormat::kAuto;  // the format found
  bool microseconds = false;            // timestamps were in µs
  std::size_t rows = 0;
  UnixMs interval = 0;
  std::vector<Gap> gaps;
};

Result<CandleSeries> ParseCandlesCsv(std::string_view text, std::string_view source_name,
                                     const ImportOptions& options = {}, ImportReport* report = nullptr);
Result<CandleSeries> LoadCandlesCsv(const std::string& path, const ImportOptions& options = {},
                                    ImportReport* report = nullptr);

std::string_view ToString(CsvFormat f);

}  // namespace aitrader::market
