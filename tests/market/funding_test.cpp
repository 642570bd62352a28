#include "market/funding.hpp"

#include <gtest/gtest.h>

#include <string>

namespace aitrader::market {
namespace {

const std::string kFunding = std::string(AITRADER_DATA_DIR) + "/binance-usdm/funding/";

Ratio R(const char* s) { return *Ratio::Parse(s); }

void ExpectError(std::string_view text, std::initializer_list<std::string_view> parts) {
  auto r = ParseFundingCsv(text, "f.csv");
  ASSERT_FALSE(r.ok()) << "parsed: " << text;
  for (auto p : parts) {
    EXPECT_NE(r.status().message().find(p), std::string::npos)
        << "message '" << r.status().message() << "' lacks '" << p << "'";
  }
}

TEST(Funding, ImportsBinanceEventsOfEveryCoin) {
  for (std::string sym : {"BTCUSDT", "ETHUSDT", "SOLUSDT", "BNBUSDT", "XRPUSDT", "DOGEUSDT"}) {
    FundingImportReport rep;
    auto s = LoadFundingCsv(kFunding + sym + "_8h_2026.csv.gz", {}, &rep);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    EXPECT_EQ(s->symbol(), sym);
    EXPECT_EQ(s->kind(), FundingSeries::Kind::kEvents);
    EXPECT_EQ(s->size(), 200u);
    EXPECT_EQ(s->interval(), 8 * kHourMs);
    EXPECT_EQ(rep.rounded_values, 0u);
    for (UnixMs t : s->funding_time()) EXPECT_EQ(t % (8 * kHourMs), 0) << sym;
  }
}

TEST(Funding, KeepsRawTimeAndRoundsToTheBoundary) {
  auto s = LoadFundingCsv(kFunding + "BNBUSDT_8h_2026.csv.gz");
  ASSERT_TRUE(s.ok());
  // 1768262400007,BNBUSDT,0.00008828
  FundingEvent e = (*s)[1];
  EXPECT_EQ(e.raw_time, 1768262400007);
  EXPECT_EQ(e.funding_time, 1768262400000);
  EXPECT_EQ(e.rate, R("0.00008828"));
  EXPECT_EQ(e.rate.raw(), 88280);
}

TEST(Funding, Lookups) {
  auto s = LoadFundingCsv(kFunding + "BTCUSDT_8h_2026.csv.gz");
  ASSERT_TRUE(s.ok());
  const UnixMs t1 = 1768262400000;  // second event, 0.00002245
  EXPECT_FALSE(s->RateAt(1768233600000 - 1).has_value());
  EXPECT_EQ(*s->RateAt(1768233600000), R("0.00004650"));
  EXPECT_EQ(*s->RateAt(t1 - 1), R("0.00004650"));
  EXPECT_EQ(*s->RateAt(t1), R("0.00002245"));
  EXPECT_EQ(*s->RateAt(t1 + 4 * kHourMs), R("0.00002245"));
  EXPECT_EQ(*s->RateAt(1800000000000), R("0.00000625"));  // after the last: the last rate
  ASSERT_TRUE(s->EventAt(t1).has_value());
  EXPECT_EQ(s->EventAt(t1)->rate, R("0.00002245"));
  EXPECT_EQ(s->EventAt(t1 + 7)->funding_time, t1);  // the raw time finds it too
  EXPECT_FALSE(s->EventAt(t1 + 1).has_value());
  auto [b, e] = s->Range(t1, t1 + 24 * kHourMs);
  EXPECT_EQ(b, 1u);
  EXPECT_EQ(e, 4u);
  auto [b2, e2] = s->Range(t1 + 1, t1 + 2);
  EXPECT_EQ(b2, e2);
}

TEST(Funding, ImportsDailyMeans) {
  FundingImportReport rep;
  auto s = LoadFundingCsv(kFunding + "BTCUSDT_daily_mean_2019_2026.csv.gz", {}, &rep);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->kind(), FundingSeries::Kind::kDailyMean);
  EXPECT_EQ(s->symbol(), "BTCUSDT");
  EXPECT_EQ(s->size(), 2348u);
  EXPECT_EQ(s->interval(), kDayMs);
  EXPECT_GT(rep.rounded_values, 0u);
  // 2019-09-10,1e-04,1e-04
  EXPECT_EQ(s->funding_time()[0], 1568073600000);
  EXPECT_EQ(s->rate()[0], R("0.0001"));
  EXPECT_EQ(s->abs_rate()[0], R("0.0001"));
  // 2026-02-11,-2.72866666666667e-05,3.662e-05 → rounded half-even to 1e-9
  const UnixMs feb11 = 1770768000000;
  EXPECT_EQ(FormatUtc(feb11), "2026-02-11T00:00:00Z");
  EXPECT_EQ(*s->RateAt(feb11 + 13 * kHourMs), R("-0.000027287"));
  EXPECT_EQ(s->abs_rate()[s->size() - 2], R("0.00003662"));
}

TEST(Funding, HeaderVariantsAndSymbolDefaults) {
  auto s = ParseFundingCsv("fundingTime,fundingRate\r\n1768233600000,0.0001\r\n1768262400000,-0.0002\r\n",
                           "data/ETHUSDT_x.csv");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->symbol(), "ETHUSDT");
  EXPECT_EQ(s->rate()[1], R("-0.0002"));
  auto u = ParseFundingCsv("timestamp,symbol,funding_rate\n1768233600000000,SOLUSDT,0.0001\n", "x.csv");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->symbol(), "SOLUSDT");
  EXPECT_EQ(u->funding_time()[0], 1768233600000);  // µs normalised
  auto named = ParseFundingCsv("timestamp,symbol,funding_rate\n1768233600000,SOLUSDT,0.0001\n", "x.csv", "MINE");
  ASSERT_TRUE(named.ok());
  EXPECT_EQ(named->symbol(), "MINE");
}

