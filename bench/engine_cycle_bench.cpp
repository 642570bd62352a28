// The trading cycle's own overhead, excluding the LLM wait: all nine steps for a bot trading
// six coins — snapshots, portfolio from the paper venue, the Alpha Arena prompt, a decision
// answered at once (agent::BaselineClient: the same text round trip an LLM answer takes —
// prompt in, JSON out, parse, validate), risk checks, execution with SL/TP, and storage in
// SQLite (one transaction per bar, WAL) — one cycle per 5-minute bar.
// Reports mean and the 50th/99th percentile of the per-cycle wall time.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "agent/baseline.hpp"
#include "engine/bot.hpp"
#include "engine/store_recorder.hpp"
#include "exchange/paper/paper_exchange.hpp"
#include "exchange/paper/simulator.hpp"
#include "store/database.hpp"
#include "store/migrations.hpp"

namespace aitrader::engine {
namespace {

void BM_CycleOverheadSqlite(benchmark::State& state) {
  const std::vector<std::string> symbols = {"BTCUSDT", "ETHUSDT", "SOLUSDT", "BNBUSDT", "XRPUSDT", "DOGEUSDT"};
  auto instruments = *InstrumentTable::LoadDefault();
  auto market = *MarketData::Load(DataDir() + "/binance-usdm", symbols, 5 * kMinuteMs, instruments);
  const UnixMs from = *ParseUtc("2025-10-01");
  auto bars = market->Bars(from, from + 30 * kDayMs, symbols);
  std::string path = (std::filesystem::temp_directory_path() / ("aitrader_cycle_bench_" + std::to_string(::getpid()) + ".db")).string();
  auto db = std::move(*store::OpenDatabase("sqlite:" + path));
  (void)store::Migrate(*db);
  store::Repository repo(*db);
  auto uid = *repo.CreateUser({0, "bench@aitrader", "!", from});
  store::BotRecord br;
  br.user_id = uid;
  br.name = "bench";
  br.provider = "baseline";
  br.model = "baseline-v1";
  br.capital = Money::FromUnits(10000);
  auto bot_id = *repo.CreateBot(br);

  SimulatedClock clock(from);
  exchange::paper::SimulatorConfig sc;
  sc.symbols = symbols;
  sc.market_fill = exchange::paper::MarketFillMode::kImmediate;
  sc.keep_history = false;
  auto sim = std::move(*exchange::paper::PaperSimulator::Create(clock, instruments, sc));
  exchange::paper::AccountConfig ac;
  ac.deposit = Money::FromUnits(10000);
  auto account = *sim->AddAccount(ac);
  exchange::paper::PaperExchange venue(*sim, account);

  BotConfig cfg;
  cfg.name = "bench";
  cfg.model = ModelKind::kLlm;
  cfg.symbols = symbols;
  auto source = MakeLlmSource(std::make_shared<agent::BaselineClient>(agent::BaselineConfig{}, instruments), "baseline-v1",
                              4096, std::nullopt, 1);
  BotOptions bo;
  agent::PromptConfig pc;
  bo.prompt_builder = *agent::PromptBuilder::Create(pc, *agent::SystemPromptTemplate::LoadDefault());
  Bot bot(bot_id, cfg, venue, market, instruments, std::move(source), *risk::RiskEngine::Create(cfg.risk, instruments),
          clock, std::move(bo));
  StoreRecorder recorder(repo);
  const bool store = state.range(0) != 0;
  if (store) bot.AddObserver(&recorder);
  bot.Start(from);

  std::vector<double> samples;
  samples.reserve(bars.size());
  std::size_t i = 0;
  for (auto _ : state) {
    if (i == bars.size()) {
      state.SkipWithError("ran out of bars");
      break;
    }
    const UnixMs close = bars[i].open_time + 5 * kMinuteMs;
    clock.SetMs(close);
    (void)sim->OnBars(bars[i].bars);
    auto t0 = std::chrono::steady_clock::now();
    (void)db->Begin();
    bot.OnBarClosed(close);
    (void)repo.SetRunState("last_bar", close);
    (void)db->Commit();
    auto t1 = std::chrono::steady_clock::now();
    samples.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
    ++i;
  }
  std::sort(samples.begin(), samples.end());
  if (!samples.empty()) {
    double sum = 0;
    for (double s : samples) sum += s;
    state.counters["mean_us"] = sum / static_cast<double>(samples.size());
    state.counters["p50_us"] = samples[samples.size() / 2];
    state.counters["p99_us"] = samples[std::min(samples.size() - 1, samples.size() * 99 / 100)];
    state.counters["max_us"] = samples.back();
  }
  state.counters["cycles"] = static_cast<double>(bot.stats().cycles);
  db.reset();
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
}
// Arg 1: with SQLite storage (the figure the issue asks for); 0: the cycle's compute alone.
BENCHMARK(BM_CycleOverheadSqlite)->Arg(1)->Arg(0)->Iterations(8000)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace aitrader::engine

BENCHMARK_MAIN();
