// market/ benchmarks: CSV parse throughput of the bundled 5m BTC file (decompressed once,
// outside the timed loop), the specialised price parser against Price::Parse, and
// resampling throughput (5m → 1h). Candles per second are reported as items_per_second.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/io.hpp"
#include "market/csv.hpp"
#include "market/decimal.hpp"
#include "market/resample.hpp"

namespace {

using namespace aitrader;
using namespace aitrader::market;

const std::string& Btc5mText() {
  static const std::string text = [] {
    auto r = ReadFile(std::string(AITRADER_DATA_DIR) + "/binance-usdm/5m/BTCUSDT.csv.gz");
    if (!r.ok()) {
      std::fprintf(stderr, "%s\n", r.status().ToString().c_str());
      std::abort();
    }
    return std::move(r).value();
  }();
  return text;
}

void BM_ParseCandlesCsv_Btc5m(benchmark::State& state) {
  const std::string& text = Btc5mText();
  std::size_t rows = 0;
  for (auto _ : state) {
    auto s = ParseCandlesCsv(text, "BTCUSDT.csv");
    if (!s.ok()) state.SkipWithError(s.status().message().c_str());
    rows = s->size();
    benchmark::DoNotOptimize(s->close().data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * rows));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_ParseCandlesCsv_Btc5m)->Unit(benchmark::kMillisecond);

void BM_ParseCandlesCsv_Klines9_Btc4h(benchmark::State& state) {
  static const std::string text = *ReadFile(std::string(AITRADER_DATA_DIR) + "/binance-usdm/4h/BTCUSDT.csv.gz");
  std::size_t rows = 0;
  for (auto _ : state) {
    auto s = ParseCandlesCsv(text, "BTCUSDT.csv");
    if (!s.ok()) state.SkipWithError(s.status().message().c_str());
    rows = s->size();
    benchmark::DoNotOptimize(s->close().data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * rows));
}
BENCHMARK(BM_ParseCandlesCsv_Klines9_Btc4h)->Unit(benchmark::kMicrosecond);

const char* const kPrices[] = {"108208.4", "0.21358", "69787.50", "4389.59", "2.7744", "858.09", "0.000012345"};

void BM_ParsePriceRaw(benchmark::State& state) {
  for (auto _ : state) {
    for (const char* p : kPrices) benchmark::DoNotOptimize(ParsePriceRaw(p).ok());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * std::size(kPrices)));
}
BENCHMARK(BM_ParsePriceRaw);

void BM_PriceParse(benchmark::State& state) {
  for (auto _ : state) {
    for (const char* p : kPrices) benchmark::DoNotOptimize(Price::Parse(p).ok());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * std::size(kPrices)));
}
BENCHMARK(BM_PriceParse);

void BM_Resample_5mTo1h(benchmark::State& state) {
  auto s = ParseCandlesCsv(Btc5mText(), "BTCUSDT.csv");
  if (!s.ok()) std::abort();
  for (auto _ : state) {
    auto h = Resample(*s, kHourMs);
    benchmark::DoNotOptimize(h->close().data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * s->size()));  // input candles
}
BENCHMARK(BM_Resample_5mTo1h)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
