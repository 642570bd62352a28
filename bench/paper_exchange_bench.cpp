// Paper exchange hot path: the cost of one bar (one candle for each of six symbols) for
// accounts that each hold 6 open positions with 12 resting stop-loss / take-profit orders,
// for 1, 100 and 10,000 accounts on the same feed, isolated and cross margin.
// Reported (CPU time): per_account_bar (all six candles of one bar for one account) and
// per_account_candle (÷ 6), printed with SI suffixes ("25.1n" = 25.1 ns).
//
//   ninja -C build-exchange paper_exchange_bench && build-exchange/bench/paper_exchange_bench
#include <benchmark/benchmark.h>

#include <cstdio>
#include <memory>
#include <vector>

#include "core/clock.hpp"
#include "core/instrument.hpp"
#include "exchange/paper/simulator.hpp"
#include "market/csv.hpp"

namespace {

using namespace aitrader;
using namespace aitrader::exchange;
using namespace aitrader::exchange::paper;

struct Coin {
  const char* symbol;
  const char* price;
  const char* qty;  // about 10,000 USDT of notional
};
constexpr Coin kCoins[] = {{"BTCUSDT", "100000", "0.1"}, {"ETHUSDT", "4000", "2.5"},   {"SOLUSDT", "200", "50"},
                           {"BNBUSDT", "1000", "10"},     {"XRPUSDT", "2.5", "4000"}, {"DOGEUSDT", "0.2", "50000"}};
constexpr UnixMs kStart = 1760659200000;  // 2025-10-17T00:00Z

struct Fixture {
  SimulatedClock clock{kStart};
  std::unique_ptr<PaperSimulator> sim;
  std::vector<SymbolBar> bar;
  std::vector<Price> base;
  UnixMs next = kStart;
  std::uint64_t step = 0;

  bool Setup(std::size_t accounts, MarginMode mode) {
    auto table = InstrumentTable::LoadDefault();
    if (!table.ok()) return false;
    SimulatorConfig cfg;
    for (const auto& c : kCoins) cfg.symbols.push_back(c.symbol);
    cfg.keep_history = false;
    cfg.event_queue_capacity = 16;  // nobody polls here
    // Funding at 0%: the settlement still runs every 8h (its cost is in the figures) but does
    // not drain the accounts over millions of benchmark bars.
    auto s = PaperSimulator::Create(clock, *table, cfg, nullptr, nullptr,
                                    std::make_unique<SeriesFundingModel>(Ratio::Zero()));
    if (!s.ok()) return false;
    sim = std::move(*s);
    sim->ReserveAccounts(accounts);
    for (std::size_t a = 0; a < accounts; ++a) {
      AccountConfig ac;
      ac.deposit = Money::FromUnits(100000);
      ac.default_leverage = 5;
      ac.default_margin_mode = mode;
      if (!sim->AddAccount(ac).ok()) return false;
    }
    for (std::size_t i = 0; i < std::size(kCoins); ++i) {
      base.push_back(*Price::Parse(kCoins[i].price));
      bar.push_back(SymbolBar{static_cast<SymbolIndex>(i), {}});
    }
    Step(false);  // marks
    for (AccountIndex a = 0; a < accounts; ++a) {
      for (std::size_t i = 0; i < std::size(kCoins); ++i) {
        OrderRequest r;
        r.client_id = ClientOrderId("e" + std::to_string(i));
        r.symbol = kCoins[i].symbol;
        r.side = Side::kBuy;
        r.quantity = *Quantity::Parse(kCoins[i].qty);
        if (sim->CreateOrder(a, r)->status != OrderStatus::kNew) return false;
      }
    }
    Step(false);  // fills the entries at the open
    for (AccountIndex a = 0; a < accounts; ++a) {
      for (std::size_t i = 0; i < std::size(kCoins); ++i) {
        const Price tick = sim->instrument(static_cast<SymbolIndex>(i)).tick_size;
        for (int k = 0; k < 2; ++k) {
          OrderRequest r;
          r.client_id = ClientOrderId((k == 0 ? "sl" : "tp") + std::to_string(i));
          r.symbol = kCoins[i].symbol;
          r.side = Side::kSell;
          r.type = k == 0 ? OrderType::kStopMarket : OrderType::kTakeProfitMarket;
          r.stop_price = ApplyRatio(base[i], *Ratio::Parse(k == 0 ? "0.95" : "1.05")).RoundToStep(tick, Rounding::kHalfEven);
          r.close_position = true;
          if (sim->CreateOrder(a, r)->status != OrderStatus::kNew) return false;
        }
      }
      if (sim->FetchPositions(a)->size() != 6 || sim->FetchOpenOrders(a, "")->size() != 12) return false;
    }
    return true;
  }

