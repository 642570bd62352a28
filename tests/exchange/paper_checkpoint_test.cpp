// Checkpoints of the paper simulator (PaperSimulator::SaveCheckpoint / LoadCheckpoint):
//  - a simulator restored from a checkpoint taken at bar k of a run over real Binance candles
//    and then given the same remaining bars and calls ends exactly where the uninterrupted run
//    ends (ledgers, positions, open orders, balances, equity, every call's answer, every event),
//    for several k: at the start, right after a fill, with pending takers outstanding, right
//    after a liquidation, near the end; both market fill modes;
//  - a restored simulator saves the same bytes it was loaded from;
//  - every truncation and every single-byte change of a checkpoint is an error, never a crash
//    (this program runs under ASan + UBSan in CI); with the header's size and checksum
//    recomputed, a change is either an error that leaves the simulator untouched or a state
//    that saves back to exactly those bytes;
//  - wrong magic, version and configuration give the named errors; a simulator with accounts
//    or bars refuses to load.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/instrument.hpp"
#include "core/margin_brackets.hpp"
#include "exchange/paper/simulator.hpp"
#include "market/csv.hpp"

namespace aitrader::exchange::paper {
namespace {

const std::vector<std::string> kSymbols = {"BTCUSDT", "ETHUSDT", "SOLUSDT", "BNBUSDT", "XRPUSDT", "DOGEUSDT"};
// 2025-10-09 12:00 UTC onwards: 600 five-minute bars through the crash of 10 October (long
// liquidations) and six funding times.
constexpr std::size_t kStartBar = 11100;
constexpr std::size_t kBars = 600;

const std::vector<market::CandleSeries>& RealCandles() {
  static const std::vector<market::CandleSeries> series = [] {
    std::vector<market::CandleSeries> out;
    for (const auto& s : kSymbols) {
      auto r = market::LoadCandlesCsv(DataDir() + "/binance-usdm/5m/" + s + ".csv.gz");
      if (!r.ok()) {
        ADD_FAILURE() << r.status().ToString();
        return std::vector<market::CandleSeries>{};
      }
      out.push_back(std::move(*r));
    }
    return out;
  }();
  return series;
}

const InstrumentTable& Table() {
  static const InstrumentTable table = *InstrumentTable::LoadDefault();
  return table;
}
std::shared_ptr<const MarginBracketTable> Brackets() {
  static const auto brackets = std::make_shared<const MarginBracketTable>(*MarginBracketTable::LoadDefault());
  return brackets;
}

// --- serialisations of everything compared (every field) ---

std::string Ser(const Order& o) {
  return std::to_string(o.id.value()) + "|" + o.client_id.value() + "|" + o.symbol + "|" +
         std::string(ToString(o.side)) + "|" + std::string(ToString(o.type)) + "|" +
         std::string(ToString(o.time_in_force)) + "|" + o.quantity.ToString() + "|" + o.price.ToString() + "|" +
         o.stop_price.ToString() + "|" + std::to_string(o.reduce_only) + std::to_string(o.close_position) + "|" +
         std::string(ToString(o.status)) + "|" + o.filled_quantity.ToString() + "|" + o.average_price.ToString() + "|" +
         o.fee_paid.ToString() + "|" + std::string(RejectName(o.reason)) + "|" + std::to_string(o.created_at) + "|" +
         std::to_string(o.updated_at);
}
std::string Ser(const Position& p) {
  return p.symbol + "|" + p.quantity.ToString() + "|" + p.entry_price.ToString() + "|" + p.mark_price.ToString() +
         "|" + p.unrealized_pnl.ToString() + "|" + p.notional.ToString() + "|" + std::to_string(p.leverage) + "|" +
         std::string(ToString(p.margin_mode)) + "|" + p.initial_margin.ToString() + "|" +
         p.maintenance_margin.ToString() + "|" + p.isolated_margin.ToString() + "|" + p.liquidation_price.ToString();
}
std::string Ser(const Balance& b) {
  return b.wallet_balance.ToString() + "|" + b.unrealized_pnl.ToString() + "|" + b.margin_balance.ToString() + "|" +
         b.initial_margin.ToString() + "|" + b.maintenance_margin.ToString() + "|" + b.available_balance.ToString();
}
std::string Ser(const ExecutionEvent& e) {
  return std::string(ToString(e.kind)) + "|" + std::to_string(e.time) + "|" + std::to_string(e.seq) + "|" + e.symbol +
         "|" + std::to_string(e.order_id.value()) + "|" + e.client_id.value() + "|" +
         std::string(ToString(e.order_status)) + "|" + std::string(RejectName(e.reason)) + "|" +
         std::string(ToString(e.side)) + "|" + e.quantity.ToString() + "|" + e.price.ToString() + "|" +
         e.fee.ToString() + "|" + e.realized_pnl.ToString() + "|" + e.insurance.ToString() + "|" +
         e.funding.ToString() + "|" + e.funding_due.ToString() + "|" + e.funding_rate.ToString() + "|" +
         e.position_after.ToString() + "|" + e.entry_after.ToString() + "|" + std::string(ToString(e.liquidity)) +
         "|" + std::to_string(e.count);
}
std::string Ser(const FundingRateInfo& f) {
  return f.symbol + "|" + f.rate.ToString() + "|" + std::to_string(f.next_funding_time) + "|" + f.mark.ToString();
}
std::string Ser(const Status& s) { return s.ok() ? "ok" : s.ToString(); }
template <class T>
std::string SerResult(const Result<T>& r) {
  return r.ok() ? Ser(*r) : r.status().ToString();
}
std::string SerResult(const Result<std::vector<Order>>& r) {
  if (!r.ok()) return r.status().ToString();
  std::string out;
  for (const auto& o : *r) out += Ser(o) + ";";
  return out;
}

// Everything observable about one account.
std::string AccountView(const PaperSimulator& sim, AccountIndex a) {
  std::string out = "ledger:\n" + sim.SerializeLedger(a);
  auto pos = sim.FetchPositions(a);
  out += "positions:\n";
  if (pos.ok()) {
    for (const auto& p : *pos) out += Ser(p) + "\n";
  }
  out += "open orders:\n" + SerResult(sim.FetchOpenOrders(a, "")) + "\n";
  out += "balance: " + SerResult(sim.FetchBalance(a)) + "\n";
  out += "equity: " + sim.Equity(a).ToString() + "\n";
  return out;
}

// --- the script: calls decided up front from a seed and the feed, never from a simulator ---

enum class Call { kOrder, kResubmit, kCancel, kCancelAll, kLeverageAndMode, kDeposit };
struct Action {
  Call call = Call::kOrder;
  AccountIndex account = 0;
  OrderRequest request;  // kOrder, kResubmit (an earlier client id), kCancel (client_id, symbol)
  int leverage = 1;
  MarginMode mode = MarginMode::kCross;
  Money amount;
};

struct Scenario {
  std::vector<AccountConfig> accounts;
  std::vector<std::vector<Action>> bars;  // the calls made after each bar
};

Scenario MakeScenario(std::uint64_t seed, std::size_t n_accounts) {
  const auto& feed = RealCandles();
  Scenario sc;
  std::mt19937_64 rng(seed);
  for (std::size_t a = 0; a < n_accounts; ++a) {
    AccountConfig ac;
    ac.deposit = Money::FromUnits(300 + static_cast<std::int64_t>(rng() % 15000));
    ac.max_leverage = a % 3 == 0 ? 10 : 1 + static_cast<int>(rng() % 10);
    ac.default_leverage = ac.max_leverage;
    ac.default_margin_mode = a % 2 ? MarginMode::kCross : MarginMode::kIsolated;
    sc.accounts.push_back(ac);
  }
  std::vector<OrderRequest> sent;
  std::uint64_t next_id = 0;
  sc.bars.resize(kBars);
  for (std::size_t i = 0; i < kBars; ++i) {
    for (AccountIndex a = 0; a < n_accounts; ++a) {
      if (rng() % 3 != 0) continue;
      Action act;
      act.account = a;
      const std::size_t s = rng() % kSymbols.size();
      const Instrument& ins = *Table().Find(kSymbols[s]);
      const Price mark = feed[s].close()[kStartBar + i];
      OrderRequest& r = act.request;
      r.client_id = ClientOrderId("c" + std::to_string(++next_id));
      r.symbol = kSymbols[s];
      r.side = rng() % 2 ? Side::kBuy : Side::kSell;
      // Up to 1.1 × the account's full leverage on its deposit: many fills near the margin
      // limit (liquidations in the crash), some rejects.
      const AccountConfig& ac = sc.accounts[a];
      const std::int64_t max_notional = ac.deposit.raw() / kFixedScale * ac.max_leverage;
      const Money target = Money::FromUnits(20 + static_cast<std::int64_t>(rng() % (max_notional * 11 / 10 + 1)));
      r.quantity = QuantityFor(target, mark, Rounding::kTowardZero).RoundToStep(ins.step_size, Rounding::kTowardZero);
      const Price away = ApplyRatio(mark, Ratio::FromRaw(static_cast<std::int64_t>(rng() % 20'000'000)));  // < 2%
      switch (rng() % 14) {
        case 0:
        case 1:
        case 2:
          r.type = OrderType::kMarket;
          break;
        case 3:
        case 4: {
          r.type = OrderType::kLimit;
          const bool marketable = rng() % 4 == 0;  // a marketable limit: a taker at the next open
          const Price px = (r.side == Side::kBuy) == marketable ? mark + away : mark - away;
          r.price = px.RoundToStep(ins.tick_size, Rounding::kHalfEven);
          if (!r.price.IsPositive()) r.price = ins.tick_size;
          const auto tif = rng() % 6;
          r.time_in_force = tif == 0 ? TimeInForce::kIoc : tif == 1 ? TimeInForce::kGtx : TimeInForce::kGtc;
          r.reduce_only = rng() % 5 == 0;
          break;
        }
        case 5:
        case 6:
        case 7: {
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
        case 8:
          r.type = OrderType::kMarket;
          r.reduce_only = true;
          break;
        case 9:
          if (sent.empty()) continue;
          act.call = Call::kResubmit;  // idempotent: the first order's answer
          r = sent[rng() % sent.size()];
          break;
        case 10:
          if (sent.empty()) continue;
          act.call = Call::kCancel;
          r = sent[sent.size() - 1 - rng() % std::min<std::size_t>(sent.size(), 20)];
          break;
        case 11:
          act.call = Call::kCancelAll;
          if (rng() % 2) r.symbol.clear();
          break;
        case 12:
          act.call = Call::kLeverageAndMode;
          act.leverage = 1 + static_cast<int>(rng() % 11);  // 11: refused
          act.mode = rng() % 2 ? MarginMode::kCross : MarginMode::kIsolated;
          break;
        default:
          act.call = Call::kDeposit;
          act.amount = Money::FromUnits(1 + static_cast<std::int64_t>(rng() % 500));
          break;
      }
      if (act.call == Call::kOrder) sent.push_back(r);
      sc.bars[i].push_back(std::move(act));
    }
  }
  return sc;
}

// One simulator of the comparison, with what it has answered and emitted.
struct Run {
  std::unique_ptr<PaperSimulator> sim;
  std::string log;  // every call's answer and every polled event, in order
  std::size_t fills = 0, liquidations = 0, fundings = 0, triggers = 0, rejects = 0, maker_fills = 0, dropped = 0;
  std::size_t fills_this_bar = 0, liquidations_this_bar = 0;
};

struct Options {
  MarketFillMode fill = MarketFillMode::kNextOpen;
  bool keep_history = false;
  bool touch = false;
  std::size_t queue = 16;
  std::uint64_t seed = 11;
};

SimulatorConfig ConfigFor(const Options& o) {
  SimulatorConfig cfg;
  cfg.symbols = kSymbols;
  cfg.market_fill = o.fill;
  cfg.keep_history = o.keep_history;
  cfg.limit_fill_on_touch = o.touch;
  cfg.event_queue_capacity = o.queue;
  cfg.seed = o.seed;
  cfg.brackets = Brackets();
  return cfg;
}

std::unique_ptr<PaperSimulator> NewSim(const Clock& clock, const Options& o) {
  VolumeVolatilitySlippageParams vp;
  vp.jitter_bps = 4;  // the seeded draw matters
  auto sim = PaperSimulator::Create(clock, Table(), ConfigFor(o), std::make_unique<VolumeVolatilitySlippage>(vp));
  EXPECT_TRUE(sim.ok()) << sim.status().ToString();
  return sim.ok() ? std::move(*sim) : nullptr;
}

void Observe(Run& run) {
  PaperSimulator* sim = run.sim.get();
  sim->SetEventObserver([sim, &run](AccountIndex a, const ExecutionEvent& e) {
    Status chk = sim->SelfCheck(a);
    if (!chk.ok()) ADD_FAILURE() << "after " << ToString(e.kind) << ": " << chk.ToString();
    if (e.kind == EventKind::kOrderFilled) {
      ++run.fills;
      ++run.fills_this_bar;
      run.maker_fills += e.liquidity == Liquidity::kMaker;
    }
    if (e.kind == EventKind::kLiquidation) {
      ++run.liquidations;
      ++run.liquidations_this_bar;
    }
    run.fundings += e.kind == EventKind::kFundingPaid;
    run.triggers += e.kind == EventKind::kOrderTriggered;
    run.rejects += e.kind == EventKind::kOrderRejected;
  });
}

void Apply(Run& run, const Action& act) {
  PaperSimulator& sim = *run.sim;
  const AccountIndex a = act.account;
  std::string& log = run.log;
  log += std::to_string(a) + " ";
  switch (act.call) {
    case Call::kOrder:
    case Call::kResubmit:
      log += "order " + SerResult(sim.CreateOrder(a, act.request));
      break;
    case Call::kCancel:
      log += "cancel " + SerResult(sim.CancelOrder(a, act.request.symbol, act.request.client_id));
      log += " fetch " + SerResult(sim.FetchOrder(a, act.request.client_id));
      break;
    case Call::kCancelAll:
      log += "cancel all " + SerResult(sim.CancelAllOrders(a, act.request.symbol));
      break;
    case Call::kLeverageAndMode:
      log += "leverage " + Ser(sim.SetLeverage(a, act.request.symbol, act.leverage));
      log += " mode " + Ser(sim.SetMarginMode(a, act.request.symbol, act.mode));
      break;
    case Call::kDeposit:
      log += "deposit " + Ser(sim.Deposit(a, act.amount));
      break;
  }
  log += "\n";
}

void Poll(Run& run, AccountIndex a) {
  std::vector<ExecutionEvent> events;
  run.sim->PollEvents(a, events, SIZE_MAX);
  for (const auto& e : events) {
    run.log += std::to_string(a) + " event " + Ser(e) + "\n";
    run.dropped += e.kind == EventKind::kEventsDropped ? e.count : 0;
  }
}

// A checkpoint of A taken at (bar, phase), loaded into a fresh B that then runs alongside.
struct Restored {
  std::string label;
  std::size_t log_at = 0;  // A's log length at the checkpoint
  std::size_t bytes = 0;
  bool had_pending = false;
  Run run;
};

std::size_t PendingTakers(const PaperSimulator& sim) {
  std::size_t n = 0;
  for (AccountIndex a = 0; a < sim.account_count(); ++a) {
    for (const Order& o : *sim.FetchOpenOrders(a, "")) n += o.type == OrderType::kMarket ? 1 : 0;
  }
  return n;
}

void RunComparison(const Options& opt) {
  const auto& feed = RealCandles();
  ASSERT_EQ(feed.size(), kSymbols.size());
  const Scenario sc = MakeScenario(opt.seed, 18);
  SimulatedClock clock(feed[0].open_time()[kStartBar]);  // A and every B run in lockstep on it
  Run a_run;
  a_run.sim = NewSim(clock, opt);
  ASSERT_TRUE(a_run.sim);
  Observe(a_run);
  PaperSimulator& A = *a_run.sim;
  for (const auto& ac : sc.accounts) ASSERT_TRUE(A.AddAccount(ac).ok());
  std::vector<std::unique_ptr<Restored>> restored;
  auto checkpoint = [&](const std::string& label) {
    auto bytes = A.SaveCheckpoint();
    ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
    auto r = std::make_unique<Restored>();
    r->label = label;
    r->log_at = a_run.log.size();
    r->bytes = bytes->size();
    r->had_pending = PendingTakers(A) > 0;
    r->run.sim = NewSim(clock, opt);
    ASSERT_TRUE(r->run.sim);
    Status st = r->run.sim->LoadCheckpoint(*bytes);
    ASSERT_TRUE(st.ok()) << label << ": " << st.ToString();
    // The round trip: the restored simulator saves the bytes it was loaded from.
    auto again = r->run.sim->SaveCheckpoint();
    ASSERT_TRUE(again.ok());
    EXPECT_TRUE(*again == *bytes) << label << ": the restored simulator's checkpoint differs";
    Observe(r->run);
    restored.push_back(std::move(r));
  };
  const bool next_open = opt.fill == MarketFillMode::kNextOpen;
  bool after_fill = false, with_pending = false, after_liquidation = false;
  std::vector<SymbolBar> bar(kSymbols.size());
  auto all_runs = [&](auto&& f) {
    f(a_run);
    for (auto& r : restored) f(r->run);
  };
  for (std::size_t i = 0; i < kBars; ++i) {
    const std::size_t k = kStartBar + i;
    for (std::size_t s = 0; s < kSymbols.size(); ++s) {
      ASSERT_EQ(feed[s].open_time()[k], feed[0].open_time()[k]);
      bar[s] = SymbolBar{static_cast<SymbolIndex>(s), feed[s][k]};
    }
    clock.SetMs(feed[0].open_time()[k] + A.config().bar_interval);
    all_runs([&](Run& run) {
      run.fills_this_bar = run.liquidations_this_bar = 0;
      Status st = run.sim->OnBars(bar);
      ASSERT_TRUE(st.ok()) << st.ToString();
    });
    // Phase 0: right after the bar, before anyone polls or calls.
    if (!after_fill && i >= 100 && a_run.fills_this_bar > 0) {
      after_fill = true;
      checkpoint("right after a bar with " + std::to_string(a_run.fills_this_bar) + " fill(s), bar " +
                 std::to_string(i));
    }
    if (!after_liquidation && i >= 150 && a_run.liquidations_this_bar > 0) {
      after_liquidation = true;
      checkpoint("right after a liquidation, bar " + std::to_string(i));
    }
    all_runs([&](Run& run) {
      // Account 0 polls rarely (its bounded queue overflows), the others every 5 bars.
      for (AccountIndex a = 0; a < sc.accounts.size(); ++a) {
        if (a == 0 ? i % 97 == 0 : (i + a) % 5 == 0) Poll(run, a);
      }
      for (const Action& act : sc.bars[i]) Apply(run, act);
      for (AccountIndex a = 0; a < sc.accounts.size(); ++a) {
        Status chk = run.sim->SelfCheck(a);
        ASSERT_TRUE(chk.ok()) << chk.ToString();
      }
    });
    // Phase 1: after the calls (market orders wait for the next open in kNextOpen).
    if (i == 0) checkpoint("after the first bar's calls");
    if (!with_pending && i >= 200 && (next_open ? PendingTakers(A) > 0 : a_run.fills_this_bar > 0)) {
      with_pending = true;
      checkpoint(next_open ? "with " + std::to_string(PendingTakers(A)) + " pending taker(s), bar " + std::to_string(i)
                           : "after calls at bar " + std::to_string(i));
    }
    if (i == kBars - 2) checkpoint("one bar before the end");
  }
  ASSERT_TRUE(after_fill && with_pending && after_liquidation)
      << "the scenario must reach every checkpoint kind: fill " << after_fill << ", pending " << with_pending
      << ", liquidation " << after_liquidation;
  // Drain what is left and compare.
  all_runs([&](Run& run) {
    for (AccountIndex a = 0; a < sc.accounts.size(); ++a) Poll(run, a);
  });
  for (const auto& r : restored) {
    SCOPED_TRACE(r->label);
    PaperSimulator& B = *r->run.sim;
    ASSERT_EQ(B.account_count(), A.account_count());
    for (AccountIndex a = 0; a < A.account_count(); ++a) {
      EXPECT_TRUE(A.SelfCheck(a).ok());
      EXPECT_TRUE(B.SelfCheck(a).ok());
      EXPECT_EQ(AccountView(B, a), AccountView(A, a)) << "account " << a;
      EXPECT_EQ(B.Equity(a), A.Equity(a)) << "account " << a;
    }
    EXPECT_TRUE(r->run.log == a_run.log.substr(r->log_at)) << "the calls' answers or the events differ";
    if (opt.keep_history) {
      for (const auto& s : kSymbols) {
        auto ha = A.FetchOhlcv(s, A.config().bar_interval, 0, 0);
        auto hb = B.FetchOhlcv(s, B.config().bar_interval, 0, 0);
        ASSERT_TRUE(ha.ok() && hb.ok());
        ASSERT_EQ(hb->size(), ha->size());
        EXPECT_EQ(ha->size(), kBars);
        for (std::size_t j = 0; j < ha->size(); ++j) {
          EXPECT_EQ((*hb)[j].open_time, (*ha)[j].open_time);
          EXPECT_EQ((*hb)[j].close, (*ha)[j].close);
          EXPECT_EQ((*hb)[j].volume, (*ha)[j].volume);
        }
      }
    }
    std::printf("checkpoint %s: %zu bytes; after it: fills %zu (maker %zu), liquidations %zu, funding %zu, "
                "triggers %zu, rejects %zu, dropped %zu\n",
                r->label.c_str(), r->bytes, r->run.fills, r->run.maker_fills, r->run.liquidations, r->run.fundings,
                r->run.triggers, r->run.rejects, r->run.dropped);
  }
  // The run after the first checkpoint exercised what a checkpoint must carry.
  const Run& first = restored.front()->run;
  EXPECT_GT(first.fills, 100U);
  EXPECT_GT(first.maker_fills, 5U);
  EXPECT_GT(first.liquidations, 0U);
  EXPECT_GT(first.fundings, 10U);
  EXPECT_GT(first.triggers, 5U);
  EXPECT_GT(first.rejects, 10U);
  EXPECT_GT(first.dropped, 0U);
  if (next_open) {
    bool pending_seen = false;
    for (const auto& r : restored) pending_seen = pending_seen || r->had_pending;
    EXPECT_TRUE(pending_seen);
  }
}

TEST(PaperCheckpoint, RestoredRunMatchesUninterruptedNextOpen) { RunComparison(Options{}); }

TEST(PaperCheckpoint, RestoredRunMatchesUninterruptedImmediateWithHistory) {
  Options o;
  o.fill = MarketFillMode::kImmediate;
  o.keep_history = true;
  o.touch = true;
  o.seed = 12;
  RunComparison(o);
}

// --- a small simulator with every kind of state, for the byte-level tests ---

constexpr UnixMs kT0 = 1760659200000;  // 2025-10-17T00:00Z

struct Small {
  SimulatedClock clock{kT0};
  std::unique_ptr<PaperSimulator> sim;
};

SimulatorConfig SmallConfig() {
  SimulatorConfig cfg;
  cfg.symbols = {"BTCUSDT", "ETHUSDT"};
  cfg.funding_interval = 10 * kMinuteMs;
  cfg.event_queue_capacity = 5;
  cfg.seed = 5;
  cfg.brackets = Brackets();
  return cfg;
}

std::unique_ptr<PaperSimulator> FreshSmall(const Clock& clock, SimulatorConfig cfg = SmallConfig(),
                                           const InstrumentTable* table = nullptr) {
  auto s = PaperSimulator::Create(clock, table ? *table : Table(), std::move(cfg));
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? std::move(*s) : nullptr;
}

Price Px(const char* s) { return *Price::Parse(s); }
Quantity Qty(const char* s) { return *Quantity::Parse(s); }

void SmallBar(Small& sm, const char* btc, const char* eth) {
  const UnixMs t = sm.sim->last_bar_open() == INT64_MIN ? kT0 : sm.sim->last_bar_open() + 5 * kMinuteMs;
  auto candle = [&](const char* px) {
    const Price p = Px(px);
    const Price d = ApplyRatio(p, Ratio::FromRaw(3'000'000));  // ±0.3%
    return market::Candle{t, p, p + d, p - d, p, 123.5};
  };
  const SymbolBar bars[] = {{0, candle(btc)}, {1, candle(eth)}};
  sm.clock.SetMs(t + 5 * kMinuteMs);
  ASSERT_TRUE(sm.sim->OnBars(bars).ok());
}

// Three accounts (cross, isolated, a broke one), fills, a resting limit, a stop and a take-
// profit, a pending market order, a reject on an unlisted symbol, funding, queued and dropped
// events, bar history and an open-interest series.
std::unique_ptr<Small> MakeSmall() {
  auto sm = std::make_unique<Small>();
  sm->sim = FreshSmall(sm->clock);
  PaperSimulator& sim = *sm->sim;
  AccountConfig cross;
  cross.deposit = Money::FromUnits(10000);
  cross.default_leverage = 5;
  AccountConfig iso = cross;
  iso.default_margin_mode = MarginMode::kIsolated;
  iso.max_leverage = 8;
  AccountConfig broke = cross;
  broke.deposit = Money::FromUnits(50);
  EXPECT_TRUE(sim.AddAccount(cross).ok());
  EXPECT_TRUE(sim.AddAccount(iso).ok());
  EXPECT_TRUE(sim.AddAccount(broke).ok());
  EXPECT_TRUE(sim.SetOpenInterestSeries("BTCUSDT", {{"BTCUSDT", Qty("81000.5"), kT0}}).ok());
  SmallBar(*sm, "100000", "4000");
  auto order = [&](AccountIndex a, const char* id, const char* sym, Side side, OrderType type, const char* qty,
                   const char* price = "0", const char* stop = "0", bool close = false) {
    OrderRequest r;
    r.client_id = ClientOrderId(id);
    r.symbol = sym;
    r.side = side;
    r.type = type;
    r.quantity = Qty(qty);
    r.price = Px(price);
    r.stop_price = Px(stop);
    r.close_position = close;
    EXPECT_TRUE(sim.CreateOrder(a, r).ok());
  };
  order(0, "e1", "BTCUSDT", Side::kBuy, OrderType::kMarket, "0.2");
  order(1, "e2", "ETHUSDT", Side::kSell, OrderType::kMarket, "3");
  order(2, "x1", "NOPEUSDT", Side::kBuy, OrderType::kMarket, "1");  // rejected: unlisted
  order(2, "x2", "BTCUSDT", Side::kBuy, OrderType::kMarket, "1");   // rejected: margin
  // Caller strings the venue keeps as given: a long unlisted symbol (recorded), an illegal
  // client id (only its reject event is queued).
  order(2, "x3", std::string(70, 'Z').c_str(), Side::kBuy, OrderType::kMarket, "1");
  order(2, std::string(40, '#').c_str(), "BTCUSDT", Side::kBuy, OrderType::kMarket, "1");
  SmallBar(*sm, "100100", "3990");
  order(0, "sl1", "BTCUSDT", Side::kSell, OrderType::kStopMarket, "0", "0", "95000", true);
  order(0, "tp1", "BTCUSDT", Side::kSell, OrderType::kTakeProfitMarket, "0", "0", "110000", true);
  order(0, "l1", "ETHUSDT", Side::kBuy, OrderType::kLimit, "1", "3900");
  order(1, "sl2", "ETHUSDT", Side::kBuy, OrderType::kStopMarket, "0", "0", "4200", true);
  SmallBar(*sm, "100300", "3985");
  SmallBar(*sm, "100200", "3980");  // a funding time passes
  order(0, "e3", "ETHUSDT", Side::kBuy, OrderType::kMarket, "0.5");  // pending at the next open
  std::vector<ExecutionEvent> ev;
  sim.PollEvents(1, ev, 3);  // account 1: some polled, some queued; account 0: dropped ones
  return sm;
}

std::string SmallCheckpoint() {
  auto sm = MakeSmall();
  auto b = sm->sim->SaveCheckpoint();
  EXPECT_TRUE(b.ok());
  return b.ok() ? *b : std::string();
}

std::uint64_t Fnv(std::string_view s) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (const char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}
void PutLe64(std::string& b, std::size_t at, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) b[at + i] = static_cast<char>((v >> (8 * i)) & 0xFF);
}
// The documented header (magic 8, version 4, payload size 8, FNV-1a-64 8) made right again
// for a changed payload, so the change reaches the field parser.
std::string Reseal(std::string b) {
  if (b.size() < 28) return b;
  PutLe64(b, 12, b.size() - 28);
  PutLe64(b, 20, Fnv(std::string_view(b).substr(28)));
  return b;
}

TEST(PaperCheckpoint, SmallStateRoundTripsAndContinues) {
  auto sm = MakeSmall();
  const std::string bytes = *sm->sim->SaveCheckpoint();
  ASSERT_GT(bytes.size(), 28U);
  Small b;
  b.sim = FreshSmall(b.clock);
  b.clock.SetMs(sm->clock.NowMs());
  ASSERT_TRUE(b.sim->LoadCheckpoint(bytes).ok());
  EXPECT_EQ(*b.sim->SaveCheckpoint(), bytes);
  EXPECT_EQ(b.sim->account_count(), 3U);
  EXPECT_EQ(b.sim->last_bar_open(), sm->sim->last_bar_open());
  // The state is really there: a pending order, resting triggers, queued and dropped events,
  // the unlisted-symbol reject, the history and the open interest.
  EXPECT_EQ(SerResult(b.sim->FetchOpenOrders(0, "")), SerResult(sm->sim->FetchOpenOrders(0, "")));
  EXPECT_EQ(b.sim->FetchOpenOrders(0, "")->size(), 4U);
  EXPECT_EQ(SerResult(b.sim->FetchOrder(2, ClientOrderId("x1"))), SerResult(sm->sim->FetchOrder(2, ClientOrderId("x1"))));
  EXPECT_EQ(b.sim->FetchOrder(2, ClientOrderId("x1"))->symbol, "NOPEUSDT");
  EXPECT_EQ(b.sim->FetchOhlcv("ETHUSDT", 5 * kMinuteMs, 0, 0)->size(), 4U);
  EXPECT_EQ(b.sim->FetchOpenInterest("BTCUSDT")->open_interest, Qty("81000.5"));
  EXPECT_EQ(SerResult(b.sim->FetchFundingRate("BTCUSDT")), SerResult(sm->sim->FetchFundingRate("BTCUSDT")));
  for (AccountIndex a = 0; a < 3; ++a) {
    std::vector<ExecutionEvent> ea, eb;
    sm->sim->PollEvents(a, ea, SIZE_MAX);
    b.sim->PollEvents(a, eb, SIZE_MAX);
    ASSERT_EQ(eb.size(), ea.size()) << "account " << a;
    for (std::size_t i = 0; i < ea.size(); ++i) EXPECT_EQ(Ser(eb[i]), Ser(ea[i]));
    if (a == 0) {
      ASSERT_FALSE(ea.empty());
      EXPECT_EQ(ea.front().kind, EventKind::kEventsDropped);
    }
  }
  // And both continue alike (the pending order fills at the next open with the seeded draw).
  SmallBar(*sm, "99000", "3950");
  SmallBar(b, "99000", "3950");
  for (AccountIndex a = 0; a < 3; ++a) EXPECT_EQ(AccountView(*b.sim, a), AccountView(*sm->sim, a));
  EXPECT_EQ(*b.sim->SaveCheckpoint(), *sm->sim->SaveCheckpoint());
}

TEST(PaperCheckpoint, EveryTruncationIsAnError) {
  const std::string bytes = SmallCheckpoint();
  ASSERT_GT(bytes.size(), 1000U);
  SimulatedClock clock(kT0);
  auto sim = FreshSmall(clock);
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    const std::string cut = bytes.substr(0, n);
    Status st = sim->LoadCheckpoint(cut);
    ASSERT_FALSE(st.ok()) << "length " << n;
    EXPECT_EQ(st.code(), StatusCode::kParseError) << st.ToString();
    EXPECT_NE(st.message().find("byte "), std::string::npos) << st.ToString();
    // With the header made right for the shorter payload, the field parser sees the cut.
    if (n >= 28) {
      Status sealed = sim->LoadCheckpoint(Reseal(cut));
      ASSERT_FALSE(sealed.ok()) << "resealed length " << n;
      EXPECT_EQ(sealed.code(), StatusCode::kParseError) << sealed.ToString();
      EXPECT_NE(sealed.message().find("byte "), std::string::npos) << sealed.ToString();
    }
    ASSERT_EQ(sim->account_count(), 0U);
  }
  // Padding is refused too.
  EXPECT_FALSE(sim->LoadCheckpoint(bytes + '\0').ok());
  EXPECT_FALSE(sim->LoadCheckpoint(Reseal(bytes + '\0')).ok());
  EXPECT_TRUE(sim->LoadCheckpoint(bytes).ok());
}

TEST(PaperCheckpoint, EverySingleByteChangeIsAnError) {
  // The header is checked field by field and FNV-1a changes with any one payload byte, so
  // every single-byte change is detected.
  const std::string bytes = SmallCheckpoint();
  SimulatedClock clock(kT0);
  auto sim = FreshSmall(clock);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    for (const unsigned char mask : {0x01, 0x80, 0xFF}) {
      std::string b = bytes;
      b[i] = static_cast<char>(static_cast<unsigned char>(b[i]) ^ mask);
      Status st = sim->LoadCheckpoint(b);
      ASSERT_FALSE(st.ok()) << "byte " << i << " ^ " << int{mask};
      EXPECT_TRUE(st.code() == StatusCode::kParseError || st.code() == StatusCode::kInvalidArgument) << st.ToString();
    }
  }
  EXPECT_EQ(sim->account_count(), 0U);
}

