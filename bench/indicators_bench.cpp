// Benchmarks of the TA-Lib-exact indicators (src/indicators/).
//
// Batch kernels run over a deterministic 1,000,000-candle random walk; the counter
// `sec_per_elem` is the time per input row (e.g. "1.9n" = 1.9 ns/element). The streaming
// benchmark updates the Alpha Arena set (EMA20, EMA50, MACD(12,26,9), RSI7, RSI14, ATR3, ATR14)
// with one new candle per iteration; its Time column is the cost of one candle.
//
// Run: build-*/bench/indicators_bench --benchmark_min_time=1 (figures: docs/indicators.md).
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "indicators/batch.hpp"
#include "indicators/spec.hpp"
#include "indicators/streaming.hpp"
#include "indicators/streaming_set.hpp"

namespace aitrader::indicators {
namespace {

constexpr std::size_t kRows = 1'000'000;

// SplitMix64: a deterministic generator for the candles.
struct SplitMix64 {
  std::uint64_t state;
  std::uint64_t Next() {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
};

struct Candles {
  std::vector<double> high, low, close, volume;
};

// A random walk of one-minute-like candles around 30,000 (±0.4% per bar), as in the
// TA-Lib reference data.
const Candles& Data() {
  static const Candles c = [] {
    Candles d;
    SplitMix64 rng{20240601};
    double open = 30000.0;
    for (std::size_t i = 0; i < kRows; ++i) {
      const double close = std::round(open * (1 + 0.004 * (2 * rng.Uniform() - 1)) * 100) / 100;
      d.high.push_back(std::round(std::max(open, close) * (1 + 0.002 * rng.Uniform()) * 100) / 100);
      d.low.push_back(std::round(std::min(open, close) * (1 - 0.002 * rng.Uniform()) * 100) / 100);
      d.close.push_back(close);
      d.volume.push_back(std::round((1 + 99 * rng.Uniform()) * 1000) / 1000);
      open = close;
    }
    return d;
  }();
  return c;
}

void PerElement(benchmark::State& state) {
  state.counters["sec_per_elem"] = benchmark::Counter(static_cast<double>(kRows),
                                                      benchmark::Counter::kIsIterationInvariantRate |
                                                          benchmark::Counter::kInvert);
}

void Require(const Status& s, benchmark::State& state) {
  if (!s.ok()) state.SkipWithError(s.ToString().c_str());
}

void BM_Sma20(benchmark::State& state) {
  const Candles& d = Data();
  std::vector<double> out(kRows);
  for (auto _ : state) {
    Require(Sma(d.close, 20, out), state);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  PerElement(state);
}
BENCHMARK(BM_Sma20);

void BM_Ema20(benchmark::State& state) {
  const Candles& d = Data();
  std::vector<double> out(kRows);
  for (auto _ : state) {
    Require(Ema(d.close, 20, out), state);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  PerElement(state);
}
BENCHMARK(BM_Ema20);

void BM_Rsi14(benchmark::State& state) {
  const Candles& d = Data();
  std::vector<double> out(kRows);
  for (auto _ : state) {
    Require(Rsi(d.close, 14, out), state);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  PerElement(state);
}
BENCHMARK(BM_Rsi14);

void BM_Macd_12_26_9(benchmark::State& state) {
  const Candles& d = Data();
  std::vector<double> m(kRows), s(kRows), h(kRows);
  for (auto _ : state) {
    Require(Macd(d.close, 12, 26, 9, m, s, h), state);
    benchmark::DoNotOptimize(m.data());
    benchmark::ClobberMemory();
  }
  PerElement(state);
}
BENCHMARK(BM_Macd_12_26_9);

void BM_Atr14(benchmark::State& state) {
  const Candles& d = Data();
  std::vector<double> out(kRows);
  for (auto _ : state) {
    Require(Atr(d.high, d.low, d.close, 14, out), state);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  PerElement(state);
}
BENCHMARK(BM_Atr14);

void BM_Trange(benchmark::State& state) {
  const Candles& d = Data();
  std::vector<double> out(kRows);
  for (auto _ : state) {
    Require(Trange(d.high, d.low, d.close, out), state);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  PerElement(state);
}
BENCHMARK(BM_Trange);

void BM_Bbands_20_2(benchmark::State& state) {
  const Candles& d = Data();
  std::vector<double> u(kRows), m(kRows), l(kRows);
  for (auto _ : state) {
    Require(Bbands(d.close, 20, 2.0, 2.0, u, m, l), state);
    benchmark::DoNotOptimize(u.data());
    benchmark::ClobberMemory();
  }
  PerElement(state);
}
BENCHMARK(BM_Bbands_20_2);

void BM_StdDev20(benchmark::State& state) {
  const Candles& d = Data();
  std::vector<double> out(kRows);
  for (auto _ : state) {
    Require(StdDev(d.close, 20, 1.0, out), state);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  PerElement(state);
}
BENCHMARK(BM_StdDev20);

void BM_Obv(benchmark::State& state) {
  const Candles& d = Data();
  std::vector<double> out(kRows);
  for (auto _ : state) {
    Require(Obv(d.close, d.volume, out), state);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  PerElement(state);
}
BENCHMARK(BM_Obv);

void BM_Dmi14(benchmark::State& state) {
  const Candles& d = Data();
  std::vector<double> a(kRows), p(kRows), m(kRows);
  for (auto _ : state) {
    Require(Dmi(d.high, d.low, d.close, 14, a, p, m), state);
    benchmark::DoNotOptimize(a.data());
    benchmark::ClobberMemory();
  }
  PerElement(state);
}
BENCHMARK(BM_Dmi14);

void BM_Stoch_5_3_3(benchmark::State& state) {
  const Candles& d = Data();
  std::vector<double> k(kRows), dd(kRows);
  for (auto _ : state) {
    Require(Stoch(d.high, d.low, d.close, 5, 3, 3, k, dd), state);
    benchmark::DoNotOptimize(k.data());
    benchmark::ClobberMemory();
  }
  PerElement(state);
}
BENCHMARK(BM_Stoch_5_3_3);

void BM_Cci14(benchmark::State& state) {
  const Candles& d = Data();
  std::vector<double> out(kRows);
  for (auto _ : state) {
    Require(Cci(d.high, d.low, d.close, 14, out), state);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  PerElement(state);
}
BENCHMARK(BM_Cci14);

// The Alpha Arena set, as the engine keeps it per (symbol, timeframe).
struct AlphaArenaSet {
  EmaState ema20 = EmaState::Create(20).value();
  EmaState ema50 = EmaState::Create(50).value();
  MacdState macd = MacdState::Create(12, 26, 9).value();
  RsiState rsi7 = RsiState::Create(7).value();
  RsiState rsi14 = RsiState::Create(14).value();
  AtrState atr3 = AtrState::Create(3).value();
  AtrState atr14 = AtrState::Create(14).value();

  double Update(double high, double low, double close) {
    const MacdValue m = macd.Update(close);
    return ema20.Update(close) + ema50.Update(close) + m.macd + m.signal + m.hist + rsi7.Update(close) +
           rsi14.Update(close) + atr3.Update(high, low, close) + atr14.Update(high, low, close);
  }
};

void BM_StreamingAlphaArenaSetPerCandle(benchmark::State& state) {
  const Candles& d = Data();
  AlphaArenaSet set;
  std::size_t i = 0;
  for (; i < 1000; ++i) benchmark::DoNotOptimize(set.Update(d.high[i], d.low[i], d.close[i]));  // warm up
  for (auto _ : state) {
    benchmark::DoNotOptimize(set.Update(d.high[i], d.low[i], d.close[i]));
    if (++i == kRows) i = 0;
  }
}
BENCHMARK(BM_StreamingAlphaArenaSetPerCandle);

// The same set through the generic StreamingSet (built from kAlphaArenaList), as a bot holds it.
void BM_StreamingSetAlphaArenaPerCandle(benchmark::State& state) {
  const Candles& d = Data();
  StreamingSet set = StreamingSet::Create(kAlphaArenaList).value();
  std::vector<double> row(set.width());
  std::size_t i = 0;
  for (; i < 1000; ++i) set.Update(d.high[i], d.low[i], d.close[i], d.volume[i], row);  // warm up
  for (auto _ : state) {
    set.Update(d.high[i], d.low[i], d.close[i], d.volume[i], row);
    benchmark::DoNotOptimize(row.data());
    if (++i == kRows) i = 0;
  }
}
BENCHMARK(BM_StreamingSetAlphaArenaPerCandle);

void BM_StreamingEma20PerCandle(benchmark::State& state) {
  const Candles& d = Data();
  EmaState ema = EmaState::Create(20).value();
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(ema.Update(d.close[i]));
    if (++i == kRows) i = 0;
  }
}
BENCHMARK(BM_StreamingEma20PerCandle);

}  // namespace
}  // namespace aitrader::indicators

BENCHMARK_MAIN();
