#include "market/csv.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <string>

#include "core/io.hpp"

namespace aitrader::market {
namespace {

const std::string kFixtures = std::string(AITRADER_TEST_DATA_DIR) + "/market/";
const std::string kData = std::string(AITRADER_DATA_DIR) + "/binance-usdm/";

constexpr std::string_view kHeader = "timestamp,open,high,low,close,volume\n";

// A small valid headered file of n 5m candles starting at 2023-11-14T22:15:00Z.
std::string Headered(int n) {
  std::string s(kHeader);
  for (int i = 0; i < n; ++i) {
    s += std::to_string(1700000100000 + i * 300000) + ",10.5,11,10,10.75,1.25\n";
  }
  return s;
}

// Expects parsing `text` to fail with a message containing each of `parts`.
void ExpectError(std::string_view text, std::initializer_list<std::string_view> parts,
                 const ImportOptions& options = {}) {
  auto r = ParseCandlesCsv(text, "t.csv", options);
  ASSERT_FALSE(r.ok()) << "parsed: " << text;
  for (auto p : parts) {
    EXPECT_NE(r.status().message().find(p), std::string::npos)
        << "message '" << r.status().message() << "' lacks '" << p << "'";
  }
}

TEST(CsvImport, HeaderedFormat) {
  ImportReport rep;
  auto s = ParseCandlesCsv(Headered(3), "data/5m/BTCUSDT.csv", {}, &rep);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(rep.format, CsvFormat::kHeadered);
  EXPECT_EQ(rep.rows, 3u);
  EXPECT_EQ(rep.interval, 5 * kMinuteMs);
  EXPECT_FALSE(rep.microseconds);
  EXPECT_TRUE(rep.gaps.empty());
  EXPECT_EQ(s->symbol(), "BTCUSDT");
  EXPECT_EQ(s->interval(), 5 * kMinuteMs);
  Candle c = (*s)[1];
  EXPECT_EQ(c.open_time, 1700000400000);
  EXPECT_EQ(c.open, *Price::Parse("10.5"));
  EXPECT_EQ(c.high, *Price::Parse("11"));
  EXPECT_EQ(c.low, *Price::Parse("10"));
  EXPECT_EQ(c.close, *Price::Parse("10.75"));
  EXPECT_EQ(c.volume, 1.25);
}

TEST(CsvImport, HeaderedExtraColumnsAreIgnored) {
  std::string text = "timestamp,open,high,low,close,volume,note\n1700000100000,1,2,0.5,1.5,3,abc\n";
  ImportReport rep;
  auto s = ParseCandlesCsv(text, "x.csv", {}, &rep);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(rep.format, CsvFormat::kHeadered);
  EXPECT_EQ(s->size(), 1u);
  EXPECT_EQ(s->interval(), 0);  // one candle: unknown
}

TEST(CsvImport, BinanceArchiveWithoutHeader) {
  ImportReport rep;
  auto s = LoadCandlesCsv(kFixtures + "BTCUSDT-5m-2025-01.csv", {}, &rep);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(rep.format, CsvFormat::kBinanceArchive);
  EXPECT_EQ(s->symbol(), "BTCUSDT");
  EXPECT_EQ(s->size(), 4u);
  EXPECT_EQ(s->interval(), 5 * kMinuteMs);
  EXPECT_EQ(s->open_time()[0], 1735689600000);
  EXPECT_EQ(s->high()[1], *Price::Parse("93652.00"));
  EXPECT_EQ(s->volume()[3], 6.00001);
}

TEST(CsvImport, BinanceArchiveWithHeaderAndMicroseconds) {
  ImportReport rep;
  auto s = LoadCandlesCsv(kFixtures + "ETHUSDT-1m-2025-06.csv", {}, &rep);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(rep.format, CsvFormat::kBinanceArchive);
  EXPECT_TRUE(rep.microseconds);
  EXPECT_EQ(s->symbol(), "ETHUSDT");
  EXPECT_EQ(s->interval(), kMinuteMs);
  EXPECT_EQ(s->open_time()[0], 1748736000000);  // normalised to ms
  EXPECT_EQ(s->open_time()[2], 1748736120000);
  EXPECT_EQ(s->close()[2], *Price::Parse("2527.90"));
}

TEST(CsvImport, MillisecondsAndMicrosecondsGiveTheSameSeries) {
  auto ms = ParseCandlesCsv(Headered(5), "a.csv");
  std::string us(kHeader);
  for (int i = 0; i < 5; ++i) us += std::to_string((1700000100000 + i * 300000) * 1000LL) + ",10.5,11,10,10.75,1.25\n";
  ImportReport rep;
  auto s = ParseCandlesCsv(us, "a.csv", {}, &rep);
  ASSERT_TRUE(ms.ok() && s.ok());
  EXPECT_TRUE(rep.microseconds);
  EXPECT_EQ(ms->open_time(), s->open_time());
}

TEST(CsvImport, Klines9Format) {
  ImportReport rep;
  auto s = LoadCandlesCsv(kData + "4h/BTCUSDT.csv.gz", {}, &rep);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(rep.format, CsvFormat::kKlines9);
  EXPECT_EQ(s->size(), 4499u);
  EXPECT_EQ(s->interval(), 4 * kHourMs);
  EXPECT_EQ(s->open_time()[0], 1709150400000);
  EXPECT_EQ(s->open()[0], *Price::Parse("61032.80"));
  EXPECT_EQ(s->low()[0], *Price::Parse("59840.50"));
  EXPECT_EQ(s->volume()[0], 103584.338);
  EXPECT_TRUE(rep.gaps.empty());
}

TEST(CsvImport, ReadsBundledGzipFilesOfEveryCoin) {
  for (std::string sym : {"BTCUSDT", "ETHUSDT", "SOLUSDT", "BNBUSDT", "XRPUSDT", "DOGEUSDT"}) {
    for (std::string iv : {"5m", "1h", "4h"}) {
      ImportReport rep;
      auto s = LoadCandlesCsv(kData + iv + "/" + sym + ".csv.gz", {}, &rep);
      ASSERT_TRUE(s.ok()) << s.status().ToString();
      EXPECT_EQ(s->symbol(), sym);
      EXPECT_EQ(s->interval(), *ParseInterval(iv));
      EXPECT_GT(s->size(), 4000u);
      EXPECT_TRUE(rep.gaps.empty()) << sym << " " << iv;
    }
  }
}

TEST(CsvImport, ReadsGzipFixture) {
  auto s = LoadCandlesCsv(kFixtures + "DOGEUSDT_archive.csv.gz");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->symbol(), "DOGEUSDT");
  EXPECT_EQ(s->size(), 4u);
}

TEST(CsvImport, CrlfLineEndingsAndTrailingBlankLines) {
  auto s = LoadCandlesCsv(kFixtures + "SOLUSDT_crlf.csv");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->size(), 3u);
  EXPECT_EQ(s->volume()[1], 200.5);
  EXPECT_EQ(s->close()[2], *Price::Parse("1.6"));
}