  // One bar: each coin moves within ±0.2% of its base (never near a stop or take-profit).
  // The two alternating shapes are built once, outside the timed loop.
  std::vector<market::Candle> shapes[2];
  void Step(bool wiggle) {
    if (shapes[0].empty()) {
      for (int k = 0; k < 2; ++k) {
        for (const Price p : base) {
          const Price d = ApplyRatio(p, Ratio::FromRaw(2'000'000));
          const Price half = d.DivInt(2, Rounding::kHalfEven);
          shapes[k].push_back(market::Candle{0, p, p + d, p - d, k == 0 ? p + half : p - half, 1000});
        }
      }
    }
    ++step;
    for (std::size_t i = 0; i < bar.size(); ++i) {
      if (wiggle) {
        bar[i].candle = shapes[step % 2][i];
      } else {
        bar[i].candle = market::Candle{0, base[i], base[i], base[i], base[i], 1000};
      }
      bar[i].candle.open_time = next;
    }
    clock.SetMs(next + 5 * kMinuteMs);
    (void)sim->OnBars(bar);
    next += 5 * kMinuteMs;
  }
};

void BM_PaperBar(benchmark::State& state) {
  const auto accounts = static_cast<std::size_t>(state.range(0));
  const MarginMode mode = state.range(1) == 0 ? MarginMode::kIsolated : MarginMode::kCross;
  Fixture f;
  if (!f.Setup(accounts, mode)) {
    state.SkipWithError("setup failed");
    return;
  }
  for (auto _ : state) f.Step(true);
  // Nothing may have triggered: the positions and orders are all still there.
  if (f.sim->FetchOpenOrders(0, "")->size() != 12) state.SkipWithError("an order triggered");
  const double account_bars = static_cast<double>(state.iterations()) * static_cast<double>(accounts);
  state.counters["per_account_bar"] =
      benchmark::Counter(account_bars, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["per_account_candle"] =
      benchmark::Counter(account_bars * 6, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.SetLabel(mode == MarginMode::kIsolated ? "isolated" : "cross");
}

BENCHMARK(BM_PaperBar)
    ->ArgNames({"accounts", "cross"})
    ->Args({1, 0})
    ->Args({100, 0})
    ->Args({10000, 0})
    ->Args({1, 1})
    ->Args({100, 1})
    ->Args({10000, 1})
    ->Unit(benchmark::kMicrosecond);

// A replay over real candles (data/binance-usdm/5m, from 2025-10-17): 1,000 accounts open the
// same six positions with SL/TP at ±3% and ride the market; stops, take-profits and funding
// happen along the way, so this includes the exact (slow) path at its real frequency.
void BM_PaperReplayRealCandles(benchmark::State& state) {
  const std::size_t accounts = 1000;
  std::vector<market::CandleSeries> series;
  for (const auto& c : kCoins) {
    auto r = market::LoadCandlesCsv(DataDir() + "/binance-usdm/5m/" + c.symbol + ".csv.gz");
    if (!r.ok()) {
      state.SkipWithError(r.status().ToString().c_str());
      return;
    }
    series.push_back(std::move(*r));
  }
  auto table = InstrumentTable::LoadDefault();
  std::size_t i0 = series[0].LowerBound(kStart);
  SimulatedClock clock(series[0].open_time()[i0]);
  SimulatorConfig cfg;
  for (const auto& c : kCoins) cfg.symbols.push_back(c.symbol);
  cfg.keep_history = false;
  cfg.event_queue_capacity = 64;
  auto created = PaperSimulator::Create(clock, *table, cfg);
  if (!created.ok()) {
    state.SkipWithError(created.status().ToString().c_str());
    return;
  }
  std::unique_ptr<PaperSimulator> sim = std::move(created).value();
  for (std::size_t a = 0; a < accounts; ++a) {
    AccountConfig ac;
    ac.deposit = Money::FromUnits(100000);
    ac.default_leverage = 5;
    ac.default_margin_mode = a % 2 ? MarginMode::kCross : MarginMode::kIsolated;
    (void)sim->AddAccount(ac);
  }
  std::vector<SymbolBar> bar(std::size(kCoins));
  std::size_t i = i0;
  auto feed = [&] {
    for (std::size_t s = 0; s < bar.size(); ++s) bar[s] = SymbolBar{static_cast<SymbolIndex>(s), series[s][i]};
    clock.SetMs(series[0].open_time()[i] + 5 * kMinuteMs);
    (void)sim->OnBars(bar);
    ++i;
  };
  feed();
  for (AccountIndex a = 0; a < accounts; ++a) {
    for (std::size_t s = 0; s < std::size(kCoins); ++s) {
      const Instrument& ins = sim->instrument(static_cast<SymbolIndex>(s));
      const Price mark = series[s].close()[i - 1];
      OrderRequest r;
      r.client_id = ClientOrderId("e" + std::to_string(s));
      r.symbol = kCoins[s].symbol;
      r.side = (a + s) % 2 ? Side::kBuy : Side::kSell;
      r.quantity = QuantityFor(Money::FromUnits(10000), mark, Rounding::kTowardZero).RoundToStep(ins.step_size, Rounding::kTowardZero);
      (void)sim->CreateOrder(a, r);
      for (int k = 0; k < 2; ++k) {
        OrderRequest t;
        t.client_id = ClientOrderId((k == 0 ? "sl" : "tp") + std::to_string(s));
        t.symbol = r.symbol;
        t.side = Opposite(r.side);
        t.type = k == 0 ? OrderType::kStopMarket : OrderType::kTakeProfitMarket;
        const bool above = (t.type == OrderType::kStopMarket) == (t.side == Side::kBuy);
        const Price off = ApplyRatio(mark, *Ratio::Parse("0.03"));
        t.stop_price = (above ? mark + off : mark - off).RoundToStep(ins.tick_size, Rounding::kHalfEven);
        t.close_position = true;
        (void)sim->CreateOrder(a, t);
      }
    }
  }
  std::vector<ExecutionEvent> sink;
  std::size_t events = 0;
  for (auto _ : state) {
    if (i >= series[0].size()) {
      state.SkipWithError("out of data");
      break;
    }
    feed();
    state.PauseTiming();
    for (AccountIndex a = 0; a < accounts; ++a) events += sim->PollEvents(a, sink, SIZE_MAX);
    sink.clear();
    state.ResumeTiming();
  }
  const double account_bars = static_cast<double>(state.iterations()) * static_cast<double>(accounts);
  state.counters["per_account_bar"] =
      benchmark::Counter(account_bars, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["events"] = static_cast<double>(events);
}

BENCHMARK(BM_PaperReplayRealCandles)->Iterations(5000)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