TEST(PaperCheckpoint, ResealedChangesAreErrorsOrExactStates) {
  // Past the checksum (size and hash recomputed), every change still either fails with a
  // named error and leaves the simulator as it was, or is a state that saves back to exactly
  // the changed bytes (e.g. a different time on a ledger entry): the encoding is canonical.
  const std::string bytes = SmallCheckpoint();
  SimulatedClock clock(kT0);
  const std::string empty = *FreshSmall(clock)->SaveCheckpoint();
  std::size_t errors = 0, accepted = 0, inconsistent = 0, preconditions = 0;
  auto sim = FreshSmall(clock);
  for (std::size_t i = 28; i < bytes.size(); ++i) {
    for (const unsigned char mask : {0x01, 0x10, 0x80, 0xFF}) {
      std::string b = bytes;
      b[i] = static_cast<char>(static_cast<unsigned char>(b[i]) ^ mask);
      b = Reseal(std::move(b));
      Status st = sim->LoadCheckpoint(b);
      if (st.ok()) {
        ++accepted;
        auto again = sim->SaveCheckpoint();
        ASSERT_TRUE(again.ok());
        ASSERT_TRUE(*again == b) << "byte " << i << " ^ " << int{mask} << " loaded but saves differently";
        for (AccountIndex a = 0; a < sim->account_count(); ++a) ASSERT_TRUE(sim->SelfCheck(a).ok());
        sim = FreshSmall(clock);
        continue;
      }
      ++errors;
      if (st.code() == StatusCode::kFailedPrecondition) {
        ++preconditions;  // a configuration byte: a different seed, interval, fingerprint...
      } else {
        ASSERT_TRUE(st.code() == StatusCode::kParseError || st.code() == StatusCode::kInvalidArgument) << st.ToString();
        ASSERT_NE(st.message().find("byte "), std::string::npos) << st.ToString();
      }
      inconsistent += st.message().find("inconsistent state") != std::string::npos;
      // Unchanged: still empty and fresh.
      ASSERT_EQ(sim->account_count(), 0U);
      ASSERT_TRUE(*sim->SaveCheckpoint() == empty) << "byte " << i << ": a failed load changed the simulator";
    }
  }
  std::printf("resealed single-byte changes: %zu refused (%zu configuration, %zu by the state check), %zu accepted\n",
              errors, preconditions, inconsistent, accepted);
  EXPECT_GT(errors, 1000U);
  EXPECT_GT(accepted, 0U);
  EXPECT_GT(preconditions, 0U);
  EXPECT_GT(inconsistent, 0U);  // the swap-and-check-and-swap-back path ran
  // The simulator that refused all of that still loads the real checkpoint.
  EXPECT_TRUE(sim->LoadCheckpoint(bytes).ok());
}