TEST(CsvImport, NoTrailingNewlineAndByteOrderMark) {
  std::string text = "\xEF\xBB\xBF" + Headered(2);
  text.pop_back();
  auto s = ParseCandlesCsv(text, "a.csv");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->size(), 2u);
  EXPECT_EQ(s->volume()[1], 1.25);
}

TEST(CsvImport, OptionsOverrideSymbolIntervalAndFormat) {
  ImportOptions o;
  o.symbol = "FOO";
  o.interval = 5 * kMinuteMs;
  o.format = CsvFormat::kHeadered;
  auto s = ParseCandlesCsv(Headered(2), "a.csv", o);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->symbol(), "FOO");
  o.format = CsvFormat::kKlines9;
  ExpectError(Headered(2), {"t.csv:1:", "klines9"}, o);
  o.format = CsvFormat::kHeadered;
  ExpectError("1700000100000,1,2,0.5,1.5,3,1,1,1,1,1,0\n", {"t.csv:1:", "header"}, o);
}

TEST(CsvImport, ExactPricesWithManyDecimalsAndExponents) {
  std::string text(kHeader);
  text += "1700000100000,0.000012345,1.2e1,1e-9,5,1e3\n";
  auto s = ParseCandlesCsv(text, "a.csv");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->open()[0].raw(), 12345);
  EXPECT_EQ(s->high()[0].raw(), 12 * kFixedScale);
  EXPECT_EQ(s->low()[0].raw(), 1);
  EXPECT_EQ(s->volume()[0], 1000.0);
}

TEST(CsvImport, IntervalIsTheMostCommonStep) {
  ImportReport rep;
  auto s = LoadCandlesCsv(kFixtures + "XRPUSDT_gaps.csv", {}, &rep);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(rep.interval, 5 * kMinuteMs);
}

