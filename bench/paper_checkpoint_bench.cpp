// Paper simulator checkpoints (PaperSimulator::SaveCheckpoint / LoadCheckpoint): time and size
// for 1,000 accounts, each holding six open positions (half the accounts cross, half
// isolated) with twelve resting stop-loss / take-profit orders, after one day and after 30
// days of five-minute bars in which every account also trades a small round trip every four
// hours and pays funding every eight (the ledger and order history a month of `aitrader
// serve` leaves). Event queues are drained every bar, as the service's bots do.
// Reported: wall time per save and per load (LoadCheckpoint into a fresh simulator; creating
// that simulator is not timed), bytes, bytes_per_account.
//
//   ninja -C build paper_checkpoint_bench && build/bench/paper_checkpoint_bench
#include <benchmark/benchmark.h>

#include <memory>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/instrument.hpp"
#include "core/margin_brackets.hpp"
#include "exchange/paper/simulator.hpp"

namespace {

using namespace aitrader;
using namespace aitrader::exchange;
using namespace aitrader::exchange::paper;

struct Coin {
  const char* symbol;
  const char* price;
  const char* qty;     // about 10,000 USDT of notional
  const char* trade;   // the periodic round trip, about 500 USDT
};
constexpr Coin kCoins[] = {{"BTCUSDT", "100000", "0.1", "0.005"}, {"ETHUSDT", "4000", "2.5", "0.125"},
                           {"SOLUSDT", "200", "50", "3"},       {"BNBUSDT", "1000", "10", "0.5"},
                           {"XRPUSDT", "2.5", "4000", "200"},     {"DOGEUSDT", "0.2", "50000", "2500"}};
constexpr UnixMs kStart = 1760659200000;  // 2025-10-17T00:00Z
constexpr std::size_t kAccounts = 1000;

struct World {
  SimulatedClock clock{kStart};
  InstrumentTable table;
  SimulatorConfig cfg;
  std::unique_ptr<PaperSimulator> sim;

  std::unique_ptr<PaperSimulator> Fresh() {
    auto s = PaperSimulator::Create(clock, table, cfg);
    return s.ok() ? std::move(*s) : nullptr;
  }

