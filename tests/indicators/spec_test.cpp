// Indicator list parsing, column naming, ComputeIndicators against the TA-Lib reference, and
// the CSV writer.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "indicators/spec.hpp"
#include "indicators/streaming_set.hpp"
#include "indicators/talib_data.hpp"

namespace aitrader::indicators {
namespace {

using testing::SameBits;
using testing::Talib;

constexpr std::string_view kFullList =
    "sma:20,ema:20,rsi:14,macd:12:26:9,atr:14,trange,bbands:20:2,stddev:20,obv,adx:14,plus_di:14,minus_di:14,"
    "stoch:5:3:3,cci:14";

std::vector<std::string> AllColumns(const std::vector<IndicatorSpec>& specs) {
  std::vector<std::string> names;
  for (const auto& s : specs) {
    for (auto& n : ColumnNames(s)) names.push_back(n);
  }
  return names;
}

TEST(IndicatorSpec, ParsesTheFullListWithTheDocumentedColumnNames) {
  auto specs = ParseIndicatorList(kFullList);
  ASSERT_TRUE(specs.ok()) << specs.status().ToString();
  EXPECT_EQ(AllColumns(*specs),
            (std::vector<std::string>{"sma_20", "ema_20", "rsi_14", "macd_12_26_9", "macd_signal_12_26_9",
                                      "macd_hist_12_26_9", "atr_14", "trange", "bb_upper_20_2", "bb_middle_20_2",
                                      "bb_lower_20_2", "stddev_20", "obv", "adx_14", "plus_di_14", "minus_di_14",
                                      "stoch_k_5_3_3", "stoch_d_5_3_3", "cci_14"}));
  std::vector<int> lookbacks;
  for (const auto& s : *specs) lookbacks.push_back(Lookback(s));
  EXPECT_EQ(lookbacks, (std::vector<int>{19, 19, 14, 33, 14, 1, 19, 19, 0, 27, 14, 14, 8, 13}));
}

TEST(IndicatorSpec, DefaultListIsTheAlphaArenaSet) {
  auto specs = ParseIndicatorList(kAlphaArenaList);
  ASSERT_TRUE(specs.ok());
  EXPECT_EQ(AllColumns(*specs), (std::vector<std::string>{"ema_20", "ema_50", "macd_12_26_9", "macd_signal_12_26_9",
                                                          "macd_hist_12_26_9", "rsi_7", "rsi_14", "atr_3", "atr_14"}));
}

TEST(IndicatorSpec, AcceptsSpacesUpperCaseAndOptionalDeviation) {
  auto specs = ParseIndicatorList(" EMA:20 , Stddev:10:1.5,bbands:20:2.5 ,stddev:5:1");
  ASSERT_TRUE(specs.ok()) << specs.status().ToString();
  EXPECT_EQ(AllColumns(*specs), (std::vector<std::string>{"ema_20", "stddev_10_1.5", "bb_upper_20_2.5",
                                                          "bb_middle_20_2.5", "bb_lower_20_2.5", "stddev_5"}));
  EXPECT_EQ((*specs)[1].dev, 1.5);
  EXPECT_EQ((*specs)[1].text, "stddev:10:1.5");
}

TEST(IndicatorSpec, ErrorsNameTheEntry) {
  struct Bad {
    const char* list;
    const char* needle;
  };
  for (const Bad& b : {Bad{"ema:20,foo:3", "'foo:3': unknown indicator"}, Bad{"sma", "'sma': wrong number"},
                       Bad{"rsi:14:2", "'rsi:14:2': wrong number"}, Bad{"rsi:x", "'rsi:x': parameter 'x'"},
                       Bad{"rsi:14.5", "'rsi:14.5': parameter '14.5'"}, Bad{"rsi:1", "'rsi:1': RSI period 1"},
                       Bad{"ema:0", "'ema:0'"}, Bad{"macd:12:26", "expected macd:FAST:SLOW:SIGNAL"},
                       Bad{"bbands:20:nan", "'bbands:20:nan'"}, Bad{"bbands:20:x", "is not a number"},
                       Bad{"cci:200000", "out of range"}, Bad{"trange:3", "'trange:3'"}, Bad{"ema:20,,rsi:14", "empty"},
                       Bad{"", "empty"}, Bad{"ema:20,EMA:20", "duplicate column ema_20"},
                       Bad{"adx:-3", "'adx:-3'"}, Bad{"stoch:5:3", "stoch:FASTK:SLOWK:SLOWD"}}) {
    auto r = ParseIndicatorList(b.list);
    ASSERT_FALSE(r.ok()) << b.list;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << b.list;
    EXPECT_NE(r.status().message().find(b.needle), std::string::npos) << b.list << " -> " << r.status().message();
  }
}

TEST(IndicatorSpec, ComputeIndicatorsMatchesTheReference) {
  const auto& d = Talib();
  auto specs = ParseIndicatorList(std::string(kFullList) + ",stoch:14:3:3,cci:20,ema:12,ema:26,rsi:7,atr:3");
  ASSERT_TRUE(specs.ok());
  auto cols = ComputeIndicators(*specs, OhlcvColumns{d.high, d.low, d.close, d.volume});
  ASSERT_TRUE(cols.ok()) << cols.status().ToString();
  const std::vector<std::pair<std::string, std::string>> pairs = {
      {"sma_20", "SMA_20"}, {"ema_20", "EMA_20"}, {"ema_12", "EMA_12"}, {"ema_26", "EMA_26"},
      {"rsi_14", "RSI_14"}, {"rsi_7", "RSI_7"}, {"macd_12_26_9", "MACD_12_26_9"},
      {"macd_signal_12_26_9", "MACDSIGNAL_12_26_9"}, {"macd_hist_12_26_9", "MACDHIST_12_26_9"},
      {"atr_14", "ATR_14"}, {"atr_3", "ATR_3"}, {"trange", "TRANGE"}, {"bb_upper_20_2", "BBUPPER_20_2"},
      {"bb_middle_20_2", "BBMIDDLE_20_2"}, {"bb_lower_20_2", "BBLOWER_20_2"}, {"stddev_20", "STDDEV_20_1"},
      {"obv", "OBV"}, {"adx_14", "ADX_14"}, {"plus_di_14", "PLUS_DI_14"}, {"minus_di_14", "MINUS_DI_14"},
      {"stoch_k_5_3_3", "STOCH_SLOWK_5_3_3"}, {"stoch_d_5_3_3", "STOCH_SLOWD_5_3_3"},
      {"stoch_k_14_3_3", "STOCH_SLOWK_14_3_3"}, {"stoch_d_14_3_3", "STOCH_SLOWD_14_3_3"}, {"cci_14", "CCI_14"},
      {"cci_20", "CCI_20"}};
  ASSERT_EQ(cols->size(), pairs.size());
  for (const auto& [ours, theirs] : pairs) {
    const IndicatorColumn* c = nullptr;
    for (const auto& col : *cols) {
      if (col.name == ours) c = &col;
    }
    ASSERT_NE(c, nullptr) << ours;
    const auto& want = d.expected.at(theirs);
    for (std::size_t i = 0; i < want.size(); ++i) ASSERT_TRUE(SameBits(c->values[i], want[i])) << ours << " row " << i;
  }
}

TEST(IndicatorSpec, ComputeRejectsRaggedColumns) {
  const std::vector<double> a(10, 1.0), b(9, 1.0);
  auto specs = ParseIndicatorList("obv");
  ASSERT_TRUE(specs.ok());
  EXPECT_EQ(ComputeIndicators(*specs, OhlcvColumns{a, a, a, b}).status().code(), StatusCode::kInvalidArgument);
}

TEST(IndicatorCsv, WritesHeaderTimestampsAndShortestRoundTripNumbers) {
  const std::vector<std::int64_t> ts = {1704067200000, 1704067260000, 1704067320000};
  const std::vector<IndicatorColumn> cols = {{"sma_2", {std::nan(""), 0.1 + 0.2, 30000.5}},
                                             {"obv", {83.082, -1e-7, 1e21}}};
  auto csv = FormatIndicatorCsv(ts, cols);
  ASSERT_TRUE(csv.ok());
  EXPECT_EQ(*csv,
            "timestamp,sma_2,obv\n"
            "1704067200000,NaN,83.082\n"
            "1704067260000,0.30000000000000004,-1e-07\n"
            "1704067320000,30000.5,1e+21\n");
  const std::vector<IndicatorColumn> ragged = {{"x", {1.0}}};
  EXPECT_EQ(FormatIndicatorCsv(ts, ragged).status().code(), StatusCode::kInvalidArgument);
  auto empty = FormatIndicatorCsv({}, {});
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(*empty, "timestamp\n");
}

TEST(StreamingSet, EqualsComputeIndicatorsBitwiseOnTheReference) {
  const auto& d = Talib();
  auto specs = ParseIndicatorList(std::string(kFullList) + ",stoch:14:3:3,cci:20,stddev:10:2.5,atr:1");
  ASSERT_TRUE(specs.ok());
  auto set = StreamingSet::Create(*specs);
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  auto batch = ComputeIndicators(*specs, OhlcvColumns{d.high, d.low, d.close, d.volume});
  ASSERT_TRUE(batch.ok());
  ASSERT_EQ(set->width(), batch->size());
  for (std::size_t c = 0; c < batch->size(); ++c) EXPECT_EQ(set->columns()[c], (*batch)[c].name);
  std::vector<double> row(set->width());
  for (std::size_t i = 0; i < d.close.size(); ++i) {
    set->Update(d.high[i], d.low[i], d.close[i], d.volume[i], row);
    for (std::size_t c = 0; c < row.size(); ++c) {
      ASSERT_TRUE(SameBits(row[c], (*batch)[c].values[i])) << set->columns()[c] << " row " << i;
    }
  }
}

TEST(StreamingSet, DefaultSetAndErrors) {
  auto set = StreamingSet::Create(kAlphaArenaList);
  ASSERT_TRUE(set.ok());
  EXPECT_EQ(set->width(), 9u);
  auto bad = StreamingSet::Create("ema:20,rsi:1");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("'rsi:1'"), std::string::npos) << bad.status().message();
}

}  // namespace
}  // namespace aitrader::indicators
