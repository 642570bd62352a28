// The whole backtest pipeline over the bundled candles: per bar, the paper simulator's fills,
// triggers, funding and ledger; per bot, venue events, invalidations, the cycle (snapshot from
// the precomputed causal indicators, decision, risk checks, orders) and the equity curve.
//
//  - BM_BaselineSixCoins: the baseline policy on the fast path (no text), six coins × every
//    bundled 5m candle (~210k candles). Reported: candles/s and cycles/s of the replay loop
//    (loading and the batch indicators are done once, before: see BM_LoadMarketData).
//  - BM_BaselineSixCoinsCadence15m: the same deciding every third bar.
//  - BM_LlmPathBaselineClient: an LLM bot whose "model" is agent::BaselineClient: every cycle
//    renders the Alpha Arena prompt, the client parses the prompt text back and answers, and
//    the answer is parsed and validated — the LLM path without a network. cycles/s.
//  - BM_LlmPathCachedAnswer: the same with a client that returns a fixed cached answer at once
//    (prompt rendering + hashing + answer parsing/validation per cycle). cycles/s.
//
//   ninja -C build-bt backtest_bench && build-bt/bench/backtest_bench
#include <benchmark/benchmark.h>

#include <time.h>

#include <memory>

#include "agent/baseline.hpp"
#include "core/instrument.hpp"
#include "engine/backtest.hpp"
#include "engine/market_data.hpp"

namespace {

using namespace aitrader;
using namespace aitrader::engine;

const std::vector<std::string> kSymbols = {"BTCUSDT", "ETHUSDT", "SOLUSDT", "BNBUSDT", "XRPUSDT", "DOGEUSDT"};

std::shared_ptr<const MarketData> Market() {
  static std::shared_ptr<const MarketData> market = [] {
    auto instruments = InstrumentTable::LoadDefault();
    auto m = MarketData::Load(DataDir() + "/binance-usdm", kSymbols, 5 * kMinuteMs, *instruments);
    if (!m.ok()) {
      std::fprintf(stderr, "%s\n", m.status().ToString().c_str());
      std::abort();
    }
    return *m;
  }();
  return market;
}

BotConfig Bot(const std::string& name, ModelKind kind) {
  BotConfig b;
  b.name = b.label = name;
  b.symbols = kSymbols;
  b.model = kind;
  if (kind == ModelKind::kLlm) {
    llm::ProviderConfig pc;
    pc.provider = "openai-compatible";
    pc.model = "bench";
    pc.base_url = "http://127.0.0.1:9";
    b.llm = pc;
  }
  return b;
}

// A client that answers every request with the same recorded answer, at once.
class CachedAnswerClient final : public llm::Client {
 public:
  explicit CachedAnswerClient(std::string text) : text_(std::move(text)) {}
  std::string provider() const override { return "cache"; }
  Result<llm::Response> Complete(const llm::Request&, const llm::CancelToken*) override {
    llm::Response r;
    r.text = text_;
    r.from_cache = true;
    return r;
  }

