// JournaledExchange: makes a paper venue survive a crash. Every state-changing call
// (create/cancel order, cancel all, set leverage, set margin mode) is appended to the
// paper_journal table before it is forwarded, inside the current bar's transaction (see
// engine/runtime.hpp). The simulator is deterministic, so replaying the same bars and the
// journaled calls at the same points rebuilds the venue exactly as it was at the last
// committed bar: open orders, positions, the ledger. A crash mid-bar loses that bar's calls
// together with everything else the bar would have stored — the bar is simply processed again.
//
// A call whose journal entry cannot be written is not sent: it fails with kUnavailable
// ("cannot persist …; not sent"), so nothing reaches the venue that a restart would not know.
// Thread safety: as the wrapped venue (one strand).
#pragma once

#include <cstdint>
#include <memory>

#include "exchange/exchange.hpp"
#include "store/repository.hpp"

namespace aitrader::engine {

// The journal's shared sequence and the bar position calls are stamped with.
struct JournalCursor {
  std::int64_t next_seq = 1;
  UnixMs bar_time = 0;  // close time of the last bar the venue processed
};

class JournaledExchange final : public exchange::Exchange {
 public:
  JournaledExchange(exchange::Exchange& inner, store::Repository& repo, JournalCursor& cursor, std::int64_t bot_id)
      : inner_(inner), repo_(repo), cursor_(cursor), bot_id_(bot_id) {}

  Result<std::vector<market::Candle>> FetchOhlcv(std::string_view symbol, UnixMs interval, UnixMs since,
                                                  std::size_t limit) override {
    return inner_.FetchOhlcv(symbol, interval, since, limit);
  }
  Result<exchange::Ticker> FetchTicker(std::string_view symbol) override { return inner_.FetchTicker(symbol); }
  Result<Price> FetchMarkPrice(std::string_view symbol) override { return inner_.FetchMarkPrice(symbol); }
  Result<exchange::FundingRateInfo> FetchFundingRate(std::string_view symbol) override {
    return inner_.FetchFundingRate(symbol);
  }
  Result<exchange::OpenInterest> FetchOpenInterest(std::string_view symbol) override {
    return inner_.FetchOpenInterest(symbol);
  }
  Result<exchange::Balance> FetchBalance() override { return inner_.FetchBalance(); }
  Result<std::vector<exchange::Position>> FetchPositions() override { return inner_.FetchPositions(); }
  Result<std::vector<exchange::Order>> FetchOpenOrders(std::string_view symbol) override {
    return inner_.FetchOpenOrders(symbol);
  }
  Result<exchange::Order> FetchOrder(std::string_view symbol, const ClientOrderId& id) override {
    return inner_.FetchOrder(symbol, id);
  }
  std::size_t PollEvents(std::vector<exchange::ExecutionEvent>& out, std::size_t max_events) override {
    return inner_.PollEvents(out, max_events);
  }

  Result<exchange::Order> CreateOrder(const exchange::OrderRequest& request) override;
  Result<exchange::Order> CancelOrder(std::string_view symbol, const ClientOrderId& id) override;
  Result<std::vector<exchange::Order>> CancelAllOrders(std::string_view symbol) override;
  Status SetLeverage(std::string_view symbol, int leverage) override;
  Status SetMarginMode(std::string_view symbol, MarginMode mode) override;

 private:
  Status Journal(std::string_view kind, std::string payload);

  exchange::Exchange& inner_;
  store::Repository& repo_;
  JournalCursor& cursor_;
  std::int64_t bot_id_;
};

// Re-applies one journaled call to a venue (the rebuild after a restart). Errors: kParseError
// for a payload this program cannot read.
Status ApplyJournalEntry(exchange::Exchange& venue, const store::JournalEntry& entry);

}  // namespace aitrader::engine
