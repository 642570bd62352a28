// agent/ benchmarks: building the six-coin Alpha Arena prompt (target < 20 µs), parsing and
// validating a six-coin answer (target < 10 µs), and the baseline policy.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "agent/baseline.hpp"
#include "agent/decision.hpp"
#include "agent/live_features.hpp"
#include "agent/prompt.hpp"
#include "agent/snapshot.hpp"
#include "core/instrument.hpp"
#include "market/data_dir.hpp"

namespace {

using namespace aitrader;
using namespace aitrader::agent;

struct Fixture {
  InstrumentTable instruments;
  std::vector<CoinFeatures> features;
  std::vector<MarketSnapshot> snapshots;
  std::vector<PositionInfo> positions;
  AccountState account;
  UnixMs t = 0;
  PromptBuilder builder;
  std::string answer;
  ValidationContext ctx;
};

const Fixture& Get() {
  static const Fixture f = [] {
    Fixture x;
    x.instruments = InstrumentTable::LoadDefault().value();
    market::DataDir dir(std::string(AITRADER_DATA_DIR) + "/binance-usdm");
    x.t = ParseUtc("2025-10-20T12:00:00Z").value();
    for (const char* coin : {"BTC", "ETH", "SOL", "BNB", "XRP", "DOGE"}) {
      const Instrument* inst = x.instruments.Find(coin);
      auto m5 = dir.LoadCandles(inst->symbol, 5 * kMinuteMs).value();
      auto h4 = dir.LoadCandles(inst->symbol, 4 * kHourMs).value();
      x.features.push_back(CoinFeatures::Build(coin, inst->PriceDecimals(), m5, h4).value());
      x.snapshots.push_back(x.features.back().At(x.t).value());
    }
    PositionInfo p;
    p.coin = "ETH";
    p.quantity = Quantity::Parse("5.74").value();
    p.entry_price = Price::Parse("4189.12").value();
    p.current_price = x.snapshots[1].current_price;
    p.leverage = 10;
    p.profit_target = Price::Parse("4568.31").value();
    p.stop_loss = Price::Parse("3965.43").value();
    p.invalidation_condition = "If the price closes below 3950 on a 5-minute candle";
    p.confidence = 0.65;
    p.risk_usd = Money::Parse("722.78").value();
    x.positions.push_back(p);
    x.account.available_cash = Money::Parse("13654.1").value();
    x.account.account_value = Money::Parse("21580.35").value();
    x.account.sharpe = 0.483;
    x.builder = PromptBuilder::Create({}, SystemPromptTemplate::LoadDefault().value()).value();
    // A six-coin answer in the nof1 shape: entries, holds, a close.
    x.answer =
        "```json\n{\n"
        "\"BTC\": {\"trade_signal_args\": {\"coin\": \"BTC\", \"signal\": \"sell_to_enter\", \"quantity\": 0.12, "
        "\"leverage\": 10, \"profit_target\": 105000.5, \"stop_loss\": 114500.0, \"invalidation_condition\": \"If the "
        "price closes above 114000 on a 5-minute candle\", \"confidence\": 0.7, \"risk_usd\": 424.26, "
        "\"justification\": \"4h EMA20 below EMA50, MACD negative.\"}},\n"
        "\"ETH\": {\"trade_signal_args\": {\"coin\": \"ETH\", \"signal\": \"hold\", \"quantity\": 5.74, \"leverage\": 10, "
        "\"profit_target\": 4568.31, \"stop_loss\": 3965.43, \"invalidation_condition\": \"If the price closes below "
        "3950\", \"confidence\": 0.65, \"risk_usd\": 722.78}},\n"
        "\"SOL\": {\"trade_signal_args\": {\"coin\": \"SOL\", \"signal\": \"buy_to_enter\", \"quantity\": 30, \"leverage\": "
        "5, \"profit_target\": 205.5, \"stop_loss\": 185.25, \"invalidation_condition\": \"4h close below 185\", "
        "\"confidence\": 0.55, \"risk_usd\": 205.8, \"justification\": \"Momentum turning up.\"}},\n"
        "\"BNB\": {\"trade_signal_args\": {\"coin\": \"BNB\", \"signal\": \"hold\", \"quantity\": 0, \"leverage\": 1, "
        "\"profit_target\": 0, \"stop_loss\": 0, \"invalidation_condition\": \"\", \"confidence\": 0.5, \"risk_usd\": 0}},\n"
        "\"XRP\": {\"trade_signal_args\": {\"coin\": \"XRP\", \"signal\": \"hold\", \"quantity\": 0, \"leverage\": 1, "
        "\"profit_target\": 0, \"stop_loss\": 0, \"invalidation_condition\": \"\", \"confidence\": 0.5, \"risk_usd\": 0}},\n"
        "\"DOGE\": {\"trade_signal_args\": {\"coin\": \"DOGE\", \"signal\": \"hold\", \"quantity\": 0, \"leverage\": 1, "
        "\"profit_target\": 0, \"stop_loss\": 0, \"invalidation_condition\": \"\", \"confidence\": 0.5, \"risk_usd\": 0}}\n"
        "}\n```";
    for (const MarketSnapshot& s : x.snapshots) {
      x.ctx.coins.push_back({s.coin, s.current_price, s.coin == "ETH" ? p.quantity : Quantity::Zero()});
    }
    return x;
  }();
  return f;
}

PromptState State(const Fixture& f) {
  PromptState st;
  st.started_at = f.t - 7892 * kMinuteMs;
  st.now = f.t;
  st.invocation_count = 3114;
  st.coins = f.snapshots;
  st.account = f.account;
  st.positions = f.positions;
  return st;
}

// Rendering the six-coin user prompt from snapshots into a reused string.
void BM_BuildSixCoinPrompt(benchmark::State& state) {
  const Fixture& f = Get();
  PromptState st = State(f);
  std::string out;
  out.reserve(32 * 1024);
  for (auto _ : state) {
    f.builder.RenderUser(st, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["bytes"] = static_cast<double>(out.size());
}
BENCHMARK(BM_BuildSixCoinPrompt);

// Snapshots for six coins from precomputed features at a time t, then the prompt.
void BM_SnapshotsAndPrompt(benchmark::State& state) {
  const Fixture& f = Get();
  std::vector<MarketSnapshot> snaps(f.features.size());
  PromptState st = State(f);
  std::string out;
  out.reserve(32 * 1024);
  UnixMs t = f.t;
  for (auto _ : state) {
    for (std::size_t i = 0; i < f.features.size(); ++i) (void)f.features[i].At(t, snaps[i]);
    st.coins = snaps;
    f.builder.RenderUser(st, out);
    benchmark::DoNotOptimize(out.data());
    t = t == f.t ? f.t + 5 * kMinuteMs : f.t;
  }
}
BENCHMARK(BM_SnapshotsAndPrompt);

void BM_ParseAndValidateSixCoinAnswer(benchmark::State& state) {
  const Fixture& f = Get();
  for (auto _ : state) {
    CheckedAnswer c = CheckDecisionAnswer(f.answer, f.ctx);
    if (!c.ok()) state.SkipWithError("answer refused");
    benchmark::DoNotOptimize(c.decisions.data());
  }
  state.counters["bytes"] = static_cast<double>(f.answer.size());
}
BENCHMARK(BM_ParseAndValidateSixCoinAnswer);

void BM_BaselineDecide(benchmark::State& state) {
  const Fixture& f = Get();
  BaselinePolicy policy({}, f.instruments);
  for (auto _ : state) {
    auto d = policy.Decide(f.snapshots, f.account, f.positions);
    benchmark::DoNotOptimize(d.data());
  }
}
BENCHMARK(BM_BaselineDecide);

// The mock vendor server's path: prompt text → features → baseline → JSON.
void BM_BaselineAnswerForPrompt(benchmark::State& state) {
  const Fixture& f = Get();
  BuiltPrompt p = f.builder.Build(State(f));
  for (auto _ : state) {
    std::string a = BaselineAnswerForPrompt(p.system, p.user);
    benchmark::DoNotOptimize(a.data());
  }
}
BENCHMARK(BM_BaselineAnswerForPrompt);

// Live path: one closed 5m candle into the streaming state, then the snapshot.
void BM_LiveUpdateAndSnapshot(benchmark::State& state) {
  market::DataDir dir(std::string(AITRADER_DATA_DIR) + "/binance-usdm");
  auto m5 = dir.LoadCandles("BTCUSDT", 5 * kMinuteMs).value();
  auto live = LiveCoinFeatures::Create("BTC", 1, m5.interval()).value();
  MarketSnapshot snap;
  std::size_t i = 0;
  for (auto _ : state) {
    market::Candle c = m5[i % m5.size()];
    c.open_time = static_cast<UnixMs>(i) * m5.interval();  // keep times increasing across wraps
    (void)live.AddIntraday(c);
    (void)live.Snapshot(c.open_time + m5.interval(), snap);
    benchmark::DoNotOptimize(snap.ema20);
    ++i;
  }
}
BENCHMARK(BM_LiveUpdateAndSnapshot);

}  // namespace

BENCHMARK_MAIN();
