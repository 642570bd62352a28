// PaperExchange: the exchange port (exchange/exchange.hpp) for one account of a
// PaperSimulator. A thin view: every call forwards to the simulator, which owns the state.
// Thread safety: as the simulator — one thread or strand for the simulator and all its views.
#pragma once

#include "exchange/exchange.hpp"
#include "exchange/paper/simulator.hpp"

namespace aitrader::exchange::paper {

class PaperExchange final : public Exchange {
 public:
  // `sim` must outlive this view; `account` must exist.
  PaperExchange(PaperSimulator& sim, AccountIndex account) : sim_(sim), account_(account) {}

  AccountIndex account() const { return account_; }
  PaperSimulator& simulator() { return sim_; }

  Result<std::vector<market::Candle>> FetchOhlcv(std::string_view symbol, UnixMs interval, UnixMs since,
                                                  std::size_t limit) override {
    return sim_.FetchOhlcv(symbol, interval, since, limit);
  }
  Result<Ticker> FetchTicker(std::string_view symbol) override { return sim_.FetchTicker(symbol); }
  Result<Price> FetchMarkPrice(std::string_view symbol) override {
    auto t = sim_.FetchTicker(symbol);
    if (!t.ok()) return t.status();
    return t->mark;
  }
  Result<FundingRateInfo> FetchFundingRate(std::string_view symbol) override { return sim_.FetchFundingRate(symbol); }
  Result<OpenInterest> FetchOpenInterest(std::string_view symbol) override { return sim_.FetchOpenInterest(symbol); }
  Result<Balance> FetchBalance() override { return sim_.FetchBalance(account_); }
  Result<std::vector<Position>> FetchPositions() override { return sim_.FetchPositions(account_); }
  Result<std::vector<Order>> FetchOpenOrders(std::string_view symbol) override {
    return sim_.FetchOpenOrders(account_, symbol);
  }
  Result<Order> FetchOrder(std::string_view symbol, const ClientOrderId& id) override {
    (void)symbol;
    return sim_.FetchOrder(account_, id);
  }
  Result<Order> CreateOrder(const OrderRequest& request) override { return sim_.CreateOrder(account_, request); }
  Result<Order> CancelOrder(std::string_view symbol, const ClientOrderId& id) override {
    return sim_.CancelOrder(account_, symbol, id);
  }
  Result<std::vector<Order>> CancelAllOrders(std::string_view symbol) override {
    return sim_.CancelAllOrders(account_, symbol);
  }
  Status SetLeverage(std::string_view symbol, int leverage) override {
    return sim_.SetLeverage(account_, symbol, leverage);
  }
  Status SetMarginMode(std::string_view symbol, MarginMode mode) override {
    return sim_.SetMarginMode(account_, symbol, mode);
  }
  std::size_t PollEvents(std::vector<ExecutionEvent>& out, std::size_t max_events) override {
    return sim_.PollEvents(account_, out, max_events);
  }

 private:
  PaperSimulator& sim_;
  AccountIndex account_;
};

}  // namespace aitrader::exchange::paper