TEST(PaperCheckpoint, WrongMagicOrVersionIsNamed) {
  const std::string bytes = SmallCheckpoint();
  SimulatedClock clock(kT0);
  auto sim = FreshSmall(clock);
  std::string b = bytes;
  b[0] = 'X';
  Status st = sim->LoadCheckpoint(b);
  EXPECT_EQ(st.code(), StatusCode::kParseError);
  EXPECT_NE(st.message().find("byte 0"), std::string::npos) << st.ToString();
  EXPECT_NE(st.message().find("magic"), std::string::npos) << st.ToString();
  EXPECT_EQ(sim->LoadCheckpoint("").code(), StatusCode::kParseError);
  EXPECT_EQ(sim->LoadCheckpoint("{\"json\": true}").code(), StatusCode::kParseError);
  b = bytes;
  b[8] = 2;  // version 2
  st = sim->LoadCheckpoint(b);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("version 2 is not supported"), std::string::npos) << st.ToString();
  EXPECT_NE(st.message().find("byte 8"), std::string::npos) << st.ToString();
  b = bytes;
  b[bytes.size() / 2] ^= 0x20;
  st = sim->LoadCheckpoint(b);
  EXPECT_EQ(st.code(), StatusCode::kParseError);
  EXPECT_NE(st.message().find("checksum"), std::string::npos) << st.ToString();
}

