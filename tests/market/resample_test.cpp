#include "market/resample.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "market/csv.hpp"

namespace aitrader::market {
namespace {

const std::string kData = std::string(AITRADER_DATA_DIR) + "/binance-usdm/";
const char* const kCoins[] = {"BTCUSDT", "ETHUSDT", "SOLUSDT", "BNBUSDT", "XRPUSDT", "DOGEUSDT"};

// 5m candles from t0 with the given closes; open = previous close, high/low around.
CandleSeries Make5m(UnixMs t0, int n, UnixMs skip_from = -1, UnixMs skip_to = -1) {
  CandleSeries s("TEST", 5 * kMinuteMs);
  for (int i = 0; i < n; ++i) {
    const UnixMs t = t0 + i * 5 * kMinuteMs;
    if (t >= skip_from && t < skip_to) continue;
    const Price base = Price::FromUnits(100 + i);
    s.push_back(Candle{t, base, base + Price::FromUnits(2), base - Price::FromUnits(1), base + Price::FromUnits(1),
                       static_cast<double>(i + 1) / 10});
  }
  return s;
}

TEST(Resample, AggregatesOhlcv) {
  const UnixMs t0 = 1700000000000 - 1700000000000 % kHourMs;  // on the hour
  CandleSeries s = Make5m(t0, 24);
  ResampleReport rep;
  auto h = Resample(s, kHourMs, {}, &rep);
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  ASSERT_EQ(h->size(), 2u);
  EXPECT_EQ(h->interval(), kHourMs);
  EXPECT_EQ(h->symbol(), "TEST");
  EXPECT_EQ(rep.incomplete, 0u);
  Candle a = (*h)[0], b = (*h)[1];
  EXPECT_EQ(a.open_time, t0);
  EXPECT_EQ(a.open, Price::FromUnits(100));
  EXPECT_EQ(a.high, Price::FromUnits(113));
  EXPECT_EQ(a.low, Price::FromUnits(99));
  EXPECT_EQ(a.close, Price::FromUnits(112));
  EXPECT_EQ(a.volume, 7.8);  // 0.1 + ... + 1.2, summed in decimal: exactly 7.8
  EXPECT_EQ(b.open_time, t0 + kHourMs);
  EXPECT_EQ(b.open, Price::FromUnits(112));
  EXPECT_EQ(b.close, Price::FromUnits(124));
  EXPECT_EQ(b.volume, 22.2);
}

TEST(Resample, DropsIncompleteBucketsAtTheEdgesByDefault) {
  const UnixMs t0 = 1700000000000 - 1700000000000 % kHourMs;
  CandleSeries s = Make5m(t0 + 10 * kMinuteMs, 12 * 3);  // starts at :10, ends at :05 three hours on
  ResampleReport rep;
  auto h = Resample(s, kHourMs, {}, &rep);
  ASSERT_TRUE(h.ok());
  ASSERT_EQ(h->size(), 2u);
  EXPECT_EQ(h->open_time()[0], t0 + kHourMs);
  EXPECT_EQ(rep.incomplete, 2u);
  EXPECT_EQ(rep.dropped, 2u);
  ResampleOptions keep;
  keep.keep_incomplete = true;
  auto k = Resample(s, kHourMs, keep, &rep);
  ASSERT_TRUE(k.ok());
  ASSERT_EQ(k->size(), 4u);
  EXPECT_EQ(k->open_time()[0], t0);  // the bucket is labelled by its aligned start
  EXPECT_EQ(k->open()[0], Price::FromUnits(100));  // open of the first candle present
  EXPECT_EQ(rep.incomplete, 2u);
  EXPECT_EQ(rep.dropped, 0u);
}

TEST(Resample, GapInsideABucketMakesItIncomplete) {
  const UnixMs t0 = 1700000000000 - 1700000000000 % kHourMs;
  CandleSeries s = Make5m(t0, 36, t0 + kHourMs + 20 * kMinuteMs, t0 + kHourMs + 30 * kMinuteMs);
  ResampleReport rep;
  auto h = Resample(s, kHourMs, {}, &rep);
  ASSERT_TRUE(h.ok());
  ASSERT_EQ(h->size(), 2u);
  EXPECT_EQ(h->open_time()[0], t0);
  EXPECT_EQ(h->open_time()[1], t0 + 2 * kHourMs);
  EXPECT_EQ(rep.dropped, 1u);
  ResampleOptions keep;
  keep.keep_incomplete = true;
  auto k = Resample(s, kHourMs, keep);
  ASSERT_TRUE(k.ok());
  ASSERT_EQ(k->size(), 3u);
  EXPECT_EQ(k->open_time()[1], t0 + kHourMs);
}

TEST(Resample, AlignsToUtcBoundaries) {
  EXPECT_EQ(BucketStart(1700000000000, kHourMs), 1699999200000);
  EXPECT_EQ(BucketStart(1700000000000, 4 * kHourMs), 1699992000000);  // 2023-11-14T20:00Z
  EXPECT_EQ(BucketStart(1700000000000, kDayMs), 1699920000000);       // 2023-11-14T00:00Z
  // 1w starts on Monday: 2023-11-13T00:00Z.
  EXPECT_EQ(BucketStart(1700000000000, 7 * kDayMs), 1699833600000);
  EXPECT_EQ(FormatUtc(BucketStart(1700000000000, 7 * kDayMs)), "2023-11-13T00:00:00Z");
}

TEST(Resample, RejectsBadIntervals) {
  CandleSeries s = Make5m(1700000000000, 3);
  EXPECT_FALSE(Resample(s, 7 * kMinuteMs).ok());
  EXPECT_FALSE(Resample(s, 0).ok());
  CandleSeries unknown("X", 0);
  EXPECT_FALSE(Resample(unknown, kHourMs).ok());
  auto same = Resample(s, 5 * kMinuteMs);
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(same->open_time(), s.open_time());
  EXPECT_EQ(same->volume(), s.volume());
}

TEST(Resample, DecimalVolumeSumIsExact) {
  const double v[] = {0.1, 0.2, 0.3};
  EXPECT_EQ(DecimalVolumeSum(v, 3), 0.6);  // a double sum gives 0.6000000000000001
  const double w[] = {1844.202, 1859.139, 475.249, 1556.386};
  EXPECT_EQ(DecimalVolumeSum(w, 4), 5734.976);
  const double big[] = {3618976659.0, 3720298645.0};
  EXPECT_EQ(DecimalVolumeSum(big, 2), 7339275304.0);
  EXPECT_EQ(DecimalVolumeSum(v, 0), 0.0);
  const double tiny[] = {1e-12, 1.0};  // more than 9 decimals: plain double sum
  EXPECT_EQ(DecimalVolumeSum(tiny, 2), 1e-12 + 1.0);
}

// The bundled 5m data, resampled, equals Binance's own candles of the coarser interval on
// every overlapping bucket: prices exactly, volumes as decimals (the double nearest to the
// decimal sum, i.e. the double of Binance's volume text).
void ExpectResampleMatches(const char* coin, const char* interval, std::size_t min_overlap) {
  auto five = LoadCandlesCsv(kData + "5m/" + coin + ".csv.gz");
  ASSERT_TRUE(five.ok()) << five.status().ToString();
  auto ref = LoadCandlesCsv(kData + interval + "/" + coin + ".csv.gz");
  ASSERT_TRUE(ref.ok()) << ref.status().ToString();
  auto res = Resample(*five, *ParseInterval(interval));
  ASSERT_TRUE(res.ok()) << res.status().ToString();
  std::size_t overlap = 0, volume_exact = 0;
  for (std::size_t i = 0; i < res->size(); ++i) {
    const Candle r = (*res)[i];
    const std::size_t j = ref->LowerBound(r.open_time);
    if (j >= ref->size() || ref->open_time()[j] != r.open_time) continue;
    const Candle e = (*ref)[j];
    ++overlap;
    ASSERT_EQ(r.open, e.open) << coin << " " << interval << " " << FormatUtc(r.open_time);
    ASSERT_EQ(r.high, e.high) << coin << " " << interval << " " << FormatUtc(r.open_time);
    ASSERT_EQ(r.low, e.low) << coin << " " << interval << " " << FormatUtc(r.open_time);
    ASSERT_EQ(r.close, e.close) << coin << " " << interval << " " << FormatUtc(r.open_time);
    ASSERT_NEAR(r.volume, e.volume, 1e-9 * std::abs(e.volume)) << coin << " " << interval << " "
                                                                << FormatUtc(r.open_time);
    volume_exact += r.volume == e.volume;
  }
  EXPECT_GE(overlap, min_overlap) << coin << " " << interval;
  // Summed in decimal, every volume is the same double as Binance's decimal text.
  EXPECT_EQ(volume_exact, overlap) << coin << " " << interval;
  // Every reference candle inside the 5m range has its resampled twin (no bucket was lost).
  const UnixMs from = BucketStart(five->open_time().front() + ref->interval() - 1, ref->interval());
  const UnixMs to = BucketStart(five->open_time().back() + five->interval(), ref->interval());
  EXPECT_EQ(overlap, ref->Slice(from, to).size()) << coin << " " << interval;
}

TEST(ResampleRealData, FiveMinuteToOneHourEqualsBinance) {
  for (const char* coin : kCoins) ExpectResampleMatches(coin, "1h", 2000);
}

TEST(ResampleRealData, FiveMinuteToFourHoursEqualsBinance) {
  for (const char* coin : kCoins) ExpectResampleMatches(coin, "4h", 500);
}

TEST(ResampleRealData, OneHourToFourHoursEqualsBinance) {
  for (const char* coin : kCoins) {
    auto one = LoadCandlesCsv(kData + std::string("1h/") + coin + ".csv.gz");
    auto four = LoadCandlesCsv(kData + std::string("4h/") + coin + ".csv.gz");
    ASSERT_TRUE(one.ok() && four.ok());
    auto res = Resample(*one, 4 * kHourMs);
    ASSERT_TRUE(res.ok());
    std::size_t overlap = 0;
    for (std::size_t i = 0; i < res->size(); ++i) {
      const std::size_t j = four->LowerBound(res->open_time()[i]);
      if (j >= four->size() || four->open_time()[j] != res->open_time()[i]) continue;
      ++overlap;
      ASSERT_EQ((*res)[i].open, (*four)[j].open);
      ASSERT_EQ((*res)[i].high, (*four)[j].high);
      ASSERT_EQ((*res)[i].low, (*four)[j].low);
      ASSERT_EQ((*res)[i].close, (*four)[j].close);
      ASSERT_EQ((*res)[i].volume, (*four)[j].volume) << coin << " " << FormatUtc(res->open_time()[i]);
    }
    EXPECT_GE(overlap, 1000u) << coin;
  }
}

}  // namespace
}  // namespace aitrader::market
