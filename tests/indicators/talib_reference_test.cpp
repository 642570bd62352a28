// Every column of the TA-Lib C 0.6.0 reference (tests/data/talib/talib_outputs.csv.gz)
// reproduced bitwise from ohlcv_5000.csv.gz, by the batch functions and by the streaming
// states, plus lookbacks against the manifest's outBegIdx.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "indicators/batch.hpp"
#include "indicators/streaming.hpp"
#include "indicators/talib_data.hpp"

namespace aitrader::indicators {
namespace {

using testing::SameBits;
using testing::Talib;
using testing::TalibData;
using Column = std::vector<double>;

template <class State>
State Must(Result<State> r) {
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return std::move(r).value();
}

struct Case {
  std::string column;
  int lookback;  // our lookback function's answer
  std::function<Column(const TalibData&)> batch;
  std::function<Column(const TalibData&)> stream;
};

std::ostream& operator<<(std::ostream& os, const Case& c) { return os << c.column; }

Column Sized(const TalibData& d) { return Column(d.close.size(), 12345.0); }

// Call as Check(F(..., out), out): `out` is bound by reference, so it is read only after F ran.
Column Check(const Status& s, const Column& c) {
  EXPECT_TRUE(s.ok()) << s.ToString();
  return c;
}

// One column of a single-output batch function over close.
Case CloseCase(std::string column, int lookback, std::function<Status(In, Out)> batch,
               std::function<std::function<double(double)>()> make_stream) {
  return {column, lookback,
          [batch](const TalibData& d) {
            Column out = Sized(d);
            return Check(batch(d.close, out), out);
          },
          [make_stream](const TalibData& d) {
            auto update = make_stream();
            Column out;
            for (double x : d.close) out.push_back(update(x));
            return out;
          }};
}

// One column of an indicator over high/low/close; `pick` selects the output.
template <class MakeState, class Pick>
Case HlcCase(std::string column, int lookback, std::function<Column(const TalibData&)> batch, MakeState make,
             Pick pick) {
  return {column, lookback, batch, [make, pick](const TalibData& d) {
            auto state = make();
            Column out;
            for (std::size_t i = 0; i < d.close.size(); ++i) out.push_back(pick(state.Update(d.high[i], d.low[i], d.close[i])));
            return out;
          }};
}

Case MacdCase(std::string column, int which) {
  return {column, MacdLookback(12, 26, 9),
          [which](const TalibData& d) {
            Column m = Sized(d), s = Sized(d), h = Sized(d);
            Status st = Macd(d.close, 12, 26, 9, m, s, h);
            return Check(st, which == 0 ? m : which == 1 ? s : h);
          },
          [which](const TalibData& d) {
            MacdState state = Must(MacdState::Create(12, 26, 9));
            Column out;
            for (double x : d.close) {
              const MacdValue v = state.Update(x);
              out.push_back(which == 0 ? v.macd : which == 1 ? v.signal : v.hist);
            }
            return out;
          }};
}

Case BbandsCase(std::string column, int which) {
  return {column, BbandsLookback(20),
          [which](const TalibData& d) {
            Column u = Sized(d), m = Sized(d), l = Sized(d);
            Status st = Bbands(d.close, 20, 2.0, 2.0, u, m, l);
            return Check(st, which == 0 ? u : which == 1 ? m : l);
          },
          [which](const TalibData& d) {
            BbandsState state = Must(BbandsState::Create(20, 2.0, 2.0));
            Column out;
            for (double x : d.close) {
              const BbandsValue v = state.Update(x);
              out.push_back(which == 0 ? v.upper : which == 1 ? v.middle : v.lower);
            }
            return out;
          }};
}

Case DmiCase(std::string column, int which) {
  const int lookback = which == 0 ? AdxLookback(14) : which == 1 ? PlusDiLookback(14) : MinusDiLookback(14);
  return HlcCase(
      column, lookback,
      [which](const TalibData& d) {
        Column out = Sized(d);
        Status st = which == 0   ? Adx(d.high, d.low, d.close, 14, out)
                    : which == 1 ? PlusDi(d.high, d.low, d.close, 14, out)
                                 : MinusDi(d.high, d.low, d.close, 14, out);
        return Check(st, out);
      },
      [] { return Must(DmiState::Create(14)); },
      [which](const DmiValue& v) { return which == 0 ? v.adx : which == 1 ? v.plus_di : v.minus_di; });
}

Case StochCase(std::string column, int fast_k, bool d_line) {
  return HlcCase(
      column, StochLookback(fast_k, 3, 3),
      [fast_k, d_line](const TalibData& d) {
        Column k = Sized(d), dd = Sized(d);
        Status st = Stoch(d.high, d.low, d.close, fast_k, 3, 3, k, dd);
        return Check(st, d_line ? dd : k);
      },
      [fast_k] { return Must(StochState::Create(fast_k, 3, 3)); },
      [d_line](const StochValue& v) { return d_line ? v.slow_d : v.slow_k; });
}

std::vector<Case> AllCases() {
  std::vector<Case> c;
  c.push_back(CloseCase("SMA_20", SmaLookback(20), [](In x, Out o) { return Sma(x, 20, o); }, [] {
    auto s = std::make_shared<SmaState>(Must(SmaState::Create(20)));
    return std::function<double(double)>([s](double x) { return s->Update(x); });
  }));
  for (int p : {20, 12, 26}) {
    c.push_back(CloseCase("EMA_" + std::to_string(p), EmaLookback(p), [p](In x, Out o) { return Ema(x, p, o); }, [p] {
      auto s = std::make_shared<EmaState>(Must(EmaState::Create(p)));
      return std::function<double(double)>([s](double x) { return s->Update(x); });
    }));
  }
  for (int p : {14, 7}) {
    c.push_back(CloseCase("RSI_" + std::to_string(p), RsiLookback(p), [p](In x, Out o) { return Rsi(x, p, o); }, [p] {
      auto s = std::make_shared<RsiState>(Must(RsiState::Create(p)));
      return std::function<double(double)>([s](double x) { return s->Update(x); });
    }));
  }
  c.push_back(MacdCase("MACD_12_26_9", 0));
  c.push_back(MacdCase("MACDSIGNAL_12_26_9", 1));
  c.push_back(MacdCase("MACDHIST_12_26_9", 2));
  for (int p : {14, 3}) {
    c.push_back(HlcCase(
        "ATR_" + std::to_string(p), AtrLookback(p),
        [p](const TalibData& d) {
          Column out = Sized(d);
          return Check(Atr(d.high, d.low, d.close, p, out), out);
        },
        [p] { return Must(AtrState::Create(p)); }, [](double v) { return v; }));
  }
  c.push_back(HlcCase(
      "TRANGE", TrangeLookback(),
      [](const TalibData& d) {
        Column out = Sized(d);
        return Check(Trange(d.high, d.low, d.close, out), out);
      },
      [] { return Must(TrangeState::Create()); }, [](double v) { return v; }));
  c.push_back(BbandsCase("BBUPPER_20_2", 0));
  c.push_back(BbandsCase("BBMIDDLE_20_2", 1));
  c.push_back(BbandsCase("BBLOWER_20_2", 2));
  c.push_back(CloseCase("STDDEV_20_1", StdDevLookback(20), [](In x, Out o) { return StdDev(x, 20, 1.0, o); }, [] {
    auto s = std::make_shared<StdDevState>(Must(StdDevState::Create(20, 1.0)));
    return std::function<double(double)>([s](double x) { return s->Update(x); });
  }));
  c.push_back({"OBV", ObvLookback(),
               [](const TalibData& d) {
                 Column out = Sized(d);
                 return Check(Obv(d.close, d.volume, out), out);
               },
               [](const TalibData& d) {
                 ObvState s = Must(ObvState::Create());
                 Column out;
                 for (std::size_t i = 0; i < d.close.size(); ++i) out.push_back(s.Update(d.close[i], d.volume[i]));
                 return out;
               }});
  c.push_back(DmiCase("ADX_14", 0));
  c.push_back(DmiCase("PLUS_DI_14", 1));
  c.push_back(DmiCase("MINUS_DI_14", 2));
  c.push_back(StochCase("STOCH_SLOWK_5_3_3", 5, false));
  c.push_back(StochCase("STOCH_SLOWD_5_3_3", 5, true));
  c.push_back(StochCase("STOCH_SLOWK_14_3_3", 14, false));
  c.push_back(StochCase("STOCH_SLOWD_14_3_3", 14, true));
  for (int p : {14, 20}) {
    c.push_back(HlcCase(
        "CCI_" + std::to_string(p), CciLookback(p),
        [p](const TalibData& d) {
          Column out = Sized(d);
          return Check(Cci(d.high, d.low, d.close, p, out), out);
        },
        [p] { return Must(CciState::Create(p)); }, [](double v) { return v; }));
  }
  return c;
}

class TalibReference : public ::testing::TestWithParam<Case> {};

// Compares a computed column with the reference: NaN exactly on rows [0, lookback), every
// other row bitwise equal. Reports the first few mismatches.
void ExpectColumnMatches(const Column& got, const Column& want, int lookback, const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  int shown = 0, mismatches = 0;
  for (std::size_t i = 0; i < want.size(); ++i) {
    const bool warmup = static_cast<int>(i) < lookback;
    EXPECT_EQ(std::isnan(want[i]), warmup) << what << ": reference NaN pattern at row " << i;
    if (!SameBits(got[i], want[i])) {
      ++mismatches;
      if (shown++ < 5) {
        ADD_FAILURE() << what << " row " << i << ": got " << FormatDouble(got[i]) << ", want " << FormatDouble(want[i]);
      }
    }
  }
  EXPECT_EQ(mismatches, 0) << what;
}

TEST_P(TalibReference, BatchReproducesReferenceBitwise) {
  const Case& c = GetParam();
  const TalibData& d = Talib();
  ASSERT_TRUE(d.expected.count(c.column)) << c.column;
  ExpectColumnMatches(c.batch(d), d.expected.at(c.column), c.lookback, c.column + " (batch)");
}

TEST_P(TalibReference, StreamingReproducesReferenceBitwise) {
  const Case& c = GetParam();
  const TalibData& d = Talib();
  ExpectColumnMatches(c.stream(d), d.expected.at(c.column), c.lookback, c.column + " (streaming)");
}

TEST_P(TalibReference, StreamingEqualsBatchBitwise) {
  const Case& c = GetParam();
  const TalibData& d = Talib();
  const Column batch = c.batch(d), stream = c.stream(d);
  ASSERT_EQ(batch.size(), stream.size());
  for (std::size_t i = 0; i < batch.size(); ++i) {
    ASSERT_TRUE(SameBits(batch[i], stream[i])) << c.column << " row " << i << ": batch " << FormatDouble(batch[i])
                                               << ", streaming " << FormatDouble(stream[i]);
  }
}

TEST_P(TalibReference, LookbackMatchesManifest) {
  const Case& c = GetParam();
  const TalibData& d = Talib();
  ASSERT_TRUE(d.column_indicator.count(c.column)) << c.column;
  EXPECT_EQ(c.lookback, d.out_beg_idx.at(d.column_indicator.at(c.column))) << c.column;
}

INSTANTIATE_TEST_SUITE_P(AllColumns, TalibReference, ::testing::ValuesIn(AllCases()),
                         [](const ::testing::TestParamInfo<Case>& info) { return info.param.column; });

TEST(TalibReference, CoversEveryReferenceColumn) {
  std::vector<std::string> ours;
  for (const Case& c : AllCases()) ours.push_back(c.column);
  EXPECT_EQ(ours.size(), 26u);
  EXPECT_EQ(ours, Talib().columns);
}

// The quirks the reference pins down, spelled out (they are also covered above).
TEST(TalibReference, FlatSegmentQuirks) {
  const TalibData& d = Talib();
  Column cci = Sized(d), stddev = Sized(d), rsi = Sized(d), k = Sized(d), dd = Sized(d);
  ASSERT_TRUE(Cci(d.high, d.low, d.close, 14, cci).ok());
  ASSERT_TRUE(StdDev(d.close, 20, 1.0, stddev).ok());
  ASSERT_TRUE(Rsi(d.close, 14, rsi).ok());
  ASSERT_TRUE(Stoch(d.high, d.low, d.close, 5, 3, 3, k, dd).ok());
  for (std::size_t i = 3020; i < 3040; ++i) {  // the flat rows once the 20-bar window is flat
    EXPECT_EQ(stddev[i], 0.0) << i;
  }
  // CCI_14 is −66.67, not 0, on the flat rows where the window is flat: rounding residue.
  EXPECT_NEAR(cci[3030], -66.67, 0.01);
  EXPECT_TRUE(SameBits(cci[3030], d.expected.at("CCI_14")[3030]));
  // RSI freezes rather than going to 50 or 0.
  EXPECT_TRUE(SameBits(rsi[3039], rsi[3001]));
  EXPECT_NE(rsi[3039], 50.0);
  // Running-sum residue: slow %K is tiny but not 0 on the flat segment.
  EXPECT_TRUE(SameBits(k[3030], d.expected.at("STOCH_SLOWK_5_3_3")[3030]));
}

// TA-Lib seeds MACD's fast EMA at the slow EMA's first row, so the line is not EMA12 − EMA26.
TEST(TalibReference, MacdFastSeedQuirk) {
  const TalibData& d = Talib();
  const Column& ema12 = d.expected.at("EMA_12");
  const Column& ema26 = d.expected.at("EMA_26");
  const Column& macd = d.expected.at("MACD_12_26_9");
  EXPECT_GT(std::fabs((ema12[33] - ema26[33]) - macd[33]), 1.0);
  Column m = Sized(d), s = Sized(d), h = Sized(d);
  ASSERT_TRUE(Macd(d.close, 12, 26, 9, m, s, h).ok());
  EXPECT_TRUE(SameBits(m[33], macd[33]));
}

}  // namespace
}  // namespace aitrader::indicators
