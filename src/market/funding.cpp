#include "market/funding.hpp"

#include <algorithm>
#include <cstring>

#include "core/io.hpp"
#include "core/strings.hpp"
#include "market/csv.hpp"
#include "market/decimal.hpp"

namespace aitrader::market {
namespace {

constexpr UnixMs kMaxFundingOffsetMs = kMinuteMs;  // raw time within 60 s of a whole hour
constexpr std::int64_t kMicrosecondThreshold = 100'000'000'000'000;  // as for candles

std::string Where(std::string_view source, std::size_t line) {
  return std::string(source) + ":" + std::to_string(line) + ": ";
}

std::string Quote(std::string_view text) {
  return "'" + std::string(text.substr(0, 40)) + (text.size() > 40 ? "...'" : "'");
}

std::string HeaderName(std::string_view name) {
  name = Trim(name);
  if (name.size() >= 2 && name.front() == '"' && name.back() == '"') name = name.substr(1, name.size() - 2);
  return ToLower(Trim(name));
}

struct Columns {
  std::size_t count = 0;
  int time = -1;
  int date = -1;
  int symbol = -1;
  int rate = -1;
  int abs_rate = -1;
};

Result<Columns> ReadHeader(std::string_view line, std::string_view source) {
  Columns cols;
  std::vector<std::string_view> fields = Split(line, ',');
  cols.count = fields.size();
  for (std::size_t i = 0; i < fields.size(); ++i) {
    const std::string n = HeaderName(fields[i]);
    const int idx = static_cast<int>(i);
    if (n == "timestamp" || n == "fundingtime" || n == "funding_time" || n == "calc_time" || n == "time") {
      cols.time = idx;
    } else if (n == "date") {
      cols.date = idx;
    } else if (n == "symbol") {
      cols.symbol = idx;
    } else if (n == "funding_rate" || n == "fundingrate" || n == "last_funding_rate" || n == "funding_mean") {
      cols.rate = idx;
    } else if (n == "funding_abs") {
      cols.abs_rate = idx;
    }
  }
  if ((cols.time < 0 && cols.date < 0) || cols.rate < 0) {
    return ParseError(Where(source, 1) + "expected a header with a time column (timestamp or date) and a rate column "
                      "(funding_rate or funding_mean), found " + Quote(line));
  }
  if (cols.time >= 0 && cols.date >= 0) cols.date = -1;  // prefer the exact timestamp
  return cols;
}

Result<UnixMs> ParseDate(std::string_view f) {
  // YYYY-MM-DD only: a daily statistic is stamped with its UTC day.
  if (f.size() != 10 || f[4] != '-' || f[7] != '-') return ParseError("not a YYYY-MM-DD date");
  int y = 0;
  unsigned m = 0, d = 0;
  for (std::size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u}) {
    if (f[i] < '0' || f[i] > '9') return ParseError("not a YYYY-MM-DD date");
  }
  y = (f[0] - '0') * 1000 + (f[1] - '0') * 100 + (f[2] - '0') * 10 + (f[3] - '0');
  m = static_cast<unsigned>((f[5] - '0') * 10 + (f[6] - '0'));
  d = static_cast<unsigned>((f[8] - '0') * 10 + (f[9] - '0'));
  if (m < 1 || m > 12 || d < 1 || d > 31) return ParseError("not a valid date");
  std::int64_t days = DaysFromCivil(y, m, d);
  int y2 = 0;
  unsigned m2 = 0, d2 = 0;
  CivilFromDays(days, y2, m2, d2);
  if (y2 != y || m2 != m || d2 != d) return ParseError("not a valid date");
  return days * kDayMs;
}

}  // namespace

std::string_view ToString(FundingSeries::Kind kind) {
  return kind == FundingSeries::Kind::kEvents ? "events" : "daily-mean";
}

void FundingSeries::push_back(const FundingEvent& e, Ratio abs_rate) {
  raw_time_.push_back(e.raw_time);
  funding_time_.push_back(e.funding_time);
  rate_.push_back(e.rate);
  abs_rate_.push_back(abs_rate);
}

std::optional<Ratio> FundingSeries::RateAt(UnixMs t) const {
  auto it = std::upper_bound(funding_time_.begin(), funding_time_.end(), t);
  if (it == funding_time_.begin()) return std::nullopt;
  return rate_[static_cast<std::size_t>(it - funding_time_.begin()) - 1];
}

std::optional<FundingEvent> FundingSeries::EventAt(UnixMs t) const {
  auto it = std::lower_bound(funding_time_.begin(), funding_time_.end(), t);
  std::size_t i = static_cast<std::size_t>(it - funding_time_.begin());
  if (i < size() && funding_time_[i] == t) return (*this)[i];
  auto r = std::lower_bound(raw_time_.begin(), raw_time_.end(), t);
  i = static_cast<std::size_t>(r - raw_time_.begin());
  if (i < size() && raw_time_[i] == t) return (*this)[i];
  return std::nullopt;
}

std::pair<std::size_t, std::size_t> FundingSeries::Range(UnixMs from, UnixMs to) const {
  auto b = std::lower_bound(funding_time_.begin(), funding_time_.end(), from);
  auto e = std::lower_bound(funding_time_.begin(), funding_time_.end(), to);
  if (e < b) e = b;
  return {static_cast<std::size_t>(b - funding_time_.begin()), static_cast<std::size_t>(e - funding_time_.begin())};
}

