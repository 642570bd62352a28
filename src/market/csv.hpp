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
// Detection (kAuto): a first line that does not start with a digit is a header. A header of
// 12 columns ending in "ignore" (or starting "open_time") is kBinanceArchive; a header of 9
// columns ending quote_volume,trades,close_time is kKlines9; any other header whose first six
// columns are timestamp,open,high,low,close,volume is kHeadered. Without a header, 12 columns
// is kBinanceArchive and anything else is an error. Every row must have the same number of
// columns as the header (12 for the archive). A UTF-8 byte-order mark, CRLF line endings and
// trailing newlines / blank lines at the end of the file are accepted; a blank line between
// rows is an error.
//
// Timestamps: a value >= 1e14 is taken as µs and divided by 1000 (a ms value that large is
// the year 5138; a µs value below it is before 1973), per row.
//
// Rules checked per row, in this order, each error "<source>:<line>: <what>": wrong column
// count; unparsable number (names the column); timestamp not after the previous one
// (duplicate or non-increasing); price not positive; high < low; open or close outside
// [low, high]; negative volume. Then over the series: a step between timestamps that is not
// a multiple of the interval. Empty file (no candle rows) is an error too.
//
// Interval: options.interval, or the most common step between consecutive timestamps (the
// smallest among ties); 0 when there is a single candle.
//
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
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

// Parses candle CSV text. source_name names the text in errors ("<source>:<line>: ...") and
// gives the default symbol. On success the series carries the symbol and interval, and
// *report (if given) is filled; on failure *report is left untouched.
Result<CandleSeries> ParseCandlesCsv(std::string_view text, std::string_view source_name,
                                     const ImportOptions& options = {}, ImportReport* report = nullptr);
// Reads path (plain or gzip) and parses it; errors name the path. NotFound when it does not exist.
Result<CandleSeries> LoadCandlesCsv(const std::string& path, const ImportOptions& options = {},
                                    ImportReport* report = nullptr);

std::string_view ToString(CsvFormat f);

// The most frequent step between consecutive times (ties: the smaller step); 0 for fewer than
// two times. How an interval is detected when none is given (candles, funding events).
UnixMs MostCommonStep(const std::vector<UnixMs>& times);

// "BTCUSDT" from ".../BTCUSDT.csv.gz", ".../BTCUSDT-5m-2024-01.csv", ".../BTCUSDT_8h_2026.csv":
// the file name up to its first '.', '-' or '_'.
std::string SymbolFromPath(std::string_view path);

// Headered CSV "timestamp,open,high,low,close,volume" (ms open times, shortest exact prices,
// shortest round-trip volumes), one line per candle, '\n' line ends. ParseCandlesCsv reads
// it back to an identical series.
std::string FormatCandlesCsv(const CandleSeries& series);
// Writes FormatCandlesCsv to path (gzip-compressed when path ends in ".gz"), atomically
// (path.tmp then rename). IoError names the path.
Status SaveCandlesCsv(const std::string& path, const CandleSeries& series);

}  // namespace aitrader::market
