// Funding-rate series of a perpetual contract, imported from CSV.
//
// Two shapes of file are read (columns found by header name, case-insensitive):
//  - funding events: timestamp,symbol,funding_rate (e.g. data/binance-usdm/funding/
//    BTCUSDT_8h_2026.csv.gz; "fundingTime"/"funding_time"/"calc_time" and "fundingRate"/
//    "last_funding_rate" are accepted too; the symbol column is optional). Binance stamps an
//    event a few ms after its boundary (1768262400007): the raw time is kept, and the
//    funding time — the raw time rounded to the nearest whole hour, where Binance settles
//    funding — is what lookups use.
//  - daily statistics: date,funding_mean[,funding_abs] (YYYY-MM-DD, e.g.
//    BTCUSDT_daily_mean_2019_2026.csv.gz): one entry per UTC day at 00:00, rate = the mean,
//    abs_rate = the mean absolute rate.
// Rates are Ratio (1e-9 fixed point). Exchange rates (8 decimals) are exact; a statistic with
// more decimals ("-2.72866666666667e-05") is rounded half-even to 1e-9, and the count of
// rounded values is reported.
//
// Validation is all-or-nothing, errors "<source>:<line>: <rule>": wrong column count,
// unparsable number or date (names the column), a raw time more than 60 s from a whole hour,
// funding times not strictly increasing (duplicate or non-increasing), a rate with |rate| >= 1,
// a symbol column that changes, an empty file.
//
// Thread safety: a FundingSeries is a value; share const references freely.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/fixed.hpp"
#include "core/status.hpp"
#include "core/time.hpp"

namespace aitrader::market {

struct FundingEvent {
  UnixMs raw_time = 0;      // as in the file
  UnixMs funding_time = 0;  // raw_time rounded to the nearest whole hour (00:00 for a date)
  Ratio rate;
};

class FundingSeries {
 public:
  enum class Kind { kEvents, kDailyMean };

  FundingSeries() = default;
  FundingSeries(std::string symbol, Kind kind) : symbol_(std::move(symbol)), kind_(kind) {}

  const std::string& symbol() const { return symbol_; }
  void set_symbol(std::string s) { symbol_ = std::move(s); }
  Kind kind() const { return kind_; }
  // The most common step between funding times (8h for Binance's majors, 1d for daily
  // means); 0 with fewer than two entries.
  UnixMs interval() const { return interval_; }
  void set_interval(UnixMs i) { interval_ = i; }

  std::size_t size() const { return funding_time_.size(); }
  bool empty() const { return funding_time_.empty(); }
  void push_back(const FundingEvent& e, Ratio abs_rate = Ratio());
  FundingEvent operator[](std::size_t i) const { return {raw_time_[i], funding_time_[i], rate_[i]}; }

  const std::vector<UnixMs>& raw_time() const { return raw_time_; }
  const std::vector<UnixMs>& funding_time() const { return funding_time_; }
  const std::vector<Ratio>& rate() const { return rate_; }
  // Mean absolute rate per day (kDailyMean files with a funding_abs column); else zeros.
  const std::vector<Ratio>& abs_rate() const { return abs_rate_; }

  // The rate in effect at t: that of the latest entry with funding_time <= t (for daily
  // means, the day containing t). nullopt before the first entry.
  std::optional<Ratio> RateAt(UnixMs t) const;
  // The funding event settled at t: the entry whose funding_time or raw_time equals t.
  std::optional<FundingEvent> EventAt(UnixMs t) const;
  // Index range [first, last) of the entries with funding_time in [from, to): the funding
  // settlements a position held over [from, to) pays or receives.
  std::pair<std::size_t, std::size_t> Range(UnixMs from, UnixMs to) const;

 private:
  std::string symbol_;
  Kind kind_ = Kind::kEvents;
  UnixMs interval_ = 0;
  std::vector<UnixMs> raw_time_;
  std::vector<UnixMs> funding_time_;
  std::vector<Ratio> rate_;
  std::vector<Ratio> abs_rate_;
};

struct FundingImportReport {
  std::string source;
  FundingSeries::Kind kind = FundingSeries::Kind::kEvents;
  std::size_t rows = 0;
  UnixMs interval = 0;
  std::size_t rounded_values = 0;  // rates with more than 9 decimals, rounded half-even
  UnixMs max_time_offset = 0;      // largest |raw_time - funding_time| seen
};

// Parses funding CSV text (see above). symbol: stored in the series; empty = the file's
// symbol column, else derived from source_name ("BTCUSDT_8h_2026.csv.gz" → "BTCUSDT").
Result<FundingSeries> ParseFundingCsv(std::string_view text, std::string_view source_name, std::string symbol = {},
                                      FundingImportReport* report = nullptr);
// Reads path (plain or .gz) and parses it.
Result<FundingSeries> LoadFundingCsv(const std::string& path, std::string symbol = {},
                                     FundingImportReport* report = nullptr);

std::string_view ToString(FundingSeries::Kind kind);

}  // namespace aitrader::market
