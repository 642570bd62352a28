#include "market/data_dir.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "core/io.hpp"

namespace aitrader::market {
namespace {

namespace fs = std::filesystem;
const std::string kRoot = std::string(AITRADER_DATA_DIR) + "/binance-usdm";

// A scratch folder removed at the end of the test.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& name)
      : path_(fs::temp_directory_path() / ("aitrader_market_" + name + "_" + std::to_string(::getpid()))) {
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~ScratchDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

TEST(DataDir, ListsSymbolsAndIntervals) {
  DataDir dir(kRoot);
  EXPECT_EQ(dir.Symbols(), (std::vector<std::string>{"BNBUSDT", "BTCUSDT", "DOGEUSDT", "ETHUSDT", "SOLUSDT", "XRPUSDT"}));
  EXPECT_EQ(dir.Intervals("BTCUSDT"), (std::vector<UnixMs>{5 * kMinuteMs, kHourMs, 4 * kHourMs}));
  EXPECT_TRUE(dir.Intervals("NOPE").empty());
}

TEST(DataDir, LoadsAnIntervalThatExists) {
  DataDir dir(kRoot);
  DirLoadReport rep;
  auto s = dir.LoadCandles("ETHUSDT", kHourMs, {}, &rep);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_FALSE(rep.resampled);
  EXPECT_EQ(rep.file_interval, kHourMs);
  EXPECT_EQ(s->symbol(), "ETHUSDT");
  EXPECT_EQ(s->size(), 4499u);
  EXPECT_EQ(rep.import.format, CsvFormat::kKlines9);
}

TEST(DataDir, ResamplesFromTheLowestDividingInterval) {
  DataDir dir(kRoot);
  DirLoadReport rep;
  auto s = dir.LoadCandles("SOLUSDT", 15 * kMinuteMs, {}, &rep);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_TRUE(rep.resampled);
  EXPECT_EQ(rep.file_interval, 5 * kMinuteMs);
  EXPECT_EQ(s->interval(), 15 * kMinuteMs);
  auto five = dir.LoadCandles("SOLUSDT", 5 * kMinuteMs);
  ASSERT_TRUE(five.ok());
  // No gaps and an aligned start: every 15m bucket is complete except a last partial one.
  EXPECT_EQ(s->size(), five->size() / 3);
  EXPECT_EQ(rep.resample.dropped, five->size() % 3 == 0 ? 0u : 1u);
  EXPECT_EQ(s->open()[0], five->open()[0]);
  // 8h: 5m is the lowest divisor (1h and 4h divide it too).
  auto eight = dir.LoadCandles("BTCUSDT", 8 * kHourMs, {}, &rep);
  ASSERT_TRUE(eight.ok());
  EXPECT_EQ(rep.file_interval, 5 * kMinuteMs);
  // 7m: nothing divides it.
  auto none = dir.LoadCandles("BTCUSDT", 7 * kMinuteMs);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(dir.LoadCandles("NOPE", kHourMs).ok());
}

TEST(DataDir, FallsBackToACoarserDivisorWhenItIsTheOnlyOne) {
  ScratchDir scratch("fallback");
  fs::create_directories(scratch.path() / "1h");
  fs::create_directories(scratch.path() / "funding");
  fs::create_directories(scratch.path() / "notes");
  fs::copy_file(kRoot + "/1h/XRPUSDT.csv.gz", scratch.path() / "1h" / "XRPUSDT.csv.gz");
  ASSERT_TRUE(WriteFileAtomic((scratch.path() / "funding" / "XRPUSDT_8h.csv").string(),
                              "timestamp,symbol,funding_rate\n1768233600000,XRPUSDT,0.0001\n").ok());
  DataDir dir(scratch.path().string());
  DirLoadReport rep;
  auto s = dir.LoadCandles("XRPUSDT", 4 * kHourMs, {}, &rep);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_TRUE(rep.resampled);
  EXPECT_EQ(rep.file_interval, kHourMs);
  auto ref = LoadCandlesCsv(kRoot + "/4h/XRPUSDT.csv.gz");
  ASSERT_TRUE(ref.ok());
  const std::size_t j = ref->LowerBound(s->open_time()[0]);
  ASSERT_LT(j, ref->size());
  EXPECT_EQ(ref->open_time()[j], s->open_time()[0]);
  EXPECT_EQ(ref->close()[j], s->close()[0]);
  EXPECT_FALSE(dir.LoadCandles("XRPUSDT", 30 * kMinuteMs).ok());
  auto funding = dir.LoadFunding("XRPUSDT");
  ASSERT_TRUE(funding.ok());
  ASSERT_EQ(funding->size(), 1u);
  EXPECT_EQ((*funding)[0].size(), 1u);
}

TEST(DataDir, FileIntervalMustMatchItsFolder) {
  ScratchDir scratch("mismatch");
  fs::create_directories(scratch.path() / "15m");
  fs::copy_file(kRoot + "/5m/BTCUSDT.csv.gz", scratch.path() / "15m" / "BTCUSDT.csv.gz");
  DataDir dir(scratch.path().string());
  auto s = dir.LoadCandles("BTCUSDT", 15 * kMinuteMs);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("not a multiple of the interval 15m"), std::string::npos)
      << s.status().message();
}

TEST(DataDir, LoadsFunding) {
  DataDir dir(kRoot);
  auto btc = dir.LoadFunding("BTCUSDT");
  ASSERT_TRUE(btc.ok()) << btc.status().ToString();
  ASSERT_EQ(btc->size(), 2u);
  EXPECT_EQ((*btc)[0].kind(), FundingSeries::Kind::kEvents);
  EXPECT_EQ((*btc)[0].interval(), 8 * kHourMs);
  EXPECT_EQ((*btc)[1].kind(), FundingSeries::Kind::kDailyMean);
  auto eth = dir.LoadFunding("ETHUSDT");
  ASSERT_TRUE(eth.ok());
  EXPECT_EQ(eth->size(), 1u);
  auto none = dir.LoadFunding("NOPE");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  DataDir empty("/nonexistent/aitrader");
  ASSERT_TRUE(empty.LoadFunding("BTCUSDT").ok());
  EXPECT_TRUE(empty.Symbols().empty());
}

}  // namespace
}  // namespace aitrader::market