TEST(PaperCheckpoint, ConfigurationMismatchIsNamed) {
  const std::string bytes = SmallCheckpoint();
  SimulatedClock clock(kT0);
  auto expect_mismatch = [&](std::unique_ptr<PaperSimulator> sim, const std::string& what) {
    ASSERT_TRUE(sim);
    Status st = sim->LoadCheckpoint(bytes);
    EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition) << what << ": " << st.ToString();
    EXPECT_NE(st.message().find(what), std::string::npos) << st.ToString();
    EXPECT_EQ(sim->account_count(), 0U);
  };
  SimulatorConfig c = SmallConfig();
  c.seed = 6;
  expect_mismatch(FreshSmall(clock, c), "seed (checkpoint 5, simulator 6)");
  c = SmallConfig();
  c.symbols = {"BTCUSDT", "SOLUSDT"};
  expect_mismatch(FreshSmall(clock, c), "symbols (checkpoint BTCUSDT,ETHUSDT, simulator BTCUSDT,SOLUSDT)");
  c = SmallConfig();
  c.bar_interval = kMinuteMs;
  expect_mismatch(FreshSmall(clock, c), "bar interval (checkpoint 5m, simulator 1m)");
  c = SmallConfig();
  c.market_fill = MarketFillMode::kImmediate;
  expect_mismatch(FreshSmall(clock, c), "market fill mode (checkpoint next-open, simulator immediate)");
  c = SmallConfig();
  c.keep_history = false;
  c.funding_interval = 8 * kHourMs;
  {
    auto sim = FreshSmall(clock, c);
    Status st = sim->LoadCheckpoint(bytes);
    EXPECT_NE(st.message().find("keep_history"), std::string::npos) << st.ToString();
    EXPECT_NE(st.message().find("funding interval"), std::string::npos) << "every difference is named: " << st.ToString();
  }
  // A different instrument (tick size) and different margin brackets.
  std::vector<Instrument> ins = Table().all();
  for (auto& i : ins) {
    if (i.symbol == "ETHUSDT") i.tick_size = Px("0.1");
  }
  const InstrumentTable other(ins);
  expect_mismatch(FreshSmall(clock, SmallConfig(), &other), "instrument ETHUSDT");
  c = SmallConfig();
  auto one_tier = MarginBracketTable::ParseCsv(
      "symbol,tier,notional_floor,notional_cap,maint_margin_rate,maint_amount,max_leverage\n"
      "BTCUSDT,1,0,1000000000,0.01,0,50\n",
      "test");
  ASSERT_TRUE(one_tier.ok()) << one_tier.status().ToString();
  c.brackets = std::make_shared<const MarginBracketTable>(*one_tier);
  expect_mismatch(FreshSmall(clock, c), "margin brackets of BTCUSDT");
}