  bool Setup(std::size_t days) {
    auto t = InstrumentTable::LoadDefault();
    auto b = MarginBracketTable::LoadDefault();
    if (!t.ok() || !b.ok()) return false;
    table = std::move(*t);
    for (const auto& c : kCoins) cfg.symbols.push_back(c.symbol);
    cfg.keep_history = false;  // as the service runs
    cfg.brackets = std::make_shared<const MarginBracketTable>(std::move(*b));
    sim = Fresh();
    if (!sim) return false;
    sim->ReserveAccounts(kAccounts);
    for (std::size_t a = 0; a < kAccounts; ++a) {
      AccountConfig ac;
      ac.deposit = Money::FromUnits(100000);
      ac.default_leverage = 5;
      ac.default_margin_mode = a % 2 ? MarginMode::kCross : MarginMode::kIsolated;
      if (!sim->AddAccount(ac).ok()) return false;
    }
    UnixMs next = kStart;
    std::vector<SymbolBar> bar(std::size(kCoins));
    std::vector<ExecutionEvent> sink;
    std::uint64_t step = 0;
    auto feed = [&](bool wiggle) {
      ++step;
      for (std::size_t i = 0; i < bar.size(); ++i) {
        const Price p = *Price::Parse(kCoins[i].price);
        const Price d = wiggle ? ApplyRatio(p, Ratio::FromRaw(2'000'000)) : Price::Zero();  // ±0.2%
        const Price close = step % 2 ? p + d.DivInt(2, Rounding::kHalfEven) : p - d.DivInt(2, Rounding::kHalfEven);
        bar[i] = SymbolBar{static_cast<SymbolIndex>(i), market::Candle{next, p, p + d, p - d, close, 1000}};
      }
      clock.SetMs(next + 5 * kMinuteMs);
      (void)sim->OnBars(bar);
      next += 5 * kMinuteMs;
      for (AccountIndex a = 0; a < kAccounts; ++a) {
        sink.clear();
        sim->PollEvents(a, sink, SIZE_MAX);
      }
    };
    auto order = [&](AccountIndex a, const std::string& id, std::size_t i, Side side, OrderType type,
                     const char* qty, const char* stop_factor) {
      OrderRequest r;
      r.client_id = ClientOrderId(id);
      r.symbol = kCoins[i].symbol;
      r.side = side;
      r.type = type;
      if (stop_factor == nullptr) {
        r.quantity = *Quantity::Parse(qty);
      } else {
        const Price tick = sim->instrument(static_cast<SymbolIndex>(i)).tick_size;
        r.stop_price = ApplyRatio(*Price::Parse(kCoins[i].price), *Ratio::Parse(stop_factor)).RoundToStep(tick, Rounding::kHalfEven);
        r.close_position = true;
      }
      auto o = sim->CreateOrder(a, r);
      return o.ok() && o->status != OrderStatus::kRejected;
    };
    feed(false);  // marks
    for (AccountIndex a = 0; a < kAccounts; ++a) {
      for (std::size_t i = 0; i < std::size(kCoins); ++i) {
        if (!order(a, "e" + std::to_string(i), i, Side::kBuy, OrderType::kMarket, kCoins[i].qty, nullptr)) return false;
      }
    }
    feed(false);  // the entries fill at the open
    for (AccountIndex a = 0; a < kAccounts; ++a) {
      for (std::size_t i = 0; i < std::size(kCoins); ++i) {
        if (!order(a, "sl" + std::to_string(i), i, Side::kSell, OrderType::kStopMarket, nullptr, "0.95")) return false;
        if (!order(a, "tp" + std::to_string(i), i, Side::kSell, OrderType::kTakeProfitMarket, nullptr, "1.05")) return false;
      }
    }
    const std::size_t bars = days * 288;
    std::uint64_t trade = 0;
    for (std::size_t k = 0; k < bars; ++k) {
      feed(true);
      if (k % 24 != 0) continue;  // every 2 hours: add, then (2 hours later) take off
      ++trade;
      const std::size_t i = (trade - 1) / 2 % std::size(kCoins);
      const Side side = trade % 2 ? Side::kBuy : Side::kSell;
      for (AccountIndex a = 0; a < kAccounts; ++a) {
        if (!order(a, "t" + std::to_string(trade), i, side, OrderType::kMarket, kCoins[i].trade, nullptr)) return false;
      }
    }
    feed(true);
    return sim->FetchPositions(0)->size() == 6 && sim->FetchOpenOrders(0, "")->size() == 12;
  }
};

// Built once per size and shared by the save and load benchmarks.
World* Shared(std::size_t days) {
  static std::unique_ptr<World> worlds[2];
  std::unique_ptr<World>& w = worlds[days > 1 ? 1 : 0];
  if (!w) {
    w = std::make_unique<World>();
    if (!w->Setup(days)) w.reset();
  }
  return w.get();
}

void Report(benchmark::State& state, const std::string& bytes, const World& w) {
  state.counters["bytes"] = static_cast<double>(bytes.size());
  state.counters["bytes_per_account"] = static_cast<double>(bytes.size()) / kAccounts;
  state.counters["ledger_entries_acct0"] = static_cast<double>(w.sim->ledger(0).entries().size());
  state.SetLabel(std::to_string(state.range(0)) + " day(s), 1000 accounts");
}

void BM_CheckpointSave(benchmark::State& state) {
  World* w = Shared(static_cast<std::size_t>(state.range(0)));
  if (w == nullptr) {
    state.SkipWithError("setup failed");
    return;
  }
  std::string bytes;
  for (auto _ : state) {
    auto r = w->sim->SaveCheckpoint();
    if (!r.ok()) {
      state.SkipWithError(r.status().ToString().c_str());
      return;
    }
    bytes = std::move(*r);
    benchmark::DoNotOptimize(bytes.data());
  }
  Report(state, bytes, *w);
}

void BM_CheckpointLoad(benchmark::State& state) {
  World* w = Shared(static_cast<std::size_t>(state.range(0)));
  if (w == nullptr) {
    state.SkipWithError("setup failed");
    return;
  }
  const std::string bytes = *w->sim->SaveCheckpoint();
  for (auto _ : state) {
    state.PauseTiming();
    std::unique_ptr<PaperSimulator> fresh = w->Fresh();
    state.ResumeTiming();
    Status st = fresh->LoadCheckpoint(bytes);
    if (!st.ok()) {
      state.SkipWithError(st.ToString().c_str());
      return;
    }
    state.PauseTiming();
    fresh.reset();  // destroying 1,000 accounts is not part of a load
    state.ResumeTiming();
  }
  Report(state, bytes, *w);
}

BENCHMARK(BM_CheckpointSave)->ArgName("days")->Arg(1)->Arg(30)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_CheckpointLoad)->ArgName("days")->Arg(1)->Arg(30)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
