// MarketData::DataSpan: the span a replay can cover (backtests, `run` and `serve` take their
// default period from it), and clear errors, never an abort, for data without candles.
#include <gtest/gtest.h>

#include "core/instrument.hpp"
#include "engine/market_data.hpp"
#include "market/data_dir.hpp"

namespace aitrader::engine {
namespace {

TEST(MarketDataSpan, ASymbolWithoutCandlesIsRefusedWhenBuiltNamingIt) {
  // So no MarketData holds an empty series, and DataSpan's own check is a second line.
  auto instruments = InstrumentTable::LoadDefault();
  ASSERT_TRUE(instruments.ok());
  MarketData::Series empty;
  empty.symbol = "ETHUSDT";
  auto md = MarketData::FromSeries({empty}, kHourMs, *instruments);
  ASSERT_FALSE(md.ok());
  EXPECT_NE(md.status().message().find("ETHUSDT"), std::string::npos) << md.status().message();
  EXPECT_NE(md.status().message().find("no intraday candles"), std::string::npos) << md.status().message();
}

TEST(MarketDataSpan, NoSymbolIsAnError) {
  auto instruments = InstrumentTable::LoadDefault();
  ASSERT_TRUE(instruments.ok());
  auto md = MarketData::FromSeries({}, kHourMs, *instruments);
  ASSERT_TRUE(md.ok());
  EXPECT_FALSE((*md)->DataSpan().ok());
}

TEST(MarketDataSpan, RunsFromTheEarliestOpenToTheLatestClose) {
  auto instruments = InstrumentTable::LoadDefault();
  ASSERT_TRUE(instruments.ok());
  // Two bundled series read directly, and the span of both built from them.
  market::DataDir dir(DataDir() + "/binance-usdm");
  auto btc = dir.LoadCandles("BTCUSDT", kHourMs);
  auto eth = dir.LoadCandles("ETHUSDT", kHourMs);
  ASSERT_TRUE(btc.ok() && eth.ok());
  ASSERT_FALSE(btc->empty());
  ASSERT_FALSE(eth->empty());
  const UnixMs first = std::min(btc->open_time().front(), eth->open_time().front());
  const UnixMs last_open = std::max(btc->open_time().back(), eth->open_time().back());
  auto md = MarketData::Load(DataDir() + "/binance-usdm", {"BTCUSDT", "ETHUSDT"}, kHourMs, *instruments);
  ASSERT_TRUE(md.ok()) << md.status().message();
  auto span = (*md)->DataSpan();
  ASSERT_TRUE(span.ok());
  EXPECT_EQ(span->from, first);
  EXPECT_EQ(span->to, last_open + kHourMs);
}

}  // namespace
}  // namespace aitrader::engine
