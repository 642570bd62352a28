// Test support: the TA-Lib C 0.6.0 reference vectors in tests/data/talib/ (inputs, the 26
// expected columns, and the manifest's outBegIdx per indicator), loaded once.
#pragma once

#include <bit>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>

#include "core/io.hpp"
#include "core/strings.hpp"

namespace aitrader::indicators::testing {

struct TalibData {
  std::vector<std::int64_t> timestamp;
  std::vector<double> open, high, low, close, volume;
  std::vector<std::string> columns;                        // expected columns, in file order
  std::map<std::string, std::vector<double>> expected;     // column -> 5000 values
  std::map<std::string, int> out_beg_idx;                  // manifest indicator -> outBegIdx
  std::map<std::string, std::string> column_indicator;     // column -> manifest indicator
};

inline double ParseNumber(std::string_view s) {
  if (s == "NaN") return std::nan("");
  double v = 0;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size()) {
    std::fprintf(stderr, "bad number '%.*s'\n", static_cast<int>(s.size()), s.data());
    std::abort();
  }
  return v;
}

inline std::vector<std::vector<std::string_view>> SplitCsv(std::string_view text) {
  std::vector<std::vector<std::string_view>> rows;
  for (std::string_view line : Split(text, '\n')) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!line.empty()) rows.push_back(Split(line, ','));
  }
  return rows;
}

inline std::string MustRead(const std::string& path) {
  auto r = ReadFile(path);
  if (!r.ok()) {
    std::fprintf(stderr, "%s\n", r.status().ToString().c_str());
    std::abort();
  }
  return std::move(r).value();
}

inline const TalibData& Talib() {
  static const TalibData data = [] {
    TalibData d;
    const std::string dir = std::string(AITRADER_TEST_DATA_DIR) + "/talib/";
    const std::string in_text = MustRead(dir + "ohlcv_5000.csv.gz");
    const auto in_rows = SplitCsv(in_text);
    for (std::size_t i = 1; i < in_rows.size(); ++i) {
      const auto& r = in_rows[i];
      d.timestamp.push_back(static_cast<std::int64_t>(ParseNumber(r[1])));
      d.open.push_back(ParseNumber(r[2]));
      d.high.push_back(ParseNumber(r[3]));
      d.low.push_back(ParseNumber(r[4]));
      d.close.push_back(ParseNumber(r[5]));
      d.volume.push_back(ParseNumber(r[6]));
    }
    const std::string out_text = MustRead(dir + "talib_outputs.csv.gz");
    const auto out_rows = SplitCsv(out_text);
    for (std::size_t c = 1; c < out_rows[0].size(); ++c) d.columns.emplace_back(out_rows[0][c]);
    for (std::size_t i = 1; i < out_rows.size(); ++i) {
      for (std::size_t c = 1; c < out_rows[i].size(); ++c) d.expected[d.columns[c - 1]].push_back(ParseNumber(out_rows[i][c]));
    }
    const boost::json::value manifest = boost::json::parse(MustRead(dir + "manifest.json.gz"));
    for (const auto& [name, entry] : manifest.at("indicators").as_object()) {
      d.out_beg_idx[std::string(name)] = static_cast<int>(entry.at("outBegIdx").to_number<std::int64_t>());
      for (const auto& col : entry.at("columns").as_array()) {
        d.column_indicator[std::string(col.as_string())] = std::string(name);
      }
    }
    return d;
  }();
  return data;
}

// Bitwise equality, with any NaN equal to any NaN.
inline bool SameBits(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b);
}

}  // namespace aitrader::indicators::testing