TEST(CsvImport, GapsAreReportedWithTheirRanges) {
  ImportReport rep;
  auto s = LoadCandlesCsv(kFixtures + "XRPUSDT_gaps.csv", {}, &rep);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->size(), 6u);
  ASSERT_EQ(rep.gaps.size(), 2u);
  EXPECT_EQ(rep.gaps[0].from, 1700000900000);
  EXPECT_EQ(rep.gaps[0].to, 1700001500000);
  EXPECT_EQ(rep.gaps[0].missing, 2);
  EXPECT_EQ(rep.gaps[1].from, 1700002100000);
  EXPECT_EQ(rep.gaps[1].to, 1700002400000);
  EXPECT_EQ(rep.gaps[1].missing, 1);
}

TEST(CsvImport, GivenIntervalFindsGapsAndMisalignedSteps) {
  ImportOptions o;
  o.interval = kMinuteMs;
  ImportReport rep;
  auto s = ParseCandlesCsv(Headered(3), "a.csv", o, &rep);
  ASSERT_TRUE(s.ok());
  ASSERT_EQ(rep.gaps.size(), 2u);
  EXPECT_EQ(rep.gaps[0].missing, 4);
  o.interval = 7 * kMinuteMs;
  ExpectError(Headered(3), {"t.csv:3:", "not a multiple of the interval"}, o);
}

// --- validation rules: each error names the file, the line and the rule -------------------

TEST(CsvValidation, EmptyFile) {
  ExpectError("", {"t.csv", "empty file"});
  ExpectError("\n\r\n", {"t.csv", "empty file"});
  ExpectError(kHeader, {"t.csv", "empty file"});
}

TEST(CsvValidation, UnparsableNumberNamesTheColumn) {
  std::string bad = Headered(3);
  bad.replace(bad.find("10.75", bad.find('\n', kHeader.size())), 5, "10.7x");
  ExpectError(bad, {"t.csv:3:", "column 'close'", "unparsable number", "10.7x"});
  ExpectError(std::string(kHeader) + "1700000100000,1,abc,0.5,1,1\n", {"t.csv:2:", "column 'high'", "'abc'"});
  ExpectError(std::string(kHeader) + "1700000100000,1,2,,1,1\n", {"t.csv:2:", "column 'low'"});
  ExpectError(std::string(kHeader) + "1700000100000,1,2,0.5,1,1.0.0\n", {"t.csv:2:", "column 'volume'", "'1.0.0'"});
  ExpectError(std::string(kHeader) + "1700000100000,1,2,0.5,1,nan\n", {"t.csv:2:", "column 'volume'"});
  ExpectError(std::string(kHeader) + "17000001000x0,1,2,0.5,1,1\n", {"t.csv:2:", "column 'timestamp'"});
  ExpectError(std::string(kHeader) + "9999999999999999999,1,2,0.5,1,1\n", {"t.csv:2:", "column 'timestamp'"});
  ExpectError(std::string(kHeader) + "-1700000100000,1,2,0.5,1,1\n", {"t.csv:2:", "column 'timestamp'"});
  ExpectError(std::string(kHeader) + "1700000100000,1.0000000001,2,0.5,1,1\n",
              {"t.csv:2:", "column 'open'", "more than 9 decimal places"});
  ExpectError(std::string(kHeader) + "1700000100000,99999999999,2,0.5,1,1\n", {"t.csv:2:", "column 'open'"});
}

TEST(CsvValidation, DuplicateTimestamp) {
  std::string text = Headered(2) + "1700000400000,10.5,11,10,10.75,1\n";
  ExpectError(text, {"t.csv:4:", "duplicate timestamp", "1700000400000"});
}

TEST(CsvValidation, NonIncreasingTimestamp) {
  std::string text = Headered(3) + "1700000000000,10.5,11,10,10.75,1\n";
  ExpectError(text, {"t.csv:5:", "non-increasing timestamp", "1700000000000"});
}

TEST(CsvValidation, HighBelowLow) {
  auto r = LoadCandlesCsv(kFixtures + "BNBUSDT_bad_high_low.csv");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), kFixtures + "BNBUSDT_bad_high_low.csv:3: high 599 < low 600");
}

TEST(CsvValidation, OpenOrCloseOutsideRange) {
  ExpectError(std::string(kHeader) + "1700000100000,12,11,10,10.5,1\n", {"t.csv:2:", "open 12 outside [low 10, high 11]"});
  ExpectError(std::string(kHeader) + "1700000100000,10.5,11,10,9.5,1\n", {"t.csv:2:", "close 9.5 outside [low 10, high 11]"});
}

TEST(CsvValidation, NegativeVolume) {
  ExpectError(Headered(1) + "1700000400000,10.5,11,10,10.75,-0.5\n", {"t.csv:3:", "negative volume -0.5"});
}