TEST(PaperCheckpoint, RefusedOnASimulatorInUse) {
  const std::string bytes = SmallCheckpoint();
  SimulatedClock clock(kT0);
  auto with_account = FreshSmall(clock);
  ASSERT_TRUE(with_account->AddAccount(AccountConfig{}).ok());
  Status st = with_account->LoadCheckpoint(bytes);
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(st.message().find("has 1 account"), std::string::npos) << st.ToString();
  EXPECT_EQ(with_account->account_count(), 1U);
  Small fed;
  fed.sim = FreshSmall(fed.clock);
  SmallBar(fed, "100000", "4000");
  st = fed.sim->LoadCheckpoint(bytes);
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(st.message().find("seen bars"), std::string::npos) << st.ToString();
}

// A slippage model with state of its own: a counter-driven jitter advanced on every fill.
class CountingSlippage final : public SlippageModel {
 public:
  Ratio SlippageFraction(const SlippageParams&) const override {
    ++calls_;
    return Ratio::FromRaw(static_cast<std::int64_t>(100'000 + (calls_ * 7919) % 400'000));  // 1..5 bps
  }
  std::string SaveState() const override { return std::to_string(calls_); }
  Status RestoreState(std::string_view state) override {
    std::uint64_t v = 0;
    if (state.empty()) return InvalidArgument("empty counter");
    for (const char c : state) {
      if (c < '0' || c > '9') return InvalidArgument("not a counter: '" + std::string(state) + "'");
      v = v * 10 + static_cast<std::uint64_t>(c - '0');
    }
    calls_ = v;
    return Status::Ok();
  }

