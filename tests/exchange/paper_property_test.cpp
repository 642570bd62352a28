// Property tests: thousands of random order sequences over real Binance candles
// (data/binance-usdm/5m), checking after every bar and every call that the ledger invariant
// holds exactly (SelfCheck) and that no exposure is ever added beyond 10x; and determinism:
// the same feed, orders and seed give byte-identical ledgers and events.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/instrument.hpp"
#include "exchange/ledger_checker.hpp"
#include "exchange/paper/simulator.hpp"
#include "market/csv.hpp"

namespace aitrader::exchange::paper {
namespace {

const std::vector<std::string> kSymbols = {"BTCUSDT", "ETHUSDT", "SOLUSDT", "BNBUSDT", "XRPUSDT", "DOGEUSDT"};

struct Feed {
  std::vector<market::CandleSeries> series;  // aligned: same open times
};

const Feed& RealFeed() {
  static const Feed feed = [] {
    Feed f;
    for (const auto& s : kSymbols) {
      auto r = market::LoadCandlesCsv(DataDir() + "/binance-usdm/5m/" + s + ".csv.gz");
      if (!r.ok()) {
        ADD_FAILURE() << r.status().ToString();
        continue;
      }
      f.series.push_back(std::move(*r));
    }
    return f;
  }();
  return feed;
}

// The effective leverage right after exposure is added: Σ |q| × mark <= 10 × equity (at the
// marks of that moment; 1e-6 of rounding slack for the per-position 1e-9 roundings).
void ExpectWithinTenX(const PaperSimulator& sim, AccountIndex a, const std::string& where) {
  auto pos = sim.FetchPositions(a);
  ASSERT_TRUE(pos.ok());
  Money notional;
  for (const auto& p : *pos) {
    EXPECT_LE(p.leverage, kHardLeverageCap) << where;
    EXPECT_GE(p.leverage, 1) << where;
    notional += p.notional;
  }
  EXPECT_LE(notional, sim.Equity(a) * kHardLeverageCap + Money::FromRaw(1000))
      << where << " notional " << notional.ToString() << " equity " << sim.Equity(a).ToString();
}

struct RunResult {
  std::vector<std::string> ledgers;
  std::string events;
  std::size_t fills = 0, liquidations = 0, rejects = 0, fundings = 0, checked_events = 0;
};

std::string Serialize(const ExecutionEvent& e) {
  return std::to_string(e.seq) + "," + std::to_string(e.time) + "," + std::string(ToString(e.kind)) + "," + e.symbol +
         "," + e.client_id.value() + "," + e.quantity.ToString() + "," + e.price.ToString() + "," + e.fee.ToString() +
         "," + e.realized_pnl.ToString() + "," + e.funding.ToString() + "," + e.position_after.ToString() + "," +
         std::to_string(RejectCode(e.reason)) + "\n";
}

// Runs `accounts` random traders over `bars` bars starting at `start`.
void RandomRunInto(std::uint64_t seed, std::size_t accounts, std::size_t start, std::size_t bars, bool volatile_slip,
                   bool walk_every_account, RunResult& out) {
  const Feed& feed = RealFeed();
  EXPECT_EQ(feed.series.size(), kSymbols.size());
  if (feed.series.size() != kSymbols.size()) return;
  auto table = InstrumentTable::LoadDefault();
  EXPECT_TRUE(table.ok());
  SimulatedClock clock(feed.series[0].open_time()[start]);
  SimulatorConfig cfg;
  cfg.symbols = kSymbols;
  cfg.seed = seed;
  cfg.walk_every_account = walk_every_account;
  std::unique_ptr<SlippageModel> slip;
  if (volatile_slip) {
    VolumeVolatilitySlippageParams vp;
    vp.jitter_bps = 3;
    slip = std::make_unique<VolumeVolatilitySlippage>(vp);
  }
  auto sim_r = PaperSimulator::Create(clock, *table, cfg, std::move(slip));
  EXPECT_TRUE(sim_r.ok());
  PaperSimulator& sim = **sim_r;
  // After every event: the ledger invariant, and "never more than 10x" when exposure grew.
  std::vector<std::int64_t> last_pos(accounts * kSymbols.size(), 0);
  std::size_t checked_events = 0;
  // The independent re-computation of every PnL, fee and funding entry from the events.
  std::vector<Instrument> instruments;
  for (std::size_t s = 0; s < kSymbols.size(); ++s) instruments.push_back(sim.instrument(static_cast<SymbolIndex>(s)));
  testing::LedgerChecker checker(instruments);
  sim.SetEventObserver([&](AccountIndex a, const ExecutionEvent& e) {
    ++checked_events;
    checker.OnEvent(a, e);
    Status chk = sim.SelfCheck(a);
    if (!chk.ok()) {
      ADD_FAILURE() << "after " << ToString(e.kind) << " " << e.client_id.value() << ": " << chk.ToString();
      return;
    }
    auto s = sim.FindSymbol(e.symbol);
    if (!s) return;
    std::int64_t& before = last_pos[a * kSymbols.size() + *s];
    const std::int64_t after = e.position_after.raw();
    if (e.kind == EventKind::kOrderFilled) {
      const bool grew = (after > 0 ? after : -after) > (before > 0 ? before : -before) ||
                        (after != 0 && (after > 0) != (before > 0));
      if (grew) ExpectWithinTenX(sim, a, "after fill of " + e.client_id.value());
    }
    if (e.kind == EventKind::kOrderFilled || e.kind == EventKind::kPositionChanged) before = after;
    if (e.kind == EventKind::kLiquidation) before = 0;
  });
  std::mt19937_64 rng(seed);
  for (std::size_t a = 0; a < accounts; ++a) {
    AccountConfig ac;
    ac.deposit = Money::FromUnits(200 + static_cast<std::int64_t>(rng() % 20000));
    ac.max_leverage = 1 + static_cast<int>(rng() % 10);
    ac.default_leverage = ac.max_leverage;
    ac.default_margin_mode = rng() % 2 ? MarginMode::kCross : MarginMode::kIsolated;
    EXPECT_TRUE(sim.AddAccount(ac).ok());
    checker.AddAccount(ac.fees);
  }
  std::vector<SymbolBar> step(kSymbols.size());
  std::uint64_t next_id = 0;
  std::vector<ExecutionEvent> events;
  for (std::size_t i = start; i < start + bars; ++i) {
    const UnixMs t = feed.series[0].open_time()[i];
    for (std::size_t s = 0; s < kSymbols.size(); ++s) {
      EXPECT_EQ(feed.series[s].open_time()[i], t);
      step[s] = SymbolBar{static_cast<SymbolIndex>(s), feed.series[s][i]};
    }
    clock.SetMs(t + cfg.bar_interval);
    Status st = sim.OnBars(step);
    EXPECT_TRUE(st.ok()) << st.ToString();
    for (AccountIndex a = 0; a < accounts; ++a) {
      Status chk = sim.SelfCheck(a);
      ASSERT_TRUE(chk.ok()) << "bar " << i << ": " << chk.ToString() << "\n" << sim.SerializeLedger(a);
      events.clear();
      sim.PollEvents(a, events, SIZE_MAX);
      for (const auto& e : events) {
        out.events += std::to_string(a) + ":" + Serialize(e);
        out.fills += e.kind == EventKind::kOrderFilled;
        out.liquidations += e.kind == EventKind::kLiquidation;
        out.fundings += e.kind == EventKind::kFundingPaid;
      }
      // Each account acts on ~1 bar in 4 with a random call.
      if (rng() % 4 != 0) continue;
      const std::size_t s = rng() % kSymbols.size();
      const Instrument& ins = sim.instrument(static_cast<SymbolIndex>(s));
      const Price mark = feed.series[s].close()[i];
      OrderRequest r;
      r.client_id = ClientOrderId("p" + std::to_string(++next_id));
      r.symbol = kSymbols[s];
      r.side = rng() % 2 ? Side::kBuy : Side::kSell;
      // A notional between 0.5% and 150% of 10x the deposit, on the step.
      const Money target = Money::FromUnits(static_cast<std::int64_t>(50 + rng() % 30000));
      r.quantity = QuantityFor(target, mark, Rounding::kTowardZero).RoundToStep(ins.step_size, Rounding::kTowardZero);
      const auto offset = Ratio::FromRaw(static_cast<std::int64_t>(rng() % 30'000'000));  // up to 3%
      const Price away = ApplyRatio(mark, offset);
      switch (rng() % 10) {
        case 0:
        case 1:
        case 2:
          r.type = OrderType::kMarket;
          break;
        case 3:
        case 4:
          r.type = OrderType::kLimit;
          r.price = (r.side == Side::kBuy ? mark - away : mark + away).RoundToStep(ins.tick_size, Rounding::kHalfEven);
          r.time_in_force = rng() % 5 == 0 ? TimeInForce::kIoc : TimeInForce::kGtc;
          break;
        case 5:
        case 6: {
          r.type = rng() % 2 ? OrderType::kStopMarket : OrderType::kTakeProfitMarket;
          const bool fall = (r.type == OrderType::kStopMarket) == (r.side == Side::kSell);
          r.stop_price = (fall ? mark - away : mark + away).RoundToStep(ins.tick_size, Rounding::kHalfEven);
          if (rng() % 2) {
            r.close_position = true;
            r.quantity = Quantity::Zero();
          } else {
            r.reduce_only = rng() % 2;
          }
          break;
        }
        case 7: {
          (void)sim.CancelAllOrders(a, rng() % 2 ? kSymbols[s] : "");
          continue;
        }
        case 8: {
          Status lev = sim.SetLeverage(a, kSymbols[s], 1 + static_cast<int>(rng() % 12));
          (void)lev;
          Status mode = sim.SetMarginMode(a, kSymbols[s], rng() % 2 ? MarginMode::kCross : MarginMode::kIsolated);
          (void)mode;
          continue;
        }
        default:
          r.type = OrderType::kMarket;
          r.reduce_only = true;
          break;
      }
      auto o = sim.CreateOrder(a, r);
      ASSERT_TRUE(o.ok()) << o.status().ToString();
      out.rejects += o->status == OrderStatus::kRejected;
      ASSERT_TRUE(sim.SelfCheck(a).ok());
    }
  }
  for (AccountIndex a = 0; a < accounts; ++a) {
    out.ledgers.push_back(sim.SerializeLedger(a));
    const std::string independent = checker.Check(a, sim.ledger(a).entries());
    EXPECT_EQ(independent, "") << "account " << a << "\n" << sim.SerializeLedger(a);
  }
  out.checked_events = checked_events;
}

RunResult RandomRun(std::uint64_t seed, std::size_t accounts, std::size_t start, std::size_t bars, bool volatile_slip,
                    bool walk_every_account = false) {
  RunResult out;
  RandomRunInto(seed, accounts, start, bars, volatile_slip, walk_every_account, out);
  return out;
}

TEST(PaperProperty, LedgerInvariantAndTenXOverRealCandles) {
  // 3 × 400 random traders (1,200 order sequences) over 1,500 five-minute bars each (5+ days
  // of the six coins, three different windows of Sep–Dec 2025).
  std::size_t fills = 0, liqs = 0, rejects = 0, fundings = 0, events = 0;
  for (std::uint64_t seed : {1ULL, 2ULL, 3ULL}) {
    const std::size_t start = 2000 + seed * 9000;
    RunResult r = RandomRun(seed, 400, start, 1500, seed == 2);
    fills += r.fills;
    liqs += r.liquidations;
    rejects += r.rejects;
    fundings += r.fundings;
    events += r.checked_events;
    if (::testing::Test::HasFatalFailure()) return;
  }
  // The sequences must actually exercise the simulator.
  EXPECT_GT(fills, 10000U);
  EXPECT_GT(liqs, 10U);
  EXPECT_GT(rejects, 100U);
  EXPECT_GT(fundings, 1000U);
  std::printf("events checked %zu: fills %zu, liquidations %zu, rejects %zu, funding payments %zu\n", events, fills,
              liqs, rejects, fundings);
}

TEST(PaperProperty, DeterministicLedgers) {
  RunResult a = RandomRun(42, 10, 5000, 800, true);
  RunResult b = RandomRun(42, 10, 5000, 800, true);
  ASSERT_EQ(a.ledgers.size(), b.ledgers.size());
  for (std::size_t i = 0; i < a.ledgers.size(); ++i) EXPECT_EQ(a.ledgers[i], b.ledgers[i]) << "account " << i;
  EXPECT_EQ(a.events, b.events);
  EXPECT_GT(a.fills, 50U);
  // The hot path's band filter skips only accounts the exact walk leaves untouched: walking
  // every account on every bar gives the same ledgers and events.
  RunResult w = RandomRun(42, 10, 5000, 800, true, /*walk_every_account=*/true);
  for (std::size_t i = 0; i < a.ledgers.size(); ++i) EXPECT_EQ(a.ledgers[i], w.ledgers[i]) << "account " << i;
  EXPECT_EQ(a.events, w.events);
  // A different seed changes the random slippage, hence the ledgers.
  RunResult c = RandomRun(43, 10, 5000, 800, true);
  EXPECT_NE(a.events, c.events);
}

}  // namespace
}  // namespace aitrader::exchange::paper

namespace aitrader::exchange::paper {
namespace {

TEST(PaperProperty, BandFilterMatchesExactWalk) {
  // Many traders, cross and isolated, liquidations included: the fast path (bands + the cross
  // worst-case test) must give exactly what walking every account's bar gives.
  RunResult fast = RandomRun(7, 200, 20000, 1500, false);
  RunResult exact = RandomRun(7, 200, 20000, 1500, false, /*walk_every_account=*/true);
  ASSERT_EQ(fast.ledgers.size(), exact.ledgers.size());
  for (std::size_t i = 0; i < fast.ledgers.size(); ++i) EXPECT_EQ(fast.ledgers[i], exact.ledgers[i]) << "account " << i;
  EXPECT_EQ(fast.events, exact.events);
  EXPECT_GT(fast.liquidations, 0U);
}

}  // namespace
}  // namespace aitrader::exchange::paper
