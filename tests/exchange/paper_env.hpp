// Test fixture for the paper simulator: a simulated clock, the bundled instrument table and
// one account, with helpers to feed bars and place orders. Every bar is fed with the clock at
// its close (as the replay driver does), so orders placed between bars see the next bar only.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/instrument.hpp"
#include "exchange/paper/paper_exchange.hpp"
#include "exchange/paper/simulator.hpp"

namespace aitrader::exchange::paper::testing {

inline Price P(const char* s) { return *Price::Parse(s); }
inline Quantity Q(const char* s) { return *Quantity::Parse(s); }
inline Money M(const char* s) { return *Money::Parse(s); }
inline Ratio R(const char* s) { return *Ratio::Parse(s); }

// 2025-10-17T00:00:00Z, the first day of Alpha Arena season 1.
inline constexpr UnixMs kT0 = 1760659200000;

struct PaperEnv {
  SimulatedClock clock{kT0};
  InstrumentTable table;
  std::unique_ptr<PaperSimulator> sim;
  AccountIndex acct = 0;
  UnixMs next_open = kT0;

  explicit PaperEnv(std::vector<std::string> symbols = {"BTCUSDT"}, Money deposit = M("10000"),
                    SimulatorConfig cfg = {}, std::unique_ptr<SlippageModel> slippage = nullptr,
                    std::unique_ptr<FundingModel> funding = nullptr, AccountConfig acfg = {}) {
    auto t = InstrumentTable::LoadDefault();
    EXPECT_TRUE(t.ok()) << t.status().ToString();
    table = *t;
    cfg.symbols = std::move(symbols);
    if (!slippage) slippage = std::make_unique<FixedBpsSlippage>(0.0);
    auto s = PaperSimulator::Create(clock, table, cfg, std::move(slippage), nullptr, std::move(funding));
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    sim = std::move(*s);
    acfg.deposit = deposit;
    acct = *sim->AddAccount(acfg);
  }

  // Feeds one bar for one symbol at next_open, then moves the clock to its close.
  void Bar(const char* symbol, const char* o, const char* h, const char* l, const char* c, double volume = 1000) {
    market::Candle k{next_open, P(o), P(h), P(l), P(c), volume};
    clock.SetMs(next_open + sim->config().bar_interval);
    Status st = sim->OnCandle(symbol, k);
    ASSERT_TRUE(st.ok()) << st.ToString();
    next_open += sim->config().bar_interval;
    Status chk = sim->SelfCheck(acct);
    ASSERT_TRUE(chk.ok()) << chk.ToString();
  }
  // A flat bar (o = h = l = c) to set the mark.
  void Flat(const char* symbol, const char* px) { Bar(symbol, px, px, px, px); }

  Order Place(const OrderRequest& r) {
    auto o = sim->CreateOrder(acct, r);
    EXPECT_TRUE(o.ok()) << o.status().ToString();
    return o.ok() ? *o : Order{};
  }
  Order Market(const char* id, const char* symbol, Side side, const char* qty, bool reduce_only = false) {
    OrderRequest r;
    r.client_id = ClientOrderId(id);
    r.symbol = symbol;
    r.side = side;
    r.type = OrderType::kMarket;
    r.quantity = Q(qty);
    r.reduce_only = reduce_only;
    return Place(r);
  }
  Order Limit(const char* id, const char* symbol, Side side, const char* qty, const char* price,
              TimeInForce tif = TimeInForce::kGtc, bool reduce_only = false) {
    OrderRequest r;
    r.client_id = ClientOrderId(id);
    r.symbol = symbol;
    r.side = side;
    r.type = OrderType::kLimit;
    r.quantity = Q(qty);
    r.price = P(price);
    r.time_in_force = tif;
    r.reduce_only = reduce_only;
    return Place(r);
  }
  // A close-position stop-market or take-profit-market.
  Order Trigger(const char* id, const char* symbol, OrderType type, Side side, const char* stop) {
    OrderRequest r;
    r.client_id = ClientOrderId(id);
    r.symbol = symbol;
    r.side = side;
    r.type = type;
    r.stop_price = P(stop);
    r.close_position = true;
    return Place(r);
  }
  Position Pos(const char* symbol) { return *sim->FetchPosition(acct, symbol); }
  Money Wallet() { return sim->FetchBalance(acct)->wallet_balance; }
  std::vector<ExecutionEvent> Events() {
    std::vector<ExecutionEvent> out;
    sim->PollEvents(acct, out, 100000);
    return out;
  }
  Order Get(const char* id) { return *sim->FetchOrder(acct, ClientOrderId(id)); }
};

inline int CountKind(const std::vector<ExecutionEvent>& ev, EventKind k) {
  int n = 0;
  for (const auto& e : ev) n += e.kind == k ? 1 : 0;
  return n;
}

}  // namespace aitrader::exchange::paper::testing
