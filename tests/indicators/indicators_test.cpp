// Parameter validation, span checks, short inputs, and streaming-vs-batch bitwise equality
// over parameters the reference does not cover (random-walk data, many periods).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "indicators/batch.hpp"
#include "indicators/streaming.hpp"
#include "indicators/talib_data.hpp"

namespace aitrader::indicators {
namespace {

using testing::SameBits;
using Column = std::vector<double>;

constexpr double kInf = std::numeric_limits<double>::infinity();

struct Walk {
  Column high, low, close, volume;
};

// A deterministic random walk with a flat stretch and repeated closes (equal-close paths).
Walk MakeWalk(std::size_t n) {
  Walk w;
  std::uint64_t s = 42;
  auto next = [&s] {
    s = s * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<double>(s >> 11) * 0x1.0p-53;
  };
  double close = 100.0;
  for (std::size_t i = 0; i < n; ++i) {
    const bool flat = i >= n / 2 && i < n / 2 + 30;
    const double next_close = flat ? close : std::round(close * (1 + 0.01 * (2 * next() - 1)) * 100) / 100;
    w.high.push_back(flat ? close : std::max(close, next_close) + std::round(next() * 50) / 100);
    w.low.push_back(flat ? close : std::min(close, next_close) - std::round(next() * 50) / 100);
    w.close.push_back(next_close);
    w.volume.push_back(std::round(next() * 1e5) / 1e3);
    close = next_close;
  }
  return w;
}

void ExpectSame(const Column& batch, const Column& stream, const std::string& what) {
  ASSERT_EQ(batch.size(), stream.size()) << what;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    ASSERT_TRUE(SameBits(batch[i], stream[i]))
        << what << " row " << i << ": batch " << FormatDouble(batch[i]) << ", streaming " << FormatDouble(stream[i]);
  }
}

void ExpectLookback(const Column& c, int lookback, const std::string& what) {
  for (std::size_t i = 0; i < c.size(); ++i) {
    ASSERT_EQ(std::isnan(c[i]), static_cast<int>(i) < lookback) << what << " row " << i;
  }
}

TEST(IndicatorParams, BatchRejectsBadPeriodsWithoutTouchingOutput) {
  const Column x(50, 1.0);
  Column out(50, 7.0), o2(50, 7.0), o3(50, 7.0);
  for (int p : {-1, 0, 1, kMaxPeriod + 1}) {
    EXPECT_EQ(Sma(x, p, out).code(), StatusCode::kInvalidArgument) << p;
    EXPECT_EQ(Ema(x, p, out).code(), StatusCode::kInvalidArgument) << p;
    EXPECT_EQ(Rsi(x, p, out).code(), StatusCode::kInvalidArgument) << p;
    EXPECT_EQ(StdDev(x, p, 1.0, out).code(), StatusCode::kInvalidArgument) << p;
    EXPECT_EQ(Bbands(x, p, 2, 2, out, o2, o3).code(), StatusCode::kInvalidArgument) << p;
    EXPECT_EQ(Adx(x, x, x, p, out).code(), StatusCode::kInvalidArgument) << p;
    EXPECT_EQ(PlusDi(x, x, x, p, out).code(), StatusCode::kInvalidArgument) << p;
    EXPECT_EQ(MinusDi(x, x, x, p, out).code(), StatusCode::kInvalidArgument) << p;
    EXPECT_EQ(Cci(x, x, x, p, out).code(), StatusCode::kInvalidArgument) << p;
    EXPECT_EQ(Macd(x, p, 26, 9, out, o2, o3).code(), StatusCode::kInvalidArgument) << p;
    EXPECT_EQ(Macd(x, 12, p, 9, out, o2, o3).code(), StatusCode::kInvalidArgument) << p;
  }
  for (int p : {-1, 0, kMaxPeriod + 1}) {
    EXPECT_EQ(Atr(x, x, x, p, out).code(), StatusCode::kInvalidArgument) << p;
    EXPECT_EQ(Macd(x, 12, 26, p, out, o2, o3).code(), StatusCode::kInvalidArgument) << p;
    EXPECT_EQ(Stoch(x, x, x, p, 3, 3, out, o2).code(), StatusCode::kInvalidArgument) << p;
    EXPECT_EQ(Stoch(x, x, x, 5, p, 3, out, o2).code(), StatusCode::kInvalidArgument) << p;
    EXPECT_EQ(Stoch(x, x, x, 5, 3, p, out, o2).code(), StatusCode::kInvalidArgument) << p;
  }
  for (double dev : {std::nan(""), kInf, -kInf}) {
    EXPECT_EQ(StdDev(x, 20, dev, out).code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(Bbands(x, 20, dev, 2, out, o2, o3).code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(Bbands(x, 20, 2, dev, out, o2, o3).code(), StatusCode::kInvalidArgument);
  }
  for (double v : out) EXPECT_EQ(v, 7.0);
  const Status s = Rsi(x, 0, out);
  EXPECT_NE(s.message().find("RSI period 0"), std::string::npos) << s.message();
}

TEST(IndicatorParams, StreamingCreateRejectsBadPeriods) {
  EXPECT_FALSE(SmaState::Create(1).ok());
  EXPECT_FALSE(EmaState::Create(0).ok());
  EXPECT_FALSE(RsiState::Create(1).ok());
  EXPECT_FALSE(MacdState::Create(12, 26, 0).ok());
  EXPECT_FALSE(MacdState::Create(1, 26, 9).ok());
  EXPECT_FALSE(AtrState::Create(0).ok());
  EXPECT_FALSE(BbandsState::Create(20, std::nan(""), 2).ok());
  EXPECT_FALSE(StdDevState::Create(1, 1).ok());
  EXPECT_FALSE(DmiState::Create(1).ok());
  EXPECT_FALSE(StochState::Create(5, 0, 3).ok());
  EXPECT_FALSE(CciState::Create(kMaxPeriod + 1).ok());
  EXPECT_EQ(CciState::Create(-5).status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(AtrState::Create(1).ok());
  EXPECT_TRUE(StochState::Create(1, 1, 1).ok());
}

TEST(IndicatorParams, LookbacksFollowTaLibAndFlagBadParameters) {
  EXPECT_EQ(SmaLookback(30), 29);
  EXPECT_EQ(EmaLookback(50), 49);
  EXPECT_EQ(RsiLookback(7), 7);
  EXPECT_EQ(MacdLookback(12, 26, 9), 33);
  EXPECT_EQ(MacdLookback(26, 12, 9), 33);  // TA-Lib swaps fast and slow
  EXPECT_EQ(MacdLookback(12, 26, 1), 25);
  EXPECT_EQ(AtrLookback(1), 1);
  EXPECT_EQ(AdxLookback(14), 27);
  EXPECT_EQ(PlusDiLookback(14), 14);
  EXPECT_EQ(StochLookback(14, 3, 3), 17);
  EXPECT_EQ(StochLookback(1, 1, 1), 0);
  EXPECT_EQ(CciLookback(20), 19);
  EXPECT_EQ(BbandsLookback(20), 19);
  EXPECT_EQ(StdDevLookback(5), 4);
  EXPECT_EQ(SmaLookback(1), -1);
  EXPECT_EQ(RsiLookback(0), -1);
  EXPECT_EQ(MacdLookback(12, 26, 0), -1);
  EXPECT_EQ(AdxLookback(1), -1);
  EXPECT_EQ(StochLookback(0, 3, 3), -1);
  EXPECT_EQ(CciLookback(kMaxPeriod + 1), -1);
}

TEST(IndicatorSpans, LengthMismatchAndOverlapAreErrors) {
  Column x(40, 1.0), short_out(39), out(40), o2(40), o3(40);
  EXPECT_EQ(Sma(x, 5, short_out).code(), StatusCode::kInvalidArgument);
  Column y(39, 1.0);
  EXPECT_EQ(Atr(x, y, x, 5, out).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Obv(x, y, out).code(), StatusCode::kInvalidArgument);
  // In-place is not supported: the running sums read rows already written.
  EXPECT_EQ(Sma(x, 5, x).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Ema(x, 5, std::span<double>(x).subspan(0, 40)).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Macd(x, 12, 26, 9, out, out, o3).code(), StatusCode::kInvalidArgument);
  Column big(80, 1.0);
  EXPECT_EQ(Sma(std::span<const double>(big).subspan(0, 40), 5, std::span<double>(big).subspan(39, 40)).code(),
            StatusCode::kInvalidArgument);
  EXPECT_TRUE(Sma(std::span<const double>(big).subspan(0, 40), 5, std::span<double>(big).subspan(40, 40)).ok());
  // Dmi may skip outputs; Adx/PlusDi/MinusDi are the one-output forms.
  EXPECT_TRUE(Dmi(x, x, x, 5, out, {}, {}).ok());
  EXPECT_EQ(Dmi(x, x, x, 5, out, short_out, {}).code(), StatusCode::kInvalidArgument);
}

TEST(IndicatorSpans, ShortAndEmptyInputsGiveNaNNotErrors) {
  const Walk w = MakeWalk(40);
  for (std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{13}, std::size_t{14}, std::size_t{15}}) {
    const std::span<const double> h(w.high.data(), n), l(w.low.data(), n), c(w.close.data(), n), v(w.volume.data(), n);
    Column out(n, 7.0), a(n, 7.0), b(n, 7.0);
    ASSERT_TRUE(Rsi(c, 14, out).ok());
    ExpectLookback(out, 14, "RSI n=" + std::to_string(n));
    ASSERT_TRUE(Atr(h, l, c, 14, out).ok());
    ExpectLookback(out, 14, "ATR n=" + std::to_string(n));
    ASSERT_TRUE(Sma(c, 14, out).ok());
    ExpectLookback(out, 13, "SMA n=" + std::to_string(n));
    ASSERT_TRUE(Macd(c, 3, 5, 4, out, a, b).ok());
    ExpectLookback(out, 7, "MACD n=" + std::to_string(n));
    ASSERT_TRUE(Dmi(h, l, c, 7, out, a, b).ok());
    ExpectLookback(out, 13, "ADX n=" + std::to_string(n));
    ExpectLookback(a, 7, "+DI n=" + std::to_string(n));
    ASSERT_TRUE(Stoch(h, l, c, 5, 3, 3, a, b).ok());
    ExpectLookback(a, 8, "STOCH n=" + std::to_string(n));
    ASSERT_TRUE(Obv(c, v, out).ok());
    ExpectLookback(out, 0, "OBV n=" + std::to_string(n));
  }
}

// Streaming states fed row by row equal the batch functions bitwise, for many parameters.
class StreamingEqualsBatch : public ::testing::TestWithParam<int> {
 protected:
  Walk w_ = MakeWalk(1500);
};

TEST_P(StreamingEqualsBatch, AllIndicators) {
  const int p = GetParam();
  const std::size_t n = w_.close.size();
  const std::string tag = " p=" + std::to_string(p);
  Column b1(n), b2(n), b3(n);
  auto run = [&](auto state, auto update) {
    Column s;
    for (std::size_t i = 0; i < n; ++i) s.push_back(update(state, i));
    return s;
  };
  if (p >= 2) {
    ASSERT_TRUE(Sma(w_.close, p, b1).ok());
    ExpectSame(b1, run(*SmaState::Create(p), [&](auto& s, std::size_t i) { return s.Update(w_.close[i]); }), "SMA" + tag);
    ASSERT_TRUE(Ema(w_.close, p, b1).ok());
    ExpectSame(b1, run(*EmaState::Create(p), [&](auto& s, std::size_t i) { return s.Update(w_.close[i]); }), "EMA" + tag);
    ASSERT_TRUE(Rsi(w_.close, p, b1).ok());
    ExpectSame(b1, run(*RsiState::Create(p), [&](auto& s, std::size_t i) { return s.Update(w_.close[i]); }), "RSI" + tag);
    ASSERT_TRUE(StdDev(w_.close, p, 1.5, b1).ok());
    ExpectSame(b1, run(*StdDevState::Create(p, 1.5), [&](auto& s, std::size_t i) { return s.Update(w_.close[i]); }),
               "STDDEV" + tag);
    ASSERT_TRUE(Bbands(w_.close, p, 2.5, -1.0, b1, b2, b3).ok());
    for (int k = 0; k < 3; ++k) {
      ExpectSame(k == 0 ? b1 : k == 1 ? b2 : b3, run(*BbandsState::Create(p, 2.5, -1.0), [&](auto& s, std::size_t i) {
                   const BbandsValue v = s.Update(w_.close[i]);
                   return k == 0 ? v.upper : k == 1 ? v.middle : v.lower;
                 }),
                 "BBANDS" + tag);
    }
    ASSERT_TRUE(Dmi(w_.high, w_.low, w_.close, p, b1, b2, b3).ok());
    for (int k = 0; k < 3; ++k) {
      ExpectSame(k == 0 ? b1 : k == 1 ? b2 : b3, run(*DmiState::Create(p), [&](auto& s, std::size_t i) {
                   const DmiValue v = s.Update(w_.high[i], w_.low[i], w_.close[i]);
                   return k == 0 ? v.adx : k == 1 ? v.plus_di : v.minus_di;
                 }),
                 "DMI" + tag);
    }
    ASSERT_TRUE(Cci(w_.high, w_.low, w_.close, p, b1).ok());
    ExpectSame(b1, run(*CciState::Create(p), [&](auto& s, std::size_t i) { return s.Update(w_.high[i], w_.low[i], w_.close[i]); }),
               "CCI" + tag);
    // MACD with this period as the slow one, a shorter fast one, in both argument orders.
    for (auto [fast, slow] : {std::pair{std::max(2, p / 2), p}, std::pair{p, std::max(2, p / 2)}}) {
      for (int sig : {1, 2, 9}) {
        ASSERT_TRUE(Macd(w_.close, fast, slow, sig, b1, b2, b3).ok());
        for (int k = 0; k < 3; ++k) {
          ExpectSame(k == 0 ? b1 : k == 1 ? b2 : b3, run(*MacdState::Create(fast, slow, sig), [&](auto& s, std::size_t i) {
                       const MacdValue v = s.Update(w_.close[i]);
                       return k == 0 ? v.macd : k == 1 ? v.signal : v.hist;
                     }),
                     "MACD" + tag + " fast=" + std::to_string(fast) + " sig=" + std::to_string(sig));
        }
        ExpectLookback(b1, MacdLookback(fast, slow, sig), "MACD lookback" + tag);
      }
    }
  }
  ASSERT_TRUE(Atr(w_.high, w_.low, w_.close, p, b1).ok());
  ExpectSame(b1, run(*AtrState::Create(p), [&](auto& s, std::size_t i) { return s.Update(w_.high[i], w_.low[i], w_.close[i]); }),
             "ATR" + tag);
  ExpectLookback(b1, AtrLookback(p), "ATR lookback" + tag);
  for (auto [sk, sd] : {std::pair{1, 1}, std::pair{3, 3}, std::pair{1, 4}}) {
    ASSERT_TRUE(Stoch(w_.high, w_.low, w_.close, p, sk, sd, b1, b2).ok());
    for (int k = 0; k < 2; ++k) {
      ExpectSame(k == 0 ? b1 : b2, run(*StochState::Create(p, sk, sd), [&](auto& s, std::size_t i) {
                   const StochValue v = s.Update(w_.high[i], w_.low[i], w_.close[i]);
                   return k == 0 ? v.slow_k : v.slow_d;
                 }),
                 "STOCH" + tag);
    }
    ExpectLookback(b1, StochLookback(p, sk, sd), "STOCH lookback" + tag);
  }
}

// Periods 1..3 (edge cases), the common ones, and 70/200 (STOCH's queue path above 64).
INSTANTIATE_TEST_SUITE_P(Periods, StreamingEqualsBatch, ::testing::Values(1, 2, 3, 5, 7, 14, 20, 26, 50, 70, 200));

TEST(IndicatorEdgeCases, TrangeAndObvStreaming) {
  const Walk w = MakeWalk(300);
  const std::size_t n = w.close.size();
  Column tr(n), obv(n);
  ASSERT_TRUE(Trange(w.high, w.low, w.close, tr).ok());
  ASSERT_TRUE(Obv(w.close, w.volume, obv).ok());
  TrangeState ts = *TrangeState::Create();
  ObvState os = *ObvState::Create();
  for (std::size_t i = 0; i < n; ++i) {
    ASSERT_TRUE(SameBits(tr[i], ts.Update(w.high[i], w.low[i], w.close[i]))) << i;
    ASSERT_TRUE(SameBits(obv[i], os.Update(w.close[i], w.volume[i]))) << i;
  }
  EXPECT_EQ(obv[0], w.volume[0]);  // OBV starts at the first volume, not 0
}

TEST(IndicatorEdgeCases, AtrPeriodOneIsTrange) {
  const Walk w = MakeWalk(100);
  Column atr(100), tr(100);
  ASSERT_TRUE(Atr(w.high, w.low, w.close, 1, atr).ok());
  ASSERT_TRUE(Trange(w.high, w.low, w.close, tr).ok());
  for (std::size_t i = 0; i < 100; ++i) EXPECT_TRUE(SameBits(atr[i], tr[i])) << i;
}

TEST(IndicatorEdgeCases, FlatSeriesZeroRangePaths) {
  const Column flat(60, 250.5);
  Column rsi(60), sd(60), cci(60), k(60), d(60), adx(60), pdi(60), mdi(60);
  ASSERT_TRUE(Rsi(flat, 14, rsi).ok());
  ASSERT_TRUE(StdDev(flat, 20, 2.0, sd).ok());
  ASSERT_TRUE(Cci(flat, flat, flat, 14, cci).ok());
  ASSERT_TRUE(Stoch(flat, flat, flat, 5, 3, 3, k, d).ok());
  ASSERT_TRUE(Dmi(flat, flat, flat, 14, adx, pdi, mdi).ok());
  EXPECT_EQ(rsi[14], 0.0);  // zero gain + loss: TA-Lib writes 0
  EXPECT_EQ(sd[59], 0.0);
  EXPECT_EQ(cci[59], 0.0);
  EXPECT_EQ(k[59], 0.0);
  EXPECT_EQ(pdi[14], 0.0);  // zero true range: DI written as 0
  EXPECT_EQ(mdi[59], 0.0);
  EXPECT_EQ(adx[27], 0.0);  // every DX skipped: ADX = 0/n
}

TEST(IndicatorEdgeCases, StreamingStatesCopyTheirHistory) {
  const Walk w = MakeWalk(200);
  RsiState a = *RsiState::Create(14);
  for (std::size_t i = 0; i < 100; ++i) a.Update(w.close[i]);
  RsiState b = a;
  for (std::size_t i = 100; i < 200; ++i) EXPECT_TRUE(SameBits(a.Update(w.close[i]), b.Update(w.close[i])));
}

}  // namespace
}  // namespace aitrader::indicators
