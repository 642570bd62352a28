// Fuzz-style robustness test: thousands of random mutations of valid candle and funding CSV
// text must each give an error or a valid series — never a crash, never a series that breaks
// the import rules. Deterministic (fixed seeds), no timing.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "core/io.hpp"
#include "market/csv.hpp"
#include "market/funding.hpp"

namespace aitrader::market {
namespace {

const std::string kData = std::string(AITRADER_DATA_DIR) + "/binance-usdm/";

std::string Head(const std::string& text, std::size_t lines) {
  std::size_t pos = 0;
  for (std::size_t i = 0; i < lines && pos != std::string::npos; ++i) pos = text.find('\n', pos + 1);
  return pos == std::string::npos ? text : text.substr(0, pos + 1);
}

std::string Mutate(std::string s, std::mt19937_64& rng) {
  static const std::string kInteresting = "0123456789.,-+eE\r\n \"x\xEF\xBB\xBF\t";
  const int edits = 1 + static_cast<int>(rng() % 4);
  for (int k = 0; k < edits; ++k) {
    const std::size_t pos = s.empty() ? 0 : rng() % s.size();
    switch (rng() % 7) {
      case 0:  // replace a byte
        if (!s.empty()) s[pos] = kInteresting[rng() % kInteresting.size()];
        break;
      case 1:  // insert a byte
        s.insert(s.begin() + static_cast<std::ptrdiff_t>(pos), kInteresting[rng() % kInteresting.size()]);
        break;
      case 2:  // delete a run
        s.erase(pos, 1 + rng() % 8);
        break;
      case 3:  // duplicate a run (repeats rows, timestamps)
        s.insert(pos, s.substr(pos, 1 + rng() % 60));
        break;
      case 4:  // random byte
        if (!s.empty()) s[pos] = static_cast<char>(rng() & 0xFF);
        break;
      case 5:  // truncate
        s.resize(pos);
        break;
      case 6:  // swap two lines' worth of text
        if (s.size() > 2) std::swap(s[pos], s[rng() % s.size()]);
        break;
    }
  }
  return s;
}

// A series that the importer accepted must satisfy every rule it enforces.
void ExpectValid(const CandleSeries& s) {
  ASSERT_FALSE(s.empty());
  for (std::size_t i = 0; i < s.size(); ++i) {
    const Candle c = s[i];
    ASSERT_TRUE(c.low.IsPositive());
    ASSERT_LE(c.low, c.high);
    ASSERT_TRUE(c.open >= c.low && c.open <= c.high);
    ASSERT_TRUE(c.close >= c.low && c.close <= c.high);
    ASSERT_GE(c.volume, 0.0);
    if (i > 0) {
      ASSERT_GT(c.open_time, s.open_time()[i - 1]);
    }
  }
}

TEST(CsvFuzz, RandomMutationsOfCandleCsvNeverCrash) {
  std::vector<std::string> seeds;
  for (std::string f : {"5m/BTCUSDT.csv.gz", "4h/DOGEUSDT.csv.gz"}) {
    auto text = ReadFile(kData + f);
    ASSERT_TRUE(text.ok());
    seeds.push_back(Head(*text, 40));
  }
  seeds.push_back(
      "1735689600000,93576.00,93610.93,93537.50,93610.93,8.21827,1735689899999,768978.41,1305,4.72221,441842.18,0\n"
      "1735689900000,93610.93,93652.00,93606.00,93642.01,7.53462,1735690199999,705432.50,1110,4.11111,384901.99,0\n"
      "1735690200000,93642.01,93650.00,93576.02,93600.03,5.78129,1735690499999,541191.07,964,2.33,218110.60,0\n");
  std::mt19937_64 rng(0xA17AADE5);
  int accepted = 0, rejected = 0;
  for (int k = 0; k < 6000; ++k) {
    const std::string text = Mutate(seeds[static_cast<std::size_t>(k) % seeds.size()], rng);
    ImportReport rep;
    auto r = ParseCandlesCsv(text, "fuzz.csv", {}, &rep);
    if (r.ok()) {
      ++accepted;
      ExpectValid(*r);
      EXPECT_EQ(rep.rows, r->size());
    } else {
      ++rejected;
      EXPECT_NE(r.status().code(), StatusCode::kInternal) << r.status().message();
      EXPECT_EQ(r.status().message().rfind("fuzz.csv", 0), 0u) << r.status().message();
    }
    if (HasFatalFailure()) return;
  }
  // Both outcomes occur: the mutations are neither all harmless nor all fatal.
  EXPECT_GT(accepted, 100);
  EXPECT_GT(rejected, 1000);
}

TEST(CsvFuzz, RandomMutationsOfFundingCsvNeverCrash) {
  std::vector<std::string> seeds;
  for (std::string f : {"funding/BTCUSDT_8h_2026.csv.gz", "funding/BTCUSDT_daily_mean_2019_2026.csv.gz"}) {
    auto text = ReadFile(kData + f);
    ASSERT_TRUE(text.ok());
    seeds.push_back(Head(*text, 30));
  }
  std::mt19937_64 rng(0xF00D);
  for (int k = 0; k < 4000; ++k) {
    const std::string text = Mutate(seeds[static_cast<std::size_t>(k) % seeds.size()], rng);
    auto r = ParseFundingCsv(text, "fuzz.csv");
    if (r.ok()) {
      ASSERT_FALSE(r->empty());
      for (std::size_t i = 1; i < r->size(); ++i) {
        ASSERT_GT(r->funding_time()[i], r->funding_time()[i - 1]);
      }
    } else {
      EXPECT_EQ(r.status().message().rfind("fuzz.csv", 0), 0u) << r.status().message();
    }
  }
}

TEST(CsvFuzz, RandomBytesNeverCrash) {
  std::mt19937_64 rng(99);
  for (int k = 0; k < 3000; ++k) {
    std::string text(rng() % 200, '\0');
    for (char& c : text) c = static_cast<char>(rng() % 4 == 0 ? ',' : rng() % 3 == 0 ? '\n' : '0' + rng() % 10);
    auto r = ParseCandlesCsv(text, "fuzz.csv");
    if (r.ok()) {
      ExpectValid(*r);
    }
    auto f = ParseFundingCsv(text, "fuzz.csv");
    (void)f.ok();
  }
}

}  // namespace
}  // namespace aitrader::market