 private:
  std::string text_;
};

// The canonical answer shape (agent::DecisionsToJson): hold everything, with a justification.
std::string HoldAnswer() {
  std::string s = "{";
  for (const char* coin : {"BTC", "ETH", "SOL", "BNB", "XRP", "DOGE"}) {
    if (s.size() > 1) s += ',';
    s += std::string("\"") + coin + "\":{\"trade_signal_args\":{\"coin\":\"" + coin +
         "\",\"signal\":\"hold\",\"justification\":\"trend unclear, waiting for confirmation\"}}";
  }
  return s + "}";
}

double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Manual time = the wall time of the replay loop (RunReport::elapsed_seconds). On a shared
// machine the wall clock includes waiting for a core, so the CPU time of the whole
// RunBacktest call (the loop plus its small setup: merging the bars, creating the bots) is
// reported too: *_per_cpu_s is a lower bound of the unloaded speed.
void RunAndCount(benchmark::State& state, BacktestOptions options) {
  options.market = Market();
  options.timing = true;
  std::int64_t candles = 0, cycles = 0;
  double seconds = 0, cpu = 0;
  for (auto _ : state) {
    const double cpu0 = ThreadCpuSeconds();
    auto r = RunBacktest(options);
    cpu += ThreadCpuSeconds() - cpu0;
    if (!r.ok()) {
      state.SkipWithError(r.status().ToString().c_str());
      return;
    }
    state.SetIterationTime(*r->elapsed_seconds);
    candles += r->candles_processed;
    cycles += r->cycles;
    seconds += *r->elapsed_seconds;
    if (r->bots.front().ledger_check != "ok") state.SkipWithError("ledger check failed");
  }
  state.counters["candles"] = static_cast<double>(candles) / static_cast<double>(state.iterations());
  state.counters["cycles"] = static_cast<double>(cycles) / static_cast<double>(state.iterations());
  state.counters["candles_per_s"] = static_cast<double>(candles) / seconds;
  state.counters["cycles_per_s"] = static_cast<double>(cycles) / seconds;
  state.counters["candles_per_cpu_s"] = static_cast<double>(candles) / cpu;
  state.counters["cycles_per_cpu_s"] = static_cast<double>(cycles) / cpu;
}

void BM_LoadMarketData(benchmark::State& state) {
  auto instruments = InstrumentTable::LoadDefault();
  for (auto _ : state) {
    auto m = MarketData::Load(DataDir() + "/binance-usdm", kSymbols, 5 * kMinuteMs, *instruments);
    benchmark::DoNotOptimize(m);
  }
}
BENCHMARK(BM_LoadMarketData)->Unit(benchmark::kMillisecond)->Iterations(2);

void BM_BaselineSixCoins(benchmark::State& state) {
  BacktestOptions o;
  o.config.bots.push_back(Bot("baseline", ModelKind::kBaseline));
  RunAndCount(state, std::move(o));
}
BENCHMARK(BM_BaselineSixCoins)->UseManualTime()->Unit(benchmark::kMillisecond)->MinTime(2.0);

// The same, deciding every 15 minutes (every third bar): the per-bar work between cycles
// (fills, triggers, funding, invalidations, equity) at its real share.
void BM_BaselineSixCoinsCadence15m(benchmark::State& state) {
  BacktestOptions o;
  o.config.bots.push_back(Bot("baseline", ModelKind::kBaseline));
  o.config.bots.back().cadence = 15 * kMinuteMs;
  RunAndCount(state, std::move(o));
}
BENCHMARK(BM_BaselineSixCoinsCadence15m)->UseManualTime()->Unit(benchmark::kMillisecond)->MinTime(2.0);

void BM_LlmPathBaselineClient(benchmark::State& state) {
  BacktestOptions o;
  o.config.bots.push_back(Bot("prompted", ModelKind::kLlm));
  o.make_client = [](const BotConfig& b) -> Result<std::unique_ptr<llm::Client>> {
    agent::BaselineConfig bc;
    bc.max_leverage = b.risk.max_leverage;
    return std::unique_ptr<llm::Client>(
        std::make_unique<agent::BaselineClient>(bc, *InstrumentTable::LoadDefault()));
  };
  RunAndCount(state, std::move(o));
}
BENCHMARK(BM_LlmPathBaselineClient)->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(1);

void BM_LlmPathCachedAnswer(benchmark::State& state) {
  BacktestOptions o;
  o.config.bots.push_back(Bot("cached", ModelKind::kLlm));
  o.make_client = [](const BotConfig&) -> Result<std::unique_ptr<llm::Client>> {
    return std::unique_ptr<llm::Client>(std::make_unique<CachedAnswerClient>(HoldAnswer()));
  };
  RunAndCount(state, std::move(o));
}
BENCHMARK(BM_LlmPathCachedAnswer)->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(1);

}  // namespace

BENCHMARK_MAIN();
