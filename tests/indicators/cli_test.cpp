// Runs the built `aitrader indicators` on the TA-Lib reference candles (converted to a
// headered CSV) and checks the output columns and values against the reference.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "indicators/talib_data.hpp"

namespace aitrader::indicators {
namespace {

using testing::ParseNumber;
using testing::SameBits;
using testing::SplitCsv;
using testing::Talib;

struct CliRun {
  int exit_code = -1;
  std::string out, err;
};

class IndicatorsCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("aitrader_indicators_cli_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    input_ = (dir_ / "candles.csv").string();
    const auto& d = Talib();
    std::string text = "timestamp,open,high,low,close,volume\n";
    for (std::size_t i = 0; i < d.close.size(); ++i) {
      text += std::to_string(d.timestamp[i]) + "," + FormatDouble(d.open[i]) + "," + FormatDouble(d.high[i]) + "," +
              FormatDouble(d.low[i]) + "," + FormatDouble(d.close[i]) + "," + FormatDouble(d.volume[i]) + "\n";
    }
    std::ofstream(input_) << text;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  CliRun Aitrader(const std::string& args) {
    const std::string out = (dir_ / "stdout.txt").string(), err = (dir_ / "stderr.txt").string();
    const std::string cmd = std::string("'") + AITRADER_BIN + "' indicators " + args + " > '" + out + "' 2> '" + err + "'";
    const int status = std::system(cmd.c_str());
    CliRun r;
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = testing::MustRead(out);
    r.err = testing::MustRead(err);
    return r;
  }

  std::filesystem::path dir_;
  std::string input_;
};

void ExpectColumn(const std::vector<std::vector<std::string_view>>& rows, const std::string& ours,
                  const std::string& theirs) {
  const auto& header = rows[0];
  std::size_t col = header.size();
  for (std::size_t c = 0; c < header.size(); ++c) {
    if (header[c] == ours) col = c;
  }
  ASSERT_LT(col, header.size()) << ours;
  const auto& want = Talib().expected.at(theirs);
  ASSERT_EQ(rows.size(), want.size() + 1);
  for (std::size_t i = 0; i < want.size(); ++i) {
    ASSERT_TRUE(SameBits(ParseNumber(rows[i + 1][col]), want[i])) << ours << " row " << i << ": " << rows[i + 1][col];
  }
}

TEST_F(IndicatorsCli, DefaultListToStdout) {
  const CliRun r = Aitrader("--input '" + input_ + "'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto rows = SplitCsv(r.out);
  ASSERT_EQ(rows.size(), 5001u);
  const std::vector<std::string_view> header = {"timestamp",  "ema_20",    "ema_50",    "macd_12_26_9",
                                                "macd_signal_12_26_9", "macd_hist_12_26_9", "rsi_7", "rsi_14",
                                                "atr_3",      "atr_14"};
  EXPECT_EQ(rows[0], header);
  EXPECT_EQ(rows[1][0], "1704067200000");
  EXPECT_EQ(rows[5000][0], std::to_string(Talib().timestamp[4999]));
  ExpectColumn(rows, "ema_20", "EMA_20");
  ExpectColumn(rows, "macd_signal_12_26_9", "MACDSIGNAL_12_26_9");
  ExpectColumn(rows, "rsi_7", "RSI_7");
  ExpectColumn(rows, "atr_3", "ATR_3");
  EXPECT_EQ(rows[49][2], "NaN");  // ema_50: first value at row 49
  EXPECT_NE(rows[50][2], "NaN");
}

TEST_F(IndicatorsCli, FullListToFileMatchesReference) {
  const std::string output = (dir_ / "out.csv").string();
  const CliRun r = Aitrader("--input '" + input_ +
                         "' --indicators sma:20,ema:20,rsi:14,macd:12:26:9,atr:14,trange,bbands:20:2,stddev:20,obv,"
                         "adx:14,plus_di:14,minus_di:14,stoch:5:3:3,cci:14 --output '" + output + "'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.out.empty());
  const std::string text = testing::MustRead(output);
  const auto rows = SplitCsv(text);
  ASSERT_EQ(rows.size(), 5001u);
  EXPECT_EQ(rows[0].size(), 20u);
  ExpectColumn(rows, "sma_20", "SMA_20");
  ExpectColumn(rows, "bb_lower_20_2", "BBLOWER_20_2");
  ExpectColumn(rows, "stddev_20", "STDDEV_20_1");
  ExpectColumn(rows, "obv", "OBV");
  ExpectColumn(rows, "adx_14", "ADX_14");
  ExpectColumn(rows, "minus_di_14", "MINUS_DI_14");
  ExpectColumn(rows, "stoch_d_5_3_3", "STOCH_SLOWD_5_3_3");
  ExpectColumn(rows, "cci_14", "CCI_14");  // includes the −66.67 flat-segment quirk
  ExpectColumn(rows, "trange", "TRANGE");
}

TEST_F(IndicatorsCli, BadListEntryIsAnErrorNamingIt) {
  const CliRun r = Aitrader("--input '" + input_ + "' --indicators ema:20,rsi:0");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("'rsi:0'"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty());
  const CliRun unknown = Aitrader("--input '" + input_ + "' --indicators vwap:14");
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("'vwap:14'"), std::string::npos) << unknown.err;
}

TEST_F(IndicatorsCli, MissingInputIsAnError) {
  const CliRun r = Aitrader("--input '" + (dir_ / "nope.csv").string() + "'");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("nope.csv"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace aitrader::indicators