 private:
  mutable std::uint64_t calls_ = 0;
};

TEST(PaperCheckpoint, ModelStateTravelsWithTheCheckpoint) {
  // Each Small has its own clock; its simulator uses a CountingSlippage we keep a view of.
  auto make = [](Small& sm, std::unique_ptr<SlippageModel> slip) {
    sm.sim = std::move(*PaperSimulator::Create(sm.clock, Table(), SmallConfig(), std::move(slip)));
  };
  auto market = [](PaperSimulator& sim, const std::string& id) {
    OrderRequest r;
    r.client_id = ClientOrderId(id);
    r.symbol = "BTCUSDT";
    r.side = Side::kBuy;
    r.quantity = Qty("0.01");
    ASSERT_TRUE(sim.CreateOrder(0, r).ok());
  };
  Small a;
  auto counting_a = std::make_unique<CountingSlippage>();
  const CountingSlippage* model_a = counting_a.get();
  make(a, std::move(counting_a));
  AccountConfig ac;
  ac.deposit = Money::FromUnits(100000);
  ASSERT_TRUE(a.sim->AddAccount(ac).ok());
  SmallBar(a, "100000", "4000");
  for (int i = 0; i < 3; ++i) {
    market(*a.sim, "m" + std::to_string(i));
    SmallBar(a, "100000", "4000");
  }
  ASSERT_EQ(model_a->SaveState(), "3");  // one draw per fill
  const std::string bytes = *a.sim->SaveCheckpoint();

  Small b;
  auto counting_b = std::make_unique<CountingSlippage>();
  const CountingSlippage* model_b = counting_b.get();
  make(b, std::move(counting_b));
  b.clock.SetMs(a.clock.NowMs());
  ASSERT_TRUE(b.sim->LoadCheckpoint(bytes).ok());
  EXPECT_EQ(model_b->SaveState(), "3");
  for (int i = 3; i < 6; ++i) {
    market(*a.sim, "m" + std::to_string(i));
    market(*b.sim, "m" + std::to_string(i));
    SmallBar(a, "100000", "4000");
    SmallBar(b, "100000", "4000");
  }
  EXPECT_EQ(model_b->SaveState(), "6");
  EXPECT_EQ(b.sim->SerializeLedger(0), a.sim->SerializeLedger(0));

  // A stateless model refuses the counter: named, and nothing changes.
  Small plain;
  make(plain, nullptr);
  Status st = plain.sim->LoadCheckpoint(bytes);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("slippage model state"), std::string::npos) << st.ToString();
  EXPECT_NE(st.message().find("byte "), std::string::npos) << st.ToString();
  EXPECT_EQ(plain.sim->account_count(), 0U);
  // A stateful model refusing its state leaves itself and the simulator unchanged: a
  // checkpoint of a stateless simulator (empty state) is refused by CountingSlippage.
  Small stateless_source;
  make(stateless_source, nullptr);
  ASSERT_TRUE(stateless_source.sim->AddAccount(ac).ok());
  Small c;
  auto counting_c = std::make_unique<CountingSlippage>();
  const CountingSlippage* model_c = counting_c.get();
  make(c, std::move(counting_c));
  st = c.sim->LoadCheckpoint(*stateless_source.sim->SaveCheckpoint());
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << st.ToString();
  EXPECT_EQ(model_c->SaveState(), "0");
  EXPECT_EQ(c.sim->account_count(), 0U);
}

}  // namespace
}  // namespace aitrader::exchange::paper