TEST(FundingValidation, Rules) {
  const std::string h = "timestamp,symbol,funding_rate\n";
  ExpectError("", {"f.csv", "empty file"});
  ExpectError(h, {"f.csv", "empty file"});
  ExpectError("a,b\n1,2\n", {"f.csv:1:", "header"});
  ExpectError(h + "1768233600000,BTCUSDT,0.0001\n1768262400000,BTCUSDT\n", {"f.csv:3:", "wrong column count"});
  ExpectError(h + "1768233600000,BTCUSDT,0.0x01\n", {"f.csv:2:", "column 'funding_rate'", "unparsable number"});
  ExpectError(h + "17682336000x0,BTCUSDT,0.0001\n", {"f.csv:2:", "column 'timestamp'"});
  ExpectError(h + "1768233600000,BTCUSDT,0.0001\n1768233600004,BTCUSDT,0.0001\n", {"f.csv:3:", "duplicate funding time"});
  ExpectError(h + "1768233600000,BTCUSDT,0.0001\n1768204800000,BTCUSDT,0.0001\n",
              {"f.csv:3:", "non-increasing funding time"});
  ExpectError(h + "1768235400000,BTCUSDT,0.0001\n", {"f.csv:2:", "more than 60 s from a whole hour"});
  ExpectError(h + "1768233600000,BTCUSDT,1.5\n", {"f.csv:2:", "out of range"});
  ExpectError(h + "1768233600000,BTCUSDT,0.0001\n1768262400000,ETHUSDT,0.0001\n", {"f.csv:3:", "symbol 'ETHUSDT'"});
  ExpectError(h + "1768233600000,BTCUSDT,0.0001\n\n1768262400000,BTCUSDT,0.0001\n", {"f.csv:3:", "empty line"});
  ExpectError("date,funding_mean,funding_abs\n2024-02-30,1e-04,1e-04\n", {"f.csv:2:", "column 'date'"});
  ExpectError("date,funding_mean,funding_abs\n2024-02-03,1e-04,-1e-04\n", {"f.csv:2:", "funding_abs"});
}

}  // namespace
}  // namespace aitrader::market
