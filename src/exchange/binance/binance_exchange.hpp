// BinanceExchange: the exchange port (exchange/exchange.hpp) on Binance USDⓈ-M futures — the
// testnet ("demo trading") or the live venue, or the fake Binance in tests.
//
// Start() syncs the clock, reads exchangeInfo (filters, rate limits) and the leverage brackets,
// reads the position mode (hedge mode is refused with kFailedPrecondition: aitrader trades
// one-way), opens the user-data stream and reconciles.
//
// Trading: MARKET / LIMIT on /fapi/v1/order; STOP_MARKET / TAKE_PROFIT_MARKET as conditional
// orders on /fapi/v1/algoOrder (algoType=CONDITIONAL, workingType MARK_PRICE by default,
// closePosition or reduceOnly). Quantities and prices are formatted at the symbol's step and
// tick; off-grid values are rejected locally (-4023 / -4014) and never sent. A venue reject
// whose code has a port reason (ReasonFromCode: -2019, -2021, -2022, -4164, -4061 position side,
// -4016 / -4024 price band, -4120 conditional type on /order, …) returns a kRejected Order with
// that reason and a kOrderRejected event; any other code returns the kRejected Status
// "[code] msg" (plus the event, without a reason).
//
// Never unsure: the caller's client order id is sent as newClientOrderId / clientAlgoId.
// Before sending, the id is looked up (a restart or a retry returns the existing order instead
// of placing another). After an unknown outcome (a timeout, -1007, 503 "Unknown error") the
// order is looked up by client id — regular or algo — and the venue's answer is returned; it
// is never resent blindly. If the lookup says the order does not exist, CreateOrder returns
// kUnavailable ("not placed"), and the caller may retry with the same id. A -4116 duplicate
// returns the existing order.
//
// Events: from the user-data stream (ORDER_TRADE_UPDATE → accepted / filled / canceled /
// expired / liquidation; ALGO_UPDATE → accepted / triggered / canceled / expired;
// ACCOUNT_UPDATE → position changed, funding paid), plus order rejects the adapter saw itself.
// When a position goes flat (a stop or take-profit filled, a liquidation, a close), the
// remaining reduce-only and closePosition orders of the symbol are cancelled (the bracket's
// sibling). The listen key is kept alive (PUT every keepalive_ms); on listenKeyExpired or a
// dropped connection a new key is made, the stream reconnects, and the account is reconciled:
// orders that disappeared are looked up and their terminal state emitted (a fill missed while
// disconnected becomes a kOrderFilled), positions that differ emit kPositionChanged, and any
// drift is recorded (DriftReports()) and signalled with one kEventsDropped (reconcile).
// A fill found this way is read back from the account's trade list (GET /fapi/v1/userTrades
// by the order's id — a triggered conditional's by the order it became): its quantity, average
// price, commission, realized PnL and time are the venue's, as the stream would have said —
// for the trades not reported yet only: an order that filled partly while observed (the
// stream's fills, or the store's filled quantity handed to Expect) and the rest while not is
// reported with the rest (the order's first trades up to the quantity already reported are
// skipped), so no quantity or fee is counted twice. Commissions paid in another asset than
// USDT (BNB) are not counted as the fill's fee; a drift report names them.
// After a restart, Expect() before Start() hands the adapter what the store knew (open
// positions and orders): the start's reconciliation then reports what happened meanwhile —
// a stop-loss that filled while the process was down arrives as its kOrderFilled.
// An order's end is emitted once: when a reconciliation reports an order's end, the stream's own
// events for it that arrive afterwards (it ended while the reconciliation was reading the venue,
// and the stream delivers it too) are dropped; and a reconciliation does not report an end the
// stream delivered while it was reading.
//
// Thread safety: the port's calls are for one strand (as every Exchange); the user-data stream
// runs on its own thread and shares only the mutex-guarded event queue and order book-keeping.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/instrument.hpp"
#include "exchange/binance/rest_client.hpp"
#include "exchange/binance/wire.hpp"
#include "exchange/binance/ws_client.hpp"
#include "exchange/exchange.hpp"

namespace aitrader::exchange::binance {

struct BinanceExchangeOptions {
  RestOptions rest;
  std::string ws_url;                     // base, e.g. wss://fstream.binancefuture.com; empty: no user stream
  std::string working_type = "MARK_PRICE";
  std::int64_t keepalive_ms = 30 * 60'000;
  std::int64_t exchange_info_refresh_ms = 60 * 60'000;  // filters and limits change over time
  std::size_t max_events = 10'000;
  WsOptions ws;
  bool user_stream = true;
};

struct DriftReport {
  UnixMs time = 0;
  std::string what;  // "BTCUSDT position 0.010 at the venue, 0 known"
};

class BinanceExchange final : public Exchange {
 public:
  BinanceExchange(BinanceExchangeOptions options, std::string api_key, Secret secret, const Clock& clock,
                  std::unique_ptr<HttpTransport> transport = nullptr);
  ~BinanceExchange() override;

  Status Start();
  void Stop();
  Status RefreshExchangeInfo();
  // Compares the venue's orders, positions and balance with what the adapter knows; see above.
  Status Reconcile();
  // What the caller's records (the store's open positions and orders) say the account holds;
  // the next reconciliation (Start's, or Reconcile) compares the venue with it.
  void Expect(const std::vector<Position>& positions, const std::vector<Order>& open_orders);
  // Expect() and Reconcile().
  Status ReconcileWith(const std::vector<Position>& expected_positions, const std::vector<Order>& expected_open_orders);