Result<FundingSeries> ParseFundingCsv(std::string_view text, std::string_view source_name, std::string symbol,
                                      FundingImportReport* report) {
  if (text.size() >= 3 && std::memcmp(text.data(), "\xEF\xBB\xBF", 3) == 0) text.remove_prefix(3);
  std::vector<std::string_view> lines = Split(text, '\n');
  for (auto& l : lines) {
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
  }
  while (!lines.empty() && Trim(lines.back()).empty()) lines.pop_back();
  if (lines.empty()) return ParseError(std::string(source_name) + ": empty file (no funding rows)");
  AITRADER_ASSIGN_OR_RETURN(Columns cols, ReadHeader(lines[0], source_name));
  if (lines.size() == 1) return ParseError(std::string(source_name) + ": empty file (no funding rows)");

  const auto kind = cols.time >= 0 ? FundingSeries::Kind::kEvents : FundingSeries::Kind::kDailyMean;
  FundingSeries series(symbol, kind);
  FundingImportReport rep;
  rep.source = std::string(source_name);
  rep.kind = kind;
  std::string file_symbol;
  auto number = [&](std::string_view f, std::size_t line_no, std::string_view column) -> Result<Ratio> {
    bool rounded = false;
    auto r = ParseRawRounded(f, Rounding::kHalfEven, &rounded);
    if (!r.ok()) {
      return Status(r.status().code(), Where(source_name, line_no) + "column '" + std::string(column) +
                                           "': unparsable number: " + r.status().message());
    }
    if (rounded) ++rep.rounded_values;
    return Ratio::FromRaw(*r);
  };
  for (std::size_t li = 1; li < lines.size(); ++li) {
    const std::size_t line_no = li + 1;
    std::string_view line = lines[li];
    if (line.empty()) return ParseError(Where(source_name, line_no) + "wrong column count: empty line");
    std::vector<std::string_view> f = Split(line, ',');
    if (f.size() != cols.count) {
      return ParseError(Where(source_name, line_no) + "wrong column count: expected " + std::to_string(cols.count) +
                        " columns, found " + std::to_string(f.size()));
    }
    FundingEvent e;
    if (cols.time >= 0) {
      std::string_view tf = f[static_cast<std::size_t>(cols.time)];
      std::int64_t ts = 0;
      bool ok = !tf.empty() && tf.size() <= 18;
      for (char c : tf) {
        ok = ok && c >= '0' && c <= '9';
        if (ok) ts = ts * 10 + (c - '0');
      }
      if (!ok) {
        return ParseError(Where(source_name, line_no) + "column 'timestamp': unparsable number " + Quote(tf) +
                          " (expected integer ms or µs since the epoch)");
      }
      if (ts >= kMicrosecondThreshold) ts /= 1000;
      e.raw_time = ts;
      e.funding_time = FloorTo(ts + kHourMs / 2, kHourMs);
      const UnixMs offset = ts > e.funding_time ? ts - e.funding_time : e.funding_time - ts;
      if (offset > kMaxFundingOffsetMs) {
        return InvalidArgument(Where(source_name, line_no) + "funding time " + std::to_string(ts) + " (" +
                               FormatUtc(ts) + ") is more than 60 s from a whole hour");
      }
      rep.max_time_offset = std::max(rep.max_time_offset, offset);
    } else {
      std::string_view df = f[static_cast<std::size_t>(cols.date)];
      auto d = ParseDate(df);
      if (!d.ok()) {
        return ParseError(Where(source_name, line_no) + "column 'date': unparsable date " + Quote(df) + ": " +
                          d.status().message());
      }
      e.raw_time = e.funding_time = *d;
    }
    AITRADER_ASSIGN_OR_RETURN(e.rate, number(f[static_cast<std::size_t>(cols.rate)], line_no, "funding_rate"));
    if (e.rate.Abs() >= Ratio::FromUnits(1)) {
      return InvalidArgument(Where(source_name, line_no) + "funding rate " + e.rate.ToString() +
                             " is out of range (|rate| >= 1)");
    }
    Ratio abs_rate;
    if (cols.abs_rate >= 0) {
      AITRADER_ASSIGN_OR_RETURN(abs_rate, number(f[static_cast<std::size_t>(cols.abs_rate)], line_no, "funding_abs"));
      if (abs_rate.IsNegative() || abs_rate >= Ratio::FromUnits(1)) {
        return InvalidArgument(Where(source_name, line_no) + "funding_abs " + abs_rate.ToString() +
                               " is out of range [0, 1)");
      }
    }
    if (cols.symbol >= 0) {
      std::string_view s = Trim(f[static_cast<std::size_t>(cols.symbol)]);
      if (s.empty()) return ParseError(Where(source_name, line_no) + "column 'symbol' is empty");
      if (file_symbol.empty()) {
        file_symbol = std::string(s);
      } else if (s != file_symbol) {
        return InvalidArgument(Where(source_name, line_no) + "symbol " + Quote(s) + " differs from " +
                               Quote(file_symbol) + " on earlier rows");
      }
    }
    if (!series.empty()) {
      const UnixMs prev = series.funding_time().back();
      if (e.funding_time <= prev) {
        return InvalidArgument(Where(source_name, line_no) +
                               (e.funding_time == prev ? "duplicate funding time " : "non-increasing funding time ") +
                               FormatUtc(e.funding_time) +
                               (e.funding_time == prev ? "" : " is before the previous " + FormatUtc(prev)));
      }
    }
    series.push_back(e, abs_rate);
  }
  if (symbol.empty()) {
    series.set_symbol(file_symbol.empty() ? SymbolFromPath(source_name) : file_symbol);
  }
  series.set_interval(MostCommonStep(series.funding_time()));
  rep.rows = series.size();
  rep.interval = series.interval();
  if (report != nullptr) *report = rep;
  return series;
}

Result<FundingSeries> LoadFundingCsv(const std::string& path, std::string symbol, FundingImportReport* report) {
  AITRADER_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  return ParseFundingCsv(text, path, std::move(symbol), report);
}

}  // namespace aitrader::market