TEST(CsvImport, NegativeZeroVolumeIsZero) {
  auto s = ParseCandlesCsv(std::string(kHeader) + "1700000100000,1,2,0.5,1,-0.0\n", "a.csv");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_FALSE(std::signbit(s->volume()[0]));
}

TEST(CsvValidation, NonPositivePrice) {
  ExpectError(std::string(kHeader) + "1700000100000,0,1,0,0.5,1\n", {"t.csv:2:", "price not positive"});
  ExpectError(std::string(kHeader) + "1700000100000,-1,1,-2,0.5,1\n", {"t.csv:2:", "price not positive"});
}

TEST(CsvValidation, WrongColumnCount) {
  ExpectError(Headered(2) + "1700000700000,10.5,11,10,10.75\n", {"t.csv:4:", "wrong column count", "expected 6", "found 5"});
  ExpectError(Headered(2) + "1700000700000,10.5,11,10,10.75,1,9\n", {"t.csv:4:", "wrong column count", "found 7"});
  std::string k9 = "timestamp,open,high,low,close,volume,quote_volume,trades,close_time\n"
                   "1700000100000,1,2,0.5,1.5,3,4,5,6\n"
                   "1700000400000,1,2,0.5,1.5,3,4,5\n";
  ExpectError(k9, {"t.csv:3:", "expected 9 columns, found 8"});
  ExpectError("1700000100000,1,2,0.5,1.5,3\n", {"t.csv:1:", "wrong column count", "12"});
  ExpectError(Headered(1) + "\n" + "1700000400000,10.5,11,10,10.75,1\n", {"t.csv:3:", "empty line"});
}

TEST(CsvValidation, BadHeader) {
  ExpectError("timestamp,open,low,high,close,volume\n1700000100000,1,0.5,2,1,1\n",
              {"t.csv:1:", "header column 3", "'low'", "expected 'high'"});
  ExpectError("date,open,high,low,close,volume\n", {"t.csv:1:", "header column 1"});
  ExpectError("timestamp,open,high\n", {"t.csv:1:", "3 columns"});
}

TEST(CsvValidation, AllOrNothing) {
  // A valid prefix of 1000 rows followed by one bad row yields no series at all.
  std::string text = Headered(1000) + "1800000000000,10.5,9,10,10.75,1\n";
  ImportReport rep;
  auto r = ParseCandlesCsv(text, "t.csv", {}, &rep);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("t.csv:1002:"), std::string::npos);
  EXPECT_EQ(rep.rows, 0u);  // the report is untouched on failure
}

TEST(CsvImport, LoadErrorsNameThePath) {
  auto r = LoadCandlesCsv(kFixtures + "nope.csv");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("nope.csv"), std::string::npos);
}

TEST(CsvImport, SymbolFromPath) {
  EXPECT_EQ(SymbolFromPath("data/5m/BTCUSDT.csv.gz"), "BTCUSDT");
  EXPECT_EQ(SymbolFromPath("BTCUSDT-5m-2024-01.csv"), "BTCUSDT");
  EXPECT_EQ(SymbolFromPath("/x/y/ETHUSDT_8h_2026.csv"), "ETHUSDT");
  EXPECT_EQ(SymbolFromPath("SOLUSDT"), "SOLUSDT");
}

TEST(CsvImport, FormatAndParseRoundTrip) {
  auto s = LoadCandlesCsv(kData + "5m/DOGEUSDT.csv.gz");
  ASSERT_TRUE(s.ok());
  const std::string text = FormatCandlesCsv(*s);
  auto back = ParseCandlesCsv(text, "DOGEUSDT.csv");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->open_time(), s->open_time());
  EXPECT_EQ(back->open(), s->open());
  EXPECT_EQ(back->high(), s->high());
  EXPECT_EQ(back->low(), s->low());
  EXPECT_EQ(back->close(), s->close());
  EXPECT_EQ(back->volume(), s->volume());
}

TEST(CsvImport, SaveWritesPlainAndGzip) {
  auto dir = std::filesystem::temp_directory_path() / ("aitrader_market_csv_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto s = ParseCandlesCsv(Headered(4), "A.csv");
  ASSERT_TRUE(s.ok());
  for (std::string name : {"out.csv", "out.csv.gz"}) {
    const std::string path = (dir / name).string();
    ASSERT_TRUE(SaveCandlesCsv(path, *s).ok());
    auto back = LoadCandlesCsv(path);
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(back->close(), s->close());
  }
  auto raw = ReadFile((dir / "out.csv").string());
  ASSERT_TRUE(raw.ok());
  EXPECT_EQ(raw->substr(0, kHeader.size()), kHeader);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace aitrader::market