  // Refreshed every exchange_info_refresh_ms from PollEvents: pointers from Find() are valid
  // until the next PollEvents.
  const InstrumentTable& instruments() const { return instruments_; }
  const SymbolInfo* symbol_info(std::string_view symbol) const;
  RestClient& rest() { return *rest_; }
  std::vector<DriftReport> DriftReports() const;
  bool user_stream_connected() const;
  std::int64_t user_stream_connects() const;
  // Reconciliations completed (Start, every reconnect, Reconcile / ReconcileWith).
  std::int64_t reconciles() const;
  // Sends the listen-key keep-alive if it is due (call from the owner's loop; also on a timer
  // inside the stream thread).
  Status KeepAliveIfDue();

  // --- the port ---
  Result<std::vector<market::Candle>> FetchOhlcv(std::string_view symbol, UnixMs interval, UnixMs since,
                                                  std::size_t limit) override;
  Result<Ticker> FetchTicker(std::string_view symbol) override;
  Result<Price> FetchMarkPrice(std::string_view symbol) override;
  Result<FundingRateInfo> FetchFundingRate(std::string_view symbol) override;
  Result<OpenInterest> FetchOpenInterest(std::string_view symbol) override;
  Result<Balance> FetchBalance() override;
  Result<std::vector<Position>> FetchPositions() override;
  Result<std::vector<Order>> FetchOpenOrders(std::string_view symbol) override;
  Result<Order> FetchOrder(std::string_view symbol, const ClientOrderId& id) override;
  Result<Order> CreateOrder(const OrderRequest& request) override;
  Result<Order> CancelOrder(std::string_view symbol, const ClientOrderId& id) override;
  Result<std::vector<Order>> CancelAllOrders(std::string_view symbol) override;
  Status SetLeverage(std::string_view symbol, int leverage) override;
  Status SetMarginMode(std::string_view symbol, MarginMode mode) override;
  std::size_t PollEvents(std::vector<ExecutionEvent>& out, std::size_t max_events) override;

 private:
  enum class Kind { kRegular, kAlgo };
  struct Known {
    Kind kind = Kind::kRegular;
    std::string symbol;
    bool closes = false;  // reduce-only or closePosition
  };

  Result<std::string> Call(std::string method, std::string path, Params params, Security sec, int weight = 1,
                           bool is_order = false, bool exempt = false);
  Result<Order> Lookup(std::string_view symbol, const std::string& cid, std::optional<Kind> kind);
  Result<Order> LookupRegular(std::string_view symbol, const std::string& cid);
  // actual_order_id: the regular order a triggered conditional became ("" before it triggered).
  Result<Order> LookupAlgo(const std::string& cid, std::string* actual_order_id = nullptr);
  // The fills of one order from the account's trade list.
  struct FillTotals {
    Quantity quantity;
    Money notional, fee, realized_pnl;
    UnixMs last_time = 0;
    std::int64_t last_trade_id = 0;
    bool all_maker = true;
    std::string other_fee;  // commissions in another asset than USDT (not counted), "0.01 BNB"
  };
  // `reported`: the quantity of the order's fills already reported (its first trades, skipped).
  Result<FillTotals> FillsOf(const std::string& symbol, std::int64_t order_id, UnixMs around, Quantity reported);
  Result<Order> Rejected(const OrderRequest& r, RejectReason reason, const std::string& detail);
  Result<std::vector<Order>> OpenOrdersOf(std::string_view symbol, bool regular, bool algo);
  void Remember(const std::string& cid, Kind kind, const std::string& symbol, bool closes);
  std::optional<Known> KnownOf(const std::string& cid) const;
  void Push(ExecutionEvent e);
  void NoteEndedByReconcile(const std::string& cid);  // under mu_

  // user-data stream (stream thread)
  Status OpenUserStream();
  void OnUserMessage(const std::string& text);
  void OnUserOpen();
  // Cancels the symbol's reduce-only / closePosition orders created at or before flat_at.
  void CancelClosingOrders(const std::string& symbol, UnixMs flat_at);
  void RenewListenKey();
  std::string UserStreamUrl(const std::string& key) const;
  std::string CurrentListenKey();  // under mu_

  BinanceExchangeOptions options_;
  const Clock& clock_;
  std::unique_ptr<RestClient> rest_;
  ExchangeInfo info_;
  InstrumentTable instruments_;
  std::unique_ptr<WsClient> ws_;

  mutable std::mutex mu_;  // guards everything below
  std::deque<ExecutionEvent> events_;
  std::uint64_t dropped_ = 0;
  std::uint64_t seq_ = 0;
  std::map<std::string, Known> known_;                 // client id → kind
  std::map<std::int64_t, std::string> actual_to_algo_;  // triggered order id → algo client id
  std::map<std::string, Quantity> positions_;           // last known per symbol
  std::map<std::string, Order> open_orders_;            // last known open, by client id
  // Of orders still open: the filled quantity already reported (fill events, or accounted for
  // by Expect / a reconciliation), so a later reconciliation reports only the rest.
  std::map<std::string, Quantity> reported_filled_;
  std::vector<DriftReport> drifts_;
  // Orders whose end a reconciliation emitted: their later stream events are duplicates.
  // Bounded (oldest forgotten first); an id placed again is removed.
  std::set<std::string> ended_by_reconcile_;
  std::deque<std::string> ended_by_reconcile_order_;
  std::int64_t reconciles_ = 0;
  std::string listen_key_;
  UnixMs last_keepalive_ = 0;
  std::optional<Money> last_wallet_;
  UnixMs last_info_refresh_ = 0;  // strand only
  std::int64_t user_opens_ = 0;
  std::condition_variable opened_cv_;
  bool started_ = false;
};

}  // namespace aitrader::exchange::binance
