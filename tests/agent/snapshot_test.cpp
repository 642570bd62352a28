#include "agent/snapshot.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <optional>
#include <vector>

#include "market/funding.hpp"

namespace aitrader::agent {
namespace {

constexpr UnixMs kStart = 1'757'548'800'000;  // 2025-09-11T00:00:00Z

// A candle at open time t with a price path that varies from candle to candle.
market::Candle MakeCandle(UnixMs t, int i) {
  const std::int64_t base = 100'000'000'000 + (std::int64_t{i} * 7919 % 1000) * 10'000'000;  // 100.00 .. 109.99
  market::Candle c;
  c.open_time = t;
  c.open = Price::FromRaw(base);
  c.high = Price::FromRaw(base + 50'000'000);
  c.low = Price::FromRaw(base - 50'000'000);
  c.close = Price::FromRaw(base + std::int64_t{i % 7 - 3} * 10'000'000);
  c.volume = 10 + i % 13;
  return c;
}

// A series of `count` candles, skipping the open times in `gaps` (missing candles: irregular
// open times, the case the O(1) index must detect and fall back from).
market::CandleSeries MakeSeries(UnixMs interval, int count, const std::vector<int>& gaps) {
  market::CandleSeries s("TESTUSDT", interval);
  for (int i = 0; i < count; ++i) {
    bool skip = false;
    for (int g : gaps) skip = skip || g == i;
    if (!skip) s.push_back(MakeCandle(kStart + i * interval, i));
  }
  return s;
}

bool SameDouble(double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; }

// At(t) against BuildSnapshot (which cuts the series first, then searches nothing).
void ExpectSameAsReference(const CoinFeatures& f, const market::CandleSeries& m5, const market::CandleSeries& h4,
                           const market::FundingSeries* funding, UnixMs t) {
  auto ref = BuildSnapshot("TEST", 2, m5, h4, t, funding);
  MarketSnapshot got;
  const Status st = f.At(t, got);
  ASSERT_EQ(st.ok(), ref.ok()) << FormatUtc(t);
  if (!ref.ok()) return;
  SCOPED_TRACE(FormatUtc(t));
  EXPECT_EQ(got.last_close_time, ref->last_close_time);
  EXPECT_EQ(got.current_price, ref->current_price);
  EXPECT_EQ(got.series_length, ref->series_length);
  EXPECT_EQ(got.mid_prices, ref->mid_prices);
  EXPECT_TRUE(SameDouble(got.ema20, ref->ema20));
  EXPECT_EQ(got.has_4h, ref->has_4h);
  EXPECT_EQ(got.h4_last_close_time, ref->h4_last_close_time);
  EXPECT_EQ(got.h4_series_length, ref->h4_series_length);
  EXPECT_TRUE(SameDouble(got.h4_volume, ref->h4_volume));
  EXPECT_EQ(got.funding_rate.has_value(), ref->funding_rate.has_value());
  if (got.funding_rate && ref->funding_rate) {
    EXPECT_EQ(*got.funding_rate, *ref->funding_rate);
  }
  // Funding is not cut by BuildSnapshot: check it against a linear scan too.
  if (funding != nullptr) {
    std::optional<double> expected;
    for (std::size_t i = 0; i < funding->size(); ++i) {
      if (funding->funding_time()[i] <= t) expected = funding->rate()[i].ToDouble();
    }
    EXPECT_EQ(got.funding_rate, expected);
  }
}

// Every 5-minute decision time over the data plus off-grid times (one ms either side of each
// close), and times before the first close and after the last.
std::vector<UnixMs> Times(UnixMs interval, int count) {
  std::vector<UnixMs> out = {kStart - kHourMs, kStart, kStart + interval - 1};
  for (int i = 1; i <= count + 2; ++i) {
    const UnixMs t = kStart + i * interval;
    out.push_back(t - 1);
    out.push_back(t);
    out.push_back(t + 1);
  }
  out.push_back(kStart + (count + 100) * interval);
  return out;
}

TEST(CoinFeaturesAt, RegularSeriesMatchesReferenceAtEveryTime) {
  const auto m5 = MakeSeries(5 * kMinuteMs, 240, {});
  const auto h4 = MakeSeries(4 * kHourMs, 6, {});
  auto f = CoinFeatures::Build("TEST", 2, m5, h4);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  for (UnixMs t : Times(5 * kMinuteMs, 240)) ExpectSameAsReference(*f, m5, h4, nullptr, t);
}

TEST(CoinFeaturesAt, SeriesWithGapsMatchesReferenceAtEveryTime) {
  // Missing candles at the start, single and runs of gaps, and at the end.
  const auto m5 = MakeSeries(5 * kMinuteMs, 240, {0, 1, 17, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 199, 239});
  const auto h4 = MakeSeries(4 * kHourMs, 6, {2});
  auto f = CoinFeatures::Build("TEST", 2, m5, h4);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  for (UnixMs t : Times(5 * kMinuteMs, 240)) ExpectSameAsReference(*f, m5, h4, nullptr, t);
}

TEST(CoinFeaturesAt, IrregularFundingTimesMatchReference) {
  const auto m5 = MakeSeries(5 * kMinuteMs, 300, {});
  const auto h4 = MakeSeries(4 * kHourMs, 7, {});
  market::FundingSeries funding("TESTUSDT", market::FundingSeries::Kind::kEvents);
  // Mostly hourly, with a jittered settlement, a skipped one and a 4-hour gap.
  const std::vector<UnixMs> times = {kStart,
                                     kStart + kHourMs,
                                     kStart + 2 * kHourMs + 5,
                                     kStart + 3 * kHourMs,
                                     kStart + 5 * kHourMs,
                                     kStart + 9 * kHourMs,
                                     kStart + 10 * kHourMs,
                                     kStart + 11 * kHourMs};
  for (std::size_t i = 0; i < times.size(); ++i) {
    funding.push_back({times[i], times[i], Ratio::FromRaw(static_cast<std::int64_t>(i + 1) * 1000)});
  }
  auto f = CoinFeatures::Build("TEST", 2, m5, h4, &funding);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  for (UnixMs t : Times(5 * kMinuteMs, 300)) ExpectSameAsReference(*f, m5, h4, &funding, t);
  for (UnixMs ft : times) {
    for (UnixMs d : {-1, 0, 1}) ExpectSameAsReference(*f, m5, h4, &funding, ft + d);
  }
}

}  // namespace
}  // namespace aitrader::agent
